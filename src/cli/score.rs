use super::ModelArgs;
use anyhow::{bail, Context, Result};
use clap::{Args, ValueEnum};
use posguard::batch::{self, BatchOptions, Checkpoint, OutputFile, Progress, ResumePoint, Summary};
use posguard::io::writer::{CsvWriter, JsonlWriter, ResultWriter};
use posguard::io::{self as pio, inputs, InputFormat, ReaderOptions, RecordStream};
use posguard::{Classifier, Verdict};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Jsonl,
    Csv,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum OnlyArg {
    Scam,
    Spam,
    Legit,
}

const SCORE_HELP: &str = "\
Inputs (format detected from the content, then the name; --format overrides):
  JSONL (text field `text`, `content`, `body`… or --text-field), CSV/TSV with a header (text
  column detected or --text-col; UTF-8 with or without BOM, GBK/GB18030, Big5, UTF-16) or
  without one (detected when the first row names no known column and holds a phone number, a
  number, a date or a message, or is the one column; or --no-header; columns are then numbered
  from 1: --text-col 3), Excel and OpenDocument workbooks (.xlsx .xlsm .xlsb .xls .ods: every
  worksheet, each read as a CSV table with the same column options, named
  `book.xlsx#Sheet` when there are several; `line` is the sheet's row), plain
  text (one message per line), Android \"SMS Backup & Restore\" XML (<sms> and <mms>, streamed;
  UTF-8, or GBK, GB18030, Big5 or UTF-16 as declared or detected),
  iOS sms.db (SQLite), call transcripts (.txt with speaker-prefixed lines such as `客服：`, `A:`,
  `客服(工号007)：`), subtitles (.srt, .vtt: one turn per cue, consecutive cues of one speaker
  one turn), ASR JSON (segments with speaker/text/start/end, {\"segments\": [...]}, and the
  results of FunASR, AssemblyAI, Alibaba, Volcengine, Tencent and iFlytek), and `-` for stdin.
  Directories are read recursively (.jsonl .ndjson .json .csv .tsv .txt .xml .db .sqlite .srt
  .vtt .xlsx .xlsm .xlsb .xls .ods);
  glob patterns (quoted: 'exports/*.csv') are expanded by posguard.

Output: one row per input record, in input order: a result, or an error record with file, line
(sms.db: ROWID) and reason (malformed row, invalid encoding, empty text, no text to judge —
only punctuation, symbols or emoji; texts longer than 20,000 characters are cut and flagged
`truncated`; ASR segments that cannot be read are left out and listed in `skipped`). Calls also
get turns, peak_turn, peak_score, peak_window, peak_text: where the scam signal peaks, from
sliding windows of 6 turns. A call of 30 turns or more that is not a scam as a whole but has two
scam windows or more is judged by its peak window (its verdict, scores, evidence and advice), and
the row says verdict_from: window (the rest of a long call dilutes a scam passage).

Interrupting and resuming:
  With -o FILE, rows go to FILE.partial, flushed after every batch, and FILE.partial is renamed
  to FILE when the run completes (a device or FIFO, such as /dev/null, is written directly).
  On Ctrl-C, and on SIGTERM (kill, docker stop) or SIGHUP (a closed terminal) alike, the batch
  being scored is finished and flushed, the command says where the rows are and exits with 130
  (a second Ctrl-C quits at once). To go on, run the same command with
  --resume: the complete rows of FILE.partial are kept (a row cut in the middle is dropped),
  that many input records are skipped — checking that the last one kept is the same record
  (source, number, id, sender, date) — and the rest is appended. The same works after a crash.
  A resume with other options (model, --threshold, --only, --no-evidence, input format or
  columns) is refused. Without --resume, a FILE.partial left by an interrupted run is replaced
  (the command says so). -o - writes to stdout.

Exit code: 0 all records scored, 3 some records failed, 2 error, 130 interrupted.";

#[derive(Args)]
#[command(after_long_help = SCORE_HELP)]
pub struct ScoreArgs {
    /// Input files, directories or glob patterns (`-` for stdin). Exit code: 0 all records scored,
    /// 3 some records failed, 2 error, 130 interrupted.
    #[arg(required = true, value_name = "FILE")]
    inputs: Vec<PathBuf>,
    #[command(flatten)]
    model: ModelArgs,
    /// Input format (detected from the content and name when omitted).
    #[arg(long, value_enum)]
    format: Option<InputFormat>,
    /// Write results here (as FILE.partial, renamed into place when complete) instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
    /// Output format. CSV written to a file (`-o`) starts with a UTF-8 byte order mark, so Excel
    /// shows its Chinese text, and its text cells starting with = + - @ get a ' in front, so a
    /// spreadsheet does not run them as formulas; CSV on stdout has neither.
    #[arg(long, value_enum, default_value_t = OutputFormat::Jsonl)]
    output_format: OutputFormat,
    /// JSON field / CSV column (name, or number from 1) holding the text (alias --text-col;
    /// detected when omitted). A JSON field inside another: its path with dots (`message.body`,
    /// `messages.0.text`); the same for --id-col, --sender-col and --date-col.
    #[arg(long, alias = "text-col", value_name = "NAME")]
    text_field: Option<String>,
    /// JSON field / CSV column holding the message id (alias --id-field; `id`, `msg_id`, `编号`… by default).
    #[arg(long, alias = "id-field", value_name = "NAME")]
    id_col: Option<String>,
    /// JSON field / CSV column holding the sender (alias --sender-field; `sender`, `from`, `号码`… by default).
    #[arg(long, alias = "sender-field", value_name = "NAME")]
    sender_col: Option<String>,
    /// JSON field / CSV column holding the date (alias --date-field; `date`, `time`, `日期`… by default).
    #[arg(long, alias = "date-field", value_name = "NAME")]
    date_col: Option<String>,
    /// CSV/TSV: the first row is a message, not column names (detected when it names no known
    /// column and holds a phone number, a number, a date or a message, or is the file's one
    /// column). Columns are then given by number,
    /// from 1: `--no-header --text-col 3`.
    #[arg(long)]
    no_header: bool,
    /// Write only results with this verdict (errors are always written).
    #[arg(long, value_enum)]
    only: Option<OnlyArg>,
    /// Scam threshold on P(scam), from 0 to 1 (default: the model's).
    #[arg(long, value_name = "P", value_parser = super::probability)]
    threshold: Option<f32>,
    /// Skip evidence spans (faster).
    #[arg(long)]
    no_evidence: bool,
    /// Also write the run summary as JSON to this file.
    #[arg(long, value_name = "FILE")]
    summary: Option<PathBuf>,
    /// Records per model call.
    #[arg(long, default_value_t = 1024)]
    batch_size: usize,
    /// Continue an interrupted run of the same command: keep the complete rows of FILE.partial,
    /// skip that many input records, append the rest (see below).
    #[arg(long, requires = "output")]
    resume: bool,
    /// No progress bar (it is shown on stderr only when stderr is a terminal).
    #[arg(long)]
    no_progress: bool,
}

fn ctrl_c_flag() -> Arc<AtomicBool> {
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    // Ctrl-C (SIGINT), and with ctrlc's `termination` feature SIGTERM (`kill`, `docker stop`,
    // systemd) and SIGHUP (a closed terminal or ssh session) alike. Written with `let _ =`: after
    // a hang-up stderr may be gone, and the run must still finish its batch.
    let installed = ctrlc::set_handler(move || {
        use std::io::Write;
        if flag.swap(true, Ordering::SeqCst) {
            let _ = writeln!(
                std::io::stderr(),
                "\nposguard: interrupted again: quitting now"
            );
            std::process::exit(130);
        }
        let _ = writeln!(
            std::io::stderr(),
            "\nposguard: interrupted: finishing the current batch (Ctrl-C again to quit at once)"
        );
    });
    if let Err(e) = installed {
        eprintln!("posguard: warning: cannot catch Ctrl-C: {e}");
    }
    stop
}

fn progress_bar(total_bytes: Option<u64>) -> indicatif::ProgressBar {
    use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
    let pb = match total_bytes {
        Some(t) if t > 0 => {
            let pb = ProgressBar::with_draw_target(Some(t), ProgressDrawTarget::stderr_with_hz(4));
            pb.set_style(
                ProgressStyle::with_template(
                    "{spinner} {elapsed_precise} [{wide_bar}] {percent:>3}% {msg} ETA {eta}",
                )
                .expect("template")
                .progress_chars("=> "),
            );
            pb
        }
        _ => {
            let pb = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr_with_hz(4));
            pb.set_style(
                ProgressStyle::with_template("{spinner} {elapsed_precise} {msg}")
                    .expect("template"),
            );
            pb
        }
    };
    pb.set_message("starting");
    pb
}

