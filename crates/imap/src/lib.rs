//! Sigillo's IMAP server: IMAP4rev2 (RFC 9051) and IMAP4rev1 (RFC 3501) clients, with our
//! own parser ([`parser`]) and response writer ([`response`]).
#![forbid(unsafe_code)]

#[cfg(feature = "server")]
pub mod commands;
#[cfg(feature = "server")]
pub mod derive;
pub mod io;
#[cfg(feature = "server")]
pub mod mailbox;
pub mod message;
pub mod mime;
pub mod mutf7;
#[cfg(feature = "server")]
pub mod open_stores;
pub mod parser;
#[cfg(feature = "server")]
pub mod qresync;
pub mod response;
pub mod search_index;
pub mod search_text;
#[cfg(feature = "server")]
pub mod selected;
pub mod sequence;
#[cfg(feature = "server")]
pub mod server;
#[cfg(feature = "server")]
pub mod session;
pub mod uid_list;

#[cfg(feature = "server")]
pub use server::{Server, handle_connection};
