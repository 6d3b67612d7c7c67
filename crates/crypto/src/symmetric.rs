//! Authenticated encryption with a random nonce: XChaCha20-Poly1305.
//!
//! The 192-bit nonce makes random nonces safe for any number of messages under one key,
//! so callers never have to keep a counter on disk.

use crate::{CryptoError, Key32, random};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};

const NONCE_LEN: usize = 24;

/// Encrypts `plaintext`, binding `aad` (a context label, so a ciphertext made for one
/// purpose cannot be replayed for another). Output: nonce ‖ ciphertext ‖ tag.
pub fn seal(key: &Key32, aad: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, CryptoError> {
    let cipher = XChaCha20Poly1305::new(key.expose().into());
    let nonce_bytes = random::bytes::<NONCE_LEN>()?;
    let nonce = XNonce::from(nonce_bytes);
    let ciphertext = cipher.encrypt(&nonce, Payload { msg: plaintext, aad }).map_err(|_| CryptoError::Malformed("plaintext too long"))?;
    let mut out = Vec::with_capacity(NONCE_LEN + ciphertext.len());
    out.extend_from_slice(&nonce_bytes);
    out.extend_from_slice(&ciphertext);
    Ok(out)
}

/// Reverses [`seal`]; fails if the key, the label or any byte is wrong.
pub fn open(key: &Key32, aad: &[u8], sealed: &[u8]) -> Result<zeroize::Zeroizing<Vec<u8>>, CryptoError> {
    if sealed.len() < NONCE_LEN + 16 {
        return Err(CryptoError::Malformed("ciphertext (too short)"));
    }
    let (nonce_bytes, ciphertext) = sealed.split_at(NONCE_LEN);
    let nonce_arr: [u8; NONCE_LEN] = nonce_bytes.try_into().map_err(|_| CryptoError::Malformed("nonce"))?;
    let cipher = XChaCha20Poly1305::new(key.expose().into());
    cipher
        .decrypt(&XNonce::from(nonce_arr), Payload { msg: ciphertext, aad })
        .map(zeroize::Zeroizing::new)
        .map_err(|_| CryptoError::Decrypt)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_tamper() {
        let key = Key32::generate().unwrap();
        let sealed = seal(&key, b"ctx", b"hello").unwrap();
        assert_eq!(&open(&key, b"ctx", &sealed).unwrap()[..], b"hello");
        assert!(open(&key, b"other", &sealed).is_err());
        let mut bad = sealed.clone();
        let last = bad.len() - 1;
        bad[last] ^= 1;
        assert!(open(&key, b"ctx", &bad).is_err());
        assert!(open(&Key32::generate().unwrap(), b"ctx", &sealed).is_err());
        assert!(open(&key, b"ctx", &sealed[..10]).is_err());
    }
}
