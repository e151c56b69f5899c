//! `authenticate`: run one request through a project's rules and say why it is refused.

use crate::{input, Failure};
use notiflows_auth::auth::{ErrorResponse, ProjectConfig, SecurityMode};
use notiflows_auth::{AuthenticatedUser, Authenticator, AuthenticatorOptions, Policy, Provider, PublicKey};
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
pub struct Args {
    /// Project file (JSON): api_key, security_mode ("secure" or "development"),
    /// signing_public_key (PEM text or a file path, relative to the project file), allowed_origins.
    #[arg(long)]
    project: PathBuf,
    /// A request header, `Name: value`; repeat for several.
    #[arg(short = 'H', long = "header")]
    headers: Vec<String>,
    /// The request's Origin header.
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
    let config = project_config(&args.project)?;
    let policy = Policy { provider: Provider::from_name(&args.provider)?, ..Policy::default() };
    let authenticator = Authenticator::new(AuthenticatorOptions { policy, cache_capacity: 0 })?;
    authenticator.add_project(config)?;
    let headers = args
        .headers
        .iter()
        .map(|h| h.split_once(':').map(|(n, v)| (n.trim(), v.trim())))
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| Failure::Other("a header must look like 'Name: value'".into()))?;
    match authenticator.authenticate(
        headers.iter().map(|(n, v)| (*n, *v)),
        args.origin.as_deref(),
        input::now(args.now),
    ) {
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

fn project_config(path: &Path) -> Result<ProjectConfig, Failure> {
    let bad = |what: &str| Failure::Other(format!("{}: {what}", path.display()));
    let json: serde_json::Value = serde_json::from_slice(&input::read_file(path)?).map_err(|e| bad(&e.to_string()))?;
    let field = |name: &str| json.get(name).filter(|v| !v.is_null());
    let api_key = field("api_key").and_then(|v| v.as_str()).ok_or_else(|| bad("api_key (a string) is required"))?;
    let security_mode = match field("security_mode") {
        None => SecurityMode::default(),
        Some(v) => v.as_str().ok_or_else(|| bad("security_mode must be a string"))?.parse::<SecurityMode>()?,
    };
    let signing_public_key = match field("signing_public_key") {
        None => None,
        Some(v) => {
            let text = v.as_str().ok_or_else(|| bad("signing_public_key must be a string"))?;
            Some(PublicKey::parse(&key_text_or_file(path, text)?)?)
        }
    };
    let allowed_origins = match field("allowed_origins") {
        None => Vec::new(),
        Some(v) => v
            .as_array()
            .and_then(|a| a.iter().map(|o| o.as_str().map(str::to_owned)).collect::<Option<Vec<_>>>())
            .ok_or_else(|| bad("allowed_origins must be a list of strings"))?,
    };
    Ok(ProjectConfig { api_key: api_key.to_owned(), security_mode, signing_public_key, allowed_origins })
}

/// Key text itself (PEM, or the base64 line), or else a path relative to the project file.
fn key_text_or_file(project: &Path, text: &str) -> Result<Vec<u8>, Failure> {
    let trimmed = text.trim_start();
    if trimmed.starts_with("-----BEGIN") || trimmed.starts_with("LS0tLS1CRUdJTi") {
        return Ok(text.as_bytes().to_vec());
    }
    input::read_file(&project.parent().unwrap_or(Path::new(".")).join(text))
}
