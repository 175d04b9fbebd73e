//! Stage 1: normalisation.
//!
//! Turns a raw message into the canonical text the rest of the pipeline sees, and keeps, for every
//! character of that text, the byte range of the original message it came from. Steps, in order:
//!
//! 1. per character: drop invisible characters (zero-width, BOM, variation selectors, combining
//!    marks), Unicode NFKC (full-width → half-width), lower-case, fold Latin look-alikes from other
//!    scripts (Cyrillic `Р`, Greek `Ν` → `p`, `n`), and whitespace to a plain space;
//! 2. traditional → simplified Chinese (the `zhconv` crate);
//! 3. variant spellings made with symbols (`v❤` → `微信`), before symbols are taken for separators;
//! 4. separator folding: spaces, dots or emoji between Chinese characters (`免 费 换 机`), and
//!    letters spelled out one by one (`P O S`), are closed up;
//! 5. look-alikes inside numbers become digits (`l38O0l2З456` → `13800123467`);
//! 6. typed masks for volatile tokens ([`MaskKind`]);
//! 7. obfuscated spellings from the variant lexicon (`薇信` → `微信`, `p0s` → `pos`, and pinyin
//!    initials next to Chinese text: `fl` → `费率`), then masks again for what they uncovered
//!    (`fl0.6` → `费率0.6` → `费率<rate>`).

mod confusable;
mod mask;

pub use mask::MaskKind;

use aho_corasick::{AhoCorasick, MatchKind};
use std::ops::Range;
use std::sync::OnceLock;
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Bumped whenever the normalised output for some input changes; stored in every model.
pub const NORMALIZER_VERSION: u32 = 3;

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

