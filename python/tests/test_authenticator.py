"""Authenticator: projects, modes, headers, origins, rotation, the cache, CORS, threads."""

from __future__ import annotations

import threading
import time
from typing import Dict, Iterator, List, Tuple

import pytest

import notiflows_auth as na

NOW = 1_700_000_000
API_KEY = "pk_test_123"
APP = "https://app.example.com"


@pytest.fixture()
def auth(key_pair: na.GeneratedKeyPair) -> na.Authenticator:
    authenticator = na.Authenticator()
    authenticator.add_project(
        API_KEY,
        signing_public_key=key_pair.public_key_pem,
        allowed_origins=[APP, "http://localhost:3000", "https://*.example.org"],
    )
    return authenticator


@pytest.fixture()
def token(key_pair: na.GeneratedKeyPair) -> str:
    return na.sign_user_token("user-1", key_pair.private_key_base64, now=NOW)


def headers(user_key: str | None = None, user_id: str | None = None, api_key: str = API_KEY) -> Dict[str, str]:
    found = {na.API_KEY_HEADER: api_key}
    if user_key is not None:
        found[na.USER_KEY_HEADER] = user_key
    if user_id is not None:
        found[na.USER_ID_HEADER] = user_id
    return found


def with_origin(request: object, origin: str | None) -> object:
    """The request with an Origin header added (the binding passes headers as they came)."""
    if origin is None:
        return request
    if isinstance(request, dict):
        return {**request, "Origin": origin}
    return [*request, ("Origin", origin)]  # type: ignore[misc]


def refused(
    auth: na.Authenticator, request: object, origin: str | None = None, now: int = NOW
) -> na.NotiflowsAuthError:
    with pytest.raises(na.NotiflowsAuthError) as info:
        auth.authenticate(with_origin(request, origin), now=now)  # type: ignore[arg-type]
    return info.value


def test_secure_mode_with_a_user_token(auth: na.Authenticator, token: str) -> None:
    user = auth.authenticate({**headers(token), "Origin": APP}, now=NOW)
    assert (user.api_key, user.user_id, user.mode, user.credential, user.expires_at) == (
        API_KEY,
        "user-1",
        "secure",
        "user_key",
        NOW + 3600,
    )
    assert repr(user) == (
        "AuthenticatedUser(api_key='pk_test_123', user_id='user-1', mode='secure', credential='user_key', "
        f"expires_at={NOW + 3600})"
    )
    again = auth.authenticate(headers(token), now=NOW)
    assert user == again and hash(user) == hash(again)
    with pytest.raises(AttributeError):
        user.user_id = "mallory"  # type: ignore[misc]


def test_now_defaults_to_the_clock(auth: na.Authenticator, key_pair: na.GeneratedKeyPair, token: str) -> None:
    assert refused(auth, headers(token), now=int(time.time())).code == "token_expired"
    with pytest.raises(na.TokenError):
        auth.authenticate(headers(token))
    fresh = na.sign_user_token("now", key_pair.private_key_pem)
    assert auth.authenticate(headers(fresh)).user_id == "now"


def test_header_forms(auth: na.Authenticator, token: str) -> None:
    forms: List[object] = [
        {"X-Notiflows-Api-Key": API_KEY, "X-NOTIFLOWS-USER-KEY": token},
        [("x-notiflows-api-key", API_KEY), ("content-type", "application/json"), ("x-notiflows-user-key", token)],
        [(b"x-notiflows-api-key", API_KEY.encode()), (b"x-notiflows-user-key", token.encode())],
        ((name, value) for name, value in headers(token).items()),
    ]
    for request in forms:
        assert auth.authenticate(request, now=NOW).user_id == "user-1"  # type: ignore[arg-type]


class MultiHeaders:
    """Like Werkzeug's and Starlette's headers: items() lists a repeated header twice."""

    def __init__(self, pairs: List[Tuple[str, str]]) -> None:
        self.pairs = pairs

    def items(self) -> Iterator[Tuple[str, str]]:
        return iter(self.pairs)


