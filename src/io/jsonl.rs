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
    "內容",
    "短信內容",
    "簡訊內容",
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
    let id = field(&opts.id_field, &["id", "msg_id", "message_id"]);
    let sender = field(&opts.sender_field, &["sender", "from", "address", "phone"]);
    let date = field(&opts.date_field, &["date", "time", "timestamp", "datetime"]);
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
        let v: Value = serde_json::from_str(&s).map_err(|e| err(format!("malformed JSON: {e}")))?;
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
