#!/usr/bin/env python3
"""Turns what scripts/bench measured into benches/RESULTS.md and benches/ratios.svg.

Standard library only, no network. Subcommands:
  report.py criterion CRITERION_DIR          one cargo bench run -> JSON on stdout
  report.py heap LOG_N1 LOG_N2 N1 N2         valgrind heap summaries -> mallocs per op
  report.py write RESULTS_DIR RESULTS_MD SVG the report and the chart
  report.py readme RESULTS_DIR               the ratio table the README quotes
"""

import datetime
import glob
import json
import os
import re
import statistics
import sys

# Display names of the benchmark ids, per language.
RUST_LABELS = {
    "ours": "notiflows-auth",
    "ours_borrowed": "notiflows-auth (`verify_with`, claims borrowed)",
    "ours_aws_lc_rs": "notiflows-auth, aws-lc-rs provider",
    "cache_hit_1_thread": "cache hits, 1 thread (10,000 per run)",
    "cache_hit_2_threads": "cache hits, 2 threads (10,000 each per run)",
    "ring": "ring, bare (floor)",
    "aws_lc_rs": "aws-lc-rs, bare (floor)",
    "jsonwebtoken11": "jsonwebtoken 11 (`insecure_decode`)",
    "jsonwebtoken11_aws_lc": "jsonwebtoken 11, aws-lc backend",
    "jsonwebtoken10_rust_crypto": "jsonwebtoken 10, rust_crypto backend",
    "jwt_simple": "jwt-simple (BoringSSL)",
    "secure": "Secure Mode, cache off (full verify)",
    "secure_cache_hit": "Secure Mode, verified-token cache hit",
    "development": "Development Mode (`x-notiflows-user-id`)",
}
# Labels that depend on the group.
GROUP_LABELS = {
    ("verify", "ring"): "ring, bare verify of the same bytes (floor)",
    ("verify", "aws_lc_rs"): "aws-lc-rs, bare verify, key parsed once (`ParsedPublicKey`)",
    ("sign", "ring"): "ring, bare sign",
    ("sign", "aws_lc_rs"): "aws-lc-rs, bare sign (what ours signs with)",
}


def label(group, ident):
    return GROUP_LABELS.get((group.split("/")[0], ident), RUST_LABELS.get(ident, ident))


# Bare primitives: the floor we are measured against, not JWT libraries.
FLOORS = {"ring", "aws_lc_rs"}
GROUP_ORDER = ["parse", "verify/2048", "verify/3072", "verify/4096", "sign/2048", "authenticate", "authenticate_threads"]


def criterion(directory):
    """[{group, id, median_ns}] from one criterion run's `new` estimates."""
    rows = []
    for bench in glob.glob(os.path.join(directory, "**", "new", "benchmark.json"), recursive=True):
        meta = json.load(open(bench))
        estimates = json.load(open(os.path.join(os.path.dirname(bench), "estimates.json")))
        rows.append(
            {"group": meta["group_id"], "id": meta["function_id"], "median_ns": estimates["median"]["point_estimate"]}
        )
    return rows


def heap(log1, log2, n1, n2):
    """malloc calls and bytes per operation from two valgrind runs of N1 and N2 iterations."""
    pattern = re.compile(r"total heap usage: ([\d,]+) allocs, [\d,]+ frees, ([\d,]+) bytes allocated")

    def read(path):
        m = pattern.search(open(path).read())
        if not m:
            raise SystemExit(f"no heap summary in {path}")
        return int(m.group(1).replace(",", "")), int(m.group(2).replace(",", ""))

    (a1, b1), (a2, b2) = read(log1), read(log2)
    n = int(n2) - int(n1)
    return {"allocations": (a2 - a1) / n, "bytes": (b2 - b1) / n}