def test_repeated_headers_are_refused(auth: na.Authenticator, token: str) -> None:
    api = ("x-notiflows-api-key", API_KEY)
    user_key = ("x-notiflows-user-key", token)
    cases = [
        ([api, ("X-Notiflows-Api-Key", API_KEY)], "api_key_invalid"),
        ([api, user_key, user_key], "token_malformed"),
        ([api, ("x-notiflows-user-id", "a"), ("X-Notiflows-User-Id", "a")], "user_id_invalid"),
        ([api, ("origin", APP), ("Origin", APP), user_key], "origin_not_allowed"),
    ]
    for pairs, code in cases:
        assert refused(auth, MultiHeaders(pairs)).code == code
        assert refused(auth, pairs).code == code


def test_bad_header_containers(auth: na.Authenticator) -> None:
    for bad in (5, ["x-notiflows-api-key"], [("a", "b", "c")], {"x-notiflows-api-key": 5}):
        with pytest.raises(TypeError):
            auth.authenticate(bad, now=NOW)  # type: ignore[arg-type]


def test_api_key_errors(auth: na.Authenticator, token: str) -> None:
    e = refused(auth, {na.USER_KEY_HEADER: token})
    assert (type(e), e.code, e.status) == (na.RequestAuthError, "api_key_missing", 401)
    assert refused(auth, headers(token, api_key="pk_other")).code == "api_key_invalid"
    assert refused(auth, [(na.API_KEY_HEADER, b"\xff"), (na.USER_KEY_HEADER, token)]).code == "api_key_invalid"


def test_secure_mode_refuses_user_id(auth: na.Authenticator) -> None:
    e = refused(auth, headers(user_id="user-1"))
    assert (type(e), e.code, e.status) == (na.RequestAuthError, "user_key_missing", 401)
    assert "Security Mode" in str(e)
    assert refused(auth, headers()).code == "user_key_missing"


def test_secure_mode_without_key(token: str) -> None:
    auth = na.Authenticator()
    auth.add_project(API_KEY)
    for request in (headers(user_id="u"), headers(token)):
        e = refused(auth, request)
        assert (type(e), e.code, e.status) == (na.SigningKeyError, "signing_key_not_configured", 401)


def test_token_errors_pass_through(auth: na.Authenticator, other_key_pair: na.GeneratedKeyPair) -> None:
    assert refused(auth, headers("nope")).code == "token_malformed"
    # Signed by another key: its kid names no key of the project; without a kid, the
    # active key's signature check refuses it.
    wrong = na.sign_user_token("u", other_key_pair.private_key_pem, now=NOW)
    e = refused(auth, headers(wrong))
    assert (type(e), e.code) == (na.TokenError, "key_unknown")
    wrong = na.sign_user_token("u", other_key_pair.private_key_pem, now=NOW, kid=None)
    e = refused(auth, headers(wrong))
    assert (type(e), e.code) == (na.TokenError, "signature_invalid")


def test_development_mode(key_pair: na.GeneratedKeyPair, token: str) -> None:
    auth = na.Authenticator()
    auth.add_project(API_KEY, security_mode="development")
    user = auth.authenticate(headers(user_id="caf\u00e9"), now=NOW)
    assert (user.user_id, user.mode, user.credential, user.expires_at) == ("caf\u00e9", "development", "user_id", None)
    assert refused(auth, headers()).code == "user_id_missing"
    for bad in ("", "a\nb", "x" * 257):
        assert refused(auth, headers(user_id=bad)).code == "user_id_invalid"
    assert auth.authenticate(headers(user_id="x" * 256), now=NOW).user_id == "x" * 256
    # A user key, when sent, is verified and wins (here the project has no key yet).
    assert refused(auth, headers(token, user_id="other")).code == "signing_key_not_configured"
    auth.set_signing_key(API_KEY, key_pair.public_key_pem)
    user = auth.authenticate(headers(token, user_id="other"), now=NOW)
    assert (user.user_id, user.credential, user.mode) == ("user-1", "user_key", "development")
    assert refused(auth, headers("bad.token.here", user_id="other")).code in ("token_base64", "token_json")


