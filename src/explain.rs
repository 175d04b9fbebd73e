//! Stage 6: explanations — which parts of the original message drove the verdict and each
//! flagged pattern, read off the linear model's per-feature contributions and mapped back through
//! the normalisation offsets; plus the rule signals found.
//!
//! # Evidence spans
//!
//! The model is linear, so the contribution of feature *f* to an output is `x_f · w_f` (for the
//! verdict: the weight of the chosen verdict minus the mean weight of the other two). Every feature
//! occurrence covers a range of the normalised text (a word, a word pair, a character n-gram, the
//! match of a rule signal). [`evidence`] spreads each feature's contribution evenly over the
//! normalised characters it covers and sums per character — positive and negative contributions
//! alike, so a character's score is its net push. Spans are the maximal runs of characters scoring
//! at least [`SPAN_PEAK_FRACTION`] of the peak, widened to whole tokens (words, masked values),
//! trimmed of punctuation, and cut to at most [`MAX_SPAN_CHARS`] characters (the best-scoring window
//! of whole tokens; the rest of a long run may form further spans). Only then is a span mapped back
//! to the original text, so offsets are character offsets into the message exactly as received:
//! full-width, traditional, obfuscated or emoji-split writing and masked phone numbers and links
//! come back as they were written.
//!
//! # How rule signals and the model combine
//!
//! Rule signals ([`crate::signals`]) are not a second classifier and never override the model. Each
//! signal found is an ordinary feature (`r|<name>`), selected unconditionally at training and
//! weighted by the same logistic regression as the word and character features, so the data decide
//! how much e.g. `r|unofficial_contact` is worth next to the words around it. Their value is
//! twofold: they generalise where n-grams do not (any short link, any amount after 押金, any phone
//! number that is not the brand's), and they make a verdict easier to trust, because each is named
//! and shown to the user as evidence ([`signal_hits`]) with its contribution folded into the spans
//! above. `scripts/rules-vs-model.sh` measures what they add: the full training recipe
//! (`posguard train`) with rule features on (the shipped model), off (`--no-rule-signals`) and
//! alone (`--rules-only`), evaluated on every evaluation set; the table is in `models/MODEL_CARD.md`.
//!
//! Measured with the shipped recipe (28,000 features): rules alone are far weaker than the model
//! (they find almost no scams at the calibrated threshold); added to the n-grams they change the
//! results by a few rows, mostly for the better (corpus test macro-F1 94.8 vs 94.5, legit FPR
//! 1.8% vs 2.0%; telecom_fraud_texts_5 recall 74.1% vs 73.9%, AP 97.8 vs 97.7). Their value at
//! this vocabulary size is that they can be named and shown; `SignalKind::Obfuscation` is shown
//! but is not a feature at all (see `SignalKind::is_feature`).

use crate::features::{Analysis, SparseVector};
use crate::labels::{Pattern, Verdict};
use crate::model::Model;
use crate::normalize::MaskKind;
use crate::signals::SignalKind;
use crate::tokenize::TokenKind;
use crate::verdict::VerdictResult;
use serde::Serialize;
use std::ops::Range;

/// A span is a run of characters scoring at least this fraction of the message's peak.
pub const SPAN_PEAK_FRACTION: f32 = 0.3;
/// Longest span, in normalised characters (a masked phone number or link counts as one).
pub const MAX_SPAN_CHARS: usize = 10;
/// Spans whose summed contribution is below this are not shown, except in a long text (over
/// [`LONG_TEXT_CHARS`]), which spreads each feature's weight over its occurrences (a scam pasted
/// 400 times has no single span worth 0.02): there a span is judged against the strongest one
/// ([`SPAN_PEAK_FRACTION`] of it) when that one is below this too.
const MIN_SPAN_WEIGHT: f32 = 0.02;
/// See [`MIN_SPAN_WEIGHT`].
const LONG_TEXT_CHARS: usize = 1000;

/// A span of the original message that contributed to a verdict or pattern.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evidence {
    /// Character offsets into the original message (not bytes).
    pub start: usize,
    pub end: usize,
    /// The original text of the span.
    pub text: String,
    /// `verdict` for the verdict, or a pattern name.
    pub pattern: String,
    /// Summed contribution of the span's characters to the logit (positive pushes towards the
    /// verdict/pattern).
    pub weight: f32,
    /// Feature keys behind it, strongest first (`w|押金`, `r|fee_demand`).
    pub features: Vec<String>,
}

