"""notiflows_auth: sign, verify and authenticate Notiflows user tokens (RS256).

A thin binding over the Rust core: every rule lives there. ``now=None`` means the system
clock; RSA work and key parsing release the GIL.
"""

from __future__ import annotations

from ._errors import ConfigError, NotiflowsAuthError, RequestAuthError, SigningKeyError, TokenError
from ._native import (
    API_KEY_HEADER,
    ERROR_CODES,
    ERROR_STATUS,
    SIGNING_KEY_ENV,
    USER_ID_HEADER,
    USER_KEY_HEADER,
    AuthenticatedUser,
    Authenticator,
    GeneratedKeyPair,
    SigningKey,
    UserClaims,
    Verifier,
    __version__,
    generate_signing_key,
    jwk_set,
    key_id,
    parse_jwk_set,
    sign_user_token,
)

__all__ = [
    "API_KEY_HEADER",
    "ERROR_CODES",
    "ERROR_STATUS",
    "SIGNING_KEY_ENV",
    "USER_ID_HEADER",
    "USER_KEY_HEADER",
    "AuthenticatedUser",
    "Authenticator",
    "ConfigError",
    "GeneratedKeyPair",
    "NotiflowsAuthError",
    "RequestAuthError",
    "SigningKey",
    "SigningKeyError",
    "TokenError",
    "UserClaims",
    "Verifier",
    "__version__",
    "generate_signing_key",
    "jwk_set",
    "key_id",
    "parse_jwk_set",
    "sign_user_token",
]
