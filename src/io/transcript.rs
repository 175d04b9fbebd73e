//! Call transcripts: one call per file, as speaker-prefixed text lines or as ASR JSON segments.
//!
//! Text (`.txt`, any of the text encodings): each line starting with a speaker label — `客服：…`,
//! `A: …`, `商户:…`, `【坐席】：…`, `Speaker 1: …`, `张 老板：…`, `客服(工号007)：…`,
//! `坐席（张三）:…` (up to 12 characters in brackets; a time there, `坐席(00:18)：`, is the turn's
//! time), optionally after a time stamp `[00:01:02]`, or a numbered speaker without a colon
//! (`说话人1 喂…`, or `说话人1 00:05` alone with the text on the lines below) — starts a turn;
//! other lines continue the turn before them.
//!
//! Subtitles (`.srt`, `.vtt`, as whisper and WhisperX write them, or their content under another
//! name): each cue is a turn starting at its time stamp; its speaker from a WebVTT voice tag
//! `<v 客服>` or a label at the start of its text (`[SPEAKER_00]: …`, `客服：…`); cue numbers,
//! timings, `NOTE`/`STYLE`/`REGION` blocks and markup are left out.
//!
//! ASR JSON: an array of segments `[{"speaker","text","start","end"}]` or an object with a
//! `segments` array (whisper, WhisperX, FunASR-style), or the result documents of the Chinese
//! cloud services (Alibaba, Volcengine, Tencent, iFlytek: see `segments_of`); consecutive
//! segments of the same speaker form one turn, segments without a speaker are turns of their own.
//! Segments that cannot be read are left out and named on the record ([`Record::skipped`]). A
//! JSON array of objects without `speaker`/`start`/`end` is read as an array of messages instead
//! (text field as in JSONL).
//!
//! A call is one record: the text is all turns, one `speaker：text` line each, and the turns are kept
//! so the scorer can also score sliding windows of turns and name where the scam signal peaks.

use super::encoding::{decode_owned, TextEncoding};
use super::jsonl::record_from_object;
use super::{
    cap_turns, finish_record, join_turns, ReaderOptions, Record, RecordError, RecordResult,
    RecordStream, Turn, MAX_DOCUMENT_BYTES, MAX_TEXT_CHARS,
};
use crate::labels::Channel;
use regex::Regex;
use serde_json::Value;
use std::borrow::Cow;
use std::io::{BufRead, Read};
use std::sync::OnceLock;

fn speaker_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r#"^\s*(?:[\[【(（]?\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?[\]】)）]?\s*)?(?:[\[【]([^\]】\s]{1,16})[\]】]\s*[:：]|((?:(?:[A-Za-z]+|\p{Han}{1,8})[ _]?\d{1,2}|\p{Han}{1,4} \p{Han}{1,4}|[^\s:：,，。.!！?？\[\]【】()（）"“”'‘’<>《》/]{1,16})(?:\s?[(（][^()（）\[\]【】]{1,12}[)）])?)\s*[:：])\s*(.*)$"#,
        )
        .expect("speaker regex")
    })
}

/// A diarisation tool's numbered speaker written without a colon: `说话人1 喂，您好`, or alone on
/// its line with the time of the turn (`说话人1 00:05`, the text on the lines below, as Feishu
/// Minutes, Tongyi Tingwu and iFlytek's exports write it).
fn numbered_speaker_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"^\s*((?:说话人|发言人|讲话人|Speaker|SPEAKER|speaker|spk|SPK)[ _]?\d{1,2})(?:\s+(.*))?$")
            .expect("numbered speaker regex")
    })
}

/// `(speaker, rest)` when the line starts with a speaker label.
pub fn split_speaker(line: &str) -> Option<(&str, &str)> {
    split_speaker_timed(line).map(|(sp, rest, _)| (sp, rest))
}

/// [`split_speaker`], and the time the label carries: `坐席(00:18)：…` is speaker `坐席` at 18 s
/// (a time in the label's brackets would otherwise make every turn a speaker of its own), and
/// `说话人1 00:05` alone is speaker `说话人1` at 5 s with its text on the next lines.
fn split_speaker_timed(line: &str) -> Option<(&str, &str, Option<f64>)> {
    let Some(c) = speaker_re().captures(line) else {
        let c = numbered_speaker_re().captures(line)?;
        let label = c.get(1)?.as_str();
        let rest = c.get(2).map_or("", |m| m.as_str()).trim();
        return Some(match clock_seconds(rest) {
            Some(t) => (label, "", Some(t)),
            None => (label, rest, None),
        });
    };
    let label = c.get(1).or_else(|| c.get(2))?.as_str();
    let lower = label.to_ascii_lowercase();
    if label.chars().all(|ch| ch.is_ascii_digit())
        || lower == "http"
        || lower == "https"
        || lower == "www"
    {
        return None;
    }
    let rest = c.get(3).map(|m| m.as_str()).unwrap_or("").trim();
    let base = base_label(label);
    let bracket = label[base.len()..]
        .trim_start()
        .trim_start_matches(['(', '（'])
        .trim_end_matches([')', '）']);
    match clock_seconds(bracket.trim()) {
        Some(t) if !base.is_empty() => Some((base, rest, Some(t))),
        _ => Some((label, rest, None)),
    }
}

/// A label without the part in brackets after it (`客服(工号007)` → `客服`, `坐席（张三）` → `坐席`).
fn base_label(label: &str) -> &str {
    label.split(['(', '（']).next().unwrap_or(label).trim_end()
}

/// A label that is the salutation opening a message (`尊敬的客户：`, `亲爱的用户：`), never a
/// speaker in a call.
fn is_salutation(label: &str) -> bool {
    let label = base_label(label);
    label.starts_with("尊敬") || label.starts_with("亲爱") || label.contains('的')
}

/// Whether a speaker label names a role in a call (`客服`, `商户`, `张老板`, `A`, `SPEAKER_00`,
/// `说话人 1`) rather than being the salutation of a message (`尊敬的客户`).
fn is_role_label(label: &str) -> bool {
    const ROLES: [&str; 24] = [
        "客服",
        "坐席",
        "专员",
        "用户",
        "客户",
        "来电",
        "主叫",
        "被叫",
        "商户",
        "商家",
        "老板",
        "业务员",
        "销售",
        "经理",
        "骗子",
        "嫌疑人",
        "受害人",
        "受害者",
        "对方",
        "本人",
        "我",
        "甲",
        "乙",
        "店主",
    ];
    if is_salutation(label) {
        return false;
    }
    let label = base_label(label);
    let ascii_role = label.len() <= 3 && label.chars().all(|c| c.is_ascii_alphabetic());
    let numbered = label.chars().last().is_some_and(|c| c.is_ascii_digit());
    ascii_role || numbered || ROLES.iter().any(|r| label.ends_with(r))
}

