//! Stage 3: features.
//!
//! Word unigrams and bigrams (from the tokeniser), character n-grams (robust where segmentation
//! fails or words are split by obfuscation) and rule signals, each identified by a readable key
//! (`w|押金`, `b|押金|返还`, `c|激活费`, `r|fee_demand`). A fitted vocabulary maps keys to feature ids;
//! weights are sub-linear TF × IDF, L2-normalised (with `binary_rules`, rule signals are instead 1
//! when they fire and stay outside the norm). The whole [`FeatureConfig`] — n-gram ranges,
//! vocabulary, IDF, the dictionary and normaliser versions — is stored in the model file, so
//! scoring always rebuilds exactly the features the model was trained on.

use crate::contacts::Impersonation;
use crate::error::{Error, Result};
use crate::normalize::{NormalizedText, Normalizer, NORMALIZER_VERSION};
use crate::signals::{self, Signal, SignalKind};
use crate::tokenize::{Token, TokenKind, Tokenizer};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use std::ops::Range;

/// Bumped whenever feature keys or weighting change; a model of another version is refused.
pub const FEATURE_VERSION: u32 = 3;

/// Everything needed to turn text into the model's input, serialised into the model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureConfig {
    pub feature_version: u32,
    pub normalizer_version: u32,
    pub dictionary_sha256: String,
    /// Longest word n-gram (1 = unigrams only, 2 = plus bigrams).
    pub word_ngram_max: usize,
    /// Character n-gram lengths, inclusive.
    pub char_ngram_min: usize,
    pub char_ngram_max: usize,
    /// Whether rule signals enter as features.
    pub rule_signals: bool,
    /// Rule signals are 1 when they fire and outside the L2 normalisation of the n-gram part, so a
    /// rule counts the same in a one-line SMS and a long call (the stacked combination's inputs).
    /// Off: a rule signal is one more TF-IDF term of the normalised vector.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub binary_rules: bool,
    /// 1 + ln(tf) instead of raw counts.
    pub sublinear_tf: bool,
    /// Words and character n-grams inside quotation marks (“…”, 「…」, '…' holding Chinese) are
    /// features of their own (`qw|`, `qb|`, `qc|`), apart from the same words outside quotes: an
    /// anti-fraud warning that quotes a scam's wording ("警惕'回复1换新机'") is not that scam.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub quote_features: bool,
    /// Feature keys; a key's position is its feature id.
    pub vocabulary: Vec<String>,
    /// Inverse document frequency per feature id.
    pub idf: Vec<f32>,
}

impl FeatureConfig {
    /// The settings used when training, before a vocabulary is fitted.
    pub fn unfitted() -> Self {
        FeatureConfig {
            feature_version: FEATURE_VERSION,
            normalizer_version: NORMALIZER_VERSION,
            dictionary_sha256: crate::tokenize::dictionary_sha256(),
            word_ngram_max: 2,
            char_ngram_min: 2,
            char_ngram_max: 3,
            rule_signals: true,
            binary_rules: false,
            sublinear_tf: true,
            quote_features: false,
            vocabulary: Vec::new(),
            idf: Vec::new(),
        }
    }

    /// Checks that this build can reproduce the features the config describes.
    pub fn check_compatible(&self) -> std::result::Result<(), String> {
        if self.feature_version != FEATURE_VERSION {
            return Err(format!(
                "feature version {} but this posguard computes version {}",
                self.feature_version, FEATURE_VERSION
            ));
        }
        if self.normalizer_version != NORMALIZER_VERSION {
            return Err(format!(
                "normaliser version {} but this posguard has version {}",
                self.normalizer_version, NORMALIZER_VERSION
            ));
        }
        let dict = crate::tokenize::dictionary_sha256();
        if self.dictionary_sha256 != dict {
            return Err(format!(
                "trained with dictionary {} but this posguard has {}",
                short(&self.dictionary_sha256),
                short(&dict)
            ));
        }
        if self.vocabulary.len() != self.idf.len() {
            return Err(format!(
                "vocabulary has {} entries but idf has {}",
                self.vocabulary.len(),
                self.idf.len()
            ));
        }
        if self.word_ngram_max == 0 || self.word_ngram_max > 2 {
            return Err(format!(
                "unsupported word n-gram length {}",
                self.word_ngram_max
            ));
        }
        if self.char_ngram_min == 0
            || self.char_ngram_min > self.char_ngram_max
            || self.char_ngram_max > 5
        {
            return Err(format!(
                "unsupported character n-gram range {}..={}",
                self.char_ngram_min, self.char_ngram_max
            ));
        }
        Ok(())
    }
}

