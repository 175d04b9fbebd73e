//! iOS Messages database (`sms.db`, SQLite): `message` joined with `handle` on
//! `message.handle_id = handle.ROWID`, in `message.ROWID` order, read in pages so memory stays
//! bounded whatever the size of the database.
//!
//! Record fields: `line` = `message.ROWID`, `id` = `message.guid` (else the ROWID), `sender` =
//! `handle.id` (the other party's phone number or e-mail), `date` = `message.date` — seconds since
//! 2001-01-01 in older databases, nanoseconds in newer ones — as ISO 8601 UTC. When `text` is NULL
//! (newer iOS keeps it only in `attributedBody`, an archived NSAttributedString) the plain string
//! is taken from that blob; when neither gives text the record is an error record `empty text`.

use super::{
    finish_record, iso8601_utc, Direction, ReaderOptions, Record, RecordError, RecordResult,
    RecordStream,
};
use crate::error::{Error, Result};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};
use std::collections::VecDeque;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// Seconds from 1970-01-01 to 2001-01-01 (the Apple epoch).
const APPLE_EPOCH: i64 = 978_307_200;
const PAGE: i64 = 1024;

pub struct SmsDbReader {
    conn: Connection,
    sql: String,
    source: String,
    last_rowid: i64,
    buffered: VecDeque<RecordResult>,
    index: u64,
    done: bool,
    file_size: u64,
    bytes_read: Option<Arc<AtomicU64>>,
    /// The copy read in place of a database in WAL mode (see [`open`]); removed when dropped.
    _copy: Option<tempfile::TempDir>,
}

fn columns(conn: &Connection, table: &str) -> rusqlite::Result<Vec<String>> {
    let mut st = conn.prepare(&format!("PRAGMA table_info({table})"))?;
    let names = st
        .query_map([], |r| r.get::<_, String>(1))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(names)
}

/// Opens an `sms.db` read-only. A database with a write-ahead log beside it (`sms.db-wal`, as a
/// copy of a phone's live database has) is copied with its log to a temporary directory and read
/// there: SQLite would otherwise create `sms.db-shm` beside the original even when opening it
/// read-only, and an analyst's evidence directory must be left as it was.
pub fn open(path: &Path, source: String, opts: &ReaderOptions) -> Result<RecordStream> {
    let bad = |what: String| Error::Invalid(format!("{source}: {what}"));
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    let wal = std::path::PathBuf::from(wal);
    let copy = if wal.is_file() {
        let dir = tempfile::Builder::new()
            .prefix("posguard-smsdb-")
            .tempdir()
            .map_err(|e| {
                bad(format!(
                    "cannot make a temporary copy of the database and its log: {e}"
                ))
            })?;
        for (from, to) in [(path, "sms.db"), (wal.as_path(), "sms.db-wal")] {
            std::fs::copy(from, dir.path().join(to)).map_err(|e| {
                bad(format!(
                    "cannot copy {} to read it without touching the original: {e}",
                    from.display()
                ))
            })?;
        }
        Some(dir)
    } else {
        None
    };
    let read_path = match &copy {
        Some(dir) => dir.path().join("sms.db"),
        None => path.to_path_buf(),
    };
    let conn = Connection::open_with_flags(
        &read_path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| bad(format!("cannot open the SQLite database: {e}")))?;
    let msg_cols = columns(&conn, "message").map_err(|e| bad(format!("not an iOS sms.db: {e}")))?;
    if msg_cols.is_empty() {
        return Err(bad("not an iOS sms.db: no table `message`".into()));
    }
    let has = |c: &str| msg_cols.iter().any(|m| m.eq_ignore_ascii_case(c));
    if !has("text") {
        return Err(bad(
            "not an iOS sms.db: table `message` has no column `text`".into(),
        ));
    }
    let handle_cols = columns(&conn, "handle").unwrap_or_default();
    let with_handle = has("handle_id") && handle_cols.iter().any(|c| c == "id");
    let col = |c: &str| {
        if has(c) {
            format!("m.{c}")
        } else {
            "NULL".to_string()
        }
    };
    let sql = format!(
        "SELECT m.ROWID, {guid}, m.text, {date}, {sender}, {body}, {from_me} FROM message m {join} \
         WHERE m.ROWID > ?1 ORDER BY m.ROWID LIMIT {PAGE}",
        guid = col("guid"),
        date = col("date"),
        sender = if with_handle { "h.id" } else { "NULL" },
        body = col("attributedBody"),
        from_me = col("is_from_me"),
        join = if with_handle {
            "LEFT JOIN handle h ON m.handle_id = h.ROWID"
        } else {
            ""
        },
    );
    conn.prepare(&sql)
        .map_err(|e| bad(format!("cannot query messages: {e}")))?;
    let file_size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    Ok(Box::new(SmsDbReader {
        conn,
        sql,
        source,
        last_rowid: i64::MIN,
        buffered: VecDeque::new(),
        index: 0,
        done: false,
        file_size,
        bytes_read: opts.bytes_read.clone(),
        _copy: copy,
    }))
}

