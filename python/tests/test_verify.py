"""Verifier: options, key forms, inputs, UserClaims, and every refusal path."""

from __future__ import annotations

import base64
import json
from typing import Any, Dict, List, Tuple, Union

import jwt
import pytest
from cryptography.hazmat.primitives import serialization

import notiflows_auth as na
from conftest import JWT_CASES

NOW = 1_700_000_000


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def forge(claims: Dict[str, Any]) -> str:
    """A token with arbitrary claims, signed with the shared key through PyJWT's RS256."""
    private = (JWT_CASES / "rsa_private_pkcs8.pem").read_text()
    return jwt.encode(claims, private, algorithm="RS256")


@pytest.fixture(scope="module")
def signer(shared_signing_key: na.SigningKey) -> na.SigningKey:
    return shared_signing_key


def test_defaults_and_repr(shared_verifier: na.Verifier, shared_public_pem: str) -> None:
    v = shared_verifier
    assert (v.leeway, v.require_exp, v.max_token_bytes, v.max_lifetime, v.iat_skew) == (0, False, 8192, None, 60)
    assert v.public_key_pem == shared_public_pem
    assert repr(v) == (
        "Verifier(modulus_bits=2048, leeway=0, require_exp=False, max_token_bytes=8192, max_lifetime=None, "
        "iat_skew=60, provider='ring', cache_size=0)"
    )
    v2 = na.Verifier(shared_public_pem, leeway=5, require_exp=True, max_token_bytes=100, max_lifetime=600, iat_skew=0)
    assert (v2.leeway, v2.require_exp, v2.max_token_bytes, v2.max_lifetime, v2.iat_skew) == (5, True, 100, 600, 0)
    with pytest.raises(AttributeError):
        v.leeway = 3  # type: ignore[misc]


def test_public_key_forms(shared_public_pem: str) -> None:
    pkcs1_pem = (JWT_CASES / "rsa_public_pkcs1.pem").read_text()
    der = (JWT_CASES / "rsa_public_spki.der").read_bytes()
    pkcs1_der = serialization.load_der_public_key(der).public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.PKCS1
    )
    forms: List[Union[str, bytes]] = [
        shared_public_pem,
        shared_public_pem.encode(),
        pkcs1_pem,
        der,
        pkcs1_der,
        base64.b64encode(shared_public_pem.encode()).decode(),
        shared_public_pem.replace("\n", "\\n"),
        "\r\n" + shared_public_pem.replace("\n", "\r\n"),
    ]
    for form in forms:
        assert na.Verifier(form).public_key_pem == shared_public_pem


def test_private_key_is_not_a_public_key(shared_private_pem: str) -> None:
    with pytest.raises(na.SigningKeyError) as info:
        na.Verifier(shared_private_pem)
    assert info.value.code == "key_invalid"
    assert "private key" in str(info.value)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"leeway": -1},
        {"iat_skew": -1},
        {"max_lifetime": -1},
        # 0 is the core's "refused", never "no limit" (None is no limit), in every binding.
        {"max_lifetime": 0},
        {"max_token_bytes": 0},
        {"max_token_bytes": -5},
        {"max_token_bytes": 16385},
    ],
)
def test_config_refusals(kwargs: Dict[str, int], shared_public_pem: str) -> None:
    with pytest.raises(na.ConfigError) as info:
        na.Verifier(shared_public_pem, **kwargs)  # type: ignore[arg-type]
    assert (info.value.code, info.value.status) == ("config_invalid", 500)
    assert isinstance(info.value, ValueError)


def test_options_must_be_keywords(shared_public_pem: str) -> None:
    with pytest.raises(TypeError):
        na.Verifier(shared_public_pem, 5)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        na.Verifier(shared_public_pem, leeway="5")  # type: ignore[arg-type]


def test_token_inputs(signer: na.SigningKey, shared_verifier: na.Verifier) -> None:
    token = signer.sign_user_token("u", now=NOW)
    assert shared_verifier.verify(token.encode(), now=NOW).sub == "u"
    for bad in (None, 5, bytearray(token.encode()), memoryview(token.encode())):
        with pytest.raises(TypeError):
            shared_verifier.verify(bad, now=NOW)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        shared_verifier.verify(token, NOW)  # type: ignore[call-arg]
    # Nothing is trimmed: a token is verified exactly as given.
    with pytest.raises(na.TokenError) as info:
        shared_verifier.verify(token + "\n", now=NOW)
    assert info.value.code in ("token_base64", "signature_invalid")
    with pytest.raises(na.TokenError) as info:
        shared_verifier.verify("caf\u00e9.a.b", now=NOW)
    assert info.value.code == "token_base64"


