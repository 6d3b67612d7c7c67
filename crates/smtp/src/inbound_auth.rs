//! Inbound message authentication on the MX listener, with `mail-auth`:
//!
//! - SPF (RFC 7208) of the HELO identity (§2.3) and of the MAIL FROM identity (§2.4; for the
//!   null reverse path the MAIL FROM identity is `postmaster@<HELO>`, so it is the HELO result);
//! - DKIM (RFC 6376 §6): every `DKIM-Signature` is verified against the key in DNS;
//! - ARC (RFC 8617 §5.2): the chain is validated and its result recorded. It is not used to
//!   override DMARC (RFC 8617 §7.2 leaves that to local policy about trusted sealers, and we
//!   trust none yet);
//! - DMARC (RFC 7489 §6.6): identifier alignment of the SPF and DKIM results with the
//!   RFC 5322.From domain; on a DMARC `fail` the domain's policy is honoured: `p=reject` →
//!   `550 5.7.1` (§6.6.4 / §10.3 of RFC 7489), `p=quarantine` → delivered into `Junk`;
//! - one `Authentication-Results` header (RFC 8601 §2.2) for our hostname, prepended, and every
//!   existing `Authentication-Results` field claiming our authserv-id removed (RFC 8601 §5: a
//!   forged one must not reach the user's agent), see [`remove_forged_results`].
//!
//! All DNS queries go to one resolver built per server ([`InboundAuthenticator::new`]), with the
//! name servers from `[dns]` in `sigillo.toml` or the system resolver. Every check runs under
//! one time budget: what has not finished in time is `temperror` (RFC 7208 §2.6.6, RFC 6376
//! §6.1.2, RFC 7489 §6.6.2), and a temporary DNS failure never rejects a message nor loses it.

use mail_auth::arc::ArcError;
use mail_auth::common::headers::HeaderWriter;
use mail_auth::dkim::DkimError;
use mail_auth::dmarc::Policy;
use mail_auth::dmarc::verify::DmarcParameters;
use mail_auth::hickory_resolver::config::{ConnectionConfig, NameServerConfig, ResolverConfig, ResolverOpts};
use mail_auth::hickory_resolver::system_conf::read_system_conf;
use mail_auth::spf::verify::SpfParameters;
use mail_auth::{
    AuthenticatedMessage, AuthenticationResults, DkimOutput, DkimResult, DmarcResult, MessageAuthenticator, SpfOutput, SpfResult,
};
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;
use tokio::time::{Instant, timeout_at};

/// Time for all the DNS work on one message (SPF, DKIM, ARC, DMARC together).
pub const DEFAULT_BUDGET: Duration = Duration::from_secs(10);
/// Time for one DNS query (one attempt per name server).
const QUERY_TIMEOUT: Duration = Duration::from_secs(3);

/// What the verifier knows about the message's arrival.
#[derive(Debug, Clone)]
pub struct InboundContext<'a> {
    pub client_ip: IpAddr,
    pub helo: &'a str,
    /// The reverse path; empty for the null sender.
    pub mail_from: &'a str,
    pub tls: bool,
}

/// The verdict on one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InboundVerdict {
    /// Deliver, with these header fields (each a full `Name: value\r\n`) prepended; into the
    /// `Junk` mailbox instead of `INBOX` when `junk` (DMARC `p=quarantine`, RFC 7489 §6.3).
    Accept { headers: Vec<String>, junk: bool },
    /// Refuse with `550 5.7.1` (DMARC `p=reject`), carrying the reply text.
    Reject { reason: String },
}

#[derive(Debug, thiserror::Error)]
pub enum InboundAuthError {
    #[error("cannot build the DNS resolver: {0}")]
    Resolver(String),
}

/// The verifier of one server: its resolver (with its cache) and the hostname it speaks for.
pub struct InboundAuthenticator {
    authenticator: MessageAuthenticator,
    hostname: String,
    budget: Duration,
}

/// A resolver configuration that asks exactly `servers`, in order: UDP, then TCP for
/// truncated answers, each on the server's own port (a loopback test server is not on 53).
pub fn resolver_config(servers: &[SocketAddr]) -> ResolverConfig {
    ResolverConfig::from_name_servers(
        servers
            .iter()
            .map(|addr| {
                let mut ns = NameServerConfig::udp_and_tcp(addr.ip());
                ns.connections = [ConnectionConfig::udp(), ConnectionConfig::tcp()]
                    .into_iter()
                    .map(|mut c| {
                        c.port = addr.port();
                        c
                    })
                    .collect();
                ns
            })
            .collect(),
    )
}

