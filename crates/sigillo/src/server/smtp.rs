//! The SMTP listeners (`smtp`, `submission`, `submissions`): each connection the limits
//! admit goes to `sigillo_smtp::handle_connection`.

use super::accept::accept_loop;
use super::limits::ConnectionLimiter;
use sigillo_smtp::{ListenerKind, Server};
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::watch;

pub async fn serve(
    listener: TcpListener,
    kind: ListenerKind,
    server: Arc<Server>,
    limiter: Arc<ConnectionLimiter>,
    stop: watch::Receiver<bool>,
) -> std::io::Result<()> {
    // RFC 5321 §3.1: a server may refuse a connection with 421 in the greeting.
    let busy: &[u8] = b"421 4.7.0 Too many connections; try again later\r\n";
    // Sessions waiting for a command get 421 at shutdown; transactions finish.
    accept_loop(listener, kind.name(), limiter, stop, Some(busy), move |tcp, peer, stop| {
        sigillo_smtp::handle_connection(Arc::clone(&server), kind, tcp, peer, stop)
    })
    .await
}
