//! Random bytes from the operating system.

use crate::CryptoError;

/// Fills `N` bytes from the OS CSPRNG.
pub fn bytes<const N: usize>() -> Result<[u8; N], CryptoError> {
    let mut out = [0u8; N];
    getrandom::fill(&mut out).map_err(|e| CryptoError::Random(e.to_string()))?;
    Ok(out)
}

/// A random identifier of 16 bytes, hex-encoded; used for file names that must not leak anything.
pub fn hex_id() -> Result<String, CryptoError> {
    Ok(hex::encode(bytes::<16>()?))
}
