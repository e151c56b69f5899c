/* Runs every case of testdata/vectors/jwt-cases through the C API, under the corpus's
 * contract policy: exp required, no leeway, iat skew 0, tokens up to 16384 bytes.
 *
 * Usage: test_vectors CASES_TSV JWT_CASES_DIR
 *   CASES_TSV is made from cases.json by ffi/tests/jwt_cases.py (one case a line: name,
 *   expect, now, accepted codes, expected sub in hex, token in hex).
 *
 * Each case runs through a verifier without a cache, and twice through one with a cache
 * (a miss, then a hit for tokens that verified): all three must give the expected answer. */
#include "check.h"

static int nibble(char c) {
  return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Decodes lowercase hex; stops at the first character that is not a hex digit pair. */
static size_t unhex(const char *hex, uint8_t *out) {
  size_t n = 0;
  for (; nibble(hex[0]) >= 0 && nibble(hex[1]) >= 0; hex += 2) {
    out[n++] = (uint8_t)(nibble(hex[0]) << 4 | nibble(hex[1]));
  }
  return n;
}

static notiflows_auth_public_key *load_public_key(const char *dir, const char *file) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, file);
  size_t len;
  unsigned char *bytes = read_file(path, &len);
  notiflows_auth_public_key *key = NULL;
  CHECK_OK(notiflows_auth_public_key_parse(bytes, len, &key));
  free(bytes);
  return key;
}

/* The key's SPKI PEM, in a static buffer. */
static const char *pem_of(const notiflows_auth_public_key *key) {
  static char pem[4][2048];
  static int next;
  char *buf = pem[next++ % 4];
  size_t len = 0;
  CHECK_OK(notiflows_auth_public_key_to_pem(key, (uint8_t *)buf, sizeof pem[0] - 1, &len));
  buf[len] = 0;
  return buf;
}

/* Whether `code` is in the comma-separated list `codes`. */
static int accepted(const char *codes, const char *code) {
  size_t n = strlen(code);
  for (const char *p = codes; *p;) {
    const char *end = strchr(p, ',');
    size_t len = end ? (size_t)(end - p) : strlen(p);
    if (len == n && strncmp(p, code, n) == 0) return 1;
    p += len + (end ? 1 : 0);
  }
  return 0;
}

