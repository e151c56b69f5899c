//! notiflows-auth: client authentication for the Notiflows User API.
//!
//! - [`Verifier`] checks RS256 user tokens (the hot path): no heap allocation in our code,
//!   algorithm pinned to RS256, key only from configuration, clock passed in by the caller.
//! - [`SigningKey`] loads a private key in whatever form a user pastes and signs user tokens;
//!   [`generate_signing_key`] makes a new pair.
//! - [`Authenticator`] authenticates User API requests: projects by API key, Secure and
//!   Development Modes, allowed origins and CORS, atomic key rotation, and a bounded cache of
//!   verified tokens.
//! - [`Error`] is the one error taxonomy, with stable string codes shared by every binding.
//!
//! `core` never reads a clock or the environment: `now` (Unix seconds) is always an argument.
#![forbid(unsafe_code)]

#[doc(hidden)]
#[path = "fuzz_hooks.rs"]
pub mod __fuzz;
pub mod auth;
mod base64;
mod cache;
pub mod config;
pub mod error;
mod json;
pub mod keys;
pub mod keyset;
pub mod provider;
pub mod sign;
pub mod token;
pub mod verify;

pub use auth::{
    AuthenticatedUser, Authenticator, AuthenticatorOptions, CorsHeaders, Credential, ErrorResponse, HeaderPair,
    LifetimeOverrides, ProjectConfig, SecurityMode, UserRevocation,
};
pub use error::{Error, ErrorFamily, ErrorKind};
pub use keys::{generate_signing_key, GeneratedKeyPair, PublicKey, SigningKey};
pub use keys::{jwk_set, parse_jwk_set, MAX_JWK_SET_BYTES, MAX_KID_BYTES, MAX_PROJECT_KEYS};
pub use keys::{DEFAULT_GENERATED_KEY_BITS, MAX_RSA_MODULUS_BITS, MIN_RSA_MODULUS_BITS};
pub use keyset::{KeySet, RetiringKey, MAX_OVERLAP_SECONDS};
pub use provider::Provider;
pub use sign::{Kid, SignOptions, DEFAULT_EXPIRES_IN_SECONDS};
pub use token::{Claims, ClaimsRef, NumericDate, Subject};
pub use verify::{Policy, Verifier};
