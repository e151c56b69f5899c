"""The exceptions of notiflows_auth.

Every failure is a ``NotiflowsAuthError`` with the core's stable string ``code`` (the same
in every binding), the HTTP ``status`` a server should answer with, and, for claim errors,
the ``claim`` concerned. Subclasses group the codes by family; each family's ``codes`` are
read from the core's error table when the package loads (nothing here lists a code), and the
native module picks the class from the code through ``_from_native``.
"""

from __future__ import annotations

from typing import ClassVar, Dict, FrozenSet, Optional, Type

from ._native import _error_table

__all__ = [
    "NotiflowsAuthError",
    "TokenError",
    "SigningKeyError",
    "RequestAuthError",
    "ConfigError",
]


class NotiflowsAuthError(Exception):
    """Root of every notiflows_auth error: ``code``, ``status``, ``message``, ``claim``."""

    #: The codes this class is raised for, from the core's table.
    codes: ClassVar[FrozenSet[str]] = frozenset()
    #: The family of the core's table this class stands for ("" for the root).
    family: ClassVar[str] = ""

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

    family: ClassVar[str] = "token"


class SigningKeyError(NotiflowsAuthError):
    """A key could not be loaded, is unsupported, or no signing key is configured."""

    family: ClassVar[str] = "signing_key"


class RequestAuthError(NotiflowsAuthError):
    """A request's Notiflows headers or Origin were refused."""

    family: ClassVar[str] = "request_auth"


class ConfigError(NotiflowsAuthError, ValueError):
    """A configuration value (policy limit, project, origin pattern) is malformed or out of range."""

    code = "config_invalid"
    family: ClassVar[str] = "config"


# Shown and pickled as notiflows_auth.X, where users import them from.
for _cls in (NotiflowsAuthError, TokenError, SigningKeyError, RequestAuthError, ConfigError):
    _cls.__module__ = "notiflows_auth"

_FAMILIES: tuple[Type[NotiflowsAuthError], ...] = (TokenError, SigningKeyError, RequestAuthError, ConfigError)
_CLASS_BY_FAMILY: Dict[str, Type[NotiflowsAuthError]] = {cls.family: cls for cls in _FAMILIES}
_CLASS_BY_CODE: Dict[str, Type[NotiflowsAuthError]] = {
    code: _CLASS_BY_FAMILY.get(family, NotiflowsAuthError) for code, _number, _status, family, _message in _error_table()
}
for _cls in _FAMILIES:
    _cls.codes = frozenset(code for code, cls in _CLASS_BY_CODE.items() if cls is _cls)


def _from_native(code: str, status: int, message: str, claim: Optional[str]) -> NotiflowsAuthError:
    """Called by the native module for every core error: the instance to raise."""
    return _CLASS_BY_CODE.get(code, NotiflowsAuthError)(code, status, message, claim)