impl InboundAuthenticator {
    /// `nameservers`: ask these (UDP, then TCP for truncated answers) in order; `None`: the
    /// system resolver configuration (`/etc/resolv.conf`).
    pub fn new(hostname: &str, nameservers: Option<&[SocketAddr]>) -> Result<Self, InboundAuthError> {
        let authenticator = match nameservers {
            Some(servers) => MessageAuthenticator::new(resolver_config(servers), bounded(ResolverOpts::default())),
            None => {
                let (config, opts) = read_system_conf().map_err(|e| InboundAuthError::Resolver(e.to_string()))?;
                MessageAuthenticator::new(config, bounded(opts))
            }
        }
        .map_err(|e| InboundAuthError::Resolver(e.to_string()))?;
        Ok(InboundAuthenticator { authenticator, hostname: hostname.to_string(), budget: DEFAULT_BUDGET })
    }

    /// The total time allowed for the DNS work on one message.
    pub fn with_budget(mut self, budget: Duration) -> Self {
        self.budget = budget;
        self
    }

    /// The server's one resolver, shared with outbound delivery (MX lookups).
    pub fn resolver(&self) -> &MessageAuthenticator {
        &self.authenticator
    }

    pub fn hostname(&self) -> &str {
        &self.hostname
    }

    /// Runs SPF, DKIM and ARC concurrently, then DMARC, and decides.
    pub async fn authenticate(&self, context: &InboundContext<'_>, message: &[u8]) -> InboundVerdict {
        let deadline = Instant::now() + self.budget;
        let auth = &self.authenticator;
        let host = self.hostname.as_str();
        let ip = context.client_ip;
        let helo = context.helo;
        let mail_from = context.mail_from;
        let parsed = AuthenticatedMessage::parse(message);
        // RFC 7208 §2.3: the HELO check is only for a domain name, not an address literal.
        let helo_is_domain = !helo.is_empty() && !helo.starts_with('[') && helo.parse::<IpAddr>().is_err();

        let spf_helo = async {
            if !helo_is_domain {
                return Some(SpfOutput::new(helo.to_string()).with_result(SpfResult::None));
            }
            timeout_at(deadline, auth.verify_spf(SpfParameters::verify_ehlo(ip, helo, host))).await.ok()
        };
        let spf_mail = async {
            if mail_from.is_empty() {
                return None;
            }
            Some(timeout_at(deadline, auth.verify_spf(SpfParameters::verify_mail_from(ip, helo, host, mail_from))).await.ok())
        };
        let dkim = async {
            match &parsed {
                Some(m) => timeout_at(deadline, auth.verify_dkim(m)).await.ok().map(|outputs| body_hash_mismatch_is_fail(m, outputs)),
                None => Some(Vec::new()),
            }
        };
        let arc = async {
            match &parsed {
                Some(m) => timeout_at(deadline, auth.verify_arc(m)).await.ok().map(|arc| {
                    // RFC 8617 §5.2 step 6: an ARC-Message-Signature that does not verify (its
                    // body hash included) makes the chain `fail`; mail-auth says `neutral`.
                    if matches!(arc.result(), DkimResult::Neutral(mail_auth::Error::Arc(ArcError::FailedBodyHashMatch))) {
                        arc.with_result(DkimResult::Fail(mail_auth::Error::Arc(ArcError::FailedBodyHashMatch)))
                    } else {
                        arc
                    }
                }),
                None => None,
            }
        };
        let (spf_helo, spf_mail, dkim, arc) = tokio::join!(spf_helo, spf_mail, dkim, arc);
        // RFC 7208 §2.4: with a null reverse path the MAIL FROM identity is postmaster@HELO.
        let spf_mail = spf_mail.unwrap_or_else(|| spf_helo.clone());
        let spf_domain = match mail_from.rsplit_once('@') {
            Some((_, domain)) => domain,
            None => helo,
        };
        let header_from = parsed.as_ref().map(|m| m.from().to_string()).unwrap_or_default();

        // RFC 8601 §2.2: authserv-id, then one resinfo per method.
        let mut results = String::new();
        let mut extra = String::new();
        let mut builder = AuthenticationResults::new(host);
        match &spf_helo {
            Some(spf) if helo_is_domain => builder = builder.with_spf_ehlo_result(spf, ip, helo),
            Some(_) => {}
            None => extra.push_str(";\r\n\tspf=temperror (DNS timeout) smtp.helo=unknown"),
        }
        match &spf_mail {
            Some(spf) => builder = builder.with_spf_mailfrom_result(spf, ip, mail_from, helo),
            None => extra.push_str(";\r\n\tspf=temperror (DNS timeout) smtp.mailfrom=unknown"),
        }
        match (&dkim, &parsed) {
            (Some(outputs), Some(_)) if !outputs.is_empty() => builder = builder.with_dkim_results(outputs, &header_from),
            (Some(_), Some(_)) => extra.push_str(";\r\n\tdkim=none"),
            (Some(_), None) => extra.push_str(";\r\n\tdkim=permerror (message cannot be parsed)"),
            (None, _) => extra.push_str(";\r\n\tdkim=temperror (DNS timeout)"),
        }
        match &arc {
            Some(arc) => builder = builder.with_arc_result(arc, ip),
            None if parsed.is_some() => extra.push_str(";\r\n\tarc=temperror (DNS timeout)"),
            None => {}
        }

        // RFC 7489 §6.6.2: DMARC needs both mechanisms' results; with either missing it is a
        // temporary error and no policy is applied.
        let mut verdict = Disposition::Deliver;
        match (&parsed, &dkim, &spf_mail) {
            (Some(message), Some(dkim), Some(spf)) => {
                let params = DmarcParameters::new(message, dkim, spf_domain, spf);
                match timeout_at(deadline, auth.verify_dmarc(params)).await {
                    Ok(dmarc) => {
                        builder = builder.with_dmarc_result(&dmarc);
                        if matches!(dmarc.result(), DmarcResult::Fail(_)) {
                            verdict = match dmarc.policy() {
                                Policy::Reject => Disposition::Reject(dmarc.domain().to_string()),
                                Policy::Quarantine => Disposition::Junk,
                                Policy::None | Policy::Unspecified => Disposition::Deliver,
                            };
                        }
                    }
                    Err(_) => extra.push_str(";\r\n\tdmarc=temperror (DNS timeout)"),
                }
            }
            (None, _, _) => extra.push_str(";\r\n\tdmarc=permerror (message cannot be parsed)"),
            _ => extra.push_str(";\r\n\tdmarc=temperror (DNS timeout)"),
        }

        let built = builder.to_header();
        // `to_header` ends the field; our own results go before its CRLF.
        let built = built.strip_suffix("\r\n").unwrap_or(&built);
        results.push_str(built.strip_suffix("; none").filter(|_| !extra.is_empty()).unwrap_or(built));
        results.push_str(&extra);
        results.push_str("\r\n");

        tracing::info!(
            client_ip = %ip,
            helo,
            mail_from,
            results = %results.trim_end().replace("\r\n\t", " "),
            "inbound authentication"
        );
        match verdict {
            Disposition::Reject(domain) => {
                InboundVerdict::Reject { reason: format!("Message rejected: it fails the DMARC policy (p=reject) of {domain} (RFC 7489)") }
            }
            Disposition::Junk => InboundVerdict::Accept { headers: vec![results], junk: true },
            Disposition::Deliver => InboundVerdict::Accept { headers: vec![results], junk: false },
        }
    }
}

