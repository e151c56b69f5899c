#!/usr/bin/env python3
"""The parity harness's verdict: every language wrote the same lines, and they keep the contract.

1. Each output has one line per error code of the core and one per corpus case, in order.
2. Every output is byte-identical to the first (Rust's); for each differing case, both lines
   are shown, field by field.
3. The results keep the contract: each case's "expect" (outcome, the accepted codes, sub or
   user id) holds.

Usage: compare.py CORPUS_JSON NAME=OUTPUT.jsonl...   (exit status 1 on any failure)
"""

import json
import sys

SHOWN = 80  # disagreeing cases shown in full


def load(path):
    with open(path, "rb") as f:
        return f.read().split(b"\n")[:-1]


def case_name(line):
    return json.loads(line)["case"]


def summary(line):
    """What a result line says, in a few words."""
    if line is None:
        return "(missing)"
    r = json.loads(line)
    if "outcome" not in r:
        return f"family {r.get('family')} status {r.get('status')}"
    if r["outcome"] == "ok":
        who = r.get("sub") or r.get("user_id")
        return "ok" + (f" ({who})" if who else "")
    if r["outcome"] == "error":
        return f"{r['code']} {r['status']}" + (f" claim {r['claim']}" if r["claim"] else "")
    return f"{r['outcome']}: {r['message']}"


def differences(reference, other):
    """The fields of two result lines that differ, as 'field: a != b' strings."""
    a, b = json.loads(reference), json.loads(other)
    return [f"{k}: {json.dumps(a.get(k), ensure_ascii=False)} != {json.dumps(b.get(k), ensure_ascii=False)}"
            for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)]


def check_expectations(corpus, lines):
    results = {json.loads(line)["case"]: json.loads(line) for line in lines}
    failures = []
    for case in corpus["cases"]:
        expect = case.get("expect")
        if not expect:
            continue
        got = results.get(case["name"])
        if got is None:
            continue
        wrong = got["outcome"] != expect["outcome"]
        if expect["outcome"] == "error":
            wrong = wrong or got["code"] not in expect["code"]
        for field in ("sub", "user_id", "mode", "credential"):
            wrong = wrong or (field in expect and got[field] != expect[field])
        if wrong:
            want = " or ".join(expect.get("code", [])) or expect["outcome"]
            failures.append(f"  {case['name']}: expected {want}, got {got['code'] or got['outcome']}"
                            + (f" ({got['message']})" if got["message"] else ""))
    return failures


def main(corpus_path, *outputs):
    with open(corpus_path, encoding="utf-8") as f:
        corpus = json.load(f)
    names = [n for n, _ in (o.split("=", 1) for o in outputs)]
    runs = {n: load(p) for n, p in (o.split("=", 1) for o in outputs)}
    ok = True
    expected_cases = [c["name"] for c in corpus["cases"]]
    for name, lines in runs.items():
        cases = [case_name(line) for line in lines if not case_name(line).startswith("error/")]
        if cases != expected_cases:
            missing = sorted(set(expected_cases) - set(cases))
            print(f"parity: {name} wrote {len(cases)} case lines, expected {len(expected_cases)}"
                  f" (missing: {', '.join(missing[:5]) or 'none'}; or out of order)")
            ok = False
    # Byte-identical, or a diff grouped by case: which languages wrote which line.
    reference = names[0]
    by_case = {n: {case_name(line): line for line in runs[n]} for n in names}
    order = [case_name(line) for line in runs[reference]]
    order += sorted({c for n in names for c in by_case[n]} - set(order))
    differing = [c for c in order if len({by_case[n].get(c) for n in names}) > 1]
    if differing:
        ok = False
        print(f"parity: the languages disagree on {len(differing)} lines ({reference} is the reference):")
        for case in differing[:SHOWN]:
            groups = {}
            for n in names:
                groups.setdefault(by_case[n].get(case), []).append(n)
            print(f"  {case}:")
            summaries = {line: summary(line) for line in groups}
            for line, who in groups.items():
                print(f"      {', '.join(who) + ':':<24} {summaries[line]}")
            # Lines that read the same in a few words: show the fields that differ.
            alike = {}
            for line in groups:
                if line is not None:
                    alike.setdefault(summaries[line], []).append(line)
            for lines in alike.values():
                for line in lines[1:]:
                    for d in differences(lines[0], line):
                        print(f"      {'':<24} {d}   ({', '.join(groups[lines[0]])} != {', '.join(groups[line])})")
        if len(differing) > SHOWN:
            print(f"  ... and {len(differing) - SHOWN} more")
    broken = {}
    for name in names:
        for failure in check_expectations(corpus, runs[name]):
            broken.setdefault(failure, []).append(name)
    if broken:
        ok = False
        print(f"parity: {len(broken)} results break the contract (the corpus's expect):")
        for failure, who in broken.items():
            print(f"{failure}   [{', '.join(who)}]")
    count = len(runs[reference])
    if ok:
        print(f"parity: {', '.join(names)} wrote the same {count} lines "
              f"({len(expected_cases)} cases and the error table), and every expectation holds")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
