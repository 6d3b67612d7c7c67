//! The IMAP command parser on arbitrary bytes: it must return a command or a ParseError,
//! never panic, and a command that parses must have a tag the reply can use.
#![no_main]
#![forbid(unsafe_code)]

use libfuzzer_sys::fuzz_target;
use sigillo_imap::parser::{parse_command, parse_tag};

fuzz_target!(|data: &[u8]| {
    let parsed = parse_command(data);
    let tag = parse_tag(data);
    if let Ok(tagged) = parsed {
        assert_eq!(Some(tagged.tag), tag, "a parsed command's tag is the tag parse_tag finds");
    }
    for name in data.split(|&b| b == b' ').filter_map(|w| std::str::from_utf8(w).ok()) {
        let _ = sigillo_imap::mutf7::decode(name);
    }
});