fn print_summary(s: &Summary) -> std::io::Result<()> {
    let mut err = std::io::stderr().lock();
    writeln!(
        err,
        "posguard: {} records: {} scored, {} errors{}{}",
        s.records,
        s.scored,
        s.errors,
        if s.truncated > 0 {
            format!(", {} truncated", s.truncated)
        } else {
            String::new()
        } + &if s.incomplete > 0 {
            format!(", {} with unreadable parts left out", s.incomplete)
        } else {
            String::new()
        },
        if s.by_verdict.is_empty() {
            String::new()
        } else {
            " — ".to_string()
                + &s.by_verdict
                    .iter()
                    .map(|(k, v)| format!("{k} {v}"))
                    .collect::<Vec<_>>()
                    .join(", ")
        }
    )?;
    if !s.by_pattern.is_empty() {
        let mut v: Vec<_> = s.by_pattern.iter().collect();
        v.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        let list: Vec<String> = v.iter().map(|(k, n)| format!("{k} {n}")).collect();
        writeln!(err, "posguard: scam patterns: {}", list.join(", "))?;
    }
    if !s.top_scam_senders.is_empty() {
        let list: Vec<String> = s
            .top_scam_senders
            .iter()
            .map(|(k, n)| format!("{k} {n}"))
            .collect();
        writeln!(err, "posguard: top scam senders: {}", list.join(", "))?;
    }
    Ok(())
}

