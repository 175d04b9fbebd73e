use anyhow::{bail, Result};
use clap::Args;
use posguard::datasets;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args)]
pub struct PrepareArgs {
    /// The shared data directory (fbs_sms, mudou_spam, teleantifraud_dialogues, telecom_fraud_texts_5).
    #[arg(
        long,
        default_value = "../shared/data",
        env = "POSGUARD_SHARED_DATA",
        value_name = "DIR"
    )]
    shared: PathBuf,
    /// Where to write the labelled JSONL files (train/*.jsonl, eval/*.jsonl).
    #[arg(long, default_value = "build/data", value_name = "DIR")]
    out: PathBuf,
}

pub fn run(a: PrepareArgs) -> Result<ExitCode> {
    if !a.shared.is_dir() {
        bail!(
            "{} is not a directory: pass --shared DIR or set POSGUARD_SHARED_DATA",
            a.shared.display()
        );
    }
    for (rel, records, skipped) in datasets::prepare_all(&a.shared)? {
        let path = a.out.join(&rel);
        datasets::write_jsonl(&path, &records)?;
        let mut counts = std::collections::BTreeMap::new();
        for r in &records {
            *counts.entry(r.verdict.name()).or_insert(0usize) += 1;
        }
        eprintln!(
            "{:>7} records  {}  {:?}",
            records.len(),
            path.display(),
            counts
        );
        // Every source row that gave no record, by reason (never dropped without a word).
        for ((source, reason), (n, first)) in &skipped.counts {
            let at = if *first > 0 {
                format!(", first at line {first}")
            } else {
                String::new()
            };
            eprintln!("{:>7} skipped  {source}: {reason}{at}", n);
        }
    }
    Ok(ExitCode::SUCCESS)
}
