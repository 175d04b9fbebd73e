//! Call transcripts: one call per file, as speaker-prefixed text lines or as ASR JSON segments.
//!
//! Text (`.txt`, any of the text encodings): each line starting with a speaker label — `客服：…`,
//! `A: …`, `商户:…`, `【坐席】：…`, `Speaker 1: …`, optionally after a time stamp `[00:01:02]` — starts a
//! turn; other lines continue the turn before them.
//!
//! ASR JSON: an array of segments `[{"speaker","text","start","end"}]` or an object with a
//! `segments` array (whisper, WhisperX, FunASR-style); consecutive segments of the same speaker
//! form one turn, segments without a speaker are turns of their own. A JSON array of objects
//! without `speaker`/`start`/`end` is read as an array of messages instead (text field as in JSONL).
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
use std::io::{BufRead, Read};
use std::sync::OnceLock;

fn speaker_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r#"^\s*(?:[\[【(（]?\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?[\]】)）]?\s*)?(?:[\[【]([^\]】\s]{1,16})[\]】]\s*[:：]|((?:[A-Za-z]+|\p{Han}{1,8})[ _]?\d{1,2}|[^\s:：,，。.!！?？\[\]【】()（）"“”'‘’<>《》/]{1,16})\s*[:：])\s*(.*)$"#,
        )
        .expect("speaker regex")
    })
}

/// `(speaker, rest)` when the line starts with a speaker label.
pub fn split_speaker(line: &str) -> Option<(&str, &str)> {
    let c = speaker_re().captures(line)?;
    let label = c.get(1).or_else(|| c.get(2))?.as_str();
    let lower = label.to_ascii_lowercase();
    if label.chars().all(|ch| ch.is_ascii_digit())
        || lower == "http"
        || lower == "https"
        || lower == "www"
    {
        return None;
    }
    Some((label, c.get(3).map(|m| m.as_str()).unwrap_or("").trim()))
}

/// Whether the text reads as a call transcript rather than one message per line: most lines
/// carry a speaker label, a handful of labels recur, and the speaker changes.
pub fn looks_like_transcript(text: &str) -> bool {
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
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
    labelled * 10 >= lines.len() * 6
        && (2..=8).contains(&labels.len())
        && changes >= 1
        && top2 * 10 >= labelled * 7
}

/// Splits a transcript into turns.
pub fn parse_turns(text: &str) -> Vec<Turn> {
    let mut turns: Vec<Turn> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim_start_matches('\u{feff}');
        if line.trim().is_empty() {
            continue;
        }
        let n = i as u64 + 1;
        match split_speaker(line) {
            Some((sp, rest)) => turns.push(Turn {
                speaker: Some(sp.to_string()),
                text: rest.to_string(),
                line: n,
                start: None,
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
    turns
}

fn file_stem(source: &str) -> Option<String> {
    std::path::Path::new(source)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .filter(|s| s != "-")
}

/// The record of one call.
fn call_record(source: &str, id: Option<String>, mut turns: Vec<Turn>) -> RecordResult {
    if turns.is_empty() {
        return Err(RecordError {
            id,
            ..RecordError::new(source, 1, 1, "empty text")
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
    finish_record(rec).map(|mut r| {
        r.truncated |= truncated;
        r
    })
}

/// Reads a whole document, at most [`MAX_DOCUMENT_BYTES`].
fn read_document(mut reader: impl Read) -> Result<Vec<u8>, String> {
    let mut bytes = Vec::new();
    reader
        .by_ref()
        .take(MAX_DOCUMENT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("read error: {e}"))?;
    if bytes.len() as u64 > MAX_DOCUMENT_BYTES {
        return Err(format!("file larger than {} MiB", MAX_DOCUMENT_BYTES >> 20));
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
        .and_then(|text| call_record(&source, id.clone(), parse_turns(&text)));
    Box::new(std::iter::once(result))
}

fn json_kind(v: &Value) -> &'static str {
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
pub fn segments_to_turns(segments: &[Value]) -> Vec<Turn> {
    let mut turns: Vec<Turn> = Vec::new();
    for (i, seg) in segments.iter().enumerate() {
        let Some(o) = seg.as_object() else { continue };
        let text = o
            .get("text")
            .or_else(|| o.get("sentence"))
            .and_then(|t| t.as_str())
            .unwrap_or("")
            .trim();
        if text.is_empty() {
            continue;
        }
        let speaker = scalar(
            o.get("speaker")
                .or_else(|| o.get("spk"))
                .or_else(|| o.get("role")),
        );
        let start = o.get("start").and_then(|s| s.as_f64());
        match turns.last_mut() {
            Some(t) if speaker.is_some() && t.speaker == speaker => {
                let join_space = t
                    .text
                    .chars()
                    .last()
                    .is_some_and(|c| c.is_ascii_alphanumeric())
                    && text
                        .chars()
                        .next()
                        .is_some_and(|c| c.is_ascii_alphanumeric());
                if join_space {
                    t.text.push(' ');
                }
                t.text.push_str(text);
            }
            _ => turns.push(Turn {
                speaker,
                text: text.to_string(),
                line: i as u64 + 1,
                start,
            }),
        }
    }
    turns
}

/// A JSON document: ASR segments of one call, or an array of messages.
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
    let bytes = match read_document(reader) {
        Ok(b) => b,
        Err(reason) => return fail(0, reason),
    };
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let v: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => return fail(e.line() as u64, format!("malformed JSON: {e}")),
    };
    let id = file_stem(&source);
    match v {
        Value::Array(items) if items.iter().any(is_segment) => Box::new(std::iter::once(
            call_record(&source, id, segments_to_turns(&items)),
        )),
        Value::Array(items) => {
            let opts = opts.clone();
            Box::new(items.into_iter().enumerate().map(move |(i, item)| {
                let n = i as u64 + 1;
                match item {
                    Value::Object(o) => record_from_object(o, &opts, &source, n, n),
                    // An array of plain strings: each is a message.
                    Value::String(text) => finish_record(Record::new(source.as_str(), n, n, text)),
                    other => Err(RecordError::new(
                        source.as_str(),
                        n,
                        n,
                        format!(
                            "expected a message (a JSON object or string), found {}",
                            json_kind(&other)
                        ),
                    )),
                }
            }))
        }
        Value::Object(o) => match o.get("segments") {
            Some(Value::Array(segs)) => {
                let id = scalar(o.get("id")).or(id);
                Box::new(std::iter::once(call_record(
                    &source,
                    id,
                    segments_to_turns(segs),
                )))
            }
            _ => Box::new(std::iter::once(record_from_object(o, opts, &source, 1, 1))),
        },
        _ => fail(1, "expected a JSON array or object".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let t = segments_to_turns(v.as_array().unwrap());
        assert_eq!(t.len(), 2);
        assert_eq!(t[0].text, "您好我是客服");
        assert_eq!((t[1].line, t[1].start), (3, Some(2.5)));
    }
}
