#!/usr/bin/env python3
"""Three gate replicas on one PostgreSQL (issue 14), everything on free loopback ports in a
temporary directory and stopped at the end: a throw-away cluster (initdb), three
`notiflows-auth serve --store postgres://...` replicas, and a load generator authenticating
continuously against all three while admin calls change the project.

1. 50 changes (key rotations, origin changes, mode switches): no request sent after an
   admin call returned is accepted under a state that call replaced, on any replica.
2. One replica's database role is locked out and its backends terminated: it refuses with
   config_stale once its lease is over, the admin call completes naming it, it rejoins.
3. PostgreSQL restarted: no wrong acceptance, every replica recovers, nothing is lost.
4. Figures: propagation (commit to applied on every replica), decision throughput per
   replica against the file store, recovery times.
5. TLS: the cluster runs with ssl = on (a throw-away CA made with `openssl`); a role that
   pg_hba.conf admits over TLS only connects with sslmode=verify-full, verify-ca (also
   under a name the certificate lacks) and require; the wrong CA, a wrong name under
   verify-full, no sslrootcert or plaintext: the replica exits with a clear message.

Usage: fleet.py --bin target/debug/notiflows-auth [--pg-bin /usr/lib/postgresql/15/bin]"""
import argparse
import base64
import http.client
import json
import os
import pwd
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

import harness
from harness import free_port, ok

ADMIN_TOKEN = "fleet-admin-token-" + os.urandom(8).hex()
LEASE_MS = 1500
API_KEY = "pk_fleet"