/// A rule signal found in the message, located in the original text.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SignalHit {
    pub signal: SignalKind,
    pub description: &'static str,
    pub description_en: &'static str,
    /// Character offsets into the original message (not bytes), as in [`Evidence`].
    pub start: usize,
    pub end: usize,
    /// The original text of the match.
    pub text: String,
}

/// Converts a byte range of `original` to character offsets.
pub fn char_offsets(original: &str, bytes: Range<usize>) -> (usize, usize) {
    let start = original[..bytes.start].chars().count();
    (start, start + original[bytes].chars().count())
}

/// Evidence for the verdict (contributions to its logit relative to the other verdicts) and for
/// each flagged pattern; at most `per_target` spans each, strongest first.
pub fn evidence(
    model: &Model,
    original: &str,
    analysis: &Analysis,
    v: &SparseVector,
    spans: &[Vec<Range<usize>>],
    result: &VerdictResult,
    per_target: usize,
) -> Vec<Evidence> {
    let params = model.params();
    let mut out = Vec::new();
    let verdict_col = result.verdict.index();
    let contrib_verdict = |id: usize| {
        // Contribution to the chosen verdict against the mean of the others.
        let w = params.weight(id, verdict_col);
        let others: f32 = Verdict::ALL
            .iter()
            .filter(|o| o.index() != verdict_col)
            .map(|o| params.weight(id, o.index()))
            .sum::<f32>()
            / (Verdict::ALL.len() - 1) as f32;
        w - others
    };
    let keys = |id: u32| model.vectorizer().key(id).to_string();
    out.extend(evidence_with(
        original,
        analysis,
        v,
        spans,
        "verdict",
        per_target,
        contrib_verdict,
        keys,
    ));
    for ps in result.flagged_patterns() {
        let col = params.n_verdicts + ps.pattern.index();
        out.extend(evidence_with(
            original,
            analysis,
            v,
            spans,
            ps.pattern.name(),
            per_target,
            |id| params.weight(id, col),
            keys,
        ));
    }
    out
}

/// Per normalised character: the summed contribution of the features covering it.
pub fn char_scores(
    n_chars: usize,
    v: &SparseVector,
    spans: &[Vec<Range<usize>>],
    weight_of: impl Fn(usize) -> f32,
) -> Vec<f32> {
    let mut score = vec![0f32; n_chars];
    for (k, (&id, &x)) in v.ids.iter().zip(&v.values).enumerate() {
        let c = x * weight_of(id as usize);
        let ranges = &spans[k];
        if c == 0.0 || ranges.is_empty() {
            continue;
        }
        let per_range = c / ranges.len() as f32;
        for r in ranges {
            let r = r.start.min(n_chars)..r.end.min(n_chars);
            if r.is_empty() {
                continue;
            }
            let per_char = per_range / r.len() as f32;
            for s in &mut score[r] {
                *s += per_char;
            }
        }
    }
    score
}

/// Character classes that may not start or end a span.
fn is_edge_junk(c: char) -> bool {
    MaskKind::from_placeholder(c).is_none() && !c.is_alphanumeric()
}