fn short(s: &str) -> &str {
    &s[..s.len().min(12)]
}

/// A message taken through normalisation, tokenisation and signal detection.
#[derive(Debug, Clone)]
pub struct Analysis {
    pub normalized: NormalizedText,
    pub tokens: Vec<Token>,
    pub signals: Vec<Signal>,
    /// The impersonation check ([`crate::contacts::check`]); its findings are also a signal.
    pub impersonation: Option<Impersonation>,
    /// Character ranges of the normalised text that were inside quotation marks in the original
    /// ([`quoted_spans`]).
    pub quoted: Vec<Range<usize>>,
}

impl Analysis {
    pub fn new(original: &str) -> Self {
        let normalized = Normalizer.normalize(original);
        let tokens = Tokenizer::shared().tokenize(&normalized);
        let impersonation = crate::contacts::check(&normalized, original);
        let signals = signals::detect_with(&normalized, original, impersonation.as_ref());
        let quoted = quoted_spans(original)
            .into_iter()
            .filter_map(|bytes| normalized.chars_within(bytes))
            .collect();
        Analysis {
            normalized,
            tokens,
            signals,
            impersonation,
            quoted,
        }
    }

    /// The verdict rule that applies to this message, if any ([`crate::verdict::overrule`]).
    pub fn overrule(&self) -> Option<crate::verdict::Overrule> {
        let kinds: Vec<signals::SignalKind> = self.signals.iter().map(|s| s.kind).collect();
        crate::verdict::overrule(&kinds, self.impersonation.as_ref())
    }

    /// Whether the normalised characters `chars` all lie inside one quotation.
    pub fn in_quotes(&self, chars: &Range<usize>) -> bool {
        self.quoted
            .iter()
            .any(|q| q.start <= chars.start && chars.end <= q.end)
    }
}

/// Longest quotation taken as one (characters between the marks).
pub const MAX_QUOTE_CHARS: usize = 40;

/// Byte ranges of the original text between quotation marks: a Chinese opening mark (“ ‘ 「 『)
/// closed by any Chinese closing mark (” ’ 」 』 — conversion to traditional script turns “ into 「
/// but leaves ”, and people mix them), or an ASCII or full-width `"` `'` closed by the same mark.
/// At most [`MAX_QUOTE_CHARS`] characters, within one sentence, and holding a Chinese character —
/// so `回复“1”` quotes nothing and an unmatched mark opens nothing. A message that is nothing but
/// quotations (no letter, digit or Chinese character outside them, a 【sender】 tag aside) quotes
/// nothing either: quoting is what a message does to other words, and wrapping a scam in quotation
/// marks (`“…”`, `【POS服务中心】“…”`, `“…”“…”`) must not turn its wording into a warning's quotation.
/// Nor does one whose words outside the marks are a short frame (at most [`MAX_FRAME_WORDS`]
/// characters, a run of ASCII letters or digits counting as one) that does not say what the
/// quotation is (`通知：“…”`, `“…”请速回复`): a warning, a report or a question names it
/// (`骗子：“…”`, `收到“…”`, `机器显示“…”`, `“…”是真的吗`).
pub fn quoted_spans(original: &str) -> Vec<Range<usize>> {
    let closes = |open: char, c: char| match open {
        '“' | '‘' | '「' | '『' => matches!(c, '”' | '’' | '」' | '』'),
        '"' | '\'' | '＂' | '＇' => c == open,
        _ => false,
    };
    let opens = |c: char| matches!(c, '“' | '‘' | '「' | '『' | '"' | '\'' | '＂' | '＇');
    let mut out = Vec::new();
    let mut it = original.char_indices().peekable();
    while let Some((i, c)) = it.next() {
        if !opens(c) {
            continue;
        }
        let start = i + c.len_utf8();
        let mut chinese = false;
        for (n, (j, d)) in original[start..].char_indices().enumerate() {
            if n > MAX_QUOTE_CHARS || matches!(d, '。' | '！' | '？' | '\n') {
                break;
            }
            if closes(c, d) {
                if chinese {
                    out.push(start..start + j);
                }
                // Continue after the closing mark, which opens nothing.
                while it.peek().is_some_and(|(k, _)| *k <= start + j) {
                    it.next();
                }
                break;
            }
            chinese |= ('\u{4e00}'..='\u{9fff}').contains(&d);
        }
    }
    if !out.is_empty() {
        let frame = words_outside(original, &out);
        let units = frame_units(&frame);
        if units == 0 || (units <= MAX_FRAME_WORDS && !names_the_quotation(&frame)) {
            out.clear();
        }
    }
    out
}

