//! CSV and TSV readers over arbitrary bytes: header sniffing, quoting, encodings, the record
//! length limit (a small limit here, so overlong records are reached quickly).
#![no_main]
use libfuzzer_sys::fuzz_target;

include!("common.rs");

use posguard::io::csv_in;
use posguard::io::encoding::{sniff, TextEncoding};
use posguard::io::ReaderOptions;
use std::io::Cursor;

fuzz_target!(|data: &[u8]| {
    let (delim, limit) = match data.first() {
        Some(b) if b % 2 == 0 => (b',', 64 + *b as usize),
        Some(_) => (b'\t', 1 << 20),
        None => return,
    };
    let body = data[1..].to_vec();
    let enc = match sniff(&body, true) {
        e if e.is_utf16() => TextEncoding::Utf8,
        e => e,
    };
    let opts = ReaderOptions::default();
    if let Ok(stream) =
        csv_in::open_with_limit(Cursor::new(body), "f.csv".into(), delim, &opts, enc, limit)
    {
        check_records(stream, "f.csv");
    }
});
