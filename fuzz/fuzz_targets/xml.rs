//! Android SMS Backup & Restore XML reader over arbitrary bytes (also: DOCTYPE and entities,
//! truncated elements, nested <mms>). Plus format detection on the same bytes.
#![no_main]
use libfuzzer_sys::fuzz_target;

include!("common.rs");

use posguard::io::xml::SmsXmlReader;

fuzz_target!(|data: &[u8]| {
    let _ = posguard::io::detect_format("f.xml", data);
    check_records(SmsXmlReader::new(data, "f.xml".into()), "f.xml");
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = posguard::io::xml::unescape_attr(s);
    }
});
