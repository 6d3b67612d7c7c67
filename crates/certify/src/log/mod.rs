//! The evidence log.
