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
    /// Scam threshold on P(scam), from 0 to 1 (default: the model's).
    #[arg(long, value_name = "P", value_parser = super::probability)]
    threshold: Option<f32>,
    /// Also write an HTML report with charts (index.html) and metrics.json into this directory.
    #[arg(long, value_name = "DIR")]
    report: Option<PathBuf>,
}

pub fn run(a: EvalArgs) -> Result<ExitCode> {
    let mut classifier = Classifier::new(a.model.load()?);
    if let Some(t) = a.threshold {
        classifier = classifier.with_scam_threshold(t)?;
    }
    // The report directory is made before the evaluation, so a bad path fails at once; the files
    // the report writes must not be one of the files this run reads.
    if let Some(dir) = &a.report {
        if dir.exists() && !dir.is_dir() {
            anyhow::bail!(
                "--report {}: is a file; the report is a directory (index.html, metrics.json, \
                 charts) — give a directory name",
                dir.display()
            );
        }
        let read: Vec<PathBuf> = a.data.iter().chain(&a.model.model).cloned().collect();
        for name in posguard::report::REPORT_FILES {
            super::refuse_overwrite(&dir.join(name), "--report", &read, &[])?;
        }
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let names = set_names(&a.data);
    let mut reports = Vec::new();
    for (path, name) in a.data.iter().zip(names) {
        let mut records = read_labelled(path)?;
        if records.is_empty() {
            anyhow::bail!("{}: no records to evaluate", path.display());
        }
        // Scored as `classify` and `score` score them: a text over the length limit is cut.
        super::as_score_sees_them(&mut records, path);
        // Repeated texts count once per row, as the rows are; say so, since a set with repeats
        // weighs those messages more than the others.
        let mut seen: std::collections::HashMap<&str, posguard::Verdict> =
            std::collections::HashMap::with_capacity(records.len());
        let (mut repeats, mut relabelled) = (0usize, 0usize);
        for r in &records {
            match seen.get(r.text.as_str()) {
                Some(&v) => {
                    repeats += 1;
                    relabelled += usize::from(v != r.verdict);
                }
                None => {
                    seen.insert(&r.text, r.verdict);
                }
            }
        }
        if repeats > 0 {
            eprintln!(
                "posguard: {}: {repeats} rows repeat the text of an earlier row ({relabelled} of them under another verdict); each row is counted",
                path.display()
            );
        }
        drop(seen);
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
                    overrule: a.overrule(),
                });
                signals.push((r.verdict, a.signals));
            }
        }
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

/// The name each set is reported under: its file stem, or its path when two sets share a stem
/// (`a/set.jsonl` and `b/set.jsonl`).
fn set_names(paths: &[PathBuf]) -> Vec<String> {
    let stem = |p: &PathBuf| {
        p.file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    paths
        .iter()
        .map(|p| {
            let s = stem(p);
            if paths.iter().filter(|q| stem(q) == s).count() > 1 {
                p.display().to_string()
            } else {
                s
            }
        })
        .collect()
}

pub fn print_report(r: &EvalReport) {
    println!(
        "== {} ({} records, scam threshold {})",
        r.name,
        r.records,
        posguard::verdict::threshold_text(r.scam_threshold)
    );
    // Undefined metrics (no scam rows: recall, AP; no legit rows: FPR; nothing called a scam:
    // precision) are NaN: shown as n/a.
    let f4 = |x: f64| {
        if x.is_nan() {
            "n/a".to_string()
        } else {
            format!("{x:.4}")
        }
    };
    println!(
        "accuracy {:.4}  macro-F1 {:.4} (present classes {:.4})  scam precision {}  scam recall {}  legit FPR {}  AP {}",
        r.accuracy,
        r.macro_f1,
        r.macro_f1_present,
        f4(r.scam_precision),
        f4(r.scam_recall),
        f4(r.legit_fpr),
        f4(r.average_precision)
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
