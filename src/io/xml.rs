//! Android "SMS Backup & Restore" XML, streamed with quick-xml: memory is bounded by the largest
//! element, not the file (backups of several GB are common).
//!
//! ```xml
//! <smses count="2">
//!   <sms protocol="0" address="+8613800000000" date="1700000000000" type="1" body="…" contact_name="…"/>
//!   <mms date="1700000000000" msg_box="1" address="+8613800000000">
//!     <parts><part ct="application/smil" text="…"/><part ct="text/plain" text="…"/></parts>
//!     <addrs><addr address="+8613800000000" type="137"/></addrs>
//!   </mms>
//! </smses>
//! ```
//!
//! Each `<sms>` and each `<mms>` is one record: sender from `address` (for a received MMS, the
//! `addr` of type 137, the "from" address, when present), date from `date` (milliseconds since
//! 1970) as ISO 8601 UTC, text from `body` (MMS: the `text/plain` parts, joined by newlines),
//! direction from `type` (sms) or `msg_box` (mms): a sent message's `address` is its recipient, and
//! the app's `insert-address-token` (the phone's own number) is never taken as an address.
//! Attribute values are unescaped here: the five XML entities and numeric references, including the
//! UTF-16 surrogate pairs (`&#55357;&#56832;`) that the app writes for emoji. A DOCTYPE is skipped and entities it
//! declares are never expanded (no "billion laughs"); an unknown `&name;` stays as written. A file
//! cut in the middle of an element gives an error record for the broken tail; the records before it
//! are read as usual. A file that ends between elements before its root element is closed (no
//! `</smses>`: cut at a line end) gives an error record saying so.
//!
//! The media of MMS parts (`<part ct="video/mp4" data="…base64…"/>`, often many MB) are dropped
//! as the file is read, before quick-xml buffers the element (`DropMediaData`): no record needs
//! them, and one large video must not end the backup at the element size limit.

use super::{
    finish_record, iso8601_utc, Direction, Record, RecordError, RecordResult, MAX_RECORD_BYTES,
    MAX_TEXT_CHARS,
};
use quick_xml::events::{BytesStart, Event};
use std::io::BufRead;

/// Hands quick-xml at most `limit` bytes per event: quick-xml buffers a whole element (or text,
/// comment, DOCTYPE) before returning it, so a runaway one would otherwise take unbounded memory.
/// Past the limit `fill_buf` fails, which ends the file with an error record.
pub(crate) struct EventLimit<R> {
    inner: R,
    limit: usize,
    /// Bytes consumed since the last event ended.
    since_mark: usize,
    tripped: bool,
}

impl<R> EventLimit<R> {
    fn mark(&mut self) {
        self.since_mark = 0;
    }
}

impl<R: BufRead> std::io::Read for EventLimit<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let n = {
            let buf = self.fill_buf()?;
            let n = buf.len().min(out.len());
            out[..n].copy_from_slice(&buf[..n]);
            n
        };
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for EventLimit<R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        if self.since_mark >= self.limit {
            self.tripped = true;
            return Err(std::io::Error::other("element over the size limit"));
        }
        let room = self.limit - self.since_mark;
        let buf = self.inner.fill_buf()?;
        Ok(&buf[..buf.len().min(room)])
    }

    fn consume(&mut self, n: usize) {
        self.since_mark += n;
        self.inner.consume(n);
    }
}

/// Streams the XML with the values of `data` attributes removed (`data="…"` becomes `data=""`;
/// line breaks inside a value are kept, so line numbers stay right). SMS Backup & Restore writes a
/// part's media there as base64; nothing posguard reads is in it. Only an attribute inside a tag
/// is touched: text and other attributes' values pass as they are (a `"` inside a double-quoted
/// value is always written `&quot;`, so the tag's state is known from the bytes alone).
pub(crate) struct DropMediaData<R> {
    inner: R,
    state: DataState,
    /// How much of ` data="` has been seen inside a tag.
    matched: usize,
    /// The first bytes after `<` (to tell a comment or CDATA section from a tag).
    head: [u8; 3],
    head_len: usize,
    /// `-` (comment) or `]` (CDATA) bytes just seen, towards the end marker.
    closing: usize,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum DataState {
    Text,
    Tag,
    Value(u8),
    Dropping(u8),
    /// Inside `<!-- … -->`: quotes there (`Tom's phone`) are not attribute quotes.
    Comment,
    /// Inside `<![CDATA[ … ]]>`.
    CData,
}

const DATA_ATTR: &[u8] = b"data=";

impl<R> DropMediaData<R> {
    pub(crate) fn new(inner: R) -> Self {
        DropMediaData {
            inner,
            state: DataState::Text,
            matched: 0,
            head: [0; 3],
            head_len: 0,
            closing: 0,
        }
    }