/// The digits of a number as the normaliser reads it (`fold_digit_lookalikes`): full-width digits
/// folded, and the letters that pass for digits inside a number (`l`/`I` → 1, `О`/`o`/`〇` → 0,
/// `З` → 3, `б` → 6) read as those digits; anything else dropped. For a span the masks took as a
/// number, so that `955lб` is judged as the 95516 the model was shown.
pub fn number_digits(s: &str) -> String {
    s.nfkc()
        .filter_map(|c| {
            if c.is_ascii_digit() {
                return Some(c);
            }
            let c =
                confusable::fold_capital(c).unwrap_or_else(|| c.to_lowercase().next().unwrap_or(c));
            confusable::digit_lookalike(confusable::fold_letter(c))
        })
        .collect()
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

    /// The characters of the normalised text that came from inside the original byte range
    /// `original`, as one character range (`None` when no character did).
    pub fn chars_within(&self, original: Range<usize>) -> Option<Range<usize>> {
        let inside = |s: &(u32, u32)| {
            s.0 as usize >= original.start && s.1 as usize <= original.end && s.0 < s.1
        };
        let first = self.spans.iter().position(inside)?;
        let last = self.spans.iter().rposition(inside)?;
        Some(first..last + 1)
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

impl Unit {
    /// Whether this unit is a mask's placeholder.
    fn is_mask(&self) -> bool {
        MaskKind::from_placeholder(self.c).is_some()
    }
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
        let (units, text) = to_simplified(units);
        let (mut units, _) = apply_variants(units, VariantPass::Symbols, text);
        // Folding a variant or making a mask gives characters new neighbours (`费率.vx费率` →
        // `费率.微信费率`, whose `.` now stands between two Chinese characters), so the word-level
        // stages run until nothing changes: the result is a fixed point, and normalising the
        // normalised text again gives the same text (idempotence). Two rounds almost always do.
        let mut before: Vec<char> = Vec::with_capacity(units.len());
        let mut settled = None;
        for _ in 0..MAX_ROUNDS {
            before.clear();
            before.extend(units.iter().map(|u| u.c));
            units = settle(units, &mut settled);
            if units.len() == before.len() && units.iter().zip(&before).all(|(u, c)| u.c == *c) {
                break;
            }
        }

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

/// Upper bound on rounds of [`settle`]; each round that changes anything shortens the text or
/// replaces a spelling with its canonical form, so a fixed point comes quickly.
const MAX_ROUNDS: usize = 6;

/// One round of the word-level stages: separators, look-alike digits, masks, variant words.
///
/// `settled` is a text that masking and the variant words are known to leave as it is (both
/// found nothing in it in an earlier round). When separators and digits leave this round's text
/// equal to it, masking and the variant words are skipped: they are functions of the text and
/// would find nothing again. Most messages take a second round only to confirm the first, and the masks'
/// rules are the dearest part of normalising.
fn settle(units: Vec<Unit>, settled: &mut Option<String>) -> Vec<Unit> {
    let units = close_separators(units);
    let units = fold_digit_lookalikes(units);
    if let Some(done) = settled.as_deref() {
        if units.len() <= done.len() && units.iter().map(|u| u.c).eq(done.chars()) {
            return squeeze_spaces(units);
        }
    }
    let (units, masked_text) = apply_masks(units);
    let confirmed = masked_text.is_some();
    let (units, outcome) = apply_variants(units, VariantPass::Words, masked_text);
    *settled = None;
    let units = match outcome {
        Variants::Replaced => apply_masks(units).0,
        Variants::NoneFound { text, rewritten } => {
            // Settled when masking's last pass found nothing in this very text (its `0`→`o`
            // rule changed nothing).
            if confirmed && !rewritten {
                *settled = Some(text);
            }
            units
        }
    };
    squeeze_spaces(units)
}

/// CJK Unified Ideographs, U+4E00..U+9FFF: the common block, every code point assigned, a letter,
/// and NFKC-stable (the fast paths of the normaliser and the tokeniser rely on these).
pub(crate) fn is_common_ideograph(c: char) -> bool {
    ('\u{4E00}'..='\u{9FFF}').contains(&c)
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
        0x1F000..=0x1FAFF | 0x2600..=0x27BF | 0x2B00..=0x2BFF | 0x2190..=0x21FF | 0x2300..=0x23FF
        | 0x25A0..=0x25FF | 0x3030 | 0x303D | 0x3297 | 0x3299)
}

/// The text the units spell.
fn text_of(units: &[Unit]) -> String {
    let mut text = String::with_capacity(units.len() * 3);
    for u in units {
        text.push(u.c);
    }
    text
}

/// Squared ideographs used as emoji (`🈶`, `🈚`, `🉐`): NFKC would turn them into the Chinese
/// character they picture, which would then sit inside the word the emoji was planted in.
fn is_ideograph_emoji(c: char) -> bool {
    matches!(c as u32, 0x1F200..=0x1F2FF)
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
        if is_common_ideograph(ch) {
            out.push(Unit {
                c: ch,
                s,
                e,
                obf: false,
            });
            continue;
        }
        // Fast path: full-width ASCII is its ASCII form under NFKC (`Ｐ０Ｓ` → `p0s`), and common
        // Chinese punctuation is NFKC-stable (`tests::fast_paths_equal_nfkc` checks both).
        if let Some(c) = fast_fold(ch) {
            out.push(Unit {
                c,
                s,
                e,
                obf: false,
            });
            continue;
        }
        if is_invisible(ch) {
            continue;
        }
        if is_ideograph_emoji(ch) {
            out.push(Unit {
                c: ch,
                s,
                e,
                obf: false,
            });
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
            if let Some(c) = confusable::fold_capital(n) {
                out.push(Unit { c, s, e, obf: true });
                continue;
            }
            for l in n.to_lowercase() {
                let c = confusable::fold_letter(l);
                out.push(Unit {
                    c,
                    s,
                    e,
                    obf: c != l,
                });
            }
        }
    }
    // A look-alike is an obfuscation inside a Latin word (`Рos`, `t.сn`); a Greek letter standing
    // alone (`α-淀粉酶`, `β胡萝卜素`) is folded but is no disguise.
    let latin = |u: Option<&Unit>| u.is_some_and(|u| u.c.is_ascii_alphanumeric());
    let alone: Vec<bool> = (0..out.len())
        .map(|i| {
            out[i].obf
                && !latin(i.checked_sub(1).and_then(|j| out.get(j)))
                && !latin(out.get(i + 1))
        })
        .collect();
    for (u, alone) in out.iter_mut().zip(alone) {
        if alone {
            u.obf = false;
        }
    }
    out
}

/// What [`fold_chars`]' general path gives for full-width ASCII and for Chinese punctuation, without
/// running NFKC; `None` for every other character.
fn fast_fold(ch: char) -> Option<char> {
    match ch as u32 {
        0xFF01..=0xFF5E => char::from_u32(ch as u32 - 0xFEE0).map(|c| c.to_ascii_lowercase()),
        0x3001 | 0x3002 | 0x3008..=0x3011 | 0x2018 | 0x2019 | 0x201C | 0x201D => Some(ch),
        _ => None,
    }
}

/// Traditional → simplified, repeated until nothing changes: zhconv's tables are not idempotent
/// for a few characters (`薴` → `苧`, itself the traditional form of `苎`), and the normaliser
/// must be. A message without traditional characters costs one converter call, as before.
/// Also returns the text of the result when the last pass spelled it (nothing changed).
fn to_simplified(mut units: Vec<Unit>) -> (Vec<Unit>, Option<String>) {
    for _ in 0..3 {
        let (next, unchanged_text) = to_simplified_once(units);
        units = next;
        if unchanged_text.is_some() {
            return (units, unchanged_text);
        }
    }
    (units, None)
}

/// One pass of the converter; when it changes nothing, the units come back with their text.
fn to_simplified_once(units: Vec<Unit>) -> (Vec<Unit>, Option<String>) {
    // Only Chinese text outside the common simplified range can change; skip the converter when a
    // message has none of the characters it would touch.
    let text = text_of(&units);
    if !text.chars().any(is_cjk) {
        return (units, Some(text));
    }
    let converted = zhconv::zhconv(&text, zhconv::Variant::ZhHans);
    if converted == text {
        return (units, Some(text));
    }
    if converted.chars().count() == units.len() {
        let units = units
            .into_iter()
            .zip(converted.chars())
            .map(|(u, c)| Unit { c, ..u })
            .collect();
        return (units, None);
    }
    // A phrase rule changed the length: convert character by character instead, which keeps the
    // alignment exact at the price of phrase-level choices.
    let mut buf = [0u8; 4];
    let mut changed = false;
    let units = units
        .into_iter()
        .map(|u| {
            if !is_cjk(u.c) {
                return u;
            }
            let conv = zhconv::zhconv(u.c.encode_utf8(&mut buf), zhconv::Variant::ZhHans);
            let mut cs = conv.chars();
            match (cs.next(), cs.next()) {
                (Some(c), None) if c != u.c => {
                    changed = true;
                    Unit { c, ..u }
                }
                _ => u,
            }
        })
        .collect();
    (units, (!changed).then_some(text))
}

fn is_separator(c: char) -> bool {
    // Asked of almost every character of every message, twice per round: ASCII and the common
    // ideographs (all but `丶`) are answered without going through the whole list.
    if c.is_ascii() {
        return matches!(
            c,
            ' ' | '.'
                | '*'
                | '_'
                | '-'
                | '|'
                | '/'
                | '\\'
                | '~'
                | '`'
                | '^'
                | '#'
                | '+'
                | '\''
                | '"'
        );
    }
    if is_common_ideograph(c) {
        return c == '丶';
    }
    matches!(c, '·' | '•' | '。' | '‧' | '∙' | '⋅' | '°') || is_emoji_like(c)
}

/// Fewest digits spelled one by one (`1 8 9 0 2 3 3 7 4 1 2`, `1-8-9-…`) closed up into a number:
/// a phone number written so that no number pattern sees it. Shorter runs (`选 1 或 2`, `1 2 3`)
/// stay apart.
const SPELLED_DIGITS: usize = 7;

/// Most separators between two digits spelled one by one (`1----3----8`).
const SPELLED_GAP: usize = 8;

/// Per unit: the number of the chain of digits spelled one by one it belongs to (0: none). A chain
/// is at least [`SPELLED_DIGITS`] digits standing alone (no letter or digit beside them), each two
/// apart by 1–[`SPELLED_GAP`] separators (no `。`). A gap wider than the chain's narrowest one
/// ends a number (`1 3 8 … 0   1 3 9 …`: two numbers). Empty when the text has fewer digits than
/// that (most messages).
fn spelled_digits(units: &[Unit]) -> Vec<u32> {
    let n = units.len();
    if units.iter().filter(|u| u.c.is_ascii_digit()).count() < SPELLED_DIGITS {
        return Vec::new();
    }
    let mut chain_of = vec![0u32; n];
    let mut chains = 0u32;
    let single = |i: usize| {
        units[i].c.is_ascii_digit()
            && (i == 0 || !units[i - 1].c.is_ascii_alphanumeric())
            && (i + 1 >= n || !units[i + 1].c.is_ascii_alphanumeric())
    };
    let mut i = 0;
    while i < n {
        if !single(i) {
            i += 1;
            continue;
        }
        // The digits of a chain and the gap (separators) before each but the first.
        let mut members = vec![i];
        let mut gaps = vec![0];
        let mut last = i;
        loop {
            let mut k = last + 1;
            while k < n && is_separator(units[k].c) && units[k].c != '。' {
                k += 1;
            }
            let gap = k - last - 1;
            if gap == 0 || gap > SPELLED_GAP || k >= n || !single(k) {
                break;
            }
            members.push(k);
            gaps.push(gap);
            last = k;
        }
        let narrowest = gaps[1..].iter().copied().min().unwrap_or(0);
        let mut from = 0;
        for to in 1..=members.len() {
            if to == members.len() || gaps[to] > narrowest {
                if to - from >= SPELLED_DIGITS {
                    chains += 1;
                    for &m in &members[from..to] {
                        chain_of[m] = chains;
                    }
                }
                from = to;
            }
        }
        i = last + 1;
    }
    chain_of
}

/// Closes up separators inside words: between Chinese characters (`免 费`, `激.活`, `换😀机`),
/// between a Latin word and Chinese (`pos 机`), letters spelled one by one (`p o s`), and digits
/// spelled one by one (`1 8 9 0 2 …`, see [`SPELLED_DIGITS`]).
fn close_separators(units: Vec<Unit>) -> Vec<Unit> {
    let n = units.len();
    let chains = spelled_digits(&units);
    let spelled_together = |a: usize, b: usize| {
        chains
            .get(a)
            .is_some_and(|&c| c != 0 && chains.get(b) == Some(&c))
    };
    // Runs of separators to drop, in order.
    let mut closed: Vec<Range<usize>> = Vec::new();
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
        // Counted as the output shows it: consecutive spaces are squeezed to one at the end, so
        // they count once here too (else normalising the output again could close the run).
        let run = (start..i)
            .filter(|&k| !(k > start && units[k].c == ' ' && units[k - 1].c == ' '))
            .count();
        if start == 0 || i == n {
            continue;
        }
        // Digits spelled one by one are closed up whatever separators stand between them (see
        // `spelled_digits`), and not reported: spaced digits also occur in genuine text (a list
        // of questions, a courier's number typed with spaces), and the number says enough once
        // it is whole.
        if spelled_together(start - 1, i) {
            closed.push(start..i);
            continue;
        }
        if run > 3 {
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
            closed.push(start..i);
            // Letters spelled out one by one (`P O S`) are an obfuscation. Separators between
            // Chinese characters are closed up but not reported: spaces, `-`, `/`, `*`, `·` and
            // emoji between Chinese characters are as common in genuine text (`广州-徐州`,
            // `元/年`, `曹*尹`, `尤瓦尔·赫拉利`, chat) as in evasions, so they say nothing about the
            // sender once the words are rejoined.
            // The same letter repeated (`x.x`, `x-x-x-x`) is a placeholder or a pattern, not a
            // word: telecom_fraud_texts_5 writes redacted numbers so in 394 of its legit rows.
            if is_single_letter(&units, start - 1)
                && is_single_letter(&units, i)
                && units[start - 1].c != units[i].c
            {
                marks.push(start - 1);
                marks.push(i);
            }
        }
    }
    let mut units = units;
    for m in marks {
        units[m].obf = true;
    }
    if closed.is_empty() {
        return units;
    }
    let mut out = Vec::with_capacity(n);
    let mut next = 0;
    for r in closed {
        out.extend_from_slice(&units[next..r.start]);
        next = r.end;
    }
    out.extend_from_slice(&units[next..]);
    out
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

/// Look-alikes inside numbers become digits: `l38O0l2З456` → `13800123467`, `o.З8%` → `0.38%`.
/// A run of Latin letters, digits and look-alikes (with `.`, `,`, `-`, `:` between them) is read
/// as a number when every character of it is a digit or passes for one, it holds two real digits
/// or look-alikes that are no Latin letter (`〇`, `З`), and its Latin look-alikes (`o`, `l`, `i`)
/// do not outnumber the rest unless the run is long (a phone number written mostly in
/// look-alikes). So `i7`, `o2o`, `lol`, `iphone13` and `io` stay as they are.
fn fold_digit_lookalikes(mut units: Vec<Unit>) -> Vec<Unit> {
    let member = |c: char| c.is_ascii_alphanumeric() || confusable::is_non_latin_digit_lookalike(c);
    let n = units.len();
    let mut i = 0;
    while i < n {
        if !member(units[i].c) {
            i += 1;
            continue;
        }
        let start = i;
        let mut end = i;
        while i < n {
            if member(units[i].c) {
                i += 1;
                end = i;
            } else if confusable::is_number_connector(units[i].c)
                && i + 1 < n
                && member(units[i + 1].c)
            {
                i += 1;
            } else {
                break;
            }
        }
        i = end;
        let (mut digits, mut latin, mut other, mut len) = (0, 0, 0, 0);
        let mut number = true;
        for u in &units[start..end] {
            if confusable::is_number_connector(u.c) {
                continue;
            }
            len += 1;
            if u.c.is_ascii_digit() {
                digits += 1;
            } else if confusable::is_non_latin_digit_lookalike(u.c) {
                other += 1;
            } else if confusable::digit_lookalike(u.c).is_some() {
                latin += 1;
            } else {
                number = false;
                break;
            }
        }
        if number
            && latin + other > 0
            && digits + other >= 2
            && (latin <= digits + other || len >= 5)
        {
            for u in &mut units[start..end] {
                if u.c.is_ascii_digit() {
                    continue;
                }
                if let Some(d) = confusable::digit_lookalike(u.c) {
                    u.c = d;
                    u.obf = true;
                }
            }
        }
    }
    units
}

/// Masks until nothing new is found: a mask can uncover another (in `13812345678****1234` the
/// card tail is glued to the phone's digits until those are a placeholder), and normalising the
/// output again must change nothing. Bounded rounds: each finds at least one new mask.
/// Also returns the text of the result when the last round built it (it found nothing), so that
/// the next stage need not spell it again.
fn apply_masks(mut units: Vec<Unit>) -> (Vec<Unit>, Option<String>) {
    let mut masks = units.iter().filter(|u| u.is_mask()).count();
    let mut text = text_of(&units);
    for _ in 0..8 {
        let before = masks;
        let (next, outcome) = apply_masks_once(units, text);
        units = next;
        match outcome {
            MaskRound::Unchanged(same) => return (units, Some(same)),
            MaskRound::Masked {
                added,
                covered,
                text: masked,
            } => {
                masks = masks + added - covered;
                text = masked;
            }
        }
        if masks == before {
            break;
        }
    }
    (units, None)
}

/// What one round of masking did.
enum MaskRound {
    /// Nothing found: the units are as they were, and this is their text.
    Unchanged(String),
    /// `added` placeholders put in, replacing spans that held `covered` placeholders; `text` is
    /// the text of the returned units.
    Masked {
        added: usize,
        covered: usize,
        text: String,
    },
}

/// One round of masking of `units`, whose text is `text`. The text of the result is spliced from
/// `text` as the units are, rather than spelled again from the units for the next round.
fn apply_masks_once(units: Vec<Unit>, text: String) -> (Vec<Unit>, MaskRound) {
    let hits = mask::find_masks(&text);
    if hits.is_empty() {
        return (units, MaskRound::Unchanged(text));
    }
    let mut out = Vec::with_capacity(units.len());
    let mut out_text = String::with_capacity(text.len());
    // `units[unit]` starts at byte `pos` of `text`; hits are in text order, apart, and on
    // character boundaries.
    let (mut unit, mut pos) = (0, 0);
    // Bytes of `text` up to here are in `out_text`.
    let mut copied = 0;
    let mut covered = 0;
    for h in &hits {
        let from = unit;
        while pos < h.start {
            pos += units[unit].c.len_utf8();
            unit += 1;
        }
        out.extend_from_slice(&units[from..unit]);
        out_text.push_str(&text[copied..h.start]);
        let a = unit;
        while pos < h.end {
            pos += units[unit].c.len_utf8();
            unit += 1;
        }
        let masked = &units[a..unit];
        covered += masked.iter().filter(|u| u.is_mask()).count();
        let s = masked.iter().map(|u| u.s).min().unwrap_or(0);
        let e = masked.iter().map(|u| u.e).max().unwrap_or(0);
        out.push(Unit {
            c: h.kind.placeholder(),
            s,
            e,
            obf: masked.iter().any(|u| u.obf),
        });
        out_text.push(h.kind.placeholder());
        copied = h.end;
    }
    out.extend_from_slice(&units[unit..]);
    out_text.push_str(&text[pos..]);
    debug_assert_eq!(out_text, text_of(&out));
    let added = hits.len();
    (
        out,
        MaskRound::Masked {
            added,
            covered,
            text: out_text,
        },
    )
}

struct VariantTable {
    ac: AhoCorasick,
    canonical: Vec<String>,
    /// Per pattern: only next to Chinese text (pinyin initials such as `fl` for 费率).
    chinese_context: Vec<bool>,
}

/// The two passes over the variant lexicon.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum VariantPass {
    /// Variants spelled with a symbol or emoji (`v❤`), before symbols are closed up as separators.
    Symbols,
    /// All the others, after separators are closed and masks are placed.
    Words,
}

