"""A complete Flask server with notiflows-auth: a (demo) login, the token endpoint that signs
a user token for the logged-in user, and the User API behind the WSGI middleware.

    pip install notiflows-auth flask
    NOTIFLOWS_SIGNING_KEY=... NOTIFLOWS_API_KEY=pk_test_123 python examples/python/flask_app.py

Without NOTIFLOWS_SIGNING_KEY it generates a throwaway key pair at startup.
"""

from __future__ import annotations

import os
from typing import Optional, Sequence

from flask import Flask, jsonify, make_response, request
from flask.typing import ResponseReturnValue

from notiflows_auth import Authenticator, SigningKey, generate_signing_key
from notiflows_auth.wsgi import Clock, NotiflowsAuthMiddleware, token_view, user_of


def logged_in_user() -> Optional[str]:
    """The demo's "session": a cookie naming the user. Use your real login (flask-login) instead."""
    return request.cookies.get("demo_user")


def create_app(
    signing_key: SigningKey,
    api_key: str,
    allowed_origins: Sequence[str] = (),
    *,
    expires_in: int = 3600,
    now: Clock = None,
) -> tuple[Flask, Authenticator]:
    authenticator = Authenticator(cache_size=10_000)
    authenticator.add_project(api_key, signing_public_key=signing_key.public_key_pem, allowed_origins=allowed_origins)

    app = Flask(__name__)
    # Every path under /v1/ is the User API: preflights and refusals are answered before Flask.
    app.wsgi_app = NotiflowsAuthMiddleware(  # type: ignore[method-assign]
        app.wsgi_app, authenticator=authenticator, prefix="/v1/", now=now
    )

    @app.get("/login")
    def login() -> ResponseReturnValue:
        user = request.args.get("user", "alice")
        response = make_response(jsonify(user=user))
        response.set_cookie("demo_user", user, httponly=True, samesite="Lax")
        return response

    # The backend half: a token for the logged-in user (401 without one).
    app.add_url_rule("/notiflows-token", "notiflows_token", token_view(logged_in_user, signing_key, expires_in=expires_in, now=now))

    @app.get("/v1/me")
    def me() -> ResponseReturnValue:
        user = user_of(request.environ)
        assert user is not None  # the middleware let the request through
        return jsonify(userId=user.user_id, project=user.api_key, mode=user.mode, expiresAt=user.expires_at)

    return app, authenticator


if __name__ == "__main__":
    if os.environ.get("NOTIFLOWS_SIGNING_KEY"):
        key = SigningKey.from_env()
    else:
        print("NOTIFLOWS_SIGNING_KEY is not set: using a throwaway key pair")
        key = generate_signing_key().signing_key()
    origins = [o for o in os.environ.get("NOTIFLOWS_ALLOWED_ORIGINS", "").split(",") if o]
    app, _ = create_app(key, os.environ.get("NOTIFLOWS_API_KEY", "pk_test_example"), origins)
    app.run(host="127.0.0.1", port=int(os.environ.get("PORT", "8000")))
