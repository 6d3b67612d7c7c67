//! The HTTPS listener. For now it answers a landing page and `/healthz`; the trust center,
//! status page, MTA-STS policy and autoconfig join it with their features (the `web` crate).

use super::accept::accept_loop;
use super::limits::ConnectionLimiter;
use axum::Router;
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use sigillo_certify::Certifier;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;

const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

fn router(hostname: String, certifier: Arc<Certifier>) -> Router {
    let page = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sigillo — {host}</title></head>\
         <body><h1>Sigillo</h1><p>{host} is a Sigillo mail server.</p></body></html>",
        host = html_escape(&hostname)
    );
    Router::new()
        .route("/", get(move || async move { Html(page) }))
        .route("/healthz", get(|| async { ([("content-type", "application/json")], "{\"status\":\"ok\"}").into_response() }))
        .merge(super::certify::routes(certifier))
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

pub async fn serve(
    listener: TcpListener,
    tls: TlsAcceptor,
    limiter: Arc<ConnectionLimiter>,
    idle: Duration,
    hostname: String,
    certifier: Arc<Certifier>,
    stop: watch::Receiver<bool>,
) -> std::io::Result<()> {
    let app = router(hostname, certifier);
    accept_loop(listener, "https", limiter, stop, None, move |tcp, peer, mut stop| {
        let (tls, app) = (tls.clone(), app.clone());
        async move {
            let stream = match tokio::time::timeout(HANDSHAKE_TIMEOUT, tls.accept(tcp)).await {
                Ok(Ok(stream)) => stream,
                Ok(Err(e)) => return tracing::debug!(%peer, error = %e, "TLS handshake failed"),
                Err(_) => return tracing::debug!(%peer, "TLS handshake timed out"),
            };
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder.timer(TokioTimer::new()).header_read_timeout(idle).max_buf_size(64 * 1024);
            let conn = builder.serve_connection(TokioIo::new(stream), TowerToHyperService::new(app));
            tokio::pin!(conn);
            let result = tokio::select! {
                result = conn.as_mut() => result,
                _ = stop.changed() => {
                    conn.as_mut().graceful_shutdown();
                    conn.await
                }
            };
            if let Err(e) = result {
                tracing::debug!(%peer, error = %e, "HTTP connection ended with an error");
            }
        }
    })
    .await
}
