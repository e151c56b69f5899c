#!/usr/bin/env python3
"""Flattens the parity corpus into the line format parity/runner.c reads (C has no JSON).

Lines are tab-separated; bytes that may be anything are hex. Options are six fields, "-" when
unset: leeway, require_exp, max_token_bytes, max_lifetime, iat_skew, cache_size.
  P  api_key mode has_key n origin...                       a project of every request case
  V  name now options token                                 verify
  R  name now options repeat n (header_name header_value)... authenticate
  C  name options api_key mode has_key n origin...          configure

Usage: flatten.py CORPUS_JSON OUT_TXT
"""

import json
import sys

OPTIONS = ["leeway", "require_exp", "max_token_bytes", "max_lifetime", "iat_skew", "cache_size"]


def hexed(text):
    return text.encode("utf-8").hex()


def options(case):
    given = case["options"]
    return [("-" if k not in given else str(int(given[k]))) for k in OPTIONS]


def value(corpus, v):
    if isinstance(v, str):
        return hexed(v)
    if "hex" in v:
        return v["hex"]
    return hexed(corpus["tokens"][v["token"]] + v.get("append", ""))


def project(p):
    origins = p["allowed_origins"]
    return [hexed(p["api_key"]), p["security_mode"], str(int(p["signing_key"])), str(len(origins)),
            *map(hexed, origins)]


def main(src, dst):
    with open(src, encoding="utf-8") as f:
        corpus = json.load(f)
    lines = [["P", *project(p)] for p in corpus["projects"]]
    for case in corpus["cases"]:
        name, kind = case["name"], case["kind"]
        if kind == "verify":
            lines.append(["V", name, str(case["now"]), *options(case), hexed(corpus["tokens"][case["token"]])])
        elif kind == "request":
            headers = [x for name_, v in case["headers"] for x in (hexed(name_), value(corpus, v))]
            lines.append(["R", name, str(case["now"]), *options(case), str(case.get("repeat", 1)),
                          str(len(case["headers"])), *headers])
        else:
            lines.append(["C", name, *options(case), *project(case["project"])])
    with open(dst, "w", encoding="ascii") as f:
        f.write("".join("\t".join(line) + "\n" for line in lines))


if __name__ == "__main__":
    main(*sys.argv[1:])
