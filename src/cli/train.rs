use anyhow::{Context, Result};
use clap::Args;
use posguard::io::labelled::read_labelled;
use posguard::train::{train, Combine, Selection, TrainOptions};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

#[derive(Args)]
pub struct TrainArgs {
    /// Labelled JSONL files: {"text","verdict","patterns"[,"channel"]}.
    #[arg(long, required = true, num_args = 1.., value_name = "FILE")]
    data: Vec<PathBuf>,
    /// Where to write the ONNX model.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// Where to write the metrics JSON (default: <out>.metrics.json).
    #[arg(long, value_name = "FILE")]
    metrics: Option<PathBuf>,
    /// Features kept after chi-square selection.
    #[arg(long, default_value_t = TrainOptions::default().max_features)]
    max_features: usize,
    /// Minimum number of training messages a feature must occur in.
    #[arg(long, default_value_t = TrainOptions::default().min_df)]
    min_df: u32,
    /// L2 penalty of the logistic regressions.
    #[arg(long, default_value_t = TrainOptions::default().alpha)]
    alpha: f32,
    /// Solver iterations.
    #[arg(long, default_value_t = TrainOptions::default().max_iterations)]
    max_iter: u64,
    /// Percent of records held out for calibration and metrics.
    #[arg(long, default_value_t = TrainOptions::default().holdout_percent)]
    holdout: u8,
    /// Feature selection: most frequent features, or chi-square per target.
    #[arg(long, value_enum, default_value_t = Selection::Frequency)]
    selection: Selection,
    /// Leave the rule signals out of the features (the model alone, to measure what rules add).
    #[arg(long, conflicts_with = "rules_only")]
    no_rule_signals: bool,
    /// Only the rule signals as features (the rules alone, weighted by training).
    #[arg(long)]
    rules_only: bool,
    /// How rule signals and the n-gram model combine: ordinary features of the one regression
    /// (features, the shipped design), or a calibrated second stage over the n-gram model's logits
    /// and the rule signals fitted on held-out template families (stacked).
    #[arg(long, value_enum, default_value_t = Combine::Features)]
    combine: Combine,
    /// Words and character n-grams inside quotation marks are features of their own (an
    /// anti-fraud warning that quotes a scam's wording is not that scam).
    #[arg(long, value_name = "BOOL", default_value_t = TrainOptions::default().quote_features,
          action = clap::ArgAction::Set)]
    quote_features: bool,
    /// With --combine stacked: also write the first stage alone (n-grams only, calibrated on the
    /// same held-out part) to FILE, to compare with the combination.
    #[arg(long, value_name = "FILE")]
    stage1_out: Option<PathBuf>,
}

pub fn run(a: TrainArgs) -> Result<ExitCode> {
    let start = Instant::now();
    if a.stage1_out.is_some()
        && (a.combine != Combine::Stacked || a.no_rule_signals || a.rules_only)
    {
        anyhow::bail!("--stage1-out needs --combine stacked (and rule signals on)");
    }
    let mut records = Vec::new();
    for p in &a.data {
        let r = read_labelled(p)?;
        eprintln!(
            "[{:>6.1}s] read {} records from {}",
            start.elapsed().as_secs_f64(),
            r.len(),
            p.display()
        );
        records.extend(r);
    }
    let opts = TrainOptions {
        max_features: a.max_features,
        min_df: a.min_df,
        alpha: a.alpha,
        max_iterations: a.max_iter,
        holdout_percent: a.holdout,
        selection: a.selection,
        rule_signals: !a.no_rule_signals,
        rules_only: a.rules_only,
        combine: a.combine,
        quote_features: a.quote_features,
        ..TrainOptions::default()
    };
    let out = train(&records, &opts, &mut |msg| {
        eprintln!("[{:>6.1}s] {msg}", start.elapsed().as_secs_f64());
    })?;
    std::fs::write(&a.out, &out.model_bytes)
        .with_context(|| format!("writing {}", a.out.display()))?;
    let metrics_path = a.metrics.unwrap_or_else(|| {
        let mut s = a.out.as_os_str().to_owned();
        s.push(".metrics.json");
        PathBuf::from(s)
    });
    let mut metrics = serde_json::json!({
        "model": a.out.display().to_string(),
        "fingerprint": out.meta.training.fingerprint,
        "records": records.len(),
        "features": out.vectorizer.dim(),
        "decision": out.meta.decision,
        "heldout": out.heldout,
        "training_seconds": start.elapsed().as_secs_f64(),
    });
    if let Some(stage2) = &out.second_stage {
        metrics["second_stage"] = stage2.summary.clone();
        metrics["first_stage_alone_heldout"] = serde_json::to_value(&stage2.stage1_heldout)?;
    }
    match (&a.stage1_out, &out.second_stage) {
        (Some(path), Some(stage2)) => {
            std::fs::write(path, &stage2.stage1_model_bytes)
                .with_context(|| format!("writing {}", path.display()))?;
            eprintln!("wrote the first stage alone to {}", path.display());
        }
        (Some(_), None) => anyhow::bail!(
            "--stage1-out: this model has no second stage (no rule signal or no held-out part)"
        ),
        _ => {}
    }
    std::fs::write(&metrics_path, serde_json::to_string_pretty(&metrics)?)
        .with_context(|| format!("writing {}", metrics_path.display()))?;
    eprintln!(
        "[{:>6.1}s] wrote {} ({} bytes) and {}",
        start.elapsed().as_secs_f64(),
        a.out.display(),
        out.model_bytes.len(),
        metrics_path.display()
    );
    Ok(ExitCode::SUCCESS)
}
