//! The IMAP listeners: `imap` (STARTTLS, RFC 9051 §6.2.1) and `imaps` (implicit TLS,
//! RFC 8314 §3.2); each connection the limits admit goes to `sigillo_imap`.

use super::accept::accept_loop;
use super::limits::ConnectionLimiter;
use sigillo_imap::Server;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::watch;

pub async fn serve(
    listener: TcpListener,
    implicit_tls: bool,
    server: Arc<Server>,
    limiter: Arc<ConnectionLimiter>,
    stop: watch::Receiver<bool>,
) -> std::io::Result<()> {
    // RFC 9051 §7.1.5: BYE in place of a greeting when the server refuses the connection.
    let busy: &[u8] = b"* BYE Too many connections; try again later\r\n";
    let name = if implicit_tls { "imaps" } else { "imap" };
    // With implicit TLS a plaintext BYE would be garbage to the client: just close.
    let busy = if implicit_tls { None } else { Some(busy) };
    accept_loop(listener, name, limiter, stop, busy, move |tcp, peer, stop| {
        sigillo_imap::handle_connection(Arc::clone(&server), tcp, peer, implicit_tls, stop)
    })
    .await
}
