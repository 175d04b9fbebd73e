//! Stage 5: from probabilities to a verdict and pattern flags.

use crate::labels::{Pattern, Verdict};
use crate::model::{Decision, Prediction};
use serde::Serialize;

/// Score of one scam pattern.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PatternScore {
    pub pattern: Pattern,
    /// `None` when the model's head for this pattern was never trained (see
    /// [`Decision::trained_patterns`]): its constant output says nothing about the message.
    pub score: Option<f32>,
    /// Score reached the model's pattern threshold (and the message is not legit).
    pub flagged: bool,
}

/// The verdict on one message.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VerdictResult {
    pub verdict: Verdict,
    /// Calibrated P(scam).
    pub score: f32,
    /// Calibrated probabilities of legit, spam, scam.
    pub probabilities: Probabilities,
    /// Every pattern's score, in [`Pattern::ALL`] order.
    pub patterns: Vec<PatternScore>,
    /// The scam threshold the verdict was taken with.
    pub threshold: f32,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Probabilities {
    pub legit: f32,
    pub spam: f32,
    pub scam: f32,
}

/// A threshold as text with as few decimals (2 to 6) as show it exactly: `0.50`, `0.65`, `0.998`,
/// `0.9995` (thresholds past 0.99 come in finer steps, and "1.00" would be wrong).
pub fn threshold_text(t: f64) -> String {
    for d in 2..=6 {
        let s = format!("{t:.d$}");
        if s.parse::<f64>().is_ok_and(|x| (x - t).abs() < 5e-7) {
            return s;
        }
    }
    format!("{t:.6}")
}

/// Applies the decision rule: scam when P(scam) reaches the threshold, otherwise the likelier of
/// legit and spam. Patterns are flagged only on messages that are not legit.
pub fn decide(p: &Prediction, d: &Decision) -> VerdictResult {
    let (legit, spam, scam) = (
        p.prob(Verdict::Legit),
        p.prob(Verdict::Spam),
        p.prob(Verdict::Scam),
    );
    let verdict = if scam >= d.scam_threshold {
        Verdict::Scam
    } else if spam > legit {
        Verdict::Spam
    } else {
        Verdict::Legit
    };
    let flags = flag_patterns(p, d, verdict == Verdict::Scam);
    let patterns = Pattern::ALL
        .iter()
        .map(|&pattern| PatternScore {
            pattern,
            score: d.trained_patterns[pattern.index()].then(|| p.pattern(pattern)),
            flagged: verdict != Verdict::Legit && flags[pattern.index()],
        })
        .collect();
    VerdictResult {
        verdict,
        score: scam,
        probabilities: Probabilities { legit, spam, scam },
        patterns,
        threshold: d.scam_threshold,
    }
}

/// Patterns whose score reaches the decision's pattern threshold; with `at_least_one`, the
/// top-scoring pattern is flagged even below it (a scam always gets the pattern it most
/// resembles). Only trained heads count: a model trained without pattern labels flags none.
pub fn flag_patterns(p: &Prediction, d: &Decision, at_least_one: bool) -> [bool; 7] {
    let mut flags = [false; 7];
    for pat in Pattern::ALL {
        flags[pat.index()] =
            d.trained_patterns[pat.index()] && p.pattern(pat) >= d.pattern_threshold;
    }
    if at_least_one && !flags.iter().any(|f| *f) {
        if let Some(top) = top_pattern(p, d) {
            flags[top.index()] = true;
        }
    }
    flags
}

/// The trained pattern with the highest score; `None` when no head was trained.
pub fn top_pattern(p: &Prediction, d: &Decision) -> Option<Pattern> {
    Pattern::ALL
        .iter()
        .copied()
        .filter(|pat| d.trained_patterns[pat.index()])
        .max_by(|a, b| p.pattern(*a).total_cmp(&p.pattern(*b)))
}

impl VerdictResult {
    /// Flagged patterns, strongest first.
    pub fn flagged_patterns(&self) -> Vec<PatternScore> {
        let mut v: Vec<_> = self
            .patterns
            .iter()
            .copied()
            .filter(|p| p.flagged)
            .collect();
        v.sort_by(|a, b| {
            b.score
                .unwrap_or(f32::NEG_INFINITY)
                .total_cmp(&a.score.unwrap_or(f32::NEG_INFINITY))
        });
        v
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn thresholds_print_with_the_decimals_they_need() {
        assert_eq!(threshold_text(0.5), "0.50");
        assert_eq!(threshold_text(0.65000004f32 as f64), "0.65");
        assert_eq!(threshold_text((1.0f32 - 2.0 * 0.001) as f64), "0.998");
        assert_eq!(threshold_text((1.0f32 - 5.0 * 1e-4) as f64), "0.9995");
    }

    use super::*;

    fn pred(v: [f32; 3], p0: f32) -> Prediction {
        let mut patterns = [0.1; 7];
        patterns[0] = p0;
        Prediction {
            verdict: v,
            patterns,
        }
    }

    #[test]
    fn threshold_decides_scam_then_argmax() {
        let d = Decision {
            scam_threshold: 0.6,
            ..Decision::default()
        };
        assert_eq!(
            decide(&pred([0.1, 0.2, 0.7], 0.9), &d).verdict,
            Verdict::Scam
        );
        // P(scam) is the largest but below the threshold: the likelier of legit/spam wins.
        let r = decide(&pred([0.15, 0.3, 0.55], 0.9), &d);
        assert_eq!(r.verdict, Verdict::Spam);
        assert!(r.patterns[0].flagged);
        let r = decide(&pred([0.9, 0.05, 0.05], 0.9), &d);
        assert_eq!(r.verdict, Verdict::Legit);
        assert!(
            !r.patterns[0].flagged,
            "patterns are never flagged on legit messages"
        );
    }

    #[test]
    fn untrained_pattern_heads_are_neither_scored_nor_flagged() {
        // Head 0 was trained; the others were not (a scam's top pattern comes from head 0 even
        // though an untrained head has the higher constant score).
        let mut d = Decision {
            trained_patterns: [true, false, false, false, false, false, false],
            ..Decision::default()
        };
        let mut p = pred([0.0, 0.0, 1.0], 0.2);
        p.patterns[6] = 0.3;
        let r = decide(&p, &d);
        assert_eq!(r.patterns[0].score, Some(0.2));
        assert!(r.patterns[0].flagged, "the top trained pattern of a scam");
        assert_eq!(r.patterns[6].score, None);
        assert!(!r.patterns[6].flagged);
        assert_eq!(top_pattern(&p, &d), Some(Pattern::ALL[0]));
        // No trained head: a scam gets no pattern at all, not an arbitrary one.
        d.trained_patterns = [false; 7];
        let r = decide(&p, &d);
        assert_eq!(r.verdict, Verdict::Scam);
        assert!(r.flagged_patterns().is_empty());
        assert!(r.patterns.iter().all(|ps| ps.score.is_none()));
        assert_eq!(top_pattern(&p, &d), None);
    }
}