/// Whether the text reads as a call transcript rather than one message per line: most lines
/// carry a speaker label, a handful of labels recur, and the speaker changes. A transcript whose
/// turns wrap onto unlabelled lines passes with fewer labelled lines (a quarter) when it opens
/// with a label and every label names a role in a call (`客服`, `商户`, `A`, `说话人 1`), so
/// that a list of messages that happen to start `尊敬的客户：` is not taken for a call; a text
/// with such a salutation among its labels is never one.
pub fn looks_like_transcript(text: &str) -> bool {
    // The header block above the turns (`主叫：138…`, `通话时间：…`, `【通话记录】`) says nothing
    // of them.
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .skip_while(|l| is_header_block_line(l))
        .take(200)
        .collect();
    if lines.len() < 2 {
        return false;
    }
    let mut labels: Vec<(&str, usize)> = Vec::new();
    let (mut labelled, mut changes, mut last) = (0usize, 0usize, None);
    for l in &lines {
        if let Some((sp, _)) = split_speaker(l) {
            labelled += 1;
            match labels.iter_mut().find(|(s, _)| *s == sp) {
                Some((_, n)) => *n += 1,
                None => labels.push((sp, 1)),
            }
            if last.is_some_and(|p| p != sp) {
                changes += 1;
            }
            last = Some(sp);
        }
    }
    labels.sort_by_key(|l| std::cmp::Reverse(l.1));
    let top2: usize = labels.iter().take(2).map(|(_, n)| n).sum();
    let wrapped_call = split_speaker(lines[0]).is_some()
        && labelled * 4 >= lines.len()
        && labels.iter().all(|(l, _)| is_role_label(l));
    (labelled * 10 >= lines.len() * 6 || wrapped_call)
        && !labels.iter().any(|(l, _)| is_salutation(l))
        && (2..=8).contains(&labels.len())
        && changes >= 1
        && top2 * 10 >= labelled * 7
}

/// Seconds of a time stamp `hh:mm:ss`, `mm:ss`, with `.mmm` or `,mmm` (SRT) after it.
fn clock_seconds(stamp: &str) -> Option<f64> {
    let (clock, frac) = match stamp.split_once(['.', ',']) {
        Some((c, f)) if !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()) => (c, Some(f)),
        Some(_) => return None,
        None => (stamp, None),
    };
    let parts: Vec<&str> = clock.split(':').collect();
    if !(2..=3).contains(&parts.len())
        || parts
            .iter()
            .any(|p| p.is_empty() || p.len() > 2 || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let mut secs = 0f64;
    for p in &parts {
        secs = secs * 60.0 + p.parse::<f64>().ok()?;
    }
    if let Some(f) = frac {
        secs += format!("0.{f}").parse::<f64>().ok()?;
    }
    Some(secs)
}

/// The time stamp a transcript line opens with (`[00:01:02] 商户：…`, `00:03 客服：…`), in seconds.
fn leading_time(line: &str) -> Option<f64> {
    let t = line.trim_start();
    let t = t.strip_prefix(['[', '【', '(', '（']).unwrap_or(t);
    let end = t
        .find(|c: char| !(c.is_ascii_digit() || matches!(c, ':' | '.' | ',')))
        .unwrap_or(t.len());
    clock_seconds(t[..end].trim_end_matches([',', '.']))
}

/// A subtitle cue's timing line (`00:00:01,000 --> 00:00:03,500`, WebVTT settings after it):
/// the start in seconds. Both times have their fraction of a second, as SRT and WebVTT always
/// write them (`10:30 --> 11:00 开会` is a message).
fn cue_start(line: &str) -> Option<f64> {
    let (a, b) = line.split_once("-->")?;
    let (a, end) = (a.trim(), b.split_whitespace().next()?);
    if !a.contains(['.', ',']) || !end.contains(['.', ',']) {
        return None;
    }
    clock_seconds(end)?;
    clock_seconds(a)
}

/// Whether a text is subtitles: WebVTT's header, or a cue timing line among its first lines
/// (SRT: a cue number, then the timing).
pub fn looks_like_subtitles(text: &str) -> bool {
    let text = text.trim_start_matches('\u{feff}').trim_start();
    if text.starts_with("WEBVTT") {
        return true;
    }
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .take(3)
        .any(|l| cue_start(l).is_some())
}

/// A cue's text without markup: WebVTT tags (`<v 客服>`, `<c.red>`, `<i>`, `<00:00:01.000>`), SRT's
/// `<font …>` and `{\an8}`, and the character references `&amp;` `&lt;` `&gt;` `&nbsp;`. Returns
/// the text and the voice tag's name, if any.
fn strip_cue_markup(line: &str) -> (String, Option<String>) {
    let mut out = String::with_capacity(line.len());
    let mut voice = None;
    let mut rest = line;
    while let Some(i) = rest.find(['<', '{']) {
        out.push_str(&rest[..i]);
        let close = if rest[i..].starts_with('<') { '>' } else { '}' };
        match rest[i..].find(close) {
            Some(j) => {
                let tag = &rest[i + 1..i + j];
                if let Some(name) = tag.strip_prefix("v ").or_else(|| {
                    tag.strip_prefix("v.")
                        .and_then(|t| t.split_once(' ').map(|(_, n)| n))
                }) {
                    let name = name.trim();
                    if !name.is_empty() {
                        voice = Some(name.to_string());
                    }
                }
                rest = &rest[i + j + 1..];
            }
            None => {
                out.push_str(&rest[i..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    let out = out
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&");
    (out.trim().to_string(), voice)
}

/// Appends `more` to a turn's text, with a space only between two Latin letters or digits.
fn append_text(text: &mut String, more: &str) {
    let space = text
        .chars()
        .last()
        .is_some_and(|c| c.is_ascii_alphanumeric())
        && more
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric());
    if space {
        text.push(' ');
    }
    text.push_str(more);
}

/// Turns of subtitles: one per cue, consecutive cues of one speaker merged. Rolling captions
/// (YouTube's, some ASR tools') repeat the end of a cue at the start of the next one: the lines a
/// cue opens with that the cue before it ended with are left out, and so is a cue that repeats
/// the one before it word for word.
fn parse_subtitles(text: &str) -> Vec<Turn> {
    let lines: Vec<&str> = text.lines().collect();
    let mut turns: Vec<Turn> = Vec::new();
    let mut last_lines: Vec<String> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i].trim_start_matches('\u{feff}').trim();
        // A timing line that cannot be read (`00:00:0X,000`, a negative time) still opens a cue:
        // its text is kept, without a start time.
        let start = cue_start(line);
        if start.is_none() && !line.contains("-->") {
            // The header, a NOTE/STYLE/REGION block, a cue number: skipped to the next blank line
            // when it opens a block, else the line alone.
            if ["WEBVTT", "NOTE", "STYLE", "REGION"]
                .iter()
                .any(|k| line.starts_with(k))
            {
                while i < lines.len() && !lines[i].trim().is_empty() {
                    i += 1;
                }
            }
            i += 1;
            continue;
        }
        let at = i as u64 + 1;
        i += 1;
        let mut cue_lines: Vec<String> = Vec::new();
        let mut speaker = None;
        // A cue ends at an empty line (a line of spaces is part of the cue: YouTube's captions
        // have them), or at the next cue's timing (and its number) when the empty line is missing.
        let timing = |l: &str| cue_start(l).is_some() || l.contains("-->");
        let next_cue = |j: usize| {
            timing(lines[j])
                || (lines[j].trim().bytes().all(|b| b.is_ascii_digit())
                    && lines.get(j + 1).is_some_and(|l| timing(l)))
        };
        while i < lines.len() && !lines[i].is_empty() && !next_cue(i) {
            let (t, voice) = strip_cue_markup(lines[i]);
            speaker = speaker.or(voice);
            if !t.is_empty() {
                cue_lines.push(t);
            }
            i += 1;
        }
        // The longest run of lines that ended the cue before and opens this one.
        let repeated = (1..=cue_lines.len().min(last_lines.len()))
            .rev()
            .find(|&k| cue_lines[..k] == last_lines[last_lines.len() - k..])
            .unwrap_or(0);
        let mut cue = String::new();
        for t in &cue_lines[repeated..] {
            append_text(&mut cue, t);
        }
        if !cue_lines.is_empty() {
            last_lines = cue_lines;
        }
        if speaker.is_none() {
            if let Some((sp, rest)) = split_speaker(&cue) {
                let (sp, rest) = (sp.to_string(), rest.to_string());
                speaker = Some(sp);
                cue = rest;
            }
        }
        if cue.is_empty() {
            continue;
        }
        match turns.last_mut() {
            Some(t) if speaker.is_some() && t.speaker == speaker => append_text(&mut t.text, &cue),
            _ => turns.push(Turn {
                speaker,
                text: cue,
                line: at,
                start,
            }),
        }
    }
    turns
}

/// What the header lines of a text transcript say about the call (`主叫：13812345678`,
/// `通话时间：2024-05-01 10:00`), as call-centre and recorder exports write them above the turns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CallHeader {
    /// The calling number (`主叫`, `来电号码`, `Caller`…).
    pub caller: Option<String>,
    /// When the call took place (`通话时间`, `日期`, `Date`…).
    pub date: Option<String>,
}

/// Which header field a labelled line is, if it is one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HeaderField {
    Caller,
    Date,
    /// Called number, duration, recording id: known, not kept.
    Other,
}

