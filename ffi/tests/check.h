/* Minimal test helpers for the C API tests: count checks, report failures with their line,
 * and end with "NAME: N passed, N failed". */
#ifndef NOTIFLOWS_AUTH_CHECK_H
#define NOTIFLOWS_AUTH_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "notiflows_auth.h"

static int checks_passed;
static int checks_failed;

/* The stable code of a result, "ok" for success, "?" for an unknown number. */
static const char *code_of(notiflows_auth_result r) {
  const char *code = notiflows_auth_error_code_string(r);
  return r == NOTIFLOWS_AUTH_RESULT_OK ? "ok" : code ? code : "?";
}

#define CHECK(cond)                                                           \
  do {                                                                        \
    if (cond) {                                                               \
      checks_passed++;                                                        \
    } else {                                                                  \
      checks_failed++;                                                        \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
    }                                                                         \
  } while (0)

/* Checks that `expr` returns `expected`; on a mismatch prints both codes and the last error. */
#define CHECK_RESULT(expr, expected)                                                         \
  do {                                                                                       \
    notiflows_auth_result got_ = (expr);                                                     \
    if (got_ == (notiflows_auth_result)(expected)) {                                         \
      checks_passed++;                                                                       \
    } else {                                                                                 \
      char msg_[512];                                                                        \
      size_t len_ = 0;                                                                       \
      notiflows_auth_last_error_message((uint8_t *)msg_, sizeof msg_, &len_);                \
      checks_failed++;                                                                       \
      fprintf(stderr, "%s:%d: %s returned %s, expected %s (last error: %.*s)\n", __FILE__, \
              __LINE__, #expr, code_of(got_), code_of(expected), (int)len_, msg_);           \
    }                                                                                        \
  } while (0)

#define CHECK_OK(expr) CHECK_RESULT(expr, NOTIFLOWS_AUTH_RESULT_OK)

/* Checks that `len` bytes at `data` equal the NUL-terminated `text`. */
#define CHECK_BYTES(data, len, text) \
  CHECK((len) == strlen(text) && memcmp((data), (text), (len)) == 0)

#define S(text) (const uint8_t *)(text), strlen(text)

static int check_summary(const char *name) {
  printf("%s: %d passed, %d failed\n", name, checks_passed, checks_failed);
  return checks_failed == 0 && checks_passed > 0 ? 0 : 1;
}

/* Reads a whole file; aborts the test when it cannot. */
static unsigned char *read_file(const char *path, size_t *out_len) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "cannot open %s\n", path);
    exit(2);
  }
  size_t cap = 4096, len = 0;
  unsigned char *buf = malloc(cap);
  size_t n;
  while (buf && (n = fread(buf + len, 1, cap - len, f)) > 0) {
    len += n;
    if (len == cap) {
      unsigned char *bigger = realloc(buf, cap *= 2);
      if (!bigger) free(buf);
      buf = bigger;
    }
  }
  fclose(f);
  if (!buf) {
    fprintf(stderr, "out of memory reading %s\n", path);
    exit(2);
  }
  *out_len = len;
  return buf;
}

#endif