def test_switching_modes(auth: na.Authenticator) -> None:
    assert refused(auth, headers(user_id="u")).code == "user_key_missing"
    auth.set_security_mode(API_KEY, "development")
    assert auth.authenticate(headers(user_id="u"), now=NOW).mode == "development"
    auth.set_security_mode(API_KEY, "secure")
    assert refused(auth, headers(user_id="u")).code == "user_key_missing"
    with pytest.raises(na.ConfigError):
        auth.set_security_mode(API_KEY, "Secure")  # type: ignore[arg-type]
    with pytest.raises(na.RequestAuthError) as info:
        auth.set_security_mode("pk_unknown", "secure")
    assert info.value.code == "api_key_invalid"


def test_origins(auth: na.Authenticator, token: str) -> None:
    for origin in (APP, "https://APP.example.com:443", "http://localhost:3000", "https://a.b.example.org"):
        assert auth.authenticate({**headers(token), "Origin": origin}, now=NOW).user_id == "user-1", origin
    for origin in (
        "https://example.org",
        "https://evil-example.com",
        "https://app.example.com.evil.com",
        "http://app.example.com",
        "http://localhost:3001",
        "null",
        "garbage",
    ):
        e = refused(auth, headers(token), origin=origin)
        assert (type(e), e.code, e.status) == (na.RequestAuthError, "origin_not_allowed", 403), origin
    # Checked before any token work: a bad token from a bad origin is an origin error.
    assert refused(auth, headers("x"), origin="https://evil.test").code == "origin_not_allowed"
    # No Origin (not a browser): not checked.
    assert auth.authenticate(headers(token), now=NOW).user_id == "user-1"


def test_origin_from_the_headers(auth: na.Authenticator, token: str) -> None:
    assert auth.authenticate({**headers(token), "Origin": APP}, now=NOW).user_id == "user-1"
    assert refused(auth, {**headers(token), "origin": "https://evil.test"}).code == "origin_not_allowed"
    # No origin argument: the Origin header is the only origin, read by the core.
    with pytest.raises(TypeError):
        auth.authenticate({**headers(token), "Origin": "https://evil.test"}, origin=APP, now=NOW)  # type: ignore[call-arg]
    assert refused(auth, [*headers(token).items(), ("Origin", b"\xff")]).code == "origin_not_allowed"
    # The documented order: the API key first, so a repeated Origin does not hide a bad key.
    twice = [("Origin", APP), ("origin", APP)]
    assert refused(auth, twice).code == "api_key_missing"
    assert refused(auth, [("x-notiflows-api-key", "pk_unknown"), *twice]).code == "api_key_invalid"
    assert refused(auth, [*headers(token).items(), *twice]).code == "origin_not_allowed"
    # Whitespace around a value is not part of it.
    assert auth.authenticate({**headers(token), "Origin": f" {APP}\t"}, now=NOW).user_id == "user-1"


def test_empty_origin_list_allows_all(token: str, key_pair: na.GeneratedKeyPair) -> None:
    auth = na.Authenticator()
    auth.add_project(API_KEY, signing_public_key=key_pair.public_key_pem, allowed_origins=())
    assert auth.authenticate({**headers(token), "Origin": "https://anything.test"}, now=NOW).user_id == "user-1"
    auth.set_allowed_origins(API_KEY, ["https://only.test"])
    assert refused(auth, headers(token), origin="https://anything.test").code == "origin_not_allowed"
    auth.set_allowed_origins(API_KEY, iter([]))
    assert auth.authenticate({**headers(token), "Origin": "https://anything.test"}, now=NOW)


@pytest.mark.parametrize(
    "origins", [["*"], ["null"], [""], ["https://*"], ["https://*.com"], ["https://a.test/path"], ["ftp:/x"]]
)
def test_malformed_origins_are_config_errors(origins: List[str]) -> None:
    auth = na.Authenticator()
    with pytest.raises(na.ConfigError) as info:
        auth.add_project(API_KEY, allowed_origins=origins)
    assert info.value.code == "config_invalid"
    auth.add_project(API_KEY, allowed_origins=["https://ok.test"])
    with pytest.raises(na.ConfigError):
        auth.set_allowed_origins(API_KEY, origins)


