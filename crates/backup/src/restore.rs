//! Reading archives: decrypt with an age identity, check the manifest's signature, then
//! every file's size and SHA-256 in order. `verify` reads everything and writes nothing;
//! `restore` writes the files into an empty directory and removes them again if anything
//! fails, so a damaged archive never leaves a half-restored server behind.

use crate::manifest::{FileEntry, Manifest, verify_signature};
use crate::snapshot::pump;
use crate::{BackupError, Result};
use std::fs::{self, File};
use std::io::{BufReader, Read};
use std::path::{Component, Path};

const MAX_MANIFEST: u64 = 256 * 1024 * 1024;

#[derive(Debug)]
pub struct Verified {
    pub manifest: Manifest,
}

/// Verifies an archive end to end. With `expected_signer` (the server's own backup key,
/// hex), an archive signed by any other key is refused too.
pub fn verify_archive(
    archive: &Path,
    identities: &[age::x25519::Identity],
    expected_signer: Option<&str>,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<Verified> {
    read_archive(archive, identities, expected_signer, progress, &mut |_, input| {
        pump(input, &mut std::io::sink(), archive)?;
        Ok(())
    })
}

/// Restores an archive into `target`, which must be missing or empty.
pub fn restore_archive(
    archive: &Path,
    identities: &[age::x25519::Identity],
    target: &Path,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<Verified> {
    if target.exists() && fs::read_dir(target).map_err(BackupError::io(target))?.next().is_some() {
        return Err(BackupError::NotEmpty(target.to_path_buf()));
    }
    sigillo_core::durable::create_private_dir(target).map_err(BackupError::io(target))?;
    let result = read_archive(archive, identities, None, progress, &mut |entry, input| {
        use std::os::unix::fs::OpenOptionsExt;
        let path = target.join(&entry.path);
        if let Some(parent) = path.parent() {
            sigillo_core::durable::create_private_dir(parent).map_err(BackupError::io(parent))?;
        }
        let mut file = fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(&path).map_err(BackupError::io(&path))?;
        let (size, sha256) = pump(input, &mut file, archive)?;
        file.sync_all().map_err(BackupError::io(&path))?;
        check(entry, size, &sha256)
    });
    if result.is_err() {
        // Leave the directory as we found it: empty.
        if let Ok(entries) = fs::read_dir(target) {
            for entry in entries.flatten() {
                let _ = if entry.path().is_dir() { fs::remove_dir_all(entry.path()) } else { fs::remove_file(entry.path()) };
            }
        }
    }
    result
}

fn check(entry: &FileEntry, size: u64, sha256: &str) -> Result<()> {
    if size != entry.size || sha256 != entry.sha256 {
        return Err(BackupError::Damaged(format!("{}: its content does not match the manifest's SHA-256", entry.path)));
    }
    Ok(())
}

type Sink<'a> = dyn FnMut(&FileEntry, &mut dyn Read) -> Result<()> + 'a;

fn read_archive(
    archive: &Path,
    identities: &[age::x25519::Identity],
    expected_signer: Option<&str>,
    progress: &mut dyn FnMut(u64, u64),
    sink: &mut Sink<'_>,
) -> Result<Verified> {
    let file = File::open(archive).map_err(BackupError::io(archive))?;
    let decryptor = age::Decryptor::new(BufReader::new(file))
        .map_err(|e| BackupError::Damaged(format!("not a readable age file ({e}); was it truncated or overwritten?")))?;
    let plain = decryptor.decrypt(identities.iter().map(|i| i as &dyn age::Identity)).map_err(|e| match e {
        age::DecryptError::NoMatchingKeys => BackupError::WrongIdentity,
        other => BackupError::Damaged(format!("cannot decrypt the header: {other}")),
    })?;
    let mut tar = tar::Archive::new(plain);
    let mut entries = tar.entries().map_err(damaged)?;
    let manifest_bytes = read_small(entries.next(), "MANIFEST.json")?;
    let signature = read_small(entries.next(), "MANIFEST.sig")?;
    let manifest = Manifest::from_bytes(&manifest_bytes)?;
    verify_signature(&manifest, &manifest_bytes, &signature)?;
    if let Some(expected) = expected_signer
        && expected != manifest.signer
    {
        return Err(BackupError::Damaged(format!("signed by key {}, not by this server's backup key {expected}", manifest.signer)));
    }
    for entry in &manifest.files {
        if !is_safe(&entry.path) {
            return Err(BackupError::Damaged(format!("unsafe path in the manifest: {:?}", entry.path)));
        }
    }
    let mut expected = manifest.files.iter();
    let mut done = 0;
    for item in entries {
        let mut item = item.map_err(damaged)?;
        let name = item.path().map_err(damaged)?.to_string_lossy().to_string();
        let Some(entry) = expected.next() else {
            return Err(BackupError::Damaged(format!("{name}: not in the manifest")));
        };
        if name != format!("data/{}", entry.path) {
            return Err(BackupError::Damaged(format!("{name}: expected data/{} here", entry.path)));
        }
        let mut hashing = HashCheck::new(&mut item);
        let sunk = sink(entry, &mut hashing);
        if let Some(e) = hashing.read_error.take() {
            // Reading the archive failed (age's authentication tag, or a torn tar): damage,
            // whatever the sink made of it.
            return Err(damaged(e));
        }
        sunk?;
        let (size, sha256) = hashing.finish();
        check(entry, size, &sha256)?;
        done += size;
        progress(done, manifest.counts.bytes);
    }
    if let Some(missing) = expected.next() {
        return Err(BackupError::Damaged(format!("{}: in the manifest but not in the archive (truncated?)", missing.path)));
    }
    Ok(Verified { manifest })
}

/// Hashes what passes through, so the check does not depend on what the sink does.
struct HashCheck<'a, R: Read> {
    inner: &'a mut R,
    hasher: sha2::Sha256,
    size: u64,
    read_error: Option<std::io::Error>,
}

impl<'a, R: Read> HashCheck<'a, R> {
    fn new(inner: &'a mut R) -> Self {
        use sha2::Digest;
        HashCheck { inner, hasher: sha2::Sha256::new(), size: 0, read_error: None }
    }

    fn finish(self) -> (u64, String) {
        use sha2::Digest;
        (self.size, hex::encode(self.hasher.finalize()))
    }
}

impl<R: Read> Read for HashCheck<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        use sha2::Digest;
        let n = match self.inner.read(buf) {
            Ok(n) => n,
            Err(e) => {
                let copy = std::io::Error::new(e.kind(), e.to_string());
                self.read_error = Some(e);
                return Err(copy);
            }
        };
        self.hasher.update(&buf[..n]);
        self.size += n as u64;
        Ok(n)
    }
}

fn is_safe(path: &str) -> bool {
    let p = Path::new(path);
    !path.is_empty() && p.components().all(|c| matches!(c, Component::Normal(_)))
}

fn damaged(e: std::io::Error) -> BackupError {
    BackupError::Damaged(format!("decryption or unpacking failed ({e}): the archive was modified or truncated"))
}

fn read_small<R: Read>(entry: Option<std::io::Result<tar::Entry<'_, R>>>, name: &str) -> Result<Vec<u8>> {
    let mut entry = entry.ok_or_else(|| BackupError::Damaged(format!("{name} is missing")))?.map_err(damaged)?;
    let path = entry.path().map_err(damaged)?.to_string_lossy().to_string();
    if path != name {
        return Err(BackupError::Damaged(format!("expected {name} first, found {path}")));
    }
    let mut bytes = Vec::new();
    entry.by_ref().take(MAX_MANIFEST).read_to_end(&mut bytes).map_err(damaged)?;
    Ok(bytes)
}