/// Turns per-character scores into spans of the normalised text: maximal runs above
/// `fraction × peak`, widened to whole tokens, trimmed, and cut to `max_len`. Returns the ranges
/// with their summed score, strongest first.
pub fn extract_spans(
    scores: &[f32],
    chars: &[char],
    tokens: &[Range<usize>],
    fraction: f32,
    max_len: usize,
) -> Vec<(Range<usize>, f32)> {
    let n = scores.len();
    let peak = scores.iter().copied().fold(0f32, f32::max);
    if peak <= 0.0 || n == 0 {
        return Vec::new();
    }
    let thr = peak * fraction;
    // Token boundaries: the token covering each character (None for spaces/punctuation gaps).
    let mut token_of: Vec<Option<usize>> = vec![None; n];
    for (t, r) in tokens.iter().enumerate() {
        for slot in token_of.iter_mut().take(r.end.min(n)).skip(r.start) {
            *slot = Some(t);
        }
    }
    let snap = |r: Range<usize>, lo: usize, hi: usize| -> Range<usize> {
        let mut s = r.start;
        let mut e = r.end;
        if let Some(t) = token_of[s] {
            s = tokens[t].start.max(lo);
        }
        if let Some(t) = token_of[e - 1] {
            e = tokens[t].end.min(hi);
        }
        while s < e && is_edge_junk(chars[s]) {
            s += 1;
        }
        while e > s && is_edge_junk(chars[e - 1]) {
            e -= 1;
        }
        s..e
    };
    let sum = |r: &Range<usize>| scores[r.clone()].iter().sum::<f32>();
    // Maximal runs above the threshold, snapped to tokens, overlapping ones merged.
    let mut runs: Vec<Range<usize>> = Vec::new();
    let mut i = 0;
    // Punctuation and spaces end a run: "停用，回复1" is two pieces of evidence.
    let strong = |c: usize| scores[c] >= thr && !is_edge_junk(chars[c]);
    while i < n {
        if !strong(i) {
            i += 1;
            continue;
        }
        let s = i;
        while i < n && strong(i) {
            i += 1;
        }
        let r = snap(s..i, 0, n);
        if r.is_empty() {
            continue;
        }
        match runs.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => runs.push(r),
        }
    }
    // Cut long runs into windows of whole tokens: the best window of at most `max_len`
    // characters from a token boundary to a token boundary (character boundaries as a fallback),
    // then the same in what is left on either side. The first best (by start, then end) is taken.
    //
    // A run can be the whole message (a text that repeats one phrase 4,000 times), cut into
    // thousands of pieces, so no piece is scanned start by start. The best window from a start
    // that lies more than `max_len` before a piece's end does not depend on the piece (its
    // windows all end inside it), so those are worked out once for the whole text and kept in a
    // tree answering "the first best start in this range" ([`RangeBest`]); only a piece's first
    // character (always a candidate) and the starts within `max_len` of its end (whose windows
    // the end cuts) are worked out for the piece. The fallback (a token longer than `max_len`:
    // the last best window of `max_len` characters) is such a tree too. Pieces then cost
    // O(`max_len`² + log n) each, not O(length of the piece).
    let boundary = |c: usize| token_of[c] != token_of[c - 1];
    // The best window starting at `s` and ending by `end`, where `end` is a candidate too.
    let best_from = |s: usize, end: usize| -> Option<(usize, f32)> {
        let mut best: Option<(usize, f32)> = None;
        for e in s + 1..=end.min(s + max_len) {
            if (e == end || boundary(e)) && !is_edge_junk(chars[e - 1]) {
                let ws = sum(&(s..e));
                if best.is_none_or(|(_, b)| ws > b) {
                    best = Some((e, ws));
                }
            }
        }
        best
    };
    // Built when a run longer than `max_len` is met (most messages have none).
    // (start, end, sum) of the best window from each start; the first of equals is kept.
    let mut inner: Option<RangeBest<(usize, usize, f32)>> = None;
    // (start, sum) of each window of `max_len` characters; the last of equals is kept.
    let mut fallback: Option<RangeBest<(usize, f32)>> = None;
    let mut out: Vec<Range<usize>> = Vec::new();
    let mut stack = runs;
    while let Some(r) = stack.pop() {
        if r.len() <= max_len {
            out.push(r);
            continue;
        }
        let inner = inner.get_or_insert_with(|| {
            // Every start that is a candidate wherever it lies: a token boundary, no junk, and
            // all its windows inside the text.
            RangeBest::new(
                (0..n)
                    .map(|s| {
                        (s > 0 && s + max_len < n && boundary(s) && !is_edge_junk(chars[s]))
                            .then(|| best_from(s, n))
                            .flatten()
                            .map(|(e, ws)| (s, e, ws))
                    })
                    .collect(),
                |kept, next| if next.2 > kept.2 { next } else { kept },
            )
        });
        // Candidates in order of start: the piece's first character, the starts whose windows
        // end well inside it, then those within `max_len` of its end.
        let tail = (r.start + 1).max(r.end - max_len);
        let mut best: Option<(usize, usize, f32)> = None;
        let mut consider = |c: Option<(usize, usize, f32)>| {
            if let Some((s, e, ws)) = c {
                if best.is_none_or(|(_, _, b)| ws > b) {
                    best = Some((s, e, ws));
                }
            }
        };
        if !is_edge_junk(chars[r.start]) {
            consider(best_from(r.start, r.end).map(|(e, ws)| (r.start, e, ws)));
        }
        consider(inner.query(r.start + 1..tail));
        for (s, &c) in chars.iter().enumerate().take(r.end).skip(tail) {
            if boundary(s) && !is_edge_junk(c) {
                consider(best_from(s, r.end).map(|(e, ws)| (s, e, ws)));
            }
        }
        let w = match best {
            Some((s, e, _)) => s..e,
            None => {
                // One token longer than max_len: best window of characters (the last of equals).
                let fallback = fallback.get_or_insert_with(|| {
                    RangeBest::new(
                        (0..=n - max_len)
                            .map(|s| Some((s, sum(&(s..s + max_len)))))
                            .collect(),
                        |kept, next| {
                            if next.1.total_cmp(&kept.1).is_ge() {
                                next
                            } else {
                                kept
                            }
                        },
                    )
                });
                let (s, _) = fallback
                    .query(r.start..r.end - max_len + 1)
                    .expect("non-empty run");
                s..s + max_len
            }
        };
        for part in [r.start..w.start, w.end..r.end] {
            // What is left must still hold a strong character; tighten it to those.
            let Some(s) = part.clone().find(|&c| strong(c)) else {
                continue;
            };
            let e = part.clone().rev().find(|&c| strong(c)).expect("found one") + 1;
            let p = snap(s..e, part.start, part.end);
            if !p.is_empty() {
                stack.push(p);
            }
        }
        out.push(w);
    }
    let mut scored: Vec<(Range<usize>, f32)> = out
        .into_iter()
        .map(|r| {
            let s = sum(&r);
            (r, s)
        })
        .collect();
    scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.start.cmp(&b.0.start)));
    scored
}

