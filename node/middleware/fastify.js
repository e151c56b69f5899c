'use strict';

/**
 * Fastify plugin: answers CORS preflights, authenticates every other request and puts the user
 * on `request.notiflows`, or answers the refusal with its status, the JSON body
 * `{ code, message }` and the CORS headers. Registered at any level, it covers that level's
 * routes (and, at the root, the 404 handler). Also `tokenEndpoint`, the backend's token route.
 *
 *   await app.register(notiflowsAuth, { authenticator });
 *   app.get('/notiflows-token', { preHandler: requireLogin }, tokenEndpoint({ userId: (req) => req.user.id }));
 */

const { decide, issueToken, TOKEN_HEADERS } = require('./adapter');

/**
 * @param {import('fastify').FastifyInstance} fastify
 * @param {{authenticator: import('..').Authenticator, now?: () => number|Date, preflightRoute?: boolean}} options
 *   preflightRoute: add an OPTIONS '/*' route to the scope (default true; false if you declare one)
 */
async function notiflowsAuth(fastify, { authenticator, now, preflightRoute = true } = {}) {
  if (!authenticator) throw new TypeError('notiflowsAuth needs { authenticator }');
  if (!fastify.hasRequestDecorator('notiflows')) fastify.decorateRequest('notiflows', null);
  fastify.addHook('onRequest', async (request, reply) => {
    const answer = decide(authenticator, request.raw.method, request.raw.rawHeaders, { now: now && now() });
    reply.headers(answer.headers);
    if (answer.user) {
      request.notiflows = answer.user;
      return;
    }
    reply.code(answer.status);
    return reply.send(answer.body);
  });
  // Preflights come as OPTIONS, which the scope's routes usually do not declare: without this
  // route they would reach the root's 404 handler, outside the hook above. The hook answers
  // them; a plain (non-preflight) OPTIONS that authenticates gets an empty 204.
  if (preflightRoute) fastify.options('/*', async (request, reply) => reply.code(204).send());
}
// What the fastify-plugin package does: the hook applies to the scope that registered the
// plugin instead of a child scope of its own.
notiflowsAuth[Symbol.for('skip-override')] = true;
notiflowsAuth[Symbol.for('fastify.display-name')] = 'notiflows-auth';

/**
 * A route handler that answers `{ userKey }`, a user token for the logged-in user, signed with
 * the project's private key (default: NOTIFLOWS_SIGNING_KEY), valid `expiresInSeconds`
 * (default 3600); 401 when `userId(request)` gives no user.
 * @param {{userId: (request: any) => string|null|undefined, signingKey?: string|Buffer|import('..').SigningKey,
 *   expiresInSeconds?: number}} options
 */
function tokenEndpoint({ userId, ...options } = {}) {
  if (typeof userId !== 'function') throw new TypeError('tokenEndpoint needs { userId: (request) => id }');
  return async function notiflowsTokenEndpoint(request, reply) {
    const { status, body } = issueToken(userId(request), options);
    return reply.code(status).headers(TOKEN_HEADERS).send(body);
  };
}

module.exports = { notiflowsAuth, tokenEndpoint, default: notiflowsAuth };
