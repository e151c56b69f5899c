export const API_KEY_HEADER: 'x-notiflows-api-key';
export const USER_KEY_HEADER: 'x-notiflows-user-key';

/** The User API refused a request (401/403): `code` is the server's stable code, or null. */
export class NotiflowsAuthError extends Error {
  readonly name: 'NotiflowsAuthError';
  readonly status: number;
  /** e.g. "origin_not_allowed", "signature_invalid"; null when the body had no code. */
  readonly code: string | null;
  readonly response: Response;
}

/** The token endpoint failed (network error, non-2xx, or no token in its answer). */
export class TokenEndpointError extends Error {
  readonly name: 'TokenEndpointError';
}

export interface NotiflowsClientOptions {
  /** The project's public API key. */
  apiKey: string;
  /** Asks your backend for a user token: the token, or `{ userKey }`. */
  fetchToken: () => Promise<string | { userKey: string }>;
  /** Resolves relative request URLs (default: the page's). */
  baseUrl?: string;
  /** Refresh this long before exp (default 60). */
  refreshMarginSeconds?: number;
  /** Minus a random 0 to this many seconds (default 15). */
  jitterSeconds?: number;
  /** Never refresh sooner than this after a refresh (default 10). */
  minRefreshIntervalSeconds?: number;
  /** First retry delay after a failed refresh, doubled on each failure (default 1). */
  backoffInitialSeconds?: number;
  /** The longest retry delay (default 60). */
  backoffMaxSeconds?: number;
  /** Refresh ahead of exp (default true); false: only on a token_expired refusal. */
  autoRefresh?: boolean;
  /** The fetch to wrap (default globalThis.fetch). */
  fetch?: typeof fetch;
}

export interface NotiflowsClient {
  /** fetch with the Notiflows headers; throws NotiflowsAuthError on a 401/403 refusal. */
  fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response>;
  /** The current token, fetching the first one if needed. */
  getToken(): Promise<string>;
  /** Fetches a new token now, or joins the refresh in progress. */
  refresh(): Promise<string>;
  /** Stops the background refreshes. */
  stop(): void;
  /** How many times fetchToken was called. */
  readonly refreshCount: number;
}

export function createNotiflowsClient(options: NotiflowsClientOptions): NotiflowsClient;

/** A fetchToken for an endpoint answering `{ "userKey": "..." }`, sending cookies. */
export function tokenFromEndpoint(url: string, init?: RequestInit): () => Promise<{ userKey: string }>;
