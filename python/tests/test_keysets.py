"""Key sets (issue 12) through the Python API: kids, rotation with an overlap, removal,
revocation, lifetime rules per project, the project document, and JWK Sets checked
against PyJWT's ``PyJWKSet``."""

from __future__ import annotations

import base64
import json
from typing import Any, Dict, List, Optional

import jwt
import pytest

import notiflows_auth as na

NOW = 1_700_000_000
API_KEY = "pk_keys"


def header(token: str) -> Dict[str, Any]:
    part = token.split(".")[0]
    doc: Dict[str, Any] = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    return doc


def code(auth: na.Authenticator, token: str, now: float = NOW) -> str:
    try:
        auth.authenticate({"x-notiflows-api-key": API_KEY, "x-notiflows-user-key": token}, now=int(now))
        return "ok"
    except na.NotiflowsAuthError as e:
        return e.code


@pytest.fixture(scope="module")
def pairs() -> List[na.GeneratedKeyPair]:
    return [na.generate_signing_key(), na.generate_signing_key()]


@pytest.fixture(params=[0, 64], ids=["no-cache", "cache"])
def auth(request: Any, pairs: List[na.GeneratedKeyPair]) -> na.Authenticator:
    a = na.Authenticator(cache_size=request.param)
    a.add_project(API_KEY, signing_public_key=pairs[0].public_key_pem)
    return a


def test_new_codes_come_from_the_core() -> None:
    for name in ("key_unknown", "token_revoked"):
        assert name in na.ERROR_CODES and na.ERROR_STATUS[name] == 401


def test_keys_know_their_kid_and_tokens_carry_it(pairs: List[na.GeneratedKeyPair]) -> None:
    key = pairs[0].signing_key()
    assert key.kid == na.key_id(pairs[0].public_key_pem) and len(key.kid) == 43
    assert header(key.sign_user_token("u", now=NOW))["kid"] == key.kid
    assert "kid" not in header(key.sign_user_token("u", now=NOW, kid=None))
    assert header(key.sign_user_token("u", now=NOW, kid="custom"))["kid"] == "custom"
    assert header(na.sign_user_token("u", pairs[0].private_key_pem, now=NOW))["kid"] == key.kid
    assert "kid" not in header(na.sign_user_token("u", pairs[0].private_key_pem, now=NOW, kid=None))
    with pytest.raises(na.ConfigError):
        key.sign_user_token("u", kid="bad kid")
    with pytest.raises(TypeError):
        key.sign_user_token("u", kid=42)  # type: ignore[arg-type]


def test_a_kid_selects_among_the_project_keys(auth: na.Authenticator, pairs: List[na.GeneratedKeyPair]) -> None:
    k0, k1 = (p.signing_key() for p in pairs)
    assert code(auth, k0.sign_user_token("alice", now=NOW)) == "ok"
    assert code(auth, k0.sign_user_token("alice", now=NOW, kid=None)) == "ok"
    assert code(auth, k0.sign_user_token("alice", now=NOW, kid="nope")) == "key_unknown"
    assert code(auth, k1.sign_user_token("alice", now=NOW)) == "key_unknown"
    assert code(auth, k1.sign_user_token("alice", now=NOW, kid=None)) == "signature_invalid"
    assert code(auth, k0.sign_user_token("alice", now=NOW, kid="k" * 128)) == "key_unknown"


def test_rotation_with_an_overlap(auth: na.Authenticator, pairs: List[na.GeneratedKeyPair]) -> None:
    k0, k1 = (p.signing_key() for p in pairs)
    old = k0.sign_user_token("alice", now=NOW)
    assert code(auth, old) == "ok"
    auth.set_signing_key_with_overlap(API_KEY, pairs[1].public_key_pem, overlap=60, now=NOW)
    assert code(auth, k1.sign_user_token("alice", now=NOW)) == "ok"
    assert code(auth, old, NOW + 59) == "ok"
    assert code(auth, old, NOW + 60) == "key_unknown"  # at the deadline, even from the cache
    kids = [k["kid"] for k in json.loads(auth.jwks(API_KEY))["keys"]]
    assert kids == [k1.kid, k0.kid]
    at = [[k["kid"] for k in json.loads(auth.jwks_at(API_KEY, now=t))["keys"]] for t in (NOW + 59, NOW + 60)]
    assert at == [[k1.kid, k0.kid], [k1.kid]]  # a retiring key leaves at its deadline
    assert auth.remove_signing_key(API_KEY, k0.kid) is True
    assert auth.remove_signing_key(API_KEY, k0.kid) is False
    assert code(auth, old, NOW + 1) == "key_unknown"
    with pytest.raises(na.ConfigError):
        auth.set_signing_key_with_overlap(API_KEY, pairs[0].public_key_pem, overlap=604_801, now=NOW)
    pair = auth.rotate_signing_key_with_overlap(API_KEY, overlap=3600, now=NOW)
    assert code(auth, pair.signing_key().sign_user_token("bob", now=NOW)) == "ok"
    assert code(auth, k1.sign_user_token("alice", now=NOW)) == "ok"  # the previous key retires
    auth.rotate_signing_key(API_KEY)
    assert code(auth, k1.sign_user_token("alice", now=NOW)) == "key_unknown"  # rotate now: the rest go


