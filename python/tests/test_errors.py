"""The error taxonomy: Python's set of codes is the core's, and every family maps right."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

import notiflows_auth as na

README = Path(__file__).resolve().parents[2] / "README.md"


def _documented_codes() -> list[str]:
    """The codes of README's error table, in order (a row may name several: `a` / `b`)."""
    section = README.read_text(encoding="utf-8").split("## Errors", 1)[1]
    table = next(p for p in section.split("\n\n") if p.startswith("| code"))
    codes: list[str] = []
    for row in table.splitlines()[2:]:
        codes += [c.strip().strip("`") for c in row.split("|")[1].split("/")]
    return codes


# From the documentation, not the module: a code added to or removed from the core must be
# documented too.
EXPECTED_CODES = _documented_codes()

FAMILIES = [na.TokenError, na.SigningKeyError, na.RequestAuthError, na.ConfigError]


def test_codes_are_the_cores() -> None:
    assert list(na.ERROR_CODES) == EXPECTED_CODES
    assert isinstance(na.ERROR_CODES, tuple)


def test_exception_classes_know_exactly_the_cores_codes() -> None:
    known = [code for family in FAMILIES for code in family.codes]
    assert len(known) == len(set(known)), "a code belongs to one family"
    assert set(known) == set(na.ERROR_CODES)


def test_codes_statuses_and_families_are_the_cores_table() -> None:
    from notiflows_auth._native import _error_table

    table = _error_table()
    assert [row[0] for row in table] == list(na.ERROR_CODES)
    assert [row[1] for row in table] == list(range(1, len(table) + 1))
    assert {row[0]: row[2] for row in table} == na.ERROR_STATUS
    for code, _number, _status, family, message in table:
        (cls,) = [f for f in FAMILIES if code in f.codes]
        assert cls.family == family and message
    assert {f.family for f in FAMILIES} == {row[3] for row in table}


def test_statuses() -> None:
    assert set(na.ERROR_STATUS) == set(EXPECTED_CODES)
    assert na.ERROR_STATUS["origin_not_allowed"] == 403
    assert {code for code, status in na.ERROR_STATUS.items() if status == 500} == {
        "key_invalid",
        "key_unsupported",
        "config_invalid",
    }
    assert {na.ERROR_STATUS[c] for c in EXPECTED_CODES if c.startswith("token_")} == {401}


def test_hierarchy() -> None:
    for family in FAMILIES:
        assert issubclass(family, na.NotiflowsAuthError)
        assert issubclass(family, Exception)
        assert family.__module__ == "notiflows_auth"
    assert issubclass(na.ConfigError, ValueError)
    assert na.ConfigError.code == "config_invalid"


def test_native_errors_pick_the_family_by_code(shared_public_pem: str) -> None:
    from notiflows_auth._errors import _from_native

    for code in EXPECTED_CODES:
        error = _from_native(code, na.ERROR_STATUS[code], "message", None)
        (family,) = [f for f in FAMILIES if code in f.codes]
        assert type(error) is family and error.code == code
    unknown = _from_native("from_the_future", 500, "m", None)
    assert type(unknown) is na.NotiflowsAuthError


def test_raised_error_attributes(shared_verifier: na.Verifier) -> None:
    with pytest.raises(na.NotiflowsAuthError) as info:
        shared_verifier.verify("nope", now=0)
    e = info.value
    assert isinstance(e, na.TokenError)
    assert (e.code, e.status, e.claim) == ("token_malformed", 401, None)
    assert str(e) == e.message and e.message.startswith("the user token is not a compact JWT")
    assert e.args == (e.message,)
    assert repr(e) == f"TokenError(code='token_malformed', status=401, message={e.message!r})"
    assert e.to_dict() == {"code": "token_malformed", "message": e.message}


def test_errors_pickle(shared_verifier: na.Verifier) -> None:
    with pytest.raises(na.TokenError) as info:
        shared_verifier.verify("a.b.c", now=0)
    copy = pickle.loads(pickle.dumps(info.value))
    assert type(copy) is na.TokenError
    assert (copy.code, copy.status, copy.message, copy.claim) == (
        info.value.code,
        info.value.status,
        info.value.message,
        info.value.claim,
    )


def test_public_names() -> None:
    for name in na.__all__:
        assert hasattr(na, name), name
    assert na.__version__ == "0.1.0"