/// RFC 6376 §6.1.3: a body hash that does not match is PERMFAIL ("body hash did not verify"),
/// which RFC 8601 §2.7.1 reports as `dkim=fail`, not `neutral` (a signature we could not
/// process). mail-auth says `neutral`; say `fail`, with the same signature.
fn body_hash_mismatch_is_fail<'x>(message: &'x AuthenticatedMessage<'x>, outputs: Vec<DkimOutput<'x>>) -> Vec<DkimOutput<'x>> {
    outputs
        .into_iter()
        .map(|output| {
            if !matches!(output.result(), DkimResult::Neutral(mail_auth::Error::Dkim(DkimError::FailedBodyHashMatch))) {
                return output;
            }
            let signature =
                message.dkim_headers.iter().map(|h| &h.header).find(|sig| output.signature().is_some_and(|s| std::ptr::eq(s, *sig)));
            let fail = DkimOutput::fail(mail_auth::Error::Dkim(DkimError::FailedBodyHashMatch));
            match signature {
                Some(signature) => fail.with_signature(signature),
                None => fail,
            }
        })
        .collect()
}

/// One attempt of at most [`QUERY_TIMEOUT`] per server, so a dead resolver costs seconds, not
/// the whole budget on the first query.
fn bounded(mut opts: ResolverOpts) -> ResolverOpts {
    opts.timeout = opts.timeout.min(QUERY_TIMEOUT);
    opts.attempts = 1;
    opts
}