fn variants(pass: VariantPass) -> &'static VariantTable {
    static TABLES: OnceLock<[VariantTable; 2]> = OnceLock::new();
    let tables = TABLES.get_or_init(|| {
        let build = |want: VariantPass| {
            let mut pats = Vec::new();
            let mut canonical = Vec::new();
            let mut chinese_context = Vec::new();
            for line in VARIANTS.lines() {
                let line = line.trim();
                if line.is_empty() || line.starts_with('#') {
                    continue;
                }
                let mut parts = line.split_whitespace();
                if let (Some(v), Some(c)) = (parts.next(), parts.next()) {
                    let pass = if v.chars().any(is_separator) {
                        VariantPass::Symbols
                    } else {
                        VariantPass::Words
                    };
                    if pass != want {
                        continue;
                    }
                    pats.push(v.to_string());
                    canonical.push(c.to_string());
                    chinese_context.push(parts.next() == Some("cjk"));
                }
            }
            let ac = AhoCorasick::builder()
                .match_kind(MatchKind::LeftmostLongest)
                // A full DFA: it runs two or three times on every message.
                .kind(Some(aho_corasick::AhoCorasickKind::DFA))
                .build(&pats)
                .expect("variant lexicon builds");
            VariantTable {
                ac,
                canonical,
                chinese_context,
            }
        };
        [build(VariantPass::Symbols), build(VariantPass::Words)]
    });
    match pass {
        VariantPass::Symbols => &tables[0],
        VariantPass::Words => &tables[1],
    }
}

