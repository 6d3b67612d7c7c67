//! Human-typed secrets: recovery codes and app passwords.
//!
//! Both are generated, never chosen, so they carry their full entropy and need no strength
//! rules. The alphabet is Crockford's base32: no I, L, O or U, and a typed O, I or L is read
//! as 0, 1, 1, so look-alike characters never lock anyone out.

use crate::{CryptoError, random};
use zeroize::Zeroizing;

const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

fn encode_groups(raw: &[u8], groups: usize, group_len: usize) -> Zeroizing<String> {
    // 5 bits per character from the random bytes, MSB first.
    let mut out = Zeroizing::new(String::with_capacity(groups * (group_len + 1)));
    let mut acc: u32 = 0;
    let mut bits = 0;
    let mut chars = 0;
    for &b in raw {
        acc = (acc << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 && chars < groups * group_len {
            bits -= 5;
            let idx = ((acc >> bits) & 31) as usize;
            if chars > 0 && chars % group_len == 0 {
                out.push('-');
            }
            out.push(char::from(ALPHABET[idx]));
            chars += 1;
        }
    }
    out
}

/// A recovery code: 8 groups of 4 characters, 160 bits of entropy.
pub fn recovery_code() -> Result<Zeroizing<String>, CryptoError> {
    let raw = Zeroizing::new(random::bytes::<20>()?);
    Ok(encode_groups(&raw[..], 8, 4))
}

/// An app password: 4 groups of 4 characters (about 80 bits), easy to type on a phone.
pub fn app_password() -> Result<Zeroizing<String>, CryptoError> {
    let raw = Zeroizing::new(random::bytes::<10>()?);
    Ok(encode_groups(&raw[..], 4, 4))
}

/// The canonical form of a typed code: upper case, no dashes or spaces, so
/// `abcd-efgh` and `ABCD EFGH` unlock the same slot.
pub fn normalize_code(typed: &str) -> Zeroizing<String> {
    Zeroizing::new(
        typed
            .chars()
            .filter(|c| !matches!(c, '-' | ' ' | '\t' | '\r' | '\n'))
            .flat_map(char::to_uppercase)
            .map(|c| match c {
                'O' => '0',
                'I' | 'L' => '1',
                other => other,
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        let code = recovery_code().unwrap();
        assert_eq!(code.len(), 8 * 4 + 7);
        assert_eq!(code.split('-').count(), 8);
        let app = app_password().unwrap();
        assert_eq!(app.split('-').count(), 4);
        assert_ne!(recovery_code().unwrap(), code);
        assert_eq!(&*normalize_code(&code.to_lowercase()), &code.replace('-', ""));
        assert_eq!(&*normalize_code("oil-1 0"), "01110");
    }
}
