//! Talking to our own listeners the way a client would: plain TCP for the greeting and
//! capabilities, a TLS handshake (rustls) that records the version and the certificate.

use rustls::pki_types::ServerName;
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(5);

/// A line-based conversation over plain TCP: reads the greeting, sends each command and
/// collects every reply line (until a line `done` accepts), returns the whole transcript.
pub fn converse(addr: SocketAddr, commands: &[&str], done: fn(&str) -> bool) -> std::io::Result<String> {
    let stream = TcpStream::connect_timeout(&addr, TIMEOUT)?;
    stream.set_read_timeout(Some(TIMEOUT))?;
    stream.set_write_timeout(Some(TIMEOUT))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut writer = stream;
    let mut transcript = String::new();
    let mut read_reply = |transcript: &mut String, done: &dyn Fn(&str) -> bool| -> std::io::Result<()> {
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line)? == 0 {
                return Ok(());
            }
            transcript.push_str(&line);
            if done(&line) {
                return Ok(());
            }
        }
    };
    // A greeting is one line (IMAP `* OK`, POP3 `+OK`) or SMTP's `220-` lines ending in `220 `.
    read_reply(&mut transcript, &|l: &str| l.as_bytes().get(3) != Some(&b'-'))?;
    for command in commands {
        writer.write_all(format!("{command}\r\n").as_bytes())?;
        read_reply(&mut transcript, &done)?;
    }
    Ok(transcript)
}

/// What a TLS handshake showed.
pub struct Handshake {
    pub version: String,
    pub cipher: String,
    pub certificate: Vec<u8>,
}

/// Completes a TLS handshake limited to `versions`; the certificate is recorded, not
/// judged (its validity is checked separately, and it is self-signed on a fresh install).
pub fn tls_handshake(
    addr: SocketAddr,
    server_name: &str,
    versions: &[&'static rustls::SupportedProtocolVersion],
) -> Result<Handshake, String> {
    // The handshake signatures are still verified: the server must hold the key.
    let config = sigillo_crypto::tls::verify::any_certificate_config(versions).map_err(|e| e.to_string())?;
    let name = ServerName::try_from(server_name.to_string()).map_err(|e| e.to_string())?;
    let mut conn = rustls::ClientConnection::new(Arc::new(config), name).map_err(|e| e.to_string())?;
    let mut tcp = TcpStream::connect_timeout(&addr, TIMEOUT).map_err(|e| e.to_string())?;
    tcp.set_read_timeout(Some(TIMEOUT)).map_err(|e| e.to_string())?;
    tcp.set_write_timeout(Some(TIMEOUT)).map_err(|e| e.to_string())?;
    while conn.is_handshaking() {
        conn.complete_io(&mut tcp).map_err(|e| e.to_string())?;
    }
    let version = conn.protocol_version().map(|v| format!("{v:?}")).unwrap_or_default();
    let cipher = conn.negotiated_cipher_suite().map(|c| format!("{:?}", c.suite())).unwrap_or_default();
    let certificate = conn.peer_certificates().and_then(|c| c.first()).map(|c| c.as_ref().to_vec()).unwrap_or_default();
    conn.send_close_notify();
    let _ = conn.complete_io(&mut tcp);
    Ok(Handshake { version, cipher, certificate })
}

/// Most bytes of a reply [`https_request`] reads.
const MAX_REPLY: usize = 64 * 1024;

/// One HTTP/1.1 request over TLS (certificate recorded, not judged; send `Connection:
/// close`); returns the status line and headers, and the body (at most 64 KiB in all).
pub fn https_request(addr: SocketAddr, server_name: &str, request: &[u8]) -> Result<(String, Vec<u8>), String> {
    use std::io::Read;
    let config = sigillo_crypto::tls::verify::any_certificate_config(rustls::DEFAULT_VERSIONS).map_err(|e| e.to_string())?;
    let name = ServerName::try_from(server_name.to_string()).map_err(|e| e.to_string())?;
    let conn = rustls::ClientConnection::new(Arc::new(config), name).map_err(|e| e.to_string())?;
    let tcp = TcpStream::connect_timeout(&addr, TIMEOUT).map_err(|e| e.to_string())?;
    tcp.set_read_timeout(Some(TIMEOUT)).map_err(|e| e.to_string())?;
    tcp.set_write_timeout(Some(TIMEOUT)).map_err(|e| e.to_string())?;
    let mut tls = rustls::StreamOwned::new(conn, tcp);
    tls.write_all(request).map_err(|e| e.to_string())?;
    let mut reply = Vec::new();
    let mut buf = [0u8; 4096];
    while reply.len() < MAX_REPLY {
        match tls.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => reply.extend_from_slice(&buf[..n]),
            Err(e) if reply.is_empty() => return Err(e.to_string()),
            // A peer that closes without close_notify still sent a whole reply.
            Err(_) => break,
        }
    }
    let split = reply.windows(4).position(|w| w == b"\r\n\r\n").ok_or("no HTTP reply header")?;
    let head = String::from_utf8_lossy(&reply[..split]).into_owned();
    Ok((head, reply[split + 4..].to_vec()))
}
