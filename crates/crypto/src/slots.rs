//! Key slots, as in LUKS: each slot wraps the same [`AccountKeys`] under a key-encryption
//! key derived with Argon2id from one secret (the password, an app password, the recovery
//! code). Changing a password rewrites one slot; no mail is re-encrypted.
//!
//! The Argon2id parameters are stored in each slot, so raising them later only affects
//! slots written after the change, and old slots still open.

use crate::{AccountKeys, CryptoError, Key32, random, symmetric};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use serde::{Deserialize, Serialize};
use zeroize::Zeroize;

/// Argon2id cost parameters (RFC 9106 §3.1 names: m in KiB, t iterations, p lanes).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub struct KdfParams {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

impl KdfParams {
    /// OWASP Password Storage Cheat Sheet's recommended minimum for Argon2id.
    pub const OWASP_MINIMUM: KdfParams = KdfParams { memory_kib: 19 * 1024, iterations: 2, parallelism: 1 };
}

/// One wrapped copy of an account's keys. Safe to store: without the secret it is noise.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct KeySlot {
    pub kdf: KdfParams,
    #[serde(with = "hex_bytes")]
    pub salt: Vec<u8>,
    #[serde(with = "hex_bytes")]
    pub wrapped: Vec<u8>,
}

impl KeySlot {
    /// Wraps `keys` under `secret`. `context` (the account id) is bound into the
    /// ciphertext so a slot copied onto another account does not open there.
    pub fn wrap(keys: &AccountKeys, secret: &[u8], params: KdfParams, context: &[u8]) -> Result<Self, CryptoError> {
        let salt = random::bytes::<16>()?.to_vec();
        let kek = derive_kek(secret, &salt, params)?;
        let wrapped = symmetric::seal(&kek, &aad(context), &keys.to_plaintext())?;
        Ok(KeySlot { kdf: params, salt, wrapped })
    }

    /// Unwraps the keys; a wrong secret gives [`CryptoError::Decrypt`].
    pub fn unwrap_keys(&self, secret: &[u8], context: &[u8]) -> Result<AccountKeys, CryptoError> {
        let kek = derive_kek(secret, &self.salt, self.kdf)?;
        let plain = symmetric::open(&kek, &aad(context), &self.wrapped)?;
        AccountKeys::from_plaintext(&plain)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    pub fn from_json(text: &str) -> Result<Self, CryptoError> {
        serde_json::from_str(text).map_err(|_| CryptoError::Malformed("key slot"))
    }
}

fn aad(context: &[u8]) -> Vec<u8> {
    let mut aad = b"sigillo key slot v1:".to_vec();
    aad.extend_from_slice(context);
    aad
}

fn derive_kek(secret: &[u8], salt: &[u8], p: KdfParams) -> Result<Key32, CryptoError> {
    let params = Params::new(p.memory_kib, p.iterations, p.parallelism, Some(32)).map_err(|e| CryptoError::Kdf(e.to_string()))?;
    let blocks_needed = params.block_count();
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
    let mut out = [0u8; 32];
    let mut blocks: Vec<Block> = Vec::with_capacity(blocks_needed.max(KDF_RESERVE_BYTES / std::mem::size_of::<Block>()));
    blocks.resize(blocks_needed, Block::default());
    let hashed = argon.hash_password_into_with_memory(secret, salt, &mut out, &mut blocks[..]);
    // The work memory holds values derived from the secret.
    for block in &mut blocks {
        block.zeroize();
    }
    hashed.map_err(|e| CryptoError::Kdf(e.to_string()))?;
    Ok(Key32::from_bytes(out))
}

/// The KDF's work memory is reserved this large, though only `memory_kib` of it is used
/// (touched, so resident). glibc serves an allocation below its dynamic mmap threshold,
/// which rises to 32 MiB once mapped chunks are freed, from its heap arenas; there a freed
/// 19 MiB KDF buffer is fragmented by the small allocations the login makes meanwhile and
/// stays resident. A server that unlocks an account per login (IMAP IDLE clients) grew
/// ~1.3 MB per connection that way (bench/imap-load); above the threshold the buffer is
/// always its own mapping, given back to the system when the derivation ends.
const KDF_RESERVE_BYTES: usize = 33 * 1024 * 1024;

mod hex_bytes {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        hex::decode(text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_unwrap_wrong_secret_and_context() {
        let keys = AccountKeys::generate().unwrap();
        let slot = KeySlot::wrap(&keys, b"correct horse", KdfParams::OWASP_MINIMUM, b"acct-1").unwrap();
        let back = KeySlot::from_json(&slot.to_json()).unwrap();
        assert_eq!(back.unwrap_keys(b"correct horse", b"acct-1").unwrap(), keys);
        assert!(matches!(back.unwrap_keys(b"wrong", b"acct-1"), Err(CryptoError::Decrypt)));
        assert!(matches!(back.unwrap_keys(b"correct horse", b"acct-2"), Err(CryptoError::Decrypt)));
    }

    #[test]
    fn kek_with_reserved_memory_equals_the_library_allocation() {
        // Slots written before the KDF memory was reserved by us must still open.
        let p = KdfParams::OWASP_MINIMUM;
        let params = Params::new(p.memory_kib, p.iterations, p.parallelism, Some(32)).unwrap();
        let mut expected = [0u8; 32];
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password_into(b"secret", b"sixteen byte salt", &mut expected)
            .unwrap();
        assert_eq!(derive_kek(b"secret", b"sixteen byte salt", p).unwrap().expose(), &expected);
    }
}
