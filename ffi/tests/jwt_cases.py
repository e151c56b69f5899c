#!/usr/bin/env python3
"""Flattens testdata/vectors/jwt-cases/cases.json into a tab-separated file the C tests read.

One line per case: name, expect (valid|invalid), now, the accepted error codes (the expected
category's code first, then the alternatives', comma-separated; "-" for a valid case), the
expected sub in hex ("-" when none), and the token in hex (tokens may hold any byte).

Usage: jwt_cases.py CASES_JSON OUT_TSV
"""
import json
import os
import sys

# The corpus's error categories, as our stable error codes (written once, for every language).
with open(os.path.join(os.path.dirname(__file__), "..", "..", "testdata", "jwt_case_categories.json")) as f:
    CATEGORY_CODES = json.load(f)


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
