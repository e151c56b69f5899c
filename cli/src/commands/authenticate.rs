//! `authenticate`: run one request through a project's rules and say why it is refused.

use crate::{input, Failure};
use notiflows_auth::auth::{ErrorResponse, ORIGIN_HEADER};
use notiflows_auth::config::{self, KeySource};
use notiflows_auth::{AuthenticatedUser, Authenticator, AuthenticatorOptions, Policy, Provider, PublicKey};
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
pub struct Args {
    /// Project file (JSON): api_key, security_mode ("secure" or "development"),
    /// signing_public_key (PEM text or a file path, relative to the project file),
    /// allowed_origins. Any other member is refused.
    #[arg(long)]
    project: PathBuf,
    /// A request header, `Name: value`, passed as given (the library drops the whitespace
    /// around the value); repeat for several. A header sent twice is refused, as a server
    /// would refuse it.
    #[arg(short = 'H', long = "header")]
    headers: Vec<String>,
    /// The request's Origin: the same as `-H 'Origin: ORIGIN'` (giving both sends two
    /// Origin headers, which is refused).
    #[arg(long)]
    origin: Option<String>,
    /// Current time, Unix seconds (default: now).
    #[arg(long, allow_negative_numbers = true)]
    now: Option<i64>,
    /// Which library verifies user tokens: `ring` or `aws-lc-rs` (same results).
    #[arg(long, default_value = "ring")]
    provider: String,
}

pub fn run(args: Args) -> Result<(), Failure> {
    let mut headers = args.headers.iter().map(|h| split_header(h)).collect::<Result<Vec<_>, _>>()?;
    headers.extend(args.origin.as_deref().map(|origin| (ORIGIN_HEADER, origin)));
    let policy = Policy { provider: Provider::from_name(&args.provider)?, ..Policy::default() };
    let authenticator = Authenticator::new(AuthenticatorOptions { policy, cache_capacity: 0 })?;
    authenticator.add_project(project_config(&args.project)?)?;
    match authenticator.authenticate(headers, input::now(args.now)) {
        Ok(user) => {
            println!("{}", user_json(&user));
            Ok(())
        }
        Err(e) => {
            let response = ErrorResponse::new(&e);
            eprintln!("error: {}: {e}", e.code());
            eprintln!("HTTP {} {}", response.status, response.body);
            Err(Failure::Reported)
        }
    }
}

/// `Name: value` split at the first colon. The name must be an HTTP field name (RFC 9110
/// token characters); the value goes to the library as written.
fn split_header(header: &str) -> Result<(&str, &str), Failure> {
    let is_tchar = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b);
    match header.split_once(':') {
        Some((name, value)) if !name.is_empty() && name.bytes().all(is_tchar) => Ok((name, value)),
        _ => Err(Failure::Usage(format!(
            "malformed header {header:?}: a header must look like 'Name: value' (the name without spaces)"
        ))),
    }
}

/// The authenticated user as one JSON object.
pub fn user_json(user: &AuthenticatedUser) -> serde_json::Value {
    serde_json::json!({
        "api_key": &*user.api_key,
        "user_id": user.user_id.as_str(),
        "mode": user.mode.as_str(),
        "credential": match user.credential {
            notiflows_auth::auth::Credential::UserKey => "user_key",
            notiflows_auth::auth::Credential::UserId => "user_id",
        },
        "expires_at": user.expires_at.map(input::numeric_date_json),
    })
}

/// The project file, read by the core's strict reader; the key file, if named, is read
/// relative to the project file.
fn project_config(path: &Path) -> Result<notiflows_auth::ProjectConfig, Failure> {
    let file = config::read_project(&input::read_file(path)?)
        .map_err(|e| Failure::Other(format!("{}: {}: {}", e.code(), path.display(), e.detail())))?;
    // Keys (active and retiring) as text or as paths relative to the project file.
    let load = |source: &KeySource| -> Result<PublicKey, Failure> {
        match source {
            KeySource::Text(text) => Ok(PublicKey::parse(text.as_bytes())?),
            KeySource::Path(relative) => {
                let key_path = path.parent().unwrap_or(Path::new(".")).join(relative);
                Ok(PublicKey::parse(&input::read_file(&key_path)?)?)
            }
        }
    };
    let mut failure = None;
    let config = file.into_config(|source| {
        load(source).map_err(|f| {
            failure = Some(f);
            config::ConfigError::new("a key could not be loaded")
        })
    });
    match (config, failure) {
        (_, Some(failure)) => Err(failure),
        (Ok(config), None) => Ok(config),
        (Err(e), None) => Err(Failure::Other(format!("{}: {}: {}", e.code(), path.display(), e.detail()))),
    }
}
