#!/usr/bin/env python3
"""The gate behind real gateways, on free loopback ports in a temporary directory:
notiflows-auth serve, NGINX (deploy/nginx) and Caddy (deploy/caddy) in front of an upstream
that echoes the headers it got. Every decision through each gateway, the gate down, then
faults (the gate killed under load and restarted, a corrupted projects file, slow and
oversized requests) and the browser test (browser.mjs).

Usage: gateways.py --bin target/debug/notiflows-auth [--no-browser] [--no-faults]"""
import argparse
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

import harness
from harness import free_port, ok

HERE = os.path.dirname(os.path.abspath(__file__))
DEPLOY = os.path.dirname(HERE)
ADMIN_TOKEN = "suite-admin-token-" + os.urandom(8).hex()



def wait_port(port, seconds=15):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.02)
    raise RuntimeError(f"nothing listens on {port} after {seconds} s")


class Answer:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def header(self, name):
        values = self.all(name)
        return values[0] if values else None

    def all(self, name):
        return [v for k, v in self.headers if k.lower() == name.lower()]

    def json(self):
        return json.loads(self.body)

    def code(self):
        try:
            return self.json().get("code")
        except ValueError:
            return None

    def __repr__(self):
        return f"{self.status} {self.headers} {self.body[:300]}"


def request(port, method, path, headers=(), body=None, timeout=5):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.putrequest(method, path)
        for name, value in headers:
            connection.putheader(name, value)
        if body is not None:
            connection.putheader("content-type", "application/json")
            connection.putheader("content-length", str(len(body)))
        connection.endheaders(body.encode() if body is not None else None)
        response = connection.getresponse()
        return Answer(response.status, response.getheaders(), response.read().decode("utf-8", "replace"))
    finally:
        connection.close()


