//! Result writers: JSONL (default) and CSV, one output row per input record, results or errors.

use crate::labels::Pattern;
use serde::Serialize;
use std::io::Write;

/// Evidence as written to output files.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct OutEvidence {
    pub start: usize,
    pub end: usize,
    pub text: String,
    pub pattern: String,
    pub weight: f32,
}

/// The scoring result of one record.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct OutResult {
    pub verdict: String,
    pub score: f32,
    pub p_legit: f32,
    pub p_spam: f32,
    pub p_scam: f32,
    /// Score per pattern, in [`Pattern::ALL`] order, keyed by name.
    pub patterns: serde_json::Map<String, serde_json::Value>,
    pub flagged: Vec<String>,
    pub evidence: Vec<OutEvidence>,
    pub signals: Vec<String>,
}

/// One output row: where the record came from and either its result or why it failed.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct OutputRow {
    pub source: String,
    pub record: u64,
    pub line: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sender: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub result: Option<OutResult>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub truncated: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Writes output rows in some format.
pub trait ResultWriter: Send {
    fn write(&mut self, row: &OutputRow) -> std::io::Result<()>;
    /// Flushes everything written so far (called after each batch).
    fn flush(&mut self) -> std::io::Result<()>;
}

pub struct JsonlWriter<W: Write> {
    out: W,
}

impl<W: Write> JsonlWriter<W> {
    pub fn new(out: W) -> Self {
        JsonlWriter { out }
    }
}

impl<W: Write + Send> ResultWriter for JsonlWriter<W> {
    fn write(&mut self, row: &OutputRow) -> std::io::Result<()> {
        serde_json::to_writer(&mut self.out, row)?;
        self.out.write_all(b"\n")
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

pub struct CsvWriter<W: Write> {
    out: csv::Writer<W>,
    header_done: bool,
}

impl<W: Write> CsvWriter<W> {
    pub fn new(out: W) -> Self {
        CsvWriter {
            out: csv::WriterBuilder::new().from_writer(out),
            header_done: false,
        }
    }
}

fn csv_err(e: csv::Error) -> std::io::Error {
    std::io::Error::other(e)
}

impl<W: Write + Send> ResultWriter for CsvWriter<W> {
    fn write(&mut self, row: &OutputRow) -> std::io::Result<()> {
        if !self.header_done {
            let mut h: Vec<String> = ["source", "record", "line", "id", "sender", "date", "verdict", "score", "p_legit", "p_spam", "p_scam"]
                .iter()
                .map(|s| s.to_string())
                .collect();
            h.extend(Pattern::ALL.iter().map(|p| p.name().to_string()));
            h.extend(["flagged", "evidence", "signals", "truncated", "error"].iter().map(|s| s.to_string()));
            self.out.write_record(&h).map_err(csv_err)?;
            self.header_done = true;
        }
        let opt = |s: &Option<String>| s.clone().unwrap_or_default();
        let mut rec = vec![
            row.source.clone(),
            row.record.to_string(),
            row.line.to_string(),
            opt(&row.id),
            opt(&row.sender),
            opt(&row.date),
        ];
        match &row.result {
            Some(r) => {
                rec.push(r.verdict.clone());
                rec.extend([r.score, r.p_legit, r.p_spam, r.p_scam].iter().map(|v| format!("{v:.4}")));
                for p in Pattern::ALL {
                    let v = r.patterns.get(p.name()).and_then(|v| v.as_f64()).unwrap_or(0.0);
                    rec.push(format!("{v:.4}"));
                }
                rec.push(r.flagged.join(";"));
                rec.push(
                    r.evidence
                        .iter()
                        .map(|e| format!("{}({})", e.text, e.pattern))
                        .collect::<Vec<_>>()
                        .join(" | "),
                );
                rec.push(r.signals.join(";"));
            }
            None => rec.extend(std::iter::repeat_n(String::new(), 5 + Pattern::ALL.len() + 3)),
        }
        rec.push(if row.truncated { "true".into() } else { String::new() });
        rec.push(opt(&row.error));
        self.out.write_record(&rec).map_err(csv_err)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}