def fmt_rate(ops):
    if ops >= 100_000:
        return f"{ops / 1000:,.0f}k"
    if ops >= 10_000:
        return f"{ops / 1000:,.1f}k"
    if ops >= 1000:
        return f"{ops / 1000:,.2f}k"
    return f"{ops:,.0f}"


def fmt_ratio(r):
    return f"{r:.3f}" if r < 10 else f"{r:.1f}"


def load(path, default=None):
    try:
        return json.load(open(path))
    except (OSError, ValueError):
        return default


def rust_medians(results_dir):
    """{(group, id): [ops/s per run]} over every criterion run."""
    runs = {}
    for path in sorted(glob.glob(os.path.join(results_dir, "rust-run*.json"))):
        for row in load(path, []):
            runs.setdefault((row["group"], row["id"]), []).append(1e9 / row["median_ns"])
    return runs


def cargo_lock_versions(names):
    versions = {}
    try:
        text = open("Cargo.lock").read()
    except OSError:
        return versions
    for block in text.split("[[package]]"):
        m = re.search(r'name = "([^"]+)"\s+version = "([^"]+)"', block)
        if m and m.group(1) in names:
            versions.setdefault(m.group(1), []).append(m.group(2))
    return {k: ", ".join(sorted(v)) for k, v in versions.items()}


# Our uncached verify rows, by the provider they run.
PROVIDER_OF = {"ours": "ring", "ours_aws_lc_rs": "aws-lc-rs"}


