//! JSON Lines and plain-text (one message per line) readers.

use super::{finish_record, Record, RecordError, RecordResult, ReaderOptions};
use serde_json::Value;
use std::io::BufRead;

/// Field names tried, in order, when no text field is given.
pub const TEXT_FIELDS: &[&str] = &["text", "content", "body", "message", "msg", "sms", "内容", "短信内容"];

/// Reads lines as raw bytes so one bad line is one error record, not the end of the file.
struct Lines<R> {
    inner: R,
    line: u64,
    buf: Vec<u8>,
    done: bool,
}

impl<R: BufRead> Lines<R> {
    /// Next line: (line number, bytes without the newline) or an I/O error message.
    fn next_line(&mut self) -> Option<(u64, Result<Vec<u8>, String>)> {
        if self.done {
            return None;
        }
        self.buf.clear();
        match self.inner.read_until(b'\n', &mut self.buf) {
            Ok(0) => {
                self.done = true;
                None
            }
            Ok(_) => {
                self.line += 1;
                let mut b = std::mem::take(&mut self.buf);
                if b.last() == Some(&b'\n') {
                    b.pop();
                }
                if b.last() == Some(&b'\r') {
                    b.pop();
                }
                if self.line == 1 && b.starts_with(b"\xEF\xBB\xBF") {
                    b.drain(..3);
                }
                Some((self.line, Ok(b)))
            }
            Err(e) => {
                self.done = true;
                self.line += 1;
                Some((self.line, Err(format!("read error: {e}"))))
            }
        }
    }
}

fn utf8(bytes: Vec<u8>) -> Result<String, String> {
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "invalid UTF-8 at byte {} of the line (convert the file to UTF-8)",
            e.utf8_error().valid_up_to()
        )
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
            lines: Lines {
                inner,
                line: 0,
                buf: Vec::new(),
                done: false,
            },
            source,
            opts,
            index: 0,
        }
    }

    fn parse(&self, line: u64, bytes: Vec<u8>) -> RecordResult {
        let err = |reason: String| RecordError {
            source: self.source.clone(),
            line,
            index: self.index,
            reason,
        };
        let s = utf8(bytes).map_err(err)?;
        let v: Value = serde_json::from_str(&s).map_err(|e| err(format!("malformed JSON: {e}")))?;
        let obj = v.as_object().ok_or_else(|| err("expected a JSON object".into()))?;
        let text = match &self.opts.text_field {
            Some(f) => obj.get(f).ok_or_else(|| err(format!("no field {f:?}")))?,
            None => TEXT_FIELDS
                .iter()
                .find_map(|f| obj.get(*f))
                .ok_or_else(|| err(format!("no text field (tried {}; use --text-field)", TEXT_FIELDS.join(", "))))?,
        };
        let text = text
            .as_str()
            .ok_or_else(|| err("text field is not a string".into()))?
            .to_string();
        let field = |given: &Option<String>, defaults: &[&str]| -> Option<String> {
            let keys: Vec<&str> = match given {
                Some(g) => vec![g.as_str()],
                None => defaults.to_vec(),
            };
            keys.iter().find_map(|k| match obj.get(*k)? {
                Value::String(s) => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            })
        };
        let channel = obj
            .get("channel")
            .and_then(|c| serde_json::from_value(c.clone()).ok());
        finish_record(Record {
            source: self.source.clone(),
            line,
            index: self.index,
            id: field(&self.opts.id_field, &["id", "msg_id", "message_id"]),
            sender: field(&self.opts.sender_field, &["sender", "from", "address", "phone"]),
            date: field(&self.opts.date_field, &["date", "time", "timestamp", "datetime"]),
            channel,
            text,
            truncated: false,
        })
    }
}

impl<R: BufRead> Iterator for JsonlReader<R> {
    type Item = RecordResult;
    fn next(&mut self) -> Option<RecordResult> {
        loop {
            let (line, bytes) = self.lines.next_line()?;
            let bytes = match bytes {
                Ok(b) => b,
                Err(reason) => {
                    self.index += 1;
                    return Some(Err(RecordError {
                        source: self.source.clone(),
                        line,
                        index: self.index,
                        reason,
                    }));
                }
            };
            // Blank lines separate nothing in JSONL; they are not records.
            if bytes.iter().all(|b| b.is_ascii_whitespace()) {
                continue;
            }
            self.index += 1;
            return Some(self.parse(line, bytes));
        }
    }
}

/// One message per line; blank lines are skipped.
pub struct TextLineReader<R> {
    lines: Lines<R>,
    source: String,
    index: u64,
}

impl<R: BufRead> TextLineReader<R> {
    pub fn new(inner: R, source: String) -> Self {
        TextLineReader {
            lines: Lines {
                inner,
                line: 0,
                buf: Vec::new(),
                done: false,
            },
            source,
            index: 0,
        }
    }
}

impl<R: BufRead> Iterator for TextLineReader<R> {
    type Item = RecordResult;
    fn next(&mut self) -> Option<RecordResult> {
        loop {
            let (line, bytes) = self.lines.next_line()?;
            if let Ok(b) = &bytes {
                if b.iter().all(|c| c.is_ascii_whitespace()) {
                    continue;
                }
            }
            self.index += 1;
            let err = |reason| RecordError {
                source: self.source.clone(),
                line,
                index: self.index,
                reason,
            };
            return Some(match bytes.and_then(utf8) {
                Ok(text) => finish_record(Record {
                    source: self.source.clone(),
                    line,
                    index: self.index,
                    id: None,
                    sender: None,
                    date: None,
                    channel: None,
                    text,
                    truncated: false,
                }),
                Err(reason) => Err(err(reason)),
            });
        }
    }
}
