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

/// Largest model file read (the default model is under 1 MiB).
pub const MAX_MODEL_BYTES: u64 = 512 << 20;

/// Why a model file was refused: each check made before a model is used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ModelCheck {
    #[error("file is empty")]
    Empty,
    #[error("file is {bytes} bytes, larger than the {max}-byte limit for a model")]
    TooLarge { bytes: u64, max: u64 },
    #[error("not an ONNX model ({0})")]
    NotOnnx(String),
    /// The graph is not posguard's linear graph (other operators, inputs, constants, opsets).
    #[error("{0}")]
    Graph(String),
    #[error("tensor {tensor} has shape {shape:?}, expected {expected}")]
    TensorShape {
        tensor: String,
        shape: Vec<i64>,
        expected: String,
    },
    #[error("tensor {tensor}: {reason}")]
    TensorData { tensor: String, reason: String },
    #[error("tensor {tensor} holds NaN or infinity (value {index})")]
    NonFinite { tensor: String, index: usize },
    #[error("metadata {0} is missing (not a posguard model?)")]
    MissingMetadata(String),
    #[error("metadata {key} is {found:?}, not {MODEL_FORMAT:?}")]
    NotPosguard { key: String, found: String },
    #[error("model format version {found}, this posguard reads version {MODEL_FORMAT_VERSION}")]
    FormatVersion { found: String },
    #[error("metadata {key} is malformed: {reason}")]
    Metadata { key: String, reason: String },
    /// Verdict or pattern names other than this build's.
    #[error("model {what} are {found:?}, this posguard uses {expected:?}")]
    Labels {
        what: &'static str,
        found: Vec<String>,
        expected: Vec<String>,
    },
    /// The feature configuration cannot be reproduced by this build (feature or normaliser
    /// version, dictionary, n-gram ranges) or is inconsistent (IDF values).
    #[error("{0}")]
    FeatureConfig(String),
    #[error("vocabulary has {vocabulary} features but the weights have {rows} rows")]
    Vocabulary { vocabulary: usize, rows: usize },
    #[error("decision thresholds out of range")]
    Decision,
}

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
    /// Which pattern heads were trained, by [`Pattern::index`]. A head fitted on no pattern labels
    /// (a model trained on data without them) scores every text the same; it is never flagged and
    /// its score is not reported. Not stored: read off the weights when a model is loaded
    /// ([`LinearParams::trained_heads`]).
    #[serde(skip, default = "all_heads_trained")]
    pub trained_patterns: [bool; Pattern::ALL.len()],
}

fn all_heads_trained() -> [bool; Pattern::ALL.len()] {
    [true; Pattern::ALL.len()]
}