/// A static tree over per-position values answering, for a range of positions, which value a
/// left-to-right fold with `pick(kept, next)` keeps, in O(log n): [`extract_spans`] asks it for
/// the best window among thousands of starts once per piece it cuts, instead of scanning them.
/// `pick` must be associative (a first or last maximum is).
struct RangeBest<T: Copy> {
    size: usize,
    node: Vec<Option<T>>,
    pick: fn(T, T) -> T,
}

impl<T: Copy> RangeBest<T> {
    fn new(leaves: Vec<Option<T>>, pick: fn(T, T) -> T) -> Self {
        let size = leaves.len().next_power_of_two();
        let mut node = vec![None; 2 * size];
        node[size..size + leaves.len()].copy_from_slice(&leaves);
        let mut t = RangeBest { size, node, pick };
        for i in (1..size).rev() {
            t.node[i] = t.join(t.node[2 * i], t.node[2 * i + 1]);
        }
        t
    }

    fn join(&self, a: Option<T>, b: Option<T>) -> Option<T> {
        match (a, b) {
            (Some(a), Some(b)) => Some((self.pick)(a, b)),
            (a, None) => a,
            (None, b) => b,
        }
    }

    /// The fold over `range` (None when it holds no value).
    fn query(&self, range: Range<usize>) -> Option<T> {
        let (mut lo, mut hi) = (range.start + self.size, range.end + self.size);
        let (mut left, mut right) = (None, None);
        while lo < hi {
            if lo & 1 == 1 {
                left = self.join(left, self.node[lo]);
                lo += 1;
            }
            if hi & 1 == 1 {
                hi -= 1;
                right = self.join(self.node[hi], right);
            }
            lo /= 2;
            hi /= 2;
        }
        self.join(left, right)
    }
}

