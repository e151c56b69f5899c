//! Signing keys: generation, loading (from text or bytes, any format core detects), signing.

use crate::args::{non_negative, now_or_clock, text_or_bytes};
use crate::errors::AuthError;
use notiflows_auth::{self as core, Error, ErrorKind, Kid, SignOptions};
use pyo3::prelude::*;
use pyo3::types::PyString;

/// The environment variable `sign_user_token` reads when no key is given.
pub const SIGNING_KEY_ENV: &str = "NOTIFLOWS_SIGNING_KEY";

const EXPIRES_IN_RANGE: &str = "expires_in must be a non-negative whole number of seconds, or None for no exp";

/// A new key pair, as a dashboard shows it once. The repr hides both private forms.
#[pyclass(frozen, module = "notiflows_auth", name = "GeneratedKeyPair")]
pub struct GeneratedKeyPair {
    /// The modulus size asked for.
    #[pyo3(get)]
    bits: usize,
    /// PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`).
    #[pyo3(get)]
    private_key_pem: String,
    /// The whole private PEM, base64-encoded on one line: for environment variables.
    #[pyo3(get)]
    private_key_base64: String,
    /// SubjectPublicKeyInfo PEM (`-----BEGIN PUBLIC KEY-----`).
    #[pyo3(get)]
    public_key_pem: String,
}

#[pymethods]
impl GeneratedKeyPair {
    /// The private key, loaded for signing.
    fn signing_key(&self, py: Python<'_>) -> PyResult<SigningKey> {
        SigningKey::parse(py, self.private_key_pem.as_bytes())
    }

    fn __repr__(&self) -> String {
        format!("GeneratedKeyPair(bits={}, private_key_pem=<redacted>, private_key_base64=<redacted>)", self.bits)
    }
}

impl GeneratedKeyPair {
    /// Wraps the core's pair, generated with `bits` bits.
    pub fn from_core(bits: usize, pair: core::GeneratedKeyPair) -> Self {
        let core::GeneratedKeyPair { private_key_pem, private_key_base64, public_key_pem } = pair;
        GeneratedKeyPair { bits, private_key_pem, private_key_base64, public_key_pem }
    }
}

/// `generate_signing_key(bits=2048)`: a new RSA key pair (2048, 3072 or 4096 bits).
#[pyfunction]
#[pyo3(signature = (bits = 2048))]
pub fn generate_signing_key(py: Python<'_>, bits: usize) -> PyResult<GeneratedKeyPair> {
    let pair = py.detach(|| core::generate_signing_key(bits)).map_err(AuthError)?;
    Ok(GeneratedKeyPair::from_core(bits, pair))
}

/// An RSA private key, parsed once, that signs user tokens.
#[pyclass(frozen, module = "notiflows_auth", name = "SigningKey")]
pub struct SigningKey {
    key: core::SigningKey,
}

impl SigningKey {
    fn parse(py: Python<'_>, key: &[u8]) -> PyResult<SigningKey> {
        let key = py.detach(|| core::SigningKey::parse(key)).map_err(AuthError)?;
        Ok(SigningKey { key })
    }

    fn sign(
        &self,
        py: Python<'_>,
        user_id: &str,
        expires_in: Option<i64>,
        now: Option<i64>,
        kid: Option<&str>,
    ) -> PyResult<String> {
        let expires_in = expires_in.map(|secs| non_negative(secs, EXPIRES_IN_RANGE)).transpose()?;
        let now = now_or_clock(now)?;
        let options = SignOptions { now, expires_in, kid: kid.map_or(Kid::Key, Kid::Custom) };
        Ok(py.detach(|| self.key.sign_user_token(user_id, &options)).map_err(AuthError)?)
    }
}

#[pymethods]
impl SigningKey {
    /// `SigningKey(key)`: PKCS#8 or PKCS#1 PEM, DER, or the base64-encoded PEM line, as
    /// `str` or `bytes`; the format is detected.
    #[new]
    fn new(py: Python<'_>, key: &Bound<'_, PyAny>) -> PyResult<Self> {
        let bytes = text_or_bytes(key, "key")?;
        SigningKey::parse(py, &bytes)
    }

