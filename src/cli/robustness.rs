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
    /// Labelled JSONL to perturb (scam and legit rows are used).
    #[arg(long, value_name = "FILE", default_value = "data/corpus/test.jsonl")]
    data: PathBuf,
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
    /// Labelled JSONL (the clean set).
    #[arg(long, value_name = "FILE", default_value = "data/corpus/test.jsonl")]
    data: PathBuf,
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
    super::refuse_overwrite(&a.out, "--out", std::slice::from_ref(&a.data), &[])?;
    let rows = perturb::read_rows(&a.data)?;
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
    let data = std::slice::from_ref(&a.data);
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
    let rows = perturb::read_rows(&a.data)?;
    let report = perturb::robustness(
        &model,
        &rows,
        &chosen(&a.only),
        a.seed,
        &a.data.display().to_string(),
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
