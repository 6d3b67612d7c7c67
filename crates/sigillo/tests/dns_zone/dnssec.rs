//! A DNSSEC-signing front for DANE tests: it answers TLSA queries for the names it was given
//! and DNSKEY queries for its zone with records signed (RRSIG, ECDSA P-256) by a fresh zone
//! key, and relays every other query, byte for byte, to the test's ordinary DNS server. A
//! validating resolver that trusts the zone key (`trust_anchor`) sees the TLSA answers as
//! DNSSEC-secure, as it would under a signed delegation on the internet.

use hickory_server::proto::dnssec::crypto::EcdsaSigningKey;
use hickory_server::proto::dnssec::rdata::{DNSKEY, DNSSECRData, RRSIG};
use hickory_server::proto::dnssec::{Algorithm, DnssecSigner, SigningKey};
use hickory_server::proto::op::{Edns, Message};
use hickory_server::proto::rr::rdata::TLSA;
use hickory_server::proto::rr::{DNSClass, Name, RData, Record, RecordSet, RecordType};
use std::net::{SocketAddr, UdpSocket};
use std::str::FromStr;
use std::time::Duration;

pub struct SignedFront {
    pub addr: SocketAddr,
    /// The zone key as a trust-anchor file line ("b.test. 3600 IN DNSKEY 257 3 13 …").
    pub trust_anchor: String,
}

impl SignedFront {
    pub fn config(&self) -> String {
        format!("[dns]\nnameservers = [\"{}\"]\n", self.addr)
    }
}

/// One TLSA record: owner name ("_25._tcp.mail.b.test"), usage, selector, matching, data.
pub type TlsaRecord = (String, u8, u8, u8, Vec<u8>);

pub fn signed_front(upstream: SocketAddr, zone: &str, tlsa: Vec<TlsaRecord>) -> SignedFront {
    let zone_name = Name::from_str(&format!("{}.", zone.trim_end_matches('.'))).unwrap();
    let pkcs8 = EcdsaSigningKey::generate_pkcs8(Algorithm::ECDSAP256SHA256).unwrap();
    let key = EcdsaSigningKey::from_pkcs8(&pkcs8, Algorithm::ECDSAP256SHA256).unwrap();
    let public = key.to_public_key().unwrap();
    let dnskey = DNSKEY::new(true, true, false, public);
    let trust_anchor = format!("{zone_name} 3600 IN DNSKEY {dnskey}\n");
    let signer = DnssecSigner::new(dnskey.clone(), Box::new(key), zone_name.clone(), Duration::from_secs(86400));

    let sign = |name: &Name, rtype: RecordType, rdatas: Vec<RData>| -> Vec<Record> {
        let mut set = RecordSet::new(name.clone(), rtype, 0);
        for rdata in rdatas {
            set.insert(Record::from_rdata(name.clone(), 300, rdata), 0);
        }
        let inception = time::OffsetDateTime::now_utc() - time::Duration::hours(1);
        let rrsig = RRSIG::from_rrset(&set, DNSClass::IN, inception, &signer).unwrap();
        let mut out: Vec<Record> = set.records_without_rrsigs().cloned().collect();
        out.push(Record::from_rdata(name.clone(), 300, RData::DNSSEC(DNSSECRData::RRSIG(rrsig))));
        out
    };
    let dnskey_answer = sign(&zone_name, RecordType::DNSKEY, vec![RData::DNSSEC(DNSSECRData::DNSKEY(dnskey))]);
    let mut tlsa_answers: Vec<(Name, Vec<Record>)> = Vec::new();
    for (owner, usage, selector, matching, data) in tlsa {
        let name = Name::from_str(&format!("{}.", owner.trim_end_matches('.'))).unwrap();
        let rdata = RData::TLSA(TLSA::new(usage.into(), selector.into(), matching.into(), data));
        tlsa_answers.push((name.clone(), sign(&name, RecordType::TLSA, vec![rdata])));
    }

    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    let addr = socket.local_addr().unwrap();
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        loop {
            let Ok((n, from)) = socket.recv_from(&mut buf) else { return };
            let query = &buf[..n];
            let answer = Message::from_vec(query).ok().and_then(|request| {
                let q = request.queries.first()?.clone();
                let records = match q.query_type() {
                    RecordType::DNSKEY if q.name() == &zone_name => dnskey_answer.clone(),
                    RecordType::TLSA => tlsa_answers.iter().find(|(n, _)| n == q.name())?.1.clone(),
                    _ => return None,
                };
                let mut response = Message::response(request.metadata.id, request.metadata.op_code);
                response.metadata.authoritative = true;
                response.metadata.recursion_desired = request.metadata.recursion_desired;
                response.add_query(q);
                response.add_answers(records);
                let mut edns = Edns::new();
                edns.set_dnssec_ok(true);
                edns.set_max_payload(1232);
                response.edns = Some(edns);
                response.to_vec().ok()
            });
            let reply = match answer {
                Some(bytes) => Some(bytes),
                None => relay(upstream, query),
            };
            if let Some(reply) = reply {
                let _ = socket.send_to(&reply, from);
            }
        }
    });
    SignedFront { addr, trust_anchor }
}

fn relay(upstream: SocketAddr, query: &[u8]) -> Option<Vec<u8>> {
    let socket = UdpSocket::bind("127.0.0.1:0").ok()?;
    socket.set_read_timeout(Some(Duration::from_secs(3))).ok()?;
    socket.send_to(query, upstream).ok()?;
    let mut buf = vec![0u8; 65535];
    let (n, _) = socket.recv_from(&mut buf).ok()?;
    buf.truncate(n);
    Some(buf)
}
