//! JSON Lines and plain-text (one message per line) readers.

use super::encoding::{decode_owned, TextEncoding};
use super::{finish_record, ReaderOptions, Record, RecordError, RecordResult, MAX_LINE_BYTES};
use serde_json::Value;
use std::io::BufRead;

/// Field names tried, in order, when no text field is given.
pub const TEXT_FIELDS: &[&str] = &[
    "text",
    "content",
    "body",
    "message",
    "msg",
    "sms",
    "内容",
    "短信内容",
    "消息内容",
    "正文",
    "內容",
    "短信內容",
    "簡訊內容",
];

/// Field (JSON) and column (CSV) names of the message id, tried in order by both readers.
pub const ID_FIELDS: &[&str] = &[
    "id",
    "msg_id",
    "message_id",
    "编号",
    "序号",
    "短信编号",
    "編號",
    "序號",
];

/// Names of the sender, tried in order: the other party's number first (`号码`, `phone`), names of
/// a contact (`联系人`, `name`) only when there is no number: an export with both
/// (`类型,联系人,号码,时间,内容`) has the number as the sender.
pub const SENDER_FIELDS: &[&str] = &[
    "sender",
    "from",
    "address",
    "phone",
    "number",
    "号码",
    "手机号",
    "电话",
    "发件人",
    "发送方",
    "对方号码",
    "號碼",
    "手機號",
    "電話",
    "發件人",
    "發送方",
    "對方號碼",
    // Names, not numbers: the last resort.
    "联系人",
    "姓名",
    "contact",
    "name",
    "聯絡人",
    "聯繫人",
];

/// Names of the date, tried in order.
pub const DATE_FIELDS: &[&str] = &[
    "date",
    "time",
    "timestamp",
    "datetime",
    "日期",
    "时间",
    "发送时间",
    "接收时间",
    "時間",
    "發送時間",
    "接收時間",
];

/// Reads lines as raw bytes so one bad line is one error record, not the end of the file. Lines
/// longer than [`MAX_LINE_BYTES`] are cut there (the rest is skipped) and reported as overlong.
pub(crate) struct Lines<R> {
    inner: R,
    line: u64,
    done: bool,
}

/// One line read by [`Lines`].
pub(crate) struct Line {
    pub number: u64,
    pub bytes: Result<Vec<u8>, String>,
    /// The line was longer than [`MAX_LINE_BYTES`] and was cut.
    pub overlong: bool,
}

impl<R: BufRead> Lines<R> {
    pub(crate) fn new(inner: R) -> Self {
        Lines {
            inner,
            line: 0,
            done: false,
        }
    }

    /// Reads up to and including the next newline, keeping at most `MAX_LINE_BYTES` bytes.
    fn read_limited(&mut self, out: &mut Vec<u8>) -> std::io::Result<(usize, bool)> {
        let mut total = 0;
        let mut overlong = false;
        loop {
            let buf = match self.inner.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if buf.is_empty() {
                return Ok((total, overlong));
            }
            let (chunk, found) = match memchr(b'\n', buf) {
                Some(i) => (&buf[..=i], true),
                None => (buf, false),
            };
            let room = MAX_LINE_BYTES.saturating_sub(out.len());
            if chunk.len() > room {
                overlong = true;
                out.extend_from_slice(&chunk[..room]);
            } else {
                out.extend_from_slice(chunk);
            }
            let n = chunk.len();
            total += n;
            self.inner.consume(n);
            if found {
                return Ok((total, overlong));
            }
        }
    }

    /// Next line, without its newline.
    pub(crate) fn next_line(&mut self) -> Option<Line> {
        if self.done {
            return None;
        }
        let mut b = Vec::new();
        match self.read_limited(&mut b) {
            Ok((0, _)) => {
                self.done = true;
                None
            }
            Ok((_, overlong)) => {
                self.line += 1;
                if b.last() == Some(&b'\n') {
                    b.pop();
                }
                if b.last() == Some(&b'\r') {
                    b.pop();
                }
                if self.line == 1 && b.starts_with(b"\xEF\xBB\xBF") {
                    b.drain(..3);
                }
                Some(Line {
                    number: self.line,
                    bytes: Ok(b),
                    overlong,
                })
            }
            Err(e) => {
                self.done = true;
                self.line += 1;
                Some(Line {
                    number: self.line,
                    bytes: Err(format!("read error: {e}")),
                    overlong: false,
                })
            }
        }
    }
}

