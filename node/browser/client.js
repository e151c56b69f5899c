/**
 * The browser half of notiflows-auth: a fetch wrapper for the Notiflows User API that sends
 * `x-notiflows-api-key` and `x-notiflows-user-key`, and keeps the user token fresh by asking
 * your backend's token endpoint (`fetchToken`). No dependencies; an ES module.
 *
 * - Refreshes ahead of `exp` (a margin, minus a random jitter so that tabs do not refresh
 *   together), at most one refresh at a time shared by every caller (single-flight), and
 *   never sooner than `minRefreshIntervalSeconds` after the last one: a token that arrives
 *   already inside the margin cannot make a tight loop.
 * - When the endpoint fails, retries with exponential backoff (with jitter) until it answers.
 * - On a 401 whose code is `token_expired`, refreshes once and retries the request once. Any
 *   other refusal (401/403) is thrown as a NotiflowsAuthError with the server's `code`
 *   (null when the body is not the `{ code, message }` JSON it expects), never retried.
 * - Reads the token's `exp` (and `iat`) only to schedule refreshes; whether a token is valid
 *   is the server's decision alone.
 */

export const API_KEY_HEADER = 'x-notiflows-api-key';
export const USER_KEY_HEADER = 'x-notiflows-user-key';

/** The User API refused a request: `code` is the server's stable code (null if it sent none). */
export class NotiflowsAuthError extends Error {
  constructor(status, code, message, response) {
    super(message || `the User API refused the request (HTTP ${status}${code ? `, ${code}` : ''})`);
    this.name = 'NotiflowsAuthError';
    this.status = status;
    this.code = code;
    this.response = response;
  }
}

/** The token endpoint failed (network error, non-2xx, or no token in its answer). */
export class TokenEndpointError extends Error {
  constructor(message, cause) {
    super(message, { cause });
    this.name = 'TokenEndpointError';
  }
}

/**
 * A `fetchToken` for an endpoint that answers `{ "userKey": "..." }` (what the notiflows-auth
 * token endpoint helpers answer), sending the browser's cookies.
 * @param {string} url
 * @param {RequestInit} [init]
 */
export function tokenFromEndpoint(url, init = {}) {
  return async () => {
    const response = await fetch(url, { credentials: 'include', cache: 'no-store', ...init });
    if (!response.ok) throw new TokenEndpointError(`token endpoint answered HTTP ${response.status}`);
    return response.json();
  };
}

const DEFAULTS = {
  refreshMarginSeconds: 60,
  jitterSeconds: 15,
  minRefreshIntervalSeconds: 10,
  backoffInitialSeconds: 1,
  backoffMaxSeconds: 60,
};

/**
 * @param {object} options
 * @param {string} options.apiKey the project's public API key
 * @param {() => Promise<string | {userKey: string}>} options.fetchToken asks your backend for a token
 * @param {string} [options.baseUrl] resolves relative request URLs (default: the page's)
 * @param {number} [options.refreshMarginSeconds] refresh this long before exp (default 60)
 * @param {number} [options.jitterSeconds] minus a random 0 to this many seconds (default 15)
 * @param {number} [options.minRefreshIntervalSeconds] never refresh sooner than this after a refresh (default 10)
 * @param {number} [options.backoffInitialSeconds] first retry delay after a failed refresh (default 1)
 * @param {number} [options.backoffMaxSeconds] the longest retry delay (default 60)
 * @param {boolean} [options.autoRefresh] refresh ahead of exp (default true; false: only on token_expired)
 * @param {typeof fetch} [options.fetch] the fetch to wrap (default globalThis.fetch)
 */
