//! Stage 4: the model — one ONNX file that carries the linear model, the label and pattern names,
//! the feature configuration, the decision thresholds and the training fingerprint — run through
//! `ort` on either engine.

pub mod engine;
pub mod onnx;

pub use engine::{active_engine, init_engine, EngineChoice, EngineInfo};
pub use onnx::LinearParams;

use crate::error::{Error, Result};
use crate::features::{FeatureConfig, SparseVector, Vectorizer};
use crate::labels::{pattern_names, verdict_names, Pattern, Verdict};
use ort::session::Session;
use ort::value::TensorRef;
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::sync::Mutex;

/// Format marker and version written into every model's metadata.
pub const MODEL_FORMAT: &str = "posguard-model";
pub const MODEL_FORMAT_VERSION: u32 = 1;

/// The shipped default model, compiled into the binary.
pub static DEFAULT_MODEL: &[u8] = include_bytes!("../../models/default.onnx");

mod keys {
    pub const FORMAT: &str = "posguard.format";
    pub const FORMAT_VERSION: &str = "posguard.format_version";
    pub const VERDICTS: &str = "posguard.verdicts";
    pub const PATTERNS: &str = "posguard.patterns";
    pub const FEATURES: &str = "posguard.feature_config";
    pub const DECISION: &str = "posguard.decision";
    pub const TRAINING: &str = "posguard.training";
}

/// How probabilities become a verdict and pattern flags. Chosen on held-out data at training.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    /// A message is a scam when P(scam) reaches this.
    pub scam_threshold: f32,
    /// A pattern is flagged when its probability reaches this.
    pub pattern_threshold: f32,
    /// Temperature applied to the verdict logits (already folded into the weights; informational).
    pub temperature: f32,
}

impl Default for Decision {
    fn default() -> Self {
        Decision {
            scam_threshold: 0.5,
            pattern_threshold: 0.5,
            temperature: 1.0,
        }
    }
}

/// Where a model came from.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TrainingInfo {
    /// sha256 over the training records (text, verdict, patterns) in order.
    pub fingerprint: String,
    pub records: usize,
    /// Per input source: name and number of records.
    pub sources: Vec<(String, usize)>,
    /// Training options, as given.
    pub options: serde_json::Value,
    /// Held-out metrics measured at training time.
    pub heldout: serde_json::Value,
}

/// Everything in a model file besides the weights.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelMeta {
    pub verdicts: Vec<String>,
    pub patterns: Vec<String>,
    pub features: FeatureConfig,
    pub decision: Decision,
    pub training: TrainingInfo,
}

impl ModelMeta {
    pub(crate) fn to_pairs(&self) -> Vec<(String, String)> {
        let j = |v: &dyn erased::Ser| v.json();
        vec![
            (keys::FORMAT.into(), MODEL_FORMAT.into()),
            (
                keys::FORMAT_VERSION.into(),
                MODEL_FORMAT_VERSION.to_string(),
            ),
            (keys::VERDICTS.into(), j(&self.verdicts)),
            (keys::PATTERNS.into(), j(&self.patterns)),
            (keys::FEATURES.into(), j(&self.features)),
            (keys::DECISION.into(), j(&self.decision)),
            (keys::TRAINING.into(), j(&self.training)),
        ]
    }

    fn from_pairs(pairs: &[(String, String)]) -> std::result::Result<Self, String> {
        let get = |k: &str| {
            pairs
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.as_str())
                .ok_or_else(|| format!("metadata {k} is missing (not a posguard model?)"))
        };
        let format = get(keys::FORMAT)?;
        if format != MODEL_FORMAT {
            return Err(format!(
                "metadata {} is {format:?}, not {MODEL_FORMAT:?}",
                keys::FORMAT
            ));
        }
        let version = get(keys::FORMAT_VERSION)?;
        if version != MODEL_FORMAT_VERSION.to_string() {
            return Err(format!(
                "model format version {version}, this posguard reads version {MODEL_FORMAT_VERSION}"
            ));
        }
        fn parse<T: serde::de::DeserializeOwned>(
            k: &str,
            v: &str,
        ) -> std::result::Result<T, String> {
            serde_json::from_str(v).map_err(|e| format!("metadata {k} is malformed: {e}"))
        }
        let meta = ModelMeta {
            verdicts: parse(keys::VERDICTS, get(keys::VERDICTS)?)?,
            patterns: parse(keys::PATTERNS, get(keys::PATTERNS)?)?,
            features: parse(keys::FEATURES, get(keys::FEATURES)?)?,
            decision: parse(keys::DECISION, get(keys::DECISION)?)?,
            training: parse(keys::TRAINING, get(keys::TRAINING)?)?,
        };
        if meta.verdicts != verdict_names() {
            return Err(format!(
                "model verdicts are {:?}, this posguard uses {:?}",
                meta.verdicts,
                verdict_names()
            ));
        }
        if meta.patterns != pattern_names() {
            return Err(format!(
                "model patterns are {:?}, this posguard uses {:?}",
                meta.patterns,
                pattern_names()
            ));
        }
        let d = meta.decision;
        let ok = |v: f32| v.is_finite() && (0.0..=1.0).contains(&v);
        if !ok(d.scam_threshold)
            || !ok(d.pattern_threshold)
            || !d.temperature.is_finite()
            || d.temperature <= 0.0
        {
            return Err("decision thresholds out of range".into());
        }
        Ok(meta)
    }
}

mod erased {
    pub trait Ser {
        fn json(&self) -> String;
    }
    impl<T: serde::Serialize> Ser for T {
        fn json(&self) -> String {
            serde_json::to_string(self).expect("metadata serialises")
        }
    }
}

