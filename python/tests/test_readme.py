"""The README's Python examples run as written (the Flask one with stand-ins for Flask)."""

from __future__ import annotations

import re
import sys
import types
from pathlib import Path
from typing import Any, Callable, Dict, List

import pytest

import notiflows_auth as na

README = Path(__file__).resolve().parents[2] / "README.md"
NOW = 1_700_000_000


def python_blocks() -> List[str]:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("\n## Python\n") :]
    following = section.find("\n## ", 1)
    section = section if following < 0 else section[:following]
    return re.findall(r"```python\n(.*?)```", section, flags=re.S)


def test_readme_has_the_three_examples() -> None:
    assert len(python_blocks()) == 3


def test_flask_example(monkeypatch: pytest.MonkeyPatch, key_pair: na.GeneratedKeyPair) -> None:
    routes: Dict[str, Callable[[], Any]] = {}

    class Flask:
        def __init__(self, name: str) -> None:
            pass

        def get(self, path: str) -> Callable[[Callable[[], Any]], Callable[[], Any]]:
            def register(view: Callable[[], Any]) -> Callable[[], Any]:
                routes[path] = view
                return view

            return register

    flask = types.ModuleType("flask")
    flask.Flask = Flask  # type: ignore[attr-defined]
    flask.jsonify = lambda **kw: kw  # type: ignore[attr-defined]
    flask_login = types.ModuleType("flask_login")
    flask_login.current_user = types.SimpleNamespace(id="user-42")  # type: ignore[attr-defined]
    flask_login.login_required = lambda view: view  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "flask", flask)
    monkeypatch.setitem(sys.modules, "flask_login", flask_login)
    monkeypatch.setenv("NOTIFLOWS_SIGNING_KEY", key_pair.private_key_base64)

    exec(python_blocks()[0], {})
    body = routes["/notiflows-token"]()
    claims = na.Verifier(key_pair.public_key_pem).verify(body["user_key"])
    assert claims.sub == "user-42" and claims.exp is not None


def test_verify_example(key_pair: na.GeneratedKeyPair) -> None:
    token = na.sign_user_token("u", key_pair.private_key_pem)
    scope: Dict[str, Any] = {"public_key_pem": key_pair.public_key_pem, "token": token}
    exec(python_blocks()[1], scope)
    assert scope["claims"].sub == "u"
    # An expired token lands in the except branch (which unbinds `e` when it ends).
    expired = na.sign_user_token("u", key_pair.private_key_pem, now=NOW)
    scope = {"public_key_pem": key_pair.public_key_pem, "token": expired}
    exec(python_blocks()[1], scope)
    assert "claims" not in scope and "verifier" in scope


def test_authenticator_example(key_pair: na.GeneratedKeyPair) -> None:
    scope: Dict[str, Any] = {"public_key_pem": key_pair.public_key_pem}
    exec(python_blocks()[2], scope)
    token = na.sign_user_token("u1", key_pair.private_key_pem)
    request = types.SimpleNamespace(
        headers={"x-notiflows-api-key": "pk_live_123", "x-notiflows-user-key": token, "Origin": "https://a.example.com"}
    )
    status, body, cors = scope["handle"](request)
    assert (status, body) == (200, {"user": "u1", "mode": "secure"})
    assert cors["Access-Control-Allow-Origin"] == "https://a.example.com"
    request.headers["Origin"] = "https://evil.test"
    status, body, cors = scope["handle"](request)
    assert (status, body["code"], cors) == (403, "origin_not_allowed", {"Vary": "Origin"})
