// The user's script, CommonJS: `require('notiflows-auth')` from a project that installed the
// npm tarball. Prints the transcript scripts/install-check/expected.txt holds.
const auth = require('notiflows-auth');
const { scenario } = require('./scenario.cjs');

// The package's other entry points are in the tarball (the frameworks are the user's).
for (const entry of ['notiflows-auth/middleware/express', 'notiflows-auth/middleware/fastify', 'notiflows-auth/browser/client.js']) {
  require.resolve(entry);
}
scenario(auth, 'require');
