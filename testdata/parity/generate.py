#!/usr/bin/env python3
"""Writes testdata/parity/corpus.json, the cases every language's parity runner executes.

The tokens are the jwt-cases corpus's (testdata/vectors/jwt-cases/cases.json, signed with the
key pair beside it), so nothing is signed here. The request and configuration cases are
written below, each with the result the contract promises ("expect"); the jwt-cases cases
under the corpus contract expect what cases.json says.

Usage: testdata/parity/generate.py [OUT]   (default: corpus.json beside this script; commit it)
"""

import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
JWT_CASES = os.path.join(ROOT, "testdata", "vectors", "jwt-cases", "cases.json")
CATEGORIES = os.path.join(ROOT, "testdata", "jwt_case_categories.json")

NOW = 1700000000

# Policies: the jwt-cases contract (exp required, no iat skew, the largest size cap), the
# defaults (nothing set), and single knobs moved.
CONTRACT = {"require_exp": True, "iat_skew": 0, "max_token_bytes": 16384}


def ok(**fields):
    return {"outcome": "ok", **fields}


def err(code):
    return {"outcome": "error", "code": [code]}


def verify_cases(jwt):
    with open(CATEGORIES, encoding="utf-8") as f:
        category_code = json.load(f)
    cases = []
    for c in jwt:
        if c["expect"] == "valid":
            expect = ok(sub=c["expected_sub"])
        else:
            categories = [c["expected_error_category"], *c["alt_error_categories"]]
            expect = {"outcome": "error", "code": [category_code[k] for k in categories]}
        cases.append({"name": f"verify/contract/{c['name']}", "kind": "verify", "options": CONTRACT,
                      "token": c["name"], "now": c["now"], "expect": expect})
    for c in jwt:
        cases.append({"name": f"verify/default/{c['name']}", "kind": "verify", "options": {},
                      "token": c["name"], "now": c["now"]})
    knobs = [
        ("leeway_1", {"leeway": 1}, "exp_equals_now", ok(sub="alice")),
        ("leeway_1", {"leeway": 1}, "nbf_now_plus_1", None),
        ("leeway_1", {"leeway": 1}, "exp_now_minus_1", err("token_expired")),
        ("iat_skew_3600", {"iat_skew": 3600}, "iat_now_plus_1h", None),
        ("iat_skew_3599", {"iat_skew": 3599}, "iat_now_plus_1h", err("token_issued_in_future")),
        ("max_lifetime_4200", {"max_lifetime": 4200}, "valid_nbf_iat_past", ok(sub="judy")),
        ("max_lifetime_4199", {"max_lifetime": 4199}, "valid_nbf_iat_past", err("claim_invalid")),
        ("max_lifetime_1", {"max_lifetime": 1}, "valid_time_boundaries", ok(sub="ivan")),
        # 0 is a value like any other (0 s), never "no limit" in one language and not another.
        ("max_lifetime_0", {"max_lifetime": 0}, "valid_time_boundaries", None),
        ("max_lifetime_3600", {"max_lifetime": 3600}, "valid_minimal_typ_JWT", None),
        ("max_token_bytes_423", {"max_token_bytes": 423}, "valid_minimal_typ_JWT", ok(sub="alice")),
        ("max_token_bytes_422", {"max_token_bytes": 422}, "valid_minimal_typ_JWT", err("token_too_large")),
        ("require_exp", {"require_exp": True}, "exp_missing", err("claim_missing")),
    ]
    for label, options, token, expect in knobs:
        case = {"name": f"verify/{label}/{token}", "kind": "verify", "options": options, "token": token, "now": NOW}
        if expect:
            case["expect"] = expect
        cases.append(case)
    return cases


