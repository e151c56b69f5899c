"""ASGI middleware (Starlette, FastAPI, any ASGI 3 app) over the Authenticator.

Answers CORS preflights (204), authenticates every other HTTP request under ``prefix`` and
puts the ``AuthenticatedUser`` in ``scope["notiflows.user"]`` (Starlette:
``request.scope["notiflows.user"]``, or the FastAPI dependency in ``notiflows_auth.fastapi``),
or answers the refusal with its status, ``{"code", "message"}`` and the CORS headers.

The event loop is never blocked by a verify: ``authenticate`` runs in a worker thread
(``anyio.to_thread``, as Starlette runs sync endpoints; ``asyncio.to_thread`` without anyio),
and the binding releases the GIL for the RSA work, so the loop keeps serving other requests
while a token is verified. ``offload=False`` runs it inline instead: the thread hop costs
more than a verified-token cache hit, and inline the loop waits at most one verify (about
0.1 ms at 2048 bits). The binding has no cache-only call to try inline first.
"""

from __future__ import annotations

import asyncio
from typing import Any, Awaitable, Callable, Dict, List, MutableMapping, Optional, Tuple, TypeVar

from ._middleware import USER_KEY, Answer, Clock, TokenAnswer, decide, json_body, token_answer
from ._native import AuthenticatedUser, Authenticator, SigningKey

__all__ = ["Clock", "NotiflowsAuthMiddleware", "USER_KEY", "run_in_thread", "token_endpoint", "user_of"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

T = TypeVar("T")


async def run_in_thread(function: Callable[[], T]) -> T:
    """Runs ``function`` in a worker thread: anyio's when it is installed, else asyncio's."""
    try:
        import anyio.to_thread  # type: ignore[import-not-found, unused-ignore]  # optional dependency
    except ImportError:  # pragma: no cover - Starlette always brings anyio
        return await asyncio.to_thread(function)
    result: T = await anyio.to_thread.run_sync(function)
    return result


def _header_pairs(scope: Scope) -> List[Tuple[str, str]]:
    # ASGI headers are bytes; latin-1 keeps every byte as it came (the binding decodes).
    return [(name.decode("latin-1"), value.decode("latin-1")) for name, value in scope.get("headers", [])]


def _raw(headers: List[Tuple[str, str]]) -> List[Tuple[bytes, bytes]]:
    return [(name.encode("latin-1"), value.encode("latin-1")) for name, value in headers]


class NotiflowsAuthMiddleware:
    """``app.add_middleware(NotiflowsAuthMiddleware, authenticator=auth, prefix="/v1")``."""

    def __init__(
        self,
        app: ASGIApp,
        authenticator: Authenticator,
        *,
        prefix: str = "/",
        offload: bool = True,
        now: Clock = None,
    ) -> None:
        self.app = app
        self.authenticator = authenticator
        self.prefix = prefix
        self.offload = offload
        self.now = now

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or not str(scope.get("path", "")).startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        method = scope.get("method", "GET") if scope["type"] == "http" else "GET"
        headers = _header_pairs(scope)

        def run() -> Answer:
            return decide(self.authenticator, method, headers, self.now)

        answer = await run_in_thread(run) if self.offload else run()
        if answer.user is None:
            await self._refuse(scope, send, answer)
            return
        scope[USER_KEY] = answer.user
        if scope["type"] == "websocket" or not answer.headers:
            await self.app(scope, receive, send)
            return
        cors = _raw(answer.headers)

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = list(message.get("headers", [])) + cors
            await send(message)

        await self.app(scope, receive, send_with_cors)

    @staticmethod
    async def _refuse(scope: Scope, send: Send, answer: Answer) -> None:
        if scope["type"] == "websocket":
            # A browser cannot read a refused handshake's body: close with "policy violation".
            await send({"type": "websocket.close", "code": 1008})
            return
        await send({"type": "http.response.start", "status": answer.status, "headers": _raw(answer.headers)})
        await send({"type": "http.response.body", "body": answer.body or b""})


def user_of(scope: Scope) -> Optional[AuthenticatedUser]:
    """The user the middleware authenticated for this request (None outside its prefix)."""
    user = scope.get(USER_KEY)
    return user if isinstance(user, AuthenticatedUser) else None


def token_endpoint(
    user_id: Callable[[Any], Optional[str]],
    signing_key: Optional[SigningKey] = None,
    *,
    expires_in: int = 3600,
    now: Clock = None,
) -> Callable[[Any], Awaitable[Any]]:
    """A Starlette/FastAPI endpoint answering ``{"userKey": ...}`` for ``user_id(request)``.

    ``signing_key`` defaults to NOTIFLOWS_SIGNING_KEY; the token lives ``expires_in`` seconds
    (default 3600); 401 when ``user_id(request)`` gives no user. Signing runs in a worker thread.
    """
    from starlette.requests import Request  # type: ignore[import-not-found, unused-ignore]  # optional dependency
    from starlette.responses import Response  # type: ignore[import-not-found, unused-ignore]

    async def endpoint(request: Request) -> Response:
        uid = user_id(request)
        answer: TokenAnswer = await run_in_thread(lambda: token_answer(uid, signing_key, expires_in=expires_in, now=now))
        headers: Dict[str, str] = dict(answer.headers)
        return Response(json_body(answer.body), answer.status, headers, media_type="application/json")

    # FastAPI injects the request by the parameter's annotation: give it the class itself,
    # not the string that `from __future__ import annotations` leaves.
    endpoint.__annotations__["request"] = Request
    return endpoint