/// A line `name：value` (Chinese or ASCII colon; an English name may have spaces, `Start Time:`; a
/// Chinese one may end in `ID`, `录音ID：`).
fn header_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"^\s*([A-Za-z][A-Za-z _]{0,18}[A-Za-z]|\p{Han}{2,8}(?:ID|Id|id)?)\s*[:：]\s*(.*?)\s*$",
        )
        .expect("header regex")
    })
}

/// A line of the header block above a call's turns: a known field name whose value is data — a
/// number, a date or time, a duration, an id, a file name — not words (`主叫：喂，您好` is the
/// caller speaking, a turn). `(field, value)`.
fn header_line(line: &str) -> Option<(HeaderField, &str)> {
    const CALLER: [&str; 16] = [
        "主叫",
        "主叫号码",
        "来电",
        "来电号码",
        "呼入号码",
        "对方号码",
        "号码",
        "电话",
        "电话号码",
        "手机号",
        "手机号码",
        "caller",
        "caller id",
        "from",
        "phone",
        "phone number",
    ];
    const DATE: [&str; 15] = [
        "时间",
        "日期",
        "通话时间",
        "开始时间",
        "通话开始时间",
        "录音时间",
        "呼叫时间",
        "来电时间",
        "通话日期",
        "date",
        "time",
        "start",
        "start time",
        "call time",
        "call date",
    ];
    const OTHER: [&str; 34] = [
        "被叫",
        "被叫号码",
        "本机号码",
        "客户号码",
        "坐席号码",
        "结束时间",
        "通话结束时间",
        "挂机时间",
        "时长",
        "通话时长",
        "录音时长",
        "编号",
        "录音编号",
        "工单号",
        "通话编号",
        "录音id",
        "通话id",
        "坐席工号",
        "工号",
        "坐席",
        "录音文件",
        "文件名",
        "呼叫类型",
        "通话类型",
        "to",
        "callee",
        "end",
        "end time",
        "duration",
        "id",
        "call id",
        "agent",
        "agent id",
        "recording",
    ];
    let c = header_re().captures(line)?;
    let label = c.get(1)?.as_str().trim().to_lowercase();
    let value = c.get(2).map_or("", |m| m.as_str()).trim();
    let field = if CALLER.contains(&label.as_str()) {
        HeaderField::Caller
    } else if DATE.contains(&label.as_str()) {
        HeaderField::Date
    } else if OTHER.contains(&label.as_str()) {
        HeaderField::Other
    } else {
        return None;
    };
    let digits = value.chars().filter(|c| c.is_ascii_digit()).count();
    let data = match field {
        HeaderField::Caller => {
            digits >= 3
                && value
                    .chars()
                    .all(|c| c.is_ascii_digit() || " +-()（）".contains(c))
        }
        HeaderField::Date => {
            digits >= 2
                && value.chars().all(|c| {
                    c.is_ascii_digit()
                        || c.is_ascii_whitespace()
                        || "-/:.TZ+年月日时分秒点".contains(c)
                })
        }
        HeaderField::Other => {
            !value.is_empty()
                && value.chars().count() <= 60
                && value.chars().all(|c| {
                    c.is_ascii_alphanumeric() || " +-_:./()（）时分秒钟小呼入出".contains(c)
                })
        }
    };
    data.then_some((field, value))
}

/// Lines above a call's turns that are not turns: the header fields ([`header_line`]), a title
/// alone in brackets (`【通话记录】`), a rule of dashes or equals signs.
fn is_header_block_line(line: &str) -> bool {
    header_line(line).is_some() || is_title_or_rule(line)
}

/// A title alone in brackets (`【通话记录】`) or a rule of dashes or equals signs.
fn is_title_or_rule(line: &str) -> bool {
    let t = line.trim();
    let bracketed = |open: char, close: char| {
        t.starts_with(open) && t.ends_with(close) && t.chars().count() <= 16
    };
    bracketed('【', '】')
        || bracketed('[', ']') && !t.chars().any(|c| c.is_ascii_digit())
        || (!t.is_empty() && t.chars().all(|c| "-=_*~—－＝#".contains(c)))
}

/// Splits a transcript into turns: speaker-prefixed lines, or subtitles
/// ([`looks_like_subtitles`]).
pub fn parse_turns(text: &str) -> Vec<Turn> {
    parse_call(text).0
}

/// [`parse_turns`], and what the transcript's header lines say ([`CallHeader`]): those lines are
/// not turns.
pub fn parse_call(text: &str) -> (Vec<Turn>, CallHeader) {
    let mut header = CallHeader::default();
    if looks_like_subtitles(text) {
        return (parse_subtitles(text), header);
    }
    let mut turns: Vec<Turn> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim_start_matches('\u{feff}');
        if line.trim().is_empty() {
            continue;
        }
        let n = i as u64 + 1;
        // The header block: only above the first turn (in a call, `主叫：13800001111` is the
        // caller saying a number).
        if turns.is_empty() {
            if let Some((field, v)) = header_line(line) {
                match field {
                    HeaderField::Caller if header.caller.is_none() => {
                        header.caller = Some(v.to_string())
                    }
                    HeaderField::Date if header.date.is_none() => header.date = Some(v.to_string()),
                    _ => {}
                }
                continue;
            }
            if is_title_or_rule(line) {
                continue;
            }
        }
        let split = split_speaker_timed(line);
        match split {
            Some((sp, rest, time)) => turns.push(Turn {
                speaker: Some(sp.to_string()),
                text: rest.to_string(),
                line: n,
                start: leading_time(line).or(time),
            }),
            None => match turns.last_mut() {
                Some(t) => {
                    if !t.text.is_empty() {
                        t.text.push(' ');
                    }
                    t.text.push_str(line.trim());
                }
                None => turns.push(Turn {
                    speaker: None,
                    text: line.trim().to_string(),
                    line: n,
                    start: None,
                }),
            },
        }
    }
    turns.retain(|t| !t.text.is_empty());
    (turns, header)
}

fn file_stem(source: &str) -> Option<String> {
    std::path::Path::new(source)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .filter(|s| s != "-")
}

