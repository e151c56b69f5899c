// The ES module entry point exports exactly what the CommonJS one does, as the same objects.

import test from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import * as esm from '../index.mjs';

const cjs = createRequire(import.meta.url)('../index.js');

test('index.mjs exports every name of index.js, and nothing else', () => {
  const named = Object.keys(esm).filter((name) => name !== 'default').sort();
  assert.deepEqual(named, Object.keys(cjs).sort());
  for (const name of named) assert.equal(esm[name], cjs[name], name);
  assert.equal(esm.default, cjs);
});

test('the package resolves to both entry points by its own name', async () => {
  const self = await import('notiflows-auth');
  assert.equal(self.Verifier, cjs.Verifier);
  assert.equal(createRequire(import.meta.url)('notiflows-auth'), cjs);
});

test('the loaded library is named, with where it came from', () => {
  assert.ok(['bundled', 'env', 'development'].includes(esm.nativeLibrary.source));
  assert.equal(esm.nativeLibrary.path, esm.libraryPath);
});
