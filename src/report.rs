//! HTML evaluation report: one self-contained page (inline CSS, inline SVG charts drawn with
//! `plotters`) plus the raw numbers as `metrics.json`.
//!
//! Chart text is kept ASCII (the SVG backend cannot measure CJK glyphs); Chinese labels live in the
//! HTML around the charts.

use crate::error::{Error, Result};
use crate::eval::{EvalReport, ThresholdRow};
use crate::labels::{Pattern, Verdict};
use crate::signals::SignalKind;
use plotters::coord::ranged1d::ValueFormatter;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::fmt::Write as _;
use std::path::Path;

type DrawResult<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

const FONT: &str = "sans-serif";
const CHART_W: u32 = 460;
const CHART_H: u32 = 380;

const INK: RGBColor = RGBColor(0x1f, 0x23, 0x28);
const MUTED: RGBColor = RGBColor(0x65, 0x6d, 0x76);
const GRID: RGBColor = RGBColor(0xea, 0xee, 0xf2);
const BLUE: RGBColor = RGBColor(0x21, 0x6e, 0xd6);
const ORANGE: RGBColor = RGBColor(0xe0, 0x7b, 0x12);
const RED: RGBColor = RGBColor(0xcf, 0x22, 0x2e);
const GREEN: RGBColor = RGBColor(0x1a, 0x7f, 0x37);

/// The files [`write_report`] writes into its directory.
pub const REPORT_FILES: [&str; 2] = ["metrics.json", "index.html"];

/// Writes `dir/index.html` and `dir/metrics.json` for the given evaluation sets.
///
/// `model_info` is free-form JSON describing the model (origin, fingerprint, thresholds…); it is
/// copied into `metrics.json` and shown in the page header. The directory is created if missing.
pub fn write_report(
    dir: &Path,
    model_info: &serde_json::Value,
    reports: &[EvalReport],
) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let metrics = serde_json::json!({ "model": model_info, "sets": reports });
    let json = serde_json::to_string_pretty(&metrics)
        .map_err(|e| Error::Invalid(format!("serializing metrics: {e}")))?;
    let path = dir.join(REPORT_FILES[0]);
    std::fs::write(&path, json + "\n").map_err(|e| Error::io(&path, e))?;
    let html = render_html(model_info, reports)?;
    let path = dir.join(REPORT_FILES[1]);
    std::fs::write(&path, html).map_err(|e| Error::io(&path, e))?;
    Ok(())
}

/// Renders the report page as one HTML string with inline SVG charts.
pub fn render_html(model_info: &serde_json::Value, reports: &[EvalReport]) -> Result<String> {
    let mut h = String::with_capacity(256 * 1024);
    h.push_str("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n");
    h.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    h.push_str("<title>posguard 评估报告 · evaluation report</title>\n<style>");
    h.push_str(CSS);
    h.push_str("</style>\n</head>\n<body>\n<main>\n");

    // Header with model information.
    h.push_str("<header><h1>posguard 评估报告 <span class=\"en\">Evaluation report</span></h1>");
    h.push_str("<p class=\"sub\">POS 机诈骗短信分类器 · POS-terminal scam SMS classifier</p>");
    let mut info = Vec::new();
    flatten_json("", model_info, &mut info);
    info.sort_by_key(|(k, _)| model_key(k).0);
    if !info.is_empty() {
        h.push_str("<dl class=\"model\">");
        for (k, v) in &info {
            let label = model_key(k).1.map_or_else(|| esc(k), |l| l.to_string());
            let _ = write!(h, "<div><dt>{label}</dt><dd>{}</dd></div>", esc(v));
        }
        h.push_str("</dl>");
    }
    h.push_str("</header>\n");

    summary_table(&mut h, reports);
    for (i, r) in reports.iter().enumerate() {
        set_section(&mut h, i, r)?;
    }

    let _ = writeln!(
        h,
        "<footer>posguard {} · 原始数据 raw numbers: <a href=\"metrics.json\">metrics.json</a> · \
         颜色 colours: <span class=\"chip good\">好 good</span> <span class=\"chip warn\">一般 fair</span> \
         <span class=\"chip bad\">差 poor</span> <span class=\"chip na\">无数据 n/a</span></footer>",
        env!("CARGO_PKG_VERSION")
    );
    h.push_str("</main>\n</body>\n</html>\n");
    Ok(h)
}

// ---------------------------------------------------------------------------------------------
// Metric helpers.

/// Metric values that can be missing for a set (no scam rows, no legit rows…).
#[derive(Clone, Copy)]
struct Headline {
    accuracy: Option<f64>,
    macro_f1: Option<f64>,
    scam_precision: Option<f64>,
    scam_recall: Option<f64>,
    legit_fpr: Option<f64>,
    ap: Option<f64>,
}

fn support(r: &EvalReport, v: Verdict) -> usize {
    r.confusion[v.index()].iter().sum()
}

fn predicted(r: &EvalReport, v: Verdict) -> usize {
    (0..3).map(|t| r.confusion[t][v.index()]).sum()
}

fn headline(r: &EvalReport) -> Headline {
    let scams = support(r, Verdict::Scam);
    Headline {
        accuracy: (r.records > 0).then_some(r.accuracy),
        macro_f1: (r.records > 0).then_some(r.macro_f1_present),
        scam_precision: (predicted(r, Verdict::Scam) > 0).then_some(r.scam_precision),
        scam_recall: (scams > 0).then_some(r.scam_recall),
        legit_fpr: (support(r, Verdict::Legit) > 0).then_some(r.legit_fpr),
        ap: (scams > 0).then_some(r.average_precision),
    }
}

/// Colour class for a rate where higher is better.
fn grade_high(v: Option<f64>) -> &'static str {
    match v.filter(|v| !v.is_nan()) {
        None => "na",
        Some(v) if v >= 0.95 => "good",
        Some(v) if v >= 0.85 => "warn",
        Some(_) => "bad",
    }
}

