// Watch fan-out: every committed change goes into the bounded history (for resumption) and to the
// live subscribers of its kind. A watch starts with the current objects (resourceVersion "" or
// "0") or the history after its resourceVersion, then goes live in the same turn, so it never
// misses or repeats an event; selector-filtered watches see an object leave or enter their scope
// as DELETED or ADDED, as Kubernetes does.
// Only the two classes: `from 'rxjs'` loads all of RxJS's ~400 modules (+3.4 MiB RSS, ~27 ms of
// start-up in every apphost process); rxjs exports its internal/* paths for this.
import { Observable } from 'rxjs/internal/Observable';
import { Subject } from 'rxjs/internal/Subject';
import { apiVersionOf, type KindInfo } from '../../src/api/registry.ts';
import { errors } from '../../src/api/status.ts';
import type { WatchEvent, WatchOptions } from '../../src/api/store.ts';
import type { KubeObject } from '../../src/api/types.ts';
import { EventHistory, type StoredEvent } from './history.ts';
import { parseFieldSelector, parseLabelSelector, type Predicate } from './selectors.ts';

export interface WatchSource {
  /** The current objects of a kind, in key order. */
  current(info: KindInfo): Iterable<KubeObject>;
  /** The latest global resourceVersion. */
  resourceVersion(): number;
}

export class WatchFanout {
  private readonly subjects = new Map<string, Subject<StoredEvent>>();
  private readonly history: EventHistory;

  constructor(
    private readonly source: WatchSource,
    options: { historySize: number; historyBytes: number; initialResourceVersion: number },
  ) {
    this.history = new EventHistory({ maxEvents: options.historySize, maxBytes: options.historyBytes }, options.initialResourceVersion);
  }

  emit(event: StoredEvent): void {
    this.history.push(event);
    this.subjects.get(event.kindKey)?.next(event);
  }

  watch<T extends KubeObject>(info: KindInfo, options: WatchOptions): Observable<WatchEvent<T>> {
    const labels = parseLabelSelector(options.labelSelector);
    const fields = parseFieldSelector(options.fieldSelector, info.selectableFields);
    const namespace = info.namespaced ? options.namespace : undefined;
    const inScope: Predicate = (obj) =>
      (namespace === undefined || obj.metadata.namespace === namespace) && labels(obj) && fields(obj);
    const rvParam = options.resourceVersion ?? '';
    let resumeFrom: number | undefined;
    if (rvParam !== '' && rvParam !== '0') {
      resumeFrom = /^\d+$/.test(rvParam) ? Number(rvParam) : NaN;
    }

    return new Observable<WatchEvent<T>>((subscriber) => {
      const send = (type: WatchEvent['type'], object: KubeObject) => subscriber.next({ type, object: object as T });
      const deliver = (event: StoredEvent) => {
        if (event.type !== 'MODIFIED' || !event.old) {
          if (inScope(event.object)) send(event.type, event.object);
          return;
        }
        const was = inScope(event.old);
        const is = inScope(event.object);
        if (was && is) send('MODIFIED', event.object);
        else if (is) send('ADDED', event.object);
        else if (was) send('DELETED', event.object);
      };

      if (resumeFrom === undefined) {
        for (const obj of this.source.current(info)) if (inScope(obj)) send('ADDED', obj);
      } else {
        const oldest = this.history.oldestResumable();
        if (!Number.isFinite(resumeFrom) || resumeFrom < oldest || resumeFrom > this.source.resourceVersion()) {
          const status = errors.expired(rvParam, String(oldest)).toStatus();
          subscriber.next({ type: 'ERROR', object: status as unknown as T });
          subscriber.complete();
          return;
        }
        for (const event of this.history.since(resumeFrom)) if (event.kindKey === info.key) deliver(event);
      }

      const live = this.subject(info).subscribe(deliver);
      let timer: NodeJS.Timeout | undefined;
      if (options.allowBookmarks) {
        timer = setInterval(() => {
          subscriber.next({
            type: 'BOOKMARK',
            object: {
              apiVersion: apiVersionOf(info),
              kind: info.kind,
              metadata: { name: '', resourceVersion: String(this.source.resourceVersion()) },
            } as T,
          });
        }, options.bookmarkIntervalMs ?? 10_000);
        timer.unref();
      }
      return () => {
        live.unsubscribe();
        if (timer) clearInterval(timer);
      };
    });
  }

  private subject(info: KindInfo): Subject<StoredEvent> {
    let subject = this.subjects.get(info.key);
    if (!subject) this.subjects.set(info.key, (subject = new Subject()));
    return subject;
  }
}