/// Evidence spans for one target given the contribution weight of each feature id
/// (`weight_of(id) × value` is the feature's contribution) and the key of each id.
#[allow(clippy::too_many_arguments)]
pub fn evidence_with(
    original: &str,
    analysis: &Analysis,
    v: &SparseVector,
    spans: &[Vec<Range<usize>>],
    target: &str,
    limit: usize,
    weight_of: impl Fn(usize) -> f32,
    key_of: impl Fn(u32) -> String,
) -> Vec<Evidence> {
    let norm = &analysis.normalized;
    let chars: Vec<char> = norm.text().chars().collect();
    let scores = char_scores(chars.len(), v, spans, &weight_of);
    let tokens: Vec<Range<usize>> = analysis
        .tokens
        .iter()
        .filter(|t| t.kind != TokenKind::Punct)
        .map(|t| t.chars.clone())
        .collect();
    let found = extract_spans(&scores, &chars, &tokens, SPAN_PEAK_FRACTION, MAX_SPAN_CHARS);
    let strongest = found.first().map_or(0.0, |(_, w)| *w);
    let min_weight = if chars.len() > LONG_TEXT_CHARS {
        MIN_SPAN_WEIGHT.min(strongest * SPAN_PEAK_FRACTION)
    } else {
        MIN_SPAN_WEIGHT
    };
    let mut out: Vec<Evidence> = Vec::new();
    for (r, w) in found {
        if w <= 0.0 || w < min_weight || out.len() >= limit {
            break;
        }
        let bytes = norm.original_range(r.clone());
        if bytes.is_empty() {
            continue;
        }
        // The same words again elsewhere in the message add no new evidence.
        if out.iter().any(|e| e.text == original[bytes.clone()]) {
            continue;
        }
        // The features behind the span: positive contributors overlapping it, strongest first.
        let mut feats: Vec<(f32, String)> = Vec::new();
        for (k, (&id, &x)) in v.ids.iter().zip(&v.values).enumerate() {
            let c = x * weight_of(id as usize);
            if c > 0.0 && spans[k].iter().any(|s| s.start < r.end && r.start < s.end) {
                feats.push((c, key_of(id)));
            }
        }
        feats.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        feats.truncate(6);
        let (start, end) = char_offsets(original, bytes.clone());
        out.push(Evidence {
            start,
            end,
            text: original[bytes].to_string(),
            pattern: target.to_string(),
            weight: w,
            features: feats.into_iter().map(|(_, k)| k).collect(),
        });
    }
    out
}

/// The rule signals of the message, located in the original text.
pub fn signal_hits(original: &str, analysis: &Analysis) -> Vec<SignalHit> {
    analysis
        .signals
        .iter()
        .map(|s| {
            let bytes = analysis.normalized.original_range(s.chars.clone());
            let (start, end) = char_offsets(original, bytes.clone());
            SignalHit {
                signal: s.kind,
                description: s.kind.zh(),
                description_en: s.kind.en(),
                start,
                end,
                text: original[bytes].to_string(),
            }
        })
        .collect()
}