    /// `SigningKey.from_env(name="NOTIFLOWS_SIGNING_KEY")`: the key in an environment
    /// variable; `signing_key_not_configured` when it is unset or empty.
    #[staticmethod]
    #[pyo3(signature = (name = "NOTIFLOWS_SIGNING_KEY"))]
    fn from_env(py: Python<'_>, name: &str) -> PyResult<Self> {
        let value = env_key(py, name)?;
        SigningKey::parse(py, value.as_bytes())
    }

    /// Signs a user token for `user_id` (becomes `sub`): `iat` = `now` (the system clock
    /// when `None`), `exp` = `now + expires_in` (no `exp` when `expires_in` is `None`).
    #[pyo3(
        signature = (user_id, *, expires_in = Some(3600), now = None, kid = None),
        text_signature = "($self, user_id, *, expires_in=3600, now=None, kid=None)"
    )]
    fn sign_user_token(
        &self,
        py: Python<'_>,
        user_id: &str,
        expires_in: Option<i64>,
        now: Option<i64>,
        kid: Option<&str>,
    ) -> PyResult<String> {
        self.sign(py, user_id, expires_in, now, kid)
    }

    /// The matching public key as SubjectPublicKeyInfo PEM.
    #[getter]
    fn public_key_pem(&self) -> String {
        self.key.public_key().to_spki_pem()
    }

    /// The modulus size in bits.
    #[getter]
    fn modulus_bits(&self) -> usize {
        self.key.public_key().modulus_bits()
    }

    fn __repr__(&self) -> String {
        format!("SigningKey(modulus_bits={})", self.modulus_bits())
    }
}

/// `sign_user_token(user_id, signing_key=None, *, expires_in=3600, now=None, kid=None)`:
/// signs with `signing_key` (a `SigningKey`, or key text or bytes in any format), or with
/// the key in `NOTIFLOWS_SIGNING_KEY` when it is `None`.
#[pyfunction]
#[pyo3(
    signature = (user_id, signing_key = None, *, expires_in = Some(3600), now = None, kid = None),
    text_signature = "(user_id, signing_key=None, *, expires_in=3600, now=None, kid=None)"
)]
pub fn sign_user_token(
    py: Python<'_>,
    user_id: &str,
    signing_key: Option<&Bound<'_, PyAny>>,
    expires_in: Option<i64>,
    now: Option<i64>,
    kid: Option<&str>,
) -> PyResult<String> {
    match signing_key {
        Some(key) if !key.is_none() => match key.cast::<SigningKey>() {
            Ok(key) => key.get().sign(py, user_id, expires_in, now, kid),
            Err(_) => {
                SigningKey::parse(py, &text_or_bytes(key, "signing_key")?)?.sign(py, user_id, expires_in, now, kid)
            }
        },
        _ => SigningKey::parse(py, env_key(py, SIGNING_KEY_ENV)?.as_bytes())?.sign(py, user_id, expires_in, now, kid),
    }
}

/// The key text in the environment variable `name`, read through `os.environ` (so that
/// changes made from Python are seen); `signing_key_not_configured` when unset or empty.
fn env_key(py: Python<'_>, name: &str) -> PyResult<String> {
    let environ = py.import("os")?.getattr("environ")?;
    let value = environ.call_method1("get", (name,))?;
    match value.cast::<PyString>() {
        Ok(text) if !text.to_cow()?.trim().is_empty() => Ok(text.to_cow()?.into_owned()),
        _ => Err(AuthError(
            Error::new(ErrorKind::SigningKeyNotConfigured)
                .with_detail("no key was passed and the environment variable holding it is unset or empty: pass the private key, or set NOTIFLOWS_SIGNING_KEY (or the variable named) to it"),
        )
        .into()),
    }
}
