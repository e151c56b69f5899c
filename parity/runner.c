/* The parity runner for C: every case of the corpus through the C ABI (libnotiflows_auth).
 * It reads the corpus flattened by parity/flatten.py (C has no JSON parser) and writes the
 * same JSON lines as every other runner (see parity/README.md).
 *
 * Usage: runner FLAT_CORPUS PUBLIC_KEY_PEM > c.jsonl */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "notiflows_auth.h"

#define MAX_FIELDS 64

typedef struct {
  uint8_t *ptr;
  size_t len;
} bytes;

static void die(const char *what) {
  fprintf(stderr, "parity runner: %s\n", what);
  exit(2);
}

static void *xmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (!p) die("out of memory");
  return p;
}

/* Splits `line` in place at tabs; returns the number of fields. */
static size_t split(char *line, char **fields) {
  size_t n = 0;
  fields[n++] = line;
  for (char *p = line; *p; p++) {
    if (*p == '\t') {
      if (n == MAX_FIELDS) die("too many fields");
      *p = 0;
      fields[n++] = p + 1;
    }
  }
  return n;
}

static int nibble(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  die("bad hex");
  return 0;
}

static bytes unhex(const char *hex) {
  size_t len = strlen(hex) / 2;
  bytes b = {xmalloc(len), len};
  for (size_t i = 0; i < len; i++) b.ptr[i] = (uint8_t)(nibble(hex[2 * i]) << 4 | nibble(hex[2 * i + 1]));
  return b;
}

/* --- JSON output: keys sorted, compact, strings escaped as every runner's JSON library does. */

static void json_bytes(const uint8_t *s, size_t len) {
  putchar('"');
  for (size_t i = 0; i < len; i++) {
    uint8_t c = s[i];
    switch (c) {
      case '"': fputs("\\\"", stdout); break;
      case '\\': fputs("\\\\", stdout); break;
      case '\b': fputs("\\b", stdout); break;
      case '\f': fputs("\\f", stdout); break;
      case '\n': fputs("\\n", stdout); break;
      case '\r': fputs("\\r", stdout); break;
      case '\t': fputs("\\t", stdout); break;
      default:
        if (c < 0x20) printf("\\u%04x", c);
        else putchar(c);
    }
  }
  putchar('"');
}

static void json_text(const char *s) {
  if (s) json_bytes((const uint8_t *)s, strlen(s));
  else fputs("null", stdout);
}

/* The fields of a result line; NULL/0 is null. */
typedef struct {
  const char *name, *outcome, *code, *family, *credential, *mode;
  const char *claim, *message, *sub, *user_id;
  uint16_t status;
} result;

static void print_result(const result *r) {
  /* Keys in sorted order, as every runner writes them; status is the only number. */
  const char *keys[] = {"case", "claim", "code", "credential", "family", "message", "mode", "outcome"};
  const char *values[] = {r->name, r->claim, r->code, r->credential, r->family, r->message, r->mode, r->outcome};
  for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
    printf("%s\"%s\":", i ? "," : "{", keys[i]);
    json_text(values[i]);
  }
  if (r->status) printf(",\"status\":%u", r->status);
  else printf(",\"status\":null");
  printf(",\"sub\":");
  json_text(r->sub);
  printf(",\"user_id\":");
  json_text(r->user_id);
  printf("}\n");
}

/* --- The library's error table and last error. */

static char *bytes_text(notiflows_auth_bytes b) {
  char *s = xmalloc(b.len + 1);
  memcpy(s, b.ptr, b.len);
  s[b.len] = 0;
  return s;
}

/* The family of code `number`, from the table (a static-lifetime copy). */
static const char *family_of(uint32_t number) {
  static char family[64];
  notiflows_auth_error_info info;
  for (size_t i = 0; notiflows_auth_error_at(i, &info); i++) {
    if (info.number == number && info.family.len < sizeof family) {
      memcpy(family, info.family.ptr, info.family.len);
      family[info.family.len] = 0;
      return family;
    }
  }
  return NULL;
}

static char *last_text(notiflows_auth_result (*fn)(uint8_t *, size_t, size_t *)) {
  size_t len = 0;
  fn(NULL, 0, &len);
  char *s = xmalloc(len + 1);
  if (fn((uint8_t *)s, len, &len) != NOTIFLOWS_AUTH_RESULT_OK) len = 0;
  s[len] = 0;
  return s;
}

static char *message_buf, *claim_buf;

/* Fills `r` with the failure `code` (the last error's message and claim). */
static void failed(result *r, notiflows_auth_result code) {
  free(message_buf);
  free(claim_buf);
  message_buf = last_text(notiflows_auth_last_error_message);
  claim_buf = last_text(notiflows_auth_last_error_claim);
  r->outcome = "error";
  r->code = notiflows_auth_error_code_string(code);
  r->status = notiflows_auth_error_http_status(code);
  r->family = family_of(code);
  r->message = message_buf;
  r->claim = claim_buf[0] ? claim_buf : NULL;
}

