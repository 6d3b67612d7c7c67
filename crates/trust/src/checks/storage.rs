//! Data at rest: nothing in the data directory is readable without a key.

use super::Outcome;
use crate::Target;
use serde_json::json;
use sigillo_store::sqlcipher::{KeylessProbe, probe_without_key};
use std::io::Read;
use std::path::Path;

const SQLITE_MAGIC: &[u8] = b"SQLite format 3\0";
/// How a message or mbox in clear starts; a sealed file never does.
const CLEAR_MAIL: [&[u8]; 6] = [b"From ", b"Received:", b"Return-Path:", b"From:", b"Subject:", b"Delivered-To:"];

pub fn encrypted_at_rest(target: &Target) -> Outcome {
    let backups = target.config.backup_dir(target.root());
    let mut files = Vec::new();
    walk(target.root(), &backups, &mut files);
    let (mut databases, mut sealed, mut clear) = (0, 0, Vec::new());
    for path in &files {
        let name = path.to_string_lossy();
        let rel = path.strip_prefix(target.root()).unwrap_or(path).display().to_string();
        if name.ends_with(".db") {
            // Through SQLite, never a raw read: the server has these databases open, and
            // closing a raw descriptor would drop its locks on them (see probe_without_key).
            databases += 1;
            match probe_without_key(path) {
                KeylessProbe::NotADatabase => {}
                KeylessProbe::Readable => clear.push(format!("{rel}: a plain SQLite database")),
                KeylessProbe::Unknown(why) => clear.push(format!("{rel}: cannot be checked ({why})")),
            }
            continue;
        }
        // A database's WAL and shared-memory index are never opened either: SQLite keeps
        // its WAL locks on the -shm file, and closing a descriptor would drop them too.
        if ["-wal", "-shm", "-journal"].iter().any(|suffix| name.ends_with(suffix)) {
            continue;
        }
        let head = head(path);
        if rel.starts_with("spool/") || rel.starts_with("queue/") || rel.starts_with("mailboxes/") {
            sealed += 1;
            if head.starts_with(SQLITE_MAGIC) || CLEAR_MAIL.iter().any(|m| head.starts_with(m)) {
                clear.push(format!("{rel}: mail in clear"));
            }
        } else if head.starts_with(SQLITE_MAGIC) {
            clear.push(format!("{rel}: a plain SQLite database"));
        }
    }
    // The directory opens with its key, and not with another.
    let keyed = sigillo_store::Directory::open(&target.data.directory_db(), &target.directory_key).is_ok();
    let wrong = sigillo_crypto::Key32::generate()
        .map(|k| sigillo_store::Directory::open(&target.data.directory_db(), &k).is_err())
        .unwrap_or(false);
    let evidence = json!({ "files": files.len(), "databases": databases, "sealed_files": sealed, "in_clear": clear,
                           "directory_opens_with_its_key": keyed, "directory_refuses_another_key": wrong });
    if clear.is_empty() && keyed && wrong {
        Outcome::pass(format!("{databases} databases and {sealed} sealed files, none readable without its key"), evidence)
    } else if !clear.is_empty() {
        Outcome::fail(format!("{} file(s) readable without a key: {}", clear.len(), clear.join("; ")), evidence)
    } else {
        Outcome::fail("the directory database does not behave as encrypted", evidence)
    }
}

fn head(path: &Path) -> Vec<u8> {
    let mut head = Vec::with_capacity(16);
    if let Ok(file) = std::fs::File::open(path) {
        let _ = file.take(16).read_to_end(&mut head);
    }
    head
}

fn walk(dir: &Path, skip: &Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path == skip {
            continue;
        }
        match entry.file_type() {
            Ok(t) if t.is_dir() => walk(&path, skip, out),
            Ok(t) if t.is_file() => {
                let name = entry.file_name().to_string_lossy().to_string();
                // SQLite's -wal/-shm files are encrypted pages too, but start with SQLite's
                // own WAL header; they are checked through their database.
                if !name.ends_with("-wal") && !name.ends_with("-shm") {
                    out.push(path);
                }
            }
            _ => {}
        }
    }
}
