'use strict';

// Every export of the package, with its error paths.

const test = require('node:test');
const assert = require('node:assert/strict');
const util = require('node:util');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const auth = require('..');
const { c } = require('../lib/native');

const {
  signUserToken,
  generateSigningKey,
  SigningKey,
  PublicKey,
  Verifier,
  Authenticator,
  NotiflowsAuthError,
  TokenError,
  SigningKeyError,
  RequestAuthError,
  ConfigError,
  ERROR_CODES,
} = auth;

const dir = path.join(__dirname, '..', '..', 'testdata', 'vectors', 'jwt-cases');
const corpusPrivate = fs.readFileSync(path.join(dir, 'rsa_private_pkcs8.pem'), 'utf8');
const corpusPublic = fs.readFileSync(path.join(dir, 'rsa_public_spki.pem'), 'utf8');
const corpusPkcs1 = fs.readFileSync(path.join(dir, 'rsa_public_pkcs1.pem'), 'utf8');
const corpusDer = fs.readFileSync(path.join(dir, 'rsa_public_spki.der'));
const NOW = 1700000000;

/** Asserts that `fn` throws a NotiflowsAuthError of class `Cls` with `code` (and `claim`). */
function throwsCode(fn, Cls, code, claim) {
  assert.throws(fn, (e) => {
    assert.ok(e instanceof Cls, `${e.name} is not a ${Cls.name}: ${e.message}`);
    assert.ok(e instanceof NotiflowsAuthError);
    assert.equal(e.code, code, e.message);
    assert.equal(e.status, c.error_http_status(ERROR_CODES[code]));
    if (claim !== undefined) assert.equal(e.claim, claim);
    return true;
  });
}

test('exports', () => {
  assert.equal(auth.version, '0.1.0');
  assert.ok(fs.existsSync(auth.libraryPath));
  for (const name of ['signUserToken', 'generateSigningKey']) assert.equal(typeof auth[name], 'function');
  for (const Cls of [SigningKey, PublicKey, Verifier, Authenticator]) assert.equal(typeof Cls.prototype.close, 'function');
});

test('ERROR_CODES is the library\'s code set, with its numbers and statuses', () => {
  const library = {};
  for (let n = 0; n < 1000; n++) {
    const code = c.error_code_string(n);
    if (code) library[code] = n;
  }
  assert.deepEqual({ ...ERROR_CODES }, library);
  assert.ok(Object.isFrozen(ERROR_CODES));
  const families = [TokenError, SigningKeyError, RequestAuthError, ConfigError].flatMap((cls) => cls.codes);
  assert.deepEqual(families.sort(), Object.keys(ERROR_CODES).filter((k) => ERROR_CODES[k] < 100).sort());
});

test('NotiflowsAuthError', () => {
  const e = new TokenError('token_expired', 401, 'the user token has expired (claim `exp`)', 'exp');
  assert.equal(e.name, 'TokenError');
  assert.deepEqual(JSON.parse(JSON.stringify(e)), { code: 'token_expired', message: e.message });
  assert.equal(new NotiflowsAuthError('panic', 500, 'x').claim, null);
});

test('generateSigningKey', () => {
  const pair = generateSigningKey();
  assert.deepEqual(Object.keys(pair), ['privateKeyPem', 'privateKeyBase64', 'publicKeyPem']);
  assert.match(pair.privateKeyPem, /^-----BEGIN PRIVATE KEY-----\n/);
  assert.match(pair.privateKeyBase64, /^LS0tLS1CRUdJTi[A-Za-z0-9+/=]+$/);
  assert.equal(Buffer.from(pair.privateKeyBase64, 'base64').toString(), pair.privateKeyPem);
  assert.match(pair.publicKeyPem, /^-----BEGIN PUBLIC KEY-----\n/);
  assert.equal(new PublicKey(pair.publicKeyPem).bits, 2048);
  const big = generateSigningKey({ bits: 3072 });
  assert.equal(new PublicKey(big.publicKeyPem).bits, 3072);
  throwsCode(() => generateSigningKey({ bits: 1024 }), SigningKeyError, 'key_unsupported');
  // The private forms never show in logs: inspect and toString redact them.
  for (const shown of [util.inspect(pair), String(pair), `${pair}`]) {
    assert.ok(!shown.includes(pair.privateKeyBase64) && !shown.includes('BEGIN PRIVATE KEY'), shown);
    assert.match(shown, /<redacted>/);
  }
  assert.match(util.inspect(pair), /BEGIN PUBLIC KEY/);
  assert.throws(() => generateSigningKey({ bits: -1 }), TypeError);
});