# Every request case runs against an authenticator holding all of these projects.
PROJECTS = [
    {"api_key": "pk_secure", "security_mode": "secure", "signing_key": True,
     "allowed_origins": ["https://app.example.com", "https://*.example.net", "http://localhost:3000"]},
    {"api_key": "pk_open", "security_mode": "secure", "signing_key": True, "allowed_origins": []},
    {"api_key": "pk_dev", "security_mode": "development", "signing_key": False,
     "allowed_origins": ["https://app.example.com"]},
    {"api_key": "pk_dev_keyed", "security_mode": "development", "signing_key": True, "allowed_origins": []},
    {"api_key": "pk_nokey", "security_mode": "secure", "signing_key": False, "allowed_origins": []},
    # Key sets (issue 12): optional members, each absent from the projects above.
    {"api_key": "pk_kid", "security_mode": "secure", "signing_key": True, "allowed_origins": [],
     "signing_key_kid": "key-2023-11"},
    {"api_key": "pk_retiring", "security_mode": "secure", "signing_key": False, "allowed_origins": [],
     "retiring_keys": [{"until": NOW + 1, "kid": "key-2023-11"}]},
    {"api_key": "pk_revoked", "security_mode": "secure", "signing_key": True, "allowed_origins": [],
     "revoked_before": NOW - 300},
    {"api_key": "pk_user_revoked", "security_mode": "secure", "signing_key": True, "allowed_origins": [],
     "user_revocations": [{"user_id": "judy", "revoked_before": NOW - 300}]},
    {"api_key": "pk_lifetime", "security_mode": "secure", "signing_key": True, "allowed_origins": [],
     "lifetime": {"require_exp": True, "max_lifetime": 3600, "leeway": 0, "iat_skew": 0}},
]

API = "x-notiflows-api-key"
USER_KEY = "x-notiflows-user-key"
USER_ID = "x-notiflows-user-id"
VALID = {"token": "valid_minimal_typ_JWT"}  # sub alice, exp NOW + 3600
UNICODE = {"token": "valid_sub_unicode_escapes_latin1"}
EXPIRED = {"token": "exp_now_minus_1"}
HUGE = {"token": "token_about_128KiB"}
ALICE = ok(user_id="alice", mode="secure", credential="user_key")


