//! The admin API (its own listener): the dashboard's key actions on the projects file.
//! Every change is validated by the core, written atomically and swapped in before the call
//! returns. Responses never carry a secret except the one a key generation hands out once,
//! and nothing here logs key material.

use crate::http_util::{gate_error, json, RequestId};
use crate::state::{describe, ChangeError, Changed, Shared};
use crate::store::{StoreFile, StoredProject};
use crate::strict::{check_members, parse_document, typed};
use axum::body::Bytes;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use notiflows_auth::{generate_signing_key, PublicKey, DEFAULT_GENERATED_KEY_BITS};
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::Arc;
use subtle::ConstantTimeEq;

/// A refused admin call, answered as `{"code","message"}`.
#[derive(Debug)]
pub struct AdminError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl AdminError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        AdminError { status, code, message: message.into() }
    }

    fn bad_request(message: impl Into<String>) -> Self {
        AdminError::new(StatusCode::BAD_REQUEST, "config_invalid", message)
    }

    fn not_found(api_key: &str) -> Self {
        AdminError::new(StatusCode::NOT_FOUND, "project_not_found", format!("no project has the API key `{api_key}`"))
    }
}

impl From<ChangeError> for AdminError {
    fn from(error: ChangeError) -> Self {
        match &error {
            // The caller's values were refused by the core: its code, status 400.
            ChangeError::Invalid(_, e) => AdminError::new(StatusCode::BAD_REQUEST, e.code(), describe(&error)),
            ChangeError::Store(_) => {
                tracing::error!(reason = %describe(&error), "admin change not made");
                AdminError::new(StatusCode::SERVICE_UNAVAILABLE, "store_unavailable", describe(&error))
            }
            ChangeError::Write(_) => {
                tracing::error!(reason = %describe(&error), "admin change not made");
                AdminError::new(StatusCode::INTERNAL_SERVER_ERROR, "store_write_failed", describe(&error))
            }
        }
    }
}

impl IntoResponse for AdminError {
    fn into_response(self) -> Response {
        gate_error(self.status, self.code, &self.message)
    }
}

type Answer = Result<Response, AdminError>;

pub fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/admin/v1/projects", get(list).post(create))
        .route("/admin/v1/projects/{api_key}", get(show).patch(update).delete(remove))
        .route("/admin/v1/projects/{api_key}/signing-key", post(generate).put(bring_key))
        .route_layer(axum::middleware::from_fn_with_state(Arc::clone(&shared), authorize))
        .with_state(shared)
}

