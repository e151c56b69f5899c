//! Shared pieces of every answer: the `{"code","message"}` refusal (from the core's error,
//! or a gate-level one for HTTP limits and admin calls), CORS, and request ids.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use notiflows_auth::auth::{CorsHeaders, ErrorResponse};
use notiflows_auth::Error;
use std::sync::atomic::{AtomicU64, Ordering};

/// The header repeating a refusal's code, for gateways that drop bodies.
pub const AUTH_ERROR: &str = "x-notiflows-auth-error";
pub const REQUEST_ID: &str = "x-request-id";

/// A refusal from the core: its status and JSON body, the code header, and on 401
/// `WWW-Authenticate: Bearer error="invalid_token"`.
pub fn error_response(error: &Error) -> Response {
    let ErrorResponse { status, body } = ErrorResponse::new(error);
    let mut response = json(StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR), body);
    let h = response.headers_mut();
    h.insert(HeaderName::from_static(AUTH_ERROR), HeaderValue::from_static(error.code()));
    if status == 401 {
        h.insert(axum::http::header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer error=\"invalid_token\""));
    }
    response
}

/// A refusal made by the gate itself (HTTP limits, admin API): same body shape and code header.
pub fn gate_error(status: StatusCode, code: &'static str, message: &str) -> Response {
    let body = serde_json::json!({ "code": code, "message": message }).to_string();
    let mut response = json(status, body);
    response.headers_mut().insert(HeaderName::from_static(AUTH_ERROR), HeaderValue::from_static(code));
    response
}

pub fn json(status: StatusCode, body: String) -> Response {
    let mut response = (status, body).into_response();
    response.headers_mut().insert(axum::http::header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

/// Adds the core's CORS headers (values come from the request's own Origin, already valid
/// header text).
pub fn set_cors(headers: &mut HeaderMap, cors: CorsHeaders<'_>) {
    for (name, value) in cors.iter() {
        if let (Ok(name), Ok(value)) = (HeaderName::from_bytes(name.as_bytes()), HeaderValue::from_str(value)) {
            headers.insert(name, value);
        }
    }
}

/// The id of one request, in logs and in the answer's `x-request-id`: the gateway's when it
/// sends a plain token (NGINX's `$request_id`), else a number.
#[derive(Clone)]
pub enum RequestId {
    Given(HeaderValue),
    Numbered(u64),
}

impl std::fmt::Display for RequestId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            // Checked to be plain ASCII when taken.
            RequestId::Given(value) => f.write_str(value.to_str().unwrap_or_default()),
            RequestId::Numbered(n) => write!(f, "gate-{n}"),
        }
    }
}

impl RequestId {
    fn of(request: &Request) -> RequestId {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        match request.headers().get(REQUEST_ID) {
            Some(v)
                if (1..=64).contains(&v.len())
                    && v.as_bytes().iter().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(b)) =>
            {
                RequestId::Given(v.clone())
            }
            _ => RequestId::Numbered(NEXT.fetch_add(1, Ordering::Relaxed)),
        }
    }

    fn header(&self) -> HeaderValue {
        match self {
            RequestId::Given(value) => value.clone(),
            RequestId::Numbered(n) => HeaderValue::from_str(&format!("gate-{n}")).expect("ASCII"),
        }
    }
}

/// The front layer's limits, and the configuration for CORS on its refusals.
#[derive(Clone)]
pub struct Front {
    pub max_headers: usize,
    pub max_bytes: usize,
    pub shared: std::sync::Arc<crate::state::Shared>,
}

/// What every request goes through first, in one layer: header count and size limits (431
/// before any other work), then a request id for logs and the answer.
pub async fn front(State(front): State<Front>, mut request: Request, next: Next) -> Response {
    let Front { max_headers, max_bytes, .. } = front;
    let headers = request.headers();
    let bytes: usize = headers.iter().map(|(n, v)| n.as_str().len() + v.len() + 4).sum();
    if headers.len() > max_headers || bytes > max_bytes {
        let message = format!("the request has more than {max_headers} headers or {max_bytes} bytes of them");
        let mut response =
            gate_error(StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE, "request_headers_too_large", &message);
        // CORS as for any refusal, so a page can read it.
        set_cors(response.headers_mut(), crate::core_api::response_cors(&front.shared.snapshot().auth, headers));
        return response;
    }
    let id = RequestId::of(&request);
    let header = id.header();
    request.extensions_mut().insert(id);
    let mut response = next.run(request).await;
    response.headers_mut().insert(HeaderName::from_static(REQUEST_ID), header);
    response
}

/// 404 for any other path.
pub async fn not_found() -> Response {
    gate_error(StatusCode::NOT_FOUND, "not_found", "no such endpoint")
}

/// 408 when a request is not answered within the configured time.
pub async fn timeout(State(limit): State<std::time::Duration>, request: Request, next: Next) -> Response {
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => gate_error(StatusCode::REQUEST_TIMEOUT, "request_timeout", "the request was not answered in time"),
    }
}
