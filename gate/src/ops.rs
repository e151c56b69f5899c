//! `/healthz` (the process answers), `/readyz` (a configuration is in force, and whether
//! the file on disk was refused), `/metrics` (Prometheus text).

use crate::http_util::json;
use crate::state::Shared;
use axum::extract::State;
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

/// Ready as long as a configuration is in force. A refused file on disk does not make the
/// gate unready (every gate would drop out at once and the gateway refuse everything);
/// it is reported here as `stale` with the reason, and in metrics.
async fn ready(State(shared): State<Arc<Shared>>) -> Response {
    let gauges = shared.gauges();
    let body = serde_json::json!({
        "status": if gauges.stale { "stale" } else { "ready" },
        "config_generation": gauges.generation,
        "projects": gauges.projects,
        "stale_reason": shared.stale(),
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