def test_revocation(auth: na.Authenticator, pairs: List[na.GeneratedKeyPair]) -> None:
    k0 = pairs[0].signing_key()
    alice, bob = (k0.sign_user_token(u, now=NOW) for u in ("alice", "bob"))
    assert code(auth, alice, NOW + 10) == "ok"
    auth.revoke_user_tokens_issued_before(API_KEY, "alice", NOW + 5)
    assert code(auth, alice, NOW + 10) == "token_revoked"
    assert code(auth, bob, NOW + 10) == "ok"
    assert code(auth, k0.sign_user_token("alice", now=NOW + 5), NOW + 10) == "ok"
    auth.revoke_tokens_issued_before(API_KEY, NOW + 1)
    assert code(auth, bob, NOW + 10) == "token_revoked"
    assert isinstance(auth.prune_revocations(API_KEY, now=NOW + 10), int)
    with pytest.raises(na.RequestAuthError):
        auth.revoke_tokens_issued_before("pk_nope", NOW)


def test_project_members_and_the_document(pairs: List[na.GeneratedKeyPair]) -> None:
    k0, k1 = (p.signing_key() for p in pairs)
    auth = na.Authenticator(cache_size=16)
    auth.add_project(
        API_KEY,
        signing_public_key=pairs[0].public_key_pem,
        retiring_keys=[(pairs[1].public_key_pem, NOW + 30, "old-key")],
        user_revocations=[("mallory", NOW + 1)],
        require_exp=True,
        max_lifetime=600,
    )
    assert code(auth, k1.sign_user_token("a", now=NOW, kid="old-key", expires_in=60)) == "ok"
    assert code(auth, k1.sign_user_token("a", now=NOW, kid="old-key", expires_in=60), NOW + 30) == "key_unknown"
    assert code(auth, k0.sign_user_token("mallory", now=NOW, expires_in=60)) == "token_revoked"
    assert code(auth, k0.sign_user_token("a", now=NOW, expires_in=None)) == "claim_missing"
    assert code(auth, k0.sign_user_token("a", now=NOW, expires_in=601)) == "claim_invalid"
    doc = json.loads(auth.project_json(API_KEY))
    assert (doc["require_exp"], doc["max_lifetime"], doc["retiring_keys"][0]["kid"]) == (True, 600, "old-key")
    other = na.Authenticator()
    other.add_project_json(auth.project_json(API_KEY))
    assert other.project_json(API_KEY) == auth.project_json(API_KEY)
    with pytest.raises(na.ConfigError):
        other.add_project_json('{"api_key":"pk","nope":1}')
    with pytest.raises(na.ConfigError):
        auth.add_project("pk2", max_lifetime=0)
    with pytest.raises(na.RequestAuthError):
        auth.project_json("pk_nope")


def test_jwk_sets_round_trip_through_pyjwt(pairs: List[na.GeneratedKeyPair]) -> None:
    auth = na.Authenticator(cache_size=0)
    auth.add_project(API_KEY, signing_public_key=pairs[0].public_key_pem)
    auth.set_signing_key_with_overlap(API_KEY, pairs[1].public_key_pem, overlap=3600)
    jwks = jwt.PyJWKSet.from_json(auth.jwks(API_KEY))
    for pair in pairs:
        key = pair.signing_key()
        token = key.sign_user_token("alice")
        signing = jwks[key.kid]
        assert jwt.decode(token, signing.key, algorithms=["RS256"])["sub"] == "alice"
    # Our export and reader agree; a set with a private member is refused.
    exported = na.jwk_set([pairs[0].public_key_pem, (pairs[1].public_key_pem, "named")])
    read = na.parse_jwk_set(exported)
    assert [kid for kid, _ in read] == [na.key_id(pairs[0].public_key_pem), "named"]
    assert read[0][1] == na.Verifier(pairs[0].public_key_pem).public_key_pem
    private: Dict[str, Optional[str]] = dict(json.loads(exported)["keys"][0], d="AQAB")
    with pytest.raises(na.ConfigError):
        na.parse_jwk_set(json.dumps({"keys": [private]}))