    /// Notes `b`, one of the first three bytes after `<`; true when they open a comment (`<!--`)
    /// or a CDATA section (`<![C`).
    fn opens_comment(&mut self, b: u8) -> bool {
        self.head[self.head_len] = b;
        self.head_len += 1;
        self.head_len == 3 && (&self.head == b"!--" || &self.head == b"![C")
    }

    /// Filters `buf` in place; returns the bytes kept.
    fn filter(&mut self, buf: &mut [u8]) -> usize {
        let mut w = 0;
        for r in 0..buf.len() {
            let b = buf[r];
            let state = self.state;
            let keep = match state {
                DataState::Text => {
                    if b == b'<' {
                        self.state = DataState::Tag;
                        self.matched = NO_MATCH; // the element's name, not an attribute's
                        self.head_len = 0;
                    }
                    true
                }
                DataState::Comment | DataState::CData => {
                    let mark = if self.state == DataState::Comment {
                        b'-'
                    } else {
                        b']'
                    };
                    if b == b'>' && self.closing >= 2 {
                        self.state = DataState::Text;
                    }
                    self.closing = if b == mark { self.closing + 1 } else { 0 };
                    true
                }
                DataState::Tag if self.head_len < 3 && self.opens_comment(b) => {
                    self.state = if self.head[1] == b'-' {
                        DataState::Comment
                    } else {
                        DataState::CData
                    };
                    self.closing = 0;
                    true
                }
                DataState::Tag => {
                    match b {
                        b'>' => self.state = DataState::Text,
                        b'"' | b'\'' => {
                            self.state = if self.matched == DATA_ATTR.len() {
                                DataState::Dropping(b)
                            } else {
                                DataState::Value(b)
                            };
                        }
                        // An attribute's name starts after whitespace.
                        _ if b.is_ascii_whitespace() => self.matched = 0,
                        _ if self.matched < DATA_ATTR.len() && b == DATA_ATTR[self.matched] => {
                            self.matched += 1
                        }
                        _ => self.matched = NO_MATCH,
                    }
                    true
                }
                DataState::Value(q) => {
                    if b == q {
                        self.state = DataState::Tag;
                        self.matched = NO_MATCH;
                    }
                    true
                }
                DataState::Dropping(q) => {
                    if b == q {
                        self.state = DataState::Tag;
                        self.matched = NO_MATCH;
                        true
                    } else {
                        b == b'\n'
                    }
                }
            };
            if keep {
                buf[w] = b;
                w += 1;
            }
        }
        w
    }
}

/// `DropMediaData::matched` when no attribute name can match here.
const NO_MATCH: usize = usize::MAX;

impl<R: std::io::Read> std::io::Read for DropMediaData<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        loop {
            let n = self.inner.read(out)?;
            if n == 0 {
                return Ok(0);
            }
            let kept = self.filter(&mut out[..n]);
            if kept > 0 {
                return Ok(kept);
            }
        }
    }
}

pub struct SmsXmlReader<R: BufRead> {
    reader: quick_xml::Reader<EventLimit<std::io::BufReader<DropMediaData<R>>>>,
    source: String,
    buf: Vec<u8>,
    /// Line where the next event starts (1-based).
    line: u64,
    index: u64,
    /// The `<mms>` being read: its record and where it started.
    mms: Option<MmsBuilder>,
    /// The root element: its name once opened, and whether it was closed.
    root: Option<(String, bool)>,
    done: bool,
}

