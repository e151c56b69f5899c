"""sign_user_token and SigningKey.sign_user_token: claims, options, key sources, errors."""

from __future__ import annotations

import base64
import json
import time
from typing import Any, Dict, Tuple

import pytest

import notiflows_auth as na

NOW = 1_700_000_000


def decode(token: str) -> Tuple[Dict[str, Any], Dict[str, Any]]:
    def part(segment: str) -> Dict[str, Any]:
        value: Dict[str, Any] = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
        return value

    header, payload, _ = token.split(".")
    return part(header), part(payload)


def test_default_token_shape(shared_signing_key: na.SigningKey, shared_verifier: na.Verifier) -> None:
    token = shared_signing_key.sign_user_token("user-42", now=NOW)
    header, claims = decode(token)
    assert header == {"alg": "RS256", "typ": "JWT", "kid": shared_signing_key.kid}
    assert claims == {"sub": "user-42", "iat": NOW, "exp": NOW + 3600}
    claims_seen = shared_verifier.verify(token, now=NOW)
    assert (claims_seen.sub, claims_seen.iat, claims_seen.exp, claims_seen.nbf) == ("user-42", NOW, NOW + 3600, None)


def test_expires_in_and_kid(shared_signing_key: na.SigningKey, shared_verifier: na.Verifier) -> None:
    token = shared_signing_key.sign_user_token("u", now=NOW, expires_in=60, kid="key-2024")
    header, claims = decode(token)
    assert header == {"alg": "RS256", "typ": "JWT", "kid": "key-2024"}
    assert claims["exp"] == NOW + 60
    assert shared_verifier.verify(token, now=NOW + 59).exp == NOW + 60
    with pytest.raises(na.TokenError) as info:
        shared_verifier.verify(token, now=NOW + 60)
    assert (info.value.code, info.value.claim) == ("token_expired", "exp")


def test_expires_in_none_means_no_exp(shared_signing_key: na.SigningKey, shared_verifier: na.Verifier) -> None:
    token = shared_signing_key.sign_user_token("u", now=NOW, expires_in=None)
    assert decode(token)[1] == {"sub": "u", "iat": NOW}
    claims = shared_verifier.verify(token, now=NOW + 10**9)
    assert (claims.exp, claims.iat) == (None, NOW)
    assert na.sign_user_token("u", shared_signing_key, now=NOW, expires_in=None) == token


def test_expires_in_zero_is_refused(shared_signing_key: na.SigningKey) -> None:
    # A token with exp = iat is expired when issued: the core refuses to make one.
    with pytest.raises(na.TokenError) as info:
        shared_signing_key.sign_user_token("u", now=NOW, expires_in=0)
    assert (info.value.code, info.value.claim) == ("claim_invalid", "exp")


def test_now_none_uses_the_clock(shared_signing_key: na.SigningKey, shared_verifier: na.Verifier) -> None:
    before = int(time.time())
    token = shared_signing_key.sign_user_token("u")
    after = int(time.time())
    claims = decode(token)[1]
    assert before <= claims["iat"] <= after
    assert claims["exp"] == claims["iat"] + 3600
    assert shared_verifier.verify(token).sub == "u"


def test_signing_is_deterministic(shared_signing_key: na.SigningKey) -> None:
    a = shared_signing_key.sign_user_token("u", now=NOW)
    assert a == shared_signing_key.sign_user_token("u", now=NOW)
    assert a == na.sign_user_token("u", shared_signing_key, now=NOW)


@pytest.mark.parametrize(
    "sub",
    ["alice", "caf\u00e9", "\U0001f600 emoji", 'quote " and \\ backslash', "ctl\n\t\x00\x1f", "x" * 2048, "/"],
)
def test_any_subject_round_trips(sub: str, shared_signing_key: na.SigningKey, shared_verifier: na.Verifier) -> None:
    token = shared_signing_key.sign_user_token(sub, now=NOW)
    assert decode(token)[1]["sub"] == sub
    assert shared_verifier.verify(token, now=NOW).sub == sub


