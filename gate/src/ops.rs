//! `/healthz` (the process answers), `/readyz` (a configuration is in force, and whether
//! the file on disk was refused), `/metrics` (Prometheus text).

use crate::http_util::{gate_error, json};
use crate::state::Shared;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use std::sync::Arc;

pub fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/healthz", get(|| async { json(StatusCode::OK, r#"{"status":"ok"}"#.into()) }))
        .route("/readyz", get(ready))
        .route("/metrics", get(metrics))
        .with_state(shared)
}

/// `GET /v1/projects/{api_key}/jwks.json`: the project's public JWK Set (its current
/// signing key; empty until one is set), for backends and tools that verify user tokens.
pub fn jwks_router(shared: Arc<Shared>) -> Router {
    Router::new().route("/v1/projects/{api_key}/jwks.json", get(jwks)).with_state(shared)
}

async fn jwks(State(shared): State<Arc<Shared>>, Path(api_key): Path<String>) -> Response {
    match shared.snapshot().jwk_sets.get(&api_key) {
        Some(set) => {
            let mut response = json(StatusCode::OK, set.clone());
            response.headers_mut().insert(axum::http::header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
            response
        }
        None => gate_error(StatusCode::NOT_FOUND, "project_not_found", "no project has this API key"),
    }
}

/// Ready as long as a configuration is in force. A refused file on disk does not make the
/// gate unready (every gate would drop out at once and the gateway refuse everything);
/// it is reported here as `stale` with the reason, and in metrics.
async fn ready(State(shared): State<Arc<Shared>>) -> Response {
    let gauges = shared.gauges();
    if let Some(lease) = shared.lease() {
        // A replica of the PostgreSQL store is ready only within its lease: the load
        // balancer then sends nothing to a replica that would answer config_stale.
        let current = shared.current();
        let body = serde_json::json!({
            "status": if current { "ready" } else { "config_stale" },
            "store": "postgres",
            "replica_id": lease.replica_id,
            "config_version": lease.applied(),
            "lease_confirmed": lease.confirmed(),
            "projects": gauges.projects,
            "stale_reason": shared.stale(),
            "provider": shared.config.auth.provider,
        });
        let status = if current { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
        return json(status, body.to_string());
    }
    let body = serde_json::json!({
        "status": if gauges.stale { "stale" } else { "ready" },
        "config_generation": gauges.generation,
        "projects": gauges.projects,
        "stale_reason": shared.stale(),
        "provider": shared.config.auth.provider,
    });
    json(StatusCode::OK, body.to_string())
}

async fn metrics(State(shared): State<Arc<Shared>>) -> Response {
    let mut response = shared.metrics.render(&shared.gauges()).into_response();
    response
        .headers_mut()
        .insert(axum::http::header::CONTENT_TYPE, HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"));
    response
}
