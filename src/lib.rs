//! posguard: tells whether a Chinese SMS or call transcript is a POS-terminal scam, which scam it
//! is, why, and what to do.
//!
//! The pipeline, one module per stage:
//! [`normalize`] → [`tokenize`] → [`features`] → [`model`] → [`verdict`] → [`explain`].
//! Input and output formats live in [`io`]; training in [`train`]; metrics in [`eval`].
//!
//! ```no_run
//! use posguard::{Classifier, Model};
//! let classifier = Classifier::new(Model::default_model()?);
//! let report = classifier.classify("【POS服务中心】您的POS机备案到期即将停用，回复1免费更换0.38%费率新机")?;
//! println!("{} {:.2}", report.verdict.verdict, report.verdict.score);
//! # Ok::<(), posguard::Error>(())
//! ```
//!
//! # Embedding
//!
//! - A [`Classifier`] is `Send + Sync`: build one (loading the model is the slow part) and share
//!   it across threads behind an `Arc`; [`Classifier::classify_batch`] already spreads a batch
//!   over rayon's threads.
//! - Input: one message (or a whole call, one turn per line) as a `&str`. A text with nothing to
//!   judge — empty, white space only, or no letter, digit or Chinese character (`"！？。"`,
//!   `"👍👍"`) — is refused with [`Error::NothingToJudge`] rather than given a verdict.
//!   Length is not limited: the work grows linearly with it (explanations included), and the
//!   file readers and the CLI cut every text at [`io::MAX_TEXT_CHARS`] (20,000) characters and
//!   flag it `truncated`. A caller taking text from untrusted sources should do the same with
//!   [`io::cut_text`] before classifying (and say so to its users); [`batch::run`] does it for
//!   the records it is given.
//! - The inference engine is chosen on first use: ONNX Runtime when `ORT_DYLIB_PATH` names a
//!   library that loads, otherwise the built-in tract engine. Call
//!   [`model::init_engine`]`(&`[`EngineChoice::Tract`]`)` (or another [`EngineChoice`]) before the
//!   first classification to choose it yourself.

pub mod advice;
pub mod batch;
pub mod contacts;
pub mod datasets;
pub mod error;
pub mod eval;
pub mod explain;
pub mod features;
pub mod io;
pub mod labels;
pub mod model;
pub mod normalize;
pub mod perturb;
pub mod report;
pub mod signals;
pub mod tokenize;
pub mod train;
pub mod verdict;

#[cfg(test)]
mod test_corpus;

pub use error::{Error, Result};
pub use labels::{Channel, Pattern, Verdict};
pub use model::{EngineChoice, Model};

use advice::Advice;
use contacts::Impersonation;
use explain::{Evidence, SignalHit};
use features::Analysis;
use serde::Serialize;
use verdict::VerdictResult;

/// Everything posguard says about one message.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The text classified, exactly as given (evidence and signal offsets are character offsets
    /// into it).
    pub text: String,
    #[serde(flatten)]
    pub verdict: VerdictResult,
    /// Spans of the original text that drove the verdict and each flagged pattern.
    pub evidence: Vec<Evidence>,
    /// Rule signals found, located in the original text.
    pub signals: Vec<SignalHit>,
    /// The impersonation check: brands named, and each contact given against their official ones.
    /// Absent when the message names no known brand.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub impersonation: Option<Impersonation>,
    /// What to do, most important first (see [`advice`]).
    pub advice: Vec<Advice>,
}

// A Classifier is shared across threads (the docs promise it).
const _: fn() = || {
    fn shared<T: Send + Sync>() {}
    shared::<Classifier>();
};

/// Scores messages with a model. `Send + Sync`: share one across threads (in an `Arc`).
#[derive(Debug)]
pub struct Classifier {
    model: Model,
    evidence_per_target: usize,
}

impl Classifier {
    pub fn new(model: Model) -> Self {
        Classifier {
            model,
            evidence_per_target: 5,
        }
    }

    pub fn model(&self) -> &Model {
        &self.model
    }

    /// Overrides the model's scam threshold; refused unless it is a probability (0 to 1).
    pub fn with_scam_threshold(mut self, t: f32) -> Result<Self> {
        self.model.set_scam_threshold(t)?;
        Ok(self)
    }

    /// Classifies one message with full explanations.
    ///
    /// A text with nothing to judge (empty, white space, or only punctuation, symbols or emoji:
    /// see [`io::nothing_to_judge`]) is refused with [`Error::NothingToJudge`]. The text is not
    /// cut: time and memory grow linearly with its length (about 1 ms per 1,000 characters); the
    /// CLI and the readers keep the first [`io::MAX_TEXT_CHARS`] characters, which a caller can do
    /// with [`io::cut_text`].
    pub fn classify(&self, text: &str) -> Result<Report> {
        Ok(self.classify_batch(&[text], true)?.remove(0))
    }

