//! The second factor: TOTP (RFC 6238 with RFC 4226 HOTP; SHA-1, 6 digits, 30-second steps,
//! one step of clock skew either way) and one-time recovery codes.
//!
//! A code is accepted at most once: the directory keeps the newest accepted time step per
//! account and [`check_second_factor`] claims a step atomically, so a code seen over a
//! shoulder or replayed from a log is refused even within its 30 seconds.

use crate::{AuthError, Result};
use sha2::{Digest, Sha256};
use sigillo_crypto::{codes, random};
use sigillo_store::Directory;
use subtle::ConstantTimeEq;
use totp_rs::{Algorithm, Secret, TOTP};
use zeroize::Zeroizing;

/// RFC 6238 §4: X, the time step.
pub const STEP_SECS: u64 = 30;
pub const DIGITS: usize = 6;
/// RFC 6238 §6: accept one step of drift on each side.
pub const SKEW_STEPS: i64 = 1;
/// How many recovery codes an enrolment hands out.
pub const RECOVERY_CODES: usize = 10;

/// A TOTP shared secret (160 bits, the size RFC 4226 §4 recommends).
pub struct TotpSecret {
    totp: TOTP,
}

impl TotpSecret {
    pub fn generate() -> Result<Self> {
        let raw = Zeroizing::new(random::bytes::<20>()?);
        Self::from_bytes(raw.to_vec())
    }

    fn from_bytes(bytes: Vec<u8>) -> Result<Self> {
        let totp =
            TOTP::new(Algorithm::SHA1, DIGITS, 0, STEP_SECS, bytes).map_err(|e| AuthError::InvalidInput(format!("TOTP secret: {e}")))?;
        Ok(TotpSecret { totp })
    }

    /// From the stored base32 form.
    pub fn from_base32(text: &str) -> Result<Self> {
        let bytes =
            Secret::Encoded(text.to_string()).to_bytes().map_err(|_| AuthError::InvalidInput("TOTP secret is not base32".into()))?;
        Self::from_bytes(bytes)
    }

    /// RFC 4648 base32 without padding: what authenticator apps accept typed in.
    pub fn base32(&self) -> Zeroizing<String> {
        Zeroizing::new(self.totp.get_secret_base32())
    }

    /// The `otpauth://totp/…` URI authenticator apps import (Key Uri Format).
    pub fn otpauth_uri(&self, issuer: &str, account: &str) -> Zeroizing<String> {
        Zeroizing::new(format!(
            "otpauth://totp/{issuer_label}:{account}?secret={secret}&issuer={issuer_q}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECS}",
            issuer_label = percent(issuer),
            account = percent(account),
            secret = &*self.base32(),
            issuer_q = percent(issuer),
        ))
    }

    /// The code for the step containing `unix_time`.
    pub fn code_at(&self, unix_time: u64) -> Zeroizing<String> {
        Zeroizing::new(self.totp.generate(unix_time))
    }

    /// The newest time step within the skew window whose code equals `code`
    /// (compared in constant time), or `None`.
    pub fn matching_step(&self, code: &str, unix_time: u64) -> Option<i64> {
        let code = code.trim();
        if code.len() != DIGITS || !code.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let now_step = (unix_time / STEP_SECS) as i64;
        let mut found = None;
        for step in now_step - SKEW_STEPS..=now_step + SKEW_STEPS {
            let Ok(at) = u64::try_from(step) else { continue };
            let expected = self.code_at(at * STEP_SECS);
            if bool::from(expected.as_bytes().ct_eq(code.as_bytes())) {
                found = Some(step);
            }
        }
        found
    }
}

/// RFC 3986 unreserved characters pass; everything else is %-encoded.
fn percent(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'@') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Fresh recovery codes (shown once) and the hashes to store.
pub fn recovery_codes() -> Result<(Vec<Zeroizing<String>>, Vec<String>)> {
    let mut shown = Vec::with_capacity(RECOVERY_CODES);
    let mut hashes = Vec::with_capacity(RECOVERY_CODES);
    for _ in 0..RECOVERY_CODES {
        let code = codes::app_password()?;
        hashes.push(recovery_hash(&code));
        shown.push(code);
    }
    Ok((shown, hashes))
}

/// SHA-256 of the code's canonical form (case, dashes and look-alikes do not matter).
pub fn recovery_hash(code: &str) -> String {
    let canonical = codes::normalize_code(code);
    hex::encode(Sha256::new_with_prefix(b"sigillo recovery code v1:").chain_update(canonical.as_bytes()).finalize())
}

/// Which second factor a sign-in used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecondFactor {
    Totp,
    RecoveryCode,
}

