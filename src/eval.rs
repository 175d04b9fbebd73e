//! Evaluation metrics: accuracy, per-class precision/recall/F1, macro-F1, confusion matrix, scam
//! recall and precision, legit false-positive rate, pattern assignment, and a threshold sweep.

use crate::labels::{Pattern, Verdict};
use crate::model::{Decision, Prediction};
use crate::signals::SignalKind;
use crate::verdict::decide_with;
use serde::Serialize;

/// One scored, labelled message.
#[derive(Debug, Clone)]
pub struct Scored {
    pub truth: Verdict,
    pub true_patterns: Option<Vec<Pattern>>,
    pub prediction: Prediction,
    /// The verdict rule that applies to the message ([`crate::verdict::overrule`]); `None` where
    /// only the model's own decision is measured (training's held-out parts).
    pub overrule: Option<crate::verdict::Overrule>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ClassMetrics {
    pub label: Verdict,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub support: usize,
}

/// One row of the threshold sweep on P(scam).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ThresholdRow {
    pub threshold: f64,
    pub scam_precision: f64,
    pub scam_recall: f64,
    pub legit_fpr: f64,
    pub flagged: usize,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PatternMetrics {
    /// Scam rows with known patterns.
    pub scams_with_patterns: usize,
    /// Share whose highest-scoring pattern is one of the true ones.
    pub top_pattern_correct: f64,
    /// Share whose flagged set equals the true set exactly.
    pub exact_set: f64,
    /// Per pattern: (name, precision, recall, support) over scam rows.
    pub per_pattern: Vec<(String, f64, f64, usize)>,
}

/// Metrics of one evaluation set.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct EvalReport {
    pub name: String,
    pub records: usize,
    pub scam_threshold: f64,
    pub accuracy: f64,
    pub macro_f1: f64,
    /// Macro-F1 over the classes that occur in this set (sets without spam rows).
    pub macro_f1_present: f64,
    pub per_class: Vec<ClassMetrics>,
    /// `confusion[true][predicted]`, in legit/spam/scam order.
    pub confusion: [[usize; 3]; 3],
    pub scam_precision: f64,
    /// NaN (`null` in JSON) on a set without scam rows.
    pub scam_recall: f64,
    /// Share of legit rows predicted scam; NaN (`null` in JSON) on a set without legit rows.
    pub legit_fpr: f64,
    /// Binary scam-vs-not F1.
    pub scam_f1: f64,
    pub patterns: Option<PatternMetrics>,
    /// Threshold sweep on P(scam) (the precision–recall curve).
    pub thresholds: Vec<ThresholdRow>,
    /// Area under the precision–recall curve for scam vs not (average precision); NaN (`null`
    /// in JSON) on a set without scam rows.
    pub average_precision: f64,
    /// Scam recall at the lowest threshold keeping legit FPR within each limit (0.1%, 0.5%,
    /// 0.9%). The threshold is chosen on this very set: an oracle operating point, for comparing
    /// models at equal false-alarm rates, not a deployable setting.
    pub recall_at_legit_fpr: Vec<RecallAtFpr>,
    /// How often each rule signal fires, by true class (filled by callers that analysed the texts:
    /// `posguard eval`). A signal firing on legit rows is evidence that would be shown on a real
    /// notice.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub signals: Vec<SignalCount>,
}

/// Rows of one evaluation set on which a rule signal fired, by true class.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SignalCount {
    pub signal: &'static str,
    pub legit: usize,
    pub spam: usize,
    pub scam: usize,
}

