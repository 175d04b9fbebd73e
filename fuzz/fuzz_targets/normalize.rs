//! Normaliser: every offset maps into the original, on character boundaries; display and
//! original_range never panic, whatever range is asked for.
#![no_main]
use libfuzzer_sys::fuzz_target;
use posguard::normalize::Normalizer;

fuzz_target!(|data: &[u8]| {
    let Ok(original) = std::str::from_utf8(data) else {
        return;
    };
    let n = Normalizer::new().normalize(original);
    let len = original.len();
    let ok = |r: &std::ops::Range<usize>| {
        r.start <= r.end
            && r.end <= len
            && original.is_char_boundary(r.start)
            && original.is_char_boundary(r.end)
    };
    assert_eq!(n.char_len(), n.text().chars().count());
    for i in 0..n.char_len() {
        let r = n.original_range(i..i + 1);
        assert!(ok(&r), "char {i}: {r:?} in {len} bytes");
        // A normalised character comes from some original text, unless the range is empty.
    }
    for m in n.masks() {
        assert!(ok(&m.original), "mask {m:?}");
        assert!(m.original.start < m.original.end, "empty mask {m:?}");
        assert!(m.norm_index < n.char_len());
        assert_eq!(
            n.text()
                .chars()
                .nth(m.norm_index)
                .map(|c| c == m.kind.placeholder()),
            Some(true)
        );
    }
    for r in n.obfuscated() {
        assert!(r.start < r.end && r.end <= n.char_len(), "obfuscated {r:?}");
        assert!(ok(&n.original_range(r.clone())));
    }
    // Arbitrary (also reversed and out-of-range) character ranges never panic.
    let c = n.char_len();
    for (a, b) in [
        (0, c),
        (c, c + 5),
        (c / 2, c / 3),
        (c + 7, 2),
        (0, usize::MAX),
    ] {
        assert!(ok(&n.original_range(a..b)));
    }
    let _ = n.display();
    // Idempotence: normalising the normalised text changes nothing.
    let again = Normalizer.normalize(n.text());
    assert_eq!(again.text(), n.text());
});