test('PublicKey', () => {
  const spki = new PublicKey(corpusPublic);
  assert.equal(spki.bits, 2048);
  assert.equal(spki.toPem(), corpusPublic.replace(/\r\n/g, '\n'));
  assert.equal(new PublicKey(corpusPkcs1).toPem(), spki.toPem());
  assert.equal(new PublicKey(corpusDer).toPem(), spki.toPem());
  assert.equal(new PublicKey(Buffer.from(corpusPublic).toString('base64')).toPem(), spki.toPem());
  assert.equal(new PublicKey(new Uint8Array(corpusDer)).toPem(), spki.toPem());
  throwsCode(() => new PublicKey('nope'), SigningKeyError, 'key_invalid');
  throwsCode(() => new PublicKey(corpusPrivate), SigningKeyError, 'key_invalid');
  assert.throws(() => new PublicKey(42), TypeError);
  spki.close();
  assert.ok(spki.closed);
  throwsCode(() => spki.toPem(), NotiflowsAuthError, 'null_argument');
  throwsCode(() => spki.bits, NotiflowsAuthError, 'null_argument');
  spki.close();
});

test('SigningKey', () => {
  const key = new SigningKey(corpusPrivate);
  assert.equal(key.publicKeyPem, new PublicKey(corpusPublic).toPem());
  const pub = key.publicKey();
  assert.ok(pub instanceof PublicKey);
  assert.equal(pub.bits, 2048);
  pub.close();
  const token = key.sign('alice', { now: NOW, kid: 'k1' });
  const [header, payload] = token.split('.').map((s) => Buffer.from(s, 'base64url').toString());
  assert.equal(header, '{"alg":"RS256","typ":"JWT","kid":"k1"}');
  assert.equal(payload, `{"sub":"alice","iat":${NOW},"exp":${NOW + 3600}}`);
  assert.equal(key.sign('alice', { now: NOW, kid: 'k1' }), token, 'deterministic');
  assert.equal(key.sign('alice', { now: new Date(NOW * 1000 + 999), kid: 'k1' }), token, 'a Date, whole seconds');
  const noExp = key.sign('bob', { now: NOW, expiresInSeconds: null });
  assert.equal(Buffer.from(noExp.split('.')[1], 'base64url').toString(), `{"sub":"bob","iat":${NOW}}`);
  const short = key.sign('bob', { now: NOW, expiresInSeconds: 5 });
  assert.match(Buffer.from(short.split('.')[1], 'base64url').toString(), new RegExp(`"exp":${NOW + 5}}$`));
  const long = 'x'.repeat(2048);
  assert.equal(new Verifier(corpusPublic).verify(key.sign(long), {}).sub, long);
  throwsCode(() => key.sign(''), TokenError, 'claim_invalid', 'sub');
  throwsCode(() => key.sign('x'.repeat(2049)), TokenError, 'claim_invalid', 'sub');
  throwsCode(() => key.sign('x', { now: Number.MAX_SAFE_INTEGER * 1024 }), TokenError, 'claim_invalid', 'exp');
  assert.throws(() => key.sign(42), TypeError);
  assert.throws(() => key.sign('x', { expiresInSeconds: -1 }), TypeError);
  assert.throws(() => key.sign('x', { now: NaN }), TypeError);
  throwsCode(() => new SigningKey(corpusPublic), SigningKeyError, 'key_invalid');
  throwsCode(() => new SigningKey(''), SigningKeyError, 'key_invalid');
  assert.ok(new SigningKey(Buffer.from(corpusPrivate).toString('base64')).sign('x'));
  assert.ok(new SigningKey(corpusPrivate.replace(/\n/g, '\\n')).sign('x'), 'literal \\n from env files');
  key.close();
  throwsCode(() => key.sign('x'), NotiflowsAuthError, 'null_argument');
});

