/* Exercises every function of the C API, including its error paths: NULL arguments, the
 * buffer_too_small protocol, invalid UTF-8, bad keys and configuration, the last error,
 * and concurrent use of shared handles.
 *
 * Usage: test_api JWT_CASES_DIR   (for the corpus key pair: rsa_private_pkcs8.pem, ...) */
#include <pthread.h>

#include "check.h"

static const char *cases_dir;

static unsigned char *corpus_file(const char *name, size_t *len) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", cases_dir, name);
  return read_file(path, len);
}

/* The last error's message and claim, NUL-terminated, in static buffers. */
static const char *last_message(void) {
  static char buf[1024];
  size_t len = 0;
  if (notiflows_auth_last_error_message((uint8_t *)buf, sizeof buf - 1, &len) != 0) return "?";
  buf[len] = 0;
  return buf;
}

static const char *last_claim(void) {
  static char buf[64];
  size_t len = 0;
  if (notiflows_auth_last_error_claim((uint8_t *)buf, sizeof buf - 1, &len) != 0) return "?";
  buf[len] = 0;
  return buf;
}

static notiflows_auth_signing_key *corpus_signing_key(void) {
  size_t len;
  unsigned char *pem = corpus_file("rsa_private_pkcs8.pem", &len);
  notiflows_auth_signing_key *key = NULL;
  CHECK_OK(notiflows_auth_signing_key_parse(pem, len, &key));
  free(pem);
  return key;
}

static notiflows_auth_public_key *public_of(const notiflows_auth_signing_key *key) {
  notiflows_auth_public_key *public_key = NULL;
  CHECK_OK(notiflows_auth_signing_key_public_key(key, &public_key));
  return public_key;
}

/* Signs a token for `sub` into `token` (NUL-terminated); returns the result. */
static notiflows_auth_result sign(const notiflows_auth_signing_key *key, const char *sub,
                                  int64_t now, uint64_t expires_in, char *token, size_t cap) {
  size_t len = 0;
  notiflows_auth_result r = notiflows_auth_signing_key_sign(key, S(sub), now, expires_in, NULL, 0,
                                                            (uint8_t *)token, cap - 1, &len);
  token[r == NOTIFLOWS_AUTH_RESULT_OK ? len : 0] = 0;
  return r;
}

static notiflows_auth_result verify(const notiflows_auth_verifier *v, const char *token, int64_t now,
                                    char *sub, notiflows_auth_claims *claims) {
  size_t len = 0;
  notiflows_auth_result r = notiflows_auth_verifier_verify(
      v, S(token), now, (uint8_t *)sub, NOTIFLOWS_AUTH_MAX_SUBJECT_BYTES, &len, claims);
  sub[r == NOTIFLOWS_AUTH_RESULT_OK ? len : 0] = 0;
  return r;
}

static void test_errors(void) {
  const char *version = notiflows_auth_version();
  CHECK(version != NULL && strcmp(version, "0.1.0") == 0);

  /* Every code has a unique string, a status and a message; nothing else does. */
  int codes = 0, wrong = 0;
  for (uint32_t n = 0; n < 1000; n++) {
    const char *code = notiflows_auth_error_code_string(n);
    uint16_t status = notiflows_auth_error_http_status(n);
    if (!code) {
      wrong += status != 0;
      continue;
    }
    codes++;
    for (uint32_t m = 0; m < n; m++) {
      const char *other = notiflows_auth_error_code_string(m);
      wrong += other && strcmp(other, code) == 0;
    }
    wrong += status != 401 && status != 403 && status != 500;
    size_t len = 0;
    char message[512];
    wrong += notiflows_auth_error_message(n, (uint8_t *)message, sizeof message, &len) != 0 || len < 10;
  }
  CHECK(codes == 29);
  CHECK(wrong == 0);
  CHECK(notiflows_auth_error_code_string(NOTIFLOWS_AUTH_RESULT_OK) == NULL);
  CHECK(strcmp(notiflows_auth_error_code_string(NOTIFLOWS_AUTH_RESULT_TOKEN_MALFORMED), "token_malformed") == 0);
  CHECK(strcmp(notiflows_auth_error_code_string(NOTIFLOWS_AUTH_RESULT_CONFIG_INVALID), "config_invalid") == 0);
  CHECK(strcmp(notiflows_auth_error_code_string(NOTIFLOWS_AUTH_RESULT_NULL_ARGUMENT), "null_argument") == 0);
  CHECK(strcmp(notiflows_auth_error_code_string(NOTIFLOWS_AUTH_RESULT_PANIC), "panic") == 0);
  CHECK(notiflows_auth_error_http_status(NOTIFLOWS_AUTH_RESULT_TOKEN_EXPIRED) == 401);
  CHECK(notiflows_auth_error_http_status(NOTIFLOWS_AUTH_RESULT_ORIGIN_NOT_ALLOWED) == 403);
  CHECK(notiflows_auth_error_http_status(NOTIFLOWS_AUTH_RESULT_KEY_INVALID) == 500);
  CHECK(notiflows_auth_error_http_status(NOTIFLOWS_AUTH_RESULT_BUFFER_TOO_SMALL) == 500);

  /* The buffer protocol: a size query, a buffer one byte short, the exact size. */
  const char *expected = "the user token has expired";
  size_t need = 0;
  CHECK_RESULT(notiflows_auth_error_message(NOTIFLOWS_AUTH_RESULT_TOKEN_EXPIRED, NULL, 0, &need),
               NOTIFLOWS_AUTH_RESULT_BUFFER_TOO_SMALL);
  CHECK(need == strlen(expected));
  char small[64];
  memset(small, 'x', sizeof small);
  size_t got = 0;
  CHECK_RESULT(notiflows_auth_error_message(NOTIFLOWS_AUTH_RESULT_TOKEN_EXPIRED, (uint8_t *)small, need - 1, &got),
               NOTIFLOWS_AUTH_RESULT_BUFFER_TOO_SMALL);
  CHECK(got == need && small[0] == 'x');
  CHECK_OK(notiflows_auth_error_message(NOTIFLOWS_AUTH_RESULT_TOKEN_EXPIRED, (uint8_t *)small, need, &got));
  CHECK_BYTES(small, got, expected);
  CHECK_OK(notiflows_auth_error_message(424242, (uint8_t *)small, sizeof small, &got));
  CHECK_BYTES(small, got, "unknown notiflows-auth result code");
  CHECK_RESULT(notiflows_auth_error_message(1, NULL, 5, &got), NOTIFLOWS_AUTH_RESULT_NULL_ARGUMENT);
  CHECK_RESULT(notiflows_auth_error_message(1, (uint8_t *)small, sizeof small, NULL),
               NOTIFLOWS_AUTH_RESULT_NULL_ARGUMENT);

  /* The last error: set by a failing call, kept through the error functions' own failures. */
  notiflows_auth_public_key *key = NULL;
  CHECK_RESULT(notiflows_auth_public_key_parse(S("not a key"), &key), NOTIFLOWS_AUTH_RESULT_KEY_INVALID);
  CHECK(key == NULL);
  CHECK(strstr(last_message(), "the key could not be parsed") == last_message());
  CHECK(strstr(last_message(), "expected an RSA public key") != NULL);
  CHECK(strcmp(last_claim(), "") == 0);
  need = 0;
  CHECK_RESULT(notiflows_auth_last_error_message(NULL, 0, &need), NOTIFLOWS_AUTH_RESULT_BUFFER_TOO_SMALL);
  CHECK(need == strlen(last_message()));
  CHECK_RESULT(notiflows_auth_last_error_claim(NULL, 0, NULL), NOTIFLOWS_AUTH_RESULT_NULL_ARGUMENT);
  CHECK(strstr(last_message(), "the key could not be parsed") != NULL);

  uint16_t status = 0;
  char body[1024];
  size_t body_len = 0;
  CHECK_OK(notiflows_auth_last_error_response(&status, (uint8_t *)body, sizeof body, &body_len));
  CHECK(status == 500);
  CHECK(body_len > 0 && strncmp(body, "{\"code\":\"key_invalid\",\"message\":\"the key could not be parsed", 59) == 0);
  CHECK(body[body_len - 1] == '}');
  CHECK_RESULT(notiflows_auth_last_error_response(&status, NULL, 0, &need), NOTIFLOWS_AUTH_RESULT_BUFFER_TOO_SMALL);
  CHECK(need == body_len);
  CHECK_RESULT(notiflows_auth_last_error_response(NULL, (uint8_t *)body, sizeof body, &body_len),
               NOTIFLOWS_AUTH_RESULT_NULL_ARGUMENT);

  /* A C ABI error is a last error too, with its own response. */
  CHECK_RESULT(notiflows_auth_public_key_parse(NULL, 1, &key), NOTIFLOWS_AUTH_RESULT_NULL_ARGUMENT);
  CHECK(strcmp(last_message(), "a required pointer argument was NULL") == 0);
  CHECK_OK(notiflows_auth_last_error_response(&status, (uint8_t *)body, sizeof body, &body_len));
  CHECK(status == 500);
  CHECK_BYTES(body, body_len, "{\"code\":\"null_argument\",\"message\":\"a required pointer argument was NULL\"}");
}

/* The error table: one row per code, in numeric order, agreeing with the per-code functions. */
static void test_error_table(void) {
  size_t count = notiflows_auth_error_count();
  CHECK(count == 29);
  int wrong = 0;
  uint32_t previous = 0;
  for (size_t i = 0; i < count; i++) {
    notiflows_auth_error_info info;
    memset(&info, 0, sizeof info);
    if (!notiflows_auth_error_at(i, &info)) {
      wrong++;
      continue;
    }
    const char *code = notiflows_auth_error_code_string(info.number);
    wrong += info.number <= previous;
    wrong += code == NULL || strlen(code) != info.code.len || memcmp(code, info.code.ptr, info.code.len) != 0;
    wrong += info.http_status != notiflows_auth_error_http_status(info.number);
    char message[512];
    size_t len = 0;
    wrong += notiflows_auth_error_message(info.number, (uint8_t *)message, sizeof message, &len) != 0;
    wrong += len != info.message.len || memcmp(message, info.message.ptr, len) != 0;
    wrong += info.family.len == 0;
    previous = info.number;
  }
  CHECK(wrong == 0);

  notiflows_auth_error_info info;
  CHECK(notiflows_auth_error_at(21, &info));
  CHECK(info.number == NOTIFLOWS_AUTH_RESULT_ORIGIN_NOT_ALLOWED && info.http_status == 403);
  CHECK_BYTES(info.code.ptr, info.code.len, "origin_not_allowed");
  CHECK_BYTES(info.family.ptr, info.family.len, "request_auth");
  CHECK(notiflows_auth_error_at(0, &info));
  CHECK_BYTES(info.family.ptr, info.family.len, "token");
  CHECK(notiflows_auth_error_at(count - 1, &info));
  CHECK(info.number == NOTIFLOWS_AUTH_RESULT_PANIC && info.http_status == 500);
  CHECK_BYTES(info.family.ptr, info.family.len, "ffi");
  CHECK(!notiflows_auth_error_at(count, &info));
  CHECK(!notiflows_auth_error_at(0, NULL));
}

