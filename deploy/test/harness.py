"""What the deploy tests (gateways.py, fleet.py) share: counted checks and free loopback ports."""

import socket

checks = 0


def ok(condition, what):
    """Fails the run with `what` unless `condition`; counts the check."""
    global checks
    if not condition:
        raise AssertionError(what)
    checks += 1


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
