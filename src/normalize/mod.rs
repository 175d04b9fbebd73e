//! Stage 1: normalisation.
//!
//! Turns a raw message into the canonical text the rest of the pipeline sees, and keeps, for every
//! character of that text, the byte range of the original message it came from. Steps, in order:
//!
//! 1. per character: drop invisible characters (zero-width, BOM, variation selectors, combining
//!    marks), Unicode NFKC (full-width → half-width), lower-case, fold Latin look-alikes from other
//!    scripts (Cyrillic `Р` → `p`), and whitespace to a plain space;
//! 2. traditional → simplified Chinese (the `zhconv` crate);
//! 3. separator folding: spaces, dots or emoji between Chinese characters (`免 费 换 机`), and
//!    letters spelled out one by one (`P O S`), are closed up;
//! 4. typed masks for volatile tokens ([`MaskKind`]);
//! 5. obfuscated spellings from the variant lexicon (`薇信` → `微信`, `p0s` → `pos`).

mod mask;

pub use mask::MaskKind;

use aho_corasick::{AhoCorasick, MatchKind};
use std::ops::Range;
use std::sync::OnceLock;
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Bumped whenever the normalised output for some input changes; stored in every model.
pub const NORMALIZER_VERSION: u32 = 1;

/// Lexicon of obfuscated spellings, `variant canonical` per line.
const VARIANTS: &str = include_str!("../../data/dict/variants.txt");

/// A mask found in the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mask {
    pub kind: MaskKind,
    /// Character index of the placeholder in the normalised text.
    pub norm_index: usize,
    /// Byte range of the masked value in the original message.
    pub original: Range<usize>,
}

/// The normalised message with its alignment back to the original.
#[derive(Debug, Clone)]
pub struct NormalizedText {
    text: String,
    /// For each character of `text`: the byte range of the original it came from.
    spans: Vec<(u32, u32)>,
    masks: Vec<Mask>,
    /// Character ranges of the normalised text that came out of an obfuscation.
    obfuscated: Vec<Range<usize>>,
}

impl NormalizedText {
    /// The normalised text; masks appear as private-use placeholder characters.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Number of characters in the normalised text.
    pub fn char_len(&self) -> usize {
        self.spans.len()
    }

    /// Character ranges (normalised text) that were obfuscated in the original: look-alike
    /// letters, variant spellings such as `薇信`, separators planted inside words.
    pub fn obfuscated(&self) -> &[Range<usize>] {
        &self.obfuscated
    }

    /// The masks, in text order.
    pub fn masks(&self) -> &[Mask] {
        &self.masks
    }

    /// Byte range of the original message covered by normalised characters `chars`
    /// (a half-open character range). Empty ranges map to an empty range.
    pub fn original_range(&self, chars: Range<usize>) -> Range<usize> {
        let end = chars.end.min(self.spans.len());
        if chars.start >= end {
            let at = self
                .spans
                .get(chars.start)
                .map(|s| s.0 as usize)
                .unwrap_or_else(|| self.spans.last().map(|s| s.1 as usize).unwrap_or(0));
            return at..at;
        }
        let slice = &self.spans[chars.start..end];
        let lo = slice.iter().map(|s| s.0).min().unwrap_or(0) as usize;
        let hi = slice.iter().map(|s| s.1).max().unwrap_or(0) as usize;
        lo..hi
    }

    /// The normalised text with masks written as readable tokens (`<mobile>`).
    pub fn display(&self) -> String {
        self.text
            .chars()
            .map(|c| match MaskKind::from_placeholder(c) {
                Some(k) => k.token().to_string(),
                None => c.to_string(),
            })
            .collect()
    }
}

/// One character under construction, with the original byte range it stands for.
#[derive(Debug, Clone, Copy)]
struct Unit {
    c: char,
    s: u32,
    e: u32,
    /// Set when this character came out of an obfuscation (look-alike letter, variant spelling,
    /// separator planted inside a word).
    obf: bool,
}

/// Normalises text. Cheap to create; all tables are built once per process.
#[derive(Debug, Default, Clone, Copy)]
pub struct Normalizer;

impl Normalizer {
    pub fn new() -> Self {
        Normalizer
    }

    pub fn normalize(&self, original: &str) -> NormalizedText {
        let units = fold_chars(original);
        let units = to_simplified(units);
        let units = close_separators(units);
        let units = apply_masks(units);
        let units = apply_variants(units);
        let units = squeeze_spaces(units);

        let mut text = String::with_capacity(units.len() * 3);
        let mut spans = Vec::with_capacity(units.len());
        let mut found = Vec::new();
        let mut obfuscated: Vec<Range<usize>> = Vec::new();
        for (i, u) in units.iter().enumerate() {
            if u.obf {
                match obfuscated.last_mut() {
                    Some(r) if r.end == i => r.end = i + 1,
                    _ => obfuscated.push(i..i + 1),
                }
            }
            text.push(u.c);
            spans.push((u.s, u.e));
            if let Some(kind) = MaskKind::from_placeholder(u.c) {
                found.push(Mask {
                    kind,
                    norm_index: i,
                    original: u.s as usize..u.e as usize,
                });
            }
        }
        NormalizedText {
            text,
            spans,
            masks: found,
            obfuscated,
        }
    }
}

