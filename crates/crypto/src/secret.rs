//! Secret key material that wipes itself when dropped.

use crate::{CryptoError, random};
use zeroize::{Zeroize, ZeroizeOnDrop};

/// A 256-bit secret key. Zeroized on drop; `Debug` never prints it.
#[derive(Clone, Zeroize, ZeroizeOnDrop, PartialEq, Eq)]
pub struct Key32([u8; 32]);

impl Key32 {
    pub fn generate() -> Result<Self, CryptoError> {
        Ok(Key32(random::bytes::<32>()?))
    }

    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Key32(bytes)
    }

    pub fn from_slice(bytes: &[u8]) -> Result<Self, CryptoError> {
        let arr: [u8; 32] = bytes.try_into().map_err(|_| CryptoError::Malformed("key (expected 32 bytes)"))?;
        Ok(Key32(arr))
    }

    pub fn from_hex(text: &str) -> Result<Self, CryptoError> {
        let mut raw = hex::decode(text.trim()).map_err(|_| CryptoError::Malformed("key (expected 64 hex digits)"))?;
        let key = Self::from_slice(&raw);
        raw.zeroize();
        key
    }

    pub fn expose(&self) -> &[u8; 32] {
        &self.0
    }

    /// The key as SQLCipher's raw-key literal `x'…'`: a raw key skips SQLCipher's own
    /// PBKDF2 (our keys are already uniformly random), which makes opening a mailbox cheap.
    pub fn sqlcipher_literal(&self) -> zeroize::Zeroizing<String> {
        zeroize::Zeroizing::new(format!("x'{}'", hex::encode(self.0)))
    }

    pub fn to_hex(&self) -> zeroize::Zeroizing<String> {
        zeroize::Zeroizing::new(hex::encode(self.0))
    }
}

impl std::fmt::Debug for Key32 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Key32(<redacted>)")
    }
}

/// What a key slot unlocks: the mailbox key and the seed of the sealing key pair.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountKeys {
    pub mailbox_key: Key32,
    pub sealing_seed: Key32,
}

impl AccountKeys {
    pub fn generate() -> Result<Self, CryptoError> {
        Ok(AccountKeys { mailbox_key: Key32::generate()?, sealing_seed: Key32::generate()? })
    }

    /// The public half of the sealing key pair, given to the spool.
    pub fn sealing_public_key(&self) -> Vec<u8> {
        crate::sealing::public_key(&self.sealing_seed)
    }

    pub(crate) fn to_plaintext(&self) -> zeroize::Zeroizing<Vec<u8>> {
        let mut out = zeroize::Zeroizing::new(Vec::with_capacity(64));
        out.extend_from_slice(self.mailbox_key.expose());
        out.extend_from_slice(self.sealing_seed.expose());
        out
    }

    pub(crate) fn from_plaintext(bytes: &[u8]) -> Result<Self, CryptoError> {
        if bytes.len() != 64 {
            return Err(CryptoError::Malformed("key slot contents"));
        }
        Ok(AccountKeys { mailbox_key: Key32::from_slice(&bytes[..32])?, sealing_seed: Key32::from_slice(&bytes[32..])? })
    }
}
