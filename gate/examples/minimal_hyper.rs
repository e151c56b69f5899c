//! The benchmark peer of `scripts/bench-gate`: the least an HTTP/1.1 server on the same stack
//! (tokio + hyper) can do, answering every request `200` with an empty body. The gate's
//! requests per second are compared with this server's in the same run; NGINX also uses it
//! as the upstream. Usage: minimal_hyper ADDR
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Response, StatusCode};
use hyper_util::rt::TokioIo;
use std::convert::Infallible;

#[tokio::main]
async fn main() {
    let addr = std::env::args().nth(1).unwrap_or_else(|| "127.0.0.1:9000".into());
    let listener = tokio::net::TcpListener::bind(&addr).await.expect("bind");
    loop {
        let Ok((stream, _)) = listener.accept().await else { continue };
        let _ = stream.set_nodelay(true);
        tokio::spawn(async move {
            let service = service_fn(|_request| async {
                Ok::<_, Infallible>(Response::builder().status(StatusCode::OK).body(String::new()).expect("a response"))
            });
            let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
        });
    }
}