def test_now_none_uses_the_clock(signer: na.SigningKey, shared_verifier: na.Verifier) -> None:
    old = signer.sign_user_token("u", now=NOW)
    with pytest.raises(na.TokenError) as info:
        shared_verifier.verify(old)
    assert info.value.code == "token_expired"
    fresh = signer.sign_user_token("u")
    assert shared_verifier.verify(fresh).sub == "u"


def test_leeway(signer: na.SigningKey, shared_public_pem: str) -> None:
    token = forge({"sub": "u", "exp": NOW, "nbf": NOW + 100})
    lenient = na.Verifier(shared_public_pem, leeway=100)
    assert lenient.verify(token, now=NOW).sub == "u"
    assert lenient.verify(token, now=NOW + 99).sub == "u"
    with pytest.raises(na.TokenError) as info:
        lenient.verify(token, now=NOW + 100)
    assert info.value.code == "token_expired"
    strict = na.Verifier(shared_public_pem)
    with pytest.raises(na.TokenError) as info:
        strict.verify(token, now=NOW - 1)
    assert (info.value.code, info.value.claim) == ("token_not_yet_valid", "nbf")


def test_require_exp(signer: na.SigningKey, shared_public_pem: str) -> None:
    token = signer.sign_user_token("u", now=NOW, expires_in=None)
    assert na.Verifier(shared_public_pem).verify(token, now=NOW).exp is None
    with pytest.raises(na.TokenError) as info:
        na.Verifier(shared_public_pem, require_exp=True).verify(token, now=NOW)
    assert (info.value.code, info.value.claim) == ("claim_missing", "exp")


def test_max_lifetime(signer: na.SigningKey, shared_public_pem: str) -> None:
    verifier = na.Verifier(shared_public_pem, max_lifetime=600)
    assert verifier.verify(signer.sign_user_token("u", now=NOW, expires_in=600), now=NOW).sub == "u"
    with pytest.raises(na.TokenError) as info:
        verifier.verify(signer.sign_user_token("u", now=NOW, expires_in=601), now=NOW)
    assert (info.value.code, info.value.claim) == ("claim_invalid", "exp")
    with pytest.raises(na.TokenError) as info:
        verifier.verify(signer.sign_user_token("u", now=NOW, expires_in=None), now=NOW)
    assert info.value.code == "claim_missing"


def test_iat_skew(signer: na.SigningKey, shared_public_pem: str) -> None:
    token = signer.sign_user_token("u", now=NOW + 60)
    assert na.Verifier(shared_public_pem).verify(token, now=NOW).iat == NOW + 60
    with pytest.raises(na.TokenError) as info:
        na.Verifier(shared_public_pem).verify(signer.sign_user_token("u", now=NOW + 61), now=NOW)
    assert (info.value.code, info.value.claim) == ("token_issued_in_future", "iat")
    with pytest.raises(na.TokenError) as info:
        na.Verifier(shared_public_pem, iat_skew=0).verify(token, now=NOW)
    assert info.value.code == "token_issued_in_future"


def test_max_token_bytes(signer: na.SigningKey, shared_public_pem: str) -> None:
    token = signer.sign_user_token("u", now=NOW)
    assert na.Verifier(shared_public_pem, max_token_bytes=len(token)).verify(token, now=NOW).sub == "u"
    with pytest.raises(na.TokenError) as info:
        na.Verifier(shared_public_pem, max_token_bytes=len(token) - 1).verify(token, now=NOW)
    assert info.value.code == "token_too_large"
    big = signer.sign_user_token("x" * 2048, now=NOW) + "." * 0
    assert len(big) < 16384
    assert na.Verifier(shared_public_pem, max_token_bytes=16384).verify(big, now=NOW).sub == "x" * 2048


def test_wrong_key_is_signature_invalid(other_key_pair: na.GeneratedKeyPair, signer: na.SigningKey) -> None:
    token = signer.sign_user_token("u", now=NOW)
    with pytest.raises(na.TokenError) as info:
        na.Verifier(other_key_pair.public_key_pem).verify(token, now=NOW)
    assert (info.value.code, info.value.status, info.value.claim) == ("signature_invalid", 401, None)


def test_header_refusals(signer: na.SigningKey, shared_verifier: na.Verifier) -> None:
    token = signer.sign_user_token("u", now=NOW)
    header, payload, signature = token.split(".")
    for fields, code in [
        ({"alg": "none"}, "alg_not_allowed"),
        ({"alg": "HS256"}, "alg_not_allowed"),
        ({"alg": "RS256", "crit": ["exp"]}, "crit_unsupported"),
    ]:
        forged = f"{b64url(json.dumps(fields).encode())}.{payload}.{signature}"
        with pytest.raises(na.TokenError) as info:
            shared_verifier.verify(forged, now=NOW)
        assert info.value.code == code
    open_brace = b64url(b"{")
    duplicate = b64url(b'{"alg":"RS256","alg":"RS256"}')
    for text, code in [
        ("", "token_malformed"),
        ("a.b", "token_malformed"),
        ("e30.e30.e30.e30", "token_malformed"),
        (f"{header}.{payload}=.{signature}", "token_base64"),
        (f"{open_brace}.{payload}.{signature}", "token_json"),
        (f"{duplicate}.{payload}.{signature}", "token_duplicate_member"),
    ]:
        with pytest.raises(na.TokenError) as info:
            shared_verifier.verify(text, now=NOW)
        assert info.value.code == code, text


