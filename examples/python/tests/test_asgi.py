"""The ASGI middleware: authenticate runs in a worker thread, never on the event loop's;
WebSocket handshakes are authenticated too; other scopes pass through."""

from __future__ import annotations

import asyncio
import threading
from typing import Any, List, MutableMapping, cast

import httpx
from conftest import API_KEY, SIGNING_KEY, serve_asgi
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from notiflows_auth import AuthenticatedUser, Authenticator
from notiflows_auth.asgi import NotiflowsAuthMiddleware, user_of


class Recording:
    """The Authenticator, recording the thread each authenticate ran on."""

    def __init__(self, inner: Authenticator) -> None:
        self.inner = inner
        self.threads: List[int] = []

    def authenticate(self, headers: Any, **options: Any) -> AuthenticatedUser:
        self.threads.append(threading.get_ident())
        return self.inner.authenticate(headers, **options)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def test_authenticate_runs_off_the_event_loop() -> None:
    inner = Authenticator()
    inner.add_project(API_KEY, signing_public_key=SIGNING_KEY.public_key_pem)
    recording = Recording(inner)
    loop_threads: List[int] = []

    async def me(request: Request) -> JSONResponse:
        loop_threads.append(threading.get_ident())
        user = user_of(request.scope)
        return JSONResponse({"userId": user.user_id if user else None})

    for offload in (True, False):
        recording.threads.clear()
        loop_threads.clear()
        app = Starlette(
            routes=[Route("/me", me)],
            middleware=[Middleware(NotiflowsAuthMiddleware, authenticator=cast(Authenticator, recording), offload=offload)],
        )
        base, stop = serve_asgi(app)
        try:
            headers = {"x-notiflows-api-key": API_KEY, "x-notiflows-user-key": SIGNING_KEY.sign_user_token("alice")}
            for _ in range(3):
                assert httpx.get(f"{base}/me", headers=headers).json() == {"userId": "alice"}
        finally:
            stop()
        assert len(recording.threads) == 3 and len(loop_threads) == 3
        on_loop = [t in loop_threads for t in recording.threads]
        assert on_loop == [not offload] * 3, f"offload={offload}"


def test_websocket_handshakes_are_authenticated_and_other_scopes_pass() -> None:
    auth = Authenticator()
    auth.add_project(API_KEY, signing_public_key=SIGNING_KEY.public_key_pem)
    reached: List[str] = []

    async def app(scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
        reached.append(scope["type"])

    middleware = NotiflowsAuthMiddleware(app, authenticator=auth)

    def handshake(headers: List[tuple[bytes, bytes]]) -> List[MutableMapping[str, Any]]:
        sent: List[MutableMapping[str, Any]] = []

        async def send(message: MutableMapping[str, Any]) -> None:
            sent.append(message)

        async def receive() -> MutableMapping[str, Any]:
            return {"type": "websocket.connect"}

        scope = {"type": "websocket", "path": "/feed", "headers": headers}
        asyncio.run(middleware(scope, receive, send))
        return sent

    assert handshake([(b"x-notiflows-api-key", API_KEY.encode())]) == [{"type": "websocket.close", "code": 1008}]
    assert reached == []
    token = SIGNING_KEY.sign_user_token("alice").encode()
    assert handshake([(b"x-notiflows-api-key", API_KEY.encode()), (b"x-notiflows-user-key", token)]) == []
    assert reached == ["websocket"]
    asyncio.run(middleware({"type": "lifespan"}, cast(Any, None), cast(Any, None)))
    assert reached == ["websocket", "lifespan"]
