'use strict';

// The per-call paths of issue 15: verify and authenticate reuse memory held by the object
// (lib/calls.js). Inputs that do not fit it (a token over 16 KiB, headers over the scratch
// memory) take the copying path; both must give the library's answer unchanged.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { SigningKey, Verifier, Authenticator, TokenError, RequestAuthError } = require('..');

const dir = path.join(__dirname, '..', '..', 'testdata', 'vectors', 'jwt-cases');
const corpusPrivate = fs.readFileSync(path.join(dir, 'rsa_private_pkcs8.pem'), 'utf8');
const corpusPublic = fs.readFileSync(path.join(dir, 'rsa_public_spki.pem'), 'utf8');
const NOW = 1700000000;

function code(fn) {
  try {
    fn();
  } catch (e) {
    return e.code;
  }
  return 'ok';
}

test('verify: every call reads its own outputs from the reused buffer', () => {
  const key = new SigningKey(corpusPrivate);
  const v = new Verifier(corpusPublic, { cacheSize: 8 });
  const long = 'u'.repeat(2048);
  const tokens = [
    [key.sign('alice', { now: NOW, expiresInSeconds: 100 }), { sub: 'alice', iat: NOW, exp: NOW + 100 }],
    [key.sign(long, { now: NOW - 5, expiresInSeconds: null }), { sub: long, iat: NOW - 5 }],
    [key.sign('caf\u00e9 \u{1F600}', { now: NOW }), { sub: 'caf\u00e9 \u{1F600}', iat: NOW, exp: NOW + 3600 }],
  ];
  // Interleaved, twice (cold, then cache hits): no answer carries over into the next.
  for (let round = 0; round < 2; round++) {
    for (const [token, claims] of tokens) {
      assert.deepEqual(v.verify(token, { now: NOW }), claims);
      assert.deepEqual(v.verify(Buffer.from(token), { now: NOW }), claims);
      assert.deepEqual(v.verify(new Uint8Array(Buffer.from(token)), { now: NOW }), claims);
    }
  }
  // A refusal between two successes leaves the next answer whole.
  assert.throws(() => v.verify('a.b.c'), TokenError);
  assert.deepEqual(v.verify(tokens[0][0], { now: NOW }), tokens[0][1]);
  // Empty tokens, as a string and as bytes, are the library's token_malformed.
  assert.equal(code(() => v.verify('')), 'token_malformed');
  assert.equal(code(() => v.verify(Buffer.alloc(0))), 'token_malformed');
  // A token longer than the held buffer (16 KiB) goes whole to the library, which refuses it
  // by its size, and so does a non-ASCII one whose UTF-8 form only just overflows.
  assert.equal(code(() => v.verify('a'.repeat(20000))), 'token_too_large');
  assert.equal(code(() => v.verify('\u00e9'.repeat(8193))), 'token_too_large');
  assert.equal(code(() => v.verify('\u00e9'.repeat(8192))), 'token_too_large');
  assert.throws(() => v.verify(42), TypeError);
  v.close();
  key.close();
});

test('authenticate: the scratch path and the copying path give the same answers', () => {
  const key = new SigningKey(corpusPrivate);
  const token = key.sign('alice', { now: NOW });
  const a = new Authenticator({ cacheSize: 16 });
  a.addProject({ apiKey: 'pk', signingPublicKey: corpusPublic, allowedOrigins: ['https://app.example.com'] });
  a.addProject({ apiKey: 'pk_dev', securityMode: 'development' });
  const base = { 'x-notiflows-api-key': 'pk', 'x-notiflows-user-key': token, origin: 'https://app.example.com' };
  const expected = { userId: 'alice', mode: 'secure', credential: 'user_key', expiresAt: NOW + 3600 };
  // Fits the scratch memory.
  assert.deepEqual(a.authenticate(base, { now: NOW }), expected);
  // Too many headers for it (200), and one too long for it (a 40 KB cookie): copied.
  const many = {};
  for (let i = 0; i < 200; i++) many[`x-extra-${i}`] = String(i);
  assert.deepEqual(a.authenticate({ ...many, ...base }, { now: NOW }), expected);
  assert.deepEqual(a.authenticate({ ...base, cookie: 'c'.repeat(40000) }, { now: NOW }), expected);
  // The same refusals on both paths, a repeated header among them.
  for (const extra of [{}, many, { cookie: 'c'.repeat(40000) }]) {
    assert.equal(code(() => a.authenticate({ ...extra, ...base, origin: 'https://evil.test' }, { now: NOW })), 'origin_not_allowed');
    assert.equal(code(() => a.authenticate({ ...extra, ...base, 'x-notiflows-api-key': ['pk', 'pk'] }, { now: NOW })), 'api_key_invalid');
    assert.equal(code(() => a.authenticate({ ...extra, 'x-notiflows-api-key': 'pk_dev' })), 'user_id_missing');
    assert.equal(a.authenticate({ ...extra, 'x-notiflows-api-key': 'pk_dev', 'x-notiflows-user-id': 'bob' }).userId, 'bob');
  }
  // Development Mode answers carry no expiry; the Secure Mode answer after them has its own.
  assert.deepEqual(a.authenticate({ 'x-notiflows-api-key': 'pk_dev', 'x-notiflows-user-id': 'bob' }), {
    userId: 'bob',
    mode: 'development',
    credential: 'user_id',
  });
  assert.deepEqual(a.authenticate(base, { now: NOW }), expected);
  // Byte strings (Node's http) and UTF-8 strings, ASCII or not, in names and values.
  const utf8 = 'caf\u00e9 \u{1F600}';
  const latin1 = Buffer.from(utf8, 'utf8').toString('latin1');
  for (const id of [utf8, latin1]) {
    assert.equal(a.authenticate({ 'x-notiflows-api-key': 'pk_dev', 'x-notiflows-user-id': id, 'x-\u00e9': '\u{1F600}' }).userId, utf8);
  }
  // Headers from a fetch Headers object, pairs, and null or undefined values skipped.
  assert.equal(a.authenticate(new Headers({ 'x-notiflows-api-key': 'pk_dev', 'x-notiflows-user-id': 'h' })).userId, 'h');
  assert.equal(a.authenticate({ 'x-notiflows-api-key': 'pk_dev', 'x-notiflows-user-id': 'n', origin: undefined, x: null }).userId, 'n');
  assert.equal(code(() => a.authenticate(undefined)), 'api_key_missing');
  assert.throws(() => a.authenticate({ 'x-notiflows-api-key': 'pk_dev', 'x-notiflows-user-id': '' }), RequestAuthError);
  a.close();
  a.close();
  key.close();
});

test('authenticate: a non-ASCII value cut short by the scratch memory is not mistaken for ASCII', () => {
  const a = new Authenticator({ cacheSize: 0 });
  a.addProject({ apiKey: 'pk_dev', securityMode: 'development' });
  // The user id is 12 characters, 14 bytes of UTF-8. An ASCII pad leaves exactly 12 bytes of
  // the 32 KiB scratch memory for it, then 11, 13 and 14: a cut write must not pass as whole.
  const id = '\u{1F600}' + 'a'.repeat(10);
  const used = 'x-pad'.length + 'x-notiflows-api-key'.length + 'pk_dev'.length + 'x-notiflows-user-id'.length;
  for (const room of [11, 12, 13, 14, 15]) {
    const pad = 'p'.repeat(32 * 1024 - used - room);
    assert.equal(a.authenticate({ 'x-pad': pad, 'x-notiflows-api-key': 'pk_dev', 'x-notiflows-user-id': id }).userId, id);
  }
  a.close();
});
