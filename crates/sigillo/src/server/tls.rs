//! The TLS server configuration: rustls with TLS 1.2 and 1.3 only, the certificate from
//! `keys/tls.crt` and its private key from the encrypted key store.

use crate::context::Context;
use anyhow::{Context as _, Result};
use std::sync::Arc;
use tokio_rustls::TlsAcceptor;

pub fn acceptor(ctx: &Context) -> Result<TlsAcceptor> {
    let cert_path = ctx.data.tls_cert();
    let cert_pem = std::fs::read(&cert_path).with_context(|| format!("cannot read the TLS certificate {}", cert_path.display()))?;
    let certs = rustls_pemfile::certs(&mut &cert_pem[..])
        .collect::<Result<Vec<_>, _>>()
        .with_context(|| format!("{} is not a PEM certificate", cert_path.display()))?;
    let key = rustls_pemfile::private_key(&mut ctx.keys.tls_key_pem.as_bytes())
        .context("the TLS key in the key store is not PEM")?
        .context("the key store holds no TLS private key")?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .context("TLS versions")?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .context("the TLS certificate and key do not match")?;
    Ok(TlsAcceptor::from(Arc::new(config)))
}