def test_project_config_errors(key_pair: na.GeneratedKeyPair) -> None:
    auth = na.Authenticator()
    for api_key in ("", "has space", "x" * 257, "caf\u00e9"):
        with pytest.raises(na.ConfigError):
            auth.add_project(api_key)
    with pytest.raises(na.ConfigError):
        auth.add_project(API_KEY, security_mode="prod")  # type: ignore[arg-type]
    with pytest.raises(na.SigningKeyError) as info:
        auth.add_project(API_KEY, signing_public_key=key_pair.private_key_pem)
    assert info.value.code == "key_invalid"
    with pytest.raises(TypeError):
        auth.add_project(API_KEY, allowed_origins="https://app.example.com")
    with pytest.raises(TypeError):
        auth.add_project(API_KEY, allowed_origins=[1])  # type: ignore[list-item]
    auth.add_project(API_KEY, signing_public_key=key_pair.public_key_pem.encode())


def test_options_and_repr() -> None:
    auth = na.Authenticator()
    assert auth.cache_size == 10000
    assert repr(auth) == (
        "Authenticator(leeway=0, require_exp=False, max_token_bytes=8192, max_lifetime=None, iat_skew=60, "
        "provider='ring', cache_size=10000)"
    )
    auth = na.Authenticator(leeway=5, require_exp=True, max_token_bytes=4096, max_lifetime=60, iat_skew=0, cache_size=0)
    assert auth.cache_size == 0
    assert "require_exp=True" in repr(auth)
    kwargs: Dict[str, int]
    for kwargs in ({"cache_size": -1}, {"leeway": -1}, {"max_token_bytes": 0}, {"max_token_bytes": 16385}):
        with pytest.raises(na.ConfigError):
            na.Authenticator(**kwargs)  # type: ignore[arg-type]


def test_policy_applies_to_projects(key_pair: na.GeneratedKeyPair) -> None:
    auth = na.Authenticator(require_exp=True)
    auth.add_project(API_KEY, signing_public_key=key_pair.public_key_pem)
    no_exp = na.sign_user_token("u", key_pair.private_key_pem, now=NOW, expires_in=None)
    assert refused(auth, headers(no_exp)).code == "claim_missing"
    lenient = na.Authenticator(leeway=10)
    lenient.add_project(API_KEY, signing_public_key=key_pair.public_key_pem)
    token = na.sign_user_token("u", key_pair.private_key_pem, now=NOW, expires_in=60)
    assert lenient.authenticate(headers(token), now=NOW + 65).user_id == "u"


def test_rotation(auth: na.Authenticator, token: str) -> None:
    assert auth.authenticate(headers(token), now=NOW).user_id == "user-1"  # now cached
    pair = auth.rotate_signing_key(API_KEY)
    assert (pair.bits, repr(pair).startswith("GeneratedKeyPair(bits=2048")) == (2048, True)
    assert refused(auth, headers(token)).code == "key_unknown"  # its kid is gone
    new = na.sign_user_token("user-1", pair.private_key_base64, now=NOW)
    assert auth.authenticate(headers(new), now=NOW).user_id == "user-1"
    with pytest.raises(na.SigningKeyError):
        auth.rotate_signing_key(API_KEY, 1024)
    with pytest.raises(na.RequestAuthError):
        auth.rotate_signing_key("pk_unknown")
    auth.set_signing_key(API_KEY, None)
    assert refused(auth, headers(new)).code == "signing_key_not_configured"
    auth.set_signing_key(API_KEY, pair.public_key_pem)
    assert auth.authenticate(headers(new), now=NOW).user_id == "user-1"
    with pytest.raises(na.RequestAuthError):
        auth.set_signing_key("pk_unknown", None)


def test_remove_project(auth: na.Authenticator, token: str) -> None:
    assert auth.remove_project(API_KEY) is True
    assert auth.remove_project(API_KEY) is False
    assert refused(auth, headers(token)).code == "api_key_invalid"


