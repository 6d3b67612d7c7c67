//! A real authoritative DNS server on loopback (hickory-server, UDP and TCP on one free port)
//! serving a zone the test defines, so `sigillo serve` with `[dns] nameservers` resolves SPF,
//! DKIM and DMARC records over the DNS wire protocol exactly as it would on the internet.
#![allow(dead_code)]

pub mod dnssec;

use hickory_server::Server;
use hickory_server::net::runtime::TokioRuntimeProvider;
use hickory_server::proto::rr::rdata::{A, CNAME, MX, SOA, SRV, TXT};
use hickory_server::proto::rr::{LowerName, Name, RData, Record};
use hickory_server::store::in_memory::InMemoryZoneHandler;
use hickory_server::zone_handler::{AxfrPolicy, Catalog, ZoneHandler, ZoneType};
use std::net::SocketAddr;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

/// A running DNS server; it stops when dropped (its runtime goes with it).
pub struct DnsServer {
    pub addr: SocketAddr,
    _server: Server<Catalog>,
    runtime: tokio::runtime::Runtime,
}

impl DnsServer {
    /// The `nameservers` line for the `[dns]` table of sigillo.toml.
    pub fn config(&self) -> String {
        format!("[dns]\nnameservers = [\"{}\"]\n", self.addr)
    }
}

/// One zone: its origin and TXT records (`name` relative to nothing: a full domain name).
pub struct Zone {
    origin: String,
    txt: Vec<(String, String)>,
    mx: Vec<(String, u16, String)>,
    a: Vec<(String, std::net::Ipv4Addr)>,
    other: Vec<(String, RData)>,
}

impl Zone {
    pub fn new(origin: &str) -> Self {
        Zone { origin: origin.to_string(), txt: Vec::new(), mx: Vec::new(), a: Vec::new(), other: Vec::new() }
    }

    /// Adds an MX record (`exchange` "." is the null MX of RFC 7505).
    pub fn mx(mut self, name: &str, preference: u16, exchange: &str) -> Self {
        self.mx.push((name.to_string(), preference, exchange.to_string()));
        self
    }

    /// Adds an A record.
    pub fn a(mut self, name: &str, ip: std::net::Ipv4Addr) -> Self {
        self.a.push((name.to_string(), ip));
        self
    }

    /// Adds a CNAME record.
    pub fn cname(mut self, name: &str, target: &str) -> Self {
        self.other.push((name.to_string(), RData::CNAME(CNAME(fqdn(target)))));
        self
    }

    /// Adds an SRV record (target "." : service not offered).
    pub fn srv(mut self, name: &str, priority: u16, weight: u16, port: u16, target: &str) -> Self {
        self.other.push((name.to_string(), RData::SRV(SRV::new(priority, weight, port, fqdn(target)))));
        self
    }

    /// Adds every record of a zone-file text as `sigillo dns records` prints it (one record a
    /// line, `name TTL IN TYPE data`; `;` comments; MX, TXT, CNAME, SRV and A), except the
    /// lines for which `keep` is false.
    pub fn zone_text(mut self, text: &str, keep: impl Fn(&str) -> bool) -> Self {
        for line in text.lines().filter(|l| !l.trim_start().starts_with(';') && !l.trim().is_empty() && keep(l)) {
            let mut fields = line.split_whitespace();
            let (name, _ttl, _class, kind) = (fields.next().unwrap(), fields.next(), fields.next(), fields.next().unwrap());
            let rest: Vec<&str> = fields.collect();
            self = match kind {
                "MX" => self.mx(name, rest[0].parse().unwrap(), rest[1]),
                "CNAME" => self.cname(name, rest[0]),
                "SRV" => self.srv(name, rest[0].parse().unwrap(), rest[1].parse().unwrap(), rest[2].parse().unwrap(), rest[3]),
                "A" => self.a(name, rest[0].parse().unwrap()),
                "TXT" => {
                    let data = line.split_once(" TXT ").unwrap().1.trim();
                    let value: String = data.split('"').skip(1).step_by(2).collect::<Vec<_>>().concat();
                    self.txt(name, &value)
                }
                other => panic!("record type {other} in {line:?}"),
            };
        }
        self
    }

