//! Sealing mail to a locked account: hybrid post-quantum public-key encryption.
//!
//! X-Wing (draft-connolly-cfrg-xwing-kem: X25519 + ML-KEM-768) gives a 32-byte shared secret
//! that stays secret as long as *either* X25519 or ML-KEM holds. That secret, run through
//! HKDF-SHA256, keys XChaCha20-Poly1305 over the message. The server keeps only the public
//! key in the clear; the secret seed lives inside the account's key slots.
//!
//! Envelope: `version (1) ‖ X-Wing ciphertext (1120) ‖ nonce ‖ AEAD ciphertext ‖ tag`.

use crate::{CryptoError, Key32, random, symmetric};
use hkdf::Hkdf;
use sha2::Sha256;
use x_wing::{Decapsulate, DecapsulationKey, Decapsulator, EncapsulationKey, KeyExport};

const VERSION: u8 = 1;
const KEM_CIPHERTEXT_LEN: usize = x_wing::CIPHERTEXT_SIZE;
const AEAD_LABEL: &[u8] = b"sigillo sealed spool v1";

/// The public key (1216 bytes) belonging to a sealing seed.
pub fn public_key(seed: &Key32) -> Vec<u8> {
    let dk = DecapsulationKey::from(*seed.expose());
    dk.encapsulation_key().to_bytes().to_vec()
}

/// Seals `plaintext` so that only the holder of the matching seed can open it.
pub fn seal(public_key: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, CryptoError> {
    let ek = EncapsulationKey::try_from(public_key).map_err(|_| CryptoError::Malformed("sealing public key"))?;
    let randomness = random::bytes::<{ x_wing::ENCAPSULATION_RANDOMNESS_SIZE }>()?;
    let (kem_ct, shared) = ek.encapsulate_deterministic(&randomness.into());
    let key = derive_key(shared.as_slice(), kem_ct.as_slice())?;
    let body = symmetric::seal(&key, AEAD_LABEL, plaintext)?;
    let mut out = Vec::with_capacity(1 + KEM_CIPHERTEXT_LEN + body.len());
    out.push(VERSION);
    out.extend_from_slice(kem_ct.as_slice());
    out.extend_from_slice(&body);
    Ok(out)
}

/// Opens an envelope made by [`seal`].
pub fn open(seed: &Key32, sealed: &[u8]) -> Result<zeroize::Zeroizing<Vec<u8>>, CryptoError> {
    if sealed.len() < 1 + KEM_CIPHERTEXT_LEN || sealed[0] != VERSION {
        return Err(CryptoError::Malformed("sealed envelope"));
    }
    let kem_bytes = &sealed[1..1 + KEM_CIPHERTEXT_LEN];
    let kem_ct = x_wing::Ciphertext::try_from(kem_bytes).map_err(|_| CryptoError::Malformed("sealed envelope"))?;
    let dk = DecapsulationKey::from(*seed.expose());
    let shared = dk.decapsulate(&kem_ct);
    let key = derive_key(shared.as_slice(), kem_bytes)?;
    symmetric::open(&key, AEAD_LABEL, &sealed[1 + KEM_CIPHERTEXT_LEN..])
}

/// Binds the symmetric key to this KEM ciphertext, so an envelope cannot be spliced.
fn derive_key(shared: &[u8], kem_ciphertext: &[u8]) -> Result<Key32, CryptoError> {
    let hk = Hkdf::<Sha256>::new(Some(kem_ciphertext), shared);
    let mut okm = [0u8; 32];
    hk.expand(AEAD_LABEL, &mut okm).map_err(|_| CryptoError::Kdf("hkdf expand".into()))?;
    Ok(Key32::from_bytes(okm))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_open_and_wrong_key() {
        let seed = Key32::generate().unwrap();
        let pk = public_key(&seed);
        assert_eq!(pk.len(), x_wing::ENCAPSULATION_KEY_SIZE);
        let sealed = seal(&pk, b"secret mail").unwrap();
        assert_eq!(&open(&seed, &sealed).unwrap()[..], b"secret mail");
        assert!(open(&Key32::generate().unwrap(), &sealed).is_err());
        let mut tampered = sealed.clone();
        tampered[5] ^= 0x40;
        assert!(open(&seed, &tampered).is_err());
        assert!(open(&seed, &sealed[..100]).is_err());
        assert!(seal(&pk[..10], b"x").is_err());
    }
}
