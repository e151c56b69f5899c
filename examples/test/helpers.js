'use strict';

// Shared by the tests: one key pair, the two example servers on free loopback ports, and a raw
// HTTP client (node:http) that can send a header twice, as fetch cannot.

const http = require('node:http');
const { SigningKey, generateSigningKey } = require('notiflows-auth');

const API_KEY = 'pk_test_middleware';
const ALLOWED = 'http://app.example';
const signingKey = new SigningKey(generateSigningKey().privateKeyPem);

/** Starts an example (express or fastify) on 127.0.0.1:0; returns { base, authenticator, close }. */
async function start(framework, options = {}) {
  const { createApp } = require(`../${framework}/server.js`);
  const made = await createApp({ signingKey, apiKey: API_KEY, allowedOrigins: [ALLOWED], ...options });
  let server;
  if (framework === 'fastify') {
    await made.app.listen({ port: 0, host: '127.0.0.1' });
    server = made.app.server;
  } else {
    server = await new Promise((resolve) => {
      const s = made.app.listen(0, '127.0.0.1', () => resolve(s));
    });
  }
  const base = `http://127.0.0.1:${server.address().port}`;
  const close = framework === 'fastify' ? () => made.app.close() : () => new Promise((r) => server.close(r));
  return { base, authenticator: made.authenticator, app: made.app, close };
}

/**
 * One request; `headers` is a list of [name, value] pairs sent as given (repeats kept).
 * Resolves { status, headers, body } (body parsed as JSON when it is JSON).
 */
function request(url, { method = 'GET', headers = [], body } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method });
    const grouped = new Map();
    for (const [name, value] of headers) grouped.set(name, [...(grouped.get(name) || []), value]);
    for (const [name, values] of grouped) req.setHeader(name, values.length === 1 ? values[0] : values);
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed = text;
        try {
          parsed = JSON.parse(text);
        } catch {}
        resolve({ status: res.statusCode, headers: res.headers, body: parsed });
      });
    });
    req.end(body);
  });
}

/** A token's claims, decoded without verifying (for assertions on iat/exp). */
function claimsOf(token) {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
}

module.exports = { API_KEY, ALLOWED, signingKey, start, request, claimsOf };