/// Probabilities for one message.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Prediction {
    /// Indexed by [`Verdict::index`].
    pub verdict: [f32; 3],
    /// Indexed by [`Pattern::index`].
    pub patterns: [f32; 7],
}

impl Prediction {
    pub fn prob(&self, v: Verdict) -> f32 {
        self.verdict[v.index()]
    }
    pub fn pattern(&self, p: Pattern) -> f32 {
        self.patterns[p.index()]
    }
}

/// A loaded, validated model ready to score.
pub struct Model {
    origin: String,
    bytes: Vec<u8>,
    meta: ModelMeta,
    vectorizer: Vectorizer,
    params: LinearParams,
    sessions: Mutex<Vec<Session>>,
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Model")
            .field("origin", &self.origin)
            .field("dim", &self.params.dim)
            .finish()
    }
}

impl Model {
    /// Checks and loads a model from its bytes. `origin` names it in errors (a path, "default").
    pub fn from_bytes(bytes: Vec<u8>, origin: &str) -> Result<Model> {
        let parsed = onnx::read_model(&bytes, Verdict::ALL.len(), Pattern::ALL.len())
            .map_err(|r| Error::model(origin, r))?;
        let meta = ModelMeta::from_pairs(&parsed.metadata).map_err(|r| Error::model(origin, r))?;
        if meta.features.vocabulary.len() != parsed.params.dim {
            return Err(Error::model(
                origin,
                format!(
                    "vocabulary has {} features but the weights have {} rows",
                    meta.features.vocabulary.len(),
                    parsed.params.dim
                ),
            ));
        }
        let vectorizer = Vectorizer::new(meta.features.clone()).map_err(|e| match e {
            Error::Model { reason, .. } => Error::model(origin, reason),
            other => other,
        })?;
        Ok(Model {
            origin: origin.to_string(),
            bytes,
            meta,
            vectorizer,
            params: parsed.params,
            sessions: Mutex::new(Vec::new()),
        })
    }

    /// Loads a model file.
    pub fn load(path: &Path) -> Result<Model> {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        Model::from_bytes(bytes, &path.display().to_string())
    }

    /// The default model shipped with posguard.
    pub fn default_model() -> Result<Model> {
        Model::from_bytes(DEFAULT_MODEL.to_vec(), "default (models/default.onnx)")
    }

    /// `path` if given, the default model otherwise.
    pub fn load_or_default(path: Option<&Path>) -> Result<Model> {
        match path {
            Some(p) => Model::load(p),
            None => Model::default_model(),
        }
    }

    pub fn origin(&self) -> &str {
        &self.origin
    }
    pub fn meta(&self) -> &ModelMeta {
        &self.meta
    }
    pub fn vectorizer(&self) -> &Vectorizer {
        &self.vectorizer
    }
    pub fn params(&self) -> &LinearParams {
        &self.params
    }
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }
    pub fn decision(&self) -> Decision {
        self.meta.decision
    }

    /// Overrides the scam threshold stored in the model (for this process only).
    pub fn set_scam_threshold(&mut self, t: f32) {
        self.meta.decision.scam_threshold = t.clamp(0.0, 1.0);
    }

    /// Scores a batch of feature vectors on the active engine (tract unless set up otherwise).
    pub fn predict(&self, batch: &[SparseVector]) -> Result<Vec<Prediction>> {
        if batch.is_empty() {
            return Ok(Vec::new());
        }
        if active_engine().is_none() {
            init_engine(&EngineChoice::Auto)?;
        }
        let n = batch.len();
        let k = batch.iter().map(|v| v.nnz()).max().unwrap_or(0).max(1);
        let mut ids = vec![0i64; n * k];
        let mut vals = vec![0f32; n * k];
        for (r, v) in batch.iter().enumerate() {
            for (c, (&id, &x)) in v.ids.iter().zip(&v.values).enumerate() {
                ids[r * k + c] = id as i64;
                vals[r * k + c] = x;
            }
        }
        let mut session = match self
            .sessions
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .pop()
        {
            Some(s) => s,
            None => engine::session(&self.bytes)?,
        };
        let result = (|| -> Result<Vec<Prediction>> {
            let outputs = session.run(ort::inputs![
                onnx::INPUT_IDS => TensorRef::from_array_view(([n, k], &ids[..]))?,
                onnx::INPUT_VALUES => TensorRef::from_array_view(([n, k], &vals[..]))?,
            ])?;
            let (_, vp) = outputs[onnx::OUTPUT_VERDICT].try_extract_tensor::<f32>()?;
            let (_, pp) = outputs[onnx::OUTPUT_PATTERNS].try_extract_tensor::<f32>()?;
            if vp.len() != n * 3 || pp.len() != n * 7 {
                return Err(Error::Engine(
                    "model returned outputs of the wrong size".into(),
                ));
            }
            Ok((0..n)
                .map(|r| {
                    let mut p = Prediction {
                        verdict: [0.0; 3],
                        patterns: [0.0; 7],
                    };
                    p.verdict.copy_from_slice(&vp[r * 3..r * 3 + 3]);
                    p.patterns.copy_from_slice(&pp[r * 7..r * 7 + 7]);
                    p
                })
                .collect())
        })();
        self.sessions
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(session);
        result
    }

    /// The same linear model evaluated directly in Rust (no engine). Used to explain verdicts and
    /// to cross-check engines; agrees with [`predict`](Self::predict) to float rounding.
    pub fn logits(&self, v: &SparseVector) -> Vec<f32> {
        let c = self.params.n_outputs();
        let mut z = self.params.bias.clone();
        for (&id, &x) in v.ids.iter().zip(&v.values) {
            let row = &self.params.weights[id as usize * c..(id as usize + 1) * c];
            for (zi, w) in z.iter_mut().zip(row) {
                *zi += w * x;
            }
        }
        z
    }
}
