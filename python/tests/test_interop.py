"""Interop with PyJWT, in both directions."""

from __future__ import annotations

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

import notiflows_auth as na

NOW = 1_700_000_000


def test_our_tokens_verify_in_pyjwt(key_pair: na.GeneratedKeyPair) -> None:
    for sub in ("alice", "caf\u00e9 \U0001f600", 'q"\\\n'):
        token = na.sign_user_token(sub, key_pair.private_key_base64, kid="k1")
        claims = jwt.decode(token, key_pair.public_key_pem, algorithms=["RS256"], options={"require": ["exp", "iat"]})
        assert claims["sub"] == sub
        assert claims["exp"] - claims["iat"] == 3600
        assert jwt.get_unverified_header(token) == {"alg": "RS256", "typ": "JWT", "kid": "k1"}


def test_our_token_without_exp_verifies_in_pyjwt(key_pair: na.GeneratedKeyPair) -> None:
    token = na.sign_user_token("u", key_pair.private_key_pem, expires_in=None)
    claims = jwt.decode(token, key_pair.public_key_pem, algorithms=["RS256"])
    assert set(claims) == {"sub", "iat"}


def test_pyjwt_refuses_our_token_with_another_key(
    key_pair: na.GeneratedKeyPair, other_key_pair: na.GeneratedKeyPair
) -> None:
    token = na.sign_user_token("u", key_pair.private_key_pem)
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(token, other_key_pair.public_key_pem, algorithms=["RS256"])


def test_pyjwt_tokens_verify_in_ours(key_pair: na.GeneratedKeyPair) -> None:
    verifier = na.Verifier(key_pair.public_key_pem, require_exp=True)
    for claims in (
        {"sub": "alice", "iat": NOW, "exp": NOW + 3600},
        {"sub": "caf\u00e9", "exp": NOW + 1, "nbf": NOW, "iss": "backend", "extra": {"nested": [1, 2]}},
    ):
        token = jwt.encode(claims, key_pair.private_key_pem, algorithm="RS256", headers={"kid": "ignored"})
        got = verifier.verify(token, now=NOW)
        assert got.sub == claims["sub"] and got.exp == claims["exp"]


def test_pyjwt_token_from_a_cryptography_key_and_4096_bits() -> None:
    private = rsa.generate_private_key(public_exponent=65537, key_size=4096)
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
    )
    public = private.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.PKCS1)
    token = jwt.encode({"sub": "big", "exp": NOW + 60}, private, algorithm="RS256")
    assert na.Verifier(public).verify(token, now=NOW).sub == "big"
    # And our signer loads the same PKCS#1 PEM: PyJWT verifies what it signs.
    ours = na.SigningKey(pem)
    assert ours.modulus_bits == 4096
    decoded = jwt.decode(ours.sign_user_token("big"), private.public_key(), algorithms=["RS256"])
    assert decoded["sub"] == "big"


def test_pyjwt_other_algorithms_are_refused(key_pair: na.GeneratedKeyPair) -> None:
    verifier = na.Verifier(key_pair.public_key_pem)
    claims = {"sub": "u", "exp": NOW + 60}
    for algorithm in ("RS384", "RS512", "PS256"):
        token = jwt.encode(claims, key_pair.private_key_pem, algorithm=algorithm)
        with pytest.raises(na.TokenError) as info:
            verifier.verify(token, now=NOW)
        assert info.value.code == "alg_not_allowed", algorithm
    # An HMAC token, as in the classic key-confusion attack.
    token = jwt.encode({"sub": "admin", "exp": NOW + 60}, b"s" * 32, algorithm="HS256")
    with pytest.raises(na.TokenError) as info:
        verifier.verify(token, now=NOW)
    assert info.value.code == "alg_not_allowed"
