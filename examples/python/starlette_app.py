"""A complete Starlette server with notiflows-auth: the token endpoint and the User API,
mounted under /v1 with the middleware on that mount only.

    pip install notiflows-auth starlette uvicorn
    NOTIFLOWS_SIGNING_KEY=... python examples/python/starlette_app.py

Without NOTIFLOWS_SIGNING_KEY it generates a throwaway key pair at startup.
"""

from __future__ import annotations

import os
from typing import Optional, Sequence

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route

from notiflows_auth import Authenticator, SigningKey, generate_signing_key
from notiflows_auth.asgi import Clock, NotiflowsAuthMiddleware, token_endpoint, user_of


def logged_in_user(request: Request) -> Optional[str]:
    """The demo's "session": a cookie naming the user. Use your real login instead."""
    return request.cookies.get("demo_user")


async def me(request: Request) -> JSONResponse:
    user = user_of(request.scope)
    assert user is not None  # the middleware let the request through
    return JSONResponse({"userId": user.user_id, "project": user.api_key, "mode": user.mode, "expiresAt": user.expires_at})


def create_app(
    signing_key: SigningKey,
    api_key: str,
    allowed_origins: Sequence[str] = (),
    *,
    expires_in: int = 3600,
    now: Clock = None,
) -> tuple[Starlette, Authenticator]:
    authenticator = Authenticator(cache_size=10_000)
    authenticator.add_project(api_key, signing_public_key=signing_key.public_key_pem, allowed_origins=allowed_origins)
    user_api = Starlette(
        routes=[Route("/me", me)],
        middleware=[Middleware(NotiflowsAuthMiddleware, authenticator=authenticator, now=now)],
    )
    app = Starlette(
        routes=[
            Route("/notiflows-token", token_endpoint(logged_in_user, signing_key, expires_in=expires_in, now=now)),
            Mount("/v1", app=user_api),
        ]
    )
    return app, authenticator


if __name__ == "__main__":
    import uvicorn

    if os.environ.get("NOTIFLOWS_SIGNING_KEY"):
        key = SigningKey.from_env()
    else:
        print("NOTIFLOWS_SIGNING_KEY is not set: using a throwaway key pair")
        key = generate_signing_key().signing_key()
    origins = [o for o in os.environ.get("NOTIFLOWS_ALLOWED_ORIGINS", "").split(",") if o]
    app, _ = create_app(key, os.environ.get("NOTIFLOWS_API_KEY", "pk_test_example"), origins)
    uvicorn.run(app, host="127.0.0.1", port=int(os.environ.get("PORT", "8000")))