/* Security modes by name, read by the core's rule (what Node and Ruby pass on). */
static void test_security_mode_names(void) {
  uint32_t mode = 99;
  CHECK_OK(notiflows_auth_security_mode_parse(S("development"), &mode));
  CHECK(mode == NOTIFLOWS_AUTH_SECURITY_MODE_DEVELOPMENT);
  CHECK_OK(notiflows_auth_security_mode_parse(S("secure"), &mode));
  CHECK(mode == NOTIFLOWS_AUTH_SECURITY_MODE_SECURE);
  mode = 99;
  CHECK_RESULT(notiflows_auth_security_mode_parse(S("Secure"), &mode), NOTIFLOWS_AUTH_RESULT_CONFIG_INVALID);
  CHECK(mode == 99 && strstr(last_message(), "security_mode must be") != NULL);
  CHECK_RESULT(notiflows_auth_security_mode_parse(S("secure"), NULL), NOTIFLOWS_AUTH_RESULT_NULL_ARGUMENT);
}

/* A thread that has never failed has no last error. */
static void *fresh_thread(void *arg) {
  (void)arg;
  uint8_t buf[16];
  size_t len = 99;
  uint16_t status = 99;
  CHECK_OK(notiflows_auth_last_error_message(buf, sizeof buf, &len));
  CHECK(len == 0);
  CHECK_OK(notiflows_auth_last_error_response(&status, buf, sizeof buf, &len));
  CHECK(status == 0 && len == 0);
  return NULL;
}

static void test_last_error_is_per_thread(void) {
  pthread_t t;
  CHECK(pthread_create(&t, NULL, fresh_thread, NULL) == 0);
  pthread_join(t, NULL);
}

static void test_keys(void) {
  size_t len;
  unsigned char *spki = corpus_file("rsa_public_spki.pem", &len);
  notiflows_auth_public_key *key = NULL;
  CHECK_OK(notiflows_auth_public_key_parse(spki, len, &key));

  /* to_pem: the protocol, and the canonical SPKI PEM back. */
  size_t need = 0, got = 0;
  CHECK_RESULT(notiflows_auth_public_key_to_pem(key, NULL, 0, &need), NOTIFLOWS_AUTH_RESULT_BUFFER_TOO_SMALL);
  CHECK(need > 400 && need < 500);
  uint8_t *pem = malloc(need);
  CHECK_RESULT(notiflows_auth_public_key_to_pem(key, pem, need - 1, &got), NOTIFLOWS_AUTH_RESULT_BUFFER_TOO_SMALL);
  CHECK_OK(notiflows_auth_public_key_to_pem(key, pem, need, &got));
  CHECK(got == need && memcmp(pem, "-----BEGIN PUBLIC KEY-----\n", 27) == 0 && pem[got - 1] == '\n');
  notiflows_auth_public_key *again = NULL;
  CHECK_OK(notiflows_auth_public_key_parse(pem, got, &again));
  notiflows_auth_public_key_free(again);
  free(pem);
  free(spki);

  size_t bits = 0;
  CHECK_OK(notiflows_auth_public_key_bits(key, &bits));
  CHECK(bits == 2048);
  CHECK_RESULT(notiflows_auth_public_key_bits(NULL, &bits), NOTIFLOWS_AUTH_RESULT_NULL_ARGUMENT);
  CHECK_RESULT(notiflows_auth_public_key_bits(key, NULL), NOTIFLOWS_AUTH_RESULT_NULL_ARGUMENT);
  CHECK_RESULT(notiflows_auth_public_key_to_pem(NULL, NULL, 0, &got), NOTIFLOWS_AUTH_RESULT_NULL_ARGUMENT);
  CHECK_RESULT(notiflows_auth_public_key_to_pem(key, NULL, 10, &got), NOTIFLOWS_AUTH_RESULT_NULL_ARGUMENT);
  notiflows_auth_public_key_free(key);

  /* A private key is not a public key, and the other way round; the message says so. */
  unsigned char *private_pem = corpus_file("rsa_private_pkcs8.pem", &len);
  key = NULL;
  CHECK_RESULT(notiflows_auth_public_key_parse(private_pem, len, &key), NOTIFLOWS_AUTH_RESULT_KEY_INVALID);
  CHECK(key == NULL && strstr(last_message(), "found a private key") != NULL);
  CHECK(strstr(last_message(), "MII") == NULL);
  unsigned char *public_pem = corpus_file("rsa_public_spki.pem", &len);
  notiflows_auth_signing_key *signing = NULL;
  CHECK_RESULT(notiflows_auth_signing_key_parse(public_pem, len, &signing), NOTIFLOWS_AUTH_RESULT_KEY_INVALID);
  CHECK(signing == NULL && strstr(last_message(), "found a public key") != NULL);
  free(public_pem);
  free(private_pem);
  CHECK_RESULT(notiflows_auth_signing_key_parse(S(""), &signing), NOTIFLOWS_AUTH_RESULT_KEY_INVALID);
  CHECK_RESULT(notiflows_auth_signing_key_parse(NULL, 0, &signing), NOTIFLOWS_AUTH_RESULT_KEY_INVALID);
  CHECK_RESULT(notiflows_auth_public_key_parse(NULL, 0, &key), NOTIFLOWS_AUTH_RESULT_KEY_INVALID);
  CHECK_RESULT(notiflows_auth_signing_key_parse(NULL, 3, &signing), NOTIFLOWS_AUTH_RESULT_NULL_ARGUMENT);
  CHECK_RESULT(notiflows_auth_signing_key_parse(S("x"), NULL), NOTIFLOWS_AUTH_RESULT_NULL_ARGUMENT);
  CHECK_RESULT(notiflows_auth_public_key_parse(S("x"), NULL), NOTIFLOWS_AUTH_RESULT_NULL_ARGUMENT);

  /* Generation: the three texts, each loadable, with the buffer protocol. */
  notiflows_auth_key_pair *pair = NULL;
  CHECK_RESULT(notiflows_auth_key_pair_generate(1024, &pair), NOTIFLOWS_AUTH_RESULT_KEY_UNSUPPORTED);
  CHECK_RESULT(notiflows_auth_key_pair_generate(2048, NULL), NOTIFLOWS_AUTH_RESULT_NULL_ARGUMENT);
  CHECK(pair == NULL);
  CHECK_OK(notiflows_auth_key_pair_generate(2048, &pair));
  static uint8_t private_text[8192], base64_text[8192], public_text[4096];
  size_t private_len = 0, base64_len = 0, public_len = 0;
  CHECK_RESULT(notiflows_auth_key_pair_private_key_pem(pair, NULL, 0, &need), NOTIFLOWS_AUTH_RESULT_BUFFER_TOO_SMALL);
  CHECK_RESULT(notiflows_auth_key_pair_private_key_pem(pair, private_text, need - 1, &private_len),
               NOTIFLOWS_AUTH_RESULT_BUFFER_TOO_SMALL);
  CHECK_OK(notiflows_auth_key_pair_private_key_pem(pair, private_text, need, &private_len));
  CHECK(private_len == need && memcmp(private_text, "-----BEGIN PRIVATE KEY-----\n", 28) == 0);
  CHECK_RESULT(notiflows_auth_key_pair_private_key_base64(pair, NULL, 0, &need), NOTIFLOWS_AUTH_RESULT_BUFFER_TOO_SMALL);
  CHECK_OK(notiflows_auth_key_pair_private_key_base64(pair, base64_text, sizeof base64_text, &base64_len));
  CHECK(base64_len == need && memcmp(base64_text, "LS0tLS1CRUdJTi", 14) == 0);
  CHECK(memchr(base64_text, '\n', base64_len) == NULL);
  CHECK_RESULT(notiflows_auth_key_pair_public_key_pem(pair, public_text, 10, &need), NOTIFLOWS_AUTH_RESULT_BUFFER_TOO_SMALL);
  CHECK_OK(notiflows_auth_key_pair_public_key_pem(pair, public_text, sizeof public_text, &public_len));
  CHECK(public_len == need && memcmp(public_text, "-----BEGIN PUBLIC KEY-----\n", 27) == 0);
  CHECK_RESULT(notiflows_auth_key_pair_public_key_pem(NULL, public_text, sizeof public_text, &need),
               NOTIFLOWS_AUTH_RESULT_NULL_ARGUMENT);
  CHECK_RESULT(notiflows_auth_key_pair_private_key_pem(pair, private_text, sizeof private_text, NULL),
               NOTIFLOWS_AUTH_RESULT_NULL_ARGUMENT);
  CHECK_RESULT(notiflows_auth_key_pair_private_key_base64(NULL, NULL, 0, &need), NOTIFLOWS_AUTH_RESULT_NULL_ARGUMENT);
  notiflows_auth_key_pair_free(pair);

  /* Both private forms load to the same key, whose public half is the generated one. */
  notiflows_auth_signing_key *from_pem = NULL, *from_base64 = NULL;
  CHECK_OK(notiflows_auth_signing_key_parse(private_text, private_len, &from_pem));
  CHECK_OK(notiflows_auth_signing_key_parse(base64_text, base64_len, &from_base64));
  notiflows_auth_public_key *a = public_of(from_pem), *b = public_of(from_base64);
  uint8_t pem_a[1024], pem_b[1024];
  size_t len_a = 0, len_b = 0;
  CHECK_OK(notiflows_auth_public_key_to_pem(a, pem_a, sizeof pem_a, &len_a));
  CHECK_OK(notiflows_auth_public_key_to_pem(b, pem_b, sizeof pem_b, &len_b));
  CHECK(len_a == len_b && len_a == public_len && memcmp(pem_a, pem_b, len_a) == 0 &&
        memcmp(pem_a, public_text, len_a) == 0);
  CHECK_RESULT(notiflows_auth_signing_key_public_key(NULL, &a), NOTIFLOWS_AUTH_RESULT_NULL_ARGUMENT);
  CHECK_RESULT(notiflows_auth_signing_key_public_key(from_pem, NULL), NOTIFLOWS_AUTH_RESULT_NULL_ARGUMENT);
  notiflows_auth_public_key_free(a);
  notiflows_auth_public_key_free(b);
  notiflows_auth_signing_key_free(from_pem);
  notiflows_auth_signing_key_free(from_base64);

  /* Every free accepts NULL. */
  notiflows_auth_public_key_free(NULL);
  notiflows_auth_signing_key_free(NULL);
  notiflows_auth_key_pair_free(NULL);
  notiflows_auth_policy_free(NULL);
  notiflows_auth_verifier_free(NULL);
  notiflows_auth_authenticator_free(NULL);
}