/// Colour class for a false-positive rate (lower is better).
fn grade_fpr(v: Option<f64>) -> &'static str {
    match v.filter(|v| !v.is_nan()) {
        None => "na",
        Some(v) if v <= 0.01 => "good",
        Some(v) if v <= 0.03 => "warn",
        Some(_) => "bad",
    }
}

/// A rate as a percentage; `—` when it is undefined (`None`, or NaN as the evaluation stores it).
fn pct(v: Option<f64>) -> String {
    match v.filter(|v| !v.is_nan()) {
        None => "—".into(),
        Some(v) if v > 0.0 && v < 0.001 => format!("{:.2}%", v * 100.0),
        Some(v) => format!("{:.1}%", v * 100.0),
    }
}

fn num3(v: Option<f64>) -> String {
    v.filter(|v| !v.is_nan())
        .map_or_else(|| "—".into(), |v| format!("{v:.3}"))
}

/// A threshold with trailing zeros trimmed (0.5, 0.62, 0.995).
fn thr(t: f64) -> String {
    let s = crate::verdict::threshold_text(t);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s.is_empty() {
        "0".into()
    } else {
        s.to_string()
    }
}

fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

fn flatten_json(prefix: &str, v: &serde_json::Value, out: &mut Vec<(String, String)>) {
    use serde_json::Value;
    let key = |k: &str| {
        if prefix.is_empty() {
            k.to_string()
        } else {
            format!("{prefix}.{k}")
        }
    };
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                flatten_json(&key(k), v, out);
            }
        }
        Value::Null => {}
        Value::String(s) => out.push((prefix.to_string(), s.clone())),
        Value::Number(n) => {
            let s = match n.as_f64() {
                Some(f) if !n.is_i64() && !n.is_u64() => {
                    let s = format!("{f:.4}");
                    s.trim_end_matches('0').trim_end_matches('.').to_string()
                }
                _ => n.to_string(),
            };
            out.push((prefix.to_string(), s));
        }
        other => out.push((prefix.to_string(), other.to_string())),
    }
}

/// Display order and bilingual label of well-known model-info keys.
fn model_key(k: &str) -> (u8, Option<&'static str>) {
    match k {
        "origin" => (0, Some("模型 model")),
        "fingerprint" => (1, Some("训练数据指纹 training fingerprint")),
        "decision.scam_threshold" => (2, Some("诈骗阈值 scam threshold")),
        "decision.pattern_threshold" => (3, Some("类型阈值 pattern threshold")),
        "decision.temperature" => (4, Some("温度 temperature")),
        _ => (9, None),
    }
}

fn anchor(i: usize) -> String {
    format!("set-{}", i + 1)
}

// ---------------------------------------------------------------------------------------------
// HTML sections.

fn summary_table(h: &mut String, reports: &[EvalReport]) {
    h.push_str("<section class=\"card\"><h2>总览 <span class=\"en\">Summary</span></h2>");
    h.push_str(
        "<table class=\"summary\"><thead><tr><th class=\"l\">评估集 set</th><th>条数 records</th>\
         <th>准确率 accuracy</th><th>宏平均 F1 macro-F1</th><th>诈骗精确率 scam precision</th>\
         <th>诈骗召回率 scam recall</th><th>正常误报率 legit FPR</th><th>平均精度 AP</th></tr></thead><tbody>",
    );
    for (i, r) in reports.iter().enumerate() {
        let m = headline(r);
        let _ = write!(
            h,
            "<tr><td class=\"l\"><a href=\"#{}\">{}</a></td><td>{}</td>\
             <td class=\"{}\">{}</td><td class=\"{}\">{}</td><td class=\"{}\">{}</td>\
             <td class=\"{}\">{}</td><td class=\"{}\">{}</td><td class=\"{}\">{}</td></tr>",
            anchor(i),
            esc(&r.name),
            r.records,
            grade_high(m.accuracy),
            pct(m.accuracy),
            grade_high(m.macro_f1),
            num3(m.macro_f1),
            grade_high(m.scam_precision),
            pct(m.scam_precision),
            grade_high(m.scam_recall),
            pct(m.scam_recall),
            grade_fpr(m.legit_fpr),
            pct(m.legit_fpr),
            grade_high(m.ap),
            num3(m.ap),
        );
    }
    h.push_str("</tbody></table>");
    h.push_str(
        "<p class=\"note\">宏平均 F1 只计本集中出现的类别 · macro-F1 over the classes present in each set. \
         “—” 表示该集没有对应的样本 · “—” means the set has no rows for that metric.</p></section>\n",
    );
}

