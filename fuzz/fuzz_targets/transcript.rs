//! Call transcripts: speaker-prefixed text and ASR JSON documents over arbitrary bytes.
#![no_main]
use libfuzzer_sys::fuzz_target;

include!("common.rs");

use posguard::io::encoding::TextEncoding;
use posguard::io::transcript::{looks_like_transcript, read_json_document, read_transcript};
use posguard::io::ReaderOptions;
use std::io::Cursor;

fuzz_target!(|data: &[u8]| {
    let opts = ReaderOptions::default();
    check_records(
        read_transcript(
            Box::new(Cursor::new(data.to_vec())),
            "call.txt".into(),
            TextEncoding::Utf8,
        ),
        "call.txt",
    );
    check_records(
        read_json_document(
            Box::new(Cursor::new(data.to_vec())),
            "call.json".into(),
            &opts,
        ),
        "call.json",
    );
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = looks_like_transcript(s);
    }
});