/// The record of one call; `skipped` names the parts of the document left out.
fn call_record(
    source: &str,
    id: Option<String>,
    mut turns: Vec<Turn>,
    skipped: Vec<String>,
) -> RecordResult {
    if turns.is_empty() {
        let reason = if skipped.is_empty() {
            "empty text".to_string()
        } else {
            format!("no readable text ({})", skipped.join("; "))
        };
        return Err(RecordError {
            id,
            ..RecordError::new(source, 1, 1, reason)
        });
    }
    // Bounded work and memory: at most MAX_TURNS turns of at most MAX_TEXT_CHARS each, and the
    // whole text joined only as far as it is kept.
    let mut truncated = cap_turns(&mut turns);
    let mut keep = turns.len();
    let mut bytes = 0;
    for (i, t) in turns.iter().enumerate() {
        bytes += t.text.len() + t.speaker.as_ref().map_or(0, |s| s.len() + 4);
        if bytes > MAX_TEXT_CHARS * 4 {
            keep = i + 1;
            break;
        }
    }
    let mut rec = Record::new(source, turns[0].line, 1, join_turns(&turns[..keep]));
    truncated |= keep < turns.len();
    rec.id = id;
    rec.channel = Some(Channel::Call);
    rec.turns = turns;
    rec.skipped = skipped;
    finish_record(rec).map(|mut r| {
        r.truncated |= truncated;
        r
    })
}

/// Reads a whole document, at most [`MAX_DOCUMENT_BYTES`].
fn read_document(reader: impl Read) -> Result<Vec<u8>, String> {
    read_document_or_head(reader).map_err(|(why, _)| why)
}

/// [`read_document`], whose error also gives the first byte of the document that is not white
/// space (a JSON document over the limit: `[` for an array of messages), if any.
fn read_document_or_head(mut reader: impl Read) -> Result<Vec<u8>, (String, Option<u8>)> {
    let mut bytes = Vec::new();
    reader
        .by_ref()
        .take(MAX_DOCUMENT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| (format!("read error: {e}"), None))?;
    if bytes.len() as u64 > MAX_DOCUMENT_BYTES {
        let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
        let head = body.iter().copied().find(|b| !b.is_ascii_whitespace());
        return Err((
            format!("file larger than {} MiB", MAX_DOCUMENT_BYTES >> 20),
            head,
        ));
    }
    Ok(bytes)
}

/// One call from a speaker-prefixed text transcript.
pub fn read_transcript(
    reader: Box<dyn BufRead + Send>,
    source: String,
    enc: TextEncoding,
) -> RecordStream {
    let id = file_stem(&source);
    let result = read_document(reader)
        .and_then(|b| decode_owned(b, enc))
        .map_err(|reason| RecordError {
            id: id.clone(),
            ..RecordError::new(source.as_str(), 0, 1, reason)
        })
        .and_then(|text| {
            let (turns, header) = parse_call(&text);
            call_record(&source, id.clone(), turns, Vec::new()).map(|mut rec| {
                rec.sender = header.caller;
                rec.date = header.date;
                rec
            })
        });
    Box::new(std::iter::once(result))
}

pub(crate) fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn is_segment(v: &Value) -> bool {
    v.as_object().is_some_and(|o| {
        o.contains_key("start") || o.contains_key("end") || o.contains_key("speaker")
    })
}

fn scalar(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Turns from ASR segments: consecutive segments of one speaker are merged.
///
/// A segment's text is its `text` (or `sentence`) string; a number there is read as its digits.
/// A segment with no text, a `null` or a blank one is silence and gives no turn. A segment that
/// cannot be read — an item that is not an object, or a text that is a boolean, an array or an
/// object — is left out and named in the second list ("segment 4: …"), so that the call is still
/// scored and the output row says what it was scored without.
///
/// Tencent Cloud gives every sentence `SpeakerId` 0 when speakers were not separated: a result
/// whose every `SpeakerId` is 0 names no speaker, so each sentence is a turn of its own, as with
/// iFlytek's `rl` 0 (else the whole call would be one turn, with no peak turn to name).
pub fn segments_to_turns(segments: &[Value]) -> (Vec<Turn>, Vec<String>) {
    let mut turns: Vec<Turn> = Vec::new();
    let speaker_of = |o: &serde_json::Map<String, Value>| {
        scalar(
            o.get("speaker")
                .or_else(|| o.get("spk"))
                .or_else(|| o.get("role"))
                .or_else(|| o.get("SpeakerId"))
                .or_else(|| o.get("speaker_id"))
                .or_else(|| o.get("additions").and_then(|a| a.get("speaker"))),
        )
    };
    // One speaker for the whole call (FunASR's `spk` 0, Tencent's `SpeakerId` 0, WhisperX's
    // `SPEAKER_00`, AssemblyAI's `A` throughout): the tool did not tell the speakers apart, and
    // merging its segments by speaker would make the call one turn — no windows, no peak. Each
    // segment is then a turn of its own, with no speaker.
    let undiarized = {
        let mut speakers = segments
            .iter()
            .filter_map(Value::as_object)
            .filter_map(speaker_of);
        let first = speakers.next();
        speakers.all(|s| Some(s) == first)
    };
    let mut skipped = Vec::new();
    for (i, seg) in segments.iter().enumerate() {
        let n = i + 1;
        let (o, text) = match seg {
            Value::Object(o) => match o
                .get("text")
                .or_else(|| o.get("sentence"))
                .or_else(|| o.get("Text"))
                .or_else(|| o.get("FinalSentence"))
                .or_else(|| o.get("onebest"))
            {
                None | Some(Value::Null) => continue,
                Some(Value::String(s)) => (Some(o), s.trim().to_string()),
                Some(Value::Number(x)) => (Some(o), x.to_string()),
                Some(other) => {
                    skipped.push(format!(
                        "segment {n}: its text is {}, not a string",
                        json_kind(other)
                    ));
                    continue;
                }
            },
            // A bare string among segments: a turn with no speaker.
            Value::String(s) => (None, s.trim().to_string()),
            Value::Null => continue,
            other => {
                skipped.push(format!(
                    "segment {n}: expected an object, found {}",
                    json_kind(other)
                ));
                continue;
            }
        };
        let text = text.as_str();
        if text.is_empty() {
            continue;
        }
        let speaker = o.filter(|_| !undiarized).and_then(speaker_of);
        // The segment's start in the tool's own unit: `start` (whisper, FunASR, AssemblyAI),
        // `BeginTime` (Alibaba Cloud), `start_time` (Volcengine), `StartMs` (Tencent), `bg`
        // (iFlytek, a string of milliseconds), `offsets.from` (whisper.cpp).
        let start = o
            .and_then(|o| {
                o.get("start")
                    .or_else(|| o.get("BeginTime"))
                    .or_else(|| o.get("start_time"))
                    .or_else(|| o.get("begin_time"))
                    .or_else(|| o.get("StartMs"))
                    .or_else(|| o.get("bg"))
                    .or_else(|| o.get("offsets").and_then(|x| x.get("from")))
            })
            .and_then(|s| match s {
                Value::String(s) => s.trim().parse::<f64>().ok().filter(|x| x.is_finite()),
                other => other.as_f64(),
            });
        match turns.last_mut() {
            Some(t) if speaker.is_some() && t.speaker == speaker => append_text(&mut t.text, text),
            _ => turns.push(Turn {
                speaker,
                text: text.to_string(),
                line: i as u64 + 1,
                start,
            }),
        }
    }
    (turns, skipped)
}

/// Where speech-to-text tools put the segments of a call: `segments` (whisper, WhisperX),
/// `sentence_info` (FunASR/Paraformer, speakers in `spk`), `transcription` (whisper.cpp's `-oj`),
/// `utterances` (AssemblyAI), `ResultDetail` (Tencent Cloud's task result, `FinalSentence`,
/// `StartMs`, `SpeakerId`), and nested: see [`SEGMENT_PATHS`].
const SEGMENT_KEYS: [&str; 7] = [
    "segments",
    "sentence_info",
    "transcription",
    "utterances",
    "ResultDetail",
    "sentences",
    "Sentences",
];
/// Objects a result comes wrapped in: an API's envelope (`{"code":0,"message":"success","data":
/// {"segments":[…]}}`), DashScope's `transcripts` (one per channel; read when there is one). Looked
/// into two levels deep, so that the envelope's own `message` is never taken for the call.
const ENVELOPE_KEYS: [&str; 8] = [
    "data",
    "Data",
    "result",
    "Result",
    "output",
    "payload",
    "response",
    "transcripts",
];
/// Segment lists one or two objects down: Alibaba Cloud (`Result.Sentences`, `Text`,
/// `SpeakerId`), Volcengine (`result.utterances`), Tencent Cloud's whole response
/// (`Response.Data.ResultDetail`, or its `Data` saved alone).
const SEGMENT_PATHS: [&[&str]; 4] = [
    &["Result", "Sentences"],
    &["result", "utterances"],
    &["Response", "Data", "ResultDetail"],
    &["Data", "ResultDetail"],
];
/// Keys of iFlytek's file transcription results, whose segments are JSON inside strings: see
/// [`iflytek_segments`].
const IFLYTEK_KEYS: [&str; 4] = ["data", "content", "lattice", "lattice2"];

/// The segments of an ASR result object (see [`SEGMENT_KEYS`], [`SEGMENT_PATHS`],
/// [`iflytek_segments`]). An empty list is no call: the object's own `text`, if any, is the
/// message.
fn segments_of(o: &serde_json::Map<String, Value>) -> Option<Cow<'_, [Value]>> {
    segments_within(o, 2)
}

