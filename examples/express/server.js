'use strict';

/**
 * A complete Express server with notiflows-auth: a (demo) login, the token endpoint that signs
 * a user token for the logged-in user, the User API behind the middleware, and the browser
 * client served to a page that uses it.
 *
 *   NOTIFLOWS_SIGNING_KEY=... NOTIFLOWS_API_KEY=pk_test_123 node examples/express/server.js
 *   open http://127.0.0.1:3000/login?user=alice
 *
 * Without NOTIFLOWS_SIGNING_KEY it generates a throwaway key pair at startup.
 */

const path = require('node:path');
const express = require('express');
const { Authenticator, SigningKey, generateSigningKey } = require('notiflows-auth');
const { notiflowsAuth, tokenEndpoint } = require('notiflows-auth/middleware/express');

/** The demo's "session": a cookie naming the user. Use your real login instead. */
function loggedInUser(req) {
  const match = /(?:^|;\s*)demo_user=([^;]+)/.exec(req.headers.cookie || '');
  return match ? decodeURIComponent(match[1]) : null;
}

/**
 * @param {{signingKey: SigningKey, apiKey: string, allowedOrigins?: string[], expiresInSeconds?: number,
 *   now?: () => number, app?: import('express').Express}} options
 */
function createApp({ signingKey, apiKey, allowedOrigins = [], expiresInSeconds = 3600, now, app = express() }) {
  // The User API's side: one Authenticator for the process, the project's public key in it.
  const authenticator = new Authenticator({ cacheSize: 10000 });
  authenticator.addProject({ apiKey, signingPublicKey: signingKey.publicKeyPem, allowedOrigins });

  app.get('/login', (req, res) => {
    res.cookie('demo_user', String(req.query.user || 'alice'), { httpOnly: true, sameSite: 'lax' });
    res.redirect('/');
  });

  // The backend half: a token for the logged-in user (401 without one).
  app.get('/notiflows-token', tokenEndpoint({ userId: loggedInUser, signingKey, expiresInSeconds, now }));

  // The browser client, and a page that uses it.
  app.use('/notiflows', express.static(path.dirname(require.resolve('notiflows-auth/browser/client.js'))));
  app.get('/', (req, res) => res.type('html').send(page(apiKey)));

  // The User API: every route under /v1 is authenticated; req.notiflows is the user.
  const api = express.Router();
  api.use(notiflowsAuth({ authenticator, now }));
  api.use(express.json());
  api.get('/me', (req, res) => res.json(req.notiflows));
  api.post('/echo', (req, res) => res.json({ user: req.notiflows.userId, body: req.body }));
  app.use('/v1', api);
  return { app, authenticator };
}

function page(apiKey) {
  return `<!doctype html><meta charset="utf-8"><title>notiflows-auth</title><pre id="out">...</pre>
<script type="module">
import { createNotiflowsClient, tokenFromEndpoint } from '/notiflows/client.js';
const client = createNotiflowsClient({ apiKey: ${JSON.stringify(apiKey)}, fetchToken: tokenFromEndpoint('/notiflows-token') });
window.notiflows = client;
client.fetch('/v1/me').then((r) => r.json()).then(
  (me) => { document.getElementById('out').textContent = JSON.stringify(me, null, 2); },
  (e) => { document.getElementById('out').textContent = e.code ? e.code + ': ' + e.message : String(e); });
</script>`;
}

if (require.main === module) {
  let signingKey;
  if (process.env.NOTIFLOWS_SIGNING_KEY) {
    signingKey = new SigningKey(process.env.NOTIFLOWS_SIGNING_KEY);
  } else {
    console.warn('NOTIFLOWS_SIGNING_KEY is not set: using a throwaway key pair');
    signingKey = new SigningKey(generateSigningKey().privateKeyPem);
  }
  const apiKey = process.env.NOTIFLOWS_API_KEY || 'pk_test_example';
  const allowedOrigins = (process.env.NOTIFLOWS_ALLOWED_ORIGINS || '').split(',').filter(Boolean);
  const { app } = createApp({ signingKey, apiKey, allowedOrigins });
  const port = Number(process.env.PORT || 3000);
  app.listen(port, process.env.HOST || '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${port}/login?user=alice`));
}

module.exports = { createApp, loggedInUser };
