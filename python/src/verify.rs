//! Verifying user tokens: `Verifier` and the `UserClaims` it returns.

use crate::args::{non_negative, now_or_clock, text_or_bytes};
use crate::errors::{config_invalid, AuthError};
use notiflows_auth::{self as core, ClaimsRef, NumericDate, Policy};
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// A NumericDate as Python sees it: an `int` for whole seconds, else a `float`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Date(pub NumericDate);

impl<'py> IntoPyObject<'py> for Date {
    type Target = PyAny;
    type Output = Bound<'py, PyAny>;
    type Error = std::convert::Infallible;

    fn into_pyobject(self, py: Python<'py>) -> Result<Self::Output, Self::Error> {
        Ok(if self.0.subsec_nanos() == 0 {
            self.0.seconds().into_pyobject(py)?.into_any()
        } else {
            self.0.as_f64().into_pyobject(py)?.into_any()
        })
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.0.subsec_nanos() == 0 {
            write!(f, "{}", self.0.seconds())
        } else {
            write!(f, "{:?}", self.0.as_f64())
        }
    }
}

/// The claims of a verified user token: `sub` (the user's external id) and the optional
/// NumericDates `exp`, `nbf`, `iat`.
#[pyclass(frozen, eq, hash, module = "notiflows_auth", name = "UserClaims")]
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct UserClaims {
    /// The user's external id.
    #[pyo3(get)]
    pub sub: String,
    /// Expiry, when present.
    #[pyo3(get)]
    pub exp: Option<Date>,
    /// Not-before, when present.
    #[pyo3(get)]
    pub nbf: Option<Date>,
    /// Issued-at, when present.
    #[pyo3(get)]
    pub iat: Option<Date>,
}

impl From<ClaimsRef<'_>> for UserClaims {
    fn from(claims: ClaimsRef<'_>) -> Self {
        UserClaims {
            sub: claims.sub.to_owned(),
            exp: claims.exp.map(Date),
            nbf: claims.nbf.map(Date),
            iat: claims.iat.map(Date),
        }
    }
}

/// `None` or the date, as Python would print it.
pub fn show(date: Option<Date>) -> String {
    date.map_or_else(|| "None".to_owned(), |d| d.to_string())
}

#[pymethods]
impl UserClaims {
    /// The claims as a dict (`sub`, `exp`, `nbf`, `iat`; absent ones are `None`).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let dict = PyDict::new(py);
        dict.set_item("sub", &self.sub)?;
        dict.set_item("exp", self.exp)?;
        dict.set_item("nbf", self.nbf)?;
        dict.set_item("iat", self.iat)?;
        Ok(dict)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let sub = self.sub.as_str().into_pyobject(py)?.repr()?;
        Ok(format!("UserClaims(sub={sub}, exp={}, nbf={}, iat={})", show(self.exp), show(self.nbf), show(self.iat)))
    }
}

const LEEWAY_RANGE: &str = "leeway must be a non-negative whole number of seconds";
const LIFETIME_RANGE: &str = "max_lifetime must be a non-negative whole number of seconds, or None";
const SKEW_RANGE: &str = "iat_skew must be a non-negative whole number of seconds";
const SIZE_RANGE: &str = "max_token_bytes must be between 1 and 16384";
const CACHE_RANGE: &str = "cache_size must be a non-negative number of tokens";

/// The verifier policy from the keyword arguments `Verifier` and `Authenticator` share.
pub fn policy(
    leeway: i64,
    require_exp: bool,
    max_token_bytes: i64,
    max_lifetime: Option<i64>,
    iat_skew: i64,
    provider: &str,
) -> Result<Policy, AuthError> {
    let policy = Policy {
        leeway_seconds: non_negative(leeway, LEEWAY_RANGE)?,
        require_exp,
        max_lifetime_seconds: max_lifetime.map(|s| non_negative(s, LIFETIME_RANGE)).transpose()?,
        max_token_bytes: usize::try_from(max_token_bytes).map_err(|_| config_invalid(SIZE_RANGE))?,
        iat_skew_seconds: non_negative(iat_skew, SKEW_RANGE)?,
        provider: core::Provider::from_name(provider)?,
    };
    policy.validate()?;
    Ok(policy)
}

/// A cache size argument.
pub fn cache_size(size: i64) -> Result<usize, AuthError> {
    usize::try_from(size).map_err(|_| config_invalid(CACHE_RANGE))
}