/// [`segments_of`], looking into at most `depth` levels of [`ENVELOPE_KEYS`].
fn segments_within(o: &serde_json::Map<String, Value>, depth: usize) -> Option<Cow<'_, [Value]>> {
    if let Some(s) = segments_here(o) {
        return Some(s);
    }
    if depth == 0 {
        return None;
    }
    ENVELOPE_KEYS.iter().find_map(|k| {
        let inner = match o.get(*k)? {
            Value::Object(m) => m,
            Value::Array(a) if a.len() == 1 => a[0].as_object()?,
            _ => return None,
        };
        segments_within(inner, depth - 1)
    })
}

/// The segments of `o` itself (not of an envelope's content).
fn segments_here(o: &serde_json::Map<String, Value>) -> Option<Cow<'_, [Value]>> {
    let listed = SEGMENT_KEYS
        .iter()
        .find_map(|k| o.get(*k))
        .or_else(|| {
            SEGMENT_PATHS.iter().find_map(|path| {
                let (first, rest) = path.split_first()?;
                rest.iter().try_fold(o.get(*first)?, |v, k| v.get(*k))
            })
        })
        .and_then(Value::as_array);
    match listed {
        Some(a) => Some(Cow::Borrowed(&a[..])),
        None => iflytek_segments(o).map(Cow::Owned),
    }
    .filter(|a| !a.is_empty())
}

/// Segments of iFlytek's file transcription (讯飞 录音文件转写) results, whose lists are JSON
/// written inside strings:
/// - the v2 API's `{"ok":0,"data":"[{\"bg\":\"0\",\"onebest\":\"…\",\"speaker\":\"1\"}]"}`;
/// - the current API's `{"code":"000000","content":{"orderResult":"{\"lattice\":[…]}"}}`, or its
///   `orderResult` saved alone (`{"lattice":[…]}`, or `lattice2`): each item's `json_1best` (a string,
///   or an object in `lattice2`) holds `st` with `bg` (milliseconds), `rl` (the speaker; `0` when
///   speakers were not told apart) and the words in `rt[].ws[].cw[0].w`.
///
/// Returned as segments `{"text","start","speaker"}`.
fn iflytek_segments(o: &serde_json::Map<String, Value>) -> Option<Vec<Value>> {
    fn parsed(v: &Value) -> Option<Value> {
        match v {
            Value::String(s) => serde_json::from_str(s).ok(),
            other => Some(other.clone()),
        }
    }
    fn lattice_of(m: &serde_json::Map<String, Value>) -> Option<&Vec<Value>> {
        ["lattice", "lattice2"]
            .iter()
            .find_map(|k| m.get(*k).and_then(Value::as_array))
    }
    if let Some(Value::String(data)) = o.get("data") {
        if !data.trim_start().starts_with('[') {
            return None;
        }
        let items: Vec<Value> = serde_json::from_str(data).ok()?;
        return items
            .iter()
            .all(|i| i.get("onebest").is_some())
            .then_some(items);
    }
    let order = o
        .get("content")
        .and_then(|c| c.get("orderResult"))
        .and_then(parsed);
    let lattice = match &order {
        Some(r) => lattice_of(r.as_object()?)?,
        None => lattice_of(o)?,
    };
    let segments = lattice
        .iter()
        .map(|item| {
            let best = item.get("json_1best").and_then(parsed);
            let st = best.as_ref().and_then(|b| b.get("st"));
            let Some(st) = st else {
                // No best result: nothing was heard there (a blank segment is silence).
                return Value::Null;
            };
            let mut text = String::new();
            for rt in st.get("rt").and_then(Value::as_array).into_iter().flatten() {
                for ws in rt.get("ws").and_then(Value::as_array).into_iter().flatten() {
                    if let Some(w) = ws.pointer("/cw/0/w").and_then(Value::as_str) {
                        text.push_str(w);
                    }
                }
            }
            let speaker = st
                .get("rl")
                .and_then(|r| scalar(Some(r)))
                .filter(|r| r != "0");
            serde_json::json!({
                "text": text,
                "start": st.get("bg").cloned().unwrap_or(Value::Null),
                "speaker": speaker,
            })
        })
        .collect();
    Some(segments)
}

/// An ASR result object with segments as one call record (`None`: the object has no segments),
/// numbered `index` at `line`; its id from `id` or `key` (FunASR).
pub(crate) fn call_from_object(
    o: &serde_json::Map<String, Value>,
    source: &str,
    line: u64,
    index: u64,
) -> Option<RecordResult> {
    let segs = segments_of(o)?;
    let id = scalar(o.get("id")).or_else(|| scalar(o.get("key")));
    let (turns, skipped) = segments_to_turns(&segs);
    Some(
        call_record(source, id, turns, skipped)
            .map(|mut r| {
                (r.index, r.line) = (index, line);
                r
            })
            .map_err(|mut e| {
                (e.index, e.line) = (index, line);
                e
            }),
    )
}

/// Whether an object has a key under which [`segments_of`] looks (one pass over its keys: the
/// cheap test every JSONL message goes through).
pub(crate) fn may_have_segments(o: &serde_json::Map<String, Value>) -> bool {
    o.keys().any(|k| SEGMENT_KEY_NAMES.contains(&k.as_str()))
}

