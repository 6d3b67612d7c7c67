//! Issuing RFC 3161 time-stamp tokens and answering time-stamp requests.

use super::TsaError;
use super::keys::TsaKeys;
use super::oids::{ID_AA_SIGNING_CERTIFICATE_V2, ID_CT_TST_INFO, ID_SHA_256, SIGILLO_TSA_POLICY, digest_len};
use cmpv2::status::{PkiStatus, PkiStatusInfo};
use cms::builder::{SignedDataBuilder, SignerInfoBuilder};
use cms::cert::CertificateChoices;
use cms::cert::IssuerAndSerialNumber;
use cms::signed_data::{EncapsulatedContentInfo, SignerIdentifier};
use der::asn1::{GeneralizedTime, Int, OctetString, SetOfVec};
use der::{Any, Decode, Encode, Sequence, Tag};
use p256::ecdsa::{DerSignature, SigningKey};
use spki::AlgorithmIdentifierOwned;
use std::time::SystemTime;
use x509_cert::Certificate;
use x509_cert::attr::Attribute;
use x509_tsp::{Accuracy, MessageImprint, TimeStampReq, TimeStampResp, TspVersion, TstInfo};

/// MIME type of a request (RFC 3161 §4 / RFC 5816).
pub const TIMESTAMP_QUERY: &str = "application/timestamp-query";
/// MIME type of a reply.
pub const TIMESTAMP_REPLY: &str = "application/timestamp-reply";
/// A request is a few hundred bytes; anything larger is refused unread.
pub const MAX_REQUEST_LEN: usize = 16 * 1024;

/// ESSCertIDv2, RFC 5035 §4: with SHA-256 the algorithm is the DEFAULT and DER omits it.
#[derive(Sequence)]
struct EssCertIdV2 {
    cert_hash: OctetString,
}

/// SigningCertificateV2, RFC 5035 §3 (no policies).
#[derive(Sequence)]
struct SigningCertificateV2 {
    certs: Vec<EssCertIdV2>,
}

/// A signer of tokens: the key, its certificate, and the precomputed signing-certificate
/// attribute (the same for every token).
pub struct Tsa {
    key: SigningKey,
    cert: Certificate,
    signing_certificate: Attribute,
}

impl Tsa {
    pub fn new(keys: &TsaKeys) -> Result<Self, TsaError> {
        let cert_der = keys.signer_cert.to_der().map_err(|e| TsaError::Encode(e.to_string()))?;
        let ess = SigningCertificateV2 { certs: vec![EssCertIdV2 { cert_hash: OctetString::new(crate::sha256(&cert_der).to_vec())? }] };
        let value = Any::encode_from(&ess)?;
        let signing_certificate = Attribute { oid: ID_AA_SIGNING_CERTIFICATE_V2, values: SetOfVec::try_from(vec![value])? };
        Ok(Tsa { key: keys.signer_key.clone(), cert: keys.signer_cert.clone(), signing_certificate })
    }

    /// A token (DER `ContentInfo`) over a SHA-256 digest, with the signer certificate included
    /// so the token is self-contained.
    pub fn stamp_sha256(&self, digest: &[u8; 32]) -> Result<Vec<u8>, TsaError> {
        let imprint = MessageImprint {
            hash_algorithm: AlgorithmIdentifierOwned { oid: ID_SHA_256, parameters: None },
            hashed_message: OctetString::new(digest.to_vec())?,
        };
        self.token(imprint, None, true)?.to_der().map_err(|e| TsaError::Encode(e.to_string()))
    }