def write(results_dir, md_path, svg_path):
    env = load(os.path.join(results_dir, "env.json"), {})
    rust = rust_medians(results_dir)
    allocs = load(os.path.join(results_dir, "allocs.json"), [])
    heap_rows = load(os.path.join(results_dir, "heap.json"), {})
    paired = load(os.path.join(results_dir, "paired.json"), [])
    callgrind = load(os.path.join(results_dir, "callgrind.json"), {})
    compares = [load(p) for p in sorted(glob.glob(os.path.join(results_dir, "compare-*.json")))]
    compares = [c for c in compares if c]
    runs_count = max((len(v) for v in rust.values()), default=0)

    def med(group, ident):
        values = rust.get((group, ident))
        return statistics.median(values) if values else None

    lines = []
    out = lines.append
    out("# Benchmark results")
    out("")
    out(
        "Written by `scripts/bench` (do not edit by hand). Operations per second are medians of "
        f"{runs_count} criterion runs (each itself a median of its samples); ratios are ops/s "
        "divided by the best peer's ops/s in the same group and run, so above 1 is faster than "
        "every peer. Keys (`benches/keys/`) are parsed once, before measuring; every library "
        "verifies the same token bytes."
    )
    out("")
    out(f"- Date: {env.get('date', '?')}")
    out(f"- CPU: {env.get('cpu', '?')} ({env.get('cores', '?')} cores), {env.get('os', '?')}")
    out(f"- Load average before / after: {env.get('load_before', '?')} / {env.get('load_after', '?')}")
    out(f"- Rust: {env.get('rustc', '?')}")
    if "BoringSSL" not in env.get("jwt_simple_backend", "BoringSSL"):
        RUST_LABELS["jwt_simple"] = "jwt-simple (pure Rust)"
    if env.get("jwt_simple_backend"):
        out(f"- jwt-simple backend: {env['jwt_simple_backend']}")
    crates = cargo_lock_versions(
        {"ring", "aws-lc-rs", "aws-lc-sys", "jsonwebtoken", "jwt-simple", "boring", "rsa", "criterion"}
    )
    out("- Crates: " + ", ".join(f"{k} {v}" for k, v in sorted(crates.items())))
    for c in compares:
        vs = ", ".join(f"{k} {v}" for k, v in c.get("versions", {}).items())
        out(f"- {c['language'].capitalize()}: {vs}")
    out("")

    # Targets.
    out("## Targets")
    out("")
    out("| target | measured | met |")
    out("| --- | --- | --- |")
    chart = []
    pairs = {p["a"] + "|" + p["b"]: p for p in paired}

    def pair(a, b):
        return pairs.get(a + "|" + b)

    for bits in (2048, 3072, 4096):
        g = f"verify/{bits}"
        ours, ring = med(g, "ours"), med(g, "ring")
        p = pair(f"{g}/ours", f"{g}/ring")
        if ours and ring:
            parts = [f"criterion: ours {ours / ring:.3f}x ring's ops/s"]
            ok = ours / ring >= 0.98
            if p:
                parts.append(f"interleaved A/B: time ratio {p['median']:.4f} (IQR {p['q1']:.3f}-{p['q3']:.3f})")
                ok = p["median"] <= 1.02
            cg = callgrind.get(f"{g}/ours"), callgrind.get(f"{g}/ring")
            if all(cg):
                parts.append(f"instructions {cg[0]:,.0f} vs {cg[1]:,.0f} (+{(cg[0] / cg[1] - 1) * 100:.2f}%)")
            out(f"| verify {bits} within 2% of bare ring | {'; '.join(parts)} | {'yes' if ok else 'no'} |")
    parse, verify = med("parse", "ours"), med("verify/2048", "ours")
    if parse and verify:
        share = verify / parse
        p = pair("parse/ours", "verify/2048/ours")
        parts = [f"criterion: parse takes {share * 100:.2f}% of a verify"]
        ok = share < 0.01
        if p:
            parts.append(f"interleaved A/B: {p['median'] * 100:.2f}%")
            ok = p["median"] < 0.01
        cg = callgrind.get("parse/ours"), callgrind.get("verify/2048/ours")
        if all(cg):
            parts.append(f"instructions {cg[0]:,.0f} vs {cg[1]:,.0f} ({cg[0] / cg[1] * 100:.2f}%)")
        out(f"| parse only under 1% of a verify (2048) | {'; '.join(parts)} | {'yes' if ok else 'no'} |")
    hit, full = med("authenticate", "secure_cache_hit"), med("authenticate", "secure")
    if hit and full:
        p = pair("authenticate/secure_cache_hit", "authenticate/secure")
        parts = [f"criterion: a hit costs 1/{hit / full:.0f} of a full verify"]
        ok = hit / full >= 20
        if p:
            parts.append(f"interleaved A/B: 1/{1 / p['median']:.0f}")
            ok = p["median"] <= 0.05
        out(f"| cache hit at most 1/20 of a verify | {'; '.join(parts)} | {'yes' if ok else 'no'} |")
    g = "sign/2048"
    ours = med(g, "ours")
    peers = {k[1]: med(*k) for k in rust if k[0] == g and k[1] != "ours"}
    if ours and peers:
        best_id = max(peers, key=peers.get)
        libs = {k: v for k, v in peers.items() if k not in FLOORS}
        best_lib = max(libs, key=libs.get) if libs else best_id
        parts = [
            f"{ours / peers[best_lib]:.2f}x the fastest JWT library ({label(g, best_lib)})",
            f"{ours / peers[best_id]:.3f}x the fastest signer ({label(g, best_id)})",
        ]
        p = pair("sign/2048/ours", "sign/2048/aws_lc_rs")
        if p:
            parts.append(f"interleaved A/B vs bare aws-lc-rs: time ratio {p['median']:.3f}")
        ok = ours >= peers[best_lib]
        out(f"| signing at least as fast as the fastest peer | {'; '.join(parts)} | {'yes' if ok else 'no'} |")
    by = {(a["group"], a["id"]): a for a in allocs}
    if by:
        parts, ok = [], True
        for g in ("verify/2048", "verify/3072", "verify/4096"):
            o, r = by.get((g, "ours")), by.get((g, "ring"))
            if o and r:
                parts.append(f"{g}: ours {o['allocations']:g} ({o['bytes']:g} B) = ring {r['allocations']:g} ({r['bytes']:g} B)")
                ok = ok and (o["allocations"], o["bytes"]) == (r["allocations"], r["bytes"])
        for key in (("parse", "ours"), ("authenticate", "secure_cache_hit"), ("authenticate", "development")):
            a = by.get(key)
            if a:
                parts.append(f"{'/'.join(key)}: {a['allocations']:g}")
                ok = ok and a["allocations"] == 0
        out(f"| zero allocations in our code (verify allocates exactly what bare ring does) | {'; '.join(parts)} | {'yes' if ok else 'no'} |")
    out("")

    # Rust tables.
    out("## Rust (criterion, `cargo bench -p notiflows-auth-benches`)")
    out("")
    groups = sorted({g for g, _ in rust}, key=lambda g: GROUP_ORDER.index(g) if g in GROUP_ORDER else 99)
    for g in groups:
        ids = [i for (gg, i) in rust if gg == g]
        rows = {i: med(g, i) for i in ids}
        peers = {i: v for i, v in rows.items() if not (i.startswith("ours") or g == "authenticate")}
        best = max(peers.values()) if peers else None
        libs = {i: v for i, v in peers.items() if i not in FLOORS}
        out(f"### {g}")
        out("")
        out("| library | ops/s | runs (ops/s) | ratio to best peer |")
        out("| --- | ---: | --- | ---: |")
        for i in sorted(ids, key=lambda i: -rows[i]):
            spread = ", ".join(fmt_rate(v) for v in rust[(g, i)])
            ratio = fmt_ratio(rows[i] / best) if best else "-"
            name = label(g, i)
            if i.startswith("ours") or g == "authenticate":
                name = f"**{name}**"
            out(f"| {name} | {fmt_rate(rows[i])} | {spread} | {ratio} |")
        out("")
        if g.startswith(("verify", "sign", "parse")) and "ours" in rows and best:
            lib_best = max(libs.values()) if libs else best
            # Each verify provider beside the same peers; its floor is the bare primitive it
            # runs (ring, or aws-lc-rs's ParsedPublicKey); signing always runs aws-lc-rs.
            for ours_id, floor_id in (("ours", "aws_lc_rs" if g.startswith("sign") else "ring"), ("ours_aws_lc_rs", "aws_lc_rs")):
                if ours_id not in rows:
                    continue
                name = f"{g} {PROVIDER_OF[ours_id]}" if g.startswith("verify") else g
                chart.append(("Rust", name, "vs best JWT library", rows[ours_id] / lib_best))
                if floor_id in peers:
                    chart.append(("Rust", name, "vs bare crypto", rows[ours_id] / peers[floor_id]))
    ring, parsed, ours = med("verify/2048", "ring"), med("verify/2048", "aws_lc_rs"), med("verify/2048", "ours")
    peers = {i: med("verify/2048", i) for (g, i) in rust if g == "verify/2048" and not i.startswith("ours")}
    if ring and ours and peers:
        best_id = max(peers, key=peers.get)
        out("### Where ring's cold verify stays behind")
        out("")
        out(
            f"Our verify runs ring's, and reaches {ours / ring:.3f}x its ops/s (2048-bit); but "
            f"{label('verify', best_id)} verifies {peers[best_id] / ours:.2f}x as fast as we do. "
            "ring's API takes the public key as bytes on every call and recomputes the modulus's "
            "Montgomery constant (R^2 mod n, `LIMBS_shl_mod`) each time: 14.8% of our 2048-bit "
            "verify in a `perf record` profile on this machine (2026-11-28). jwt-simple keeps "
            "BoringSSL's parsed key; jsonwebtoken 11 hands aws-lc the key bytes on every call, as we "
            "hand ring, and aws-lc's RSA code is simply faster than ring's"
            + (
                f"; aws-lc-rs's own `ParsedPublicKey` reaches {parsed / ring:.2f}x ring's ops/s on the same bytes."
                if parsed
                else "."
            )
            + " The verified-token cache is how we answer repeated tokens faster than any of them (below)."
        )
        out("")
    if hit and full:
        out(
            f"A cache hit answers {hit / full:.0f}x as many requests per second as a full verify; against "
            "the fastest verify of any peer (2048-bit):"
        )
        peers = {i: med("verify/2048", i) for (g, i) in rust if g == "verify/2048" and not i.startswith("ours")}
        if peers:
            best_id = max(peers, key=peers.get)
            out(f"{hit / peers[best_id]:.1f}x {label('verify', best_id)}.")
            chart.append(("Rust", "authenticate", "cache hit vs best peer verify", hit / peers[best_id]))
        out("")

    # Allocations.
    if allocs:
        out("## Heap allocations per operation")
        out("")
        out(
            "Rust allocator: counted by a counting global allocator (`cargo run --release -p "
            "notiflows-auth-benches --bin allocs`), mean of 200 runs; it sees everything allocated "
            "through Rust, ring included (ring never calls malloc). malloc calls: every `malloc`, "
            "`calloc` and `realloc` of the process, C libraries (aws-lc, BoringSSL) included, "
            "from valgrind's heap summary of two runs of different lengths (the difference divided "
            "by the extra iterations; set-up differences between the two runs leave a few tenths of "
            "noise)."
        )
        out("")
        out("| operation | library | Rust allocator: allocations | bytes | malloc calls (valgrind) | bytes |")
        out("| --- | --- | ---: | ---: | ---: | ---: |")
        for a in allocs:
            name = label(a["group"], a["id"])
            if a["ours"]:
                name = f"**{name}**"
            h = heap_rows.get(f"{a['group']}/{a['id']}")
            hc = f"{h['allocations']:.1f}" if h else "-"
            hb = f"{h['bytes']:,.0f}" if h else "-"
            ac = f"{a['allocations']:g}" if a["allocations"] == int(a["allocations"]) else f"{a['allocations']:.1f}"
            out(f"| {a['group']} | {name} | {ac} | {a['bytes']:,.0f} | {hc} | {hb} |")
        out("")

    if callgrind:
        out("## Instructions per operation (callgrind)")
        out("")
        out(
            "Deterministic counts (valgrind's callgrind, only the measured loop), independent of "
            "the machine's load. Instructions are not time (RSA code runs more instructions per "
            "cycle than parsing does), but their differences show where work goes."
        )
        out("")
        out("| operation | instructions |")
        out("| --- | ---: |")
        for k, v in callgrind.items():
            out(f"| {k} | {v:,.0f} |")
        out("")

    # Other languages.
    for c in compares:
        lang = c["language"]
        out(f"## {lang.capitalize()} (`benches/compare/{lang}`)")
        out("")
        if c.get("note"):
            out(c["note"])
            out("")
        results = c["results"]
        keys = []
        for r in results:
            k = (r["group"], r.get("threads", 1))
            if k not in keys:
                keys.append(k)
        for g, threads in keys:
            rows = [r for r in results if r["group"] == g and r.get("threads", 1) == threads]
            # A peer's cache hit (fast-jwt's) is compared with our cache hit only, not with a verify.
            cached_peers = [r for r in rows if not r["ours"] and r["id"].endswith("cache_hit")]
            peers = [r for r in rows if not r["ours"] and not r["id"].endswith("cache_hit")]
            best = max((r["ops_per_sec"] for r in peers), default=None)
            libs = [r for r in peers if not r.get("floor")]
            lib_best = max((r["ops_per_sec"] for r in libs), default=None)
            title = g + (f", {threads} threads" if threads > 1 else "")
            out(f"### {title}")
            out("")
            out("| library | ops/s | runs (ops/s) | ratio to best peer |")
            out("| --- | ---: | --- | ---: |")
            for r in sorted(rows, key=lambda r: -r["ops_per_sec"]):
                name = f"**{r['label']}**" if r["ours"] else r["label"]
                spread = ", ".join(fmt_rate(v) for v in r["runs"])
                ratio = fmt_ratio(r["ops_per_sec"] / best) if best else "-"
                out(f"| {name} | {fmt_rate(r['ops_per_sec'])} | {spread} | {ratio} |")
            out("")
            for r in rows:
                if r["id"] == "ours_cache_hit" and lib_best:
                    suffix = f" ({threads} thr)" if threads > 1 else ""
                    chart.append(
                        (lang.capitalize(), "verify/2048" + suffix, "cache hit vs best JWT library", r["ops_per_sec"] / lib_best)
                    )
                    for p in cached_peers:
                        chart.append((lang.capitalize(), "verify/2048" + suffix, f"cache hit vs {p['label']}", r["ops_per_sec"] / p["ops_per_sec"]))
                if r["ours"] and r["id"] in PROVIDER_OF and lib_best:
                    suffix = f" ({threads} thr)" if threads > 1 else ""
                    if g.startswith("verify"):
                        suffix += " " + PROVIDER_OF[r["id"]]
                    chart.append((lang.capitalize(), g + suffix, "vs best JWT library", r["ops_per_sec"] / lib_best))
                    floors = [p["ops_per_sec"] for p in peers if p.get("floor")]
                    if floors:
                        chart.append((lang.capitalize(), g + suffix, "vs bare crypto", r["ops_per_sec"] / max(floors)))

    if paired:
        out("## Interleaved A/B timings (`--bin paired`)")
        out("")
        out(
            "Short batches of A and B alternate; the median and interquartile range of the "
            "per-round ratios time(A)/time(B) are shown. Robust to load that comes and goes."
        )
        out("")
        out("| comparison | time(A)/time(B) | IQR | target |")
        out("| --- | ---: | --- | --- |")
        for p in paired:
            out(f"| {p['name']} | {p['median']:.4f} | {p['q1']:.4f} - {p['q3']:.4f} | {p['target']} |")
        out("")

    out("## Chart")
    out("")
    out("![ours divided by the best peer, ops/s](ratios.svg)")
    out("")
    out("Reproduce: `scripts/bench` (about 15 minutes on 2 cores; `scripts/bench --help` for options).")
    # The gate's section is written by scripts/bench-gate: kept as it is.
    gate = ""
    if os.path.exists(md_path):
        previous = open(md_path).read()
        marker = "<!-- gate-bench:begin"
        if marker in previous:
            gate = "\n" + previous[previous.index(marker):]
    open(md_path, "w").write("\n".join(lines) + "\n" + gate)
    open(svg_path, "w").write(svg(chart))


