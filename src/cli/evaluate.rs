use super::ModelArgs;
use anyhow::{Context, Result};
use clap::Args;
use posguard::eval::{evaluate, signal_counts, EvalReport, Scored};
use posguard::features::Analysis;
use posguard::io::labelled::read_labelled;
use posguard::{Classifier, Verdict};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args)]
pub struct EvalArgs {
    #[command(flatten)]
    model: ModelArgs,
    /// Labelled JSONL sets; each is reported separately.
    #[arg(long, required = true, num_args = 1.., value_name = "FILE")]
    data: Vec<PathBuf>,
    /// Print the reports as JSON.
    #[arg(long)]
    json: bool,
    /// Scam threshold on P(scam) (default: the model's).
    #[arg(long, value_name = "P")]
    threshold: Option<f32>,
    /// Also write an HTML report with charts (index.html) and metrics.json into this directory.
    #[arg(long, value_name = "DIR")]
    report: Option<PathBuf>,
}

pub fn run(a: EvalArgs) -> Result<ExitCode> {
    let mut classifier = Classifier::new(a.model.load()?);
    if let Some(t) = a.threshold {
        classifier = classifier.with_scam_threshold(t);
    }
    let mut reports = Vec::new();
    for path in &a.data {
        let records = read_labelled(path)?;
        let mut scored = Vec::with_capacity(records.len());
        let mut signals = Vec::with_capacity(records.len());
        for chunk in records.chunks(2048) {
            let v = classifier.model().vectorizer();
            let analyses: Vec<Analysis> = chunk.iter().map(|r| Analysis::new(&r.text)).collect();
            let vectors: Vec<_> = analyses.iter().map(|a| v.vectorize(a)).collect();
            let preds = classifier.model().predict(&vectors)?;
            for ((r, p), a) in chunk.iter().zip(preds).zip(analyses) {
                scored.push(Scored {
                    truth: r.verdict,
                    true_patterns: r.patterns.clone(),
                    prediction: p,
                });
                signals.push((r.verdict, a.signals));
            }
        }
        let name = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut report = evaluate(&name, &scored, &classifier.model().decision());
        report.signals = signal_counts(signals.iter().map(|(v, s)| (*v, s.as_slice())));
        reports.push(report);
    }
    if a.json {
        println!("{}", serde_json::to_string_pretty(&reports)?);
    } else {
        for r in &reports {
            print_report(r);
        }
    }
    if let Some(dir) = &a.report {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        let model = classifier.model();
        let d = model.decision();
        // f32 thresholds rounded so they read 0.62, not 0.6200000047683716.
        let round = |x: f32| (x as f64 * 1e4).round() / 1e4;
        let info = serde_json::json!({
            "origin": model.origin(),
            "fingerprint": model.meta().training.fingerprint,
            "decision": {
                "scam_threshold": round(d.scam_threshold),
                "pattern_threshold": round(d.pattern_threshold),
                "temperature": round(d.temperature),
            },
        });
        posguard::report::write_report(dir, &info, &reports)?;
        // Keep stdout clean for --json.
        let msg = format!("wrote {}", dir.join("index.html").display());
        if a.json {
            eprintln!("{msg}");
        } else {
            println!("{msg}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn print_report(r: &EvalReport) {
    println!(
        "== {} ({} records, scam threshold {})",
        r.name,
        r.records,
        posguard::verdict::threshold_text(r.scam_threshold)
    );
    println!(
        "accuracy {:.4}  macro-F1 {:.4} (present classes {:.4})  scam precision {:.4}  scam recall {:.4}  legit FPR {:.4}  AP {:.4}",
        r.accuracy, r.macro_f1, r.macro_f1_present, r.scam_precision, r.scam_recall, r.legit_fpr, r.average_precision
    );
    println!(
        "{:<8} {:>9} {:>9} {:>9} {:>8}",
        "class", "precision", "recall", "F1", "support"
    );
    for c in &r.per_class {
        println!(
            "{:<8} {:>9.4} {:>9.4} {:>9.4} {:>8}",
            c.label.name(),
            c.precision,
            c.recall,
            c.f1,
            c.support
        );
    }
    println!("confusion (rows = true, columns = predicted):");
    println!("{:<8} {:>8} {:>8} {:>8}", "", "legit", "spam", "scam");
    for v in Verdict::ALL {
        let row = r.confusion[v.index()];
        println!("{:<8} {:>8} {:>8} {:>8}", v.name(), row[0], row[1], row[2]);
    }
    if let Some(p) = &r.patterns {
        println!(
            "patterns on {} scams: top pattern correct {:.4}, exact set {:.4}",
            p.scams_with_patterns, p.top_pattern_correct, p.exact_set
        );
    }
    let fired: Vec<String> = r
        .signals
        .iter()
        .filter(|c| c.legit + c.spam + c.scam > 0)
        .map(|c| format!("{} {}/{}/{}", c.signal, c.legit, c.spam, c.scam))
        .collect();
    if !fired.is_empty() {
        println!(
            "rule signals, rows by true class legit/spam/scam: {}",
            fired.join(", ")
        );
    }
    println!();
}
