//! Where mail for a domain goes: RFC 5321 §5.1.
//!
//! - MX records, lowest preference first (equal preferences in the order the resolver gave);
//! - no MX record but the domain exists: the domain itself is the one host ("implicit MX");
//! - the null MX (RFC 7505 §3: one MX, preference 0, exchange ".") or a domain that does not
//!   exist (NXDOMAIN): mail cannot be delivered, a permanent failure.

use mail_auth::common::cache::NoCache;
use mail_auth::hickory_resolver::proto::op::ResponseCode;
use mail_auth::{DnsError, IpLookupStrategy, MessageAuthenticator, RecordSet};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Addresses tried per host name (RFC 5321 §5.1: "a reasonable number").
const MAX_ADDRESSES_PER_HOST: usize = 4;
/// MX hosts tried per domain and attempt.
pub const MAX_HOSTS: usize = 5;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MxError {
    /// Retry later (DNS timeout, SERVFAIL).
    #[error("temporary DNS failure for {0}: {1}")]
    Temporary(String, String),
    /// Never deliverable (null MX, NXDOMAIN).
    #[error("{0}")]
    Permanent(String),
}

/// One host to try, with its addresses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MxHost {
    pub name: String,
    pub addresses: Vec<IpAddr>,
}

/// The host names to try for `domain`, in order.
pub async fn mx_hosts(resolver: &MessageAuthenticator, domain: &str) -> Result<Vec<String>, MxError> {
    match resolver.mx_lookup(domain, None::<&NoCache<Box<str>, RecordSet<mail_auth::MX>>>).await {
        Ok(records) => {
            // RFC 7505 §3: a single MX with exchange "." means "no mail here".
            let null = records.rrset.iter().any(|mx| mx.exchanges.iter().any(|e| e.as_ref() == "." || e.is_empty()));
            if null {
                return Err(MxError::Permanent(format!("{domain} does not accept mail (null MX, RFC 7505)")));
            }
            let hosts: Vec<String> =
                records.rrset.iter().flat_map(|mx| mx.exchanges.iter()).map(|e| e.trim_end_matches('.').to_ascii_lowercase()).collect();
            if hosts.is_empty() { Ok(vec![domain.to_string()]) } else { Ok(hosts.into_iter().take(MAX_HOSTS).collect()) }
        }
        Err(mail_auth::Error::Dns(DnsError::RecordNotFound(ResponseCode::NXDomain))) => {
            Err(MxError::Permanent(format!("the domain {domain} does not exist (NXDOMAIN)")))
        }
        // RFC 5321 §5.1: no MX records: the domain is its own implicit MX.
        Err(mail_auth::Error::Dns(DnsError::RecordNotFound(_))) => Ok(vec![domain.to_string()]),
        Err(e) => Err(MxError::Temporary(domain.to_string(), e.to_string())),
    }
}

/// The addresses of one host (A, then AAAA).
pub async fn addresses(resolver: &MessageAuthenticator, host: &str) -> Result<Vec<IpAddr>, MxError> {
    if let Some(literal) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return literal.parse().map(|ip| vec![ip]).map_err(|_| MxError::Permanent(format!("bad address literal {host}")));
    }
    let found = resolver
        .ip_lookup(
            host,
            IpLookupStrategy::Ipv4thenIpv6,
            MAX_ADDRESSES_PER_HOST,
            None::<&NoCache<Box<str>, RecordSet<Ipv4Addr>>>,
            None::<&NoCache<Box<str>, RecordSet<Ipv6Addr>>>,
        )
        .await;
    match found {
        Ok(ips) if !ips.is_empty() => Ok(ips),
        Ok(_) | Err(mail_auth::Error::Dns(DnsError::RecordNotFound(_))) => {
            Err(MxError::Temporary(host.to_string(), "no address record".into()))
        }
        Err(e) => Err(MxError::Temporary(host.to_string(), e.to_string())),
    }
}
