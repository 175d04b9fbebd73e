use super::ModelArgs;
use anyhow::{bail, Result};
use clap::{Args, ValueEnum};
use posguard::advice::Advice;
use posguard::{Classifier, Report, Verdict};
use std::io::IsTerminal;
use std::process::ExitCode;

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorArg {
    /// Colour when stdout is a terminal and NO_COLOR is not set.
    Auto,
    Always,
    Never,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum LangArg {
    /// Chinese only.
    Zh,
    /// Chinese with an English gloss under each line.
    En,
}

#[derive(Args)]
pub struct ClassifyArgs {
    /// The message; read from stdin when omitted or `-`.
    text: Option<String>,
    #[command(flatten)]
    model: ModelArgs,
    /// Print JSON instead of the readable report.
    #[arg(long)]
    json: bool,
    /// Scam threshold on P(scam), from 0 to 1 (default: the model's).
    #[arg(long, value_name = "P", value_parser = super::probability)]
    threshold: Option<f32>,
    /// Highlight the evidence in colour.
    #[arg(long, value_enum, default_value_t = ColorArg::Auto, value_name = "WHEN")]
    color: ColorArg,
    /// Language of the advice and explanations: `zh`, or `en` for Chinese plus an English gloss.
    #[arg(long, value_enum, default_value_t = LangArg::Zh)]
    lang: LangArg,
}

pub fn run(a: ClassifyArgs) -> Result<ExitCode> {
    // Bounded like every reader: at most MAX_TEXT_CHARS characters, NUL bytes as spaces.
    let (text, truncated) = match a.text.as_deref() {
        Some(t) if t != "-" => {
            let mut t = t.replace('\0', " ");
            let cut = posguard::io::cut_text(&mut t);
            (t, cut)
        }
        _ => {
            if std::io::stdin().is_terminal() {
                eprintln!("posguard: type or paste the message, then press Ctrl-D (Ctrl-Z Enter on Windows)");
            }
            posguard::io::read_message(std::io::stdin(), "stdin")?
        }
    };
    if let Some(t) = a.text.as_deref().filter(|t| *t != "-") {
        let path = std::path::Path::new(t);
        if !t.contains('\n') && (path.is_file() || path.is_dir()) {
            eprintln!(
                "posguard: note: \"{t}\" is also the name of an existing {}; classifying these characters as the message. To score the messages in it: posguard score {t}{}",
                if path.is_file() { "file" } else { "directory" },
                if path.is_file() { format!(" (or one message: posguard classify < {t})") } else { String::new() }
            );
        }
    }
    if truncated {
        eprintln!(
            "posguard: message truncated to its first {} characters",
            posguard::io::MAX_TEXT_CHARS
        );
    }
    match posguard::io::nothing_to_judge(&text) {
        Some(posguard::io::NothingToJudge::Empty) => {
            bail!("empty message: give the text as an argument or on stdin")
        }
        Some(reason) => bail!("{reason}"),
        None => {}
    }
    // A cold process: normalise, tokenise and check the message (building the dictionaries and
    // rules it needs) on a second thread while this one loads the model.
    let warm = {
        let text = text.clone();
        std::thread::Builder::new()
            .name("posguard-warm".into())
            .spawn(move || drop(posguard::features::Analysis::new(&text)))
            .ok()
    };
    let mut classifier = Classifier::new(a.model.load()?);
    if let Some(t) = a.threshold {
        classifier = classifier.with_scam_threshold(t)?;
    }
    if let Some(w) = warm {
        w.join().ok();
    }
    let report = classifier.classify(&text)?;
    // The process ends right after: freeing the model and dictionaries would only cost time.
    std::mem::forget(classifier);
    if a.json {
        /// The report, and `"truncated": true` when the message was cut (as `score` flags it).
        #[derive(serde::Serialize)]
        struct Out<'a> {
            #[serde(flatten)]
            report: &'a posguard::Report,
            #[serde(skip_serializing_if = "std::ops::Not::not")]
            truncated: bool,
        }
        let out = Out {
            report: &report,
            truncated,
        };
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        let color = match a.color {
            ColorArg::Always => true,
            ColorArg::Never => false,
            ColorArg::Auto => {
                std::io::stdout().is_terminal()
                    && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            }
        };
        print!("{}", render(&report, color, a.lang == LangArg::En));
    }
    Ok(if report.verdict.verdict == Verdict::Scam {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// ANSI styling, or none.
struct Paint {
    on: bool,
}

const RESET: &str = "\x1b[0m";
const BOLD: &str = "1";
const DIM: &str = "2";
const RED: &str = "1;31";
const GREEN: &str = "1;32";
const YELLOW: &str = "1;33";
const CYAN: &str = "36";
const MAGENTA: &str = "1;35;4";
const UNDERLINE: &str = "4";

impl Paint {
    fn p(&self, code: &str, s: &str) -> String {
        if self.on && !s.is_empty() {
            format!("\x1b[{code}m{s}{RESET}")
        } else {
            s.to_string()
        }
    }
}

fn verdict_color(v: Verdict) -> &'static str {
    match v {
        Verdict::Scam => RED,
        Verdict::Spam => YELLOW,
        Verdict::Legit => GREEN,
    }
}

/// How a character of the message is highlighted; higher wins.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Mark {
    None,
    Signal,
    Pattern,
    Verdict,
    Contact,
}

/// The message with its evidence highlighted: in colour, or between ⟦ ⟧ without.
fn highlight(r: &Report, paint: &Paint) -> String {
    let chars: Vec<char> = r.text.chars().collect();
    let mut marks = vec![Mark::None; chars.len()];
    let mut set = |s: usize, e: usize, m: Mark| {
        for x in marks.iter_mut().take(e.min(chars.len())).skip(s) {
            *x = (*x).max(m);
        }
    };
    for s in &r.signals {
        set(s.start, s.end, Mark::Signal);
    }
    for e in &r.evidence {
        set(
            e.start,
            e.end,
            if e.pattern == "verdict" {
                Mark::Verdict
            } else {
                Mark::Pattern
            },
        );
    }
    if let Some(imp) = &r.impersonation {
        for c in imp.findings() {
            set(c.start, c.end, Mark::Contact);
        }
    }
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let m = marks[i];
        let mut j = i;
        while j < chars.len() && marks[j] == m {
            j += 1;
        }
        let run = visible(chars[i..j].iter().copied(), true);
        if paint.on {
            let code = match m {
                Mark::None => "",
                Mark::Signal => UNDERLINE,
                Mark::Pattern => CYAN,
                Mark::Verdict => verdict_color(r.verdict.verdict),
                Mark::Contact => MAGENTA,
            };
            out.push_str(&if code.is_empty() {
                run
            } else {
                paint.p(code, &run)
            });
        } else if m >= Mark::Verdict {
            out.push('⟦');
            out.push_str(&run);
            out.push('⟧');
        } else {
            out.push_str(&run);
        }
        i = j;
    }
    out
}

