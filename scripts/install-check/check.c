/* The user's program for the C SDK, built with
 *   cc check.c $(pkg-config --cflags --libs notiflows_auth)
 * and run without LD_LIBRARY_PATH: the scenario of scripts/install-check/expected.txt. */
#include <notiflows_auth.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TRY(call)                                                                              \
  do {                                                                                         \
    notiflows_auth_result r_ = (call);                                                         \
    if (r_ != NOTIFLOWS_AUTH_RESULT_OK) {                                                      \
      fprintf(stderr, "%s failed: %s\n", #call, notiflows_auth_error_code_string(r_));         \
      exit(1);                                                                                 \
    }                                                                                          \
  } while (0)

static const uint8_t *text(const char *s) { return (const uint8_t *)s; }

int main(void) {
  const char *expected = getenv("EXPECTED_VERSION");
  fprintf(stderr, "c: header %s (%d.%d.%d), library %s\n", NOTIFLOWS_AUTH_VERSION, NOTIFLOWS_AUTH_VERSION_MAJOR,
          NOTIFLOWS_AUTH_VERSION_MINOR, NOTIFLOWS_AUTH_VERSION_PATCH, notiflows_auth_version());
  char parts[64];
  snprintf(parts, sizeof parts, "%d.%d.%d", NOTIFLOWS_AUTH_VERSION_MAJOR, NOTIFLOWS_AUTH_VERSION_MINOR,
           NOTIFLOWS_AUTH_VERSION_PATCH);
  if (!expected || strcmp(NOTIFLOWS_AUTH_VERSION, expected) || strcmp(parts, expected) ||
      strcmp(notiflows_auth_version(), expected)) {
    fprintf(stderr, "version mismatch: expected %s\n", expected ? expected : "(EXPECTED_VERSION unset)");
    return 1;
  }

  /* A key pair; the private key signs, the public key verifies. */
  notiflows_auth_key_pair *pair = NULL;
  TRY(notiflows_auth_key_pair_generate(2048, &pair));
  uint8_t private_pem[4096], public_pem[1024];
  size_t private_len, public_len;
  TRY(notiflows_auth_key_pair_private_key_pem(pair, private_pem, sizeof private_pem, &private_len));
  TRY(notiflows_auth_key_pair_public_key_pem(pair, public_pem, sizeof public_pem, &public_len));
  notiflows_auth_key_pair_free(pair);

  notiflows_auth_signing_key *signing = NULL;
  TRY(notiflows_auth_signing_key_parse(private_pem, private_len, &signing));
  const char *sub = "user-42";
  char token[4096];
  size_t token_len;
  TRY(notiflows_auth_signing_key_sign(signing, text(sub), strlen(sub), NOTIFLOWS_AUTH_CURRENT_TIME, 600, NULL, 0,
                                      (uint8_t *)token, sizeof token - 1, &token_len));
  token[token_len] = '\0';
  notiflows_auth_signing_key_free(signing);

  notiflows_auth_public_key *public_key = NULL;
  notiflows_auth_verifier *verifier = NULL;
  TRY(notiflows_auth_public_key_parse(public_pem, public_len, &public_key));
  TRY(notiflows_auth_verifier_new(public_key, NULL, 0, &verifier));
  uint8_t user[NOTIFLOWS_AUTH_MAX_SUBJECT_BYTES];
  size_t user_len;
  notiflows_auth_claims claims;
  TRY(notiflows_auth_verifier_verify(verifier, text(token), token_len, NOTIFLOWS_AUTH_CURRENT_TIME, user, sizeof user,
                                     &user_len, &claims));
  printf("verified %.*s\n", (int)user_len, (const char *)user);
  notiflows_auth_verifier_free(verifier);

  /* A Secure Mode project that allows one browser origin. */
  notiflows_auth_authenticator *auth = NULL;
  TRY(notiflows_auth_authenticator_new(NULL, NOTIFLOWS_AUTH_DEFAULT_CACHE_CAPACITY, &auth));
  const char *allowed = "https://app.example.com", *api_key = "pk_test_1";
  notiflows_auth_bytes origins[] = {{text(allowed), strlen(allowed)}};
  TRY(notiflows_auth_authenticator_add_project(auth, text(api_key), strlen(api_key), NOTIFLOWS_AUTH_SECURITY_MODE_SECURE,
                                               public_key, origins, 1));
  notiflows_auth_public_key_free(public_key);

  const char *request_origins[] = {allowed, "https://evil.example.net"};
  for (int i = 0; i < 2; i++) {
    const char *origin = request_origins[i];
    notiflows_auth_header headers[] = {
        {text("x-notiflows-api-key"), 19, text(api_key), strlen(api_key)},
        {text("x-notiflows-user-key"), 20, text(token), token_len},
        {text("Origin"), 6, text(origin), strlen(origin)},
    };
    notiflows_auth_authenticated who;
    notiflows_auth_result r = notiflows_auth_authenticator_authenticate(
        auth, headers, 3, NOTIFLOWS_AUTH_CURRENT_TIME, user, sizeof user, &user_len, &who);
    if (r == NOTIFLOWS_AUTH_RESULT_OK)
      printf("authenticated %.*s %s\n", (int)user_len, (const char *)user,
             who.mode == NOTIFLOWS_AUTH_SECURITY_MODE_SECURE ? "secure" : "development");
    else
      printf("refused %s %u\n", notiflows_auth_error_code_string(r), (unsigned)notiflows_auth_error_http_status(r));
  }
  notiflows_auth_authenticator_free(auth);
  return 0;
}
