// A virtualised list of fixed-height rows: only the rows in view (plus a margin) are in the DOM, so
// 100,000 lines scroll as smoothly as 100. With `follow`, it stays pinned to the bottom; scrolling
// up by hand reports it, so the page can turn following off.
import type { ComponentChildren } from 'preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';

export interface VirtualListProps {
  count: number;
  rowHeight: number;
  /** Re-render rows when this changes (new lines, a new filter). */
  version: number;
  follow: boolean;
  onScrolledAway(): void;
  onReachedBottom(): void;
  row(index: number, top: number): ComponentChildren;
}

const OVERSCAN = 20;

export function VirtualList(p: VirtualListProps) {
  const ref = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(600);
  const programmatic = useRef(false);

  useEffect(() => {
    const el = ref.current!;
    const ro = new ResizeObserver(() => setHeight(el.clientHeight));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  useLayoutEffect(() => {
    const el = ref.current!;
    if (p.follow) {
      const bottom = Math.max(0, p.count * p.rowHeight - el.clientHeight);
      if (Math.abs(el.scrollTop - bottom) > 1) {
        programmatic.current = true;
        el.scrollTop = bottom;
        setScrollTop(el.scrollTop);
      }
    }
  }, [p.version, p.count, p.follow, height]);

  const onScroll = () => {
    const el = ref.current!;
    setScrollTop(el.scrollTop);
    if (programmatic.current) {
      programmatic.current = false;
      return;
    }
    const atBottom = el.scrollTop + el.clientHeight >= el.scrollHeight - p.rowHeight;
    if (atBottom) p.onReachedBottom();
    else p.onScrolledAway();
  };

  const first = Math.max(0, Math.floor(scrollTop / p.rowHeight) - OVERSCAN);
  const last = Math.min(p.count, Math.ceil((scrollTop + height) / p.rowHeight) + OVERSCAN);
  const rows: ComponentChildren[] = [];
  for (let i = first; i < last; i++) rows.push(p.row(i, i * p.rowHeight));
  return (
    <div class="log-view" ref={ref} onScroll={onScroll} role="log" aria-live="off">
      <div style={{ height: `${p.count * p.rowHeight}px`, position: 'relative' }}>{rows}</div>
    </div>
  );
}
