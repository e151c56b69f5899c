'use strict';

/**
 * A complete Fastify server with notiflows-auth: a (demo) login, the token endpoint that signs
 * a user token for the logged-in user, and the User API behind the plugin.
 *
 *   NOTIFLOWS_SIGNING_KEY=... NOTIFLOWS_API_KEY=pk_test_123 node examples/fastify/server.js
 *   curl -c jar 'http://127.0.0.1:3000/login?user=alice'; curl -b jar http://127.0.0.1:3000/notiflows-token
 *
 * Without NOTIFLOWS_SIGNING_KEY it generates a throwaway key pair at startup.
 */

const Fastify = require('fastify');
const { Authenticator, SigningKey, generateSigningKey } = require('notiflows-auth');
const { notiflowsAuth, tokenEndpoint } = require('notiflows-auth/middleware/fastify');

/** The demo's "session": a cookie naming the user. Use your real login instead. */
function loggedInUser(request) {
  const match = /(?:^|;\s*)demo_user=([^;]+)/.exec(request.headers.cookie || '');
  return match ? decodeURIComponent(match[1]) : null;
}

/**
 * @param {{signingKey: SigningKey, apiKey: string, allowedOrigins?: string[], expiresInSeconds?: number,
 *   now?: () => number}} options
 */
async function createApp({ signingKey, apiKey, allowedOrigins = [], expiresInSeconds = 3600, now }) {
  const authenticator = new Authenticator({ cacheSize: 10000 });
  authenticator.addProject({ apiKey, signingPublicKey: signingKey.publicKeyPem, allowedOrigins });

  const app = Fastify();
  app.get('/login', async (request, reply) => {
    const user = encodeURIComponent(String(request.query.user || 'alice'));
    return reply.header('set-cookie', `demo_user=${user}; HttpOnly; SameSite=Lax; Path=/`).send({ user });
  });
  // The backend half: a token for the logged-in user (401 without one).
  app.get('/notiflows-token', tokenEndpoint({ userId: loggedInUser, signingKey, expiresInSeconds, now }));

  // The User API: the plugin covers every route registered in this scope.
  await app.register(async (api) => {
    await api.register(notiflowsAuth, { authenticator, now });
    api.get('/me', async (request) => request.notiflows);
    api.post('/echo', async (request) => ({ user: request.notiflows.userId, body: request.body }));
  }, { prefix: '/v1' });
  return { app, authenticator };
}

if (require.main === module) {
  const signingKey = process.env.NOTIFLOWS_SIGNING_KEY
    ? new SigningKey(process.env.NOTIFLOWS_SIGNING_KEY)
    : (console.warn('NOTIFLOWS_SIGNING_KEY is not set: using a throwaway key pair'),
      new SigningKey(generateSigningKey().privateKeyPem));
  const apiKey = process.env.NOTIFLOWS_API_KEY || 'pk_test_example';
  const allowedOrigins = (process.env.NOTIFLOWS_ALLOWED_ORIGINS || '').split(',').filter(Boolean);
  createApp({ signingKey, apiKey, allowedOrigins })
    .then(({ app }) => app.listen({ port: Number(process.env.PORT || 3000), host: process.env.HOST || '127.0.0.1' }))
    .then((address) => console.log(`listening on ${address}`));
}

module.exports = { createApp, loggedInUser };
