//! A client for an outside RFC 3161 Time-Stamp Authority (`[certify] tsa_url`), over HTTP or
//! HTTPS (RFC 3161 §3.4: POST `application/timestamp-query`).
//!
//! Why our own small HTTP/1.1 client: one POST of a few hundred bytes per event, answered
//! with a few kilobytes; the server's reply is checked end to end (status, nonce, imprint,
//! signature, chain to the configured CA), so the transport only has to carry bytes. It is
//! blocking on purpose: certification already runs on a blocking thread.

use super::TsaError;
use super::oids::ID_SHA_256;
use super::sign::{TIMESTAMP_QUERY, TIMESTAMP_REPLY};
use super::verify::verify_token;
use cmpv2::status::PkiStatus;
use der::asn1::{Int, OctetString};
use der::{Decode, Encode};
use spki::AlgorithmIdentifierOwned;
use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::time::Duration;
use x509_cert::Certificate;
use x509_tsp::{MessageImprint, TimeStampReq, TimeStampResp, TspVersion};

/// A reply is a token with a certificate or two: a few KiB. Anything larger is refused.
const MAX_REPLY: usize = 256 * 1024;
/// The status line and headers together.
const MAX_HEAD: usize = 16 * 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
struct Url {
    https: bool,
    host: String,
    port: u16,
    path: String,
}

fn parse_url(url: &str) -> Result<Url, TsaError> {
    let bad = |why: &str| TsaError::Client(format!("tsa_url {url:?}: {why}"));
    let (https, rest) = if let Some(rest) = url.strip_prefix("https://") {
        (true, rest)
    } else if let Some(rest) = url.strip_prefix("http://") {
        (false, rest)
    } else {
        return Err(bad("must start with http:// or https://"));
    };
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let path = if path.is_empty() { "/" } else { path };
    if authority.is_empty() || authority.contains('@') || path.bytes().any(|b| b <= b' ' || b == 0x7f) {
        return Err(bad("no host, user info or a bad path"));
    }
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) if !host.ends_with(']') || host.starts_with('[') => {
            (host, port.parse::<u16>().map_err(|_| bad("the port is not a number"))?)
        }
        _ => (authority, if https { 443 } else { 80 }),
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host.is_empty() || host.bytes().any(|b| !(b.is_ascii_alphanumeric() || b"-.:".contains(&b))) {
        return Err(bad("the host name is not valid"));
    }
    Ok(Url { https, host: host.to_string(), port, path: path.to_string() })
}

/// An outside TSA: where it is, the CA its tokens must chain to, and the limits.
pub struct TsaClient {
    url: Url,
    ca: Certificate,
    tls: Option<Arc<rustls::ClientConfig>>,
    timeout: Duration,
}

impl TsaClient {
    /// `ca`: the trust anchor of the TSA's tokens. `tls_roots`: the CA of the HTTPS server's
    /// certificate (PEM); without it the system's roots are used.
    pub fn new(url: &str, ca: Certificate, tls_roots: Option<&[u8]>, timeout: Duration) -> Result<Self, TsaError> {
        let url = parse_url(url)?;
        let tls = if url.https { Some(Arc::new(tls_config(tls_roots)?)) } else { None };
        Ok(TsaClient { url, ca, tls, timeout })
    }

    pub fn ca(&self) -> &Certificate {
        &self.ca
    }

    /// Asks the TSA for a token over `digest` (SHA-256) and checks it; returns the token
    /// (DER ContentInfo) only if it is granted, answers our nonce, stamps our digest and
    /// verifies against the configured CA.
    pub fn stamp_sha256(&self, digest: &[u8; 32]) -> Result<Vec<u8>, TsaError> {
        let mut nonce = [0u8; 8];
        getrandom::fill(&mut nonce).map_err(|e| TsaError::Client(format!("no randomness for a nonce: {e}")))?;
        nonce[0] &= 0x7f; // a positive INTEGER
        nonce[0] |= 0x01; // minimal DER: no leading zero byte
        let request = TimeStampReq {
            version: TspVersion::V1,
            message_imprint: MessageImprint {
                hash_algorithm: AlgorithmIdentifierOwned { oid: ID_SHA_256, parameters: None },
                hashed_message: OctetString::new(digest.to_vec())?,
            },
            req_policy: None,
            nonce: Some(Int::new(&nonce)?),
            cert_req: true,
            extensions: None,
        }
        .to_der()?;
        let reply = self.post(&request)?;
        let response =
            TimeStampResp::from_der(&reply).map_err(|e| TsaError::Client(format!("the TSA's reply is not a TimeStampResp: {e}")))?;
        // RFC 3161 §2.4.2: granted or grantedWithMods carry a token; anything else is a refusal.
        if !matches!(response.status.status, PkiStatus::Accepted | PkiStatus::GrantedWithMods) {
            return Err(TsaError::Client(format!("the TSA refused the request (status {:?})", response.status.status)));
        }
        let token = response.time_stamp_token.ok_or_else(|| TsaError::Client("the TSA granted the request but sent no token".into()))?;
        let token = token.to_der()?;
        let facts = verify_token(&token, digest, &self.ca, &[])?;
        if facts.nonce.as_deref() != Some(&nonce[..]) {
            return Err(TsaError::Invalid("the token does not answer our nonce (a replayed or foreign reply)".into()));
        }
        Ok(token)
    }