def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def sign(private_pem, sub):
    key = serialization.load_pem_private_key(private_pem.encode(), password=None)
    now = int(time.time())
    head = b64(json.dumps({"alg": "RS256", "typ": "JWT"}).encode())
    body = b64(json.dumps({"sub": sub, "iat": now, "exp": now + 3600}).encode())
    signature = key.sign(f"{head}.{body}".encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{head}.{body}.{b64(signature)}"


def call(port, method, path, headers=None, body=None, timeout=10):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        data = json.dumps(body) if body is not None else None
        hdrs = dict(headers or {})
        if data is not None:
            hdrs["content-type"] = "application/json"
        conn.request(method, path, body=data, headers=hdrs)
        response = conn.getresponse()
        text = response.read().decode()
        return response.status, (json.loads(text) if text else None)
    finally:
        conn.close()


class Postgres:
    """A throw-away cluster: initdb in a temporary directory, trust authentication on
    127.0.0.1 only, its socket directory inside the temporary directory."""

    def __init__(self, pg_bin, root):
        self.pg_bin, self.port = pg_bin, free_port()
        self.data, self.log = os.path.join(root, "pgdata"), os.path.join(root, "pg.log")
        self.user = None
        if os.geteuid() == 0:
            # PostgreSQL refuses to run as root.
            self.user = "postgres" if self._has_user("postgres") else "nobody"
            os.chown(root, pwd.getpwnam(self.user).pw_uid, -1)
        self.run("initdb", "-D", self.data, "--auth=trust", "-U", "postgres", "-E", "UTF8", quiet=True)
        self.tls_files(root)

    def tls_files(self, root):
        """A throw-away CA, a server certificate for 127.0.0.1 signed by it, and a second CA
        that signed nothing (the wrong one). pg_hba.conf: the role `rtls` over TLS only."""
        tls = os.path.join(root, "tls")
        os.mkdir(tls)
        ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        for ca in ("ca", "wrong-ca"):
            openssl("req", "-x509", *ec, "-keyout", f"{tls}/{ca}.key", "-out", f"{tls}/{ca}.pem", "-days", "2",
                    "-subj", f"/CN=fleet {ca}", "-addext", "basicConstraints=critical,CA:TRUE",
                    "-addext", "keyUsage=critical,keyCertSign,cRLSign")
        openssl("req", *ec, "-keyout", f"{self.data}/server.key", "-out", f"{tls}/server.csr", "-subj", "/CN=127.0.0.1")
        with open(f"{tls}/server.ext", "w") as f:
            f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n"
                    "extendedKeyUsage=serverAuth\n")
        openssl("x509", "-req", "-in", f"{tls}/server.csr", "-CA", f"{tls}/ca.pem", "-CAkey", f"{tls}/ca.key",
                "-CAcreateserial", "-days", "2", "-extfile", f"{tls}/server.ext", "-out", f"{self.data}/server.crt")
        # PostgreSQL refuses a key readable by others or not owned by its user.
        os.chmod(f"{self.data}/server.key", 0o600)
        if self.user:
            uid = pwd.getpwnam(self.user).pw_uid
            for name in ("server.key", "server.crt"):
                os.chown(f"{self.data}/{name}", uid, -1)
        self.ca, self.wrong_ca = f"{tls}/ca.pem", f"{tls}/wrong-ca.pem"
        hba = os.path.join(self.data, "pg_hba.conf")
        with open(hba) as f:
            rules = f.read()
        with open(hba, "w") as f:
            f.write("hostssl all rtls 127.0.0.1/32 trust\nhost all rtls 127.0.0.1/32 reject\n" + rules)

    @staticmethod
    def _has_user(name):
        try:
            pwd.getpwnam(name)
            return True
        except KeyError:
            return False

    def run(self, tool, *args, quiet=False):
        cmd = [os.path.join(self.pg_bin, tool), *args]
        if self.user:
            cmd = ["runuser", "-u", self.user, "--", *cmd]
        out = subprocess.DEVNULL if quiet else None
        subprocess.run(cmd, check=True, stdout=out, timeout=60)

    def start(self):
        sockets = os.path.dirname(self.data)
        options = (f"-p {self.port} -k {sockets} -c listen_addresses=127.0.0.1 -c max_connections=60 -c fsync=on "
                   f"-c ssl=on -c ssl_cert_file=server.crt -c ssl_key_file=server.key")
        self.run("pg_ctl", "-D", self.data, "-l", self.log, "-o", options, "-w", "-t", "30", "start", quiet=True)

    def stop(self, mode="fast"):
        self.run("pg_ctl", "-D", self.data, "-m", mode, "-w", "-t", "30", "stop", quiet=True)

    def sql(self, statement, db="postgres"):
        cmd = ["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", str(self.port),
               "-U", "postgres", "-d", db, "-c", statement]
        return subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=30).stdout.strip()


def openssl(*args):
    subprocess.run(["openssl", *args], check=True, capture_output=True, timeout=30)


class Replica:
    def __init__(self, binary, root, name, store, log_dir, extra=""):
        self.name, self.port, self.admin = name, free_port(), free_port()
        self.config = os.path.join(root, f"{name}.toml")
        with open(self.config, "w") as f:
            f.write(f'store = "{store}"\nlisten = "127.0.0.1:{self.port}"\nadmin_listen = "127.0.0.1:{self.admin}"\n')
            if store.startswith("postgres"):
                f.write(f'[postgres]\nreplica_id = "{name}"\nlease_ms = {LEASE_MS}\nquery_timeout_ms = 400\n'
                        f"max_wait_ms = {2 * LEASE_MS}\n{extra}")
        self.binary, self.log = binary, open(os.path.join(log_dir, f"{name}.log"), "w")
        self.proc = None

    def start(self):
        env = dict(os.environ, NOTIFLOWS_ADMIN_TOKEN=ADMIN_TOKEN, NOTIFLOWS_LOG="warn")
        self.proc = subprocess.Popen([self.binary, "serve", "--config", self.config], env=env,
                                     stdout=self.log, stderr=self.log)

    def ready(self):
        try:
            status, body = call(self.port, "GET", "/readyz", timeout=2)
            return status == 200 and body["status"] == "ready", body
        except OSError:
            return False, None

    def wait_ready(self, seconds=30):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.ready()[0]:
                return time.monotonic()
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}")
            time.sleep(0.02)
        raise RuntimeError(f"{self.name} not ready after {seconds} s")

    def admin_call(self, method, path, body=None):
        return call(self.admin, method, path, {"authorization": f"Bearer {ADMIN_TOKEN}"}, body, timeout=15)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