def test_claim_refusals(signer: na.SigningKey, shared_verifier: na.Verifier) -> None:
    cases: List[Tuple[Dict[str, Any], str, str]] = [
        ({"exp": NOW + 10}, "claim_missing", "sub"),
        ({"sub": "", "exp": NOW + 10}, "claim_invalid", "sub"),
        ({"sub": 5}, "claim_invalid", "sub"),
        ({"sub": "u", "exp": "soon"}, "claim_invalid", "exp"),
        ({"sub": "u", "nbf": True}, "claim_invalid", "nbf"),
        ({"sub": "u", "iat": [1]}, "claim_invalid", "iat"),
    ]
    for claims, code, claim in cases:
        with pytest.raises(na.TokenError) as info:
            shared_verifier.verify(forge(claims), now=NOW)
        assert (info.value.code, info.value.claim) == (code, claim), claims


def test_user_claims(signer: na.SigningKey, shared_verifier: na.Verifier) -> None:
    claims = shared_verifier.verify(forge({"sub": "o'neil", "exp": NOW + 0.5, "nbf": NOW, "iat": NOW}), now=NOW)
    assert claims.sub == "o'neil"
    assert claims.exp == NOW + 0.5 and isinstance(claims.exp, float)
    assert claims.nbf == NOW and isinstance(claims.nbf, int)
    assert repr(claims) == f"UserClaims(sub=\"o'neil\", exp={NOW + 0.5!r}, nbf={NOW}, iat={NOW})"
    assert claims.to_dict() == {"sub": "o'neil", "exp": NOW + 0.5, "nbf": NOW, "iat": NOW}
    same = shared_verifier.verify(forge({"sub": "o'neil", "exp": NOW + 0.5, "nbf": NOW, "iat": NOW}), now=NOW)
    assert claims == same and hash(claims) == hash(same)
    other = shared_verifier.verify(signer.sign_user_token("u", now=NOW, expires_in=None), now=NOW)
    assert claims != other
    assert repr(other) == f"UserClaims(sub='u', exp=None, nbf=None, iat={NOW})"
    assert other.to_dict() == {"sub": "u", "exp": None, "nbf": None, "iat": NOW}
    with pytest.raises(AttributeError):
        claims.sub = "mallory"  # type: ignore[misc]
    assert len({claims, same, other}) == 2


def test_verified_token_cache(signer: na.SigningKey, shared_public_pem: str) -> None:
    cached = na.Verifier(shared_public_pem, cache_size=100)
    assert cached.cache_size == 100 and repr(cached).endswith("cache_size=100)")
    assert na.Verifier(shared_public_pem).cache_size == 0
    token = signer.sign_user_token("u", now=NOW, expires_in=60)
    for _ in range(3):
        assert cached.verify(token, now=NOW).exp == NOW + 60
        assert cached.verify(token.encode(), now=NOW + 59).sub == "u"
        with pytest.raises(na.TokenError) as info:
            cached.verify(token, now=NOW + 60)
        assert info.value.code == "token_expired"
    # Only fully verified tokens are cached: one refused for its times is refused again,
    # and later verifies once valid.
    future = signer.sign_user_token("f", now=NOW + 1000)
    with pytest.raises(na.TokenError):
        cached.verify(future, now=NOW)
    assert cached.verify(future, now=NOW + 1000).sub == "f"
    with pytest.raises(na.TokenError) as info:
        cached.verify(future, now=NOW)
    assert info.value.code == "token_issued_in_future"
    with pytest.raises(na.ConfigError):
        na.Verifier(shared_public_pem, cache_size=-1)


def test_cache_gives_the_same_results_on_the_corpus(shared_public_pem: str) -> None:
    from conftest import CASES

    plain = na.Verifier(shared_public_pem, require_exp=True, max_token_bytes=16384, iat_skew=0)
    cached = na.Verifier(shared_public_pem, require_exp=True, max_token_bytes=16384, iat_skew=0, cache_size=8)

    def outcome(verifier: na.Verifier, token: str, now: int) -> str:
        try:
            return "ok:" + verifier.verify(token, now=now).sub
        except na.TokenError as e:
            return e.code

    for _ in range(2):
        for case in CASES:
            for now in (case["now"], case["now"] + 10**6):
                assert outcome(cached, case["token"], now) == outcome(plain, case["token"], now), case["name"]