/// Apple epoch seconds or nanoseconds → ISO 8601 UTC.
pub fn apple_date(v: i64) -> Option<String> {
    if v == 0 {
        return None;
    }
    let secs = if v.abs() > 100_000_000_000 {
        v / 1_000_000_000
    } else {
        v
    };
    Some(iso8601_utc(secs + APPLE_EPOCH))
}

/// The plain string inside an `attributedBody` blob (a typedstream-archived NSAttributedString):
/// the bytes after the first `NSString` class name, `+`, then a length (one byte, or `0x81` + u16
/// LE, or `0x82` + u32 LE) and that many UTF-8 bytes.
pub fn decode_attributed_body(blob: &[u8]) -> Option<String> {
    let at = blob.windows(8).position(|w| w == b"NSString")?;
    let rest = &blob[at + 8..];
    let plus = rest.iter().take(16).position(|&b| b == b'+')?;
    let rest = &rest[plus + 1..];
    let (len, start): (usize, usize) = match *rest.first()? {
        0x81 => (
            u16::from_le_bytes([*rest.get(1)?, *rest.get(2)?]) as usize,
            3,
        ),
        0x82 => (
            u32::from_le_bytes([*rest.get(1)?, *rest.get(2)?, *rest.get(3)?, *rest.get(4)?])
                as usize,
            5,
        ),
        n if n < 0x80 => (n as usize, 1),
        _ => return None,
    };
    let bytes = rest.get(start..start.checked_add(len)?)?;
    String::from_utf8(bytes.to_vec()).ok()
}

fn text_of(v: ValueRef<'_>) -> Option<std::result::Result<String, String>> {
    match v {
        ValueRef::Text(b) | ValueRef::Blob(b) => Some(String::from_utf8(b.to_vec()).map_err(|e| {
            format!(
                "invalid UTF-8 at byte {} of message.text",
                e.utf8_error().valid_up_to()
            )
        })),
        ValueRef::Integer(i) => Some(Ok(i.to_string())),
        ValueRef::Real(f) => Some(Ok(f.to_string())),
        ValueRef::Null => None,
    }
}

