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
    if let Some(recipe) = recipe(&t.options, !t.second_stage.is_null()) {
        println!("recipe:    {recipe}");
    }
    if !t.heldout.is_null() {
        println!("held-out:  {}", heldout_text(&t.heldout));
    }
    if !t.second_stage.is_null() {
        println!("second stage (folded into the weights): {}", t.second_stage);
    }
    Ok(ExitCode::SUCCESS)
}

/// How the model was trained, from its recorded options: how the rule signals were combined with
/// the n-grams, the L2 penalty, the vocabulary. `None` for a model without recorded options.
fn recipe(o: &serde_json::Value, stacked: bool) -> Option<String> {
    let o = o.as_object()?;
    let flag = |k: &str| o.get(k).and_then(|v| v.as_bool());
    let combine = if flag("rules_only") == Some(true) {
        "rules only (no n-grams)"
    } else if flag("rule_signals") == Some(false) {
        "n-grams only (no rule signals)"
    } else if stacked {
        "n-grams, then rule signals stacked in a second stage"
    } else {
        "n-grams and rule signals in one regression"
    };
    let mut parts = vec![combine.to_string()];
    if let Some(a) = o.get("alpha").and_then(|v| v.as_f64()) {
        parts.push(format!("L2 penalty {}", (a as f32)));
    }
    if let (Some(m), Some(sel)) = (
        o.get("max_features").and_then(|v| v.as_u64()),
        o.get("selection").and_then(|v| v.as_str()),
    ) {
        parts.push(format!("up to {m} features by {sel}"));
    }
    if let Some(d) = o.get("min_df").and_then(|v| v.as_u64()) {
        parts.push(format!("min df {d}"));
    }
    if flag("quote_features") == Some(true) {
        parts.push("quote features".into());
    }
    if let Some(h) = o.get("holdout_percent").and_then(|v| v.as_u64()) {
        parts.push(format!("{h}% held out"));
    }
    Some(parts.join(", "))
}

/// The held-out metrics as a line people read: percentages, `n/a` where a rate is undefined (no
/// row of its class in the held-out part).
fn heldout_text(h: &serde_json::Value) -> String {
    let pct = |k: &str| match h.get(k).and_then(|v| v.as_f64()) {
        Some(x) if x.is_finite() => format!("{:.2}%", 100.0 * x),
        _ => "n/a".to_string(),
    };
    let records = h.get("records").and_then(|v| v.as_u64()).unwrap_or(0);
    format!(
        "{records} records, accuracy {}, macro-F1 over the classes present {}, scam precision {}, \
         scam recall {}, legit FPR {}",
        pct("accuracy"),
        pct("macro_f1"),
        pct("scam_precision"),
        pct("scam_recall"),
        pct("legit_fpr"),
    )
}
