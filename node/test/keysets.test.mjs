// Key sets (issue 12) through the Node API: kids, rotation with an overlap (fractional
// now), removal, revocation, lifetime rules per project, the project document, and JWK
// Sets checked against jose both ways.

import test from 'node:test';
import assert from 'node:assert/strict';
import * as jose from 'jose';
import crypto from 'node:crypto';
import auth from '../index.js';

const { generateSigningKey, SigningKey, PublicKey, Authenticator, jwkSet, parseJwkSet, ERROR_CODES, ERROR_TABLE } = auth;
const NOW = 1700000000;
const pairs = [generateSigningKey(), generateSigningKey()];
const signers = pairs.map((p) => new SigningKey(p.privateKeyPem));

function code(fn) {
  try {
    fn();
    return 'ok';
  } catch (e) {
    return e.code;
  }
}

function header(token) {
  return JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString());
}

function setup(cacheSize, project = {}) {
  const a = new Authenticator({ cacheSize });
  a.addProject({ apiKey: 'pk', signingPublicKey: pairs[0].publicKeyPem, ...project });
  const check = (token, now = NOW) => code(() => a.authenticate({ 'x-notiflows-api-key': 'pk', 'x-notiflows-user-key': token }, { now }));
  return { a, check };
}

test('the new codes come from the library table', () => {
  for (const name of ['key_unknown', 'token_revoked']) {
    assert.equal(typeof ERROR_CODES[name], 'number');
    assert.equal(ERROR_TABLE.find((e) => e.code === name).status, 401);
  }
});

test('keys know their kid; tokens carry it unless told otherwise', () => {
  const key = new PublicKey(pairs[0].publicKeyPem);
  assert.match(key.kid, /^[A-Za-z0-9_-]{43}$/);
  assert.equal(signers[0].kid, key.kid);
  assert.equal(key.withKid('key-2026').kid, 'key-2026');
  assert.equal(key.kid, new PublicKey(pairs[0].publicKeyPem).kid, 'the same key, the same thumbprint');
  assert.equal(code(() => key.withKid('')), 'config_invalid');
  assert.equal(code(() => key.withKid('a b')), 'config_invalid');
  assert.equal(code(() => key.withKid('k'.repeat(129))), 'config_invalid');
  assert.equal(header(signers[0].sign('u', { now: NOW })).kid, key.kid);
  assert.equal(header(signers[0].sign('u', { now: NOW, kid: null })).kid, undefined);
  assert.equal(header(signers[0].sign('u', { now: NOW, kid: 'custom' })).kid, 'custom');
  assert.equal(header(auth.signUserToken('u', { signingKey: pairs[0].privateKeyPem, now: NOW })).kid, key.kid);
  assert.equal(code(() => signers[0].sign('u', { kid: 'bad kid' })), 'config_invalid');
  const jwk = JSON.parse(key.toJwk());
  assert.deepEqual(Object.keys(jwk).sort(), ['alg', 'e', 'kid', 'kty', 'n', 'use']);
  assert.equal(jwk.kid, key.kid);
});

test('a kid selects among the project keys; none means the active key', () => {
  for (const cacheSize of [0, 64]) {
    const { a, check } = setup(cacheSize);
    assert.equal(check(signers[0].sign('alice', { now: NOW })), 'ok', 'known kid');
    assert.equal(check(signers[0].sign('alice', { now: NOW, kid: null })), 'ok', 'no kid: the active key');
    assert.equal(check(signers[0].sign('alice', { now: NOW, kid: 'nope' })), 'key_unknown', 'unknown kid');
    assert.equal(check(signers[1].sign('alice', { now: NOW })), 'key_unknown', "another key's kid");
    assert.equal(check(signers[1].sign('alice', { now: NOW, kid: null })), 'signature_invalid');
    assert.equal(check(signers[0].sign('alice', { now: NOW, kid: 'k'.repeat(128) })), 'key_unknown');
    a.close();
  }
});

