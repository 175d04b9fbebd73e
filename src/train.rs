//! Training: the same normalise → tokenise → features path as scoring, then feature selection,
//! linfa logistic regressions, calibration on held-out data, and export to one ONNX file.

use crate::error::{Error, Result};
use crate::eval::{evaluate, EvalReport, Scored};
use crate::features::{visit_features, Analysis, FeatureConfig, SparseVector, Vectorizer};
use crate::labels::{pattern_names, verdict_names, Channel, Pattern, Verdict};
use crate::model::onnx::{write_model, LinearParams};
use crate::model::{Decision, ModelMeta, Prediction, TrainingInfo};
use linfa::prelude::*;
use linfa_logistic::{
    FittedLogisticRegression, LogisticRegression, MultiFittedLogisticRegression,
    MultiLogisticRegression,
};
use ndarray::{Array1, Array2};
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// A labelled message for training or evaluation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabelledRecord {
    pub text: String,
    pub verdict: Verdict,
    /// `None` when the source has no pattern labels (they are then left out of pattern training).
    pub patterns: Option<Vec<Pattern>>,
    pub channel: Option<Channel>,
    /// Which file or data set the record came from.
    pub source: String,
}

/// Training settings.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TrainOptions {
    /// Features kept after selection (columns of the dense training matrix).
    pub max_features: usize,
    /// A feature must occur in at least this many training messages.
    pub min_df: u32,
    /// L2 penalty of the logistic regressions (on the summed log-loss).
    pub alpha: f32,
    pub max_iterations: u64,
    /// Percent of records held out (by hash of the text) for calibration and metrics.
    pub holdout_percent: u8,
    /// The scam threshold is raised until held-out legit false positives are at most this rate.
    pub target_legit_fpr: f64,
    /// Fit a softmax temperature on the held-out part (off: probabilities are linfa's own).
    pub calibrate: bool,
    /// How the vocabulary is chosen.
    #[serde(default)]
    pub selection: Selection,
    /// Rule signals enter as features.
    #[serde(default = "yes")]
    pub rule_signals: bool,
    /// Only rule signals as features (to measure what the rules alone are worth).
    #[serde(default)]
    pub rules_only: bool,
}

fn yes() -> bool {
    true
}

/// Feature selection strategy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Selection {
    /// The features that occur in the most training messages (robust to unseen phrasings).
    #[default]
    Frequency,
    /// Chi-square against each verdict and pattern, taken round-robin per target.
    Chi2,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            max_features: 28_000,
            min_df: 2,
            alpha: 1.0,
            max_iterations: 200,
            holdout_percent: 10,
            target_legit_fpr: 0.003,
            calibrate: true,
            selection: Selection::Frequency,
            rule_signals: true,
            rules_only: false,
        }
    }
}

/// What training produces.
pub struct TrainOutput {
    /// The ONNX model file.
    pub model_bytes: Vec<u8>,
    pub meta: ModelMeta,
    /// Held-out metrics (also stored in the model's training info).
    pub heldout: EvalReport,
    /// linfa's fitted verdict model (before temperature scaling) and pattern models, for checks.
    pub verdict_model: MultiFittedLogisticRegression<f32, usize>,
    pub pattern_models: Vec<Option<FittedLogisticRegression<f32, bool>>>,
    /// Feature columns the pattern models were fitted on (pattern models see only these).
    pub pattern_columns: Vec<usize>,
    /// The vectoriser the model was trained with.
    pub vectorizer: Vectorizer,
    pub temperature: f32,
}

/// sha256 over the records in order: identifies the training data in the model.
pub fn fingerprint(records: &[LabelledRecord]) -> String {
    let mut h = Sha256::new();
    for r in records {
        h.update(r.text.as_bytes());
        h.update([0x1f]);
        h.update(r.verdict.name().as_bytes());
        h.update([0x1f]);
        if let Some(p) = &r.patterns {
            for x in p {
                h.update(x.name().as_bytes());
                h.update([b',']);
            }
        }
        h.update([b'\n']);
    }
    format!("{:x}", h.finalize())
}

/// Deterministic bucket 0..100 of a text, for held-out splits.
pub fn text_bucket(text: &str) -> u8 {
    let d = Sha256::digest(text.as_bytes());
    (u16::from_be_bytes([d[0], d[1]]) % 100) as u8
}

const N_TARGETS: usize = 3 + 7;

