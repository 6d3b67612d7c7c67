//! The status page's engine: each component's health from periodic probes ([`probes`]),
//! kept per day for 90-day uptime, and the incidents an administrator declares
//! ([`incidents`], `sigillo incident open|update|resolve`).

pub mod incidents;
pub mod probes;

/// The components the status page reports, in display order.
pub const COMPONENTS: [&str; 8] = ["smtp", "submission", "imap", "pop3", "web", "queue", "storage", "tsa"];

/// How many days of uptime the page shows.
pub const UPTIME_DAYS: usize = 90;
