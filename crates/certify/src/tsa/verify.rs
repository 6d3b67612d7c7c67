//! Offline verification of RFC 3161 tokens, ours or an outside TSA's (ECDSA P-256 signers).
//!
//! Checks what `openssl ts -verify` checks: one signer, TSTInfo content, a signed
//! signing-certificate attribute matching the signer certificate, the messageDigest
//! attribute, the signature, the certificate chain to the trusted CA, the timeStamping key
//! usage, and the message imprint.

use super::TsaError;
use super::oids::*;
use cms::cert::CertificateChoices;
use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerIdentifier};
use der::asn1::{GeneralizedTime, OctetString};
use der::{Decode, Encode, Sequence, Tagged};
use p256::ecdsa::signature::Verifier;
use p256::ecdsa::{DerSignature, VerifyingKey};
use spki::DecodePublicKey;
use x509_cert::Certificate;
use x509_tsp::TstInfo;

/// What a valid token says.
#[derive(Debug, Clone)]
pub struct TokenFacts {
    /// The SHA-256 digest that was stamped.
    pub digest: Vec<u8>,
    pub gen_time: GeneralizedTime,
    /// Serial number, hex.
    pub serial: String,
    /// The signer certificate (from the token).
    pub signer: Certificate,
    /// The request's nonce, echoed (RFC 3161 §2.4.2).
    pub nonce: Option<Vec<u8>>,
}

impl TokenFacts {
    /// The stamped time as RFC 3339 text.
    pub fn time_rfc3339(&self) -> String {
        let secs = self.gen_time.to_unix_duration().as_secs() as i64;
        time::OffsetDateTime::from_unix_timestamp(secs)
            .ok()
            .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
            .unwrap_or_else(|| secs.to_string())
    }
}

#[derive(Sequence)]
struct EssCertIdV2Any {
    #[asn1(optional = "true")]
    hash_algorithm: Option<spki::AlgorithmIdentifierOwned>,
    cert_hash: OctetString,
    #[asn1(optional = "true")]
    issuer_serial: Option<der::Any>,
}

#[derive(Sequence)]
struct SigningCertificateV2Any {
    certs: Vec<EssCertIdV2Any>,
    #[asn1(optional = "true")]
    policies: Option<der::Any>,
}

/// Verifies `token` (DER ContentInfo) over `digest` (SHA-256) against the trusted `ca`;
/// `extra_certs` may supply the signer certificate when the token does not carry it.
pub fn verify_token(token: &[u8], digest: &[u8], ca: &Certificate, extra_certs: &[Certificate]) -> Result<TokenFacts, TsaError> {
    let invalid = |why: &str| TsaError::Invalid(why.to_string());
    let info = ContentInfo::from_der(token)?;
    if info.content_type != ID_SIGNED_DATA {
        return Err(invalid("not a CMS SignedData"));
    }
    let signed = SignedData::from_der(&info.content.to_der()?)?;
    // Nothing outside the signed attributes may change unnoticed either: the SignedData
    // version (3, RFC 5652 §5.1) and its digest algorithm list are fixed for our tokens.
    if signed.version != cms::content_info::CmsVersion::V3 {
        return Err(invalid("the SignedData version is not 3"));
    }
    if signed.digest_algorithms.iter().any(|a| a.oid != ID_SHA_256 || a.parameters.is_some()) {
        return Err(invalid("the SignedData digest algorithms are not exactly SHA-256"));
    }
    if signed.encap_content_info.econtent_type != ID_CT_TST_INFO {
        return Err(invalid("the signed content is not a TSTInfo"));
    }
    let econtent = signed.encap_content_info.econtent.as_ref().ok_or_else(|| invalid("no attached TSTInfo"))?;
    if econtent.tag() != der::Tag::OctetString {
        return Err(invalid("the TSTInfo is not wrapped in an OCTET STRING"));
    }
    let tst_der = econtent.value();
    let tst = TstInfo::from_der(tst_der)?;
    // Message imprint (RFC 3161 §2.4.2).
    if tst.message_imprint.hash_algorithm.oid != ID_SHA_256 {
        return Err(invalid("the token's imprint is not SHA-256"));
    }
    if tst.message_imprint.hashed_message.as_bytes() != digest {
        return Err(invalid("message imprint mismatch: the token stamps a different hash"));
    }
    let signers: Vec<_> = signed.signer_infos.0.iter().collect();
    let [signer_info] = signers.as_slice() else {
        return Err(invalid("a token must have exactly one signer"));
    };
    if signer_info.version != cms::content_info::CmsVersion::V1 || signer_info.unsigned_attrs.is_some() {
        return Err(invalid("unexpected signer info version or unsigned attributes"));
    }
    // Find the signer certificate.
    let SignerIdentifier::IssuerAndSerialNumber(ias) = &signer_info.sid else {
        return Err(invalid("the signer is named by key identifier, not issuer and serial"));
    };
    let carried = signed.certificates.iter().flat_map(|set| set.0.iter()).filter_map(|c| match c {
        CertificateChoices::Certificate(cert) => Some(cert),
        _ => None,
    });
    let cert = carried
        .chain(extra_certs.iter())
        .find(|c| c.tbs_certificate.issuer == ias.issuer && c.tbs_certificate.serial_number == ias.serial_number)
        .ok_or_else(|| invalid("the signer certificate is neither in the token nor supplied"))?
        .clone();
    let attrs = signer_info.signed_attrs.as_ref().ok_or_else(|| invalid("no signed attributes"))?;
    let attr = |oid| attrs.iter().find(|a| a.oid == oid).and_then(|a| a.values.iter().next());
    // contentType must match eContentType (RFC 5652 §11.1).
    let content_type = attr(ID_CONTENT_TYPE).ok_or_else(|| invalid("no contentType attribute"))?;
    if content_type.decode_as::<der::oid::ObjectIdentifier>()? != ID_CT_TST_INFO {
        return Err(invalid("contentType attribute does not match"));
    }
    // messageDigest over the TSTInfo (RFC 5652 §11.2).
    if signer_info.digest_alg.oid != ID_SHA_256 || signer_info.digest_alg.parameters.is_some() {
        return Err(invalid("the signer's digest algorithm is not SHA-256"));
    }
    let message_digest = attr(ID_MESSAGE_DIGEST).ok_or_else(|| invalid("no messageDigest attribute"))?;
    if message_digest.decode_as::<OctetString>()?.as_bytes() != crate::sha256(tst_der) {
        return Err(invalid("messageDigest does not match the TSTInfo: the token was altered"));
    }
    // The signing-certificate attribute binds the signer certificate (RFC 5816 / RFC 5035).
    let cert_der = cert.to_der()?;
    if let Some(v2) = attr(ID_AA_SIGNING_CERTIFICATE_V2) {
        let ess = v2.decode_as::<SigningCertificateV2Any>()?;
        let first = ess.certs.first().ok_or_else(|| invalid("empty signingCertificateV2"))?;
        if first.hash_algorithm.as_ref().is_some_and(|a| a.oid != ID_SHA_256) {
            return Err(invalid("signingCertificateV2 uses a hash other than SHA-256"));
        }
        if first.cert_hash.as_bytes() != crate::sha256(&cert_der) {
            return Err(invalid("signingCertificateV2 does not match the signer certificate"));
        }
    } else if attr(ID_AA_SIGNING_CERTIFICATE).is_none() {
        return Err(invalid("missing signing certificate attribute"));
    } else {
        return Err(invalid("only signingCertificateV2 (SHA-256) is supported"));
    }
    // The signature over the DER SET OF signed attributes (RFC 5652 §5.4).
    if signer_info.signature_algorithm.oid != ECDSA_WITH_SHA256 {
        return Err(invalid("only ECDSA with SHA-256 signatures are supported"));
    }
    check_signature(&cert, &attrs.to_der()?, signer_info.signature.as_bytes()).map_err(|_| invalid("bad token signature"))?;
    // The chain: the signer certificate issued by the trusted CA, valid at gen_time, for time-stamping.
    check_issued_by(&cert, ca)?;
    let when = tst.gen_time.to_unix_duration();
    let validity = &cert.tbs_certificate.validity;
    if when < validity.not_before.to_unix_duration() || when > validity.not_after.to_unix_duration() {
        return Err(invalid("the signer certificate was not valid at the stamped time"));
    }
    check_time_stamping_usage(&cert)?;
    Ok(TokenFacts {
        digest: digest.to_vec(),
        gen_time: tst.gen_time,
        serial: hex::encode(tst.serial_number.as_bytes()),
        signer: cert,
        nonce: tst.nonce.as_ref().map(|n| n.as_bytes().to_vec()),
    })
}