/// Text of the message made safe and readable on a terminal: control characters (an escape
/// sequence could clear the screen and print a fake verdict), carriage returns (which would send
/// the cursor back over the line) and bidirectional overrides are shown as visible symbols
/// (`␛`, `␍`, `\u{202e}`); a tab becomes a space. Line breaks stay line breaks in the message
/// itself (`keep_newlines`) and are shown as `⏎` inside a quoted span.
fn visible(chars: impl Iterator<Item = char>, keep_newlines: bool) -> String {
    let mut out = String::new();
    let mut chars = chars.peekable();
    while let Some(c) = chars.next() {
        match c {
            // CRLF is a line break like LF.
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' if keep_newlines => out.push('\n'),
            '\n' => out.push('⏎'),
            '\t' => out.push(' '),
            // C0 controls as their control pictures (U+2400 + code), DEL as ␡.
            '\0'..='\x1f' => out.push(char::from_u32(0x2400 + c as u32).unwrap_or('�')),
            '\x7f' => out.push('␡'),
            '\u{80}'..='\u{9f}'
            | '\u{2028}'..='\u{202e}'
            | '\u{2066}'..='\u{2069}'
            | '\u{200e}'
            | '\u{200f}' => out.push_str(&format!("\\u{{{:04x}}}", c as u32)),
            _ => out.push(c),
        }
    }
    out
}

/// `s` followed by spaces up to `width` terminal columns: Chinese characters take two columns,
/// so `format!("{:<18}")`, which counts characters, misaligns the columns after them.
fn pad(s: &str, width: usize) -> String {
    use unicode_width::UnicodeWidthStr;
    let w = s.width();
    format!("{s}{}", " ".repeat(width.saturating_sub(w)))
}

fn gloss(out: &mut String, paint: &Paint, en: bool, indent: &str, text: &str) {
    if en && !text.is_empty() {
        out.push_str(&format!("{indent}{}\n", paint.p(DIM, text)));
    }
}

fn render_advice(out: &mut String, a: &Advice, paint: &Paint, en: bool) {
    out.push_str(&format!("  ▶ {}\n", paint.p(BOLD, a.zh)));
    gloss(out, paint, en, "    ", a.en);
    if let Some(d) = &a.detail_zh {
        out.push_str(&format!("    ★ {d}\n"));
        gloss(
            out,
            paint,
            en,
            "      ",
            a.detail_en.as_deref().unwrap_or_default(),
        );
    }
    for (k, s) in a.steps_zh.iter().enumerate() {
        out.push_str(&format!("    - {s}\n"));
        gloss(
            out,
            paint,
            en,
            "      ",
            a.steps_en.get(k).copied().unwrap_or_default(),
        );
    }
}

