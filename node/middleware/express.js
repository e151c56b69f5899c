'use strict';

/**
 * Express (4 and 5) middleware: answers CORS preflights, authenticates every other request
 * and puts the user on `req.notiflows`, or answers the refusal with its status, the JSON body
 * `{ code, message }` and the CORS headers. Also `tokenEndpoint`, the backend's token route.
 *
 *   app.use('/v1', notiflowsAuth({ authenticator }));
 *   app.get('/notiflows-token', requireLogin, tokenEndpoint({ userId: (req) => req.user.id }));
 */

const { decide, issueToken, TOKEN_HEADERS } = require('./adapter');

/**
 * @param {{authenticator: import('..').Authenticator, now?: () => number|Date}} options
 *   now: the clock (tests); defaults to the binding's (the system clock)
 */
function notiflowsAuth({ authenticator, now } = {}) {
  if (!authenticator) throw new TypeError('notiflowsAuth needs { authenticator }');
  return function notiflowsAuthMiddleware(req, res, next) {
    let answer;
    try {
      answer = decide(authenticator, req.method, req.rawHeaders, { now: now && now() });
    } catch (e) {
      return next(e);
    }
    res.set(answer.headers);
    if (answer.user) {
      req.notiflows = answer.user;
      return next();
    }
    if (answer.body) return res.status(answer.status).json(answer.body);
    return res.status(answer.status).end();
  };
}

/**
 * A route handler that answers `{ userKey }`, a user token for the logged-in user, signed with
 * the project's private key (default: NOTIFLOWS_SIGNING_KEY), valid `expiresInSeconds`
 * (default 3600); 401 when `userId(req)` gives no user.
 * @param {{userId: (req: any) => string|null|undefined, signingKey?: string|Buffer|import('..').SigningKey,
 *   expiresInSeconds?: number}} options
 */
function tokenEndpoint({ userId, ...options } = {}) {
  if (typeof userId !== 'function') throw new TypeError('tokenEndpoint needs { userId: (req) => id }');
  return function notiflowsTokenEndpoint(req, res, next) {
    try {
      const { status, body } = issueToken(userId(req), options);
      res.status(status).set(TOKEN_HEADERS).json(body);
    } catch (e) {
      next(e);
    }
  };
}

module.exports = { notiflowsAuth, tokenEndpoint };
