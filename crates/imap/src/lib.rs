//! Sigillo's IMAP server: IMAP4rev2 (RFC 9051) and IMAP4rev1 (RFC 3501) clients, with our
//! own parser ([`parser`]) and response writer ([`response`]).
#![forbid(unsafe_code)]

pub mod commands;
pub mod io;
pub mod mailbox;
pub mod message;
pub mod mime;
pub mod mutf7;
pub mod parser;
pub mod qresync;
pub mod response;
pub mod search_text;
pub mod selected;
pub mod sequence;
pub mod server;
pub mod session;

pub use server::{Server, handle_connection};