/// `Authorization: Bearer <token>`, compared in constant time (as SHA-256 digests, so the
/// comparison does not even depend on the length).
async fn authorize(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    let given = request
        .headers()
        .get(axum::http::header::AUTHORIZATION)
        .map(|v| v.as_bytes())
        // The scheme name is case-insensitive (RFC 9110 section 11.1).
        .and_then(|v| v.get(..7).filter(|s| s.eq_ignore_ascii_case(b"bearer ")).map(|_| &v[7..]))
        .unwrap_or_default();
    let ok = match &shared.admin_token {
        Some(token) => digest(given).ct_eq(&digest(token.as_bytes())).into(),
        None => false,
    };
    if !ok {
        let mut response =
            gate_error(StatusCode::UNAUTHORIZED, "admin_unauthorized", "send Authorization: Bearer <the admin token>");
        response.headers_mut().insert(axum::http::header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        return response;
    }
    next.run(request).await
}

fn digest(bytes: &[u8]) -> [u8; 32] {
    let mut out = [0; 32];
    out.copy_from_slice(ring::digest::digest(&ring::digest::SHA256, bytes).as_ref());
    out
}

async fn list(State(shared): State<Arc<Shared>>) -> Response {
    let projects: Vec<Value> = shared.snapshot().file.projects.iter().map(view).collect();
    ok(StatusCode::OK, json!({ "projects": projects }))
}

async fn show(State(shared): State<Arc<Shared>>, Path(api_key): Path<String>) -> Answer {
    let snapshot = shared.snapshot();
    let project = snapshot.file.project(&api_key).ok_or_else(|| AdminError::not_found(&api_key))?;
    Ok(ok(StatusCode::OK, view(project)))
}

#[derive(Deserialize)]
struct NewProject {
    api_key: String,
    #[serde(default)]
    security_mode: Option<String>,
    #[serde(default)]
    allowed_origins: Vec<String>,
    #[serde(default)]
    signing_public_key: Option<String>,
}

async fn create(State(shared): State<Arc<Shared>>, Extension(id): Extension<RequestId>, body: Bytes) -> Answer {
    let new: NewProject = body_of(&body, &["api_key", "security_mode", "allowed_origins", "signing_public_key"])?;
    let key = new.signing_public_key.as_deref().map(public_pem).transpose()?;
    let project = StoredProject {
        api_key: new.api_key,
        security_mode: new.security_mode.unwrap_or_else(|| "secure".into()),
        allowed_origins: new.allowed_origins,
        signing_public_key: key,
    };
    let stored = shared
        .change::<_, AdminError>(|file| {
            if file.project(&project.api_key).is_some() {
                let message = format!("a project with the API key `{}` exists", project.api_key);
                return Err(AdminError::new(StatusCode::CONFLICT, "project_exists", message));
            }
            file.projects.push(project.clone());
            Ok(project)
        })
        .await?;
    logged(&id, "project created", &stored.value.api_key);
    Ok(ok(StatusCode::CREATED, with_propagation(view(&stored.value), &stored)))
}

#[derive(Deserialize)]
struct ProjectChange {
    security_mode: Option<String>,
    allowed_origins: Option<Vec<String>>,
}

async fn update(
    State(shared): State<Arc<Shared>>,
    Extension(id): Extension<RequestId>,
    Path(api_key): Path<String>,
    body: Bytes,
) -> Answer {
    let change: ProjectChange = body_of(&body, &["security_mode", "allowed_origins"])?;
    let project = shared
        .change::<_, AdminError>(|file| {
            let project = project_mut(file, &api_key)?;
            if let Some(mode) = change.security_mode {
                project.security_mode = mode;
            }
            if let Some(origins) = change.allowed_origins {
                project.allowed_origins = origins;
            }
            Ok(project.clone())
        })
        .await?;
    logged(&id, "project updated", &api_key);
    Ok(ok(StatusCode::OK, with_propagation(view(&project.value), &project)))
}

async fn remove(
    State(shared): State<Arc<Shared>>,
    Extension(id): Extension<RequestId>,
    Path(api_key): Path<String>,
) -> Answer {
    let removed = shared
        .change::<_, AdminError>(|file| {
            let before = file.projects.len();
            file.projects.retain(|p| p.api_key != api_key);
            if file.projects.len() == before {
                return Err(AdminError::not_found(&api_key));
            }
            Ok(())
        })
        .await?;
    logged(&id, "project deleted", &api_key);
    // With the PostgreSQL store the answer says how far the deletion propagated.
    Ok(match removed.propagation {
        Some(_) => ok(StatusCode::OK, with_propagation(json!({ "deleted": api_key }), &removed)),
        None => StatusCode::NO_CONTENT.into_response(),
    })
}

#[derive(Deserialize)]
struct GenerateKey {
    #[serde(default = "default_bits")]
    bits: usize,
}

fn default_bits() -> usize {
    DEFAULT_GENERATED_KEY_BITS
}

/// Generates a key pair: the public key replaces the project's signing key (tokens signed
/// with the old one fail from now on); the private key is in this answer only.
async fn generate(
    State(shared): State<Arc<Shared>>,
    Extension(id): Extension<RequestId>,
    Path(api_key): Path<String>,
    body: Bytes,
) -> Answer {
    let options: GenerateKey =
        if body.is_empty() { GenerateKey { bits: default_bits() } } else { body_of(&body, &["bits"])? };
    if shared.snapshot().file.project(&api_key).is_none() {
        return Err(AdminError::not_found(&api_key));
    }
    let pair = tokio::task::spawn_blocking(move || generate_signing_key(options.bits))
        .await
        .map_err(|_| {
            AdminError::new(StatusCode::INTERNAL_SERVER_ERROR, "key_generation_failed", "key generation stopped")
        })?
        .map_err(|e| AdminError::new(StatusCode::BAD_REQUEST, e.code(), e.to_string()))?;
    let public = pair.public_key_pem.clone();
    let changed = shared
        .change::<_, AdminError>(|file| {
            project_mut(file, &api_key)?.signing_public_key = Some(public);
            Ok(())
        })
        .await?;
    logged(&id, "signing key generated", &api_key);
    let body = json!({
        "private_key_pem": pair.private_key_pem,
        "private_key_base64": pair.private_key_base64,
        "public_key_pem": pair.public_key_pem,
    });
    let mut response = ok(StatusCode::CREATED, with_propagation(body, &changed));
    response.headers_mut().insert(axum::http::header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

#[derive(Deserialize)]
struct BringKey {
    public_key: String,
}

/// Sets a public key the customer made themselves (PEM or base64-encoded PEM).
async fn bring_key(
    State(shared): State<Arc<Shared>>,
    Extension(id): Extension<RequestId>,
    Path(api_key): Path<String>,
    body: Bytes,
) -> Answer {
    let bring: BringKey = body_of(&body, &["public_key"])?;
    let pem = public_pem(&bring.public_key)?;
    let project = shared
        .change::<_, AdminError>(|file| {
            let project = project_mut(file, &api_key)?;
            project.signing_public_key = Some(pem);
            Ok(project.clone())
        })
        .await?;
    logged(&id, "signing key set", &api_key);
    Ok(ok(StatusCode::OK, with_propagation(view(&project.value), &project)))
}

/// The core parses the key (PEM or its base64 form); the store keeps it as SPKI PEM.
fn public_pem(text: &str) -> Result<String, AdminError> {
    PublicKey::parse(text.as_bytes())
        .map(|key| key.to_spki_pem())
        .map_err(|e| AdminError::new(StatusCode::BAD_REQUEST, e.code(), e.to_string()))
}

fn project_mut<'f>(file: &'f mut StoreFile, api_key: &str) -> Result<&'f mut StoredProject, AdminError> {
    file.projects.iter_mut().find(|p| p.api_key == api_key).ok_or_else(|| AdminError::not_found(api_key))
}

/// A JSON request body with only `known` members.
fn body_of<T: serde::de::DeserializeOwned>(body: &[u8], known: &[&str]) -> Result<T, AdminError> {
    let value = parse_document(body, false).map_err(AdminError::bad_request)?;
    check_members(&value, "", known).map_err(AdminError::bad_request)?;
    typed(value, "").map_err(AdminError::bad_request)
}

fn view(project: &StoredProject) -> Value {
    json!({
        "api_key": project.api_key,
        "security_mode": project.security_mode,
        "allowed_origins": project.allowed_origins,
        "signing_public_key": project.signing_public_key,
    })
}

/// Adds `"propagation": {"version", "applied", "waited_ms", "timed_out"}` (PostgreSQL store).
fn with_propagation<T>(mut body: Value, changed: &Changed<T>) -> Value {
    if let (Some(propagation), Some(object)) = (&changed.propagation, body.as_object_mut()) {
        object.insert("propagation".into(), serde_json::to_value(propagation).unwrap_or_default());
    }
    body
}

fn ok(status: StatusCode, body: Value) -> Response {
    json(status, body.to_string())
}

fn logged(id: &RequestId, what: &str, api_key: &str) {
    tracing::info!(request_id = %id, api_key, "{what}");
}
