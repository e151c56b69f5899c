'use strict';

// The browser client (notiflows-auth/browser/client.js) in real headless Chromium, against an
// Express server built from the middleware and the token endpoint helper, with tokens of a
// few seconds. The page is served from one loopback port and the User API from another, so
// every request is cross-origin: preflights and CORS headers are real too.

const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const express = require('express');
const { chromium } = require('playwright-core');
const { Authenticator } = require('notiflows-auth');
const { notiflowsAuth, tokenEndpoint } = require('notiflows-auth/middleware/express');
const { API_KEY, signingKey, start } = require('./helpers');

const CLIENT = require.resolve('notiflows-auth/browser/client.js');
const CHROMIUM_FLAGS = [
  '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-quic',
];

/**
 * A server on two ports: `page` (the page, the client module, the token endpoint, odd routes)
 * and `api` (the User API behind the middleware). `apiSkew`/`tokenSkew` move the API's and
 * the token endpoint's clocks (seconds) against the browser's; the first token lives
 * `lifetime` seconds, later ones `laterLifetime`; `failTokens(ms)` makes the token endpoint
 * answer 503 for that long.
 */
async function startServer({ lifetime = 3, laterLifetime = lifetime, apiSkew = 0, tokenSkew = 0 } = {}) {
  const authenticator = new Authenticator({ cacheSize: 1000 });
  const stats = { tokenCalls: [], tokenFailures: 0, statuses: [], codes: [], odd: 0 };
  let failUntil = 0;
  const now = () => Date.now() / 1000 + tokenSkew;
  const first = tokenEndpoint({ userId: () => 'alice', signingKey, expiresInSeconds: lifetime, now });
  const later = tokenEndpoint({ userId: () => 'alice', signingKey, expiresInSeconds: laterLifetime, now });
  const app = express();
  app.get('/blank', (req, res) => res.type('html').send('<!doctype html><title>client test</title>'));
  app.get('/client.js', (req, res) => res.sendFile(CLIENT));
  app.get(
    '/notiflows-token',
    (req, res, next) => {
      stats.tokenCalls.push(Date.now());
      if (Date.now() < failUntil) {
        stats.tokenFailures += 1;
        return res.status(503).send('token service down');
      }
      return next();
    },
    (req, res, next) => (stats.tokenCalls.length === 1 ? first : later)(req, res, next),
  );
  // Refusals the middleware never sends: not JSON, a changed shape, a token_expired that a
  // fresh token does not cure.
  app.get('/odd/text', (req, res) => ((stats.odd += 1), res.status(401).type('text').send('no')));
  app.get('/odd/shape', (req, res) => ((stats.odd += 1), res.status(401).json({ error: { code: 'token_expired' } })));
  app.get('/odd/always-expired', (req, res) => ((stats.odd += 1), res.status(401).json({ code: 'token_expired', message: 'still expired' })));

  const api = express.Router();
  api.use((req, res, next) => {
    const original = res.json.bind(res);
    res.json = (body) => {
      if (req.method !== 'OPTIONS') {
        stats.statuses.push(res.statusCode);
        if (body && body.code) stats.codes.push(body.code);
      }
      return original(body);
    };
    next();
  });
  api.use(notiflowsAuth({ authenticator, now: () => Date.now() / 1000 + apiSkew }));
  api.get('/me', (req, res) => res.json({ userId: req.notiflows.userId }));
  app.use('/v1', api);

  const listen = () => new Promise((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)); });
  const [pageServer, apiServer] = [await listen(), await listen()];
  const page = `http://127.0.0.1:${pageServer.address().port}`;
  authenticator.addProject({ apiKey: API_KEY, signingPublicKey: signingKey.publicKeyPem, allowedOrigins: [page] });
  return {
    page,
    api: `http://127.0.0.1:${apiServer.address().port}`,
    stats,
    failTokens(ms) {
      failUntil = Date.now() + ms;
    },
    close: () => Promise.all([pageServer, apiServer].map((s) => new Promise((r) => s.close(r)))),
  };
}

let browser;
test.before(async () => {
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_FLAGS });
});
test.after(() => browser && browser.close());

