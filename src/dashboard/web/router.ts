// Hash routes: #/ (resources), #/resources/<name>, #/console/<resource>[/<replica>], #/graph.
import { useEffect, useState } from 'preact/hooks';

export type Route =
  | { page: 'resources' }
  | { page: 'details'; resource: string }
  | { page: 'console'; resource?: string; replica?: string }
  | { page: 'graph' };

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'resources' && parts[1]) return { page: 'details', resource: parts[1] };
  if (parts[0] === 'console') return { page: 'console', resource: parts[1], replica: parts[2] };
  if (parts[0] === 'graph') return { page: 'graph' };
  return { page: 'resources' };
}

export function href(route: Route): string {
  switch (route.page) {
    case 'resources':
      return '#/';
    case 'details':
      return `#/resources/${encodeURIComponent(route.resource)}`;
    case 'console':
      return `#/console${route.resource ? `/${encodeURIComponent(route.resource)}` : ''}${route.replica ? `/${encodeURIComponent(route.replica)}` : ''}`;
    case 'graph':
      return '#/graph';
  }
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const on = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return route;
}
