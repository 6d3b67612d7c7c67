//! The SMTP client of outbound delivery (RFC 5321 §3, §4): one transaction with one host.
//!
//! EHLO (HELO if refused), STARTTLS (RFC 3207), `MAIL FROM`, one `RCPT TO` per recipient,
//! `DATA` with dot-stuffing (§4.5.2), `QUIT`. Every reply is read under a timeout and size limits.
//!
//! The TLS handshake accepts any certificate whose key signed the handshake; right after it,
//! before a single envelope byte is sent, the recorded chain is judged by the policy in force
//! ([`TlsRequirement`]: PKIX for the MX name, DANE TLSA, REQUIRETLS). An enforced policy that
//! fails ends the session with [`SessionError::Policy`]; opportunistic TLS (RFC 7435) and
//! MTA-STS `testing` go on and only record the failure.

use super::DeliveryReport;
use super::tls_policy::{PolicyFailure, TlsRequirement};
use rustls::pki_types::{CertificateDer, ServerName};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// Longest reply line we read (RFC 5321 §4.5.3.1.5: 512 octets; some servers exceed it).
const MAX_REPLY_LINE: usize = 2048;
/// Most lines of one multiline reply.
const MAX_REPLY_LINES: usize = 100;

/// A server reply: its code and every line's text joined by spaces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerReply {
    pub code: u16,
    pub lines: Vec<String>,
}

impl ServerReply {
    /// "250 2.0.0 Ok" — the reply as one line, for logs, the queue file and DSNs.
    pub fn text(&self) -> String {
        format!("{} {}", self.code, self.lines.join(" "))
    }

    fn is_positive(&self) -> bool {
        (200..400).contains(&self.code)
    }

    fn is_permanent(&self) -> bool {
        self.code >= 500
    }
}

/// The outcome for one recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RcptOutcome {
    Delivered(DeliveryReport),
    /// 4xx or a connection problem: try again later.
    Temporary(String),
    /// 5xx: final failure; the report holds the host and reply.
    Permanent(String, Option<DeliveryReport>),
}

/// A failure before any recipient-specific answer: the next MX host may do better.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SessionError {
    #[error("{0}")]
    Temporary(String),
    /// The host refused the sender or the whole transaction with 5xx.
    #[error("{0}")]
    Permanent(String),
    /// The host did not meet the enforced transport-security policy; nothing was sent.
    #[error("{}", .0.detail)]
    Policy(PolicyFailure),
}

/// One message for one host.
pub struct Envelope<'a> {
    pub helo: &'a str,
    pub mail_from: &'a str,
    pub recipients: &'a [String],
    pub message: &'a [u8],
    pub eight_bit: bool,
    pub smtputf8: bool,
}

trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

struct Conn {
    io: BufReader<Box<dyn Io>>,
    timeout: Duration,
}

impl Conn {
    async fn read_reply(&mut self) -> Result<ServerReply, SessionError> {
        let mut lines = Vec::new();
        loop {
            let mut raw = Vec::new();
            let read = tokio::time::timeout(self.timeout, (&mut self.io).take(MAX_REPLY_LINE as u64).read_until(b'\n', &mut raw))
                .await
                .map_err(|_| SessionError::Temporary("timeout waiting for a reply".into()))?
                .map_err(|e| SessionError::Temporary(format!("connection error: {e}")))?;
            if read == 0 {
                return Err(SessionError::Temporary("connection closed by the remote host".into()));
            }
            let line = String::from_utf8_lossy(&raw).trim_end_matches(['\r', '\n']).to_string();
            // RFC 5321 §4.2: "ddd-text" continues, "ddd text" (or "ddd") ends.
            let code = line.get(..3).and_then(|c| c.parse::<u16>().ok()).filter(|c| (200..600).contains(c));
            let Some(code) = code else {
                return Err(SessionError::Temporary(format!("malformed reply: {:?}", truncate(&line))));
            };
            let more = line.as_bytes().get(3) == Some(&b'-');
            lines.push(line.get(4..).unwrap_or("").to_string());
            if lines.len() > MAX_REPLY_LINES {
                return Err(SessionError::Temporary("reply too long".into()));
            }
            if !more {
                return Ok(ServerReply { code, lines });
            }
        }
    }

    async fn send(&mut self, bytes: &[u8]) -> Result<(), SessionError> {
        let io = self.io.get_mut();
        tokio::time::timeout(self.timeout, async {
            io.write_all(bytes).await?;
            io.flush().await
        })
        .await
        .map_err(|_| SessionError::Temporary("timeout while sending".into()))?
        .map_err(|e| SessionError::Temporary(format!("connection error: {e}")))
    }

    async fn command(&mut self, line: &str) -> Result<ServerReply, SessionError> {
        self.send(format!("{line}\r\n").as_bytes()).await?;
        self.read_reply().await
    }
}

fn truncate(s: &str) -> &str {
    s.get(..200).unwrap_or(s)
}

