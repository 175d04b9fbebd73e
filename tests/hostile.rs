//! Hostile input: oversized messages and records, XML entity and nesting attacks, NUL bytes, and
//! corrupted or foreign model files. Each gives a bounded result or a clear error record, never a
//! crash, a hang or an unbounded allocation. (Memory on multi-GB inputs is measured by
//! `bench/limits.sh`, not here.) Crashes found by the fuzz targets (`fuzz/`) are kept at the end.

mod common;

use common::*;
use posguard::io::csv_in::open_with_limit;
use posguard::io::encoding::TextEncoding;
use posguard::io::xml::SmsXmlReader;
use posguard::io::{self as pio, ReaderOptions, RecordResult, MAX_TEXT_CHARS, MAX_TURNS};
use posguard::model::{ModelCheck, DEFAULT_MODEL};
use posguard::{Error, Model};
use serde_json::Value;
use std::fs;
use std::io::Cursor;

const SCAM: &str = "【POS服务中心】尊敬的商户，您的POS机备案到期即将停用，回复1免费更换0.38%费率新机，押金299元刷满返还";
const BANK: &str = "【工商银行】您尾号1234卡11月26日14:05POS支出(消费)128.00元，余额5,430.21元。";

/// About 10 MB of Chinese text on one line (no quote, comma or newline in it).
fn ten_mb() -> String {
    let unit = "老板您好POS机费率调整通知请回复";
    unit.repeat(10_000_000 / unit.len() + 1)
}

fn csv_records(data: &str, limit: usize) -> Vec<RecordResult> {
    open_with_limit(
        Cursor::new(data.as_bytes().to_vec()),
        "t.csv".into(),
        b',',
        &ReaderOptions::default(),
        TextEncoding::Utf8,
        limit,
    )
    .expect("opens")
    .collect()
}

// ---------------------------------------------------------------------------------------------
// A 10 MB single message, in every format and on classify's stdin.

