//! Signing keys: generation, loading (from text or bytes, any format core detects), signing.

use crate::args::{non_negative, now_or_clock, text_or_bytes};
use crate::errors::AuthError;
use notiflows_auth::{self as core, Error, ErrorKind, Kid, SignOptions};
use pyo3::exceptions::PyTypeError;
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
/// The `kid` argument of signing: left out, the key's own kid (`Kid::Key`); `None`, no kid
/// (`Kid::Omit`); a `str`, that kid (checked by the core).
pub enum KidArg {
    Key,
    Omit,
    Custom(String),
}

impl<'py> FromPyObject<'_, 'py> for KidArg {
    type Error = PyErr;

    fn extract(obj: Borrowed<'_, 'py, PyAny>) -> PyResult<Self> {
        if obj.is_none() {
            return Ok(KidArg::Omit);
        }
        Ok(KidArg::Custom(obj.extract::<String>().map_err(|_| PyTypeError::new_err("kid must be str or None"))?))
    }
}

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
        kid: KidArg,
    ) -> PyResult<String> {
        let expires_in = expires_in.map(|secs| non_negative(secs, EXPIRES_IN_RANGE)).transpose()?;
        let now = now_or_clock(now)?;
        let kid = match &kid {
            KidArg::Key => Kid::Key,
            KidArg::Omit => Kid::Omit,
            KidArg::Custom(kid) => Kid::Custom(kid),
        };
        let options = SignOptions { now, expires_in, kid };
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
        signature = (user_id, *, expires_in = Some(3600), now = None, kid = KidArg::Key),
        text_signature = "($self, user_id, *, expires_in=3600, now=None, kid=...)"
    )]
    fn sign_user_token(
        &self,
        py: Python<'_>,
        user_id: &str,
        expires_in: Option<i64>,
        now: Option<i64>,
        kid: KidArg,
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

    /// The kid signed tokens carry by default: the RFC 7638 thumbprint of the public key.
    #[getter]
    fn kid(&self) -> String {
        self.key.kid().to_owned()
    }

    fn __repr__(&self) -> String {
        format!("SigningKey(modulus_bits={})", self.modulus_bits())
    }
}

/// `sign_user_token(user_id, signing_key=None, *, expires_in=3600, now=None, kid=...)`
/// (kid: left out, the key's own kid; `None`, none; a `str`, that kid):
/// signs with `signing_key` (a `SigningKey`, or key text or bytes in any format), or with
/// the key in `NOTIFLOWS_SIGNING_KEY` when it is `None`.
#[pyfunction]
#[pyo3(
    signature = (user_id, signing_key = None, *, expires_in = Some(3600), now = None, kid = KidArg::Key),
    text_signature = "(user_id, signing_key=None, *, expires_in=3600, now=None, kid=...)"
)]
pub fn sign_user_token(
    py: Python<'_>,
    user_id: &str,
    signing_key: Option<&Bound<'_, PyAny>>,
    expires_in: Option<i64>,
    now: Option<i64>,
    kid: KidArg,
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

/// A public key from any of its forms (`str` or `bytes`), with `kid` when given.
pub fn public_key_with_kid(
    py: Python<'_>,
    key: &Bound<'_, PyAny>,
    kid: Option<&str>,
    what: &str,
) -> PyResult<core::PublicKey> {
    let bytes = text_or_bytes(key, what)?;
    let key = py.detach(|| core::PublicKey::parse(&bytes)).map_err(AuthError)?;
    Ok(match kid {
        Some(kid) => key.with_kid(kid).map_err(AuthError)?,
        None => key,
    })
}

/// `key_id(public_key)`: a public key's kid, its RFC 7638 thumbprint (what tokens signed
/// with its private key carry by default).
#[pyfunction]
pub fn key_id(py: Python<'_>, public_key: &Bound<'_, PyAny>) -> PyResult<String> {
    Ok(public_key_with_kid(py, public_key, None, "public_key")?.kid().to_owned())
}

/// `jwk_set(keys)`: an RFC 7517 JWK Set (JSON text) of public keys, in the order given;
/// each is a key in any form, or a `(key, kid)` pair to name it.
#[pyfunction]
pub fn jwk_set(py: Python<'_>, keys: &Bound<'_, PyAny>) -> PyResult<String> {
    let mut list = Vec::new();
    for item in keys.try_iter()? {
        let item = item?;
        list.push(match item.extract::<(Bound<'_, PyAny>, String)>() {
            Ok((key, kid)) => public_key_with_kid(py, &key, Some(&kid), "a key")?,
            Err(_) => public_key_with_kid(py, &item, None, "a key")?,
        });
    }
    Ok(core::jwk_set(&list))
}

/// `parse_jwk_set(text)`: the keys of a JWK Set (`str` or `bytes`; at most 8 RSA keys, read
/// strictly by the core) as `(kid, public_key_pem)` pairs.
#[pyfunction]
pub fn parse_jwk_set(text: &Bound<'_, PyAny>) -> PyResult<Vec<(String, String)>> {
    let bytes = text_or_bytes(text, "jwk_set")?;
    let keys = core::parse_jwk_set(&bytes).map_err(AuthError)?;
    Ok(keys.iter().map(|k| (k.kid().to_owned(), k.to_spki_pem())).collect())
}
