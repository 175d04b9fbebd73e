//! Stage 2: tokenisation with jieba-rs and the domain dictionary.
//!
//! The general dictionary is a compact one (the 30k most frequent words of jieba's own, in
//! `data/dict/base.txt`) so a cold process starts in milliseconds; the domain dictionary
//! (`data/dict/domain.txt`) adds POS terms and acquirer brands that the general one splits
//! (拉卡拉 → 拉/卡拉, POS机 → POS/机). Both are compiled into the binary, and their hash is stored
//! in every model so a model is never scored with a different segmentation than it was trained with.

use crate::normalize::{MaskKind, NormalizedText};
use jieba_rs::Jieba;
use sha2::{Digest, Sha256};
use std::ops::Range;
use std::sync::OnceLock;

const BASE_DICT: &str = include_str!("../data/dict/base.txt");
const DOMAIN_DICT: &str = include_str!("../data/dict/domain.txt");

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// A word (Chinese word, Latin word or number).
    Word,
    /// A masked value.
    Mask(MaskKind),
    /// Punctuation and symbols.
    Punct,
}

/// A token of the normalised text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub kind: TokenKind,
    /// Byte range in the normalised text.
    pub bytes: Range<usize>,
    /// Character range in the normalised text.
    pub chars: Range<usize>,
}

impl Token {
    pub fn text<'a>(&self, n: &'a NormalizedText) -> &'a str {
        &n.text()[self.bytes.clone()]
    }
}

/// jieba with posguard's dictionaries.
pub struct Tokenizer {
    jieba: Jieba,
}

impl std::fmt::Debug for Tokenizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokenizer")
            .field("dictionary_sha256", &dictionary_hash())
            .finish()
    }
}

/// Hash identifying the dictionaries compiled into this build.
pub fn dictionary_sha256() -> String {
    dictionary_hash().to_string()
}

/// [`dictionary_sha256`], computed once per process (on first use: a tokenizer does not need it).
fn dictionary_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| {
        let mut h = Sha256::new();
        h.update(BASE_DICT.as_bytes());
        h.update([0u8]);
        h.update(DOMAIN_DICT.as_bytes());
        format!("{:x}", h.finalize())
    })
}

impl Tokenizer {
    /// Builds a tokenizer from the embedded dictionaries (a few milliseconds).
    pub fn new() -> Self {
        let mut jieba = Jieba::empty();
        jieba
            .load_dict(&mut BASE_DICT.as_bytes())
            .expect("embedded base dictionary is well-formed");
        for line in DOMAIN_DICT.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let mut parts = line.split_whitespace();
            let word = parts.next().unwrap_or_default();
            let freq = parts.next().and_then(|f| f.parse().ok());
            let tag = parts.next();
            jieba.add_word(word, freq, tag);
        }
        Tokenizer { jieba }
    }

    /// The process-wide tokenizer, built on first use.
    pub fn shared() -> &'static Tokenizer {
        static SHARED: OnceLock<Tokenizer> = OnceLock::new();
        SHARED.get_or_init(Tokenizer::new)
    }

    pub fn dictionary_sha256(&self) -> &str {
        dictionary_hash()
    }

    /// True if `word` (normalised form) is in the dictionaries.
    pub fn has_word(&self, word: &str) -> bool {
        self.jieba.has_word(word)
    }

    /// Splits normalised text into tokens; spaces are dropped, masks become single tokens.
    pub fn tokenize(&self, n: &NormalizedText) -> Vec<Token> {
        let text = n.text();
        let mut tokens = Vec::with_capacity(text.len() / 3 + 4);
        let mut seg_start_byte = 0;
        let mut seg_start_char = 0;
        for (char_idx, (b, c)) in text.char_indices().enumerate() {
            if let Some(kind) = MaskKind::from_placeholder(c) {
                self.cut_segment(text, seg_start_byte..b, seg_start_char, &mut tokens);
                tokens.push(Token {
                    kind: TokenKind::Mask(kind),
                    bytes: b..b + c.len_utf8(),
                    chars: char_idx..char_idx + 1,
                });
                seg_start_byte = b + c.len_utf8();
                seg_start_char = char_idx + 1;
            }
        }
        self.cut_segment(
            text,
            seg_start_byte..text.len(),
            seg_start_char,
            &mut tokens,
        );
        tokens
    }

    fn cut_segment(
        &self,
        text: &str,
        bytes: Range<usize>,
        first_char: usize,
        out: &mut Vec<Token>,
    ) {
        if bytes.is_empty() {
            return;
        }
        let seg = &text[bytes.clone()];
        for t in self.jieba.cut(seg, false) {
            let word = t.word;
            // (`all` is `trim().is_empty()` stopping at the first non-space.)
            if word.chars().all(char::is_whitespace) {
                continue;
            }
            // Common ideographs first: the block is all letters, and Unicode's table lookup for
            // them was a visible cost.
            let alnum = |c: char| {
                c.is_ascii_alphanumeric()
                    || crate::normalize::is_common_ideograph(c)
                    || (!c.is_ascii() && c.is_alphanumeric())
            };
            let kind = if word.chars().any(alnum) {
                TokenKind::Word
            } else {
                TokenKind::Punct
            };
            out.push(Token {
                kind,
                bytes: bytes.start + t.byte_start..bytes.start + t.byte_end,
                chars: first_char + t.start..first_char + t.end,
            });
        }
    }
}

impl Default for Tokenizer {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::Normalizer;

    #[test]
    fn common_ideographs_are_all_letters() {
        // `cut_segment` takes them as alphanumeric without asking Unicode's tables.
        assert!((char::MIN..=char::MAX)
            .filter(|&c| crate::normalize::is_common_ideograph(c))
            .all(char::is_alphanumeric));
    }

    fn words(s: &str) -> Vec<String> {
        let n = Normalizer.normalize(s);
        Tokenizer::shared()
            .tokenize(&n)
            .iter()
            .map(|t| match t.kind {
                TokenKind::Mask(k) => k.token().to_string(),
                _ => t.text(&n).to_string(),
            })
            .collect()
    }

    #[test]
    fn domain_words_stay_whole() {
        let w = words("拉卡拉POS机费率上调，请激活电签");
        for expected in ["拉卡拉", "pos机", "费率", "激活", "电签"] {
            assert!(
                w.contains(&expected.to_string()),
                "{expected} missing from {w:?}"
            );
        }
        let w = words("随行付通知：银联商务冲正成功，签购单已打印");
        for expected in ["随行付", "银联商务", "冲正", "签购单"] {
            assert!(
                w.contains(&expected.to_string()),
                "{expected} missing from {w:?}"
            );
        }
    }

    #[test]
    fn masks_are_single_tokens_with_char_offsets() {
        let n = Normalizer.normalize("致电13812345678办理");
        let toks = Tokenizer::shared().tokenize(&n);
        let mask = toks
            .iter()
            .find(|t| matches!(t.kind, TokenKind::Mask(MaskKind::Mobile)))
            .unwrap();
        assert_eq!(mask.chars, 2..3);
        let last = toks.last().unwrap();
        assert_eq!(last.text(&n), "办理");
        assert_eq!(last.chars, 3..5);
    }
}
