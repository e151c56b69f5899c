"""The one place the Python framework middleware calls the binding.

Every decision (who the user is, the refusal's code, status and message, the CORS headers)
is the ``Authenticator``'s: the ASGI, WSGI and FastAPI modules only move headers, statuses
and bodies between it and their server.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Sequence, Tuple, Union

from ._errors import NotiflowsAuthError
from ._native import AuthenticatedUser, Authenticator, SigningKey, sign_user_token

#: Header pairs exactly as the request carried them (repeats kept).
HeaderPairs = Sequence[Tuple[str, str]]
#: A clock for tests (Unix seconds); None is the binding's system clock.
Clock = Optional[Callable[[], int]]

#: Where the middleware puts the user: the ASGI scope, the WSGI environ.
USER_KEY = "notiflows.user"

JSON_CONTENT_TYPE = ("content-type", "application/json")


@dataclass(frozen=True)
class Answer:
    """What to do with a request: go on with ``user``, or answer ``status`` with ``body``.

    ``headers`` (the CORS headers) go on the response in both cases.
    """

    headers: List[Tuple[str, str]]
    user: Optional[AuthenticatedUser] = None
    status: int = 200
    body: Optional[bytes] = None


def _single(headers: HeaderPairs, name: str) -> Optional[str]:
    """The header's value when it came exactly once, else None."""
    found = [value for key, value in headers if key.lower() == name]
    return found[0] if len(found) == 1 else None


def is_preflight(method: str, headers: HeaderPairs) -> bool:
    """A CORS preflight: OPTIONS with Access-Control-Request-Method (no Notiflows headers)."""
    return method == "OPTIONS" and _single(headers, "access-control-request-method") is not None


def _cors(authenticator: Authenticator, headers: HeaderPairs, preflight: bool) -> List[Tuple[str, str]]:
    """The CORS headers for the request, read by the core from its own headers."""
    if preflight:
        found = authenticator.cors_preflight_headers(headers)
    else:
        found = authenticator.cors_response_headers(headers)
    return list(found.items())


def decide(authenticator: Authenticator, method: str, headers: HeaderPairs, now: Clock = None) -> Answer:
    """Runs one request through the authenticator (the RSA work releases the GIL)."""
    if is_preflight(method, headers):
        return Answer(headers=_cors(authenticator, headers, True), status=204)
    cors = _cors(authenticator, headers, False)
    try:
        user = authenticator.authenticate(headers, now=None if now is None else now())
    except NotiflowsAuthError as e:
        return Answer(headers=cors + [JSON_CONTENT_TYPE], status=e.status, body=json_body(e.to_dict()))
    return Answer(headers=cors, user=user)


def json_body(value: object) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode("utf-8")


@dataclass(frozen=True)
class TokenAnswer:
    """A token endpoint's answer: ``{"userKey": ...}`` (200), or 401 without a logged-in user."""

    status: int
    body: Dict[str, str]
    headers: Tuple[Tuple[str, str], ...] = (("cache-control", "no-store"),)


def token_answer(
    user_id: Optional[str],
    signing_key: Union[str, bytes, SigningKey, None] = None,
    *,
    expires_in: int = 3600,
    now: Clock = None,
) -> TokenAnswer:
    """Signs a user token for the logged-in ``user_id`` (key: NOTIFLOWS_SIGNING_KEY by default)."""
    if not user_id:
        return TokenAnswer(401, {"message": "log in first: there is no user to sign a token for"})
    token = sign_user_token(str(user_id), signing_key, expires_in=expires_in, now=None if now is None else now())
    return TokenAnswer(200, {"userKey": token})
