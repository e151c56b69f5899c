'use strict';

// Every case of testdata/vectors/jwt-cases through Verifier.verify, under the corpus's
// contract policy (exp required, no leeway, iat skew 0, tokens up to 16384 bytes), without
// a cache, and twice with one (a miss, then a hit), on each verify provider.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { Authenticator, Verifier, NotiflowsAuthError, TokenError } = require('..');

const dir = path.join(__dirname, '..', '..', 'testdata', 'vectors', 'jwt-cases');
const corpus = JSON.parse(fs.readFileSync(path.join(dir, 'cases.json'), 'utf8'));
const publicKey = fs.readFileSync(path.join(dir, 'rsa_public_spki.pem'), 'utf8');

// The corpus's error categories, as our stable error codes (written once, for every language).
const CATEGORY_CODES = JSON.parse(
  fs.readFileSync(path.join(__dirname, '..', '..', 'testdata', 'jwt_case_categories.json'), 'utf8'),
);

const policy = { requireExp: true, iatSkewSeconds: 0, leewaySeconds: 0, maxTokenBytes: 16384 };
const verifiers = ['ring', 'aws-lc-rs'].flatMap((provider) => {
  const plain = new Verifier(publicKey, { ...policy, provider });
  const cached = new Verifier(publicKey, { ...policy, provider, cacheSize: 256 });
  return [plain, cached, cached];
});
test.after(() => {
  for (const verifier of new Set(verifiers)) verifier.close();
});

test('each verifier names its provider; an unknown one is config_invalid', () => {
  assert.deepEqual([...new Set(verifiers.map((v) => v.provider))], ['ring', 'aws-lc-rs']);
  const auth = new Authenticator({ provider: 'aws-lc-rs' });
  assert.equal(auth.provider, 'aws-lc-rs');
  auth.close();
  assert.throws(
    () => new Verifier(publicKey, { provider: 'openssl' }),
    (e) => e.code === 'config_invalid' && e.message.includes('"aws-lc-rs"'),
  );
});

test('the corpus has every case', () => {
  assert.ok(corpus.cases.length >= 121);
});

for (const c of corpus.cases) {
  test(`jwt-cases ${c.name}`, () => {
    for (const verifier of verifiers) {
      if (c.expect === 'valid') {
        const claims = verifier.verify(c.token, { now: c.now });
        assert.equal(claims.sub, c.expected_sub);
        assert.equal(typeof claims.exp, 'number');
      } else {
        const accepted = [c.expected_error_category, ...c.alt_error_categories].map((k) => CATEGORY_CODES[k]);
        assert.throws(
          () => verifier.verify(c.token, { now: c.now }),
          (e) => e instanceof TokenError && e instanceof NotiflowsAuthError && accepted.includes(e.code) && e.status === 401,
        );
      }
    }
  });
}