/// Whether a variant at `start..end` of `text` may be replaced: its Latin ends are whole Latin
/// words (`vx` but not the `vx` in `vxyz`, `j活` but not in `dj活动`), and a pinyin abbreviation
/// stands next to Chinese text (`fl上调`, `交yj`, but not `flash` or `a fl b`).
fn variant_fits(text: &str, start: usize, end: usize, chinese_context: bool) -> bool {
    let pat = &text[start..end];
    let before = text[..start].chars().next_back();
    let after = text[end..].chars().next();
    if !chinese_context || !pat.is_ascii() {
        let glued = |c: Option<char>, edge: Option<char>| {
            edge.is_some_and(|e| e.is_ascii_alphanumeric())
                && c.is_some_and(|c| c.is_ascii_alphanumeric())
        };
        return !glued(before, pat.chars().next()) && !glued(after, pat.chars().next_back());
    }
    // An abbreviation may be followed by a number (`fl0.6`), not by more of a Latin word.
    let word_char =
        |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '-');
    if word_char(before) || before.is_some_and(|c| c.is_ascii_digit()) || word_char(after) {
        return false;
    }
    before.is_some_and(is_cjk) || after.is_some_and(is_cjk)
}

/// What [`apply_variants`] did.
enum Variants {
    /// Variant spellings were replaced.
    Replaced,
    /// None was found in `text`, the text of the returned units; `rewritten` when a `0` between
    /// Latin letters was made an `o` before the search.
    NoneFound { text: String, rewritten: bool },
}

