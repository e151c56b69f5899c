#!/usr/bin/env python3
"""Flattens the parity corpus into the line format parity/runner.c reads (C has no JSON).

Lines are tab-separated; bytes that may be anything are hex. Options are six fields, "-" when
unset: leeway, require_exp, max_token_bytes, max_lifetime, iat_skew, cache_size.
  P  api_key mode has_key n origin...                       a project of every request case
  V  name now options token                                 verify
  R  name now options repeat n (header_name header_value)... authenticate
  C  name options api_key mode has_key n origin...          configure
  PJ document                                               a project given as a project document
  CJ name options document                                  configure one
A project with key-set members (signing_key_kid, retiring_keys, revoked_before,
user_revocations, lifetime) is written as its project document (the JSON the C ABI's
notiflows_auth_authenticator_add_project_json reads, keys as PEM text), hex-encoded.

Usage: flatten.py CORPUS_JSON OUT_TXT
"""

import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KEY_SET_MEMBERS = ["signing_key_kid", "retiring_keys", "revoked_before", "user_revocations", "lifetime"]

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


def document(p, pem):
    """The project document of a corpus project (the corpus key is its only key)."""
    doc = {"api_key": p["api_key"], "security_mode": p["security_mode"],
           "signing_public_key": pem if p["signing_key"] else None, "allowed_origins": p["allowed_origins"]}
    if "signing_key_kid" in p:
        doc["signing_key_kid"] = p["signing_key_kid"]
    if "retiring_keys" in p:
        doc["retiring_keys"] = [{"key": pem, "until": r["until"], **({"kid": r["kid"]} if r["kid"] else {})}
                                for r in p["retiring_keys"]]
    for name in ["revoked_before", "user_revocations"]:
        if name in p:
            doc[name] = p[name]
    doc.update(p.get("lifetime", {}))
    return hexed(json.dumps(doc, ensure_ascii=False))


def project_line(kind, p, pem, *before):
    if any(m in p for m in KEY_SET_MEMBERS):
        return [kind + "J", *before, document(p, pem)]
    return [kind, *before, *project(p)]


def main(src, dst):
    with open(src, encoding="utf-8") as f:
        corpus = json.load(f)
    with open(os.path.join(ROOT, corpus["public_key"]), encoding="ascii") as f:
        pem = f.read()
    lines = [project_line("P", p, pem) for p in corpus["projects"]]
    for case in corpus["cases"]:
        name, kind = case["name"], case["kind"]
        if kind == "verify":
            lines.append(["V", name, str(case["now"]), *options(case), hexed(corpus["tokens"][case["token"]])])
        elif kind == "request":
            headers = [x for name_, v in case["headers"] for x in (hexed(name_), value(corpus, v))]
            lines.append(["R", name, str(case["now"]), *options(case), str(case.get("repeat", 1)),
                          str(len(case["headers"])), *headers])
        else:
            lines.append(project_line("C", case["project"], pem, name, *options(case)))
    with open(dst, "w", encoding="ascii") as f:
        f.write("".join("\t".join(line) + "\n" for line in lines))


if __name__ == "__main__":
    main(*sys.argv[1:])
