//! Argument parsing (clap) and the subcommands.

mod classify;
mod evaluate;
mod info;
mod prepare;
mod robustness;
mod score;
mod train;

use anyhow::Result;
use clap::{Args, Parser, Subcommand, ValueEnum};
use posguard::model::{init_engine, EngineChoice};
use posguard::Model;
use std::path::PathBuf;
use std::process::ExitCode;

/// Whether `path` is something other than a regular file or a directory (a device such as
/// `/dev/null`, a FIFO), or a name under `/dev` or `/proc` or a link into them (`/dev/stdout` is
/// a link to `/proc/self/fd/1`, which is a regular file when stdout is redirected to one): an
/// output there is written in place, never replaced by a renamed file.
fn is_stream(path: &std::path::Path) -> bool {
    let special = |p: &std::path::Path| p.starts_with("/dev") || p.starts_with("/proc");
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    special(&absolute)
        || std::fs::read_link(path).is_ok_and(|t| special(&t))
        || std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir())
}

/// Whether two paths name the same file: the same path, or the same file once links, `.` and `..`
/// are resolved (a file not written yet is resolved through its directory).
fn same_file(a: &std::path::Path, b: &std::path::Path) -> bool {
    fn resolve(p: &std::path::Path) -> Option<PathBuf> {
        if let Ok(c) = p.canonicalize() {
            return Some(c);
        }
        let name = p.file_name()?;
        let dir = match p.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => std::path::Path::new("."),
        };
        Some(dir.canonicalize().ok()?.join(name))
    }
    a == b || matches!((resolve(a), resolve(b)), (Some(x), Some(y)) if x == y)
}

/// Refuses an output path (`option`: `-o`, `--summary`, …) that names one of the inputs or an
/// output already taken by another option: writing it would destroy what is being read, or one
/// result would silently replace the other.
fn refuse_overwrite(
    out: &std::path::Path,
    option: &str,
    inputs: &[PathBuf],
    taken: &[(&std::path::Path, &str)],
) -> anyhow::Result<()> {
    if is_stream(out) {
        // `/dev/null` for two outputs, or for an output while reading elsewhere, harms nothing.
        return Ok(());
    }
    if let Some(i) = inputs.iter().find(|i| same_file(out, i)) {
        anyhow::bail!(
            "{option} {}: that is an input ({}); write the output to another file",
            out.display(),
            i.display()
        );
    }
    if let Some((_, other)) = taken.iter().find(|(p, _)| same_file(out, p)) {
        anyhow::bail!(
            "{option} {}: the same file as {other}; give each output its own file",
            out.display()
        );
    }
    Ok(())
}

/// Checks before any work that `path` can be written: not a directory, and the file itself can be
/// opened for writing (without truncating it) or, when it does not exist yet, created (and removed
/// again). A device or FIFO is written in place and not probed.
fn check_writable(path: &std::path::Path) -> anyhow::Result<()> {
    use anyhow::Context as _;
    if path.is_dir() {
        anyhow::bail!("{}: is a directory, not a file to write", path.display());
    }
    if is_stream(path) {
        return Ok(());
    }
    let existed = path.exists();
    std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    if !existed {
        std::fs::remove_file(path).ok();
    }
    Ok(())
}

/// Writes a whole small output (a summary, a report) to `path`: replaced if it is a file; a
/// device, FIFO or `/dev/stdout` is written to without truncating what it points at (rows
/// redirected to the same file stay).
fn write_output(path: &std::path::Path, bytes: &[u8]) -> anyhow::Result<()> {
    use anyhow::Context as _;
    use std::io::Write as _;
    let result = if is_stream(path) {
        std::fs::OpenOptions::new()
            .append(true)
            .open(path)
            .and_then(|mut f| f.write_all(bytes))
    } else {
        std::fs::write(path, bytes)
    };
    result.with_context(|| format!("writing {}", path.display()))
}