/** A fresh page on the server's page origin, with the client module imported as window.nf. */
async function openPage(server) {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e));
  await page.goto(`${server.page}/blank`);
  await page.evaluate(async () => {
    window.nf = await import('/client.js');
  });
  return { page, close: () => context.close() };
}

/**
 * In the page: a client with `options`, then `requests` requests to /v1/me `everyMs` apart.
 * Returns the outcome of each ("ok" or the error's name and code) and the refresh count.
 */
function run(page, api, options, { requests, everyMs }) {
  return page.evaluate(async ({ api, options, requests, everyMs }) => {
    const client = window.nf.createNotiflowsClient({ ...options, fetchToken: window.nf.tokenFromEndpoint('/notiflows-token'), baseUrl: api });
    const outcomes = [];
    const started = performance.now();
    for (let i = 0; i < requests; i += 1) {
      try {
        const res = await client.fetch('/v1/me');
        const body = await res.json();
        outcomes.push(res.status === 200 && body.userId === 'alice' ? 'ok' : `HTTP ${res.status}`);
      } catch (e) {
        outcomes.push(`${e.name}:${e.code || ''}`);
      }
      await new Promise((r) => setTimeout(r, everyMs));
    }
    client.stop();
    return { outcomes, refreshes: client.refreshCount, seconds: (performance.now() - started) / 1000 };
  }, { api, options, requests, everyMs });
}

/**
 * The refresh count of a run fits refreshes `minGap` to `maxGap` seconds apart (plus the
 * first token): the schedule, not a storm, however slow the machine made the run.
 */
function assertSchedule({ refreshes, seconds }, minGap, maxGap) {
  const least = Math.floor(seconds / maxGap);
  const most = 2 + Math.ceil(seconds / minGap);
  assert.ok(refreshes >= least && refreshes <= most, `${refreshes} refreshes in ${seconds.toFixed(1)} s, expected ${least} to ${most}`);
}

const SHORT = { apiKey: API_KEY, refreshMarginSeconds: 1.5, jitterSeconds: 0.25, minRefreshIntervalSeconds: 0.5 };

test('requests keep succeeding across many refreshes of 3 s tokens', async (t) => {
  const server = await startServer({ lifetime: 3 });
  const { page, close } = await openPage(server);
  t.after(async () => { await close(); await server.close(); });
  const result = await run(page, server.api, SHORT, { requests: 80, everyMs: 100 });
  assert.deepEqual(result.outcomes.filter((o) => o !== 'ok'), []);
  // 8 s or more of traffic, a refresh every 1.25 to 1.5 s (3 s minus the margin and jitter).
  assert.ok(result.refreshes >= 5, `refreshes: ${result.refreshes}`);
  assertSchedule(result, 1.25, 1.5);
  assert.equal(server.stats.tokenCalls.length, result.refreshes);
  assert.deepEqual(server.stats.codes, [], 'the server never saw an expired (or any refused) token');
});

