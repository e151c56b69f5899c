//! Python bindings for notiflows-auth (`notiflows_auth._native`).
//!
//! Only glue lives here: every rule is in the core crate. Time comes from the system clock
//! when the caller passes `now=None`; RSA work and key parsing run with the GIL released.

mod args;
mod auth;
mod errors;
mod keys;
mod verify;

use pyo3::prelude::*;

// The Python signatures spell the core's defaults out as literals, so that
// `inspect.signature` (and stubtest) show real values; these keep them in step.
const _: () = {
    use notiflows_auth::verify::{DEFAULT_IAT_SKEW_SECONDS, DEFAULT_MAX_TOKEN_BYTES};
    assert!(DEFAULT_MAX_TOKEN_BYTES == 8192);
    assert!(DEFAULT_IAT_SKEW_SECONDS == 60);
    assert!(notiflows_auth::auth::DEFAULT_CACHE_CAPACITY == 10_000);
    assert!(notiflows_auth::DEFAULT_GENERATED_KEY_BITS == 2048);
    assert!(notiflows_auth::DEFAULT_EXPIRES_IN_SECONDS == 3600);
    assert!(matches!(keys::SIGNING_KEY_ENV.as_bytes(), b"NOTIFLOWS_SIGNING_KEY"));
};

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    errors::add_table(m)?;
    m.add("SIGNING_KEY_ENV", keys::SIGNING_KEY_ENV)?;
    m.add("API_KEY_HEADER", notiflows_auth::auth::API_KEY_HEADER)?;
    m.add("USER_KEY_HEADER", notiflows_auth::auth::USER_KEY_HEADER)?;
    m.add("USER_ID_HEADER", notiflows_auth::auth::USER_ID_HEADER)?;
    m.add_class::<keys::GeneratedKeyPair>()?;
    m.add_class::<keys::SigningKey>()?;
    m.add_class::<verify::Verifier>()?;
    m.add_class::<verify::UserClaims>()?;
    m.add_class::<auth::Authenticator>()?;
    m.add_class::<auth::AuthenticatedUser>()?;
    m.add_function(wrap_pyfunction!(keys::generate_signing_key, m)?)?;
    m.add_function(wrap_pyfunction!(keys::sign_user_token, m)?)?;
    m.add_function(wrap_pyfunction!(keys::key_id, m)?)?;
    m.add_function(wrap_pyfunction!(keys::jwk_set, m)?)?;
    m.add_function(wrap_pyfunction!(keys::parse_jwk_set, m)?)?;
    Ok(())
}