def readme(results_dir):
    """The ratio table the README's Performance section quotes."""
    rust = rust_medians(results_dir)
    compares = [load(p) for p in sorted(glob.glob(os.path.join(results_dir, "compare-*.json")))]

    def med(group, ident):
        values = rust.get((group, ident))
        return statistics.median(values) if values else None

    rows = []
    for g in ("verify/2048", "verify/3072", "verify/4096"):
        ours = med(g, "ours")
        for peer in ("ring", "aws_lc_rs", "jsonwebtoken11_aws_lc", "jwt_simple", "jsonwebtoken10_rust_crypto"):
            if ours and med(g, peer):
                rows.append((f"Rust {g}", label(g, peer), ours / med(g, peer)))
    hit, full = med("authenticate", "secure_cache_hit"), med("authenticate", "secure")
    if hit and full:
        rows.append(("Rust authenticate, cache hit", "a full verify (cache off)", hit / full))
        best = max(v for (g, i), _ in rust.items() if g == "verify/2048" and not i.startswith("ours") for v in [med(g, i)])
        rows.append(("Rust authenticate, cache hit", "fastest peer's verify/2048", hit / best))
    g = "sign/2048"
    for peer in ("aws_lc_rs", "jwt_simple", "jsonwebtoken11_aws_lc", "ring", "jsonwebtoken10_rust_crypto"):
        if med(g, "ours") and med(g, peer):
            rows.append((f"Rust {g}", label(g, peer), med(g, "ours") / med(g, peer)))
    for c in compares:
        for r in c["results"]:
            if r["ours"]:
                continue
            # A peer's cache hit is compared with ours; anything else with our verify.
            mine = "ours_cache_hit" if r["id"].endswith("cache_hit") else "ours"
            ours = [o for o in c["results"] if o["id"] == mine and o["group"] == r["group"] and o["threads"] == r["threads"]]
            if ours:
                t = f", {r['threads']} threads" if r["threads"] > 1 else ""
                rows.append((f"{c['language'].capitalize()} {r['group']}{t}", r["label"], ours[0]["ops_per_sec"] / r["ops_per_sec"]))
    print("| ours, operation | compared with | ours ÷ theirs (ops/s) |")
    print("| --- | --- | ---: |")
    for what, peer, ratio in rows:
        print(f"| {what} | {peer} | {fmt_ratio(ratio)} |")