    fn post(&self, body: &[u8]) -> Result<Vec<u8>, TsaError> {
        let url = &self.url;
        let unreachable = |e: std::io::Error| TsaError::Client(format!("cannot reach the TSA at {}:{}: {e}", url.host, url.port));
        let addrs: Vec<_> = (url.host.as_str(), url.port).to_socket_addrs().map_err(unreachable)?.collect();
        let mut last = std::io::Error::new(std::io::ErrorKind::NotFound, "no address");
        let mut stream = None;
        for addr in addrs {
            match TcpStream::connect_timeout(&addr, self.timeout) {
                Ok(s) => {
                    stream = Some(s);
                    break;
                }
                Err(e) => last = e,
            }
        }
        let tcp = stream.ok_or_else(|| unreachable(last))?;
        tcp.set_read_timeout(Some(self.timeout)).map_err(unreachable)?;
        tcp.set_write_timeout(Some(self.timeout)).map_err(unreachable)?;
        let head = format!(
            "POST {} HTTP/1.1\r\nHost: {}\r\nContent-Type: {TIMESTAMP_QUERY}\r\nAccept: {TIMESTAMP_REPLY}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            url.path,
            url.host,
            body.len()
        );
        let io = |e: std::io::Error| {
            if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) {
                TsaError::Client(format!("the TSA at {}:{} did not answer within {:?}", url.host, url.port, self.timeout))
            } else {
                TsaError::Client(format!("talking to the TSA at {}:{}: {e}", url.host, url.port))
            }
        };
        let mut raw = Vec::new();
        match &self.tls {
            Some(config) => {
                let name = rustls::pki_types::ServerName::try_from(url.host.clone())
                    .map_err(|_| TsaError::Client(format!("{} is not a TLS server name", url.host)))?;
                let conn = rustls::ClientConnection::new(Arc::clone(config), name).map_err(|e| TsaError::Client(format!("TLS: {e}")))?;
                let mut tls = rustls::StreamOwned::new(conn, tcp);
                tls.write_all(head.as_bytes()).and_then(|()| tls.write_all(body)).map_err(io)?;
                read_limited(&mut tls, &mut raw).map_err(io)?;
            }
            None => {
                let mut tcp = tcp;
                tcp.write_all(head.as_bytes()).and_then(|()| tcp.write_all(body)).map_err(io)?;
                read_limited(&mut tcp, &mut raw).map_err(io)?;
            }
        }
        parse_http_reply(&raw)
    }
}

/// Reads to the end (the server closes: `Connection: close`), at most [`MAX_REPLY`] + head.
fn read_limited(stream: &mut impl Read, out: &mut Vec<u8>) -> std::io::Result<()> {
    let limit = (MAX_REPLY + MAX_HEAD) as u64;
    let read = stream.take(limit + 1).read_to_end(out);
    match read {
        // A TLS peer that closes without close_notify after a complete reply: keep what came.
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof && !out.is_empty() => {}
        Err(e) => return Err(e),
        Ok(_) => {}
    }
    if out.len() as u64 > limit {
        return Err(std::io::Error::other(format!("the reply is larger than {MAX_REPLY} bytes")));
    }
    Ok(())
}