/// The readable report.
fn render(r: &Report, color: bool, en: bool) -> String {
    let paint = Paint { on: color };
    let v = &r.verdict;
    let mut out = String::new();
    // P(scam) with at least the threshold's decimals, so the comparison can be read off.
    let threshold = posguard::verdict::threshold_text(v.threshold as f64);
    let decimals = threshold.split('.').nth(1).map_or(3, |d| d.len().max(3));
    out.push_str(&format!(
        "判定 Verdict: {}   P(scam) = {:.decimals$} (threshold {threshold})\n",
        paint.p(
            verdict_color(v.verdict),
            &format!("{} {}", v.verdict.zh(), v.verdict.name())
        ),
        v.score,
    ));
    out.push_str(&format!(
        "  正常 legit {:.3} | 垃圾广告 spam {:.3} | 诈骗 scam {:.3}\n",
        v.probabilities.legit, v.probabilities.spam, v.probabilities.scam
    ));
    if let Some(rule) = v.overruled {
        out.push_str(&format!(
            "  模型判为诈骗，规则改判 the model said scam, overruled by rule: {}\n",
            rule.name()
        ));
    }
    out.push_str("诈骗类型 Patterns:\n");
    let mut ps = v.patterns.clone();
    ps.sort_by(|a, b| {
        b.score
            .unwrap_or(f32::NEG_INFINITY)
            .total_cmp(&a.score.unwrap_or(f32::NEG_INFINITY))
    });
    if ps.iter().all(|p| p.score.is_none()) {
        out.push_str("  — 此模型未训练诈骗类型 this model was trained without pattern labels\n");
        ps.clear();
    }
    for p in ps {
        let score = match p.score {
            Some(s) => format!("{s:.3}"),
            None => "— 未训练 not trained".to_string(),
        };
        let line = format!(
            "{} {} {score}",
            pad(p.pattern.name(), 14),
            pad(p.pattern.zh(), 18)
        );
        if p.flagged {
            out.push_str(&format!("  ■ {}\n", paint.p(BOLD, &line)));
        } else {
            out.push_str(&format!("  □ {line}\n"));
        }
    }
    out.push_str("原文 Message:\n");
    for line in highlight(r, &paint).lines() {
        out.push_str(&format!("  {line}\n"));
    }
    if color {
        let verdict_colour = match v.verdict {
            Verdict::Scam => "红色",
            Verdict::Spam => "黄色",
            Verdict::Legit => "绿色",
        };
        out.push_str(&format!(
            "  {}\n",
            paint.p(
                DIM,
                &format!("（{verdict_colour}=判定依据，青色=诈骗类型依据，紫色下划线=非官方联系方式，下划线=规则信号）")
            )
        ));
    }
    if !r.evidence.is_empty() {
        out.push_str("依据 Evidence (original text, weight):\n");
        for e in &r.evidence {
            let code = if e.pattern == "verdict" {
                verdict_color(v.verdict)
            } else {
                CYAN
            };
            out.push_str(&format!(
                "  {} 「{}」 [{}..{}] {:+.2}\n",
                pad(&e.pattern, 14),
                paint.p(code, &visible(e.text.chars(), false)),
                e.start,
                e.end,
                e.weight
            ));
        }
    }
    if let Some(imp) = &r.impersonation {
        out.push_str("冒充检查 Impersonation:\n");
        for b in &imp.brands {
            let role = if b.claimed {
                "自称 claims to be"
            } else {
                "提到 mentions"
            };
            let official = if b.official_hotlines.is_empty() {
                "资料中没有可靠的官方号码 no reliable official number known".to_string()
            } else {
                format!("官方客服 official {}", b.official_hotlines.join(" / "))
            };
            out.push_str(&format!(
                "  {role} {}（「{}」）— {official}\n",
                b.brand,
                visible(b.text.chars(), false)
            ));
        }
        for c in &imp.contacts {
            let (mark, code) = if c.suspicious {
                ("✗", MAGENTA)
            } else if c.status == posguard::contacts::ContactStatus::Official
                || c.status == posguard::contacts::ContactStatus::Authority
            {
                ("✓", GREEN)
            } else {
                ("?", DIM)
            };
            out.push_str(&format!(
                "  {} {} [{}] {}\n",
                paint.p(code, mark),
                visible(c.text.chars(), false),
                c.status.name(),
                visible(c.message_zh.chars(), false)
            ));
            gloss(&mut out, &paint, en, "      ", &c.message_en);
        }
    }
    if !r.signals.is_empty() {
        out.push_str("信号 Signals:\n");
        // Each signal and wording once, with how often it occurs (a long text repeats them).
        let mut seen: Vec<(&posguard::explain::SignalHit, usize)> = Vec::new();
        for s in &r.signals {
            match seen
                .iter_mut()
                .find(|(h, _)| h.signal == s.signal && h.text == s.text)
            {
                Some((_, n)) => *n += 1,
                None => seen.push((s, 1)),
            }
        }
        for (s, n) in seen {
            let times = if n > 1 {
                format!(" ×{n}")
            } else {
                String::new()
            };
            out.push_str(&format!(
                "  {} ({}) 「{}」{times}\n",
                s.description,
                s.signal.name(),
                visible(s.text.chars(), false)
            ));
            gloss(&mut out, &paint, en, "      ", s.description_en);
        }
    }
    if !r.advice.is_empty() {
        out.push_str("建议 Advice:\n");
        for a in &r.advice {
            render_advice(&mut out, a, &paint, en);
        }
    }
    out
}
