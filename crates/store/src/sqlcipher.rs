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