test('signUserToken', () => {
  const verifier = new Verifier(corpusPublic);
  const token = signUserToken('user-1', { signingKey: corpusPrivate, now: NOW });
  assert.deepEqual(verifier.verify(token, { now: NOW }), { sub: 'user-1', iat: NOW, exp: NOW + 3600 });
  // The current time by default.
  const now = Math.floor(Date.now() / 1000);
  const claims = verifier.verify(signUserToken('user-2', { signingKey: corpusPrivate }));
  assert.ok(Math.abs(claims.iat - now) <= 5 && claims.exp === claims.iat + 3600);
  // A SigningKey, and the key from the environment in either format.
  const key = new SigningKey(corpusPrivate);
  assert.equal(signUserToken('user-1', { signingKey: key, now: NOW }), token);
  const saved = process.env.NOTIFLOWS_SIGNING_KEY;
  try {
    process.env.NOTIFLOWS_SIGNING_KEY = Buffer.from(corpusPrivate).toString('base64');
    assert.equal(signUserToken('user-1', { now: NOW }), token);
    process.env.NOTIFLOWS_SIGNING_KEY = corpusPrivate;
    assert.equal(signUserToken('user-1', { now: NOW }), token);
    delete process.env.NOTIFLOWS_SIGNING_KEY;
    throwsCode(() => signUserToken('user-1'), SigningKeyError, 'signing_key_not_configured');
  } finally {
    if (saved === undefined) delete process.env.NOTIFLOWS_SIGNING_KEY;
    else process.env.NOTIFLOWS_SIGNING_KEY = saved;
  }
  throwsCode(() => signUserToken('x', { signingKey: 'garbage' }), SigningKeyError, 'key_invalid');
  assert.equal(signUserToken('k', { signingKey: corpusPrivate, now: NOW, kid: 'v2' }).split('.')[0], Buffer.from('{"alg":"RS256","typ":"JWT","kid":"v2"}').toString('base64url'));
  key.close();
  verifier.close();
});

