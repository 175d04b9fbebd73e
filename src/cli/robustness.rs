//! `posguard perturb` (writes the adversarial set) and `posguard robustness` (scores the clean
//! and perturbed messages and compares), see `docs/robustness.md`.

use super::ModelArgs;
use anyhow::{Context, Result};
use clap::Args;
use posguard::perturb::{self, Perturbation, DEFAULT_SEED};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args)]
pub struct PerturbArgs {
    /// Labelled JSONL to perturb (scam and legit rows are used) [default: the corpus test part,
    /// data/corpus/test.jsonl here or in the repository posguard was built from].
    #[arg(long, value_name = "FILE")]
    data: Option<PathBuf>,
    /// Output JSONL: the source fields plus "perturbation" and "source_id".
    #[arg(long, short = 'o', value_name = "FILE")]
    out: PathBuf,
    /// Seed of the perturbations.
    #[arg(long, default_value_t = DEFAULT_SEED)]
    seed: u64,
    /// Only these transformations (repeatable, or comma-separated).
    #[arg(long, value_name = "T", value_delimiter = ',')]
    only: Vec<Perturbation>,
}

#[derive(Args)]
pub struct RobustnessArgs {
    #[command(flatten)]
    model: ModelArgs,
    /// Labelled JSONL (the clean set) [default: the corpus test part, data/corpus/test.jsonl here
    /// or in the repository posguard was built from].
    #[arg(long, value_name = "FILE")]
    data: Option<PathBuf>,
    /// Seed of the perturbations.
    #[arg(long, default_value_t = DEFAULT_SEED)]
    seed: u64,
    /// Only these transformations (repeatable, or comma-separated).
    #[arg(long, value_name = "T", value_delimiter = ',')]
    only: Vec<Perturbation>,
    /// Also write the report as JSON.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// Also write the table as Markdown.
    #[arg(long, value_name = "FILE")]
    markdown: Option<PathBuf>,
}

/// `--data`, or the corpus test part: `data/corpus/test.jsonl` of the current directory, else of
/// the source tree the binary was built from (so the default works from any directory on the
/// machine that built it).
fn data_or_default(data: Option<PathBuf>) -> Result<PathBuf> {
    if let Some(p) = data {
        return Ok(p);
    }
    let here = PathBuf::from("data/corpus/test.jsonl");
    let built = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/data/corpus/test.jsonl"
    ));
    [here, built]
        .into_iter()
        .find(|p| p.is_file())
        .ok_or_else(|| {
            anyhow::anyhow!(
                "no --data given and the corpus test part (data/corpus/test.jsonl) is neither \
                 here nor in {}: give a labelled JSONL file with --data",
                env!("CARGO_MANIFEST_DIR")
            )
        })
}

fn chosen(only: &[Perturbation]) -> Vec<Perturbation> {
    if only.is_empty() {
        Perturbation::ALL.to_vec()
    } else {
        let mut v = only.to_vec();
        v.sort();
        v.dedup();
        v
    }
}

pub fn run_perturb(a: PerturbArgs) -> Result<ExitCode> {
    let data = data_or_default(a.data)?;
    super::refuse_overwrite(&a.out, "--out", std::slice::from_ref(&data), &[])?;
    let rows = perturb::read_rows(&data)?;
    let set = perturb::adversarial_set(&rows, &chosen(&a.only), a.seed);
    let f =
        std::fs::File::create(&a.out).with_context(|| format!("creating {}", a.out.display()))?;
    let mut w = std::io::BufWriter::new(f);
    for r in &set {
        serde_json::to_writer(&mut w, &perturb::perturbed_json(&rows[r.source], r))?;
        w.write_all(b"\n")?;
    }
    w.flush()
        .with_context(|| format!("writing {}", a.out.display()))?;
    eprintln!(
        "wrote {} perturbed rows from {} source rows to {}",
        set.len(),
        rows.len(),
        a.out.display()
    );
    Ok(ExitCode::SUCCESS)
}

pub fn run_robustness(a: RobustnessArgs) -> Result<ExitCode> {
    let data_path = data_or_default(a.data)?;
    let data = std::slice::from_ref(&data_path);
    if let Some(j) = &a.json {
        super::refuse_overwrite(j, "--json", data, &[])?;
        super::check_writable(j)?;
    }
    if let Some(m) = &a.markdown {
        let taken: Vec<(&std::path::Path, &str)> =
            a.json.iter().map(|j| (j.as_path(), "--json")).collect();
        super::refuse_overwrite(m, "--markdown", data, &taken)?;
        super::check_writable(m)?;
    }
    let model = a.model.load()?;
    let rows = perturb::read_rows(&data_path)?;
    let report = perturb::robustness(
        &model,
        &rows,
        &chosen(&a.only),
        a.seed,
        &data_path.display().to_string(),
    )?;
    print!("{}", report.text_table());
    if let Some(p) = &a.json {
        super::write_output(
            p,
            (serde_json::to_string_pretty(&report)? + "\n").as_bytes(),
        )?;
    }
    if let Some(p) = &a.markdown {
        super::write_output(p, report.markdown().as_bytes())?;
    }
    Ok(ExitCode::SUCCESS)
}