@pytest.mark.parametrize("cache_size", [0, 1, 10000])
def test_cache_rechecks_times_on_every_hit(key_pair: na.GeneratedKeyPair, cache_size: int) -> None:
    auth = na.Authenticator(cache_size=cache_size)
    auth.add_project(API_KEY, signing_public_key=key_pair.public_key_pem)
    token = na.sign_user_token("u", key_pair.private_key_pem, now=NOW, expires_in=60)
    early = na.sign_user_token("e", key_pair.private_key_pem, now=NOW + 120)  # iat beyond the 60 s skew at NOW
    for _ in range(3):
        assert auth.authenticate(headers(token), now=NOW).expires_at == NOW + 60
        assert refused(auth, headers(token), now=NOW + 60).code == "token_expired"
        assert refused(auth, headers(early), now=NOW).code == "token_issued_in_future"
        assert auth.authenticate(headers(early), now=NOW + 120).user_id == "e"
        assert refused(auth, headers(early), now=NOW).code == "token_issued_in_future"


def test_cors(auth: na.Authenticator) -> None:
    # Read from the request's own headers, as authenticate reads them.
    assert auth.cors_preflight_headers({"Origin": APP}) == {
        "Vary": "Origin",
        "Access-Control-Allow-Origin": APP,
        "Access-Control-Allow-Headers": "x-notiflows-api-key, x-notiflows-user-key, x-notiflows-user-id, content-type",
        "Access-Control-Allow-Methods": "GET, POST, PUT, PATCH, DELETE, OPTIONS",
        "Access-Control-Max-Age": "7200",
    }
    assert auth.cors_preflight_headers({"Origin": APP}, api_key=API_KEY)["Access-Control-Allow-Origin"] == APP
    assert auth.cors_preflight_headers({"origin": "https://evil.test"}, api_key=API_KEY) == {"Vary": "Origin"}
    assert auth.cors_preflight_headers({}) == {"Vary": "Origin"}
    request = {"x-notiflows-api-key": API_KEY, "Origin": APP}
    assert auth.cors_response_headers(request) == {"Vary": "Origin", "Access-Control-Allow-Origin": APP}
    assert auth.cors_response_headers({**request, "Origin": "https://evil.test"}) == {"Vary": "Origin"}
    # Unknown API key: the origin is echoed so the page can read the api_key_invalid error.
    unknown = {"x-notiflows-api-key": "pk_unknown", "Origin": "https://evil.test"}
    assert auth.cors_response_headers(unknown)["Access-Control-Allow-Origin"] == "https://evil.test"
    assert auth.cors_response_headers({"Origin": "not an origin"}) == {"Vary": "Origin"}
    # An Origin the core refuses (sent twice) is never echoed.
    assert auth.cors_response_headers([("Origin", APP), ("Origin", APP)]) == {"Vary": "Origin"}


def test_error_response_body(auth: na.Authenticator) -> None:
    e = refused(auth, headers(user_id="u"), origin="https://evil.test")
    assert e.status == 403
    assert e.to_dict() == {"code": "origin_not_allowed", "message": str(e)}


def test_no_old_token_succeeds_after_rotation_returns(auth: na.Authenticator, token: str) -> None:
    rotated = threading.Event()
    stop = threading.Event()
    violations: List[str] = []
    successes = [0]

    def hammer() -> None:
        while not stop.is_set():
            after = rotated.is_set()
            try:
                auth.authenticate(headers(token), now=NOW)
                successes[0] += 1
                if after:
                    violations.append("old token accepted after the rotation returned")
            except na.TokenError as e:
                if not after and e.code != "key_unknown":
                    violations.append(e.code)

    threads = [threading.Thread(target=hammer) for _ in range(3)]
    for t in threads:
        t.start()
    time.sleep(0.05)
    auth.rotate_signing_key(API_KEY)
    rotated.set()
    time.sleep(0.05)
    stop.set()
    for t in threads:
        t.join()
    assert successes[0] > 0
    assert violations == []
