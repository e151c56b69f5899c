//! Request authentication: the core's `Authenticator`, bound.

use crate::args::{now_or_clock, text_or_bytes};
use crate::errors::AuthError;
use crate::keys::GeneratedKeyPair;
use crate::verify::{cache_size, policy, policy_repr, show, Date};
use notiflows_auth::{self as core, AuthenticatorOptions, Credential, Policy, ProjectConfig, SecurityMode};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};

/// A request that passed authentication.
#[pyclass(frozen, eq, hash, module = "notiflows_auth", name = "AuthenticatedUser")]
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct AuthenticatedUser {
    /// The project's API key.
    #[pyo3(get)]
    api_key: String,
    /// The user's external id: the token's `sub`, or the Development Mode user id.
    #[pyo3(get)]
    user_id: String,
    /// `"secure"` or `"development"`: the project's mode when the request was authenticated.
    #[pyo3(get)]
    mode: &'static str,
    /// `"user_key"` (a verified user token) or `"user_id"` (the unsigned Development Mode header).
    #[pyo3(get)]
    credential: &'static str,
    /// The token's `exp`, when a user token with one was used.
    #[pyo3(get)]
    expires_at: Option<Date>,
}

impl From<core::AuthenticatedUser> for AuthenticatedUser {
    fn from(user: core::AuthenticatedUser) -> Self {
        AuthenticatedUser {
            api_key: user.api_key.as_ref().to_owned(),
            user_id: user.user_id.as_str().to_owned(),
            mode: user.mode.as_str(),
            credential: match user.credential {
                Credential::UserKey => "user_key",
                Credential::UserId => "user_id",
            },
            expires_at: user.expires_at.map(Date),
        }
    }
}

#[pymethods]
impl AuthenticatedUser {
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let text = |s: &str| -> PyResult<String> { Ok(PyString::new(py, s).repr()?.to_cow()?.into_owned()) };
        Ok(format!(
            "AuthenticatedUser(api_key={}, user_id={}, mode={}, credential={}, expires_at={})",
            text(&self.api_key)?,
            text(&self.user_id)?,
            text(self.mode)?,
            text(self.credential)?,
            show(self.expires_at)
        ))
    }
}

/// Projects by API key, and the verified-token cache they share: what an API server runs
/// on every User API request. Safe to share between threads; configuration changes are
/// atomic and take effect for every authentication that starts after they return.
#[pyclass(frozen, module = "notiflows_auth", name = "Authenticator")]
pub struct Authenticator {
    inner: core::Authenticator,
    policy: Policy,
    cache_size: usize,
}

fn security_mode(mode: &str) -> Result<SecurityMode, AuthError> {
    Ok(mode.parse::<SecurityMode>()?)
}

fn public_key(py: Python<'_>, key: Option<&Bound<'_, PyAny>>) -> PyResult<Option<core::PublicKey>> {
    match key {
        Some(key) if !key.is_none() => {
            let bytes = text_or_bytes(key, "signing_public_key")?;
            Ok(Some(py.detach(|| core::PublicKey::parse(&bytes)).map_err(AuthError)?))
        }
        _ => Ok(None),
    }
}

/// A list of origins from any iterable of `str` (a lone `str` is refused: iterating it
/// would give characters).
fn origins(origins: &Bound<'_, PyAny>) -> PyResult<Vec<String>> {
    if origins.is_instance_of::<PyString>() {
        return Err(PyTypeError::new_err("allowed_origins must be an iterable of str, not a str"));
    }
    origins.try_iter()?.map(|origin| origin?.extract::<String>()).collect()
}

/// The request's headers as owned `(name, value)` byte pairs, from a mapping (its
/// `items()`, which for Werkzeug and Starlette headers lists repeated headers too) or an
/// iterable of pairs. `str` is taken as UTF-8, `bytes` as is.
fn header_pairs(headers: &Bound<'_, PyAny>) -> PyResult<Vec<(Vec<u8>, Vec<u8>)>> {
    let items = if headers.hasattr("items")? { headers.call_method0("items")? } else { headers.clone() };
    let mut pairs = Vec::new();
    for item in items.try_iter()? {
        let (name, value): (Bound<'_, PyAny>, Bound<'_, PyAny>) = item?
            .extract()
            .map_err(|_| PyTypeError::new_err("headers must be a mapping or an iterable of (name, value) pairs"))?;
        pairs.push((
            text_or_bytes(&name, "a header name")?.into_owned(),
            text_or_bytes(&value, "a header value")?.into_owned(),
        ));
    }
    Ok(pairs)
}

fn cors_dict<'py>(py: Python<'py>, headers: core::CorsHeaders<'_>) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    for (name, value) in headers.iter() {
        dict.set_item(name, value)?;
    }
    Ok(dict)
}

