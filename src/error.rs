//! Typed library errors. The CLI wraps them with `anyhow`; embedding programs match on them.

use std::path::PathBuf;

/// Everything that can go wrong inside the library.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file could not be opened, read or written. The cause is part of the message (and not
    /// also the error's `source()`, which error reporters print after it a second time).
    #[error("{path}: {cause}")]
    Io {
        path: PathBuf,
        cause: std::io::Error,
    },

    /// One input record is unusable; the batch goes on with the next one.
    #[error("{source_name}:{line}: {reason}")]
    Record {
        source_name: String,
        line: u64,
        reason: String,
    },

    /// The model file is missing, corrupt, or from another feature version.
    #[error("model {origin}: {reason}")]
    Model { origin: String, reason: String },

    /// A model file failed one of the checks made before it is used (an untrusted file is
    /// checked for format, metadata version, feature configuration, tensor shapes and values).
    #[error("model {origin}: {check}")]
    ModelCheck {
        origin: String,
        check: crate::model::ModelCheck,
    },

    /// The inference engine could not be set up or failed to run.
    #[error("inference engine: {0}")]
    Engine(String),

    /// Training could not proceed (empty data, one class only, solver failure).
    #[error("training: {0}")]
    Train(String),

    /// Invalid option or argument passed to a library function.
    #[error("{0}")]
    Invalid(String),

    /// A text has nothing to judge: it is empty, white space only, or holds no letter, digit or
    /// Chinese character (only punctuation, symbols or emoji), so any verdict would be the model's
    /// bias, not a finding (the readers make such records error rows the same way, see
    /// [`crate::io::nothing_to_judge`]). `index` is the text's place in the slice given to
    /// [`crate::Classifier::classify_batch`] (0 for [`crate::Classifier::classify`]): the first
    /// such text.
    #[error("text {index}: {reason}")]
    NothingToJudge {
        index: usize,
        reason: crate::io::NothingToJudge,
    },

    /// An interrupted run cannot be resumed with these inputs and options (the message says why).
    #[error("cannot resume: {0}")]
    Resume(String),
}

impl Error {
    pub(crate) fn io(path: impl Into<PathBuf>, cause: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            cause,
        }
    }

    pub(crate) fn model(origin: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::Model {
            origin: origin.into(),
            reason: reason.into(),
        }
    }
}

impl From<ort::Error> for Error {
    fn from(e: ort::Error) -> Self {
        Error::Engine(e.to_string())
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
