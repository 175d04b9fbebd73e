//! The batch driver: reads records, scores them in batches, writes one output row per input
//! record in input order, and keeps a summary. It knows neither the input format nor the model's
//! internals.
//!
//! It is a pipeline of three stages joined by bounded channels, so memory stays bounded and
//! reading/parsing overlaps scoring and writing: a reader thread cuts the input into batches, this
//! thread scores each batch (in parallel within the batch, across rayon's threads), and a writer
//! thread writes and flushes each batch. One reader, one scorer and one writer, each in order:
//! output order is input order.
//!
//! Call transcripts (records with turns) are scored as a whole, per sliding window of
//! [`WINDOW_TURNS`] turns (stride [`WINDOW_STRIDE`]) and per turn; the row names the turn where the
//! scam signal peaks: the strongest turn of the window with the highest P(scam).

use crate::io::writer::{
    OutAdvice, OutEvidence, OutResult, OutputRow, PatternScores, ResultWriter,
};
use crate::io::{join_turns, Record, RecordResult, Turn, MAX_TEXT_CHARS};
use crate::labels::{Pattern, Verdict};
use crate::{Classifier, Error, Report, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::Duration;

/// Turns per window when scoring calls.
pub const WINDOW_TURNS: usize = 6;
/// Turns between the starts of two windows.
pub const WINDOW_STRIDE: usize = 3;
/// A call of at least this many turns is judged by its windows too: when the whole call is not a
/// scam but at least [`SCAM_WINDOWS`] of its windows are, the row is the peak window's — verdict,
/// scores, evidence and advice — and says `verdict_from: window`. In a long call a scam passage is
/// a small part of the text, and the rest of the call (greetings, a genuine sale, small talk)
/// dilutes its score: a QA pass met 142-turn calls whose 22 scam turns scored 0.997 as a window and
/// 0.46 as part of the whole. Shorter calls are judged whole (a window is a large part of them, and
/// on the labelled calls here — corpus and teleantifraud dialogues, none longer than 29 turns — a
/// scam window in a call judged not a scam as a whole was a genuine call twice in 2,579, and a
/// scam never).
pub const LONG_CALL_TURNS: usize = 5 * WINDOW_TURNS;
/// Windows of a long call that must reach the scam verdict for the call to be judged by them:
/// two, so that a single passage that merely sounds like a scam (a merchant retelling one) does
/// not decide; a scam passage of nine turns or more fills two overlapping windows.
pub const SCAM_WINDOWS: usize = 2;

#[derive(Debug, Clone)]
pub struct BatchOptions {
    /// Records scored together (one model call).
    pub batch_size: usize,
    /// Compute evidence spans (slower).
    pub explain: bool,
    /// Write only results with this verdict (errors are always written).
    pub only: Option<Verdict>,
    /// When set (Ctrl-C), the run stops after the batch being scored, which is written and flushed;
    /// the summary then says `interrupted`.
    pub stop: Option<Arc<AtomicBool>>,
    /// Resuming: input records to skip (already in the output) …
    pub skip: u64,
    /// … the last of which must be this one, if known …
    pub skip_check: Option<RowKey>,
    /// … and whose [`InputDigest`] must be this, if known (from the checkpoint).
    pub skip_digest: Option<u64>,
}

impl Default for BatchOptions {
    fn default() -> Self {
        BatchOptions {
            batch_size: 1024,
            explain: true,
            only: None,
            stop: None,
            skip: 0,
            skip_check: None,
            skip_digest: None,
        }
    }
}

/// Where a run is, after each written batch.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Progress {
    /// Input records done in this run (skipped ones not included).
    pub records: u64,
    /// Rows written in this run.
    pub written: u64,
    /// Error records in this run.
    pub errors: u64,
    /// With `--only`: the counts of the records scored and left out of the output in this run
    /// (kept in the checkpoint, as no row carries them).
    pub left_out: Option<LeftOut>,
    /// [`InputDigest`] of every input record done, those skipped by a resume included.
    pub digest: u64,
}

/// Counts of scored records that `--only` left out of the output: what a resumed run's summary
/// needs of them, since the rows it finds in the file do not include them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LeftOut {
    pub records: u64,
    pub truncated: u64,
    pub incomplete: u64,
    pub calls: u64,
    pub by_verdict: BTreeMap<String, u64>,
    pub by_pattern: BTreeMap<String, u64>,
    pub sender_counts: BTreeMap<String, u64>,
}

impl LeftOut {
    /// Adds the counts of `other`.
    pub fn add(&mut self, other: &LeftOut) {
        self.records += other.records;
        self.truncated += other.truncated;
        self.incomplete += other.incomplete;
        self.calls += other.calls;
        add_counts(&mut self.by_verdict, &other.by_verdict);
        add_counts(&mut self.by_pattern, &other.by_pattern);
        add_counts(&mut self.sender_counts, &other.sender_counts);
    }
}

/// Adds the counts of `from` to `into`, key by key.
fn add_counts(into: &mut BTreeMap<String, u64>, from: &BTreeMap<String, u64>) {
    for (k, v) in from {
        *into.entry(k.clone()).or_default() += v;
    }
}

/// What a batch run saw.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Summary {
    pub records: u64,
    pub scored: u64,
    pub errors: u64,
    pub truncated: u64,
    /// Records scored with parts left out that could not be read (their rows name them).
    #[serde(skip_serializing_if = "is_zero")]
    pub incomplete: u64,
    pub written: u64,
    /// Call transcripts among the scored records.
    pub calls: u64,
    pub by_verdict: BTreeMap<String, u64>,
    /// Flagged patterns among scams.
    pub by_pattern: BTreeMap<String, u64>,
    /// Senders with the most scam verdicts.
    pub top_scam_senders: Vec<(String, u64)>,
    /// Records taken over from an interrupted run (`--resume`).
    #[serde(skip_serializing_if = "is_zero")]
    pub resumed_records: u64,
    /// The run was stopped (Ctrl-C) before the end of the input.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub interrupted: bool,
    #[serde(skip)]
    sender_counts: BTreeMap<String, u64>,
    /// The part of these counts that `--only` left out of the output.
    #[serde(skip)]
    pub left_out: LeftOut,
}

