//! The MIME tree (BODYSTRUCTURE, sections, BINARY) and the decoded-text search on
//! arbitrary messages: bounded output, never a panic.
#![no_main]
#![forbid(unsafe_code)]

use libfuzzer_sys::fuzz_target;
use sigillo_imap::mime;
use sigillo_imap::parser::SectionPart;
use sigillo_imap::search_text::{self, Needle};

fuzz_target!(|data: &[u8]| {
    let _ = mime::body_structure(data, true);
    let root = mime::parse(data);
    for path in [&[][..], &[1], &[2], &[1, 1], &[2, 1], &[1, 2, 3]] {
        for part in [SectionPart::Full, SectionPart::Header, SectionPart::Text, SectionPart::Mime] {
            if let Some(section) = mime::section(&root, data, path, &part) {
                assert!(section.len() <= data.len() + 2);
            }
        }
        let _ = mime::binary(&root, data, path);
    }
    let needle = Needle::new("zebra");
    let _ = search_text::body_matches(data, &needle);
    let _ = search_text::text_matches(data, &needle);
});