test('a failing token endpoint is retried with backoff, and the client recovers', async (t) => {
  const server = await startServer({ lifetime: 3 });
  const { page, close } = await openPage(server);
  t.after(async () => { await close(); await server.close(); });
  server.failTokens(2000);
  const result = await page.evaluate(async ({ api, options }) => {
    const client = window.nf.createNotiflowsClient({ ...options, fetchToken: window.nf.tokenFromEndpoint('/notiflows-token'), baseUrl: api });
    const outcomes = [];
    // 6 s of requests: the 2 s outage plus up to 1 s of backoff leave a margin for slow starts.
    for (let i = 0; i < 60; i += 1) {
      try {
        await client.fetch('/v1/me');
        outcomes.push('ok');
      } catch (e) {
        outcomes.push(e.name);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    client.stop();
    return { outcomes, refreshes: client.refreshCount };
  }, { api: server.api, options: { ...SHORT, backoffInitialSeconds: 0.1, backoffMaxSeconds: 1 } });
  const { tokenCalls, tokenFailures } = server.stats;
  // While the endpoint was down, requests failed fast with TokenEndpointError, each without a
  // call of its own: only the backoff schedule called the endpoint.
  assert.ok(result.outcomes.includes('TokenEndpointError'));
  assert.ok(tokenFailures >= 3 && tokenFailures <= 7, `failed calls in 2 s: ${tokenFailures}`);
  const gaps = tokenCalls.slice(0, tokenFailures + 1).map((at, i, all) => (i ? at - all[i - 1] : null)).slice(1);
  assert.ok(gaps[gaps.length - 1] > 2 * gaps[0], `the delays grow: ${gaps.join(', ')} ms`);
  // Recovered: the last requests all succeed.
  assert.deepEqual(result.outcomes.slice(-8), Array(8).fill('ok'));
  assert.equal(result.outcomes.lastIndexOf('TokenEndpointError') < result.outcomes.indexOf('ok'), true);
});

test('a refresh that fails while the token is still good: requests keep succeeding', async (t) => {
  const server = await startServer({ lifetime: 6 });
  const { page, close } = await openPage(server);
  t.after(async () => { await close(); await server.close(); });
  // The endpoint is down from 2.5 s to 4 s: across the first refresh (at 2.75 to 3 s), while
  // the first token lasts (at least 5 s). Backoff up to 0.5 s: a new token before it ends.
  const outage = setTimeout(() => server.failTokens(1500), 2500);
  t.after(() => clearTimeout(outage));
  const options = { ...SHORT, refreshMarginSeconds: 3, backoffInitialSeconds: 0.1, backoffMaxSeconds: 0.5 };
  const { outcomes } = await run(page, server.api, options, { requests: 60, everyMs: 100 });
  assert.deepEqual(outcomes.filter((o) => o !== 'ok'), []);
  assert.ok(server.stats.tokenFailures >= 2, `failed refreshes: ${server.stats.tokenFailures}`);
  assert.deepEqual(server.stats.codes, [], 'the server never saw an expired token');
});

test('a burst of 100 concurrent requests at expiry makes exactly one refresh', async (t) => {
  // The refreshed token lives long enough for the 200 requests to finish on a busy machine.
  const server = await startServer({ lifetime: 2, laterLifetime: 60 });
  const { page, close } = await openPage(server);
  t.after(async () => { await close(); await server.close(); });
  const result = await page.evaluate(async ({ api, apiKey }) => {
    // autoRefresh off: nothing refreshes ahead of exp, so the burst meets the expiry itself.
    const client = window.nf.createNotiflowsClient({ apiKey, autoRefresh: false, fetchToken: window.nf.tokenFromEndpoint('/notiflows-token'), baseUrl: api });
    await (await client.fetch('/v1/me')).json();
    const before = client.refreshCount;
    await new Promise((r) => setTimeout(r, 2600));
    const results = await Promise.allSettled(Array.from({ length: 100 }, () => client.fetch('/v1/me').then((r) => r.status)));
    client.stop();
    return { before, after: client.refreshCount, statuses: results.map((r) => (r.status === 'fulfilled' ? r.value : r.reason.code)) };
  }, { api: server.api, apiKey: API_KEY });
  assert.equal(result.before, 1);
  assert.equal(result.after, 2, 'one refresh for the whole burst');
  assert.deepEqual(result.statuses, Array(100).fill(200));
  assert.equal(server.stats.tokenCalls.length, 2);
  assert.ok(server.stats.codes.includes('token_expired'), 'the burst did meet the expiry');
});

test('server clocks ahead of (or behind) the browser do not make it loop', async (t) => {
  await t.test('token endpoint and API 60 s ahead: refreshes on schedule', async () => {
    const server = await startServer({ lifetime: 3, apiSkew: 60, tokenSkew: 60 });
    const { page, close } = await openPage(server);
    try {
      const result = await run(page, server.api, SHORT, { requests: 40, everyMs: 100 });
      assert.deepEqual(result.outcomes.filter((o) => o !== 'ok'), []);
      assertSchedule(result, 1.25, 1.5);
    } finally {
      await close();
      await server.close();
    }
  });
  await t.test('token endpoint 60 s behind: tokens that look expired on arrival', async () => {
    const server = await startServer({ lifetime: 3, apiSkew: -60, tokenSkew: -60 });
    const { page, close } = await openPage(server);
    try {
      const result = await run(page, server.api, SHORT, { requests: 40, everyMs: 100 });
      assert.deepEqual(result.outcomes.filter((o) => o !== 'ok'), []);
      assertSchedule(result, 1.25, 1.5);
    } finally {
      await close();
      await server.close();
    }
  });
  await t.test('a margin longer than the token: the minimum interval bounds the refreshes', async () => {
    const server = await startServer({ lifetime: 3 });
    const { page, close } = await openPage(server);
    try {
      const options = { ...SHORT, refreshMarginSeconds: 30, minRefreshIntervalSeconds: 1 };
      const result = await run(page, server.api, options, { requests: 40, everyMs: 100 });
      assert.deepEqual(result.outcomes.filter((o) => o !== 'ok'), []);
      // Every token is inside the margin on arrival: one refresh a second, never more.
      assertSchedule(result, 1, 1.5);
    } finally {
      await close();
      await server.close();
    }
  });
  await t.test('API 60 s ahead of the token endpoint: refresh once, retry once, surface token_expired', async () => {
    const server = await startServer({ lifetime: 3, apiSkew: 60 });
    const { page, close } = await openPage(server);
    try {
      const { outcomes, refreshes } = await run(page, server.api, { ...SHORT, autoRefresh: false }, { requests: 5, everyMs: 200 });
      assert.deepEqual(outcomes, Array(5).fill('NotiflowsAuthError:token_expired'));
      // The first token, then one refresh per refused request: no loop.
      assert.equal(refreshes, 6);
      assert.equal(server.stats.statuses.length, 10, 'each request sent twice, no more');
    } finally {
      await close();
      await server.close();
    }
  });
});

test('refusals surface with their code; odd payloads never loop', async (t) => {
  const server = await startServer({ lifetime: 3 });
  const { page, close } = await openPage(server);
  t.after(async () => { await close(); await server.close(); });
  const result = await page.evaluate(async ({ api, apiKey }) => {
    const outcome = async (client, url) => {
      try {
        const res = await client.fetch(url);
        return `HTTP ${res.status}`;
      } catch (e) {
        return { name: e.name, code: e.code, status: e.status, message: e.message };
      }
    };
    const fetchToken = window.nf.tokenFromEndpoint('/notiflows-token');
    const wrongKey = window.nf.createNotiflowsClient({ apiKey: 'pk_unknown', fetchToken, baseUrl: api, autoRefresh: false });
    const client = window.nf.createNotiflowsClient({ apiKey, fetchToken, autoRefresh: false });
    const out = {
      wrongKey: await outcome(wrongKey, '/v1/me'),
      wrongKeyRefreshes: wrongKey.refreshCount,
      text: await outcome(client, '/odd/text'),
      shape: await outcome(client, '/odd/shape'),
      afterOdd: client.refreshCount,
      always: await outcome(client, '/odd/always-expired'),
      afterAlways: client.refreshCount,
    };
    return out;
  }, { api: server.api, apiKey: API_KEY });
  assert.equal(result.wrongKey.name, 'NotiflowsAuthError');
  assert.equal(result.wrongKey.code, 'api_key_invalid');
  assert.equal(result.wrongKey.status, 401);
  assert.equal(result.wrongKeyRefreshes, 1, 'no refresh for a refusal other than token_expired');
  assert.deepEqual([result.text.code, result.text.status], [null, 401]);
  assert.deepEqual([result.shape.code, result.shape.status], [null, 401]);
  assert.equal(result.afterOdd, 1, 'non-JSON and changed-shape payloads: no refresh');
  assert.deepEqual([result.always.code, result.always.message], ['token_expired', 'still expired']);
  assert.equal(result.afterAlways, 2, 'token_expired: one refresh');
  assert.equal(server.stats.odd, 4, 'text once, shape once, always-expired twice (one retry)');
});

test("the Express example's page signs in through the token endpoint and calls the API", async (t) => {
  const server = await start('express');
  const context = await browser.newContext();
  t.after(async () => { await context.close(); await server.close(); });
  await context.addCookies([{ name: 'demo_user', value: 'erin', url: server.base }]);
  const page = await context.newPage();
  await page.goto(`${server.base}/`);
  await page.waitForFunction(() => document.getElementById('out').textContent !== '...');
  const me = JSON.parse(await page.textContent('#out'));
  assert.deepEqual([me.userId, me.project, me.mode], ['erin', API_KEY, 'secure']);
});