struct MmsBuilder {
    line: u64,
    address: Option<String>,
    from: Option<String>,
    /// The first "to" `addr` (type 151).
    to: Option<String>,
    /// Media types of the parts that are neither text nor layout (`image/jpeg`, …).
    media: Vec<String>,
    date: Option<String>,
    direction: Option<Direction>,
    texts: Vec<String>,
    /// Bytes in `texts`; parts past [`MAX_TEXT_CHARS`] × 4 bytes are dropped and the record is
    /// flagged truncated.
    text_bytes: usize,
    truncated: bool,
    /// First attribute problem met inside the element.
    error: Option<String>,
}

impl<R: BufRead> SmsXmlReader<R> {
    pub fn new(inner: R, source: String) -> Self {
        Self::with_limit(inner, source, MAX_RECORD_BYTES)
    }

    /// A reader whose largest element (any markup or text between two tags) is `limit` bytes; a
    /// larger one ends the file with an error record naming its line. The default is
    /// [`MAX_RECORD_BYTES`].
    pub fn with_limit(inner: R, source: String, limit: usize) -> Self {
        let inner = EventLimit {
            inner: std::io::BufReader::with_capacity(64 * 1024, DropMediaData::new(inner)),
            limit: limit.max(1),
            since_mark: 0,
            tripped: false,
        };
        let mut reader = quick_xml::Reader::from_reader(inner);
        let cfg = reader.config_mut();
        cfg.expand_empty_elements = false;
        cfg.check_end_names = false; // a stray end tag is not worth losing the rest of a backup
        cfg.trim_text(false);
        SmsXmlReader {
            reader,
            source,
            buf: Vec::with_capacity(4096),
            line: 1,
            index: 0,
            mms: None,
            root: None,
            done: false,
        }
    }
}

