//! Opening SQLCipher databases the same way everywhere.

use crate::{Result, StoreError};
use rusqlite::{Connection, OpenFlags};
use sigillo_crypto::Key32;
use std::path::Path;
use std::time::Duration;

/// Page size of every database. SQLCipher encrypts and authenticates each page separately
/// (AES-256-CBC + HMAC-SHA512 through OpenSSL), and with OpenSSL 3 the per-page setup
/// dominates: 16 KiB pages made encrypted appends ~40% and reads ~50-90% faster than 4 KiB
/// (see the store benchmark). SQLCipher does not record it in the file, so it must never
/// change for existing databases.
const PAGE_SIZE: i64 = 16384;

/// Opens (or creates, with `create`) an encrypted database and checks the key is right.
pub fn open_encrypted(path: &Path, key: &Key32, create: bool) -> Result<Connection> {
    let conn = open_file(path, create)?;
    // SQLCipher: the key must be the first statement on a new connection.
    conn.pragma_update(None, "key", &*key.sqlcipher_literal())?;
    conn.pragma_update(None, "cipher_page_size", PAGE_SIZE)?;
    // A wrong key is an error we return; SQLCipher must not also print it on stderr.
    let _ = conn.execute_batch("PRAGMA cipher_log_level = NONE;");
    // A wrong key only shows on the first read of a page.
    if conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0)).is_err() {
        return Err(StoreError::WrongKey(path.display().to_string()));
    }
    tune(&conn)?;
    Ok(conn)
}

/// What a database file shows to someone without its key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeylessProbe {
    /// It opens and its schema reads: the file is a database in clear.
    Readable,
    /// SQLite sees no database in it (SQLITE_NOTADB): encrypted, or not a database at all.
    NotADatabase,
    /// It could not be told (the error says why).
    Unknown(String),
}

/// Opens `path` read-only with no key and tries to read its schema.
///
/// A running server must look at its own databases this way, never through a raw file
/// descriptor: POSIX advisory locks belong to the process, and closing *any* descriptor of
/// the file drops every lock the process holds on it, so another process (the CLI) takes
/// the database for unused, checkpoints and deletes the WAL the server is still writing to
/// (sqlite.org/howtocorrupt.html §2.2). SQLite's own VFS keeps such descriptors open until
/// the process's last connection to the file closes.
pub fn probe_without_key(path: &Path) -> KeylessProbe {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = match Connection::open_with_flags(path, flags) {
        Ok(c) => c,
        Err(e) => return KeylessProbe::Unknown(e.to_string()),
    };
    let _ = conn.execute_batch("PRAGMA cipher_log_level = NONE;");
    match conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0)) {
        Ok(_) => KeylessProbe::Readable,
        Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == rusqlite::ErrorCode::NotADatabase => KeylessProbe::NotADatabase,
        Err(e) => KeylessProbe::Unknown(e.to_string()),
    }
}

/// Opens an unencrypted database with the same settings; for the benchmark's baseline only.
pub fn open_plain(path: &Path) -> Result<Connection> {
    let conn = open_file(path, true)?;
    conn.pragma_update(None, "page_size", PAGE_SIZE)?;
    tune(&conn)?;
    Ok(conn)
}

fn open_file(path: &Path, create: bool) -> Result<Connection> {
    if !create && !path.exists() {
        return Err(StoreError::NotFound(path.display().to_string()));
    }
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI;
    if create {
        flags |= OpenFlags::SQLITE_OPEN_CREATE;
    }
    Ok(Connection::open_with_flags(path, flags)?)
}

fn tune(conn: &Connection) -> Result<()> {
    conn.busy_timeout(Duration::from_secs(10))?;
    // WAL: readers never block the writer; every page in the WAL is encrypted like the db.
    conn.pragma_update(None, "journal_mode", "WAL")?;
    // FULL: a commit is fsync'd before it returns, so "250 OK" means on disk.
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // Sorts and temporary indexes stay in memory, never in a temp file.
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    // Deleted content is overwritten, so a deleted key slot or message does not linger
    // in free pages (still encrypted, but crypto-shredding means gone).
    conn.pragma_update(None, "secure_delete", "ON")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_keyless_probe_tells_encrypted_from_clear() {
        let dir = tempfile::tempdir().unwrap();
        let sealed = dir.path().join("sealed.db");
        let conn = open_encrypted(&sealed, &Key32::generate().unwrap(), true).unwrap();
        conn.execute_batch("CREATE TABLE t(x); INSERT INTO t VALUES (1);").unwrap();
        // Probed while a connection is open, as the running server's trust check does.
        assert_eq!(probe_without_key(&sealed), KeylessProbe::NotADatabase);
        conn.execute_batch("INSERT INTO t VALUES (2);").unwrap();
        drop(conn);

        let clear = dir.path().join("clear.db");
        let conn = open_plain(&clear).unwrap();
        conn.execute_batch("CREATE TABLE t(x);").unwrap();
        assert_eq!(probe_without_key(&clear), KeylessProbe::Readable);
        assert!(matches!(probe_without_key(&dir.path().join("missing.db")), KeylessProbe::Unknown(_)));
    }
}
