//! Archives round-trip, and every kind of damage is caught.

use sigillo_backup::archive::BackupJob;
use sigillo_backup::{BackupError, SigningKey, create_archive, identity, list_archives, restore_archive, verify_archive};
use std::path::Path;

fn fixture(root: &Path) {
    for (rel, body) in [
        ("sigillo.toml", b"[server]\n".to_vec()),
        ("directory.db", vec![7u8; 100_000]),
        ("mailboxes/a.db", (0..300_000u32).map(|i| (i % 251) as u8).collect()),
        ("spool/a/1.sealed", b"sealed".to_vec()),
        ("queue/q.queued", b"queued".to_vec()),
    ] {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, body).unwrap();
    }
}

fn tree(root: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            if entry.file_type().unwrap().is_dir() {
                stack.push(entry.path());
            } else {
                let rel = entry.path().strip_prefix(root).unwrap().to_string_lossy().to_string();
                out.push((rel, std::fs::read(entry.path()).unwrap()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn create_verify_restore_and_damage() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    fixture(&data);
    let (secret, recipient) = identity::generate();
    let id_path = tmp.path().join("id.txt");
    std::fs::write(&id_path, secret.as_bytes()).unwrap();
    let ids = identity::load_identities(&id_path).unwrap();
    let (key, _) = SigningKey::generate().unwrap();
    let backups = data.join("backups"); // inside the data dir: must not back itself up
    let job = BackupJob { data: &data, backup_dir: &backups, hostname: "mail.example.org", recipients: &[recipient], signing_key: &key };
    let mut last = 0;
    let (info, manifest) = create_archive(&job, &mut |done, _| last = done).unwrap();
    assert_eq!(last, manifest.counts.bytes);
    assert_eq!((manifest.counts.files, manifest.counts.mailboxes, manifest.counts.spooled_messages), (5, 1, 1));
    assert_eq!(list_archives(&backups).unwrap().len(), 1);
    // Encrypted: no file content is visible in the archive.
    let sealed = std::fs::read(&info.path).unwrap();
    assert!(sealed.starts_with(b"age-encryption.org/v1"));
    assert!(!sealed.windows(6).any(|w| w == b"sealed"));

    let verified = verify_archive(&info.path, &ids, Some(&key.public_hex()), &mut |_, _| {}).unwrap();
    assert_eq!(verified.manifest, manifest);
    let restored = tmp.path().join("restored");
    restore_archive(&info.path, &ids, &restored, &mut |_, _| {}).unwrap();
    let mut original = tree(&data);
    original.retain(|(p, _)| !p.starts_with("backups"));
    assert_eq!(tree(&restored), original);
    assert!(matches!(restore_archive(&info.path, &ids, &restored, &mut |_, _| {}), Err(BackupError::NotEmpty(_))));

    // Another server's key, the wrong identity, and a flipped byte anywhere.
    let (other, _) = SigningKey::generate().unwrap();
    assert!(matches!(verify_archive(&info.path, &ids, Some(&other.public_hex()), &mut |_, _| {}), Err(BackupError::Damaged(_))));
    let (other_secret, _) = identity::generate();
    std::fs::write(&id_path, other_secret.as_bytes()).unwrap();
    let wrong = identity::load_identities(&id_path).unwrap();
    assert!(matches!(verify_archive(&info.path, &wrong, None, &mut |_, _| {}), Err(BackupError::WrongIdentity)));
    for offset in [30, 200, sealed.len() / 3, sealed.len() / 2, sealed.len() - 20] {
        let mut bad = sealed.clone();
        bad[offset] ^= 0x01;
        let path = tmp.path().join(format!("bad-{offset}.age"));
        std::fs::write(&path, &bad).unwrap();
        let err = verify_archive(&path, &ids, None, &mut |_, _| {}).unwrap_err();
        assert!(matches!(err, BackupError::Damaged(_) | BackupError::WrongIdentity), "offset {offset}: {err}");
        let target = tmp.path().join(format!("r-{offset}"));
        assert!(restore_archive(&path, &ids, &target, &mut |_, _| {}).is_err(), "offset {offset}");
        assert_eq!(std::fs::read_dir(&target).map(|d| d.count()).unwrap_or(0), 0, "a failed restore leaves nothing behind");
    }
    // Truncated.
    let path = tmp.path().join("short.age");
    std::fs::write(&path, &sealed[..sealed.len() - 1000]).unwrap();
    assert!(matches!(verify_archive(&path, &ids, None, &mut |_, _| {}), Err(BackupError::Damaged(_))));
}
