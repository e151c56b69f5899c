#!/usr/bin/env python3
"""Flattens ../shared/vectors/jwt-cases/cases.json into a tab-separated file the C tests read.

One line per case: name, expect (valid|invalid), now, the accepted error codes (the expected
category's code first, then the alternatives', comma-separated; "-" for a valid case), the
expected sub in hex ("-" when none), and the token in hex (tokens may hold any byte).

Usage: jwt_cases.py CASES_JSON OUT_TSV
"""
import json
import sys

# The corpus's error categories, as our stable error codes.
CATEGORY_CODES = {
    "malformed": "token_malformed",
    "base64": "token_base64",
    "json": "token_json",
    "duplicate_member": "token_duplicate_member",
    "alg": "alg_not_allowed",
    "crit": "crit_unsupported",
    "signature": "signature_invalid",
    "claim_missing": "claim_missing",
    "claim_type": "claim_invalid",
    "expired": "token_expired",
    "not_yet_valid": "token_not_yet_valid",
    "iat_future": "token_issued_in_future",
    "size_limit": "token_too_large",
}


def main(src, dst):
    with open(src, encoding="utf-8") as f:
        cases = json.load(f)["cases"]
    lines = []
    for case in cases:
        if case["expect"] == "valid":
            codes = "-"
            sub = case["expected_sub"].encode("utf-8").hex()
        else:
            categories = [case["expected_error_category"], *case["alt_error_categories"]]
            codes = ",".join(CATEGORY_CODES[c] for c in categories)
            sub = "-"
        token = case["token"].encode("utf-8").hex()
        lines.append("\t".join([case["name"], case["expect"], str(case["now"]), codes, sub, token]))
    with open(dst, "w", encoding="ascii") as f:
        f.write("\n".join(lines) + "\n")
    print(f"jwt_cases.py: {len(lines)} cases -> {dst}")


if __name__ == "__main__":
    main(*sys.argv[1:])