pub(crate) fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

fn is_invisible(c: char) -> bool {
    matches!(c as u32,
        0x00AD | 0x034F | 0x061C | 0x115F | 0x1160 | 0x17B4 | 0x17B5 | 0x180B..=0x180E
        | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x206F | 0x3164 | 0xFE00..=0xFE0F
        | 0xFEFF | 0xFFA0 | 0xE0000..=0xE007F | 0xE0100..=0xE01EF)
        || (is_combining_mark(c) && !is_cjk(c))
}

fn is_emoji_like(c: char) -> bool {
    matches!(c as u32,
        0x1F000..=0x1FAFF | 0x2600..=0x27BF | 0x2B00..=0x2BFF | 0x2190..=0x21FF | 0x25A0..=0x25FF
        | 0x3030 | 0x303D | 0x3297 | 0x3299)
}

/// Latin look-alikes from Cyrillic and Greek, the ones used to dodge keyword filters.
fn fold_confusable(c: char) -> char {
    match c {
        'а' | 'α' => 'a',
        'в' | 'β' => 'b',
        'с' | 'ϲ' => 'c',
        'е' | 'ε' => 'e',
        'һ' | 'н' => 'h',
        'і' | 'ι' => 'i',
        'ј' => 'j',
        'к' | 'κ' => 'k',
        'м' => 'm',
        'о' | 'ο' | 'σ' => 'o',
        'р' | 'ρ' => 'p',
        'ѕ' => 's',
        'т' | 'τ' => 't',
        'υ' => 'u',
        'ν' => 'v',
        'ш' | 'ω' => 'w',
        'х' | 'χ' => 'x',
        'у' | 'γ' => 'y',
        _ => c,
    }
}

fn fold_chars(original: &str) -> Vec<Unit> {
    let mut out = Vec::with_capacity(original.len());
    for (b, ch) in original.char_indices() {
        let (s, e) = (b as u32, (b + ch.len_utf8()) as u32);
        // Fast path: ASCII and common CJK ideographs are already NFKC-stable.
        if ch.is_ascii() {
            let c = if ch.is_ascii_whitespace() || ch.is_ascii_control() {
                ' '
            } else {
                ch.to_ascii_lowercase()
            };
            out.push(Unit {
                c,
                s,
                e,
                obf: false,
            });
            continue;
        }
        if (0x4E00..=0x9FFF).contains(&(ch as u32)) {
            out.push(Unit {
                c: ch,
                s,
                e,
                obf: false,
            });
            continue;
        }
        if is_invisible(ch) {
            continue;
        }
        for n in std::iter::once(ch).nfkc() {
            if is_invisible(n) {
                continue;
            }
            if n.is_whitespace() || n.is_control() {
                out.push(Unit {
                    c: ' ',
                    s,
                    e,
                    obf: false,
                });
                continue;
            }
            for l in n.to_lowercase() {
                let c = fold_confusable(l);
                out.push(Unit {
                    c,
                    s,
                    e,
                    obf: c != l,
                });
            }
        }
    }
    out
}

fn to_simplified(units: Vec<Unit>) -> Vec<Unit> {
    // Only Chinese text outside the common simplified range can change; skip the converter when a
    // message has none of the characters it would touch.
    let text: String = units.iter().map(|u| u.c).collect();
    if !text.chars().any(is_cjk) {
        return units;
    }
    let converted = zhconv::zhconv(&text, zhconv::Variant::ZhHans);
    if converted == text {
        return units;
    }
    if converted.chars().count() == units.len() {
        return units
            .into_iter()
            .zip(converted.chars())
            .map(|(u, c)| Unit { c, ..u })
            .collect();
    }
    // A phrase rule changed the length: convert character by character instead, which keeps the
    // alignment exact at the price of phrase-level choices.
    let mut buf = [0u8; 4];
    units
        .into_iter()
        .map(|u| {
            if !is_cjk(u.c) {
                return u;
            }
            let conv = zhconv::zhconv(u.c.encode_utf8(&mut buf), zhconv::Variant::ZhHans);
            let mut cs = conv.chars();
            match (cs.next(), cs.next()) {
                (Some(c), None) => Unit { c, ..u },
                _ => u,
            }
        })
        .collect()
}