static void test_sign_and_verify(void) {
  notiflows_auth_signing_key *key = corpus_signing_key();
  notiflows_auth_public_key *public_key = public_of(key);
  notiflows_auth_verifier *verifier = NULL;
  CHECK_OK(notiflows_auth_verifier_new(public_key, NULL, 0, &verifier));
  char token[4096], sub[NOTIFLOWS_AUTH_MAX_SUBJECT_BYTES + 1];
  notiflows_auth_claims claims;
  const int64_t now = 1700000000;

  /* A round trip: sub, iat, exp = iat + 3600. */
  CHECK_OK(sign(key, "user-42", now, 3600, token, sizeof token));
  /* The header names the key: {"alg":"RS256","typ":"JWT","kid":"... */
  CHECK(strncmp(token, "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6I", 45) == 0);
  CHECK_OK(verify(verifier, token, now, sub, &claims));
  CHECK(strcmp(sub, "user-42") == 0);
  CHECK(claims.iat.present && claims.iat.seconds == now && claims.iat.nanos == 0);
  CHECK(claims.exp.present && claims.exp.seconds == now + 3600);
  CHECK(!claims.nbf.present && claims.nbf.seconds == 0);
  CHECK_RESULT(verify(verifier, token, now + 3600, sub, &claims), NOTIFLOWS_AUTH_RESULT_TOKEN_EXPIRED);
  CHECK(strcmp(last_claim(), "exp") == 0);
  CHECK_OK(verify(verifier, token, now + 3599, sub, &claims));
  /* The default iat skew allows 60 s. */
  CHECK_OK(verify(verifier, token, now - 60, sub, &claims));
  CHECK_RESULT(verify(verifier, token, now - 61, sub, &claims), NOTIFLOWS_AUTH_RESULT_TOKEN_ISSUED_IN_FUTURE);

  /* Signing is deterministic; the buffer protocol and the size hint. */
  size_t need = 0, got = 0;
  CHECK_RESULT(notiflows_auth_signing_key_sign(key, S("user-42"), now, 3600, NULL, 0, NULL, 0, &need),
               NOTIFLOWS_AUTH_RESULT_BUFFER_TOO_SMALL);
  CHECK(need == strlen(token));
  CHECK(notiflows_auth_sign_buffer_size(7, 0) >= need);
  CHECK(notiflows_auth_sign_buffer_size((size_t)-1, 1) == (size_t)-1);
  uint8_t exact[4096];
  CHECK_RESULT(notiflows_auth_signing_key_sign(key, S("user-42"), now, 3600, NULL, 0, exact, need - 1, &got),
               NOTIFLOWS_AUTH_RESULT_BUFFER_TOO_SMALL);
  CHECK(got == need);
  CHECK_OK(notiflows_auth_signing_key_sign(key, S("user-42"), now, 3600, NULL, 0, exact, need, &got));
  CHECK(got == need && memcmp(exact, token, need) == 0);

  /* kid, no expiry, escaping, and the size hint for the worst case. */
  char worst_sub[257];
  memset(worst_sub, 0x01, 256);
  worst_sub[256] = 0;
  const char *kid = "\"\"\"\"";
  size_t hint = notiflows_auth_sign_buffer_size(256, 4);
  uint8_t *big = malloc(hint);
  CHECK_OK(notiflows_auth_signing_key_sign(key, S(worst_sub), now, NOTIFLOWS_AUTH_NO_EXPIRY, S(kid), big, hint, &got));
  CHECK(got <= hint);
  char worst_token[4096];
  memcpy(worst_token, big, got);
  worst_token[got] = 0;
  free(big);
  CHECK_OK(verify(verifier, worst_token, now, sub, &claims));
  CHECK(strcmp(sub, worst_sub) == 0 && !claims.exp.present && claims.iat.seconds == now);
  CHECK_OK(verify(verifier, worst_token, INT64_MAX, sub, &claims));

  /* A sub buffer too small reports the size; a NULL one with length 0 is a size query. */
  size_t sub_len = 0;
  CHECK_RESULT(notiflows_auth_verifier_verify(verifier, S(token), now, (uint8_t *)sub, 3, &sub_len, &claims),
               NOTIFLOWS_AUTH_RESULT_BUFFER_TOO_SMALL);
  CHECK(sub_len == 7);
  CHECK_RESULT(notiflows_auth_verifier_verify(verifier, S(token), now, NULL, 0, &sub_len, &claims),
               NOTIFLOWS_AUTH_RESULT_BUFFER_TOO_SMALL);
  CHECK_RESULT(notiflows_auth_verifier_verify(verifier, S(token), now, NULL, 1, &sub_len, &claims),
               NOTIFLOWS_AUTH_RESULT_NULL_ARGUMENT);
  CHECK_RESULT(notiflows_auth_verifier_verify(verifier, S(token), now, (uint8_t *)sub, 10, &sub_len, NULL),
               NOTIFLOWS_AUTH_RESULT_NULL_ARGUMENT);
  CHECK_RESULT(notiflows_auth_verifier_verify(verifier, S(token), now, (uint8_t *)sub, 10, NULL, &claims),
               NOTIFLOWS_AUTH_RESULT_NULL_ARGUMENT);
  CHECK_RESULT(notiflows_auth_verifier_verify(verifier, NULL, 1, now, (uint8_t *)sub, 10, &sub_len, &claims),
               NOTIFLOWS_AUTH_RESULT_NULL_ARGUMENT);
  CHECK_RESULT(notiflows_auth_verifier_verify(verifier, NULL, 0, now, (uint8_t *)sub, 10, &sub_len, &claims),
               NOTIFLOWS_AUTH_RESULT_TOKEN_MALFORMED);
  CHECK_RESULT(notiflows_auth_verifier_verify(NULL, S(token), now, (uint8_t *)sub, 10, &sub_len, &claims),
               NOTIFLOWS_AUTH_RESULT_NULL_ARGUMENT);

  /* Token errors and their order: signature before claims. */
  CHECK_RESULT(verify(verifier, "a.b", now, sub, &claims), NOTIFLOWS_AUTH_RESULT_TOKEN_MALFORMED);
  CHECK_RESULT(verify(verifier, "", now, sub, &claims), NOTIFLOWS_AUTH_RESULT_TOKEN_MALFORMED);
  char tampered[4096];
  strcpy(tampered, token);
  tampered[strlen(tampered) - 2] = tampered[strlen(tampered) - 2] == 'A' ? 'B' : 'A';
  CHECK_RESULT(verify(verifier, tampered, now + 999999, sub, &claims), NOTIFLOWS_AUTH_RESULT_SIGNATURE_INVALID);
  CHECK_RESULT(verify(verifier, "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.", now, sub, &claims),
               NOTIFLOWS_AUTH_RESULT_ALG_NOT_ALLOWED);

  /* Sign errors. */
  CHECK_RESULT(sign(key, "", now, 3600, tampered, sizeof tampered), NOTIFLOWS_AUTH_RESULT_CLAIM_INVALID);
  CHECK(strcmp(last_claim(), "sub") == 0);
  CHECK_RESULT(sign(key, "\xff", now, 3600, tampered, sizeof tampered), NOTIFLOWS_AUTH_RESULT_INVALID_UTF8);
  CHECK_RESULT(sign(key, "x", INT64_MAX, 3600, tampered, sizeof tampered), NOTIFLOWS_AUTH_RESULT_CLAIM_INVALID);
  CHECK(strcmp(last_claim(), "exp") == 0);
  CHECK_RESULT(notiflows_auth_signing_key_sign(key, S("x"), now, 1, S("\xc3"), exact, sizeof exact, &got),
               NOTIFLOWS_AUTH_RESULT_INVALID_UTF8);
  CHECK_RESULT(notiflows_auth_signing_key_sign(NULL, S("x"), now, 1, NULL, 0, exact, sizeof exact, &got),
               NOTIFLOWS_AUTH_RESULT_NULL_ARGUMENT);
  CHECK_RESULT(notiflows_auth_signing_key_sign(key, NULL, 1, now, 1, NULL, 0, exact, sizeof exact, &got),
               NOTIFLOWS_AUTH_RESULT_NULL_ARGUMENT);
  CHECK_RESULT(notiflows_auth_signing_key_sign(key, NULL, 0, now, 1, NULL, 0, exact, sizeof exact, &got),
               NOTIFLOWS_AUTH_RESULT_CLAIM_INVALID);
  CHECK_RESULT(notiflows_auth_signing_key_sign(key, S("x"), now, 1, NULL, 0, exact, sizeof exact, NULL),
               NOTIFLOWS_AUTH_RESULT_NULL_ARGUMENT);

  /* The system clock, on both sides. */
  CHECK_OK(sign(key, "now-user", NOTIFLOWS_AUTH_CURRENT_TIME, 60, token, sizeof token));
  CHECK_OK(verify(verifier, token, NOTIFLOWS_AUTH_CURRENT_TIME, sub, &claims));
  CHECK(claims.iat.seconds > 1700000000 && claims.exp.seconds == claims.iat.seconds + 60);

  notiflows_auth_verifier_free(verifier);
  notiflows_auth_public_key_free(public_key);
  notiflows_auth_signing_key_free(key);
}

