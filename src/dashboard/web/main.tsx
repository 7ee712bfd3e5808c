// The dashboard page: a left navigation rail, a header with the app's name and the live stream's
// state, and the page of the current route.
import { render } from 'preact';
import { ConsolePage } from './console-page.tsx';
import { DetailsPage } from './details-page.tsx';
import { GraphPage } from './graph-page.tsx';
import { Notices } from './notices.tsx';
import { ResourcesPage } from './resources-page.tsx';
import { href, useRoute, type Route } from './router.ts';
import { connect, useAppState } from './state.ts';
import './styles.css';

const NAV: { page: Route['page']; label: string; icon: string; to: Route }[] = [
  { page: 'resources', label: 'Resources', icon: '▦', to: { page: 'resources' } },
  { page: 'console', label: 'Console', icon: '›_', to: { page: 'console' } },
  { page: 'graph', label: 'Graph', icon: '⌬', to: { page: 'graph' } },
];

function Shell() {
  const state = useAppState();
  const route = useRoute();
  const active = route.page === 'details' ? 'resources' : route.page;
  return (
    <div class="shell">
      <header class="top">
        <span class="logo">apphost</span>
        <span class="app-name">{state.app}</span>
        <span class={`live ${state.connected ? 'on' : 'off'}`} title={state.connected ? 'Live: updates stream from the API' : 'Disconnected: reconnecting…'}>
          <span class="dot" />
          {state.connected ? 'live' : 'reconnecting'}
        </span>
      </header>
      <nav class="rail">
        {NAV.map((n) => (
          <a href={href(n.to)} class={active === n.page ? 'active' : ''} key={n.page} title={n.label}>
            <span class="icon">{n.icon}</span>
            <span>{n.label}</span>
          </a>
        ))}
      </nav>
      <main class="content">
        <Notices />
        {route.page === 'details' ? (
          <DetailsPage resource={route.resource} />
        ) : route.page === 'graph' ? (
          <GraphPage />
        ) : route.page === 'console' ? (
          <ConsolePage resource={route.resource} replica={route.replica} key={`${route.resource}/${route.replica}`} />
        ) : (
          <ResourcesPage />
        )}
      </main>
    </div>
  );
}

connect();
render(<Shell />, document.getElementById('app')!);
