"""Every case of testdata/vectors/jwt-cases, plus the RFC vectors, through Verifier."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List, Literal, Optional

import pytest

import notiflows_auth as na
from conftest import CASES, JWT_CASES, VECTORS, load_cases

# The corpus' error categories, as our codes (written once, for every language's tests).
_CATEGORIES = Path(__file__).resolve().parents[2] / "testdata" / "jwt_case_categories.json"
CATEGORY_CODES: Dict[str, str] = json.loads(_CATEGORIES.read_text(encoding="utf-8"))


def allowed_codes(case: Dict[str, Any]) -> List[str]:
    categories = [case["expected_error_category"], *case["alt_error_categories"]]
    return [CATEGORY_CODES[c] for c in categories]


# Every verify provider: each must give the same outcome on every case.
PROVIDERS: List[Literal["ring", "aws-lc-rs"]] = ["ring", "aws-lc-rs"]


def contract_verifier(public_pem: str, iat_skew: int = 0, provider: Literal["ring", "aws-lc-rs"] = "ring") -> na.Verifier:
    """The corpus contract: exp required, iat not after now, the largest size cap we offer."""
    return na.Verifier(public_pem, require_exp=True, max_token_bytes=16384, iat_skew=iat_skew, provider=provider)


def outcome(verifier: na.Verifier, case: Dict[str, Any]) -> Optional[str]:
    """None when the token verified (and its sub is checked), else the error code."""
    try:
        claims = verifier.verify(case["token"], now=case["now"])
    except na.TokenError as e:
        return e.code
    # Invalid cases that a policy accepts carry no expected_sub: their sub is "alice".
    assert claims.sub == case.get("expected_sub", "alice"), case["name"]
    return None


def test_corpus_is_complete() -> None:
    doc = load_cases()
    assert len(CASES) == 121
    assert set(doc["error_categories"]) == set(CATEGORY_CODES)
    assert set(CATEGORY_CODES.values()) <= set(na.ERROR_CODES)


@pytest.mark.parametrize("provider", PROVIDERS)
@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_case_under_corpus_contract(
    case: Dict[str, Any], shared_public_pem: str, provider: Literal["ring", "aws-lc-rs"]
) -> None:
    verifier = contract_verifier(shared_public_pem, provider=provider)
    assert verifier.provider == provider
    code = outcome(verifier, case)
    if case["expect"] == "valid":
        assert code is None, f"{case['name']}: refused with {code}"
    else:
        assert code in allowed_codes(case), f"{case['name']}: got {code}, expected one of {allowed_codes(case)}"


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_case_as_bytes(case: Dict[str, Any], shared_public_pem: str) -> None:
    """The same outcome whether the token is given as str or bytes."""
    verifier = contract_verifier(shared_public_pem)
    as_str = outcome(verifier, case)
    as_bytes = outcome(verifier, {**case, "token": case["token"].encode("utf-8")})
    assert as_str == as_bytes


@pytest.mark.parametrize("provider", PROVIDERS)
def test_default_policy_differs_only_where_the_corpus_says_policy_decides(
    shared_public_pem: str, provider: Literal["ring", "aws-lc-rs"]
) -> None:
    # Defaults: exp optional, 60 s iat skew, 8 KiB cap. `exp_missing` becomes valid; the
    # 128 KiB and deep-nesting cases are refused by the size cap before any decoding; the
    # iat = now + 1 h case still fails, since 1 h is far beyond the 60 s allowance.
    verifier = na.Verifier(shared_public_pem, provider=provider)
    for case in CASES:
        code = outcome(verifier, case)
        if case["name"] == "exp_missing":
            assert code is None
        elif case["name"] in ("token_about_128KiB", "payload_nesting_depth_10000"):
            assert code == "token_too_large", case["name"]
        elif case["expect"] == "valid":
            assert code is None, case["name"]
        else:
            assert code in allowed_codes(case), case["name"]


def test_iat_in_the_future_beyond_any_small_skew(shared_public_pem: str) -> None:
    (case,) = [c for c in CASES if c["expected_error_category"] == "iat_future"]
    for skew in (0, 60, 3599):
        assert outcome(contract_verifier(shared_public_pem, iat_skew=skew), case) == "token_issued_in_future"
    assert outcome(contract_verifier(shared_public_pem, iat_skew=3600), case) is None


def test_every_public_key_file_verifies_the_valid_cases() -> None:
    keys: List[bytes] = [
        (JWT_CASES / "rsa_public_spki.pem").read_bytes(),
        (JWT_CASES / "rsa_public_pkcs1.pem").read_bytes(),
        (JWT_CASES / "rsa_public_spki.der").read_bytes(),
    ]
    valid = [c for c in CASES if c["expect"] == "valid" and c["name"] != "exp_missing"]
    assert valid
    for key in keys:
        verifier = na.Verifier(key)
        for case in valid:
            assert verifier.verify(case["token"], now=case["now"]).sub == case["expected_sub"]


@pytest.mark.parametrize("provider", PROVIDERS)
def test_rfc7515_a2_signature_valid_but_no_sub(provider: Literal["ring", "aws-lc-rs"]) -> None:
    doc = json.loads((VECTORS / "rfc" / "rfc7515_a2.json").read_text(encoding="utf-8"))
    verifier = na.Verifier(doc["public_key_pem"], provider=provider)
    with pytest.raises(na.TokenError) as info:
        verifier.verify(doc["compact_jws"], now=doc["suggested_now"])
    assert (info.value.code, info.value.claim) == ("claim_missing", "sub")
    # A changed signature byte is refused as a signature, before the claims are looked at.
    head, payload, signature = doc["compact_jws"].split(".")
    tampered = f"{head}.{payload}.{'A' if signature[0] != 'A' else 'B'}{signature[1:]}"
    with pytest.raises(na.TokenError) as info:
        verifier.verify(tampered, now=doc["suggested_now"])
    assert info.value.code == "signature_invalid"


@pytest.mark.parametrize("provider", PROVIDERS)
def test_rfc7520_4_1_payload_is_not_json(provider: Literal["ring", "aws-lc-rs"]) -> None:
    doc = json.loads((VECTORS / "rfc" / "rfc7520_4_1.json").read_text(encoding="utf-8"))
    for key in (doc["public_key_pem"], doc["public_key_pkcs1_pem"]):
        with pytest.raises(na.TokenError) as info:
            na.Verifier(key, provider=provider).verify(doc["compact_jws"], now=1_700_000_000)
        assert info.value.code == "token_json"


def test_provider_is_named_and_an_unknown_one_is_config_invalid(shared_public_pem: str) -> None:
    assert na.Verifier(shared_public_pem).provider == "ring"
    assert na.Authenticator().provider == "ring"
    assert na.Authenticator(provider="aws-lc-rs").provider == "aws-lc-rs"
    assert "provider='aws-lc-rs'" in repr(na.Verifier(shared_public_pem, provider="aws-lc-rs"))
    unknown: Any = "openssl"
    for make in (lambda: na.Verifier(shared_public_pem, provider=unknown), lambda: na.Authenticator(provider=unknown)):
        with pytest.raises(na.ConfigError) as info:
            make()
        assert info.value.code == "config_invalid"
        assert '"ring"' in str(info.value) and '"aws-lc-rs"' in str(info.value)