static void test_policy(void) {
  notiflows_auth_signing_key *key = corpus_signing_key();
  notiflows_auth_public_key *public_key = public_of(key);
  const int64_t now = 1700000000;
  char token[4096], no_exp[4096], sub[NOTIFLOWS_AUTH_MAX_SUBJECT_BYTES + 1];
  notiflows_auth_claims claims;
  CHECK_OK(sign(key, "u", now, 7200, token, sizeof token));
  CHECK_OK(sign(key, "u", now, NOTIFLOWS_AUTH_NO_EXPIRY, no_exp, sizeof no_exp));

  notiflows_auth_policy *policy = NULL;
  CHECK_RESULT(notiflows_auth_policy_new(NULL), NOTIFLOWS_AUTH_RESULT_NULL_ARGUMENT);
  CHECK_OK(notiflows_auth_policy_new(&policy));
  CHECK_OK(notiflows_auth_policy_set_leeway_seconds(policy, 30));
  CHECK_OK(notiflows_auth_policy_set_require_exp(policy, true));
  CHECK_OK(notiflows_auth_policy_set_max_lifetime_seconds(policy, 3600));
  CHECK_OK(notiflows_auth_policy_set_iat_skew_seconds(policy, 0));
  CHECK_RESULT(notiflows_auth_policy_set_max_token_bytes(policy, 0), NOTIFLOWS_AUTH_RESULT_CONFIG_INVALID);
  CHECK_RESULT(notiflows_auth_policy_set_max_token_bytes(policy, 16385), NOTIFLOWS_AUTH_RESULT_CONFIG_INVALID);
  CHECK_OK(notiflows_auth_policy_set_max_token_bytes(policy, 16384));
  CHECK_RESULT(notiflows_auth_policy_set_leeway_seconds(NULL, 1), NOTIFLOWS_AUTH_RESULT_NULL_ARGUMENT);
  CHECK_RESULT(notiflows_auth_policy_set_require_exp(NULL, true), NOTIFLOWS_AUTH_RESULT_NULL_ARGUMENT);
  CHECK_RESULT(notiflows_auth_policy_set_max_lifetime_seconds(NULL, 1), NOTIFLOWS_AUTH_RESULT_NULL_ARGUMENT);
  /* 0 is not "no limit" (the core refuses it, as every binding does); the sentinel is. */
  CHECK_RESULT(notiflows_auth_policy_set_max_lifetime_seconds(policy, 0), NOTIFLOWS_AUTH_RESULT_CONFIG_INVALID);
  CHECK(strstr(last_message(), "leave it unset for no limit") != NULL);
  CHECK_RESULT(notiflows_auth_policy_set_max_token_bytes(NULL, 1), NOTIFLOWS_AUTH_RESULT_NULL_ARGUMENT);
  CHECK_RESULT(notiflows_auth_policy_set_iat_skew_seconds(NULL, 1), NOTIFLOWS_AUTH_RESULT_NULL_ARGUMENT);
  /* The provider, by its core name; an unknown one is refused naming the known ones. */
  CHECK_RESULT(notiflows_auth_policy_set_provider(policy, S("openssl")), NOTIFLOWS_AUTH_RESULT_CONFIG_INVALID);
  CHECK(strstr(last_message(), "\"ring\"") != NULL && strstr(last_message(), "\"aws-lc-rs\"") != NULL);
  CHECK_RESULT(notiflows_auth_policy_set_provider(NULL, S("ring")), NOTIFLOWS_AUTH_RESULT_NULL_ARGUMENT);
  CHECK_RESULT(notiflows_auth_policy_set_provider(policy, NULL, 4), NOTIFLOWS_AUTH_RESULT_NULL_ARGUMENT);
  CHECK_OK(notiflows_auth_policy_set_provider(policy, S("aws-lc-rs")));

  notiflows_auth_verifier *strict = NULL;
  CHECK_RESULT(notiflows_auth_verifier_new(NULL, policy, 0, &strict), NOTIFLOWS_AUTH_RESULT_NULL_ARGUMENT);
  CHECK_RESULT(notiflows_auth_verifier_new(public_key, policy, 0, NULL), NOTIFLOWS_AUTH_RESULT_NULL_ARGUMENT);
  CHECK_OK(notiflows_auth_verifier_new(public_key, policy, 0, &strict));
  const char *provider = NULL;
  CHECK_OK(notiflows_auth_verifier_provider(strict, &provider));
  CHECK(strcmp(provider, "aws-lc-rs") == 0);
  CHECK_RESULT(notiflows_auth_verifier_provider(NULL, &provider), NOTIFLOWS_AUTH_RESULT_NULL_ARGUMENT);
  CHECK_RESULT(notiflows_auth_verifier_provider(strict, NULL), NOTIFLOWS_AUTH_RESULT_NULL_ARGUMENT);
  /* The verifier copied the policy: changing or freeing it now changes nothing. */
  CHECK_OK(notiflows_auth_policy_set_leeway_seconds(policy, 0));
  notiflows_auth_policy_free(policy);

  CHECK_RESULT(verify(strict, token, now, sub, &claims), NOTIFLOWS_AUTH_RESULT_CLAIM_INVALID);
  CHECK(strcmp(last_claim(), "exp") == 0 && strstr(last_message(), "lifetime") != NULL);
  CHECK_RESULT(verify(strict, no_exp, now, sub, &claims), NOTIFLOWS_AUTH_RESULT_CLAIM_MISSING);
  CHECK(strcmp(last_claim(), "exp") == 0);
  char short_lived[4096];
  CHECK_OK(sign(key, "u", now, 100, short_lived, sizeof short_lived));
  CHECK_OK(verify(strict, short_lived, now + 129, sub, &claims)); /* leeway 30 */
  CHECK_RESULT(verify(strict, short_lived, now + 130, sub, &claims), NOTIFLOWS_AUTH_RESULT_TOKEN_EXPIRED);
  CHECK_RESULT(verify(strict, short_lived, now - 1, sub, &claims), NOTIFLOWS_AUTH_RESULT_TOKEN_ISSUED_IN_FUTURE);
  notiflows_auth_verifier_free(strict);

  /* A small size limit. */
  CHECK_OK(notiflows_auth_policy_new(&policy));
  CHECK_OK(notiflows_auth_policy_set_max_token_bytes(policy, 100));
  notiflows_auth_verifier *tiny = NULL;
  CHECK_OK(notiflows_auth_verifier_new(public_key, policy, 0, &tiny));
  CHECK_RESULT(verify(tiny, token, now, sub, &claims), NOTIFLOWS_AUTH_RESULT_TOKEN_TOO_LARGE);
  notiflows_auth_verifier_free(tiny);
  notiflows_auth_policy_free(policy);

  notiflows_auth_public_key_free(public_key);
  notiflows_auth_signing_key_free(key);
}

static void test_cache(void) {
  notiflows_auth_signing_key *key = corpus_signing_key();
  notiflows_auth_public_key *public_key = public_of(key);
  notiflows_auth_verifier *cached = NULL;
  CHECK_OK(notiflows_auth_verifier_new(public_key, NULL, 2, &cached));
  const int64_t now = 1700000000;
  char token[4096], sub[NOTIFLOWS_AUTH_MAX_SUBJECT_BYTES + 1];
  notiflows_auth_claims claims;
  CHECK_OK(sign(key, "cached", now, 100, token, sizeof token));
  CHECK_OK(verify(cached, token, now, sub, &claims));
  /* A hit still checks the times. */
  CHECK_OK(verify(cached, token, now + 99, sub, &claims));
  CHECK(strcmp(sub, "cached") == 0 && claims.exp.seconds == now + 100);
  CHECK_RESULT(verify(cached, token, now + 100, sub, &claims), NOTIFLOWS_AUTH_RESULT_TOKEN_EXPIRED);
  CHECK_RESULT(verify(cached, token, now - 100, sub, &claims), NOTIFLOWS_AUTH_RESULT_TOKEN_ISSUED_IN_FUTURE);
  /* A token over the size limit is refused before the cache hashes it. */
  size_t big_len = 4u << 20;
  uint8_t *big = malloc(big_len);
  CHECK(big != NULL);
  memset(big, 'a', big_len);
  size_t sub_len = 0;
  CHECK_RESULT(notiflows_auth_verifier_verify(cached, big, big_len, now, (uint8_t *)sub, sizeof sub, &sub_len, &claims),
               NOTIFLOWS_AUTH_RESULT_TOKEN_TOO_LARGE);
  free(big);
  /* More tokens than the capacity: older ones are evicted and verified again. */
  for (int i = 0; i < 5; i++) {
    char other[4096], name[16];
    snprintf(name, sizeof name, "user-%d", i);
    CHECK_OK(sign(key, name, now, 100, other, sizeof other));
    CHECK_OK(verify(cached, other, now, sub, &claims));
    CHECK(strcmp(sub, name) == 0);
  }
  CHECK_OK(verify(cached, token, now, sub, &claims));
  CHECK(strcmp(sub, "cached") == 0);
  notiflows_auth_verifier_free(cached);
  notiflows_auth_public_key_free(public_key);
  notiflows_auth_signing_key_free(key);
}

/* Authenticates with the given Notiflows headers and Origin (NULL: not sent). */
static notiflows_auth_result authenticate(const notiflows_auth_authenticator *auth, const char *api_key,
                                          const char *user_key, const char *user_id, const char *origin,
                                          int64_t now, char *user, notiflows_auth_authenticated *out) {
  notiflows_auth_header headers[5];
  size_t n = 0;
  headers[n++] = (notiflows_auth_header){S("Content-Type"), S("application/json")};
  if (api_key) headers[n++] = (notiflows_auth_header){S("X-Notiflows-Api-Key"), S(api_key)};
  if (user_key) headers[n++] = (notiflows_auth_header){S("x-notiflows-user-key"), S(user_key)};
  if (user_id) headers[n++] = (notiflows_auth_header){S("X-NOTIFLOWS-USER-ID"), S(user_id)};
  if (origin) headers[n++] = (notiflows_auth_header){S("Origin"), S(origin)};
  size_t len = 0;
  notiflows_auth_result r = notiflows_auth_authenticator_authenticate(
      auth, headers, n, now, (uint8_t *)user, NOTIFLOWS_AUTH_MAX_SUBJECT_BYTES, &len, out);
  user[r == NOTIFLOWS_AUTH_RESULT_OK ? len : 0] = 0;
  return r;
}

