"""The ASGI (FastAPI, Starlette) and WSGI (Flask, Django) middleware in the example apps, over
real HTTP on loopback. Every expected status, body and CORS header comes from the
Authenticator itself, called directly on the same headers: the middleware adds no rule."""

from __future__ import annotations

import base64
import json
from typing import Dict, List, Tuple

import httpx
import pytest
from conftest import ALLOWED, API_KEY, SIGNING_KEY, Server

from notiflows_auth import Authenticator, NotiflowsAuthError, sign_user_token

Headers = List[Tuple[str, str]]


def claims_of(token: str) -> Dict[str, object]:
    segment = token.split(".")[1]
    decoded: Dict[str, object] = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    return decoded


def binding_refusal(authenticator: Authenticator, headers: Headers) -> Tuple[int, Dict[str, str]]:
    with pytest.raises(NotiflowsAuthError) as refused:
        authenticator.authenticate(headers)
    return refused.value.status, refused.value.to_dict()


def cors_of(response: httpx.Response) -> Dict[str, str]:
    return {n: v for n, v in response.headers.items() if n.startswith("access-control-") or n == "vary"}


def lower(headers: Dict[str, str]) -> Dict[str, str]:
    return {n.lower(): v for n, v in headers.items()}


def user_headers(token: str, origin: str = ALLOWED) -> Headers:
    return [("x-notiflows-api-key", API_KEY), ("x-notiflows-user-key", token), ("origin", origin)]


def test_preflight_answers_204_with_the_binding_preflight_headers(server: Server) -> None:
    for origin in (ALLOWED, "http://evil.example"):
        response = httpx.options(
            f"{server.base}/v1/me", headers={"origin": origin, "access-control-request-method": "GET"}
        )
        assert response.status_code == 204
        assert cors_of(response) == lower(server.authenticator.cors_preflight_headers({"origin": origin}))
    assert server.authenticator.cors_preflight_headers({"origin": ALLOWED})["Access-Control-Allow-Origin"] == ALLOWED


def test_token_endpoint_signs_a_one_hour_token_for_the_logged_in_user(server: Server) -> None:
    anonymous = httpx.get(f"{server.base}/notiflows-token")
    assert anonymous.status_code == 401
    response = httpx.get(f"{server.base}/notiflows-token", cookies={"demo_user": "alice"})
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    claims = claims_of(response.json()["userKey"])
    assert claims["sub"] == "alice"
    assert claims["exp"] - claims["iat"] == 3600  # type: ignore[operator]


def test_an_authenticated_request_gets_the_user_and_cors_headers(server: Server) -> None:
    token = httpx.get(f"{server.base}/notiflows-token", cookies={"demo_user": "alice"}).json()["userKey"]
    response = httpx.get(f"{server.base}/v1/me", headers=user_headers(token))
    assert response.status_code == 200
    assert response.json() == {"userId": "alice", "project": API_KEY, "mode": "secure", "expiresAt": claims_of(token)["exp"]}
    assert cors_of(response) == lower(server.authenticator.cors_response_headers({"origin": ALLOWED, "x-notiflows-api-key": API_KEY}))
    assert response.headers["access-control-allow-origin"] == ALLOWED


def refusal_cases() -> Dict[str, Headers]:
    token = SIGNING_KEY.sign_user_token("bob")
    tampered = token[:-4] + ("BBBB" if token.endswith("AAAA") else "AAAA")
    return {
        "api_key_missing": [("x-notiflows-user-key", token), ("origin", ALLOWED)],
        "api_key_invalid": [("x-notiflows-api-key", "pk_unknown"), ("x-notiflows-user-key", token)],
        "user_key_missing": [("x-notiflows-api-key", API_KEY), ("x-notiflows-user-id", "bob"), ("origin", ALLOWED)],
        "token_expired": user_headers(sign_user_token("bob", SIGNING_KEY, expires_in=60, now=1_000_000)),
        "signature_invalid": user_headers(tampered),
        "token_malformed": user_headers("not-a-token"),
        "origin_not_allowed": user_headers(token, "http://evil.example"),
    }


@pytest.mark.parametrize("code", list(refusal_cases()))
def test_refusals_carry_the_binding_status_body_and_cors_headers(server: Server, code: str) -> None:
    headers = refusal_cases()[code]
    status, body = binding_refusal(server.authenticator, headers)
    assert body["code"] == code
    response = httpx.get(f"{server.base}/v1/me", headers=headers)
    assert response.status_code == status
    assert response.json() == body
    assert response.headers["content-type"].startswith("application/json")
    assert cors_of(response) == lower(server.authenticator.cors_response_headers(headers))


def test_development_mode_user_id(server: Server) -> None:
    server.authenticator.add_project("pk_test_dev", security_mode="development")
    response = httpx.get(f"{server.base}/v1/me", headers={"x-notiflows-api-key": "pk_test_dev", "x-notiflows-user-id": "carol"})
    assert response.status_code == 200
    assert response.json() == {"userId": "carol", "project": "pk_test_dev", "mode": "development", "expiresAt": None}


def test_paths_outside_the_prefix_are_not_authenticated(server: Server) -> None:
    # The token endpoint sits beside the User API and needs no Notiflows headers.
    response = httpx.get(f"{server.base}/notiflows-token", cookies={"demo_user": "dave"})
    assert response.status_code == 200


def test_a_repeated_header_reaches_the_binding(server: Server) -> None:
    token = SIGNING_KEY.sign_user_token("bob")
    headers = user_headers(token) + [("x-notiflows-api-key", API_KEY)]
    response = httpx.get(f"{server.base}/v1/me", headers=headers)
    if server.asgi:
        # ASGI keeps the repeat: the binding refuses it as such.
        assert (response.status_code, response.json()) == binding_refusal(server.authenticator, headers)
    else:
        # A WSGI server joins the two into one value, which is no known API key.
        assert response.status_code == 401
        assert response.json()["code"] == "api_key_invalid"
