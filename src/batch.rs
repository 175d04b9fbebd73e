//! The batch driver: reads records, scores them in batches (in parallel within a batch), writes
//! one output row per input record in input order, and keeps a summary. It knows neither the input
//! format nor the model's internals.

use crate::io::writer::{OutEvidence, OutResult, OutputRow, ResultWriter};
use crate::io::{Record, RecordResult};
use crate::labels::{Pattern, Verdict};
use crate::{Classifier, Error, Result};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
pub struct BatchOptions {
    /// Records scored together (one model call).
    pub batch_size: usize,
    /// Compute evidence spans (slower).
    pub explain: bool,
    /// Write only results with this verdict (errors are always written).
    pub only: Option<Verdict>,
}

impl Default for BatchOptions {
    fn default() -> Self {
        BatchOptions {
            batch_size: 1024,
            explain: true,
            only: None,
        }
    }
}

/// What a batch run saw.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Summary {
    pub records: u64,
    pub scored: u64,
    pub errors: u64,
    pub truncated: u64,
    pub written: u64,
    pub by_verdict: BTreeMap<String, u64>,
    /// Flagged patterns among scams.
    pub by_pattern: BTreeMap<String, u64>,
    /// Senders with the most scam verdicts.
    pub top_scam_senders: Vec<(String, u64)>,
    #[serde(skip)]
    sender_counts: BTreeMap<String, u64>,
}

impl Summary {
    fn finish(&mut self) {
        let mut v: Vec<_> = self.sender_counts.iter().map(|(k, c)| (k.clone(), *c)).collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        v.truncate(10);
        self.top_scam_senders = v;
    }
}

/// Scores every record of `input` and writes one row per record. `progress` is called with the
/// number of records done after each batch.
pub fn run(
    classifier: &Classifier,
    input: impl Iterator<Item = RecordResult>,
    writer: &mut dyn ResultWriter,
    opts: &BatchOptions,
    progress: &mut dyn FnMut(u64),
) -> Result<Summary> {
    let mut summary = Summary::default();
    let mut pending: Vec<RecordResult> = Vec::with_capacity(opts.batch_size);
    let mut input = input.peekable();
    while input.peek().is_some() {
        pending.clear();
        pending.extend(input.by_ref().take(opts.batch_size.max(1)));
        score_batch(classifier, &pending, writer, opts, &mut summary)?;
        writer
            .flush()
            .map_err(|e| Error::io(PathBuf::from("output"), e))?;
        progress(summary.records);
    }
    summary.finish();
    Ok(summary)
}

fn score_batch(
    classifier: &Classifier,
    batch: &[RecordResult],
    writer: &mut dyn ResultWriter,
    opts: &BatchOptions,
    summary: &mut Summary,
) -> Result<()> {
    let texts: Vec<&str> = batch
        .iter()
        .filter_map(|r| r.as_ref().ok().map(|r| r.text.as_str()))
        .collect();
    let mut reports = classifier.classify_batch(&texts, opts.explain)?.into_iter();
    let write = |writer: &mut dyn ResultWriter, row: &OutputRow| {
        writer
            .write(row)
            .map_err(|e| Error::io(PathBuf::from("output"), e))
    };
    for r in batch {
        summary.records += 1;
        match r {
            Err(e) => {
                summary.errors += 1;
                summary.written += 1;
                write(
                    writer,
                    &OutputRow {
                        source: e.source.clone(),
                        record: e.index,
                        line: e.line,
                        id: None,
                        sender: None,
                        date: None,
                        result: None,
                        truncated: false,
                        error: Some(e.reason.clone()),
                    },
                )?;
            }
            Ok(rec) => {
                let report = reports.next().expect("one report per text");
                summary.scored += 1;
                summary.truncated += rec.truncated as u64;
                let v = report.verdict.verdict;
                *summary.by_verdict.entry(v.name().to_string()).or_default() += 1;
                let flagged = report.verdict.flagged_patterns();
                if v == Verdict::Scam {
                    for p in &flagged {
                        *summary.by_pattern.entry(p.pattern.name().to_string()).or_default() += 1;
                    }
                    if let Some(s) = &rec.sender {
                        *summary.sender_counts.entry(s.clone()).or_default() += 1;
                    }
                }
                if opts.only.is_some_and(|o| o != v) {
                    continue;
                }
                summary.written += 1;
                write(writer, &row_for(rec, &report))?;
            }
        }
    }
    Ok(())
}

