//! The decision endpoint, `/v1/check` (any method, and any path below it for Envoy, which
//! appends the original path): the gateway forwards the original request's headers, the
//! gate answers 200 with identity headers or a refusal the gateway hands to the client.

use crate::core_api;
use crate::http_util::{error_response, gate_error, set_cors, RequestId};
use crate::state::Shared;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use notiflows_auth::auth::{Credential, API_KEY_HEADER};
use notiflows_auth::{AuthenticatedUser, Error, ErrorKind};
use std::sync::Arc;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

/// Identity headers of an allowed answer, for the gateway to pass upstream.
pub const USER_ID: &str = "x-notiflows-user-id";
pub const PROJECT: &str = "x-notiflows-project";
pub const MODE: &str = "x-notiflows-mode";
pub const CREDENTIAL: &str = "x-notiflows-credential";
pub const EXPIRES_IN: &str = "x-notiflows-token-expires-in";

/// The gate's refusal while it cannot confirm its configuration is current (503).
pub const CONFIG_STALE: &str = "config_stale";
const CONFIG_STALE_MESSAGE: &str =
    "this gate cannot confirm its configuration is current (database unreachable); try another replica or retry";

/// The header naming the original method, as each gateway sends it.
const METHOD_HEADERS: [&str; 2] = ["x-original-method", "x-forwarded-method"];

pub async fn check(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let started = Instant::now();
    let (method, headers) = (request.method(), request.headers());
    let id = request.extensions().get::<RequestId>();
    let snapshot = shared.snapshot();
    let auth = &snapshot.auth;
    if !shared.current() {
        // A replica of the PostgreSQL store past its lease: its configuration may be old.
        let mut response = gate_error(StatusCode::SERVICE_UNAVAILABLE, CONFIG_STALE, CONFIG_STALE_MESSAGE);
        set_cors(response.headers_mut(), core_api::response_cors(auth, headers));
        shared.metrics.decision(CONFIG_STALE, "unknown", started.elapsed());
        return response;
    }
    let original = original_method(method, headers);
    let mode_of = || {
        core_api::single_str(headers, API_KEY_HEADER)
            .and_then(|key| snapshot.modes.get(key))
            .map_or("unknown", |mode| mode.as_str())
    };
    let (response, code, mode) = if is_preflight(&original, headers) {
        let cors = core_api::preflight_cors(auth, headers);
        if cors.allow_origin().is_some() {
            let mut response = StatusCode::NO_CONTENT.into_response();
            set_cors(response.headers_mut(), cors);
            (response, "preflight", "none")
        } else {
            let error = Error::new(ErrorKind::OriginNotAllowed);
            let mut response = error_response(&error);
            set_cors(response.headers_mut(), cors);
            (response, error.code(), "none")
        }
    } else {
        let now = now();
        let result = core_api::authenticate(auth, headers, now).and_then(|user| allowed(&user, now));
        let cors = core_api::response_cors(auth, headers);
        match result {
            Ok((mut response, mode)) => {
                set_cors(response.headers_mut(), cors);
                (response, "ok", mode)
            }
            Err(error) => {
                let mut response = error_response(&error);
                set_cors(response.headers_mut(), cors);
                (response, error.code(), mode_of())
            }
        }
    };
    let elapsed = started.elapsed();
    shared.metrics.decision(code, mode, elapsed);
    tracing::info!(
        request_id = %DisplayId(id),
        method = %original,
        status = response.status().as_u16(),
        code,
        mode,
        generation = snapshot.generation,
        micros = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX),
        "decision"
    );
    response
}

/// The original request's method: the gateway's header when it sends one, else the method
/// of the check itself (Envoy and Caddy's direct proxying keep it).
fn original_method(method: &Method, headers: &HeaderMap) -> Method {
    METHOD_HEADERS
        .iter()
        .find_map(|name| core_api::single_str(headers, name))
        .and_then(|m| Method::from_bytes(m.trim().as_bytes()).ok())
        .unwrap_or_else(|| method.clone())
}

/// A CORS preflight: `OPTIONS` with `Origin` and `Access-Control-Request-Method`.
fn is_preflight(method: &Method, headers: &HeaderMap) -> bool {
    method == Method::OPTIONS && headers.contains_key("origin") && headers.contains_key("access-control-request-method")
}

/// 200 with the identity headers. A user id that cannot travel in an HTTP header (a
/// control character in a token's `sub`) is refused rather than altered.
fn allowed(user: &AuthenticatedUser, now: i64) -> Result<(Response, &'static str), Error> {
    let user_id = HeaderValue::from_str(user.user_id.as_str()).map_err(|_| {
        Error::claim(ErrorKind::ClaimInvalid, "sub")
            .with_detail("sub cannot be passed in an HTTP header (a control character)")
    })?;
    let mut response = StatusCode::OK.into_response();
    let h = response.headers_mut();
    h.insert(HeaderName::from_static(USER_ID), user_id);
    // API keys are visible ASCII (checked by the core), so always a valid header value.
    if let Ok(project) = HeaderValue::from_str(&user.api_key) {
        h.insert(HeaderName::from_static(PROJECT), project);
    }
    h.insert(HeaderName::from_static(MODE), HeaderValue::from_static(user.mode.as_str()));
    let credential = match user.credential {
        Credential::UserKey => "user_key",
        Credential::UserId => "user_id",
    };
    h.insert(HeaderName::from_static(CREDENTIAL), HeaderValue::from_static(credential));
    // Always sent (empty without an expiry), so a gateway copying it overwrites whatever
    // the client sent under that name.
    let left = match user.expires_at {
        Some(exp) => HeaderValue::from(exp.seconds().saturating_sub(now).max(0)),
        None => HeaderValue::from_static(""),
    };
    h.insert(HeaderName::from_static(EXPIRES_IN), left);
    Ok((response, user.mode.as_str()))
}

fn now() -> i64 {
    let since = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    i64::try_from(since.as_secs()).unwrap_or(i64::MAX)
}

/// The request id in a log line (always set by the front layer).
struct DisplayId<'a>(Option<&'a RequestId>);

impl std::fmt::Display for DisplayId<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Some(id) => id.fmt(f),
            None => f.write_str("-"),
        }
    }
}
