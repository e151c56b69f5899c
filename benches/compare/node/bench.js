'use strict';
// Node: notiflows-auth (over the C library, koffi; both verify providers) against jose,
// jsonwebtoken (KeyObject preloaded), fast-jwt (with and without its cache),
// @node-rs/jsonwebtoken and bare crypto.verify/crypto.sign (the floor), RS256 verify and sign
// on the same 2048-bit key and token. Runs are interleaved: each run measures every library once, in turn.
// jose's API is asynchronous, so it is measured with await, as its users call it.
//
// Usage: node bench.js [--runs N] [--seconds S] > compare-node.json

const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const jose = require('jose');
const jsonwebtoken = require('jsonwebtoken');
const fastJwt = require('fast-jwt');
const nodeRs = require('@node-rs/jsonwebtoken');
const ours = require('../../../node');

const SUBJECT = 'user_2f1c9a7e-5d4b-4c1a-9b3e-8f6d2a1c0e7b';
const args = process.argv.slice(2);
const flag = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const RUNS = flag('--runs', 5);
const SECONDS = flag('--seconds', 0.5);

function b64urlDecode(s) {
  return Buffer.from(s, 'base64url');
}

async function operations() {
  const privatePem = fs.readFileSync(path.join(__dirname, '..', '..', 'keys', 'rsa2048.pem'));
  const now = Math.floor(Date.now() / 1000);
  const signingKey = new ours.SigningKey(privatePem);
  const publicPem = signingKey.publicKeyPem;
  const token = signingKey.sign(SUBJECT, { expiresInSeconds: 86400, now });
  const dot = token.lastIndexOf('.');
  const signingInput = Buffer.from(token.slice(0, dot));
  const signature = b64urlDecode(token.slice(dot + 1));

  const verifier = new ours.Verifier(publicPem);
  const cached = new ours.Verifier(publicPem, { cacheSize: 1000 });
  const awsLc = new ours.Verifier(publicPem, { provider: 'aws-lc-rs' });
  const auth = new ours.Authenticator({ cacheSize: 1000 });
  auth.addProject({ apiKey: 'pk_bench', signingPublicKey: publicPem });
  // A browser's request as Node's http delivers it (lower-case names, a few other headers).
  const headers = {
    host: 'api.example.com',
    'user-agent': 'Mozilla/5.0',
    accept: '*/*',
    origin: 'https://app.example.com',
    'x-notiflows-api-key': 'pk_bench',
    'x-notiflows-user-key': token,
  };
  const fastVerify = fastJwt.createVerifier({ key: publicPem.toString(), algorithms: ['RS256'] });
  const fastCached = fastJwt.createVerifier({ key: publicPem.toString(), algorithms: ['RS256'], cache: 1000 });
  const nodeRsValidation = { algorithms: [nodeRs.Algorithm.RS256] };
  const publicKey = crypto.createPublicKey(publicPem);
  const privateKey = crypto.createPrivateKey(privatePem);

  const claims = () => {
    const t = Math.floor(Date.now() / 1000);
    return { sub: SUBJECT, iat: t, exp: t + 3600 };
  };
  const ops = [
    ['verify/2048', 'ours', 'notiflows-auth', true, false, () => verifier.verify(token)],
    ['verify/2048', 'ours_aws_lc_rs', 'notiflows-auth, aws-lc-rs provider', true, false, () => awsLc.verify(token)],
    ['verify/2048', 'ours_cache_hit', 'notiflows-auth, cache hit (cacheSize 1000)', true, false, () => cached.verify(token)],
    ['verify/2048', 'ours_auth_cache_hit', 'notiflows-auth Authenticator, cache hit (6 headers)', true, false, () => auth.authenticate(headers)],
    ['verify/2048', 'fast_jwt', 'fast-jwt (no cache)', false, false, () => fastVerify(token)],
    ['verify/2048', 'fast_jwt_cache_hit', 'fast-jwt, cache hit (cache 1000)', false, false, () => fastCached(token)],
    ['verify/2048', 'node_rs_jsonwebtoken', '@node-rs/jsonwebtoken (verifySync)', false, false, () => nodeRs.verifySync(token, publicPem, nodeRsValidation)],
    ['verify/2048', 'jose', 'jose (KeyObject)', false, false, async () => (await jose.jwtVerify(token, publicKey, { algorithms: ['RS256'] })).payload],
    ['verify/2048', 'jsonwebtoken', 'jsonwebtoken (KeyObject)', false, false, () => jsonwebtoken.verify(token, publicKey, { algorithms: ['RS256'] })],
    ['verify/2048', 'crypto', 'node:crypto (bare verify)', false, true, () => crypto.verify('sha256', signingInput, publicKey, signature)],
    ['sign/2048', 'ours', 'notiflows-auth', true, false, () => signingKey.sign(SUBJECT)],
    ['sign/2048', 'jose', 'jose (KeyObject)', false, false, async () => new jose.SignJWT(claims()).setProtectedHeader({ alg: 'RS256' }).sign(privateKey)],
    ['sign/2048', 'jsonwebtoken', 'jsonwebtoken (KeyObject)', false, false, () => jsonwebtoken.sign(claims(), privateKey, { algorithm: 'RS256' })],
    ['sign/2048', 'crypto', 'node:crypto (bare sign)', false, true, () => crypto.sign('sha256', signingInput, privateKey)],
  ];
  // Check every library once on the shared token, so that no error path is measured.
  const byId = (group, id) => ops.find((op) => op[0] === group && op[1] === id)[5];
  for (const id of ['ours', 'ours_aws_lc_rs', 'ours_cache_hit', 'jsonwebtoken', 'fast_jwt', 'fast_jwt_cache_hit', 'node_rs_jsonwebtoken']) {
    if (byId('verify/2048', id)().sub !== SUBJECT) throw new Error(id);
  }
  if (byId('verify/2048', 'ours_auth_cache_hit')().userId !== SUBJECT) throw new Error('ours_auth_cache_hit');
  if ((await byId('verify/2048', 'jose')()).sub !== SUBJECT) throw new Error('jose');
  if (!byId('verify/2048', 'crypto')()) throw new Error('crypto');
  if (verifier.verify(await byId('sign/2048', 'jose')()).sub !== SUBJECT) throw new Error('jose sign');
  if (verifier.verify(byId('sign/2048', 'jsonwebtoken')()).sub !== SUBJECT) throw new Error('jsonwebtoken sign');
  return ops;
}