/// Replaces obfuscated spellings with their canonical form; a `0` or `〇` between Latin letters
/// is an `o`. Says whether anything was replaced. `text` is the text of `units` when the caller
/// already has it.
fn apply_variants(
    mut units: Vec<Unit>,
    pass: VariantPass,
    text: Option<String>,
) -> (Vec<Unit>, Variants) {
    let mut text = text;
    let mut rewritten = false;
    if pass == VariantPass::Words {
        for i in 1..units.len().saturating_sub(1) {
            if matches!(units[i].c, '0' | '〇')
                && units[i - 1].c.is_ascii_alphabetic()
                && units[i + 1].c.is_ascii_alphabetic()
            {
                units[i].c = 'o';
                units[i].obf = true;
                text = None;
                rewritten = true;
            }
        }
    }
    let table = variants(pass);
    let text = text.unwrap_or_else(|| text_of(&units));
    let found: Vec<aho_corasick::Match> = table
        .ac
        .find_iter(&text)
        .filter(|m| {
            let context = table.chinese_context[m.pattern().as_usize()];
            variant_fits(&text, m.start(), m.end(), context)
        })
        .collect();
    if found.is_empty() {
        return (units, Variants::NoneFound { text, rewritten });
    }
    let mut out: Vec<Unit> = Vec::with_capacity(units.len());
    let mut unit_idx = 0; // index into units of byte position `pos`
    let mut pos = 0;
    for m in found {
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
    (out, Variants::Replaced)
}

/// Drops leading and trailing spaces and squeezes runs of spaces to one.
fn squeeze_spaces(mut units: Vec<Unit>) -> Vec<Unit> {
    // Whether the last unit kept is a space (at the start: as if one were, so leading ones go).
    let mut after_space = true;
    units.retain(|u| {
        let space = u.c == ' ';
        let keep = !(space && after_space);
        if keep {
            after_space = space;
        }
        keep
    });
    while units.last().is_some_and(|u| u.c == ' ') {
        units.pop();
    }
    units
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(s: &str) -> String {
        Normalizer.normalize(s).display()
    }

    #[test]
    fn fast_paths_equal_nfkc() {
        // The general path of `fold_chars`, for one character that is not ASCII or a common
        // ideograph.
        let general = |ch: char| -> Vec<char> {
            let mut out = Vec::new();
            for n in std::iter::once(ch).nfkc() {
                if is_invisible(n) {
                    continue;
                }
                if n.is_whitespace() || n.is_control() {
                    out.push(' ');
                } else if let Some(c) = confusable::fold_capital(n) {
                    out.push(c);
                } else {
                    out.extend(n.to_lowercase().map(confusable::fold_letter));
                }
            }
            out
        };
        let mut checked = 0;
        for code in 0x2000..=0xFFFF {
            let Some(ch) = char::from_u32(code) else {
                continue;
            };
            if let Some(fast) = fast_fold(ch) {
                assert_eq!(vec![fast], general(ch), "U+{code:04X} {ch}");
                checked += 1;
            }
        }
        assert_eq!(checked, 94 + 2 + 10 + 4);
    }

    #[test]
    fn separator_fast_paths_keep_the_list() {
        // The list `is_separator` answers, written out once without its fast paths.
        let listed = |c: char| {
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
        };
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            assert_eq!(is_separator(c), listed(c), "U+{:04X}", c as u32);
        }
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
    fn digits_spelled_one_by_one_become_a_number() {
        // The space between Chinese and a number stays, as in `费率 0.38`.
        assert_eq!(norm("详 询 1 8 9 0 2 3 3 7 4 1 2"), "详询 <mobile>");
        assert_eq!(norm("电话1-3-8-1-2-3-4-5-6-7-8办理"), "电话<mobile>办理");
        assert_eq!(
            norm("加微信 1----3----8----0----0----1----3----8----0----0----0"),
            "加微信 <mobile>"
        );
        let n = Normalizer.normalize("电话1 3 8 1 2 3 4 5 6 7 8");
        assert_eq!(n.masks()[0].kind, MaskKind::Mobile);
        assert!(n.obfuscated().is_empty(), "closed up, not reported");
        // A wider gap ends a number: two numbers, not one of 22 digits.
        assert_eq!(
            norm("联系 1 3 8 0 0 1 3 8 0 0 0   1 3 9 0 0 1 3 9 0 0 0"),
            "联系 <mobile> <mobile>"
        );
        // Fewer than seven, or glued to letters or a longer number: left as they are.
        assert_eq!(norm("选 1 或 2，共 3 个"), "选 1或 2,共 3个");
        assert_eq!(norm("1 2 3 4 5 6"), "1 2 3 4 5 6");
        assert_eq!(norm("a1 2 3 4 5 6 7"), "a1 2 3 4 5 6 7");
        // A count written out this way is taken for a number too: the price of the rule.
        assert_eq!(norm("1 2 3 4 5 6 7 8 9 10"), "<number> 10");
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

    #[test]
    fn pos_spellings_normalise_like_pos() {
        let want = norm("pos机");
        for s in [
            "P0S机",
            "P O S 机",
            "pos 机",
            "P.O.S机",
            "P-O-S机",
            "P·O·S机",
            "P_O_S机",
            "P〇S机",
            "РОЅ机",
            "ΡΟЅ机",
            "Ｐ０Ｓ機",
        ] {
            assert_eq!(norm(s), want, "{s}");
        }
        // The look-alikes and the spelled-out letters are reported, a plain space is not.
        assert!(!Normalizer.normalize("P O S机").obfuscated().is_empty());
        assert!(!Normalizer.normalize("ΡΟЅ机").obfuscated().is_empty());
        assert!(Normalizer.normalize("pos 机").obfuscated().is_empty());
        // Repeated letters are placeholders, not a spelled-out word.
        assert!(Normalizer
            .normalize("卡号x.x.x，电话x-x-x-x")
            .obfuscated()
            .is_empty());
    }

    #[test]
    fn brand_variants_fold() {
        for s in ["薇 信", "薇信", "V信", "威信", "薇❤", "微❤️"] {
            assert_eq!(norm(&format!("加{s}领取")), "加微信领取", "{s}");
        }
        assert_eq!(norm("加vx:abc123"), "加微信:abc123");
        assert_eq!(norm("用支f宝付"), "用支付宝付");
        // Latin ends of a variant are whole words.
        assert_eq!(norm("dj活动"), "dj活动");
        assert_eq!(norm("vxyz"), "vxyz");
    }

    #[test]
    fn pinyin_initials_only_next_to_chinese() {
        assert_eq!(norm("您的fl已上调"), "您的费率已上调");
        assert_eq!(norm("先交yj再jh"), "先交押金再激活");
        // Followed by a number, which is then masked as the rate it is.
        assert_eq!(norm("fl0.6"), "fl0.6");
        assert_eq!(norm("您的fl0.6"), "您的费率<rate>");
        // Not inside Latin text, not glued to other letters.
        assert_eq!(norm("fl studio"), "fl studio");
        assert_eq!(norm("flash卡"), "flash卡");
        assert_eq!(norm("a fl b"), "a fl b");
    }

    #[test]
    fn separators_between_chinese_closed_latin_words_kept() {
        assert_eq!(norm("结 算 中 心"), "结算中心");
        assert_eq!(norm("激.活|费"), "激活费");
        assert_eq!(norm("押🔥金"), "押金");
        assert_eq!(norm("收⏰款"), "收款");
        assert_eq!(norm("押🈶金"), "押金"); // a squared-ideograph emoji is no character of the word
        assert_eq!(norm("hello world 你好"), "hello world你好");
        // Closed up but not reported: such separators are as common in genuine text.
        assert!(Normalizer.normalize("广州-徐州").obfuscated().is_empty());
        assert!(Normalizer.normalize("心眼 哈哈").obfuscated().is_empty());
    }

    #[test]
    fn traditional_sentence_equals_its_simplified_form() {
        let trad = zhconv::zhconv(
            "您的刷卡机费率已上调，请联系银联客服办理换机，押金可退",
            zhconv::Variant::ZhHant,
        );
        assert_ne!(
            trad,
            "您的刷卡机费率已上调，请联系银联客服办理换机，押金可退"
        );
        assert_eq!(
            norm(&trad),
            norm("您的刷卡机费率已上调，请联系银联客服办理换机，押金可退")
        );
    }

    #[test]
    fn digit_lookalikes_inside_numbers() {
        assert_eq!(norm("致电l38O0l2З456"), "致电<mobile>");
        assert_eq!(norm("费率o.З8%"), "费率<rate>");
        assert_eq!(norm("押金Зб5元"), "押金<money>元");
        assert_eq!(norm("http://IOЗ.l4.25l.б/x"), "<url>");
        // Words stay words.
        for s in ["酷睿i7处理器", "o2o平台", "lol", "iphone13", "io口"] {
            assert_eq!(norm(s), s.to_lowercase(), "{s}");
        }
        let n = Normalizer.normalize("l3812345678");
        assert_eq!(n.masks()[0].kind, MaskKind::Mobile);
        assert!(!n.obfuscated().is_empty());
        // A Greek letter standing alone is folded but no disguise.
        assert!(Normalizer.normalize("α-淀粉酶").obfuscated().is_empty());
    }

    #[test]
    fn offsets_map_folded_text_back() {
        let original = "加薇 信，P〇S机費率o.З8%，电话l38O0l2З456";
        let n = Normalizer.normalize(original);
        assert_eq!(n.display(), "加微信,pos机费率<rate>,电话<mobile>");
        let at = |a: usize, b: usize| &original[n.original_range(a..b)];
        assert_eq!(at(1, 3), "薇 信");
        assert_eq!(at(4, 8), "P〇S机");
        assert_eq!(at(8, 10), "費率");
        assert_eq!(at(10, 11), "o.З8%");
        assert_eq!(at(14, 15), "l38O0l2З456");
        for i in 0..n.char_len() {
            let r = n.original_range(i..i + 1);
            assert!(original.is_char_boundary(r.start) && original.is_char_boundary(r.end));
            assert!(r.start < r.end);
        }
    }

    #[test]
    fn idempotent_on_evasions() {
        for s in [
            "P〇S 薇❤ fl0.6 l38O0l2З456 押🈶金",
            "您的fl0.6，先交yj",
            "ΡΟЅ機 費 率 o.З8%",
            "刷k机 dj活动 vx:abc",
        ] {
            let once = Normalizer.normalize(s);
            let twice = Normalizer.normalize(once.text());
            assert_eq!(once.text(), twice.text(), "input {s}");
        }
    }
}
