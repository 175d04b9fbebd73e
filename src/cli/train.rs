use anyhow::{Context, Result};
use clap::Args;
use posguard::batch::partial_path;
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
    /// Size of the feature vocabulary (rule signals included), chosen by `--selection`.
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
    if !(1..=99).contains(&a.holdout) {
        anyhow::bail!(
            "--holdout {}: give a percentage from 1 to 99 (the held-out part calibrates the model)",
            a.holdout
        );
    }
    if !(a.alpha.is_finite() && a.alpha > 0.0) {
        anyhow::bail!(
            "--alpha {}: give a positive, finite L2 penalty (the default is {})",
            a.alpha,
            TrainOptions::default().alpha
        );
    }
    if a.max_features == 0 {
        anyhow::bail!("--max-features 0: the model needs at least one feature");
    }
    let metrics_path = a.metrics.clone().unwrap_or_else(|| {
        let mut s = a.out.as_os_str().to_owned();
        s.push(".metrics.json");
        PathBuf::from(s)
    });
    // Every output is checked before the (long) training, and written under a temporary name
    // renamed into place only once all are written: a failed run leaves no half of a result.
    let outputs: Vec<&PathBuf> = [Some(&a.out), Some(&metrics_path), a.stage1_out.as_ref()]
        .into_iter()
        .flatten()
        .collect();
    let names = ["--out", "--metrics", "--stage1-out"];
    let mut taken: Vec<(&std::path::Path, &str)> = Vec::new();
    for (p, name) in outputs.iter().zip(names) {
        super::refuse_overwrite(p, name, &a.data, &taken)?;
        super::check_writable(p)?;
        taken.push((p.as_path(), name));
    }
    let mut records = Vec::new();
    for p in &a.data {
        let mut r = read_labelled(p)?;
        eprintln!(
            "[{:>6.1}s] read {} records from {}",
            start.elapsed().as_secs_f64(),
            r.len(),
            p.display()
        );
        // Trained on what `score`, `classify` and `eval` see: a text over the length limit cut.
        super::as_score_sees_them(&mut r, p);
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
    if a.stage1_out.is_some() && out.second_stage.is_none() {
        anyhow::bail!(
            "--stage1-out: this model has no second stage (no rule signal or no held-out part)"
        );
    }
    let mut written: Vec<(PathBuf, PathBuf)> = Vec::new();
    let mut stage = |path: &PathBuf, bytes: &[u8]| -> Result<()> {
        if super::is_stream(path) {
            // `/dev/null`, a FIFO: written as it is (renaming over it would replace it).
            return std::fs::write(path, bytes)
                .with_context(|| format!("writing {}", path.display()));
        }
        let tmp = partial_path(path);
        std::fs::write(&tmp, bytes).with_context(|| format!("writing {}", tmp.display()))?;
        written.push((tmp, path.clone()));
        Ok(())
    };
    stage(&a.out, &out.model_bytes)?;
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
    if let (Some(path), Some(stage2)) = (&a.stage1_out, &out.second_stage) {
        stage(path, &stage2.stage1_model_bytes)?;
    }
    stage(
        &metrics_path,
        serde_json::to_string_pretty(&metrics)?.as_bytes(),
    )?;
    for (tmp, path) in &written {
        std::fs::rename(tmp, path)
            .with_context(|| format!("renaming {} to {}", tmp.display(), path.display()))?;
    }
    if let Some(path) = &a.stage1_out {
        eprintln!("wrote the first stage alone to {}", path.display());
    }
    eprintln!(
        "[{:>6.1}s] wrote {} ({} bytes) and {}",
        start.elapsed().as_secs_f64(),
        a.out.display(),
        out.model_bytes.len(),
        metrics_path.display()
    );
    Ok(ExitCode::SUCCESS)
}