/// Longest frame around quotations that can leave them unquoted ([`quoted_spans`]).
pub const MAX_FRAME_WORDS: usize = 8;

/// Words of a frame that make its quotations quotations: a warning (`骗`, `警惕`, `别信`), a
/// report of what was received or shown (`收到`, `短信`, `显示`, `说`), a question (`吗`, `?`),
/// or an invitation to look the words up (`搜索`, `关注`) — in simplified and traditional script.
fn names_the_quotation(frame: &str) -> bool {
    const CUES: &str = "骗 騙 诈 詐 警 惕 醒 小心 谨防 謹防 当心 當心 防 别 別 勿 不要 莫 收到 短信 簡訊 信息 訊息 消息 电话 電話 \
         提示 显示 顯示 吗 嗎 么 麼 是不是 真 假 举报 舉報 问 問 说 說 称 稱 叫 谁 誰 搜 关注 關注 ? ？";
    CUES.split(' ').any(|c| frame.contains(c))
}

/// Characters of a frame counted against [`MAX_FRAME_WORDS`]: each Chinese character, and each run
/// of other letters or digits as one (a phone number or a brand's Latin name is one word).
fn frame_units(frame: &str) -> usize {
    let mut units = 0;
    let mut in_run = false;
    for c in frame.chars() {
        let run = c.is_alphanumeric() && !('\u{4e00}'..='\u{9fff}').contains(&c);
        if !c.is_alphanumeric() {
            in_run = false;
            continue;
        }
        if !(run && in_run) {
            units += 1;
        }
        in_run = run;
    }
    units
}

/// The letters, digits, Chinese characters and question marks of `original` outside the `quoted`
/// byte ranges and outside sender tags (`【…】`, `[…]`, at most [`MAX_TAG_CHARS`] characters), with
/// a space where anything else stood between them.
fn words_outside(original: &str, quoted: &[Range<usize>]) -> String {
    const MAX_TAG_CHARS: usize = 20;
    let mut out = String::new();
    let mut chars = original.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if quoted.iter().any(|q| q.contains(&i)) {
            if !out.ends_with(' ') {
                out.push(' ');
            }
            continue;
        }
        if let Some(close) = match c {
            '【' => Some('】'),
            '[' => Some(']'),
            _ => None,
        } {
            let tag_end = original[i + c.len_utf8()..]
                .char_indices()
                .take(MAX_TAG_CHARS + 1)
                .find(|&(_, d)| d == close)
                .map(|(k, d)| i + c.len_utf8() + k + d.len_utf8());
            if let Some(end) = tag_end {
                while chars.peek().is_some_and(|&(k, _)| k < end) {
                    chars.next();
                }
                continue;
            }
        }
        if c.is_alphanumeric() || matches!(c, '?' | '？') {
            out.push(c);
        } else if !out.ends_with(' ') {
            out.push(' ');
        }
    }
    out
}

