//! The POP3 listeners (`pop3` with STLS, `pop3s` with implicit TLS): each connection the
//! limits admit goes to `sigillo_pop3::handle_connection`.

use super::accept::accept_loop;
use super::limits::ConnectionLimiter;
use sigillo_pop3::Server;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::watch;

pub async fn serve(
    listener: TcpListener,
    name: &'static str,
    server: Arc<Server>,
    limiter: Arc<ConnectionLimiter>,
    stop: watch::Receiver<bool>,
) -> std::io::Result<()> {
    // RFC 2449 §8.1.2: [SYS/TEMP] says the problem is temporary.
    let busy: &[u8] = b"-ERR [SYS/TEMP] Too many connections\r\n";
    let implicit_tls = name == "pop3s";
    accept_loop(listener, name, limiter, stop, Some(busy), move |tcp, peer, stop| {
        sigillo_pop3::handle_connection(Arc::clone(&server), implicit_tls, tcp, peer, stop)
    })
    .await
}