#[pymethods]
impl Authenticator {
    /// `Authenticator(*, leeway=0, require_exp=False, max_token_bytes=8192,
    /// max_lifetime=None, iat_skew=60, cache_size=10000, provider="ring")`: the token rules
    /// for every project, the verified-token cache size (0 disables it) and the library that
    /// verifies signatures (`"ring"` or `"aws-lc-rs"`).
    #[new]
    #[pyo3(signature = (
        *, leeway = 0, require_exp = false, max_token_bytes = 8192, max_lifetime = None, iat_skew = 60,
        cache_size = 10000, provider = "ring",
    ))]
    fn new(
        leeway: i64,
        require_exp: bool,
        max_token_bytes: i64,
        max_lifetime: Option<i64>,
        iat_skew: i64,
        cache_size: i64,
        provider: &str,
    ) -> PyResult<Self> {
        let policy = policy(leeway, require_exp, max_token_bytes, max_lifetime, iat_skew, provider)?;
        let cache_size = self::cache_size(cache_size)?;
        let inner =
            core::Authenticator::new(AuthenticatorOptions { policy, cache_capacity: cache_size }).map_err(AuthError)?;
        Ok(Authenticator { inner, policy, cache_size })
    }

    /// Adds a project, or replaces the one with the same API key. `security_mode` is
    /// `"secure"` or `"development"`; `signing_public_key` any public key form (or `None`
    /// until one is generated); `allowed_origins` an iterable of origins (empty: any).
    #[pyo3(signature = (api_key, *, security_mode = "secure", signing_public_key = None, allowed_origins = None))]
    fn add_project(
        &self,
        py: Python<'_>,
        api_key: String,
        security_mode: &str,
        signing_public_key: Option<&Bound<'_, PyAny>>,
        allowed_origins: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let config = ProjectConfig {
            api_key,
            security_mode: self::security_mode(security_mode)?,
            signing_public_key: public_key(py, signing_public_key)?,
            allowed_origins: allowed_origins.map(origins).transpose()?.unwrap_or_default(),
            ..ProjectConfig::default()
        };
        Ok(py.detach(|| self.inner.add_project(config)).map_err(AuthError)?)
    }

    /// Removes a project; returns whether it existed.
    fn remove_project(&self, py: Python<'_>, api_key: &str) -> bool {
        py.detach(|| self.inner.remove_project(api_key))
    }

    /// Sets (or with `None` removes) a project's signing public key. Tokens signed with the
    /// previous key fail from the moment this returns.
    fn set_signing_key(&self, py: Python<'_>, api_key: &str, public_key: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
        let key = self::public_key(py, public_key)?;
        Ok(py.detach(|| self.inner.set_signing_key(api_key, key)).map_err(AuthError)?)
    }

    /// Generates a new key pair for the project and makes its public key the project's
    /// signing key. Returns the pair: the private key is for the customer's backend.
    #[pyo3(signature = (api_key, bits = 2048))]
    fn rotate_signing_key(&self, py: Python<'_>, api_key: &str, bits: usize) -> PyResult<GeneratedKeyPair> {
        let pair = py.detach(|| self.inner.rotate_signing_key(api_key, bits)).map_err(AuthError)?;
        Ok(GeneratedKeyPair::from_core(bits, pair))
    }

    /// Switches a project between `"secure"` and `"development"`.
    fn set_security_mode(&self, py: Python<'_>, api_key: &str, mode: &str) -> PyResult<()> {
        let mode = security_mode(mode)?;
        Ok(py.detach(|| self.inner.set_security_mode(api_key, mode)).map_err(AuthError)?)
    }

    /// Replaces a project's allowed origins (nothing changes if one is malformed).
    fn set_allowed_origins(&self, py: Python<'_>, api_key: &str, allowed_origins: &Bound<'_, PyAny>) -> PyResult<()> {
        let list = origins(allowed_origins)?;
        Ok(py.detach(|| self.inner.set_allowed_origins(api_key, &list)).map_err(AuthError)?)
    }

    /// Authenticates one request from its headers (a mapping such as Flask's or Starlette's
    /// `request.headers`, or an iterable of `(name, value)` pairs; names case-insensitive),
    /// passed as they came, `Origin` among them: the core reads it by the rule of the
    /// Notiflows headers (given twice: refused; a request without one is not
    /// origin-checked). `now` defaults to the clock.
    #[pyo3(signature = (headers, *, now = None))]
    fn authenticate(
        &self,
        py: Python<'_>,
        headers: &Bound<'_, PyAny>,
        now: Option<i64>,
    ) -> PyResult<AuthenticatedUser> {
        let pairs = header_pairs(headers)?;
        let now = now_or_clock(now)?;
        // As Verifier.verify: only a signature to verify (RSA work) releases the GIL.
        let user = match self.inner.authenticate_cached(&pairs, now) {
            Some(answer) => answer,
            None => py.detach(|| self.inner.authenticate(&pairs, now)),
        }
        .map_err(AuthError)?;
        Ok(user.into())
    }

    /// The CORS headers to answer a preflight (`OPTIONS`, status 204) with, as a dict, from
    /// the request's headers (`Origin`). Pass `api_key` only if the server knows it otherwise
    /// (preflights carry no Notiflows headers).
    #[pyo3(signature = (headers, *, api_key = None))]
    fn cors_preflight_headers<'py>(
        &self,
        py: Python<'py>,
        headers: &Bound<'_, PyAny>,
        api_key: Option<&str>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let pairs = header_pairs(headers)?;
        cors_dict(py, self.inner.cors_preflight(&pairs, api_key))
    }

    /// The CORS headers to add to the actual response (success or error), as a dict, from
    /// the request's headers (`Origin` and `x-notiflows-api-key`).
    fn cors_response_headers<'py>(&self, py: Python<'py>, headers: &Bound<'_, PyAny>) -> PyResult<Bound<'py, PyDict>> {
        let pairs = header_pairs(headers)?;
        cors_dict(py, self.inner.cors_response(&pairs))
    }

    #[getter]
    fn cache_size(&self) -> usize {
        self.cache_size
    }

    /// The library that verifies signatures: `"ring"` or `"aws-lc-rs"`.
    #[getter]
    fn provider(&self) -> &'static str {
        self.inner.provider().name()
    }

    fn __repr__(&self) -> String {
        format!("Authenticator({}, cache_size={})", policy_repr(&self.policy), self.cache_size)
    }
}
