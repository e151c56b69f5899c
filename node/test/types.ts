// Compiled with `tsc --noEmit --strict` by scripts/suites/30-node: index.d.ts describes the
// API as the tests use it.
import {
  Authenticator,
  AuthenticatedUser,
  Claims,
  ConfigError,
  ERROR_CODES,
  ErrorCode,
  GeneratedKeyPair,
  NotiflowsAuthError,
  PublicKey,
  RequestAuthError,
  SigningKey,
  SigningKeyError,
  TokenError,
  Verifier,
  generateSigningKey,
  libraryPath,
  signUserToken,
  version,
} from '..';

const pair: GeneratedKeyPair = generateSigningKey({ bits: 2048 });
const token: string = signUserToken('user-42', { signingKey: pair.privateKeyBase64, expiresInSeconds: 600, kid: 'k' });
signUserToken('user-42', { expiresInSeconds: null, now: new Date() });
const key = new SigningKey(Buffer.from(pair.privateKeyPem));
key.sign('u', { now: 1700000000 });
const publicKey: PublicKey = key.publicKey();
const bits: number = publicKey.bits;
const pem: string = key.publicKeyPem + publicKey.toPem();
const verifier = new Verifier(publicKey, { leewaySeconds: 5, requireExp: true, maxTokenBytes: 8192, cacheSize: 100 });
const claims: Claims = verifier.verify(token, { now: 1700000000 });
const exp: number | undefined = claims.exp;
const auth = new Authenticator({ cacheSize: 0, maxLifetimeSeconds: 3600 });
auth.addProject({ apiKey: 'pk', securityMode: 'development', signingPublicKey: pem, allowedOrigins: ['https://a.test'] });
const user: AuthenticatedUser = auth.authenticate({ 'x-notiflows-api-key': 'pk', 'x-notiflows-user-id': ['u'], origin: 'https://a.test' }, { now: 1 });
auth.authenticate([['x-notiflows-api-key', 'pk']]);
const cors: Record<string, string> = auth.corsHeaders({ origin: 'https://a.test' }, { preflight: true, apiKey: 'pk' });
const rotated: GeneratedKeyPair = auth.rotateSigningKey('pk', { bits: 4096 });
auth.setSecurityMode('pk', 'secure');
auth.setSigningKey('pk', null);
auth.setAllowedOrigins('pk', []);
const removed: boolean = auth.removeProject('pk');
for (const h of [key, publicKey, verifier, auth]) h.close();
try {
  verifier.verify(token);
} catch (e) {
  if (e instanceof NotiflowsAuthError) {
    const code: ErrorCode = e.code;
    const body: { code: ErrorCode; message: string } = e.toJSON();
    const n: number = ERROR_CODES[code] + e.status;
    void [body, n, e.claim];
  }
}
void [bits, exp, user.userId, user.mode, user.credential, user.expiresAt, cors, rotated, removed, version, libraryPath];
void [TokenError.codes, SigningKeyError.codes, RequestAuthError.codes, ConfigError.codes];
