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
    /// Template family (the project corpus has one per row): held-out rows are chosen by family
    /// when there is one, so calibration sees phrasings the first stage never trained on.
    #[serde(default)]
    pub family: Option<String>,
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
    /// Percent of records held out (by hash of the text, or of the family when stacking) for
    /// calibration and metrics.
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
    /// How rule signals and the n-gram model combine.
    #[serde(default, skip_serializing_if = "Combine::is_features")]
    pub combine: Combine,
    /// Words and character n-grams inside quotation marks are features of their own
    /// ([`FeatureConfig::quote_features`]). Absent from the options stored in models trained
    /// before it existed, which did not have it: off.
    #[serde(default)]
    pub quote_features: bool,
}

/// How rule signals and the n-gram model combine (when both are in use).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Combine {
    /// A calibrated second stage: the n-gram model is fitted without the rules; then a small
    /// multinomial logistic regression over its three verdict logits and the binary rule signals is
    /// fitted on the held-out part (families the first stage never saw). Both stages are linear, so
    /// they fold into one linear layer: the exported graph and the per-feature evidence are
    /// unchanged. Replaces temperature scaling as the verdict calibration. Rule signals are
    /// binary (`binary_rules`) and the held-out part is chosen by template family. The scam
    /// threshold is chosen on out-of-fold scores: the second stage is fitted again on each half of
    /// the held-out families and scores the other half.
    Stacked,
    /// Rule signals as ordinary features of the one regression, weighted together with n-grams
    /// (the shipped design).
    #[default]
    Features,
}

impl Combine {
    fn is_features(&self) -> bool {
        *self == Combine::Features
    }
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
            // Chosen on training-side validation only (models/MODEL_CARD.md, "Choosing the L2
            // penalty"): 0.3 beat 1.0 on the by-text held-out part and on held-out corpus families.
            alpha: 0.3,
            max_iterations: 200,
            holdout_percent: 10,
            target_legit_fpr: 0.003,
            calibrate: true,
            selection: Selection::Frequency,
            rule_signals: true,
            rules_only: false,
            combine: Combine::Features,
            // Chosen on held-out corpus families (models/MODEL_CARD.md, "Quoted wording").
            quote_features: true,
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
    /// linfa's fitted verdict model (before temperature scaling; the first stage when stacked) and
    /// pattern models, for checks.
    pub verdict_model: MultiFittedLogisticRegression<f32, usize>,
    pub pattern_models: Vec<Option<FittedLogisticRegression<f32, bool>>>,
    /// Feature columns the pattern models were fitted on (pattern models see only these).
    pub pattern_columns: Vec<usize>,
    /// The vectoriser the model was trained with.
    pub vectorizer: Vectorizer,
    pub temperature: f32,
    /// With [`Combine::Stacked`]: the second stage and the first stage alone.
    pub second_stage: Option<SecondStage>,
}