fn memchr(needle: u8, hay: &[u8]) -> Option<usize> {
    hay.iter().position(|&b| b == needle)
}

fn utf8(bytes: Vec<u8>) -> Result<String, String> {
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "invalid UTF-8 at byte {} of the line (convert the file to UTF-8)",
            e.utf8_error().valid_up_to()
        )
    })
}

/// Builds a record from a JSON object: the text from `opts.text_field` or the usual names, id,
/// sender, date and channel when present. Shared by JSONL and JSON arrays of messages.
pub(crate) fn record_from_object(
    mut obj: serde_json::Map<String, Value>,
    opts: &ReaderOptions,
    source: &str,
    line: u64,
    index: u64,
) -> RecordResult {
    let err = |reason: String| RecordError::new(source, line, index, reason);
    // One ASR result per line (whisper, FunASR, …): a call, scored per window too.
    if opts.text_field.is_none() && super::transcript::may_have_segments(&obj) {
        if let Some(call) = super::transcript::call_from_object(&obj, source, line, index) {
            return call;
        }
    }
    let key = match &opts.text_field {
        Some(f) => {
            if !obj.contains_key(f) {
                return Err(err(format!("no field {f:?}")));
            }
            f.clone()
        }
        None => match TEXT_FIELDS.iter().find(|f| obj.contains_key(**f)) {
            Some(f) => f.to_string(),
            None => {
                return Err(err(format!(
                    "no text field (tried {}; use --text-field)",
                    TEXT_FIELDS.join(", ")
                )))
            }
        },
    };
    let field = |given: &Option<String>, defaults: &[&str]| -> Option<String> {
        let pick = |k: &str| match obj.get(k)? {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        };
        match given {
            Some(g) => pick(g),
            None => defaults.iter().find_map(|k| pick(k)),
        }
    };
    let id = field(&opts.id_field, ID_FIELDS);
    let sender = field(&opts.sender_field, SENDER_FIELDS);
    let date = field(&opts.date_field, DATE_FIELDS);
    let channel = obj
        .get("channel")
        .and_then(|c| serde_json::from_value(c.clone()).ok());
    let text = match obj.remove(&key) {
        Some(Value::String(s)) => s,
        other => {
            let found = other
                .as_ref()
                .map_or("missing", super::transcript::json_kind);
            return Err(RecordError {
                id,
                sender,
                date,
                ..err(format!(
                    "text field {key:?} is {found}, not a string (name another with --text-field)"
                ))
            });
        }
    };
    // A call given as one text (`"channel": "call"`, one `speaker：…` line per turn) gets its turns,
    // so it is scored per window too.
    let turns = if channel == Some(crate::labels::Channel::Call) && text.contains('\n') {
        let mut t = super::transcript::parse_turns(&text);
        if t.len() > 1 && t.iter().all(|t| t.speaker.is_some()) {
            t.iter_mut().for_each(|t| t.line = 0); // lines of the text, not of the file
            t
        } else {
            Vec::new()
        }
    } else {
        Vec::new()
    };
    finish_record(Record {
        id,
        sender,
        date,
        channel,
        turns,
        ..Record::new(source, line, index, text)
    })
}

pub struct JsonlReader<R> {
    lines: Lines<R>,
    source: String,
    opts: ReaderOptions,
    index: u64,
}

impl<R: BufRead> JsonlReader<R> {
    pub fn new(inner: R, source: String, opts: ReaderOptions) -> Self {
        JsonlReader {
            lines: Lines::new(inner),
            source,
            opts,
            index: 0,
        }
    }

    fn parse(&self, line: u64, bytes: Vec<u8>) -> RecordResult {
        let err = |reason: String| RecordError::new(self.source.as_str(), line, self.index, reason);
        let s = utf8(bytes).map_err(err)?;
        let v: Value = match serde_json::from_str(&s) {
            Ok(v) => v,
            // A lone surrogate escape (`\ud83d`: JavaScript's JSON.stringify of a string cut
            // inside an emoji) is U+FFFD, as in the XML reader; any other error stands, and is
            // the one reported (not the surrogate that hid it).
            Err(e) => match replace_lone_surrogates(&s) {
                Some(fixed) => serde_json::from_str(&fixed)
                    .map_err(|e2| err(format!("malformed JSON: {e2}")))?,
                None => return Err(err(format!("malformed JSON: {e}"))),
            },
        };
        let Value::Object(obj) = v else {
            return Err(err("expected a JSON object".into()));
        };
        record_from_object(obj, &self.opts, &self.source, line, self.index)
    }
}