fn set_section(h: &mut String, i: usize, r: &EvalReport) -> Result<()> {
    let m = headline(r);
    let _ = write!(
        h,
        "<section class=\"card set\" id=\"{}\"><h2>{} <span class=\"en\">{} 条 records · 诈骗阈值 scam threshold {}</span></h2>",
        anchor(i),
        esc(&r.name),
        r.records,
        thr(r.scam_threshold)
    );

    // Headline tiles.
    h.push_str("<div class=\"tiles\">");
    let counts = format!(
        "正常 {} · 垃圾 {} · 诈骗 {}",
        support(r, Verdict::Legit),
        support(r, Verdict::Spam),
        support(r, Verdict::Scam)
    );
    tile(
        h,
        "条数",
        "records",
        &r.records.to_string(),
        "plain",
        &counts,
    );
    tile(
        h,
        "准确率",
        "accuracy",
        &pct(m.accuracy),
        grade_high(m.accuracy),
        "三分类 · 3-way",
    );
    let all = format!("全部类别 all classes {:.3}", r.macro_f1);
    tile(
        h,
        "宏平均 F1",
        "macro-F1",
        &num3(m.macro_f1),
        grade_high(m.macro_f1),
        &all,
    );
    let flagged = format!("判为诈骗 flagged {}", predicted(r, Verdict::Scam));
    tile(
        h,
        "诈骗精确率",
        "scam precision",
        &pct(m.scam_precision),
        grade_high(m.scam_precision),
        &flagged,
    );
    let ap = format!("AP {}", num3(m.ap));
    tile(
        h,
        "诈骗召回率",
        "scam recall",
        &pct(m.scam_recall),
        grade_high(m.scam_recall),
        &ap,
    );
    let fp = format!(
        "正常被判诈骗 {}",
        r.confusion[Verdict::Legit.index()][Verdict::Scam.index()]
    );
    tile(
        h,
        "正常误报率",
        "legit FPR",
        &pct(m.legit_fpr),
        grade_fpr(m.legit_fpr),
        &fp,
    );
    h.push_str("</div>");

    // Charts, with legends in HTML (so they can be Chinese and never cover a line).
    h.push_str("<div class=\"charts\">");
    let prevalence = if r.records == 0 {
        0.0
    } else {
        support(r, Verdict::Scam) as f64 / r.records as f64
    };
    chart_box(
        h,
        "混淆矩阵",
        "confusion matrix",
        &[
            (
                Swatch::Box("linear-gradient(90deg,#fbfcfd,#1a7f37)"),
                "判对（占该行比例）correct, share of row".into(),
            ),
            (
                Swatch::Box("linear-gradient(90deg,#fbfcfd,#cf222e)"),
                "判错 errors".into(),
            ),
        ],
        "行 = 真实类别，列 = 预测类别 · rows = true class, columns = predicted",
        &confusion_svg(r).map_err(chart_err)?,
    );
    if support(r, Verdict::Scam) > 0 {
        chart_box(
            h,
            "精确率–召回率曲线",
            "precision–recall, scam vs not",
            &[
                (
                    Swatch::Line("#216ed6", "solid"),
                    format!("P(诈骗) ≥ t 扫描 sweep · AP {:.3}", r.average_precision),
                ),
                (
                    Swatch::Dot("#cf222e"),
                    format!(
                        "工作点 operating point t = {}：精确率 P {} · 召回率 R {}",
                        thr(r.scam_threshold),
                        pct(Some(r.scam_precision)),
                        pct(Some(r.scam_recall))
                    ),
                ),
                (
                    Swatch::Line("#656d76", "dashed"),
                    format!(
                        "随机基线 no-skill（诈骗占比 scam share {:.0}%）",
                        prevalence * 100.0
                    ),
                ),
            ],
            "",
            &pr_svg(r).map_err(chart_err)?,
        );
    } else {
        h.push_str(
            "<figure class=\"chart empty\"><figcaption><b>精确率–召回率曲线</b> \
             <span class=\"en\">precision–recall</span></figcaption>\
             <p>本集没有诈骗样本，无法绘制 · no scam rows in this set.</p></figure>",
        );
    }
    let mut legend = Vec::new();
    if support(r, Verdict::Scam) > 0 {
        legend.push((
            Swatch::Line("#216ed6", "solid"),
            "诈骗精确率 scam precision".to_string(),
        ));
        legend.push((
            Swatch::Line("#e07b12", "solid"),
            "诈骗召回率 scam recall".to_string(),
        ));
    }
    if support(r, Verdict::Legit) > 0 {
        legend.push((
            Swatch::Line("#cf222e", "solid"),
            "正常误报率 legit FPR".to_string(),
        ));
    }
    legend.push((
        Swatch::Line("#cf222e", "dashed"),
        format!("工作阈值 operating threshold {}", thr(r.scam_threshold)),
    ));
    chart_box(
        h,
        "阈值影响",
        "metrics vs threshold on P(scam)",
        &legend,
        "",
        &threshold_svg(r).map_err(chart_err)?,
    );
    h.push_str("</div>");

    // Tables.
    h.push_str("<div class=\"tables\"><div>");
    class_table(h, r);
    oracle_table(h, r);
    if let Some(p) = &r.patterns {
        pattern_table(h, p);
    }
    signal_table(h, r);
    h.push_str("</div><div>");
    threshold_table(h, r);
    h.push_str("</div></div></section>\n");
    Ok(())
}

fn tile(h: &mut String, zh: &str, en: &str, value: &str, class: &str, foot: &str) {
    let _ = write!(
        h,
        "<div class=\"tile {class}\"><div class=\"k\">{} <span class=\"en\">{}</span></div>\
         <div class=\"v\">{}</div><div class=\"f\">{}</div></div>",
        esc(zh),
        esc(en),
        esc(value),
        esc(foot)
    );
}