export function createNotiflowsClient(options) {
  const { apiKey, fetchToken } = options || {};
  if (typeof apiKey !== 'string' || apiKey === '') throw new TypeError('createNotiflowsClient needs { apiKey }');
  if (typeof fetchToken !== 'function') throw new TypeError('createNotiflowsClient needs { fetchToken }');
  const o = { ...DEFAULTS, autoRefresh: true, ...options };
  const fetchImpl = o.fetch || globalThis.fetch.bind(globalThis);
  const seconds = () => Date.now() / 1000;

  let token = null; // the current token (a string), or null before the first refresh
  let inflight = null; // the refresh in progress, shared by every caller
  let failures = 0; // refreshes failed in a row
  let lastError = null; // why the last refresh failed
  let notBefore = 0; // no refresh attempt before this time (seconds): backoff after a failure
  let timer = null;
  let stopped = false;
  let refreshes = 0;

  function schedule(delaySeconds) {
    clearTimeout(timer);
    timer = null;
    if (stopped) return;
    timer = setTimeout(() => {
      timer = null;
      refresh().catch(() => {}); // a failure schedules its own retry
    }, Math.max(0, delaySeconds) * 1000);
  }

  /** Seconds until the next refresh of a token just received; null: nothing to schedule. */
  function refreshDelay(text) {
    const claims = payload(text);
    if (!claims || !finite(claims.exp)) return null;
    // Time left on the token: by its own clock (exp - iat) when it says when it was issued, so
    // a server clock ahead of or behind the browser's does not move the refresh; else by ours.
    const left = finite(claims.iat) && claims.exp >= claims.iat ? claims.exp - claims.iat : claims.exp - seconds();
    const wanted = left - o.refreshMarginSeconds - Math.random() * o.jitterSeconds;
    return Math.max(wanted, o.minRefreshIntervalSeconds);
  }

  function backoffDelay() {
    const full = Math.min(o.backoffMaxSeconds, o.backoffInitialSeconds * 2 ** (failures - 1));
    return full / 2 + (Math.random() * full) / 2;
  }

  async function attempt() {
    refreshes += 1;
    let answer;
    try {
      answer = await fetchToken();
    } catch (e) {
      throw e instanceof TokenEndpointError ? e : new TokenEndpointError(`fetchToken failed: ${e && e.message}`, e);
    }
    const text = typeof answer === 'string' ? answer : answer && answer.userKey;
    if (typeof text !== 'string' || text === '') {
      throw new TokenEndpointError('fetchToken gave no token (expected a string or { userKey })');
    }
    return text;
  }

  /** Gets a new token now (or joins the refresh in progress). */
  function refresh() {
    if (stopped) return Promise.reject(new TokenEndpointError('the client was stopped'));
    if (inflight) return inflight;
    inflight = attempt().then(
      (text) => {
        token = text;
        failures = 0;
        lastError = null;
        notBefore = 0;
        clearTimeout(timer);
        const delay = o.autoRefresh ? refreshDelay(text) : null;
        if (delay !== null) schedule(delay);
        return text;
      },
      (error) => {
        failures += 1;
        lastError = error;
        const delay = backoffDelay();
        notBefore = seconds() + delay;
        // Retry in the background, backing off, until the endpoint answers again.
        if (o.autoRefresh) schedule(delay);
        throw error;
      },
    );
    inflight.finally(() => {
      inflight = null;
    }).catch(() => {});
    return inflight;
  }

  /** The token to send: the current one, else the first (during a backoff: its last error). */
  async function getToken() {
    if (token !== null) return token;
    if (inflight) return inflight;
    if (lastError && seconds() < notBefore) throw lastError;
    return refresh();
  }

  /** After `refused` was refused as expired: a newer token, refreshing once if nobody has. */
  async function renewed(refused) {
    if (inflight) return inflight;
    if (token !== refused && token !== null) return token;
    if (lastError && seconds() < notBefore) throw lastError;
    return refresh();
  }

  function withCredentials(request, userKey) {
    const headers = new Headers(request.headers);
    headers.set(API_KEY_HEADER, apiKey);
    headers.set(USER_KEY_HEADER, userKey);
    return new Request(request, { headers });
  }

  /** A fetch for the User API: adds the Notiflows headers; throws NotiflowsAuthError on a refusal. */
  async function notiflowsFetch(input, init) {
    const url = typeof input === 'string' && o.baseUrl ? new URL(input, o.baseUrl).href : input;
    const request = new Request(url, init);
    const spare = request.clone(); // the body again, for the one retry
    const sent = await getToken();
    let response = await fetchImpl(withCredentials(request, sent));
    let refusal = await refusalOf(response);
    if (refusal && refusal.code === 'token_expired') {
      const fresh = await renewed(sent);
      response = await fetchImpl(withCredentials(spare, fresh));
      refusal = await refusalOf(response);
    }
    if (refusal) throw refusal;
    return response;
  }

  return {
    fetch: notiflowsFetch,
    getToken,
    refresh,
    /** Stops the background refreshes. */
    stop() {
      stopped = true;
      clearTimeout(timer);
      timer = null;
    },
    /** How many times fetchToken was called (for monitoring and tests). */
    get refreshCount() {
      return refreshes;
    },
  };
}

/** The refusal a 401/403 response carries, as a NotiflowsAuthError; null for other statuses. */
async function refusalOf(response) {
  if (response.status !== 401 && response.status !== 403) return null;
  let body = null;
  try {
    body = await response.clone().json();
  } catch {
    // Not JSON: surfaced with code null, never retried.
  }
  const code = body && typeof body.code === 'string' ? body.code : null;
  const message = body && typeof body.message === 'string' ? body.message : undefined;
  return new NotiflowsAuthError(response.status, code, message, response);
}

/** A token's claims for scheduling only (null when they cannot be read): never a validity check. */
function payload(text) {
  const parts = text.split('.');
  if (parts.length !== 3 || parts[1].length > 16384) return null;
  try {
    const b64 = parts[1].replace(/-/g, '+').replace(/_/g, '/');
    const json = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
    const bytes = Uint8Array.from(json, (ch) => ch.charCodeAt(0));
    const claims = JSON.parse(new TextDecoder().decode(bytes));
    return claims && typeof claims === 'object' ? claims : null;
  } catch {
    return null;
  }
}

function finite(value) {
  return typeof value === 'number' && Number.isFinite(value);
}