fn is_separator(c: char) -> bool {
    matches!(
        c,
        ' ' | '.'
            | '·'
            | '•'
            | '*'
            | '_'
            | '-'
            | '|'
            | '/'
            | '\\'
            | '~'
            | '`'
            | '^'
            | '丶'
            | '#'
            | '+'
            | '。'
            | '‧'
            | '∙'
            | '⋅'
            | '°'
            | '\''
            | '"'
    ) || is_emoji_like(c)
}

/// Closes up separators inside words: between Chinese characters (`免 费`, `激.活`, `换😀机`),
/// between a Latin word and Chinese (`pos 机`), and letters spelled one by one (`p o s`).
fn close_separators(units: Vec<Unit>) -> Vec<Unit> {
    let n = units.len();
    let mut keep = vec![true; n];
    let mut marks = Vec::new();
    let mut i = 0;
    while i < n {
        if !is_separator(units[i].c) {
            i += 1;
            continue;
        }
        let start = i;
        while i < n && is_separator(units[i].c) {
            i += 1;
        }
        let run = i - start;
        if start == 0 || i == n || run > 3 {
            continue;
        }
        let (l, r) = (units[start - 1].c, units[i].c);
        let only_spaces = units[start..i].iter().all(|u| u.c == ' ');
        let joinable = (is_cjk(l) && is_cjk(r))
            || (only_spaces
                && ((l.is_ascii_alphanumeric() && is_cjk(r))
                    || (is_cjk(l) && r.is_ascii_alphabetic())))
            || (is_single_letter(&units, start - 1) && is_single_letter(&units, i));
        // A full stop between two sentences is punctuation, not an obfuscation.
        let sentence_end = units[start..i].iter().any(|u| u.c == '。');
        if joinable && !sentence_end {
            for k in keep.iter_mut().take(i).skip(start) {
                *k = false;
            }
            // Spaces between a Latin word and Chinese are ordinary typing; anything else planted
            // inside a word is an obfuscation.
            if !(only_spaces && (l.is_ascii_alphanumeric() != r.is_ascii_alphanumeric())) {
                marks.push(start - 1);
                marks.push(i);
            }
        }
    }
    let mut units = units;
    for m in marks {
        units[m].obf = true;
    }
    units
        .into_iter()
        .zip(keep)
        .filter_map(|(u, k)| k.then_some(u))
        .collect()
}

/// A Latin letter standing alone between separators (`p` in `p o s`).
fn is_single_letter(units: &[Unit], i: usize) -> bool {
    let c = units[i].c;
    if !c.is_ascii_alphabetic() {
        return false;
    }
    let left_alone = i == 0 || !units[i - 1].c.is_ascii_alphanumeric();
    let right_alone = i + 1 >= units.len() || !units[i + 1].c.is_ascii_alphanumeric();
    left_alone && right_alone
}

fn apply_masks(units: Vec<Unit>) -> Vec<Unit> {
    let text: String = units.iter().map(|u| u.c).collect();
    let hits = mask::find_masks(&text);
    if hits.is_empty() {
        return units;
    }
    // Byte offset in `text` → unit index.
    let mut unit_at = Vec::with_capacity(text.len() + 1);
    for (i, u) in units.iter().enumerate() {
        for _ in 0..u.c.len_utf8() {
            unit_at.push(i);
        }
    }
    unit_at.push(units.len());
    let mut out = Vec::with_capacity(units.len());
    let mut next = 0;
    for h in &hits {
        let (a, b) = (unit_at[h.start], unit_at[h.end]);
        out.extend_from_slice(&units[next..a]);
        let s = units[a..b].iter().map(|u| u.s).min().unwrap_or(0);
        let e = units[a..b].iter().map(|u| u.e).max().unwrap_or(0);
        out.push(Unit {
            c: h.kind.placeholder(),
            s,
            e,
            obf: units[a..b].iter().any(|u| u.obf),
        });
        next = b;
    }
    out.extend_from_slice(&units[next..]);
    out
}

struct VariantTable {
    ac: AhoCorasick,
    canonical: Vec<String>,
}

fn variants() -> &'static VariantTable {
    static TABLE: OnceLock<VariantTable> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut pats = Vec::new();
        let mut canonical = Vec::new();
        for line in VARIANTS.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let mut parts = line.split_whitespace();
            if let (Some(v), Some(c)) = (parts.next(), parts.next()) {
                pats.push(v.to_string());
                canonical.push(c.to_string());
            }
        }
        let ac = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&pats)
            .expect("variant lexicon builds");
        VariantTable { ac, canonical }
    })
}

