"""A complete FastAPI server with notiflows-auth: a (demo) login, the token endpoint that signs
a user token for the logged-in user, and the User API behind the middleware.

    pip install notiflows-auth fastapi uvicorn
    NOTIFLOWS_SIGNING_KEY=... NOTIFLOWS_API_KEY=pk_test_123 python examples/python/fastapi_app.py
    curl -c jar 'http://127.0.0.1:8000/login?user=alice'; curl -b jar http://127.0.0.1:8000/notiflows-token

Without NOTIFLOWS_SIGNING_KEY it generates a throwaway key pair at startup.
"""

from __future__ import annotations

import os
from typing import Dict, Optional, Sequence, Union

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse

from notiflows_auth import AuthenticatedUser, Authenticator, SigningKey, generate_signing_key
from notiflows_auth.asgi import Clock
from notiflows_auth.fastapi import NotiflowsAuthMiddleware, current_user, token_endpoint


def logged_in_user(request: Request) -> Optional[str]:
    """The demo's "session": a cookie naming the user. Use your real login instead."""
    return request.cookies.get("demo_user")


def create_app(
    signing_key: SigningKey,
    api_key: str,
    allowed_origins: Sequence[str] = (),
    *,
    expires_in: int = 3600,
    now: Clock = None,
) -> tuple[FastAPI, Authenticator]:
    # The User API's side: one Authenticator for the process, the project's public key in it.
    authenticator = Authenticator(cache_size=10_000)
    authenticator.add_project(api_key, signing_public_key=signing_key.public_key_pem, allowed_origins=allowed_origins)

    app = FastAPI()
    # Every route under /v1 is the User API: preflights and refusals are answered here.
    app.add_middleware(NotiflowsAuthMiddleware, authenticator=authenticator, prefix="/v1/", now=now)

    @app.get("/login")
    async def login(user: str = "alice") -> JSONResponse:
        response = JSONResponse({"user": user})
        response.set_cookie("demo_user", user, httponly=True, samesite="lax")
        return response

    # The backend half: a token for the logged-in user (401 without one).
    app.add_api_route(
        "/notiflows-token", token_endpoint(logged_in_user, signing_key, expires_in=expires_in, now=now), methods=["GET"]
    )

    @app.get("/v1/me")
    async def me(user: AuthenticatedUser = Depends(current_user)) -> Dict[str, Union[str, int, float, None]]:
        return {"userId": user.user_id, "project": user.api_key, "mode": user.mode, "expiresAt": user.expires_at}

    return app, authenticator


def key_from_env() -> SigningKey:
    if os.environ.get("NOTIFLOWS_SIGNING_KEY"):
        return SigningKey.from_env()
    print("NOTIFLOWS_SIGNING_KEY is not set: using a throwaway key pair")
    return generate_signing_key().signing_key()


if __name__ == "__main__":
    import uvicorn

    origins = [o for o in os.environ.get("NOTIFLOWS_ALLOWED_ORIGINS", "").split(",") if o]
    app, _ = create_app(key_from_env(), os.environ.get("NOTIFLOWS_API_KEY", "pk_test_example"), origins)
    uvicorn.run(app, host="127.0.0.1", port=int(os.environ.get("PORT", "8000")))