enum Disposition {
    Deliver,
    Junk,
    Reject(String),
}

/// RFC 8601 §5: removes every `Authentication-Results` header field of the message's header
/// whose authserv-id is `hostname` (case-insensitive, comments ignored): only we may speak for
/// our name, and a forged field could make a user trust a message no check passed. Fields of
/// other authserv-ids are kept. The body is never touched.
pub fn remove_forged_results(message: &[u8], hostname: &str) -> Option<Vec<u8>> {
    let header_end = find_header_end(message);
    let mut fields: Vec<(usize, usize)> = Vec::new();
    let mut start = 0;
    let mut pos = 0;
    while pos < header_end {
        let line_end = message[pos..header_end].windows(2).position(|w| w == b"\r\n").map_or(header_end, |i| pos + i + 2);
        let continues = line_end < header_end && matches!(message.get(line_end), Some(b' ' | b'\t'));
        if !continues {
            fields.push((start, line_end));
            start = line_end;
        }
        pos = line_end;
    }
    let mut forged = false;
    let mut out = Vec::with_capacity(message.len());
    for &(s, e) in &fields {
        let field = &message[s..e];
        if is_our_results(field, hostname) {
            forged = true;
        } else {
            out.extend_from_slice(field);
        }
    }
    if !forged {
        return None;
    }
    out.extend_from_slice(&message[header_end..]);
    Some(out)
}

/// Where the header ends: just after the last header line, before the empty line.
fn find_header_end(message: &[u8]) -> usize {
    if message.starts_with(b"\r\n") {
        return 0;
    }
    message.windows(4).position(|w| w == b"\r\n\r\n").map_or(message.len(), |i| i + 2)
}

fn is_our_results(field: &[u8], hostname: &str) -> bool {
    let Some(colon) = field.iter().position(|&b| b == b':') else {
        return false;
    };
    if !field[..colon].trim_ascii().eq_ignore_ascii_case(b"authentication-results") {
        return false;
    }
    // authserv-id = value (RFC 8601 §2.2), possibly preceded by CFWS.
    let value = String::from_utf8_lossy(&field[colon + 1..]);
    let value = strip_comments(&value);
    let id = value.split(';').next().unwrap_or("").trim().trim_matches('"');
    let id = id.split_ascii_whitespace().next().unwrap_or("");
    id.trim_end_matches('.').eq_ignore_ascii_case(hostname.trim_end_matches('.'))
}

/// Drops RFC 5322 §3.2.2 comments (nested parentheses) from a header value.
fn strip_comments(value: &str) -> String {
    let mut depth = 0usize;
    let mut out = String::with_capacity(value.len());
    let mut escaped = false;
    for c in value.chars() {
        if escaped {
            escaped = false;
            if depth == 0 {
                out.push(c);
            }
            continue;
        }
        match c {
            '\\' => escaped = true,
            '(' => depth += 1,
            ')' if depth > 0 => depth -= 1,
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removes_only_our_results() {
        let msg = b"Authentication-Results: MX.Example.org; spf=pass\r\n smtp.mailfrom=a@b\r\nSubject: x\r\n\
Authentication-Results: (forged) mx.example.org.;\r\n\tdkim=pass\r\nAuthentication-Results: other.example; spf=fail\r\n\
\r\nAuthentication-Results: mx.example.org; body stays\r\n";
        let out = remove_forged_results(msg, "mx.example.org").unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "Subject: x\r\nAuthentication-Results: other.example; spf=fail\r\n\r\nAuthentication-Results: mx.example.org; body stays\r\n"
        );
        assert_eq!(remove_forged_results(b"Subject: x\r\n\r\nbody\r\n", "mx.example.org"), None);
        assert_eq!(remove_forged_results(b"Authentication-Results: mx.example.organ; x\r\n\r\n", "mx.example.org"), None);
    }
}