/// Adds one to `key`'s count (allocating the key only the first time).
fn bump(counts: &mut BTreeMap<String, u64>, key: &str) {
    match counts.get_mut(key) {
        Some(c) => *c += 1,
        None => {
            counts.insert(key.to_string(), 1);
        }
    }
}

/// The sender as counted among the top scam senders: a phone number written with spaces, dashes,
/// brackets or a country code (`+86 138-0013-8000`, `0086…`, `86…`, as phones export contacts) is
/// one sender with its national form (`13800138000`; a landline with its trunk `0`,
/// `+86 10 1234 5678` → `01012345678`); another country's number keeps its `+`; anything else
/// (`10690…`, `95588`, an e-mail, a name) as written, trimmed.
fn sender_key(s: &str) -> String {
    let s = s.trim();
    let is_number = s.chars().any(|c| c.is_ascii_digit())
        && s.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '(' | ')' | '+' | '.'));
    if !is_number {
        return s.to_string();
    }
    let digits: String = s.chars().filter(char::is_ascii_digit).collect();
    let international = if s.trim_start_matches(['(', ' ']).starts_with('+') {
        Some(digits.as_str())
    } else {
        digits.strip_prefix("00")
    };
    let Some(d) = international else {
        // `86` and a mobile number, written without `+`, as the contact check reads numbers.
        return crate::contacts::phone_digits(&digits);
    };
    let Some(national) = d.strip_prefix("86") else {
        return format!("+{d}");
    };
    // Area code and number, written after the country code without the trunk `0` (Beijing's
    // area code is 10; other numbers starting with 1 are mobiles).
    let landline = (9..=11).contains(&national.len())
        && (!national.starts_with(['0', '1'])
            || national.len() == 10 && national.starts_with("10"));
    if landline {
        format!("0{national}")
    } else {
        national.to_string()
    }
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl Summary {
    /// Fills `top_scam_senders`; call once at the end.
    pub fn finish(&mut self) {
        let mut v: Vec<_> = self
            .sender_counts
            .iter()
            .map(|(k, c)| (k.clone(), *c))
            .collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        v.truncate(10);
        self.top_scam_senders = v;
    }

    /// Counts one scored record.
    pub fn count_scored<'a>(
        &mut self,
        verdict: &str,
        flagged: impl IntoIterator<Item = &'a str>,
        sender: Option<&str>,
        truncated: bool,
        incomplete: bool,
    ) {
        self.records += 1;
        self.scored += 1;
        self.truncated += truncated as u64;
        self.incomplete += incomplete as u64;
        bump(&mut self.by_verdict, verdict);
        if verdict == Verdict::Scam.name() {
            for p in flagged {
                bump(&mut self.by_pattern, p);
            }
            if let Some(s) = sender {
                bump(&mut self.sender_counts, &sender_key(s));
            }
        }
    }

    /// Adds the counts of records left out of an earlier part's output (from its checkpoint).
    pub fn add_left_out(&mut self, l: &LeftOut) {
        self.records += l.records;
        self.scored += l.records;
        self.truncated += l.truncated;
        self.incomplete += l.incomplete;
        self.calls += l.calls;
        add_counts(&mut self.by_verdict, &l.by_verdict);
        add_counts(&mut self.by_pattern, &l.by_pattern);
        add_counts(&mut self.sender_counts, &l.sender_counts);
    }

    /// Counts one error record.
    pub fn count_error(&mut self) {
        self.records += 1;
        self.errors += 1;
    }

    /// Adds the counts of `other` (an earlier part of the same run).
    pub fn merge(&mut self, other: &Summary) {
        self.records += other.records;
        self.scored += other.scored;
        self.errors += other.errors;
        self.truncated += other.truncated;
        self.incomplete += other.incomplete;
        self.written += other.written;
        self.calls += other.calls;
        add_counts(&mut self.by_verdict, &other.by_verdict);
        add_counts(&mut self.by_pattern, &other.by_pattern);
        add_counts(&mut self.sender_counts, &other.sender_counts);
    }
}

fn io_err(e: std::io::Error) -> Error {
    Error::io(PathBuf::from("output"), e)
}

enum ReaderMsg {
    /// Records, and the input digest after the last of them.
    Batch(Vec<RecordResult>, u64),
    Failed(Error),
    /// Every input record has been sent. A reader that stops for Ctrl-C sends nothing more, so
    /// the channel closing without this is never taken for the end of the input.
    End,
}

/// A running hash of the input records read so far: where each came from, its number, id,
/// sender, date and text (or error). The checkpoint keeps it, so that `--resume` can tell the
/// inputs are the ones the output was made from even where the last row kept cannot (with
/// `--only` its rows are a few of the records; a text file's rows carry no id, sender or date).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct InputDigest(u64);

impl InputDigest {
    pub fn add(&mut self, r: &RecordResult) {
        use std::hash::{Hash, Hasher};
        let mut h = rustc_hash::FxHasher::default();
        self.0.hash(&mut h);
        match r {
            Ok(r) => (0u8, &r.source, r.index, &r.id, &r.sender, &r.date, &r.text).hash(&mut h),
            Err(e) => (
                1u8, &e.source, e.index, &e.id, &e.sender, &e.date, &e.reason,
            )
                .hash(&mut h),
        }
        self.0 = h.finish();
    }

    pub fn value(self) -> u64 {
        self.0
    }
}

/// What identifies a record in the output: where it came from and what the input said of it.
/// Resuming checks the last row kept against the input record at its place, so that an input
/// changed since (a re-exported inbox with one more message on top) is refused instead of
/// duplicating one record and losing another.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RowKey {
    pub source: String,
    pub record: u64,
    pub id: Option<String>,
    pub sender: Option<String>,
    pub date: Option<String>,
}

impl RowKey {
    fn new(
        source: String,
        record: u64,
        id: Option<String>,
        sender: Option<String>,
        date: Option<String>,
    ) -> RowKey {
        // CSV output writes a missing value as an empty cell, and a line break as a space.
        let known = |v: Option<String>| {
            v.filter(|s| !s.is_empty())
                .map(|s| crate::io::writer::one_line(&s).into_owned())
        };
        RowKey {
            source: crate::io::writer::one_line(&source).into_owned(),
            record,
            id: known(id),
            sender: known(sender),
            date: known(date),
        }
    }