def request_cases():
    secure = [(API, "pk_secure"), (USER_KEY, VALID)]
    table = [
        # Secure Mode.
        ("secure/ok", secure, ALICE),
        ("secure/unicode_sub", [(API, "pk_secure"), (USER_KEY, UNICODE)],
         ok(user_id="élève-Ångström", mode="secure", credential="user_key")),
        ("secure/header_names_any_case", [("X-Notiflows-Api-Key", "pk_secure"), ("X-NOTIFLOWS-USER-KEY", VALID)], ALICE),
        ("secure/other_headers_ignored", [("accept", "*/*"), *secure, ("cookie", "a=b")], ALICE),
        ("secure/expired", [(API, "pk_secure"), (USER_KEY, EXPIRED)], err("token_expired")),
        ("secure/malformed_token", [(API, "pk_secure"), (USER_KEY, "not-a-token")], err("token_malformed")),
        ("secure/empty_token", [(API, "pk_secure"), (USER_KEY, "")], None),
        ("secure/huge_token", [(API, "pk_secure"), (USER_KEY, HUGE)], err("token_too_large")),
        ("secure/token_trailing_space", [(API, "pk_secure"), (USER_KEY, {"token": "valid_minimal_typ_JWT", "append": " "})], None),
        ("secure/user_key_missing", [(API, "pk_secure")], err("user_key_missing")),
        ("secure/user_id_instead_of_user_key", [(API, "pk_secure"), (USER_ID, "alice")], err("user_key_missing")),
        ("secure/user_key_repeated", [(API, "pk_secure"), (USER_KEY, VALID), (USER_KEY, VALID)], None),
        ("secure/both_user_key_and_user_id", [(API, "pk_secure"), (USER_KEY, VALID), (USER_ID, "mallory")], None),
        ("secure/no_signing_key", [(API, "pk_nokey"), (USER_KEY, VALID)], None),
        ("secure/no_signing_key_no_user_key", [(API, "pk_nokey")], err("signing_key_not_configured")),
        # API keys: checked first.
        ("api_key/missing", [(USER_KEY, VALID)], err("api_key_missing")),
        ("api_key/unknown", [(API, "pk_nope"), (USER_KEY, VALID)], err("api_key_invalid")),
        ("api_key/empty", [(API, ""), (USER_KEY, VALID)], None),
        ("api_key/repeated_same", [(API, "pk_secure"), (API, "pk_secure"), (USER_KEY, VALID)], None),
        ("api_key/repeated_different", [(API, "pk_secure"), (API, "pk_open"), (USER_KEY, VALID)], None),
        ("api_key/not_utf8", [(API, {"hex": "706bff"}), (USER_KEY, VALID)], err("api_key_invalid")),
        ("api_key/surrounding_space", [(API, " pk_secure "), (USER_KEY, VALID)], None),
        ("api_key/wrong_case", [(API, "PK_SECURE"), (USER_KEY, VALID)], err("api_key_invalid")),
        # Origins: after the API key, before the user's credential.
        ("origin/allowed", [*secure, ("Origin", "https://app.example.com")], ALICE),
        ("origin/allowed_name_lowercase", [*secure, ("origin", "https://app.example.com")], ALICE),
        ("origin/allowed_name_uppercase", [*secure, ("ORIGIN", "https://app.example.com")], ALICE),
        ("origin/allowed_localhost_port", [*secure, ("Origin", "http://localhost:3000")], ALICE),
        ("origin/allowed_default_port", [*secure, ("Origin", "https://app.example.com:443")], None),
        ("origin/allowed_host_case", [*secure, ("Origin", "https://APP.example.com")], None),
        ("origin/disallowed", [*secure, ("Origin", "https://evil.example.org")], err("origin_not_allowed")),
        ("origin/disallowed_port", [*secure, ("Origin", "http://localhost:3001")], err("origin_not_allowed")),
        ("origin/disallowed_scheme", [*secure, ("Origin", "http://app.example.com")], err("origin_not_allowed")),
        ("origin/disallowed_before_user_key", [(API, "pk_secure"), ("Origin", "https://evil.example.org")],
         err("origin_not_allowed")),
        ("origin/disallowed_before_token", [(API, "pk_secure"), (USER_KEY, EXPIRED), ("Origin", "https://evil.example.org")],
         err("origin_not_allowed")),
        ("origin/trailing_slash", [*secure, ("Origin", "https://app.example.com/")], err("origin_not_allowed")),
        ("origin/wildcard_subdomain", [*secure, ("Origin", "https://a.example.net")], ALICE),
        ("origin/wildcard_nested", [*secure, ("Origin", "https://a.b.example.net")], ALICE),
        ("origin/wildcard_not_apex", [*secure, ("Origin", "https://example.net")], err("origin_not_allowed")),
        ("origin/wildcard_lookalike", [*secure, ("Origin", "https://evilexample.net")], err("origin_not_allowed")),
        ("origin/null", [*secure, ("Origin", "null")], err("origin_not_allowed")),
        ("origin/null_open_project", [(API, "pk_open"), (USER_KEY, VALID), ("Origin", "null")], ALICE),
        ("origin/empty", [*secure, ("Origin", "")], err("origin_not_allowed")),
        ("origin/open_project_any", [(API, "pk_open"), (USER_KEY, VALID), ("Origin", "https://evil.example.org")], ALICE),
        ("origin/repeated_same", [*secure, ("Origin", "https://app.example.com"), ("Origin", "https://app.example.com")],
         err("origin_not_allowed")),
        ("origin/repeated_allowed_then_disallowed",
         [*secure, ("Origin", "https://app.example.com"), ("Origin", "https://evil.example.org")], err("origin_not_allowed")),
        ("origin/repeated_disallowed_then_allowed",
         [*secure, ("Origin", "https://evil.example.org"), ("Origin", "https://app.example.com")], err("origin_not_allowed")),
        ("origin/repeated_open_project",
         [(API, "pk_open"), (USER_KEY, VALID), ("Origin", "https://a.example"), ("origin", "https://b.example")],
         err("origin_not_allowed")),
        ("origin/repeated_api_key_missing", [(USER_KEY, VALID), ("Origin", "https://a.example"), ("Origin", "https://b.example")],
         err("api_key_missing")),
        ("origin/repeated_api_key_unknown",
         [(API, "pk_nope"), (USER_KEY, VALID), ("Origin", "https://a.example"), ("Origin", "https://b.example")],
         err("api_key_invalid")),
        ("origin/not_utf8", [*secure, ("Origin", {"hex": "68747470733a2f2fff"})], err("origin_not_allowed")),
        ("origin/not_utf8_open_project", [(API, "pk_open"), (USER_KEY, VALID), ("Origin", {"hex": "ff"})],
         err("origin_not_allowed")),
        ("origin/not_utf8_api_key_unknown", [(API, "pk_nope"), ("Origin", {"hex": "ff"})], err("api_key_invalid")),
        # A tab around a value is optional whitespace (RFC 9110), not part of it: dropped.
        ("origin/surrounding_tab", [*secure, ("Origin", "https://app.example.com\t")], None),
        ("origin/control_character", [*secure, ("Origin", "https://app.example.com\u0001")], err("origin_not_allowed")),
        ("origin/surrounding_space", [*secure, ("Origin", " https://app.example.com")], None),
        # Development Mode.
        ("development/ok", [(API, "pk_dev"), (USER_ID, "alice")], ok(user_id="alice", mode="development", credential="user_id")),
        ("development/unicode_id", [(API, "pk_dev"), (USER_ID, "José")],
         ok(user_id="José", mode="development", credential="user_id")),
        ("development/user_id_missing", [(API, "pk_dev")], err("user_id_missing")),
        ("development/user_id_empty", [(API, "pk_dev"), (USER_ID, "")], err("user_id_invalid")),
        ("development/user_id_256_bytes", [(API, "pk_dev"), (USER_ID, "u" * 256)],
         ok(user_id="u" * 256, mode="development", credential="user_id")),
        ("development/user_id_257_bytes", [(API, "pk_dev"), (USER_ID, "u" * 257)], err("user_id_invalid")),
        ("development/user_id_control_character", [(API, "pk_dev"), (USER_ID, "al\u0001ice")], err("user_id_invalid")),
        ("development/user_id_not_utf8", [(API, "pk_dev"), (USER_ID, {"hex": "616cff"})], err("user_id_invalid")),
        ("development/user_id_surrounding_space", [(API, "pk_dev"), (USER_ID, " alice ")], None),
        ("development/user_id_repeated", [(API, "pk_dev"), (USER_ID, "alice"), (USER_ID, "alice")], None),
        ("development/user_key_without_signing_key", [(API, "pk_dev"), (USER_KEY, VALID)], None),
        ("development/user_key_with_signing_key", [(API, "pk_dev_keyed"), (USER_KEY, VALID)], None),
        ("development/origin_disallowed", [(API, "pk_dev"), (USER_ID, "alice"), ("Origin", "https://evil.example.org")],
         err("origin_not_allowed")),
        ("development/origin_repeated", [(API, "pk_dev"), (USER_ID, "alice"), ("Origin", "https://app.example.com"),
                                         ("Origin", "https://app.example.com")], err("origin_not_allowed")),
    ]
    cases = []
    for name, headers, expect in table:
        case = {"name": f"request/{name}", "kind": "request", "options": {"cache_size": 0},
                "headers": [list(h) for h in headers], "now": NOW}
        if expect:
            case["expect"] = expect
        cases.append(case)
    # Key sets: the kid chooses among the project's keys; deadlines; cut-offs; lifetime rules.
    kid = {"token": "valid_kid_header"}  # kid "key-2023-11", sub dave, no iat
    judy = {"token": "valid_nbf_iat_past"}  # iat NOW - 600, exp NOW + 3600
    ivan = {"token": "valid_time_boundaries"}  # iat NOW, exp NOW + 1
    user = lambda name: ok(user_id=name, mode="secure", credential="user_key")
    key_sets = [
        ("kid/named", "pk_kid", kid, NOW, user("dave")),
        ("kid/absent_uses_active", "pk_kid", VALID, NOW, ALICE),
        ("kid/other", "pk_kid", {"token": "header_modified_keep_signature"}, NOW, err("key_unknown")),
        ("kid/attacker_jku", "pk_kid", {"token": "jku_attacker_url"}, NOW, err("key_unknown")),
        ("kid/sql_injection", "pk_kid", {"token": "kid_sql_injection_attacker_sig"}, NOW, err("key_unknown")),
        ("kid/thumbprint_project", "pk_secure", kid, NOW, err("key_unknown")),
        ("retiring/before_deadline", "pk_retiring", kid, NOW, user("dave")),
        ("retiring/at_deadline", "pk_retiring", kid, NOW + 1, err("key_unknown")),
        ("retiring/no_kid_no_active_key", "pk_retiring", VALID, NOW, err("key_unknown")),
        ("revoked/iat_before_cut_off", "pk_revoked", judy, NOW, err("token_revoked")),
        ("revoked/iat_after_cut_off", "pk_revoked", ivan, NOW, user("ivan")),
        ("revoked/no_iat", "pk_revoked", VALID, NOW, err("token_revoked")),
        ("user_revoked/that_user", "pk_user_revoked", judy, NOW, err("token_revoked")),
        ("user_revoked/other_user_no_iat", "pk_user_revoked", VALID, NOW, ALICE),
        ("lifetime/over_max", "pk_lifetime", judy, NOW, err("claim_invalid")),
        ("lifetime/within_max", "pk_lifetime", ivan, NOW, user("ivan")),
        ("lifetime/no_iat", "pk_lifetime", VALID, NOW, err("claim_missing")),
        ("lifetime/no_exp", "pk_lifetime", {"token": "exp_missing"}, NOW, err("claim_missing")),
    ]
    for name, api_key, token, now, expect in key_sets:
        for cache, repeat in [(0, 1), (100, 2)]:
            cases.append({"name": f"request/keys/{name}/cache_{cache}", "kind": "request",
                          "options": {"cache_size": cache}, "headers": [[API, api_key], [USER_KEY, token]],
                          "now": now, "repeat": repeat, "expect": expect})
    # The verified-token cache changes no answer (and checks limits before hashing).
    for name, headers, expect in [
        ("cached/ok", secure, ALICE),
        ("cached/huge_token", [(API, "pk_secure"), (USER_KEY, HUGE)], err("token_too_large")),
        ("cached/expired", [(API, "pk_secure"), (USER_KEY, EXPIRED)], err("token_expired")),
    ]:
        cases.append({"name": f"request/{name}", "kind": "request", "options": {"cache_size": 100},
                      "headers": [list(h) for h in headers], "now": NOW, "repeat": 2, "expect": expect})
    return cases


