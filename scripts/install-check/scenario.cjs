// The scenario every language runs: generate a key pair, sign a user token, verify it,
// authenticate a Secure Mode request from an allowed and from a disallowed origin, and read
// the refusal's code. Also reports the version and which C library was loaded.
const assert = require('node:assert/strict');

exports.scenario = (auth, how) => {
  const { generateSigningKey, signUserToken, Verifier, Authenticator, NotiflowsAuthError } = auth;
  console.error(`${how}: version ${auth.version}, library ${auth.nativeLibrary.source} ${auth.nativeLibrary.path}`);
  assert.equal(auth.version, process.env.EXPECTED_VERSION);
  assert.equal(auth.nativeLibrary.source, 'bundled');
  assert.ok(auth.nativeLibrary.path.startsWith(process.env.INSTALL_DIR + '/'), auth.nativeLibrary.path);

  const pair = generateSigningKey();
  const token = signUserToken('user-42', { signingKey: pair.privateKeyPem, expiresInSeconds: 600 });
  console.log(`verified ${new Verifier(pair.publicKeyPem).verify(token).sub}`);

  const authenticator = new Authenticator();
  authenticator.addProject({ apiKey: 'pk_test_1', signingPublicKey: pair.publicKeyPem, allowedOrigins: ['https://app.example.com'] });
  const request = (origin) => ({ 'x-notiflows-api-key': 'pk_test_1', 'x-notiflows-user-key': token, origin });
  const user = authenticator.authenticate(request('https://app.example.com'));
  console.log(`authenticated ${user.userId} ${user.mode}`);
  try {
    authenticator.authenticate(request('https://evil.example.net'));
    console.log('not refused');
  } catch (e) {
    if (!(e instanceof NotiflowsAuthError)) throw e;
    console.log(`refused ${e.code} ${e.status}`);
  }
};
