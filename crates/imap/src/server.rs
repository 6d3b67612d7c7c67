//! What every IMAP connection shares, and the connection entry point: TLS (implicit on
//! `imaps`, STARTTLS on `imap`), the greeting, the command loop, and BYE at shutdown.

use crate::io::{Conn, Stream};
use crate::open_stores::OpenStores;
use crate::session::Session;
use sigillo_auth::LoginGate;
use sigillo_store::DataDir;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;

pub struct Server {
    pub hostname: String,
    pub data: DataDir,
    pub gate: Arc<LoginGate>,
    pub tls: TlsAcceptor,
    /// APPENDLIMIT (RFC 7889) and the APPEND literal limit.
    pub max_message_size: u64,
    /// Before login: short, so idle unauthenticated sockets do not pile up.
    pub login_timeout: Duration,
    /// The mailstores open for logged-in accounts, one per account.
    pub stores: OpenStores,
}

/// RFC 9051 §5.4: the autologout timer is at least 30 minutes; IDLE is excepted.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(30 * 60);
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

pub async fn handle_connection(server: Arc<Server>, tcp: TcpStream, peer: SocketAddr, implicit_tls: bool, stop: watch::Receiver<bool>) {
    let stream = if implicit_tls {
        match tokio::time::timeout(HANDSHAKE_TIMEOUT, server.tls.accept(tcp)).await {
            Ok(Ok(tls)) => Stream::Tls(Box::new(tls)),
            Ok(Err(e)) => return tracing::debug!(%peer, error = %e, "TLS handshake failed"),
            Err(_) => return tracing::debug!(%peer, "TLS handshake timed out"),
        }
    } else {
        Stream::Plain(tcp)
    };
    let conn = Conn::new(stream, server.login_timeout);
    let mut session = Session::new(server, conn, peer, implicit_tls, stop);
    if let Err(e) = session.run().await {
        tracing::debug!(%peer, error = %e, "IMAP connection ended");
    }
}
