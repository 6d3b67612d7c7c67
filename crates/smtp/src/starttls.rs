//! STARTTLS (RFC 3207) and the implicit-TLS handshake of `submissions` (RFC 8314 §3.3).
//! rustls with TLS 1.2 and 1.3 only (the acceptor comes from the binary).

use crate::Server;
use crate::error::SmtpError;
use crate::io::Stream;
use crate::reply::Reply;
use crate::session::{Flow, Session, TlsInfo};
use tokio::net::TcpStream;

pub async fn handshake(server: &Server, tcp: TcpStream) -> Result<(Stream, TlsInfo), SmtpError> {
    let tls = tokio::time::timeout(server.limits.handshake_timeout, server.tls.accept(tcp))
        .await
        .map_err(|_| SmtpError::Tls("handshake timed out".into()))?
        .map_err(|e| SmtpError::Tls(e.to_string()))?;
    let (_, conn) = tls.get_ref();
    let version = match conn.protocol_version() {
        Some(rustls::ProtocolVersion::TLSv1_3) => "TLSv1.3".to_string(),
        Some(rustls::ProtocolVersion::TLSv1_2) => "TLSv1.2".to_string(),
        Some(other) => format!("{other:?}"),
        None => "TLS".to_string(),
    };
    let cipher = conn
        .negotiated_cipher_suite()
        .map(|s| s.suite().as_str().map(|n| n.replacen("TLS13_", "TLS_", 1)).unwrap_or_else(|| format!("{:?}", s.suite())))
        .unwrap_or_default();
    Ok((Stream::Tls(Box::new(tls)), TlsInfo { version, cipher }))
}

pub async fn starttls(session: &mut Session) -> Result<Flow, SmtpError> {
    if session.tls.is_some() {
        return Ok(session.refuse(Reply::new(503, "5.5.1", "TLS already active")));
    }
    session.conn.reply(&Reply::new(220, "2.0.0", "Ready to start TLS"));
    session.conn.flush().await?;
    // RFC 3207 §4.2 (and CVE-2011-0411): anything the client pipelined after STARTTLS was
    // sent in clear and must not be taken as a command of the protected session.
    if session.conn.has_buffered_input() {
        tracing::info!(peer = %session.peer, "discarded input pipelined after STARTTLS");
    }
    session.conn.discard_input();
    let Some(tcp) = session.conn.take_plain() else {
        return Ok(Flow::Close);
    };
    let (stream, info) = handshake(&session.server, tcp).await?;
    session.conn.set_stream(stream);
    // RFC 3207 §4.2: forget everything learnt before TLS; the client must EHLO again.
    session.tls = Some(info);
    session.helo = None;
    session.esmtp = false;
    session.tx = None;
    session.auth = None;
    Ok(Flow::Continue)
}
