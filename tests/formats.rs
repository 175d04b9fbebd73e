//! `posguard score` on every input format people have, checked record by record: the real binary
//! on real-shaped files (tests/fixtures/), plus resume, Ctrl-C and order.

mod common;

use common::*;
use posguard::io::{self as pio, ReaderOptions, Record};
use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};

const SCAM: &str = "【POS服务中心】尊敬的商户，您的POS机备案到期即将停用，回复1免费更换0.38%费率新机，押金299元刷满返还";
const BANK: &str = "【工商银行】您尾号1234卡11月26日14:05POS支出(消费)128.00元，余额5,430.21元。";

fn fixture(name: &str) -> PathBuf {
    repo("tests/fixtures").join(name)
}

fn score(args: &[&str]) -> (Vec<Value>, Output) {
    score_in(&repo("tests/fixtures"), args)
}

/// The records the library reads from a file (for exact text checks).
fn records(path: &Path) -> Vec<Result<Record, pio::RecordError>> {
    pio::open(path, None, &ReaderOptions::default())
        .unwrap()
        .collect()
}

/// The JSONL rows a run wrote to stdout.
fn rows_of(o: &Output) -> Vec<Value> {
    stdout(o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn col<'a>(rows: &'a [Value], key: &str) -> Vec<&'a Value> {
    rows.iter().map(|r| &r[key]).collect()
}