class Setup:
    def __init__(self, binary):
        self.binary = os.path.abspath(binary)
        self.tmp = tempfile.mkdtemp(prefix="notiflows-gate-suite-")
        self.ports = {name: free_port() for name in ("gate", "admin", "upstream", "nginx", "caddy", "page_ok", "page_bad")}
        self.origin_ok = f"http://127.0.0.1:{self.ports['page_ok']}"
        self.origin_bad = f"http://127.0.0.1:{self.ports['page_bad']}"
        self.upstream_log = os.path.join(self.tmp, "upstream.jsonl")
        open(self.upstream_log, "w").close()
        self.store = os.path.join(self.tmp, "projects.json")
        self.processes = {}

    def path(self, *names):
        return os.path.join(self.tmp, *names)

    def spawn(self, name, command, env=None):
        log = open(self.path(f"{name}.log"), "ab")
        self.processes[name] = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=self.tmp)
        return self.processes[name]

    def stop(self, name, sig=signal.SIGTERM):
        process = self.processes.pop(name, None)
        if process and process.poll() is None:
            process.send_signal(sig)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def stop_all(self):
        for name in list(self.processes):
            self.stop(name)

    # --- the pieces -------------------------------------------------------------------
    def start_upstream(self):
        self.spawn("upstream", [sys.executable, os.path.join(HERE, "echo_upstream.py"), str(self.ports["upstream"]), self.upstream_log])
        wait_port(self.ports["upstream"])

    def start_gate(self):
        # The committed configuration (deploy/systemd/gate.toml), with this run's paths and
        # ports and shorter intervals.
        self.render(os.path.join(DEPLOY, "systemd", "gate.toml"), "gate.toml", [
            ("/var/lib/notiflows-auth/projects.json", self.store),
            ("127.0.0.1:8080", f"127.0.0.1:{self.ports['gate']}"), ("127.0.0.1:8081", f"127.0.0.1:{self.ports['admin']}"),
            ("reload_interval_ms = 1000", "reload_interval_ms = 200"), ("header_read_timeout_ms = 5000", "header_read_timeout_ms = 1000"),
        ])
        env = dict(os.environ, NOTIFLOWS_ADMIN_TOKEN=ADMIN_TOKEN)
        started = time.monotonic()
        self.spawn("gate", [self.binary, "serve", "--config", self.path("gate.toml")], env)
        wait_port(self.ports["gate"])
        wait_port(self.ports["admin"])
        return started

    def admin(self, method, path, body=None):
        return request(self.ports["admin"], method, path, [("authorization", f"Bearer {ADMIN_TOKEN}")], body, timeout=30)

    def projects(self):
        body = json.dumps({"api_key": "pk_live", "security_mode": "secure", "allowed_origins": [self.origin_ok]})
        ok(self.admin("POST", "/admin/v1/projects", body).status == 201, "create pk_live")
        keys = self.admin("POST", "/admin/v1/projects/pk_live/signing-key")
        ok(keys.status == 201, f"generate a key: {keys}")
        with open(self.path("private_key.pem"), "w") as f:
            f.write(keys.json()["private_key_pem"])
        body = json.dumps({"api_key": "pk_dev", "security_mode": "development", "allowed_origins": [self.origin_ok]})
        ok(self.admin("POST", "/admin/v1/projects", body).status == 201, "create pk_dev")
        subprocess.run([self.binary, "keygen", "--out-dir", self.path("other")], check=True, capture_output=True)

    def sign(self, sub, key="private_key.pem", now=None, kid=True):
        command = [self.binary, "sign", "--sub", sub, "--key", self.path(key)]
        if now is not None:
            command += ["--now", str(now)]
        if not kid:
            command += ["--no-kid"]
        return subprocess.run(command, check=True, capture_output=True, text=True).stdout.strip()

    def render(self, source, target, replacements):
        with open(source) as f:
            text = f.read()
        for old, new in replacements:
            ok(old in text, f"{source} names {old}")
            text = text.replace(old, new)
        with open(self.path(target), "w") as f:
            f.write(text)
        return self.path(target)

    def common_replacements(self, listen, keepalive):
        # The suite's gate closes idle connections after 1 s (header_read_timeout_ms).
        return [(f"{keepalive} 4s", f"{keepalive} 500ms"),("127.0.0.1:8080", f"127.0.0.1:{self.ports['gate']}"), ("127.0.0.1:9000", f"127.0.0.1:{self.ports['upstream']}"),
                ("127.0.0.1:8000", f"127.0.0.1:{listen}")]

    def start_nginx(self):
        site = self.render(os.path.join(DEPLOY, "nginx", "notiflows-gate.conf"), "nginx-site.conf", self.common_replacements(self.ports["nginx"], "keepalive_timeout"))
        for d in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
            os.makedirs(self.path(f"nginx-{d}"), exist_ok=True)
        temp_paths = "".join(f"    {d}_temp_path {self.path('nginx-' + d)};\n" for d in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        with open(self.path("nginx.conf"), "w") as f:
            f.write(f"daemon off;\nworker_processes 2;\npid {self.path('nginx.pid')};\nerror_log {self.path('nginx-error.log')} warn;\n"
                    f"events {{ worker_connections 1024; }}\nhttp {{\n    access_log off;\n{temp_paths}    include {site};\n}}\n")
        self.spawn("nginx", ["nginx", "-e", self.path("nginx-error.log"), "-p", self.tmp, "-c", self.path("nginx.conf")])
        wait_port(self.ports["nginx"])

    def start_caddy(self):
        caddyfile = self.render(os.path.join(DEPLOY, "caddy", "Caddyfile"), "Caddyfile", self.common_replacements(self.ports["caddy"], "keepalive"))
        env = dict(os.environ, HOME=self.tmp, XDG_DATA_HOME=self.path("caddy-data"), XDG_CONFIG_HOME=self.path("caddy-config"))
        self.spawn("caddy", ["caddy", "run", "--config", caddyfile, "--adapter", "caddyfile"], env)
        wait_port(self.ports["caddy"])

    def start_pages(self):
        pages = self.path("pages")
        os.makedirs(pages, exist_ok=True)
        shutil.copy(os.path.join(HERE, "page.html"), pages)
        for name in ("page_ok", "page_bad"):
            self.spawn(name, [sys.executable, "-m", "http.server", str(self.ports[name]), "--bind", "127.0.0.1", "--directory", pages])
            wait_port(self.ports[name])

    def upstream_seen(self):
        with open(self.upstream_log) as f:
            return [json.loads(line) for line in f if line.strip()]


def seen_headers(entry):
    out = {}
    for name, value in entry["headers"]:
        out.setdefault(name, []).append(value)
    return out


def decisions(s, name, port, tokens):
    """Every decision through one gateway."""
    origin = s.origin_ok
    before = len(s.upstream_seen())
    spoofs = [("x-notiflows-user-id", "mallory"), ("x-notiflows-project", "pk_evil"), ("x-notiflows-mode", "development"),
              ("x-notiflows-credential", "user_id"), ("x-notiflows-token-expires-in", "999999")]
    answer = request(port, "GET", "/api/inbox?page=1", [("x-notiflows-api-key", "pk_live"), ("x-notiflows-user-key", tokens["good"]), ("origin", origin)] + spoofs)
    ok(answer.status == 200, f"{name}: allowed secure: {answer}")
    ok(answer.all("access-control-allow-origin") == [origin], f"{name}: the gate's CORS on the allowed answer: {answer}")
    got = seen_headers(answer.json())
    ok(got.get("x-notiflows-user-id") == ["user-42"], f"{name}: identity from the gate only: {got}")
    ok(got.get("x-notiflows-project") == ["pk_live"] and got.get("x-notiflows-mode") == ["secure"], f"{name}: project, mode: {got}")
    ok(got.get("x-notiflows-credential") == ["user_key"], f"{name}: credential: {got}")
    ok(3500 <= int(got["x-notiflows-token-expires-in"][0]) <= 3600, f"{name}: expires in: {got}")
    ok("x-notiflows-user-key" not in got, f"{name}: the user key is stripped: {got}")

    answer = request(port, "POST", "/api/preferences", [("x-notiflows-api-key", "pk_dev"), ("x-notiflows-user-id", "alice"), ("x-notiflows-token-expires-in", "999999")], "{}")
    ok(answer.status == 200, f"{name}: allowed development: {answer}")
    got = seen_headers(answer.json())
    ok(got.get("x-notiflows-user-id") == ["alice"] and got.get("x-notiflows-credential") == ["user_id"], f"{name}: dev identity: {got}")
    ok(got.get("x-notiflows-token-expires-in", [""]) == [""], f"{name}: a spoofed expiry does not survive: {got}")
    ok(answer.json()["method"] == "POST", f"{name}: the method reaches the upstream")
    allowed = len(s.upstream_seen())
    ok(allowed == before + 2, f"{name}: two requests reached the upstream")

    refusals = [
        ("api_key_missing", 401, [("x-notiflows-user-id", "u")], True),
        ("api_key_invalid", 401, [("x-notiflows-api-key", "pk_nope"), ("x-notiflows-user-id", "u")], True),
        ("user_key_missing", 401, [("x-notiflows-api-key", "pk_live"), ("x-notiflows-user-id", "u")], True),
        ("user_id_missing", 401, [("x-notiflows-api-key", "pk_dev")], True),
        ("token_expired", 401, [("x-notiflows-api-key", "pk_live"), ("x-notiflows-user-key", tokens["expired"])], True),
        ("signature_invalid", 401, [("x-notiflows-api-key", "pk_live"), ("x-notiflows-user-key", tokens["forged"])], True),
        ("key_unknown", 401, [("x-notiflows-api-key", "pk_live"), ("x-notiflows-user-key", tokens["other_kid"])], True),
        ("token_malformed", 401, [("x-notiflows-api-key", "pk_live"), ("x-notiflows-user-key", "abc")], True),
        ("origin_not_allowed", 403, [("x-notiflows-api-key", "pk_dev"), ("x-notiflows-user-id", "u"), ("origin", s.origin_bad)], False),
    ]
    for code, status, headers, cors in refusals:
        if cors:
            headers = headers + [("origin", origin)]
        for method in ("GET", "DELETE"):
            answer = request(port, method, "/api/inbox/7", headers)
            ok((answer.status, answer.code()) == (status, code), f"{name}: {method} {code}: {answer}")
            ok(answer.header("x-notiflows-auth-error") == code, f"{name}: {code} header: {answer}")
            want = ['Bearer error="invalid_token"'] if status == 401 else []
            ok(answer.all("www-authenticate") == want, f"{name}: {code} WWW-Authenticate once on 401: {answer}")
            ok(answer.all("access-control-allow-origin") == ([origin] if cors else []), f"{name}: {code} CORS: {answer}")
    preflight = [("origin", origin), ("access-control-request-method", "GET"), ("access-control-request-headers", "x-notiflows-api-key, x-notiflows-user-key")]
    answer = request(port, "OPTIONS", "/api/inbox", preflight)
    ok(answer.status == 204, f"{name}: preflight: {answer}")
    ok(answer.all("access-control-allow-origin") == [origin], f"{name}: preflight CORS: {answer}")
    ok("x-notiflows-user-key" in (answer.header("access-control-allow-headers") or ""), f"{name}: preflight allow-headers: {answer}")
    ok(len(s.upstream_seen()) == allowed, f"{name}: no refusal or preflight reached the upstream")
    # After the gate has closed idle connections, the gateway (which closes them first) still passes.
    time.sleep(1.5)
    answer = request(port, "GET", "/api/inbox", [("x-notiflows-api-key", "pk_dev"), ("x-notiflows-user-id", "later")])
    ok(answer.status == 200, f"{name}: after an idle pause: {answer}")
    print(f"  {name}: allowed (secure, development), {len(refusals)} refusals x 2 methods, preflight, after idle: ok")


def envoy_shape(s, tokens):
    """Envoy is not installable here: the gate answers requests built the way Envoy's HTTP
    ext_authz service builds them from deploy/envoy/envoy.yaml (original method,
    path_prefix + original path, only the allowed headers), and the answer is filtered the
    way Envoy filters it for the upstream and the client."""
    import yaml

    with open(os.path.join(DEPLOY, "envoy", "envoy.yaml")) as f:
        config = yaml.safe_load(f)
    manager = config["static_resources"]["listeners"][0]["filter_chains"][0]["filters"][0]["typed_config"]
    authz = next(f for f in manager["http_filters"] if f["name"] == "envoy.filters.http.ext_authz")["typed_config"]
    route = manager["route_config"]["virtual_hosts"][0]["routes"][0]
    ok(authz["failure_mode_allow"] is False, "envoy: a failing gate never lets a request through")
    ok("x-notiflows-user-key" in route["request_headers_to_remove"], "envoy: the user key is removed upstream")
    service = authz["http_service"]
    response = service["authorization_response"]

    def matching(headers, patterns):
        def one(name):
            name = name.lower()
            return any(name == p.get("exact") or name.startswith(p.get("prefix", "\0")) for p in patterns["patterns"])
        return [(n.lower(), v) for n, v in headers if one(n)]

    def check(method, path, headers):
        sent = matching(headers, service["authorization_request"]["allowed_headers"])
        return request(s.ports["gate"], method, service["path_prefix"] + path, sent + [("content-length", "0")])

    origin = s.origin_ok
    client = [("x-notiflows-api-key", "pk_live"), ("x-notiflows-user-key", tokens["good"]), ("origin", origin),
              ("cookie", "session=1"), ("x-notiflows-user-id", "mallory")]
    answer = check("PATCH", "/api/preferences?x=1", client)
    ok(answer.status == 200, f"envoy: allowed: {answer}")
    upstream = dict(matching(answer.headers, response["allowed_upstream_headers"]))
    ok(upstream.get("x-notiflows-user-id") == "user-42" and upstream.get("x-notiflows-credential") == "user_key", f"envoy: identity upstream: {upstream}")
    ok(dict(matching(answer.headers, response["allowed_client_headers_on_success"])).get("access-control-allow-origin") == origin, "envoy: CORS on success")
    expired = [("x-notiflows-api-key", "pk_live"), ("x-notiflows-user-key", tokens["expired"]), ("origin", origin)]
    answer = check("GET", "/api/inbox", expired)
    seen = dict(matching(answer.headers, response["allowed_client_headers"]))
    ok((answer.status, answer.code()) == (401, "token_expired"), f"envoy: refused: {answer}")
    ok(seen.get("x-notiflows-auth-error") == "token_expired" and seen.get("access-control-allow-origin") == origin
       and seen.get("www-authenticate") and seen.get("content-type") == "application/json", f"envoy: the client sees code and CORS: {seen}")
    answer = check("OPTIONS", "/api/inbox", [("origin", origin), ("access-control-request-method", "GET")])
    seen = dict(matching(answer.headers, response["allowed_client_headers"]))
    ok(answer.status == 204 and seen.get("access-control-allow-origin") == origin and "access-control-allow-headers" in seen,
       f"envoy: a preflight is answered to the client (a non-200 answer): {answer}")
    print("  envoy (requests in ext_authz's shape, from deploy/envoy/envoy.yaml): allowed, refused, preflight: ok")


def gate_down(s, name, port, tokens):
    before = len(s.upstream_seen())
    answer = request(port, "GET", "/api/inbox", [("x-notiflows-api-key", "pk_live"), ("x-notiflows-user-key", tokens["good"])])
    ok(500 <= answer.status < 600, f"{name}: gate down -> 5xx, got {answer}")
    ok(len(s.upstream_seen()) == before, f"{name}: gate down -> nothing reaches the upstream")
    print(f"  {name}: gate down -> {answer.status}, upstream untouched")


def gate_hangs(s, name, port, tokens):
    """A gate that accepts connections but never answers (stopped with SIGSTOP)."""
    before = len(s.upstream_seen())
    gate = s.processes["gate"]
    gate.send_signal(signal.SIGSTOP)
    deadline = time.monotonic() + 5
    while open(f"/proc/{gate.pid}/stat").read().rsplit(")", 1)[1].split()[0] != "T":
        ok(time.monotonic() < deadline, "the gate stops")
        time.sleep(0.01)
    try:
        started = time.monotonic()
        answer = request(port, "GET", "/api/inbox", [("x-notiflows-api-key", "pk_live"), ("x-notiflows-user-key", tokens["good"])], timeout=15)
        waited = time.monotonic() - started
    finally:
        s.processes["gate"].send_signal(signal.SIGCONT)
    ok(500 <= answer.status < 600, f"{name}: gate timing out -> 5xx, got {answer} after {waited:.1f} s")
    ok(len(s.upstream_seen()) == before, f"{name}: gate timing out -> nothing reaches the upstream")
    print(f"  {name}: gate timing out -> {answer.status} after {waited:.1f} s, upstream untouched")


def killed_under_load(s, tokens):
    """The gate killed -9 while 4 clients send allowed and unauthenticated requests through
    NGINX; restarted; nothing unauthenticated may reach the upstream."""
    port = s.ports["nginx"]
    stop = time.monotonic() + 4.0
    statuses = {"authenticated": {}, "unauthenticated": {}}
    lock = threading.Lock()

    def client(i):
        n = 0
        while time.monotonic() < stop:
            n += 1
            if n % 2:
                kind, headers = "authenticated", [("x-notiflows-api-key", "pk_live"), ("x-notiflows-user-key", tokens["good"])]
            else:
                kind, headers = "unauthenticated", [("x-notiflows-api-key", "pk_live"), ("x-test-unauthenticated", "1")]
            try:
                status = request(port, "GET", f"/api/load/{i}/{n}", headers, timeout=5).status
            except OSError:
                status = "error"
            with lock:
                statuses[kind][status] = statuses[kind].get(status, 0) + 1

    before = len(s.upstream_seen())
    threads = [threading.Thread(target=client, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    time.sleep(1.0)
    s.stop("gate", signal.SIGKILL)
    time.sleep(1.0)
    started = s.start_gate()
    first_allowed = None
    while time.monotonic() - started < 5:
        answer = request(s.ports["gate"], "GET", "/v1/check", [("x-notiflows-api-key", "pk_live"), ("x-notiflows-user-key", tokens["good"])])
        if answer.status == 200:
            first_allowed = time.monotonic() - started
            break
        time.sleep(0.01)
    for t in threads:
        t.join()
    seen = s.upstream_seen()[before:]
    ok(all("x-test-unauthenticated" not in seen_headers(e) for e in seen), "nothing unauthenticated reached the upstream")
    ok(all(seen_headers(e).get("x-notiflows-user-id") == ["user-42"] for e in seen), "every upstream request carries the gate's identity")
    ok(set(statuses["unauthenticated"]) <= {401, 500, 502, 503, 504}, f"unauthenticated requests: 401 or 5xx, never 200: {statuses}")
    ok(set(statuses["authenticated"]) <= {200, 500, 502, 503, 504}, f"allowed requests: 200 or 5xx: {statuses}")
    ok(any(k != 200 for k in statuses["authenticated"]), f"the gateway refused while the gate was down: {statuses}")
    ok(first_allowed is not None and first_allowed < 1.0, f"serving again within a second: {first_allowed}")
    print(f"  faults: gate killed under load: {statuses}, {len(seen)} reached the upstream (all authenticated); "
          f"restarted and deciding in {first_allowed * 1000:.0f} ms with its projects")


def corrupted_store(s, tokens):
    with open(s.store) as f:
        good = f.read()
    with open(s.store, "w") as f:
        f.write(good[: len(good) // 2])
    time.sleep(0.8)
    answer = request(s.ports["nginx"], "GET", "/api/inbox", [("x-notiflows-api-key", "pk_live"), ("x-notiflows-user-key", tokens["good"])])
    ok(answer.status == 200, f"the last good configuration stays in force: {answer}")
    ready = request(s.ports["gate"], "GET", "/readyz").json()
    ok(ready["status"] == "stale" and ready["stale_reason"], f"/readyz says so: {ready}")
    metrics = request(s.ports["gate"], "GET", "/metrics").body
    ok("notiflows_gate_config_stale 1" in metrics, "metrics say so")
    with open(s.path("gate.log")) as f:
        ok("the last good configuration stays in force" in f.read(), "the log says so")
    with open(s.store, "w") as f:
        f.write(good)
    time.sleep(0.8)
    ok(request(s.ports["gate"], "GET", "/readyz").json()["status"] == "ready", "ready again once the file is fixed")
    print("  faults: corrupted projects file: last good kept, stale in /readyz, metrics and log; fixed file picked up")


def contract_flags_only(s):
    """The contract: `serve --store FILE --listen ADDR --admin-listen ADDR` with
    NOTIFLOWS_ADMIN_TOKEN set works with no other configuration; a missing store is created."""
    port, admin_port, store = free_port(), free_port(), s.path("flags-only", "projects.json")
    os.makedirs(os.path.dirname(store))
    env = dict(os.environ, NOTIFLOWS_ADMIN_TOKEN=ADMIN_TOKEN)
    gate = s.spawn("flags-gate", [s.binary, "serve", "--store", store, "--listen", f"127.0.0.1:{port}",
                                  "--admin-listen", f"127.0.0.1:{admin_port}"], env)
    wait_port(port)
    wait_port(admin_port)
    with open(store) as f:
        ok(json.load(f)["projects"] == [], "a missing store is created empty")
    bearer = [("authorization", f"Bearer {ADMIN_TOKEN}")]
    body = json.dumps({"api_key": "pk_flags", "security_mode": "development", "allowed_origins": []})
    ok(request(admin_port, "POST", "/admin/v1/projects", bearer, body).status == 201, "the admin API works")
    answer = request(port, "GET", "/v1/check", [("x-notiflows-api-key", "pk_flags"), ("x-notiflows-user-id", "f")])
    ok(answer.header("x-notiflows-user-id") == "f", f"and decides at once: {answer}")
    gate.send_signal(signal.SIGTERM)
    ok(gate.wait(timeout=15) == 0, "SIGTERM: a clean exit")
    s.processes.pop("flags-gate")
    print("  serve --store --listen --admin-listen alone: store created, admin API and decisions work")


def sighup_reload(s):
    """A second gate that never polls (reload_interval_ms = 0) picks a hand edit up on SIGHUP,
    and stops on SIGTERM, exiting 0."""
    port, store = free_port(), s.path("sighup-projects.json")
    with open(s.path("sighup.toml"), "w") as f:
        f.write(f'store = "{store}"\nlisten = "127.0.0.1:{port}"\nreload_interval_ms = 0\n')
    gate = s.spawn("sighup-gate", [s.binary, "serve", "--config", s.path("sighup.toml")])
    wait_port(port)
    user = [("x-notiflows-api-key", "pk_hup"), ("x-notiflows-user-id", "u")]
    ok(request(port, "GET", "/v1/check", user).code() == "api_key_invalid", "an empty store was created")
    with open(store, "w") as f:
        f.write('{"projects": [{"api_key": "pk_hup", "security_mode": "development"}]}')
    time.sleep(0.3)
    ok(request(port, "GET", "/v1/check", user).code() == "api_key_invalid", "no reload without SIGHUP")
    gate.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + 5
    while request(port, "GET", "/v1/check", user).status != 200:
        ok(time.monotonic() < deadline, "SIGHUP reloads the projects file")
        time.sleep(0.02)
    gate.send_signal(signal.SIGTERM)
    ok(gate.wait(timeout=15) == 0, "SIGTERM: a clean exit")
    s.processes.pop("sighup-gate")
    print("  SIGHUP reloads the projects file; SIGTERM exits 0")


def slow_and_oversized(s, tokens):
    slow = socket.create_connection(("127.0.0.1", s.ports["gate"]))
    slow.sendall(b"GET /v1/check HTTP/1.1\r\nhost: x\r\nx-notiflows-api-key: pk_")
    slow.settimeout(5)
    started = time.monotonic()
    rest = slow.recv(4096)
    waited = time.monotonic() - started
    slow.close()
    ok(rest == b"" or rest.startswith(b"HTTP/1.1 408"), f"a slow client is cut off: {rest[:80]}")
    ok(waited < 3, f"within the header deadline: {waited:.1f} s")
    big = [("x-notiflows-api-key", "pk_live"), ("x-filler", "f" * 20000)]
    answer = request(s.ports["gate"], "GET", "/v1/check", big)
    ok((answer.status, answer.code()) == (431, "request_headers_too_large"), f"oversized headers to the gate: {answer}")
    answer = request(s.ports["nginx"], "GET", "/api/inbox", big + [("x-notiflows-user-key", tokens["good"])])
    ok(answer.status in (400, 431, 494), f"oversized through NGINX refused: {answer.status}")
    many = [(f"x-filler-{i}", "v") for i in range(80)]
    answer = request(s.ports["gate"], "GET", "/v1/check", many)
    ok(answer.status == 431, f"too many headers: {answer}")
    for port, path in ((s.ports["gate"], "/v1/check"), (s.ports["nginx"], "/api/inbox")):
        answer = request(port, "GET", path, [("x-notiflows-api-key", "pk_live"), ("x-notiflows-user-key", tokens["good"])])
        ok(answer.status == 200, f"still serving: {answer}")
    print(f"  faults: slow client cut off after {waited:.1f} s, oversized and too many headers refused, service up")


def browser(s, tokens):
    env = dict(os.environ, NOTIFLOWS_BROWSER_TEST=json.dumps({
        "nginx": f"http://127.0.0.1:{s.ports['nginx']}", "gate": f"http://127.0.0.1:{s.ports['gate']}",
        "admin": f"http://127.0.0.1:{s.ports['admin']}", "adminToken": ADMIN_TOKEN,
        "pageOk": s.origin_ok, "pageBad": s.origin_bad, "apiKey": "pk_live", "devKey": "pk_dev",
        "token": tokens["good"], "expired": tokens["expired"],
    }))
    before = len(s.upstream_seen())
    subprocess.run(["node", os.path.join(HERE, "browser.mjs")], check=True, env=env, timeout=120)
    after = s.upstream_seen()[before:]
    ok(all(seen_headers(e).get("x-notiflows-user-id") == ["user-42"] for e in after), f"only the allowed call reached the upstream: {after}")
    ok(len(after) == 1, f"one browser call reached the upstream: {len(after)}")


def no_secrets_logged(s, tokens):
    """The gate's log holds decisions and admin actions, never a token or key."""
    with open(s.path("gate.log")) as f:
        log = f.read()
    with open(s.path("private_key.pem")) as f:
        private_line = f.read().splitlines()[1]
    ok('"message":"decision"' in log and "signing key generated" in log, "the log has decisions and admin actions")
    for secret in (tokens["good"], tokens["good"].split(".")[2], tokens["expired"], ADMIN_TOKEN, private_line):
        ok(secret not in log, "no token, key or admin token in the gate's log")
    print(f"  the gate's log ({log.count(chr(10))} lines): no token, key or admin token")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", required=True)
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--no-faults", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args()
    s = Setup(args.bin)
    try:
        s.start_upstream()
        s.start_gate()
        s.projects()
        tokens = {"good": s.sign("user-42"), "expired": s.sign("user-42", now=int(time.time()) - 7200),
                  # Another key's token: without kid it reaches the signature check; with its
                  # kid it names no key of the project.
                  "forged": s.sign("user-42", key="other/private_key.pem", kid=False),
                  "other_kid": s.sign("user-42", key="other/private_key.pem")}
        s.start_nginx()
        s.start_caddy()
        s.start_pages()
        for name in ("nginx", "caddy"):
            decisions(s, name, s.ports[name], tokens)
        envoy_shape(s, tokens)
        if not args.no_faults:
            for name in ("nginx", "caddy"):
                gate_hangs(s, name, s.ports[name], tokens)
            killed_under_load(s, tokens)
            corrupted_store(s, tokens)
            sighup_reload(s)
            contract_flags_only(s)
            slow_and_oversized(s, tokens)
        s.stop("gate")
        for name in ("nginx", "caddy"):
            gate_down(s, name, s.ports[name], tokens)
        s.start_gate()
        if not args.no_browser:
            browser(s, tokens)
        no_secrets_logged(s, tokens)
        print(f"gateways: {harness.checks} checks passed")
    except Exception:
        for log in ("gate.log", "nginx-error.log", "caddy.log"):
            path = s.path(log)
            if os.path.exists(path):
                with open(path, errors="replace") as f:
                    tail = f.read()[-3000:]
                print(f"--- {log} (tail)\n{tail}", file=sys.stderr)
        raise
    finally:
        s.stop_all()
        if not args.keep:
            shutil.rmtree(s.tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