    fn describe(&self) -> String {
        let mut s = format!("record {} of {}", self.record, self.source);
        for (k, v) in [
            ("id", &self.id),
            ("sender", &self.sender),
            ("date", &self.date),
        ] {
            if let Some(v) = v {
                s.push_str(&format!(", {k} {v:?}"));
            }
        }
        s
    }
}

/// Skips `opts.skip` records (resume), checking the last one skipped against `opts.skip_check`.
fn skip_records(
    input: &mut dyn Iterator<Item = RecordResult>,
    opts: &BatchOptions,
) -> Result<InputDigest> {
    let mut last: Option<RowKey> = None;
    let mut digest = InputDigest::default();
    for n in 0..opts.skip {
        let next = input.next();
        if let Some(r) = &next {
            digest.add(r);
        }
        match next {
            Some(Ok(r)) => last = Some(RowKey::new(r.source, r.index, r.id, r.sender, r.date)),
            Some(Err(e)) => last = Some(RowKey::new(e.source, e.index, e.id, e.sender, e.date)),
            None => {
                return Err(Error::Resume(format!(
                    "the output already holds {} records but the inputs have only {n}",
                    opts.skip
                )))
            }
        }
    }
    if let (Some(want), Some(got)) = (&opts.skip_check, &last) {
        if want != got {
            return Err(Error::Resume(format!(
                "the output's last row is {} but input record number {} is {} \
                 (were the inputs or their order changed?)",
                want.describe(),
                opts.skip,
                got.describe()
            )));
        }
    }
    if opts.skip_digest.is_some_and(|want| want != digest.value()) {
        return Err(Error::Resume(format!(
            "the first {} input records are not the ones the output was made from \
             (were the inputs or their order changed?)",
            opts.skip
        )));
    }
    Ok(digest)
}

/// Scores every record of `input` and writes one row per record (see the module doc). `progress`
/// is called from the writer thread after each batch is written and flushed.
///
/// Records are checked as the file readers check theirs, so a caller's own records
/// ([`Record::new`]) are treated alike: a text with nothing to judge (empty, white space, only
/// punctuation or emoji: [`crate::io::nothing_to_judge`]) is an error row with that reason, never
/// a verdict; a text longer than [`MAX_TEXT_CHARS`] characters is cut to them and flagged
/// `truncated`; NUL characters are read as spaces.
pub fn run(
    classifier: &Classifier,
    input: impl Iterator<Item = RecordResult> + Send + 'static,
    writer: &mut dyn ResultWriter,
    opts: &BatchOptions,
    progress: &mut (dyn FnMut(Progress) + Send),
) -> Result<Summary> {
    let batch_size = opts.batch_size.max(1);
    let stop = opts.stop.clone();
    let stopped = move || stop.as_ref().is_some_and(|s| s.load(Ordering::SeqCst));
    // Reader: a detached thread (it may sit in a blocking read of stdin when Ctrl-C comes).
    let (batch_tx, batch_rx) = mpsc::sync_channel::<ReaderMsg>(2);
    let reader_opts = opts.clone();
    let reader_stopped = stopped.clone();
    let reader = std::thread::Builder::new()
        .name("posguard-reader".into())
        .spawn(move || {
            let mut input = input;
            let mut digest = match skip_records(&mut input, &reader_opts) {
                Ok(d) => d,
                Err(e) => {
                    batch_tx.send(ReaderMsg::Failed(e)).ok();
                    return;
                }
            };
            while !reader_stopped() {
                let batch: Vec<RecordResult> = input.by_ref().take(batch_size).collect();
                batch.iter().for_each(|r| digest.add(r));
                // Every record is checked as the readers check theirs (theirs pass unchanged): a
                // caller's own record with nothing to judge becomes an error row, and a text over
                // MAX_TEXT_CHARS is cut and flagged truncated.
                #[allow(clippy::result_large_err)] // a record's error is as large as the record
                let batch: Vec<RecordResult> = batch
                    .into_iter()
                    .map(|r| r.and_then(crate::io::finish_record))
                    .collect();
                if batch.is_empty() {
                    batch_tx.send(ReaderMsg::End).ok();
                    break;
                }
                if batch_tx
                    .send(ReaderMsg::Batch(batch, digest.value()))
                    .is_err()
                {
                    break;
                }
            }
        })
        .map_err(|e| Error::Invalid(format!("cannot start the reader thread: {e}")))?;

    let mut summary = Summary::default();
    let scored: Result<()> = std::thread::scope(|scope| {
        let (row_tx, row_rx) = mpsc::sync_channel::<(Vec<OutputRow>, Progress)>(2);
        let writer_thread = scope.spawn(move || -> Result<()> {
            for (rows, p) in row_rx {
                for row in &rows {
                    writer.write(row).map_err(io_err)?;
                }
                writer.flush().map_err(io_err)?;
                progress(p);
            }
            Ok(())
        });
        let scoring = (|| -> Result<()> {
            loop {
                // Wait for the next batch, watching for Ctrl-C.
                let msg = loop {
                    if stopped() {
                        summary.interrupted = true;
                        return Ok(());
                    }
                    match batch_rx.recv_timeout(Duration::from_millis(100)) {
                        Ok(m) => break Some(m),
                        Err(mpsc::RecvTimeoutError::Timeout) => continue,
                        Err(mpsc::RecvTimeoutError::Disconnected) => break None,
                    }
                };
                let (batch, digest) =
                    match msg {
                        Some(ReaderMsg::Batch(b, d)) => (b, d),
                        Some(ReaderMsg::Failed(e)) => return Err(e),
                        Some(ReaderMsg::End) => return Ok(()),
                        // The reader left without saying the input ended: it saw Ctrl-C first
                        // (while skipping records for --resume, say), or it panicked.
                        None if stopped() => {
                            summary.interrupted = true;
                            return Ok(());
                        }
                        None => return Err(Error::Invalid(
                            "the reader thread ended before the end of the input (it panicked?); \
                             the output is incomplete"
                                .into(),
                        )),
                    };
                if stopped() {
                    summary.interrupted = true;
                    return Ok(());
                }
                let rows = score_batch(classifier, &batch, opts, &mut summary)?;
                let p = Progress {
                    records: summary.records,
                    written: summary.written,
                    errors: summary.errors,
                    left_out: opts.only.map(|_| summary.left_out.clone()),
                    digest,
                };
                if row_tx.send((rows, p)).is_err() {
                    return Ok(()); // the writer failed; its error is reported below
                }
            }
        })();
        drop(row_tx);
        let written = writer_thread
            .join()
            .unwrap_or_else(|_| Err(Error::Invalid("the writer thread panicked".into())));
        scoring.and(written)
    });
    scored?;
    if !summary.interrupted {
        // The channel closed: the reader is done. A panic there must not pass for the end of input.
        if reader.join().is_err() {
            return Err(Error::Invalid(
                "the reader thread panicked; the output is incomplete".into(),
            ));
        }
    }
    summary.finish();
    Ok(summary)
}