#[test]
fn gbk_csv_from_excel_with_chinese_header_quotes_newline_and_bad_bytes() {
    let (rows, o) = score(&["export_gbk.csv"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert_eq!(rows.len(), 6, "{}", stdout(&o));
    assert_eq!(col(&rows, "record"), [1, 2, 3, 4, 5, 6]);
    // Header on line 1; row g3 spans lines 4–5 (quoted newline), so g4 starts on line 6.
    assert_eq!(col(&rows, "line"), [2, 3, 4, 6, 7, 8]);
    assert_eq!(col(&rows, "id"), ["g1", "g2", "g3", "g4", "g5", "g6"]);
    assert_eq!(col(&rows, "sender")[..3], ["10655", "95588", "10086"]);
    assert_eq!(rows[0]["date"], "2024-03-01 08:30");
    assert_eq!(rows[0]["verdict"], "scam");
    assert_eq!(rows[1]["verdict"], "legit");
    assert!(rows[2]["verdict"].is_string());
    assert_eq!(rows[3]["error"], "empty text");
    assert_eq!(
        rows[3]["sender"], "13800138000",
        "what is known of a failed record is kept"
    );
    let bad = rows[4]["error"].as_str().unwrap();
    assert!(bad.contains("invalid GBK/GB18030 bytes"), "{bad}");
    assert!(
        rows[5]["verdict"].is_string(),
        "a GB18030 four-byte character decodes"
    );
    // The texts themselves, decoded from GBK.
    let recs = records(&fixture("export_gbk.csv"));
    assert_eq!(recs[0].as_ref().unwrap().text, SCAM);
    assert_eq!(
        recs[2].as_ref().unwrap().text,
        "您的快递已到，取件码\"8531\"，\n地址：菜鸟驿站"
    );
    assert_eq!(
        recs[5].as_ref().unwrap().text,
        "生僻字𠮷测试短信，您的积分即将到期"
    );
}

#[test]
fn utf8_bom_csv_and_utf16_tsv() {
    let (rows, o) = score(&["export_bom.csv", "export_utf16.txt"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert_eq!(rows.len(), 5);
    assert_eq!(
        col(&rows, "source"),
        [
            "export_bom.csv",
            "export_bom.csv",
            "export_bom.csv",
            "export_utf16.txt",
            "export_utf16.txt"
        ]
    );
    assert_eq!(
        col(&rows, "id"),
        ["b1", "b2", "b3", "u1", "u2"],
        "the BOM is not part of the first column's name"
    );
    assert_eq!(col(&rows, "line"), [2, 3, 4, 2, 3]);
    assert_eq!(rows[0]["date"], "2024-03-01T08:30:00");
    assert_eq!(rows[0]["verdict"], "scam");
    assert_eq!(rows[1]["verdict"], "legit");
    assert_eq!(rows[2]["error"], "empty text");
    assert_eq!(rows[3]["verdict"], "scam");
    assert_eq!(rows[4]["sender"], "95588");
    let recs = records(&fixture("export_bom.csv"));
    assert_eq!(recs[0].as_ref().unwrap().text, format!("{SCAM}😀"));
    assert_eq!(recs[1].as_ref().unwrap().text, format!("{BANK}👍"));
    let recs = records(&fixture("export_utf16.txt"));
    assert_eq!(recs[1].as_ref().unwrap().text, BANK);
}

#[test]
fn sms_backup_xml_with_entities_emoji_and_mms() {
    let (rows, o) = score(&["backup.xml"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert_eq!(rows.len(), 6, "{}", stdout(&o));
    assert_eq!(col(&rows, "record"), [1, 2, 3, 4, 5, 6]);
    assert_eq!(col(&rows, "line"), [9, 10, 11, 22, 23, 28]);
    assert_eq!(
        col(&rows, "sender"),
        [
            "10655",
            "95588",
            "+8613800138000",
            "10086",
            "13900139000",
            "1069000"
        ]
    );
    assert_eq!(rows[0]["date"], "2024-03-01T08:30:00Z");
    assert_eq!(rows[2]["date"], "2024-03-01T08:36:40Z");
    assert_eq!(rows[0]["verdict"], "scam");
    assert_eq!(rows[1]["verdict"], "legit");
    assert_eq!(
        rows[2]["verdict"], "scam",
        "the MMS's text parts are scored"
    );
    assert_eq!(rows[3]["error"], "empty text");
    assert_eq!(
        rows[4]["error"],
        "no text to judge: a picture or media message with no text part (image/jpeg)",
        "an image-only MMS is an error record that says what it is, not dropped"
    );
    assert!(rows[5]["verdict"].is_string());
    let recs = records(&fixture("backup.xml"));
    assert_eq!(
        recs[0].as_ref().unwrap().text,
        format!("{SCAM} 回复\"1\"办理 & 咨询")
    );
    assert_eq!(
        recs[1].as_ref().unwrap().text,
        format!("{BANK}\n笑脸😀和👍和😀 中文")
    );
    assert_eq!(
        recs[2].as_ref().unwrap().text,
        "老板您好，您的POS机费率已上调至0.6%，\n添加客服微信降回0.38%，过期作废"
    );
    // The DOCTYPE's entities are never expanded.
    assert_eq!(recs[5].as_ref().unwrap().text, "&lol2; 注意查收");
}

#[test]
fn truncated_xml_gives_an_error_record_for_the_broken_tail() {
    let (rows, o) = score(&["truncated.xml"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0]["verdict"], "scam");
    assert_eq!(rows[1]["verdict"], "legit");
    assert_eq!(rows[2]["record"], 3);
    assert_eq!(rows[2]["line"], 11);
    assert!(
        rows[2]["error"].as_str().unwrap().contains("malformed XML"),
        "{}",
        rows[2]
    );
}

#[test]
fn truncated_jsonl_gives_an_error_record_for_the_cut_line() {
    let (rows, o) = score(&["truncated.jsonl"]);
    assert_eq!(o.status.code(), Some(3));
    assert_eq!(rows.len(), 3);
    assert_eq!(col(&rows, "id")[..2], ["j1", "j2"]);
    assert_eq!(rows[0]["date"], "2024-03-01");
    assert_eq!(rows[2]["line"], 3);
    assert!(rows[2]["error"]
        .as_str()
        .unwrap()
        .contains("malformed JSON"));
}

/// An iOS sms.db as the Messages app lays it out (the columns used, with their real names).
fn make_sms_db(path: &Path) {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch(
        "CREATE TABLE handle (ROWID INTEGER PRIMARY KEY AUTOINCREMENT UNIQUE, id TEXT NOT NULL, country TEXT, service TEXT NOT NULL, uncanonicalized_id TEXT, person_centric_id TEXT);
         CREATE TABLE message (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, guid TEXT UNIQUE NOT NULL, text TEXT, replace INTEGER DEFAULT 0,
            service_center TEXT, handle_id INTEGER DEFAULT 0, subject TEXT, country TEXT, attributedBody BLOB, version INTEGER DEFAULT 0,
            type INTEGER DEFAULT 0, service TEXT, account TEXT, date INTEGER, date_read INTEGER, is_from_me INTEGER DEFAULT 0);
         INSERT INTO handle (ROWID, id, country, service) VALUES (1, '+8610655', 'cn', 'SMS'), (2, '95588', 'cn', 'SMS');",
    )
    .unwrap();
    let mut blob = b"\x04\x0bstreamtyped\x81\xe8\x03\x84\x01@\x84\x84\x84\x12NSAttributedString\x00\x84\x84\x08NSObject\x00\x85\x92\x84\x84\x84\x08NSString\x01\x94\x84\x01+".to_vec();
    let hidden = "老板您好，您的POS机需要升级，点击链接下载APP输入卡号和验证码";
    blob.push(hidden.len() as u8);
    blob.extend_from_slice(hidden.as_bytes());
    blob.extend_from_slice(b"\x86\x84\x02iI\x01");
    let ins = "INSERT INTO message (ROWID, guid, text, handle_id, date, attributedBody, service) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'SMS')";
    // (ROWID, guid, text, handle_id, date, attributedBody)
    type Row<'a> = (i64, &'a str, Option<&'a str>, i64, i64, Option<Vec<u8>>);
    let rows: Vec<Row> = vec![
        // Nanoseconds since 2001 (iOS 11+): 2024-03-01T08:30:00Z.
        (3, "A1B2-SCAM", Some(SCAM), 1, 730_974_600_000_000_000, None),
        (5, "A1B2-NULL", None, 1, 730_974_660_000_000_000, None),
        (8, "A1B2-ATTR", None, 2, 730_974_720_000_000_000, Some(blob)),
        // Seconds since 2001 (older databases).
        (9, "A1B2-OLD", Some(BANK), 2, 730_974_780, None),
        (12, "A1B2-NOHANDLE", Some("晚上一起吃饭吗？"), 0, 0, None),
    ];
    for (rowid, guid, text, handle, date, body) in rows {
        conn.execute(
            ins,
            rusqlite::params![rowid, guid, text, handle, date, body],
        )
        .unwrap();
    }
}

#[test]
fn ios_sms_db_with_null_text_and_attributed_body() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sms.db");
    make_sms_db(&db);
    // Detected by content, whatever the name.
    let copy = dir.path().join("backup-3d0d7e5f");
    fs::copy(&db, &copy).unwrap();
    for name in ["sms.db", "backup-3d0d7e5f"] {
        let (rows, o) = score_in(dir.path(), &[name]);
        assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
        assert_eq!(rows.len(), 5, "{}", stdout(&o));
        assert_eq!(col(&rows, "record"), [1, 2, 3, 4, 5]);
        assert_eq!(col(&rows, "line"), [3, 5, 8, 9, 12], "line = message.ROWID");
        assert_eq!(
            col(&rows, "id"),
            [
                "A1B2-SCAM",
                "A1B2-NULL",
                "A1B2-ATTR",
                "A1B2-OLD",
                "A1B2-NOHANDLE"
            ]
        );
        assert_eq!(
            col(&rows, "sender")[..4],
            ["+8610655", "+8610655", "95588", "95588"]
        );
        assert!(rows[4].get("sender").is_none());
        assert!(rows[4].get("date").is_none(), "date 0 is no date");
        assert_eq!(rows[0]["date"], "2024-03-01T08:30:00Z");
        assert_eq!(rows[2]["date"], "2024-03-01T08:32:00Z");
        assert_eq!(rows[3]["date"], "2024-03-01T08:33:00Z");
        assert_eq!(rows[0]["verdict"], "scam");
        assert_eq!(
            rows[1]["error"], "empty text",
            "NULL text and no attributedBody"
        );
        assert!(
            rows[2]["verdict"].is_string(),
            "text taken from attributedBody"
        );
        assert_eq!(rows[3]["verdict"], "legit");
    }
    let recs = records(&db);
    assert_eq!(
        recs[2].as_ref().unwrap().text,
        "老板您好，您的POS机需要升级，点击链接下载APP输入卡号和验证码"
    );
}

#[test]
fn a_wal_mode_sms_db_is_read_whole_and_left_untouched_and_attachments_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let live = dir.path().join("live");
    let evidence = dir.path().join("evidence");
    fs::create_dir_all(&live).unwrap();
    fs::create_dir_all(&evidence).unwrap();
    make_sms_db(&live.join("sms.db"));
    let conn = rusqlite::Connection::open(live.join("sms.db")).unwrap();
    let mode: String = conn
        .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    conn.execute_batch(
        "PRAGMA wal_autocheckpoint=0;
         INSERT INTO message (ROWID, guid, text, handle_id, date, service)
           VALUES (20, 'IN-WAL', '【POS中心】您的POS机备案到期即将停用，回复1免费更换0.38%费率新机', 1, 0, 'SMS');
         INSERT INTO message (ROWID, guid, text, handle_id, date, service)
           VALUES (21, 'IMG-1', '\u{fffc}', 2, 0, 'SMS');
         INSERT INTO message (ROWID, guid, text, handle_id, date, service)
           VALUES (22, 'IMG-2', '\u{fffc}您尾号1234卡消费500.00元【工商银行】', 2, 0, 'SMS');",
    )
    .unwrap();
    // A copy taken while the phone's database is open: its last messages are only in the log.
    fs::copy(live.join("sms.db"), evidence.join("sms.db")).unwrap();
    fs::copy(live.join("sms.db-wal"), evidence.join("sms.db-wal")).unwrap();
    drop(conn);
    let listing = || {
        let mut names: Vec<_> = fs::read_dir(&evidence)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        names.sort();
        names
    };
    let before = listing();
    let bytes = |name: &str| fs::read(evidence.join(name)).unwrap();
    let (db, wal) = (bytes("sms.db"), bytes("sms.db-wal"));
    let (rows, o) = score_in(&evidence, &["sms.db"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert_eq!(rows.len(), 8, "{}", stdout(&o));
    assert_eq!(col(&rows, "line")[5..], [20, 21, 22]);
    assert_eq!(
        rows[5]["verdict"], "scam",
        "a message only in the log is read"
    );
    let err = rows[6]["error"].as_str().unwrap();
    assert!(err.contains("an attachment"), "{err}");
    assert_eq!(rows[7]["verdict"], "legit", "{}", rows[7]);
    assert_eq!(
        listing(),
        before,
        "no -shm or other file left beside the evidence"
    );
    assert_eq!(bytes("sms.db"), db);
    assert_eq!(bytes("sms.db-wal"), wal);
}

#[test]
fn call_transcripts_directory_and_asr_json_name_the_peak_turn() {
    let (rows, o) = score(&["calls"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        col(&rows, "source"),
        [
            "calls/asr_segments.json",
            "calls/legit_call.txt",
            "calls/scam_call.txt",
            "calls/whisper.json"
        ],
        "a directory is read recursively in name order"
    );
    assert_eq!(
        col(&rows, "id"),
        ["asr_segments", "legit_call", "scam_call", "whisper"]
    );
    assert_eq!(col(&rows, "turns"), [4, 5, 14, 3]);
    // ASR segments: consecutive segments of SPEAKER_00 are one turn.
    let asr = &rows[0];
    assert_eq!(asr["verdict"], "scam");
    assert_eq!(asr["peak_turn"], 3);
    assert_eq!(asr["peak_start"], 3.5);
    assert!(asr["peak_text"]
        .as_str()
        .unwrap()
        .starts_with("SPEAKER_00：您的POS机费率被上调了"));
    // A GBK transcript with time stamps.
    let legit = &rows[1];
    assert_eq!(legit["verdict"], "legit");
    assert!(
        legit["peak_text"]
            .as_str()
            .unwrap()
            .starts_with("客户经理：")
            || legit["peak_text"].as_str().unwrap().starts_with("老板：")
    );
    // A long call, mostly small talk: the scam turn is found.
    let scam = &rows[2];
    assert_eq!(scam["verdict"], "scam");
    assert_eq!(scam["peak_turn"], 9);
    assert_eq!(scam["peak_line"], 9);
    let w = scam["peak_window"].as_array().unwrap();
    let (a, b) = (w[0].as_u64().unwrap(), w[1].as_u64().unwrap());
    assert!(a <= 9 && 9 <= b && b - a == 5, "{w:?}");
    assert!(scam["peak_score"].as_f64().unwrap() > 0.5);
    assert!(scam["peak_text"]
        .as_str()
        .unwrap()
        .starts_with("客服：系统显示您的POS机备案到期"));
    // whisper-style object without speakers: one turn per segment.
    assert_eq!(rows[3]["verdict"], "legit");
    assert!(rows[3]["peak_start"].is_number());
    // The whole call is the record text, one `speaker：text` line per turn.
    let recs = records(&fixture("calls/legit_call.txt"));
    let rec = recs[0].as_ref().unwrap();
    assert_eq!(rec.turns.len(), 5);
    assert!(rec
        .text
        .starts_with("客户经理：老板您好，我是您的客户经理小李"));
    assert_eq!(rec.channel, Some(posguard::Channel::Call));
    // Messages (no turns) have none of the call fields.
    let (rows, _) = score(&["truncated.jsonl"]);
    assert!(rows[0].get("peak_turn").is_none() && rows[0].get("turns").is_none());
}

#[test]
fn a_call_in_jsonl_is_scored_per_window_too() {
    let dir = tempfile::tempdir().unwrap();
    let call = fs::read_to_string(fixture("calls/scam_call.txt")).unwrap();
    let lines = [
        serde_json::json!({"id": "c1", "channel": "call", "text": call.trim_end()}),
        serde_json::json!({"id": "s1", "text": SCAM}),
    ];
    let body: String = lines.iter().map(|l| format!("{l}\n")).collect();
    fs::write(dir.path().join("mixed.jsonl"), body).unwrap();
    let (rows, o) = score_in(dir.path(), &["mixed.jsonl", "--no-evidence"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(rows[0]["turns"], 14);
    assert_eq!(rows[0]["peak_turn"], 9);
    assert!(
        rows[0].get("peak_line").is_none(),
        "no file line for a turn inside a JSON string"
    );
    assert!(rows[1].get("turns").is_none());
}

#[test]
fn call_fields_are_csv_columns_too() {
    let o = run_in(
        &fixture("."),
        &[
            "calls/scam_call.txt",
            "--output-format",
            "csv",
            "--no-evidence",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert_eq!(out.lines().count(), 2, "one physical line per row: {out}");
    let mut rdr = csv::Reader::from_reader(out.as_bytes());
    let h = rdr.headers().unwrap().clone();
    let r = rdr.records().next().unwrap().unwrap();
    let c = |n: &str| {
        r[h.iter()
            .position(|x| x == n)
            .unwrap_or_else(|| panic!("no column {n}"))]
        .to_string()
    };
    assert_eq!(c("turns"), "14");
    assert_eq!(c("peak_turn"), "9");
    assert_eq!(c("peak_line"), "9");
    assert!(c("peak_text").starts_with("客服：系统显示"));
    assert!(c("peak_window").contains('-'));
}

#[test]
fn globs_and_several_inputs_in_one_run() {
    let (rows, o) = score(&["export_*.csv", "truncated.jsonl"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let sources: Vec<&str> = rows.iter().map(|r| r["source"].as_str().unwrap()).collect();
    let mut expect = vec!["export_bom.csv"; 3];
    expect.extend(["export_gbk.csv"; 6]);
    expect.extend(["truncated.jsonl"; 3]);
    assert_eq!(sources, expect);
    let (_, o) = score(&["nothing_*.csv"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no file matches"), "{}", stderr(&o));
}

#[test]
fn oversized_texts_are_cut_and_flagged() {
    let dir = tempfile::tempdir().unwrap();
    let long = "老板您好，POS机费率调整通知。".repeat(2000); // 30,000 characters
    fs::write(
        dir.path().join("long.jsonl"),
        format!("{{\"id\":\"L\",\"text\":\"{long}\"}}\n{{\"id\":\"S\",\"text\":\"{BANK}\"}}\n"),
    )
    .unwrap();
    fs::write(dir.path().join("long.txt"), format!("{long}\n{BANK}\n")).unwrap();
    let (rows, o) = score_in(dir.path(), &["long.jsonl", "long.txt", "--no-evidence"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[0]["truncated"], true);
    assert!(rows[1].get("truncated").is_none());
    assert_eq!(rows[2]["truncated"], true);
    assert!(stderr(&o).contains("2 truncated"), "{}", stderr(&o));
    let recs = records(&dir.path().join("long.txt"));
    assert_eq!(
        recs[0].as_ref().unwrap().text.chars().count(),
        pio::MAX_TEXT_CHARS
    );
}

/// ASR segments that cannot be read are left out of the call and named on its row (JSONL and CSV)
/// and in the summary; a call with nothing readable is an error record naming them.
#[test]
fn unreadable_asr_segments_are_named_not_dropped_silently() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("a_call.json"),
        r#"{"segments": [
            {"speaker": "A", "text": "老板您好，我是POS机服务中心的", "start": 0.0},
            {"speaker": "A", "text": null, "start": 1.0},
            {"speaker": "A", "text": {"zh": "费率上调"}, "start": 1.2},
            {"speaker": "B", "text": 95516, "start": 2.0},
            {"speaker": "A", "text": "您的机器需要升级，把卡号和验证码报给我", "start": 3.0},
            7
        ]}"#,
    )
    .unwrap();
    fs::write(
        dir.path().join("b_call.json"),
        r#"[{"speaker": "A", "text": false, "start": 0.0}, {"speaker": "B", "text": [], "start": 1.0}]"#,
    )
    .unwrap();
    let (rows, o) = score_in(dir.path(), &["a_call.json", "b_call.json"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert_eq!(rows.len(), 2);
    assert!(rows[0]["verdict"].is_string(), "{}", rows[0]);
    assert_eq!(rows[0]["turns"], 3, "A, B (the number read as text), A");
    assert_eq!(
        rows[0]["skipped"],
        serde_json::json!([
            "segment 3: its text is an object, not a string",
            "segment 6: expected an object, found a number"
        ])
    );
    assert_eq!(
        rows[1]["error"],
        "no readable text (segment 1: its text is a boolean, not a string; \
         segment 2: its text is an array, not a string)"
    );
    assert!(
        stderr(&o).contains("1 with unreadable parts left out"),
        "{}",
        stderr(&o)
    );
    let recs = records(&dir.path().join("a_call.json"));
    let rec = recs[0].as_ref().unwrap();
    assert!(rec.text.contains("B：95516"), "{}", rec.text);
    // The CSV row has the same list in its `skipped` column.
    let o = run_in(dir.path(), &["a_call.json", "--output-format", "csv"]);
    let text = stdout(&o);
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let header = rdr.headers().unwrap().clone();
    let at = header.iter().position(|h| h == "skipped").unwrap();
    let row = rdr.records().next().unwrap().unwrap();
    assert_eq!(
        &row[at],
        "segment 3: its text is an object, not a string; segment 6: expected an object, found a number"
    );
}

/// A transcript whose turns wrap onto unlabelled lines is read as one call, and a speaker label
/// with a space in it (`张 老板：`) is a label; a text file of messages opening with salutations
/// (`尊敬的客户：`) stays one message per line.
#[test]
fn wrapped_transcripts_are_calls_and_salutation_lists_are_messages() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("wrapped.txt"),
        "客服：老板您好，这里是POS机服务中心，\n\
         系统显示您的机器备案到期了，\n\
         今天不处理明天就停用。\n\
         张 老板：那怎么办？\n\
         客服：您把卡号和收到的验证码\n\
         报给我，我帮您在后台\n\
         免费更换新机。\n\
         张 老板：好吧。\n",
    )
    .unwrap();
    fs::write(
        dir.path().join("messages.txt"),
        "尊敬的客户：您尾号1234的信用卡本期账单已出，请按时还款。\n\
         【工商银行】您尾号1234卡11月26日POS支出128.00元。\n\
         亲爱的用户：您的积分将于月底清零。\n\
         【建设银行】验证码482913，5分钟内有效，请勿泄露。\n\
         尊敬的客户：您的还款已到账。\n",
    )
    .unwrap();
    let (rows, o) = score_in(dir.path(), &["messages.txt", "wrapped.txt"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(rows.len(), 6, "{}", stdout(&o));
    assert!(rows[..5]
        .iter()
        .all(|r| r["source"] == "messages.txt" && r["turns"].is_null()));
    assert_eq!(col(&rows[..5], "line"), [1, 2, 3, 4, 5]);
    let call = &rows[5];
    assert_eq!(call["source"], "wrapped.txt");
    assert_eq!(call["turns"], 4);
    assert_eq!(call["verdict"], "scam");
    let recs = records(&dir.path().join("wrapped.txt"));
    let rec = recs[0].as_ref().unwrap();
    let speakers: Vec<Option<&str>> = rec.turns.iter().map(|t| t.speaker.as_deref()).collect();
    assert_eq!(
        speakers,
        [Some("客服"), Some("张 老板"), Some("客服"), Some("张 老板")]
    );
    assert_eq!(
        rec.turns[0].text,
        "老板您好，这里是POS机服务中心， 系统显示您的机器备案到期了， 今天不处理明天就停用。"
    );
}

/// Many records, small batches, errors sprinkled in: output order is input order.
#[test]
fn output_order_is_input_order() {
    let dir = tempfile::tempdir().unwrap();
    let corpus: Vec<String> = fs::read_to_string(repo("data/corpus/test.jsonl"))
        .unwrap()
        .lines()
        .take(200)
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["text"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    let mut expect = Vec::new();
    for (f, n) in [("a.jsonl", 1800usize), ("b.jsonl", 700)] {
        let mut s = String::new();
        for i in 0..n {
            let id = format!("{f}-{i}");
            if i % 97 == 13 {
                s.push_str(&format!("{{\"id\":\"{id}\",\"text\":\n")); // malformed
            } else {
                s.push_str(
                    &serde_json::json!({"id": id, "text": corpus[(i * 7) % corpus.len()]})
                        .to_string(),
                );
                s.push('\n');
            }
            expect.push((f.to_string(), i as u64 + 1));
        }
        fs::write(dir.path().join(f), s).unwrap();
    }
    let o = bin()
        .args([
            "score",
            "a.jsonl",
            "b.jsonl",
            "--batch-size",
            "50",
            "--no-evidence",
        ])
        .current_dir(dir.path())
        .env("RAYON_NUM_THREADS", "2")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let rows = rows_of(&o);
    let got: Vec<(String, u64)> = rows
        .iter()
        .map(|r| {
            (
                r["source"].as_str().unwrap().to_string(),
                r["record"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(got, expect);
    for r in rows.iter().filter(|r| r.get("error").is_none()) {
        assert_eq!(
            r["id"],
            format!(
                "{}-{}",
                r["source"].as_str().unwrap(),
                r["record"].as_u64().unwrap() - 1
            )
        );
    }
}

/// The identity and verdict of each row (scores may differ in the last float digits with the
/// batch a record fell in).
fn row_keys(out: &str, csv: bool) -> Vec<String> {
    if csv {
        let mut rdr = csv::Reader::from_reader(out.as_bytes());
        let h = rdr.headers().unwrap().clone();
        let i = |n: &str| h.iter().position(|x| x == n).unwrap();
        rdr.records()
            .map(|r| {
                let r = r.unwrap();
                format!(
                    "{}|{}|{}|{}|{}",
                    &r[i("source")],
                    &r[i("record")],
                    &r[i("id")],
                    &r[i("verdict")],
                    &r[i("error")]
                )
            })
            .collect()
    } else {
        out.lines()
            .map(|l| {
                let v: Value = serde_json::from_str(l).unwrap();
                format!(
                    "{}|{}|{}|{}|{}",
                    v["source"], v["record"], v["id"], v["verdict"], v["error"]
                )
            })
            .collect()
    }
}

fn assert_same_rows(got: &str, want: &str, csv: bool) {
    assert!(got.ends_with('\n'));
    let (g, w) = (row_keys(got, csv), row_keys(want, csv));
    assert_eq!(g.len(), w.len(), "row count");
    for (i, (a, b)) in g.iter().zip(&w).enumerate() {
        assert_eq!(a, b, "row {i}");
    }
}

fn write_inbox(dir: &Path, n: usize) -> PathBuf {
    let texts = [
        SCAM,
        BANK,
        "今晚一起吃饭吗？",
        "【顺丰】您的快递已到驿站，取件码5531",
    ];
    let mut s = String::new();
    for i in 0..n {
        if i == 17 {
            s.push_str("{\"id\":\"broken\"\n");
            continue;
        }
        let sender = if i % 4 == 0 { "10655" } else { "95588" };
        s.push_str(
            &serde_json::json!({"id": format!("m{i}"), "sender": sender, "text": texts[i % 4]})
                .to_string(),
        );
        s.push('\n');
    }
    let p = dir.join("inbox.jsonl");
    fs::write(&p, s).unwrap();
    p
}

fn run_in(dir: &Path, args: &[&str]) -> Output {
    bin()
        .arg("score")
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

#[test]
fn resuming_a_csv_partial_as_jsonl_is_refused_and_keeps_it() {
    let dir = tempfile::tempdir().unwrap();
    write_inbox(dir.path(), 10);
    let o = run_in(
        dir.path(),
        &["inbox.jsonl", "--output-format", "csv", "-o", "full.csv"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let csv = fs::read_to_string(dir.path().join("full.csv")).unwrap();
    let partial: String = csv.split_inclusive('\n').take(4).collect();
    fs::write(dir.path().join("out.jsonl.partial"), &partial).unwrap();
    let o = run_in(dir.path(), &["inbox.jsonl", "-o", "out.jsonl", "--resume"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("does not start with a posguard JSONL row"),
        "{}",
        stderr(&o)
    );
    assert_eq!(
        fs::read_to_string(dir.path().join("out.jsonl.partial")).unwrap(),
        partial,
        "the rows of the interrupted run are kept"
    );
}

#[test]
fn resume_appends_after_the_complete_rows_without_duplicates() {
    for format in ["jsonl", "csv"] {
        let dir = tempfile::tempdir().unwrap();
        write_inbox(dir.path(), 60);
        let o = run_in(
            dir.path(),
            &[
                "inbox.jsonl",
                "--output-format",
                format,
                "-o",
                "full.out",
                "--batch-size",
                "8",
            ],
        );
        assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
        let full = fs::read_to_string(dir.path().join("full.out")).unwrap();
        let lines: Vec<&str> = full.split_inclusive('\n').collect();
        let header = usize::from(format == "csv");
        assert_eq!(lines.len(), 60 + header);
        // A CSV file starts with a UTF-8 byte order mark, so Excel reads its Chinese as UTF-8.
        assert_eq!(full.starts_with('\u{feff}'), format == "csv");
        // An interrupted run: 23 complete rows and half of the 24th.
        let keep = header + 23;
        let mut partial: String = lines[..keep].concat();
        partial.push_str(&lines[keep][..lines[keep].len() / 2]);
        fs::write(dir.path().join("out.partial"), &partial).unwrap();
        let o = run_in(
            dir.path(),
            &[
                "inbox.jsonl",
                "--output-format",
                format,
                "-o",
                "out",
                "--resume",
                "--summary",
                "summary.json",
            ],
        );
        assert_eq!(o.status.code(), Some(3), "{format}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("23 complete rows kept, skipping 23 input records"),
            "{}",
            stderr(&o)
        );
        assert!(
            !dir.path().join("out.partial").exists(),
            "renamed into place"
        );
        let resumed = fs::read_to_string(dir.path().join("out")).unwrap();
        assert_same_rows(&resumed, &full, format == "csv");
        assert_eq!(resumed.starts_with('\u{feff}'), format == "csv");
        assert!(
            resumed.matches('\u{feff}').count() <= 1,
            "one mark, at the start"
        );
        // The summary covers the whole output, the kept rows included.
        let s: Value =
            serde_json::from_str(&fs::read_to_string(dir.path().join("summary.json")).unwrap())
                .unwrap();
        assert_eq!(s["records"], 60);
        assert_eq!(s["errors"], 1);
        assert_eq!(s["resumed_records"], 23);
        assert_eq!(s["by_verdict"]["scam"], 15);
        assert_eq!(s["top_scam_senders"][0][0], "10655");
        assert_eq!(s["top_scam_senders"][0][1], 15);
    }
}

#[test]
fn resume_refuses_a_partial_file_from_other_inputs() {
    let dir = tempfile::tempdir().unwrap();
    write_inbox(dir.path(), 30);
    fs::write(
        dir.path().join("out.partial"),
        "{\"source\":\"other.jsonl\",\"record\":1,\"line\":1,\"verdict\":\"legit\"}\n",
    )
    .unwrap();
    let o = run_in(dir.path(), &["inbox.jsonl", "-o", "out", "--resume"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("cannot resume"), "{}", stderr(&o));
    // Nothing was appended.
    assert_eq!(
        fs::read_to_string(dir.path().join("out.partial"))
            .unwrap()
            .lines()
            .count(),
        1
    );
}

#[test]
fn resume_with_only_uses_the_checkpoint() {
    let dir = tempfile::tempdir().unwrap();
    write_inbox(dir.path(), 40);
    let o = run_in(
        dir.path(),
        &[
            "inbox.jsonl",
            "--only",
            "scam",
            "-o",
            "full",
            "--batch-size",
            "8",
        ],
    );
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let full = fs::read_to_string(dir.path().join("full")).unwrap();
    // As if interrupted after 16 input records: the rows written for records 1..=16.
    let kept: String = full
        .lines()
        .filter(|l| {
            serde_json::from_str::<Value>(l).unwrap()["record"]
                .as_u64()
                .unwrap()
                <= 16
        })
        .map(|l| format!("{l}\n"))
        .collect();
    let rows = kept.lines().count() as u64;
    fs::write(dir.path().join("out.partial"), &kept).unwrap();
    let o = run_in(
        dir.path(),
        &["inbox.jsonl", "--only", "scam", "-o", "out", "--resume"],
    );
    assert_eq!(
        o.status.code(),
        Some(2),
        "without a checkpoint: {}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("--only"), "{}", stderr(&o));
    fs::write(
        dir.path().join("out.partial.progress"),
        format!("{{\"records\":16,\"rows\":{rows}}}"),
    )
    .unwrap();
    let o = run_in(
        dir.path(),
        &["inbox.jsonl", "--only", "scam", "-o", "out", "--resume"],
    );
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert_same_rows(
        &fs::read_to_string(dir.path().join("out")).unwrap(),
        &full,
        false,
    );
    assert!(!dir.path().join("out.partial.progress").exists());
}

/// `posguard score ARGS` run in `dir` on `input` as its stdin, to the end.
#[cfg(unix)]
fn score_stdin(dir: &Path, args: &[&str], input: &[u8]) -> Output {
    use std::io::Write;
    let mut child = spawn_score(dir, args);
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

/// `posguard score ARGS` in `dir` with stdin, stdout and stderr piped.
#[cfg(unix)]
fn spawn_score(dir: &Path, args: &[&str]) -> std::process::Child {
    bin()
        .arg("score")
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// `posguard score ARGS` in `dir` fed `input` on a stdin left open (so the run cannot end by
/// itself), interrupted with SIGINT once `ready()` holds (`what` names it if it never does).
#[cfg(unix)]
fn score_interrupted(
    dir: &Path,
    args: &[&str],
    input: &[u8],
    what: &str,
    ready: impl Fn() -> bool,
) -> Output {
    score_signalled(libc::SIGINT, dir, args, input, what, ready)
}

/// [`score_interrupted`] with another signal.
#[cfg(unix)]
fn score_signalled(
    signal: i32,
    dir: &Path,
    args: &[&str],
    input: &[u8],
    what: &str,
    ready: impl Fn() -> bool,
) -> Output {
    use std::io::Write;
    let mut child = spawn_score(dir, args);
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(input).unwrap();
    let t0 = std::time::Instant::now();
    while !ready() {
        assert!(t0.elapsed().as_secs() < 120, "{what}");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    unsafe {
        libc::kill(child.id() as i32, signal);
    }
    let o = child.wait_with_output().unwrap();
    drop(stdin);
    o
}

#[cfg(unix)]
#[test]
fn ctrl_c_leaves_complete_rows_and_resume_finishes_the_job() {
    let dir = tempfile::tempdir().unwrap();
    let input = fs::read(write_inbox(dir.path(), 3000)).unwrap();
    let args = |out: &'static str, resume: bool| {
        let mut a = vec!["-", "-o", out, "--batch-size", "40", "--no-evidence"];
        if resume {
            a.push("--resume");
        }
        a
    };
    // The reference: one uninterrupted run on the same stdin.
    let o = score_stdin(dir.path(), &args("ref.jsonl", false), &input);
    assert_eq!(o.status.code(), Some(3));
    let reference = fs::read_to_string(dir.path().join("ref.jsonl")).unwrap();

    let partial = dir.path().join("out.jsonl.partial");
    let o = score_interrupted(
        dir.path(),
        &args("out.jsonl", false),
        &input[..input.len() / 2],
        "no rows written",
        || {
            fs::read_to_string(&partial)
                .map(|s| s.lines().count())
                .unwrap_or(0)
                >= 40
        },
    );
    assert_eq!(o.status.code(), Some(130), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("out.jsonl.partial") && err.contains("--resume"),
        "{err}"
    );
    let got = fs::read_to_string(&partial).unwrap();
    assert!(
        got.ends_with('\n'),
        "the batch in progress was finished and flushed"
    );
    let n = got.lines().count();
    assert!((40..3000).contains(&n), "{n}");
    assert!(
        got.lines()
            .all(|l| serde_json::from_str::<Value>(l).is_ok()),
        "complete rows only"
    );
    let first_n: String = reference.split_inclusive('\n').take(n).collect();
    assert_same_rows(&got, &first_n, false);

    // Resuming with other options would put rows judged two ways into one file: refused, the
    // partial file kept.
    let mut other = args("out.jsonl", true);
    other.extend(["--threshold", "0.01"]);
    let mut child = spawn_score(dir.path(), &other);
    {
        use std::io::Write;
        // It refuses before reading: the write may meet a closed pipe.
        child.stdin.take().unwrap().write_all(&input).ok();
    }
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("other options (--threshold 0.5 → 0.01)"),
        "{}",
        stderr(&o)
    );
    assert_eq!(fs::read_to_string(&partial).unwrap(), got);

    let o = score_stdin(dir.path(), &args("out.jsonl", true), &input);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert_same_rows(
        &fs::read_to_string(dir.path().join("out.jsonl")).unwrap(),
        &reference,
        false,
    );
}

/// `kill` (SIGTERM: docker stop, systemd) and a closed terminal (SIGHUP) stop a run the way
/// Ctrl-C does: the batch in progress finished and flushed, the way to resume said, exit 130 — not
/// the shell's 143 with a batch lost.
#[cfg(unix)]
#[test]
fn sigterm_and_sighup_stop_a_run_like_ctrl_c() {
    let dir = tempfile::tempdir().unwrap();
    let input = fs::read(write_inbox(dir.path(), 600)).unwrap();
    for (signal, out) in [(libc::SIGTERM, "term.jsonl"), (libc::SIGHUP, "hup.jsonl")] {
        let partial = dir.path().join(format!("{out}.partial"));
        let o = score_signalled(
            signal,
            dir.path(),
            &["-", "-o", out, "--batch-size", "40", "--no-evidence"],
            &input,
            "no rows written",
            || {
                fs::read_to_string(&partial)
                    .map(|s| s.lines().count())
                    .unwrap_or(0)
                    >= 40
            },
        );
        assert_eq!(
            o.status.code(),
            Some(130),
            "signal {signal}: {}",
            stderr(&o)
        );
        let err = stderr(&o);
        assert!(
            err.contains("interrupted") && err.contains("--resume"),
            "{err}"
        );
        let got = fs::read_to_string(&partial).unwrap();
        assert!(got.ends_with('\n') && got.lines().count() >= 40, "{got}");
        assert!(got
            .lines()
            .all(|l| serde_json::from_str::<Value>(l).is_ok()));
    }
}

/// Where the last row kept cannot tell that the inputs changed — with `--only` the rows are a few
/// of the records, and a text file's rows carry no id, sender or date — the checkpoint's digest of
/// the records done does.
#[cfg(unix)]
#[test]
fn resume_refuses_inputs_changed_where_the_rows_cannot_tell() {
    let dir = tempfile::tempdir().unwrap();
    let texts = [
        SCAM,
        BANK,
        "今晚一起吃饭吗？",
        "【顺丰】您的快递已到驿站，取件码5531",
    ];
    let input: String = (0..3000)
        .map(|i| format!("{} {i}\n", texts[i % 4]))
        .collect();
    let args = |resume: bool| {
        let mut a = vec![
            "-",
            "--format",
            "text",
            "--only",
            "scam",
            "-o",
            "out.jsonl",
            "--batch-size",
            "40",
            "--no-evidence",
        ];
        if resume {
            a.push("--resume");
        }
        a
    };
    let o = score_stdin(dir.path(), &args(false), input.as_bytes());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let reference = fs::read_to_string(dir.path().join("out.jsonl")).unwrap();
    fs::remove_file(dir.path().join("out.jsonl")).unwrap();

    let progress = dir.path().join("out.jsonl.partial.progress");
    let o = score_interrupted(
        dir.path(),
        &args(false),
        &input.as_bytes()[..input.len() / 2],
        "no checkpoint written",
        || {
            fs::read_to_string(&progress)
                .ok()
                .and_then(|s| serde_json::from_str::<Value>(&s).ok())
                .and_then(|v| v["records"].as_u64())
                .is_some_and(|n| n >= 80)
        },
    );
    assert_eq!(o.status.code(), Some(130), "{}", stderr(&o));
    let partial = dir.path().join("out.jsonl.partial");
    let kept = fs::read_to_string(&partial).unwrap();
    // One message near the start rewritten, the count of records unchanged: the scam rows kept
    // are the same as before, but the input is not.
    let changed = input.replacen("今晚一起吃饭吗？ 2\n", "明天一起吃饭吗？ 2\n", 1);
    assert_ne!(changed, input);
    let mut child = spawn_score(dir.path(), &args(true));
    {
        use std::io::Write;
        // Refused after reading the records to skip: the rest may meet a closed pipe.
        child
            .stdin
            .take()
            .unwrap()
            .write_all(changed.as_bytes())
            .ok();
    }
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("not the ones the output was made from"),
        "{}",
        stderr(&o)
    );
    assert_eq!(fs::read_to_string(&partial).unwrap(), kept, "partial kept");
    // The same input resumes and ends as the uninterrupted run.
    let o = score_stdin(dir.path(), &args(true), input.as_bytes());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_same_rows(
        &fs::read_to_string(dir.path().join("out.jsonl")).unwrap(),
        &reference,
        false,
    );
}

/// With `--only`, most scored records leave no row: the summary of a resumed run must still count
/// them (their counts travel in the checkpoint), as an uninterrupted run does.
#[cfg(unix)]
#[test]
fn resumed_summary_with_only_counts_the_records_left_out() {
    let dir = tempfile::tempdir().unwrap();
    let input = fs::read(write_inbox(dir.path(), 2000)).unwrap();
    // `--only legit`: the scams left out carry patterns and senders the summary counts.
    let args = |extra: &[&'static str]| {
        let mut a = vec![
            "-",
            "--only",
            "legit",
            "--batch-size",
            "40",
            "--no-evidence",
        ];
        a.extend_from_slice(extra);
        a
    };
    let o = score_stdin(
        dir.path(),
        &args(&["-o", "ref.jsonl", "--summary", "ref-summary.json"]),
        &input,
    );
    assert_eq!(o.status.code(), Some(3));

    let progress = dir.path().join("out.jsonl.partial.progress");
    let o = score_interrupted(
        dir.path(),
        &args(&["-o", "out.jsonl", "--summary", "summary.json"]),
        &input[..input.len() / 2],
        "no checkpoint written",
        || {
            fs::read_to_string(&progress)
                .ok()
                .and_then(|s| serde_json::from_str::<Value>(&s).ok())
                .and_then(|v| v["records"].as_u64())
                .unwrap_or(0)
                >= 200
        },
    );
    assert_eq!(o.status.code(), Some(130));
    let checkpoint: Value = serde_json::from_str(&fs::read_to_string(&progress).unwrap()).unwrap();
    let left_out = &checkpoint["left_out"];
    assert!(left_out["records"].as_u64().unwrap() > 0, "{checkpoint}");
    assert!(
        left_out["by_verdict"]["scam"].as_u64().unwrap() > 0,
        "{checkpoint}"
    );
    assert!(
        !left_out["by_pattern"].as_object().unwrap().is_empty(),
        "{checkpoint}"
    );
    assert!(
        !left_out["sender_counts"].as_object().unwrap().is_empty(),
        "{checkpoint}"
    );

    let o = score_stdin(
        dir.path(),
        &args(&["-o", "out.jsonl", "--summary", "summary.json", "--resume"]),
        &input,
    );
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert_same_rows(
        &fs::read_to_string(dir.path().join("out.jsonl")).unwrap(),
        &fs::read_to_string(dir.path().join("ref.jsonl")).unwrap(),
        false,
    );
    let read = |name: &str| -> Value {
        serde_json::from_str(&fs::read_to_string(dir.path().join(name)).unwrap()).unwrap()
    };
    let (mut want, mut got) = (read("ref-summary.json"), read("summary.json"));
    assert!(got["resumed_records"].as_u64().unwrap() >= 200, "{got}");
    got.as_object_mut().unwrap().remove("resumed_records");
    want.as_object_mut().unwrap().remove("resumed_records");
    assert_eq!(got, want);
}

#[test]
fn help_documents_resume_and_no_progress_bar_without_a_terminal() {
    let o = run_in(&repo("."), &["--help"]);
    let help = stdout(&o);
    assert!(
        help.contains("--resume") && help.contains("FILE.partial") && help.contains("130"),
        "{help}"
    );
    assert!(
        help.contains("SMS Backup & Restore") && help.contains("sms.db"),
        "{help}"
    );
    let (_, o) = score(&["backup.xml", "--no-evidence"]);
    let err = stderr(&o);
    assert!(
        !err.contains('\r') && !err.contains("ETA"),
        "no progress bar when stderr is not a terminal: {err}"
    );
}

#[test]
fn summary_file_has_counts_by_verdict_pattern_sender_and_errors() {
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("s.json");
    let (_, o) = score(&[
        "backup.xml",
        "export_gbk.csv",
        "--summary",
        summary.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(3));
    let s: Value = serde_json::from_str(&fs::read_to_string(&summary).unwrap()).unwrap();
    assert_eq!(s["records"], 12);
    assert_eq!(s["errors"], 4);
    assert_eq!(s["scored"], 8);
    assert!(s["by_verdict"]["scam"].as_u64().unwrap() >= 3);
    assert!(s["by_pattern"]
        .as_object()
        .unwrap()
        .contains_key("fake_upgrade"));
    let senders: Vec<&str> = s["top_scam_senders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p[0].as_str().unwrap())
        .collect();
    assert!(senders.contains(&"10655"), "{senders:?}");
    assert!(stderr(&o).contains("top scam senders"), "{}", stderr(&o));
}

#[test]
fn resume_refuses_an_input_that_gained_a_record_on_top() {
    // A re-exported inbox with one new message first: record 23 is now what was record 22.
    // Resuming would write record 23 twice and lose the new one; it must be refused.
    let dir = tempfile::tempdir().unwrap();
    let inbox = write_inbox(dir.path(), 40);
    let o = run_in(dir.path(), &["inbox.jsonl", "-o", "full.out"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let full = fs::read_to_string(dir.path().join("full.out")).unwrap();
    let kept: String = full.split_inclusive('\n').take(23).collect();
    fs::write(dir.path().join("out.partial"), kept).unwrap();
    let old = fs::read_to_string(&inbox).unwrap();
    fs::write(
        &inbox,
        format!("{{\"id\":\"new0\",\"sender\":\"10655\",\"text\":\"{SCAM}\"}}\n{old}"),
    )
    .unwrap();
    let o = run_in(dir.path(), &["inbox.jsonl", "-o", "out", "--resume"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("cannot resume") && err.contains("id \"m22\"") && err.contains("id \"m21\""),
        "{err}"
    );
    // Not told to rerun the very command that was refused.
    assert!(
        !err.contains("to continue") && err.contains("still in out.partial"),
        "{err}"
    );
    assert_eq!(
        fs::read_to_string(dir.path().join("out.partial"))
            .unwrap()
            .lines()
            .count(),
        23,
        "nothing appended"
    );
}

#[test]
fn every_input_file_shows_up_even_empty_or_unreadable() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("calls");
    fs::create_dir(&d).unwrap();
    fs::write(
        d.join("a.txt"),
        "客服：您好，POS中心\n商户：嗯\n客服：您的机器要升级\n",
    )
    .unwrap();
    fs::write(d.join("b_empty.txt"), "").unwrap();
    fs::write(d.join("c_blank.txt"), "\n  \n").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(dir.path().join("missing.csv"), d.join("d_broken.csv")).unwrap();
    let o = run_in(dir.path(), &["calls"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let rows = rows_of(&o);
    let names: Vec<String> = rows
        .iter()
        .map(|r| {
            let s = r["source"].as_str().unwrap();
            s.rsplit('/').next().unwrap().to_string()
        })
        .collect();
    let mut want = vec!["a.txt", "b_empty.txt", "c_blank.txt"];
    if cfg!(unix) {
        want.push("d_broken.csv");
    }
    assert_eq!(names, want, "{}", stdout(&o));
    assert!(rows[0]["verdict"].is_string());
    for r in &rows[1..3] {
        assert_eq!(r["error"], "no records: the input is empty");
    }
    if cfg!(unix) {
        assert!(
            rows[3]["error"]
                .as_str()
                .unwrap()
                .starts_with("cannot read the file"),
            "{}",
            rows[3]
        );
    }
}

#[test]
fn json_array_of_strings_chinese_header_csv_asr_speaker_numbers_and_mms_parameters() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    // A JSON array of plain strings, pretty-printed, with bad elements.
    fs::write(
        p.join("msgs.json"),
        format!("[\n  \"{BANK}\",\n  \"{SCAM}\",\n  \"\",\n  42,\n  null\n]\n"),
    )
    .unwrap();
    // A CSV on stdin-like content (no .csv name) with a Chinese header.
    fs::write(
        p.join("export"),
        format!(
            "编号,发送方,短信内容,时间\n1,95588,\"{BANK}\",2024-03-01\n2,10690,{SCAM},2024-03-02\n"
        ),
    )
    .unwrap();
    // An ASR export labelling speakers `说话人 1`.
    fs::write(
        p.join("call.txt"),
        "说话人 1：您好，这里是POS服务中心\n说话人 2：嗯\n说话人 1：您的机器要升级，请告诉我验证码\n说话人 2：好\n",
    )
    .unwrap();
    // An MMS text part whose content type carries a charset.
    fs::write(
        p.join("mms.xml"),
        format!(
            "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n<smses count=\"1\">\n<mms date=\"1709251200000\" address=\"10690\" msg_box=\"1\"><parts><part ct=\"application/smil\" text=\"&lt;smil/&gt;\" /><part ct=\"text/plain;charset=utf-8\" text=\"{SCAM}\" /></parts></mms>\n</smses>\n"
        ),
    )
    .unwrap();
    let (rows, o) = score_in(p, &["msgs.json", "export", "call.txt", "mms.xml"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let src: Vec<&str> = rows.iter().map(|r| r["source"].as_str().unwrap()).collect();
    assert_eq!(
        src,
        [
            "msgs.json",
            "msgs.json",
            "msgs.json",
            "msgs.json",
            "msgs.json",
            "export",
            "export",
            "call.txt",
            "mms.xml"
        ],
        "{}",
        stdout(&o)
    );
    assert_eq!(rows[0]["verdict"], "legit");
    assert_eq!(rows[1]["verdict"], "scam");
    // Each element's record number, and the line it starts on.
    assert_eq!(col(&rows[..5], "record"), [1, 2, 3, 4, 5]);
    assert_eq!(col(&rows[..5], "line"), [2, 3, 4, 5, 6]);
    assert_eq!(rows[2]["error"], "empty text");
    assert!(rows[3]["error"]
        .as_str()
        .unwrap()
        .contains("found a number"));
    assert!(rows[4]["error"].as_str().unwrap().contains("found null"));
    assert_eq!(
        (rows[5]["id"].as_str(), rows[5]["verdict"].as_str()),
        (Some("1"), Some("legit"))
    );
    assert_eq!(
        (rows[6]["id"].as_str(), rows[6]["verdict"].as_str()),
        (Some("2"), Some("scam"))
    );
    assert_eq!(rows[7]["turns"], 4, "{}", rows[7]);
    assert_eq!(rows[7]["verdict"], "scam");
    assert_eq!(rows[8]["verdict"], "scam", "{}", rows[8]);
}

#[test]
fn csv_output_header_names_each_column_once() {
    let dir = tempfile::tempdir().unwrap();
    write_inbox(dir.path(), 3);
    let o = run_in(dir.path(), &["inbox.jsonl", "--output-format", "csv"]);
    let out = stdout(&o);
    // On stdout no byte order mark: the next program would read it as part of `source`.
    assert!(out.starts_with("source,"), "{out}");
    let header: Vec<&str> = out.lines().next().unwrap().split(',').collect();
    let mut seen = std::collections::HashSet::new();
    for h in &header {
        assert!(seen.insert(*h), "column {h} twice in {header:?}");
    }
    assert!(header.contains(&"impersonation") && header.contains(&"impersonation_check"));
}

#[test]
fn csv_ending_inside_a_quoted_field_is_an_error_record_not_a_long_text() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("inbox.csv"),
        format!(
            "id,sender,text\n1,95588,{BANK}\n2,10690,\"{SCAM}\n3,95588,{BANK}\n4,95588,{BANK}\n"
        ),
    )
    .unwrap();
    let (rows, o) = score_in(dir.path(), &["inbox.csv"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert_eq!(rows.len(), 2, "{}", stdout(&o));
    assert_eq!(rows[0]["verdict"], "legit");
    assert_eq!(
        (rows[1]["record"].as_u64(), rows[1]["line"].as_u64()),
        (Some(2), Some(3))
    );
    assert_eq!(rows[1]["id"], "2", "what is known of the row is kept");
    let e = rows[1]["error"].as_str().unwrap();
    assert!(e.contains("ends inside a quoted field"), "{e}");
    // A quoted field that is closed, newline and doubled quotes inside, is fine.
    fs::write(
        dir.path().join("ok.csv"),
        format!("id,text\n1,\"{SCAM}\n第二行 \"\"引号\"\"\"\n2,{BANK}\n"),
    )
    .unwrap();
    let (rows, o) = score_in(dir.path(), &["ok.csv"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(rows.len(), 2);
}

#[cfg(unix)]
#[test]
fn output_to_a_fifo_is_written_as_a_stream_not_replaced() {
    // `-o /dev/null` or a named pipe: no `.partial` file renamed over it (as root that replaced
    // /dev/null with a regular file). A FIFO stands in for the device here.
    let dir = tempfile::tempdir().unwrap();
    write_inbox(dir.path(), 12);
    let fifo = dir.path().join("pipe");
    let reader = fifo_with_reader(&fifo);
    let o = run_in(dir.path(), &["inbox.jsonl", "-o", "pipe"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let got = String::from_utf8(reader.join().unwrap()).unwrap();
    assert_eq!(got.lines().count(), 12, "{got}");
    use std::os::unix::fs::FileTypeExt;
    assert!(
        fs::metadata(&fifo).unwrap().file_type().is_fifo(),
        "still a FIFO"
    );
    assert!(!dir.path().join("pipe.partial").exists());
    assert!(
        !dir.path().join("pipe.partial.progress").exists(),
        "no checkpoint beside a stream"
    );
    let o = run_in(dir.path(), &["inbox.jsonl", "-o", "pipe", "--resume"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("--resume needs a regular output file"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn empty_csv_jsonl_read_as_csv_and_a_missing_output_directory_are_named() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("empty.csv"), "").unwrap();
    fs::write(dir.path().join("ok.csv"), "text\n您好，今天营业吗？\n").unwrap();
    // An empty CSV among the inputs is an empty input like any other empty file.
    let o = run_in(dir.path(), &["empty.csv", "ok.csv"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let rows = rows_of(&o);
    assert_eq!(rows.len(), 2, "{}", stdout(&o));
    assert_eq!(rows[0]["source"], "empty.csv");
    assert_eq!(rows[0]["error"], "no records: the input is empty");
    assert_eq!(rows[1]["source"], "ok.csv");
    assert!(rows[1]["verdict"].is_string(), "{}", rows[1]);
    // With nothing scored the summary line ends at the counts (no dangling dash). One empty file
    // alone is an empty run, not an error.
    let o = run_in(dir.path(), &["empty.csv"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("posguard: 0 records: 0 scored, 0 errors\n"),
        "{}",
        stderr(&o)
    );

    // A JSONL file forced through the CSV reader is refused, not read with `{"id": …` as a header.
    fs::write(
        dir.path().join("msgs.jsonl"),
        "{\"id\": \"a\", \"text\": \"您好\"}\n{\"id\": \"b\", \"text\": \"收到\"}\n",
    )
    .unwrap();
    let o = run_in(dir.path(), &["--format", "csv", "msgs.jsonl"]);
    assert_ne!(o.status.code(), Some(0));
    let all = format!("{}{}", stdout(&o), stderr(&o));
    assert!(
        all.contains("msgs.jsonl:1: the header row is a JSON object")
            && all.contains("--format jsonl"),
        "{all}"
    );
    assert!(!all.contains("\"verdict\""), "{all}");

    // An output in a directory that does not exist names that directory, not `<out>.partial`.
    let o = run_in(dir.path(), &["ok.csv", "-o", "nodir/out.jsonl"]);
    assert_ne!(o.status.code(), Some(0));
    let e = stderr(&o);
    assert!(
        e.contains("nodir/out.jsonl: cannot write the output: directory nodir does not exist"),
        "{e}"
    );
    assert!(!e.contains(".partial"), "{e}");
    assert!(!dir.path().join("nodir").exists());
}

#[test]
fn semicolon_csv_and_tab_separated_csv_are_read_by_their_header() {
    let dir = tempfile::tempdir().unwrap();
    // Excel in a locale with a decimal comma writes `;`; with a BOM and CRLF, and a quoted field
    // that holds a line break.
    let semi = "\u{feff}id;sender;date;text\r\n\
        1;10690000;2024-01-01 10:00;\"【POS服务中心】您的POS机备案到期即将停用，回复1免费更换0.38%费率新机\"\r\n\
        2;95588;2024-01-01 10:01;\"您尾号1234卡消费500.00元，余额1000.00元。【工商银行】\"\r\n\
        3;13800000000;2024-01-01 10:02;\"拉卡拉总部通知：您的刷卡机需要升级，\r\n请加微信lkl8888办理，交押金199元。\"\r\n";
    fs::write(dir.path().join("semi.csv"), semi).unwrap();
    // Tab-separated bytes saved under a .csv name; and a semicolon file without an extension.
    fs::write(
        dir.path().join("tabs.csv"),
        "序号\t号码\t短信内容\nA1\t95588\t您尾号1234卡消费500.00元，余额1000.00元。【工商银行】\n",
    )
    .unwrap();
    fs::write(
        dir.path().join("export"),
        "编号;号码;短信内容\nB1;10690000;您的POS机备案到期即将停用，回复1免费更换新机\n",
    )
    .unwrap();
    let o = run_in(dir.path(), &["semi.csv", "tabs.csv", "export"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let rows = rows_of(&o);
    assert_eq!(rows.len(), 5, "{}", stdout(&o));
    let got: Vec<(String, String, String, u64)> = rows
        .iter()
        .map(|r| {
            (
                r["id"].as_str().unwrap().to_string(),
                r["sender"].as_str().unwrap().to_string(),
                r["verdict"].as_str().unwrap().to_string(),
                r["line"].as_u64().unwrap(),
            )
        })
        .collect();
    let want = [
        ("1", "10690000", "scam", 2),
        ("2", "95588", "legit", 3),
        ("3", "13800000000", "scam", 4),
        ("A1", "95588", "legit", 2),
        ("B1", "10690000", "scam", 2),
    ];
    for (g, w) in got.iter().zip(want) {
        assert_eq!(
            (g.0.as_str(), g.1.as_str(), g.2.as_str(), g.3),
            w,
            "{rows:?}"
        );
    }
    assert_eq!(rows[0]["date"], "2024-01-01 10:00");
    // A comma inside a column name of a tab- or semicolon-separated header: the data row decides.
    fs::write(
        dir.path().join("tabcomma.csv"),
        "id\tsender (a, b, c)\ttext\n7\t10086\t您的POS机备案到期即将停用，回复1免费更换新机\n",
    )
    .unwrap();
    fs::write(
        dir.path().join("semicomma.csv"),
        "id;text;备注, 说明, 其他, 更多\n8;您的POS机备案到期即将停用，回复1免费更换新机;x\n",
    )
    .unwrap();
    for name in ["tabcomma.csv", "semicomma.csv"] {
        let recs = records(&dir.path().join(name));
        assert_eq!(recs.len(), 1, "{name}");
        let r = recs[0].as_ref().unwrap();
        assert_eq!(
            r.text, "您的POS机备案到期即将停用，回复1免费更换新机",
            "{name}"
        );
        assert!(r.id.is_some(), "{name}");
    }
    // The text is the text column alone, not the joined row.
    let recs = records(&dir.path().join("semi.csv"));
    let texts: Vec<&str> = recs
        .iter()
        .map(|r| r.as_ref().unwrap().text.as_str())
        .collect();
    assert_eq!(
        texts,
        [
            "【POS服务中心】您的POS机备案到期即将停用，回复1免费更换0.38%费率新机",
            "您尾号1234卡消费500.00元，余额1000.00元。【工商银行】",
            "拉卡拉总部通知：您的刷卡机需要升级，\r\n请加微信lkl8888办理，交押金199元。",
        ]
    );
}

#[test]
fn sent_messages_are_marked_and_not_counted_as_scam_senders() {
    let dir = tempfile::tempdir().unwrap();
    // A merchant received a scam, forwarded it to 12321 as the advice says (type 2 = sent), and
    // sent an MMS (msg_box 2) whose "from" addr is the app's placeholder for the phone itself.
    let xml = r#"<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>
<smses count="4">
  <sms protocol="0" address="10690000" date="1704000000000" type="1" body="【POS服务中心】您的POS机备案到期即将停用，回复1免费更换0.38%费率新机" />
  <sms protocol="0" address="12321" date="1704000100000" type="2" body="【POS服务中心】您的POS机备案到期即将停用，回复1免费更换0.38%费率新机" />
  <mms date="1704000200000" msg_box="2" address="+8613800000000" m_type="128">
    <parts><part seq="0" ct="text/plain" text="转给你看看：您的POS机备案到期即将停用，回复1免费更换新机，交押金299元" /></parts>
    <addrs><addr address="+8613800000000" type="151" /><addr address="insert-address-token" type="137" /></addrs>
  </mms>
  <mms date="1704000250000" msg_box="2" address="insert-address-token">
    <parts><part seq="0" ct="text/plain" text="您的POS机备案到期即将停用，回复1免费更换新机，交押金299元" /></parts>
    <addrs><addr address="insert-address-token" type="137" /><addr address="13800000003" type="151" /></addrs>
  </mms>
  <mms date="1704000300000" msg_box="1" address="+8613900000000~+8613700000000">
    <parts><part seq="0" ct="text/plain" text="您的POS机备案到期即将停用，回复1免费更换新机，交押金299元" /></parts>
    <addrs><addr address="+8613900000000" type="137" /><addr address="insert-address-token" type="151" /></addrs>
  </mms>
</smses>
"#;
    fs::write(dir.path().join("sms.xml"), xml).unwrap();
    let o = run_in(dir.path(), &["sms.xml", "--summary", "summary.json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let rows = rows_of(&o);
    assert_eq!(
        col(&rows, "direction"),
        ["received", "sent", "sent", "sent", "received"]
    );
    // The last sent MMS has only the placeholder as `address`: its recipient is the "to" addr.
    assert_eq!(
        col(&rows, "sender"),
        [
            "10690000",
            "12321",
            "+8613800000000",
            "13800000003",
            "+8613900000000"
        ]
    );
    for r in &rows {
        assert_eq!(r["verdict"], "scam", "{r}");
    }
    let summary: Value =
        serde_json::from_str(&fs::read_to_string(dir.path().join("summary.json")).unwrap())
            .unwrap();
    let senders = summary["top_scam_senders"].to_string();
    // Counted as national numbers: +8613900000000 is 13900000000.
    assert!(
        senders.contains("10690000") && senders.contains("\"13900000000\""),
        "{senders}"
    );
    assert!(!senders.contains("12321"), "{senders}");
    assert!(!senders.contains("insert-address-token"), "{senders}");
    assert!(!senders.contains("13800000000"), "{senders}");
    assert!(!senders.contains("13800000003"), "{senders}");
    assert!(stderr(&o).contains("top scam senders"), "{}", stderr(&o));
    assert!(!stderr(&o).contains("12321"), "{}", stderr(&o));

    // CSV output has the column too.
    let o = run_in(dir.path(), &["sms.xml", "--output-format", "csv"]);
    let out = stdout(&o);
    let header: Vec<&str> = out.lines().next().unwrap().split(',').collect();
    let at = header
        .iter()
        .position(|h| *h == "direction")
        .expect("direction column");
    let second: Vec<String> = csv::Reader::from_reader(out.as_bytes())
        .records()
        .map(|r| r.unwrap()[at].to_string())
        .collect();
    assert_eq!(second, ["received", "sent", "sent", "sent", "received"]);

    // sms.db: is_from_me = 1 is a sent message.
    let db = dir.path().join("sms.db");
    make_sms_db(&db);
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute("UPDATE message SET is_from_me = 1 WHERE ROWID = 3", [])
        .unwrap();
    drop(conn);
    let (rows, _) = score_in(dir.path(), &["sms.db"]);
    assert_eq!(rows[0]["direction"], "sent");
    assert_eq!(rows[3]["direction"], "received");
}

#[test]
fn a_backup_cut_between_two_messages_ends_with_an_error_record() {
    let dir = tempfile::tempdir().unwrap();
    let xml = "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n<smses count=\"5\">\n  \
        <sms address=\"95588\" date=\"1704000000000\" type=\"1\" body=\"您尾号1234卡消费500.00元，余额1000.00元。【工商银行】\" />\n  \
        <sms address=\"10690000\" date=\"1704000100000\" type=\"1\" body=\"您的POS机备案到期即将停用，回复1免费更换新机\" />\n";
    fs::write(dir.path().join("cut.xml"), xml).unwrap();
    let o = run_in(dir.path(), &["cut.xml"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let rows = rows_of(&o);
    assert_eq!(rows.len(), 3, "{}", stdout(&o));
    assert_eq!(rows[0]["verdict"], "legit");
    assert_eq!(rows[1]["verdict"], "scam");
    assert_eq!(rows[2]["record"], 3);
    assert_eq!(
        rows[2]["error"],
        "file ends before </smses> (truncated?): 2 records read, any after them are missing"
    );
    // A call log from the same app, named on its own, is named as what it is.
    fs::write(
        dir.path().join("calls-20240101.xml"),
        "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n<calls count=\"1\">\n  \
         <call number=\"4001234567\" duration=\"35\" date=\"1704000000000\" type=\"1\" />\n</calls>\n",
    )
    .unwrap();
    let (rows, _) = score_in(dir.path(), &["calls-20240101.xml"]);
    assert_eq!(rows.len(), 1);
    assert!(
        rows[0]["error"]
            .as_str()
            .unwrap()
            .starts_with("a call log (<calls>"),
        "{}",
        rows[0]
    );
    // Found beside the messages in a scanned folder, it is left out, and stderr says so.
    let backup = dir.path().join("backup");
    fs::create_dir(&backup).unwrap();
    fs::copy(
        dir.path().join("calls-20240101.xml"),
        backup.join("calls-20240101.xml"),
    )
    .unwrap();
    fs::write(backup.join("sms-20240101.xml"), format!("{xml}</smses>\n")).unwrap();
    let (rows, o) = score_in(dir.path(), &["backup"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(rows.len(), 2, "{}", stdout(&o));
    assert!(
        rows.iter().all(|r| r.get("error").is_none()),
        "{}",
        stdout(&o)
    );
    assert!(
        stderr(&o).contains("calls-20240101.xml: a call log (SMS Backup & Restore's calls-*.xml), no messages: not read"),
        "{}",
        stderr(&o)
    );
    // Another XML file found in a scanned folder says what it is not.
    fs::write(
        dir.path().join("feed.xml"),
        "<?xml version=\"1.0\"?>\n<rss version=\"2.0\"><channel><title>x</title></channel></rss>\n",
    )
    .unwrap();
    let (rows, _) = score_in(dir.path(), &["feed.xml"]);
    assert_eq!(rows.len(), 1);
    assert_eq!(
        rows[0]["error"],
        "not an SMS Backup & Restore file: its root element is <rss>, not <smses>"
    );
    // The whole file, closed, has no such record.
    fs::write(dir.path().join("whole.xml"), format!("{xml}</smses>\n")).unwrap();
    let (rows, o) = score_in(dir.path(), &["whole.xml"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(rows.len(), 2);
}

#[test]
fn funasr_sentence_info_is_a_call_and_whisper_without_segments_is_its_text() {
    let dir = tempfile::tempdir().unwrap();
    let turns = r#"[
 {"text": "喂，您好，我是银联商务的。", "start": 0, "end": 2300, "spk": 0},
 {"text": "啊，什么事？", "start": 2400, "end": 3100, "spk": 1},
 {"text": "您的POS机费率要上调了，我们免费给您换一台0.38费率的新机，您把卡号和验证码报一下。", "start": 3200, "end": 9000, "spk": 0},
 {"text": "好的。", "start": 9100, "end": 9500, "spk": 1}]"#;
    // FunASR/Paraformer: one result object, and a list of results (one per audio file).
    fs::write(
        dir.path().join("funasr.json"),
        format!(
            r#"{{"key": "call_0001", "text": "喂您好我是银联商务的", "sentence_info": {turns}}}"#
        ),
    )
    .unwrap();
    fs::write(
        dir.path().join("batch.json"),
        format!(
            r#"[{{"key": "call_0001", "text": "…", "sentence_info": {turns}}},
 {{"key": "call_0002", "text": "您好，请问几点营业？", "sentence_info": [{{"text": "您好，请问几点营业？", "start": 0, "end": 900, "spk": 0}}]}}]"#
        ),
    )
    .unwrap();
    // whisper on silence or music writes no segments; the text is still the message.
    fs::write(
        dir.path().join("whisper.json"),
        r#"{"text": "您的POS机备案到期，回复1更换新机", "segments": [], "language": "zh"}"#,
    )
    .unwrap();
    let (rows, o) = score_in(dir.path(), &["funasr.json", "batch.json", "whisper.json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(rows.len(), 4, "{}", stdout(&o));
    assert_eq!(
        col(&rows, "id")[..3],
        ["call_0001", "call_0001", "call_0002"]
    );
    assert_eq!(col(&rows, "record")[..3], [1, 1, 2]);
    assert_eq!(col(&rows, "turns")[..3], [4, 4, 1]);
    for r in &rows[..2] {
        assert_eq!(r["verdict"], "scam", "{r}");
        assert_eq!(r["peak_turn"], 3, "{r}");
    }
    assert_eq!(rows[2]["verdict"], "legit");
    assert_eq!(rows[3]["verdict"], "scam", "{}", rows[3]);
    assert!(rows[3].get("turns").is_none());
    let recs = records(&dir.path().join("funasr.json"));
    let call = recs[0].as_ref().unwrap();
    let speakers: Vec<Option<&str>> = call.turns.iter().map(|t| t.speaker.as_deref()).collect();
    assert_eq!(speakers, [Some("0"), Some("1"), Some("0"), Some("1")]);
}

#[test]
fn asr_results_of_other_tools_are_calls() {
    let dir = tempfile::tempdir().unwrap();
    let scam = "您的POS机费率要上调了，我们免费给您换一台0.38费率的新机，您把卡号和验证码报一下。";
    let files = [
        // whisper.cpp -oj
        (
            "whispercpp.json",
            format!(
                r#"{{"systeminfo": "AVX = 1", "model": {{"type": "base"}}, "result": {{"language": "zh"}},
 "transcription": [
  {{"timestamps": {{"from": "00:00:00,000", "to": "00:00:02,000"}}, "offsets": {{"from": 0, "to": 2000}}, "text": "喂，您好。"}},
  {{"timestamps": {{"from": "00:00:02,000", "to": "00:00:09,000"}}, "offsets": {{"from": 2000, "to": 9000}}, "text": "{scam}"}}]}}"#
            ),
            2,
        ),
        // AssemblyAI
        (
            "assemblyai.json",
            format!(
                r#"{{"id": "tx-9", "status": "completed", "text": "…", "utterances": [
  {{"speaker": "A", "text": "喂，您好，我是银联商务的。", "start": 0, "end": 2300}},
  {{"speaker": "B", "text": "什么事？", "start": 2400, "end": 3100}},
  {{"speaker": "A", "text": "{scam}", "start": 3200, "end": 9000}}]}}"#
            ),
            3,
        ),
        // Alibaba Cloud file transcription
        (
            "aliyun.json",
            format!(
                r#"{{"TaskId": "t1", "StatusText": "SUCCESS", "Result": {{"Sentences": [
  {{"BeginTime": 0, "EndTime": 2300, "Text": "喂，您好。", "ChannelId": 0, "SpeakerId": "1"}},
  {{"BeginTime": 2400, "EndTime": 3100, "Text": "嗯，你说。", "ChannelId": 0, "SpeakerId": "2"}},
  {{"BeginTime": 3200, "EndTime": 9000, "Text": "{scam}", "ChannelId": 0, "SpeakerId": "1"}}]}}}}"#
            ),
            3,
        ),
        // Volcengine
        (
            "volc.json",
            format!(
                r#"{{"result": {{"text": "…", "utterances": [
  {{"text": "喂，您好。", "start_time": 0, "end_time": 2300, "additions": {{"speaker": "1"}}}},
  {{"text": "嗯。", "start_time": 2400, "end_time": 3100, "additions": {{"speaker": "2"}}}},
  {{"text": "{scam}", "start_time": 3200, "end_time": 9000, "additions": {{"speaker": "1"}}}}]}}}}"#
            ),
            3,
        ),
        // A result inside an API's envelope, whose own `message` is not the call (a QA pass
        // found such a 38-turn scam call scored as the word "success").
        (
            "envelope.json",
            format!(
                r#"{{"code": 0, "message": "success", "data": {{"segments": [
  {{"speaker": "A", "text": "喂，您好，我是银联商务的。", "start": 0, "end": 2300}},
  {{"speaker": "B", "text": "什么事？", "start": 2400, "end": 3100}},
  {{"speaker": "A", "text": "{scam}", "start": 3200, "end": 9000}}]}}}}"#
            ),
            3,
        ),
        // Alibaba DashScope (Paraformer): `transcripts[].sentences`, `begin_time`, `speaker_id`.
        (
            "dashscope.json",
            format!(
                r#"{{"file_url": "x.wav", "transcripts": [{{"channel_id": 0, "text": "…", "sentences": [
  {{"begin_time": 0, "end_time": 2300, "text": "喂，您好。", "speaker_id": 0}},
  {{"begin_time": 2400, "end_time": 3100, "text": "嗯，你说。", "speaker_id": 1}},
  {{"begin_time": 3200, "end_time": 9000, "text": "{scam}", "speaker_id": 0}}]}}]}}"#
            ),
            3,
        ),
        // One speaker throughout (WhisperX without diarisation gives SPEAKER_00 everywhere): the
        // speakers were not told apart, and each segment is a turn (not the whole call one turn).
        (
            "one_speaker.json",
            format!(
                r#"{{"segments": [
  {{"speaker": "SPEAKER_00", "text": "喂，您好，我是银联商务的。", "start": 0, "end": 2300}},
  {{"speaker": "SPEAKER_00", "text": "什么事？", "start": 2400, "end": 3100}},
  {{"speaker": "SPEAKER_00", "text": "{scam}", "start": 3200, "end": 9000}}]}}"#
            ),
            3,
        ),
    ];
    for (name, body, turns) in &files {
        fs::write(dir.path().join(name), body).unwrap();
        let (rows, o) = score_in(dir.path(), &[name]);
        assert_eq!(o.status.code(), Some(0), "{name}: {}", stderr(&o));
        assert_eq!(rows.len(), 1, "{name}: {}", stdout(&o));
        assert_eq!(rows[0]["turns"], *turns, "{name}: {}", rows[0]);
        assert_eq!(rows[0]["verdict"], "scam", "{name}: {}", rows[0]);
        assert_eq!(rows[0]["peak_turn"], *turns, "{name}: {}", rows[0]);
        // Each tool's start of the peak turn, in its own unit (milliseconds in all four files).
        let want = if *turns == 2 { 2000.0 } else { 3200.0 };
        assert_eq!(rows[0]["peak_start"], want, "{name}: {}", rows[0]);
    }
    let recs = records(&dir.path().join("aliyun.json"));
    let speakers: Vec<Option<&str>> = recs[0]
        .as_ref()
        .unwrap()
        .turns
        .iter()
        .map(|t| t.speaker.as_deref())
        .collect();
    assert_eq!(speakers, [Some("1"), Some("2"), Some("1")]);
    let recs = records(&dir.path().join("one_speaker.json"));
    let turns = &recs[0].as_ref().unwrap().turns;
    assert!(turns.iter().all(|t| t.speaker.is_none()), "{turns:?}");
}

/// Subtitles as whisper and WhisperX write them, and the results of Tencent's and iFlytek's
/// file transcription services, are calls: one turn per cue or sentence, the peak turn named with
/// its start time.
#[test]
fn subtitles_and_chinese_cloud_asr_results_are_calls() {
    let dir = tempfile::tempdir().unwrap();
    let scam = "您的POS机费率要上调了，我们免费给您换一台0.38费率的新机，您把卡号和验证码报一下。";
    let srt = format!(
        "1\n00:00:00,000 --> 00:00:02,300\n[SPEAKER_00]: 喂，您好，我是银联商务的。\n\n\
         2\n00:00:02,400 --> 00:00:03,100\n[SPEAKER_01]: 什么事？\n\n\
         3\n00:00:03,200 --> 00:00:09,000\n[SPEAKER_00]: {scam}\n"
    );
    let vtt = format!(
        "WEBVTT\nKind: captions\nLanguage: zh\n\nNOTE whisper\n\n\
         00:00.000 --> 00:02.300 align:start position:0%\n<v 客服>喂，您好，我是银联商务的。</v>\n\n\
         00:02.400 --> 00:03.100\n<v 商户><c.yellow>什么事？</c>\n\n\
         00:03.200 --> 00:09.000\n<v 客服>{scam}\n"
    );
    let sentence = |text: &str, start: u32, speaker: u32| {
        serde_json::json!({"FinalSentence": text, "SliceSentence": text, "StartMs": start,
                           "EndMs": start + 600, "SpeakerId": speaker, "WordsNum": 5})
    };
    let detail = serde_json::json!([
        sentence("喂，您好，我是银联商务的。", 0, 0),
        sentence("什么事？", 2400, 1),
        sentence(scam, 3200, 0),
    ]);
    let tencent = serde_json::json!({"Response": {"RequestId": "r-1", "Data": {
        "TaskId": 1, "Status": 2, "StatusStr": "success", "Result": "…", "ResultDetail": detail}}});
    let tencent_data = serde_json::json!({"TaskId": 1, "Status": 2, "ResultDetail": detail});
    let turns3 = [
        ("0", "1", "喂，您好，我是银联商务的。"),
        ("2400", "2", "什么事？"),
        ("3200", "1", scam),
    ];
    let iflytek_v2 = serde_json::json!({"ok": 0, "err_no": 0, "failed": null, "data":
        serde_json::Value::Array(turns3.iter().map(|(bg, sp, t)| serde_json::json!(
            {"bg": bg, "ed": "0", "onebest": t, "speaker": sp})).collect()).to_string()});
    let best = |(bg, rl, t): &(&str, &str, &str)| {
        let words: Vec<serde_json::Value> = t
            .chars()
            .map(|c| serde_json::json!({"cw": [{"w": c.to_string(), "wp": "n"}], "wb": 1, "we": 2}))
            .collect();
        serde_json::json!({"st": {"bg": bg, "ed": "0", "rl": rl, "rt": [{"ws": words}]}})
    };
    let order = serde_json::json!({
        "lattice": turns3.iter().map(|t| serde_json::json!({"json_1best": best(t).to_string()}))
            .collect::<Vec<_>>(),
        "lattice2": turns3.iter().map(|t| serde_json::json!({"lid": "0", "json_1best": best(t)}))
            .collect::<Vec<_>>(),
    });
    let iflytek = serde_json::json!({"code": "000000", "descInfo": "success", "content": {
        "orderInfo": {"orderId": "DKHJQ1", "status": 4}, "orderResult": order.to_string()}});
    let files: [(&str, String, f64); 8] = [
        ("whisperx.srt", srt.clone(), 3.2),
        // SRT content under another name is read by its content.
        ("call.txt", srt, 3.2),
        ("whisper.vtt", vtt, 3.2),
        ("tencent.json", tencent.to_string(), 3200.0),
        ("tencent_data.json", tencent_data.to_string(), 3200.0),
        ("iflytek_v2.json", iflytek_v2.to_string(), 3200.0),
        ("iflytek.json", iflytek.to_string(), 3200.0),
        ("iflytek_order.json", order.to_string(), 3200.0),
    ];
    for (name, body, start) in &files {
        fs::write(dir.path().join(name), body).unwrap();
        let (rows, o) = score_in(dir.path(), &[name]);
        assert_eq!(o.status.code(), Some(0), "{name}: {}", stderr(&o));
        assert_eq!(rows.len(), 1, "{name}: {}", stdout(&o));
        assert_eq!(rows[0]["turns"], 3, "{name}: {}", rows[0]);
        assert_eq!(rows[0]["verdict"], "scam", "{name}: {}", rows[0]);
        assert_eq!(rows[0]["peak_turn"], 3, "{name}: {}", rows[0]);
        assert_eq!(rows[0]["peak_start"], *start, "{name}: {}", rows[0]);
        let recs = records(&dir.path().join(name));
        let rec = recs[0].as_ref().unwrap();
        let texts: Vec<&str> = rec.turns.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(
            texts,
            ["喂，您好，我是银联商务的。", "什么事？", scam],
            "{name}"
        );
        let speakers: Vec<Option<&str>> = rec.turns.iter().map(|t| t.speaker.as_deref()).collect();
        let want: [&str; 2] = match *name {
            "whisperx.srt" | "call.txt" => ["SPEAKER_00", "SPEAKER_01"],
            "whisper.vtt" => ["客服", "商户"],
            n if n.starts_with("tencent") => ["0", "1"],
            _ => ["1", "2"],
        };
        assert_eq!(
            speakers,
            [Some(want[0]), Some(want[1]), Some(want[0])],
            "{name}"
        );
    }
    // A transcript whose lines open with a time stamp: the peak turn's start in seconds.
    fs::write(
        dir.path().join("stamped.txt"),
        format!("[00:00:01] 客服：喂，您好，我是银联商务的。\n[00:00:04] 商户：什么事？\n[00:01:02] 客服：{scam}\n"),
    )
    .unwrap();
    let (rows, o) = score_in(dir.path(), &["stamped.txt"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(rows[0]["peak_turn"], 3, "{}", rows[0]);
    assert_eq!(rows[0]["peak_start"], 62.0, "{}", rows[0]);
    // A directory scan takes subtitles.
    let (rows, o) = score_in(dir.path(), &["."]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(rows.len(), files.len() + 1, "{}", stdout(&o));
}

#[test]
fn jsonl_of_asr_results_gives_one_call_per_line() {
    let dir = tempfile::tempdir().unwrap();
    let body = concat!(
        r#"{"id": "c1", "text": "…", "segments": [{"speaker": "SPEAKER_00", "text": "喂，您好，我是银联商务的。", "start": 0.0, "end": 2.3}, {"speaker": "SPEAKER_01", "text": "什么事？", "start": 2.4, "end": 3.1}, {"speaker": "SPEAKER_00", "text": "您的POS机费率要上调了，免费给您换一台新机，您把卡号和验证码报一下。", "start": 3.2, "end": 9.0}]}"#,
        "\n",
        r#"{"id": "c2", "text": "您好，请问几点营业？", "segments": []}"#,
        "\n",
        r#"{"id": "c3", "content": {"sentences": ["您好"]}}"#,
        "\n",
    );
    fs::write(dir.path().join("calls.jsonl"), body).unwrap();
    let (rows, o) = score_in(dir.path(), &["calls.jsonl"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert_eq!(rows.len(), 3, "{}", stdout(&o));
    assert_eq!(col(&rows, "id"), ["c1", "c2", "c3"]);
    assert_eq!(col(&rows, "line"), [1, 2, 3]);
    assert_eq!(rows[0]["turns"], 3);
    assert_eq!(rows[0]["peak_turn"], 3);
    assert_eq!(rows[0]["verdict"], "scam");
    assert!(rows[1].get("turns").is_none(), "{}", rows[1]);
    assert_eq!(rows[1]["verdict"], "legit");
    assert_eq!(
        rows[2]["error"],
        "text field \"content\" is an object, not a string (name another with --text-field)"
    );
}

#[test]
fn a_non_utf8_byte_in_a_backup_is_an_error_that_says_the_rest_is_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let mut xml = b"<?xml version=\"1.0\"?>\n<smses count=\"3\">\n<sms address=\"1\" date=\"1704067200000\" type=\"1\" body=\"\xe6\x82\xa8\xe5\xa5\xbd\" />\n".to_vec();
    xml.extend_from_slice(
        b"<sms address=\"2\" date=\"1704067200000\" type=\"1\" body=\"bad \xc4\xfa byte\" />\n",
    );
    xml.extend_from_slice(
        b"<sms address=\"3\" date=\"1704067200000\" type=\"1\" body=\"ok\" />\n</smses>\n",
    );
    fs::write(dir.path().join("bad.xml"), &xml).unwrap();
    let (rows, o) = score_in(dir.path(), &["bad.xml"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert_eq!(rows.len(), 2, "{}", stdout(&o));
    assert!(rows[0]["verdict"].is_string());
    assert_eq!(rows[1]["record"], 2);
    assert_eq!(rows[1]["line"], 4);
    let e = rows[1]["error"].as_str().unwrap();
    assert!(
        e.starts_with("invalid UTF-8 in the XML")
            && e.contains("the records from here on are not read"),
        "{e}"
    );

    // A .jsonl file is one value per line even when its first line is an array.
    fs::write(
        dir.path().join("lists.jsonl"),
        "[{\"text\": \"您好\"}]\n{\"text\": \"您的POS机备案到期即将停用，回复1免费更换新机\"}\n",
    )
    .unwrap();
    let (rows, _) = score_in(dir.path(), &["lists.jsonl"]);
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert!(rows[0]["error"].is_string(), "{}", rows[0]);
    assert_eq!(rows[1]["verdict"], "scam");
}

#[test]
fn posguard_output_is_refused_as_input_and_traditional_column_names_are_known() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("in.csv"),
        "編號,號碼,時間,簡訊內容\nT1,95588,2024-03-01,您尾號1234卡消費500.00元，餘額1000.00元。【工商銀行】\n",
    )
    .unwrap();
    let (rows, o) = score_in(dir.path(), &["in.csv"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(rows[0]["id"], "T1");
    assert_eq!(rows[0]["sender"], "95588");
    assert_eq!(rows[0]["date"], "2024-03-01");
    assert_eq!(rows[0]["verdict"], "legit");
    // Scoring posguard's own CSV output would score its advice text.
    let o = run_in(
        dir.path(),
        &["in.csv", "--output-format", "csv", "-o", "out.csv"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = run_in(dir.path(), &["out.csv"]);
    assert_ne!(o.status.code(), Some(0));
    let all = format!("{}{}", stdout(&o), stderr(&o));
    assert!(
        all.contains("out.csv: this is posguard's own output"),
        "{all}"
    );
    assert!(!all.contains("\"verdict\""), "{all}");
    // Under another name, or on stdin, it is still posguard's own output.
    fs::copy(dir.path().join("out.csv"), dir.path().join("renamed.txt")).unwrap();
    let o = run_in(dir.path(), &["renamed.txt"]);
    assert_ne!(o.status.code(), Some(0));
    let all = format!("{}{}", stdout(&o), stderr(&o));
    assert!(all.contains("this is posguard's own output"), "{all}");
    assert!(!all.contains("\"verdict\""), "{all}");
    #[cfg(unix)]
    {
        let o = score_stdin(
            dir.path(),
            &["-"],
            &fs::read(dir.path().join("out.csv")).unwrap(),
        );
        assert_ne!(o.status.code(), Some(0));
        let all = format!("{}{}", stdout(&o), stderr(&o));
        assert!(all.contains("this is posguard's own output"), "{all}");
        assert!(!all.contains("\"verdict\""), "{all}");
    }
    // Its JSONL output too, left in an inbox directory from an earlier run: one error for the
    // file, not one "no text field" per row; the inbox's messages are scored, and a file the scan
    // leaves out for its name is named on stderr.
    let inbox = dir.path().join("inbox");
    fs::create_dir(&inbox).unwrap();
    fs::copy(dir.path().join("in.csv"), inbox.join("in.csv")).unwrap();
    let o = run_in(dir.path(), &["inbox", "-o", "inbox/scored.jsonl"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    fs::write(inbox.join("scan.pdf"), "%PDF-1.4").unwrap();
    fs::rename(inbox.join("scored.jsonl"), inbox.join("earlier.jsonl")).unwrap();
    let (rows, o) = score_in(dir.path(), &["inbox"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert_eq!(rows.len(), 2, "{rows:?}");
    let err = rows[0]["error"].as_str().unwrap();
    assert!(err.contains("this is posguard's own output"), "{err}");
    assert_eq!(rows[1]["verdict"], "legit");
    let e = stderr(&o);
    assert!(e.contains("1 file(s)") && e.contains("scan.pdf"), "{e}");
    // With --text-field it is read as asked.
    let o = run_in(
        dir.path(),
        &["inbox/earlier.jsonl", "--text-field", "verdict"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn csv_rows_with_an_unquoted_comma_keep_their_whole_message() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    let cut = "您的POS机备案即将到期，回复1免费更换新机";
    fs::write(p.join("onecol.csv"), format!("内容\n收到,{cut}\n")).unwrap();
    fs::write(
        p.join("four.csv"),
        format!("id,sender,date,text\n1,106900001234,2023-11-15,收到,{cut}\n2,95588,2023-11-16,{BANK}\n"),
    )
    .unwrap();
    // The text is not the last column: which fields are the text cannot be told.
    fs::write(
        p.join("middle.csv"),
        format!("id,text,sender\n1,收到,{cut},10690\n2,明天见，不见不散,95588\n"),
    )
    .unwrap();
    let (rows, o) = score_in(p, &["onecol.csv", "four.csv", "middle.csv"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert_eq!(rows.len(), 5, "{}", stdout(&o));
    assert_eq!(
        col(&rows, "source"),
        [
            "onecol.csv",
            "four.csv",
            "four.csv",
            "middle.csv",
            "middle.csv"
        ]
    );
    assert_eq!(col(&rows, "line"), [2, 2, 3, 2, 3]);
    assert_eq!(rows[0]["verdict"], "scam", "{}", rows[0]);
    assert_eq!(
        (&rows[1]["id"], &rows[1]["sender"], &rows[1]["date"]),
        (
            &Value::from("1"),
            &Value::from("106900001234"),
            &Value::from("2023-11-15")
        )
    );
    assert_eq!(rows[1]["verdict"], "scam", "{}", rows[1]);
    assert_eq!(rows[2]["verdict"], "legit");
    let err = rows[3]["error"].as_str().unwrap();
    assert!(
        err.starts_with("row has 4 fields, the header has 3"),
        "{err}"
    );
    assert_eq!(rows[3]["id"], "1");
    assert!(rows[3].get("verdict").is_none());
    assert_eq!(
        (rows[4]["id"].as_str(), rows[4]["sender"].as_str()),
        (Some("2"), Some("95588"))
    );
    assert!(rows[4]["verdict"].is_string(), "{}", rows[4]);
    // The texts themselves: the comma is back in the message.
    let recs = records(&p.join("onecol.csv"));
    assert_eq!(recs[0].as_ref().unwrap().text, format!("收到,{cut}"));
    let recs = records(&p.join("four.csv"));
    assert_eq!(recs[0].as_ref().unwrap().text, format!("收到,{cut}"));
    assert_eq!(recs[1].as_ref().unwrap().text, BANK);
}

#[test]
fn a_csv_without_a_header_loses_no_record() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    let rows3 = "13800138000,2023-11-15 06:13,您的POS机备案即将到期，回复1免费更换新机\n\
                 95588,2023-11-15 06:14,您尾号6621卡POS支出128.00元\n\
                 10086,2023-11-15 06:15,明天见\n";
    fs::write(p.join("nohdr.csv"), rows3).unwrap();
    let (rows, o) = score_in(p, &["nohdr.csv"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(rows.len(), 3, "{}", stdout(&o));
    assert_eq!(col(&rows, "line"), [1, 2, 3]);
    assert_eq!(col(&rows, "record"), [1, 2, 3]);
    assert_eq!(col(&rows, "sender"), ["13800138000", "95588", "10086"]);
    assert_eq!(
        col(&rows, "date"),
        ["2023-11-15 06:13", "2023-11-15 06:14", "2023-11-15 06:15"]
    );
    assert_eq!(rows[0]["verdict"], "scam");
    let recs = records(&p.join("nohdr.csv"));
    assert_eq!(recs[2].as_ref().unwrap().text, "明天见");
    // Forced, with columns by number: a first row that would pass for a header is a record too.
    fs::write(
        p.join("plain.csv"),
        format!("a,b,明天见\nm2,95588,{BANK}\n"),
    )
    .unwrap();
    let (rows, o) = score_in(
        p,
        &[
            "plain.csv",
            "--no-header",
            "--text-col",
            "3",
            "--id-col",
            "1",
            "--sender-col",
            "2",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(col(&rows, "id"), ["a", "m2"]);
    assert_eq!(col(&rows, "sender"), ["b", "95588"]);
    assert_eq!(col(&rows, "line"), [1, 2]);
    assert_eq!(rows[1]["verdict"], "legit");
    // Without the flag it has a header (a, b, 明天见): one record.
    let (rows, _) = score_in(p, &["plain.csv", "--text-col", "3"]);
    assert_eq!(col(&rows, "line"), [2]);
    // A column name with --no-header is refused, naming the column numbers.
    let (_, o) = score_in(p, &["plain.csv", "--no-header", "--text-col", "text"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("no header row: columns are numbered 1 to 3"),
        "{}",
        stderr(&o)
    );
    // Documented.
    let help = stdout(&bin().args(["score", "--help"]).output().unwrap());
    assert!(help.contains("--no-header"), "{help}");
}

#[test]
fn sender_is_the_number_not_the_contact_and_jsonl_knows_chinese_field_names() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    fs::write(
        p.join("contacts.csv"),
        format!("类型,联系人,号码,时间,内容\n接收,工行客服,95588,2023-11-15 06:14,{BANK}\n"),
    )
    .unwrap();
    fs::write(
        p.join("names.csv"),
        format!("编号,对方号码,发送时间,正文\nn1,10690,2023-11-15,{SCAM}\n"),
    )
    .unwrap();
    fs::write(
        p.join("zh.jsonl"),
        format!(
            "{}\n{}\n",
            r#"{"编号":"9","号码":"95588","日期":"2023-11-15","内容":"您好"}"#,
            serde_json::json!({"序号": 10, "发件人": "10690", "接收时间": "2023-11-16", "短信内容": SCAM})
        ),
    )
    .unwrap();
    let (rows, o) = score_in(p, &["contacts.csv", "names.csv", "zh.jsonl"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let got: Vec<(&str, &str, &str)> = rows
        .iter()
        .map(|r| {
            (
                r["id"].as_str().unwrap_or(""),
                r["sender"].as_str().unwrap(),
                r["date"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("", "95588", "2023-11-15 06:14"),
            ("n1", "10690", "2023-11-15"),
            ("9", "95588", "2023-11-15"),
            ("10", "10690", "2023-11-16"),
        ]
    );
    assert_eq!(rows[0]["verdict"], "legit");
    assert_eq!(rows[1]["verdict"], "scam");
    assert!(rows[2]["verdict"].is_string(), "{}", rows[2]);
    assert_eq!(rows[3]["verdict"], "scam");
}

#[test]
fn a_jsonl_text_cut_inside_an_emoji_is_scored_with_its_id() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("js.jsonl"),
        concat!(
            r#"{"id":"1","text":"\ud83d 您的POS机备案即将到期，回复1免费更换新机"}"#,
            "\n",
            r#"{"id":"2","text":"路径 C:\\ud83d 明天见"}"#,
            "\n",
            r#"{"id":"3","text":"\ud83d"#,
            "\n",
        ),
    )
    .unwrap();
    let (rows, o) = score_in(dir.path(), &["js.jsonl"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert_eq!(col(&rows, "id")[..2], ["1", "2"]);
    assert!(rows[0].get("error").is_none(), "{}", rows[0]);
    assert_eq!(rows[0]["verdict"], "scam");
    assert!(rows[1]["verdict"].is_string(), "{}", rows[1]);
    assert!(rows[2]["error"]
        .as_str()
        .unwrap()
        .starts_with("malformed JSON"));
    let recs = records(&dir.path().join("js.jsonl"));
    assert_eq!(
        recs[0].as_ref().unwrap().text,
        "\u{FFFD} 您的POS机备案即将到期，回复1免费更换新机"
    );
    assert_eq!(recs[1].as_ref().unwrap().text, "路径 C:\\ud83d 明天见");
}

#[test]
fn csv_for_spreadsheets_quotes_formula_cells_and_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    let link = r#"=HYPERLINK("http://x.cn","点我")"#;
    let mut input = String::new();
    for i in 0..6 {
        let id = if i % 2 == 0 {
            link.to_string()
        } else {
            format!("-{i}")
        };
        input.push_str(
            &serde_json::json!({"id": id, "sender": "+8613800138000", "text": format!("@{BANK}")})
                .to_string(),
        );
        input.push('\n');
    }
    fs::write(p.join("in.jsonl"), input).unwrap();
    let o = run_in(p, &["in.jsonl", "--output-format", "csv", "-o", "full.csv"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let full = fs::read_to_string(p.join("full.csv")).unwrap();
    let mut rdr = csv::Reader::from_reader(full.as_bytes());
    let h = rdr.headers().unwrap().clone();
    let i = |n: &str| h.iter().position(|x| x == n).unwrap();
    let recs: Vec<csv::StringRecord> = rdr.records().map(|r| r.unwrap()).collect();
    assert_eq!(recs.len(), 6);
    for (n, r) in recs.iter().enumerate() {
        let id = if n % 2 == 0 {
            format!("'{link}")
        } else {
            format!("'-{n}")
        };
        assert_eq!(&r[i("id")], id);
        assert_eq!(&r[i("sender")], "'+8613800138000");
        assert_eq!(&r[i("verdict")], "legit");
        assert!(!r[i("score")].starts_with('\''));
    }
    // On stdout, the cells as they are.
    let o = run_in(p, &["in.jsonl", "--output-format", "csv"]);
    let out = stdout(&o);
    let mut rdr = csv::Reader::from_reader(out.as_bytes());
    let first = rdr.records().next().unwrap().unwrap();
    assert_eq!(&first[i("id")], link);
    assert_eq!(&first[i("sender")], "+8613800138000");
    // An interrupted run: the header and 3 rows; resuming checks the last one, quoted id and all.
    let lines: Vec<&str> = full.split_inclusive('\n').collect();
    fs::write(p.join("out.csv.partial"), lines[..4].concat()).unwrap();
    let o = run_in(
        p,
        &[
            "in.jsonl",
            "--output-format",
            "csv",
            "-o",
            "out.csv",
            "--resume",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("3 complete rows kept, skipping 3 input records"),
        "{}",
        stderr(&o)
    );
    let resumed = fs::read_to_string(p.join("out.csv")).unwrap();
    assert_same_rows(&resumed, &full, true);
    // Another input at that place is still refused: the last row kept is compared unquoted.
    fs::write(p.join("out.csv.partial"), lines[..5].concat()).unwrap();
    let other = fs::read_to_string(p.join("in.jsonl"))
        .unwrap()
        .replace("\"-3\"", "\"-9\"");
    fs::write(p.join("in.jsonl"), other).unwrap();
    let o = run_in(
        p,
        &[
            "in.jsonl",
            "--output-format",
            "csv",
            "-o",
            "out.csv",
            "--resume",
        ],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("id \"-3\""), "{}", stderr(&o));
}

#[test]
fn a_second_run_on_an_output_being_written_is_refused_and_cuts_nothing() {
    // Found by a QA pass: a second `score -o same.jsonl` while the first still ran said it was
    // "replacing … left by an interrupted run", truncated the live .partial and both wrote into
    // it. The running output's .partial is locked; here the test holds the lock as a run would.
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    fs::write(p.join("in.jsonl"), format!("{{\"text\":\"{BANK}\"}}\n")).unwrap();
    let rows = "{\"source\":\"in.jsonl\",\"record\":1}\n";
    fs::write(p.join("out.jsonl.partial"), rows).unwrap();
    let held = fs::OpenOptions::new()
        .write(true)
        .open(p.join("out.jsonl.partial"))
        .unwrap();
    held.try_lock().unwrap();
    for resume in [false, true] {
        let mut args = vec!["in.jsonl", "-o", "out.jsonl"];
        if resume {
            args.push("--resume");
        }
        let o = run_in(p, &args);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(
            stderr(&o).contains("another posguard run is writing this output now"),
            "{}",
            stderr(&o)
        );
        assert!(!stderr(&o).contains("replacing"), "{}", stderr(&o));
        assert_eq!(
            fs::read_to_string(p.join("out.jsonl.partial")).unwrap(),
            rows
        );
        assert!(!p.join("out.jsonl").exists());
    }
    // Once the lock is released, the run replaces the partial as before.
    drop(held);
    let o = run_in(p, &["in.jsonl", "-o", "out.jsonl"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("replacing"), "{}", stderr(&o));
    assert!(fs::read_to_string(p.join("out.jsonl"))
        .unwrap()
        .contains("\"verdict\":\"legit\""));
}

#[test]
fn csv_resume_reads_back_a_line_break_written_as_a_space() {
    // Found by a QA pass: a line break in an id or sender is written as a space (every CSV row is
    // one line), so the last row kept no longer matched its input record and --resume refused
    // an unchanged input; a carriage return opening a cell became a space before `=`.
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    let mut input = String::new();
    for i in 0..6 {
        input.push_str(
            &serde_json::json!({"id": format!("{i}\r\nx"), "sender": "\r=1+1", "text": format!("{BANK}")})
                .to_string(),
        );
        input.push('\n');
    }
    fs::write(p.join("in.jsonl"), input).unwrap();
    let o = run_in(p, &["in.jsonl", "--output-format", "csv", "-o", "full.csv"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let full = fs::read_to_string(p.join("full.csv")).unwrap();
    let lines: Vec<&str> = full.split_inclusive('\n').collect();
    assert_eq!(lines.len(), 7, "{full}");
    let mut rdr = csv::Reader::from_reader(full.as_bytes());
    let h = rdr.headers().unwrap().clone();
    let first = rdr.records().next().unwrap().unwrap();
    let cell = |n: &str| first[h.iter().position(|x| x == n).unwrap()].to_string();
    assert_eq!(cell("id"), "0 x");
    assert_eq!(cell("sender"), " =1+1");
    fs::write(p.join("out.csv.partial"), lines[..4].concat()).unwrap();
    let o = run_in(
        p,
        &[
            "in.jsonl",
            "--output-format",
            "csv",
            "-o",
            "out.csv",
            "--resume",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("3 complete rows kept, skipping 3 input records"),
        "{}",
        stderr(&o)
    );
    assert_same_rows(&fs::read_to_string(p.join("out.csv")).unwrap(), &full, true);
}

#[test]
fn transcripts_with_staff_numbers_in_brackets_are_calls() {
    let dir = tempfile::tempdir().unwrap();
    let calls = dir.path().join("calls");
    fs::create_dir(&calls).unwrap();
    fs::write(
        calls.join("a.txt"),
        "客服(工号007)：老板您好，这里是POS机服务中心\n\
         商户：什么事？\n\
         客服(工号007)：系统显示您的机器备案到期了，今天不处理明天就停用\n\
         商户：那怎么办？\n\
         客服(工号007)：您把卡号和收到的验证码报给我，我帮您免费更换新机\n\
         商户：好吧\n",
    )
    .unwrap();
    fs::write(
        calls.join("b.txt"),
        "坐席（张三）:您好，这里是银行客服，您预约的还款已到账\n\
         客户（王）:好的\n\
         坐席（张三）:还有别的需要吗\n\
         客户（王）:没有了，谢谢\n",
    )
    .unwrap();
    let (rows, o) = score_in(dir.path(), &["calls"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(rows.len(), 2, "one row per call: {}", stdout(&o));
    assert_eq!(col(&rows, "source"), ["calls/a.txt", "calls/b.txt"]);
    assert_eq!(col(&rows, "turns"), [6, 4]);
    assert_eq!(rows[0]["verdict"], "scam");
    assert!(rows[0]["peak_text"]
        .as_str()
        .unwrap()
        .starts_with("客服(工号007)："));
    let recs = records(&calls.join("b.txt"));
    let rec = recs[0].as_ref().unwrap();
    let speakers: Vec<Option<&str>> = rec.turns.iter().map(|t| t.speaker.as_deref()).collect();
    assert_eq!(
        speakers,
        [
            Some("坐席（张三）"),
            Some("客户（王）"),
            Some("坐席（张三）"),
            Some("客户（王）")
        ]
    );
    assert_eq!(rec.turns[1].text, "好的");
}

/// What a record says, without its file name.
fn record_summary(r: &Result<Record, pio::RecordError>) -> String {
    match r {
        Ok(r) => format!(
            "{} {} {:?} {:?} {:?} {:?}",
            r.index, r.line, r.sender, r.date, r.direction, r.text
        ),
        Err(e) => format!("error {} {} {}", e.index, e.line, e.reason),
    }
}

#[test]
fn sms_backup_xml_in_gbk_or_utf16_reads_as_the_utf8_file() {
    use encoding_rs::{GB18030, UTF_16LE};
    let dir = tempfile::tempdir().unwrap();
    let utf8 = fs::read_to_string(fixture("backup.xml")).unwrap();
    let want: Vec<String> = records(&fixture("backup.xml"))
        .iter()
        .map(record_summary)
        .collect();
    assert_eq!(want.len(), 6);
    let declaration = "encoding='UTF-8'";
    assert!(utf8.contains(declaration));
    let gbk_declared = utf8.replacen(declaration, "encoding=\"GBK\"", 1);
    // GB18030 encodes every character (the emoji too); a GBK decoder reads it all.
    let (gbk_bytes, _, lossy) = GB18030.encode(&gbk_declared);
    assert!(!lossy);
    // Converted with iconv: the declaration still says UTF-8; the bytes say GB18030.
    let (converted, _, _) = GB18030.encode(&utf8);
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(utf8.encode_utf16().flat_map(u16::to_le_bytes));
    assert_eq!(UTF_16LE.decode_with_bom_removal(&utf16[2..]).0, utf8);
    for (name, bytes) in [
        ("declared-gbk.xml", &gbk_bytes[..]),
        ("iconv-gb18030.xml", &converted[..]),
        ("notepad-unicode.xml", &utf16[..]),
    ] {
        let path = dir.path().join(name);
        fs::write(&path, bytes).unwrap();
        let got: Vec<String> = records(&path).iter().map(record_summary).collect();
        assert_eq!(got, want, "{name}");
        // And scored by the binary as the UTF-8 backup is.
        let o = run_in(dir.path(), &[name]);
        let rows = rows_of(&o);
        assert_eq!(rows.len(), 6, "{name}: {}", stderr(&o));
        assert_eq!(rows[0]["verdict"], "scam", "{name}");
        assert_eq!(rows[1]["verdict"], "legit", "{name}");
    }
    // A byte that is not GBK in the fourth message's body: the three before it are read, then one
    // error record names the encoding and the byte, and says the rest is not read.
    let body = "address=\"10086\" date=\"1709282300000\" type=\"1\" subject=\"null\" body=\"\"";
    let at = gbk_declared.find(body).unwrap() + body.len() - 1;
    let (before, _, _) = GB18030.encode(&gbk_declared[..at]);
    let (after, _, _) = GB18030.encode(&gbk_declared[at..]);
    let bad = [&before[..], b"\xFF", &after[..]].concat();
    let path = dir.path().join("bad-byte.xml");
    fs::write(&path, &bad).unwrap();
    let got: Vec<String> = records(&path).iter().map(record_summary).collect();
    assert_eq!(got[..3], want[..3]);
    assert_eq!(got.len(), 4, "{got:#?}");
    assert!(
        got[3].starts_with(&format!(
            "error 4 22 invalid GBK bytes at byte {} of the file (read as GBK: its XML declaration says so): the records from here on are not read",
            before.len()
        )),
        "{}",
        got[3]
    );
}

/// A minimal `.xlsx` as Excel writes one: shared strings, an inline string, numbers, a date cell
/// styled with a built-in date-time format, one worksheet named `name`. `rows` are (row number,
/// cells); a cell is `s:` text (shared), `i:` text (inline), `d:` a date serial, or a number.
fn xlsx(name: &str, rows: &SheetRows) -> Vec<u8> {
    xlsx_sheets(&[(name, rows)])
}

/// A worksheet's rows for [`xlsx`]: (row number, cells).
type SheetRows<'a> = [(u32, Vec<&'a str>)];

/// [`xlsx`] with several worksheets, in this order, sharing one string table.
fn xlsx_sheets(sheets: &[(&str, &SheetRows)]) -> Vec<u8> {
    use std::io::Write;
    let esc = |t: &str| {
        t.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    let mut shared: Vec<String> = Vec::new();
    let mut sheet_xml = Vec::new();
    for (_, rows) in sheets {
        let mut sheet = String::from(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#,
        );
        for (r, cells) in rows.iter() {
            sheet.push_str(&format!(r#"<row r="{r}">"#));
            for (c, cell) in cells.iter().enumerate() {
                let at = format!("{}{r}", (b'A' + c as u8) as char);
                if let Some(t) = cell.strip_prefix("s:") {
                    shared.push(esc(t));
                    sheet.push_str(&format!(
                        r#"<c r="{at}" t="s"><v>{}</v></c>"#,
                        shared.len() - 1
                    ));
                } else if let Some(t) = cell.strip_prefix("i:") {
                    sheet.push_str(&format!(
                        r#"<c r="{at}" t="inlineStr"><is><t xml:space="preserve">{}</t></is></c>"#,
                        esc(t)
                    ));
                } else if let Some(d) = cell.strip_prefix("d:") {
                    sheet.push_str(&format!(r#"<c r="{at}" s="1"><v>{d}</v></c>"#));
                } else if !cell.is_empty() {
                    sheet.push_str(&format!(r#"<c r="{at}"><v>{cell}</v></c>"#));
                }
            }
            sheet.push_str("</row>");
        }
        sheet.push_str("</sheetData></worksheet>");
        sheet_xml.push(sheet);
    }
    let sst: String = shared
        .iter()
        .map(|t| format!("<si><t>{t}</t></si>"))
        .collect();
    let ns = "http://schemas.openxmlformats.org";
    let n = sheets.len();
    let overrides: String = (1..=n)
        .map(|i| format!(r#"<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>"#))
        .collect();
    let entries: String = sheets
        .iter()
        .enumerate()
        .map(|(i, (name, _))| {
            format!(
                r#"<sheet name="{}" sheetId="{}" r:id="rId{}"/>"#,
                esc(name),
                i + 1,
                i + 10
            )
        })
        .collect();
    let rels: String = (1..=n)
        .map(|i| format!(r#"<Relationship Id="rId{}" Type="{ns}/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet{i}.xml"/>"#, i + 9))
        .collect();
    let mut parts = vec![
        (
            "[Content_Types].xml".to_string(),
            format!(
                r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="{ns}/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>{overrides}<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>"#
            ),
        ),
        (
            "_rels/.rels".to_string(),
            format!(
                r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="{ns}/package/2006/relationships"><Relationship Id="rId1" Type="{ns}/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#
            ),
        ),
        (
            "xl/workbook.xml".to_string(),
            format!(
                r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="{ns}/spreadsheetml/2006/main" xmlns:r="{ns}/officeDocument/2006/relationships"><sheets>{entries}</sheets></workbook>"#
            ),
        ),
        (
            "xl/_rels/workbook.xml.rels".to_string(),
            format!(
                r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="{ns}/package/2006/relationships">{rels}<Relationship Id="rId2" Type="{ns}/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/><Relationship Id="rId3" Type="{ns}/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>"#
            ),
        ),
        (
            "xl/styles.xml".to_string(),
            format!(
                r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><styleSheet xmlns="{ns}/spreadsheetml/2006/main"><cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="22" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs></styleSheet>"#
            ),
        ),
        (
            "xl/sharedStrings.xml".to_string(),
            format!(
                r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="{ns}/spreadsheetml/2006/main" count="{k}" uniqueCount="{k}">{sst}</sst>"#,
                k = shared.len()
            ),
        ),
    ];
    for (i, sheet) in sheet_xml.into_iter().enumerate() {
        parts.push((format!("xl/worksheets/sheet{}.xml", i + 1), sheet));
    }
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (path, body) in parts {
        zip.start_file(path, options).unwrap();
        zip.write_all(body.as_bytes()).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

#[test]
fn excel_workbooks_are_read_as_tables_with_the_sheets_rows() {
    let dir = tempfile::tempdir().unwrap();
    let header = vec!["s:编号", "s:号码", "s:短信内容", "s:接收时间"];
    let (bank, scam) = (format!("s:{BANK}"), format!("i:{SCAM}\n详询客服"));
    let rows = [
        (1, header.clone()),
        (2, vec!["1", "95588", &bank, "d:45352.354166666664"]),
        // A phone number stored as a number, a message with a line break typed in the cell.
        (3, vec!["2", "13800138000", &scam, "d:45353"]),
        // Row 4 left empty (no record), then a row with no message (an error record).
        (5, vec!["3", "10086", "", "d:45354.5"]),
        (6, vec!["4", "106900", "s:验证码123456，切勿告诉他人。", ""]),
    ];
    let book = xlsx("短信导出", &rows);
    fs::write(dir.path().join("export.xlsx"), &book).unwrap();
    // The same workbook under a name that says nothing: found by its content.
    fs::write(dir.path().join("download"), &book).unwrap();
    for name in ["export.xlsx", "download"] {
        let recs = records(&dir.path().join(name));
        let got: Vec<String> = recs.iter().map(record_summary).collect();
        let want = [
            format!("1 2 Some(\"95588\") Some(\"2024-03-01 08:30:00\") None {BANK:?}"),
            format!(
                "2 3 Some(\"13800138000\") Some(\"2024-03-02\") None {:?}",
                format!("{SCAM}\n详询客服")
            ),
        ];
        assert_eq!(got[..2], want, "{name}");
        let ids: Vec<Option<&str>> = recs
            .iter()
            .map(|r| r.as_ref().ok().and_then(|r| r.id.as_deref()))
            .collect();
        assert_eq!(ids[..2], [Some("1"), Some("2")], "{name}");
        // An empty row is no record (as a blank line in a CSV file is not); the row without a
        // message is an error record on its own row, and the rows keep the sheet's numbers.
        let lines: Vec<u64> = recs
            .iter()
            .map(|r| match r {
                Ok(r) => r.line,
                Err(e) => e.line,
            })
            .collect();
        assert_eq!(lines, [2, 3, 5, 6], "{got:#?}");
        assert!(recs[2].is_err(), "{got:#?}");
        assert_eq!(
            recs[3].as_ref().unwrap().text,
            "验证码123456，切勿告诉他人。"
        );
        // Scored by the binary: the bank notice legit, the scam a scam, exit 3 for the errors.
        let o = run_in(dir.path(), &[name]);
        assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
        let out = rows_of(&o);
        assert_eq!(out.len(), 4, "{}", stdout(&o));
        assert_eq!(out[0]["verdict"], "legit");
        assert_eq!(out[1]["verdict"], "scam");
        assert_eq!(out[1]["sender"], "13800138000");
        assert_eq!(col(&out, "line"), [2, 3, 5, 6]);
    }
    // Columns given by name work as for CSV; a sheet's column given by number too.
    let o = run_in(
        dir.path(),
        &["export.xlsx", "--text-col", "3", "--sender-col", "2"],
    );
    let out = rows_of(&o);
    assert_eq!(out[1]["verdict"], "scam", "{}", stderr(&o));
    // A workbook cut short: alone, the run fails naming the file and why; among other inputs,
    // it is an error row and the others are scored.
    fs::write(dir.path().join("broken.xlsx"), &book[..book.len() / 2]).unwrap();
    let o = run_in(dir.path(), &["broken.xlsx"]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    let e = stderr(&o);
    assert!(
        e.contains("broken.xlsx: cannot read the Excel workbook"),
        "{e}"
    );
    let o = run_in(dir.path(), &["broken.xlsx", "export.xlsx"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let out = rows_of(&o);
    assert_eq!(out.len(), 5, "{}", stdout(&o));
    let e = out[0]["error"].as_str().unwrap();
    assert!(e.contains("cannot read the Excel workbook"), "{e}");
    assert_eq!(out[2]["verdict"], "scam");
}

#[test]
fn every_worksheet_of_a_workbook_is_read_as_a_source_of_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let bank = format!("s:{BANK}");
    let scam = format!("s:{SCAM}");
    let january: &SheetRows = &[
        (1, vec!["s:号码", "s:短信内容"]),
        (2, vec!["95588", &bank]),
        (3, vec!["13800138000", &scam]),
    ];
    let empty: &SheetRows = &[];
    // A sheet of contacts, its header on row 2: phone numbers and dates, no column of text to score.
    let summary: &SheetRows = &[
        (2, vec!["s:号码", "s:添加日期"]),
        (3, vec!["13800138000", "d:45352"]),
        (4, vec!["13900139000", "d:45353"]),
    ];
    // Its own columns, in another order, under a title row.
    let february: &SheetRows = &[
        (1, vec!["s:2月短信导出"]),
        (2, vec!["s:内容", "s:发送方"]),
        (3, vec!["s:验证码123456，切勿告诉他人。", "106900"]),
    ];
    let book = xlsx_sheets(&[
        ("1月", january),
        ("空白", empty),
        ("联系人", summary),
        ("2月", february),
    ]);
    fs::write(dir.path().join("book.xlsx"), &book).unwrap();
    let got: Vec<String> = records(&dir.path().join("book.xlsx"))
        .iter()
        .map(|r| match r {
            Ok(r) => format!(
                "{} {} {} {:?} {}",
                r.source, r.index, r.line, r.sender, r.text
            ),
            Err(e) => format!("error {} {} {} {}", e.source, e.index, e.line, e.reason),
        })
        .collect();
    let dir_name = dir.path().join("book.xlsx").display().to_string();
    assert_eq!(got.len(), 4, "{got:#?}");
    assert_eq!(
        got[..2],
        [
            format!("{dir_name}#1月 1 2 Some(\"95588\") {BANK}"),
            format!("{dir_name}#1月 2 3 Some(\"13800138000\") {SCAM}"),
        ]
    );
    assert!(
        got[2].starts_with(&format!(
            "error {dir_name}#联系人 1 2 cannot tell which column holds the text"
        )) && got[2].ends_with("the worksheet is not read"),
        "{}",
        got[2]
    );
    assert_eq!(
        got[3],
        format!("{dir_name}#2月 1 3 Some(\"106900\") 验证码123456，切勿告诉他人。")
    );
    // Scored: every sheet's rows and the summary sheet's error, in the workbook's order.
    let o = run_in(dir.path(), &["book.xlsx"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let out = rows_of(&o);
    assert_eq!(
        col(&out, "source"),
        [
            "book.xlsx#1月",
            "book.xlsx#1月",
            "book.xlsx#联系人",
            "book.xlsx#2月"
        ]
    );
    assert_eq!(out[0]["verdict"], "legit");
    assert_eq!(out[1]["verdict"], "scam");
    assert!(out[2]["error"].as_str().unwrap().contains("worksheet"));
    assert_eq!(out[3]["verdict"], "legit");

    // One worksheet with cells among empty ones: the file is the source, as before.
    let single = xlsx_sheets(&[("空白", empty), ("短信", january), ("另一个空白", empty)]);
    fs::write(dir.path().join("single.xlsx"), &single).unwrap();
    let o = run_in(dir.path(), &["single.xlsx"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(col(&rows_of(&o), "source"), ["single.xlsx", "single.xlsx"]);

    // No worksheet can be read: the workbook is an error as a whole, naming a sheet and why.
    let none = xlsx_sheets(&[("联系人", summary), ("联系人2", summary)]);
    fs::write(dir.path().join("none.xlsx"), &none).unwrap();
    let o = run_in(dir.path(), &["none.xlsx"]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    let e = stderr(&o);
    assert!(
        e.contains("none.xlsx#联系人: cannot tell which column holds the text")
            && e.contains("(worksheet \"联系人\")"),
        "{e}"
    );
}

#[test]
fn csv_exports_with_a_title_above_the_header_old_mac_line_ends_or_no_text_column() {
    let dir = tempfile::tempdir().unwrap();
    let summary = |path: &Path| -> Vec<String> {
        records(path)
            .iter()
            .map(|r| match r {
                Ok(r) => format!(
                    "{} {:?} {:?} {:?} {}",
                    r.line, r.id, r.sender, r.date, r.text
                ),
                Err(e) => format!("error {} {}", e.line, e.reason),
            })
            .collect()
    };
    // A title, a blank row and a note above the header, as bank exports have: not records, and
    // the header below them names the columns.
    let titled = dir.path().join("titled.csv");
    fs::write(
        &titled,
        format!("2024年短信导出报表,,,\n,,,\n导出人：张三,导出时间：2024-03-02,,\n编号,号码,发送时间,短信内容\nM1,95588,2024-03-01 08:30,{BANK}\nM2,13800138000,2024-03-01 09:30,{SCAM}\n"),
    )
    .unwrap();
    assert_eq!(
        summary(&titled),
        [
            format!("5 Some(\"M1\") Some(\"95588\") Some(\"2024-03-01 08:30\") {BANK}"),
            format!("6 Some(\"M2\") Some(\"13800138000\") Some(\"2024-03-01 09:30\") {SCAM}"),
        ]
    );
    // Without a header below them, short first rows are records as before.
    let plain = dir.path().join("plain.csv");
    fs::write(&plain, format!("1,好的\n2,明天见\n3,{SCAM}\n")).unwrap();
    let got = summary(&plain);
    assert_eq!(got.len(), 3, "{got:#?}");
    assert!(
        got[0].starts_with("1 ") && got[0].ends_with(" 好的"),
        "{got:#?}"
    );
    // Old Mac line ends (`\r` only, Excel's "CSV (Macintosh)"): each row on its own line.
    let mac = dir.path().join("mac.csv");
    fs::write(
        &mac,
        format!("号码,短信内容\r13800138000,{SCAM}\r95588,{BANK}\r"),
    )
    .unwrap();
    assert_eq!(
        summary(&mac),
        [
            format!("2 None Some(\"13800138000\") None {SCAM}"),
            format!("3 None Some(\"95588\") None {BANK}"),
        ]
    );
    // A table of names and amounts holds no message: neither the names (the contact column) nor
    // the numbers are scored as one.
    let amounts = dir.path().join("amounts.csv");
    fs::write(&amounts, "姓名,金额\n张三,100\n李四,\"1,200.50\"\n").unwrap();
    let o = run_in(dir.path(), &["amounts.csv"]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    assert!(
        stderr(&o).contains("amounts.csv: cannot tell which column holds the text"),
        "{}",
        stderr(&o)
    );
}

/// Among several inputs, one that cannot be read — a name that does not exist, a pattern that
/// matches nothing, a directory without input files — is an error row in its place and the others
/// are scored (exit 3), as an unreadable file among them is; alone, it is an error (exit 2). A
/// directory linked twice into a scanned tree is read once.
#[cfg(unix)]
#[test]
fn an_input_that_cannot_be_read_among_several_is_an_error_row() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::write(d.join("a.jsonl"), "{\"text\":\"您好，您的快递已到\"}\n").unwrap();
    fs::create_dir_all(d.join("empty")).unwrap();
    fs::create_dir_all(d.join("tree/sub")).unwrap();
    fs::write(
        d.join("tree/sub/b.txt"),
        "【工商银行】您尾号1234的卡消费100.00元\n",
    )
    .unwrap();
    std::os::unix::fs::symlink(d.join("tree/sub"), d.join("tree/link")).unwrap();
    let (rows, o) = score_in(
        d,
        &[
            "a.jsonl",
            "missing.jsonl",
            "nomatch/*.csv",
            "empty",
            "tree",
            "--no-evidence",
        ],
    );
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let got: Vec<(String, String)> = rows
        .iter()
        .map(|r| {
            (
                r["source"].as_str().unwrap().to_string(),
                r["error"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert_eq!(got.len(), 5, "{got:?}");
    assert_eq!(got[0], ("a.jsonl".into(), String::new()));
    assert_eq!(got[1].0, "missing.jsonl");
    assert!(got[1].1.contains("no such file"), "{got:?}");
    assert_eq!(got[2], ("nomatch/*.csv".into(), "no file matches".into()));
    assert_eq!(got[3].0, "empty");
    assert!(
        got[3].1.starts_with("directory has no input files"),
        "{got:?}"
    );
    // tree/link and tree/sub are the same directory: its one file is read once.
    assert!(
        got[4].0.ends_with("b.txt") && got[4].1.is_empty(),
        "{got:?}"
    );
    assert!(
        stderr(&o).contains("5 records: 2 scored, 3 errors"),
        "{}",
        stderr(&o)
    );

    // Alone, the missing input is the run's error.
    let (rows, o) = score_in(d, &["missing.jsonl"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(rows.is_empty());
    assert!(stderr(&o).contains("missing.jsonl"), "{}", stderr(&o));
}

/// A long call whose scam passage comes after a long genuine conversation: the whole call's score
/// is diluted, its windows are not — the row is the peak window's (verdict, scores, evidence with
/// offsets into the call's text) and says so. A long genuine call stays as it is.
#[test]
fn a_long_call_with_a_scam_passage_is_judged_by_its_windows() {
    let genuine = [
        "顾客：老板，这个苹果怎么卖？",
        "老板：八块钱一斤，今天刚到的。",
        "顾客：给我称两斤吧。",
        "老板：好嘞，一共十六块。",
        "顾客：可以刷卡吗？",
        "老板：可以，刷卡扫码都行。",
        "顾客：那我扫码吧。",
        "老板：好的，收到了，谢谢。",
        "顾客：再拿一袋牛奶。",
        "老板：牛奶在冰柜里，自己拿就行。",
    ];
    let scam = [
        "来电：老板您好，我是银联POS服务中心的，您这台机器备案到期了。",
        "老板：啊？那怎么办？",
        "来电：需要给您免费换一台新机器，费率0.38，不过要先交299元押金。",
        "老板：押金以后退吗？",
        "来电：刷满三个月就退，您把结算卡号和收到的验证码报一下，我给您登记。",
        "老板：卡号是多少位的？",
        "来电：完整卡号，还有背面三位数，验证码马上发到您手机上。",
        "老板：验证码是六位数吗？",
        "来电：对，您念给我，我这边马上给您激活新机器。",
        "老板：那押金怎么交？",
        "来电：转到我给您的账户，299元押金，激活后系统自动退还。",
        "老板：好吧，我先看看。",
    ];
    let dir = tempfile::tempdir().unwrap();
    let long_scam: Vec<&str> = (0..200)
        .map(|i| genuine[i % genuine.len()])
        .chain(scam)
        .collect();
    let long_scam = long_scam.join("\n");
    let long_genuine: Vec<&str> = (0..60).map(|i| genuine[i % genuine.len()]).collect();
    fs::write(dir.path().join("a_scam.txt"), format!("{long_scam}\n")).unwrap();
    fs::write(
        dir.path().join("b_genuine.txt"),
        long_genuine.join("\n") + "\n",
    )
    .unwrap();
    let (rows, o) = score_in(dir.path(), &["a_scam.txt", "b_genuine.txt"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let (s, g) = (&rows[0], &rows[1]);
    assert_eq!(s["turns"], 212);
    assert_eq!(s["verdict"], "scam", "{s}");
    assert_eq!(s["verdict_from"], "window", "{s}");
    assert_eq!(s["score"], s["peak_score"], "{s}");
    let [a, b] = [&s["peak_window"][0], &s["peak_window"][1]].map(|v| v.as_u64().unwrap());
    assert!(a > 200 - 6 && b <= 212, "{s}");
    // Evidence offsets count characters of the call's text (its turns, one per line).
    let chars: Vec<char> = long_scam.chars().collect();
    let evidence = s["evidence"].as_array().unwrap();
    assert!(!evidence.is_empty(), "{s}");
    for e in evidence {
        let (st, en) = (
            e["start"].as_u64().unwrap() as usize,
            e["end"].as_u64().unwrap() as usize,
        );
        assert_eq!(
            chars[st..en].iter().collect::<String>(),
            e["text"].as_str().unwrap()
        );
        assert!(st >= chars.len() - scam.join("\n").chars().count(), "{e}");
    }
    assert_eq!(g["verdict"], "legit", "{g}");
    assert!(g.get("verdict_from").is_none(), "{g}");

    // The same in CSV: a column of its own.
    let out = dir.path().join("out.csv");
    let o = bin()
        .args([
            "score",
            "a_scam.txt",
            "b_genuine.txt",
            "--output-format",
            "csv",
            "-o",
        ])
        .arg(&out)
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = fs::read_to_string(&out).unwrap();
    let mut r = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let col = r
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "verdict_from")
        .unwrap();
    let cells: Vec<String> = r.records().map(|x| x.unwrap()[col].to_string()).collect();
    assert_eq!(cells, ["window", ""]);
}

/// Transcript layouts of diarisation tools and call-centre exports: numbered speakers without a
/// colon (`说话人1 喂…`), a speaker and time alone on a line with the text below (Feishu Minutes,
/// Tingwu), and a time in the label's brackets (`坐席(00:18)：`) — one call each, with its turns,
/// speakers and times (each was read as dozens of one-line messages).
#[test]
fn transcripts_with_numbered_speakers_and_times_in_labels_are_calls() {
    let dir = tempfile::tempdir().unwrap();
    let turns = [
        ("1", "00:00", "喂，您好，是李老板吗？"),
        ("2", "00:04", "是的，你哪位？"),
        (
            "1",
            "00:06",
            "我是银联POS服务中心的，您的机器备案到期了，要换新机。",
        ),
        ("2", "00:12", "换机要钱吗？"),
        ("1", "01:05", "押金299元，您把卡号和验证码报给我。"),
    ];
    let no_colon: String = turns
        .iter()
        .map(|(s, _, t)| format!("说话人{s} {t}\n"))
        .collect();
    let feishu: String = turns
        .iter()
        .map(|(s, at, t)| format!("说话人{s} {at}\n{t}\n\n"))
        .collect();
    let bracket: String = turns
        .iter()
        .map(|(s, at, t)| format!("{}({at})：{t}\n", if *s == "1" { "坐席" } else { "商户" }))
        .collect();
    let want_speakers = |one: &str, two: &str| -> Vec<Option<String>> {
        turns
            .iter()
            .map(|(s, _, _)| Some(if *s == "1" { one } else { two }.to_string()))
            .collect()
    };
    for (name, body, speakers, timed) in [
        (
            "no_colon.txt",
            no_colon,
            want_speakers("说话人1", "说话人2"),
            false,
        ),
        (
            "feishu.txt",
            feishu,
            want_speakers("说话人1", "说话人2"),
            true,
        ),
        ("bracket.txt", bracket, want_speakers("坐席", "商户"), true),
    ] {
        fs::write(dir.path().join(name), body).unwrap();
        let recs = records(&dir.path().join(name));
        assert_eq!(recs.len(), 1, "{name}: {recs:?}");
        let rec = recs[0].as_ref().unwrap();
        let got: Vec<Option<String>> = rec.turns.iter().map(|t| t.speaker.clone()).collect();
        assert_eq!(got, speakers, "{name}");
        let texts: Vec<&str> = rec.turns.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(texts, turns.map(|(_, _, t)| t), "{name}");
        let starts: Vec<Option<f64>> = rec.turns.iter().map(|t| t.start).collect();
        let want: Vec<Option<f64>> = if timed {
            vec![Some(0.0), Some(4.0), Some(6.0), Some(12.0), Some(65.0)]
        } else {
            vec![None; 5]
        };
        assert_eq!(starts, want, "{name}");
    }
}

/// An ASR result with an empty segment list and no text is an empty call, said so; with a text
/// (whisper's silence: `"text": ""`) it is that text, as before.
#[test]
fn an_asr_result_without_segments_is_an_empty_call() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("e.json"), r#"{"segments": []}"#).unwrap();
    let recs = records(&dir.path().join("e.json"));
    assert_eq!(recs.len(), 1);
    let e = recs[0].as_ref().unwrap_err();
    assert_eq!(e.reason, "empty call: its `segments` list holds no segment");
    fs::write(dir.path().join("w.json"), r#"{"text": "", "segments": []}"#).unwrap();
    let recs = records(&dir.path().join("w.json"));
    assert_eq!(recs[0].as_ref().unwrap_err().reason, "empty text");
}

#[test]
fn blank_lines_and_empty_rows_in_csv_are_not_records_and_lines_stay_true() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    let (a, b, c) = (SCAM, BANK, "晚上一起吃饭吗？");
    // Excel on Windows: CRLF, a blank line between records and one at the end; a row of empty
    // cells (a blank row inside the sheet's range).
    fs::write(
        p.join("crlf.csv"),
        format!("id,sender,text\r\n1,10690,{a}\r\n\r\n2,95588,{b}\r\n,,\r\n3,138,{c}\r\n\r\n"),
    )
    .unwrap();
    // LF, two blank lines before a record: it is on line 5.
    fs::write(
        p.join("lf.tsv"),
        format!("id\tsender\ttext\n1\t10690\t{a}\n\n\n2\t95588\t{b}\n3\t138\t{c}\n"),
    )
    .unwrap();
    for (name, lines) in [("crlf.csv", [2, 4, 6]), ("lf.tsv", [2, 5, 6])] {
        let (rows, o) = score_in(p, &[name]);
        assert_eq!(o.status.code(), Some(0), "{name}: {}", stderr(&o));
        assert_eq!(col(&rows, "record"), [1, 2, 3], "{name}");
        assert_eq!(col(&rows, "line"), lines, "{name}");
        assert_eq!(col(&rows, "id"), ["1", "2", "3"], "{name}");
        assert_eq!(rows[0]["verdict"], "scam", "{name}");
        assert_eq!(rows[1]["verdict"], "legit", "{name}");
    }
    // A table of counts by category has no message column: one error, not three "messages".
    fs::write(
        p.join("stats.csv"),
        "类别,数量,占比\n诈骗,5,41.7%\n正常,6,50%\n广告,1,8.3%\n",
    )
    .unwrap();
    let o = run_in(p, &["stats.csv"]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    let e = stderr(&o);
    assert!(
        e.contains("cannot tell which column holds the text") && e.contains("--text-col"),
        "{e}"
    );
    // Asked for, it is read.
    let (rows, o) = score_in(p, &["stats.csv", "--text-col", "类别"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(rows.len(), 3);
    // A column so named that holds messages (an ASR export's 结果) is the text, not the file names.
    fs::write(
        p.join("asr.csv"),
        format!("文件名,结果\nrec_0412.wav,{SCAM}\nrec_0413.wav,{BANK}\n"),
    )
    .unwrap();
    let (rows, o) = score_in(p, &["asr.csv"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(rows[0]["verdict"], "scam");
    assert_eq!(rows[1]["verdict"], "legit");
}

#[test]
fn utf16_and_gbk_jsonl_and_json_are_decoded() {
    use encoding_rs::GB18030;
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    let jsonl =
        format!("{{\"id\":\"1\",\"text\":\"{SCAM}\"}}\r\n{{\"id\":\"2\",\"text\":\"{BANK}\"}}\r\n");
    // Windows PowerShell 5's `>` writes UTF-16LE with a BOM.
    let mut utf16 = vec![0xff, 0xfe];
    utf16.extend(jsonl.encode_utf16().flat_map(|u| u.to_le_bytes()));
    fs::write(p.join("u16.jsonl"), &utf16).unwrap();
    let (gbk, _, bad) = GB18030.encode(&jsonl);
    assert!(!bad);
    fs::write(p.join("gbk.jsonl"), &*gbk).unwrap();
    let array = format!("[\"{SCAM}\", \"{BANK}\"]");
    let mut with_bom = vec![0xff, 0xfe];
    with_bom.extend(array.encode_utf16().flat_map(|u| u.to_le_bytes()));
    fs::write(p.join("arr16.json"), &with_bom).unwrap();
    let (arrgbk, _, _) = GB18030.encode(&array);
    fs::write(p.join("arrgbk.json"), &*arrgbk).unwrap();
    let asr = format!(
        "{{\n  \"segments\": [\n    {{\"speaker\": \"客服\", \"text\": \"{SCAM}\"}},\n    \
         {{\"speaker\": \"商户\", \"text\": \"要押金吗\"}}\n  ]\n}}\n"
    );
    let (asrgbk, _, _) = GB18030.encode(&asr);
    fs::write(p.join("asrgbk.json"), &*asrgbk).unwrap();
    let (rows, o) = score_in(p, &["asrgbk.json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["turns"], 2, "{}", rows[0]);
    assert_eq!(rows[0]["verdict"], "scam");
    for name in ["u16.jsonl", "gbk.jsonl", "arr16.json", "arrgbk.json"] {
        let (rows, o) = score_in(p, &[name]);
        assert_eq!(o.status.code(), Some(0), "{name}: {}", stdout(&o));
        assert_eq!(rows.len(), 2, "{name}");
        if name.ends_with(".jsonl") {
            assert_eq!(col(&rows, "line"), [1, 2], "{name}");
        }
        assert_eq!(rows[0]["verdict"], "scam", "{name}");
        assert_eq!(rows[1]["verdict"], "legit", "{name}");
    }
}

#[test]
fn a_transcripts_header_lines_give_the_caller_and_date_and_are_not_turns() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    fs::create_dir(p.join("calls")).unwrap();
    fs::write(
        p.join("calls/0412.txt"),
        "主叫：138 1234 5678\n被叫：0755-86001234\n通话时间：2024-04-12 10:31:05\n通话时长：00:03:12\n\
         客服：您好，我是银联商务的，您的POS机费率要上调了，我们免费给您换一台0.38费率的新机。\n\
         商户：要钱吗？\n客服：不要钱，交299押金，激活后返还，您加一下我微信。\n",
    )
    .unwrap();
    // A speaker who happens to be called 主叫 is still a speaker.
    fs::write(
        p.join("calls/0413.txt"),
        "主叫：喂，您好，是张老板吗？\n被叫：是我，什么事？\n主叫：您的POS机要升级，回复1免费换新机。\n",
    )
    .unwrap();
    // A call-centre export: a title, fields of its own (工号, 录音文件), a rule, then the turns; a
    // number said in the call is not a header.
    fs::write(
        p.join("calls/0414.txt"),
        "【通话记录】\n主叫号码：13812345678\n被叫号码：13987654321\n开始时间：2024/04/12 10:31:05\n\
         结束时间：2024/04/12 10:34:17\n通话时长：192秒\n坐席工号：007\n录音文件：rec_001.wav\n录音ID：R20240412-001\n-----\n\
         坐席(工号007)：您好，这里是银联POS机服务中心，您的机器被检测到违规套现。\n\
         客户：啊？什么情况\n坐席(工号007)：需要缴纳500元保证金才能解冻，您记一下专员电话。\n\
         主叫：13800001111\n客户：好的\n",
    )
    .unwrap();
    // English headers, as a recorder's export writes them.
    fs::write(
        p.join("calls/0415.txt"),
        "Call ID: 8a7f-11\nFrom: +8613812345678\nTo: +8613987654321\nStart Time: 2024-04-12T10:31:05Z\n\
         Duration: 192s\n坐席：您好，这里是银联POS机服务中心，您的POS机费率需要调整\n客户：啊？什么情况\n\
         坐席：您的机器被检测到违规套现，需要您缴纳500元保证金才能解冻\n",
    )
    .unwrap();
    let (rows, o) = score_in(p, &["calls"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[0]["sender"], "138 1234 5678");
    assert_eq!(rows[0]["date"], "2024-04-12 10:31:05");
    assert_eq!(rows[0]["turns"], 3, "{}", rows[0]);
    assert_eq!(rows[0]["verdict"], "scam");
    assert!(rows[1].get("sender").is_none(), "{}", rows[1]);
    assert_eq!(rows[1]["turns"], 3, "{}", rows[1]);
    assert_eq!(rows[2]["sender"], "13812345678", "{}", rows[2]);
    assert_eq!(rows[2]["date"], "2024/04/12 10:31:05");
    assert_eq!(rows[2]["turns"], 5, "{}", rows[2]);
    assert_eq!(rows[2]["verdict"], "scam");
    assert_eq!(rows[3]["sender"], "+8613812345678", "{}", rows[3]);
    assert_eq!(rows[3]["date"], "2024-04-12T10:31:05Z");
    assert_eq!(rows[3]["turns"], 3, "{}", rows[3]);
}

/// An `.xlsx` with one worksheet whose `<sheetData>` is `rows` (XML), no shared strings.
fn xlsx_raw(rows: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let ns = "http://schemas.openxmlformats.org";
    let parts: [(&str, String); 4] = [
        (
            "[Content_Types].xml",
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{ns}/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#
            ),
        ),
        (
            "_rels/.rels",
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{ns}/package/2006/relationships"><Relationship Id="rId1" Type="{ns}/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#
            ),
        ),
        (
            "xl/workbook.xml",
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{ns}/spreadsheetml/2006/main" xmlns:r="{ns}/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#
            ),
        ),
        (
            "xl/_rels/workbook.xml.rels",
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{ns}/package/2006/relationships"><Relationship Id="rId1" Type="{ns}/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#
            ),
        ),
    ];
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (path, body) in parts {
        zip.start_file(path, options).unwrap();
        zip.write_all(body.as_bytes()).unwrap();
    }
    zip.start_file("xl/worksheets/sheet1.xml", options).unwrap();
    zip.write_all(br#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#).unwrap();
    zip.write_all(rows).unwrap();
    zip.write_all(b"</sheetData></worksheet>").unwrap();
    zip.finish().unwrap().into_inner()
}

/// A header row and `n` scam messages, rows 1 to n + 1 (inline strings).
fn raw_rows(n: u32) -> String {
    let mut s = String::from(
        r#"<row r="1"><c r="A1" t="inlineStr"><is><t>id</t></is></c><c r="B1" t="inlineStr"><is><t>text</t></is></c></row>"#,
    );
    for i in 2..n + 2 {
        s.push_str(&format!(r#"<row r="{i}"><c r="A{i}"><v>{i}</v></c><c r="B{i}" t="inlineStr"><is><t>{SCAM}</t></is></c></row>"#));
    }
    s
}

#[test]
fn a_workbook_too_large_for_memory_is_an_error_never_an_abort() {
    use posguard::io::spreadsheet::{open_with_limits, Limits};
    let dir = tempfile::tempdir().unwrap();
    // A lone cell at XFD1048576: calamine's dense grid would be 17 billion cells (an abort, as
    // "memory allocation of 549755813888 bytes failed"); read cell by cell it is one more row.
    let far = format!(
        r#"{}<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>far</t></is></c></row>"#,
        raw_rows(3)
    );
    let book = xlsx_raw(far.as_bytes());
    assert!(book.len() < 4096);
    fs::write(dir.path().join("far.xlsx"), &book).unwrap();
    let recs = records(&dir.path().join("far.xlsx"));
    let texts: Vec<&str> = recs
        .iter()
        .filter_map(|r| r.as_ref().ok())
        .map(|r| r.text.as_str())
        .collect();
    assert_eq!(&texts[..3], [SCAM; 3]);
    assert_eq!(
        recs.last().unwrap().as_ref().map(|r| r.line).ok(),
        Some(1048576)
    );

    // A cell of 17 MiB of text (a zip compresses it to KiBs): over the 16 MiB an XML run may
    // take, found before calamine reads it; in a scanned folder the files beside it are read.
    let mut big = raw_rows(2).into_bytes();
    big.extend_from_slice(br#"<row r="9"><c r="B9" t="inlineStr"><is><t>"#);
    big.resize(big.len() + (17 << 20), b'y');
    big.extend_from_slice(b"</t></is></c></row>");
    let scan = dir.path().join("scan");
    fs::create_dir(&scan).unwrap();
    fs::write(scan.join("02.xlsx"), xlsx_raw(&big)).unwrap();
    drop(big);
    fs::write(scan.join("01.jsonl"), format!("{{\"text\":\"{SCAM}\"}}\n")).unwrap();
    fs::write(scan.join("03.jsonl"), format!("{{\"text\":\"{BANK}\"}}\n")).unwrap();
    let o = run_in(dir.path(), &["--no-progress", "scan"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let rows = rows_of(&o);
    assert_eq!(rows.len(), 3, "{}", stdout(&o));
    assert_eq!(rows[0]["verdict"], "scam");
    let e = rows[1]["error"].as_str().unwrap();
    assert!(
        rows[1]["source"].as_str().unwrap().ends_with("02.xlsx")
            && e.contains("xl/worksheets/sheet1.xml has a cell's text or a tag longer than 16 MiB"),
        "{e}"
    );
    assert!(rows[2]["verdict"].is_string());

    // A zip bomb: parts that unpack to more than the limit (lowered here) are not read.
    let rows = raw_rows(20_000);
    let bomb = xlsx_raw(rows.as_bytes());
    let limits = Limits {
        unpacked_bytes: 1 << 20,
        ..Limits::default()
    };
    let opts = ReaderOptions::default();
    match open_with_limits(bomb.clone(), "bomb.xlsx".into(), &opts, &limits) {
        Err(e) => assert!(
            e.to_string().starts_with("bomb.xlsx: workbook too large: ")
                && e.to_string().contains("1 MiB"),
            "{e}"
        ),
        Ok(_) => panic!("read"),
    }
    // The cells as a table over the limit: the sheet is named, with the limit.
    let limits = Limits {
        table_bytes: 1 << 20,
        ..Limits::default()
    };
    match open_with_limits(bomb.clone(), "bomb.xlsx".into(), &opts, &limits) {
        Err(e) => assert!(
            e.to_string()
                .starts_with("bomb.xlsx: worksheet \"Sheet1\" too large: ")
                && e.to_string().contains("the limit is 1 MiB"),
            "{e}"
        ),
        Ok(_) => panic!("read"),
    }
    // Within the default limits it reads whole.
    let n = open_with_limits(bomb, "bomb.xlsx".into(), &opts, &Limits::default())
        .unwrap()
        .filter(|r| r.is_ok())
        .count();
    assert_eq!(n, 20_000);
}

#[test]
fn a_named_pipe_in_a_scanned_folder_is_an_error_row_not_a_hang() {
    let dir = tempfile::tempdir().unwrap();
    let scan = dir.path().join("scan");
    fs::create_dir(&scan).unwrap();
    fs::write(scan.join("a.jsonl"), format!("{{\"text\":\"{SCAM}\"}}\n")).unwrap();
    let fifo = scan.join("fifo.jsonl");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    fs::write(scan.join("z.jsonl"), format!("{{\"text\":\"{BANK}\"}}\n")).unwrap();
    let mut child = bin()
        .args(["score", "--no-progress", "scan"])
        .current_dir(dir.path())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed().as_secs() > 60 {
            child.kill().unwrap();
            panic!("the run waits on the named pipe");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let rows = rows_of(&o);
    assert_eq!(rows.len(), 3, "{}", stdout(&o));
    assert_eq!(rows[0]["verdict"], "scam");
    assert_eq!(
        rows[1]["error"],
        "not a regular file: a named pipe (FIFO); it is not read"
    );
    assert!(rows[1]["source"].as_str().unwrap().ends_with("fifo.jsonl"));
    assert!(rows[2]["verdict"].is_string());
}

#[test]
fn a_json_array_over_the_document_limit_says_to_convert_it_to_jsonl() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.json");
    let mut f = std::io::BufWriter::new(fs::File::create(&path).unwrap());
    f.write_all(b"[\n").unwrap();
    let item = format!("{{\"text\":\"{SCAM}\"}},\n");
    let mut written = 0u64;
    while written <= pio::MAX_DOCUMENT_BYTES {
        f.write_all(item.as_bytes()).unwrap();
        written += item.len() as u64;
    }
    f.write_all(format!("{{\"text\":\"{SCAM}\"}}]\n").as_bytes())
        .unwrap();
    drop(f);
    let recs = records(&path);
    assert_eq!(recs.len(), 1);
    let e = recs[0].as_ref().unwrap_err();
    assert!(
        e.reason
            .starts_with("file larger than 64 MiB: a JSON document is read whole")
            && e.reason.contains("jq -c '.[]' FILE > FILE.jsonl"),
        "{}",
        e.reason
    );
}
