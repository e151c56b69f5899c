"""FastAPI: a dependency yielding the user that ``NotiflowsAuthMiddleware`` authenticated.

    app.add_middleware(NotiflowsAuthMiddleware, authenticator=auth, prefix="/v1")

    @app.get("/v1/me")
    async def me(user: AuthenticatedUser = Depends(current_user)) -> dict[str, str]:
        return {"user": user.user_id}

The middleware answers preflights and refusals before FastAPI routes the request, so a
route only runs for an authenticated user. A route outside the middleware's prefix that
asks for the user fails closed (500: the server is misconfigured), it never runs without one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from starlette.requests import Request  # type: ignore[import-not-found, unused-ignore]  # optional dependency
else:
    try:
        from starlette.requests import Request
    except ImportError:  # no FastAPI here: the module still imports for tools (stubtest, docs)
        Request = object

from ._native import AuthenticatedUser
from .asgi import NotiflowsAuthMiddleware, token_endpoint, user_of

__all__ = ["NotiflowsAuthMiddleware", "current_user", "token_endpoint"]


async def current_user(request: Request) -> AuthenticatedUser:
    """The authenticated user of this request (``Depends(current_user)``)."""
    user = user_of(request.scope)
    if user is None:
        raise RuntimeError(
            f"{request.url.path} is not behind NotiflowsAuthMiddleware: add it with a prefix that covers this route"
        )
    return user


# FastAPI reads the annotation to inject the request: the class, not a string.
current_user.__annotations__["request"] = Request
