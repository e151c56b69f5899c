'use strict';

// The parity runner for Node: every case of the corpus through the notiflows-auth package's
// public API. Usage: node runner.js CORPUS_JSON > node.jsonl (see parity/README.md).

const fs = require('node:fs');
const path = require('node:path');
const auth = require('../node');

const ROOT = path.join(__dirname, '..');
const OPTIONS = {
  leeway: 'leewaySeconds',
  require_exp: 'requireExp',
  max_token_bytes: 'maxTokenBytes',
  max_lifetime: 'maxLifetimeSeconds',
  iat_skew: 'iatSkewSeconds',
  cache_size: 'cacheSize',
};
const FAMILIES = [
  [auth.TokenError, 'token'],
  [auth.SigningKeyError, 'signing_key'],
  [auth.RequestAuthError, 'request_auth'],
  [auth.ConfigError, 'config'],
];

/** Compact JSON with the keys sorted, as every runner writes it. */
function line(record) {
  return JSON.stringify(Object.fromEntries(Object.keys(record).sort().map((k) => [k, record[k]])));
}

function result(c, fields) {
  const record = { claim: null, code: null, credential: null, family: null, message: null, mode: null };
  Object.assign(record, { status: null, sub: null, user_id: null, case: c.name, outcome: 'ok' }, fields);
  return record;
}

function failure(c, e) {
  if (e instanceof auth.NotiflowsAuthError) {
    const family = FAMILIES.find(([Cls]) => e instanceof Cls);
    return result(c, {
      outcome: 'error',
      code: e.code,
      status: e.status,
      claim: e.claim,
      message: e.message,
      family: family ? family[1] : null,
    });
  }
  return result(c, { outcome: 'binding_error', message: `${e.name}: ${e.message}` });
}

/**
 * A header value as Node's http module delivers it: a byte string (one character per byte).
 * Text is UTF-8 on the wire.
 */
function value(corpus, v) {
  let bytes;
  if (typeof v === 'string') bytes = Buffer.from(v, 'utf8');
  else if (v.hex !== undefined) bytes = Buffer.from(v.hex, 'hex');
  else bytes = Buffer.from(corpus.tokens[v.token] + (v.append || ''), 'utf8');
  return bytes.toString('latin1');
}

function options(c, cache = true) {
  const out = {};
  for (const [k, v] of Object.entries(c.options)) if (cache || k !== 'cache_size') out[OPTIONS[k]] = v;
  return out;
}

function addProject(authenticator, key, project) {
  // The corpus key, named by `kid` when the project names it.
  const named = (kid) => (kid === undefined || kid === null ? key : new auth.PublicKey(key).withKid(kid));
  const lifetime = project.lifetime || {};
  const members = {
    retiringKeys: project.retiring_keys && project.retiring_keys.map((r) => ({ key: named(r.kid), until: r.until })),
    revokedBefore: project.revoked_before,
    userRevocations:
      project.user_revocations && project.user_revocations.map((u) => ({ userId: u.user_id, revokedBefore: u.revoked_before })),
    requireExp: lifetime.require_exp,
    maxLifetimeSeconds: lifetime.max_lifetime,
    leewaySeconds: lifetime.leeway,
    iatSkewSeconds: lifetime.iat_skew,
  };
  for (const name of Object.keys(members)) if (members[name] === undefined) delete members[name];
  authenticator.addProject({
    apiKey: project.api_key,
    securityMode: project.security_mode,
    signingPublicKey: project.signing_key ? named(project.signing_key_kid) : null,
    allowedOrigins: project.allowed_origins,
    ...members,
  });
}

function run(corpus, key, c) {
  try {
    if (c.kind === 'verify') {
      const claims = new auth.Verifier(key, options(c)).verify(corpus.tokens[c.token], { now: c.now });
      return result(c, { sub: claims.sub });
    }
    if (c.kind === 'request') {
      const authenticator = new auth.Authenticator(options(c));
      for (const project of corpus.projects) addProject(authenticator, key, project);
      const headers = c.headers.map(([name, v]) => [name, value(corpus, v)]);
      let user;
      for (let i = 0; i < (c.repeat || 1); i++) user = authenticator.authenticate(headers, { now: c.now });
      return result(c, { user_id: user.userId, mode: user.mode, credential: user.credential });
    }
    new auth.Verifier(key, options(c, false)).close();
    const authenticator = new auth.Authenticator(options(c));
    addProject(authenticator, key, c.project);
    return result(c, {});
  } catch (e) {
    return failure(c, e);
  }
}

function main(file) {
  const corpus = JSON.parse(fs.readFileSync(file, 'utf8'));
  const key = fs.readFileSync(path.join(ROOT, corpus.public_key), 'utf8');
  const out = [];
  for (const row of auth.ERROR_TABLE) {
    if (row.family === 'ffi') continue; // the C ABI's own codes: not in every language
    const family = FAMILIES.filter(([Cls]) => Cls.codes.includes(row.code)).map(([, name]) => name);
    out.push(line({ case: `error/${row.code}`, family, status: row.status }));
  }
  for (const c of corpus.cases) out.push(line(run(corpus, key, c)));
  process.stdout.write(out.join('\n') + '\n');
}

main(process.argv[2]);