/// What the session's TLS showed, for the delivery report and TLS-RPT (filled in as the
/// session goes, so a failed session still tells what it met).
#[derive(Debug, Default, Clone)]
pub struct SessionTls {
    pub version: Option<String>,
    pub cipher: Option<String>,
    pub cert_sha256: Option<String>,
    /// The certificate passed the check the policy uses (PKIX for the MX name, or DANE).
    pub verified: bool,
    /// Why the policy was not met (also when it was not enforced: MTA-STS testing).
    pub failure: Option<PolicyFailure>,
}

/// Delivers `envelope` to one host; `Err` when the host could not take responsibility for
/// any recipient (try the next MX), `Ok` with one outcome per recipient otherwise.
pub async fn deliver(
    host: &str,
    ip: IpAddr,
    port: u16,
    timeout: Duration,
    envelope: &Envelope<'_>,
    policy: &TlsRequirement<'_>,
    tls: &mut SessionTls,
) -> Result<Vec<RcptOutcome>, SessionError> {
    let addr = SocketAddr::new(ip, port);
    let tcp = tokio::time::timeout(timeout, TcpStream::connect(addr))
        .await
        .map_err(|_| SessionError::Temporary(format!("timeout connecting to {host} [{ip}]:{port}")))?
        .map_err(|e| SessionError::Temporary(format!("cannot connect to {host} [{ip}]:{port}: {e}")))?;
    let mut conn = Conn { io: BufReader::new(Box::new(tcp)), timeout };
    let greeting = conn.read_reply().await?;
    if greeting.code != 220 {
        return Err(SessionError::Temporary(format!("{host} greeting: {}", greeting.text())));
    }
    let mut caps = ehlo(&mut conn, envelope.helo).await?;
    let offers = |caps: &[String], cap: &str| caps.iter().any(|c| c.split_whitespace().next().is_some_and(|k| k.eq_ignore_ascii_case(cap)));
    // RFC 3207: STARTTLS when offered; a failed handshake ends this connection (retry).
    if offers(&caps, "STARTTLS") {
        let reply = conn.command("STARTTLS").await?;
        if reply.code == 220 {
            let (upgraded, chain) = starttls(conn, host, timeout, tls).await?;
            conn = upgraded;
            policy.judge(host, &chain, tls);
            if let Some(failure) = tls.failure.clone().filter(|_| policy.enforced) {
                let _ = conn.command("QUIT").await;
                return Err(SessionError::Policy(failure));
            }
            caps = ehlo(&mut conn, envelope.helo).await?;
        }
    }
    if tls.version.is_none() && policy.kind.wants_tls() {
        // RFC 8461 §5, RFC 7672 §2.2, RFC 8689 §4.2.1: no TLS, no delivery under the policy.
        let failure = PolicyFailure::new("starttls-not-supported", format!("{host} offered no usable STARTTLS"));
        tls.failure = Some(failure.clone());
        if policy.enforced {
            let _ = conn.command("QUIT").await;
            return Err(SessionError::Policy(failure));
        }
    }
    // RFC 8689 §4.2.1: REQUIRETLS only to a server that advertises it (after TLS).
    if policy.requiretls && !offers(&caps, "REQUIRETLS") {
        let _ = conn.command("QUIT").await;
        return Err(SessionError::Policy(PolicyFailure::new("requiretls-not-supported", format!("{host} does not advertise REQUIRETLS"))));
    }
    let has = |cap: &str| offers(&caps, cap);
    let mut mail = format!("MAIL FROM:<{}>", envelope.mail_from);
    if envelope.eight_bit && has("8BITMIME") {
        mail.push_str(" BODY=8BITMIME");
    }
    if envelope.smtputf8 {
        if !has("SMTPUTF8") {
            return Err(SessionError::Permanent(format!("{host} does not support SMTPUTF8 (RFC 6531 §3.4)")));
        }
        mail.push_str(" SMTPUTF8");
    }
    if policy.requiretls {
        mail.push_str(" REQUIRETLS");
    }
    let reply = conn.command(&mail).await?;
    if !reply.is_positive() {
        let _ = conn.command("QUIT").await;
        return Err(if reply.is_permanent() { SessionError::Permanent(reply.text()) } else { SessionError::Temporary(reply.text()) });
    }
    let tls = &*tls;
    let report = |reply: &ServerReply| DeliveryReport {
        mx_host: host.to_string(),
        mx_ip: ip.to_string(),
        tls_version: tls.version.clone(),
        tls_cipher: tls.cipher.clone(),
        peer_cert_sha256: tls.cert_sha256.clone(),
        cert_verified: tls.verified,
        reply: reply.text(),
        at: sigillo_core::clock::unix_now(),
        tls_policy: policy.kind.label().to_string(),
        tls_policy_failure: tls.failure.as_ref().map(|f| f.to_string()),
    };
    let mut outcomes: Vec<Option<RcptOutcome>> = Vec::with_capacity(envelope.recipients.len());
    for rcpt in envelope.recipients {
        let reply = conn.command(&format!("RCPT TO:<{rcpt}>")).await?;
        outcomes.push(if reply.is_positive() {
            None
        } else if reply.is_permanent() {
            Some(RcptOutcome::Permanent(reply.text(), Some(report(&reply))))
        } else {
            Some(RcptOutcome::Temporary(reply.text()))
        });
    }
    if outcomes.iter().all(Option::is_some) {
        let _ = conn.command("QUIT").await;
        return Ok(outcomes.into_iter().flatten().collect());
    }
    let reply = conn.command("DATA").await?;
    if reply.code != 354 {
        let _ = conn.command("QUIT").await;
        return Err(if reply.is_permanent() { SessionError::Permanent(reply.text()) } else { SessionError::Temporary(reply.text()) });
    }
    conn.send(&dot_stuff(envelope.message)).await?;
    // RFC 5321 §4.1.1.4: the final reply is the one that counts.
    let reply = conn.read_reply().await?;
    let _ = conn.command("QUIT").await;
    let for_accepted = if reply.is_positive() {
        RcptOutcome::Delivered(report(&reply))
    } else if reply.is_permanent() {
        RcptOutcome::Permanent(reply.text(), Some(report(&reply)))
    } else {
        RcptOutcome::Temporary(reply.text())
    };
    Ok(outcomes.into_iter().map(|o| o.unwrap_or_else(|| for_accepted.clone())).collect())
}

