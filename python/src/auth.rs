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
    /// until one is generated), named `signing_key_kid` when given; `allowed_origins` an
    /// iterable of origins (empty: any). Key sets: `retiring_keys`, `(key, until)` or
    /// `(key, until, kid)` entries verifying while `now < until`; `revoked_before` and
    /// `user_revocations` (`(user_id, revoked_before)` pairs) refuse tokens issued earlier;
    /// `require_exp`, `max_lifetime`, `leeway`, `iat_skew` override the authenticator's rules.
    #[pyo3(signature = (
        api_key, *, security_mode = "secure", signing_public_key = None, allowed_origins = None,
        signing_key_kid = None, retiring_keys = None, revoked_before = None, user_revocations = None,
        require_exp = None, max_lifetime = None, leeway = None, iat_skew = None,
    ))]
    #[allow(clippy::too_many_arguments)]
    fn add_project(
        &self,
        py: Python<'_>,
        api_key: String,
        security_mode: &str,
        signing_public_key: Option<&Bound<'_, PyAny>>,
        allowed_origins: Option<&Bound<'_, PyAny>>,
        signing_key_kid: Option<&str>,
        retiring_keys: Option<&Bound<'_, PyAny>>,
        revoked_before: Option<i64>,
        user_revocations: Option<&Bound<'_, PyAny>>,
        require_exp: Option<bool>,
        max_lifetime: Option<u64>,
        leeway: Option<u64>,
        iat_skew: Option<u64>,
    ) -> PyResult<()> {
        let signing_public_key = match public_key(py, signing_public_key)? {
            Some(key) => Some(match signing_key_kid {
                Some(kid) => key.with_kid(kid).map_err(AuthError)?,
                None => key,
            }),
            None => None,
        };
        let mut retiring = Vec::new();
        for entry in retiring_keys.map(|r| r.try_iter()).transpose()?.into_iter().flatten() {
            let entry = entry?;
            let (key, until, kid) = match entry.extract::<(Bound<'_, PyAny>, i64, String)>() {
                Ok((key, until, kid)) => (key, until, Some(kid)),
                Err(_) => {
                    let (key, until) = entry.extract::<(Bound<'_, PyAny>, i64)>().map_err(|_| {
                        PyTypeError::new_err("retiring_keys entries are (key, until) or (key, until, kid)")
                    })?;
                    (key, until, None)
                }
            };
            let key = crate::keys::public_key_with_kid(py, &key, kid.as_deref(), "a retiring key")?;
            retiring.push(core::RetiringKey { key, until });
        }
        let mut users = Vec::new();
        for entry in user_revocations.map(|r| r.try_iter()).transpose()?.into_iter().flatten() {
            let (user_id, revoked_before) = entry?
                .extract::<(String, i64)>()
                .map_err(|_| PyTypeError::new_err("user_revocations entries are (user_id, revoked_before)"))?;
            users.push(core::UserRevocation { user_id, revoked_before });
        }
        let config = ProjectConfig {
            api_key,
            security_mode: self::security_mode(security_mode)?,
            signing_public_key,
            allowed_origins: allowed_origins.map(origins).transpose()?.unwrap_or_default(),
            retiring_keys: retiring,
            revoked_before,
            user_revocations: users,
            lifetime: core::LifetimeOverrides {
                require_exp,
                max_lifetime_seconds: max_lifetime,
                leeway_seconds: leeway,
                iat_skew_seconds: iat_skew,
            },
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

    /// Makes `public_key` the active key; the previous one keeps verifying until
    /// `now + overlap` (seconds, 1 to 604800) instead of being removed at once.
    #[pyo3(signature = (api_key, public_key, *, overlap, now = None))]
    fn set_signing_key_with_overlap(
        &self,
        py: Python<'_>,
        api_key: &str,
        public_key: &Bound<'_, PyAny>,
        overlap: u64,
        now: Option<i64>,
    ) -> PyResult<()> {
        let key = crate::keys::public_key_with_kid(py, public_key, None, "public_key")?;
        let now = now_or_clock(now)?;
        Ok(py.detach(|| self.inner.set_signing_key_with_overlap(api_key, key, now, overlap)).map_err(AuthError)?)
    }

    /// `rotate_signing_key`, keeping the previous key verifying until `now + overlap`.
    #[pyo3(signature = (api_key, *, overlap, bits = 2048, now = None))]
    fn rotate_signing_key_with_overlap(
        &self,
        py: Python<'_>,
        api_key: &str,
        overlap: u64,
        bits: usize,
        now: Option<i64>,
    ) -> PyResult<GeneratedKeyPair> {
        let now = now_or_clock(now)?;
        let pair =
            py.detach(|| self.inner.rotate_signing_key_with_overlap(api_key, bits, now, overlap)).map_err(AuthError)?;
        Ok(GeneratedKeyPair::from_core(bits, pair))
    }

    /// Removes a project's key (active or retiring) by kid; returns whether it was there.
    fn remove_signing_key(&self, py: Python<'_>, api_key: &str, kid: &str) -> PyResult<bool> {
        Ok(py.detach(|| self.inner.remove_signing_key(api_key, kid)).map_err(AuthError)?)
    }

    /// Refuses the project's tokens issued before `before` (Unix seconds; cut-offs only move
    /// forward).
    fn revoke_tokens_issued_before(&self, py: Python<'_>, api_key: &str, before: i64) -> PyResult<()> {
        Ok(py.detach(|| self.inner.revoke_tokens_issued_before(api_key, before)).map_err(AuthError)?)
    }

    /// Refuses one user's tokens issued before `before` (the user logged out everywhere).
    fn revoke_user_tokens_issued_before(
        &self,
        py: Python<'_>,
        api_key: &str,
        user_id: &str,
        before: i64,
    ) -> PyResult<()> {
        Ok(py.detach(|| self.inner.revoke_user_tokens_issued_before(api_key, user_id, before)).map_err(AuthError)?)
    }

    /// Drops the revocations that can no longer matter at `now`; returns how many.
    #[pyo3(signature = (api_key, *, now = None))]
    fn prune_revocations(&self, py: Python<'_>, api_key: &str, now: Option<i64>) -> PyResult<usize> {
        let now = now_or_clock(now)?;
        Ok(py.detach(|| self.inner.prune_revocations(api_key, now)).map_err(AuthError)?)
    }

    /// The project's public keys as an RFC 7517 JWK Set (JSON text), the active key first.
    fn jwks(&self, api_key: &str) -> PyResult<String> {
        Ok(self.inner.jwks(api_key).map_err(AuthError)?)
    }

    /// The JWK Set of the keys that verify at `now` (the active key, and retiring keys before
    /// their deadline): what to serve a gateway, so that it refuses what this refuses.
    #[pyo3(signature = (api_key, *, now = None))]
    fn jwks_at(&self, api_key: &str, now: Option<i64>) -> PyResult<String> {
        Ok(self.inner.jwks_at(api_key, now_or_clock(now)?).map_err(AuthError)?)
    }

    /// What is in force for a project, as the core's project document (JSON text, keys as
    /// PEM); `api_key_invalid` for an unknown project.
    fn project_json(&self, api_key: &str) -> PyResult<String> {
        match self.inner.project_config(api_key) {
            Some(config) => Ok(core::config::project_to_json(&config)),
            None => Err(AuthError(core::Error::new(core::ErrorKind::ApiKeyInvalid)).into()),
        }
    }

    /// Adds (or replaces) a project from its project document (`project_json`'s format, strict).
    fn add_project_json(&self, py: Python<'_>, text: &Bound<'_, PyAny>) -> PyResult<()> {
        let bytes = text_or_bytes(text, "project")?;
        let config = core::config::project_from_json(&bytes).map_err(|e| AuthError(e.error()))?;
        Ok(py.detach(|| self.inner.add_project(config)).map_err(AuthError)?)
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