/// Replaces obfuscated spellings with their canonical form; a `0` between Latin letters is an `o`.
fn apply_variants(mut units: Vec<Unit>) -> Vec<Unit> {
    for i in 1..units.len().saturating_sub(1) {
        if units[i].c == '0'
            && units[i - 1].c.is_ascii_alphabetic()
            && units[i + 1].c.is_ascii_alphabetic()
        {
            units[i].c = 'o';
            units[i].obf = true;
        }
    }
    let table = variants();
    let text: String = units.iter().map(|u| u.c).collect();
    let mut out: Vec<Unit> = Vec::with_capacity(units.len());
    let mut unit_idx = 0; // index into units of byte position `pos`
    let mut pos = 0;
    for m in table.ac.find_iter(&text) {
        // A Latin variant must be a whole Latin word (`vx` but not the `vx` inside `vxyz`).
        let bytes = text.as_bytes();
        let pat_is_ascii = text[m.start()..m.end()].is_ascii();
        if pat_is_ascii {
            let before = m.start().checked_sub(1).map(|i| bytes[i]);
            let after = bytes.get(m.end()).copied();
            let glued = |b: Option<u8>| b.is_some_and(|b| b.is_ascii_alphanumeric());
            if glued(before) || glued(after) {
                continue;
            }
        }
        while pos < m.start() {
            let u = units[unit_idx];
            out.push(u);
            pos += u.c.len_utf8();
            unit_idx += 1;
        }
        let first = unit_idx;
        while pos < m.end() {
            pos += units[unit_idx].c.len_utf8();
            unit_idx += 1;
        }
        let matched = &units[first..unit_idx];
        let s = matched.iter().map(|u| u.s).min().unwrap_or(0);
        let e = matched.iter().map(|u| u.e).max().unwrap_or(0);
        for c in table.canonical[m.pattern().as_usize()].chars() {
            out.push(Unit { c, s, e, obf: true });
        }
    }
    out.extend_from_slice(&units[unit_idx..]);
    out
}

fn squeeze_spaces(units: Vec<Unit>) -> Vec<Unit> {
    let mut out: Vec<Unit> = Vec::with_capacity(units.len());
    for u in units {
        if u.c == ' ' && out.last().is_none_or(|p| p.c == ' ') {
            continue;
        }
        out.push(u);
    }
    while out.last().is_some_and(|u| u.c == ' ') {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(s: &str) -> String {
        Normalizer.normalize(s).display()
    }

    #[test]
    fn full_width_case_and_traditional() {
        assert_eq!(norm("ＰＯＳ機費率"), "pos机费率");
        assert_eq!(norm("銀聯客服"), "银联客服");
    }

    #[test]
    fn obfuscations_fold() {
        assert_eq!(norm("P0S机"), "pos机");
        assert_eq!(norm("P O S 机"), "pos机");
        assert_eq!(norm("加薇信"), "加微信");
        assert_eq!(norm("免 费 换 机"), "免费换机");
        assert_eq!(norm("激.活.费"), "激活费");
        assert_eq!(norm("Рos机"), "pos机"); // Cyrillic Р
        assert_eq!(norm("免\u{200b}费"), "免费");
        let n = Normalizer.normalize("加薇信办理");
        assert_eq!(n.obfuscated().to_vec(), vec![1..3]);
        assert!(Normalizer.normalize("您的POS机").obfuscated().is_empty());
    }

    #[test]
    fn masks_are_typed_and_keep_context() {
        assert_eq!(
            norm("回复1，联系13812345678，押金299元"),
            "回复1,联系<mobile>,押金<money>元"
        );
        assert_eq!(norm("费率０．３８％"), "费率<rate>");
    }

    #[test]
    fn offsets_point_back_into_the_original() {
        let original = "【銀聯】ＰＯＳ機請致電１３８１２３４５６７８";
        let n = Normalizer.normalize(original);
        let m = &n.masks()[0];
        assert_eq!(m.kind, MaskKind::Mobile);
        assert_eq!(&original[m.original.clone()], "１３８１２３４５６７８");
        // "pos机" is characters 4..8 of the normalised text ("【银联】pos机...").
        let r = n.original_range(4..8);
        assert_eq!(&original[r], "ＰＯＳ機");
        for i in 0..n.char_len() {
            let r = n.original_range(i..i + 1);
            assert!(original.is_char_boundary(r.start) && original.is_char_boundary(r.end));
        }
    }

    #[test]
    fn idempotent_on_examples() {
        for s in [
            "ＰＯＳ機 費率0.38% 回复1 t.cn/abc",
            "尾号1234卡 11月26日 支出128.00元",
            "P O S 薇 信",
        ] {
            let once = Normalizer.normalize(s);
            let twice = Normalizer.normalize(once.text());
            assert_eq!(once.text(), twice.text(), "input {s}");
        }
    }
}
