//! age key pairs: the recipient (public, in `sigillo.toml`) encrypts archives; the identity
//! (secret, kept by the admin away from the server) decrypts them.

use crate::{BackupError, Result};
use std::path::Path;
use std::str::FromStr;
use zeroize::Zeroizing;

/// A new identity as (secret file text, public recipient).
pub fn generate() -> (Zeroizing<String>, String) {
    use age::secrecy::ExposeSecret;
    let identity = age::x25519::Identity::generate();
    let recipient = identity.to_public().to_string();
    let secret = Zeroizing::new(identity.to_string().expose_secret().to_string());
    let created = time::OffsetDateTime::now_utc().format(&time::format_description::well_known::Rfc3339).unwrap_or_default();
    (Zeroizing::new(format!("# created: {created}\n# public key: {recipient}\n{}\n", secret.as_str())), recipient)
}

pub fn parse_recipients(recipients: &[String]) -> Result<Vec<age::x25519::Recipient>> {
    if recipients.is_empty() {
        return Err(BackupError::NoRecipients);
    }
    recipients.iter().map(|r| age::x25519::Recipient::from_str(r.trim()).map_err(|_| BackupError::BadRecipient(r.clone()))).collect()
}

/// Reads an identity file (the format `age-keygen` and `sigillo backup keygen` write).
pub fn load_identities(path: &Path) -> Result<Vec<age::x25519::Identity>> {
    let text = Zeroizing::new(std::fs::read_to_string(path).map_err(BackupError::io(path))?);
    let identities: Vec<_> = text
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("AGE-SECRET-KEY-"))
        .map(|l| age::x25519::Identity::from_str(l).map_err(|e| BackupError::BadIdentity(format!("{}: {e}", path.display()))))
        .collect::<Result<_>>()?;
    if identities.is_empty() {
        return Err(BackupError::BadIdentity(format!(
            "{}: no AGE-SECRET-KEY-… line; give the identity file made by `sigillo backup keygen`",
            path.display()
        )));
    }
    Ok(identities)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_pairs_parse_back() {
        let (secret, recipient) = generate();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("id.txt");
        std::fs::write(&path, secret.as_bytes()).unwrap();
        let ids = load_identities(&path).unwrap();
        assert_eq!(ids[0].to_public().to_string(), recipient);
        assert!(parse_recipients(&[recipient]).is_ok());
        assert!(matches!(parse_recipients(&["age1nope".into()]), Err(BackupError::BadRecipient(_))));
        assert!(matches!(parse_recipients(&[]), Err(BackupError::NoRecipients)));
        std::fs::write(&path, "nothing here\n").unwrap();
        assert!(matches!(load_identities(&path), Err(BackupError::BadIdentity(_))));
    }
}