/// Cuts labelled texts over the length limit as `score` cuts them, and says how many of `path`'s.
/// Labelled texts as `score` sees them: cut at [`posguard::io::MAX_TEXT_CHARS`] characters, as it
/// cuts them (said on stderr), and the texts it would refuse to judge — no letter, digit or
/// Chinese character (`！？。`) — counted and named on stderr: kept, with their labels, but an
/// analyst comparing `eval` with `score` output learns why the counts differ.
fn as_score_sees_them(records: &mut [posguard::train::LabelledRecord], path: &std::path::Path) {
    let cut = records
        .iter_mut()
        .filter_map(|r| posguard::io::cut_text(&mut r.text).then_some(()))
        .count();
    if cut > 0 {
        eprintln!(
            "posguard: {}: {cut} texts longer than {} characters cut to that length, as `score` cuts them",
            path.display(),
            posguard::io::MAX_TEXT_CHARS
        );
    }
    let wordless: Vec<usize> = records
        .iter()
        .enumerate()
        .filter(|(_, r)| {
            posguard::io::nothing_to_judge(&r.text) == Some(posguard::io::NothingToJudge::NoWords)
        })
        .map(|(i, _)| i + 1)
        .collect();
    if let Some(first) = wordless.first() {
        eprintln!(
            "posguard: {}: {} texts have no letter, digit or Chinese character (the first is \
             record {first}): kept as labelled, though `score` gives them an error record (no \
             text to judge)",
            path.display(),
            wordless.len(),
        );
    }
}

/// Parses a `--threshold`: a probability from 0 to 1 (NaN and values outside are refused, not
/// clamped: `NaN` would otherwise call every message legit).
fn probability(s: &str) -> std::result::Result<f32, String> {
    let t: f32 = s
        .trim()
        .parse()
        .map_err(|_| format!("`{s}` is not a number"))?;
    posguard::model::check_probability(t).map_err(|e| e.to_string())
}

#[derive(Parser)]
#[command(name = "posguard", version, about = "POS-terminal scam detector for Chinese SMS and call transcripts", long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Classify one message (argument or stdin). Exit code: 0 not a scam, 1 scam, 2 error.
    Classify(classify::ClassifyArgs),
    /// Score every record of inbox exports (JSONL, CSV/TSV, text, SMS backup XML, iOS sms.db, call transcripts); one output row per record.
    Score(score::ScoreArgs),
    /// Train a model on labelled JSONL and export it to ONNX.
    Train(train::TrainArgs),
    /// Evaluate a model on labelled JSONL sets, one report per set.
    Eval(evaluate::EvalArgs),
    /// Show the model's metadata, the inference engine and versions.
    Info(info::InfoArgs),
    /// Convert the shared public data sets into labelled JSONL for train/eval.
    Prepare(prepare::PrepareArgs),
    /// Write the adversarial set: evasion perturbations of the scam and legit rows of a labelled set.
    Perturb(robustness::PerturbArgs),
    /// Scam recall and legit false positives on perturbed messages against the clean ones.
    Robustness(robustness::RobustnessArgs),
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
enum EngineArg {
    /// Native ONNX Runtime when ORT_DYLIB_PATH is set, tract otherwise.
    Auto,
    /// Pure-Rust tract engine (no native library needed).
    Tract,
    /// Native ONNX Runtime (library from --ort-lib or ORT_DYLIB_PATH).
    Onnxruntime,
}

/// Model and engine options shared by the scoring commands.
#[derive(Args, Clone, Debug)]
struct ModelArgs {
    /// Model file (.onnx); the built-in default model when omitted.
    #[arg(long, short = 'm', value_name = "FILE")]
    model: Option<PathBuf>,
    /// Inference engine.
    #[arg(long, value_enum, default_value_t = EngineArg::Auto)]
    engine: EngineArg,
    /// Path to libonnxruntime.so (implies --engine onnxruntime).
    #[arg(long, value_name = "FILE")]
    ort_lib: Option<PathBuf>,
}

impl ModelArgs {
    fn engine_choice(&self) -> EngineChoice {
        match (&self.ort_lib, self.engine) {
            (Some(p), _) => EngineChoice::OnnxRuntime(Some(p.clone())),
            (None, EngineArg::Tract) => EngineChoice::Tract,
            (None, EngineArg::Onnxruntime) => EngineChoice::OnnxRuntime(None),
            (None, EngineArg::Auto) => EngineChoice::Auto,
        }
    }

    /// Loads the model and sets up the engine.
    fn load(&self) -> Result<Model> {
        let model = Model::load_or_default(self.model.as_deref())?;
        init_engine(&self.engine_choice())?;
        Ok(model)
    }
}

pub fn run() -> Result<ExitCode> {
    let cli = Cli::parse();
    match cli.command {
        Command::Classify(a) => classify::run(a),
        Command::Score(a) => score::run(a),
        Command::Train(a) => train::run(a),
        Command::Eval(a) => evaluate::run(a),
        Command::Info(a) => info::run(a),
        Command::Prepare(a) => prepare::run(a),
        Command::Perturb(a) => robustness::run_perturb(a),
        Command::Robustness(a) => robustness::run_robustness(a),
    }
}
