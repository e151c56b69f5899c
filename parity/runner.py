#!/usr/bin/env python3
"""The parity runner for Python: every case of the corpus through notiflows_auth's public API.

Usage: runner.py CORPUS_JSON > python.jsonl   (see parity/README.md for the line format)
"""

import json
import os
import sys

import notiflows_auth as na

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Corpus option -> Python keyword.
OPTIONS = {"leeway": "leeway", "require_exp": "require_exp", "max_token_bytes": "max_token_bytes",
           "max_lifetime": "max_lifetime", "iat_skew": "iat_skew", "cache_size": "cache_size"}


def line(record):
    return json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def result(case, **fields):
    record = dict.fromkeys(["claim", "code", "credential", "family", "message", "mode", "status", "sub", "user_id"])
    record.update(case=case["name"], outcome="ok")
    record.update(fields)
    return record


def failure(case, e):
    if isinstance(e, na.NotiflowsAuthError):
        return result(case, outcome="error", code=e.code, status=e.status, claim=e.claim, message=e.message,
                      family=type(e).family or None)
    return result(case, outcome="binding_error", message=f"{type(e).__name__}: {e}")


def value(corpus, v):
    if isinstance(v, str):
        return v
    if "hex" in v:
        return bytes.fromhex(v["hex"])
    return corpus["tokens"][v["token"]] + v.get("append", "")


def options(case, cache=True):
    return {OPTIONS[k]: v for k, v in case["options"].items() if cache or k != "cache_size"}


def add_project(corpus, auth, key, project):
    members = dict(project.get("lifetime", {}))
    if "retiring_keys" in project:
        members["retiring_keys"] = [(key, r["until"], r["kid"]) if r["kid"] is not None else (key, r["until"])
                                    for r in project["retiring_keys"]]
    if "revoked_before" in project:
        members["revoked_before"] = project["revoked_before"]
    if "user_revocations" in project:
        members["user_revocations"] = [(u["user_id"], u["revoked_before"]) for u in project["user_revocations"]]
    auth.add_project(project["api_key"], security_mode=project["security_mode"],
                     signing_public_key=key if project["signing_key"] else None,
                     signing_key_kid=project.get("signing_key_kid"),
                     allowed_origins=project["allowed_origins"], **members)


def run(corpus, key, case):
    try:
        if case["kind"] == "verify":
            claims = na.Verifier(key, **options(case)).verify(corpus["tokens"][case["token"]], now=case["now"])
            return result(case, sub=claims.sub)
        if case["kind"] == "request":
            auth = na.Authenticator(**options(case))
            for project in corpus["projects"]:
                add_project(corpus, auth, key, project)
            headers = [(name, value(corpus, v)) for name, v in case["headers"]]
            for _ in range(case.get("repeat", 1)):
                user = auth.authenticate(headers, now=case["now"])
            return result(case, user_id=user.user_id, mode=user.mode, credential=user.credential)
        na.Verifier(key, **options(case, cache=False))
        auth = na.Authenticator(**options(case))
        add_project(corpus, auth, key, case["project"])
        return result(case)
    except Exception as e:  # noqa: BLE001 - every failure is a result to compare
        return failure(case, e)


def main(path):
    with open(path, encoding="utf-8") as f:
        corpus = json.load(f)
    with open(os.path.join(ROOT, corpus["public_key"]), encoding="utf-8") as f:
        key = f.read()
    families = [na.TokenError, na.SigningKeyError, na.RequestAuthError, na.ConfigError]
    out = [
        line({"case": f"error/{code}", "family": [f.family for f in families if code in f.codes], "status": status})
        for code, status in ((code, na.ERROR_STATUS[code]) for code in na.ERROR_CODES)
    ]
    out += [line(run(corpus, key, case)) for case in corpus["cases"]]
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