/// EHLO, or HELO when EHLO is refused (RFC 5321 §3.2); returns the EHLO keywords.
async fn ehlo(conn: &mut Conn, helo: &str) -> Result<Vec<String>, SessionError> {
    let reply = conn.command(&format!("EHLO {helo}")).await?;
    if reply.code == 250 {
        return Ok(reply.lines.into_iter().skip(1).collect());
    }
    let reply = conn.command(&format!("HELO {helo}")).await?;
    if reply.code == 250 {
        Ok(Vec::new())
    } else if reply.is_permanent() {
        Err(SessionError::Permanent(reply.text()))
    } else {
        Err(SessionError::Temporary(reply.text()))
    }
}

/// The TLS handshake; returns the connection and the peer's chain (end entity first).
async fn starttls(
    conn: Conn,
    host: &str,
    timeout: Duration,
    tls: &mut SessionTls,
) -> Result<(Conn, Vec<CertificateDer<'static>>), SessionError> {
    if !conn.io.buffer().is_empty() {
        // RFC 3207 §4.2 / CVE-2011-0411 style injection: nothing may follow the 220.
        return Err(SessionError::Temporary("data after the STARTTLS reply".into()));
    }
    let io = conn.io.into_inner();
    // Any certificate completes the handshake (its signature is checked); the policy judges
    // the chain afterwards (TlsRequirement::judge).
    let config = sigillo_crypto::tls::verify::any_certificate_config(rustls::DEFAULT_VERSIONS)
        .map_err(|e| SessionError::Temporary(format!("TLS setup: {e}")))?;
    let name = ServerName::try_from(host.to_string()).map_err(|_| SessionError::Temporary(format!("bad host name {host}")))?;
    let stream = tokio::time::timeout(timeout, tokio_rustls::TlsConnector::from(Arc::new(config)).connect(name, io))
        .await
        .map_err(|_| SessionError::Temporary("timeout in the TLS handshake".into()))?
        .map_err(|e| SessionError::Temporary(format!("TLS handshake with {host} failed: {e}")))?;
    let (_, session) = stream.get_ref();
    let chain: Vec<CertificateDer<'static>> =
        session.peer_certificates().map(|c| c.iter().map(|c| c.clone().into_owned()).collect()).unwrap_or_default();
    tls.version = session.protocol_version().map(|v| format!("{v:?}"));
    tls.cipher = session.negotiated_cipher_suite().map(|c| format!("{:?}", c.suite()));
    tls.cert_sha256 = chain.first().map(|c| sha256_hex(c.as_ref()));
    Ok((Conn { io: BufReader::new(Box::new(stream)), timeout }, chain))
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// RFC 5321 §4.5.2: a line starting with "." gets another; then `CRLF.CRLF`.
pub fn dot_stuff(message: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(message.len() + 64);
    let mut at_line_start = true;
    for &b in message {
        if at_line_start && b == b'.' {
            out.push(b'.');
        }
        out.push(b);
        at_line_start = b == b'\n';
    }
    if !out.ends_with(b"\r\n") {
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b".\r\n");
    out
}

/// RFC 7435 opportunistic security: encrypt, but accept any certificate (still checking
/// the handshake signatures, so the session is bound to the key the certificate names).
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_stuffing() {
        assert_eq!(dot_stuff(b"a\r\n.b\r\n..c\r\n"), b"a\r\n..b\r\n...c\r\n.\r\n");
        assert_eq!(dot_stuff(b".x"), b"..x\r\n.\r\n");
    }
}