/// Status 200, content type `application/timestamp-reply`, the body (Content-Length,
/// chunked, or up to the close).
fn parse_http_reply(raw: &[u8]) -> Result<Vec<u8>, TsaError> {
    let bad = |why: String| TsaError::Client(format!("the TSA's HTTP reply: {why}"));
    let end = raw.windows(4).take(MAX_HEAD).position(|w| w == b"\r\n\r\n").ok_or_else(|| bad("no complete header".into()))?;
    let head = std::str::from_utf8(&raw[..end]).map_err(|_| bad("the header is not text".into()))?;
    let mut lines = head.split("\r\n");
    let status = lines.next().unwrap_or_default();
    let code = status.split_whitespace().nth(1).unwrap_or_default();
    if !status.starts_with("HTTP/1.") || code != "200" {
        return Err(bad(format!("{status:?}")));
    }
    let mut length = None;
    let mut chunked = false;
    let mut content_type = String::new();
    for line in lines {
        let Some((name, value)) = line.split_once(':') else { continue };
        let value = value.trim();
        match name.trim().to_ascii_lowercase().as_str() {
            "content-length" => length = Some(value.parse::<usize>().map_err(|_| bad("bad Content-Length".into()))?),
            "transfer-encoding" => chunked = value.eq_ignore_ascii_case("chunked"),
            "content-type" => content_type = value.to_ascii_lowercase(),
            _ => {}
        }
    }
    if content_type.split(';').next().unwrap_or_default().trim() != TIMESTAMP_REPLY {
        return Err(bad(format!("content type {content_type:?}, expected {TIMESTAMP_REPLY}")));
    }
    let body = &raw[end + 4..];
    if chunked {
        return dechunk(body).ok_or_else(|| bad("malformed chunked body".into()));
    }
    match length {
        Some(n) if body.len() >= n => Ok(body[..n].to_vec()),
        Some(n) => Err(bad(format!("{} of {n} body bytes arrived", body.len()))),
        None => Ok(body.to_vec()),
    }
}

/// RFC 9112 §7.1 chunked transfer coding (extensions and trailers ignored).
fn dechunk(mut body: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let line_end = body.windows(2).position(|w| w == b"\r\n")?;
        let size_text = std::str::from_utf8(&body[..line_end]).ok()?;
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        body = &body[line_end + 2..];
        if size == 0 {
            return Some(out);
        }
        if body.len() < size + 2 || out.len() + size > MAX_REPLY {
            return None;
        }
        out.extend_from_slice(&body[..size]);
        body = &body[size + 2..];
    }
}

