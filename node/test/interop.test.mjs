// Interop with the jose package, both ways: tokens we sign verify in jose, and RS256
// tokens jose signs verify here; jose tokens with other algorithms are refused.

import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as jose from 'jose';
import auth from '../index.js';

const { signUserToken, generateSigningKey, SigningKey, Verifier, TokenError } = auth;
const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'testdata', 'vectors', 'jwt-cases');
const corpusPrivate = fs.readFileSync(path.join(dir, 'rsa_private_pkcs8.pem'), 'utf8');
const corpusPublic = fs.readFileSync(path.join(dir, 'rsa_public_spki.pem'), 'utf8');

test('tokens we sign verify in jose', async () => {
  const pair = generateSigningKey();
  const now = Math.floor(Date.now() / 1000);
  for (const sub of ['user-42', 'caf\u00e9 \u{1F600}', 'quote " backslash \\ newline \n tab \t', '\u0001\u001f']) {
    const token = signUserToken(sub, { signingKey: pair.privateKeyBase64, kid: 'key-1' });
    const key = await jose.importSPKI(pair.publicKeyPem, 'RS256');
    const { payload, protectedHeader } = await jose.jwtVerify(token, key, { algorithms: ['RS256'] });
    assert.deepEqual(protectedHeader, { alg: 'RS256', typ: 'JWT', kid: 'key-1' });
    assert.equal(payload.sub, sub);
    assert.ok(Math.abs(payload.iat - now) <= 5);
    assert.equal(payload.exp, payload.iat + 3600);
  }
  // Without exp, with the corpus key in PEM form.
  const token = signUserToken('u', { signingKey: corpusPrivate, expiresInSeconds: null, now: 1700000000 });
  const { payload } = await jose.jwtVerify(token, await jose.importSPKI(corpusPublic, 'RS256'), {
    currentDate: new Date(1700000000 * 1000),
  });
  assert.deepEqual(payload, { sub: 'u', iat: 1700000000 });
});

test('RS256 tokens jose signs verify here', async () => {
  const key = await jose.importPKCS8(corpusPrivate, 'RS256');
  const verifier = new Verifier(corpusPublic);
  const token = await new jose.SignJWT({ sub: 'from-jose', custom: [1, 2] })
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
    .setIssuedAt(1700000000)
    .setNotBefore(1700000000)
    .setExpirationTime(1700000600)
    .sign(key);
  assert.deepEqual(verifier.verify(token, { now: 1700000001 }), {
    sub: 'from-jose',
    iat: 1700000000,
    exp: 1700000600,
    nbf: 1700000000,
  });
  assert.throws(() => verifier.verify(token, { now: 1700000600 }), { code: 'token_expired' });
  verifier.close();
});

test('keys jose generates work here', async () => {
  const { publicKey, privateKey } = await jose.generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
  const signing = new SigningKey(await jose.exportPKCS8(privateKey));
  const verifier = new Verifier(await jose.exportSPKI(publicKey));
  const token = signing.sign('jose-key', { now: 1700000000 });
  assert.equal(verifier.verify(token, { now: 1700000000 }).sub, 'jose-key');
  const { payload } = await jose.jwtVerify(token, publicKey, { currentDate: new Date(1700000000 * 1000) });
  assert.equal(payload.sub, 'jose-key');
  signing.close();
  verifier.close();
});

test('jose tokens with other algorithms are refused', async () => {
  const verifier = new Verifier(corpusPublic);
  for (const alg of ['RS384', 'RS512', 'PS256']) {
    const key = await jose.importPKCS8(corpusPrivate, alg);
    const token = await new jose.SignJWT({ sub: 'x' }).setProtectedHeader({ alg }).setExpirationTime('1h').sign(key);
    assert.throws(() => verifier.verify(token), (e) => e instanceof TokenError && e.code === 'alg_not_allowed', alg);
  }
  const hmac = await new jose.SignJWT({ sub: 'x' })
    .setProtectedHeader({ alg: 'HS256' })
    .sign(new TextEncoder().encode(corpusPublic));
  assert.throws(() => verifier.verify(hmac), { code: 'alg_not_allowed' });
  const unsecured = new jose.UnsecuredJWT({ sub: 'x' }).encode();
  assert.throws(() => verifier.verify(unsecured), { code: 'alg_not_allowed' });
  verifier.close();
});
