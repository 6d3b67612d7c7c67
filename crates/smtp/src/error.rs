//! Errors of the SMTP crate.

#[derive(Debug, thiserror::Error)]
pub enum SmtpError {
    #[error("connection closed by the client")]
    Closed,
    #[error("no data from the client for {0} seconds")]
    Timeout(u64),
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    #[error("TLS handshake failed: {0}")]
    Tls(String),
    #[error(transparent)]
    Store(#[from] sigillo_store::StoreError),
    #[error(transparent)]
    Crypto(#[from] sigillo_crypto::CryptoError),
    #[error(transparent)]
    Auth(#[from] sigillo_auth::AuthError),
    #[error("local delivery: {0}")]
    Delivery(#[from] sigillo_store::deliver::DeliveryError),
    #[error("queue file: {0}")]
    Queue(String),
}
