'use strict';

/**
 * The error table, read from the library when the package loads: every code with its
 * number in the C ABI, HTTP status, family and general message, the core's taxonomy (1 to
 * 99) then the C ABI's own codes (100 and up). Nothing here is written by hand.
 */

const koffi = require('koffi');
const { c } = require('./native');

/** A static (ptr, len) string of the library as a JS string. */
function text({ ptr, len }) {
  return Buffer.from(koffi.decode(ptr, 'uint8_t', Number(len))).toString('utf8');
}

function readTable() {
  const rows = [];
  const count = Number(c.error_count());
  for (let i = 0; i < count; i++) {
    const info = {};
    if (!c.error_at(i, info)) throw new Error(`notiflows-auth: error table row ${i} is missing`);
    rows.push(
      Object.freeze({
        code: text(info.code),
        number: info.number,
        status: info.http_status,
        family: text(info.family),
        message: text(info.message),
      }),
    );
  }
  return Object.freeze(rows);
}

/** Every row: `{ code, number, status, family, message }`, in numeric order. */
const ERROR_TABLE = readTable();

/** Every code with its number in the C ABI. */
const ERROR_CODES = Object.freeze(Object.fromEntries(ERROR_TABLE.map((row) => [row.code, row.number])));

module.exports = { ERROR_TABLE, ERROR_CODES };
