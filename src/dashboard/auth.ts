// Browser-token login, as Aspire's BrowserToken mode: `/login?t=<token>` (the URL `apphostctl up`
// prints) trades the token for an HttpOnly, SameSite=Strict session cookie; every other route
// needs that cookie. Both secrets are random per run and compared in constant time.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const COOKIE_NAME = 'apphost_dashboard';

export interface DashboardAuth {
  /** What goes into the login URL. */
  readonly token: string;
  /** True when `candidate` is the login token. */
  tokenMatches(candidate: string | null): boolean;
  /** The Set-Cookie header value that logs a browser in. */
  sessionCookie(): string;
  /** True when the request carries the session cookie. */
  isLoggedIn(req: IncomingMessage): boolean;
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export function createAuth(token = randomBytes(24).toString('base64url')): DashboardAuth {
  const session = randomBytes(32).toString('base64url');
  return {
    token,
    tokenMatches: (candidate) => candidate !== null && sameSecret(candidate, token),
    sessionCookie: () => `${COOKIE_NAME}=${session}; HttpOnly; SameSite=Strict; Path=/`,
    isLoggedIn(req) {
      const value = cookieValue(req.headers.cookie, COOKIE_NAME);
      return value !== undefined && sameSecret(value, session);
    },
  };
}