/// Calls `f(key, chars)` for every feature occurrence of the message, where `chars` is the
/// normalised character range that produced it. Keys are built in one reused buffer.
pub fn visit_features(cfg: &FeatureConfig, a: &Analysis, mut f: impl FnMut(&str, Range<usize>)) {
    let n = &a.normalized;
    let text = n.text();
    let mut key = String::with_capacity(64);
    let words: Vec<&Token> = a
        .tokens
        .iter()
        .filter(|t| t.kind != TokenKind::Punct)
        .collect();
    let word_str = |t: &Token| -> &str {
        match t.kind {
            TokenKind::Mask(k) => k.token(),
            _ => &text[t.bytes.clone()],
        }
    };
    let quoted = |r: &Range<usize>| cfg.quote_features && a.in_quotes(r);
    for (i, t) in words.iter().enumerate() {
        key.clear();
        key.push_str(if quoted(&t.chars) { "qw|" } else { "w|" });
        key.push_str(word_str(t));
        f(&key, t.chars.clone());
        if cfg.word_ngram_max >= 2 {
            if let Some(next) = words.get(i + 1) {
                // Bigrams only across adjacent words: punctuation in between breaks them.
                if next.chars.start == t.chars.end {
                    key.clear();
                    key.push_str(if quoted(&(t.chars.start..next.chars.end)) {
                        "qb|"
                    } else {
                        "b|"
                    });
                    key.push_str(word_str(t));
                    key.push('|');
                    key.push_str(word_str(next));
                    f(&key, t.chars.start..next.chars.end);
                }
            }
        }
    }
    // Character n-grams over the text without spaces.
    let chars: Vec<(usize, char)> = text
        .chars()
        .enumerate()
        .filter(|(_, c)| *c != ' ')
        .collect();
    for len in cfg.char_ngram_min..=cfg.char_ngram_max {
        if chars.len() < len {
            break;
        }
        for w in chars.windows(len) {
            key.clear();
            key.push_str(if quoted(&(w[0].0..w[len - 1].0 + 1)) {
                "qc|"
            } else {
                "c|"
            });
            for (_, c) in w {
                key.push(*c);
            }
            f(&key, w[0].0..w[len - 1].0 + 1);
        }
    }
    if cfg.rule_signals {
        for s in a.signals.iter().filter(|s| s.kind.is_feature()) {
            key.clear();
            key.push_str("r|");
            key.push_str(s.kind.name());
            f(&key, s.chars.clone());
        }
    }
}

/// Stable 64-bit hash of a feature key.
pub fn key_hash(key: &str) -> u64 {
    twox_hash::XxHash3_64::oneshot(key.as_bytes())
}

/// A sparse feature vector: ids ascending, values L2-normalised (binary rule signals excepted).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SparseVector {
    pub ids: Vec<u32>,
    pub values: Vec<f32>,
}

impl SparseVector {
    pub fn nnz(&self) -> usize {
        self.ids.len()
    }
}

/// Turns analysed messages into sparse vectors with a fitted [`FeatureConfig`].
#[derive(Debug, Clone)]
pub struct Vectorizer {
    config: FeatureConfig,
    index: FxHashMap<u64, u32>,
    /// The same vocabulary by kind, looked up without building keys: n-grams outside quotation
    /// marks (`w|`, `b|`, `c|`) and inside them (`qw|`, `qb|`, `qc|`), and rule signals (`r|`,
    /// indexed by `SignalKind as usize`).
    plain: NgramIndex,
    quoted: NgramIndex,
    signal_ids: [Option<u32>; SignalKind::ALL.len()],
    /// `is_rule[id]`: feature `id` is a rule signal.
    is_rule: Vec<bool>,
}

/// N-gram feature ids by kind: words (`w|`), bigrams (`b|`, keyed `first|second`) and character
/// n-grams (`c|`, packed with [`pack_chars`]).
#[derive(Debug, Clone, Default)]
struct NgramIndex {
    words: FxHashMap<Box<str>, u32>,
    bigrams: FxHashMap<Box<str>, u32>,
    char_ngrams: FxHashMap<u128, u32>,
}

impl NgramIndex {
    /// Files `key` under its kind; false when it is not an n-gram key.
    fn add(&mut self, key: &str, id: u32) -> bool {
        if let Some(w) = key.strip_prefix("w|") {
            self.words.insert(w.into(), id);
        } else if let Some(b) = key.strip_prefix("b|") {
            self.bigrams.insert(b.into(), id);
        } else if let Some(c) = key.strip_prefix("c|") {
            if c.chars().count() <= 5 {
                self.char_ngrams.insert(pack_chars(c.chars()), id);
            }
        } else {
            return false;
        }
        true
    }
}

/// Up to five characters in one integer, with their number: the key of a character n-gram.
fn pack_chars(chars: impl Iterator<Item = char>) -> u128 {
    let mut k: u128 = 0;
    let mut n: u128 = 0;
    for c in chars {
        k = (k << 21) | c as u128;
        n += 1;
    }
    k | (n << 120)
}