test('rotation with an overlap: the previous key verifies until the deadline, to the second', () => {
  for (const cacheSize of [0, 64]) {
    const { a, check } = setup(cacheSize);
    const old = signers[0].sign('alice', { now: NOW });
    assert.equal(check(old), 'ok');
    a.setSigningKeyWithOverlap('pk', pairs[1].publicKeyPem, { overlapSeconds: 60, now: NOW });
    const fresh = signers[1].sign('alice', { now: NOW });
    assert.equal(check(fresh), 'ok');
    assert.equal(check(old, NOW + 59), 'ok', 'before the deadline');
    assert.equal(check(old, NOW + 59.999), 'ok', 'a fraction before it (whole seconds)');
    assert.equal(check(old, NOW + 60), 'key_unknown', 'at the deadline, even from the cache');
    assert.equal(check(signers[0].sign('alice', { now: NOW, kid: null })), 'signature_invalid', 'no kid: the new active key');
    const kids = JSON.parse(a.jwks('pk')).keys.map((k) => k.kid);
    assert.deepEqual(kids, [signers[1].kid, signers[0].kid], 'active first, then retiring');
    const at = (now) => JSON.parse(a.jwksAt('pk', { now })).keys.map((k) => k.kid);
    assert.deepEqual(at(NOW + 59), [signers[1].kid, signers[0].kid]);
    assert.deepEqual(at(NOW + 60), [signers[1].kid], 'a retiring key leaves at its deadline');
    assert.equal(a.removeSigningKey('pk', signers[0].kid), true);
    assert.equal(a.removeSigningKey('pk', signers[0].kid), false);
    assert.equal(check(old, NOW + 1), 'key_unknown');
    assert.equal(code(() => a.setSigningKeyWithOverlap('pk', pairs[0].publicKeyPem, { overlapSeconds: 0, now: NOW })), 'config_invalid');
    assert.equal(code(() => a.setSigningKeyWithOverlap('pk', pairs[0].publicKeyPem, { overlapSeconds: 604801, now: NOW })), 'config_invalid');
    // Rotating with a generated key: the pair's private key signs tokens the project takes.
    const pair = a.rotateSigningKeyWithOverlap('pk', { overlapSeconds: 3600, now: NOW });
    assert.equal(check(new SigningKey(pair.privateKeyPem).sign('bob', { now: NOW })), 'ok');
    assert.equal(check(fresh), 'ok', 'the previous key retires');
    // Rotate now (the default) removes every other key.
    a.rotateSigningKey('pk');
    assert.equal(check(fresh), 'key_unknown');
    assert.equal(code(() => a.removeSigningKey('pk_nope', 'x')), 'api_key_invalid');
    a.close();
  }
});

test('revocation: project and user cut-offs, tokens without iat', () => {
  for (const cacheSize of [0, 64]) {
    const { a, check } = setup(cacheSize);
    const early = signers[0].sign('alice', { now: NOW });
    const bob = signers[0].sign('bob', { now: NOW });
    assert.equal(check(early, NOW + 10), 'ok');
    a.revokeUserTokensIssuedBefore('pk', 'alice', NOW + 5);
    assert.equal(check(early, NOW + 10), 'token_revoked', 'cached or not');
    assert.equal(check(bob, NOW + 10), 'ok');
    assert.equal(check(signers[0].sign('alice', { now: NOW + 5 }), NOW + 10), 'ok', 'issued at the cut-off');
    a.revokeTokensIssuedBefore('pk', NOW + 1);
    assert.equal(check(bob, NOW + 10), 'token_revoked');
    assert.equal(typeof a.pruneRevocations('pk', { now: NOW + 10 }), 'number');
    assert.ok(['claim_invalid', 'config_invalid'].includes(code(() => a.revokeUserTokensIssuedBefore('pk', '', NOW))));
    a.close();
  }
  // A token without iat cannot prove it is newer than a cut-off.
  const { a, check } = setup(0, { revokedBefore: NOW - 100 });
  const input = ['{"alg":"RS256"}', '{"sub":"x"}'].map((p) => Buffer.from(p).toString('base64url')).join('.');
  const noIat = `${input}.${crypto.sign('sha256', Buffer.from(input), pairs[0].privateKeyPem).toString('base64url')}`;
  assert.equal(check(noIat), 'token_revoked');
  a.close();
});

