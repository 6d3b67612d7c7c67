//! The log on disk: `evidence/log.leaves`, the 32-byte leaf hashes in order, appended and
//! fsync'd before an append returns. The entries themselves are stored by the caller; the
//! file alone fixes the tree. A torn last record (crash mid-write) is cut off on open.

use super::LogError;
use super::merkle::{self, CompactRange, Hash};
use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// Up to 2^32 entries: 128 GiB of leaf hashes, far beyond one server's lifetime of mail.
const MAX_ENTRIES: u64 = 1 << 32;

pub struct EvidenceLog {
    path: PathBuf,
    file: File,
    /// Every leaf hash, for proofs (32 bytes per event: a million events is 32 MB).
    leaves: Vec<Hash>,
    range: CompactRange,
}

impl EvidenceLog {
    pub fn open(path: &Path) -> Result<Self, LogError> {
        let io = |source| LogError::Io { path: path.display().to_string(), source };
        let mut file = OpenOptions::new().read(true).append(true).create(true).open(path).map_err(io)?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).map_err(io)?;
        let whole = bytes.len() - bytes.len() % 32;
        if whole != bytes.len() {
            tracing::warn!(path = %path.display(), "evidence log ends in a torn record; cutting it off");
            file.set_len(whole as u64).map_err(io)?;
            file.sync_all().map_err(io)?;
        }
        let mut leaves = Vec::with_capacity(whole / 32);
        let mut range = CompactRange::default();
        for chunk in bytes[..whole].chunks_exact(32) {
            let mut leaf = [0u8; 32];
            leaf.copy_from_slice(chunk);
            leaves.push(leaf);
            range.push(leaf);
        }
        Ok(EvidenceLog { path: path.to_path_buf(), file, leaves, range })
    }

    /// Appends an entry durably; returns its index.
    pub fn append(&mut self, entry: &[u8]) -> Result<u64, LogError> {
        let index = self.size();
        if index >= MAX_ENTRIES {
            return Err(LogError::Full);
        }
        let leaf = merkle::leaf_hash(entry);
        let io = |source| LogError::Io { path: self.path.display().to_string(), source };
        self.file.write_all(&leaf).map_err(io)?;
        self.file.sync_data().map_err(io)?;
        self.leaves.push(leaf);
        self.range.push(leaf);
        Ok(index)
    }

    pub fn size(&self) -> u64 {
        self.range.size()
    }

    pub fn root(&self) -> Hash {
        self.range.root()
    }

    pub fn leaf(&self, index: u64) -> Option<Hash> {
        self.leaves.get(usize::try_from(index).ok()?).copied()
    }

    /// Inclusion proof of leaf `index` in the tree of `size` leaves.
    pub fn inclusion_proof(&self, index: u64, size: u64) -> Result<Vec<Hash>, LogError> {
        if index >= size || size > self.size() {
            return Err(LogError::OutOfRange { index, size: self.size() });
        }
        Ok(merkle::inclusion_proof(&self.leaves[..size as usize], index as usize))
    }

    /// Consistency proof from the tree of `first` leaves to that of `second`.
    pub fn consistency_proof(&self, first: u64, second: u64) -> Result<Vec<Hash>, LogError> {
        if first > second || second > self.size() {
            return Err(LogError::OutOfRange { index: first, size: self.size() });
        }
        Ok(merkle::consistency_proof(&self.leaves[..second as usize], first as usize))
    }

    /// The root of the first `size` leaves.
    pub fn root_at(&self, size: u64) -> Result<Hash, LogError> {
        if size > self.size() {
            return Err(LogError::OutOfRange { index: size, size: self.size() });
        }
        Ok(merkle::root(&self.leaves[..size as usize]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn survives_reopen_and_a_torn_tail() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log.leaves");
        let mut log = EvidenceLog::open(&path).unwrap();
        for i in 0..10 {
            assert_eq!(log.append(format!("e{i}").as_bytes()).unwrap(), i);
        }
        let root = log.root();
        drop(log);
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(&[7; 5]).unwrap();
        let log = EvidenceLog::open(&path).unwrap();
        assert_eq!((log.size(), log.root()), (10, root));
        assert_eq!(std::fs::metadata(&path).unwrap().len(), 320);
        let proof = log.inclusion_proof(3, 10).unwrap();
        assert!(merkle::verify_inclusion(&merkle::leaf_hash(b"e3"), 3, 10, &proof, &root));
        let c = log.consistency_proof(4, 10).unwrap();
        assert!(merkle::verify_consistency(4, 10, &log.root_at(4).unwrap(), &root, &c));
        assert!(log.inclusion_proof(10, 10).is_err());
    }
}
