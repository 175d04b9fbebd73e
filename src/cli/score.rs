use super::ModelArgs;
use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use posguard::batch::{self, BatchOptions, OutputFile};
use posguard::io::writer::{CsvWriter, JsonlWriter, ResultWriter};
use posguard::io::{self as pio, InputFormat, ReaderOptions, RecordResult};
use posguard::{Classifier, Verdict};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

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

#[derive(Args)]
pub struct ScoreArgs {
    /// Input files (`-` for stdin). Exit code: 0 all records scored, 3 some records failed, 2 error.
    #[arg(required = true, value_name = "FILE")]
    inputs: Vec<PathBuf>,
    #[command(flatten)]
    model: ModelArgs,
    /// Input format (detected from the name and content when omitted).
    #[arg(long, value_enum)]
    format: Option<InputFormat>,
    /// Write results here (renamed into place when complete) instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Jsonl)]
    output_format: OutputFormat,
    /// JSON field / CSV column holding the text.
    #[arg(long, alias = "text-col", value_name = "NAME")]
    text_field: Option<String>,
    #[arg(long, alias = "id-field", value_name = "NAME")]
    id_col: Option<String>,
    #[arg(long, alias = "sender-field", value_name = "NAME")]
    sender_col: Option<String>,
    #[arg(long, alias = "date-field", value_name = "NAME")]
    date_col: Option<String>,
    /// Write only results with this verdict (errors are always written).
    #[arg(long, value_enum)]
    only: Option<OnlyArg>,
    /// Scam threshold on P(scam) (default: the model's).
    #[arg(long, value_name = "P")]
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
}

pub fn run(a: ScoreArgs) -> Result<ExitCode> {
    let mut classifier = Classifier::new(a.model.load()?);
    if let Some(t) = a.threshold {
        classifier = classifier.with_scam_threshold(t);
    }
    let ropts = ReaderOptions {
        text_field: a.text_field.clone(),
        id_field: a.id_col.clone(),
        sender_field: a.sender_col.clone(),
        date_field: a.date_col.clone(),
    };
    // Open every input up front so a missing file fails before any output is written.
    let mut streams = Vec::new();
    for p in &a.inputs {
        streams.push(pio::open(p, a.format, &ropts)?);
    }
    let input: Box<dyn Iterator<Item = RecordResult> + Send> = Box::new(streams.into_iter().flatten());
    let opts = BatchOptions {
        batch_size: a.batch_size.max(1),
        explain: !a.no_evidence,
        only: a.only.map(|o| match o {
            OnlyArg::Scam => Verdict::Scam,
            OnlyArg::Spam => Verdict::Spam,
            OnlyArg::Legit => Verdict::Legit,
        }),
    };
    let mut no_progress = |_| {};
    let summary = match &a.output {
        Some(path) => {
            let mut file = OutputFile::create(path)?;
            let summary = {
                let handle = file.writer();
                let mut w: Box<dyn ResultWriter + '_> = match a.output_format {
                    OutputFormat::Jsonl => Box::new(JsonlWriter::new(handle)),
                    OutputFormat::Csv => Box::new(CsvWriter::new(handle)),
                };
                let partial = file_partial(path);
                batch::run(&classifier, input, w.as_mut(), &opts, &mut no_progress)
                    .with_context(|| format!("completed rows are in {}", partial.display()))?
            };
            file.commit()?;
            summary
        }
        None => {
            let stdout = std::io::stdout();
            let out = std::io::BufWriter::with_capacity(1 << 16, stdout);
            let mut w: Box<dyn ResultWriter> = match a.output_format {
                OutputFormat::Jsonl => Box::new(JsonlWriter::new(out)),
                OutputFormat::Csv => Box::new(CsvWriter::new(out)),
            };
            batch::run(&classifier, input, w.as_mut(), &opts, &mut no_progress)?
        }
    };
    let mut err = std::io::stderr().lock();
    writeln!(
        err,
        "posguard: {} records: {} scored, {} errors{} — {}",
        summary.records,
        summary.scored,
        summary.errors,
        if summary.truncated > 0 { format!(", {} truncated", summary.truncated) } else { String::new() },
        summary
            .by_verdict
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect::<Vec<_>>()
            .join(", ")
    )?;
    if let Some(p) = &a.summary {
        std::fs::write(p, serde_json::to_string_pretty(&summary)?).with_context(|| format!("writing {}", p.display()))?;
    }
    Ok(if summary.errors > 0 { ExitCode::from(3) } else { ExitCode::SUCCESS })
}

fn file_partial(p: &std::path::Path) -> PathBuf {
    batch::partial_path(p)
}