def config_cases():
    good = {"api_key": "pk_config", "security_mode": "secure", "signing_key": True, "allowed_origins": []}
    table = [
        ("defaults", {}, good, ok()),
        ("max_token_bytes_0", {"max_token_bytes": 0}, good, err("config_invalid")),
        ("max_token_bytes_1", {"max_token_bytes": 1}, good, ok()),
        ("max_token_bytes_16384", {"max_token_bytes": 16384}, good, ok()),
        ("max_token_bytes_16385", {"max_token_bytes": 16385}, good, err("config_invalid")),
        ("max_lifetime_0", {"max_lifetime": 0}, good, None),
        ("max_lifetime_1", {"max_lifetime": 1}, good, ok()),
        ("leeway_2pow40", {"leeway": 2**40}, good, None),
        ("iat_skew_2pow40", {"iat_skew": 2**40}, good, None),
        ("leeway_2pow52", {"leeway": 2**52}, good, None),
        ("cache_size_0", {"cache_size": 0}, good, ok()),
    ]
    projects = [
        ("api_key_empty", {"api_key": ""}, err("config_invalid")),
        ("api_key_space", {"api_key": "pk config"}, err("config_invalid")),
        ("api_key_surrounding_space", {"api_key": " pk_config"}, err("config_invalid")),
        ("api_key_non_ascii", {"api_key": "pk_é"}, err("config_invalid")),
        ("api_key_256", {"api_key": "k" * 256}, ok()),
        ("api_key_257", {"api_key": "k" * 257}, err("config_invalid")),
        ("development_without_key", {"security_mode": "development", "signing_key": False}, ok()),
        ("secure_without_key", {"signing_key": False}, ok()),
        ("security_mode_unknown", {"security_mode": "strict"}, err("config_invalid")),
        # Key sets.
        ("kid_custom", {"signing_key_kid": "key-1"}, ok()),
        ("kid_with_space", {"signing_key_kid": "key 1"}, err("config_invalid")),
        ("kid_129_bytes", {"signing_key_kid": "k" * 129}, err("config_invalid")),
        ("kid_duplicate", {"retiring_keys": [{"until": NOW, "kid": None}]}, err("config_invalid")),
        ("keys_8", {"signing_key": False, "retiring_keys": [{"until": NOW, "kid": f"k{i}"} for i in range(8)]}, ok()),
        ("keys_9", {"retiring_keys": [{"until": NOW, "kid": f"k{i}"} for i in range(8)]}, err("config_invalid")),
        ("revoked_user_empty", {"user_revocations": [{"user_id": "", "revoked_before": NOW}]}, err("config_invalid")),
        ("lifetime_max_0", {"lifetime": {"max_lifetime": 0}}, err("config_invalid")),
        ("lifetime_max_1", {"lifetime": {"max_lifetime": 1}}, ok()),
    ]
    origins = [
        ("https://app.example.com", ok()),
        ("http://localhost:3000", ok()),
        ("https://*.example.com", ok()),
        ("HTTPS://APP.EXAMPLE.COM", None),
        ("https://app.example.com:443", None),
        ("https://[::1]:8443", None),
        ("https://app.example.com/", err("config_invalid")),
        ("https://app.example.com/path", err("config_invalid")),
        ("app.example.com", err("config_invalid")),
        ("*", err("config_invalid")),
        ("https://*", err("config_invalid")),
        ("https://*.*.example.com", err("config_invalid")),
        ("https://app.*.example.com", err("config_invalid")),
        ("null", None),
        ("", err("config_invalid")),
        ("https://exa mple.com", err("config_invalid")),
        ("https://app.example.com:0", err("config_invalid")),
        ("https://app.example.com:65536", err("config_invalid")),
        ("ftp://app.example.com", None),
        (" https://app.example.com", err("config_invalid")),
    ]
    cases = [{"name": f"config/{n}", "kind": "config", "options": o, "project": p, **({"expect": e} if e else {})}
             for n, o, p, e in table]
    for n, changes, e in projects:
        case = {"name": f"config/project/{n}", "kind": "config", "options": {}, "project": {**good, **changes}}
        if e:
            case["expect"] = e
        cases.append(case)
    for i, (origin, e) in enumerate(origins):
        case = {"name": f"config/origin/{i:02}", "kind": "config", "options": {},
                "project": {**good, "allowed_origins": [origin]}}
        if e:
            case["expect"] = e
        cases.append(case)
    return cases


def main(out=os.path.join(HERE, "corpus.json")):
    with open(JWT_CASES, encoding="utf-8") as f:
        jwt = json.load(f)["cases"]
    corpus = {
        "format": "notiflows-parity/1",
        "description": "Cases run through the public API of Rust, C, Python, Node and Ruby (parity/); "
        "every language must write the same results. Generated by testdata/parity/generate.py.",
        "public_key": "testdata/vectors/jwt-cases/rsa_public_spki.pem",
        "tokens": {c["name"]: c["token"] for c in jwt},
        "projects": PROJECTS,
        "cases": verify_cases(jwt) + request_cases() + config_cases(),
    }
    names = [c["name"] for c in corpus["cases"]]
    assert len(names) == len(set(names)), "case names are unique"
    with open(out, "w", encoding="utf-8") as f:
        json.dump(corpus, f, ensure_ascii=False, indent=1)
        f.write("\n")
    print(f"generate.py: {len(names)} cases -> {out}")


if __name__ == "__main__":
    main(*sys.argv[1:])