#[test]
fn ten_mb_message_in_every_format_is_cut_and_flagged() {
    let dir = tempfile::tempdir().unwrap();
    let big = ten_mb();
    fs::write(
        dir.path().join("big.jsonl"),
        format!("{{\"id\":\"big\",\"text\":\"{big}\"}}\n{{\"id\":\"ok\",\"text\":\"{BANK}\"}}\n"),
    )
    .unwrap();
    fs::write(dir.path().join("big.txt"), format!("{big}\n{BANK}\n")).unwrap();
    fs::write(
        dir.path().join("big.csv"),
        format!("id,text\nbig,\"{big}\"\nok,\"{BANK}\"\n"),
    )
    .unwrap();
    fs::write(
        dir.path().join("big.xml"),
        format!(
            "<?xml version='1.0'?>\n<smses>\n<sms address=\"1\" date=\"1\" body=\"{big}\"/>\n<sms address=\"2\" date=\"2\" body=\"{BANK}\"/>\n</smses>\n"
        ),
    )
    .unwrap();
    fs::write(
        dir.path().join("call.txt"),
        format!("客服：{big}\n商户：好的\n客服：{SCAM}\n"),
    )
    .unwrap();
    let (rows, o) = score_in(
        dir.path(),
        &[
            "big.jsonl",
            "big.txt",
            "big.csv",
            "big.xml",
            "--no-evidence",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(rows.len(), 8, "{}", stdout(&o));
    for i in [0, 2, 4, 6] {
        assert_eq!(rows[i]["truncated"], true, "row {i}: {}", rows[i]);
    }
    for i in [1, 3, 5, 7] {
        assert!(rows[i].get("truncated").is_none(), "row {i}: {}", rows[i]);
        assert!(rows[i].get("error").is_none(), "row {i}: {}", rows[i]);
    }
    // A call with a 10 MB turn: turns are cut too, the call is scored whole and per turn.
    let (rows, o) = score_in(
        dir.path(),
        &["call.txt", "--format", "transcript", "--no-evidence"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(rows.len(), 1, "{}", stdout(&o));
    assert_eq!(rows[0]["truncated"], true, "{}", rows[0]);
    assert_eq!(rows[0]["turns"], 3, "{}", rows[0]);
    for name in ["big.jsonl", "big.txt", "big.csv", "big.xml", "call.txt"] {
        let format = (name == "call.txt").then_some(pio::InputFormat::Transcript);
        let recs: Vec<_> = pio::open(&dir.path().join(name), format, &ReaderOptions::default())
            .unwrap()
            .collect();
        let first = recs[0].as_ref().unwrap();
        assert!(first.truncated, "{name}");
        assert!(first.text.chars().count() <= MAX_TEXT_CHARS, "{name}");
        for t in &first.turns {
            assert!(t.text.chars().count() <= MAX_TEXT_CHARS, "{name}");
        }
    }
}

#[test]
fn classify_reads_a_ten_mb_stdin_as_the_cut_message() {
    let o = run(&["classify", "--json"], ten_mb().as_bytes());
    assert!(matches!(o.status.code(), Some(0 | 1)), "{}", stderr(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["text"].as_str().unwrap().chars().count(), MAX_TEXT_CHARS);
    assert!(stderr(&o).contains("truncated"), "{}", stderr(&o));
}

#[test]
fn read_message_keeps_a_bounded_prefix_on_a_character_boundary() {
    // 4-byte characters, so the byte limit falls inside one unless handled.
    let long = "😀".repeat(MAX_TEXT_CHARS + 10) + "\0end";
    let (text, cut) = pio::read_message(long.as_bytes(), "stdin").unwrap();
    assert!(cut);
    assert_eq!(text.chars().count(), MAX_TEXT_CHARS);
    assert!(text.chars().all(|c| c == '😀'));
    let (text, cut) = pio::read_message("a\0b".as_bytes(), "stdin").unwrap();
    assert_eq!((text.as_str(), cut), ("a b", false));
    let err = pio::read_message(&b"ok\xff"[..], "stdin").unwrap_err();
    assert!(err.to_string().contains("UTF-8"), "{err}");
    // `echo … |` adds a line break, a file saved by Notepad a BOM: neither is the message.
    let (text, cut) = pio::read_message("\u{feff}您好\r\n".as_bytes(), "stdin").unwrap();
    assert_eq!((text.as_str(), cut), ("您好", false));
    let (text, _) = pio::read_message("客服：您好\n商户：嗯\n".as_bytes(), "stdin").unwrap();
    assert_eq!(text, "客服：您好\n商户：嗯");
    // GBK from a Chinese Windows console or Excel: 您的POS机已停用 in GBK bytes.
    let gbk = b"\xc4\xfa\xb5\xc4POS\xbb\xfa\xd2\xd1\xcd\xa3\xd3\xc3\n";
    let (text, cut) = pio::read_message(&gbk[..], "stdin").unwrap();
    assert_eq!((text.as_str(), cut), ("您的POS机已停用", false));
    // UTF-16 with its byte order mark (PowerShell's pipe, Notepad's "Unicode"), either order.
    let utf16 = |big: bool, s: &str| -> Vec<u8> {
        let mut b = if big {
            vec![0xFE, 0xFF]
        } else {
            vec![0xFF, 0xFE]
        };
        for u in s.encode_utf16() {
            b.extend(if big {
                u.to_be_bytes()
            } else {
                u.to_le_bytes()
            });
        }
        b
    };
    for big in [false, true] {
        let (text, cut) =
            pio::read_message(&utf16(big, "您的POS机已停用😀\r\n")[..], "stdin").unwrap();
        assert_eq!(
            (text.as_str(), cut),
            ("您的POS机已停用😀", false),
            "big endian: {big}"
        );
        let long = "😀".repeat(MAX_TEXT_CHARS + 10);
        let (text, cut) = pio::read_message(&utf16(big, &long)[..], "stdin").unwrap();
        assert!(cut);
        assert_eq!(text.chars().count(), MAX_TEXT_CHARS);
        assert!(text.chars().all(|c| c == '😀'));
    }
    let mut odd = utf16(false, "您好");
    odd.push(0x41);
    let err = pio::read_message(&odd[..], "stdin").unwrap_err();
    assert!(err.to_string().contains("odd number of bytes"), "{err}");
    let mut lone = utf16(false, "您好");
    lone.extend([0x3D, 0xD8]); // a high surrogate with nothing after it
    let err = pio::read_message(&lone[..], "stdin").unwrap_err();
    assert!(
        err.to_string().contains("UTF-16LE (an unpaired surrogate)"),
        "{err}"
    );
}

// ---------------------------------------------------------------------------------------------
// CSV records over the length limit.

#[test]
fn csv_record_over_the_limit_is_an_error_record_and_lines_stay_right() {
    // Row 2 (line 3) has a quoted field of 5,000 bytes over 4 lines; rows after it keep their real
    // line numbers.
    let field = format!(
        "{}\n{}\n{}\n{}",
        "a".repeat(1250),
        "b".repeat(1250),
        "c".repeat(1250),
        "d".repeat(1250)
    );
    let data = format!("id,text\n1,\"{BANK}\"\n2,\"{field}\"\n3,{SCAM}\n4,\"x\"\"y\"\n");
    let recs = csv_records(&data, 1000);
    assert_eq!(recs.len(), 4, "{recs:?}");
    let a = recs[0].as_ref().unwrap();
    assert_eq!(
        (a.line, a.id.as_deref(), a.text.as_str()),
        (2, Some("1"), BANK)
    );
    let e = recs[1].as_ref().unwrap_err();
    assert_eq!((e.line, e.index), (3, 2));
    assert!(
        e.reason.contains("record longer than 1000 bytes"),
        "{}",
        e.reason
    );
    let c = recs[2].as_ref().unwrap();
    assert_eq!(
        (c.line, c.index, c.id.as_deref(), c.text.as_str()),
        (7, 3, Some("3"), SCAM)
    );
    let d = recs[3].as_ref().unwrap();
    assert_eq!((d.line, d.text.as_str()), (8, "x\"y"));
}

#[test]
fn csv_unquoted_overlong_record_and_crlf_and_cut_at_end_of_file() {
    let data = format!(
        "id,text\r\n1,{}\r\n2,\"{BANK}\"\r\n3,\"{}",
        "z".repeat(3000),
        "q".repeat(3000)
    );
    let recs = csv_records(&data, 500);
    assert_eq!(recs.len(), 3, "{recs:?}");
    assert_eq!(recs[0].as_ref().unwrap_err().line, 2);
    let b = recs[1].as_ref().unwrap();
    assert_eq!((b.line, b.text.as_str()), (3, BANK));
    let c = recs[2].as_ref().unwrap_err();
    assert_eq!((c.line, c.index), (4, 3));
    // Under the limit nothing changes.
    let same = csv_records(&data, 1 << 20);
    assert_eq!(same[0].as_ref().unwrap().text.len(), 3000);
}

#[test]
fn csv_header_over_the_limit_is_a_clear_error() {
    let data = format!("{}\n1,2\n", "h".repeat(5000));
    let err = open_with_limit(
        Cursor::new(data.into_bytes()),
        "t.csv".into(),
        b',',
        &ReaderOptions::default(),
        TextEncoding::Utf8,
        1000,
    )
    .err()
    .expect("refused");
    assert!(
        err.to_string().contains("t.csv:1: header row longer than"),
        "{err}"
    );
}

#[test]
fn csv_field_over_sixteen_mib_through_the_binary() {
    let dir = tempfile::tempdir().unwrap();
    let huge = "x".repeat(pio::MAX_RECORD_BYTES + 1000);
    fs::write(
        dir.path().join("huge.csv"),
        format!("id,text\n1,\"{huge}\"\n2,\"{BANK}\"\n"),
    )
    .unwrap();
    let (rows, o) = score_in(dir.path(), &["huge.csv", "--no-evidence"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert_eq!(rows.len(), 2, "{}", stdout(&o));
    let err = rows[0]["error"].as_str().unwrap();
    assert!(err.contains("record longer than 16 MiB"), "{err}");
    assert_eq!(
        (&rows[0]["line"], &rows[1]["line"]),
        (&Value::from(2), &Value::from(3))
    );
    assert!(rows[1].get("error").is_none(), "{}", rows[1]);
}

// ---------------------------------------------------------------------------------------------
// XML: entities, nesting, runaway elements.

fn xml_records(xml: &str) -> Vec<RecordResult> {
    SmsXmlReader::new(xml.as_bytes(), "b.xml".into()).collect()
}

#[test]
fn billion_laughs_and_external_entities_are_never_expanded() {
    let mut doctype = String::from("<!DOCTYPE smses [\n<!ENTITY lol0 \"lol\">\n");
    for i in 1..10 {
        let prev = format!("&lol{};", i - 1);
        doctype.push_str(&format!("<!ENTITY lol{i} \"{}\">\n", prev.repeat(10)));
    }
    doctype.push_str("<!ENTITY xxe SYSTEM \"file:///etc/passwd\">\n]>\n");
    let xml = format!(
        "<?xml version='1.0'?>\n{doctype}<smses>\n<sms address=\"1\" date=\"1\" body=\"a &lol9; b\"/>\n<sms address=\"2\" date=\"2\" body=\"&xxe;\"/>\n<sms address=\"3\" date=\"3\" body=\"{BANK}\"/>\n</smses>"
    );
    let recs = xml_records(&xml);
    assert_eq!(recs.len(), 3, "{recs:?}");
    let a = recs[0].as_ref().unwrap();
    assert_eq!((a.text.as_str(), a.line), ("a &lol9; b", 16));
    assert_eq!(recs[1].as_ref().unwrap().text, "&xxe;");
    assert_eq!(recs[2].as_ref().unwrap().text, BANK);
}

#[test]
fn deeply_nested_xml_is_read_flat_in_bounded_memory() {
    let depth = 200_000;
    let xml = format!(
        "<smses>{}<sms address=\"1\" body=\"{BANK}\"/>{}<sms address=\"2\" body=\"{SCAM}\"/></smses>",
        "<a>".repeat(depth),
        "</a>".repeat(depth)
    );
    let recs = xml_records(&xml);
    assert_eq!(recs.len(), 2, "{:?}", &recs[..recs.len().min(3)]);
    assert_eq!(recs[0].as_ref().unwrap().text, BANK);
    assert_eq!(recs[1].as_ref().unwrap().text, SCAM);
    // Nested <mms>: the unclosed outer one is an error record, the inner one is read.
    let xml = "<smses><mms address=\"1\"><mms address=\"2\"><parts><part ct=\"text/plain\" text=\"inner\"/></parts></mms></smses>";
    let recs = xml_records(xml);
    assert_eq!(recs.len(), 2, "{recs:?}");
    let e = recs[0].as_ref().unwrap_err();
    assert!(e.reason.contains("<mms> not closed"), "{}", e.reason);
    assert_eq!(recs[1].as_ref().unwrap().text, "inner");
}

#[test]
fn deeply_nested_json_on_a_jsonl_line_is_an_error_record() {
    // Found by a QA pass: 20,000 nested `[` in a field other than the text (40 KB) overflowed the
    // reader thread's stack and aborted the run, with no row for any line.
    let dir = tempfile::tempdir().unwrap();
    let depth = 20_000;
    let deep = format!(
        "{{\"id\":1,\"text\":\"{BANK}\",\"a\":{}{}}}\n{{\"id\":2,\"text\":\"{SCAM}\"}}\n",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    fs::write(dir.path().join("deep.jsonl"), deep).unwrap();
    let (rows, o) = score_in(dir.path(), &["deep.jsonl"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(rows[0]["line"], 1);
    assert!(rows[0]["error"].is_string(), "{}", rows[0]);
    assert_eq!(rows[1]["verdict"], "scam", "{}", rows[1]);
}

#[test]
fn runaway_xml_element_or_doctype_ends_the_file_with_an_error_record() {
    let body = "x".repeat(10_000);
    let xml = format!(
        "<smses>\n<sms body=\"{BANK}\"/>\n<sms body=\"{body}\"/>\n<sms body=\"never read\"/>\n</smses>"
    );
    let recs: Vec<_> = SmsXmlReader::with_limit(xml.as_bytes(), "b.xml".into(), 4096).collect();
    assert_eq!(recs.len(), 2, "{recs:?}");
    assert_eq!(recs[0].as_ref().unwrap().text, BANK);
    let e = recs[1].as_ref().unwrap_err();
    assert_eq!(e.line, 3);
    assert!(e.reason.contains("XML element longer than"), "{}", e.reason);
    // Same for a DOCTYPE or comment that never ends.
    let xml = format!("<!DOCTYPE smses [{}", "<!ENTITY a \"b\">".repeat(1000));
    let recs: Vec<_> = SmsXmlReader::with_limit(xml.as_bytes(), "b.xml".into(), 4096).collect();
    assert_eq!(recs.len(), 1, "{recs:?}");
    assert!(recs[0].as_ref().unwrap_err().reason.contains("longer than"));
    // Many MMS parts: the text kept is bounded and flagged.
    let part = format!("<part ct=\"text/plain\" text=\"{}\"/>", "段".repeat(1000));
    let xml = format!(
        "<smses><mms address=\"1\"><parts>{}</parts></mms></smses>",
        part.repeat(200)
    );
    let recs = xml_records(&xml);
    let r = recs[0].as_ref().unwrap();
    assert!(r.truncated);
    assert_eq!(r.text.chars().count(), MAX_TEXT_CHARS);
}

// ---------------------------------------------------------------------------------------------
// NUL bytes: stripped to spaces in text (every reader), an error record where the format itself
// forbids them (a raw NUL inside a JSON line).

#[test]
fn nul_bytes_are_spaces_in_text_or_an_error_record() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("n.jsonl"),
        b"{\"text\":\"a\\u0000b POS\"}\n{\"text\":\"raw\x00nul\"}\n{\"text\":\"ok\"}\n",
    )
    .unwrap();
    fs::write(
        dir.path().join("n.csv"),
        b"id,text\n1,a\x00b\n2,\"c\x00\"\n",
    )
    .unwrap();
    fs::write(dir.path().join("n.txt"), b"a\x00b\n\x00\x00\nc\n").unwrap();
    fs::write(
        dir.path().join("n.xml"),
        b"<smses><sms body=\"a&#0;b\"/><sms body=\"c\x00d\"/></smses>",
    )
    .unwrap();
    let texts = |name: &str| -> Vec<Result<String, String>> {
        pio::open(&dir.path().join(name), None, &ReaderOptions::default())
            .unwrap()
            .map(|r| r.map(|r| r.text).map_err(|e| e.reason))
            .collect()
    };
    let j = texts("n.jsonl");
    assert_eq!(j[0], Ok("a b POS".to_string()));
    assert!(
        j[1].as_ref().unwrap_err().contains("malformed JSON"),
        "{j:?}"
    );
    assert_eq!(j[2], Ok("ok".to_string()));
    assert_eq!(
        texts("n.csv"),
        [Ok("a b".to_string()), Ok("c ".to_string())]
    );
    let t = texts("n.txt");
    assert_eq!(t[0], Ok("a b".to_string()));
    assert_eq!(t[1], Err("empty text".to_string()));
    assert_eq!(t[2], Ok("c".to_string()));
    let x = texts("n.xml");
    assert_eq!(x[0], Ok("a\u{FFFD}b".to_string()));
    assert_eq!(x[1], Ok("c d".to_string()));
    // And the binary scores them all, one row per record.
    let (rows, o) = score_in(
        dir.path(),
        &["n.jsonl", "n.csv", "n.txt", "n.xml", "--no-evidence"],
    );
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert_eq!(rows.len(), 3 + 2 + 3 + 2, "{}", stdout(&o));
    let o = run(&["classify", "--json"], b"POS\x00\xe6\x9c\xba");
    assert!(matches!(o.status.code(), Some(0 | 1)), "{}", stderr(&o));
}

// ---------------------------------------------------------------------------------------------
// Transcripts.

#[test]
fn a_call_with_too_many_turns_is_capped() {
    let text: String = (0..MAX_TURNS + 500)
        .map(|i| format!("{}：第{i}句\n", if i % 2 == 0 { "客服" } else { "商户" }))
        .collect();
    let recs: Vec<_> = pio::transcript::read_transcript(
        Box::new(Cursor::new(text.into_bytes())),
        "call.txt".into(),
        TextEncoding::Utf8,
    )
    .collect();
    let r = recs[0].as_ref().unwrap();
    assert!(r.truncated);
    assert_eq!(r.turns.len(), MAX_TURNS);
}

// ---------------------------------------------------------------------------------------------
// Untrusted model files: each check, with a corrupted copy of the default model.

mod models {
    use super::*;
    use onnx_protobuf::ModelProto;
    use protobuf::Message;

    fn proto() -> ModelProto {
        ModelProto::parse_from_bytes(DEFAULT_MODEL).unwrap()
    }

    fn check_of(bytes: Vec<u8>) -> ModelCheck {
        match Model::from_bytes(bytes, "corrupt.onnx") {
            Err(Error::ModelCheck { origin, check }) => {
                assert_eq!(origin, "corrupt.onnx");
                check
            }
            other => panic!("expected a model check error, got {other:?}"),
        }
    }

    fn altered(f: impl FnOnce(&mut ModelProto)) -> ModelCheck {
        let mut m = proto();
        f(&mut m);
        check_of(m.write_to_bytes().unwrap())
    }

    fn tensor<'a>(m: &'a mut ModelProto, name: &str) -> &'a mut onnx_protobuf::TensorProto {
        m.graph
            .as_mut()
            .unwrap()
            .initializer
            .iter_mut()
            .find(|t| t.name == name)
            .unwrap()
    }

    fn set_meta(m: &mut ModelProto, key: &str, f: impl FnOnce(&mut String)) {
        let e = m.metadata_props.iter_mut().find(|e| e.key == key).unwrap();
        f(&mut e.value);
    }

    fn edit_json(m: &mut ModelProto, key: &str, f: impl FnOnce(&mut Value)) {
        set_meta(m, key, |v| {
            let mut j: Value = serde_json::from_str(v).unwrap();
            f(&mut j);
            *v = j.to_string();
        });
    }

    #[test]
    fn the_untouched_default_model_passes_every_check() {
        let m = Model::from_bytes(proto().write_to_bytes().unwrap(), "copy").unwrap();
        assert_eq!(m.params().dim, m.vectorizer().dim());
    }

    #[test]
    fn not_onnx_empty_or_cut_files_are_refused() {
        assert_eq!(check_of(Vec::new()), ModelCheck::Empty);
        assert!(matches!(
            check_of(b"\x08\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff garbage".to_vec()),
            ModelCheck::NotOnnx(_)
        ));
        let cut = DEFAULT_MODEL[..DEFAULT_MODEL.len() / 2].to_vec();
        assert!(matches!(check_of(cut), ModelCheck::NotOnnx(_)));
    }

    #[test]
    fn absurd_declared_sizes_are_refused_without_allocating() {
        let c = altered(|m| tensor(m, "weights").dims = vec![1_000_000_000_000, 10]);
        assert!(
            matches!(c, ModelCheck::TensorShape { ref tensor, .. } if tensor == "weights"),
            "{c:?}"
        );
        let c = altered(|m| tensor(m, "weights").dims = vec![i64::MAX, 10]);
        assert!(matches!(c, ModelCheck::TensorShape { .. }), "{c:?}");
        let c = altered(|m| tensor(m, "weights").dims = vec![-5, 10]);
        assert!(matches!(c, ModelCheck::TensorShape { .. }), "{c:?}");
    }

    #[test]
    fn tensor_shapes_must_match_labels_and_vocabulary() {
        let c = altered(|m| tensor(m, "weights").dims[1] = 11);
        assert!(
            matches!(c, ModelCheck::TensorShape { ref tensor, .. } if tensor == "weights"),
            "{c:?}"
        );
        let c = altered(|m| tensor(m, "bias").dims = vec![9]);
        assert!(
            matches!(c, ModelCheck::TensorShape { ref tensor, .. } if tensor == "bias"),
            "{c:?}"
        );
        // One row more than the buffer holds.
        let c = altered(|m| tensor(m, "weights").dims[0] += 1);
        assert!(
            matches!(c, ModelCheck::TensorData { ref tensor, .. } if tensor == "weights"),
            "{c:?}"
        );
        // A consistent tensor of one row less than the vocabulary.
        let c = altered(|m| {
            let w = tensor(m, "weights");
            w.dims[0] -= 1;
            let n = w.raw_data.len() - 40;
            w.raw_data.truncate(n);
        });
        assert!(matches!(c, ModelCheck::Vocabulary { .. }), "{c:?}");
        // Vocabulary and IDF shortened together: the weights have a row too many.
        let c = altered(|m| {
            edit_json(m, "posguard.feature_config", |j| {
                j["vocabulary"].as_array_mut().unwrap().pop();
                j["idf"].as_array_mut().unwrap().pop();
            })
        });
        assert!(matches!(c, ModelCheck::Vocabulary { .. }), "{c:?}");
    }

    #[test]
    fn nan_and_infinite_weights_are_refused() {
        let c = altered(|m| {
            tensor(m, "weights").raw_data[40..44].copy_from_slice(&f32::NAN.to_le_bytes())
        });
        assert_eq!(
            c,
            ModelCheck::NonFinite {
                tensor: "weights".into(),
                index: 10
            }
        );
        let c = altered(|m| {
            tensor(m, "bias").raw_data[..4].copy_from_slice(&f32::INFINITY.to_le_bytes())
        });
        assert_eq!(
            c,
            ModelCheck::NonFinite {
                tensor: "bias".into(),
                index: 0
            }
        );
        let c = altered(|m| {
            edit_json(m, "posguard.feature_config", |j| {
                j["idf"][3] = serde_json::json!(-1.0)
            })
        });
        assert!(
            matches!(c, ModelCheck::FeatureConfig(ref r) if r.contains("idf value 3")),
            "{c:?}"
        );
    }

    #[test]
    fn external_data_is_never_read() {
        let c = altered(|m| {
            let w = tensor(m, "weights");
            w.raw_data.clear();
            w.data_location =
                protobuf::EnumOrUnknown::new(onnx_protobuf::tensor_proto::DataLocation::EXTERNAL);
            let mut e = onnx_protobuf::StringStringEntryProto::new();
            e.key = "location".into();
            e.value = "/etc/passwd".into();
            w.external_data.push(e);
        });
        assert!(matches!(c, ModelCheck::TensorData { .. }), "{c:?}");
    }

    #[test]
    fn a_graph_other_than_posguards_is_refused() {
        let c = altered(|m| m.graph.as_mut().unwrap().node[8].op_type = "Relu".into());
        assert!(
            matches!(c, ModelCheck::Graph(ref r) if r.contains("Relu")),
            "{c:?}"
        );
        let c = altered(|m| {
            let g = m.graph.as_mut().unwrap();
            let extra = g.node[0].clone();
            g.node.push(extra);
        });
        assert!(matches!(c, ModelCheck::Graph(_)), "{c:?}");
        let c = altered(|m| m.opset_import[0].version = 99);
        assert!(
            matches!(c, ModelCheck::Graph(ref r) if r.contains("operator sets")),
            "{c:?}"
        );
        let c = altered(|m| tensor(m, "axis_1").int64_data = vec![0]);
        assert!(
            matches!(c, ModelCheck::Graph(ref r) if r.contains("constants")),
            "{c:?}"
        );
    }

    #[test]
    fn metadata_must_be_posguards_and_of_this_version() {
        let c = altered(|m| m.metadata_props.retain(|e| e.key != "posguard.format"));
        assert_eq!(c, ModelCheck::MissingMetadata("posguard.format".into()));
        let c = altered(|m| set_meta(m, "posguard.format", |v| *v = "other-model".into()));
        assert!(
            matches!(c, ModelCheck::NotPosguard { ref found, .. } if found == "other-model"),
            "{c:?}"
        );
        let c = altered(|m| set_meta(m, "posguard.format_version", |v| *v = "2".into()));
        assert_eq!(c, ModelCheck::FormatVersion { found: "2".into() });
        let c = altered(|m| set_meta(m, "posguard.decision", |v| *v = "{not json".into()));
        assert!(
            matches!(c, ModelCheck::Metadata { ref key, .. } if key == "posguard.decision"),
            "{c:?}"
        );
        let c = altered(|m| {
            let dup = m.metadata_props[0].clone();
            m.metadata_props.push(dup);
        });
        assert!(
            matches!(c, ModelCheck::Metadata { ref reason, .. } if reason.contains("twice")),
            "{c:?}"
        );
        let c = altered(|m| {
            edit_json(m, "posguard.patterns", |j| {
                j[0] = serde_json::json!("other")
            })
        });
        assert!(
            matches!(
                c,
                ModelCheck::Labels {
                    what: "patterns",
                    ..
                }
            ),
            "{c:?}"
        );
        let c = altered(|m| {
            edit_json(m, "posguard.decision", |j| {
                j["scam_threshold"] = serde_json::json!(2.0)
            })
        });
        assert_eq!(c, ModelCheck::Decision);
    }

    #[test]
    fn feature_configuration_of_another_version_is_refused() {
        let c = altered(|m| {
            edit_json(m, "posguard.feature_config", |j| {
                j["feature_version"] = serde_json::json!(99)
            })
        });
        assert!(
            matches!(c, ModelCheck::FeatureConfig(ref r) if r.contains("feature version 99")),
            "{c:?}"
        );
        let c = altered(|m| {
            edit_json(m, "posguard.feature_config", |j| {
                j["normalizer_version"] = serde_json::json!(7)
            })
        });
        assert!(
            matches!(c, ModelCheck::FeatureConfig(ref r) if r.contains("normaliser version 7")),
            "{c:?}"
        );
        let c = altered(|m| {
            edit_json(m, "posguard.feature_config", |j| {
                j["char_ngram_max"] = serde_json::json!(1000)
            })
        });
        assert!(matches!(c, ModelCheck::FeatureConfig(_)), "{c:?}");
    }

    #[test]
    fn an_oversized_model_file_is_refused_before_it_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("huge.onnx");
        // Sparse: takes no disk space.
        let f = fs::File::create(&path).unwrap();
        f.set_len(posguard::model::MAX_MODEL_BYTES + 1).unwrap();
        match Model::load(&path) {
            Err(Error::ModelCheck {
                check: ModelCheck::TooLarge { bytes, .. },
                ..
            }) => {
                assert_eq!(bytes, posguard::model::MAX_MODEL_BYTES + 1)
            }
            other => panic!("{other:?}"),
        }
        // Through the binary: exit 2 with the reason.
        let o = run(&["classify", "--model", path.to_str().unwrap(), SCAM], b"");
        assert_eq!(o.status.code(), Some(2));
        assert!(stderr(&o).contains("larger than"), "{}", stderr(&o));
    }
}

// ---------------------------------------------------------------------------------------------
// Crashes found by the fuzz targets (fuzz/README.md), kept as regression tests.

/// fuzz normalize, crash-0105c7de…: full-width letters, seven NUL bytes (a run of spaces longer
/// than three, left open), then Chinese — normalising the output again closed the squeezed space.
#[test]
fn fuzz_normalize_space_run_then_chinese_is_a_fixed_point() {
    use posguard::normalize::Normalizer;
    let input = "ＰＡ\0\0\0\0\0\0\0費率０．３８％ 加薇信 P O S 免 费 换 机 t.cn/a8xk2 13812345678 400-123-4567 2024年3月1日 万分之六 验证\u{f801}:482913 6222****1234";
    let once = Normalizer.normalize(input);
    assert!(once.text().starts_with("pa费率"), "{}", once.display());
    assert_eq!(Normalizer.normalize(once.text()).text(), once.text());
}

/// Replays the kept fuzz corpus of the normaliser (`fuzz/corpus/normalize`, the inputs libFuzzer
/// found interesting) through the properties the fuzz target asserts: offsets on character
/// boundaries inside the original, and idempotence.
#[test]
fn fuzz_corpus_of_the_normaliser_replays_clean() {
    use posguard::normalize::Normalizer;
    let dir = repo("fuzz/corpus/normalize");
    let mut n_inputs = 0;
    for entry in fs::read_dir(&dir).expect("fuzz corpus") {
        let bytes = fs::read(entry.unwrap().path()).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        let n = Normalizer.normalize(&text);
        for i in 0..n.char_len() {
            let r = n.original_range(i..i + 1);
            assert!(r.start <= r.end && r.end <= text.len(), "{text:?}");
            assert!(
                text.is_char_boundary(r.start) && text.is_char_boundary(r.end),
                "{text:?}"
            );
        }
        let again = Normalizer.normalize(n.text());
        assert_eq!(again.text(), n.text(), "not idempotent on {text:?}");
        n_inputs += 1;
    }
    assert!(n_inputs > 100, "fuzz corpus too small: {n_inputs}");
}

/// A file that is plainly not text under a text name — random bytes, a picture — is one error
/// record naming what it is, not a CSV whose first line is a header and whose bytes are scored as
/// messages; a text file with a stray NUL is still text.
#[test]
fn binary_files_under_text_names_are_refused_whole() {
    let dir = tempfile::tempdir().unwrap();
    let mut x: u32 = 12345;
    let junk: Vec<u8> = (0..4096)
        .map(|_| {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            (x >> 16) as u8
        })
        .collect();
    fs::write(dir.path().join("junk.txt"), &junk).unwrap();
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    png.extend_from_slice(&junk[..500]);
    fs::write(dir.path().join("photo.txt"), &png).unwrap();
    fs::write(dir.path().join("ok.txt"), b"a\x00b\n").unwrap();
    for (name, what) in [
        ("junk.txt", "binary data, not text"),
        ("photo.txt", "a PNG picture, not text"),
    ] {
        let e = pio::open(&dir.path().join(name), None, &ReaderOptions::default())
            .err()
            .unwrap_or_else(|| panic!("{name} was read"))
            .to_string();
        assert!(e.contains(what), "{name}: {e}");
    }
    let (rows, o) = score_in(
        dir.path(),
        &["junk.txt", "photo.txt", "ok.txt", "--no-evidence"],
    );
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert!(
        rows[0]["error"].as_str().unwrap().contains("binary data"),
        "{}",
        rows[0]
    );
    assert!(
        rows[1]["error"].as_str().unwrap().contains("PNG"),
        "{}",
        rows[1]
    );
    assert!(rows[2]["verdict"].is_string(), "{}", rows[2]);
}
