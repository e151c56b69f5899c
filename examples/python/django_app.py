"""A complete single-file Django server with notiflows-auth: the token endpoint and the User
API, the WSGI middleware around Django's WSGI application.

    pip install notiflows-auth django
    NOTIFLOWS_SIGNING_KEY=... python examples/python/django_app.py

In a Django project: wrap the application in wsgi.py the same way, and read the user from
``request.META["notiflows.user"]`` (``user_of(request.META)``).
"""

from __future__ import annotations

import os
from typing import Any, Sequence

import django
from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.urls import path

from notiflows_auth import Authenticator, SigningKey, generate_signing_key
from notiflows_auth.wsgi import Clock, NotiflowsAuthMiddleware, token_answer, user_of

SIGNING_KEY: SigningKey  # set by create_app
EXPIRES_IN = 3600
NOW: Clock = None


def notiflows_token(request: HttpRequest) -> JsonResponse:
    # The demo's "session" is a cookie; use request.user.pk with Django's auth.
    answer = token_answer(request.COOKIES.get("demo_user"), SIGNING_KEY, expires_in=EXPIRES_IN, now=NOW)
    response = JsonResponse(answer.body, status=answer.status)
    for name, value in answer.headers:
        response[name] = value
    return response


def me(request: HttpRequest) -> JsonResponse:
    user = user_of(request.META)
    assert user is not None  # the middleware let the request through
    return JsonResponse({"userId": user.user_id, "project": user.api_key, "mode": user.mode, "expiresAt": user.expires_at})


urlpatterns = [path("notiflows-token", notiflows_token), path("v1/me", me)]


def create_app(
    signing_key: SigningKey,
    api_key: str,
    allowed_origins: Sequence[str] = (),
    *,
    expires_in: int = 3600,
    now: Clock = None,
) -> tuple[Any, Authenticator]:
    global SIGNING_KEY, EXPIRES_IN, NOW
    SIGNING_KEY, EXPIRES_IN, NOW = signing_key, expires_in, now
    if not settings.configured:
        settings.configure(ROOT_URLCONF=__name__, ALLOWED_HOSTS=["127.0.0.1", "localhost"], SECRET_KEY="example-only")
        django.setup()
    from django.core.wsgi import get_wsgi_application

    authenticator = Authenticator(cache_size=10_000)
    authenticator.add_project(api_key, signing_public_key=signing_key.public_key_pem, allowed_origins=allowed_origins)
    application = NotiflowsAuthMiddleware(get_wsgi_application(), authenticator=authenticator, prefix="/v1/", now=now)
    return application, authenticator


if __name__ == "__main__":
    from wsgiref.simple_server import make_server

    if os.environ.get("NOTIFLOWS_SIGNING_KEY"):
        key = SigningKey.from_env()
    else:
        print("NOTIFLOWS_SIGNING_KEY is not set: using a throwaway key pair")
        key = generate_signing_key().signing_key()
    origins = [o for o in os.environ.get("NOTIFLOWS_ALLOWED_ORIGINS", "").split(",") if o]
    application, _ = create_app(key, os.environ.get("NOTIFLOWS_API_KEY", "pk_test_example"), origins)
    make_server("127.0.0.1", int(os.environ.get("PORT", "8000")), application).serve_forever()
