//! Stage 6: explanations — which parts of the original message drove the verdict and each
//! flagged pattern, read off the linear model's per-feature contributions and mapped back through
//! the normalisation offsets; plus the rule signals found.

use crate::features::{Analysis, SparseVector};
use crate::labels::{Pattern, Verdict};
use crate::model::Model;
use crate::signals::SignalKind;
use crate::verdict::VerdictResult;
use serde::Serialize;
use std::ops::Range;

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
    /// Summed contribution to the logit (positive pushes towards the verdict/pattern).
    pub weight: f32,
    /// Feature keys behind it (`w|押金`, `r|fee_demand`).
    pub features: Vec<String>,
}

/// A rule signal found in the message, located in the original text.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SignalHit {
    pub signal: SignalKind,
    pub description: &'static str,
    pub start: usize,
    pub end: usize,
    pub text: String,
}

/// Converts a byte range of `original` to character offsets.
pub fn char_offsets(original: &str, bytes: Range<usize>) -> (usize, usize) {
    let start = original[..bytes.start].chars().count();
    (start, start + original[bytes].chars().count())
}

/// Evidence for the verdict (contributions to its logit relative to the other verdicts) and for
/// each flagged pattern; at most `per_target` spans each.
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
    out.extend(collect(model, original, analysis, v, spans, "verdict", per_target, contrib_verdict));
    for ps in result.flagged_patterns() {
        let col = params.n_verdicts + ps.pattern.index();
        out.extend(collect(
            model,
            original,
            analysis,
            v,
            spans,
            ps.pattern.name(),
            per_target,
            |id| params.weight(id, col),
        ));
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn collect(
    model: &Model,
    original: &str,
    analysis: &Analysis,
    v: &SparseVector,
    spans: &[Vec<Range<usize>>],
    target: &str,
    limit: usize,
    weight_of: impl Fn(usize) -> f32,
) -> Vec<Evidence> {
    // Spread each feature's contribution over the original-text ranges it came from, then merge
    // overlapping ranges so a phrase is shown once with its total weight.
    let mut pieces: Vec<(Range<usize>, f32, String)> = Vec::new();
    for (k, (&id, &x)) in v.ids.iter().zip(&v.values).enumerate() {
        let c = x * weight_of(id as usize);
        if c <= 0.0 {
            continue;
        }
        let ranges = &spans[k];
        let share = c / ranges.len().max(1) as f32;
        for r in ranges {
            let bytes = analysis.normalized.original_range(r.clone());
            if bytes.is_empty() {
                continue;
            }
            pieces.push((bytes, share, model.vectorizer().key(id).to_string()));
        }
    }
    pieces.sort_by_key(|(r, _, _)| (r.start, r.end));
    let mut merged: Vec<(Range<usize>, f32, Vec<String>)> = Vec::new();
    for (r, w, key) in pieces {
        match merged.last_mut() {
            Some((m, mw, keys)) if r.start < m.end => {
                m.end = m.end.max(r.end);
                *mw += w;
                if !keys.contains(&key) {
                    keys.push(key);
                }
            }
            _ => merged.push((r, w, vec![key])),
        }
    }
    merged.sort_by(|a, b| b.1.total_cmp(&a.1));
    merged.truncate(limit);
    merged
        .into_iter()
        .filter(|(_, w, _)| *w > 0.01)
        .map(|(r, w, mut features)| {
            features.sort();
            let (start, end) = char_offsets(original, r.clone());
            Evidence {
                start,
                end,
                text: original[r].to_string(),
                pattern: target.to_string(),
                weight: w,
                features,
            }
        })
        .collect()
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
