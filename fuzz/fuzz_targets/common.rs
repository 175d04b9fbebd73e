// Shared checks for the reader targets (included with `include!`, one copy per target).
use posguard::io::{RecordResult, MAX_TEXT_CHARS};

/// Drains a record stream, checking what every reader promises of each record.
#[allow(dead_code)]
fn check_records(stream: impl Iterator<Item = RecordResult>, source: &str) -> usize {
    let mut n = 0;
    for (i, r) in stream.enumerate() {
        // Never more results than bytes could justify (an endless stream would be a hang).
        assert!(i < 1_000_000, "runaway record stream");
        n += 1;
        match r {
            Ok(rec) => {
                assert_eq!(rec.source, source);
                assert!(!rec.text.trim().is_empty(), "a record with empty text");
                assert!(!rec.text.contains('\0'), "NUL left in text");
                assert!(rec.text.chars().count() <= MAX_TEXT_CHARS, "text not cut");
                for t in &rec.turns {
                    assert!(!t.text.is_empty());
                }
            }
            Err(e) => {
                assert_eq!(e.source, source);
                assert!(!e.reason.is_empty(), "an error record without a reason");
            }
        }
    }
    n
}
