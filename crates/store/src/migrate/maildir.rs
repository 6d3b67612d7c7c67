//! Maildir (cr.yp.to/proto/maildir.html) with Maildir++ folders: `cur/`, `new/`, `tmp/` at
//! the top for INBOX, and `.Folder.Sub/` directories for the others. Flags live in the file
//! name after `:2,` (D draft, F flagged, R replied, S seen, T trashed).

use super::MigratedMessage;
use std::path::{Path, PathBuf};

const FLAG_LETTERS: [(char, &str); 5] = [('D', "\\Draft"), ('F', "\\Flagged"), ('R', "\\Answered"), ('S', "\\Seen"), ('T', "\\Deleted")];

/// Whether `path` looks like a Maildir (has `cur` and `new`).
pub fn is_maildir(path: &Path) -> bool {
    path.join("cur").is_dir() && path.join("new").is_dir()
}

/// Every message file of a Maildir and its Maildir++ folders, as (folder name, file path),
/// in a stable order. Reading the files is left to the caller, one at a time.
pub fn list(root: &Path) -> std::io::Result<Vec<(String, PathBuf)>> {
    let mut out = Vec::new();
    collect_folder(root, "INBOX", &mut out)?;
    let mut folders: Vec<(String, PathBuf)> = std::fs::read_dir(root)?
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let folder = name.strip_prefix('.').filter(|f| !f.is_empty() && *f != "." && is_maildir(&e.path()))?;
            Some((folder.replace('.', "/"), e.path()))
        })
        .collect();
    folders.sort();
    for (folder, path) in folders {
        collect_folder(&path, &folder, &mut out)?;
    }
    Ok(out)
}

fn collect_folder(dir: &Path, folder: &str, out: &mut Vec<(String, PathBuf)>) -> std::io::Result<()> {
    for sub in ["new", "cur"] {
        let mut files: Vec<PathBuf> = match std::fs::read_dir(dir.join(sub)) {
            Ok(entries) => entries.filter_map(Result::ok).map(|e| e.path()).filter(|p| p.is_file()).collect(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e),
        };
        files.sort();
        out.extend(files.into_iter().map(|p| (folder.to_string(), p)));
    }
    Ok(())
}

/// Reads one message file: flags from its name, internal date from its mtime.
pub fn read_message(folder: &str, path: &Path) -> std::io::Result<MigratedMessage> {
    let raw = std::fs::read(path)?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let flags = name
        .rsplit_once(":2,")
        .map(|(_, letters)| FLAG_LETTERS.iter().filter(|(c, _)| letters.contains(*c)).map(|(_, f)| (*f).to_string()).collect())
        .unwrap_or_default();
    let internal_date = std::fs::metadata(path)?
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or_else(sigillo_core::clock::unix_now, |d| d.as_secs() as i64);
    Ok(MigratedMessage { mailbox: folder.to_string(), flags, internal_date, raw })
}

/// Writes one message into a Maildir rooted at `root` (creating folders as needed).
/// `seq` makes the unique part of the file name.
pub fn write_message(root: &Path, message: &MigratedMessage, seq: u64) -> std::io::Result<PathBuf> {
    let dir = if message.mailbox == "INBOX" { root.to_path_buf() } else { root.join(format!(".{}", message.mailbox.replace('/', "."))) };
    for sub in ["cur", "new", "tmp"] {
        std::fs::create_dir_all(dir.join(sub))?;
    }
    let letters: String = FLAG_LETTERS.iter().filter(|(_, f)| message.flags.iter().any(|g| g == f)).map(|(c, _)| *c).collect();
    let name = format!("{}.{seq}.sigillo:2,{letters}", message.internal_date);
    let path = dir.join("cur").join(name);
    std::fs::write(&path, &message.raw)?;
    let mtime = std::time::UNIX_EPOCH + std::time::Duration::from_secs(message.internal_date.max(0) as u64);
    std::fs::File::options().write(true).open(&path)?.set_modified(mtime)?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_with_folders_and_flags() {
        let dir = tempfile::tempdir().unwrap();
        let a = MigratedMessage {
            mailbox: "INBOX".into(),
            flags: vec!["\\Seen".into()],
            internal_date: 1_700_000_000,
            raw: b"Subject: a\r\n\r\nA\r\n".to_vec(),
        };
        let b = MigratedMessage {
            mailbox: "Work/2026".into(),
            flags: vec!["\\Answered".into(), "\\Flagged".into()],
            internal_date: 1_600_000_000,
            raw: b"Subject: b\n\nB\n".to_vec(),
        };
        write_message(dir.path(), &a, 1).unwrap();
        write_message(dir.path(), &b, 2).unwrap();
        assert!(is_maildir(dir.path()));
        let listed = list(dir.path()).unwrap();
        let back: Vec<_> = listed.iter().map(|(f, p)| read_message(f, p).unwrap()).collect();
        let mut b_sorted = b.clone();
        b_sorted.flags.sort();
        let mut back_b = back[1].clone();
        back_b.flags.sort();
        assert_eq!(back[0], a);
        assert_eq!(back_b, b_sorted);
    }
}