/// Classifies `texts` in chunks spread over rayon's threads, so that the serial parts of
/// [`Classifier::classify_batch`] (inference, explanations) run in parallel too. Texts are grouped
/// by length first: the model's input is padded to the longest message of a chunk, so a chunk of
/// like-sized messages wastes less. Reports come back in the order of `texts`.
fn classify_parallel(
    classifier: &Classifier,
    texts: &[&str],
    explain: bool,
) -> Result<Vec<Report>> {
    use rayon::prelude::*;
    if texts.len() <= 1 {
        return classifier.classify_unchecked(texts, explain);
    }
    let threads = rayon::current_num_threads().max(1);
    let chunk = texts
        .len()
        .div_ceil(threads * 2)
        .clamp(MIN_CHUNK, MAX_CHUNK);
    let mut order: Vec<usize> = (0..texts.len()).collect();
    order.sort_by_key(|&i| texts[i].len());
    let sorted: Vec<&str> = order.iter().map(|&i| texts[i]).collect();
    let parts: Vec<Vec<Report>> = sorted
        .par_chunks(chunk)
        .map(|c| classifier.classify_unchecked(c, explain))
        .collect::<Result<_>>()?;
    let mut out: Vec<Option<Report>> = (0..texts.len()).map(|_| None).collect();
    for (report, &i) in parts.into_iter().flatten().zip(&order) {
        out[i] = Some(report);
    }
    Ok(out
        .into_iter()
        .map(|r| r.expect("one report per text"))
        .collect())
}

/// Smallest and largest chunk handed to one [`Classifier::classify_batch`] call.
const MIN_CHUNK: usize = 64;
const MAX_CHUNK: usize = 256;

/// Window `[start, end)` ranges over `n` turns: every `stride` turns, the last one flush with the end.
pub fn windows(n: usize, size: usize, stride: usize) -> Vec<(usize, usize)> {
    if n <= size {
        return vec![(0, n)];
    }
    let mut v: Vec<(usize, usize)> = (0..=n - size)
        .step_by(stride.max(1))
        .map(|s| (s, s + size))
        .collect();
    if v.last().is_some_and(|&(_, e)| e < n) {
        v.push((n - size, n));
    }
    v
}

fn cut(mut s: String) -> String {
    if s.len() > MAX_TEXT_CHARS {
        if let Some((i, _)) = s.char_indices().nth(MAX_TEXT_CHARS) {
            s.truncate(i);
        }
    }
    s
}

/// The windows and turns of one call to score, and where their scores land.
struct CallPlan {
    windows: Vec<(usize, usize)>,
    /// Offset of the first window in the extra scores; `None`: the one window is the whole call.
    window_at: Option<usize>,
    /// Offset of the first turn in the extra scores; `None`: a single turn (the whole call).
    turns_at: Option<usize>,
}

fn plan_calls(batch: &[RecordResult], extra: &mut Vec<String>) -> Vec<Option<CallPlan>> {
    batch
        .iter()
        .map(|r| {
            let rec = r.as_ref().ok().filter(|r| !r.turns.is_empty())?;
            let turns = &rec.turns;
            let windows = windows(turns.len(), WINDOW_TURNS, WINDOW_STRIDE);
            let window_at = (windows.len() > 1 || rec.truncated).then(|| {
                let at = extra.len();
                extra.extend(windows.iter().map(|&(a, b)| cut(join_turns(&turns[a..b]))));
                at
            });
            let turns_at = (turns.len() > 1).then(|| {
                let at = extra.len();
                extra.extend(turns.iter().map(|t| cut(t.display())));
                at
            });
            Some(CallPlan {
                windows,
                window_at,
                turns_at,
            })
        })
        .collect()
}

/// Fills the call fields of a row from the scores of its windows and turns.
fn fill_peak(row: &mut OutputRow, turns: &[Turn], plan: &CallPlan, whole: f32, extra: &[Report]) {
    let window_score = |i: usize| {
        plan.window_at
            .map_or(whole, |at| extra[at + i].verdict.score)
    };
    let (best, score) =
        (0..plan.windows.len())
            .map(|i| (i, window_score(i)))
            .fold(
                (0, f32::MIN),
                |acc, (i, s)| if s > acc.1 { (i, s) } else { acc },
            );
    let (a, b) = plan.windows[best];
    let turn_score = |t: usize| {
        plan.turns_at
            .map_or(whole, |at| extra[at + t].verdict.score)
    };
    let peak = (a..b)
        .map(|t| (t, turn_score(t)))
        .fold(
            (a, f32::MIN),
            |acc, (t, s)| if s > acc.1 { (t, s) } else { acc },
        )
        .0;
    let turn = &turns[peak];
    row.turns = Some(turns.len() as u32);
    row.peak_turn = Some(peak as u32 + 1);
    row.peak_score = Some(score);
    row.peak_window = Some([a as u32 + 1, b as u32]);
    row.peak_line = (turn.start.is_none() && turn.line > 0).then_some(turn.line);
    row.peak_start = turn.start;
    row.peak_text = Some(turn.display());
}