/// A legend key drawn in HTML.
enum Swatch {
    /// Line in a colour and CSS border style (solid, dashed).
    Line(&'static str, &'static str),
    Dot(&'static str),
    /// Box with a CSS background.
    Box(&'static str),
}

fn chart_box(
    h: &mut String,
    zh: &str,
    en: &str,
    legend: &[(Swatch, String)],
    caption: &str,
    svg: &str,
) {
    let _ = write!(
        h,
        "<figure class=\"chart\"><figcaption><b>{}</b> <span class=\"en\">{}</span></figcaption>{svg}<ul class=\"legend\">",
        esc(zh),
        esc(en),
    );
    for (sw, label) in legend {
        let key = match sw {
            Swatch::Line(c, style) => {
                format!("<i class=\"sw line\" style=\"border-top:3px {style} {c}\"></i>")
            }
            Swatch::Dot(c) => format!("<i class=\"sw dot\" style=\"background:{c}\"></i>"),
            Swatch::Box(bg) => format!("<i class=\"sw box\" style=\"background:{bg}\"></i>"),
        };
        let _ = write!(h, "<li>{key}{}</li>", esc(label));
    }
    h.push_str("</ul>");
    if !caption.is_empty() {
        let _ = write!(h, "<p class=\"cap\">{}</p>", esc(caption));
    }
    h.push_str("</figure>");
}

fn class_table(h: &mut String, r: &EvalReport) {
    h.push_str(
        "<h3>各类别 <span class=\"en\">per class</span></h3><table><thead><tr><th class=\"l\">类别 class</th>\
         <th>精确率 precision</th><th>召回率 recall</th><th>F1</th><th>样本 support</th></tr></thead><tbody>",
    );
    for c in &r.per_class {
        let has = c.support > 0;
        let pred = predicted(r, c.label) > 0;
        let p = pred.then_some(c.precision);
        let rc = has.then_some(c.recall);
        let f = (has || pred).then_some(c.f1);
        let _ = write!(
            h,
            "<tr><td class=\"l\">{} <span class=\"en\">{}</span></td><td class=\"{}\">{}</td>\
             <td class=\"{}\">{}</td><td class=\"{}\">{}</td><td>{}</td></tr>",
            c.label.zh(),
            c.label.name(),
            grade_high(p),
            pct(p),
            grade_high(rc),
            pct(rc),
            grade_high(f),
            num3(f),
            c.support
        );
    }
    h.push_str("</tbody></table>");
}

/// Rule signals by true class: on legit rows each is evidence shown on a genuine message.
fn signal_table(h: &mut String, r: &EvalReport) {
    let fired: Vec<_> = r
        .signals
        .iter()
        .filter(|c| c.legit + c.spam + c.scam > 0)
        .collect();
    if fired.is_empty() {
        return;
    }
    let share = |n: usize, v: Verdict| {
        let total = support(r, v);
        if total == 0 {
            "—".to_string()
        } else {
            format!(
                "{n} <span class=\"en\">({:.1}%)</span>",
                100.0 * n as f64 / total as f64
            )
        }
    };
    h.push_str(
        "<h3>规则信号 <span class=\"en\">rule signals: rows where each fires, by true class</span></h3>\
         <p class=\"note\">红色：诈骗信号出现在正常消息上（误报依据）· red: a scam cue on legit rows, \
         evidence a genuine message would show</p>\
         <table><thead><tr><th class=\"l\">信号 signal</th><th>正常 legit</th><th>垃圾 spam</th>\
         <th>诈骗 scam</th></tr></thead><tbody>",
    );
    for c in fired {
        let kind = SignalKind::ALL.iter().find(|k| k.name() == c.signal);
        let zh = kind.map(|k| k.zh()).unwrap_or_default();
        // A scam cue on legit rows is a false alarm shown on a genuine message: flag it.
        let class = if c.legit > 0 && kind.is_some_and(|k| k.is_scam_cue()) {
            "bad"
        } else {
            ""
        };
        let _ = write!(
            h,
            "<tr><td class=\"l\">{} <span class=\"en\">{}</span></td><td class=\"{class}\">{}</td>\
             <td>{}</td><td>{}</td></tr>",
            esc(zh),
            esc(c.signal),
            share(c.legit, Verdict::Legit),
            share(c.spam, Verdict::Spam),
            share(c.scam, Verdict::Scam),
        );
    }
    h.push_str("</tbody></table>");
}

/// Recall at fixed legit-FPR budgets, when the report carries them (`recall_at_legit_fpr`). Read
/// through JSON so the page keeps working if that optional section changes shape.
fn oracle_table(h: &mut String, r: &EvalReport) {
    let Ok(v) = serde_json::to_value(r) else {
        return;
    };
    let Some(items) = v
        .get("recall_at_legit_fpr")
        .and_then(|x| x.as_array())
        .filter(|a| !a.is_empty())
    else {
        return;
    };
    h.push_str(
        "<h3>固定误报率下的召回率 <span class=\"en\">scam recall at a legit-FPR budget</span></h3>\
         <table><thead><tr><th class=\"l\">误报率上限 FPR budget</th><th>诈骗召回率 scam recall</th>\
         <th>阈值 threshold</th><th>实际误报率 actual legit FPR</th></tr></thead><tbody>",
    );
    for it in items {
        let f = |k: &str| it.get(k).and_then(|x| x.as_f64());
        let recall = f("scam_recall");
        let _ = write!(
            h,
            "<tr><td class=\"l\">≤ {}</td><td class=\"{}\">{}</td><td>{}</td><td>{}</td></tr>",
            pct(f("max_legit_fpr")),
            grade_high(recall),
            pct(recall),
            // The shortest decimal that reads back as the same f32 (what `--threshold` parses):
            // rounded to four places it could fall below a legit score and flag it.
            f("threshold").map_or_else(|| "—".into(), |t| format!("{}", t as f32)),
            pct(f("legit_fpr")),
        );
    }
    h.push_str(
        "</tbody></table><p class=\"note\">阈值在本集上事后选定，仅用于在相同误报率下比较模型，不是可部署的设置 · \
         threshold picked on this very set (oracle): for comparing models at equal false-alarm rates, not a deployable setting.</p>",
    );
}

fn pattern_table(h: &mut String, p: &crate::eval::PatternMetrics) {
    let _ = write!(
        h,
        "<h3>诈骗类型 <span class=\"en\">scam patterns</span></h3>\
         <p class=\"note\">{} 条带类型标注的诈骗 · scams with known patterns — \
         首选类型正确 top pattern correct <b>{}</b>，类型集合完全一致 exact set <b>{}</b></p>\
         <table><thead><tr><th class=\"l\">类型 pattern</th><th>精确率 precision</th><th>召回率 recall</th>\
         <th>样本 support</th></tr></thead><tbody>",
        p.scams_with_patterns,
        pct(Some(p.top_pattern_correct)),
        pct(Some(p.exact_set)),
    );
    for (name, prec, rec, sup) in &p.per_pattern {
        let zh = name.parse::<Pattern>().map(|p| p.zh()).unwrap_or("");
        let has = *sup > 0;
        let _ = write!(
            h,
            "<tr><td class=\"l\">{} <span class=\"en\">{}</span></td><td class=\"{}\">{}</td>\
             <td class=\"{}\">{}</td><td>{}</td></tr>",
            esc(zh),
            esc(name),
            grade_high(has.then_some(*prec)),
            pct(has.then_some(*prec)),
            grade_high(has.then_some(*rec)),
            pct(has.then_some(*rec)),
            sup
        );
    }
    h.push_str("</tbody></table>");
}

/// Sweep rows plus the operating point; returns the rows and the index of the operating row.
fn threshold_rows(r: &EvalReport) -> (Vec<ThresholdRow>, usize) {
    let mut rows = r.thresholds.clone();
    let op = rows
        .iter()
        .position(|t| (t.threshold - r.scam_threshold).abs() < 1e-6);
    if let Some(i) = op {
        return (rows, i);
    }
    let at = rows
        .iter()
        .position(|t| t.threshold > r.scam_threshold)
        .unwrap_or(rows.len());
    rows.insert(
        at,
        ThresholdRow {
            threshold: r.scam_threshold,
            scam_precision: r.scam_precision,
            scam_recall: r.scam_recall,
            legit_fpr: r.legit_fpr,
            flagged: predicted(r, Verdict::Scam),
        },
    );
    (rows, at)
}

fn threshold_table(h: &mut String, r: &EvalReport) {
    let (rows, op) = threshold_rows(r);
    let has_scam = support(r, Verdict::Scam) > 0;
    let has_legit = support(r, Verdict::Legit) > 0;
    h.push_str(
        "<h3>阈值扫描 <span class=\"en\">threshold sweep</span></h3>\
         <table class=\"sweep\"><thead><tr><th>阈值 threshold</th><th>诈骗精确率 scam precision</th>\
         <th>诈骗召回率 scam recall</th><th>正常误报率 legit FPR</th><th>判为诈骗 flagged</th></tr></thead><tbody>",
    );
    for (i, t) in rows.iter().enumerate() {
        let p = (t.flagged > 0).then_some(t.scam_precision);
        let rc = has_scam.then_some(t.scam_recall);
        let f = has_legit.then_some(t.legit_fpr);
        let bar = |v: Option<f64>, colour: &str| {
            v.map_or_else(String::new, |v| {
                format!(
                    " style=\"background:linear-gradient(90deg,{colour} {0:.1}%,transparent {0:.1}%)\"",
                    v * 100.0
                )
            })
        };
        let (cls, mark) = if i == op {
            (
                " class=\"op\"",
                " <span class=\"tag\">工作点 operating</span>",
            )
        } else {
            ("", "")
        };
        let _ = write!(
            h,
            "<tr{cls}><td>{}{mark}</td><td{}>{}</td><td{}>{}</td><td{}>{}</td><td>{}</td></tr>",
            thr(t.threshold),
            bar(p, "#dbe9fb"),
            pct(p),
            bar(rc, "#fde7cf"),
            pct(rc),
            bar(f, "#fbdcdc"),
            pct(f),
            t.flagged
        );
    }
    h.push_str("</tbody></table>");
}

// ---------------------------------------------------------------------------------------------
// Charts (plotters, SVG backend, ASCII text only).

fn chart_err(e: Box<dyn std::error::Error>) -> Error {
    Error::Invalid(format!("drawing report chart: {e}"))
}

fn font(size: u32) -> TextStyle<'static> {
    TextStyle::from((FONT, size).into_font()).color(&INK)
}

/// Linear blend between two colours, `t` in 0..=1.
fn blend(a: RGBColor, b: RGBColor, t: f64) -> RGBColor {
    let t = t.clamp(0.0, 1.0);
    let m = |x: u8, y: u8| (x as f64 + (y as f64 - x as f64) * t).round() as u8;
    RGBColor(m(a.0, b.0), m(a.1, b.1), m(a.2, b.2))
}

fn luminance(c: RGBColor) -> f64 {
    0.299 * c.0 as f64 + 0.587 * c.1 as f64 + 0.114 * c.2 as f64
}

fn confusion_svg(r: &EvalReport) -> DrawResult<String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (CHART_W, CHART_H)).into_drawing_area();
        root.fill(&WHITE)?;
        let mut chart = ChartBuilder::on(&root)
            .margin_top(14)
            .margin_right(18)
            .margin_left(8)
            .margin_bottom(6)
            .x_label_area_size(48)
            .y_label_area_size(78)
            .build_cartesian_2d(-0.5f64..2.5, -0.5f64..2.5)?;
        // Cells are centred on integer coordinates; row 0 (legit) at the top (y = 2 - row).
        let name = |v: f64| {
            let i = v.round();
            if (v - i).abs() > 1e-6 || !(0.0..=2.0).contains(&i) {
                return String::new();
            }
            Verdict::from_index(i as usize)
                .map(|v| v.name().to_string())
                .unwrap_or_default()
        };
        let fx = |v: &f64| name(*v);
        let fy = |v: &f64| name(2.0 - *v);
        chart
            .configure_mesh()
            .disable_mesh()
            .x_labels(3)
            .y_labels(3)
            .x_label_formatter(&fx)
            .y_label_formatter(&fy)
            .x_desc("predicted")
            .y_desc("true")
            .label_style(font(15))
            .axis_desc_style(TextStyle::from((FONT, 14).into_font()).color(&MUTED))
            .axis_style(WHITE)
            // Invisible (white) ticks keep the labels clear of the cells.
            .set_all_tick_mark_size(8)
            .draw()?;

        let empty = RGBColor(0xf3, 0xf4, 0xf6);
        let paper = RGBColor(0xfb, 0xfc, 0xfd);
        for row in 0..3usize {
            let total: usize = r.confusion[row].iter().sum();
            for col in 0..3usize {
                let n = r.confusion[row][col];
                let share = if total == 0 {
                    None
                } else {
                    Some(n as f64 / total as f64)
                };
                let fill = match share {
                    None => empty,
                    Some(s) if row == col => blend(paper, GREEN, s),
                    Some(s) => blend(paper, RED, s.sqrt()),
                };
                let (x, y) = (col as f64, (2 - row) as f64);
                let corners = [(x - 0.5, y - 0.5), (x + 0.5, y + 0.5)];
                chart.draw_series(std::iter::once(Rectangle::new(corners, fill.filled())))?;
                chart.draw_series(std::iter::once(Rectangle::new(
                    corners,
                    ShapeStyle::from(&WHITE).stroke_width(4),
                )))?;
                let text_colour = if luminance(fill) < 140.0 { WHITE } else { INK };
                let centre = (x, y);
                let big = TextStyle::from((FONT, 26).into_font().style(FontStyle::Bold))
                    .color(&text_colour)
                    .pos(Pos::new(HPos::Center, VPos::Center));
                let small = TextStyle::from((FONT, 15).into_font())
                    .color(&text_colour)
                    .pos(Pos::new(HPos::Center, VPos::Center));
                let label = match share {
                    None => "no rows".to_string(),
                    Some(s) => format!("{:.1}%", s * 100.0),
                };
                chart.draw_series(std::iter::once(
                    EmptyElement::at(centre)
                        + Text::new(
                            if share.is_none() {
                                "-".to_string()
                            } else {
                                n.to_string()
                            },
                            (0, -10),
                            big,
                        )
                        + Text::new(label, (0, 18), small),
                ))?;
            }
        }
        root.present()?;
    }
    Ok(svg)
}

