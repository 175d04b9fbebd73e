//! JSON Lines and plain-text line readers over arbitrary bytes (also through the shared `open`,
//! which detects format and encoding, via a temporary file every 64th input).
#![no_main]
use libfuzzer_sys::fuzz_target;

include!("common.rs");

use posguard::io::jsonl::{JsonlReader, TextLineReader};
use posguard::io::ReaderOptions;

fuzz_target!(|data: &[u8]| {
    let opts = ReaderOptions::default();
    check_records(
        JsonlReader::new(data, "f.jsonl".into(), opts.clone()),
        "f.jsonl",
    );
    check_records(TextLineReader::new(data, "f.txt".into()), "f.txt");
    let _ = posguard::io::detect_format("f", data);
});
