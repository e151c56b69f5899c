"""WSGI middleware (Flask, Django, any WSGI app) over the Authenticator.

Answers CORS preflights (204), authenticates every other request under ``prefix`` and puts
the ``AuthenticatedUser`` in ``environ["notiflows.user"]`` (Flask: ``request.environ``,
Django: ``request.META``), or answers the refusal with its status, ``{"code", "message"}``
and the CORS headers. The RSA work releases the GIL, so other threads keep running.

    app.wsgi_app = NotiflowsAuthMiddleware(app.wsgi_app, authenticator=auth, prefix="/v1")   # Flask
    application = NotiflowsAuthMiddleware(get_wsgi_application(), authenticator=auth, prefix="/v1")  # Django

WSGI gives headers as ``HTTP_*`` environ keys: a header the client repeated arrives as the
one value the server joined (and the binding judges that value).
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple, Union

from ._middleware import USER_KEY, Clock, TokenAnswer, decide, token_answer
from ._native import AuthenticatedUser, Authenticator, SigningKey

__all__ = ["Clock", "NotiflowsAuthMiddleware", "USER_KEY", "token_answer", "token_view", "user_of"]

Environ = Dict[str, Any]
StartResponse = Callable[..., Any]
WSGIApp = Callable[[Environ, StartResponse], Iterable[bytes]]


def _header_pairs(environ: Environ) -> List[Tuple[str, str]]:
    pairs = []
    for key, value in environ.items():
        if key.startswith("HTTP_") and isinstance(value, str):
            pairs.append((key[5:].replace("_", "-").lower(), value))
    for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
        if environ.get(key):
            pairs.append((key.replace("_", "-").lower(), str(environ[key])))
    return pairs


def _status_line(status: int) -> str:
    return f"{status} {HTTPStatus(status).phrase}"


class NotiflowsAuthMiddleware:
    """Wraps a WSGI app: ``NotiflowsAuthMiddleware(app, authenticator=auth, prefix="/v1")``."""

    def __init__(self, app: WSGIApp, authenticator: Authenticator, *, prefix: str = "/", now: Clock = None) -> None:
        self.app = app
        self.authenticator = authenticator
        self.prefix = prefix
        self.now = now

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
        if not path.startswith(self.prefix):
            return self.app(environ, start_response)
        answer = decide(self.authenticator, environ.get("REQUEST_METHOD", "GET"), _header_pairs(environ), self.now)
        if answer.user is None:
            body = answer.body or b""
            start_response(_status_line(answer.status), answer.headers + [("content-length", str(len(body)))])
            return [body]
        environ[USER_KEY] = answer.user
        cors = answer.headers

        def start_with_cors(status: str, headers: List[Tuple[str, str]], exc_info: Any = None) -> Any:
            return start_response(status, list(headers) + cors, exc_info)

        return self.app(environ, start_with_cors)


def user_of(environ: Environ) -> Optional[AuthenticatedUser]:
    """The user the middleware authenticated for this request (None outside its prefix)."""
    user = environ.get(USER_KEY)
    return user if isinstance(user, AuthenticatedUser) else None


def token_view(
    user_id: Callable[[], Optional[str]],
    signing_key: Union[str, bytes, SigningKey, None] = None,
    *,
    expires_in: int = 3600,
    now: Clock = None,
) -> Callable[[], Tuple[Dict[str, str], int, Dict[str, str]]]:
    """A Flask view answering ``{"userKey": ...}`` for the logged-in ``user_id()``.

    ``signing_key`` defaults to NOTIFLOWS_SIGNING_KEY; the token lives ``expires_in`` seconds
    (default 3600); 401 when ``user_id()`` gives no user. Django: ``token_answer`` gives the
    status, headers and body for a ``JsonResponse``.
    """

    def view() -> Tuple[Dict[str, str], int, Dict[str, str]]:
        answer: TokenAnswer = token_answer(user_id(), signing_key, expires_in=expires_in, now=now)
        return answer.body, answer.status, dict(answer.headers)

    return view