impl Vectorizer {
    pub fn new(config: FeatureConfig) -> Result<Self> {
        config
            .check_compatible()
            .map_err(|reason| Error::model("feature configuration", reason))?;
        let mut index = FxHashMap::default();
        index.reserve(config.vocabulary.len());
        let mut plain = NgramIndex::default();
        let mut quoted = NgramIndex::default();
        let mut signal_ids = [None; SignalKind::ALL.len()];
        let mut is_rule = vec![false; config.vocabulary.len()];
        for (i, k) in config.vocabulary.iter().enumerate() {
            if index.insert(key_hash(k), i as u32).is_some() {
                return Err(Error::model(
                    "feature configuration",
                    format!("duplicate vocabulary key {k:?}"),
                ));
            }
            let id = i as u32;
            let filed = match k.strip_prefix('q') {
                Some(rest) => quoted.add(rest, id),
                None => plain.add(k, id),
            };
            if filed {
                continue;
            }
            if let Some(r) = k.strip_prefix("r|") {
                if let Some(kind) = SignalKind::ALL.iter().find(|s| s.name() == r) {
                    signal_ids[*kind as usize] = Some(id);
                    is_rule[i] = true;
                }
            }
        }
        Ok(Vectorizer {
            config,
            index,
            plain,
            quoted,
            signal_ids,
            is_rule,
        })
    }

    fn index_for(&self, quoted: bool) -> &NgramIndex {
        if quoted {
            &self.quoted
        } else {
            &self.plain
        }
    }

    /// Whether feature `id` is a rule signal.
    pub fn is_rule(&self, id: u32) -> bool {
        self.is_rule.get(id as usize).copied().unwrap_or(false)
    }

    /// Calls `f(id, chars)` for every feature occurrence of the message that is in the
    /// vocabulary: the ids of [`visit_features`]'s keys, found without building the keys.
    fn visit_ids(&self, a: &Analysis, mut f: impl FnMut(u32, Range<usize>)) {
        let cfg = &self.config;
        let text = a.normalized.text();
        let word_str = |t: &Token| -> &str {
            match t.kind {
                TokenKind::Mask(k) => k.token(),
                _ => &text[t.bytes.clone()],
            }
        };
        let mut key = String::with_capacity(64);
        let mut words: Vec<&Token> = Vec::with_capacity(a.tokens.len());
        words.extend(a.tokens.iter().filter(|t| t.kind != TokenKind::Punct));
        // Most messages quote nothing: then every key is looked up in the plain index.
        let any_quoted = cfg.quote_features && !a.quoted.is_empty();
        let quoted = |r: &Range<usize>| any_quoted && a.in_quotes(r);
        for (i, t) in words.iter().enumerate() {
            if let Some(&id) = self.index_for(quoted(&t.chars)).words.get(word_str(t)) {
                f(id, t.chars.clone());
            }
            if cfg.word_ngram_max >= 2 {
                if let Some(next) = words.get(i + 1) {
                    // Bigrams only across adjacent words: punctuation in between breaks them.
                    if next.chars.start == t.chars.end {
                        key.clear();
                        key.push_str(word_str(t));
                        key.push('|');
                        key.push_str(word_str(next));
                        let span = t.chars.start..next.chars.end;
                        let bigrams = &self.index_for(quoted(&span)).bigrams;
                        if let Some(&id) = bigrams.get(key.as_str()) {
                            f(id, span);
                        }
                    }
                }
            }
        }
        // Character n-grams over the text without spaces.
        let mut chars: Vec<(usize, char)> = Vec::with_capacity(a.normalized.char_len());
        chars.extend(text.chars().enumerate().filter(|(_, c)| *c != ' '));
        for len in cfg.char_ngram_min..=cfg.char_ngram_max {
            if chars.len() < len {
                break;
            }
            for w in chars.windows(len) {
                let span = w[0].0..w[len - 1].0 + 1;
                let map = if any_quoted {
                    &self.index_for(quoted(&span)).char_ngrams
                } else {
                    &self.plain.char_ngrams
                };
                if let Some(&id) = map.get(&pack_chars(w.iter().map(|(_, c)| *c))) {
                    f(id, span);
                }
            }
        }
        if cfg.rule_signals {
            for s in a.signals.iter().filter(|s| s.kind.is_feature()) {
                if let Some(id) = self.signal_ids[s.kind as usize] {
                    f(id, s.chars.clone());
                }
            }
        }
    }