/// The policy's settings in `name=value` form, for reprs.
pub fn policy_repr(p: &Policy) -> String {
    format!(
        "leeway={}, require_exp={}, max_token_bytes={}, max_lifetime={}, iat_skew={}, provider='{}'",
        p.leeway_seconds,
        if p.require_exp { "True" } else { "False" },
        p.max_token_bytes,
        p.max_lifetime_seconds.map_or_else(|| "None".to_owned(), |s| s.to_string()),
        p.iat_skew_seconds,
        p.provider,
    )
}

/// Verifies RS256 user tokens against one public key, with the key parsed once, and
/// optionally remembers the tokens that verified (the core's verifier and its cache: only
/// fully verified tokens go in; every hit re-checks `exp`, `nbf` and `iat` against `now`).
#[pyclass(frozen, module = "notiflows_auth", name = "Verifier")]
pub struct Verifier {
    verifier: core::Verifier,
}

#[pymethods]
impl Verifier {
    /// `Verifier(public_key, *, leeway=0, require_exp=False, max_token_bytes=8192,
    /// max_lifetime=None, iat_skew=60, cache_size=0, provider="ring")`: `public_key` as SPKI
    /// or PKCS#1 PEM, DER or the base64-encoded PEM line, `str` or `bytes`; `provider`
    /// `"ring"` or `"aws-lc-rs"` (the key parsed once; same results).
    #[new]
    #[pyo3(signature = (
        public_key, *, leeway = 0, require_exp = false, max_token_bytes = 8192, max_lifetime = None, iat_skew = 60,
        cache_size = 0, provider = "ring",
    ))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        public_key: &Bound<'_, PyAny>,
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
        let key = text_or_bytes(public_key, "public_key")?;
        let key = py.detach(|| core::PublicKey::parse(&key)).map_err(AuthError)?;
        let verifier = core::Verifier::with_cache(key, policy, cache_size).map_err(AuthError)?;
        Ok(Verifier { verifier })
    }

    /// Verifies a compact user token (`str` or `bytes`, exactly as received: nothing is
    /// trimmed) at `now` (Unix seconds; the system clock when `None`) and returns its claims.
    #[pyo3(signature = (token, *, now = None))]
    fn verify(&self, py: Python<'_>, token: &Bound<'_, PyAny>, now: Option<i64>) -> PyResult<UserClaims> {
        let token = text_or_bytes(token, "token")?;
        let now = now_or_clock(now)?;
        // Decisions without RSA work (cache hits, refusals before the signature) keep the GIL:
        // releasing and taking it back would cost more than they do. RSA work releases it.
        let claims = match self.verifier.verify_cached_with(&token, now, |c| UserClaims::from(c)) {
            Some(answer) => answer,
            None => py.detach(|| self.verifier.verify_with(&token, now, |c| UserClaims::from(c))),
        };
        Ok(claims.map_err(AuthError)?)
    }

    /// The public key as SubjectPublicKeyInfo PEM.
    #[getter]
    fn public_key_pem(&self) -> String {
        self.verifier.public_key().to_spki_pem()
    }

    #[getter]
    fn leeway(&self) -> u64 {
        self.verifier.policy().leeway_seconds
    }

    #[getter]
    fn require_exp(&self) -> bool {
        self.verifier.policy().require_exp
    }

    #[getter]
    fn max_token_bytes(&self) -> usize {
        self.verifier.policy().max_token_bytes
    }

    #[getter]
    fn max_lifetime(&self) -> Option<u64> {
        self.verifier.policy().max_lifetime_seconds
    }

    #[getter]
    fn iat_skew(&self) -> u64 {
        self.verifier.policy().iat_skew_seconds
    }

    /// The most tokens remembered as verified (0: no cache).
    #[getter]
    fn cache_size(&self) -> usize {
        self.verifier.cache_capacity()
    }

    /// The library that verifies signatures: `"ring"` or `"aws-lc-rs"`.
    #[getter]
    fn provider(&self) -> &'static str {
        self.verifier.provider().name()
    }

    fn __repr__(&self) -> String {
        format!(
            "Verifier(modulus_bits={}, {}, cache_size={})",
            self.verifier.public_key().modulus_bits(),
            policy_repr(self.verifier.policy()),
            self.verifier.cache_capacity()
        )
    }
}