static void test_authenticator(void) {
  notiflows_auth_signing_key *key = corpus_signing_key();
  notiflows_auth_public_key *public_key = public_of(key);
  const int64_t now = 1700000000;
  char token[4096], user[NOTIFLOWS_AUTH_MAX_SUBJECT_BYTES + 1];
  notiflows_auth_authenticated out;
  CHECK_OK(sign(key, "alice", now, 3600, token, sizeof token));

  notiflows_auth_authenticator *auth = NULL;
  CHECK_RESULT(notiflows_auth_authenticator_new(NULL, 0, NULL), NOTIFLOWS_AUTH_RESULT_NULL_ARGUMENT);
  CHECK_OK(notiflows_auth_authenticator_new(NULL, NOTIFLOWS_AUTH_DEFAULT_CACHE_CAPACITY, &auth));
  const char *provider = NULL;
  CHECK_OK(notiflows_auth_authenticator_provider(auth, &provider));
  CHECK(strcmp(provider, "ring") == 0);
  CHECK_RESULT(notiflows_auth_authenticator_provider(NULL, &provider), NOTIFLOWS_AUTH_RESULT_NULL_ARGUMENT);
  notiflows_auth_bytes origins[] = {{S("https://app.example.com")}, {S("https://*.example.org")}};
  CHECK_OK(notiflows_auth_authenticator_add_project(auth, S("pk_secure"), NOTIFLOWS_AUTH_SECURITY_MODE_SECURE,
                                                    public_key, origins, 2));
  CHECK_OK(notiflows_auth_authenticator_add_project(auth, S("pk_dev"), NOTIFLOWS_AUTH_SECURITY_MODE_DEVELOPMENT,
                                                    NULL, NULL, 0));
  CHECK_OK(notiflows_auth_authenticator_add_project(auth, S("pk_nokey"), NOTIFLOWS_AUTH_SECURITY_MODE_SECURE, NULL,
                                                    NULL, 0));

  /* Configuration errors. */
  CHECK_RESULT(notiflows_auth_authenticator_add_project(auth, S("pk x"), 0, NULL, NULL, 0),
               NOTIFLOWS_AUTH_RESULT_CONFIG_INVALID);
  CHECK_RESULT(notiflows_auth_authenticator_add_project(auth, S("pk_bad_mode"), 7, NULL, NULL, 0),
               NOTIFLOWS_AUTH_RESULT_CONFIG_INVALID);
  notiflows_auth_bytes bad_origins[] = {{S("*")}};
  CHECK_RESULT(notiflows_auth_authenticator_add_project(auth, S("pk_bad_origin"), 0, NULL, bad_origins, 1),
               NOTIFLOWS_AUTH_RESULT_CONFIG_INVALID);
  CHECK(strstr(last_message(), "leave the list empty") != NULL);
  notiflows_auth_bytes null_origin[] = {{NULL, 3}};
  CHECK_RESULT(notiflows_auth_authenticator_add_project(auth, S("pk_null"), 0, NULL, null_origin, 1),
               NOTIFLOWS_AUTH_RESULT_NULL_ARGUMENT);
  CHECK_RESULT(notiflows_auth_authenticator_add_project(auth, S("pk_null"), 0, NULL, NULL, 1),
               NOTIFLOWS_AUTH_RESULT_NULL_ARGUMENT);
  CHECK_RESULT(notiflows_auth_authenticator_add_project(NULL, S("pk"), 0, NULL, NULL, 0),
               NOTIFLOWS_AUTH_RESULT_NULL_ARGUMENT);
  CHECK_RESULT(notiflows_auth_authenticator_add_project(auth, S("\xff"), 0, NULL, NULL, 0),
               NOTIFLOWS_AUTH_RESULT_INVALID_UTF8);

  /* Secure Mode. */
  CHECK_OK(authenticate(auth, "pk_secure", token, NULL, "https://app.example.com", now, user, &out));
  CHECK(strcmp(user, "alice") == 0);
  CHECK(out.mode == NOTIFLOWS_AUTH_SECURITY_MODE_SECURE && out.credential == NOTIFLOWS_AUTH_CREDENTIAL_USER_KEY);
  CHECK(out.expires_at.present && out.expires_at.seconds == now + 3600);
  CHECK_OK(authenticate(auth, "pk_secure", token, NULL, "https://a.b.example.org", now, user, &out));
  CHECK_OK(authenticate(auth, "pk_secure", token, NULL, NULL, now, user, &out));
  CHECK_RESULT(authenticate(auth, "pk_secure", token, NULL, "https://example.org", now, user, &out),
               NOTIFLOWS_AUTH_RESULT_ORIGIN_NOT_ALLOWED);
  uint16_t status = 0;
  char body[1024];
  size_t body_len = 0;
  CHECK_OK(notiflows_auth_last_error_response(&status, (uint8_t *)body, sizeof body, &body_len));
  CHECK(status == 403 && strncmp(body, "{\"code\":\"origin_not_allowed\"", 28) == 0);
  CHECK_RESULT(authenticate(auth, "pk_secure", token, NULL, "https://evil.test\xff", now, user, &out),
               NOTIFLOWS_AUTH_RESULT_ORIGIN_NOT_ALLOWED);
  /* An empty Origin is present, and not allowed; a missing one is not checked. */
  CHECK_RESULT(authenticate(auth, "pk_secure", token, NULL, "", now, user, &out),
               NOTIFLOWS_AUTH_RESULT_ORIGIN_NOT_ALLOWED);
  CHECK_RESULT(authenticate(auth, "pk_secure", NULL, "alice", NULL, now, user, &out),
               NOTIFLOWS_AUTH_RESULT_USER_KEY_MISSING);
  CHECK_OK(notiflows_auth_last_error_response(&status, (uint8_t *)body, sizeof body, &body_len));
  CHECK(status == 401 && strstr(body, "Security Mode is on") != NULL);
  CHECK_RESULT(authenticate(auth, "pk_secure", token, NULL, NULL, now + 3600, user, &out),
               NOTIFLOWS_AUTH_RESULT_TOKEN_EXPIRED);
  CHECK_RESULT(authenticate(auth, NULL, token, NULL, NULL, now, user, &out), NOTIFLOWS_AUTH_RESULT_API_KEY_MISSING);
  CHECK_RESULT(authenticate(auth, "pk_unknown", token, NULL, NULL, now, user, &out),
               NOTIFLOWS_AUTH_RESULT_API_KEY_INVALID);
  CHECK_RESULT(authenticate(auth, "pk_nokey", token, NULL, NULL, now, user, &out),
               NOTIFLOWS_AUTH_RESULT_SIGNING_KEY_NOT_CONFIGURED);
  CHECK_RESULT(authenticate(auth, "pk_nokey", NULL, NULL, NULL, now, user, &out),
               NOTIFLOWS_AUTH_RESULT_SIGNING_KEY_NOT_CONFIGURED);

  /* Development Mode: the user id, or a user key that wins. */
  CHECK_OK(authenticate(auth, "pk_dev", NULL, "bob", NULL, now, user, &out));
  CHECK(strcmp(user, "bob") == 0 && out.mode == NOTIFLOWS_AUTH_SECURITY_MODE_DEVELOPMENT);
  CHECK(out.credential == NOTIFLOWS_AUTH_CREDENTIAL_USER_ID && !out.expires_at.present);
  CHECK_RESULT(authenticate(auth, "pk_dev", NULL, NULL, NULL, now, user, &out), NOTIFLOWS_AUTH_RESULT_USER_ID_MISSING);
  CHECK_RESULT(authenticate(auth, "pk_dev", NULL, "bad\nid", NULL, now, user, &out),
               NOTIFLOWS_AUTH_RESULT_USER_ID_INVALID);
  CHECK_RESULT(authenticate(auth, "pk_dev", token, "bob", NULL, now, user, &out),
               NOTIFLOWS_AUTH_RESULT_SIGNING_KEY_NOT_CONFIGURED);
  CHECK_OK(notiflows_auth_authenticator_set_signing_key(auth, S("pk_dev"), public_key));
  CHECK_OK(authenticate(auth, "pk_dev", token, "bob", NULL, now, user, &out));
  CHECK(strcmp(user, "alice") == 0 && out.credential == NOTIFLOWS_AUTH_CREDENTIAL_USER_KEY);

  /* A header sent twice is refused. */
  notiflows_auth_header twice[] = {
      {S("x-notiflows-api-key"), S("pk_dev")},
      {S("x-notiflows-user-id"), S("a")},
      {S("X-Notiflows-User-Id"), S("b")},
  };
  size_t user_len = 0;
  CHECK_RESULT(notiflows_auth_authenticator_authenticate(auth, twice, 3, now, (uint8_t *)user,
                                                         sizeof user, &user_len, &out),
               NOTIFLOWS_AUTH_RESULT_USER_ID_INVALID);
  CHECK(strstr(last_message(), "more than once") != NULL);
  /* Origin is one of the headers, read by the same rule: sent twice, it is refused (403)... */
  notiflows_auth_header origin_twice[] = {
      {S("x-notiflows-api-key"), S("pk_dev")},
      {S("x-notiflows-user-id"), S("a")},
      {S("Origin"), S("https://a.test")},
      {S("origin"), S("https://a.test")},
  };
  CHECK_RESULT(notiflows_auth_authenticator_authenticate(auth, origin_twice, 4, now, (uint8_t *)user, sizeof user,
                                                         &user_len, &out),
               NOTIFLOWS_AUTH_RESULT_ORIGIN_NOT_ALLOWED);
  CHECK(strstr(last_message(), "more than once") != NULL);
  /* ...after the API key, which comes first. */
  CHECK_RESULT(notiflows_auth_authenticator_authenticate(auth, origin_twice + 2, 2, now, (uint8_t *)user, sizeof user,
                                                         &user_len, &out),
               NOTIFLOWS_AUTH_RESULT_API_KEY_MISSING);
  /* Whitespace around a value is not part of it. */
  notiflows_auth_header padded[] = {{S("x-notiflows-api-key"), S(" pk_dev\t")}, {S("x-notiflows-user-id"), S("  a ")}};
  CHECK_OK(notiflows_auth_authenticator_authenticate(auth, padded, 2, now, (uint8_t *)user, sizeof user, &user_len,
                                                     &out));
  CHECK(user_len == 1 && user[0] == 'a');
  /* An over-long API key is refused before it is decoded or looked up. */
  size_t huge_len = 4u << 20;
  uint8_t *huge = malloc(huge_len);
  CHECK(huge != NULL);
  memset(huge, 0xff, huge_len);
  notiflows_auth_header huge_key[] = {{S("x-notiflows-api-key"), huge, huge_len}};
  CHECK_RESULT(notiflows_auth_authenticator_authenticate(auth, huge_key, 1, now, (uint8_t *)user, sizeof user,
                                                         &user_len, &out),
               NOTIFLOWS_AUTH_RESULT_API_KEY_INVALID);
  CHECK(strstr(last_message(), "longer than 256 bytes") != NULL);
  free(huge);

  /* The user id buffer protocol and NULL checks. */
  notiflows_auth_header dev[] = {{S("x-notiflows-api-key"), S("pk_dev")}, {S("x-notiflows-user-id"), S("carol")}};
  CHECK_RESULT(notiflows_auth_authenticator_authenticate(auth, dev, 2, now, NULL, 0, &user_len, &out),
               NOTIFLOWS_AUTH_RESULT_BUFFER_TOO_SMALL);
  CHECK(user_len == 5);
  CHECK_RESULT(notiflows_auth_authenticator_authenticate(auth, NULL, 2, now, (uint8_t *)user, sizeof user,
                                                         &user_len, &out),
               NOTIFLOWS_AUTH_RESULT_NULL_ARGUMENT);
  CHECK_RESULT(notiflows_auth_authenticator_authenticate(auth, NULL, 0, now, (uint8_t *)user, sizeof user,
                                                         &user_len, &out),
               NOTIFLOWS_AUTH_RESULT_API_KEY_MISSING);
  notiflows_auth_header null_value[] = {{S("x-notiflows-api-key"), NULL, 2}};
  CHECK_RESULT(notiflows_auth_authenticator_authenticate(auth, null_value, 1, now, (uint8_t *)user,
                                                         sizeof user, &user_len, &out),
               NOTIFLOWS_AUTH_RESULT_NULL_ARGUMENT);
  CHECK_RESULT(notiflows_auth_authenticator_authenticate(NULL, dev, 2, now, (uint8_t *)user, sizeof user,
                                                         &user_len, &out),
               NOTIFLOWS_AUTH_RESULT_NULL_ARGUMENT);
  CHECK_RESULT(notiflows_auth_authenticator_authenticate(auth, dev, 2, now, (uint8_t *)user, sizeof user,
                                                         &user_len, NULL),
               NOTIFLOWS_AUTH_RESULT_NULL_ARGUMENT);

  /* Mode switches. */
  CHECK_OK(notiflows_auth_authenticator_set_security_mode(auth, S("pk_dev"), NOTIFLOWS_AUTH_SECURITY_MODE_SECURE));
  CHECK_RESULT(authenticate(auth, "pk_dev", NULL, "bob", NULL, now, user, &out), NOTIFLOWS_AUTH_RESULT_USER_KEY_MISSING);
  CHECK_RESULT(notiflows_auth_authenticator_set_security_mode(auth, S("pk_dev"), 2), NOTIFLOWS_AUTH_RESULT_CONFIG_INVALID);
  CHECK_RESULT(notiflows_auth_authenticator_set_security_mode(auth, S("pk_nope"), 0), NOTIFLOWS_AUTH_RESULT_API_KEY_INVALID);
  CHECK_RESULT(notiflows_auth_authenticator_set_security_mode(NULL, S("pk_dev"), 0), NOTIFLOWS_AUTH_RESULT_NULL_ARGUMENT);

  /* Origins. */
  notiflows_auth_bytes localhost[] = {{S("http://localhost:3000")}};
  CHECK_OK(notiflows_auth_authenticator_set_allowed_origins(auth, S("pk_secure"), localhost, 1));
  CHECK_OK(authenticate(auth, "pk_secure", token, NULL, "http://LOCALHOST:3000", now, user, &out));
  CHECK_RESULT(authenticate(auth, "pk_secure", token, NULL, "https://app.example.com", now, user, &out),
               NOTIFLOWS_AUTH_RESULT_ORIGIN_NOT_ALLOWED);
  CHECK_RESULT(notiflows_auth_authenticator_set_allowed_origins(auth, S("pk_secure"), bad_origins, 1),
               NOTIFLOWS_AUTH_RESULT_CONFIG_INVALID);
  CHECK_OK(authenticate(auth, "pk_secure", token, NULL, "http://localhost:3000", now, user, &out));
  CHECK_RESULT(notiflows_auth_authenticator_set_allowed_origins(NULL, S("pk_secure"), NULL, 0),
               NOTIFLOWS_AUTH_RESULT_NULL_ARGUMENT);

  /* CORS: name/value pairs read from the request's headers. */
  notiflows_auth_header cors[NOTIFLOWS_AUTH_MAX_CORS_HEADERS];
  size_t cors_count = 0, need = 0;
  notiflows_auth_header preflight[] = {{S("Origin"), S("http://localhost:3000")},
                                       {S("Access-Control-Request-Method"), S("POST")}};
  CHECK_OK(notiflows_auth_authenticator_cors_preflight(auth, preflight, 2, S("pk_secure"), cors,
                                                       NOTIFLOWS_AUTH_MAX_CORS_HEADERS, &cors_count));
  CHECK(cors_count == 5);
  CHECK_BYTES(cors[0].name, cors[0].name_len, "Vary");
  CHECK_BYTES(cors[0].value, cors[0].value_len, "Origin");
  CHECK_BYTES(cors[1].name, cors[1].name_len, "Access-Control-Allow-Origin");
  CHECK_BYTES(cors[1].value, cors[1].value_len, "http://localhost:3000");
  CHECK(cors[1].value == preflight[0].value); /* borrowed from the request */
  CHECK_BYTES(cors[2].name, cors[2].name_len, "Access-Control-Allow-Headers");
  CHECK_BYTES(cors[2].value, cors[2].value_len,
              "x-notiflows-api-key, x-notiflows-user-key, x-notiflows-user-id, content-type");
  CHECK_BYTES(cors[3].value, cors[3].value_len, "GET, POST, PUT, PATCH, DELETE, OPTIONS");
  CHECK_BYTES(cors[4].name, cors[4].name_len, "Access-Control-Max-Age");
  CHECK_BYTES(cors[4].value, cors[4].value_len, "7200");
  notiflows_auth_header evil[] = {{S("x-notiflows-api-key"), S("pk_secure")}, {S("Origin"), S("https://evil.test")}};
  CHECK_OK(notiflows_auth_authenticator_cors_response(auth, evil, 2, cors, NOTIFLOWS_AUTH_MAX_CORS_HEADERS,
                                                      &cors_count));
  CHECK(cors_count == 1);
  CHECK_BYTES(cors[0].name, cors[0].name_len, "Vary");
  /* No API key: a well-formed origin is echoed. */
  CHECK_OK(notiflows_auth_authenticator_cors_response(auth, evil + 1, 1, cors, NOTIFLOWS_AUTH_MAX_CORS_HEADERS,
                                                      &cors_count));
  CHECK(cors_count == 2);
  CHECK_BYTES(cors[1].value, cors[1].value_len, "https://evil.test");
  CHECK_OK(notiflows_auth_authenticator_cors_preflight(auth, NULL, 0, NULL, 0, cors, NOTIFLOWS_AUTH_MAX_CORS_HEADERS,
                                                       &cors_count));
  CHECK(cors_count == 1);
  CHECK_RESULT(notiflows_auth_authenticator_cors_preflight(auth, preflight, 1, NULL, 0, NULL, 0, &need),
               NOTIFLOWS_AUTH_RESULT_BUFFER_TOO_SMALL);
  CHECK(need == 5);
  CHECK_RESULT(notiflows_auth_authenticator_cors_response(NULL, NULL, 0, cors, NOTIFLOWS_AUTH_MAX_CORS_HEADERS,
                                                          &cors_count),
               NOTIFLOWS_AUTH_RESULT_NULL_ARGUMENT);

  /* Rotation: the old token fails as soon as the call returns; the new key signs. */
  notiflows_auth_key_pair *pair = NULL;
  CHECK_OK(notiflows_auth_authenticator_rotate_signing_key(auth, S("pk_secure"), 2048, &pair));
  CHECK_RESULT(authenticate(auth, "pk_secure", token, NULL, NULL, now, user, &out),
               NOTIFLOWS_AUTH_RESULT_KEY_UNKNOWN); /* its kid names the key just removed */
  static uint8_t private_text[8192];
  size_t private_len = 0;
  CHECK_OK(notiflows_auth_key_pair_private_key_base64(pair, private_text, sizeof private_text, &private_len));
  notiflows_auth_signing_key *rotated = NULL;
  CHECK_OK(notiflows_auth_signing_key_parse(private_text, private_len, &rotated));
  char new_token[4096];
  CHECK_OK(sign(rotated, "alice", now, 3600, new_token, sizeof new_token));
  CHECK_OK(authenticate(auth, "pk_secure", new_token, NULL, NULL, now, user, &out));
  notiflows_auth_signing_key_free(rotated);
  notiflows_auth_key_pair_free(pair);
  pair = NULL;
  CHECK_RESULT(notiflows_auth_authenticator_rotate_signing_key(auth, S("pk_nope"), 2048, &pair),
               NOTIFLOWS_AUTH_RESULT_API_KEY_INVALID);
  CHECK_RESULT(notiflows_auth_authenticator_rotate_signing_key(auth, S("pk_secure"), 1000, &pair),
               NOTIFLOWS_AUTH_RESULT_KEY_UNSUPPORTED);
  CHECK_RESULT(notiflows_auth_authenticator_rotate_signing_key(auth, S("pk_secure"), 2048, NULL),
               NOTIFLOWS_AUTH_RESULT_NULL_ARGUMENT);
  CHECK(pair == NULL);
  /* Setting the key back, then removing it. */
  CHECK_OK(notiflows_auth_authenticator_set_signing_key(auth, S("pk_secure"), public_key));
  CHECK_OK(authenticate(auth, "pk_secure", token, NULL, NULL, now, user, &out));
  CHECK_OK(notiflows_auth_authenticator_set_signing_key(auth, S("pk_secure"), NULL));
  CHECK_RESULT(authenticate(auth, "pk_secure", token, NULL, NULL, now, user, &out),
               NOTIFLOWS_AUTH_RESULT_SIGNING_KEY_NOT_CONFIGURED);
  CHECK_RESULT(notiflows_auth_authenticator_set_signing_key(auth, S("pk_nope"), public_key),
               NOTIFLOWS_AUTH_RESULT_API_KEY_INVALID);
  CHECK_RESULT(notiflows_auth_authenticator_set_signing_key(NULL, S("pk_secure"), NULL),
               NOTIFLOWS_AUTH_RESULT_NULL_ARGUMENT);

  /* Removing projects. */
  bool removed = false;
  CHECK_OK(notiflows_auth_authenticator_remove_project(auth, S("pk_nokey"), &removed));
  CHECK(removed);
  CHECK_OK(notiflows_auth_authenticator_remove_project(auth, S("pk_nokey"), &removed));
  CHECK(!removed);
  CHECK_RESULT(authenticate(auth, "pk_nokey", NULL, NULL, NULL, now, user, &out), NOTIFLOWS_AUTH_RESULT_API_KEY_INVALID);
  CHECK_RESULT(notiflows_auth_authenticator_remove_project(auth, S("pk_dev"), NULL), NOTIFLOWS_AUTH_RESULT_NULL_ARGUMENT);

  notiflows_auth_authenticator_free(auth);

  /* A policy applies to every project. */
  notiflows_auth_policy *policy = NULL;
  CHECK_OK(notiflows_auth_policy_new(&policy));
  CHECK_OK(notiflows_auth_policy_set_require_exp(policy, true));
  CHECK_OK(notiflows_auth_policy_set_provider(policy, S("aws-lc-rs")));
  CHECK_OK(notiflows_auth_authenticator_new(policy, 0, &auth));
  notiflows_auth_policy_free(policy);
  CHECK_OK(notiflows_auth_authenticator_provider(auth, &provider));
  CHECK(strcmp(provider, "aws-lc-rs") == 0);
  CHECK_OK(notiflows_auth_authenticator_add_project(auth, S("pk"), 0, public_key, NULL, 0));
  char no_exp[4096];
  CHECK_OK(sign(key, "alice", now, NOTIFLOWS_AUTH_NO_EXPIRY, no_exp, sizeof no_exp));
  CHECK_RESULT(authenticate(auth, "pk", no_exp, NULL, NULL, now, user, &out), NOTIFLOWS_AUTH_RESULT_CLAIM_MISSING);
  CHECK_OK(authenticate(auth, "pk", token, NULL, NULL, now, user, &out));
  notiflows_auth_authenticator_free(auth);

  notiflows_auth_public_key_free(public_key);
  notiflows_auth_signing_key_free(key);
}