    pub fn config(&self) -> &FeatureConfig {
        &self.config
    }

    pub fn dim(&self) -> usize {
        self.config.vocabulary.len()
    }

    /// Key of feature `id`.
    pub fn key(&self, id: u32) -> &str {
        &self.config.vocabulary[id as usize]
    }

    pub fn vectorize(&self, a: &Analysis) -> SparseVector {
        let mut ids: Vec<u32> = Vec::with_capacity(256);
        self.visit_ids(a, |id, _| ids.push(id));
        self.weigh(ids)
    }

    /// [`vectorize`](Self::vectorize) the way it was first written: every key built and hashed
    /// (the reference for the tests).
    pub fn vectorize_by_keys(&self, a: &Analysis) -> SparseVector {
        let mut ids: Vec<u32> = Vec::with_capacity(256);
        visit_features(&self.config, a, |key, _| {
            if let Some(&id) = self.index.get(&key_hash(key)) {
                ids.push(id);
            }
        });
        self.weigh(ids)
    }

    /// Like [`vectorize`](Self::vectorize), also returning for each non-zero feature the normalised
    /// character ranges that produced it.
    pub fn vectorize_with_spans(&self, a: &Analysis) -> (SparseVector, Vec<Vec<Range<usize>>>) {
        let mut hits: Vec<(u32, Range<usize>)> = Vec::with_capacity(256);
        self.visit_ids(a, |id, chars| hits.push((id, chars)));
        hits.sort_by_key(|(id, r)| (*id, r.start));
        let v = self.weigh(hits.iter().map(|(id, _)| *id).collect());
        let mut spans: Vec<Vec<Range<usize>>> = vec![Vec::new(); v.ids.len()];
        let mut k = 0;
        for (id, r) in hits {
            while v.ids[k] != id {
                k += 1;
            }
            spans[k].push(r);
        }
        (v, spans)
    }

