"""Type stubs for the native module (Rust, PyO3). Import from ``notiflows_auth`` instead."""

from typing import Dict, Iterable, List, Literal, Mapping, Optional, Tuple, Union, final

__all__ = [
    "API_KEY_HEADER",
    "AuthenticatedUser",
    "Authenticator",
    "ERROR_CODES",
    "ERROR_STATUS",
    "GeneratedKeyPair",
    "SIGNING_KEY_ENV",
    "SigningKey",
    "USER_ID_HEADER",
    "USER_KEY_HEADER",
    "UserClaims",
    "Verifier",
    "__version__",
    "_error_table",
    "generate_signing_key",
    "jwk_set",
    "key_id",
    "parse_jwk_set",
    "sign_user_token",
]

__version__: str
#: Every error code of the core, in the order of their numeric codes.
ERROR_CODES: Tuple[str, ...]
#: The HTTP status for each code.
ERROR_STATUS: Dict[str, int]

def _error_table() -> List[Tuple[str, int, int, str, str]]:
    """The core's error table: ``(code, number, status, family, message)`` per code, in numeric order."""
#: The environment variable read when no signing key is given: "NOTIFLOWS_SIGNING_KEY".
SIGNING_KEY_ENV: str

#: The three request headers: "x-notiflows-api-key", "x-notiflows-user-key", "x-notiflows-user-id".
API_KEY_HEADER: str
USER_KEY_HEADER: str
USER_ID_HEADER: str

_KeyInput = Union[str, bytes]
_Text = Union[str, bytes]
_Headers = Union[Mapping[str, str], Mapping[_Text, _Text], Iterable[Tuple[_Text, _Text]]]
_Mode = Literal["secure", "development"]
_Provider = Literal["ring", "aws-lc-rs"]

@final
class GeneratedKeyPair:
    """A new key pair, as a dashboard shows it once. The repr hides the private forms."""

    @property
    def bits(self) -> int: ...
    @property
    def private_key_pem(self) -> str: ...
    @property
    def private_key_base64(self) -> str: ...
    @property
    def public_key_pem(self) -> str: ...
    def signing_key(self) -> SigningKey: ...

@final
class SigningKey:
    """An RSA private key, parsed once (PEM, DER or the base64 line, as str or bytes)."""

    def __new__(cls, key: _KeyInput) -> SigningKey: ...
    @staticmethod
    def from_env(name: str = "NOTIFLOWS_SIGNING_KEY") -> SigningKey: ...
    def sign_user_token(
        self,
        user_id: str,
        *,
        expires_in: Optional[int] = 3600,
        now: Optional[int] = None,
        kid: Optional[str] = ...,
    ) -> str: ...
    @property
    def public_key_pem(self) -> str: ...
    @property
    def modulus_bits(self) -> int: ...
    @property
    def kid(self) -> str: ...

@final
class UserClaims:
    """The claims of a verified user token. NumericDates are int, or float with a fraction."""

    @property
    def sub(self) -> str: ...
    @property
    def exp(self) -> Optional[Union[int, float]]: ...
    @property
    def nbf(self) -> Optional[Union[int, float]]: ...
    @property
    def iat(self) -> Optional[Union[int, float]]: ...
    def to_dict(self) -> Dict[str, Union[str, int, float, None]]: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class Verifier:
    """Verifies RS256 user tokens against one public key."""

    def __new__(
        cls,
        public_key: _KeyInput,
        *,
        leeway: int = 0,
        require_exp: bool = False,
        max_token_bytes: int = 8192,
        max_lifetime: Optional[int] = None,
        iat_skew: int = 60,
        cache_size: int = 0,
        provider: _Provider = "ring",
    ) -> Verifier: ...
    def verify(self, token: Union[str, bytes], *, now: Optional[int] = None) -> UserClaims: ...
    @property
    def public_key_pem(self) -> str: ...
    @property
    def leeway(self) -> int: ...
    @property
    def require_exp(self) -> bool: ...
    @property
    def max_token_bytes(self) -> int: ...
    @property
    def max_lifetime(self) -> Optional[int]: ...
    @property
    def iat_skew(self) -> int: ...
    @property
    def cache_size(self) -> int: ...
    @property
    def provider(self) -> _Provider: ...