impl Default for Decision {
    fn default() -> Self {
        Decision {
            scam_threshold: 0.5,
            pattern_threshold: 0.5,
            temperature: 1.0,
            trained_patterns: all_heads_trained(),
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
    /// The calibrated second stage folded into the weights (inputs, coefficients), if any.
    #[serde(default, skip_serializing_if = "serde_json::Value::is_null")]
    pub second_stage: serde_json::Value,
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

    fn from_pairs(pairs: &[(String, String)]) -> std::result::Result<Self, ModelCheck> {
        let get = |k: &str| {
            let mut it = pairs.iter().filter(|(key, _)| key == k);
            match (it.next(), it.next()) {
                (Some((_, v)), None) => Ok(v.as_str()),
                (None, _) => Err(ModelCheck::MissingMetadata(k.to_string())),
                (Some(_), Some(_)) => Err(ModelCheck::Metadata {
                    key: k.to_string(),
                    reason: "given twice".into(),
                }),
            }
        };
        let format = get(keys::FORMAT)?;
        if format != MODEL_FORMAT {
            return Err(ModelCheck::NotPosguard {
                key: keys::FORMAT.into(),
                found: format.chars().take(64).collect(),
            });
        }
        let version = get(keys::FORMAT_VERSION)?;
        if version != MODEL_FORMAT_VERSION.to_string() {
            return Err(ModelCheck::FormatVersion {
                found: version.chars().take(64).collect(),
            });
        }
        fn parse<T: serde::de::DeserializeOwned>(
            k: &str,
            v: &str,
        ) -> std::result::Result<T, ModelCheck> {
            serde_json::from_str(v).map_err(|e| ModelCheck::Metadata {
                key: k.to_string(),
                reason: e.to_string(),
            })
        }
        let meta = ModelMeta {
            verdicts: parse(keys::VERDICTS, get(keys::VERDICTS)?)?,
            patterns: parse(keys::PATTERNS, get(keys::PATTERNS)?)?,
            features: parse(keys::FEATURES, get(keys::FEATURES)?)?,
            decision: parse(keys::DECISION, get(keys::DECISION)?)?,
            training: parse(keys::TRAINING, get(keys::TRAINING)?)?,
        };
        if meta.verdicts != verdict_names() {
            return Err(ModelCheck::Labels {
                what: "verdicts",
                found: meta.verdicts,
                expected: verdict_names(),
            });
        }
        if meta.patterns != pattern_names() {
            return Err(ModelCheck::Labels {
                what: "patterns",
                found: meta.patterns,
                expected: pattern_names(),
            });
        }
        let d = meta.decision;
        let ok = |v: f32| v.is_finite() && (0.0..=1.0).contains(&v);
        if !ok(d.scam_threshold)
            || !ok(d.pattern_threshold)
            || !d.temperature.is_finite()
            || d.temperature <= 0.0
        {
            return Err(ModelCheck::Decision);
        }
        meta.features
            .check_compatible()
            .map_err(ModelCheck::FeatureConfig)?;
        if let Some(i) = meta
            .features
            .idf
            .iter()
            .position(|v| !v.is_finite() || *v < 0.0)
        {
            return Err(ModelCheck::FeatureConfig(format!(
                "idf value {i} is {} (must be finite and not negative)",
                meta.features.idf[i]
            )));
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

/// `t` when it is a probability (0 to 1), an error saying why otherwise.
pub fn check_probability(t: f32) -> Result<f32> {
    if (0.0..=1.0).contains(&t) {
        Ok(t)
    } else {
        Err(Error::Invalid(format!(
            "a threshold must be a probability from 0 to 1, not {t}"
        )))
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
        let refuse = |check: ModelCheck| Error::ModelCheck {
            origin: origin.to_string(),
            check,
        };
        if bytes.len() as u64 > MAX_MODEL_BYTES {
            return Err(refuse(ModelCheck::TooLarge {
                bytes: bytes.len() as u64,
                max: MAX_MODEL_BYTES,
            }));
        }
        let parsed =
            onnx::read_model(&bytes, Verdict::ALL.len(), Pattern::ALL.len()).map_err(refuse)?;
        let mut meta = ModelMeta::from_pairs(&parsed.metadata).map_err(refuse)?;
        meta.decision.trained_patterns = parsed.params.trained_heads();
        if meta.features.vocabulary.len() != parsed.params.dim {
            return Err(refuse(ModelCheck::Vocabulary {
                vocabulary: meta.features.vocabulary.len(),
                rows: parsed.params.dim,
            }));
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

    /// Loads a model file, checked before use (see [`ModelCheck`]); a file over
    /// [`MAX_MODEL_BYTES`] is refused before it is read.
    pub fn load(path: &Path) -> Result<Model> {
        use std::io::Read;
        let origin = path.display().to_string();
        let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
        let too_large = |bytes: u64| Error::ModelCheck {
            origin: origin.clone(),
            check: ModelCheck::TooLarge {
                bytes,
                max: MAX_MODEL_BYTES,
            },
        };
        // A regular file is measured before anything is read; a pipe is read up to the limit.
        if let Ok(m) = file.metadata() {
            if m.is_file() && m.len() > MAX_MODEL_BYTES {
                return Err(too_large(m.len()));
            }
        }
        let mut bytes = Vec::new();
        file.take(MAX_MODEL_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| Error::io(path, e))?;
        if bytes.len() as u64 > MAX_MODEL_BYTES {
            return Err(too_large(bytes.len() as u64));
        }
        Model::from_bytes(bytes, &origin)
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

    /// Overrides the scam threshold stored in the model (for this process only). A threshold
    /// that is not a probability (NaN, below 0, above 1) is refused: clamped or compared as NaN it
    /// would quietly turn scam detection off.
    pub fn set_scam_threshold(&mut self, t: f32) -> Result<()> {
        check_probability(t)?;
        self.meta.decision.scam_threshold = t;
        Ok(())
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