/* Many threads share one verifier (with its cache) and one authenticator whose project is
 * switched between modes meanwhile: every answer must be one of the two modes' answers. */
struct shared {
  const notiflows_auth_verifier *verifier;
  const notiflows_auth_authenticator *auth;
  const char *token;
  int failures;
};

/* Signs with a kid mode into `token` (NUL-terminated). */
static notiflows_auth_result sign_kid(const notiflows_auth_signing_key *key, const char *sub, int64_t now,
                                      uint32_t mode, const char *kid, char *token, size_t cap) {
  size_t len = 0;
  notiflows_auth_result r = notiflows_auth_signing_key_sign_with_kid(
      key, S(sub), now, 3600, mode, (const uint8_t *)kid, kid ? strlen(kid) : 0, (uint8_t *)token, cap - 1, &len);
  token[r == NOTIFLOWS_AUTH_RESULT_OK ? len : 0] = 0;
  return r;
}

/* Generates a key pair and parses its two halves. */
static void generated(notiflows_auth_signing_key **signing, notiflows_auth_public_key **public_key) {
  notiflows_auth_key_pair *pair = NULL;
  CHECK_OK(notiflows_auth_key_pair_generate(2048, &pair));
  uint8_t pem[4096];
  size_t len = 0;
  CHECK_OK(notiflows_auth_key_pair_private_key_pem(pair, pem, sizeof pem, &len));
  CHECK_OK(notiflows_auth_signing_key_parse(pem, len, signing));
  *public_key = public_of(*signing);
  notiflows_auth_key_pair_free(pair);
}