async function rate(fn, seconds) {
  const isAsync = fn.constructor.name === 'AsyncFunction';
  // Calibrate a batch of about 20 ms.
  let n = 1;
  let t;
  for (;;) {
    const start = process.hrtime.bigint();
    if (isAsync) for (let i = 0; i < n; i++) await fn();
    else for (let i = 0; i < n; i++) fn();
    t = Number(process.hrtime.bigint() - start) / 1e9;
    if (t > 0.02) break;
    n *= 2;
  }
  const batch = Math.max(1, Math.floor((n * 0.02) / t));
  let done = 0;
  const start = process.hrtime.bigint();
  const stop = start + BigInt(Math.round(seconds * 1e9));
  while (process.hrtime.bigint() < stop) {
    if (isAsync) for (let i = 0; i < batch; i++) await fn();
    else for (let i = 0; i < batch; i++) fn();
    done += batch;
  }
  return done / (Number(process.hrtime.bigint() - start) / 1e9);
}

function version(name) {
  try {
    return require(`${name}/package.json`).version;
  } catch {
    return '?';
  }
}

(async () => {
  const ops = await operations();
  const runs = new Map();
  for (let r = 0; r < RUNS; r++) {
    for (const [group, id, , , , fn] of ops) {
      const key = `${group}|${id}`;
      const secs = group.startsWith('verify') ? SECONDS : SECONDS * 2;
      if (!runs.has(key)) runs.set(key, []);
      runs.get(key).push(await rate(fn, secs));
    }
  }
  const median = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    const m = s.length >> 1;
    return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
  };
  const results = ops.map(([group, id, label, isOurs, floor]) => {
    const r = runs.get(`${group}|${id}`);
    return { group, threads: 1, id, label, ours: isOurs, floor, runs: r, ops_per_sec: median(r) };
  });
  const versions = {
    node: process.version,
    'notiflows-auth': ours.version,
    jose: version('jose'),
    jsonwebtoken: version('jsonwebtoken'),
    'fast-jwt': version('fast-jwt'),
    '@node-rs/jsonwebtoken': version('@node-rs/jsonwebtoken'),
    koffi: (() => {
      try {
        const p = path.join(__dirname, '..', '..', '..', 'node', 'node_modules', 'koffi', 'package.json');
        return JSON.parse(fs.readFileSync(p, 'utf8')).version;
      } catch {
        return '?';
      }
    })(),
    openssl: process.versions.openssl,
  };
  process.stdout.write(JSON.stringify({ language: 'node', versions, results }, null, 1) + '\n');
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
