"""Servers for the middleware tests: each example app on a free loopback port, in a thread."""

from __future__ import annotations

import socket
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable, Iterator, Tuple

import pytest
import uvicorn
from werkzeug.serving import make_server

from notiflows_auth import Authenticator, SigningKey, generate_signing_key

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

API_KEY = "pk_test_middleware"
ALLOWED = "http://app.example"
SIGNING_KEY: SigningKey = generate_signing_key().signing_key()


class Server:
    def __init__(self, framework: str, base: str, authenticator: Authenticator, stop: Callable[[], None]) -> None:
        self.framework = framework
        self.asgi = framework in ("fastapi", "starlette")
        self.base = base
        self.authenticator = authenticator
        self.stop = stop


def serve_asgi(app: Any) -> Tuple[str, Callable[[], None]]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)

    def stop() -> None:
        server.should_exit = True
        thread.join(10)
        sock.close()

    return f"http://127.0.0.1:{sock.getsockname()[1]}", stop


def serve_wsgi(app: Any) -> Tuple[str, Callable[[], None]]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def stop() -> None:
        server.shutdown()
        thread.join(10)

    return f"http://127.0.0.1:{server.port}", stop


FRAMEWORKS = ["fastapi", "starlette", "flask", "django"]


def start(framework: str) -> Server:
    module = __import__(f"{framework}_app")
    app, authenticator = module.create_app(SIGNING_KEY, API_KEY, [ALLOWED])
    base, stop = (serve_asgi if framework in ("fastapi", "starlette") else serve_wsgi)(app)
    return Server(framework, base, authenticator, stop)


@pytest.fixture(params=FRAMEWORKS, scope="module")
def server(request: pytest.FixtureRequest) -> Iterator[Server]:
    running = start(request.param)
    yield running
    running.stop()