    /// Classifies a batch, one report per text in order. With `explain` false, evidence and
    /// signal spans are left empty (faster); the impersonation check and the advice are always
    /// given.
    ///
    /// The batch is refused with [`Error::NothingToJudge`] naming the first text that has nothing
    /// to judge (see [`Classifier::classify`]); filter such texts out first with
    /// [`io::nothing_to_judge`] (as [`batch::run`] does, writing them as error rows). Texts are
    /// not cut (see [`Classifier::classify`]).
    pub fn classify_batch(&self, texts: &[&str], explain: bool) -> Result<Vec<Report>> {
        if let Some((index, reason)) = texts
            .iter()
            .enumerate()
            .find_map(|(i, t)| io::nothing_to_judge(t).map(|r| (i, r)))
        {
            return Err(Error::NothingToJudge { index, reason });
        }
        self.classify_unchecked(texts, explain)
    }

    /// [`Classifier::classify_batch`] without the check for texts with nothing to judge: the
    /// batch driver scores the turns and windows of a call with it (a turn of `……` is part of a
    /// call, not a record of its own), having checked each record's text itself.
    pub(crate) fn classify_unchecked(&self, texts: &[&str], explain: bool) -> Result<Vec<Report>> {
        use rayon::prelude::*;
        let v = self.model.vectorizer();
        let prepare = |t: &&str| {
            let a = Analysis::new(t);
            if explain {
                let (x, spans) = v.vectorize_with_spans(&a);
                (a, x, spans)
            } else {
                let x = v.vectorize(&a);
                (a, x, Vec::new())
            }
        };
        // One message (a cold `classify`) is not worth waking a thread pool for.
        let prepared: Vec<_> = if texts.len() < 2 {
            texts.iter().map(prepare).collect()
        } else {
            texts.par_iter().map(prepare).collect()
        };
        let preds = self.predict_bucketed(prepared.iter().map(|(_, x, _)| x).collect())?;
        let decision = self.model.decision();
        Ok(prepared
            .into_iter()
            .zip(preds)
            .zip(texts)
            .map(|(((mut a, x, spans), p), text)| {
                let impersonation = a.impersonation.take();
                let kinds: Vec<signals::SignalKind> = a.signals.iter().map(|s| s.kind).collect();
                let rule = verdict::overrule(&kinds, impersonation.as_ref());
                let verdict = verdict::decide_with(&p, &decision, rule);
                let advice = advice::advise(&verdict, &kinds, impersonation.as_ref());
                let (evidence, signals) = if explain {
                    (
                        explain::evidence(
                            &self.model,
                            text,
                            &a,
                            &x,
                            &spans,
                            &verdict,
                            self.evidence_per_target,
                        ),
                        explain::signal_hits(text, &a),
                    )
                } else {
                    (Vec::new(), Vec::new())
                };
                Report {
                    text: text.to_string(),
                    verdict,
                    evidence,
                    signals,
                    impersonation,
                    advice,
                }
            })
            .collect())
    }

    /// Runs the model over `vectors`, in input order. The model takes a padded
    /// `[batch, max nnz]` input, so a batch mixing short and long messages pays for the longest
    /// on every row: the vectors are sorted by length and cut into runs of similar length, each
    /// its own model call, in parallel. Padding only adds zeros to a row's sum; the verdict
    /// probabilities may still differ in the last float bit with the shape of the call (tract's
    /// softmax), as they always did between batch sizes.
    fn predict_bucketed(
        &self,
        vectors: Vec<&features::SparseVector>,
    ) -> Result<Vec<model::Prediction>> {
        use rayon::prelude::*;
        /// A run grows while its longest vector is at most this much longer than its shortest …
        const SLACK: f64 = 1.25;
        /// … or while it is smaller than this (a model call has a fixed cost).
        const MIN_RUN: usize = 64;
        let n = vectors.len();
        if n <= MIN_RUN {
            let owned: Vec<features::SparseVector> = vectors.into_iter().cloned().collect();
            return self.model.predict(&owned);
        }
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by_key(|&i| vectors[i].nnz());
        let mut runs: Vec<&[usize]> = Vec::new();
        let mut start = 0;
        for end in 1..=n {
            let close = end == n || {
                let first = vectors[order[start]].nnz().max(1) as f64;
                let next = vectors[order[end]].nnz() as f64;
                end - start >= MIN_RUN && next > first * SLACK
            };
            if close {
                runs.push(&order[start..end]);
                start = end;
            }
        }
        let scored: Vec<Vec<model::Prediction>> = runs
            .par_iter()
            .map(|run| {
                let batch: Vec<features::SparseVector> =
                    run.iter().map(|&i| vectors[i].clone()).collect();
                self.model.predict(&batch)
            })
            .collect::<Result<_>>()?;
        let mut out: Vec<Option<model::Prediction>> = vec![None; n];
        for (run, preds) in runs.iter().zip(scored) {
            for (&i, p) in run.iter().zip(preds) {
                out[i] = Some(p);
            }
        }
        Ok(out
            .into_iter()
            .map(|p| p.expect("every vector scored"))
            .collect())
    }
}
