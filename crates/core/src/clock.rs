//! One place to read the time, so every timestamp on disk uses the same unit.

use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds since the Unix epoch (UTC). A clock before 1970 reads as 0 rather than panicking.
pub fn unix_now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX)).unwrap_or(0)
}

/// Milliseconds since the Unix epoch, for ids and ordering where seconds collide.
pub fn unix_now_millis() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX)).unwrap_or(0)
}