static void test_key_sets(void) {
  const int64_t now = 1700000000;
  char token[4096], old_token[4096], no_kid[4096], user[NOTIFLOWS_AUTH_MAX_SUBJECT_BYTES + 1];
  notiflows_auth_authenticated out;
  notiflows_auth_signing_key *k0 = NULL, *k1 = NULL;
  notiflows_auth_public_key *p0 = NULL, *p1 = NULL;
  generated(&k0, &p0);
  generated(&k1, &p1);

  /* Kids: the key's thumbprint by default, the same for both halves; renamed on a new handle. */
  uint8_t kid0[NOTIFLOWS_AUTH_MAX_KID_BYTES], kid1[NOTIFLOWS_AUTH_MAX_KID_BYTES], skid[NOTIFLOWS_AUTH_MAX_KID_BYTES];
  size_t kid0_len = 0, kid1_len = 0, skid_len = 0, need = 0;
  CHECK_OK(notiflows_auth_public_key_kid(p0, kid0, sizeof kid0, &kid0_len));
  CHECK_OK(notiflows_auth_public_key_kid(p1, kid1, sizeof kid1, &kid1_len));
  CHECK_OK(notiflows_auth_signing_key_kid(k0, skid, sizeof skid, &skid_len));
  CHECK(kid0_len == 43 && skid_len == kid0_len && memcmp(kid0, skid, kid0_len) == 0);
  CHECK_RESULT(notiflows_auth_public_key_kid(p0, NULL, 0, &need), NOTIFLOWS_AUTH_RESULT_BUFFER_TOO_SMALL);
  CHECK(need == 43);
  CHECK_RESULT(notiflows_auth_signing_key_kid(NULL, skid, sizeof skid, &skid_len), NOTIFLOWS_AUTH_RESULT_NULL_ARGUMENT);
  notiflows_auth_public_key *named = NULL;
  CHECK_OK(notiflows_auth_public_key_with_kid(p0, S("key-2026"), &named));
  uint8_t text[16384];
  size_t text_len = 0;
  CHECK_OK(notiflows_auth_public_key_kid(named, text, sizeof text, &text_len));
  CHECK_BYTES(text, text_len, "key-2026");
  CHECK_RESULT(notiflows_auth_public_key_with_kid(p0, S("a b"), &named), NOTIFLOWS_AUTH_RESULT_CONFIG_INVALID);
  CHECK_RESULT(notiflows_auth_public_key_with_kid(p0, S(""), &named), NOTIFLOWS_AUTH_RESULT_CONFIG_INVALID);
  CHECK_OK(notiflows_auth_public_key_to_jwk(named, text, sizeof text, &text_len));
  CHECK(memmem(text, text_len, "\"kid\":\"key-2026\"", 16) != NULL);
  CHECK(memmem(text, text_len, "\"alg\":\"RS256\"", 13) != NULL);

  /* Kid modes. */
  CHECK_OK(sign_kid(k0, "alice", now, NOTIFLOWS_AUTH_KID_MODE_KEY, NULL, old_token, sizeof old_token));
  CHECK_OK(sign(k0, "alice", now, 3600, token, sizeof token));
  CHECK(strcmp(token, old_token) == 0); /* NULL kid: the key's own */
  CHECK_OK(sign_kid(k0, "alice", now, NOTIFLOWS_AUTH_KID_MODE_OMIT, NULL, no_kid, sizeof no_kid));
  CHECK(strncmp(no_kid, "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.", 37) == 0);
  CHECK_OK(sign_kid(k0, "alice", now, NOTIFLOWS_AUTH_KID_MODE_CUSTOM, "key-2026", token, sizeof token));
  CHECK_RESULT(sign_kid(k0, "alice", now, NOTIFLOWS_AUTH_KID_MODE_CUSTOM, "a\nb", token, sizeof token),
               NOTIFLOWS_AUTH_RESULT_CONFIG_INVALID);
  CHECK_RESULT(sign_kid(k0, "alice", now, NOTIFLOWS_AUTH_KID_MODE_CUSTOM, NULL, token, sizeof token),
               NOTIFLOWS_AUTH_RESULT_CONFIG_INVALID); /* NULL with length 0 is the empty kid */
  CHECK_RESULT(sign_kid(k0, "alice", now, 7, NULL, token, sizeof token), NOTIFLOWS_AUTH_RESULT_CONFIG_INVALID);

  /* JWK Sets: write two keys, read them back, same kids; the reader refuses a private key. */
  const notiflows_auth_public_key *pair_keys[] = {named, p1};
  CHECK_OK(notiflows_auth_jwk_set_write(pair_keys, 2, text, sizeof text, &text_len));
  CHECK_RESULT(notiflows_auth_jwk_set_write(pair_keys, 2, NULL, 0, &need), NOTIFLOWS_AUTH_RESULT_BUFFER_TOO_SMALL);
  CHECK(need == text_len);
  CHECK_RESULT(notiflows_auth_jwk_set_write(NULL, 1, text, sizeof text, &need), NOTIFLOWS_AUTH_RESULT_NULL_ARGUMENT);
  notiflows_auth_public_key *read[NOTIFLOWS_AUTH_MAX_PROJECT_KEYS] = {0};
  size_t count = 0;
  CHECK_RESULT(notiflows_auth_jwk_set_parse(text, text_len, read, 1, &count), NOTIFLOWS_AUTH_RESULT_BUFFER_TOO_SMALL);
  CHECK(count == 2 && read[0] == NULL);
  CHECK_OK(notiflows_auth_jwk_set_parse(text, text_len, read, NOTIFLOWS_AUTH_MAX_PROJECT_KEYS, &count));
  CHECK(count == 2);
  uint8_t again[16384];
  size_t again_len = 0;
  const notiflows_auth_public_key *read_keys[] = {read[0], read[1]};
  CHECK_OK(notiflows_auth_jwk_set_write(read_keys, 2, again, sizeof again, &again_len));
  CHECK(again_len == text_len && memcmp(again, text, text_len) == 0);
  notiflows_auth_public_key_free(read[0]);
  notiflows_auth_public_key_free(read[1]);
  const char *private_jwk = "{\"keys\":[{\"kty\":\"RSA\",\"n\":\"AQAB\",\"e\":\"AQAB\",\"d\":\"AQAB\"}]}";
  CHECK_RESULT(notiflows_auth_jwk_set_parse(S(private_jwk), read, 8, &count), NOTIFLOWS_AUTH_RESULT_CONFIG_INVALID);
  CHECK(strstr(last_message(), "a private key was given") != NULL);
  CHECK_RESULT(notiflows_auth_jwk_set_parse(S("{\"keys\":[]}"), NULL, 0, &count), NOTIFLOWS_AUTH_RESULT_OK);
  CHECK(count == 0);

  /* An authenticator: rotation with an overlap, to the second. */
  notiflows_auth_authenticator *auth = NULL;
  CHECK_OK(notiflows_auth_authenticator_new(NULL, 64, &auth));
  CHECK_OK(notiflows_auth_authenticator_add_project(auth, S("pk"), NOTIFLOWS_AUTH_SECURITY_MODE_SECURE, p0, NULL, 0));
  CHECK_OK(authenticate(auth, "pk", old_token, NULL, NULL, now, user, &out));
  CHECK_RESULT(notiflows_auth_authenticator_set_signing_key_with_overlap(auth, S("pk"), p1, now, 0),
               NOTIFLOWS_AUTH_RESULT_CONFIG_INVALID);
  CHECK_RESULT(notiflows_auth_authenticator_set_signing_key_with_overlap(auth, S("pk"), p1, now, 604801),
               NOTIFLOWS_AUTH_RESULT_CONFIG_INVALID);
  CHECK_RESULT(notiflows_auth_authenticator_set_signing_key_with_overlap(auth, S("pk"), NULL, now, 60),
               NOTIFLOWS_AUTH_RESULT_NULL_ARGUMENT);
  CHECK_OK(notiflows_auth_authenticator_set_signing_key_with_overlap(auth, S("pk"), p1, now, 60));
  CHECK_OK(authenticate(auth, "pk", old_token, NULL, NULL, now + 59, user, &out));
  CHECK_RESULT(authenticate(auth, "pk", old_token, NULL, NULL, now + 60, user, &out), NOTIFLOWS_AUTH_RESULT_KEY_UNKNOWN);
  CHECK_RESULT(authenticate(auth, "pk", no_kid, NULL, NULL, now, user, &out), NOTIFLOWS_AUTH_RESULT_SIGNATURE_INVALID);
  char new_token[4096];
  CHECK_OK(sign(k1, "alice", now, 3600, new_token, sizeof new_token));
  CHECK_OK(authenticate(auth, "pk", new_token, NULL, NULL, now, user, &out));

  /* JWKS and the project document: what is in force, and back. */
  CHECK_OK(notiflows_auth_authenticator_jwks(auth, S("pk"), text, sizeof text, &text_len));
  const char *at1 = memmem(text, text_len, kid1, kid1_len), *at0 = memmem(text, text_len, kid0, kid0_len);
  CHECK(at1 != NULL && at0 != NULL && at1 < at0); /* the active key first */
  CHECK_RESULT(notiflows_auth_authenticator_jwks(auth, S("pk_none"), text, sizeof text, &text_len),
               NOTIFLOWS_AUTH_RESULT_API_KEY_INVALID);
  /* At the deadline the retiring key leaves the set a gateway gets. */
  CHECK_OK(notiflows_auth_authenticator_jwks_at(auth, S("pk"), now + 59, text, sizeof text, &text_len));
  CHECK(memmem(text, text_len, kid0, kid0_len) != NULL);
  CHECK_OK(notiflows_auth_authenticator_jwks_at(auth, S("pk"), now + 60, text, sizeof text, &text_len));
  CHECK(memmem(text, text_len, kid0, kid0_len) == NULL && memmem(text, text_len, kid1, kid1_len) != NULL);
  CHECK_OK(notiflows_auth_authenticator_revoke_tokens_issued_before(auth, S("pk"), now - 10));
  CHECK_OK(notiflows_auth_authenticator_project_json(auth, S("pk"), text, sizeof text, &text_len));
  CHECK(memmem(text, text_len, "\"retiring_keys\":[{\"key\":\"-----BEGIN PUBLIC KEY-----", 51) != NULL);
  CHECK(memmem(text, text_len, "\"revoked_before\":1699999990", 27) != NULL);
  CHECK_RESULT(notiflows_auth_authenticator_project_json(auth, S("pk"), NULL, 0, &need),
               NOTIFLOWS_AUTH_RESULT_BUFFER_TOO_SMALL);
  CHECK(need == text_len);
  notiflows_auth_authenticator *copy = NULL;
  CHECK_OK(notiflows_auth_authenticator_new(NULL, 0, &copy));
  CHECK_OK(notiflows_auth_authenticator_add_project_json(copy, text, text_len));
  CHECK_OK(notiflows_auth_authenticator_project_json(copy, S("pk"), again, sizeof again, &again_len));
  CHECK(again_len == text_len && memcmp(again, text, text_len) == 0);
  CHECK_OK(authenticate(copy, "pk", old_token, NULL, NULL, now + 59, user, &out));
  CHECK_RESULT(notiflows_auth_authenticator_add_project_json(copy, S("{\"api_key\":\"pk\",\"leway\":5}")),
               NOTIFLOWS_AUTH_RESULT_CONFIG_INVALID);
  /* Asking for the size first (a refusal of its own) keeps the document's full message. */
  size_t message_len = 0;
  CHECK_RESULT(notiflows_auth_last_error_message(NULL, 0, &message_len), NOTIFLOWS_AUTH_RESULT_BUFFER_TOO_SMALL);
  CHECK(strstr(last_message(), "did you mean `leeway`?") != NULL);
  CHECK(message_len == strlen(last_message()));
  CHECK_RESULT(notiflows_auth_authenticator_add_project_json(
                   copy, S("{\"api_key\":\"pk\",\"max_lifetime\":86400,\"require_exp\":true}")),
               NOTIFLOWS_AUTH_RESULT_OK);
  CHECK_RESULT(notiflows_auth_authenticator_add_project_json(
                   copy, S("{\"api_key\":\"pk\",\"max_lifetime\":86400,\"require_exp\":true,\"signing_public_key\":\"k.pem\"}")),
               NOTIFLOWS_AUTH_RESULT_CONFIG_INVALID);
  notiflows_auth_authenticator_free(copy);

  /* Revocation: the project's cut-off, then one user's. */
  char early[4096], bob[4096];
  CHECK_OK(sign(k1, "alice", now - 20, 3600, early, sizeof early));
  CHECK_OK(sign(k1, "bob", now, 3600, bob, sizeof bob));
  CHECK_RESULT(authenticate(auth, "pk", early, NULL, NULL, now, user, &out), NOTIFLOWS_AUTH_RESULT_TOKEN_REVOKED);
  CHECK_OK(authenticate(auth, "pk", bob, NULL, NULL, now, user, &out));
  CHECK_OK(notiflows_auth_authenticator_revoke_user_tokens_issued_before(auth, S("pk"), S("bob"), now + 1));
  CHECK_RESULT(authenticate(auth, "pk", bob, NULL, NULL, now, user, &out), NOTIFLOWS_AUTH_RESULT_TOKEN_REVOKED);
  CHECK_OK(authenticate(auth, "pk", new_token, NULL, NULL, now, user, &out));
  CHECK_RESULT(notiflows_auth_authenticator_revoke_user_tokens_issued_before(auth, S("pk"), S(""), now),
               NOTIFLOWS_AUTH_RESULT_CONFIG_INVALID);
  size_t dropped = 99;
  CHECK_OK(notiflows_auth_authenticator_prune_revocations(auth, S("pk"), now, &dropped));
  CHECK(dropped == 0); /* no maximum lifetime: nothing can be dropped */
  CHECK_RESULT(notiflows_auth_authenticator_prune_revocations(auth, S("pk"), now, NULL),
               NOTIFLOWS_AUTH_RESULT_NULL_ARGUMENT);

  /* Removal, and rotation with an overlap from a generated pair. */
  bool removed = false;
  CHECK_OK(notiflows_auth_authenticator_remove_signing_key(auth, S("pk"), kid0, kid0_len, &removed));
  CHECK(removed);
  CHECK_OK(notiflows_auth_authenticator_remove_signing_key(auth, S("pk"), kid0, kid0_len, &removed));
  CHECK(!removed);
  notiflows_auth_key_pair *pair = NULL;
  CHECK_RESULT(notiflows_auth_authenticator_rotate_signing_key_with_overlap(auth, S("pk"), 2048, now, 0, &pair),
               NOTIFLOWS_AUTH_RESULT_CONFIG_INVALID);
  CHECK_OK(notiflows_auth_authenticator_rotate_signing_key_with_overlap(auth, S("pk"), 2048, now, 600, &pair));
  CHECK_OK(authenticate(auth, "pk", new_token, NULL, NULL, now + 599, user, &out));
  CHECK_RESULT(authenticate(auth, "pk", new_token, NULL, NULL, now + 600, user, &out),
               NOTIFLOWS_AUTH_RESULT_KEY_UNKNOWN);
  notiflows_auth_key_pair_free(pair);

  notiflows_auth_authenticator_free(auth);
  notiflows_auth_public_key_free(named);
  notiflows_auth_public_key_free(p0);
  notiflows_auth_public_key_free(p1);
  notiflows_auth_signing_key_free(k0);
  notiflows_auth_signing_key_free(k1);
}