/// Checks a TOTP code (6 digits) or, failing that shape, a recovery code. A TOTP code is
/// accepted only if its step is newer than the last accepted one; a recovery code only once.
pub fn check_second_factor(directory: &Directory, account_id: &str, code: &str, unix_time: u64) -> Result<SecondFactor> {
    if code.len() > 64 {
        return Err(AuthError::BadCredentials);
    }
    let Some(record) = directory.totp(account_id)? else { return Err(AuthError::BadCredentials) };
    if !record.enabled {
        return Err(AuthError::BadCredentials);
    }
    let trimmed = code.trim();
    if trimmed.len() == DIGITS && trimmed.bytes().all(|b| b.is_ascii_digit()) {
        let secret = TotpSecret::from_base32(&record.secret)?;
        let step = secret.matching_step(trimmed, unix_time).ok_or(AuthError::BadCredentials)?;
        return if directory.claim_totp_step(account_id, step)? { Ok(SecondFactor::Totp) } else { Err(AuthError::BadCredentials) };
    }
    if directory.use_recovery_code(account_id, &recovery_hash(trimmed))? {
        Ok(SecondFactor::RecoveryCode)
    } else {
        Err(AuthError::BadCredentials)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc6238_appendix_b_sha1_vectors() {
        // RFC 6238 Appendix B, SHA-1 seed "12345678901234567890", last 6 of the 8 digits.
        let s = TotpSecret::from_bytes(b"12345678901234567890".to_vec()).unwrap();
        for (t, code) in [(59, "287082"), (1111111109, "081804"), (1111111111, "050471"), (1234567890, "005924"), (2000000000, "279037")] {
            assert_eq!(&*s.code_at(t), code, "t={t}");
        }
    }

    #[test]
    fn skew_window_and_shape() {
        let s = TotpSecret::generate().unwrap();
        let now = 1_700_000_000;
        let step = (now / STEP_SECS) as i64;
        assert_eq!(s.matching_step(&s.code_at(now), now), Some(step));
        assert_eq!(s.matching_step(&s.code_at(now - 30), now), Some(step - 1));
        assert_eq!(s.matching_step(&s.code_at(now + 30), now), Some(step + 1));
        assert_eq!(s.matching_step(&s.code_at(now - 90), now), None);
        assert_eq!(s.matching_step("12345", now), None);
        assert_eq!(s.matching_step("abcdef", now), None);
        let back = TotpSecret::from_base32(&s.base32()).unwrap();
        assert_eq!(back.code_at(now), s.code_at(now));
        let uri = s.otpauth_uri("Sigillo mail.example.org", "alice@example.org");
        assert!(uri.starts_with("otpauth://totp/Sigillo%20mail.example.org:alice@example.org?secret="), "{}", &*uri);
    }

    #[test]
    fn codes_are_single_use() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = sigillo_store::Directory::create(&tmp.path().join("d.db"), &sigillo_crypto::Key32::generate().unwrap()).unwrap();
        dir.add_domain("example.org").unwrap();
        let mut dir = dir;
        dir.create_account(
            &sigillo_store::directory::NewAccount {
                id: "a1".into(),
                address: "alice@example.org".into(),
                domain: "example.org".into(),
                role: "user".into(),
                certified: false,
                quota: 0,
                sealing_public_key: vec![0; 4],
            },
            &[],
        )
        .unwrap();
        let s = TotpSecret::generate().unwrap();
        dir.begin_totp("a1", &s.base32()).unwrap();
        let now = 1_700_000_000u64;
        let (shown, hashes) = recovery_codes().unwrap();
        let step = s.matching_step(&s.code_at(now), now).unwrap();
        dir.enable_totp("a1", step, &hashes).unwrap();
        // The enrolment's own code is used up; the next step's code works once.
        assert!(check_second_factor(&dir, "a1", &s.code_at(now), now).is_err());
        let next = now + 30;
        assert_eq!(check_second_factor(&dir, "a1", &s.code_at(next), next).unwrap(), SecondFactor::Totp);
        assert!(check_second_factor(&dir, "a1", &s.code_at(next), next).is_err(), "reused code refused");
        assert!(check_second_factor(&dir, "a1", &s.code_at(now), next).is_err(), "older code refused");
        // Recovery codes: any typing, once each.
        assert_eq!(check_second_factor(&dir, "a1", &shown[0].to_lowercase(), next).unwrap(), SecondFactor::RecoveryCode);
        assert!(check_second_factor(&dir, "a1", &shown[0], next).is_err());
        assert_eq!(dir.recovery_codes_left("a1").unwrap(), RECOVERY_CODES - 1);
        dir.disable_totp("a1").unwrap();
        assert!(check_second_factor(&dir, "a1", &s.code_at(next + 30), next + 30).is_err());
    }
}