/* --- Options: leeway, require_exp, max_token_bytes, max_lifetime, iat_skew, cache_size. */

static bool set(const char *field) { return strcmp(field, "-") != 0; }
static unsigned long long num(const char *field) { return strtoull(field, NULL, 10); }

static notiflows_auth_result policy_from(char **o, notiflows_auth_policy **out) {
  notiflows_auth_result r = notiflows_auth_policy_new(out);
  if (r) return r;
  if (!r && set(o[0])) r = notiflows_auth_policy_set_leeway_seconds(*out, num(o[0]));
  if (!r && set(o[1])) r = notiflows_auth_policy_set_require_exp(*out, num(o[1]) != 0);
  if (!r && set(o[2])) r = notiflows_auth_policy_set_max_token_bytes(*out, num(o[2]));
  if (!r && set(o[3])) r = notiflows_auth_policy_set_max_lifetime_seconds(*out, num(o[3]));
  if (!r && set(o[4])) r = notiflows_auth_policy_set_iat_skew_seconds(*out, num(o[4]));
  return r;
}

static size_t cache_of(char **o, size_t fallback) { return set(o[5]) ? num(o[5]) : fallback; }

/* --- Projects: api_key mode has_key n origin... */

static notiflows_auth_result add_project(notiflows_auth_authenticator *auth, notiflows_auth_public_key *key,
                                         char **f) {
  bytes api = unhex(f[0]);
  uint32_t mode = 0;
  notiflows_auth_result r = notiflows_auth_security_mode_parse((const uint8_t *)f[1], strlen(f[1]), &mode);
  if (r) {
    free(api.ptr);
    return r;
  }
  size_t n = num(f[3]);
  notiflows_auth_bytes *origins = xmalloc(n * sizeof *origins);
  bytes *held = xmalloc(n * sizeof *held);
  for (size_t i = 0; i < n; i++) {
    held[i] = unhex(f[4 + i]);
    origins[i] = (notiflows_auth_bytes){held[i].ptr, held[i].len};
  }
  r = notiflows_auth_authenticator_add_project(auth, api.ptr, api.len, mode, num(f[2]) ? key : NULL, origins, n);
  for (size_t i = 0; i < n; i++) free(held[i].ptr);
  free(held);
  free(origins);
  free(api.ptr);
  return r;
}

/* A project given as a project document (hex): "J" projects of parity/flatten.py. */
static notiflows_auth_result add_project_json(notiflows_auth_authenticator *auth, const char *hex) {
  bytes doc = unhex(hex);
  notiflows_auth_result r = notiflows_auth_authenticator_add_project_json(auth, doc.ptr, doc.len);
  free(doc.ptr);
  return r;
}

/* A project line's fields after its kind: a document ("PJ") or the fields of add_project. */
static notiflows_auth_result add_any_project(notiflows_auth_authenticator *auth, notiflows_auth_public_key *key,
                                             char **f) {
  return strcmp(f[0], "J") == 0 ? add_project_json(auth, f[1]) : add_project(auth, key, f + 1);
}