/// The command line to resume with: this one plus `--resume`.
fn resume_command() -> String {
    let mut args: Vec<String> = std::env::args().collect();
    if !args.iter().any(|a| a == "--resume") {
        args.push("--resume".into());
    }
    args.iter()
        .map(|a| {
            if a.is_empty()
                || a.contains(|c: char| c.is_whitespace() || "'\"$`\\*?[]()&;|<>".contains(c))
            {
                format!("'{}'", a.replace('\'', "'\\''"))
            } else {
                a.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The options that decide what the rows say, as `(name, value)` pairs: a resumed run must use
/// the same.
fn row_options(a: &ScoreArgs, classifier: &Classifier) -> Vec<(String, String)> {
    let model = twox_hash::XxHash3_64::oneshot(classifier.model().bytes());
    let given = |v: &Option<String>| v.clone().unwrap_or_else(|| "(default)".into());
    let only = match a.only {
        Some(o) => format!("{o:?}").to_lowercase(),
        None => "(all)".into(),
    };
    let format = match a.format {
        Some(f) => format!("{f:?}").to_lowercase(),
        None => "(detected)".into(),
    };
    [
        ("model", format!("{model:016x}")),
        (
            "--threshold",
            classifier.model().decision().scam_threshold.to_string(),
        ),
        ("--only", only),
        ("--no-evidence", a.no_evidence.to_string()),
        ("--format", format),
        ("--text-field", given(&a.text_field)),
        ("--id-col", given(&a.id_col)),
        ("--sender-col", given(&a.sender_col)),
        ("--date-col", given(&a.date_col)),
        ("--no-header", a.no_header.to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

/// Says on stderr which files a directory scan left out for their extension (a few names and the
/// count by extension), so that no file is left out unnoticed. This run's own output, `.partial`
/// and checkpoint files are not mentioned.
fn note_skipped(skipped: &[PathBuf], output: Option<&Path>) {
    let ours: Vec<PathBuf> = output
        .map(|o| {
            vec![
                o.to_path_buf(),
                batch::partial_path(o),
                batch::progress_path(o),
                batch::progress_tmp_path(o),
            ]
        })
        .unwrap_or_default();
    let skipped: Vec<&PathBuf> = skipped
        .iter()
        .filter(|p| !ours.iter().any(|o| super::same_file(o, p)))
        .collect();
    if skipped.is_empty() {
        return;
    }
    let mut by_ext: std::collections::BTreeMap<String, usize> = Default::default();
    for p in &skipped {
        let ext = p
            .extension()
            .map(|e| format!(".{}", e.to_string_lossy().to_lowercase()))
            .unwrap_or_else(|| "no extension".into());
        *by_ext.entry(ext).or_default() += 1;
    }
    let counts: Vec<String> = by_ext.iter().map(|(e, n)| format!("{e} {n}")).collect();
    let shown: Vec<String> = skipped
        .iter()
        .take(3)
        .map(|p| p.display().to_string())
        .collect();
    eprintln!(
        "posguard: {} file(s) in the scanned directories not read, not an input format by name \
         ({}): {}{} — name a file to read it, with --format if its content is not detected",
        skipped.len(),
        counts.join(", "),
        shown.join(", "),
        if skipped.len() > shown.len() {
            ", …"
        } else {
            ""
        },
    );
}

pub fn run(mut a: ScoreArgs) -> Result<ExitCode> {
    // `-o -` is stdout, as `-` is stdin among the inputs.
    if a.output.as_deref() == Some(Path::new("-")) {
        if a.resume {
            bail!("--resume needs an output file; -o - is stdout");
        }
        a.output = None;
    }
    let mut classifier = Classifier::new(a.model.load()?);
    if let Some(t) = a.threshold {
        classifier = classifier.with_scam_threshold(t)?;
    }
    let options = row_options(&a, &classifier);
    let csv_out = a.output_format == OutputFormat::Csv;
    // Outputs are checked before anything is read: one that names an input file — named, or found
    // in a directory or by a glob — would destroy it, and one that cannot be written would fail
    // only at the end.
    let expanded = inputs::expand(&a.inputs, &[])?;
    for log in &expanded.call_logs {
        eprintln!(
            "posguard: {}: a call log (SMS Backup & Restore's calls-*.xml), no messages: not read",
            log.display()
        );
    }
    note_skipped(&expanded.skipped, a.output.as_deref());
    let paths = expanded.paths;
    let failed = expanded.failed;
    let files: Vec<PathBuf> = paths.iter().filter(|p| p.is_file()).cloned().collect();
    let mut taken: Vec<(&Path, &str)> = Vec::new();
    let partial = a.output.as_deref().map(batch::partial_path);
    if let Some(p) = &a.output {
        super::refuse_overwrite(p, "-o", &files, &[])?;
        if p.is_dir() {
            bail!("-o {}: is a directory, not a file to write", p.display());
        }
        taken.push((p, "-o"));
    }
    if let Some(p) = &partial {
        super::refuse_overwrite(p, "-o", &files, &[])?;
        taken.push((p, "-o's .partial file"));
    }
    // The checkpoint beside the .partial file (and its temporary name) is written and removed too.
    let progress: Vec<PathBuf> = a
        .output
        .as_deref()
        .map(|o| vec![batch::progress_path(o), batch::progress_tmp_path(o)])
        .unwrap_or_default();
    for p in &progress {
        super::refuse_overwrite(p, "-o", &files, &[])?;
        taken.push((p, "-o's .partial.progress file"));
    }
    if let Some(s) = &a.summary {
        super::refuse_overwrite(s, "--summary", &files, &taken)?;
        super::check_writable(s)?;
    }
    if paths.iter().filter(|p| p.as_os_str() == "-").count() > 1 {
        bail!("stdin (-) can be read only once");
    }

    // `-o /dev/null`, a FIFO, `/dev/stdout`: written to as a stream. The `.partial` file and its
    // rename would replace the device itself (as root, /dev/null becomes a regular file).
    let stream_out: Option<&Path> = a.output.as_deref().filter(|p| super::is_stream(p));
    if let (Some(p), true) = (stream_out, a.resume) {
        bail!(
            "--resume needs a regular output file; {} is a device or pipe",
            p.display()
        );
    }
    if let (Some(out), None) = (&a.output, &stream_out) {
        batch::check_not_in_use(out)?;
    }
    // Resuming: what the interrupted run left.
    let resume: Option<ResumePoint> = match (&a.output, a.resume) {
        (Some(out), true) => {
            let partial = batch::partial_path(out);
            if partial.exists() {
                let point = batch::inspect_partial(out, csv_out, a.only.is_some(), Some(&options))?;
                eprintln!(
                    "posguard: resuming {}: {} complete rows kept, skipping {} input records",
                    partial.display(),
                    point.rows,
                    point.records
                );
                Some(point)
            } else if out.exists() {
                bail!(
                    "{} is complete already (no {} to resume)",
                    out.display(),
                    partial.display()
                );
            } else {
                eprintln!(
                    "posguard: no {} to resume: starting from the beginning",
                    partial.display()
                );
                None
            }
        }
        (Some(out), false) if stream_out.is_none() => {
            // An interrupted run's rows are about to be replaced: say so, they may be hours' work.
            let partial = batch::partial_path(out);
            if let Ok(meta) = std::fs::metadata(&partial) {
                if meta.is_file() && meta.len() > 0 {
                    eprintln!(
                        "posguard: replacing {} ({} bytes left by an interrupted run; --resume would have continued it)",
                        partial.display(),
                        meta.len()
                    );
                }
            }
            None
        }
        _ => None,
    };

    let bytes_read = Arc::new(AtomicU64::new(0));
    let ropts = ReaderOptions {
        text_field: a.text_field.clone(),
        id_field: a.id_col.clone(),
        sender_field: a.sender_col.clone(),
        date_field: a.date_col.clone(),
        no_header: a.no_header,
        bytes_read: Some(bytes_read.clone()),
    };
    // A file given alone is opened now, so that a bad file or option fails before any output.
    // With several (a directory, a glob), each is opened when reached and one that cannot be read
    // is an error record for that file: a broken link among a thousand calls must not stop the run.
    let first: Option<RecordStream> = match paths.as_slice() {
        [p] => Some(pio::open(p, a.format, &ropts)?),
        _ => None,
    };
    let total_bytes: Option<u64> = paths
        .iter()
        .map(|p| {
            if p.as_os_str() == "-" {
                None
            } else if failed.iter().any(|(f, _)| f == p) {
                Some(0)
            } else {
                std::fs::metadata(p).ok().map(|m| m.len())
            }
        })
        .sum();
    let input = inputs::Chain::new(paths, first, a.format, ropts).with_failed(failed);

    let stop = ctrl_c_flag();
    let opts = BatchOptions {
        batch_size: a.batch_size.max(1),
        explain: !a.no_evidence,
        only: a.only.map(|o| match o {
            OnlyArg::Scam => Verdict::Scam,
            OnlyArg::Spam => Verdict::Spam,
            OnlyArg::Legit => Verdict::Legit,
        }),
        stop: Some(stop.clone()),
        skip: resume.as_ref().map_or(0, |r| r.records),
        skip_check: resume.as_ref().and_then(|r| r.last.clone()),
        skip_digest: resume.as_ref().and_then(|r| r.digest),
    };

    let bar =
        (!a.no_progress && std::io::stderr().is_terminal()).then(|| progress_bar(total_bytes));
    let started = Instant::now();
    let (skip_records, kept_rows) = resume.as_ref().map_or((0, 0), |r| (r.records, r.rows));
    let resumed_left_out = resume
        .as_ref()
        .map(|r| r.left_out.clone())
        .unwrap_or_default();
    // A device or pipe as -o has no .partial file, so no checkpoint beside it either.
    let checkpoint_path = a.output.clone().filter(|_| stream_out.is_none());
    let mut on_progress = |p: Progress| {
        if let Some(pb) = &bar {
            pb.set_position(bytes_read.load(Ordering::Relaxed));
            let secs = started.elapsed().as_secs_f64().max(1e-3);
            pb.set_message(format!(
                "{} records, {:.0}/s, {} errors",
                p.records,
                p.records as f64 / secs,
                p.errors
            ));
        }
        if let Some(out) = &checkpoint_path {
            let left_out = p.left_out.as_ref().map(|l| {
                let mut all = resumed_left_out.clone();
                all.add(l);
                all
            });
            let c = Checkpoint {
                records: skip_records + p.records,
                rows: kept_rows + p.written,
                left_out,
                options: Some(options.clone()),
                input_digest: Some(format!("{:016x}", p.digest)),
            };
            batch::write_checkpoint(out, &c).ok();
        }
    };

    let (mut summary, output) = match a.output.as_ref().filter(|_| stream_out.is_none()) {
        Some(path) => {
            let mut file = match &resume {
                Some(r) => OutputFile::resume(path, r.keep_bytes)?,
                None => OutputFile::create(path)?,
            };
            let partial = file.partial_path().to_path_buf();
            let summary = {
                let handle = file.writer();
                let header_written = resume.as_ref().is_some_and(|r| r.keep_bytes > 0);
                let mut w: Box<dyn ResultWriter + '_> = match a.output_format {
                    OutputFormat::Jsonl => Box::new(JsonlWriter::new(handle)),
                    OutputFormat::Csv if header_written => {
                        Box::new(CsvWriter::for_spreadsheets(handle).without_header())
                    }
                    OutputFormat::Csv => Box::new(CsvWriter::for_spreadsheets(handle)),
                };
                batch::run(&classifier, input, w.as_mut(), &opts, &mut on_progress).map_err(
                    |e| {
                        // A refused resume is not fixed by running the same command again.
                        let note = if matches!(e, posguard::Error::Resume(_)) {
                            format!("the rows kept are still in {}", partial.display())
                        } else {
                            format!(
                                "completed rows are in {}; to continue: {}",
                                partial.display(),
                                resume_command()
                            )
                        };
                        anyhow::Error::new(e).context(note)
                    },
                )?
            };
            if summary.interrupted {
                file.flush()?;
            } else {
                file.commit()?;
            }
            (summary, Some((path.clone(), partial)))
        }
        None => {
            let sink: Box<dyn std::io::Write + Send> = match stream_out {
                Some(p) => Box::new(
                    std::fs::OpenOptions::new()
                        .write(true)
                        .open(p)
                        .with_context(|| format!("opening {}", p.display()))?,
                ),
                None => Box::new(std::io::stdout()),
            };
            let out = std::io::BufWriter::with_capacity(1 << 16, sink);
            let mut w: Box<dyn ResultWriter> = match a.output_format {
                OutputFormat::Jsonl => Box::new(JsonlWriter::new(out)),
                OutputFormat::Csv => Box::new(CsvWriter::new(out)),
            };
            (
                batch::run(&classifier, input, w.as_mut(), &opts, &mut on_progress)?,
                None,
            )
        }
    };
    if let Some(pb) = &bar {
        pb.finish_and_clear();
    }
    if let Some(r) = &resume {
        summary.merge(&r.summary);
        summary.resumed_records = r.records;
        summary.finish();
    }
    print_summary(&summary)?;
    if let Some(p) = &a.summary {
        super::write_output(p, serde_json::to_string_pretty(&summary)?.as_bytes())?;
    }
    if summary.interrupted {
        match &output {
            Some((_, partial)) => eprintln!(
                "posguard: interrupted: {} rows are in {}; to continue where it stopped run:\n  {}",
                summary.written,
                partial.display(),
                resume_command()
            ),
            None => eprintln!(
                "posguard: interrupted after {} records (write to a file with -o FILE to be able to --resume)",
                summary.records
            ),
        }
        return Ok(ExitCode::from(130));
    }
    Ok(if summary.errors > 0 {
        ExitCode::from(3)
    } else {
        ExitCode::SUCCESS
    })
}
