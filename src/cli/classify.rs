use super::ModelArgs;
use anyhow::{bail, Context, Result};
use clap::Args;
use posguard::{Classifier, Report, Verdict};
use std::io::Read;
use std::process::ExitCode;

#[derive(Args)]
pub struct ClassifyArgs {
    /// The message; read from stdin when omitted or `-`.
    text: Option<String>,
    #[command(flatten)]
    model: ModelArgs,
    /// Print JSON instead of the readable report.
    #[arg(long)]
    json: bool,
    /// Scam threshold on P(scam) (default: the model's).
    #[arg(long, value_name = "P")]
    threshold: Option<f32>,
}

pub fn run(a: ClassifyArgs) -> Result<ExitCode> {
    let text = match a.text.as_deref() {
        Some(t) if t != "-" => t.to_string(),
        _ => {
            let mut buf = Vec::new();
            std::io::stdin().read_to_end(&mut buf).context("reading stdin")?;
            String::from_utf8(buf).map_err(|e| {
                anyhow::anyhow!("stdin is not valid UTF-8 (invalid byte at offset {})", e.utf8_error().valid_up_to())
            })?
        }
    };
    if text.trim().is_empty() {
        bail!("empty message: give the text as an argument or on stdin");
    }
    let mut classifier = Classifier::new(a.model.load()?);
    if let Some(t) = a.threshold {
        classifier = classifier.with_scam_threshold(t);
    }
    let report = classifier.classify(&text)?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_report(&report);
    }
    Ok(if report.verdict.verdict == Verdict::Scam {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn print_report(r: &Report) {
    let v = &r.verdict;
    println!(
        "判定 Verdict: {} {}   P(scam) = {:.3} (threshold {:.2})",
        v.verdict.zh(),
        v.verdict.name(),
        v.score,
        v.threshold
    );
    println!(
        "  正常 legit {:.3} | 垃圾广告 spam {:.3} | 诈骗 scam {:.3}",
        v.probabilities.legit, v.probabilities.spam, v.probabilities.scam
    );
    println!("诈骗类型 Patterns:");
    let mut ps = v.patterns.clone();
    ps.sort_by(|a, b| b.score.total_cmp(&a.score));
    for p in ps {
        let mark = if p.flagged { "■" } else { "□" };
        println!("  {mark} {:<14} {:<18} {:.3}", p.pattern.name(), p.pattern.zh(), p.score);
    }
    if !r.evidence.is_empty() {
        println!("依据 Evidence (original text, weight):");
        for e in &r.evidence {
            println!("  「{}」 [{}..{}] {} {:+.2}", e.text, e.start, e.end, e.pattern, e.weight);
        }
    }
    if !r.signals.is_empty() {
        println!("信号 Signals:");
        for s in &r.signals {
            println!("  {} ({}) 「{}」", s.description, s.signal.name(), s.text);
        }
    }
}