fn row_for(rec: &Record, report: &crate::Report) -> OutputRow {
    let v = &report.verdict;
    let mut patterns = serde_json::Map::new();
    for p in Pattern::ALL {
        let s = v.patterns[p.index()].score;
        patterns.insert(p.name().into(), serde_json::json!(s));
    }
    let mut signals: Vec<String> = report.signals.iter().map(|s| s.signal.name().to_string()).collect();
    signals.dedup();
    OutputRow {
        source: rec.source.clone(),
        record: rec.index,
        line: rec.line,
        id: rec.id.clone(),
        sender: rec.sender.clone(),
        date: rec.date.clone(),
        result: Some(OutResult {
            verdict: v.verdict.name().into(),
            score: v.score,
            p_legit: v.probabilities.legit,
            p_spam: v.probabilities.spam,
            p_scam: v.probabilities.scam,
            patterns,
            flagged: v.flagged_patterns().iter().map(|p| p.pattern.name().to_string()).collect(),
            evidence: report
                .evidence
                .iter()
                .map(|e| OutEvidence {
                    start: e.start,
                    end: e.end,
                    text: e.text.clone(),
                    pattern: e.pattern.clone(),
                    weight: e.weight,
                })
                .collect(),
            signals,
        }),
        truncated: rec.truncated,
        error: None,
    }
}

/// An output file written under a temporary name and renamed into place on success, so a reader
/// never mistakes a half-written file for a finished one; after a crash or Ctrl-C the completed
/// rows are in `<name>.partial`.
pub struct OutputFile {
    final_path: PathBuf,
    partial_path: PathBuf,
    file: Option<std::io::BufWriter<std::fs::File>>,
}

impl OutputFile {
    pub fn create(path: &Path) -> Result<OutputFile> {
        let partial_path = partial_path(path);
        let f = std::fs::File::create(&partial_path).map_err(|e| Error::io(&partial_path, e))?;
        Ok(OutputFile {
            final_path: path.to_path_buf(),
            partial_path,
            file: Some(std::io::BufWriter::with_capacity(1 << 16, f)),
        })
    }

    pub fn partial_path(&self) -> &Path {
        &self.partial_path
    }

    /// The writer to hand to a [`ResultWriter`].
    pub fn writer(&mut self) -> OutputHandle<'_> {
        OutputHandle(self.file.as_mut().expect("open output"))
    }

    /// Flushes, syncs and renames the file into place.
    pub fn commit(mut self) -> Result<()> {
        use std::io::Write;
        let mut f = self.file.take().expect("open output");
        f.flush().map_err(|e| Error::io(&self.partial_path, e))?;
        let f = f.into_inner().map_err(|e| Error::io(&self.partial_path, e.into_error()))?;
        f.sync_all().map_err(|e| Error::io(&self.partial_path, e))?;
        std::fs::rename(&self.partial_path, &self.final_path).map_err(|e| Error::io(&self.final_path, e))
    }
}

/// `<path>.partial`.
pub fn partial_path(path: &Path) -> PathBuf {
    let mut p = path.as_os_str().to_owned();
    p.push(".partial");
    PathBuf::from(p)
}

/// Borrowed writer into an [`OutputFile`].
pub struct OutputHandle<'a>(&'a mut std::io::BufWriter<std::fs::File>);

impl std::io::Write for OutputHandle<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}
