//! The command reader (lines, `{n}` and `{n+}` literals, limits) on an arbitrary byte
//! stream, then the parser on every command it assembles. Small limits so the fuzzer
//! reaches the limit paths.
#![no_main]
#![forbid(unsafe_code)]

use libfuzzer_sys::fuzz_target;
use sigillo_imap::io::{Conn, IoError};
use sigillo_imap::parser::parse_command;
use sigillo_imap::parser::reader::{Read, ReadLimits, read_command};
use std::sync::OnceLock;
use std::time::Duration;

fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap())
}

fuzz_target!(|data: &[u8]| {
    let limits = ReadLimits { max_line: 256, max_literal: 128, max_append: 1024, max_literals: 4 };
    runtime().block_on(async {
        let stream = tokio::io::join(data, tokio::io::sink());
        let mut conn = Conn::new(stream, Duration::from_secs(5));
        for _ in 0..1000 {
            match read_command(&mut conn, &limits).await {
                Ok(Read::Command(bytes)) => {
                    // Only a literal header ended by a bare LF grows (kept with CRLF): one byte
                    // per literal at most.
                    assert!(bytes.len() <= data.len() + limits.max_literals, "a command is never longer than the input");
                    let _ = parse_command(&bytes);
                }
                Ok(Read::LiteralTooLarge { .. }) => break,
                Ok(_) => {}
                Err(IoError::Closed) => break,
                Err(e) => panic!("unexpected reader error on an in-memory stream: {e}"),
            }
        }
    });
});