class World:
    """The project's states, each admin change's [start, end] interval, and what the load
    generator may send: every key and origin ever made (old ones are the probes)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.tokens = []  # index: key number
        self.origins = []  # index: origin number
        self.changes = []  # (start, end, state)

    def state(self):
        return self.changes[-1][2]

    def record(self, start, end, state):
        with self.lock:
            self.changes.append((start, end, state))


def plausible(state, probe):
    """Could a replica in `state` accept `probe`? Development Mode is taken as accepting
    anything from an allowed origin (an over-approximation: only makes the check weaker)."""
    mode, key, origin = state
    key_used, origin_used = probe
    if origin_used != origin:
        return False
    return mode == "development" or (key_used is not None and key_used == key)


class Load:
    """Threads sending /v1/check to every replica over keep-alive connections; each answer
    is recorded with the monotonic times it was sent and received."""

    def __init__(self, world, replicas, threads_per_replica=2):
        self.world, self.stop_flag, self.results = world, threading.Event(), []
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self.run, args=(r,), daemon=True)
                        for r in replicas for _ in range(threads_per_replica)]

    def start(self):
        for t in self.threads:
            t.start()

    def stop(self):
        self.stop_flag.set()
        for t in self.threads:
            t.join(10)

    def run(self, replica):
        rng, conn, mine = random.Random(), None, []
        while not self.stop_flag.is_set():
            with self.world.lock:
                _, key, origin = self.world.state()
                newest_key, newest_origin = len(self.world.tokens) - 1, len(self.world.origins) - 1
                key_used = rng.choice([None, newest_key, newest_key, max(0, newest_key - 1), max(0, newest_key - 2)])
                origin_used = rng.choice([newest_origin, newest_origin, max(0, newest_origin - 1)])
                token = self.world.tokens[key_used] if key_used is not None else None
                origin_text = self.world.origins[origin_used]
            headers = {"x-notiflows-api-key": API_KEY, "origin": origin_text}
            if token:
                headers["x-notiflows-user-key"] = token
            else:
                headers["x-notiflows-user-id"] = "load-user"
            sent = time.monotonic()
            try:
                if conn is None:
                    conn = http.client.HTTPConnection("127.0.0.1", replica.port, timeout=5)
                conn.request("GET", "/v1/check", headers=headers)
                response = conn.getresponse()
                response.read()
                status, code = response.status, response.getheader("x-notiflows-auth-error") or "ok"
            except (OSError, http.client.HTTPException):
                if conn is not None:
                    conn.close()
                conn = None
                time.sleep(0.01)
                continue
            mine.append((replica.name, sent, time.monotonic(), (key_used, origin_used), status, code))
        with self.lock:
            self.results.extend(mine)


def wrong_acceptances(world, results):
    """Accepted answers to requests sent after an admin call returned that no state in
    force from then until the answer arrived allows. Also counts the old-state probes
    (requests only an earlier state allowed) that were refused, to show the check bites."""
    changes = world.changes
    wrong, probes_refused = [], 0
    for replica, sent, received, probe, status, code in results:
        k = max(i for i, (_, end, _) in enumerate(changes) if end <= sent) if changes[0][1] <= sent else None
        if k is None:
            continue
        candidates = [changes[k][2]] + [c[2] for c in changes[k + 1:] if c[0] < received]
        allowed = any(plausible(state, probe) for state in candidates)
        if status == 200 and not allowed:
            wrong.append((replica, probe, changes[k][2], code))
        elif status != 200 and not allowed and any(plausible(c[2], probe) for c in changes[:k]):
            probes_refused += 1
    return wrong, probes_refused


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def throughput(replica, seconds=1.5, threads=2, token=None, origin=None):
    """Allowed decisions per second on one replica (keep-alive, `threads` clients)."""
    count, stop = [0], time.monotonic() + seconds
    lock = threading.Lock()

    def worker():
        conn, n = http.client.HTTPConnection("127.0.0.1", replica.port, timeout=5), 0
        headers = {"x-notiflows-api-key": API_KEY, "x-notiflows-user-key": token, "origin": origin}
        while time.monotonic() < stop:
            conn.request("GET", "/v1/check", headers=headers)
            response = conn.getresponse()
            response.read()
            n += response.status == 200
        conn.close()
        with lock:
            count[0] += n

    workers = [threading.Thread(target=worker) for _ in range(threads)]
    started = time.monotonic()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return count[0] / (time.monotonic() - started)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", required=True)
    parser.add_argument("--pg-bin", default="/usr/lib/postgresql/15/bin")
    parser.add_argument("--changes", type=int, default=50)
    args = parser.parse_args()
    binary = os.path.abspath(args.bin)
    root = tempfile.mkdtemp(prefix="fleet-")
    logs = tempfile.mkdtemp(prefix="fleet-logs-")
    pg, replicas, load, figures = None, [], None, {}
    try:
        pg = Postgres(args.pg_bin, root)
        pg.start()
        pg.sql("CREATE DATABASE auth")
        for name in ("r1", "r2", "r3"):
            # One role per replica, so one replica's access can be cut alone.
            pg.sql(f"CREATE ROLE {name} LOGIN SUPERUSER")
        for name in ("r1", "r2", "r3"):
            replicas.append(Replica(binary, logs, name, f"postgres://{name}@127.0.0.1:{pg.port}/auth", logs))
        for r in replicas:
            r.start()
        for r in replicas:
            r.wait_ready()
        ok(pg.sql("SELECT count(*) FROM schema_migrations", db="auth") == "2", "migrations recorded once")
        r1, r2, r3 = replicas

        # The project: Secure Mode, a generated key, one allowed origin.
        world = World()
        world.origins.append("https://o0.example.com")
        status, body = r1.admin_call("POST", "/admin/v1/projects",
                                     {"api_key": API_KEY, "allowed_origins": [world.origins[0]]})
        ok(status == 201 and body["propagation"]["applied"] == 3, f"create: {status} {body}")
        status, body = r1.admin_call("POST", f"/admin/v1/projects/{API_KEY}/signing-key")
        ok(status == 201 and body["propagation"]["timed_out"] == [], f"key: {status} {body}")
        world.tokens.append(sign(body["private_key_pem"], "load-user"))
        now = time.monotonic()
        world.record(now, now, ("secure", 0, 0))
        load = Load(world, replicas)
        load.start()
        time.sleep(0.5)

        # 1. Changes under load, through every replica's admin API in turn.
        waited = []

        def change(admin, kind):
            _, key, origin = world.state()
            mode = world.state()[0]
            start = time.monotonic()
            if kind == "rotate":
                status, body = admin.admin_call("POST", f"/admin/v1/projects/{API_KEY}/signing-key")
                ok(status == 201, f"rotate: {status} {body}")
                end = time.monotonic()
                with world.lock:
                    world.tokens.append(sign(body["private_key_pem"], "load-user"))
                key = len(world.tokens) - 1
            elif kind == "origin":
                new = f"https://o{len(world.origins)}.example.com"
                status, body = admin.admin_call("PATCH", f"/admin/v1/projects/{API_KEY}", {"allowed_origins": [new]})
                ok(status == 200, f"origin: {status} {body}")
                end = time.monotonic()
                with world.lock:
                    world.origins.append(new)
                origin = len(world.origins) - 1
            else:
                mode = kind
                status, body = admin.admin_call("PATCH", f"/admin/v1/projects/{API_KEY}", {"security_mode": mode})
                ok(status == 200, f"mode: {status} {body}")
                end = time.monotonic()
            world.record(start, end, (mode, key, origin))
            return body["propagation"]

        pattern = ["rotate", "origin", "rotate", "development", "secure"]
        for i in range(args.changes):
            propagation = change(replicas[i % 3], pattern[i % len(pattern)])
            ok(propagation["applied"] == 3 and propagation["timed_out"] == [], f"change {i}: {propagation}")
            waited.append(propagation["waited_ms"])
            time.sleep(0.05)
        figures["propagation_ms"] = {"p50": percentile(waited, 50), "p99": percentile(waited, 99),
                                     "max": max(waited)}
        print(f"56-fleet: {args.changes} changes under load, every one confirmed by 3 replicas "
              f"(commit to applied everywhere: p50 {figures['propagation_ms']['p50']} ms, "
              f"p99 {figures['propagation_ms']['p99']} ms)")

        # 2. r3 loses the database: its role may no longer log in, its backends are ended.
        cut = time.monotonic()
        pg.sql("ALTER ROLE r3 NOLOGIN; SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'r3'")
        # An origin change (a rotation first spends a while generating its key pair).
        propagation = change(r1, "origin")
        # r3 is named unless its lease had already expired when the change committed (a
        # slow machine): then it was refusing already, which the next check holds it to.
        ok(propagation["timed_out"] in (["r3"], []) and propagation["applied"] == 2, f"cut: {propagation}")
        ok(propagation["waited_ms"] <= 2 * LEASE_MS + 500, f"the cut admin call waited {propagation}")
        # The admin call returned once r3's lease expired on the database's clock; r3's own
        # deadline (its clock, minus the margin) came first, so it is refusing already.
        returned = time.monotonic() - cut
        is_ready, body = r3.ready()
        ok(not is_ready and body["status"] == "config_stale", f"r3 when the admin call returned: {body}")
        stale_after = returned
        figures["cut_r3_named"] = propagation["timed_out"] == ["r3"]
        status, body = call(r3.port, "GET", "/v1/check", {"x-notiflows-api-key": API_KEY,
                                                          "x-notiflows-user-key": world.tokens[-1]})
        ok(status == 503 and body["code"] == "config_stale", f"r3 while cut off: {status} {body}")
        for _ in range(3):
            change(r1, "origin")
        time.sleep(0.3)
        rejoin = time.monotonic()
        pg.sql("ALTER ROLE r3 LOGIN")
        back = r3.wait_ready(20)
        figures["cut_admin_call_s"] = round(stale_after, 3)
        figures["r3_rejoin_s"] = round(back - rejoin, 3)
        _, ready = r3.ready()
        _, r1_ready = r1.ready()
        ok(ready["config_version"] == r1_ready["config_version"], f"r3 rejoined at {ready} vs {r1_ready}")
        origin = world.origins[world.state()[2]]
        status, _ = call(r3.port, "GET", "/v1/check", {"x-notiflows-api-key": API_KEY, "origin": origin,
                                                       "x-notiflows-user-key": world.tokens[-1]})
        ok(status == 200, f"r3 serves the new state: {status}")
        named = "naming it" if figures["cut_r3_named"] else "(r3's lease had already expired)"
        print(f"56-fleet: r3 cut off: the admin call returned after {stale_after:.2f} s (lease {LEASE_MS} ms) {named}, "
              f"r3 already answering config_stale; rejoined {figures['r3_rejoin_s']:.2f} s after its role was restored")

        # 2b. serve_stale: a fourth replica (outside the load) cut off the same way keeps
        # deciding on what it last loaded (the documented weakening), says its lease is
        # unconfirmed, is named by the admin call, and catches up once it can reconnect.
        pg.sql("CREATE ROLE r4 LOGIN SUPERUSER")
        r4 = Replica(binary, logs, "r4", f"postgres://r4@127.0.0.1:{pg.port}/auth", logs, "serve_stale = true\n")
        r4.start()
        replicas.append(r4)
        r4.wait_ready()
        old_origin = world.origins[world.state()[2]]
        old_request = {"x-notiflows-api-key": API_KEY, "origin": old_origin, "x-notiflows-user-key": world.tokens[-1]}
        pg.sql("ALTER ROLE r4 NOLOGIN; SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'r4'")
        propagation = change(r1, "origin")
        ok(propagation["timed_out"] in (["r4"], []) and propagation["applied"] == 3, f"serve_stale cut: {propagation}")
        time.sleep(LEASE_MS / 1000)
        is_ready, body = r4.ready()
        ok(is_ready and body["lease_confirmed"] is False, f"r4 with serve_stale past its lease: {body}")
        status, _ = call(r4.port, "GET", "/v1/check", old_request)
        ok(status == 200, f"r4 with serve_stale still decides on the old origin: {status}")
        pg.sql("ALTER ROLE r4 LOGIN")
        deadline = time.monotonic() + 20
        while r4.ready()[1]["lease_confirmed"] is not True:
            ok(time.monotonic() < deadline, "r4 did not reconnect")
            time.sleep(0.02)
        status, body = call(r4.port, "GET", "/v1/check", old_request)
        ok(status == 403 and body["code"] == "origin_not_allowed", f"r4 caught up: {status} {body}")
        r4.stop()
        replicas.remove(r4)
        named = "named by the admin call" if propagation["timed_out"] == ["r4"] else "its lease expired before the commit"
        print("56-fleet: serve_stale replica cut off: kept deciding on its last configuration with its lease "
              f"unconfirmed (the documented weakening), {named}, caught up on reconnecting")

        # 3. PostgreSQL restarted under load.
        before = r2.admin_call("GET", "/admin/v1/projects")[1]
        restarted = time.monotonic()
        pg.stop("fast")
        time.sleep(0.5)
        pg.start()
        up = time.monotonic()
        recovered = max(r.wait_ready(30) for r in replicas)
        figures["pg_restart_recovery_s"] = round(recovered - up, 3)
        figures["pg_outage_s"] = round(up - restarted, 3)
        for r in replicas:
            ok(r.admin_call("GET", "/admin/v1/projects")[1] == before, f"{r.name}: projects after the restart")
        propagation = change(r2, "rotate")
        ok(propagation["applied"] == 3, f"after the restart: {propagation}")
        print(f"56-fleet: PostgreSQL restarted ({figures['pg_outage_s']:.2f} s down): every replica ready again "
              f"{figures['pg_restart_recovery_s']:.2f} s after it was back, nothing lost")
        time.sleep(0.3)
        load.stop()

        wrong, probes = wrong_acceptances(world, load.results)
        total = len(load.results)
        ok(total > 1000, f"the load generator sent only {total} requests")
        ok(probes > 100, f"only {probes} old-state probes after an admin call returned")
        ok(not wrong, f"{len(wrong)} requests accepted under an old state, e.g. {wrong[:5]}")
        per_replica = {r.name: sum(1 for x in load.results if x[0] == r.name) for r in replicas}
        stale = sum(1 for x in load.results if x[5] == "config_stale")
        print(f"56-fleet: {total} decisions under load {per_replica}, {probes} old-state requests sent after "
              f"their change returned, all refused; 0 accepted under an old state; {stale} config_stale answers")

        # 4. Throughput per replica against the file store, same machine, same run.
        state = world.state()
        token, origin = world.tokens[state[1]], world.origins[state[2]]
        projects = r1.admin_call("GET", "/admin/v1/projects")[1]
        file_store = os.path.join(root, "projects.json")
        with open(file_store, "w") as f:
            json.dump({"version": 1, "projects": projects["projects"]}, f)
        plain = Replica(binary, logs, "file", file_store, logs)
        plain.start()
        replicas.append(plain)
        plain.wait_ready()
        rates = {r.name: throughput(r, token=token, origin=origin) for r in replicas}
        figures["decisions_per_s"] = {k: round(v) for k, v in rates.items()}
        ratios = {k: round(v / rates["file"], 2) for k, v in rates.items() if k != "file"}
        figures["ratio_vs_file"] = ratios
        ok(all(v > 0 for v in rates.values()), f"throughput {rates}")
        print(f"56-fleet: allowed decisions per second (2 keep-alive clients each): {figures['decisions_per_s']}; "
              f"against the file store: {ratios}")

        # 5. TLS: `rtls` may connect over TLS only (pg_hba.conf), the server's certificate is
        # for 127.0.0.1, signed by pg.ca.
        tls_started = time.monotonic()
        pg.sql("CREATE ROLE rtls LOGIN SUPERUSER")
        base = f"postgres://rtls@127.0.0.1:{pg.port}/auth"
        request = {"x-notiflows-api-key": API_KEY, "origin": origin, "x-notiflows-user-key": token}
        # `misnamed`: the TLS name is one the certificate does not hold (hostaddr is dialled).
        misnamed = f"postgres://rtls@db.invalid:{pg.port}/auth?hostaddr=127.0.0.1"
        for name, url in (("tls-full", f"{base}?sslmode=verify-full&sslrootcert={pg.ca}"),
                          ("tls-ca", f"{misnamed}&sslmode=verify-ca&sslrootcert={pg.ca}"),
                          ("tls-require", f"{base}?sslmode=require")):
            r = Replica(binary, logs, name, url, logs)
            replicas.append(r)
            r.start()
            r.wait_ready(20)
            status, _ = call(r.port, "GET", "/v1/check", request)
            ok(status == 200, f"{name} decides: {status}")
        encrypted = pg.sql("SELECT count(*) FROM pg_stat_ssl JOIN pg_stat_activity USING (pid) "
                           "WHERE usename = 'rtls' AND ssl")
        ok(int(encrypted) >= 3, f"rtls sessions over TLS: {encrypted}")
        refused = {}
        for name, url, expect in (
            ("tls-wrong-ca", f"{base}?sslmode=verify-full&sslrootcert={pg.wrong_ca}", "UnknownIssuer"),
            ("tls-wrong-name", f"{misnamed}&sslmode=verify-full&sslrootcert={pg.ca}", "certificate not valid for name"),
            ("tls-no-root", f"{base}?sslmode=verify-full", "sslmode=verify-full needs sslrootcert"),
            ("tls-plain", f"{base}?sslmode=disable", "pg_hba.conf rejects connection"),
        ):
            r = Replica(binary, logs, name, url, logs)
            replicas.append(r)
            r.start()
            try:
                r.proc.wait(15)
            except subprocess.TimeoutExpired:
                ok(False, f"{name}: still running, ready={r.ready()}")
            with open(r.log.name) as f:
                message = f.read()
            ok(r.proc.returncode != 0 and expect in message, f"{name}: exit {r.proc.returncode}: {message[-500:]}")
            refused[name] = "..." + message.strip().splitlines()[-1][-90:]
        print("56-fleet: TLS: verify-full (against the cluster's CA), verify-ca (a name the certificate lacks) and "
              "require replicas connect and decide over "
              f"TLS; refused, exiting: {json.dumps(refused)} ({time.monotonic() - tls_started:.1f} s)")
        print("56-fleet figures: " + json.dumps(figures))
        print(f"56-fleet: {harness.checks} passed, 0 failed")
    except Exception:
        for name in sorted(os.listdir(logs)):
            with open(os.path.join(logs, name)) as f:
                tail = f.read()[-3000:]
            print(f"--- {name} (last lines)\n{tail}", file=sys.stderr)
        raise
    finally:
        if load:
            load.stop_flag.set()
        for r in replicas:
            r.stop()
        if pg:
            try:
                pg.stop("immediate")
            except Exception:
                pass
        shutil.rmtree(root, ignore_errors=True)
        shutil.rmtree(logs, ignore_errors=True)


if __name__ == "__main__":
    main()