fn score_batch(
    classifier: &Classifier,
    batch: &[RecordResult],
    opts: &BatchOptions,
    summary: &mut Summary,
) -> Result<Vec<OutputRow>> {
    let texts: Vec<&str> = batch
        .iter()
        .filter_map(|r| r.as_ref().ok().map(|r| r.text.as_str()))
        .collect();
    let mut extra_texts = Vec::new();
    let plans = plan_calls(batch, &mut extra_texts);
    let (reports, extra) = if extra_texts.is_empty() {
        (
            classify_parallel(classifier, &texts, opts.explain)?,
            Vec::new(),
        )
    } else {
        let extra_refs: Vec<&str> = extra_texts.iter().map(String::as_str).collect();
        let (a, b) = rayon::join(
            || classify_parallel(classifier, &texts, opts.explain),
            || classify_parallel(classifier, &extra_refs, false),
        );
        (a?, b?)
    };
    let mut reports = reports.into_iter();
    let mut rows = Vec::with_capacity(batch.len());
    for (r, plan) in batch.iter().zip(&plans) {
        match r {
            Err(e) => {
                summary.count_error();
                summary.written += 1;
                rows.push(OutputRow {
                    source: e.source.clone(),
                    record: e.index,
                    line: e.line,
                    id: e.id.clone(),
                    sender: e.sender.clone(),
                    date: e.date.clone(),
                    error: Some(e.reason.clone()),
                    ..OutputRow::default()
                });
            }
            Ok(rec) => {
                let mut report = reports.next().expect("one report per text");
                let whole = report.verdict.score;
                let mut from_window = false;
                if let Some(w) = plan
                    .as_ref()
                    .and_then(|plan| window_decides(rec, plan, &report, &extra))
                {
                    report =
                        window_report(classifier, rec, plan.as_ref().expect("a call"), w, opts)?;
                    from_window = true;
                }
                let v = report.verdict.verdict;
                let flagged = report.verdict.flagged_patterns();
                summary.count_scored(
                    v.name(),
                    flagged.iter().map(|p| p.pattern.name()),
                    scam_sender(rec),
                    rec.truncated,
                    !rec.skipped.is_empty(),
                );
                summary.calls += !rec.turns.is_empty() as u64;
                if opts.only.is_some_and(|o| o != v) {
                    let l = &mut summary.left_out;
                    l.records += 1;
                    l.truncated += rec.truncated as u64;
                    l.incomplete += !rec.skipped.is_empty() as u64;
                    l.calls += !rec.turns.is_empty() as u64;
                    bump(&mut l.by_verdict, v.name());
                    if v == Verdict::Scam {
                        for p in &flagged {
                            bump(&mut l.by_pattern, p.pattern.name());
                        }
                        if let Some(s) = scam_sender(rec) {
                            bump(&mut l.sender_counts, s);
                        }
                    }
                    continue;
                }
                summary.written += 1;
                let mut row = row_for(rec, &report);
                if let Some(plan) = plan {
                    fill_peak(&mut row, &rec.turns, plan, whole, &extra);
                }
                if from_window {
                    row.verdict_from = Some("window".into());
                }
                rows.push(row);
            }
        }
    }
    Ok(rows)
}

/// The window of a long call that decides its verdict ([`LONG_CALL_TURNS`]): the one with the
/// highest P(scam) (the first of equals), when the whole call is not a scam and at least
/// [`SCAM_WINDOWS`] windows are.
fn window_decides(
    rec: &Record,
    plan: &CallPlan,
    whole: &Report,
    extra: &[Report],
) -> Option<usize> {
    let at = plan.window_at?;
    if rec.turns.len() < LONG_CALL_TURNS || whole.verdict.verdict == Verdict::Scam {
        return None;
    }
    let window = |i: usize| &extra[at + i].verdict;
    let scam: Vec<usize> = (0..plan.windows.len())
        .filter(|&i| window(i).verdict == Verdict::Scam)
        .collect();
    if scam.len() < SCAM_WINDOWS {
        return None;
    }
    scam.into_iter()
        .fold(None, |best: Option<usize>, i| match best {
            Some(b) if window(b).score >= window(i).score => Some(b),
            _ => Some(i),
        })
}

/// The report of window `w` of a call, with evidence when asked for, its offsets (evidence,
/// signals, brands and contacts) moved to where the window's text starts in the call's text
/// (the turns joined as [`join_turns`] joins them).
fn window_report(
    classifier: &Classifier,
    rec: &Record,
    plan: &CallPlan,
    w: usize,
    opts: &BatchOptions,
) -> Result<Report> {
    let (a, b) = plan.windows[w];
    let text = cut(join_turns(&rec.turns[a..b]));
    let mut r = classifier
        .classify_unchecked(&[text.as_str()], opts.explain)?
        .remove(0);
    let shift = if a == 0 {
        0
    } else {
        join_turns(&rec.turns[..a]).chars().count() + 1
    };
    for e in &mut r.evidence {
        (e.start, e.end) = (e.start + shift, e.end + shift);
    }
    for h in &mut r.signals {
        (h.start, h.end) = (h.start + shift, h.end + shift);
    }
    if let Some(imp) = r.impersonation.as_mut() {
        for m in &mut imp.brands {
            (m.start, m.end) = (m.start + shift, m.end + shift);
        }
        for c in &mut imp.contacts {
            (c.start, c.end) = (c.start + shift, c.end + shift);
        }
    }
    Ok(r)
}

/// The sender a scam verdict counts against: none for the phone owner's own (sent) messages, whose
/// `sender` is the recipient (a user who forwards scams to 12321, as the advice says, must not see
/// 12321 among the top scam senders).
fn scam_sender(rec: &Record) -> Option<&str> {
    match rec.direction {
        Some(crate::io::Direction::Sent) => None,
        _ => rec.sender.as_deref(),
    }
}

fn row_for(rec: &Record, report: &crate::Report) -> OutputRow {
    let v = &report.verdict;
    let mut patterns = PatternScores::default();
    for p in Pattern::ALL {
        patterns.0[p.index()] = v.patterns[p.index()].score;
    }
    let mut signals: Vec<String> = Vec::new();
    for s in &report.signals {
        if !signals.iter().any(|x| x == s.signal.name()) {
            signals.push(s.signal.name().to_string());
        }
    }
    OutputRow {
        source: rec.source.clone(),
        record: rec.index,
        line: rec.line,
        id: rec.id.clone(),
        sender: rec.sender.clone(),
        date: rec.date.clone(),
        direction: rec.direction,
        result: Some(OutResult {
            verdict: v.verdict.name().into(),
            score: v.score,
            p_legit: v.probabilities.legit,
            p_spam: v.probabilities.spam,
            p_scam: v.probabilities.scam,
            patterns,
            flagged: v
                .flagged_patterns()
                .iter()
                .map(|p| p.pattern.name().to_string())
                .collect(),
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
            advice: report
                .advice
                .iter()
                .map(|a| OutAdvice {
                    id: a.id.into(),
                    applies_to: a.applies_to.clone().into(),
                    text: a.zh.into(),
                    text_en: a.en.into(),
                })
                .collect(),
            impersonation: report.impersonation.clone(),
        }),
        truncated: rec.truncated,
        skipped: rec.skipped.clone(),
        error: None,
        ..OutputRow::default()
    }
}