static void run_case(const notiflows_auth_verifier *verifier, const char *name, const char *expect,
                     int64_t now, const char *codes, const uint8_t *sub, size_t sub_len,
                     const uint8_t *token, size_t token_len, const char *pass) {
  uint8_t got_sub[NOTIFLOWS_AUTH_MAX_SUBJECT_BYTES];
  size_t got_sub_len = 0;
  notiflows_auth_claims claims;
  notiflows_auth_result r = notiflows_auth_verifier_verify(
      verifier, token, token_len, now, got_sub, sizeof got_sub, &got_sub_len, &claims);
  int ok;
  if (strcmp(expect, "valid") == 0) {
    ok = r == NOTIFLOWS_AUTH_RESULT_OK && got_sub_len == sub_len &&
         memcmp(got_sub, sub, sub_len) == 0 && claims.exp.present;
  } else {
    ok = r != NOTIFLOWS_AUTH_RESULT_OK && accepted(codes, code_of(r));
  }
  if (ok) {
    checks_passed++;
  } else {
    checks_failed++;
    fprintf(stderr, "case %s (%s): expected %s [%s], got %s\n", name, pass, expect, codes,
            code_of(r));
  }
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s CASES_TSV JWT_CASES_DIR\n", argv[0]);
    return 2;
  }
  const char *dir = argv[2];

  /* Every form of the corpus key loads, and to the same key. */
  notiflows_auth_public_key *key = load_public_key(dir, "rsa_public_spki.pem");
  notiflows_auth_public_key *pkcs1 = load_public_key(dir, "rsa_public_pkcs1.pem");
  notiflows_auth_public_key *der = load_public_key(dir, "rsa_public_spki.der");
  CHECK(strcmp(pem_of(key), pem_of(pkcs1)) == 0);
  CHECK(strcmp(pem_of(key), pem_of(der)) == 0);
  size_t bits = 0;
  CHECK_OK(notiflows_auth_public_key_bits(key, &bits));
  CHECK(bits == 2048);
  notiflows_auth_public_key_free(pkcs1);
  notiflows_auth_public_key_free(der);

  /* The private key's public half is the same key. */
  {
    char path[4096];
    snprintf(path, sizeof path, "%s/rsa_private_pkcs8.pem", dir);
    size_t len;
    unsigned char *pem = read_file(path, &len);
    notiflows_auth_signing_key *signing = NULL;
    notiflows_auth_public_key *derived = NULL;
    CHECK_OK(notiflows_auth_signing_key_parse(pem, len, &signing));
    CHECK_OK(notiflows_auth_signing_key_public_key(signing, &derived));
    CHECK(strcmp(pem_of(key), pem_of(derived)) == 0);
    notiflows_auth_public_key_free(derived);
    notiflows_auth_signing_key_free(signing);
    free(pem);
  }

  /* The corpus contract. */
  notiflows_auth_policy *policy = NULL;
  CHECK_OK(notiflows_auth_policy_new(&policy));
  CHECK_OK(notiflows_auth_policy_set_require_exp(policy, true));
  CHECK_OK(notiflows_auth_policy_set_iat_skew_seconds(policy, 0));
  CHECK_OK(notiflows_auth_policy_set_leeway_seconds(policy, 0));
  CHECK_OK(notiflows_auth_policy_set_max_token_bytes(policy, 16384));
  notiflows_auth_verifier *plain = NULL, *cached = NULL;
  CHECK_OK(notiflows_auth_verifier_new(key, policy, 0, &plain));
  CHECK_OK(notiflows_auth_verifier_new(key, policy, 256, &cached));
  /* The same contract on the aws-lc-rs provider: every case must come out the same. */
  static const char AWS[] = "aws-lc-rs";
  CHECK_OK(notiflows_auth_policy_set_provider(policy, (const uint8_t *)AWS, strlen(AWS)));
  notiflows_auth_verifier *aws_plain = NULL, *aws_cached = NULL;
  CHECK_OK(notiflows_auth_verifier_new(key, policy, 0, &aws_plain));
  CHECK_OK(notiflows_auth_verifier_new(key, policy, 256, &aws_cached));
  const char *name = NULL;
  CHECK_OK(notiflows_auth_verifier_provider(aws_plain, &name));
  CHECK(strcmp(name, "aws-lc-rs") == 0);
  CHECK_OK(notiflows_auth_verifier_provider(plain, &name));
  CHECK(strcmp(name, "ring") == 0);
  notiflows_auth_policy_free(policy);
  notiflows_auth_public_key_free(key);

  FILE *f = fopen(argv[1], "r");
  if (!f) {
    fprintf(stderr, "cannot open %s\n", argv[1]);
    return 2;
  }
  char *line = NULL;
  size_t cap = 0;
  int cases = 0;
  while (getline(&line, &cap, f) > 0) {
    line[strcspn(line, "\n")] = 0;
    char *fields[6];
    char *rest = line;
    for (int i = 0; i < 6; i++) fields[i] = strsep(&rest, "\t");
    if (!fields[5]) {
      fprintf(stderr, "malformed line in %s\n", argv[1]);
      return 2;
    }
    size_t token_hex = strlen(fields[5]);
    uint8_t *token = malloc(token_hex / 2 + 1);
    uint8_t sub[NOTIFLOWS_AUTH_MAX_SUBJECT_BYTES];
    size_t sub_len = strcmp(fields[4], "-") == 0 ? 0 : unhex(fields[4], sub);
    size_t token_len = unhex(fields[5], token);
    int64_t now = strtoll(fields[2], NULL, 10);
    run_case(plain, fields[0], fields[1], now, fields[3], sub, sub_len, token, token_len, "no cache");
    run_case(cached, fields[0], fields[1], now, fields[3], sub, sub_len, token, token_len, "cache miss");
    run_case(cached, fields[0], fields[1], now, fields[3], sub, sub_len, token, token_len, "cache hit");
    run_case(aws_plain, fields[0], fields[1], now, fields[3], sub, sub_len, token, token_len, "aws-lc-rs");
    run_case(aws_cached, fields[0], fields[1], now, fields[3], sub, sub_len, token, token_len, "aws-lc-rs miss");
    run_case(aws_cached, fields[0], fields[1], now, fields[3], sub, sub_len, token, token_len, "aws-lc-rs hit");
    free(token);
    cases++;
  }
  free(line);
  fclose(f);
  printf("jwt-cases: %d cases, on each provider (ring, aws-lc-rs) without a cache, then twice with one\n", cases);
  CHECK(cases >= 121);

  notiflows_auth_verifier_free(plain);
  notiflows_auth_verifier_free(cached);
  notiflows_auth_verifier_free(aws_plain);
  notiflows_auth_verifier_free(aws_cached);
  return check_summary("test_vectors");
}