impl<R: BufRead> Iterator for JsonlReader<R> {
    type Item = RecordResult;
    fn next(&mut self) -> Option<RecordResult> {
        loop {
            let Line {
                number: line,
                bytes,
                overlong,
            } = self.lines.next_line()?;
            let bytes = match bytes {
                Ok(b) => b,
                Err(reason) => {
                    self.index += 1;
                    return Some(Err(RecordError::new(
                        self.source.as_str(),
                        line,
                        self.index,
                        reason,
                    )));
                }
            };
            // Blank lines separate nothing in JSONL; they are not records.
            if !overlong && bytes.iter().all(|b| b.is_ascii_whitespace()) {
                continue;
            }
            self.index += 1;
            if overlong {
                return Some(Err(RecordError::new(
                    self.source.as_str(),
                    line,
                    self.index,
                    format!("line longer than {} MiB", MAX_LINE_BYTES >> 20),
                )));
            }
            return Some(self.parse(line, bytes));
        }
    }
}

/// `json` with every `\uXXXX` escape of a UTF-16 surrogate that is not half of a high + low pair
/// replaced by `\uFFFD`; `None` when there is none. An escaped backslash before a `u` (`\\ud83d`,
/// a backslash and the letters `ud83d`) is left alone.
fn replace_lone_surrogates(json: &str) -> Option<String> {
    let b = json.as_bytes();
    // The code unit of a `\uXXXX` escape at `i`.
    let unit = |i: usize| -> Option<u16> {
        if b.get(i) != Some(&b'\\') || b.get(i + 1) != Some(&b'u') {
            return None;
        }
        let hex = std::str::from_utf8(b.get(i + 2..i + 6)?).ok()?;
        u16::from_str_radix(hex, 16).ok()
    };
    let high = |u: u16| (0xD800..0xDC00).contains(&u);
    let low = |u: u16| (0xDC00..0xE000).contains(&u);
    let mut out = String::with_capacity(json.len());
    let (mut i, mut copied, mut changed) = (0, 0, false);
    while i < b.len() {
        if b[i] != b'\\' {
            i += 1;
            continue;
        }
        match unit(i) {
            Some(u) if high(u) && unit(i + 6).is_some_and(low) => i += 12,
            Some(u) if high(u) || low(u) => {
                out.push_str(&json[copied..i]);
                out.push_str("\\uFFFD");
                i += 6;
                copied = i;
                changed = true;
            }
            // Another escape, `\\` included: its next character is not the start of one.
            _ => i += 2,
        }
    }
    out.push_str(&json[copied..]);
    changed.then_some(out)
}

/// One message per line; blank lines are skipped.
pub struct TextLineReader<R> {
    lines: Lines<R>,
    source: String,
    index: u64,
    encoding: TextEncoding,
}

impl<R: BufRead> TextLineReader<R> {
    pub fn new(inner: R, source: String) -> Self {
        Self::with_encoding(inner, source, TextEncoding::Utf8)
    }

    /// Lines in `encoding` (not UTF-16: transcode that first).
    pub fn with_encoding(inner: R, source: String, encoding: TextEncoding) -> Self {
        TextLineReader {
            lines: Lines::new(inner),
            source,
            index: 0,
            encoding,
        }
    }
}

impl<R: BufRead> Iterator for TextLineReader<R> {
    type Item = RecordResult;
    fn next(&mut self) -> Option<RecordResult> {
        loop {
            let Line {
                number: line,
                bytes,
                overlong,
            } = self.lines.next_line()?;
            if let Ok(b) = &bytes {
                if b.iter().all(|c| c.is_ascii_whitespace()) {
                    continue;
                }
            }
            self.index += 1;
            let enc = self.encoding;
            let bytes = bytes.map(|mut b| {
                if overlong {
                    // Cut inside a character perhaps: drop the incomplete tail.
                    trim_incomplete_tail(&mut b, enc);
                }
                b
            });
            return Some(match bytes.and_then(|b| decode_owned(b, enc)) {
                Ok(text) => {
                    finish_record(Record::new(self.source.as_str(), line, self.index, text)).map(
                        |mut r| {
                            r.truncated |= overlong;
                            r
                        },
                    )
                }
                Err(reason) => Err(RecordError::new(
                    self.source.as_str(),
                    line,
                    self.index,
                    reason,
                )),
            });
        }
    }
}

