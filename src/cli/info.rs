use super::ModelArgs;
use anyhow::Result;
use clap::Args;
use posguard::model::active_engine;
use posguard::verdict::threshold_text;
use std::process::ExitCode;

#[derive(Args)]
pub struct InfoArgs {
    #[command(flatten)]
    model: ModelArgs,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(a: InfoArgs) -> Result<ExitCode> {
    let model = a.model.load()?;
    let engine = active_engine().expect("engine initialised by load");
    let meta = model.meta();
    let f = &meta.features;
    // Pattern heads the model never trained (it had no pattern labels for them).
    let untrained: Vec<&str> = posguard::Pattern::ALL
        .iter()
        .filter(|p| !meta.decision.trained_patterns[p.index()])
        .map(|p| p.name())
        .collect();
    let info = serde_json::json!({
        "posguard": env!("CARGO_PKG_VERSION"),
        "model": model.origin(),
        "model_bytes": model.bytes().len(),
        "engine": engine,
        "verdicts": meta.verdicts,
        "patterns": meta.patterns,
        "untrained_patterns": untrained,
        "features": {
            "dim": f.vocabulary.len(),
            "feature_version": f.feature_version,
            "normalizer_version": f.normalizer_version,
            "dictionary_sha256": f.dictionary_sha256,
            "word_ngram_max": f.word_ngram_max,
            "char_ngrams": [f.char_ngram_min, f.char_ngram_max],
            "rule_signals": f.rule_signals,
            "sublinear_tf": f.sublinear_tf,
        },
        "decision": meta.decision,
        "training": meta.training,
    });
    if a.json {
        println!("{}", serde_json::to_string_pretty(&info)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!("posguard {}", env!("CARGO_PKG_VERSION"));
    println!(
        "model:     {} ({} bytes)",
        model.origin(),
        model.bytes().len()
    );
    match &engine.library {
        Some(lib) => println!(
            "engine:    {} {} ({})",
            engine.name,
            engine.version,
            lib.display()
        ),
        None => println!("engine:    {} ({})", engine.name, engine.version),
    }
    println!("verdicts:  {}", meta.verdicts.join(", "));
    println!("patterns:  {}", meta.patterns.join(", "));
    if !untrained.is_empty() {
        println!(
            "           not trained (no pattern labels; never scored or flagged): {}",
            untrained.join(", ")
        );
    }
    println!(
        "features:  {} (version {}, word n-grams ≤{}, char n-grams {}–{}, rule signals {}, dictionary {})",
        f.vocabulary.len(),
        f.feature_version,
        f.word_ngram_max,
        f.char_ngram_min,
        f.char_ngram_max,
        f.rule_signals,
        &f.dictionary_sha256[..12.min(f.dictionary_sha256.len())]
    );
    println!(
        "decision:  scam threshold {}, pattern threshold {}, temperature {:.3}",
        threshold_text(meta.decision.scam_threshold as f64),
        threshold_text(meta.decision.pattern_threshold as f64),
        meta.decision.temperature
    );
    let t = &meta.training;
    println!(
        "training:  {} records, fingerprint {}",
        t.records, t.fingerprint
    );
    for (s, n) in &t.sources {
        println!("           {n:>7}  {s}");
    }
    if !t.heldout.is_null() {
        println!("held-out:  {}", t.heldout);
    }
    if !t.second_stage.is_null() {
        println!("second stage (folded into the weights): {}", t.second_stage);
    }
    Ok(ExitCode::SUCCESS)
}
