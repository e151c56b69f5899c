'use strict';

// The Express middleware and the Fastify plugin, each in its example server over real HTTP on
// loopback. Every expected status, body and CORS header comes from the Authenticator itself
// (called directly on the same headers): the middleware must add no rule of its own.

const test = require('node:test');
const assert = require('node:assert/strict');
const { NotiflowsAuthError } = require('notiflows-auth');
const { API_KEY, ALLOWED, signingKey, start, request, claimsOf } = require('./helpers');

/** What the binding answers for these headers: { status, body } of its refusal, or null. */
function bindingRefusal(authenticator, headers) {
  try {
    authenticator.authenticate(headers);
    return null;
  } catch (e) {
    assert.ok(e instanceof NotiflowsAuthError);
    return { status: e.status, body: e.toJSON() };
  }
}

/** What the library answers for a request with this origin and API key (null: not sent). */
function cors(authenticator, origin, apiKey, preflight = false) {
  const headers = [];
  if (origin !== null && origin !== undefined) headers.push(['origin', origin]);
  if (apiKey !== null && apiKey !== undefined) headers.push(['x-notiflows-api-key', apiKey]);
  return authenticator.corsHeaders(headers, { preflight });
}

/** The CORS headers of a response, lower-cased names. */
function corsOf(headers) {
  return Object.fromEntries(Object.entries(headers).filter(([n]) => n.startsWith('access-control-') || n === 'vary'));
}

function lower(obj) {
  return Object.fromEntries(Object.entries(obj).map(([n, v]) => [n.toLowerCase(), v]));
}

for (const framework of ['express', 'fastify']) {
  test(`${framework}: middleware and token endpoint over HTTP`, async (t) => {
    const server = await start(framework);
    t.after(() => server.close());
    const { base, authenticator } = server;
    const user = (token, origin = ALLOWED) => [
      ['x-notiflows-api-key', API_KEY],
      ['x-notiflows-user-key', token],
      ['origin', origin],
    ];

    await t.test('preflight: 204 with the binding preflight headers', async () => {
      for (const origin of [ALLOWED, 'http://evil.example']) {
        const res = await request(`${base}/v1/me`, {
          method: 'OPTIONS',
          headers: [['origin', origin], ['access-control-request-method', 'GET'], ['access-control-request-headers', 'x-notiflows-user-key']],
        });
        assert.equal(res.status, 204);
        assert.deepEqual(corsOf(res.headers), lower(cors(authenticator, origin, null, true)));
      }
      const allowed = lower(cors(authenticator, ALLOWED, null, true));
      assert.equal(allowed['access-control-allow-origin'], ALLOWED);
      assert.match(allowed['access-control-allow-headers'], /x-notiflows-user-key/);
    });

    await t.test('token endpoint: 401 without a login, a one-hour token for the logged-in user', async () => {
      const anonymous = await request(`${base}/notiflows-token`);
      assert.equal(anonymous.status, 401);
      assert.equal(anonymous.headers['cache-control'], 'no-store');
      const res = await request(`${base}/notiflows-token`, { headers: [['cookie', 'demo_user=alice']] });
      assert.equal(res.status, 200);
      assert.equal(res.headers['cache-control'], 'no-store');
      const claims = claimsOf(res.body.userKey);
      assert.equal(claims.sub, 'alice');
      assert.equal(claims.exp - claims.iat, 3600);
    });

    await t.test('an authenticated request: the user on the request, CORS headers on the response', async () => {
      const { body: { userKey } } = await request(`${base}/notiflows-token`, { headers: [['cookie', 'demo_user=alice']] });
      const res = await request(`${base}/v1/me`, { headers: user(userKey) });
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, { userId: 'alice', project: API_KEY, mode: 'secure', credential: 'user_key', expiresAt: claimsOf(userKey).exp });
      assert.deepEqual(corsOf(res.headers), lower(cors(authenticator, ALLOWED, API_KEY)));
      assert.equal(res.headers['access-control-allow-origin'], ALLOWED);
      const echo = await request(`${base}/v1/echo`, {
        method: 'POST',
        headers: [...user(userKey), ['content-type', 'application/json']],
        body: JSON.stringify({ n: 1 }),
      });
      assert.deepEqual(echo.body, { user: 'alice', body: { n: 1 } });
    });

    await t.test('refusals: the binding status and { code, message }, with CORS headers', async () => {
      const token = signingKey.sign('bob');
      const cases = {
        api_key_missing: [['x-notiflows-user-key', token], ['origin', ALLOWED]],
        api_key_invalid: [['x-notiflows-api-key', 'pk_unknown'], ['x-notiflows-user-key', token]],
        user_key_missing: [['x-notiflows-api-key', API_KEY], ['x-notiflows-user-id', 'bob'], ['origin', ALLOWED]],
        token_expired: user(signingKey.sign('bob', { now: 1_000_000, expiresInSeconds: 60 })),
        signature_invalid: user(token.slice(0, -4) + (token.endsWith('AAAA') ? 'BBBB' : 'AAAA')),
        token_malformed: user('not-a-token'),
        origin_not_allowed: user(token, 'http://evil.example'),
        // Headers reach the binding as they came: a repeat is the core's to refuse.
        repeated: [...user(token), ['x-notiflows-api-key', API_KEY]],
        repeatedOrigin: [...user(token), ['origin', 'http://other.example']],
      };
      for (const [name, headers] of Object.entries(cases)) {
        const expected = bindingRefusal(authenticator, headers);
        assert.ok(expected, `${name}: the binding refuses it`);
        if (!name.startsWith('repeated')) assert.equal(expected.body.code, name);
        const res = await request(`${base}/v1/me`, { headers });
        assert.equal(res.status, expected.status, name);
        assert.deepEqual(res.body, expected.body, name);
        assert.match(res.headers['content-type'], /^application\/json/);
        assert.deepEqual(corsOf(res.headers), lower(authenticator.corsHeaders(headers)), name);
      }
    });

    await t.test('Development Mode: the user id header, mode development, no expiry', async () => {
      authenticator.addProject({ apiKey: 'pk_test_dev', securityMode: 'development' });
      const res = await request(`${base}/v1/me`, { headers: [['x-notiflows-api-key', 'pk_test_dev'], ['x-notiflows-user-id', 'carol']] });
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, { userId: 'carol', project: 'pk_test_dev', mode: 'development', credential: 'user_id', expiresAt: null });
    });

    await t.test('routes outside the middleware are not authenticated', async () => {
      const res = await request(`${base}/login?user=dave`);
      assert.notEqual(res.status, 401);
    });
  });
}