fn mesh_0_1<'a, X, Y>(
    chart: &mut ChartContext<'a, SVGBackend<'a>, Cartesian2d<X, Y>>,
    x: &str,
    y: &str,
) -> DrawResult
where
    X: Ranged<ValueType = f64> + ValueFormatter<f64>,
    Y: Ranged<ValueType = f64> + ValueFormatter<f64>,
{
    let pctf = |v: &f64| format!("{:.0}%", v * 100.0);
    chart
        .configure_mesh()
        .light_line_style(WHITE)
        .bold_line_style(GRID)
        .axis_style(MUTED)
        .x_labels(6)
        .y_labels(6)
        .y_label_formatter(&pctf)
        .x_desc(x)
        .y_desc(y)
        .label_style(font(13))
        .axis_desc_style(TextStyle::from((FONT, 14).into_font()).color(&MUTED))
        .draw()?;
    Ok(())
}

fn pr_svg(r: &EvalReport) -> DrawResult<String> {
    let scams = support(r, Verdict::Scam);
    let prevalence = if r.records == 0 {
        0.0
    } else {
        scams as f64 / r.records as f64
    };
    let mut pts: Vec<(f64, f64)> = r
        .thresholds
        .iter()
        .filter(|t| t.flagged > 0)
        .map(|t| (t.scam_recall, t.scam_precision))
        .collect();
    pts.sort_by(|a, b| a.0.total_cmp(&b.0).then(b.1.total_cmp(&a.1)));
    let op = (r.scam_recall, r.scam_precision);

    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (CHART_W, CHART_H)).into_drawing_area();
        root.fill(&WHITE)?;
        let mut chart = ChartBuilder::on(&root)
            .margin_top(14)
            .margin_right(22)
            .margin_left(8)
            .margin_bottom(6)
            .x_label_area_size(46)
            .y_label_area_size(58)
            .build_cartesian_2d(0f64..1.0, 0f64..1.04)?;
        mesh_0_1(&mut chart, "scam recall", "scam precision")?;

        chart.draw_series(DashedLineSeries::new(
            vec![(0.0, prevalence), (1.0, prevalence)],
            6,
            5,
            ShapeStyle::from(&MUTED).stroke_width(1),
        ))?;

        let mut area = vec![(pts.first().map_or(0.0, |p| p.0), 0.0)];
        area.extend(pts.iter().copied());
        area.push((pts.last().map_or(0.0, |p| p.0), 0.0));
        chart.draw_series(std::iter::once(Polygon::new(area, BLUE.mix(0.08).filled())))?;
        chart.draw_series(LineSeries::new(pts.iter().copied(), BLUE.stroke_width(2)))?;
        chart.draw_series(pts.iter().map(|&p| Circle::new(p, 3, BLUE.filled())))?;

        // Operating point with its threshold (none when nothing was called a scam: it has no
        // precision to place it at).
        if !op.0.is_nan() && !op.1.is_nan() {
            let right = op.0 > 0.45;
            let lab = TextStyle::from((FONT, 14).into_font().style(FontStyle::Bold))
                .color(&RED)
                .pos(Pos::new(
                    if right { HPos::Right } else { HPos::Left },
                    VPos::Top,
                ));
            let dx = if right { -10 } else { 10 };
            chart.draw_series(std::iter::once(
                EmptyElement::at(op)
                    + Circle::new((0, 0), 7, RED.filled())
                    + Circle::new((0, 0), 7, WHITE.stroke_width(2))
                    + Text::new(format!("t = {}", thr(r.scam_threshold)), (dx, 10), lab),
            ))?;
        }
        root.present()?;
    }
    Ok(svg)
}