/// The calibrated second stage of a [`Combine::Stacked`] model.
pub struct SecondStage {
    /// linfa's fit over `[stage-1 logit legit, spam, scam, rule signal 1, …]`.
    pub model: MultiFittedLogisticRegression<f32, usize>,
    /// Feature ids of the rule signals, in the order of the model's inputs after the logits.
    pub rule_columns: Vec<usize>,
    /// The first stage (n-grams only, uncalibrated logits).
    pub stage1: LinearParams,
    /// The first stage alone as a model file, temperature-calibrated and with its own threshold
    /// on the same held-out part: the "n-grams alone" comparison.
    pub stage1_model_bytes: Vec<u8>,
    /// Held-out metrics of the first stage alone.
    pub stage1_heldout: EvalReport,
    /// The fitted coefficients, by input name (also in the model's training info).
    pub summary: serde_json::Value,
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

/// Held-out bucket of a record: by its template family when it has one (a whole family is held out
/// or kept), else by its text.
pub fn holdout_bucket(r: &LabelledRecord) -> u8 {
    match &r.family {
        Some(f) => text_bucket(&format!("family:{f}")),
        None => text_bucket(&r.text),
    }
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
    // Stacking wants a held-out part the first stage never saw the phrasing of: whole families.
    let stack =
        opts.combine == Combine::Stacked && opts.calibrate && opts.rule_signals && !opts.rules_only;
    let (train_idx, held_idx): (Vec<usize>, Vec<usize>) = unique.iter().copied().partition(|&i| {
        let bucket = if stack {
            holdout_bucket(&records[i])
        } else {
            text_bucket(&records[i].text)
        };
        bucket >= opts.holdout_percent
    });
    if train_idx.is_empty() {
        return Err(Error::Train(
            "every record fell into the held-out part".into(),
        ));
    }
    if held_idx.is_empty() {
        // The temperature and the scam threshold are fitted on the held-out part, and its
        // metrics are reported: with none, both would be defaults and the metrics zeros.
        return Err(Error::Train(format!(
            "no record fell into the held-out part ({} distinct records, {}% held out): it is \
             what calibrates the model and what its held-out metrics are measured on; give more \
             records or a larger --holdout",
            unique.len(),
            opts.holdout_percent
        )));
    }
    // The same text under different verdicts: kept (a data set may disagree with itself), but
    // said, with where the first such text comes from.
    let mut verdict_of: FxHashMap<&str, (Verdict, usize)> = FxHashMap::default();
    let mut conflicting: Vec<(usize, usize)> = Vec::new();
    for &i in &unique {
        let r = &records[i];
        match verdict_of.get(r.text.as_str()) {
            Some(&(v, first)) if v != r.verdict => conflicting.push((first, i)),
            Some(_) => {}
            None => {
                verdict_of.insert(r.text.as_str(), (r.verdict, i));
            }
        }
    }
    if !conflicting.is_empty() {
        let mut sources: Vec<&str> = conflicting
            .iter()
            .flat_map(|&(a, b)| [records[a].source.as_str(), records[b].source.as_str()])
            .collect();
        sources.sort_unstable();
        sources.dedup();
        progress(&format!(
            "warning: {} rows repeat an earlier text under a different verdict (kept as given), \
             in {}",
            conflicting.len(),
            sources.join(", ")
        ));
    }
    // A verdict with no training row: the model can never predict it, and says nothing about it.
    let missing: Vec<&str> = Verdict::ALL
        .iter()
        .filter(|v| !train_idx.iter().any(|&i| records[i].verdict == **v))
        .map(|v| v.name())
        .collect();
    if !missing.is_empty() {
        progress(&format!(
            "warning: no {} row among the training records: the model will not predict {}",
            missing.join(" or "),
            if missing.len() == 1 { "it" } else { "them" }
        ));
    }
    let unpatterned = unique
        .iter()
        .filter(|&&i| {
            records[i].verdict == Verdict::Scam
                && records[i].patterns.as_ref().is_some_and(|p| p.is_empty())
        })
        .count();
    if unpatterned > 0 {
        progress(&format!(
            "warning: {unpatterned} scam rows have an empty pattern list: each pattern head \
             learns them as 'not this pattern' (leave `patterns` out where they are not known)"
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
    config.binary_rules = stack;
    config.quote_features = opts.quote_features;
    let selected = select_features(records, &analyses, &train_idx, &config, opts);
    config.vocabulary = selected.iter().map(|(k, _)| k.clone()).collect();
    let n_train = train_idx.len() as f32;
    config.idf = selected
        .iter()
        .map(|(_, df)| ((1.0 + n_train) / (1.0 + *df as f32)).ln() + 1.0)
        .collect();
    let vectorizer = Vectorizer::new(config.clone())?;
    let dim = vectorizer.dim();
    if dim == 0 {
        let rules = if config.rule_signals {
            "nor does any rule signal"
        } else {
            "and rule signals are off"
        };
        return Err(Error::Train(format!(
            "no feature was selected: no word or character n-gram occurs in at least {} of the \
             {} training messages (--min-df), {rules}; lower --min-df",
            opts.min_df,
            train_idx.len()
        )));
    }
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
    let mut x_train = dense(&train_idx);
    let rule_cols: Vec<usize> = (0..dim).filter(|&j| vectorizer.is_rule(j as u32)).collect();
    // Stacked: the first stage sees no rule signals (their columns are zero while the verdict
    // model is fitted, so their weights stay zero); the pattern heads do see them.
    let stacked = stack && !rule_cols.is_empty() && !held_idx.is_empty();
    if stacked {
        for &j in &rule_cols {
            x_train.column_mut(j).fill(0.0);
        }
    }
    progress(&format!(
        "training matrix {} x {} ({:.0} MB)",
        x_train.nrows(),
        dim,
        (x_train.len() * 4) as f64 / 1e6
    ));

    // Verdict: multinomial logistic regression over the classes present.
    let y: Vec<usize> = train_idx
        .iter()
        .map(|&i| records[i].verdict.index())
        .collect();
    let verdict_model = fit_verdicts(&x_train, &y, opts, 1e-4, "verdict model")?;
    progress("fitted verdict model");
    if stacked {
        for (r, &i) in train_idx.iter().enumerate() {
            for &id in &vectors[i].ids {
                if vectorizer.is_rule(id) {
                    x_train[[r, id as usize]] = 1.0;
                }
            }
        }
    }

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
    let params = LinearParams {
        dim,
        n_verdicts: 3,
        n_patterns: Pattern::ALL.len(),
        weights,
        bias,
    };
    // A head fitted with no feature weight gives every message the same score: the model marks
    // it untrained ([`LinearParams::trained_heads`]), and so does this log.
    let heads = params.trained_heads();
    for (p, m) in Pattern::ALL.iter().zip(&pattern_models) {
        if m.is_some() && !heads[p.index()] {
            progress(&format!(
                "pattern {p}: no feature got a weight (the same score for every message) — \
                 not trained"
            ));
        }
    }
    progress(&format!(
        "fitted {} pattern models",
        heads.iter().filter(|t| **t).count()
    ));

    let held_truth: Vec<usize> = held_idx
        .iter()
        .map(|&i| records[i].verdict.index())
        .collect();
    let held_vectors: Vec<&SparseVector> = held_idx.iter().map(|&i| &vectors[i]).collect();
    let score_held = |p: &LinearParams| -> Vec<Scored> {
        held_idx
            .iter()
            .map(|&i| Scored {
                truth: records[i].verdict,
                true_patterns: records[i].patterns.clone(),
                prediction: predict_linear(p, &vectors[i]),
                overrule: None,
            })
            .collect()
    };

    // The first stage, calibrated on its own: temperature of the verdict softmax, then the scam
    // threshold. This is the model unless the rules are stacked on top.
    let temperature = if opts.calibrate && held_idx.len() >= 20 {
        let held_logits: Vec<Vec<f32>> = held_vectors.iter().map(|v| logits(&params, v)).collect();
        match fit_temperature(&held_logits, &held_truth) {
            Some(t) => t,
            None => {
                progress(&format!(
                    "warning: the held-out part ({} rows) is separated perfectly, so no softmax \
                     temperature fits it (the smaller, the better, without end): the model's \
                     probabilities are left as trained (temperature 1); give more or more varied \
                     records for a calibrated model",
                    held_idx.len()
                ));
                1.0
            }
        }
    } else {
        1.0
    };
    let mut calibrated = params.clone();
    let c = calibrated.n_outputs();
    for j in 0..dim {
        for k in 0..3 {
            calibrated.weights[j * c + k] /= temperature;
        }
    }
    for k in 0..3 {
        calibrated.bias[k] /= temperature;
    }
    let held_scored = score_held(&calibrated);
    let decision1 = Decision {
        scam_threshold: choose_threshold(&held_scored, opts.target_legit_fpr),
        pattern_threshold: 0.5,
        temperature,
        trained_patterns: params.trained_heads(),
    };
    let heldout1 = evaluate("held-out", &held_scored, &decision1);
    progress(&format!(
        "held-out{}: temperature {temperature:.3}, scam threshold {:.3}, accuracy {:.4}, macro-F1 {:.4}, scam recall {}, legit FPR {}",
        if stacked { " (first stage alone)" } else { "" },
        decision1.scam_threshold, heldout1.accuracy, heldout1.macro_f1_present, rate(heldout1.scam_recall), rate(heldout1.legit_fpr)
    ));

    let mut sources: Vec<(String, usize)> = Vec::new();
    for r in records {
        match sources.iter_mut().find(|(s, _)| *s == r.source) {
            Some((_, n)) => *n += 1,
            None => sources.push((r.source.clone(), 1)),
        }
    }
    let meta_for =
        |decision: Decision, heldout: &EvalReport, second_stage: serde_json::Value| ModelMeta {
            verdicts: verdict_names(),
            patterns: pattern_names(),
            features: config.clone(),
            decision,
            training: TrainingInfo {
                fingerprint: fingerprint(records),
                records: records.len(),
                sources: sources.clone(),
                options: serde_json::to_value(opts).expect("options serialise"),
                heldout: serde_json::json!({
                    "records": heldout.records,
                    "accuracy": heldout.accuracy,
                    "macro_f1": heldout.macro_f1_present,
                    "scam_recall": heldout.scam_recall,
                    "scam_precision": heldout.scam_precision,
                    "legit_fpr": heldout.legit_fpr,
                }),
                second_stage,
            },
        };

    if !stacked {
        let meta = meta_for(decision1, &heldout1, serde_json::Value::Null);
        let model_bytes = write_model(&calibrated, &meta.to_pairs());
        return Ok(TrainOutput {
            model_bytes,
            meta,
            heldout: heldout1,
            verdict_model,
            pattern_models,
            pattern_columns: pat_cols,
            vectorizer,
            temperature,
            second_stage: None,
        });
    }

    // The second stage: verdict from the first stage's logits and the rule signals, fitted on the
    // held-out part, folded into the one linear layer.
    let stage2 = fit_second_stage(
        &params,
        &rule_cols,
        &held_vectors,
        &held_truth,
        opts,
        &config.vocabulary,
    )?;
    let folded = fold_second_stage(&params, &rule_cols, &stage2.0);
    // The threshold and the held-out report come from rows the second stage did not see: it is
    // fitted again on each half of the held-out families and scores the other half (cross-fitting).
    // A threshold chosen on the rows the stage was fitted on is too lenient.
    let (held_scored, how) = match cross_fitted_second_stage(
        &params,
        &rule_cols,
        &held_idx,
        records,
        &vectors,
        opts,
        &config.vocabulary,
    )? {
        Some(scored) => (scored, "out of fold: two halves of the held-out families"),
        None => (
            score_held(&folded),
            "in sample: a half of the held-out part lacks a verdict class",
        ),
    };
    let decision = Decision {
        scam_threshold: choose_threshold(&held_scored, opts.target_legit_fpr),
        pattern_threshold: 0.5,
        temperature: 1.0,
        trained_patterns: params.trained_heads(),
    };
    let heldout = evaluate("held-out", &held_scored, &decision);
    progress(&format!(
        "held-out (stacked, {how}): scam threshold {:.3}, accuracy {:.4}, macro-F1 {:.4}, scam recall {}, legit FPR {}",
        decision.scam_threshold, heldout.accuracy, heldout.macro_f1_present, rate(heldout.scam_recall), rate(heldout.legit_fpr)
    ));
    progress(&format!(
        "second stage (scam − legit weight per input): {}",
        stage2.2
    ));
    let meta1 = meta_for(decision1, &heldout1, serde_json::Value::Null);
    let stage1_model_bytes = write_model(&calibrated, &meta1.to_pairs());
    let meta = meta_for(decision, &heldout, stage2.1.clone());
    let model_bytes = write_model(&folded, &meta.to_pairs());
    Ok(TrainOutput {
        model_bytes,
        meta,
        heldout,
        verdict_model,
        pattern_models,
        pattern_columns: pat_cols,
        vectorizer,
        temperature: 1.0,
        second_stage: Some(SecondStage {
            model: stage2.0,
            rule_columns: rule_cols,
            stage1: params,
            stage1_model_bytes,
            stage1_heldout: heldout1,
            summary: stage2.1,
        }),
    })
}

/// Multinomial logistic regression of verdict indices `y` on the rows of `x`.
fn fit_verdicts(
    x: &Array2<f32>,
    y: &[usize],
    opts: &TrainOptions,
    tolerance: f32,
    what: &str,
) -> Result<MultiFittedLogisticRegression<f32, usize>> {
    if y.iter().collect::<FxHashSet<_>>().len() < 2 {
        return Err(Error::Train(format!(
            "{what}: the data needs at least two verdict classes"
        )));
    }
    let y: Array1<usize> = y.iter().copied().collect();
    let ds = DatasetBase::new(x.view(), y.view());
    MultiLogisticRegression::default()
        .alpha(opts.alpha)
        .max_iterations(opts.max_iterations)
        .gradient_tolerance(tolerance)
        .fit(&ds)
        .map_err(|e| Error::Train(format!("{what}: {e}")))
}

/// Inputs of the second stage for one message: the first stage's three verdict logits, then 1/0
/// per rule signal.
pub fn second_stage_inputs(
    stage1: &LinearParams,
    rule_cols: &[usize],
    v: &SparseVector,
) -> Vec<f32> {
    let z = logits(stage1, v);
    let mut x = z[..3].to_vec();
    x.extend(rule_cols.iter().map(|&j| {
        if v.ids.binary_search(&(j as u32)).is_ok() {
            1.0
        } else {
            0.0
        }
    }));
    x
}

/// Fits the second stage on the held-out rows; returns linfa's model, its coefficients as JSON and
/// a one-line summary.
fn fit_second_stage(
    stage1: &LinearParams,
    rule_cols: &[usize],
    held: &[&SparseVector],
    truth: &[usize],
    opts: &TrainOptions,
    vocabulary: &[String],
) -> Result<(
    MultiFittedLogisticRegression<f32, usize>,
    serde_json::Value,
    String,
)> {
    let width = 3 + rule_cols.len();
    let mut x = Array2::<f32>::zeros((held.len(), width));
    for (r, v) in held.iter().enumerate() {
        for (k, val) in second_stage_inputs(stage1, rule_cols, v)
            .into_iter()
            .enumerate()
        {
            x[[r, k]] = val;
        }
    }
    let model = fit_verdicts(&x, truth, opts, 1e-5, "second stage (held-out part)")?;
    let mut inputs: Vec<String> = Verdict::ALL
        .iter()
        .map(|v| format!("logit_{}", v.name()))
        .collect();
    inputs.extend(rule_cols.iter().map(|&j| vocabulary[j].clone()));
    let classes: Vec<&str> = model
        .classes()
        .iter()
        .map(|&c| Verdict::ALL[c].name())
        .collect();
    let weights: Vec<Vec<f32>> = (0..width).map(|k| model.params().row(k).to_vec()).collect();
    let json = serde_json::json!({
        "fitted_on": "held-out part",
        "rows": held.len(),
        "inputs": inputs,
        "classes": classes,
        "weights": weights,
        "intercept": model.intercept().to_vec(),
    });
    let col = |cls: usize| model.classes().iter().position(|&c| c == cls);
    let summary = match (col(Verdict::Scam.index()), col(Verdict::Legit.index())) {
        (Some(s), Some(l)) => inputs
            .iter()
            .enumerate()
            .map(|(k, name)| {
                format!(
                    "{name} {:+.2}",
                    model.params()[[k, s]] - model.params()[[k, l]]
                )
            })
            .collect::<Vec<_>>()
            .join(", "),
        _ => "no scam or legit rows held out".into(),
    };
    Ok((model, json, summary))
}

/// Half (0 or 1) of the held-out part a record falls in when the second stage is cross-fitted: by
/// its held-out bucket, so a template family stays in one half.
fn cross_fit_half(r: &LabelledRecord) -> u8 {
    holdout_bucket(r) % 2
}

/// Scores every held-out record with a second stage fitted on the other half of the held-out part
/// (`cross_fit_half`), in `held_idx` order; `None` when a half has fewer than two verdict classes
/// to fit on.
fn cross_fitted_second_stage(
    stage1: &LinearParams,
    rule_cols: &[usize],
    held_idx: &[usize],
    records: &[LabelledRecord],
    vectors: &[SparseVector],
    opts: &TrainOptions,
    vocabulary: &[String],
) -> Result<Option<Vec<Scored>>> {
    let mut scored: Vec<Option<Scored>> = (0..held_idx.len()).map(|_| None).collect();
    for half in 0..2u8 {
        let (fit, score): (Vec<usize>, Vec<usize>) =
            (0..held_idx.len()).partition(|&p| cross_fit_half(&records[held_idx[p]]) != half);
        let truth: Vec<usize> = fit
            .iter()
            .map(|&p| records[held_idx[p]].verdict.index())
            .collect();
        if truth.iter().collect::<FxHashSet<_>>().len() < 2 {
            return Ok(None);
        }
        let fit_vectors: Vec<&SparseVector> = fit.iter().map(|&p| &vectors[held_idx[p]]).collect();
        let (model, _, _) =
            fit_second_stage(stage1, rule_cols, &fit_vectors, &truth, opts, vocabulary)?;
        let folded = fold_second_stage(stage1, rule_cols, &model);
        for p in score {
            let r = &records[held_idx[p]];
            scored[p] = Some(Scored {
                truth: r.verdict,
                true_patterns: r.patterns.clone(),
                prediction: predict_linear(&folded, &vectors[held_idx[p]]),
                overrule: None,
            });
        }
    }
    Ok(Some(
        scored
            .into_iter()
            .map(|s| s.expect("each held-out record is in one half"))
            .collect(),
    ))
}

/// Folds the second stage into the first: both are linear in the features, so
/// `A·(W x + b) + B·r + c` is one layer with weights `W·A` on n-gram features, `B` on rule
/// features and bias `b·A + c`. Pattern columns are left as they are.
fn fold_second_stage(
    stage1: &LinearParams,
    rule_cols: &[usize],
    model: &MultiFittedLogisticRegression<f32, usize>,
) -> LinearParams {
    let mut p = stage1.clone();
    let c = p.n_outputs();
    for k in 0..3 {
        p.bias[k] = -30.0;
        for j in 0..p.dim {
            p.weights[j * c + k] = 0.0;
        }
    }
    let a = model.params();
    for (col, &cls) in model.classes().iter().enumerate() {
        p.bias[cls] =
            model.intercept()[col] + (0..3).map(|m| a[[m, col]] * stage1.bias[m]).sum::<f32>();
        for j in 0..p.dim {
            p.weights[j * c + cls] = (0..3)
                .map(|m| a[[m, col]] * stage1.weights[j * c + m])
                .sum();
        }
        for (r, &j) in rule_cols.iter().enumerate() {
            p.weights[j * c + cls] = a[[3 + r, col]];
        }
    }
    p
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

/// A rate for the training log: four decimals, `n/a` when undefined (no row of its class).
fn rate(x: f64) -> String {
    if x.is_finite() {
        format!("{x:.4}")
    } else {
        "n/a".to_string()
    }
}

/// Temperature minimising the held-out negative log-likelihood (golden-section on log T in
/// [e^-2.5, e^2.5]); `None` when the minimum is at the lower end, which happens when the held-out
/// rows are separated perfectly (the likelihood keeps rising as the temperature falls).
fn fit_temperature(logits: &[Vec<f32>], truth: &[usize]) -> Option<f32> {
    // Every row's true verdict has the strictly largest logit: the likelihood rises without end
    // as the temperature falls.
    let separated = logits
        .iter()
        .zip(truth)
        .all(|(z, &y)| (0..3).all(|k| k == y || z[k] < z[y]));
    if separated {
        return None;
    }
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
    let (lo, hi) = (-2.5f64, 2.5f64);
    let (mut a, mut b) = (lo, hi);
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
    let best = (a + b) / 2.0;
    // At the lower end of the search: the held-out rows are separated perfectly, so every
    // smaller temperature fits them better still; no temperature is the fit.
    (best > lo + 1e-3).then(|| best.exp() as f32)
}

/// The lowest threshold ≥ 0.5 (steps of 0.01 up to 0.99, then finer towards 1) at which held-out
/// legit rows are flagged at most `target` of the time.
fn choose_threshold(rows: &[Scored], target: f64) -> f32 {
    let legit: Vec<f32> = rows
        .iter()
        .filter(|r| r.truth == Verdict::Legit)
        .map(|r| r.prediction.prob(Verdict::Scam))
        .collect();
    if legit.len() < 50 {
        return 0.5;
    }
    let meets = |t: f32| {
        let fp = legit.iter().filter(|&&p| p >= t).count();
        (fp as f64) / (legit.len() as f64) <= target
    };
    let mut t = 0.5f32;
    while t < 0.99 {
        if meets(t) {
            return t;
        }
        t += 0.01;
    }
    // An over-confident model needs more: 0.99, then 0.991 … 0.999, 0.9991 … 0.9999, … 0.999999.
    for k in 2..=6 {
        for m in (1..=9).rev() {
            let t = 1.0 - m as f32 * 10f32.powi(-k);
            if (k == 2 && m > 1) || !meets(t) {
                continue;
            }
            return t;
        }
    }
    1.0 - 1e-6
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_temperature_fits_a_perfectly_separated_held_out_part() {
        // Each row's largest logit is its true class: the smaller the temperature, the better.
        let separated: Vec<Vec<f32>> = vec![vec![3.0, 0.0, -1.0], vec![-1.0, 0.0, 3.0]];
        assert_eq!(fit_temperature(&separated, &[0, 2]), None);
        // One row the other way round: a finite temperature is best.
        let mixed: Vec<Vec<f32>> = vec![
            vec![3.0, 0.0, -1.0],
            vec![-1.0, 0.0, 3.0],
            vec![2.0, 0.0, 1.0],
        ];
        let t = fit_temperature(&mixed, &[0, 2, 2]).unwrap();
        assert!(t > 0.1 && t < 12.0, "{t}");
    }

    #[test]
    fn held_out_part_is_chosen_by_family_when_there_is_one() {
        let rec = |text: &str, family: Option<&str>| LabelledRecord {
            text: text.into(),
            verdict: Verdict::Scam,
            patterns: None,
            channel: None,
            source: "t".into(),
            family: family.map(String::from),
        };
        // Every member of a family lands in the family's bucket, whatever its text.
        let b = holdout_bucket(&rec("x", Some("scam.sms.deposit")));
        for t in ["押金299元", "激活费199元", "回复1办理"] {
            assert_eq!(holdout_bucket(&rec(t, Some("scam.sms.deposit"))), b);
        }
        // Without a family the text decides, as before.
        assert_eq!(
            holdout_bucket(&rec("押金299元", None)),
            text_bucket("押金299元")
        );
        let buckets: FxHashSet<u8> = (0..200)
            .map(|k| holdout_bucket(&rec("x", Some(&format!("f{k}")))))
            .collect();
        assert!(buckets.len() > 50, "families spread over buckets");
    }

    #[test]
    fn cross_fitted_second_stage_scores_each_half_with_a_stage_fitted_on_the_other() {
        // A four-feature first stage whose feature 3 is a rule signal; 60 held-out records in 12
        // families, each family one verdict.
        let stage1 = LinearParams {
            dim: 4,
            n_verdicts: 3,
            n_patterns: Pattern::ALL.len(),
            weights: (0..40).map(|k| ((k * 7 % 11) as f32 - 5.0) / 4.0).collect(),
            bias: vec![0.0; 10],
        };
        let rule_cols = [3usize];
        let verdicts = [Verdict::Legit, Verdict::Spam, Verdict::Scam];
        let records: Vec<LabelledRecord> = (0..60)
            .map(|i| LabelledRecord {
                text: format!("t{i}"),
                verdict: verdicts[(i / 5) % 3],
                patterns: None,
                channel: None,
                source: "t".into(),
                family: Some(format!("family{}", i / 5)),
            })
            .collect();
        let vectors: Vec<SparseVector> = (0..60)
            .map(|i| {
                let v = records[i].verdict.index() as f32;
                let mut ids = vec![0u32, 1, 2];
                let mut values = vec![
                    v + (i % 5) as f32 / 5.0,
                    1.0 - v / 3.0,
                    (i % 7) as f32 / 7.0,
                ];
                if i % 3 != 0 {
                    ids.push(3);
                    values.push(1.0);
                }
                SparseVector { ids, values }
            })
            .collect();
        let held_idx: Vec<usize> = (0..60).collect();
        let vocabulary: Vec<String> = ["a", "b", "c", "r|x"].map(String::from).to_vec();
        let opts = TrainOptions::default();
        let halves: Vec<u8> = records.iter().map(cross_fit_half).collect();
        for f in 0..12 {
            assert!(
                (1..5).all(|k| halves[f * 5 + k] == halves[f * 5]),
                "a family is split"
            );
        }
        assert!(
            halves.contains(&0) && halves.contains(&1),
            "one half is empty"
        );

        let got = cross_fitted_second_stage(
            &stage1,
            &rule_cols,
            &held_idx,
            &records,
            &vectors,
            &opts,
            &vocabulary,
        )
        .unwrap()
        .expect("both halves have several verdicts");
        assert_eq!(got.len(), 60);
        let mut differs_from_in_sample = false;
        let all: Vec<&SparseVector> = vectors.iter().collect();
        let truth: Vec<usize> = records.iter().map(|r| r.verdict.index()).collect();
        let in_sample = fold_second_stage(
            &stage1,
            &rule_cols,
            &fit_second_stage(&stage1, &rule_cols, &all, &truth, &opts, &vocabulary)
                .unwrap()
                .0,
        );
        for half in 0..2u8 {
            let other: Vec<usize> = (0..60).filter(|&i| halves[i] != half).collect();
            let fit: Vec<&SparseVector> = other.iter().map(|&i| &vectors[i]).collect();
            let t: Vec<usize> = other.iter().map(|&i| truth[i]).collect();
            let (model, _, _) =
                fit_second_stage(&stage1, &rule_cols, &fit, &t, &opts, &vocabulary).unwrap();
            let folded = fold_second_stage(&stage1, &rule_cols, &model);
            for i in (0..60).filter(|&i| halves[i] == half) {
                assert_eq!(got[i].truth, records[i].verdict);
                let want = predict_linear(&folded, &vectors[i]);
                assert_eq!(got[i].prediction.verdict, want.verdict, "record {i}");
                differs_from_in_sample |=
                    predict_linear(&in_sample, &vectors[i]).verdict != want.verdict;
            }
        }
        assert!(
            differs_from_in_sample,
            "out-of-fold scores equal in-sample ones"
        );

        // A half that holds one verdict only cannot be fitted on: no cross-fitting.
        let one_verdict: Vec<LabelledRecord> = records
            .iter()
            .map(|r| LabelledRecord {
                verdict: if cross_fit_half(r) == 0 {
                    Verdict::Scam
                } else {
                    r.verdict
                },
                ..r.clone()
            })
            .collect();
        assert!(cross_fitted_second_stage(
            &stage1,
            &rule_cols,
            &held_idx,
            &one_verdict,
            &vectors,
            &opts,
            &vocabulary,
        )
        .unwrap()
        .is_none());
    }

    #[test]
    fn threshold_goes_past_099_for_an_over_confident_model() {
        let row = |truth: Verdict, p_scam: f32| Scored {
            truth,
            true_patterns: None,
            prediction: Prediction {
                verdict: [1.0 - p_scam, 0.0, p_scam],
                patterns: [0.0; 7],
            },
            overrule: None,
        };
        // 1,000 legit rows, 10 of them scored 0.995 and 2 scored 0.9995: at most 3 (0.3%) may be
        // flagged, so the threshold must pass 0.995 but may stop below 0.9995.
        let mut rows: Vec<Scored> = (0..988).map(|_| row(Verdict::Legit, 0.1)).collect();
        rows.extend((0..10).map(|_| row(Verdict::Legit, 0.995)));
        rows.extend((0..2).map(|_| row(Verdict::Legit, 0.9995)));
        let t = choose_threshold(&rows, 0.003);
        assert!(t > 0.995 && t <= 0.9995, "{t}");
        // A calibrated model keeps the coarse grid.
        let rows: Vec<Scored> = (0..1000)
            .map(|i| row(Verdict::Legit, if i < 2 { 0.7 } else { 0.2 }))
            .collect();
        assert_eq!(choose_threshold(&rows, 0.003), 0.5);
    }
}
