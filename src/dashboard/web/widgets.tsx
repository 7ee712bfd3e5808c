// Small pieces the pages share: state badges, endpoint links.
import type { Tone, EndpointView } from './model.ts';

export function Badge(props: { tone: Tone; text: string; title?: string }) {
  return (
    <span class={`badge tone-${props.tone}`} title={props.title}>
      <span class="dot" />
      {props.text}
    </span>
  );
}

export function EndpointLink(props: { ep: EndpointView }) {
  const { ep } = props;
  const text = ep.url ?? `${ep.name}: pending`;
  if (ep.ready && ep.url && /^https?:/.test(ep.url)) {
    return (
      <a class="endpoint" href={ep.url} target="_blank" rel="noreferrer" data-endpoint={ep.name}>
        {text}
      </a>
    );
  }
  return (
    <span class={`endpoint ${ep.ready ? '' : 'inactive'}`} data-endpoint={ep.name} title={ep.ready ? ep.name : `not ready${ep.reason ? `: ${ep.reason}` : ''}`}>
      {text}
    </span>
  );
}