/// Unescapes an attribute value: `&lt; &gt; &amp; &quot; &apos;`, `&#NNN;`, `&#xHHHH;` (UTF-16
/// surrogate pairs written as two references are joined). Anything else is kept as written.
pub fn unescape_attr(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    let mut pending_high: Option<u32> = None;
    while let Some(amp) = rest.find('&') {
        let before = &rest[..amp];
        if !before.is_empty() {
            if pending_high.take().is_some() {
                out.push('\u{FFFD}');
            }
            out.push_str(before);
        }
        rest = &rest[amp..];
        let Some(semi) = rest[1..].find(';').map(|i| i + 1).filter(|&i| i <= 12) else {
            if pending_high.take().is_some() {
                out.push('\u{FFFD}');
            }
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let name = &rest[1..semi];
        let code = if let Some(hex) = name.strip_prefix("#x").or_else(|| name.strip_prefix("#X")) {
            u32::from_str_radix(hex, 16).ok()
        } else if let Some(dec) = name.strip_prefix('#') {
            dec.parse::<u32>().ok()
        } else {
            None
        };
        match code {
            Some(c) if (0xD800..0xDC00).contains(&c) => {
                if pending_high.replace(c).is_some() {
                    out.push('\u{FFFD}');
                }
            }
            Some(c) if (0xDC00..0xE000).contains(&c) => match pending_high.take() {
                Some(h) => {
                    let cp = 0x10000 + ((h - 0xD800) << 10) + (c - 0xDC00);
                    out.push(char::from_u32(cp).unwrap_or('\u{FFFD}'));
                }
                None => out.push('\u{FFFD}'),
            },
            Some(c) => {
                if pending_high.take().is_some() {
                    out.push('\u{FFFD}');
                }
                out.push(
                    char::from_u32(c)
                        .filter(|&ch| ch != '\0')
                        .unwrap_or('\u{FFFD}'),
                );
            }
            None => {
                if pending_high.take().is_some() {
                    out.push('\u{FFFD}');
                }
                match name {
                    "lt" => out.push('<'),
                    "gt" => out.push('>'),
                    "amp" => out.push('&'),
                    "quot" => out.push('"'),
                    "apos" => out.push('\''),
                    // Not expanded, whatever a DOCTYPE may have declared.
                    _ => out.push_str(&rest[..=semi]),
                }
            }
        }
        rest = &rest[semi + 1..];
    }
    if pending_high.is_some() {
        out.push('\u{FFFD}');
    }
    out.push_str(rest);
    out
}

/// Reads the attributes of an element into (name, unescaped value) pairs we care about.
fn attrs(e: &BytesStart<'_>, wanted: &[&str]) -> Result<Vec<(usize, String)>, String> {
    let mut out = Vec::new();
    for a in e.attributes().with_checks(false) {
        let a = a.map_err(|e| format!("malformed attribute: {e}"))?;
        if let Some(i) = wanted.iter().position(|w| *w == a.key.as_ref()) {
            out.push((i, unescape_attr(&a.value)));
        }
    }
    Ok(out)
}

fn rec_err(source: &str, line: u64, index: u64, reason: String) -> RecordError {
    RecordError::new(source, line, index, reason)
}

/// `date` in milliseconds (seconds in some old backups) since 1970 → ISO 8601 UTC.
fn xml_date(v: &str) -> Option<String> {
    let n: i64 = v.trim().parse().ok()?;
    if n <= 0 {
        return None;
    }
    Some(iso8601_utc(if n > 100_000_000_000 { n / 1000 } else { n }))
}

impl MmsBuilder {
    /// The other party: for a received MMS its "from" `addr` (type 137) or else `address`; for a
    /// sent one `address` or else its first "to" `addr` (type 151), the recipient (its "from" is
    /// the phone itself).
    fn sender(&self) -> Option<String> {
        match self.direction {
            Some(Direction::Sent) => self.address.clone().or_else(|| self.to.clone()),
            _ => self.from.clone().or_else(|| self.address.clone()),
        }
    }
}

fn not_null(v: String) -> Option<String> {
    let t = v.trim();
    (!t.is_empty() && t != "null").then(|| t.to_string())
}

/// An address attribute: [`not_null`], and not SMS Backup & Restore's placeholder for the phone's
/// own number.
fn address(v: String) -> Option<String> {
    not_null(v).filter(|a| a != "insert-address-token")
}

fn count_newlines(b: &[u8]) -> u64 {
    // SMS bodies carry newlines as `&#10;`; only the markup between records has real ones.
    b.iter().filter(|&&c| c == b'\n').count() as u64
}

impl<R: BufRead> Iterator for SmsXmlReader<R> {
    type Item = RecordResult;

    fn next(&mut self) -> Option<RecordResult> {
        if self.done {
            return None;
        }
        loop {
            self.buf.clear();
            let start_line = self.line;
            let event = match self.reader.read_event_into(&mut self.buf) {
                Ok(ev) => ev,
                Err(quick_xml::Error::Encoding(e)) => {
                    // Bytes that are not UTF-8 in a file read as UTF-8 (a corrupted byte; a GBK
                    // file whose first 64 KiB are ASCII):
                    // quick-xml reads nothing past them, so this element's record is an error that
                    // says the rest of the file is not read — never a silent end.
                    self.done = true;
                    self.line += count_newlines(&self.buf);
                    let line = self.mms.take().map(|m| m.line).unwrap_or(start_line);
                    self.index += 1;
                    let reason = format!(
                        "invalid UTF-8 in the XML ({e}): the records from here on are not read (the file is read as UTF-8, as its declaration or its first 64 KiB say; a file in another encoding can be converted, e.g. iconv -f GBK -t UTF-8)"
                    );
                    return Some(Err(rec_err(&self.source, line, self.index, reason)));
                }
                Err(e) => {
                    // Syntax error or a file cut mid-element: one error record for the broken tail
                    // (the unfinished <mms> if one was open), then the file ends.
                    self.done = true;
                    let line = self.mms.take().map(|m| m.line).unwrap_or(start_line);
                    self.index += 1;
                    let limit = self.reader.get_ref();
                    if limit.tripped {
                        let reason = format!(
                            "XML element longer than {} MiB (a runaway element, comment or DOCTYPE?); the rest of the file is not read",
                            limit.limit as f64 / (1 << 20) as f64
                        );
                        return Some(Err(rec_err(&self.source, line, self.index, reason)));
                    }
                    let reason = match e {
                        // Bad bytes in a file transcoded as it is read (GBK, UTF-16).
                        quick_xml::Error::Io(e) if e.kind() == std::io::ErrorKind::InvalidData => {
                            format!("{e}: the records from here on are not read")
                        }
                        quick_xml::Error::Syntax(s) => {
                            format!("malformed XML (file truncated?): {s}")
                        }
                        other => format!("malformed XML: {other}"),
                    };
                    return Some(Err(rec_err(&self.source, line, self.index, reason)));
                }
            };
            self.reader.get_mut().mark();
            self.line += count_newlines(event.as_bytes());
            match &event {
                Event::Start(e) if self.root.is_none() => {
                    self.root = Some((e.name().as_ref().to_string(), false));
                }
                Event::End(e) => {
                    if let Some((name, closed)) = self.root.as_mut() {
                        if e.name().as_ref() == name.as_str() {
                            *closed = true;
                        }
                    }
                }
                _ => {}
            }
            match event {
                Event::Eof => {
                    self.done = true;
                    if let Some(m) = self.mms.take() {
                        self.index += 1;
                        return Some(Err(rec_err(
                            &self.source,
                            m.line,
                            self.index,
                            "file ends inside an <mms> element (truncated?)".into(),
                        )));
                    }
                    if self.index == 0 && self.root.as_ref().is_some_and(|(n, _)| n == "calls") {
                        // SMS Backup & Restore writes calls-*.xml beside sms-*.xml. Named on its
                        // own (a scan leaves it out: `inputs::is_call_log`), it is not an empty
                        // message file.
                        self.index = 1;
                        return Some(Err(rec_err(
                            &self.source,
                            start_line,
                            1,
                            "a call log (<calls>, SMS Backup & Restore's calls-*.xml), not messages: nothing to score".into(),
                        )));
                    }
                    if let Some((name, _)) = self.root.as_ref().filter(|_| self.index == 0) {
                        if name != "smses" {
                            // Another XML file in a scanned folder: say what it is not.
                            self.index = 1;
                            let reason = format!(
                                "not an SMS Backup & Restore file: its root element is <{name}>, not <smses>"
                            );
                            return Some(Err(rec_err(&self.source, start_line, 1, reason)));
                        }
                    }
                    if let Some((name, false)) = &self.root {
                        // Cut between two elements: the records read are fine, the rest is lost.
                        self.index += 1;
                        let reason = format!(
                            "file ends before </{}> (truncated?): {} records read, any after them are missing",
                            name,
                            self.index - 1
                        );
                        return Some(Err(rec_err(&self.source, start_line, self.index, reason)));
                    }
                    return None;
                }
                Event::Empty(e) | Event::Start(e) if e.name().as_ref() == "sms" => {
                    self.index += 1;
                    let line = start_line;
                    let a = match attrs(&e, &["body", "address", "date", "type"]) {
                        Ok(a) => a,
                        Err(reason) => {
                            return Some(Err(rec_err(&self.source, line, self.index, reason)))
                        }
                    };
                    let mut rec =
                        Record::new(self.source.as_str(), line, self.index, String::new());
                    let mut has_body = false;
                    for (i, v) in a {
                        match i {
                            0 => {
                                has_body = true;
                                rec.text = v;
                            }
                            1 => rec.sender = address(v),
                            2 => rec.date = xml_date(&v),
                            _ => rec.direction = Direction::from_android_box(&v),
                        }
                    }
                    if !has_body || rec.text == "null" {
                        rec.text.clear();
                    }
                    return Some(finish_record(rec));
                }
                Event::Start(e) if e.name().as_ref() == "mms" => {
                    let mut m = MmsBuilder {
                        line: start_line,
                        address: None,
                        from: None,
                        to: None,
                        media: Vec::new(),
                        date: None,
                        direction: None,
                        texts: Vec::new(),
                        text_bytes: 0,
                        truncated: false,
                        error: None,
                    };
                    match attrs(&e, &["address", "date", "msg_box"]) {
                        Ok(a) => {
                            for (i, v) in a {
                                match i {
                                    0 => m.address = address(v),
                                    1 => m.date = xml_date(&v),
                                    _ => m.direction = Direction::from_android_box(&v),
                                }
                            }
                        }
                        Err(reason) => m.error = Some(reason),
                    }
                    // An <mms> opened inside another: the outer one is an error record, never lost.
                    if let Some(outer) = self.mms.replace(m) {
                        self.index += 1;
                        return Some(Err(RecordError {
                            sender: outer.sender(),
                            date: outer.date,
                            ..rec_err(
                                &self.source,
                                outer.line,
                                self.index,
                                format!("<mms> not closed before the <mms> at line {start_line}"),
                            )
                        }));
                    }
                }
                Event::Empty(e) if e.name().as_ref() == "mms" => {
                    // <mms …/> with no parts: a record with no text.
                    self.index += 1;
                    let line = start_line;
                    let mut rec =
                        Record::new(self.source.as_str(), line, self.index, String::new());
                    if let Ok(a) = attrs(&e, &["address", "date", "msg_box"]) {
                        for (i, v) in a {
                            match i {
                                0 => rec.sender = address(v),
                                1 => rec.date = xml_date(&v),
                                _ => rec.direction = Direction::from_android_box(&v),
                            }
                        }
                    }
                    return Some(finish_record(rec));
                }
                Event::Empty(e) | Event::Start(e)
                    if self.mms.is_some() && e.name().as_ref() == "part" =>
                {
                    let m = self.mms.as_mut().expect("inside mms");
                    match attrs(&e, &["ct", "text"]) {
                        Ok(a) => {
                            let ct = a.iter().find(|(i, _)| *i == 0).map(|(_, v)| v.as_str());
                            // `text/plain;charset=utf-8` too: the media type before parameters.
                            let plain = |c: &str| {
                                c.split(';')
                                    .next()
                                    .is_some_and(|t| t.trim().eq_ignore_ascii_case("text/plain"))
                            };
                            if let Some(c) = ct.filter(|c| {
                                !plain(c) && !c.to_ascii_lowercase().starts_with("application/smil")
                            }) {
                                let c = c.split(';').next().unwrap_or(c).trim().to_string();
                                if !c.is_empty() && !m.media.contains(&c) && m.media.len() < 4 {
                                    m.media.push(c);
                                }
                            }
                            if ct.is_some_and(plain) {
                                if let Some((_, t)) = a.iter().find(|(i, _)| *i == 1) {
                                    if t != "null" && !t.trim().is_empty() {
                                        if m.text_bytes > MAX_TEXT_CHARS * 4 {
                                            m.truncated = true;
                                        } else {
                                            m.text_bytes += t.len() + 1;
                                            m.texts.push(t.clone());
                                        }
                                    }
                                }
                            }
                        }
                        Err(reason) => {
                            m.error.get_or_insert(reason);
                        }
                    }
                }
                Event::Empty(e) | Event::Start(e)
                    if self.mms.is_some() && e.name().as_ref() == "addr" =>
                {
                    let m = self.mms.as_mut().expect("inside mms");
                    if let Ok(a) = attrs(&e, &["address", "type"]) {
                        let ty = a.iter().find(|(i, _)| *i == 1).map(|(_, v)| v.trim());
                        let value = a.iter().find(|(i, _)| *i == 0).map(|(_, v)| v.clone());
                        match (ty, value) {
                            (Some("137"), Some(v)) => m.from = address(v),
                            (Some("151"), Some(v)) if m.to.is_none() => m.to = address(v),
                            _ => {}
                        }
                    }
                }
                Event::End(e) if e.name().as_ref() == "mms" => {
                    let Some(m) = self.mms.take() else { continue };
                    self.index += 1;
                    let mut rec =
                        Record::new(self.source.as_str(), m.line, self.index, m.texts.join("\n"));
                    rec.sender = m.sender();
                    rec.date = m.date;
                    rec.direction = m.direction;
                    let media_only = m.texts.is_empty() && !m.media.is_empty();
                    if let Some(reason) = m.error.or_else(|| {
                        media_only.then(|| {
                            format!(
                                "no text to judge: a picture or media message with no text part ({})",
                                m.media.join(", ")
                            )
                        })
                    }) {
                        return Some(Err(RecordError {
                            sender: rec.sender,
                            date: rec.date,
                            ..rec_err(&self.source, m.line, self.index, reason)
                        }));
                    }
                    return Some(finish_record(rec).map(|mut r| {
                        r.truncated |= m.truncated;
                        r
                    }));
                }
                // Declarations, DOCTYPE (never interpreted), comments, text, other elements.
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unescapes_entities_and_surrogate_pairs() {
        assert_eq!(
            unescape_attr("a &amp; b &lt;c&gt; &quot;d&quot; &apos;"),
            "a & b <c> \"d\" '"
        );
        assert_eq!(unescape_attr("&#x4E2D;&#25991;"), "中文");
        assert_eq!(unescape_attr("&#55357;&#56832;!"), "😀!");
        assert_eq!(unescape_attr("&#x1F600;"), "😀");
        assert_eq!(unescape_attr("&lol9; & x"), "&lol9; & x");
        assert_eq!(unescape_attr("&#55357;x"), "\u{FFFD}x");
    }

    #[test]
    fn mms_media_is_dropped_before_the_element_limit() {
        // A video part far over the element limit (here 4 KiB instead of 16 MiB), with line
        // breaks in its base64: the MMS's text and every record after it are still read, on
        // their lines.
        let video = "QUJD".repeat(5_000);
        let xml = format!(
            "<smses count=\"3\">\n<sms address=\"1\" date=\"1\" type=\"1\" body=\"一\" />\n<mms date=\"2\" address=\"95588\" msg_box=\"1\"><parts>\n<part ct=\"text/plain\" text=\"二 data=&quot;x&quot;\" />\n<part ct=\"video/mp4\" data=\"{video}\n{video}\" />\n</parts></mms>\n<sms address=\"3\" date=\"3\" type=\"1\" body=\"三\" mydata=\"kept\" />\n</smses>\n"
        );
        let recs: Vec<_> = SmsXmlReader::with_limit(xml.as_bytes(), "b.xml".into(), 4096)
            .map(|r| r.map(|r| (r.line, r.text)))
            .collect();
        assert_eq!(
            recs,
            vec![
                Ok((2, "一".to_string())),
                Ok((3, "二 data=\"x\"".to_string())),
                Ok((8, "三".to_string()))
            ]
        );
        // The filter alone: only `data` attributes' values go, newlines in them stay.
        let mut out = String::new();
        std::io::Read::read_to_string(
            &mut DropMediaData::new(
                "<p data=\"AB\nC\" x=\"data='1'\" mydata='2'>t data=\"3\"</p>".as_bytes(),
            ),
            &mut out,
        )
        .unwrap();
        assert_eq!(
            out,
            "<p data=\"\n\" x=\"data='1'\" mydata='2'>t data=\"3\"</p>"
        );
        // A quote in a comment or CDATA section does not put the filter out of step.
        for (xml, want) in [
            (
                "<!-- Tom's phone --><p data=\"AB\" b=\"x\"/>",
                "<!-- Tom's phone --><p data=\"\" b=\"x\"/>",
            ),
            (
                "<![CDATA[ it's ]]><p data=\"AB\"/>",
                "<![CDATA[ it's ]]><p data=\"\"/>",
            ),
        ] {
            let mut out = String::new();
            std::io::Read::read_to_string(&mut DropMediaData::new(xml.as_bytes()), &mut out)
                .unwrap();
            assert_eq!(out, want);
        }
    }

    #[test]
    fn reads_sms_and_mms_with_lines() {
        let xml = "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n<smses count=\"3\">\n  <sms address=\"10086\" date=\"1700000000000\" type=\"1\" body=\"hi &amp; bye\" />\n  <mms date=\"1700000001000\" address=\"95588\" msg_box=\"1\">\n    <parts>\n      <part ct=\"application/smil\" text=\"&lt;smil/&gt;\" />\n      <part ct=\"text/plain\" text=\"part one\" />\n    </parts>\n    <addrs><addr address=\"95588\" type=\"137\" /></addrs>\n  </mms>\n  <sms address=\"1\" date=\"1\" body=\"cut";
        let recs: Vec<_> = SmsXmlReader::new(xml.as_bytes(), "b.xml".into()).collect();
        assert_eq!(recs.len(), 3, "{recs:?}");
        let a = recs[0].as_ref().unwrap();
        assert_eq!(
            (a.line, a.text.as_str(), a.sender.as_deref()),
            (3, "hi & bye", Some("10086"))
        );
        assert_eq!(a.date.as_deref(), Some("2023-11-14T22:13:20Z"));
        let b = recs[1].as_ref().unwrap();
        assert_eq!((b.line, b.index, b.text.as_str()), (4, 2, "part one"));
        let c = recs[2].as_ref().unwrap_err();
        assert_eq!((c.line, c.index), (11, 3));
        assert!(c.reason.contains("malformed XML"), "{}", c.reason);
    }
}