/// An output file written under a temporary name and renamed into place on success, so a reader
/// never mistakes a half-written file for a finished one; after a crash or Ctrl-C the completed
/// rows are in `<name>.partial` (every batch is flushed), and `--resume` continues from there.
pub struct OutputFile {
    final_path: PathBuf,
    partial_path: PathBuf,
    file: Option<std::io::BufWriter<std::fs::File>>,
}

impl OutputFile {
    /// Starts `<path>.partial` afresh.
    pub fn create(path: &Path) -> Result<OutputFile> {
        let partial_path = partial_path(path);
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            if !dir.is_dir() {
                return Err(Error::Invalid(format!(
                    "{}: cannot write the output: directory {} does not exist",
                    path.display(),
                    dir.display()
                )));
            }
        }
        // Opened without truncating, locked, then emptied: a second run given the same `-o` while
        // the first still writes must not cut the first one's rows.
        let f = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(false)
            .open(&partial_path)
            .map_err(|e| Error::io(&partial_path, e))?;
        lock(&f, path)?;
        f.set_len(0).map_err(|e| Error::io(&partial_path, e))?;
        std::fs::remove_file(progress_path(path)).ok();
        Ok(OutputFile {
            final_path: path.to_path_buf(),
            partial_path,
            file: Some(std::io::BufWriter::with_capacity(1 << 16, f)),
        })
    }

    /// Reopens `<path>.partial` to append after its first `keep_bytes` bytes (the complete rows;
    /// see [`inspect_partial`]).
    pub fn resume(path: &Path, keep_bytes: u64) -> Result<OutputFile> {
        use std::io::Seek;
        let partial_path = partial_path(path);
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .open(&partial_path)
            .map_err(|e| Error::io(&partial_path, e))?;
        lock(&f, path)?;
        f.set_len(keep_bytes)
            .map_err(|e| Error::io(&partial_path, e))?;
        f.seek(std::io::SeekFrom::End(0))
            .map_err(|e| Error::io(&partial_path, e))?;
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

    /// Flushes what was written (the file stays `.partial`).
    pub fn flush(&mut self) -> Result<()> {
        if let Some(f) = self.file.as_mut() {
            f.flush().map_err(|e| Error::io(&self.partial_path, e))?;
        }
        Ok(())
    }

    /// Flushes, syncs and renames the file into place.
    pub fn commit(mut self) -> Result<()> {
        let mut f = self.file.take().expect("open output");
        f.flush().map_err(|e| Error::io(&self.partial_path, e))?;
        let f = f
            .into_inner()
            .map_err(|e| Error::io(&self.partial_path, e.into_error()))?;
        f.sync_all().map_err(|e| Error::io(&self.partial_path, e))?;
        std::fs::rename(&self.partial_path, &self.final_path)
            .map_err(|e| Error::io(&self.final_path, e))?;
        std::fs::remove_file(progress_path(&self.final_path)).ok();
        Ok(())
    }
}

/// Takes the advisory lock of an output's `.partial` file for as long as `f` is open, or says
/// that another run holds it.
fn lock(f: &std::fs::File, path: &Path) -> Result<()> {
    match f.try_lock() {
        Ok(()) => Ok(()),
        Err(std::fs::TryLockError::WouldBlock) => Err(in_use(path)),
        // A file system without locks (some network mounts): write unlocked, as before.
        Err(std::fs::TryLockError::Error(_)) => Ok(()),
    }
}

fn in_use(path: &Path) -> Error {
    Error::Invalid(format!(
        "{}: another posguard run is writing this output now (its {} is locked); wait for it \
         to finish or choose another -o",
        path.display(),
        partial_path(path).display()
    ))
}

/// Refuses an output whose `.partial` another running posguard holds (checked before anything
/// is said about the rows an interrupted run left there; [`OutputFile`] checks again when it
/// opens the file).
pub fn check_not_in_use(path: &Path) -> Result<()> {
    let partial = partial_path(path);
    match std::fs::OpenOptions::new().read(true).open(&partial) {
        Ok(f) if f.metadata().is_ok_and(|m| m.is_file()) => lock(&f, path),
        _ => Ok(()),
    }
}

/// `<path>.partial`.
pub fn partial_path(path: &Path) -> PathBuf {
    let mut p = path.as_os_str().to_owned();
    p.push(".partial");
    PathBuf::from(p)
}

/// `<path>.partial.progress`: how many input records the rows in `<path>.partial` stand for
/// (written after each batch; needed to resume when `--only` leaves records out of the output).
pub fn progress_path(path: &Path) -> PathBuf {
    let mut p = partial_path(path).into_os_string();
    p.push(".progress");
    PathBuf::from(p)
}

/// `<path>.partial.progress.tmp`: where the checkpoint is written before its rename.
pub fn progress_tmp_path(path: &Path) -> PathBuf {
    let mut p = progress_path(path).into_os_string();
    p.push(".tmp");
    PathBuf::from(p)
}

/// The content of a `.partial.progress` file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Checkpoint {
    /// Input records done.
    pub records: u64,
    /// Complete rows in the partial file (CSV header not counted).
    pub rows: u64,
    /// With `--only`: counts of the records done and left out of the file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub left_out: Option<LeftOut>,
    /// The options that decide what the rows say (model, threshold, `--only`, evidence, input
    /// reading), as `(name, value)` pairs the caller chooses: a resumed run must use the same.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<Vec<(String, String)>>,
    /// [`InputDigest`] of the `records` done, in hex (absent in checkpoints before 2026-11-28).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_digest: Option<String>,
}

/// Writes the checkpoint atomically (temporary file, then rename).
pub fn write_checkpoint(path: &Path, c: &Checkpoint) -> Result<()> {
    let p = progress_path(path);
    let tmp = progress_tmp_path(path);
    std::fs::write(&tmp, serde_json::to_vec(c).expect("serialisable"))
        .map_err(|e| Error::io(&tmp, e))?;
    std::fs::rename(&tmp, &p).map_err(|e| Error::io(&p, e))
}