test('Verifier', () => {
  const key = new SigningKey(corpusPrivate);
  const token = key.sign('alice', { now: NOW, expiresInSeconds: 100 });
  const v = new Verifier(new PublicKey(corpusPublic));
  assert.deepEqual(v.verify(token, { now: NOW }), { sub: 'alice', iat: NOW, exp: NOW + 100 });
  assert.deepEqual(v.verify(Buffer.from(token), { now: new Date((NOW + 99) * 1000) }).sub, 'alice');
  throwsCode(() => v.verify(token, { now: NOW + 100 }), TokenError, 'token_expired', 'exp');
  throwsCode(() => v.verify(token, { now: NOW - 61 }), TokenError, 'token_issued_in_future', 'iat');
  throwsCode(() => v.verify('a.b'), TokenError, 'token_malformed');
  throwsCode(() => v.verify(token.slice(0, -2) + (token.endsWith('AA') ? 'BA' : 'AA'), { now: NOW }), TokenError, 'signature_invalid');
  // Policy options.
  const strict = new Verifier(corpusPublic, { leewaySeconds: 10, requireExp: true, maxLifetimeSeconds: 50, iatSkewSeconds: 0 });
  // One meaning per value, the core's: a lifetime of 0 is refused (not "no limit"); null is none.
  throwsCode(() => new Verifier(corpusPublic, { maxLifetimeSeconds: 0 }), ConfigError, 'config_invalid');
  new Verifier(corpusPublic, { maxLifetimeSeconds: null }).close();
  // A token that would expire as it is issued is refused.
  throwsCode(() => key.sign('a', { now: NOW, expiresInSeconds: 0 }), TokenError, 'claim_invalid', 'exp');
  throwsCode(() => strict.verify(token, { now: NOW }), TokenError, 'claim_invalid', 'exp');
  throwsCode(() => strict.verify(key.sign('a', { now: NOW, expiresInSeconds: null }), { now: NOW }), TokenError, 'claim_missing', 'exp');
  const short = key.sign('a', { now: NOW, expiresInSeconds: 20 });
  assert.equal(strict.verify(short, { now: NOW + 29 }).sub, 'a');
  throwsCode(() => strict.verify(short, { now: NOW + 30 }), TokenError, 'token_expired');
  throwsCode(() => strict.verify(short, { now: NOW - 1 }), TokenError, 'token_issued_in_future');
  throwsCode(() => new Verifier(corpusPublic, { maxTokenBytes: 100 }).verify(token), TokenError, 'token_too_large');
  throwsCode(() => new Verifier(corpusPublic, { maxTokenBytes: 16385 }), ConfigError, 'config_invalid');
  throwsCode(() => new Verifier(corpusPublic, { maxTokenBytes: 0 }), ConfigError, 'config_invalid');
  throwsCode(() => new Verifier('nope'), SigningKeyError, 'key_invalid');
  assert.throws(() => new Verifier(corpusPublic, { cacheSize: -1 }), TypeError);
  // The cache: a hit re-checks the times.
  const cached = new Verifier(corpusPublic, { cacheSize: 4 });
  for (let i = 0; i < 3; i++) assert.equal(cached.verify(token, { now: NOW }).sub, 'alice');
  throwsCode(() => cached.verify(token, { now: NOW + 100 }), TokenError, 'token_expired');
  // Fractional dates (a token made with node:crypto).
  const input = ['{"alg":"RS256"}', '{"sub":"f","exp":1700000000.5,"nbf":1.7e9,"iat":1699999999.25}']
    .map((part) => Buffer.from(part).toString('base64url'))
    .join('.');
  const signature = crypto.sign('sha256', Buffer.from(input), corpusPrivate).toString('base64url');
  assert.deepEqual(v.verify(`${input}.${signature}`, { now: NOW }), { sub: 'f', iat: 1699999999.25, exp: 1700000000.5, nbf: NOW });
  throwsCode(() => v.verify(`${input}.${signature}`, { now: NOW + 1 }), TokenError, 'token_expired');
  for (const verifier of [v, strict, cached]) verifier.close();
  throwsCode(() => v.verify(token), NotiflowsAuthError, 'null_argument');
  key.close();
});

