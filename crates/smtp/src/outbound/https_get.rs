//! A minimal HTTPS GET (HTTP/1.1, `Connection: close`) for the MTA-STS policy fetch
//! (RFC 8461 §3.3): PKIX-validated TLS, one request, the body bounded in size and the whole
//! exchange in time. No redirects, no cookies, no keep-alive: a policy host needs none.

use sigillo_crypto::tls::verify::Pkix;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Largest response header block.
const MAX_HEADER_BYTES: usize = 16 * 1024;

pub struct HttpsTarget<'a> {
    pub host: &'a str,
    pub ips: &'a [IpAddr],
    pub port: u16,
    pub path: &'a str,
    pub timeout: Duration,
}

#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
}

#[derive(Debug, thiserror::Error)]
pub enum HttpsError {
    #[error("cannot connect to {0}: {1}")]
    Connect(String, String),
    #[error("TLS with {0}: {1}")]
    Tls(String, String),
    #[error("timeout talking to {0}")]
    Timeout(String),
    #[error("bad HTTP response from {0}: {1}")]
    Protocol(String, String),
    #[error("the response from {0} exceeds {1} bytes")]
    TooLarge(String, usize),
}

/// GETs `target.path` from the first address that answers; the whole exchange (connect,
/// handshake, request, response) must finish within `target.timeout`.
pub async fn get(target: &HttpsTarget<'_>, pkix: &Pkix, max_body: usize) -> Result<Response, HttpsError> {
    let host = target.host.to_string();
    tokio::time::timeout(target.timeout, exchange(target, pkix, max_body)).await.map_err(|_| HttpsError::Timeout(host))?
}

async fn exchange(target: &HttpsTarget<'_>, pkix: &Pkix, max_body: usize) -> Result<Response, HttpsError> {
    let host = target.host.to_string();
    let mut last = HttpsError::Connect(host.clone(), "no address".into());
    let mut tcp = None;
    for ip in target.ips {
        match TcpStream::connect(SocketAddr::new(*ip, target.port)).await {
            Ok(s) => {
                tcp = Some(s);
                break;
            }
            Err(e) => last = HttpsError::Connect(format!("{host} [{ip}]:{}", target.port), e.to_string()),
        }
    }
    let tcp = tcp.ok_or(last)?;
    let config = pkix.client_config().map_err(|e| HttpsError::Tls(host.clone(), e.to_string()))?;
    let name = rustls::pki_types::ServerName::try_from(host.clone()).map_err(|_| HttpsError::Tls(host.clone(), "bad host name".into()))?;
    let mut tls = tokio_rustls::TlsConnector::from(Arc::new(config))
        .connect(name, tcp)
        .await
        .map_err(|e| HttpsError::Tls(host.clone(), e.to_string()))?;
    let request =
        format!("GET {} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: sigillo\r\nAccept: text/plain\r\nConnection: close\r\n\r\n", target.path);
    tls.write_all(request.as_bytes()).await.map_err(|e| HttpsError::Tls(host.clone(), e.to_string()))?;
    let limit = MAX_HEADER_BYTES + max_body + 4096;
    let mut raw = Vec::new();
    // Some servers close without close_notify; what arrived is judged by its framing below.
    let read = (&mut tls).take(limit as u64 + 1).read_to_end(&mut raw).await;
    if let Err(e) = read
        && e.kind() != std::io::ErrorKind::UnexpectedEof
    {
        return Err(HttpsError::Tls(host, e.to_string()));
    }
    if raw.len() > limit {
        return Err(HttpsError::TooLarge(host, max_body));
    }
    parse_response(&raw, max_body).map_err(|e| match e {
        ParseError::TooLarge => HttpsError::TooLarge(host.clone(), max_body),
        ParseError::Bad(why) => HttpsError::Protocol(host.clone(), why),
    })
}

#[derive(Debug, PartialEq, Eq)]
enum ParseError {
    Bad(String),
    TooLarge,
}