fn threshold_svg(r: &EvalReport) -> DrawResult<String> {
    let has_scam = support(r, Verdict::Scam) > 0;
    let has_legit = support(r, Verdict::Legit) > 0;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (CHART_W, CHART_H)).into_drawing_area();
        root.fill(&WHITE)?;
        let mut chart = ChartBuilder::on(&root)
            .margin_top(14)
            .margin_right(22)
            .margin_left(8)
            .margin_bottom(6)
            .x_label_area_size(46)
            .y_label_area_size(58)
            .build_cartesian_2d(0f64..1.0, 0f64..1.04)?;
        mesh_0_1(&mut chart, "threshold on P(scam)", "rate")?;

        let t = r.scam_threshold;
        chart.draw_series(DashedLineSeries::new(
            vec![(t, 0.0), (t, 1.04)],
            6,
            5,
            ShapeStyle::from(&RED).stroke_width(1),
        ))?;
        let right = t > 0.8;
        chart.draw_series(std::iter::once(
            EmptyElement::at((t, 1.04))
                + Text::new(
                    format!("t = {}", thr(t)),
                    (if right { -6 } else { 6 }, 2),
                    TextStyle::from((FONT, 13).into_font().style(FontStyle::Bold))
                        .color(&RED)
                        .pos(Pos::new(
                            if right { HPos::Right } else { HPos::Left },
                            VPos::Top,
                        )),
                ),
        ))?;

        type Getter = fn(&ThresholdRow) -> Option<f64>;
        let series: [(RGBColor, bool, Getter); 3] = [
            (BLUE, has_scam, |t| {
                (t.flagged > 0).then_some(t.scam_precision)
            }),
            (ORANGE, has_scam, |t| Some(t.scam_recall)),
            (RED, has_legit, |t| Some(t.legit_fpr)),
        ];
        for (colour, show, get) in series {
            if !show {
                continue;
            }
            let pts: Vec<(f64, f64)> = r
                .thresholds
                .iter()
                .filter_map(|t| get(t).map(|v| (t.threshold, v)))
                .collect();
            chart.draw_series(LineSeries::new(pts.iter().copied(), colour.stroke_width(2)))?;
            chart.draw_series(pts.iter().map(|&p| Circle::new(p, 2, colour.filled())))?;
        }

        root.present()?;
    }
    Ok(svg)
}

