//! The HTTPS listener: a landing page, `/healthz`, and the pages of the `web` crate
//! (trust center, security.txt); MTA-STS policy and autoconfig join it with their features.

use super::accept::accept_loop;
use super::limits::ConnectionLimiter;
use axum::Router;
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use sigillo_certify::Certifier;
use sigillo_web::WebState;
use sigillo_web::html::escape;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;

const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// What the HTTPS router serves.
pub struct Https {
    pub web: Arc<WebState>,
    /// `/api/v1`, the JSON admin API.
    pub api: Arc<sigillo_web::api::ApiState>,
    pub autoconfig: Arc<super::autoconfig::Autoconfig>,
    pub certifier: Arc<Certifier>,
    pub mta_sts: Arc<super::mta_sts::MtaSts>,
}

fn router(Https { web, api, autoconfig, certifier, mta_sts }: Https) -> Router {
    let page = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sigillo — {host}</title></head>\
         <body><h1>Sigillo</h1><p>{host} is a Sigillo mail server. <a href=\"/trust\">Trust center</a>.</p></body></html>",
        host = escape(&web.hostname)
    );
    Router::new()
        .route("/", get(move || async move { Html(page) }))
        .route("/healthz", get(|| async { ([("content-type", "application/json")], "{\"status\":\"ok\"}").into_response() }))
        .merge(
            Router::new()
                .route("/.well-known/autoconfig/mail/config-v1.1.xml", get(super::autoconfig::handler))
                .route("/mail/config-v1.1.xml", get(super::autoconfig::handler))
                .with_state(autoconfig),
        )
        .merge(super::certify::routes(certifier))
        .merge(super::mta_sts::routes(mta_sts))
        .layer(axum::middleware::from_fn(sigillo_web::headers::secure))
        .merge(sigillo_web::router(web))
        .merge(sigillo_web::api::router(api))
}

pub async fn serve(
    listener: TcpListener,
    tls: TlsAcceptor,
    limiter: Arc<ConnectionLimiter>,
    idle: Duration,
    https: Https,
    stop: watch::Receiver<bool>,
) -> std::io::Result<()> {
    let app = router(https);
    accept_loop(listener, "https", limiter, stop, None, move |tcp, peer, mut stop| {
        // The pages that log sign-ins and rate-limit them need the client's address.
        let (tls, app) = (tls.clone(), app.clone().layer(axum::Extension(sigillo_web::ClientIp(peer.ip().to_string()))));
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
