//! Records in, results out. Input formats are readers yielding [`Record`]s or per-record errors;
//! output formats are [`ResultWriter`]s. Neither knows about the model.

pub mod csv_in;
pub mod jsonl;
pub mod labelled;
pub mod writer;

use crate::error::{Error, Result};
use crate::labels::Channel;
use serde::Serialize;
use std::path::Path;

/// Longest text scored, in characters; longer texts are cut to this and flagged `truncated`.
pub const MAX_TEXT_CHARS: usize = 20_000;

/// One message read from an input.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Record {
    /// File name (or `-` for stdin).
    pub source: String,
    /// Line number (JSONL, text), or line of the row (CSV): where to look in the file.
    pub line: u64,
    /// Record number within the source, from 1.
    pub index: u64,
    pub id: Option<String>,
    pub sender: Option<String>,
    pub date: Option<String>,
    pub channel: Option<Channel>,
    pub text: String,
    /// The text was longer than [`MAX_TEXT_CHARS`] and was cut.
    pub truncated: bool,
}

/// A record that could not be read; the batch goes on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecordError {
    pub source: String,
    pub line: u64,
    pub index: u64,
    pub reason: String,
}

impl std::fmt::Display for RecordError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.source, self.line, self.reason)
    }
}

impl From<RecordError> for Error {
    fn from(e: RecordError) -> Self {
        Error::Record {
            source_name: e.source,
            line: e.line,
            reason: e.reason,
        }
    }
}

pub type RecordResult = std::result::Result<Record, RecordError>;

/// A streaming source of records.
pub type RecordStream = Box<dyn Iterator<Item = RecordResult> + Send>;

/// Input formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum InputFormat {
    Jsonl,
    Csv,
    Tsv,
    /// One message per line.
    Text,
}

/// Options that tell a reader where the fields are.
#[derive(Debug, Clone, Default)]
pub struct ReaderOptions {
    /// JSON field or CSV column holding the text (detected when `None`).
    pub text_field: Option<String>,
    pub id_field: Option<String>,
    pub sender_field: Option<String>,
    pub date_field: Option<String>,
}

/// Guesses the format from the file name, then from the first bytes.
pub fn detect_format(name: &str, head: &[u8]) -> InputFormat {
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".jsonl") || lower.ends_with(".ndjson") || lower.ends_with(".json") {
        return InputFormat::Jsonl;
    }
    if lower.ends_with(".csv") {
        return InputFormat::Csv;
    }
    if lower.ends_with(".tsv") {
        return InputFormat::Tsv;
    }
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let first = head.iter().copied().find(|b| !b.is_ascii_whitespace());
    if first == Some(b'{') {
        return InputFormat::Jsonl;
    }
    let line = head.split(|&b| b == b'\n').next().unwrap_or_default();
    if line.contains(&b'\t') {
        InputFormat::Tsv
    } else if line.contains(&b',') && line.len() < 200 && line.is_ascii() {
        InputFormat::Csv
    } else {
        InputFormat::Text
    }
}

/// Opens `path` (`-` for stdin) as a stream of records.
pub fn open(path: &Path, format: Option<InputFormat>, opts: &ReaderOptions) -> Result<RecordStream> {
    use std::io::{BufRead, BufReader};
    let name = path.display().to_string();
    let mut reader: Box<dyn BufRead + Send> = if name == "-" {
        Box::new(BufReader::with_capacity(1 << 16, std::io::stdin()))
    } else {
        let f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
        if f.metadata().map(|m| m.is_dir()).unwrap_or(false) {
            return Err(Error::Invalid(format!("{name}: is a directory")));
        }
        Box::new(BufReader::with_capacity(1 << 16, f))
    };
    let format = match format {
        Some(f) => f,
        None => {
            let head = reader.fill_buf().map_err(|e| Error::io(path, e))?.to_vec();
            detect_format(&name, &head)
        }
    };
    Ok(match format {
        InputFormat::Jsonl => Box::new(jsonl::JsonlReader::new(reader, name, opts.clone())),
        InputFormat::Text => Box::new(jsonl::TextLineReader::new(reader, name)),
        InputFormat::Csv => csv_in::open(reader, name, b',', opts)?,
        InputFormat::Tsv => csv_in::open(reader, name, b'\t', opts)?,
    })
}

/// Checks and trims a text field; shared by every reader so all formats behave alike.
pub(crate) fn finish_record(mut r: Record) -> RecordResult {
    if r.text.trim().is_empty() {
        return Err(RecordError {
            source: r.source,
            line: r.line,
            index: r.index,
            reason: "empty text".into(),
        });
    }
    if r.text.contains('\0') {
        r.text = r.text.replace('\0', " ");
    }
    if let Some((cut, _)) = r.text.char_indices().nth(MAX_TEXT_CHARS) {
        r.text.truncate(cut);
        r.truncated = true;
    }
    Ok(r)
}