/// Patterns named by evidence, for callers that want to group spans.
pub fn pattern_of(e: &Evidence) -> Option<Pattern> {
    e.pattern.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spans_of(scores: &[f32], text: &str, tokens: &[Range<usize>]) -> Vec<String> {
        let chars: Vec<char> = text.chars().collect();
        extract_spans(scores, &chars, tokens, 0.3, 6)
            .into_iter()
            .map(|(r, _)| chars[r].iter().collect())
            .collect()
    }

    #[test]
    fn runs_above_a_fraction_of_the_peak_snap_to_tokens() {
        // "回复1免费" with a strong "复1" and a weak tail: the run widens to the token 回复.
        let text = "请回复1免费换";
        let tokens = vec![0..1, 1..3, 3..4, 4..6, 6..7];
        let scores = [0.0, 0.1, 1.0, 1.0, 0.05, 0.05, 0.0];
        assert_eq!(spans_of(&scores, text, &tokens), vec!["回复1"]);
    }

    #[test]
    fn punctuation_is_trimmed_and_long_runs_are_cut() {
        let text = "【pos服务中心】您的pos机";
        let chars: Vec<char> = text.chars().collect();
        let tokens = vec![1..4, 4..6, 6..8, 9..10, 10..11, 11..14, 14..15];
        let scores = vec![1.0f32; chars.len()];
        let got: Vec<String> = extract_spans(&scores, &chars, &tokens, 0.3, 6)
            .into_iter()
            .map(|(r, _)| chars[r].iter().collect())
            .collect();
        assert!(got.iter().all(|s| s.chars().count() <= 6), "{got:?}");
        assert!(
            got.iter()
                .all(|s| !s.starts_with('【') && !s.ends_with('】')),
            "{got:?}"
        );
        assert!(
            got.contains(&"pos服务中心".to_string()) || got.contains(&"pos服务".to_string()),
            "{got:?}"
        );
    }

    /// A message that repeats one phrase is one long run, cut into whole-token windows piece by
    /// piece (each window's best from a start is worked out once; a QA pass met a 20,000-character
    /// repetition that took a minute when every piece scanned all its starts and ends again).
    #[test]
    fn a_long_repeated_run_is_cut_into_the_same_window_each_time() {
        let text = "您的pos机".repeat(500);
        let chars: Vec<char> = text.chars().collect();
        let tokens: Vec<Range<usize>> = (0..500)
            .flat_map(|i| [6 * i..6 * i + 2, 6 * i + 2..6 * i + 5, 6 * i + 5..6 * i + 6])
            .collect();
        let scores = vec![1.0f32; chars.len()];
        let got = extract_spans(&scores, &chars, &tokens, 0.3, 6);
        assert_eq!(got.len(), 500);
        let mut starts: Vec<usize> = got.iter().map(|(r, _)| r.start).collect();
        starts.sort_unstable();
        assert_eq!(starts, (0..500).map(|i| 6 * i).collect::<Vec<_>>());
        assert!(got.iter().all(|(r, w)| r.len() == 6 && *w == 6.0));
        // Windows end on token boundaries even when the best is shorter than the limit.
        let got = extract_spans(&scores, &chars, &tokens, 0.3, 4);
        assert!(got.iter().all(|(r, _)| r.len() <= 4
            && tokens.iter().any(|t| t.start == r.start)
            && tokens.iter().any(|t| t.end == r.end)));
        let covered: usize = got.iter().map(|(r, _)| r.len()).sum();
        assert_eq!(
            covered,
            chars.len(),
            "every strong character is in a window"
        );
    }

    /// The cutting of long runs as it was before it kept a tree of the best windows (a piece
    /// scanned start by start): the results must be the same, window for window.
    fn extract_spans_reference(
        scores: &[f32],
        chars: &[char],
        tokens: &[Range<usize>],
        fraction: f32,
        max_len: usize,
    ) -> Vec<(Range<usize>, f32)> {
        let n = scores.len();
        let peak = scores.iter().copied().fold(0f32, f32::max);
        if peak <= 0.0 || n == 0 {
            return Vec::new();
        }
        let thr = peak * fraction;
        // Token boundaries: the token covering each character (None for spaces/punctuation gaps).
        let mut token_of: Vec<Option<usize>> = vec![None; n];
        for (t, r) in tokens.iter().enumerate() {
            for slot in token_of.iter_mut().take(r.end.min(n)).skip(r.start) {
                *slot = Some(t);
            }
        }
        let snap = |r: Range<usize>, lo: usize, hi: usize| -> Range<usize> {
            let mut s = r.start;
            let mut e = r.end;
            if let Some(t) = token_of[s] {
                s = tokens[t].start.max(lo);
            }
            if let Some(t) = token_of[e - 1] {
                e = tokens[t].end.min(hi);
            }
            while s < e && is_edge_junk(chars[s]) {
                s += 1;
            }
            while e > s && is_edge_junk(chars[e - 1]) {
                e -= 1;
            }
            s..e
        };
        let sum = |r: &Range<usize>| scores[r.clone()].iter().sum::<f32>();
        // Maximal runs above the threshold, snapped to tokens, overlapping ones merged.
        let mut runs: Vec<Range<usize>> = Vec::new();
        let mut i = 0;
        // Punctuation and spaces end a run: "停用，回复1" is two pieces of evidence.
        let strong = |c: usize| scores[c] >= thr && !is_edge_junk(chars[c]);
        while i < n {
            if !strong(i) {
                i += 1;
                continue;
            }
            let s = i;
            while i < n && strong(i) {
                i += 1;
            }
            let r = snap(s..i, 0, n);
            if r.is_empty() {
                continue;
            }
            match runs.last_mut() {
                Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
                _ => runs.push(r),
            }
        }
        // Cut long runs into windows of whole tokens: the best window of at most `max_len`
        // characters from a token boundary to a token boundary (character boundaries as a fallback),
        // then the same in what is left on either side. The first best (by start, then end) is taken.
        //
        // A run can be the whole message (a text that repeats one phrase 4,000 times), so the best
        // window from each start is computed once and kept (`from`), not again for each piece the run
        // is cut into: the windows of a start that ends well before a piece's end are the same in the
        // piece as in the run. Only starts that are a piece's first character (always a candidate) or
        // lie within `max_len` of its end (whose windows the end cuts) are worked out again.
        let boundary = |c: usize| token_of[c] != token_of[c - 1];
        // Allocated when a run longer than `max_len` is met (most messages have none).
        let mut from: Vec<Option<Option<(usize, f32)>>> = Vec::new();
        // The best window starting at `s` and ending by `end`, where `end` is a candidate too.
        let best_from = |s: usize, end: usize| -> Option<(usize, f32)> {
            let mut best: Option<(usize, f32)> = None;
            for e in s + 1..=end.min(s + max_len) {
                if (e == end || boundary(e)) && !is_edge_junk(chars[e - 1]) {
                    let ws = sum(&(s..e));
                    if best.is_none_or(|(_, b)| ws > b) {
                        best = Some((e, ws));
                    }
                }
            }
            best
        };
        let mut out: Vec<Range<usize>> = Vec::new();
        let mut stack = runs;
        while let Some(r) = stack.pop() {
            if r.len() <= max_len {
                out.push(r);
                continue;
            }
            let mut best: Option<(Range<usize>, f32)> = None;
            for s in r.clone() {
                if !(s == r.start || boundary(s)) || is_edge_junk(chars[s]) {
                    continue;
                }
                let found = if s == r.start || s + max_len >= r.end {
                    best_from(s, r.end)
                } else {
                    if from.is_empty() {
                        from = vec![None; n];
                    }
                    *from[s].get_or_insert_with(|| best_from(s, r.end))
                };
                if let Some((e, ws)) = found {
                    if best.as_ref().is_none_or(|(_, b)| ws > *b) {
                        best = Some((s..e, ws));
                    }
                }
            }
            let w = match best {
                Some((w, _)) => w,
                None => {
                    // One token longer than max_len: best window of characters.
                    let len = max_len.min(r.len());
                    (r.start..=r.end - len)
                        .map(|s| s..s + len)
                        .max_by(|a, b| sum(a).total_cmp(&sum(b)))
                        .expect("non-empty run")
                }
            };
            for part in [r.start..w.start, w.end..r.end] {
                // What is left must still hold a strong character; tighten it to those.
                let Some(s) = part.clone().find(|&c| strong(c)) else {
                    continue;
                };
                let e = part.clone().rev().find(|&c| strong(c)).expect("found one") + 1;
                let p = snap(s..e, part.start, part.end);
                if !p.is_empty() {
                    stack.push(p);
                }
            }
            out.push(w);
        }
        let mut scored: Vec<(Range<usize>, f32)> = out
            .into_iter()
            .map(|r| {
                let s = sum(&r);
                (r, s)
            })
            .collect();
        scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.start.cmp(&b.0.start)));
        scored
    }

    #[test]
    fn long_runs_are_cut_as_by_the_scan_of_every_start() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = |m: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % m
        };
        for case in 0..400 {
            let n = 1 + next(if case % 4 == 0 { 600 } else { 80 }) as usize;
            let alphabet = ['你', 'p', '1', '，', ' ', '机', '\u{e000}'];
            let junk_rate = next(4);
            let chars: Vec<char> = (0..n)
                .map(|_| {
                    if next(10) < junk_rate {
                        alphabet[3 + next(2) as usize]
                    } else {
                        alphabet[[0, 1, 2, 5, 6][next(5) as usize]]
                    }
                })
                .collect();
            // Tokens of 1 to 14 characters with gaps; scores from a few levels, so that ties,
            // equal windows and weak gaps are common.
            let mut tokens = Vec::new();
            let mut at = 0;
            while at < n {
                let long = next(3) == 0;
                let len = 1 + next(if long { 14 } else { 4 }) as usize;
                let end = (at + len).min(n);
                if next(5) > 0 {
                    tokens.push(at..end);
                }
                at = end;
            }
            let levels = [0.0f32, 0.1, 0.5, 1.0, 1.0, 2.0, -0.3];
            let flat = next(3) == 0;
            let scores: Vec<f32> = (0..n)
                .map(|_| if flat { 1.0 } else { levels[next(7) as usize] })
                .collect();
            for max_len in [1, 4, 6, 10] {
                assert_eq!(
                    extract_spans(&scores, &chars, &tokens, 0.3, max_len),
                    extract_spans_reference(&scores, &chars, &tokens, 0.3, max_len),
                    "case {case}, max_len {max_len}: {chars:?} {tokens:?} {scores:?}"
                );
            }
        }
    }

    #[test]
    fn nothing_positive_gives_no_span() {
        assert!(spans_of(&[-1.0, -0.5], "停用", std::slice::from_ref(&(0..2))).is_empty());
    }
}
