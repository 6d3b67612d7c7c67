//! The self-signed certificate `sigillo init` makes, so TLS works before the admin brings
//! a CA-issued one. Valid for 397 days (the CA/Browser Forum's maximum), so the trust
//! center's "certificate valid > 14 days" check is meaningful from day one.

use crate::CryptoError;
use rcgen::{CertificateParams, DistinguishedName, DnType, KeyPair, SanType};
use time::{Duration, OffsetDateTime};

pub struct SelfSigned {
    pub cert_pem: String,
    pub key_pem: zeroize::Zeroizing<String>,
}

/// An ECDSA P-256 certificate for `hostnames` (the first is the common name).
pub fn self_signed(hostnames: &[String]) -> Result<SelfSigned, CryptoError> {
    let err = |e: rcgen::Error| CryptoError::Certificate(e.to_string());
    let mut params = CertificateParams::new(hostnames.to_vec()).map_err(err)?;
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, hostnames.first().cloned().unwrap_or_default());
    dn.push(DnType::OrganizationName, "Sigillo self-signed");
    params.distinguished_name = dn;
    let now = OffsetDateTime::now_utc();
    params.not_before = now - Duration::hours(1);
    params.not_after = now + Duration::days(397);
    params.subject_alt_names.push(SanType::DnsName("localhost".try_into().map_err(err)?));
    params.subject_alt_names.push(SanType::IpAddress(std::net::IpAddr::from([127, 0, 0, 1])));
    let key = KeyPair::generate().map_err(err)?;
    let cert = params.self_signed(&key).map_err(err)?;
    Ok(SelfSigned { cert_pem: cert.pem(), key_pem: zeroize::Zeroizing::new(key.serialize_pem()) })
}

/// Client-side certificate verification shared by outbound SMTP and the trust center's probes.
pub mod verify {
    use rustls::client::WebPkiServerVerifier;
    use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
    use rustls::crypto::CryptoProvider;
    use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
    use rustls::{DigitallySignedStruct, RootCertStore, SignatureScheme};
    use std::sync::Arc;

    /// The one crypto provider of Sigillo's TLS clients.
    pub fn provider() -> Arc<CryptoProvider> {
        Arc::new(rustls::crypto::ring::default_provider())
    }

    /// Accepts any certificate but still verifies the handshake signatures, so the peer must
    /// hold the private key of the certificate it showed. Opportunistic TLS (RFC 7435) and
    /// probes use it; whether the certificate is *trusted* is decided afterwards, by [`Pkix`]
    /// or DANE, on the chain this handshake recorded.
    #[derive(Debug)]
    pub struct AnyCertificate(Arc<CryptoProvider>);

    impl AnyCertificate {
        pub fn new(provider: Arc<CryptoProvider>) -> Self {
            AnyCertificate(provider)
        }
    }

    impl ServerCertVerifier for AnyCertificate {
        fn verify_server_cert(
            &self,
            _end_entity: &CertificateDer<'_>,
            _intermediates: &[CertificateDer<'_>],
            _server_name: &ServerName<'_>,
            _ocsp: &[u8],
            _now: UnixTime,
        ) -> Result<ServerCertVerified, rustls::Error> {
            Ok(ServerCertVerified::assertion())
        }

        fn verify_tls12_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            rustls::crypto::verify_tls12_signature(message, cert, dss, &self.0.signature_verification_algorithms)
        }

        fn verify_tls13_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            rustls::crypto::verify_tls13_signature(message, cert, dss, &self.0.signature_verification_algorithms)
        }

        fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
            self.0.signature_verification_algorithms.supported_schemes()
        }
    }

    /// A TLS client configuration (TLS 1.2+) that completes the handshake with any
    /// certificate (see [`AnyCertificate`]).
    pub fn any_certificate_config(versions: &[&'static rustls::SupportedProtocolVersion]) -> Result<rustls::ClientConfig, rustls::Error> {
        let provider = provider();
        Ok(rustls::ClientConfig::builder_with_provider(Arc::clone(&provider))
            .with_protocol_versions(versions)?
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AnyCertificate::new(provider)))
            .with_no_client_auth())
    }

    /// PKIX validation (RFC 5280 with the RFC 6125 name check, by rustls-webpki) against the
    /// system's trust store plus, optionally, more CAs from a PEM file (`[delivery]
    /// extra_ca_file`: a private CA, or a test's).
    #[derive(Debug, Clone)]
    pub struct Pkix {
        verifier: Arc<WebPkiServerVerifier>,
        roots: usize,
    }

    impl Pkix {
        /// `extra_ca_pem`: PEM certificates trusted in addition to the system's.
        pub fn new(extra_ca_pem: Option<&[u8]>) -> Result<Self, crate::CryptoError> {
            let err = |e: String| crate::CryptoError::Certificate(e);
            let mut roots = RootCertStore::empty();
            // A missing or partly unreadable system store leaves fewer roots, not an error:
            // policies that need verification then fail closed.
            let native = rustls_native_certs::load_native_certs();
            let _ = roots.add_parsable_certificates(native.certs);
            if let Some(pem) = extra_ca_pem {
                let mut count = 0;
                for cert in rustls_pemfile::certs(&mut &pem[..]) {
                    let cert = cert.map_err(|e| err(format!("extra CA file: {e}")))?;
                    roots.add(cert).map_err(|e| err(format!("extra CA file: {e}")))?;
                    count += 1;
                }
                if count == 0 {
                    return Err(err("extra CA file holds no PEM certificate".into()));
                }
            }
            let count = roots.len();
            let verifier = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider())
                .build()
                .map_err(|e| err(format!("PKIX verifier: {e}")))?;
            Ok(Pkix { verifier, roots: count })
        }

        /// A TLS 1.2+ client configuration that refuses any certificate this PKIX check refuses
        /// (the HTTPS fetch of MTA-STS policies, RFC 8461 §3.3).
        pub fn client_config(&self) -> Result<rustls::ClientConfig, rustls::Error> {
            Ok(rustls::ClientConfig::builder_with_provider(provider())
                .with_safe_default_protocol_versions()?
                .dangerous()
                .with_custom_certificate_verifier(Arc::clone(&self.verifier) as Arc<dyn ServerCertVerifier>)
                .with_no_client_auth())
        }

        /// How many trust anchors were loaded.
        pub fn roots(&self) -> usize {
            self.roots
        }

        /// Whether `chain` (end entity first, as the peer sent it) is valid now for `name`.
        pub fn verify(&self, chain: &[CertificateDer<'_>], name: &str) -> Result<(), rustls::Error> {
            let (end_entity, intermediates) = chain.split_first().ok_or(rustls::Error::NoCertificatesPresented)?;
            let name = ServerName::try_from(name.to_string()).map_err(|_| rustls::Error::General(format!("{name:?} is not a DNS name")))?;
            self.verifier.verify_server_cert(end_entity, intermediates, &name, &[], UnixTime::now()).map(|_| ())
        }

        /// The same check with `anchor` as the only trust anchor: DANE-TA (RFC 7672 §3.1.2),
        /// where the TLSA record, not a CA list, says which certificate roots the chain.
        pub fn verify_with_anchor(anchor: &CertificateDer<'_>, chain: &[CertificateDer<'_>], name: &str) -> Result<(), rustls::Error> {
            let mut roots = RootCertStore::empty();
            roots.add(anchor.clone().into_owned())?;
            let verifier = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider())
                .build()
                .map_err(|e| rustls::Error::General(e.to_string()))?;
            Pkix { verifier, roots: 1 }.verify(chain, name)
        }
    }
}