/// RFC 9112: status line, header fields, then a body framed by `Content-Length`, chunked
/// transfer coding, or the end of the connection.
fn parse_response(raw: &[u8], max_body: usize) -> Result<Response, ParseError> {
    let bad = |why: &str| ParseError::Bad(why.to_string());
    let end = raw.windows(4).position(|w| w == b"\r\n\r\n").ok_or_else(|| bad("no end of header"))?;
    if end > MAX_HEADER_BYTES {
        return Err(bad("header too large"));
    }
    let head = std::str::from_utf8(&raw[..end]).map_err(|_| bad("header not UTF-8"))?;
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or("");
    let mut parts = status_line.splitn(3, ' ');
    let version = parts.next().unwrap_or("");
    if !version.starts_with("HTTP/1.") {
        return Err(bad("not an HTTP/1.x status line"));
    }
    let status = parts.next().and_then(|s| s.parse::<u16>().ok()).filter(|s| (100..600).contains(s)).ok_or_else(|| bad("bad status"))?;
    let (mut content_type, mut length, mut chunked) = (None, None, false);
    for line in lines {
        let (name, value) = line.split_once(':').ok_or_else(|| bad("bad header line"))?;
        let value = value.trim();
        match name.trim().to_ascii_lowercase().as_str() {
            "content-type" => content_type = Some(value.to_string()),
            "content-length" => length = Some(value.parse::<usize>().map_err(|_| bad("bad Content-Length"))?),
            "transfer-encoding" => chunked = value.to_ascii_lowercase().split(',').any(|c| c.trim() == "chunked"),
            _ => {}
        }
    }
    let rest = &raw[end + 4..];
    let body = if chunked {
        dechunk(rest, max_body)?
    } else if let Some(length) = length {
        if length > max_body {
            return Err(ParseError::TooLarge);
        }
        rest.get(..length).ok_or_else(|| bad("body shorter than Content-Length"))?.to_vec()
    } else {
        if rest.len() > max_body {
            return Err(ParseError::TooLarge);
        }
        rest.to_vec()
    };
    Ok(Response { status, content_type, body })
}

/// RFC 9112 §7.1: `size[;ext]CRLF data CRLF` … `0 CRLF [trailers] CRLF`.
fn dechunk(mut rest: &[u8], max_body: usize) -> Result<Vec<u8>, ParseError> {
    let bad = |why: &str| ParseError::Bad(why.to_string());
    let mut body = Vec::new();
    loop {
        let eol = rest.windows(2).position(|w| w == b"\r\n").ok_or_else(|| bad("truncated chunk size"))?;
        let size_text = std::str::from_utf8(&rest[..eol]).map_err(|_| bad("bad chunk size"))?;
        let size_text = size_text.split(';').next().unwrap_or("").trim();
        if size_text.is_empty() || size_text.len() > 8 {
            return Err(bad("bad chunk size"));
        }
        let size = usize::from_str_radix(size_text, 16).map_err(|_| bad("bad chunk size"))?;
        rest = &rest[eol + 2..];
        if size == 0 {
            return Ok(body);
        }
        if body.len().saturating_add(size) > max_body {
            return Err(ParseError::TooLarge);
        }
        let data = rest.get(..size).ok_or_else(|| bad("truncated chunk"))?;
        body.extend_from_slice(data);
        rest = rest.get(size..).and_then(|r| r.strip_prefix(b"\r\n")).ok_or_else(|| bad("chunk without CRLF"))?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_length_and_chunked_bodies() {
        let r = parse_response(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello", 64).unwrap();
        assert_eq!((r.status, r.content_type.as_deref(), &r.body[..]), (200, Some("text/plain"), &b"hello"[..]));
        let r = parse_response(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nhel\r\n2;x=y\r\nlo\r\n0\r\n\r\n", 64).unwrap();
        assert_eq!(r.body, b"hello");
        let r = parse_response(b"HTTP/1.0 404 Not Found\r\n\r\nnope", 64).unwrap();
        assert_eq!((r.status, &r.body[..]), (404, &b"nope"[..]));
    }

    #[test]
    fn limits_and_garbage() {
        assert_eq!(parse_response(b"HTTP/1.1 200 OK\r\nContent-Length: 65\r\n\r\n", 64).unwrap_err(), ParseError::TooLarge);
        assert_eq!(parse_response(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n41\r\n", 64).unwrap_err(), ParseError::TooLarge);
        assert!(parse_response(b"SSH-2.0-OpenSSH\r\n\r\n", 64).is_err());
        assert!(parse_response(b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nshort", 64).is_err());
        assert!(parse_response(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 64).is_err());
    }
}
