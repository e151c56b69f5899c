"""The exceptions of notiflows_auth.

Every failure is a ``NotiflowsAuthError`` with the core's stable string ``code`` (the same
in every binding), the HTTP ``status`` a server should answer with, and, for claim errors,
the ``claim`` concerned. Subclasses group the codes by family; each family lists its codes
in ``codes``, and the native module picks the class from the code through ``_from_native``.
"""

from __future__ import annotations

from typing import ClassVar, Dict, FrozenSet, Optional, Type

__all__ = [
    "NotiflowsAuthError",
    "TokenError",
    "SigningKeyError",
    "RequestAuthError",
    "ConfigError",
]


class NotiflowsAuthError(Exception):
    """Root of every notiflows_auth error: ``code``, ``status``, ``message``, ``claim``."""

    #: The codes this class (and its subclasses) are raised for.
    codes: ClassVar[FrozenSet[str]] = frozenset()

    code: str
    status: int
    message: str
    claim: Optional[str]

    def __init__(self, code: str, status: int, message: str, claim: Optional[str] = None) -> None:
        super().__init__(message)
        self.code = code
        self.status = status
        self.message = message
        self.claim = claim

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, status={self.status}, message={self.message!r})"

    def __reduce__(self) -> tuple[type[NotiflowsAuthError], tuple[str, int, str, Optional[str]]]:
        return (type(self), (self.code, self.status, self.message, self.claim))

    def to_dict(self) -> Dict[str, str]:
        """The JSON body a server can send as is: ``{"code": ..., "message": ...}``."""
        return {"code": self.code, "message": self.message}


class TokenError(NotiflowsAuthError):
    """The user token was refused (malformed, wrong algorithm, bad signature, claims, times)."""

    codes = frozenset(
        {
            "token_malformed",
            "token_base64",
            "token_json",
            "token_duplicate_member",
            "token_too_large",
            "alg_not_allowed",
            "crit_unsupported",
            "signature_invalid",
            "claim_missing",
            "claim_invalid",
            "token_expired",
            "token_not_yet_valid",
            "token_issued_in_future",
        }
    )


class SigningKeyError(NotiflowsAuthError):
    """A key could not be loaded, is unsupported, or no signing key is configured."""

    codes = frozenset({"key_invalid", "key_unsupported", "signing_key_not_configured"})


class RequestAuthError(NotiflowsAuthError):
    """A request's Notiflows headers or Origin were refused."""

    codes = frozenset(
        {
            "api_key_missing",
            "api_key_invalid",
            "user_key_missing",
            "user_id_missing",
            "user_id_invalid",
            "origin_not_allowed",
        }
    )


class ConfigError(NotiflowsAuthError, ValueError):
    """A configuration value (policy limit, project, origin pattern) is malformed or out of range."""

    code = "config_invalid"
    codes = frozenset({"config_invalid"})


# Shown and pickled as notiflows_auth.X, where users import them from.
for _cls in (NotiflowsAuthError, TokenError, SigningKeyError, RequestAuthError, ConfigError):
    _cls.__module__ = "notiflows_auth"

# Read by path (without the native module) by ffi/src/tests/codes.rs, the cross-language
# check that every binding knows the core's codes: keep `_FAMILIES` and each `codes`.
_FAMILIES: tuple[Type[NotiflowsAuthError], ...] = (TokenError, SigningKeyError, RequestAuthError, ConfigError)
_CLASS_BY_CODE: Dict[str, Type[NotiflowsAuthError]] = {code: cls for cls in _FAMILIES for code in cls.codes}


def _from_native(code: str, status: int, message: str, claim: Optional[str]) -> NotiflowsAuthError:
    """Called by the native module for every core error: the instance to raise."""
    return _CLASS_BY_CODE.get(code, NotiflowsAuthError)(code, status, message, claim)
