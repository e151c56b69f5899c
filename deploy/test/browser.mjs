// Headless Chromium (Debian's /usr/bin/chromium) loads a page from an allowed origin and
// calls the User API through NGINX and the gate with fetch and the Notiflows headers; then a
// page on a disallowed origin, an expired token, and a key rotation through the admin API.
// Run by gateways.py, which passes the setup as JSON in NOTIFLOWS_BROWSER_TEST.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const setup = JSON.parse(process.env.NOTIFLOWS_BROWSER_TEST);
const profile = mkdtempSync(join(tmpdir(), 'notiflows-chromium-'));
// A fresh profile directory each run (playwright passes it as --user-data-dir).
const browser = await chromium.launchPersistentContext(profile, {
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: [
    '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--disable-quic',
  ],
  timeout: 30_000,
});
const steps = [];
const step = async (name, run) => {
  await run();
  steps.push(name);
  console.log(`  browser: ${name}`);
};
const preflights = async () => {
  const text = await (await fetch(`${setup.gate}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('notiflows_gate_decisions_total{code="preflight"'));
  return line ? Number(line.split(' ').pop()) : 0;
};

try {
  const page = await browser.newPage();
  const api = `${setup.nginx}/api/inbox`;
  const secure = (token) => ({ 'x-notiflows-api-key': setup.apiKey, 'x-notiflows-user-key': token });

  await step('allowed origin: the preflight passes, the call succeeds, the page shows the user', async () => {
    await page.goto(`${setup.pageOk}/page.html`);
    const before = await preflights();
    const answer = await page.evaluate(([url, headers]) => window.callApi(url, headers), [api, secure(setup.token)]);
    assert.equal(answer.status, 200, JSON.stringify(answer));
    assert.equal(await page.textContent('#user'), 'user-42');
    const seen = Object.fromEntries(answer.body.headers);
    assert.equal(seen['x-notiflows-user-key'], undefined, 'the user key never reaches the upstream');
    assert.equal(await preflights(), before + 1, 'the browser sent a preflight and the gate answered it');
  });

  await step('an expired token: the page reads 401 and token_expired', async () => {
    const answer = await page.evaluate(([url, headers]) => window.callApi(url, headers), [api, secure(setup.expired)]);
    assert.deepEqual([answer.status, answer.body.code], [401, 'token_expired'], JSON.stringify(answer));
  });

  await step('a rotation through the admin API: the old token reads key_unknown (its kid names the old key)', async () => {
    const rotated = await fetch(`${setup.admin}/admin/v1/projects/${setup.apiKey}/signing-key`, {
      method: 'POST', headers: { authorization: `Bearer ${setup.adminToken}` },
    });
    assert.equal(rotated.status, 201);
    const answer = await page.evaluate(([url, headers]) => window.callApi(url, headers), [api, secure(setup.token)]);
    assert.deepEqual([answer.status, answer.body.code], [401, 'key_unknown'], JSON.stringify(answer));
  });

  await step('a page on a disallowed origin: the browser blocks the call', async () => {
    const other = await browser.newPage();
    await other.goto(`${setup.pageBad}/page.html`);
    const answer = await other.evaluate(([url, headers]) => window.callApi(url, headers),
      [api, { 'x-notiflows-api-key': setup.devKey, 'x-notiflows-user-id': 'mallory' }]);
    assert.equal(answer.blocked, true, JSON.stringify(answer));
    assert.equal(await other.textContent('#user'), 'nobody');
  });
  console.log(`browser: ${steps.length} steps passed`);
} finally {
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
}