/// One pattern head's fit: the pattern, the model (None when the data has one class), positives, rows.
type PatternFit = (
    Pattern,
    Result<Option<FittedLogisticRegression<f32, bool>>>,
    usize,
    usize,
);

#[derive(Default, Clone)]
struct FeatStat {
    df: u32,
    /// Document frequency among positives of each target (3 verdicts, then 7 patterns).
    pos: [u32; N_TARGETS],
}

/// Trains a model on `records`. `progress` receives one line per step.
pub fn train(
    records: &[LabelledRecord],
    opts: &TrainOptions,
    progress: &mut dyn FnMut(&str),
) -> Result<TrainOutput> {
    if records.is_empty() {
        return Err(Error::Train("no training records".into()));
    }
    // Exact repeats (same text and labels) add cost but no information: each text counts once.
    let mut seen = FxHashSet::default();
    let unique: Vec<usize> = (0..records.len())
        .filter(|&i| {
            let r = &records[i];
            seen.insert((r.text.as_str(), r.verdict, r.patterns.clone()))
        })
        .collect();
    let (train_idx, held_idx): (Vec<usize>, Vec<usize>) = unique
        .iter()
        .copied()
        .partition(|&i| text_bucket(&records[i].text) >= opts.holdout_percent);
    if train_idx.is_empty() {
        return Err(Error::Train(
            "every record fell into the held-out part".into(),
        ));
    }
    progress(&format!(
        "{} records ({} repeats dropped): {} for training, {} held out",
        records.len(),
        records.len() - unique.len(),
        train_idx.len(),
        held_idx.len()
    ));

    let analyses: Vec<Analysis> = records.par_iter().map(|r| Analysis::new(&r.text)).collect();
    progress("analysed (normalised, tokenised, signals)");

    let mut config = FeatureConfig::unfitted();
    config.rule_signals = opts.rule_signals || opts.rules_only;
    let selected = select_features(records, &analyses, &train_idx, &config, opts);
    config.vocabulary = selected.iter().map(|(k, _)| k.clone()).collect();
    let n_train = train_idx.len() as f32;
    config.idf = selected
        .iter()
        .map(|(_, df)| ((1.0 + n_train) / (1.0 + *df as f32)).ln() + 1.0)
        .collect();
    let vectorizer = Vectorizer::new(config.clone())?;
    let dim = vectorizer.dim();
    progress(&format!("selected {dim} features"));

    let vectors: Vec<SparseVector> = analyses
        .par_iter()
        .map(|a| vectorizer.vectorize(a))
        .collect();
    let dense = |idx: &[usize]| -> Array2<f32> {
        let mut x = Array2::<f32>::zeros((idx.len(), dim));
        for (r, &i) in idx.iter().enumerate() {
            for (&id, &v) in vectors[i].ids.iter().zip(&vectors[i].values) {
                x[[r, id as usize]] = v;
            }
        }
        x
    };
    let x_train = dense(&train_idx);
    progress(&format!(
        "training matrix {} x {} ({:.0} MB)",
        x_train.nrows(),
        dim,
        (x_train.len() * 4) as f64 / 1e6
    ));

    // Verdict: multinomial logistic regression over the classes present.
    let y: Array1<usize> = train_idx
        .iter()
        .map(|&i| records[i].verdict.index())
        .collect();
    let present: FxHashSet<usize> = y.iter().copied().collect();
    if present.len() < 2 {
        return Err(Error::Train(
            "training data needs at least two verdict classes".into(),
        ));
    }
    let ds = DatasetBase::new(x_train.view(), y.view());
    let verdict_model = MultiLogisticRegression::default()
        .alpha(opts.alpha)
        .max_iterations(opts.max_iterations)
        .gradient_tolerance(1e-4)
        .fit(&ds)
        .map_err(|e| Error::Train(format!("verdict model: {e}")))?;
    progress("fitted verdict model");

    let c = 3 + Pattern::ALL.len();
    let mut weights = vec![0f32; dim * c];
    let mut bias = vec![0f32; c];
    // Verdict classes missing from the data get a very low bias so they are never predicted.
    for v in Verdict::ALL {
        bias[v.index()] = -30.0;
    }
    for (col, &cls) in verdict_model.classes().iter().enumerate() {
        bias[cls] = verdict_model.intercept()[col];
        for j in 0..dim {
            weights[j * c + cls] = verdict_model.params()[[j, col]];
        }
    }

    // Patterns: one binary logistic regression each, on records with pattern labels.
    let pat_rows: Vec<usize> = train_idx
        .iter()
        .enumerate()
        .filter(|(_, &i)| records[i].patterns.is_some())
        .map(|(r, _)| r)
        .collect();
    // Only the features that occur in pattern-labelled rows can get a pattern weight; fitting on
    // those columns alone gives the same solution far faster.
    let pat_cols: Vec<usize> = (0..dim)
        .filter(|&j| pat_rows.iter().any(|&r| x_train[[r, j]] != 0.0))
        .collect();
    let x_pat = x_train
        .select(ndarray::Axis(0), &pat_rows)
        .select(ndarray::Axis(1), &pat_cols);
    let fits: Vec<PatternFit> = Pattern::ALL
        .par_iter()
        .map(|&p| {
            let yp: Array1<bool> = pat_rows
                .iter()
                .map(|&r| {
                    records[train_idx[r]]
                        .patterns
                        .as_ref()
                        .is_some_and(|ps| ps.contains(&p))
                })
                .collect();
            let positives = yp.iter().filter(|b| **b).count();
            if positives == 0 || positives == yp.len() {
                return (p, Ok(None), positives, yp.len());
            }
            let ds = DatasetBase::new(x_pat.view(), yp.view());
            let fit = LogisticRegression::default()
                .alpha(opts.alpha)
                .max_iterations(opts.max_iterations)
                .gradient_tolerance(1e-4)
                .fit(&ds)
                .map(Some)
                .map_err(|e| Error::Train(format!("pattern {p}: {e}")));
            (p, fit, positives, yp.len())
        })
        .collect();
    let mut pattern_models = Vec::new();
    for (p, fit, positives, total) in fits {
        let col = 3 + p.index();
        let Some(m) = fit? else {
            progress(&format!(
                "pattern {p}: {positives} positive of {total} — not trained"
            ));
            bias[col] = -30.0;
            pattern_models.push(None);
            continue;
        };
        // linfa labels the larger class (true) positive, so params score P(true).
        let sign = if m.labels().pos.class { 1.0 } else { -1.0 };
        bias[col] = sign * m.intercept();
        for (k, &j) in pat_cols.iter().enumerate() {
            weights[j * c + col] = sign * m.params()[k];
        }
        pattern_models.push(Some(m));
    }
    progress(&format!(
        "fitted {} pattern models",
        pattern_models.iter().flatten().count()
    ));

    let mut params = LinearParams {
        dim,
        n_verdicts: 3,
        n_patterns: Pattern::ALL.len(),
        weights,
        bias,
    };

    // Calibration on held-out data: temperature of the verdict softmax, then the scam threshold.
    let held_logits: Vec<Vec<f32>> = held_idx
        .iter()
        .map(|&i| logits(&params, &vectors[i]))
        .collect();
    let held_truth: Vec<usize> = held_idx
        .iter()
        .map(|&i| records[i].verdict.index())
        .collect();
    let temperature = if opts.calibrate && held_idx.len() >= 20 {
        fit_temperature(&held_logits, &held_truth)
    } else {
        1.0
    };
    for j in 0..dim {
        for k in 0..3 {
            params.weights[j * c + k] /= temperature;
        }
    }
    for k in 0..3 {
        params.bias[k] /= temperature;
    }
    let held_scored: Vec<Scored> = held_idx
        .iter()
        .map(|&i| Scored {
            truth: records[i].verdict,
            true_patterns: records[i].patterns.clone(),
            prediction: predict_linear(&params, &vectors[i]),
        })
        .collect();
    let scam_threshold = choose_threshold(&held_scored, opts.target_legit_fpr);
    let decision = Decision {
        scam_threshold,
        pattern_threshold: 0.5,
        temperature,
    };
    let heldout = evaluate("held-out", &held_scored, &decision);
    progress(&format!(
        "held-out: temperature {temperature:.3}, scam threshold {scam_threshold:.3}, accuracy {:.4}, macro-F1 {:.4}, scam recall {:.4}, legit FPR {:.4}",
        heldout.accuracy, heldout.macro_f1_present, heldout.scam_recall, heldout.legit_fpr
    ));

    let mut sources: Vec<(String, usize)> = Vec::new();
    for r in records {
        match sources.iter_mut().find(|(s, _)| *s == r.source) {
            Some((_, n)) => *n += 1,
            None => sources.push((r.source.clone(), 1)),
        }
    }
    let meta = ModelMeta {
        verdicts: verdict_names(),
        patterns: pattern_names(),
        features: config,
        decision,
        training: TrainingInfo {
            fingerprint: fingerprint(records),
            records: records.len(),
            sources,
            options: serde_json::to_value(opts).expect("options serialise"),
            heldout: serde_json::json!({
                "records": heldout.records,
                "accuracy": heldout.accuracy,
                "macro_f1": heldout.macro_f1_present,
                "scam_recall": heldout.scam_recall,
                "scam_precision": heldout.scam_precision,
                "legit_fpr": heldout.legit_fpr,
            }),
        },
    };
    let model_bytes = write_model(&params, &meta.to_pairs());
    Ok(TrainOutput {
        model_bytes,
        meta,
        heldout,
        verdict_model,
        pattern_models,
        pattern_columns: pat_cols,
        vectorizer,
        temperature,
    })
}