@pytest.mark.parametrize("sub", ["", "x" * 2049])
def test_subject_refusals(sub: str, shared_signing_key: na.SigningKey) -> None:
    with pytest.raises(na.TokenError) as info:
        shared_signing_key.sign_user_token(sub, now=NOW)
    assert (info.value.code, info.value.claim) == ("claim_invalid", "sub")


def test_exp_overflow_is_claim_invalid(shared_signing_key: na.SigningKey) -> None:
    with pytest.raises(na.TokenError) as info:
        shared_signing_key.sign_user_token("u", now=2**63 - 10, expires_in=3600)
    assert (info.value.code, info.value.claim) == ("claim_invalid", "exp")


def test_negative_expires_in_is_config_error(shared_signing_key: na.SigningKey) -> None:
    with pytest.raises(na.ConfigError) as info:
        shared_signing_key.sign_user_token("u", now=NOW, expires_in=-1)
    assert info.value.code == "config_invalid"
    assert isinstance(info.value, ValueError)
    with pytest.raises(ValueError, match="expires_in"):
        na.sign_user_token("u", shared_signing_key, now=NOW, expires_in=-1)


def test_argument_types(shared_signing_key: na.SigningKey) -> None:
    with pytest.raises(TypeError):
        shared_signing_key.sign_user_token(42, now=NOW)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        shared_signing_key.sign_user_token("u", now="now")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        shared_signing_key.sign_user_token("u", NOW)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        na.sign_user_token("u", 42)  # type: ignore[arg-type]


def test_function_accepts_every_key_source(
    key_pair: na.GeneratedKeyPair, shared_private_pem: str, shared_signing_key: na.SigningKey
) -> None:
    expected = shared_signing_key.sign_user_token("u", now=NOW)
    assert na.sign_user_token("u", shared_private_pem, now=NOW) == expected
    assert na.sign_user_token("u", shared_private_pem.encode(), now=NOW) == expected
    assert na.sign_user_token("u", shared_signing_key, now=NOW) == expected
    token = na.sign_user_token("u", key_pair.private_key_base64, now=NOW)
    assert na.Verifier(key_pair.public_key_pem).verify(token, now=NOW).sub == "u"
    with pytest.raises(na.SigningKeyError):
        na.sign_user_token("u", "not a key", now=NOW)


def test_env_var_default(monkeypatch: pytest.MonkeyPatch, key_pair: na.GeneratedKeyPair) -> None:
    verifier = na.Verifier(key_pair.public_key_pem)
    for form in (key_pair.private_key_base64, key_pair.private_key_pem):
        monkeypatch.setenv("NOTIFLOWS_SIGNING_KEY", form)
        token = na.sign_user_token("from-env", now=NOW)
        assert verifier.verify(token, now=NOW).sub == "from-env"
        assert na.sign_user_token("from-env", None, now=NOW) == token
    assert na.SIGNING_KEY_ENV == "NOTIFLOWS_SIGNING_KEY"


def test_explicit_key_wins_over_env(
    monkeypatch: pytest.MonkeyPatch, key_pair: na.GeneratedKeyPair, shared_signing_key: na.SigningKey
) -> None:
    monkeypatch.setenv("NOTIFLOWS_SIGNING_KEY", key_pair.private_key_base64)
    assert na.sign_user_token("u", shared_signing_key, now=NOW) == shared_signing_key.sign_user_token("u", now=NOW)


def test_env_var_missing_or_empty(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NOTIFLOWS_SIGNING_KEY", raising=False)
    with pytest.raises(na.SigningKeyError) as info:
        na.sign_user_token("u", now=NOW)
    assert (info.value.code, info.value.status) == ("signing_key_not_configured", 401)
    assert "NOTIFLOWS_SIGNING_KEY" in str(info.value)
    monkeypatch.setenv("NOTIFLOWS_SIGNING_KEY", "")
    with pytest.raises(na.SigningKeyError) as info:
        na.sign_user_token("u", now=NOW)
    assert info.value.code == "signing_key_not_configured"
    monkeypatch.setenv("NOTIFLOWS_SIGNING_KEY", "not a key")
    with pytest.raises(na.SigningKeyError) as info:
        na.sign_user_token("u", now=NOW)
    assert info.value.code == "key_invalid"