/// Counts, for every rule signal, the rows it fires on by true class (a row counts once however
/// often the signal fires in it).
pub fn signal_counts<'a>(
    rows: impl IntoIterator<Item = (Verdict, &'a [crate::signals::Signal])>,
) -> Vec<SignalCount> {
    let mut counts: Vec<SignalCount> = SignalKind::ALL
        .iter()
        .map(|k| SignalCount {
            signal: k.name(),
            legit: 0,
            spam: 0,
            scam: 0,
        })
        .collect();
    for (truth, signals) in rows {
        for (i, kind) in SignalKind::ALL.iter().enumerate() {
            if signals.iter().any(|s| s.kind == *kind) {
                let c = &mut counts[i];
                match truth {
                    Verdict::Legit => c.legit += 1,
                    Verdict::Spam => c.spam += 1,
                    Verdict::Scam => c.scam += 1,
                }
            }
        }
    }
    counts
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RecallAtFpr {
    pub max_legit_fpr: f64,
    pub scam_recall: f64,
    pub threshold: f64,
    pub legit_fpr: f64,
}

/// Oracle recall at fixed legit false-positive budgets (see [`EvalReport::recall_at_legit_fpr`]).
fn recall_at_fpr(rows: &[Scored]) -> Vec<RecallAtFpr> {
    let mut legit: Vec<f32> = rows
        .iter()
        .filter(|r| r.truth == Verdict::Legit)
        .map(|r| r.prediction.prob(Verdict::Scam))
        .collect();
    let scams: Vec<f32> = rows
        .iter()
        .filter(|r| r.truth == Verdict::Scam)
        .map(|r| r.prediction.prob(Verdict::Scam))
        .collect();
    if legit.is_empty() || scams.is_empty() {
        return Vec::new();
    }
    legit.sort_by(|a, b| b.total_cmp(a));
    [0.001, 0.005, 0.009]
        .iter()
        .map(|&limit| {
            let allowed = (limit * legit.len() as f64).floor() as usize;
            // Flag strictly above the (allowed+1)-th highest legit score, which is flagging at
            // and above the next larger f32: the threshold reported, so that `--threshold` with
            // it flags exactly these rows (a message is flagged when its score reaches it).
            let highest_kept = legit[allowed.min(legit.len() - 1)];
            let fp = legit.iter().filter(|&&p| p > highest_kept).count();
            let tp = scams.iter().filter(|&&p| p > highest_kept).count();
            RecallAtFpr {
                max_legit_fpr: limit,
                scam_recall: ratio(tp, scams.len()),
                threshold: highest_kept.next_up() as f64,
                legit_fpr: ratio(fp, legit.len()),
            }
        })
        .collect()
}

/// `a / b`, NaN (undefined) when `b` is 0.
fn defined_ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        f64::NAN
    } else {
        a as f64 / b as f64
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

fn f1(p: f64, r: f64) -> f64 {
    if p + r == 0.0 {
        0.0
    } else {
        2.0 * p * r / (p + r)
    }
}

/// Computes the report for one set.
pub fn evaluate(name: &str, rows: &[Scored], decision: &Decision) -> EvalReport {
    let mut confusion = [[0usize; 3]; 3];
    for r in rows {
        let v = decide_with(&r.prediction, decision, r.overrule);
        confusion[r.truth.index()][v.verdict.index()] += 1;
    }
    let correct: usize = (0..3).map(|i| confusion[i][i]).sum();
    let per_class: Vec<ClassMetrics> = Verdict::ALL
        .iter()
        .map(|&label| {
            let i = label.index();
            let tp = confusion[i][i];
            let predicted_i: usize = (0..3).map(|t| confusion[t][i]).sum();
            let support: usize = confusion[i].iter().sum();
            let p = ratio(tp, predicted_i);
            let r = ratio(tp, support);
            ClassMetrics {
                label,
                precision: p,
                recall: r,
                f1: f1(p, r),
                support,
            }
        })
        .collect();
    let macro_f1 = per_class.iter().map(|c| c.f1).sum::<f64>() / 3.0;
    let present: Vec<_> = per_class.iter().filter(|c| c.support > 0).collect();
    let macro_f1_present = if present.is_empty() {
        0.0
    } else {
        present.iter().map(|c| c.f1).sum::<f64>() / present.len() as f64
    };
    let s = Verdict::Scam.index();
    let l = Verdict::Legit.index();
    let scam_pred: usize = (0..3).map(|t| confusion[t][s]).sum();
    let scam_support: usize = confusion[s].iter().sum();
    let legit_support: usize = confusion[l].iter().sum();
    // Undefined, not zero, when nothing was called a scam.
    let scam_precision = defined_ratio(confusion[s][s], scam_pred);
    // Undefined, not zero, on a set without scam rows (recall, AP) or without legit rows (FPR):
    // NaN, which JSON writes as `null` and the reports show as n/a.
    let scam_recall = defined_ratio(confusion[s][s], scam_support);

    // Pattern assignment on scam rows with known patterns.
    let mut with = 0;
    let mut top_ok = 0;
    let mut exact = 0;
    let mut per = vec![(0usize, 0usize, 0usize); Pattern::ALL.len()]; // tp, predicted, support
    for r in rows {
        let Some(truth) = r
            .true_patterns
            .as_ref()
            .filter(|_| r.truth == Verdict::Scam)
        else {
            continue;
        };
        let mut all = truth.clone();
        all.sort();
        all.dedup();
        for p in &all {
            per[p.index()].2 += 1; // support, trained head or not
        }
        // Judged on the patterns the model has a trained head for: one it cannot assign neither
        // counts against its top pattern nor makes the exact set unreachable.
        let t: Vec<Pattern> = all
            .into_iter()
            .filter(|p| decision.trained_patterns[p.index()])
            .collect();
        if t.is_empty() {
            continue;
        }
        let Some(top) = crate::verdict::top_pattern(&r.prediction, decision) else {
            continue;
        };
        with += 1;
        if t.contains(&top) {
            top_ok += 1;
        }
        let flags = crate::verdict::flag_patterns(&r.prediction, decision, true);
        let flagged: Vec<Pattern> = Pattern::ALL
            .iter()
            .copied()
            .filter(|p| flags[p.index()])
            .collect();
        if flagged == t {
            exact += 1;
        }
        for p in Pattern::ALL {
            let f = flagged.contains(&p);
            per[p.index()].0 += (f && t.contains(&p)) as usize;
            per[p.index()].1 += f as usize;
        }
    }
    let patterns = (with > 0).then(|| PatternMetrics {
        scams_with_patterns: with,
        top_pattern_correct: ratio(top_ok, with),
        exact_set: ratio(exact, with),
        per_pattern: Pattern::ALL
            .iter()
            .map(|p| {
                let (tp, pr, su) = per[p.index()];
                if !decision.trained_patterns[p.index()] {
                    // A head that was never trained has no precision or recall to speak of.
                    return (p.name().to_string(), f64::NAN, f64::NAN, su);
                }
                (p.name().to_string(), ratio(tp, pr), ratio(tp, su), su)
            })
            .collect(),
    });

    let (thresholds, average_precision) = sweep(rows);
    let average_precision = if scam_support == 0 {
        f64::NAN
    } else {
        average_precision
    };
    EvalReport {
        name: name.to_string(),
        records: rows.len(),
        scam_threshold: decision.scam_threshold as f64,
        accuracy: ratio(correct, rows.len()),
        macro_f1,
        macro_f1_present,
        per_class,
        confusion,
        scam_precision,
        scam_recall,
        legit_fpr: defined_ratio(confusion[l][s], legit_support),
        scam_f1: f1(scam_precision, scam_recall),
        patterns,
        thresholds,
        average_precision,
        recall_at_legit_fpr: recall_at_fpr(rows),
        signals: Vec::new(),
    }
}

/// Precision/recall/FPR of "P(scam) ≥ t" for a grid of thresholds, and average precision.
fn sweep(rows: &[Scored]) -> (Vec<ThresholdRow>, f64) {
    let mut scored: Vec<(f32, Verdict)> = rows
        .iter()
        .map(|r| (r.prediction.prob(Verdict::Scam), r.truth))
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    let pos = scored.iter().filter(|s| s.1 == Verdict::Scam).count();
    let legit = scored.iter().filter(|s| s.1 == Verdict::Legit).count();
    // Average precision: the precision at each distinct score, weighted by the true positives
    // that score adds (the step-wise area of scikit-learn's `average_precision_score`). Rows of
    // equal score are flagged together, so the order of tied rows in the file does not matter.
    let (mut tp, mut ap, mut i) = (0usize, 0.0, 0);
    while i < scored.len() {
        let score = scored[i].0;
        let end = i + scored[i..].iter().take_while(|s| s.0 == score).count();
        let added = scored[i..end]
            .iter()
            .filter(|s| s.1 == Verdict::Scam)
            .count();
        tp += added;
        ap += added as f64 * tp as f64 / end as f64;
        i = end;
    }
    let ap = if pos == 0 { 0.0 } else { ap / pos as f64 };
    // 0.05 … 0.95 as the decimals they name (`i × 0.05` would give 0.15000000000000002).
    let mut grid: Vec<f64> = (1..20).map(|i| i as f64 / 20.0).collect();
    grid.extend([0.97, 0.98, 0.99, 0.995, 0.999]);
    let rows = grid
        .into_iter()
        .map(|t| {
            let flagged: Vec<_> = scored.iter().filter(|s| s.0 as f64 >= t).collect();
            let tp = flagged.iter().filter(|s| s.1 == Verdict::Scam).count();
            let fp_legit = flagged.iter().filter(|s| s.1 == Verdict::Legit).count();
            // Undefined rates (nothing flagged; no scam rows; no legit rows) are NaN, as in the
            // headline metrics.
            ThresholdRow {
                threshold: t,
                scam_precision: defined_ratio(tp, flagged.len()),
                scam_recall: defined_ratio(tp, pos),
                legit_fpr: defined_ratio(fp_legit, legit),
                flagged: flagged.len(),
            }
        })
        .collect();
    (rows, ap)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(truth: Verdict, scam: f32, pat: Option<Vec<Pattern>>, p0: f32) -> Scored {
        let mut patterns = [0.0; 7];
        patterns[0] = p0;
        Scored {
            truth,
            true_patterns: pat,
            prediction: Prediction {
                verdict: [1.0 - scam, 0.0, scam],
                patterns,
            },
            overrule: None,
        }
    }

    #[test]
    fn rates_without_their_rows_are_undefined_not_zero() {
        let legit_only = vec![
            row(Verdict::Legit, 0.7, None, 0.0),
            row(Verdict::Legit, 0.1, None, 0.0),
        ];
        let r = evaluate("legit only", &legit_only, &Decision::default());
        assert!(r.scam_recall.is_nan() && r.average_precision.is_nan());
        assert!((r.legit_fpr - 0.5).abs() < 1e-12);
        let json = serde_json::to_value(&r).unwrap();
        assert!(json["scam_recall"].is_null() && json["average_precision"].is_null());
        assert_eq!(json["legit_fpr"], 0.5);
        let scam_only = vec![row(Verdict::Scam, 0.9, None, 0.0)];
        let r = evaluate("scam only", &scam_only, &Decision::default());
        assert!(r.legit_fpr.is_nan());
        assert_eq!(r.scam_recall, 1.0);
        assert!(serde_json::to_value(&r).unwrap()["legit_fpr"].is_null());

        // The threshold sweep follows the same rule: no scam rows, no recall at any threshold;
        // nothing flagged, no precision.
        let r = evaluate("legit only", &legit_only, &Decision::default());
        let json = serde_json::to_value(&r).unwrap();
        for t in json["thresholds"].as_array().unwrap() {
            assert!(t["scam_recall"].is_null(), "{t}");
            assert_eq!(t["scam_precision"].is_null(), t["flagged"] == 0, "{t}");
        }
        assert_eq!(
            json["thresholds"][2]["threshold"], 0.15,
            "no 0.15000000000000002"
        );
        let r = evaluate("scam only", &scam_only, &Decision::default());
        assert!(r.thresholds.iter().all(|t| t.legit_fpr.is_nan()));
        // Nothing called a scam: no precision either.
        let missed = vec![row(Verdict::Scam, 0.1, None, 0.0)];
        let r = evaluate("missed", &missed, &Decision::default());
        assert!(r.scam_precision.is_nan() && r.scam_recall == 0.0);
    }

    #[test]
    fn untrained_pattern_heads_have_no_pattern_metrics() {
        let rows = vec![
            row(Verdict::Scam, 0.9, Some(vec![Pattern::FakeUpgrade]), 0.8),
            row(Verdict::Scam, 0.9, Some(vec![Pattern::FeeSwap]), 0.8),
        ];
        let mut trained = [true; 7];
        trained[Pattern::FeeSwap.index()] = false;
        let d = Decision {
            trained_patterns: trained,
            ..Decision::default()
        };
        let p = evaluate("t", &rows, &d).patterns.unwrap();
        let fee = &p.per_pattern[Pattern::FeeSwap.index()];
        assert!(fee.1.is_nan() && fee.2.is_nan() && fee.3 == 1, "{fee:?}");
        // The row whose only true pattern has no trained head is not held against the model.
        assert_eq!(p.scams_with_patterns, 1);
        assert_eq!(p.top_pattern_correct, 1.0);
        let upgrade = &p.per_pattern[Pattern::FakeUpgrade.index()];
        assert!((upgrade.2 - 1.0).abs() < 1e-12, "{upgrade:?}");
        let none = Decision {
            trained_patterns: [false; 7],
            ..Decision::default()
        };
        assert!(evaluate("t", &rows, &none).patterns.is_none());
    }

    #[test]
    fn counts_and_rates() {
        let rows = vec![
            row(Verdict::Scam, 0.9, Some(vec![Pattern::FakeUpgrade]), 0.8),
            row(Verdict::Scam, 0.2, Some(vec![Pattern::FeeSwap]), 0.8),
            row(Verdict::Legit, 0.7, None, 0.0),
            row(Verdict::Legit, 0.1, None, 0.0),
        ];
        let r = evaluate("t", &rows, &Decision::default());
        assert_eq!(r.confusion[2][2], 1);
        assert_eq!(r.confusion[2][0], 1);
        assert_eq!(r.confusion[0][2], 1);
        assert!((r.scam_recall - 0.5).abs() < 1e-12);
        assert!((r.legit_fpr - 0.5).abs() < 1e-12);
        assert!((r.accuracy - 0.5).abs() < 1e-12);
        let p = r.patterns.unwrap();
        assert_eq!(p.scams_with_patterns, 2);
        assert!((p.top_pattern_correct - 0.5).abs() < 1e-12);
        // Scores 0.9 (scam), 0.7 (legit), 0.2 (scam), 0.1: AP = (1/1 + 2/3) / 2.
        assert!((r.average_precision - (1.0 + 2.0 / 3.0) / 2.0).abs() < 1e-12);
    }

    #[test]
    fn average_precision_does_not_depend_on_the_order_of_tied_rows() {
        let scam = |p| row(Verdict::Scam, p, None, 0.0);
        let legit = |p| row(Verdict::Legit, p, None, 0.0);
        let a = vec![legit(1.0), scam(1.0), scam(1.0), scam(0.5), legit(0.2)];
        let mut b = a.clone();
        b.rotate_left(1); // the tied legit row after the tied scams
        let (ra, rb) = (
            evaluate("a", &a, &Decision::default()),
            evaluate("b", &b, &Decision::default()),
        );
        // The three rows at 1.0 are flagged together: precision 2/3 for two scams, then 3/4.
        let expected = (2.0 * (2.0 / 3.0) + 3.0 / 4.0) / 3.0;
        assert!(
            (ra.average_precision - expected).abs() < 1e-12,
            "{}",
            ra.average_precision
        );
        assert_eq!(ra.average_precision, rb.average_precision);
    }

    #[test]
    fn the_threshold_reported_at_a_false_alarm_budget_gives_that_budget() {
        // 1,000 legit rows, the highest at 0.8 and 0.3, scams at 0.9, 0.8 and 0.5.
        let mut rows: Vec<Scored> = (0..998)
            .map(|i| row(Verdict::Legit, i as f32 / 10_000.0, None, 0.0))
            .collect();
        rows.push(row(Verdict::Legit, 0.8, None, 0.0));
        rows.push(row(Verdict::Legit, 0.3, None, 0.0));
        for p in [0.9, 0.8, 0.5] {
            rows.push(row(Verdict::Scam, p, None, 0.0));
        }
        let r = evaluate("t", &rows, &Decision::default());
        let at = |limit: f64| {
            r.recall_at_legit_fpr
                .iter()
                .find(|x| x.max_legit_fpr == limit)
                .unwrap()
                .clone()
        };
        // Within 0.1% (one row): the 0.8 legit row may be flagged, not the 0.3 one.
        let one = at(0.001);
        assert!((one.scam_recall - 1.0).abs() < 1e-12, "{one:?}");
        assert!((one.legit_fpr - 0.001).abs() < 1e-12, "{one:?}");
        // At every budget, the reported threshold used as a decision threshold (flag when the
        // score reaches it) flags exactly the rows counted.
        for x in &r.recall_at_legit_fpr {
            let t = x.threshold as f32;
            let fp = rows
                .iter()
                .filter(|s| s.truth == Verdict::Legit && s.prediction.prob(Verdict::Scam) >= t)
                .count();
            let tp = rows
                .iter()
                .filter(|s| s.truth == Verdict::Scam && s.prediction.prob(Verdict::Scam) >= t)
                .count();
            assert_eq!(fp as f64 / 1000.0, x.legit_fpr, "{x:?}");
            assert_eq!(tp as f64 / 3.0, x.scam_recall, "{x:?}");
        }
    }

    #[test]
    fn signal_counts_by_true_class() {
        use crate::features::Analysis;
        let texts = [
            (Verdict::Scam, "您的POS机即将停用，回复1免费更换"),
            (Verdict::Legit, "【工商银行】您尾号1234卡消费128.00元"),
            (
                Verdict::Legit,
                "【工商银行】您尾号5678卡消费99.00元，回复1查询余额",
            ),
        ];
        let analyses: Vec<(Verdict, Analysis)> =
            texts.iter().map(|&(v, t)| (v, Analysis::new(t))).collect();
        let counts = signal_counts(analyses.iter().map(|(v, a)| (*v, a.signals.as_slice())));
        assert_eq!(counts.len(), SignalKind::ALL.len());
        let get = |name: &str| counts.iter().find(|c| c.signal == name).unwrap().clone();
        let reply = get("reply_action");
        assert_eq!((reply.legit, reply.spam, reply.scam), (1, 0, 1));
        let debit = get("debit_notice");
        assert_eq!((debit.legit, debit.spam, debit.scam), (2, 0, 0));
        assert_eq!(get("short_link").legit + get("short_link").scam, 0);
    }
}
