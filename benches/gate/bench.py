#!/usr/bin/env python3
"""Load on loopback with wrk (scripts/bench-gate runs this): the gate's decision endpoint
alone (verified-token cache hits, and full verifies with the cache off), NGINX + gate, NGINX
without auth, and a minimal hyper server answering 200, all in one run so the ratios compare
like with like. Prints a Markdown section; with --write FILE replaces the gate section there.

Usage: bench.py --bin notiflows-auth --hyper minimal_hyper [--duration 10] [--write benches/RESULTS.md]"""
import argparse
import os
import platform
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "deploy", "test"))
import gateways  # noqa: E402  (the same setup the gateway tests use)

BEGIN = "<!-- gate-bench:begin (scripts/bench-gate) -->"
END = "<!-- gate-bench:end -->"
UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0}


def wrk(url, headers, duration, connections, threads=2):
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency"]
    for name, value in headers:
        command += ["-H", f"{name}: {value}"]
    out = subprocess.run(command + [url], check=True, capture_output=True, text=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    latency = {}
    for pct in ("50", "99"):
        value, unit = re.search(rf"^\s+{pct}(?:\.000)?%\s+([\d.]+)(us|ms|s)\s*$", out, re.M).groups()
        latency[pct] = float(value) * UNITS[unit]
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    if non2xx or errors:
        raise RuntimeError(f"{url}: not every answer was 200:\n{out}")
    return rps, latency


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", required=True)
    parser.add_argument("--hyper", required=True)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--write")
    args = parser.parse_args()
    s = gateways.Setup(args.bin)
    s.ports.update(hyper=s.ports["upstream"], nocache=gateways.free_port(), nocache_admin=gateways.free_port(), nginx_plain=gateways.free_port())
    load_before = os.getloadavg()
    try:
        s.spawn("hyper", [os.path.abspath(args.hyper), f"127.0.0.1:{s.ports['hyper']}"])
        gateways.wait_port(s.ports["hyper"])
        os.environ["NOTIFLOWS_LOG"] = "warn"  # one JSON line per decision is not what we measure
        s.start_gate()
        s.projects()
        token = s.sign("user-42")
        # The same projects on a second gate with the verified-token cache off: every
        # request is a full RS256 verify.
        with open(s.path("gate.toml")) as f:
            nocache = f.read()
        nocache = nocache.replace(f"127.0.0.1:{s.ports['gate']}", f"127.0.0.1:{s.ports['nocache']}")
        nocache = nocache.replace(f"127.0.0.1:{s.ports['admin']}", f"127.0.0.1:{s.ports['nocache_admin']}")
        nocache = nocache.replace("cache_capacity = 10000", "cache_capacity = 0")
        with open(s.path("gate-nocache.toml"), "w") as f:
            f.write(nocache)
        s.spawn("gate-nocache", [s.binary, "serve", "--config", s.path("gate-nocache.toml")])
        gateways.wait_port(s.ports["nocache"])
        # The deploy site (nginx.conf written by start_nginx), then again with a second
        # server that proxies to the same upstream without auth.
        s.start_nginx()
        s.stop("nginx")
        start_nginx_with_plain(s)
        auth = [("x-notiflows-api-key", "pk_live"), ("x-notiflows-user-key", token)]
        cases = [
            ("minimal hyper server (200, empty body)", f"http://127.0.0.1:{s.ports['hyper']}/", []),
            ("gate /v1/check, cache hits", f"http://127.0.0.1:{s.ports['gate']}/v1/check", auth),
            ("gate /v1/check, full verifies (cache off)", f"http://127.0.0.1:{s.ports['nocache']}/v1/check", auth),
            ("NGINX without auth -> upstream", f"http://127.0.0.1:{s.ports['nginx_plain']}/api/inbox", []),
            ("NGINX + gate (auth_request) -> upstream", f"http://127.0.0.1:{s.ports['nginx']}/api/inbox", auth),
        ]
        results = {}
        for name, url, headers in cases:
            wrk(url, headers, 1, args.connections)  # warm up (connections, cache)
            results[name] = wrk(url, headers, args.duration, args.connections)
            print(f"  {name}: {results[name][0]:,.0f} req/s, p50 {results[name][1]['50']:.3f} ms, p99 {results[name][1]['99']:.3f} ms", file=sys.stderr)
    finally:
        s.stop_all()
    load_after = os.getloadavg()
    rps = {name: r[0] for name, r in results.items()}
    hits_ratio = rps[cases[1][0]] / rps[cases[0][0]]
    nginx_ratio = rps[cases[4][0]] / rps[cases[3][0]]
    lines = [
        BEGIN,
        "## Gate (`scripts/bench-gate`)",
        "",
        f"wrk on loopback, {args.connections} connections, 2 threads, {args.duration} s per case after a 1 s warm-up; "
        "every answer checked to be 200. The gate and NGINX share the machine's cores with wrk. Decision logs at `warn` "
        "(one JSON line per decision at `info` is not what is measured). The upstream behind NGINX is the minimal hyper server.",
        "",
        f"- Date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; CPU: {os.cpu_count()} cores, {platform.platform()}",
        f"- Load average before / after: {' '.join(f'{x:.2f}' for x in load_before)} / {' '.join(f'{x:.2f}' for x in load_after)}",
        f"- {subprocess.run(['nginx', '-v'], capture_output=True, text=True).stderr.strip()}; "
        f"{subprocess.run(['wrk', '--version'], capture_output=True, text=True).stdout.splitlines()[0].strip() or 'wrk'}",
        "",
        "| case | requests/s | p50 (ms) | p99 (ms) |",
        "| --- | ---: | ---: | ---: |",
    ]
    for name, (r, latency) in results.items():
        lines.append(f"| {name} | {r:,.0f} | {latency['50']:.3f} | {latency['99']:.3f} |")
    lines += [
        "",
        "| target | measured | met |",
        "| --- | --- | --- |",
        f"| gate alone on cache hits >= 0.5x a minimal hyper server | {hits_ratio:.2f}x | {'yes' if hits_ratio >= 0.5 else 'no'} |",
        f"| NGINX + gate >= 0.7x NGINX without auth | {nginx_ratio:.2f}x | {'yes' if nginx_ratio >= 0.7 else 'no'} |",
        "",
        "Where NGINX + gate stays behind: every request is proxied twice by NGINX (the `auth_request` "
        "subrequest to the gate, then the request to the upstream) and decided by the gate, on the same "
        "two cores as wrk, NGINX's workers and the upstream, so the machine does a little over twice the "
        "work of NGINX alone per request. Caching decisions in NGINX would close the gap but would let a "
        "rotated key or a changed origin list keep passing until the entry expires, so the configuration "
        "does not.",
        END,
    ]
    section = "\n".join(lines) + "\n"
    print(section)
    if args.write:
        with open(args.write) as f:
            text = f.read()
        if BEGIN in text:
            text = text[: text.index(BEGIN)] + section + text[text.index(END) + len(END) + 1:]
        else:
            text = text.rstrip("\n") + "\n\n" + section
        with open(args.write, "w") as f:
            f.write(text)


def start_nginx_with_plain(s):
    """NGINX with the deploy site and a second server without auth on the same upstream."""
    site = s.render(os.path.join(gateways.DEPLOY, "nginx", "notiflows-gate.conf"), "nginx-site.conf", s.common_replacements(s.ports["nginx"], "keepalive_timeout"))
    with open(site, "a") as f:
        f.write(f"\nserver {{\n    listen 127.0.0.1:{s.ports['nginx_plain']};\n    location /api/ {{\n"
                "        proxy_http_version 1.1;\n        proxy_set_header Connection \"\";\n"
                "        proxy_pass http://notiflows_user_api;\n    }\n}\n")
    s.spawn("nginx", ["nginx", "-e", s.path("nginx-error.log"), "-p", s.tmp, "-c", s.path("nginx.conf")])
    gateways.wait_port(s.ports["nginx_plain"])


if __name__ == "__main__":
    main()
