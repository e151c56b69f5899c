// The user's script, CommonJS: `require('notiflows-auth')` from a project that installed the
// npm tarball. Prints the transcript scripts/install-check/expected.txt holds.
const auth = require('notiflows-auth');
const { scenario } = require('./scenario.cjs');

scenario(auth, 'require');
