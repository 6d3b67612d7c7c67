//! Types shared by every Sigillo crate: configuration, addresses, the clock.
#![forbid(unsafe_code)]

pub mod address;
pub mod clock;
pub mod config;
pub mod durable;
pub mod stream;

pub use address::{Address, AddressError};
pub use config::{Config, ConfigError};