static void *worker(void *arg) {
  struct shared *s = arg;
  char sub[NOTIFLOWS_AUTH_MAX_SUBJECT_BYTES + 1];
  notiflows_auth_claims claims;
  notiflows_auth_authenticated out;
  for (int i = 0; i < 40; i++) {
    if (verify(s->verifier, s->token, 1700000000, sub, &claims) != 0 || strcmp(sub, "alice") != 0)
      __atomic_add_fetch(&s->failures, 1, __ATOMIC_RELAXED);
    notiflows_auth_result r = authenticate(s->auth, "pk", NULL, "bob", NULL, 1700000000, sub, &out);
    if (r != NOTIFLOWS_AUTH_RESULT_OK && r != NOTIFLOWS_AUTH_RESULT_USER_KEY_MISSING)
      __atomic_add_fetch(&s->failures, 1, __ATOMIC_RELAXED);
    r = authenticate(s->auth, "pk", s->token, NULL, NULL, 1700000000, sub, &out);
    if (r != NOTIFLOWS_AUTH_RESULT_OK) __atomic_add_fetch(&s->failures, 1, __ATOMIC_RELAXED);
  }
  return NULL;
}

static void test_threads(void) {
  notiflows_auth_signing_key *key = corpus_signing_key();
  notiflows_auth_public_key *public_key = public_of(key);
  char token[4096];
  CHECK_OK(sign(key, "alice", 1700000000, 3600, token, sizeof token));
  notiflows_auth_verifier *verifier = NULL;
  notiflows_auth_authenticator *auth = NULL;
  CHECK_OK(notiflows_auth_verifier_new(public_key, NULL, 16, &verifier));
  CHECK_OK(notiflows_auth_authenticator_new(NULL, 16, &auth));
  CHECK_OK(notiflows_auth_authenticator_add_project(auth, S("pk"), 1, public_key, NULL, 0));
  struct shared s = {verifier, auth, token, 0};
  pthread_t threads[4];
  for (int i = 0; i < 4; i++) CHECK(pthread_create(&threads[i], NULL, worker, &s) == 0);
  for (int i = 0; i < 20; i++) {
    CHECK_OK(notiflows_auth_authenticator_set_security_mode(auth, S("pk"), (uint32_t)(i % 2)));
    CHECK_OK(notiflows_auth_authenticator_set_signing_key(auth, S("pk"), public_key));
  }
  for (int i = 0; i < 4; i++) pthread_join(threads[i], NULL);
  CHECK(s.failures == 0);
  notiflows_auth_authenticator_free(auth);
  notiflows_auth_verifier_free(verifier);
  notiflows_auth_public_key_free(public_key);
  notiflows_auth_signing_key_free(key);
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s JWT_CASES_DIR\n", argv[0]);
    return 2;
  }
  cases_dir = argv[1];
  test_errors();
  test_error_table();
  test_security_mode_names();
  test_last_error_is_per_thread();
  test_keys();
  test_sign_and_verify();
  test_policy();
  test_cache();
  test_authenticator();
  test_key_sets();
  test_threads();
  return check_summary("test_api");
}