    /// RFC 3161 §2.4.2: TSTInfo signed in a CMS SignedData.
    fn token(&self, imprint: MessageImprint, nonce: Option<Int>, include_cert: bool) -> Result<cms::content_info::ContentInfo, TsaError> {
        let encode = |e: &dyn std::fmt::Display| TsaError::Encode(e.to_string());
        let info = TstInfo {
            version: TspVersion::V1,
            policy: SIGILLO_TSA_POLICY,
            message_imprint: imprint,
            serial_number: random_serial()?,
            gen_time: GeneralizedTime::from_system_time(SystemTime::now())?,
            accuracy: Some(Accuracy { seconds: Some(1), millis: None, micros: None }),
            ordering: false,
            nonce,
            tsa: None,
            extensions: None,
        };
        let content =
            EncapsulatedContentInfo { econtent_type: ID_CT_TST_INFO, econtent: Some(Any::new(Tag::OctetString, info.to_der()?)?) };
        let sid = SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
            issuer: self.cert.tbs_certificate.issuer.clone(),
            serial_number: self.cert.tbs_certificate.serial_number.clone(),
        });
        let sha256 = AlgorithmIdentifierOwned { oid: ID_SHA_256, parameters: None };
        let mut signer = SignerInfoBuilder::new(&self.key, sid, sha256.clone(), &content, None).map_err(|e| encode(&e))?;
        signer.add_signed_attribute(self.signing_certificate.clone()).map_err(|e| encode(&e))?;
        let mut builder = SignedDataBuilder::new(&content);
        builder.add_digest_algorithm(sha256).map_err(|e| encode(&e))?;
        if include_cert {
            builder.add_certificate(CertificateChoices::Certificate(self.cert.clone())).map_err(|e| encode(&e))?;
        }
        builder.add_signer_info::<_, DerSignature>(signer).map_err(|e| encode(&e))?;
        builder.build().map_err(|e| encode(&e))
    }

    /// Answers a DER `TimeStampReq` with a DER `TimeStampResp` — always a response, a
    /// rejection with a failure reason for bad requests (RFC 3161 §2.4.2).
    pub fn respond(&self, request: &[u8]) -> Vec<u8> {
        let failure = match self.try_respond(request) {
            Ok(token) => {
                let status = PkiStatusInfo { status: PkiStatus::Accepted, status_string: None, fail_info: None };
                match (TimeStampResp { status, time_stamp_token: Some(token) }).to_der() {
                    Ok(der) => return der,
                    Err(e) => {
                        tracing::warn!(error = %e, "cannot encode a time-stamp response");
                        Refusal::SystemFailure
                    }
                }
            }
            Err(why) => why,
        };
        tracing::debug!(reason = ?failure, "time-stamp request refused");
        failure.response()
    }

    fn try_respond(&self, request: &[u8]) -> Result<cms::content_info::ContentInfo, Refusal> {
        if request.len() > MAX_REQUEST_LEN {
            return Err(Refusal::BadDataFormat);
        }
        let req = TimeStampReq::from_der(request).map_err(|_| Refusal::BadDataFormat)?;
        let imprint = &req.message_imprint;
        let expected = digest_len(&imprint.hash_algorithm.oid).ok_or(Refusal::BadAlg)?;
        if imprint.hashed_message.as_bytes().len() != expected {
            return Err(Refusal::BadDataFormat);
        }
        if req.req_policy.is_some_and(|p| p != SIGILLO_TSA_POLICY) {
            return Err(Refusal::UnacceptedPolicy);
        }
        if req.extensions.is_some() {
            return Err(Refusal::UnacceptedExtension);
        }
        self.token(req.message_imprint, req.nonce, req.cert_req).map_err(|_| Refusal::SystemFailure)
    }
}

/// PKIFailureInfo bit numbers (RFC 3161 §2.4.2). cmpv2 0.2's flag set encodes its values
/// as masks instead of bit numbers, so rejections are encoded here.
#[derive(Debug, Clone, Copy)]
enum Refusal {
    BadAlg = 0,
    BadDataFormat = 5,
    UnacceptedPolicy = 15,
    UnacceptedExtension = 16,
    SystemFailure = 25,
}

impl Refusal {
    /// `TimeStampResp { status { rejection(2), failInfo } }` without a token.
    fn response(self) -> Vec<u8> {
        let bit = self as usize;
        let mut bits = vec![0u8; bit / 8 + 1];
        bits[bit / 8] = 0x80 >> (bit % 8);
        let unused = (7 - bit % 8) as u8;
        // SEQUENCE { SEQUENCE { INTEGER 2, BIT STRING } }; lengths are all below 128.
        let bit_string_len = 1 + bits.len();
        let status_len = 3 + 2 + bit_string_len;
        let mut der = vec![0x30, (status_len + 2) as u8, 0x30, status_len as u8, 0x02, 0x01, 0x02, 0x03, bit_string_len as u8, unused];
        der.extend_from_slice(&bits);
        der
    }
}

/// 128 random bits: unique without a counter that must survive restarts (RFC 3161 §2.4.2
/// requires uniqueness per TSA, not order).
fn random_serial() -> Result<Int, TsaError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| TsaError::Encode(e.to_string()))?;
    bytes[0] = (bytes[0] & 0x7f) | 0x01;
    Ok(Int::new(&bytes)?)
}
