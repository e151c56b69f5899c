// The user's script, ES module: named imports from 'notiflows-auth'.
import { generateSigningKey, signUserToken, Verifier, Authenticator, NotiflowsAuthError, version, nativeLibrary } from 'notiflows-auth';
import { createRequire } from 'node:module';

const { scenario } = createRequire(import.meta.url)('./scenario.cjs');
scenario({ generateSigningKey, signUserToken, Verifier, Authenticator, NotiflowsAuthError, version, nativeLibrary }, 'import');