/// What an interrupted run left in `<path>.partial`.
#[derive(Debug, Clone, Default)]
pub struct ResumePoint {
    /// Input records to skip.
    pub records: u64,
    /// Complete rows kept.
    pub rows: u64,
    /// Bytes of the file to keep (the rest is a row cut in the middle, dropped).
    pub keep_bytes: u64,
    /// The last row kept, to check the inputs are the same.
    pub last: Option<RowKey>,
    /// Counts over the rows kept.
    pub summary: Summary,
    /// A checkpoint file was used (else the rows were counted).
    pub from_checkpoint: bool,
    /// With `--only`: the counts of the records left out of the rows kept (from the checkpoint),
    /// carried into the next checkpoint.
    pub left_out: LeftOut,
    /// The checkpoint's [`InputDigest`] of the records to skip.
    pub digest: Option<u64>,
}

/// Reads `<path>.partial` to resume: counts the complete rows (a last line without its newline is
/// dropped; so is any line that does not parse, and everything after it), checks the CSV header,
/// and rebuilds the summary. With a checkpoint (`<path>.partial.progress`) the rows and records it
/// names are used; without one, each row stands for one input record, which is not true with
/// `only` (then resuming needs the checkpoint). A checkpoint that names other `options` than
/// this run's refuses the resume: rows judged two ways would sit in one file.
pub fn inspect_partial(
    path: &Path,
    csv: bool,
    only: bool,
    options: Option<&[(String, String)]>,
) -> Result<ResumePoint> {
    let partial = partial_path(path);
    let f = std::fs::File::open(&partial).map_err(|e| Error::io(&partial, e))?;
    let checkpoint: Option<Checkpoint> = std::fs::read(progress_path(path))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok());
    if let (Some(was), Some(now)) = (
        checkpoint.as_ref().and_then(|c| c.options.as_deref()),
        options,
    ) {
        if was != now {
            let changed: Vec<String> = now
                .iter()
                .filter_map(|(k, v)| {
                    let old = was
                        .iter()
                        .find(|(wk, _)| wk == k)
                        .map(|(_, wv)| wv.as_str());
                    (old != Some(v.as_str()))
                        .then(|| format!("{k} {} → {v}", old.unwrap_or("(not set)")))
                })
                .collect();
            return Err(Error::Resume(format!(
                "{} was written with other options ({}); resume with the same options, or start afresh without --resume",
                partial.display(),
                changed.join(", ")
            )));
        }
    }
    let mut reader = std::io::BufReader::with_capacity(1 << 16, f);
    let mut line = Vec::new();
    let mut offset = 0u64;
    let mut point = ResumePoint::default();
    let mut header: Option<Vec<String>> = None;
    let limit = checkpoint.as_ref().map(|c| c.rows);
    loop {
        line.clear();
        let n = reader
            .read_until(b'\n', &mut line)
            .map_err(|e| Error::io(&partial, e))?;
        if n == 0 || line.last() != Some(&b'\n') {
            break; // end, or a row cut in the middle
        }
        if csv && header.is_none() {
            let bytes = line
                .strip_prefix(crate::io::writer::UTF8_BOM.as_bytes())
                .unwrap_or(&line);
            let h: Vec<String> = parse_csv_line(bytes).unwrap_or_default();
            if h != crate::io::writer::csv_header() {
                return Err(Error::Resume(format!(
                    "{} does not start with posguard's CSV header (was it written with another --output-format?)",
                    partial.display()
                )));
            }
            header = Some(h);
            offset += n as u64;
            point.keep_bytes = offset;
            continue;
        }
        if limit.is_some_and(|l| point.rows >= l) {
            break;
        }
        let row = if csv {
            parse_csv_line(&line)
                .and_then(|f| row_counts_csv(&f, header.as_deref().unwrap_or_default()))
        } else {
            row_counts_json(&line)
        };
        let Some(row) = row else {
            if point.rows == 0 && !csv {
                // Not a cut or damaged last row: the file is something else (a CSV partial, most
                // likely), and resuming would overwrite it.
                return Err(Error::Resume(format!(
                    "{} does not start with a posguard JSONL row (was it written with --output-format csv?)",
                    partial.display()
                )));
            }
            break;
        };
        point.rows += 1;
        offset += n as u64;
        point.keep_bytes = offset;
        match &row.verdict {
            Some(v) => point.summary.count_scored(
                v,
                row.flagged.iter().map(String::as_str),
                row.sender.as_deref().filter(|_| !row.sent),
                row.truncated,
                row.incomplete,
            ),
            None => point.summary.count_error(),
        }
        point.summary.calls += row.call as u64;
        point.summary.written += 1;
        point.last = Some(RowKey::new(
            row.source, row.record, row.id, row.sender, row.date,
        ));
    }
    match checkpoint {
        Some(c) if c.rows == point.rows => {
            point.records = c.records;
            point.from_checkpoint = true;
            point.digest = c
                .input_digest
                .as_deref()
                .and_then(|d| u64::from_str_radix(d, 16).ok());
            // Records left out by --only were scored but are not in the file: the checkpoint
            // has their counts (a checkpoint written before it kept them has only their number).
            let missing = c.records.saturating_sub(point.summary.records);
            match c.left_out {
                Some(l) if l.records == missing => {
                    point.summary.add_left_out(&l);
                    point.left_out = l;
                }
                _ => {
                    point.summary.records += missing;
                    point.summary.scored += missing;
                }
            }
            if only {
                point.last = None; // the last row need not be the last record skipped
            }
        }
        _ if only => {
            return Err(Error::Resume(format!(
                "with --only, {} is missing or does not match {}",
                progress_path(path).display(),
                partial.display()
            )))
        }
        _ => point.records = point.rows,
    }
    Ok(point)
}

struct RowCounts {
    source: String,
    record: u64,
    id: Option<String>,
    date: Option<String>,
    verdict: Option<String>,
    flagged: Vec<String>,
    sender: Option<String>,
    /// The phone owner's own message: its sender is the recipient, not counted as a scam sender.
    sent: bool,
    truncated: bool,
    incomplete: bool,
    call: bool,
}