/// The keys under which [`segments_of`] looks, first or only level: [`SEGMENT_KEYS`], the first
/// key of each of [`SEGMENT_PATHS`], [`IFLYTEK_KEYS`], [`ENVELOPE_KEYS`] (names may repeat).
pub(crate) const SEGMENT_KEY_NAMES: [&str;
    SEGMENT_KEYS.len() + SEGMENT_PATHS.len() + IFLYTEK_KEYS.len() + ENVELOPE_KEYS.len()] = {
    let mut names =
        [""; SEGMENT_KEYS.len() + SEGMENT_PATHS.len() + IFLYTEK_KEYS.len() + ENVELOPE_KEYS.len()];
    let mut i = 0;
    while i < SEGMENT_KEYS.len() {
        names[i] = SEGMENT_KEYS[i];
        i += 1;
    }
    let mut j = 0;
    while j < SEGMENT_PATHS.len() {
        names[i] = SEGMENT_PATHS[j][0];
        i += 1;
        j += 1;
    }
    j = 0;
    while j < IFLYTEK_KEYS.len() {
        names[i] = IFLYTEK_KEYS[j];
        i += 1;
        j += 1;
    }
    j = 0;
    while j < ENVELOPE_KEYS.len() {
        names[i] = ENVELOPE_KEYS[j];
        i += 1;
        j += 1;
    }
    names
};

/// Whether a parsed JSON value is an ASR result with segments (for format detection).
pub(crate) fn has_segment_list(v: &Value) -> bool {
    v.as_object().is_some_and(|o| segments_of(o).is_some())
}

/// Whether a JSON document's text names a segment list (for format detection of a document
/// spread over lines, before it is parsed).
pub(crate) fn mentions_segment_list(text: &str) -> bool {
    SEGMENT_KEYS
        .iter()
        .chain(SEGMENT_PATHS.iter().filter_map(|p| p.last()))
        .chain(["onebest", "orderResult", "json_1best"].iter())
        .any(|k| text.contains(&format!("\"{k}\"")))
}

/// A JSON document: ASR segments of one call, or an array of messages.
/// The line on which each item of the JSON array that is `body` starts (`body` is valid JSON,
/// its BOM removed): where to look for a message of a JSON array in the file.
fn array_item_lines(body: &[u8]) -> Vec<u64> {
    let mut lines = Vec::new();
    let (mut line, mut depth) = (1u64, 0usize);
    let (mut in_string, mut escaped, mut item_next) = (false, false, false);
    for &b in body {
        if in_string {
            // A string has no raw newline in valid JSON.
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
            continue;
        }
        match b {
            b'\n' => {
                line += 1;
                continue;
            }
            b' ' | b'\t' | b'\r' => continue,
            _ => {}
        }
        if item_next && b != b']' {
            lines.push(line);
        }
        item_next = false;
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                item_next = depth == 1 && b == b'[';
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            b',' => item_next = depth == 1,
            _ => {}
        }
    }
    lines
}