fn logits(p: &LinearParams, v: &SparseVector) -> Vec<f32> {
    let c = p.n_outputs();
    let mut z = p.bias.clone();
    for (&id, &x) in v.ids.iter().zip(&v.values) {
        for (k, zk) in z.iter_mut().enumerate() {
            *zk += p.weights[id as usize * c + k] * x;
        }
    }
    z
}

fn softmax3(z: &[f32]) -> [f32; 3] {
    let m = z[..3].iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let e: Vec<f32> = z[..3].iter().map(|v| (v - m).exp()).collect();
    let s: f32 = e.iter().sum();
    [e[0] / s, e[1] / s, e[2] / s]
}

/// The model's output computed in Rust: the same arithmetic as the ONNX graph.
pub fn predict_linear(p: &LinearParams, v: &SparseVector) -> Prediction {
    let z = logits(p, v);
    let mut patterns = [0f32; 7];
    for (k, out) in patterns.iter_mut().enumerate() {
        *out = 1.0 / (1.0 + (-z[3 + k]).exp());
    }
    Prediction {
        verdict: softmax3(&z),
        patterns,
    }
}

/// Temperature minimising the held-out negative log-likelihood (golden-section on log T).
fn fit_temperature(logits: &[Vec<f32>], truth: &[usize]) -> f32 {
    let nll = |log_t: f64| -> f64 {
        let t = log_t.exp() as f32;
        logits
            .iter()
            .zip(truth)
            .map(|(z, &y)| {
                let zs: Vec<f32> = z[..3].iter().map(|v| v / t).collect();
                let p = softmax3(&zs)[y].max(1e-12);
                -(p as f64).ln()
            })
            .sum()
    };
    let (mut a, mut b) = (-2.5f64, 2.5f64);
    let g = (5f64.sqrt() - 1.0) / 2.0;
    for _ in 0..60 {
        let c = b - g * (b - a);
        let d = a + g * (b - a);
        if nll(c) < nll(d) {
            b = d;
        } else {
            a = c;
        }
    }
    ((a + b) / 2.0).exp() as f32
}

