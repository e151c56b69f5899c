//! Serving a router on a listener with the connection-level limits: a cap on open
//! connections, a deadline for request headers (slow clients), hyper's header count and
//! buffer limits, and a graceful shutdown that lets requests in flight finish.

use crate::config::Limits;
use crate::state::Shared;
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::{watch, Semaphore};

const HYPER_DEFAULT_MAX_HEADERS: usize = 100;
const HEADER_SLACK: usize = 16;

/// How long a shutdown waits for requests in flight.
const DRAIN: Duration = Duration::from_secs(10);

pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    shared: Arc<Shared>,
    mut stop: watch::Receiver<bool>,
) {
    let permits = Arc::new(Semaphore::new(limits.max_connections));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    // hyper's own limits sit above ours, so our 431 answers with a code first. Its header
    // count limit is left at its default (100, parsed on the stack) when that is enough.
    http.timer(TokioTimer::new())
        .header_read_timeout(Duration::from_millis(limits.header_read_timeout_ms))
        .max_buf_size((limits.max_header_bytes * 2).max(8192));
    if limits.max_headers + HEADER_SLACK > HYPER_DEFAULT_MAX_HEADERS {
        http.max_headers(limits.max_headers + HEADER_SLACK);
    }
    loop {
        // At the cap, stop accepting: new clients wait in the kernel's queue.
        let permit = tokio::select! {
            permit = Arc::clone(&permits).acquire_owned() => permit.expect("the semaphore is never closed"),
            _ = stop.changed() => break,
        };
        let (stream, _) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = stop.changed() => break,
        };
        let _ = stream.set_nodelay(true);
        let connection = http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(router.clone()));
        let connection = graceful.watch(connection);
        let shared = Arc::clone(&shared);
        shared.metrics.connections_open.fetch_add(1, Ordering::Relaxed);
        tokio::spawn(async move {
            let _ = connection.await;
            shared.metrics.connections_open.fetch_sub(1, Ordering::Relaxed);
            drop(permit);
        });
    }
    drop(listener);
    if tokio::time::timeout(DRAIN, graceful.shutdown()).await.is_err() {
        tracing::warn!("connections still open after the drain period; closing them");
    }
}