test('Authenticator', () => {
  const key = new SigningKey(corpusPrivate);
  const token = key.sign('alice', { now: NOW });
  const a = new Authenticator({ cacheSize: 100 });
  a.addProject({ apiKey: 'pk_secure', signingPublicKey: corpusPublic, allowedOrigins: ['https://app.example.com'] });
  a.addProject({ apiKey: 'pk_dev', securityMode: 'development' });
  const headers = (apiKey, extra = {}) => ({ 'x-notiflows-api-key': apiKey, ...extra });

  // Secure Mode, with the origin from the headers (the library reads it).
  assert.deepEqual(
    a.authenticate(headers('pk_secure', { 'x-notiflows-user-key': token, origin: 'https://app.example.com' }), { now: NOW }),
    { userId: 'alice', mode: 'secure', credential: 'user_key', expiresAt: NOW + 3600 },
  );
  throwsCode(
    () => a.authenticate(headers('pk_secure', { 'x-notiflows-user-key': token, origin: 'https://evil.test' }), { now: NOW }),
    RequestAuthError,
    'origin_not_allowed',
  );
  // No binding-side Origin: an origin option is refused, and two Origin headers (both
  // allowed) are refused by the library, not resolved by taking the first.
  assert.throws(() => a.authenticate(headers('pk_secure'), { origin: null }), TypeError);
  throwsCode(
    () => a.authenticate([['x-notiflows-api-key', 'pk_secure'], ['x-notiflows-user-key', token], ['Origin', 'https://app.example.com'], ['origin', 'https://app.example.com']], { now: NOW }),
    RequestAuthError,
    'origin_not_allowed',
  );
  throwsCode(
    () => a.authenticate(headers('pk_secure', { 'x-notiflows-user-key': token, origin: ['https://app.example.com', 'https://evil.test'] }), { now: NOW }),
    RequestAuthError,
    'origin_not_allowed',
  );
  // Whitespace around a value is not part of it (the library drops it).
  assert.equal(a.authenticate(headers(' pk_secure ', { 'x-notiflows-user-key': `${token} ` }), { now: NOW }).userId, 'alice');
  throwsCode(() => a.authenticate(headers('pk_secure', { 'x-notiflows-user-id': 'bob' })), RequestAuthError, 'user_key_missing');
  throwsCode(
    () => a.authenticate(headers('pk_secure', { 'x-notiflows-user-key': token, origin: '' }), { now: NOW }),
    RequestAuthError,
    'origin_not_allowed',
  );
  throwsCode(() => a.authenticate({}), RequestAuthError, 'api_key_missing');
  throwsCode(() => a.authenticate(headers('pk_nope')), RequestAuthError, 'api_key_invalid');
  throwsCode(() => a.authenticate(headers('pk_secure', { 'x-notiflows-user-key': token }), { now: NOW + 3600 }), TokenError, 'token_expired');

  // Development Mode; header pairs and arrays; repeated headers.
  assert.deepEqual(a.authenticate([['X-Notiflows-Api-Key', 'pk_dev'], ['X-Notiflows-User-Id', 'bob']]), {
    userId: 'bob',
    mode: 'development',
    credential: 'user_id',
  });
  assert.equal(a.authenticate(new Map([['x-notiflows-api-key', 'pk_dev'], ['x-notiflows-user-id', 'carol']])).userId, 'carol');
  // Node delivers header bytes as latin1 characters: a UTF-8 user id comes back whole.
  const raw = Buffer.from('caf\u00e9 \u{1F600}', 'utf8').toString('latin1');
  assert.equal(a.authenticate(headers('pk_dev', { 'x-notiflows-user-id': raw })).userId, 'caf\u00e9 \u{1F600}');
  assert.equal(a.authenticate(headers('pk_dev', { 'x-notiflows-user-id': '\u{1F600}' })).userId, '\u{1F600}');
  throwsCode(() => a.authenticate(headers('pk_dev', { 'x-notiflows-user-id': ['a', 'b'] })), RequestAuthError, 'user_id_invalid');
  throwsCode(() => a.authenticate(headers('pk_dev')), RequestAuthError, 'user_id_missing');
  throwsCode(() => a.authenticate(headers('pk_dev', { 'x-notiflows-user-key': token })), SigningKeyError, 'signing_key_not_configured');

  // Configuration.
  throwsCode(() => a.addProject({ apiKey: 'bad key' }), ConfigError, 'config_invalid');
  throwsCode(() => a.addProject({ apiKey: 'pk', allowedOrigins: ['*'] }), ConfigError, 'config_invalid');
  throwsCode(() => a.addProject({ apiKey: 'pk', securityMode: 'open' }), ConfigError, 'config_invalid');
  throwsCode(() => a.setSecurityMode('pk_nope', 'secure'), RequestAuthError, 'api_key_invalid');
  a.setSecurityMode('pk_dev', 'secure');
  throwsCode(() => a.authenticate(headers('pk_dev', { 'x-notiflows-user-id': 'bob' })), SigningKeyError, 'signing_key_not_configured');
  a.setSigningKey('pk_dev', new PublicKey(corpusPublic));
  assert.equal(a.authenticate(headers('pk_dev', { 'x-notiflows-user-key': token }), { now: NOW }).userId, 'alice');
  a.setSigningKey('pk_dev', null);
  throwsCode(() => a.authenticate(headers('pk_dev', { 'x-notiflows-user-key': token }), { now: NOW }), SigningKeyError, 'signing_key_not_configured');
  a.setAllowedOrigins('pk_secure', ['http://localhost:3000']);
  assert.equal(a.authenticate(headers('pk_secure', { 'x-notiflows-user-key': token, Origin: 'http://localhost:3000' }), { now: NOW }).userId, 'alice');
  throwsCode(() => a.setAllowedOrigins('pk_secure', ['https://*']), ConfigError, 'config_invalid');

  // CORS, from the request's own headers.
  assert.deepEqual(a.corsHeaders({ origin: 'http://localhost:3000' }, { preflight: true, apiKey: 'pk_secure' }), {
    Vary: 'Origin',
    'Access-Control-Allow-Origin': 'http://localhost:3000',
    'Access-Control-Allow-Headers': 'x-notiflows-api-key, x-notiflows-user-key, x-notiflows-user-id, content-type',
    'Access-Control-Allow-Methods': 'GET, POST, PUT, PATCH, DELETE, OPTIONS',
    'Access-Control-Max-Age': '7200',
  });
  assert.deepEqual(a.corsHeaders(headers('pk_secure', { origin: 'https://evil.test' })), { Vary: 'Origin' });
  assert.deepEqual(a.corsHeaders({ origin: 'https://evil.test' }), { Vary: 'Origin', 'Access-Control-Allow-Origin': 'https://evil.test' });
  assert.deepEqual(a.corsHeaders(headers('pk_secure', { origin: ['http://localhost:3000', 'http://localhost:3000'] })), { Vary: 'Origin' });
  assert.deepEqual(a.corsHeaders({}), { Vary: 'Origin' });

  // Rotation: the old token fails at once, the new private key signs.
  const pair = a.rotateSigningKey('pk_secure');
  // The old token's kid names a key the project no longer holds.
  throwsCode(() => a.authenticate(headers('pk_secure', { 'x-notiflows-user-key': token }), { now: NOW }), TokenError, 'key_unknown');
  const fresh = signUserToken('alice', { signingKey: pair.privateKeyBase64, now: NOW });
  assert.equal(a.authenticate(headers('pk_secure', { 'x-notiflows-user-key': fresh }), { now: NOW }).userId, 'alice');
  throwsCode(() => a.rotateSigningKey('pk_nope'), RequestAuthError, 'api_key_invalid');

  assert.equal(a.removeProject('pk_dev'), true);
  assert.equal(a.removeProject('pk_dev'), false);
  a.close();
  throwsCode(() => a.authenticate(headers('pk_secure')), NotiflowsAuthError, 'null_argument');

  // A policy for every project.
  const strict = new Authenticator({ requireExp: true, cacheSize: 0 });
  strict.addProject({ apiKey: 'pk', signingPublicKey: new PublicKey(corpusPublic) });
  throwsCode(
    () => strict.authenticate(headers('pk', { 'x-notiflows-user-key': key.sign('a', { now: NOW, expiresInSeconds: null }) }), { now: NOW }),
    TokenError,
    'claim_missing',
    'exp',
  );
  strict.close();
  key.close();
});

test('handles released by the garbage collector leave nothing behind', async () => {
  for (let i = 0; i < 200; i++) {
    new Verifier(corpusPublic).verify(signUserToken('gc', { signingKey: corpusPrivate, now: NOW }), { now: NOW });
  }
  if (global.gc) global.gc();
  await new Promise((resolve) => setTimeout(resolve, 10));
});