test('project members: retiring keys, revocations and lifetime rules, and the project document', () => {
  const { a, check } = setup(16, {
    retiringKeys: [{ key: new PublicKey(pairs[1].publicKeyPem).withKid('old-key'), until: NOW + 30 }],
    userRevocations: [{ userId: 'mallory', revokedBefore: NOW + 1 }],
    requireExp: true,
    maxLifetimeSeconds: 600,
  });
  assert.equal(check(signers[1].sign('alice', { now: NOW, kid: 'old-key', expiresInSeconds: 60 })), 'ok');
  assert.equal(check(signers[1].sign('alice', { now: NOW, kid: 'old-key', expiresInSeconds: 60 }), NOW + 30), 'key_unknown');
  assert.equal(check(signers[0].sign('mallory', { now: NOW, expiresInSeconds: 60 })), 'token_revoked');
  assert.equal(check(signers[0].sign('alice', { now: NOW, expiresInSeconds: null })), 'claim_missing', 'require_exp');
  assert.equal(check(signers[0].sign('alice', { now: NOW, expiresInSeconds: 601 })), 'claim_invalid', 'max_lifetime');
  const doc = JSON.parse(a.projectJson('pk'));
  assert.equal(doc.require_exp, true);
  assert.equal(doc.max_lifetime, 600);
  assert.equal(doc.retiring_keys[0].kid, 'old-key');
  // The document round-trips into another authenticator.
  const b = new Authenticator();
  b.addProjectJson(a.projectJson('pk'));
  assert.equal(b.projectJson('pk'), a.projectJson('pk'));
  assert.equal(code(() => b.addProjectJson('{"api_key":"pk","nope":1}')), 'config_invalid');
  assert.throws(() => a.addProject({ apiKey: 'pk2', requireExp: true, maxLifetime: 5 }), TypeError);
  assert.equal(code(() => a.addProject({ apiKey: 'pk2', maxLifetimeSeconds: 0 })), 'config_invalid');
  a.close();
  b.close();
});

test('JWK Sets: exported keys verify our tokens in jose; jose-signed tokens verify here via an imported set', async () => {
  const { a } = setup(0);
  a.setSigningKeyWithOverlap('pk', pairs[1].publicKeyPem, { overlapSeconds: 3600, now: Math.floor(Date.now() / 1000) });
  const set = jose.createLocalJWKSet(JSON.parse(a.jwks('pk')));
  for (const signer of signers) {
    const token = signer.sign('alice');
    const { payload, protectedHeader } = await jose.jwtVerify(token, set, { algorithms: ['RS256'] });
    assert.equal(payload.sub, 'alice');
    assert.equal(protectedHeader.kid, signer.kid);
  }
  // jose signs with a key whose JWK is in a set we import.
  const { publicKey, privateKey } = await jose.generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await jose.exportJWK(publicKey)), kid: 'jose-key', alg: 'RS256', use: 'sig' };
  const keys = parseJwkSet(JSON.stringify({ keys: [jwk] }));
  assert.deepEqual(keys.map((k) => k.kid), ['jose-key']);
  const b = new Authenticator({ cacheSize: 0 });
  b.addProject({ apiKey: 'pk', signingPublicKey: keys[0] });
  const token = await new jose.SignJWT({ sub: 'carol' })
    .setProtectedHeader({ alg: 'RS256', kid: 'jose-key' })
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(privateKey);
  assert.equal(b.authenticate({ 'x-notiflows-api-key': 'pk', 'x-notiflows-user-key': token }).userId, 'carol');
  // Our export reads back as the same keys; private members are refused.
  assert.deepEqual(parseJwkSet(jwkSet(keys)).map((k) => k.kid), ['jose-key']);
  const secret = { ...(await jose.exportJWK(privateKey)), kid: 'x' };
  assert.equal(code(() => parseJwkSet(JSON.stringify({ keys: [secret] }))), 'config_invalid');
  assert.notEqual(code(() => parseJwkSet('{"keys":[{"kty":"EC","crv":"P-256","x":"AA","y":"AA"}]}')), 'ok');
  a.close();
  b.close();
});