const CSS: &str = r#"
:root{--ink:#1f2328;--muted:#656d76;--line:#d8dee4;--bg:#f4f6f8;--card:#fff;
--good:#1a7f37;--good-bg:#dafbe1;--warn:#9a6700;--warn-bg:#fff3c4;--bad:#cf222e;--bad-bg:#ffe1e3;--na-bg:#eef0f2}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);
font:15px/1.5 "Noto Sans CJK SC","Noto Sans SC","Source Han Sans SC","PingFang SC","Hiragino Sans GB","Microsoft YaHei","WenQuanYi Micro Hei",system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
main{max-width:1480px;margin:0 auto;padding:24px}
header{margin-bottom:18px}
h1{margin:0;font-size:28px}
h2{margin:0 0 14px;font-size:21px}
h3{margin:18px 0 8px;font-size:16px}
.en{color:var(--muted);font-weight:400;font-size:.85em}
.sub{margin:2px 0 12px;color:var(--muted)}
dl.model{display:flex;flex-wrap:wrap;gap:8px 10px;margin:0}
dl.model div{background:var(--card);border:1px solid var(--line);border-radius:6px;padding:4px 10px;max-width:100%}
dl.model dt{display:inline;color:var(--muted);font-size:13px;margin-right:6px}
dl.model dd{display:inline;margin:0;font:13px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;word-break:break-all}
.card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:20px 22px;margin-bottom:22px;box-shadow:0 1px 2px rgba(31,35,40,.04)}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}
th,td{padding:6px 10px;text-align:right;border-bottom:1px solid #eaeef2;white-space:nowrap}
th{font-size:12.5px;color:var(--muted);font-weight:600;border-bottom:2px solid var(--line);white-space:normal}
.l{text-align:left}
td.good{color:var(--good);background:var(--good-bg);font-weight:600}
td.warn{color:var(--warn);background:var(--warn-bg);font-weight:600}
td.bad{color:var(--bad);background:var(--bad-bg);font-weight:600}
td.na{color:var(--muted)}
table.summary td{font-size:15px}
table.summary a{color:var(--ink);font-weight:600;text-decoration:none;border-bottom:1px dotted var(--muted)}
.note{color:var(--muted);font-size:13px;margin:8px 0 0}
.tiles{display:grid;grid-template-columns:repeat(auto-fit,minmax(170px,1fr));gap:12px;margin-bottom:18px}
.tile{border-radius:8px;padding:10px 14px;border:1px solid var(--line);border-left-width:6px}
.tile .k{font-size:13px;font-weight:600}
.tile .v{font-size:30px;font-weight:700;line-height:1.2;font-variant-numeric:tabular-nums}
.tile .f{font-size:12px;color:var(--muted)}
.tile.good{border-left-color:var(--good);background:var(--good-bg)}.tile.good .v{color:var(--good)}
.tile.warn{border-left-color:#d4a72c;background:var(--warn-bg)}.tile.warn .v{color:var(--warn)}
.tile.bad{border-left-color:var(--bad);background:var(--bad-bg)}.tile.bad .v{color:var(--bad)}
.tile.na{border-left-color:#afb8c1;background:var(--na-bg)}.tile.na .v{color:var(--muted)}
.tile.plain{border-left-color:#57606a;background:#f6f8fa}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(360px,1fr));gap:14px}
figure.chart{margin:0;border:1px solid #eaeef2;border-radius:8px;padding:10px 10px 6px}
figure.chart svg{display:block;width:100%;height:auto}
figcaption{font-size:15px;margin-bottom:4px}
.cap{color:var(--muted);font-size:12px;margin:4px 0 0}
ul.legend{list-style:none;margin:4px 0 0;padding:0;display:flex;flex-wrap:wrap;gap:2px 16px;font-size:12.5px}
ul.legend li{white-space:nowrap}
.sw{display:inline-block;vertical-align:middle;margin-right:6px}
.sw.line{width:22px;height:0}
.sw.dot{width:11px;height:11px;border-radius:50%}
.sw.box{width:34px;height:11px;border-radius:2px;border:1px solid #d8dee4}
figure.empty p{color:var(--muted);text-align:center;margin:120px 0}
.tables{display:grid;grid-template-columns:repeat(auto-fit,minmax(460px,1fr));gap:8px 28px}
table.sweep td{padding:3px 10px;font-size:13.5px}
tr.op td{background:#fff8c5 !important;font-weight:700;border-top:2px solid #d4a72c;border-bottom:2px solid #d4a72c}
.tag{display:inline-block;background:#d4a72c;color:#fff;font-size:11px;font-weight:600;border-radius:10px;padding:0 7px;margin-left:6px;vertical-align:1px}
footer{color:var(--muted);font-size:13px;text-align:center;padding:6px 0 20px}
footer a{color:var(--muted)}
.chip{display:inline-block;border-radius:4px;padding:0 6px}
.chip.good{background:var(--good-bg);color:var(--good)}.chip.warn{background:var(--warn-bg);color:var(--warn)}
.chip.bad{background:var(--bad-bg);color:var(--bad)}.chip.na{background:var(--na-bg)}
"#;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::{evaluate, Scored};
    use crate::model::{Decision, Prediction};

    /// A hand-made set: 90 legit, 25 spam and 80 scam rows with spread-out scores.
    fn rows(with_scams: bool) -> Vec<Scored> {
        let row = |truth, legit: f32, spam: f32, scam: f32, pat: Option<Vec<Pattern>>| Scored {
            truth,
            true_patterns: pat,
            prediction: Prediction {
                verdict: [legit, spam, scam],
                patterns: [0.8, 0.1, 0.0, 0.0, 0.0, 0.0, 0.0],
            },
            overrule: None,
        };
        let mut v = Vec::new();
        for i in 0..90 {
            let s = i as f32 / 90.0 * 0.7;
            v.push(row(Verdict::Legit, 1.0 - s, 0.0, s, None));
        }
        for i in 0..25 {
            let s = i as f32 / 25.0 * 0.3;
            v.push(row(Verdict::Spam, 0.1, 0.9 - s, s, None));
        }
        if with_scams {
            for i in 0..80 {
                let s = 0.3 + 0.7 * i as f32 / 80.0;
                v.push(row(
                    Verdict::Scam,
                    1.0 - s,
                    0.0,
                    s,
                    Some(vec![Pattern::FakeUpgrade]),
                ));
            }
        }
        v
    }

    fn sample(threshold: f32) -> EvalReport {
        let d = Decision {
            scam_threshold: threshold,
            ..Decision::default()
        };
        evaluate("手工集_handmade", &rows(true), &d)
    }

    #[test]
    fn writes_html_and_metrics() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("nested/report");
        let info = serde_json::json!({
            "origin": "built-in <default>",
            "decision": { "scam_threshold": 0.62 },
        });
        write_report(&out, &info, &[sample(0.62)]).unwrap();

        let html = std::fs::read_to_string(out.join("index.html")).unwrap();
        assert!(html.contains("<svg"));
        assert_eq!(html.matches("<svg").count(), 3, "three charts");
        assert!(html.contains("手工集_handmade"));
        assert!(
            html.contains("built-in &lt;default&gt;"),
            "model info escaped"
        );
        assert!(html.contains("class=\"op\""), "operating row highlighted");
        assert!(html.contains("假升级/停用换机"), "pattern table present");
        assert!(
            !html.contains("规则信号"),
            "no signal table without signal counts"
        );
        assert!(!html.contains("<script"), "no JavaScript");

        let text = std::fs::read_to_string(out.join("metrics.json")).unwrap();
        let m: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(m["sets"].as_array().unwrap().len(), 1);
        assert_eq!(m["sets"][0]["records"], 195);
        assert_eq!(m["sets"][0]["name"], "手工集_handmade");
        assert_eq!(m["model"]["origin"], "built-in <default>");
    }

    #[test]
    fn operating_row_inserted_or_matched() {
        // 0.62 is not on the sweep grid: a row is inserted with the report's own numbers.
        let r = sample(0.62);
        let (rows, op) = threshold_rows(&r);
        assert_eq!(rows.len(), r.thresholds.len() + 1);
        assert!((rows[op].threshold - r.scam_threshold).abs() < 1e-9);
        assert_eq!(rows[op].flagged, predicted(&r, Verdict::Scam));
        assert!(rows.windows(2).all(|w| w[0].threshold < w[1].threshold));
        // 0.5 is on the grid: that row is the operating one.
        let r = sample(0.5);
        let (rows, op) = threshold_rows(&r);
        assert_eq!(rows.len(), r.thresholds.len());
        assert!((rows[op].threshold - 0.5).abs() < 1e-9);
    }

    #[test]
    fn signal_table_flags_signals_on_legit_rows() {
        let mut r = sample(0.5);
        r.signals = crate::eval::signal_counts([]);
        let at =
            |r: &EvalReport, name: &str| r.signals.iter().position(|c| c.signal == name).unwrap();
        let (reply, urgency, debit) = (
            at(&r, "reply_action"),
            at(&r, "urgency"),
            at(&r, "debit_notice"),
        );
        r.signals[reply].scam = 3;
        r.signals[urgency].legit = 1;
        r.signals[debit].legit = 5;
        let html = render_html(&serde_json::Value::Null, &[r]).unwrap();
        assert!(html.contains("规则信号"));
        let row = |name: &str| {
            let at = html
                .find(&format!("<span class=\"en\">{name}</span>"))
                .unwrap();
            html[at..at + html[at..].find("</tr>").unwrap()].to_string()
        };
        assert!(
            row("urgency").contains("class=\"bad\">1 "),
            "{}",
            row("urgency")
        );
        assert!(
            row("reply_action").contains("<td>3 "),
            "{}",
            row("reply_action")
        );
        // A legit cue on legit rows is expected, not flagged.
        assert!(
            row("debit_notice").contains("class=\"\">5 "),
            "{}",
            row("debit_notice")
        );
        assert!(
            !html.contains(">short_link<"),
            "signals that never fire are left out"
        );
    }

    #[test]
    fn set_without_scams_renders() {
        let r = evaluate("no_scams", &rows(false), &Decision::default());
        let html = render_html(&serde_json::Value::Null, &[r]).unwrap();
        assert!(html.contains("no scam rows"));
        assert_eq!(html.matches("<svg").count(), 2);
        assert!(html.contains("无数据"));
    }

    #[test]
    fn formatting_helpers() {
        assert_eq!(thr(0.5), "0.5");
        assert_eq!(thr(0.995), "0.995");
        assert_eq!(thr(0.0), "0");
        assert_eq!(pct(None), "—");
        assert_eq!(pct(Some(0.9273)), "92.7%");
        assert_eq!(esc("<a&\"b\">"), "&lt;a&amp;&quot;b&quot;&gt;");
        assert_eq!(grade_fpr(Some(0.2)), "bad");
        assert_eq!(grade_high(Some(0.96)), "good");
    }
}