def svg(bars):
    """A horizontal bar chart of the ratios, log scale around 1."""
    import math

    width, left, right, row, top = 960, 400, 60, 22, 50
    height = top + row * len(bars) + 50
    lo, hi = math.log10(0.05), math.log10(100)

    def x(v):
        v = min(max(v, 10**lo), 10**hi)
        return left + (math.log10(v) - lo) / (hi - lo) * (width - left - right)

    colors = {
        "vs best JWT library": "#2b6cb0",
        "vs bare crypto": "#9f7aea",
        "cache hit vs best peer verify": "#2f855a",
        "cache hit vs best JWT library": "#2f855a",
    }
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="{width / 2}" y="20" text-anchor="middle" font-size="15" font-weight="bold">'
        "notiflows-auth ops/s divided by the peer's (log scale; right of 1 = faster)</text>",
        f'<text x="{width / 2}" y="36" text-anchor="middle" fill="#555">bare crypto: the primitive each provider runs '
        "for Rust verify, aws-lc-rs for Rust sign, the language's OpenSSL binding elsewhere</text>",
    ]
    for tick in (0.1, 0.25, 0.5, 1, 2, 4, 10, 25, 50, 100):
        tx = x(tick)
        stroke = "#333" if tick == 1 else "#ddd"
        parts.append(f'<line x1="{tx:.1f}" y1="{top - 8}" x2="{tx:.1f}" y2="{height - 40}" stroke="{stroke}"/>')
        parts.append(f'<text x="{tx:.1f}" y="{height - 26}" text-anchor="middle">{tick:g}</text>')
    for i, (lang, group, kind, value) in enumerate(bars):
        y = top + i * row
        parts.append(f'<text x="{left - 8}" y="{y + 14}" text-anchor="end">{lang} {group} {kind}</text>')
        x0, x1 = x(1), x(value)
        color = colors.get(kind, "#718096")
        parts.append(
            f'<rect x="{min(x0, x1):.1f}" y="{y + 3}" width="{max(abs(x1 - x0), 1):.1f}" height="{row - 6}" fill="{color}"/>'
        )
        anchor, tx = ("start", max(x0, x1) + 4) if value >= 1 else ("end", min(x0, x1) - 4)
        parts.append(f'<text x="{tx:.1f}" y="{y + 14}" text-anchor="{anchor}">{fmt_ratio(value)}</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def main():
    cmd = sys.argv[1] if len(sys.argv) > 1 else ""
    if cmd == "criterion":
        json.dump(criterion(sys.argv[2]), sys.stdout)
    elif cmd == "heap":
        json.dump(heap(*sys.argv[2:6]), sys.stdout)
    elif cmd == "readme":
        readme(sys.argv[2])
    elif cmd == "write":
        write(*sys.argv[2:5])
    else:
        print(__doc__)
        sys.exit(2)


if __name__ == "__main__":
    main()