    /// Adds a TXT record; values longer than 255 bytes are split into character-strings
    /// (RFC 7208 §3.3, RFC 6376 §3.6.2.2 join them back).
    pub fn txt(mut self, name: &str, value: &str) -> Self {
        self.txt.push((name.to_string(), value.to_string()));
        self
    }
}

/// Serves `zones` on 127.0.0.1, UDP and TCP on the same free port, plus an empty root zone so
/// that any other name gets an authoritative NXDOMAIN, as on the internet (not REFUSED).
pub fn serve(mut zones: Vec<Zone>) -> DnsServer {
    zones.push(Zone::new("."));
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("tokio runtime");
    let (server, addr) = runtime.block_on(async move {
        let mut catalog = Catalog::new();
        for zone in zones {
            let origin = fqdn(&zone.origin);
            let mut handler = InMemoryZoneHandler::<TokioRuntimeProvider>::empty(origin.clone(), ZoneType::Primary, AxfrPolicy::Deny);
            let serial = 1;
            let soa = SOA::new(origin.clone(), Name::from_str("hostmaster.invalid.").expect("rname"), serial, 3600, 600, 86400, 60);
            assert!(handler.upsert_mut(Record::from_rdata(origin.clone(), 60, RData::SOA(soa)), serial));
            for (name, value) in zone.txt {
                let name = fqdn(&name);
                let chunks: Vec<String> = value.as_bytes().chunks(255).map(|c| String::from_utf8_lossy(c).into_owned()).collect();
                assert!(handler.upsert_mut(Record::from_rdata(name, 60, RData::TXT(TXT::new(chunks))), serial));
            }
            for (name, preference, exchange) in zone.mx {
                let record = Record::from_rdata(fqdn(&name), 60, RData::MX(MX::new(preference, fqdn(&exchange))));
                assert!(handler.upsert_mut(record, serial));
            }
            for (name, ip) in zone.a {
                assert!(handler.upsert_mut(Record::from_rdata(fqdn(&name), 60, RData::A(A(ip))), serial));
            }
            for (name, data) in zone.other {
                assert!(handler.upsert_mut(Record::from_rdata(fqdn(&name), 60, data), serial));
            }
            let handlers: Vec<Arc<dyn ZoneHandler>> = vec![Arc::new(handler)];
            catalog.upsert(LowerName::new(&origin), handlers);
        }
        // One port for both transports: bind TCP first, then UDP on the same number.
        let (tcp, udp) = loop {
            let tcp = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind tcp");
            let port = tcp.local_addr().expect("tcp addr").port();
            if let Ok(udp) = tokio::net::UdpSocket::bind(("127.0.0.1", port)).await {
                break (tcp, udp);
            }
        };
        let addr = udp.local_addr().expect("udp addr");
        let mut server = Server::new(catalog);
        server.register_socket(udp);
        server.register_listener(tcp, Duration::from_secs(5), 64 * 1024);
        (server, addr)
    });
    DnsServer { addr, _server: server, runtime }
}

fn fqdn(name: &str) -> Name {
    let name = name.trim_end_matches('.');
    if name.is_empty() { Name::root() } else { Name::from_str(&format!("{name}.")).expect("domain name") }
}

/// A "DNS server" that never answers: a bound UDP socket nobody reads and a TCP listener
/// nobody accepts on, so every query times out (the resolver cannot tell it from a dead
/// server across the internet).
pub struct SilentDns {
    pub addr: SocketAddr,
    _udp: std::net::UdpSocket,
    _tcp: std::net::TcpListener,
}

impl SilentDns {
    pub fn config(&self) -> String {
        format!("[dns]\nnameservers = [\"{}\"]\n", self.addr)
    }
}

pub fn silent() -> SilentDns {
    loop {
        let tcp = std::net::TcpListener::bind("127.0.0.1:0").expect("bind tcp");
        let port = tcp.local_addr().expect("tcp addr").port();
        if let Ok(udp) = std::net::UdpSocket::bind(("127.0.0.1", port)) {
            return SilentDns { addr: udp.local_addr().expect("udp addr"), _udp: udp, _tcp: tcp };
        }
    }
}