    fn weigh(&self, mut ids: Vec<u32>) -> SparseVector {
        let binary_rules = self.config.binary_rules;
        let binary = |id: u32| binary_rules && self.is_rule[id as usize];
        ids.sort_unstable();
        let mut out = SparseVector {
            ids: Vec::with_capacity(ids.len()),
            values: Vec::with_capacity(ids.len()),
        };
        let mut i = 0;
        while i < ids.len() {
            let id = ids[i];
            let mut j = i;
            while j < ids.len() && ids[j] == id {
                j += 1;
            }
            out.ids.push(id);
            if binary(id) {
                out.values.push(1.0);
            } else {
                let tf = (j - i) as f32;
                // ln(1) is 0 exactly: most features occur once, and need no logarithm.
                let tf = if self.config.sublinear_tf && j - i > 1 {
                    1.0 + tf.ln()
                } else {
                    tf
                };
                out.values.push(tf * self.config.idf[id as usize]);
            }
            i = j;
        }
        // TF-IDF, L2-normalised; binary rule signals stay 1.
        let norm = out
            .ids
            .iter()
            .zip(&out.values)
            .filter(|(id, _)| !binary(**id))
            .map(|(_, v)| v * v)
            .sum::<f32>()
            .sqrt();
        if norm > 0.0 {
            for (id, v) in out.ids.iter().zip(out.values.iter_mut()) {
                if !binary(*id) {
                    *v /= norm;
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotations_holding_chinese_are_found_in_the_original() {
        let spans = |s: &str| -> Vec<String> {
            quoted_spans(s)
                .into_iter()
                .map(|r| s[r].to_string())
                .collect()
        };
        assert_eq!(
            spans("警惕“回复1换新机”和'零费率'类诈骗，「免费上门」也是"),
            ["回复1换新机", "零费率", "免费上门"]
        );
        // A digit in quotes, an unmatched mark, a quote across a sentence end: nothing.
        assert!(spans("回复“1”即可").is_empty());
        assert!(spans("他说“明天再来").is_empty());
        assert!(spans("“你好。再见”").is_empty());
        // The closing mark of a quoted digit does not open a quotation.
        assert_eq!(spans("他说回复\"1\"即可换\"新机\""), ["新机"]);
        // Mixed Chinese marks, as traditional-script conversion leaves them.
        assert_eq!(spans("收到過「回1換新機”的短信"), ["回1換新機"]);
        // A message that is all quotation, punctuation and spaces aside, quotes nothing; one word
        // outside the marks makes it a quotation again.
        assert!(spans("“您的POS机备案到期即将停用，回复1免费更换新机”").is_empty());
        assert!(spans(" 「您的POS机即将停用，回复1更换」！").is_empty());
        assert_eq!(spans("骗子：“回复1换新机”"), ["回复1换新机"]);
        // Two quotations and nothing else, or a sender tag and a quotation: nothing is quoted.
        assert!(spans("“您的POS机即将停用”“回复1更换新机”").is_empty());
        assert!(spans("【POS服务中心】“您的POS机即将停用，回复1更换”").is_empty());
        assert!(spans("“您的POS机即将停用，回复1更换”[银联]").is_empty());
        assert_eq!(spans("“回复1换新机”是诈骗"), ["回复1换新机"]);
        // A short frame that does not say what the quotation is: the quotation is the message.
        let scam = "“您的POS机备案到期即将停用，回复1免费更换新机”";
        assert!(spans(&format!("通知：{scam}")).is_empty());
        assert!(spans(&format!("{scam}请速回复")).is_empty());
        assert!(spans(&format!("【银联】重要通知：{scam}详询4001234567")).is_empty());
        // A frame that warns, reports or asks keeps it a quotation, short or not ...
        for framed in [
            format!("小心{scam}"),
            format!("收到{scam}"),
            format!("机器显示{scam}"),
            format!("{scam}是真的吗"),
            format!("{scam}是啥?"),
            format!("別信{scam}"),
        ] {
            assert_eq!(spans(&framed).len(), 1, "{framed}");
        }
        // ... and so does any frame longer than MAX_FRAME_WORDS.
        assert_eq!(spans(&format!("商户您好今天上午通知{scam}")).len(), 1);
        assert_eq!(frame_units("详询 4001234567 POS"), 4);
    }

    #[test]
    fn quoted_words_get_their_own_keys_only_when_configured() {
        let text = "警惕“回复1换新机”的诈骗";
        let a = Analysis::new(text);
        assert_eq!(a.quoted.len(), 1);
        let mut cfg = FeatureConfig::unfitted();
        let collect = |cfg: &FeatureConfig| {
            let mut out = Vec::new();
            visit_features(cfg, &a, |k, r| out.push((k.to_string(), r)));
            out
        };
        assert!(collect(&cfg).iter().all(|(k, _)| !k.starts_with('q')));
        cfg.quote_features = true;
        let keys = collect(&cfg);
        // Inside: 新机 as a quoted word; outside: 警惕 and 诈骗 as ordinary words.
        assert!(keys.iter().any(|(k, _)| k == "qw|新机"), "{keys:?}");
        assert!(keys.iter().any(|(k, _)| k == "w|警惕"), "{keys:?}");
        assert!(keys.iter().any(|(k, _)| k == "w|诈骗"), "{keys:?}");
        assert!(!keys.iter().any(|(k, _)| k == "w|新机"), "{keys:?}");
        // Every quoted key lies inside the quotation, every other one does not.
        for (k, r) in &keys {
            if !k.starts_with("r|") {
                assert_eq!(k.starts_with('q'), a.in_quotes(r), "{k} {r:?}");
            }
        }
        // The fast path finds the same features as the keys.
        cfg.vocabulary = keys
            .iter()
            .map(|(k, _)| k.clone())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        cfg.idf = vec![1.0; cfg.vocabulary.len()];
        let v = Vectorizer::new(cfg).unwrap();
        assert_eq!(v.vectorize(&a), v.vectorize_by_keys(&a));
    }

    fn keys(s: &str) -> Vec<String> {
        let cfg = FeatureConfig::unfitted();
        let a = Analysis::new(s);
        let mut out = Vec::new();
        visit_features(&cfg, &a, |k, _| out.push(k.to_string()));
        out
    }

    #[test]
    fn word_char_and_signal_keys() {
        let k = keys("押金299元，回复1办理");
        for want in [
            "w|押金",
            "w|<money>",
            "b|押金|<money>",
            "c|押金",
            "r|reply_action",
        ] {
            assert!(k.iter().any(|x| x == want), "{want} missing from {k:?}");
        }
    }

    fn fitted(keys: &[&str]) -> Vectorizer {
        let mut cfg = FeatureConfig::unfitted();
        cfg.vocabulary = keys.iter().map(|s| s.to_string()).collect();
        cfg.idf = vec![1.0; keys.len()];
        Vectorizer::new(cfg).unwrap()
    }

    #[test]
    fn vectors_are_deterministic_and_unit_length() {
        let v = fitted(&["w|押金", "c|押金", "w|<money>", "r|fee_demand"]);
        let a = Analysis::new("押金299元，押金可退");
        let x = v.vectorize(&a);
        let y = v.vectorize(&Analysis::new("押金299元，押金可退"));
        assert_eq!(x, y);
        let norm: f32 = x.values.iter().map(|v| v * v).sum();
        assert!((norm - 1.0).abs() < 1e-5);
        // "押金" occurs twice: sub-linear tf gives it 1 + ln 2 before normalisation.
        let (sv, spans) = v.vectorize_with_spans(&a);
        assert_eq!(sv, x);
        let w = sv.ids.iter().position(|&i| i == 0).unwrap();
        assert_eq!(spans[w], vec![0..2, 5..7]);
    }

    #[test]
    fn binary_rule_signals_are_one_and_outside_the_norm() {
        let keys = ["w|押金", "c|押金", "r|fee_demand", "r|reply_action"];
        let mut cfg = FeatureConfig::unfitted();
        cfg.vocabulary = keys.iter().map(|s| s.to_string()).collect();
        cfg.idf = vec![1.0; keys.len()];
        cfg.binary_rules = true;
        let v = Vectorizer::new(cfg.clone()).unwrap();
        assert!(v.is_rule(2) && v.is_rule(3) && !v.is_rule(0) && !v.is_rule(1));
        // Two replies-to-act in one message still give 1, and the n-gram part keeps unit length.
        let x = v.vectorize(&Analysis::new("押金299元，回复1办理，回复1确认"));
        let rule = x
            .ids
            .iter()
            .position(|&i| i == 3)
            .expect("reply_action fires");
        assert_eq!(x.values[rule], 1.0);
        let ngram: f32 = x
            .ids
            .iter()
            .zip(&x.values)
            .filter(|(id, _)| **id < 2)
            .map(|(_, v)| v * v)
            .sum();
        assert!((ngram - 1.0).abs() < 1e-5, "{x:?}");
        // A message with rules but no known n-gram: the rules alone, still 1.
        let y = v.vectorize(&Analysis::new("回复1办理"));
        assert_eq!(y.ids, vec![3]);
        assert_eq!(y.values, vec![1.0]);
        // Without binary_rules the same message is one unit-length TF-IDF vector.
        cfg.binary_rules = false;
        let z = Vectorizer::new(cfg)
            .unwrap()
            .vectorize(&Analysis::new("押金299元，回复1办理，回复1确认"));
        assert_eq!(z.ids, x.ids);
        let norm: f32 = z.values.iter().map(|v| v * v).sum();
        assert!((norm - 1.0).abs() < 1e-5 && z.values[rule] < 1.0, "{z:?}");
    }

    #[test]
    fn keyless_lookup_matches_key_hashing_on_the_corpus() {
        let model = crate::Model::default_model().unwrap();
        let v = model.vectorizer();
        // corpus_texts asserts the corpus has more than 5,000 messages.
        for text in crate::test_corpus::corpus_texts() {
            let a = Analysis::new(&text);
            let want = v.vectorize_by_keys(&a);
            assert_eq!(v.vectorize(&a), want, "{text}");
            assert_eq!(v.vectorize_with_spans(&a).0, want, "{text}");
        }
    }

    #[test]
    fn incompatible_config_is_refused() {
        let mut cfg = FeatureConfig::unfitted();
        cfg.feature_version = 999;
        assert!(Vectorizer::new(cfg).is_err());
        let mut cfg = FeatureConfig::unfitted();
        cfg.dictionary_sha256 = "0000".into();
        assert!(Vectorizer::new(cfg).is_err());
    }
}