fn row_counts_json(line: &[u8]) -> Option<RowCounts> {
    let v: serde_json::Value = serde_json::from_slice(line).ok()?;
    let s = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_string);
    Some(RowCounts {
        source: s("source")?,
        record: v.get("record")?.as_u64()?,
        id: s("id"),
        date: s("date"),
        verdict: if v.get("error").is_some() {
            None
        } else {
            Some(s("verdict")?)
        },
        flagged: v
            .get("flagged")
            .and_then(|f| f.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default(),
        sender: s("sender"),
        sent: s("direction").as_deref() == Some("sent"),
        truncated: v
            .get("truncated")
            .and_then(|t| t.as_bool())
            .unwrap_or(false),
        incomplete: v.get("skipped").is_some(),
        call: v.get("turns").is_some(),
    })
}

fn parse_csv_line(line: &[u8]) -> Option<Vec<String>> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(line);
    let rec = rdr.records().next()?.ok()?;
    Some(rec.iter().map(str::to_string).collect())
}

fn row_counts_csv(fields: &[String], header: &[String]) -> Option<RowCounts> {
    if fields.len() != header.len() {
        return None;
    }
    // A file written with `-o` is for spreadsheets: its text cells may carry a `'` against formulas.
    let get = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .map(|i| crate::io::writer::formula_unescaped(&fields[i]))
            .unwrap_or("")
    };
    let opt = |s: &str| (!s.is_empty()).then(|| s.to_string());
    Some(RowCounts {
        source: get("source").to_string(),
        record: get("record").parse().ok()?,
        id: opt(get("id")),
        date: opt(get("date")),
        verdict: if get("error").is_empty() {
            Some(get("verdict").to_string())
        } else {
            None
        },
        flagged: get("flagged")
            .split(';')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
        sender: opt(get("sender")),
        sent: get("direction") == "sent",
        truncated: get("truncated") == "true",
        incomplete: !get("skipped").is_empty(),
        call: !get("turns").is_empty(),
    })
}

/// Borrowed writer into an [`OutputFile`].
pub struct OutputHandle<'a>(&'a mut std::io::BufWriter<std::fs::File>);

impl std::io::Write for OutputHandle<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.write(buf)
    }
    // The serialiser writes many small pieces: hand each to the buffer whole.
    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.0.write_all(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[allow(clippy::result_large_err)] // RecordResult, as the readers give it
    fn ctrl_c_while_skipping_for_resume_is_an_interruption_not_the_end_of_the_input() {
        // Found by a QA pass: Ctrl-C while the reader skipped the records an interrupted run had
        // done made it leave without a word; the channel closing passed for the end of the
        // input, and the run was committed with only the rows kept (exit 0).
        let classifier = crate::Classifier::new(crate::Model::default_model().unwrap());
        // Resumes after 5 of 10 records, Ctrl-C pressed as record `press_at` is read (if any).
        let resume = |press_at: Option<u64>| {
            let stop = Arc::new(AtomicBool::new(false));
            let pressed = stop.clone();
            let input = (1..=10u64).map(move |i| {
                if Some(i) == press_at {
                    pressed.store(true, Ordering::SeqCst);
                }
                Ok(crate::io::Record::new(
                    "in.jsonl",
                    i,
                    i,
                    format!("收到，谢谢 {i}"),
                ))
            });
            let opts = BatchOptions {
                skip: 5,
                stop: Some(stop),
                ..BatchOptions::default()
            };
            let mut out = Vec::new();
            let summary = run(
                &classifier,
                input,
                &mut crate::io::writer::JsonlWriter::new(&mut out),
                &opts,
                &mut |_| {},
            )
            .unwrap();
            (summary, out)
        };
        let (summary, out) = resume(Some(3));
        assert!(summary.interrupted);
        assert_eq!(summary.records, 0);
        assert!(out.is_empty());
        // Without Ctrl-C the same input ends normally after the records left.
        let (summary, out) = resume(None);
        assert!(!summary.interrupted);
        assert_eq!(summary.records, 5);
        assert_eq!(String::from_utf8(out).unwrap().lines().count(), 5);
    }

    #[test]
    fn windows_cover_every_turn() {
        assert_eq!(windows(4, 6, 3), vec![(0, 4)]);
        assert_eq!(windows(6, 6, 3), vec![(0, 6)]);
        assert_eq!(windows(10, 6, 3), vec![(0, 6), (3, 9), (4, 10)]);
        assert_eq!(windows(12, 6, 3), vec![(0, 6), (3, 9), (6, 12)]);
    }

    #[test]
    fn summary_counts_and_merges() {
        let mut a = Summary::default();
        a.count_scored("scam", ["fake_upgrade"], Some("106"), false, false);
        a.count_scored("scam", [], Some("106"), true, false);
        a.count_scored("legit", ["x"], Some("95588"), false, true);
        a.count_error();
        let mut b = Summary::default();
        b.count_scored("scam", ["fake_upgrade"], Some("107"), false, false);
        // One phone number however it was written; other senders as written.
        for written in [
            "+86 138 0013 8000",
            "13800138000",
            "0086-138-0013-8000",
            "(+86) 138.0013.8000",
        ] {
            b.count_scored("scam", [], Some(written), false, false);
        }
        for written in ["8613800138000", "86-138-0013-8000"] {
            b.count_scored("scam", [], Some(written), false, false);
        }
        b.count_scored("scam", [], Some("+1 650 555 0100"), false, false);
        b.count_scored("scam", [], Some(" 张三 "), false, false);
        for written in ["+86 10 1234 5678", "010-12345678"] {
            b.count_scored("scam", [], Some(written), false, false);
        }
        b.merge(&a);
        b.finish();
        assert_eq!(
            (b.records, b.scored, b.errors, b.truncated, b.incomplete),
            (15, 14, 1, 1, 1)
        );
        assert_eq!(b.by_verdict["scam"], 13);
        assert_eq!(b.by_pattern["fake_upgrade"], 2);
        assert_eq!(
            b.top_scam_senders,
            vec![
                ("13800138000".to_string(), 6),
                ("01012345678".to_string(), 2),
                ("106".to_string(), 2),
                ("+16505550100".to_string(), 1),
                ("107".to_string(), 1),
                ("张三".to_string(), 1)
            ]
        );
    }
}
