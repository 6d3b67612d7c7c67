//! Email addresses as Sigillo stores and compares them.
//!
//! RFC 5321 §4.5.3.1.1 limits a local part to 64 octets and §4.5.3.1.2 a domain to 255.
//! Lookups are case-insensitive on both sides: every mainstream server treats
//! `Alice@Example.org` and `alice@example.org` as one mailbox, and so do users.

use std::fmt;
use std::str::FromStr;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AddressError {
    #[error("'{0}' is not an email address: it needs exactly one '@' with text on both sides")]
    Shape(String),
    #[error("'{0}': the part before '@' is longer than 64 characters (RFC 5321 §4.5.3.1.1)")]
    LocalTooLong(String),
    #[error("'{0}': the part before '@' contains a character not allowed in an address")]
    LocalChars(String),
    #[error("'{0}' is not a valid domain name")]
    Domain(String),
}

/// A normalised `local@domain` address (both parts lower-case).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Address {
    local: String,
    domain: String,
}

impl Address {
    pub fn local(&self) -> &str {
        &self.local
    }

    pub fn domain(&self) -> &str {
        &self.domain
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}", self.local, self.domain)
    }
}

impl FromStr for Address {
    type Err = AddressError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let trimmed = input.trim();
        let (local, domain) = trimmed.rsplit_once('@').ok_or_else(|| AddressError::Shape(input.to_string()))?;
        if local.is_empty() || domain.is_empty() {
            return Err(AddressError::Shape(input.to_string()));
        }
        if local.len() > 64 {
            return Err(AddressError::LocalTooLong(input.to_string()));
        }
        // Quoted local parts (RFC 5321 §4.1.2) are legal but nearly unused and a classic
        // source of parser disagreements; a mailbox we host never needs one.
        let local_ok = local.chars().all(|c| {
            !c.is_control() && !c.is_whitespace() && !matches!(c, '<' | '>' | '(' | ')' | ',' | ';' | ':' | '\\' | '"' | '[' | ']' | '@')
        }) && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..");
        if !local_ok {
            return Err(AddressError::LocalChars(input.to_string()));
        }
        let domain = normalize_domain(domain).ok_or_else(|| AddressError::Domain(input.to_string()))?;
        Ok(Address { local: local.to_lowercase(), domain })
    }
}

/// Lower-cases a domain name and checks it is a plausible DNS name (RFC 1035 §2.3.4 lengths).
/// Returns `None` when it is not.
pub fn normalize_domain(domain: &str) -> Option<String> {
    let domain = domain.trim().trim_end_matches('.').to_lowercase();
    if domain.is_empty() || domain.len() > 253 {
        return None;
    }
    let labels_ok = domain.split('.').all(|label| {
        !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label.chars().all(|c| c.is_alphanumeric() || c == '-')
    });
    labels_ok.then_some(domain)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_normalises() {
        let a: Address = "Alice.Smith@Example.ORG".parse().unwrap();
        assert_eq!(a.to_string(), "alice.smith@example.org");
        assert_eq!(a.domain(), "example.org");
    }

    #[test]
    fn rejects_bad_addresses() {
        for bad in [
            "",
            "alice",
            "@example.org",
            "alice@",
            "a b@example.org",
            "a..b@example.org",
            "alice@exa mple.org",
            "alice@-x.org",
            "<a>@x.org",
        ] {
            assert!(bad.parse::<Address>().is_err(), "{bad} should be rejected");
        }
        let long = format!("{}@example.org", "a".repeat(65));
        assert_eq!(long.parse::<Address>(), Err(AddressError::LocalTooLong(long.clone())));
    }
}
