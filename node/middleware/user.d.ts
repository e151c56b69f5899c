import type { SecurityMode } from '..';

/** The authenticated user the middleware puts on the request. */
export interface NotiflowsUser {
  /** The user's external id: the token's `sub`, or Development Mode's x-notiflows-user-id. */
  userId: string;
  /** The project: its public API key (x-notiflows-api-key). */
  project: string;
  mode: SecurityMode;
  credential: 'user_key' | 'user_id';
  /** The token's exp (Unix seconds), or null when there is none (Development Mode, no exp). */
  expiresAt: number | null;
}

export interface MiddlewareOptions {
  authenticator: import('..').Authenticator;
  /** The clock, for tests; the binding's system clock by default. */
  now?: () => number | Date;
}

export interface TokenEndpointOptions<Req> {
  /** The logged-in user's id, or null/undefined when nobody is logged in (answered 401). */
  userId: (req: Req) => string | null | undefined;
  /** The project's private key (PEM, one base64 line, or a SigningKey); default NOTIFLOWS_SIGNING_KEY. */
  signingKey?: string | Buffer | import('..').SigningKey;
  /** The token's lifetime; default 3600. */
  expiresInSeconds?: number;
  /** The clock for iat and exp, for tests; the system clock by default. */
  now?: () => number | Date;
}
