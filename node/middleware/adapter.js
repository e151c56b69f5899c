'use strict';

/**
 * The one place the framework middleware calls the binding: every decision (who the user
 * is, the refusal's code, status and message, the CORS headers) is the Authenticator's. The
 * Express and Fastify modules only move headers and statuses between it and their framework.
 */

const { NotiflowsAuthError, signUserToken } = require('..');

const API_KEY_HEADER = 'x-notiflows-api-key';

/** A request's headers exactly as they came ([name, value] pairs, repeats kept) from Node's rawHeaders. */
function headerPairs(rawHeaders) {
  const pairs = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) pairs.push([rawHeaders[i], rawHeaders[i + 1]]);
  return pairs;
}

/** The value of the header `name` when it came exactly once, else null. */
function single(pairs, name) {
  const found = pairs.filter(([n]) => n.toLowerCase() === name);
  return found.length === 1 ? found[0][1] : null;
}

/** A CORS preflight: OPTIONS with Access-Control-Request-Method (it carries no Notiflows headers). */
function isPreflight(method, pairs) {
  return method === 'OPTIONS' && single(pairs, 'access-control-request-method') !== null;
}

/** The CORS headers for the request, read by the library from its own headers. */
function cors(authenticator, pairs, preflight) {
  return authenticator.corsHeaders(pairs, { preflight });
}

/**
 * Runs one request through the authenticator. Returns what to answer:
 * `{ status: 204, headers }` for a preflight, `{ status, headers, body }` for a refusal
 * (body `{ code, message }`), or `{ user, headers }` to go on with (headers: CORS headers
 * for the response). Errors other than the binding's refusals are thrown.
 * @param {import('..').Authenticator} authenticator
 * @param {string} method
 * @param {string[]} rawHeaders Node's req.rawHeaders
 * @param {{now?: number|Date}} [options]
 */
function decide(authenticator, method, rawHeaders, { now } = {}) {
  const pairs = headerPairs(rawHeaders);
  if (isPreflight(method, pairs)) return { status: 204, headers: cors(authenticator, pairs, true) };
  const headers = cors(authenticator, pairs, false);
  try {
    const user = authenticator.authenticate(pairs, now === undefined ? undefined : { now });
    return {
      headers,
      user: {
        userId: user.userId,
        project: user.apiKey !== undefined ? user.apiKey : single(pairs, API_KEY_HEADER),
        mode: user.mode,
        credential: user.credential,
        expiresAt: user.expiresAt === undefined ? null : user.expiresAt,
      },
    };
  } catch (e) {
    if (!(e instanceof NotiflowsAuthError)) throw e;
    return { status: e.status, headers, body: e.toJSON() };
  }
}

/**
 * The backend half: what a token endpoint answers for the logged-in user `userId`
 * (`{ status: 200, body: { userKey } }`), or 401 when nobody is logged in.
 * @param {string|null|undefined} userId
 * @param {{signingKey?: string|Buffer|import('..').SigningKey, expiresInSeconds?: number, now?: () => number|Date}} options
 *   now: the clock the token's iat and exp come from (tests); the system clock by default
 */
function issueToken(userId, { signingKey, expiresInSeconds = 3600, now } = {}) {
  if (userId === null || userId === undefined || userId === '') {
    return { status: 401, body: { message: 'log in first: there is no user to sign a token for' } };
  }
  const options = { expiresInSeconds };
  if (signingKey !== undefined) options.signingKey = signingKey;
  if (now) options.now = now();
  return { status: 200, body: { userKey: signUserToken(String(userId), options) } };
}

/** Token responses must not be cached by the browser or a proxy. */
const TOKEN_HEADERS = Object.freeze({ 'cache-control': 'no-store' });

module.exports = { decide, issueToken, TOKEN_HEADERS };