fn tls_config(roots_pem: Option<&[u8]>) -> Result<rustls::ClientConfig, TsaError> {
    let mut roots = rustls::RootCertStore::empty();
    match roots_pem {
        Some(pem) => {
            for cert in rustls_pemfile::certs(&mut &pem[..]) {
                let cert = cert.map_err(|e| TsaError::Client(format!("the TSA TLS CA file: {e}")))?;
                roots.add(cert).map_err(|e| TsaError::Client(format!("the TSA TLS CA file: {e}")))?;
            }
        }
        None => {
            for cert in rustls_native_certs::load_native_certs().certs {
                // A broken system certificate is skipped, as every TLS client does.
                let _ = roots.add(cert);
            }
        }
    }
    if roots.is_empty() {
        return Err(TsaError::Client("no CA certificates to check the TSA's HTTPS server with".into()));
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| TsaError::Client(format!("TLS: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tsa::{Tsa, TsaKeys, TsaMaterial};
    use std::net::TcpListener;

    fn keys() -> TsaKeys {
        let mut extra = Default::default();
        TsaMaterial::ensure(&mut extra, "tsa.example.org").unwrap();
        TsaKeys::load(&extra).unwrap()
    }

    /// A one-connection-at-a-time HTTP TSA on loopback; `answer` maps a request body to a reply.
    fn serve(answer: impl Fn(&[u8]) -> Vec<u8> + Send + 'static) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://127.0.0.1:{}/tsa", listener.local_addr().unwrap().port());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let mut stream = stream.unwrap();
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                let body = loop {
                    let n = stream.read(&mut chunk).unwrap();
                    buf.extend_from_slice(&chunk[..n]);
                    if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                        let head = String::from_utf8_lossy(&buf[..end]).to_lowercase();
                        let len: usize = head.split("content-length: ").nth(1).unwrap().lines().next().unwrap().parse().unwrap();
                        if buf.len() >= end + 4 + len {
                            break buf[end + 4..end + 4 + len].to_vec();
                        }
                    }
                };
                stream.write_all(&answer(&body)).unwrap();
            }
        });
        url
    }

    fn http(body: &[u8]) -> Vec<u8> {
        let mut out = format!("HTTP/1.1 200 OK\r\nContent-Type: {TIMESTAMP_REPLY}\r\nContent-Length: {}\r\n\r\n", body.len()).into_bytes();
        out.extend_from_slice(body);
        out
    }

    #[test]
    fn urls_are_parsed_strictly() {
        let u = parse_url("https://tsa.example:8443/tsa").unwrap();
        assert_eq!((u.https, u.host.as_str(), u.port, u.path.as_str()), (true, "tsa.example", 8443, "/tsa"));
        assert_eq!(parse_url("http://tsa.example").unwrap().port, 80);
        for bad in ["ftp://x/", "https://", "https://u@x/", "http://x:port/", "http://x/a b", "http://x\r\n/"] {
            assert!(parse_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_token_from_an_outside_tsa_is_checked_end_to_end() {
        let remote = keys();
        let tsa = Tsa::new(&remote).unwrap();
        let url = serve(move |req| http(&tsa.respond(req)));
        let client = TsaClient::new(&url, remote.ca_cert.clone(), None, Duration::from_secs(5)).unwrap();
        let digest = crate::sha256(b"event");
        let token = client.stamp_sha256(&digest).unwrap();
        verify_token(&token, &digest, &remote.ca_cert, &[]).unwrap();

        // Tokens that chain to another CA are refused.
        let stranger = TsaClient::new(&url, keys().ca_cert, None, Duration::from_secs(5)).unwrap();
        assert!(stranger.stamp_sha256(&digest).unwrap_err().to_string().contains("trusted CA"));
    }

    #[test]
    fn replays_refusals_and_silence_are_clear_errors() {
        let remote = keys();
        let tsa = Tsa::new(&remote).unwrap();
        // A replayed reply: a valid token for an earlier request (another nonce).
        let digest = crate::sha256(b"event");
        let first = serve(move |req| http(&tsa.respond(req)));
        let client = TsaClient::new(&first, remote.ca_cert.clone(), None, Duration::from_secs(5)).unwrap();
        let tsa = Tsa::new(&remote).unwrap();
        let recorded = std::sync::Mutex::new(None::<Vec<u8>>);
        let replaying = serve(move |req| {
            let mut r = recorded.lock().unwrap();
            let reply = r.get_or_insert_with(|| tsa.respond(req)).clone();
            http(&reply)
        });
        let replayed = TsaClient::new(&replaying, remote.ca_cert.clone(), None, Duration::from_secs(5)).unwrap();
        replayed.stamp_sha256(&digest).unwrap();
        assert!(replayed.stamp_sha256(&digest).unwrap_err().to_string().contains("nonce"));
        client.stamp_sha256(&digest).unwrap();

        // A refusal (garbage is answered with status rejection), an error page, a wrong type.
        let garbage = serve(|_| http(&Tsa::new(&keys()).unwrap().respond(b"junk")));
        let c = TsaClient::new(&garbage, remote.ca_cert.clone(), None, Duration::from_secs(5)).unwrap();
        assert!(c.stamp_sha256(&digest).unwrap_err().to_string().contains("refused"));
        let page = serve(|_| b"HTTP/1.1 503 Busy\r\nContent-Length: 0\r\n\r\n".to_vec());
        let c = TsaClient::new(&page, remote.ca_cert.clone(), None, Duration::from_secs(5)).unwrap();
        assert!(c.stamp_sha256(&digest).unwrap_err().to_string().contains("503"));
        let html = serve(|_| b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 2\r\n\r\nhi".to_vec());
        let c = TsaClient::new(&html, remote.ca_cert.clone(), None, Duration::from_secs(5)).unwrap();
        assert!(c.stamp_sha256(&digest).unwrap_err().to_string().contains("content type"));

        // A server that accepts and never answers: a timeout, named as such.
        let silent = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://127.0.0.1:{}/tsa", silent.local_addr().unwrap().port());
        let c = TsaClient::new(&url, remote.ca_cert.clone(), None, Duration::from_millis(300)).unwrap();
        assert!(c.stamp_sha256(&digest).unwrap_err().to_string().contains("did not answer within"));
        drop(silent);
        // Nobody listening.
        let c = TsaClient::new(&url, remote.ca_cert.clone(), None, Duration::from_millis(300)).unwrap();
        assert!(c.stamp_sha256(&digest).unwrap_err().to_string().contains("cannot reach the TSA"));
    }

    #[test]
    fn chunked_bodies_are_joined() {
        assert_eq!(dechunk(b"3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\n").unwrap(), b"abcde");
        assert!(dechunk(b"5\r\nab").is_none());
    }
}