/// Drops up to 3 bytes at the end that do not decode (a character cut by a length limit).
fn trim_incomplete_tail(b: &mut Vec<u8>, enc: TextEncoding) {
    for _ in 0..4 {
        if super::encoding::decode(b, enc).is_ok() || b.is_empty() {
            return;
        }
        b.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(jsonl: &str) -> Vec<RecordResult> {
        let input = std::io::Cursor::new(jsonl.as_bytes().to_vec());
        JsonlReader::new(input, "t.jsonl".into(), ReaderOptions::default()).collect()
    }

    #[test]
    fn lone_surrogate_escapes_become_replacement_characters() {
        assert_eq!(
            replace_lone_surrogates(r#"{"text":"\ud83d 您的"}"#).as_deref(),
            Some(r#"{"text":"\uFFFD 您的"}"#)
        );
        // A low half alone, a high half at the end, upper-case hex.
        assert_eq!(
            replace_lone_surrogates(r#"["\uDE00a","b\uD83D"]"#).as_deref(),
            Some(r#"["\uFFFDa","b\uFFFD"]"#)
        );
        // A pair is kept, and so is the escaped backslash before `ud83d` (a literal backslash).
        assert_eq!(
            replace_lone_surrogates(r#"{"text":"\ud83d\ude00 \\ud83d"}"#),
            None
        );
        assert_eq!(
            replace_lone_surrogates(r#"{"text":"\\\ud83d\\"}"#).as_deref(),
            Some(r#"{"text":"\\\uFFFD\\"}"#)
        );
        assert_eq!(replace_lone_surrogates(r#"{"text":"\u00e9"}"#), None);
    }

    #[test]
    fn a_message_cut_inside_an_emoji_is_read_with_its_id() {
        let recs = read(concat!(
            r#"{"id":"1","text":"\ud83d 您的POS机备案即将到期"}"#,
            "\n",
            r#"{"id":"2","text":"好\ud83d\ude00 \\ud83d"}"#,
            "\n",
            r#"{"id":"3","text":"\ud83d"#,
            "\n",
            r#"{"text":"abc\ud83d","x":tru}"#,
            "\n",
        ));
        assert_eq!(recs.len(), 4);
        let r = recs[0].as_ref().unwrap();
        assert_eq!((r.id.as_deref(), r.line), (Some("1"), 1));
        assert_eq!(r.text, "\u{FFFD} 您的POS机备案即将到期");
        let r = recs[1].as_ref().unwrap();
        assert_eq!(r.text, "好😀 \\ud83d");
        // Still broken after the repair: the parser's error on the repaired line, the real
        // fault and not the surrogate that came before it.
        let e = recs[2].as_ref().unwrap_err();
        assert_eq!(e.line, 3);
        assert!(e.reason.starts_with("malformed JSON: "), "{}", e.reason);
        let e = recs[3].as_ref().unwrap_err();
        assert!(
            e.reason.starts_with("malformed JSON: ") && !e.reason.contains("escape"),
            "{}",
            e.reason
        );
    }

    #[test]
    fn id_sender_and_date_have_the_csv_readers_names() {
        let recs = read(concat!(
            r#"{"编号":"9","号码":"95588","日期":"2023-11-15","内容":"您好"}"#,
            "\n",
            r#"{"序号":10,"联系人":"张三","对方号码":"10690","发送时间":"2023-11-16","正文":"明天见"}"#,
            "\n",
        ));
        let got: Vec<_> = recs
            .iter()
            .map(|r| {
                let r = r.as_ref().unwrap();
                (
                    r.id.as_deref(),
                    r.sender.as_deref(),
                    r.date.as_deref(),
                    r.text.as_str(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (Some("9"), Some("95588"), Some("2023-11-15"), "您好"),
                (Some("10"), Some("10690"), Some("2023-11-16"), "明天见"),
            ]
        );
    }
}
