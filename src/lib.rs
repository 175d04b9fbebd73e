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
pub mod report;
pub mod signals;
pub mod tokenize;
pub mod train;
pub mod verdict;

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

/// Scores messages with a model. Cheap to share across threads.
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

    /// Overrides the model's scam threshold.
    pub fn with_scam_threshold(mut self, t: f32) -> Self {
        self.model.set_scam_threshold(t);
        self
    }

    /// Classifies one message with full explanations.
    pub fn classify(&self, text: &str) -> Result<Report> {
        Ok(self.classify_batch(&[text], true)?.remove(0))
    }

    /// Classifies a batch. With `explain` false, evidence and signal spans are left empty (faster);
    /// the impersonation check and the advice are always given.
    pub fn classify_batch(&self, texts: &[&str], explain: bool) -> Result<Vec<Report>> {
        use rayon::prelude::*;
        let v = self.model.vectorizer();
        let prepared: Vec<_> = texts
            .par_iter()
            .map(|t| {
                let a = Analysis::new(t);
                if explain {
                    let (x, spans) = v.vectorize_with_spans(&a);
                    (a, x, spans)
                } else {
                    let x = v.vectorize(&a);
                    (a, x, Vec::new())
                }
            })
            .collect();
        let vectors: Vec<_> = prepared.iter().map(|(_, x, _)| x.clone()).collect();
        let preds = self.model.predict(&vectors)?;
        let decision = self.model.decision();
        Ok(prepared
            .into_iter()
            .zip(preds)
            .zip(texts)
            .map(|(((a, x, spans), p), text)| {
                let verdict = verdict::decide(&p, &decision);
                let impersonation = contacts::check(&a.normalized, text);
                let kinds: Vec<signals::SignalKind> = a.signals.iter().map(|s| s.kind).collect();
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
}
