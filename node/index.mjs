// The ES module entry point (`import { Verifier } from 'notiflows-auth'`): the CommonJS
// module's exports, by name and as the default export. test/esm.test.mjs checks that the
// names here are exactly index.js's.
import auth from './index.js';

export default auth;
export const {
  signUserToken,
  jwkSet,
  parseJwkSet,
  generateSigningKey,
  GeneratedKeyPair,
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
  ERROR_TABLE,
  version,
  libraryPath,
  nativeLibrary,
} = auth;
