#!/usr/bin/env python3
"""A tiny User API for the gateway tests: answers every request with the headers it got, as
JSON, and appends them to a log (one JSON line per request) so a test can prove what did
and did not reach the upstream. Usage: echo_upstream.py PORT LOG_FILE"""
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Echo(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def answer(self):
        length = int(self.headers.get("content-length") or 0)
        if length:
            self.rfile.read(min(length, 1 << 20))
        seen = {"method": self.command, "path": self.path, "headers": [[k.lower(), v] for k, v in self.headers.items()]}
        with open(sys.argv[2], "a", encoding="utf-8") as log:
            log.write(json.dumps(seen) + "\n")
        body = json.dumps(seen).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        # A User API that sets its own CORS header: the gateways must replace it with the gate's.
        self.send_header("access-control-allow-origin", "*")
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = answer

    def log_message(self, *args):
        pass


ThreadingHTTPServer.daemon_threads = True
ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Echo).serve_forever()