pub fn read_json_document(
    reader: Box<dyn BufRead + Send>,
    source: String,
    opts: &ReaderOptions,
) -> RecordStream {
    let fail = |line: u64, reason: String| -> RecordStream {
        Box::new(std::iter::once(Err(RecordError::new(
            source.as_str(),
            line,
            1,
            reason,
        ))))
    };
    let bytes = match read_document_or_head(reader) {
        Ok(b) => b,
        // A JSON document is parsed whole: say what to do with a larger one.
        Err((reason, Some(b'['))) if reason.starts_with("file larger") => {
            return fail(
                0,
                format!(
                    "{reason}: a JSON document is read whole, up to {} MiB; convert the array \
                     to JSONL, one message per line (`jq -c '.[]' FILE > FILE.jsonl`), which is \
                     read as a stream at any size",
                    MAX_DOCUMENT_BYTES >> 20
                ),
            )
        }
        Err((reason, Some(b'{'))) if reason.starts_with("file larger") => {
            return fail(
                0,
                format!(
                    "{reason}: a JSON document (an ASR result) is read whole, up to {} MiB; \
                     split it, or write its segments as JSONL, one result per line",
                    MAX_DOCUMENT_BYTES >> 20
                ),
            )
        }
        Err((reason, _)) => return fail(0, reason),
    };
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let v: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => return fail(e.line() as u64, format!("malformed JSON: {e}")),
    };
    let id = file_stem(&source);
    match v {
        Value::Array(items) if items.iter().any(is_segment) => {
            let (turns, skipped) = segments_to_turns(&items);
            Box::new(std::iter::once(call_record(&source, id, turns, skipped)))
        }
        Value::Array(items) => {
            let opts = opts.clone();
            let lines = array_item_lines(body);
            Box::new(items.into_iter().enumerate().map(move |(i, item)| {
                let n = i as u64 + 1;
                let line = lines.get(i).copied().unwrap_or(n);
                match item {
                    // A message, or an ASR result with segments (FunASR writes one per audio
                    // file: `[{"key","text","sentence_info"}]`), which `record_from_object` reads
                    // as a call.
                    Value::Object(o) => record_from_object(o, &opts, &source, line, n),
                    // An array of plain strings: each is a message.
                    Value::String(text) => {
                        finish_record(Record::new(source.as_str(), line, n, text))
                    }
                    other => Err(RecordError::new(
                        source.as_str(),
                        line,
                        n,
                        format!(
                            "expected a message (a JSON object or string), found {}",
                            json_kind(&other)
                        ),
                    )),
                }
            }))
        }
        Value::Object(o) => match segments_of(&o) {
            Some(segs) => {
                let id = scalar(o.get("id")).or_else(|| scalar(o.get("key"))).or(id);
                let (turns, skipped) = segments_to_turns(&segs);
                Box::new(std::iter::once(call_record(&source, id, turns, skipped)))
            }
            // No segments (or an empty list, as whisper writes for silence): the object's text.
            None => {
                let empty_list = SEGMENT_KEYS.iter().find(|k| {
                    o.get(**k)
                        .and_then(Value::as_array)
                        .is_some_and(Vec::is_empty)
                });
                match empty_list {
                    // `{"segments": []}` and nothing else: an empty call, not a message without
                    // its text field.
                    Some(k) if !o.contains_key("text") && opts.text_field.is_none() => {
                        fail(1, format!("empty call: its `{k}` list holds no segment"))
                    }
                    _ => Box::new(std::iter::once(record_from_object(o, opts, &source, 1, 1))),
                }
            }
        },
        _ => fail(1, "expected a JSON array or object".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn array_items_start_on_their_lines() {
        let body =
            "[\n  {\"text\": \"a,[\\\"}\"},\n  \"b\\\\\", [1,\n2],\n\n  {\"x\": {\"y\": [3]}}\n]\n";
        let v: Value = serde_json::from_str(body).unwrap();
        assert_eq!(v.as_array().unwrap().len(), 4);
        assert_eq!(array_item_lines(body.as_bytes()), [2, 3, 3, 6]);
        assert_eq!(array_item_lines(b"[]"), Vec::<u64>::new());
        assert_eq!(array_item_lines(b" [ \n ] "), Vec::<u64>::new());
        assert_eq!(array_item_lines(b"[\"x\",\"y\"]"), [1, 1]);
    }

    #[test]
    fn a_cue_whose_timing_cannot_be_read_keeps_its_text() {
        // Found by a QA pass: the text of a cue timed `00:00:0X,000` (or a negative time) was
        // dropped without a word — the scam passage of a call, which then scored legit.
        let srt = "1\n00:00:01,000 --> 00:00:02,000\n<v 客服>老板您好\n\n\
                   2\n00:00:03,000 --> 00:00:0X,000\n商户：什么事\n\n\
                   3\n-00:00:01,000 --> 00:00:05,000\n客服：回复1免费更换新机\n\
                   4\n00:00:06,000 --> 00:00:07,000\n商户：好的\n";
        let turns = parse_subtitles(srt);
        let got: Vec<(Option<&str>, &str, Option<f64>)> = turns
            .iter()
            .map(|t| (t.speaker.as_deref(), t.text.as_str(), t.start))
            .collect();
        assert_eq!(
            got,
            [
                (Some("客服"), "老板您好", Some(1.0)),
                (Some("商户"), "什么事", None),
                (Some("客服"), "回复1免费更换新机", None),
                (Some("商户"), "好的", Some(6.0)),
            ]
        );
    }

    #[test]
    fn tencent_speaker_ids_all_zero_name_no_speaker() {
        let seg = |t: &str, id: Value| serde_json::json!({"FinalSentence": t, "SpeakerId": id});
        let texts = |turns: &[Turn]| -> Vec<(Option<String>, String)> {
            turns
                .iter()
                .map(|t| (t.speaker.clone(), t.text.clone()))
                .collect()
        };
        // Not separated: every sentence a turn of its own, with no speaker.
        let (turns, _) = segments_to_turns(&[
            seg("喂，您好。", 0.into()),
            seg("什么事？", 0.into()),
            seg("您的POS机要换新。", "0".into()),
        ]);
        assert_eq!(
            texts(&turns),
            [
                (None, "喂，您好。".into()),
                (None, "什么事？".into()),
                (None, "您的POS机要换新。".into())
            ]
        );
        // Separated, with speaker 0 among others: 0 is a speaker, consecutive sentences merged.
        let (turns, _) = segments_to_turns(&[
            seg("喂，您好。", 0.into()),
            seg("我是银联的。", 0.into()),
            seg("什么事？", 1.into()),
        ]);
        assert_eq!(
            texts(&turns),
            [
                (Some("0".into()), "喂，您好。我是银联的。".into()),
                (Some("1".into()), "什么事？".into())
            ]
        );
    }

    #[test]
    fn speaker_labels() {
        assert_eq!(split_speaker("客服：您好"), Some(("客服", "您好")));
        assert_eq!(split_speaker("A: hello"), Some(("A", "hello")));
        assert_eq!(split_speaker("[00:01:02] 商户:喂"), Some(("商户", "喂")));
        assert_eq!(split_speaker("【坐席】：您好"), Some(("坐席", "您好")));
        assert_eq!(
            split_speaker("【工行】您尾号1234"),
            None,
            "an SMS signature is no speaker"
        );
        assert_eq!(split_speaker("Speaker 1: hi"), Some(("Speaker 1", "hi")));
        assert_eq!(split_speaker("SPEAKER_00: hi"), Some(("SPEAKER_00", "hi")));
        assert_eq!(split_speaker("说话人 1：您好"), Some(("说话人 1", "您好")));
        assert_eq!(split_speaker("说话人2: 喂"), Some(("说话人2", "喂")));
        assert_eq!(split_speaker("http://x.cn/a"), None);
        assert_eq!(split_speaker("10:30 开会"), None);
        assert_eq!(split_speaker("您好，我是客服"), None);
        assert_eq!(split_speaker("张 老板：在吗"), Some(("张 老板", "在吗")));
        assert_eq!(split_speaker("回复 退订 谢谢"), None);
        // A part in brackets after the label: a staff number, a name.
        assert_eq!(
            split_speaker("客服(工号007)：您好"),
            Some(("客服(工号007)", "您好"))
        );
        assert_eq!(
            split_speaker("坐席（张三）: 喂"),
            Some(("坐席（张三）", "喂"))
        );
        // A colon inside the brackets (`工号：007`) is part of the label.
        assert_eq!(
            split_speaker("客服（工号：007）：您好"),
            Some(("客服（工号：007）", "您好"))
        );
        assert_eq!(
            split_speaker("[00:03] 说话人1 (客服)：在吗"),
            Some(("说话人1 (客服)", "在吗"))
        );
        assert_eq!(
            split_speaker("客服(这是一段超过十二个字的括号里的说明)：您好"),
            None,
            "more than 12 characters in brackets is no label"
        );
        assert_eq!(split_speaker("客服()：您好"), None);
        assert_eq!(
            split_speaker("客服(工号007)您好"),
            None,
            "no colon, no label"
        );
    }

    #[test]
    fn time_stamps_and_cue_timings() {
        assert_eq!(clock_seconds("00:01:02"), Some(62.0));
        assert_eq!(clock_seconds("01:02.500"), Some(62.5));
        assert_eq!(clock_seconds("1:00:00,250"), Some(3600.25));
        assert_eq!(clock_seconds("123:00"), None);
        assert_eq!(clock_seconds("12"), None);
        assert_eq!(clock_seconds("12:3a"), None);
        assert_eq!(leading_time("[00:01:02] 商户：喂"), Some(62.0));
        assert_eq!(leading_time("（00:03）客服：在吗"), Some(3.0));
        assert_eq!(leading_time("客服：10:30见"), None);
        assert_eq!(cue_start("00:00:04,000 --> 00:00:09,000"), Some(4.0), "SRT");
        assert_eq!(
            cue_start("00:04.000 --> 00:08.000 align:start position:0%"),
            Some(4.0),
            "WebVTT with cue settings"
        );
        assert_eq!(
            cue_start("10:30 --> 11:00 开会"),
            None,
            "no fractions: a message"
        );
        assert!(!looks_like_subtitles("10:30 --> 11:00 开会\n明天见\n"));
        assert!(looks_like_subtitles("\u{feff}WEBVTT\n\n"));
        assert!(looks_like_subtitles(
            "1\n00:00:00,000 --> 00:00:02,000\n喂\n"
        ));
    }

    #[test]
    fn cue_markup_is_dropped_and_voice_tags_name_the_speaker() {
        assert_eq!(
            strip_cue_markup("<v 客服><c.yellow>您好</c>，&lt;回复1&gt; &amp; 退订</v>"),
            ("您好，<回复1> & 退订".to_string(), Some("客服".to_string()))
        );
        assert_eq!(
            strip_cue_markup("<v.loud 商户>喂<00:00:01.000>？"),
            ("喂？".to_string(), Some("商户".to_string()))
        );
        assert_eq!(
            strip_cue_markup(r##"{\an8}<font color="#fff">字幕</font>"##),
            ("字幕".to_string(), None)
        );
        assert_eq!(strip_cue_markup("a < b"), ("a < b".to_string(), None));
    }

    #[test]
    fn subtitles_give_one_turn_per_cue() {
        let vtt = "WEBVTT\nKind: captions\n\nNOTE 自动生成\n这一行也是注释\n\n\
                   00:00.000 --> 00:02.000\n<v 客服>老板您好</v>\n\n\
                   00:02.000 --> 00:03.000\n<v 客服>我是银联的</v>\n\n\
                   00:03.000 --> 00:04.000\n<v 商户>嗯\n\n\
                   00:04.000 --> 00:05.000\n<v 商户>嗯\n\n\
                   00:05.000 --> 00:06.500\n没有说话人的一句\n第二行\n";
        let turns = parse_turns(vtt);
        let got: Vec<(Option<&str>, &str, Option<f64>)> = turns
            .iter()
            .map(|t| (t.speaker.as_deref(), t.text.as_str(), t.start))
            .collect();
        assert_eq!(
            got,
            [
                (Some("客服"), "老板您好我是银联的", Some(0.0)),
                (Some("商户"), "嗯", Some(3.0)),
                (None, "没有说话人的一句第二行", Some(5.0)),
            ]
        );
        let srt = "1\n00:00:00,000 --> 00:00:02,500\n[SPEAKER_00]: 您好\n\n\
                   2\n00:00:02,500 --> 00:00:04,000\nSPEAKER_01: 什么事\n";
        let turns = parse_turns(srt);
        assert_eq!(turns.len(), 2);
        assert_eq!(turns[0].speaker.as_deref(), Some("SPEAKER_00"));
        assert_eq!(turns[1].speaker.as_deref(), Some("SPEAKER_01"));
        assert_eq!((turns[1].text.as_str(), turns[1].line), ("什么事", 6));
        // Cues without the blank line between them: the next cue's number is not text.
        let tight =
            "1\n00:00:00,000 --> 00:00:01,000\n您好\n2\n00:00:01,000 --> 00:00:02,000\n在吗\n";
        let texts: Vec<String> = parse_turns(tight).into_iter().map(|t| t.text).collect();
        assert_eq!(texts, ["您好", "在吗"]);
    }

    #[test]
    fn rolling_captions_are_read_once() {
        // YouTube's automatic captions: a line of one space opens each cue, a 10 ms cue repeats
        // the line just finished, and the next cue opens with it again.
        let youtube = "WEBVTT\nKind: captions\nLanguage: zh-Hans\n\n\
            00:00:00.160 --> 00:00:02.310 align:start position:0%\n \n\
            老板您好<00:00:00.800><c>我是</c><00:00:01.200><c>银联商务的</c>\n\n\
            00:00:02.310 --> 00:00:02.320 align:start position:0%\n老板您好我是银联商务的\n \n\n\
            00:00:02.320 --> 00:00:05.000 align:start position:0%\n老板您好我是银联商务的\n\
            您的POS机<00:00:03.000><c>要升级了</c>\n\n\
            00:00:05.000 --> 00:00:05.010 align:start position:0%\n您的POS机要升级了\n \n";
        let got: Vec<(String, Option<f64>)> = parse_turns(youtube)
            .into_iter()
            .map(|t| (t.text, t.start))
            .collect();
        assert_eq!(
            got,
            [
                ("老板您好我是银联商务的".to_string(), Some(0.16)),
                ("您的POS机要升级了".to_string(), Some(2.32)),
            ]
        );
        // Two-line rolling captions in SRT: each line once.
        let srt = "1\n00:00:00,000 --> 00:00:02,000\n第一句\n第二句\n\n\
                   2\n00:00:02,000 --> 00:00:04,000\n第二句\n第三句\n\n\
                   3\n00:00:04,000 --> 00:00:06,000\n第三句\n第四句\n";
        let texts: Vec<String> = parse_turns(srt).into_iter().map(|t| t.text).collect();
        assert_eq!(texts, ["第一句第二句", "第三句", "第四句"]);
        // A line said again later, not at the start of the next cue, stays.
        let again = "1\n00:00:00,000 --> 00:00:01,000\n好的\n\n\
                     2\n00:00:01,000 --> 00:00:02,000\n您说\n\n\
                     3\n00:00:02,000 --> 00:00:03,000\n好的\n";
        let texts: Vec<String> = parse_turns(again).into_iter().map(|t| t.text).collect();
        assert_eq!(texts, ["好的", "您说", "好的"]);
    }

    #[test]
    fn labels_with_a_part_in_brackets_are_calls() {
        let call = "客服(工号007)：老板您好，这里是POS机服务中心\n\
                    商户：什么事？\n\
                    客服(工号007)：您的机器备案到期了，\n\
                    需要免费更换新机\n\
                    商户：好的\n";
        assert!(looks_like_transcript(call));
        let turns = parse_turns(call);
        let speakers: Vec<_> = turns.iter().map(|t| t.speaker.as_deref()).collect();
        assert_eq!(
            speakers,
            [
                Some("客服(工号007)"),
                Some("商户"),
                Some("客服(工号007)"),
                Some("商户")
            ]
        );
        assert_eq!(turns[2].text, "您的机器备案到期了， 需要免费更换新机");
        assert!(is_role_label("坐席（张三）") && is_role_label("客服(工号007)"));
        assert!(!is_role_label("尊敬的客户(VIP)"));
        // Turns wrapped onto unlabelled lines: a call only when the labels name roles.
        let wrapped = "坐席（张三）：您好，\n我是银联的\n您的POS机\n要升级\n\
                       商户（李）：嗯\n然后呢\n好的\n";
        assert!(looks_like_transcript(wrapped));
    }

    #[test]
    fn transcript_or_not() {
        assert!(looks_like_transcript(
            "客服：您好\n商户：你好\n客服：您的POS机要升级\n商户：好的"
        ));
        assert!(!looks_like_transcript(
            "【工行】您尾号1234的卡消费100元\n【建行】您的验证码是1234\n"
        ));
        assert!(!looks_like_transcript(
            "尊敬的客户：您好\n尊敬的客户：再见\n"
        ));
        // Turns wrapped onto unlabelled lines (fewer than 60% of lines labelled).
        let wrapped = "客服：老板您好，这里是POS机服务中心，\n\
                       系统显示您的机器备案到期了，\n\
                       今天不处理明天就停用。\n\
                       商户：那怎么办？\n\
                       客服：您把卡号和收到的验证码\n\
                       报给我，我帮您在后台\n\
                       免费更换新机。\n\
                       商户：好吧。";
        assert!(looks_like_transcript(wrapped));
        let turns = parse_turns(wrapped);
        assert_eq!(turns.len(), 4);
        assert!(turns[2].text.ends_with("免费更换新机。"));
        // A list of messages with a salutation on a few lines is not a call.
        assert!(!looks_like_transcript(
            "尊敬的客户：您的账单已出\n【工行】您尾号1234的卡消费100元\n\
             亲爱的用户：积分即将清零\n【建行】验证码1234\n尊敬的客户：还款提醒\n"
        ));
    }

    #[test]
    fn turns_with_continuations() {
        let t = parse_turns("客服：您好，\n这里是POS中心\n\n商户：嗯\n客服：");
        assert_eq!(t.len(), 2);
        assert_eq!(t[0].text, "您好， 这里是POS中心");
        assert_eq!((t[1].speaker.as_deref(), t[1].line), (Some("商户"), 4));
    }

    #[test]
    fn segments_merge_by_speaker() {
        let v: Value = serde_json::from_str(
            r#"[{"speaker":"A","text":"您好","start":0.0},{"speaker":"A","text":"我是客服","start":1.0},{"speaker":"B","text":"嗯","start":2.5}]"#,
        )
        .unwrap();
        let (t, skipped) = segments_to_turns(v.as_array().unwrap());
        assert_eq!(t.len(), 2);
        assert_eq!(t[0].text, "您好我是客服");
        assert_eq!((t[1].line, t[1].start), (3, Some(2.5)));
        assert!(skipped.is_empty());
    }

    #[test]
    fn unreadable_segments_are_named_and_silent_ones_are_not() {
        let v: Value = serde_json::from_str(
            r#"[{"speaker":"A","text":"验证码是","start":0.0},
                {"speaker":"A","text":null,"start":1.0},
                {"speaker":"A","text":4821,"start":1.5},
                {"speaker":"B","text":true},
                42,
                {"speaker":"B","start":3.0},
                "好的",
                {"speaker":"B","text":["嗯"]}]"#,
        )
        .unwrap();
        let (t, skipped) = segments_to_turns(v.as_array().unwrap());
        let texts: Vec<(Option<&str>, &str)> = t
            .iter()
            .map(|t| (t.speaker.as_deref(), t.text.as_str()))
            .collect();
        assert_eq!(texts, vec![(Some("A"), "验证码是4821"), (None, "好的")]);
        assert_eq!(
            skipped,
            vec![
                "segment 4: its text is a boolean, not a string",
                "segment 5: expected an object, found a number",
                "segment 8: its text is an array, not a string",
            ]
        );
    }
}
