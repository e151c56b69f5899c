"""Per-call binding overhead (issue 15): the Node, Python and Ruby comparisons and the Rust
reference (`benches/src/bin/overhead.rs`) in interleaved rounds, each round running every
language once, then the medians per operation and the overhead table: a binding's time for
an operation minus Rust's for the same operation in the same run.

Run by `benches/compare/overhead` (which builds and installs everything first).
Usage: python3 overhead.py --rounds N --seconds S --root REPO --python VENV_PYTHON
Prints one JSON document: the medians, every round's figures, the load average.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys

# Rust reference id for each operation the language benches measure.
REFERENCE = {
    "ours": "verify_ring",
    "ours_aws_lc_rs": "verify_aws_lc_rs",
    "ours_cache_hit": "verify_cache_hit",
    "ours_auth_cache_hit": "authenticate_cache_hit",
}


def run_json(cmd, env):
    out = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=0.3)
    parser.add_argument("--root", required=True)
    parser.add_argument("--python", required=True)
    args = parser.parse_args()
    root = args.root
    env = dict(os.environ, NOTIFLOWS_AUTH_LIB=os.path.join(root, "target", "release", "libnotiflows_auth.so"))
    secs = str(args.seconds)
    commands = {
        "rust": [os.path.join(root, "target", "release", "overhead"), "--rounds", "1", "--seconds", secs],
        "node": ["node", os.path.join(root, "benches/compare/node/bench.js"), "--runs", "1", "--seconds", secs],
        "python": [args.python, "-W", "ignore::DeprecationWarning", os.path.join(root, "benches/compare/python/bench.py"),
                   "--runs", "1", "--seconds", secs],
        "ruby": ["ruby", os.path.join(root, "benches/compare/ruby/bench.rb"), "--runs", "1", "--seconds", secs],
    }
    rounds = {name: [] for name in commands}
    loads = []
    for _ in range(args.rounds):
        loads.append(os.getloadavg()[0])
        for name, cmd in commands.items():
            rounds[name].append(run_json(cmd, env))
            print(f"overhead: {name} round {len(rounds[name])} done", file=sys.stderr)

    # ns per op per (language, group, threads, id), median over rounds.
    medians = {}
    for name, docs in rounds.items():
        samples = {}
        for doc in docs:
            for r in doc["results"]:
                if name == "rust":
                    key = ("verify/2048", 1, r["id"])
                    ns = r["ns_per_op"]
                else:
                    key = (r["group"], r.get("threads", 1), r["id"])
                    ns = 1e9 / r["ops_per_sec"]
                samples.setdefault(key, []).append(ns)
        medians[name] = {key: statistics.median(v) for key, v in samples.items()}

    rust = medians["rust"]
    table = []
    for lang in ("node", "python", "ruby"):
        for ident, ref in REFERENCE.items():
            ours = medians[lang].get(("verify/2048", 1, ident))
            base = rust.get(("verify/2048", 1, ref))
            if ours is None or base is None:
                continue
            table.append({"language": lang, "operation": ident, "binding_ns": round(ours, 1),
                          "rust_ns": round(base, 1), "overhead_ns": round(ours - base, 1)})
    flat = {lang: [{"group": g, "threads": t, "id": i, "ns_per_op": round(v, 1)} for (g, t, i), v in sorted(m.items())]
            for lang, m in medians.items()}
    versions = {lang: docs[0].get("versions", {}) for lang, docs in rounds.items()}
    json.dump({"rounds": args.rounds, "seconds": args.seconds, "load_average_1min": loads,
               "overhead": table, "medians": flat, "versions": versions}, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
