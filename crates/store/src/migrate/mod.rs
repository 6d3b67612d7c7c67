//! Moving mail in and out of Sigillo in the formats every mail tool reads:
//! mbox (the mboxrd variant) and Maildir (with Maildir++ folders).
//!
//! Both directions use [`SpoolEntry`] as the unit: folder, flags, internal date, bytes.

pub mod export;
pub mod maildir;
pub mod mbox;

pub use crate::spool::SpoolEntry as MigratedMessage;
