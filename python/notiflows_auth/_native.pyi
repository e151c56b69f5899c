"""Type stubs for the native module (Rust, PyO3). Import from ``notiflows_auth`` instead."""

from typing import Dict, Optional, Tuple, Union, final

__version__: str
#: Every error code of the core, in the order of their numeric codes.
ERROR_CODES: Tuple[str, ...]
#: The HTTP status for each code.
ERROR_STATUS: Dict[str, int]
#: The environment variable read when no signing key is given: "NOTIFLOWS_SIGNING_KEY".
SIGNING_KEY_ENV: str

_KeyInput = Union[str, bytes]

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
        kid: Optional[str] = None,
    ) -> str: ...
    @property
    def public_key_pem(self) -> str: ...
    @property
    def modulus_bits(self) -> int: ...

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
    def __eq__(self, other: object) -> bool: ...
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

def generate_signing_key(bits: int = 2048) -> GeneratedKeyPair: ...
def sign_user_token(
    user_id: str,
    signing_key: Union[str, bytes, SigningKey, None] = None,
    *,
    expires_in: Optional[int] = 3600,
    now: Optional[int] = None,
    kid: Optional[str] = None,
) -> str: ...