@final
class AuthenticatedUser:
    """A request that passed authentication."""

    @property
    def api_key(self) -> str: ...
    @property
    def user_id(self) -> str: ...
    @property
    def mode(self) -> _Mode: ...
    @property
    def credential(self) -> Literal["user_key", "user_id"]: ...
    @property
    def expires_at(self) -> Optional[Union[int, float]]: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class Authenticator:
    """Projects by API key and the verified-token cache they share. Thread-safe."""

    def __new__(
        cls,
        *,
        leeway: int = 0,
        require_exp: bool = False,
        max_token_bytes: int = 8192,
        max_lifetime: Optional[int] = None,
        iat_skew: int = 60,
        cache_size: int = 10000,
        provider: _Provider = "ring",
    ) -> Authenticator: ...
    def add_project(
        self,
        api_key: str,
        *,
        security_mode: _Mode = "secure",
        signing_public_key: Optional[_KeyInput] = None,
        allowed_origins: Optional[Iterable[str]] = None,
        signing_key_kid: Optional[str] = None,
        retiring_keys: Optional[Iterable[Union[Tuple[_KeyInput, int], Tuple[_KeyInput, int, str]]]] = None,
        revoked_before: Optional[int] = None,
        user_revocations: Optional[Iterable[Tuple[str, int]]] = None,
        require_exp: Optional[bool] = None,
        max_lifetime: Optional[int] = None,
        leeway: Optional[int] = None,
        iat_skew: Optional[int] = None,
    ) -> None: ...
    def remove_project(self, api_key: str) -> bool: ...
    def set_signing_key(self, api_key: str, public_key: Optional[_KeyInput]) -> None: ...
    def rotate_signing_key(self, api_key: str, bits: int = 2048) -> GeneratedKeyPair: ...
    def set_signing_key_with_overlap(
        self, api_key: str, public_key: _KeyInput, *, overlap: int, now: Optional[int] = None
    ) -> None: ...
    def rotate_signing_key_with_overlap(
        self, api_key: str, *, overlap: int, bits: int = 2048, now: Optional[int] = None
    ) -> GeneratedKeyPair: ...
    def remove_signing_key(self, api_key: str, kid: str) -> bool: ...
    def revoke_tokens_issued_before(self, api_key: str, before: int) -> None: ...
    def revoke_user_tokens_issued_before(self, api_key: str, user_id: str, before: int) -> None: ...
    def prune_revocations(self, api_key: str, *, now: Optional[int] = None) -> int: ...
    def jwks(self, api_key: str) -> str: ...
    def jwks_at(self, api_key: str, *, now: Optional[int] = None) -> str: ...
    def project_json(self, api_key: str) -> str: ...
    def add_project_json(self, text: Union[str, bytes]) -> None: ...
    def set_security_mode(self, api_key: str, mode: _Mode) -> None: ...
    def set_allowed_origins(self, api_key: str, allowed_origins: Iterable[str]) -> None: ...
    def authenticate(self, headers: _Headers, *, now: Optional[int] = None) -> AuthenticatedUser: ...
    def cors_preflight_headers(self, headers: _Headers, *, api_key: Optional[str] = None) -> Dict[str, str]: ...
    def cors_response_headers(self, headers: _Headers) -> Dict[str, str]: ...
    @property
    def cache_size(self) -> int: ...
    @property
    def provider(self) -> _Provider: ...

def generate_signing_key(bits: int = 2048) -> GeneratedKeyPair: ...
def sign_user_token(
    user_id: str,
    signing_key: Union[str, bytes, SigningKey, None] = None,
    *,
    expires_in: Optional[int] = 3600,
    now: Optional[int] = None,
    kid: Optional[str] = ...,
) -> str: ...

def key_id(public_key: _KeyInput) -> str: ...
def jwk_set(keys: Iterable[Union[_KeyInput, Tuple[_KeyInput, str]]]) -> str: ...
def parse_jwk_set(text: Union[str, bytes]) -> List[Tuple[str, str]]: ...