/// The lowest threshold ≥ 0.5 at which held-out legit rows are flagged at most `target` of the time.
fn choose_threshold(rows: &[Scored], target: f64) -> f32 {
    let legit: Vec<f32> = rows
        .iter()
        .filter(|r| r.truth == Verdict::Legit)
        .map(|r| r.prediction.prob(Verdict::Scam))
        .collect();
    if legit.len() < 50 {
        return 0.5;
    }
    let mut t = 0.5f32;
    while t < 0.99 {
        let fp = legit.iter().filter(|&&p| p >= t).count();
        if (fp as f64) / (legit.len() as f64) <= target {
            return t;
        }
        t += 0.01;
    }
    0.99
}

/// Picks the feature vocabulary among features in at least `min_df` training messages: the most
/// frequent ones ([`Selection::Frequency`], the default), or ranked by chi-square against each
/// target (3 verdicts, 7 patterns) taken round-robin so every target gets its most telling features
/// ([`Selection::Chi2`]). Rule signals are always kept.
fn select_features(
    records: &[LabelledRecord],
    analyses: &[Analysis],
    train_idx: &[usize],
    config: &FeatureConfig,
    opts: &TrainOptions,
) -> Vec<(String, u32)> {
    let mut stats: FxHashMap<u64, FeatStat> = FxHashMap::default();
    let mut names: FxHashMap<u64, String> = FxHashMap::default();
    let mut totals = [0u32; N_TARGETS];
    let mut n_pattern_docs = 0u32;
    let mut seen: FxHashSet<u64> = FxHashSet::default();
    for &i in train_idx {
        let r = &records[i];
        let mut targets = [false; N_TARGETS];
        targets[r.verdict.index()] = true;
        if let Some(ps) = &r.patterns {
            n_pattern_docs += 1;
            for p in ps {
                targets[3 + p.index()] = true;
            }
        }
        for (t, on) in targets.iter().enumerate() {
            totals[t] += *on as u32;
        }
        seen.clear();
        visit_features(config, &analyses[i], |key, _| {
            let h = crate::features::key_hash(key);
            if seen.insert(h) {
                let s = stats.entry(h).or_default();
                s.df += 1;
                for (t, on) in targets.iter().enumerate() {
                    s.pos[t] += *on as u32;
                }
                names.entry(h).or_insert_with(|| key.to_string());
            }
        });
    }
    let n = train_idx.len() as f64;
    let chi2 = |a: f64, df: f64, pos: f64, total: f64| -> f64 {
        // 2x2 table: a = feature & positive, b = feature & negative, c, d the rest.
        let b = df - a;
        let c = pos - a;
        let d = total - a - b - c;
        let den = (a + b) * (c + d) * (a + c) * (b + d);
        if den <= 0.0 {
            0.0
        } else {
            total * (a * d - b * c).powi(2) / den
        }
    };
    let eligible: Vec<(u64, &FeatStat)> = stats
        .iter()
        .filter(|(_, s)| s.df >= opts.min_df)
        .filter(|(h, _)| !opts.rules_only || names[*h].starts_with("r|"))
        .map(|(h, s)| (*h, s))
        .collect();
    if opts.selection == Selection::Frequency {
        let mut ranked: Vec<(u64, u32)> = eligible.iter().map(|(h, s)| (*h, s.df)).collect();
        // Rule signals always; then by document frequency, ties by key for determinism.
        ranked.sort_by(|a, b| {
            let ra = names[&a.0].starts_with("r|");
            let rb = names[&b.0].starts_with("r|");
            rb.cmp(&ra)
                .then(b.1.cmp(&a.1))
                .then(names[&a.0].cmp(&names[&b.0]))
        });
        ranked.truncate(opts.max_features);
        let mut out: Vec<(String, u32)> = ranked
            .into_iter()
            .map(|(h, df)| (names[&h].clone(), df))
            .collect();
        out.sort();
        return out;
    }
    let mut per_target: Vec<Vec<(u64, f64)>> = Vec::new();
    for (t, &target_total) in totals.iter().enumerate() {
        let total = if t < 3 { n } else { n_pattern_docs as f64 };
        if target_total == 0 || total == 0.0 {
            continue;
        }
        let mut ranked: Vec<(u64, f64)> = eligible
            .iter()
            // Only features positively associated with the target are informative for it; the
            // negative side is covered by the other targets' lists.
            .filter(|(_, s)| (s.pos[t] as f64) / (s.df as f64) > target_total as f64 / total)
            .map(|(h, s)| {
                (
                    *h,
                    chi2(s.pos[t] as f64, s.df as f64, target_total as f64, total),
                )
            })
            .collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(names[&a.0].cmp(&names[&b.0])));
        per_target.push(ranked);
    }
    let mut chosen: Vec<u64> = Vec::new();
    let mut taken: FxHashSet<u64> = FxHashSet::default();
    for (h, _) in &eligible {
        if names[h].starts_with("r|") && taken.insert(*h) {
            chosen.push(*h);
        }
    }
    let mut cursors = vec![0usize; per_target.len()];
    while chosen.len() < opts.max_features {
        let mut progressed = false;
        for (t, list) in per_target.iter().enumerate() {
            while cursors[t] < list.len() {
                let h = list[cursors[t]].0;
                cursors[t] += 1;
                if taken.insert(h) {
                    chosen.push(h);
                    progressed = true;
                    break;
                }
            }
            if chosen.len() >= opts.max_features {
                break;
            }
        }
        if !progressed {
            break;
        }
    }
    // Vocabulary order: by key, so the same data always gives the same model bytes.
    let mut out: Vec<(String, u32)> = chosen
        .into_iter()
        .map(|h| (names[&h].clone(), stats[&h].df))
        .collect();
    out.sort();
    out
}