/// `cert` is signed by `issuer`'s key and names it as issuer.
pub fn check_issued_by(cert: &Certificate, issuer: &Certificate) -> Result<(), TsaError> {
    if cert.tbs_certificate.issuer != issuer.tbs_certificate.subject {
        return Err(TsaError::Invalid("the certificate was not issued by the trusted CA".into()));
    }
    if cert.signature_algorithm.oid != ECDSA_WITH_SHA256 {
        return Err(TsaError::Invalid("only ECDSA with SHA-256 certificates are supported".into()));
    }
    let signature = cert.signature.as_bytes().ok_or_else(|| TsaError::Invalid("certificate signature is not whole bytes".into()))?;
    check_signature(issuer, &cert.tbs_certificate.to_der()?, signature)
        .map_err(|_| TsaError::Invalid("the certificate's signature does not verify with the trusted CA".into()))
}

/// Verifies an ECDSA P-256/SHA-256 DER signature by `cert`'s key.
pub fn check_signature(cert: &Certificate, message: &[u8], signature: &[u8]) -> Result<(), TsaError> {
    let spki = cert.tbs_certificate.subject_public_key_info.to_der()?;
    let key = VerifyingKey::from_public_key_der(&spki).map_err(|e| TsaError::Invalid(format!("signer key: {e}")))?;
    let signature = DerSignature::try_from(signature).map_err(|_| TsaError::Invalid("malformed signature".into()))?;
    key.verify(message, &signature).map_err(|_| TsaError::Invalid("bad signature".into()))
}

fn check_time_stamping_usage(cert: &Certificate) -> Result<(), TsaError> {
    let ext = cert
        .tbs_certificate
        .extensions
        .iter()
        .flatten()
        .find(|e| e.extn_id == ID_CE_EXT_KEY_USAGE)
        .ok_or_else(|| TsaError::Invalid("the signer certificate has no extended key usage".into()))?;
    let usages = x509_cert::ext::pkix::ExtendedKeyUsage::from_der(ext.extn_value.as_bytes())?;
    // RFC 3161 §2.3: exactly id-kp-timeStamping, marked critical.
    if !ext.critical || usages.0 != [ID_KP_TIME_STAMPING] {
        return Err(TsaError::Invalid("the signer certificate is not a time-stamping certificate (critical EKU timeStamping)".into()));
    }
    Ok(())
}