int main(int argc, char **argv) {
  if (argc != 3) die("usage: runner FLAT_CORPUS PUBLIC_KEY_PEM");
  FILE *f = fopen(argv[1], "rb");
  if (!f) die("cannot open the corpus");
  fseek(f, 0, SEEK_END);
  long size = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *text = xmalloc((size_t)size + 1);
  if (fread(text, 1, (size_t)size, f) != (size_t)size) die("cannot read the corpus");
  text[size] = 0;
  fclose(f);

  FILE *k = fopen(argv[2], "rb");
  if (!k) die("cannot open the key");
  char pem[8192];
  size_t pem_len = fread(pem, 1, sizeof pem, k);
  fclose(k);
  notiflows_auth_public_key *key = NULL;
  if (notiflows_auth_public_key_parse((const uint8_t *)pem, pem_len, &key)) die("cannot parse the key");

  /* The core's codes of the table (the C ABI's own are not in every language). */
  notiflows_auth_error_info info;
  for (size_t i = 0; notiflows_auth_error_at(i, &info); i++) {
    char *family = bytes_text(info.family);
    if (strcmp(family, "ffi") != 0) {
      char *code = bytes_text(info.code);
      printf("{\"case\":\"error/%s\",\"family\":[", code);
      json_text(family);
      printf("],\"status\":%u}\n", info.http_status);
      free(code);
    }
    free(family);
  }

  char **projects[16];
  size_t project_count = 0;
  char *fields[MAX_FIELDS];
  for (char *line = text, *next; *line; line = next) {
    next = strchr(line, '\n');
    if (!next) die("unterminated line");
    *next++ = 0;
    size_t n = split(line, fields);
    result r = {.name = fields[1], .outcome = "ok"};
    notiflows_auth_result rc = NOTIFLOWS_AUTH_RESULT_OK;
    notiflows_auth_policy *policy = NULL;
    if (strcmp(fields[0], "P") == 0 || strcmp(fields[0], "PJ") == 0) {
      if (project_count == 16) die("too many projects");
      /* Kept as [marker, fields...]: "J" then the document, or "-" then add_project's fields. */
      char **copy = xmalloc((n + 1) * sizeof *copy);
      copy[0] = fields[0][1] == 'J' ? "J" : "-";
      for (size_t i = 1; i < n; i++) copy[i] = fields[i];
      projects[project_count++] = copy;
      continue;
    }
    if (strcmp(fields[0], "V") == 0) {
      char **o = fields + 3;
      bytes token = unhex(fields[9]);
      notiflows_auth_verifier *verifier = NULL;
      static uint8_t sub[NOTIFLOWS_AUTH_MAX_SUBJECT_BYTES + 1];
      size_t sub_len = 0;
      notiflows_auth_claims claims;
      rc = policy_from(o, &policy);
      if (!rc) rc = notiflows_auth_verifier_new(key, policy, cache_of(o, 0), &verifier);
      if (!rc) rc = notiflows_auth_verifier_verify(verifier, token.ptr, token.len, num(fields[2]), sub,
                                                   NOTIFLOWS_AUTH_MAX_SUBJECT_BYTES, &sub_len, &claims);
      if (rc) failed(&r, rc);
      else {
        sub[sub_len] = 0;
        r.sub = (const char *)sub;
      }
      notiflows_auth_verifier_free(verifier);
      free(token.ptr);
    } else if (strcmp(fields[0], "R") == 0) {
      char **o = fields + 3;
      size_t repeat = num(fields[9]), count = num(fields[10]);
      notiflows_auth_authenticator *auth = NULL;
      rc = policy_from(o, &policy);
      if (!rc) rc = notiflows_auth_authenticator_new(policy, cache_of(o, NOTIFLOWS_AUTH_DEFAULT_CACHE_CAPACITY), &auth);
      for (size_t p = 0; !rc && p < project_count; p++) rc = add_any_project(auth, key, projects[p]);
      notiflows_auth_header *headers = xmalloc(count * sizeof *headers);
      bytes *held = xmalloc(2 * count * sizeof *held);
      for (size_t i = 0; i < count; i++) {
        held[2 * i] = unhex(fields[11 + 2 * i]);
        held[2 * i + 1] = unhex(fields[12 + 2 * i]);
        headers[i] = (notiflows_auth_header){held[2 * i].ptr, held[2 * i].len, held[2 * i + 1].ptr, held[2 * i + 1].len};
      }
      static uint8_t user_id[NOTIFLOWS_AUTH_MAX_SUBJECT_BYTES + 1];
      size_t user_len = 0;
      notiflows_auth_authenticated user;
      /* The headers as they came, Origin included; no separate origin. */
      for (size_t i = 0; !rc && i < repeat; i++)
        rc = notiflows_auth_authenticator_authenticate(auth, headers, count, num(fields[2]), user_id,
                                                       NOTIFLOWS_AUTH_MAX_SUBJECT_BYTES, &user_len, &user);
      if (rc) failed(&r, rc);
      else {
        user_id[user_len] = 0;
        r.user_id = (const char *)user_id;
        r.mode = user.mode == NOTIFLOWS_AUTH_SECURITY_MODE_DEVELOPMENT ? "development" : "secure";
        r.credential = user.credential == NOTIFLOWS_AUTH_CREDENTIAL_USER_ID ? "user_id" : "user_key";
      }
      for (size_t i = 0; i < 2 * count; i++) free(held[i].ptr);
      free(held);
      free(headers);
      notiflows_auth_authenticator_free(auth);
    } else if (strcmp(fields[0], "C") == 0 || strcmp(fields[0], "CJ") == 0) {
      char **o = fields + 2;
      notiflows_auth_verifier *verifier = NULL;
      notiflows_auth_authenticator *auth = NULL;
      rc = policy_from(o, &policy);
      if (!rc) rc = notiflows_auth_verifier_new(key, policy, 0, &verifier);
      if (!rc) rc = notiflows_auth_authenticator_new(policy, cache_of(o, NOTIFLOWS_AUTH_DEFAULT_CACHE_CAPACITY), &auth);
      if (!rc) rc = fields[0][1] == 'J' ? add_project_json(auth, fields[8]) : add_project(auth, key, fields + 8);
      if (rc) failed(&r, rc);
      notiflows_auth_verifier_free(verifier);
      notiflows_auth_authenticator_free(auth);
    } else {
      die("unknown line kind");
    }
    notiflows_auth_policy_free(policy);
    print_result(&r);
  }
  for (size_t p = 0; p < project_count; p++) free(projects[p]);
  free(message_buf);
  free(claim_buf);
  free(text);
  notiflows_auth_public_key_free(key);
  return 0;
}