impl SmsDbReader {
    fn fill(&mut self) -> rusqlite::Result<()> {
        let mut st = self.conn.prepare_cached(&self.sql)?;
        let mut rows = st.query([self.last_rowid])?;
        let mut n = 0;
        while let Some(r) = rows.next()? {
            n += 1;
            self.index += 1;
            let rowid: i64 = r.get(0)?;
            self.last_rowid = rowid;
            let line = rowid.max(0) as u64;
            let id = match r.get_ref(1)? {
                ValueRef::Text(b) => Some(String::from_utf8_lossy(b).into_owned()),
                _ => Some(rowid.to_string()),
            };
            let date = match r.get_ref(3)? {
                ValueRef::Integer(d) => apple_date(d),
                ValueRef::Real(d) => apple_date(d as i64),
                _ => None,
            };
            let sender = match r.get_ref(4)? {
                ValueRef::Text(b) => {
                    Some(String::from_utf8_lossy(b).into_owned()).filter(|s| !s.is_empty())
                }
                _ => None,
            };
            // `is_from_me`: 1 for the phone owner's own messages (then `handle` is the recipient).
            let direction = match r.get_ref(6)? {
                ValueRef::Integer(1) => Some(Direction::Sent),
                ValueRef::Integer(0) => Some(Direction::Received),
                _ => None,
            };
            // An empty `text` is as good as NULL: the message may still be in `attributedBody`.
            let text = match text_of(r.get_ref(2)?).filter(|t| !matches!(t, Ok(s) if s.is_empty()))
            {
                Some(t) => t,
                None => match r.get_ref(5)? {
                    ValueRef::Blob(b) => Ok(decode_attributed_body(b).unwrap_or_default()),
                    _ => Ok(String::new()),
                },
            };
            // iOS puts U+FFFC (the object replacement character) where an attachment is: not
            // text. A message of nothing else is a picture or file without words.
            let text = match text {
                Ok(t) if t.contains('\u{fffc}') => {
                    let words = t.replace('\u{fffc}', "");
                    if words.trim().is_empty() {
                        Err("no text to judge: an attachment (picture, file) with no text".into())
                    } else {
                        Ok(words.trim().to_string())
                    }
                }
                t => t,
            };
            let item = match text {
                Ok(text) => finish_record(Record {
                    id,
                    sender,
                    date,
                    direction,
                    ..Record::new(self.source.as_str(), line, self.index, text)
                }),
                Err(reason) => Err(RecordError {
                    id,
                    sender,
                    date,
                    ..RecordError::new(self.source.as_str(), line, self.index, reason)
                }),
            };
            self.buffered.push_back(item);
        }
        if n < PAGE {
            self.done = true;
        }
        Ok(())
    }
}

impl Iterator for SmsDbReader {
    type Item = RecordResult;
    fn next(&mut self) -> Option<RecordResult> {
        loop {
            if let Some(r) = self.buffered.pop_front() {
                return Some(r);
            }
            if self.done {
                return None;
            }
            if let Err(e) = self.fill() {
                self.done = true;
                self.index += 1;
                let line = self.last_rowid.max(0) as u64;
                return Some(Err(RecordError::new(
                    self.source.as_str(),
                    line,
                    self.index,
                    format!("cannot read the database after ROWID {line}: {e}"),
                )));
            }
            if self.done {
                if let Some(c) = &self.bytes_read {
                    c.fetch_add(self.file_size, Ordering::Relaxed);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apple_dates_in_seconds_and_nanoseconds() {
        assert_eq!(apple_date(0), None);
        assert_eq!(
            apple_date(731_230_200).as_deref(),
            Some("2024-03-04T07:30:00Z")
        );
        assert_eq!(
            apple_date(731_230_200_000_000_000).as_deref(),
            Some("2024-03-04T07:30:00Z")
        );
    }

    #[test]
    fn decodes_attributed_body() {
        let mut blob = b"\x04\x0bstreamtyped\x81\xe8\x03\x84\x01@\x84\x84\x84\x12NSAttributedString\x00\x84\x84\x08NSObject\x00\x85\x92\x84\x84\x84\x08NSString\x01\x94\x84\x01+".to_vec();
        let text = "您的POS机已停用";
        blob.push(text.len() as u8);
        blob.extend_from_slice(text.as_bytes());
        blob.extend_from_slice(b"\x86\x84\x02iI\x01");
        assert_eq!(decode_attributed_body(&blob).as_deref(), Some(text));
        let long = "长".repeat(100);
        let mut blob2 = b"NSString\x01\x94\x84\x01+\x81".to_vec();
        blob2.extend_from_slice(&(long.len() as u16).to_le_bytes());
        blob2.extend_from_slice(long.as_bytes());
        assert_eq!(
            decode_attributed_body(&blob2).as_deref(),
            Some(long.as_str())
        );
        assert_eq!(decode_attributed_body(b"garbage"), None);
    }
}
