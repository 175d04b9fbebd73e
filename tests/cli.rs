//! The real binary on real files: classify, score, train, eval, info, and every kind of bad input.

mod common;

use common::*;
use std::fs;

const SCAM: &str = "【POS服务中心】尊敬的商户，您的POS机备案到期即将停用，回复1免费更换0.38%费率新机，押金299元刷满返还";
const BANK: &str = "【工商银行】您尾号1234卡11月26日14:05POS支出(消费)128.00元，余额5,430.21元。";

#[test]
fn classify_exit_code_says_scam_or_not() {
    let o = run(&["classify", SCAM], b"");
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("诈骗 scam"));
    let o = run(&["classify", BANK], b"");
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("正常 legit"));
}

#[test]
fn classify_reads_stdin_and_prints_json() {
    let o = run(&["classify", "--json"], SCAM.as_bytes());
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["verdict"], "scam");
    assert!(v["score"].as_f64().unwrap() > 0.5);
    assert_eq!(v["patterns"].as_array().unwrap().len(), 7);
    // Evidence offsets are character offsets into the original message.
    let chars: Vec<char> = SCAM.chars().collect();
    let ev = v["evidence"].as_array().unwrap();
    assert!(!ev.is_empty());
    for e in ev {
        let (s, t) = (
            e["start"].as_u64().unwrap() as usize,
            e["end"].as_u64().unwrap() as usize,
        );
        let span: String = chars[s..t].iter().collect();
        assert_eq!(span, e["text"].as_str().unwrap());
    }
}

#[test]
fn classify_report_is_safe_and_aligned_on_a_terminal() {
    // An escape sequence in the message could clear the screen and print a fake verdict; a
    // carriage return would send the cursor back over the line. Both are shown, not obeyed.
    let text =
        "您的POS机备案到期，回复1免费更换新机\u{1b}[2J\u{1b}[H判定 Verdict: 正常 legit\r\n退订回T";
    let o = run(&["classify", "--color", "never", text], b"");
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(!out.contains('\u{1b}') && !out.contains('\r'), "{out:?}");
    assert!(out.contains("␛[2J␛[H判定"), "{out}");
    // The pattern table: every score starts at the same terminal column, Chinese names counting
    // two columns per character.
    use unicode_width::UnicodeWidthStr;
    let rows: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("  ■ ") || l.starts_with("  □ "))
        .collect();
    assert_eq!(rows.len(), 7, "{out}");
    let columns: Vec<usize> = rows
        .iter()
        .map(|l| l[..l.rfind(' ').unwrap()].width())
        .collect();
    assert!(
        columns.iter().all(|&c| c == columns[0]),
        "{columns:?}\n{out}"
    );
    // A span across a line break stays on one line of the report.
    let o = run(
        &[
            "classify",
            "--color",
            "never",
            "【POS服务中心】您的POS机备案到期\r\n回复1免费更换新机\r\n退订回T",
        ],
        b"",
    );
    let out = stdout(&o);
    assert!(!out.contains('\r'), "{out:?}");
    let evidence = out.split("依据 Evidence").nth(1).unwrap_or_default();
    let evidence = evidence.split("信号 Signals").next().unwrap();
    assert!(evidence.contains("⏎"), "{evidence}");
    assert!(
        evidence
            .lines()
            .skip(1) // the rest of the heading
            .filter(|l| !l.trim().is_empty())
            .all(|l| l.contains('「') && l.contains('」')),
        "{evidence}"
    );
    // A file name given by mistake: scored as text, with a note.
    let o = run(&["classify", "Cargo.toml"], b"");
    assert!(
        stderr(&o).contains("posguard score Cargo.toml"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn classify_rejects_empty_and_invalid_input() {
    let o = run(&["classify"], b"   \n");
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("empty message"), "{}", stderr(&o));
    let o = run(&["classify"], b"\xfa\xff bad");
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("not valid UTF-8"), "{}", stderr(&o));
    // Bytes opening with UTF-16's byte order mark are read as UTF-16, and refused as such.
    let o = run(&["classify"], b"\xff\xfe\xfa bad");
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("not valid UTF-16LE (an odd number of bytes)"),
        "{}",
        stderr(&o)
    );
    // Nothing a verdict could rest on: punctuation, emoji, zero-width characters.
    for text in ["！？。，…", "👍👍", "\u{200b}\u{200c}"] {
        let o = run(&["classify", text], b"");
        assert_eq!(o.status.code(), Some(2), "{text:?}");
        assert!(stderr(&o).contains("no text to judge"), "{}", stderr(&o));
    }
    // One digit or letter is something to judge.
    let o = run(&["classify", "1"], b"");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn bad_model_files_get_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.onnx");
    let o = run(
        &["classify", "--model", missing.to_str().unwrap(), SCAM],
        b"",
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("nope.onnx"), "{}", stderr(&o));

    let corrupt = dir.path().join("corrupt.onnx");
    fs::write(&corrupt, b"this is not a model at all \x00\x01\x02").unwrap();
    let o = run(
        &["classify", "--model", corrupt.to_str().unwrap(), SCAM],
        b"",
    );
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(
        e.contains("corrupt.onnx") && e.contains("not an ONNX model"),
        "{e}"
    );
    assert!(!e.contains("panicked"), "{e}");

    let empty = dir.path().join("empty.onnx");
    fs::write(&empty, b"").unwrap();
    let o = run(&["info", "--model", empty.to_str().unwrap()], b"");
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("empty"), "{}", stderr(&o));

    // A truncated real model.
    let truncated = dir.path().join("truncated.onnx");
    fs::write(
        &truncated,
        &posguard::model::DEFAULT_MODEL[..posguard::model::DEFAULT_MODEL.len() / 2],
    )
    .unwrap();
    let o = run(
        &["classify", "--model", truncated.to_str().unwrap(), SCAM],
        b"",
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
}

#[test]
fn model_of_another_feature_version_is_refused() {
    use posguard::model::onnx::{read_model, write_model};
    let parsed = read_model(posguard::model::DEFAULT_MODEL, 3, 7).unwrap();
    let meta: Vec<(String, String)> = parsed
        .metadata
        .iter()
        .map(|(k, v)| {
            if k == "posguard.feature_config" {
                let mut cfg: serde_json::Value = serde_json::from_str(v).unwrap();
                cfg["feature_version"] = serde_json::json!(99);
                (k.clone(), cfg.to_string())
            } else {
                (k.clone(), v.clone())
            }
        })
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("future.onnx");
    fs::write(&path, write_model(&parsed.params, &meta)).unwrap();
    let o = run(&["classify", "--model", path.to_str().unwrap(), SCAM], b"");
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("feature version 99"), "{}", stderr(&o));
}

#[test]
fn score_jsonl_one_row_per_record_with_line_numbers_for_errors() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("inbox.jsonl");
    let mut bytes = Vec::new();
    bytes.extend_from_slice(format!("{{\"id\":\"a\",\"text\":\"{SCAM}\"}}\n").as_bytes());
    bytes.extend_from_slice(b"{\"id\":\"b\",\"text\":\n"); // malformed JSON
    bytes.extend_from_slice(b"\n"); // blank line: not a record
    bytes.extend_from_slice(b"{\"id\":\"c\",\"text\":\"\xff\xfe\"}\n"); // invalid UTF-8
    bytes.extend_from_slice(b"{\"id\":\"d\",\"text\":\"\"}\n"); // empty text
    bytes.extend_from_slice(b"{\"id\":\"e\",\"body\":\"no text field but body\"}\n");
    bytes.extend_from_slice("{\"id\":\"p\",\"text\":\"！！？😀\"}\n".as_bytes()); // nothing to judge
    bytes.extend_from_slice(format!("{{\"id\":\"f\",\"text\":\"{BANK}\"}}").as_bytes()); // no final newline
    fs::write(&input, bytes).unwrap();
    let o = run(&["score", input.to_str().unwrap()], b"");
    assert_eq!(
        o.status.code(),
        Some(3),
        "some records failed: {}",
        stderr(&o)
    );
    let rows: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 7, "one output row per record");
    assert_eq!(rows[0]["id"], "a");
    assert_eq!(rows[0]["verdict"], "scam");
    assert_eq!(rows[1]["line"], 2);
    assert!(rows[1]["error"]
        .as_str()
        .unwrap()
        .contains("malformed JSON"));
    assert_eq!(rows[2]["line"], 4);
    assert!(rows[2]["error"].as_str().unwrap().contains("invalid UTF-8"));
    assert_eq!(rows[3]["line"], 5);
    assert_eq!(rows[3]["error"], "empty text");
    assert_eq!(rows[4]["id"], "e");
    assert!(rows[4]["verdict"].is_string());
    assert_eq!(rows[5]["line"], 7);
    assert!(rows[5]["error"]
        .as_str()
        .unwrap()
        .starts_with("no text to judge"));
    assert_eq!(rows[6]["id"], "f");
    assert_eq!(rows[6]["verdict"], "legit");
    for (i, r) in rows.iter().enumerate() {
        assert_eq!(r["record"], i as u64 + 1);
    }
    assert!(
        stderr(&o).contains("7 records: 3 scored, 4 errors"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn score_csv_in_csv_out_with_malformed_row() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("export.csv");
    let csv = format!("id,sender,短信内容\n1,10655,\"{SCAM}\"\n2,95588,\"unterminated\n");
    fs::write(&input, csv).unwrap();
    let out = dir.path().join("scored.csv");
    let o = run(
        &[
            "score",
            input.to_str().unwrap(),
            "--output-format",
            "csv",
            "-o",
            out.to_str().unwrap(),
        ],
        b"",
    );
    assert!(
        o.status.code() == Some(0) || o.status.code() == Some(3),
        "{}",
        stderr(&o)
    );
    let written = fs::read_to_string(&out).unwrap();
    let mut rdr = csv::Reader::from_reader(written.as_bytes());
    let headers = rdr.headers().unwrap().clone();
    let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.unwrap()).collect();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    assert_eq!(rows.len(), 2, "{written}");
    assert_eq!(&rows[0][col("verdict")], "scam");
    assert_eq!(&rows[0][col("sender")], "10655");
    assert!(
        !posguard::batch::partial_path(&out).exists(),
        "temporary file renamed away"
    );
}

#[test]
fn score_csv_reports_bad_rows_by_line() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("bad.csv");
    let mut bytes = b"id,text\n1,ok message about lunch\n2,\xff\xfe broken\n3,\n".to_vec();
    bytes.extend_from_slice(format!("4,{BANK}\n").as_bytes());
    fs::write(&input, bytes).unwrap();
    let o = run(&["score", input.to_str().unwrap()], b"");
    assert_eq!(o.status.code(), Some(3));
    let rows: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[1]["line"], 3);
    assert!(rows[1]["error"].as_str().unwrap().contains("invalid UTF-8"));
    assert_eq!(rows[2]["line"], 4);
    assert_eq!(rows[2]["error"], "empty text");
    assert_eq!(rows[3]["verdict"], "legit");
}

#[test]
fn score_empty_file_writes_nothing_and_succeeds() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("empty.jsonl");
    fs::write(&input, b"").unwrap();
    let o = run(&["score", input.to_str().unwrap()], b"");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(o.stdout.is_empty());
    assert!(stderr(&o).contains("0 records"));
}

#[test]
fn a_long_repetitive_scam_still_has_evidence_and_a_bounded_signal_list() {
    // 9,600 characters: every feature's weight is spread over 400 occurrences, so no span reaches
    // the fixed minimum weight; before, the evidence was empty and the text output listed 800
    // signal lines.
    let text = "您的POS机备案到期即将停用，回复1免费更换新机".repeat(400);
    let o = run(&["classify", "--json", "-"], text.as_bytes());
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let evidence = v["evidence"].as_array().unwrap();
    let of = |target: &str| -> Vec<&str> {
        evidence
            .iter()
            .filter(|e| e["pattern"] == target)
            .map(|e| e["text"].as_str().unwrap())
            .collect()
    };
    let verdict = of("verdict");
    assert!(verdict.len() >= 3, "{verdict:?}");
    let flagged = v["patterns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["flagged"] == true)
        .expect("a flagged pattern");
    assert!(
        !of(flagged["pattern"].as_str().unwrap()).is_empty(),
        "{evidence:?}"
    );
    // The same words are not shown twice for one target.
    let mut unique = verdict.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), verdict.len(), "{verdict:?}");
    let o = run(&["classify", "-"], text.as_bytes());
    let out = stdout(&o);
    assert!(out.contains("依据 Evidence"), "{out}");
    assert!(out.contains("「停用」 ×400"), "{out}");
    assert!(out.lines().count() < 60, "{} lines", out.lines().count());
}

#[test]
fn outputs_that_would_overwrite_an_input_or_each_other_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let input = d.join("inbox.jsonl");
    let body = format!("{{\"text\":\"{SCAM}\"}}\n{{\"text\":\"{BANK}\"}}\n");
    fs::write(&input, &body).unwrap();
    let i = input.to_str().unwrap();
    let refused = |args: &[&str], why: &str| {
        let o = run(args, b"");
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(why), "{args:?}: {}", stderr(&o));
        assert_eq!(
            fs::read_to_string(&input).unwrap(),
            body,
            "{args:?}: the input is untouched"
        );
    };
    // Before, `score X -o X` read nothing (the output is left out of the inputs) and emptied X.
    refused(&["score", i, "-o", i], "that is an input");
    let dotted = d.join(".").join("inbox.jsonl");
    refused(
        &["score", i, "-o", dotted.to_str().unwrap()],
        "that is an input",
    );
    refused(&["score", i, "--summary", i], "that is an input");
    let out = d.join("out.jsonl");
    let o = out.to_str().unwrap();
    refused(
        &["score", i, "-o", o, "--summary", o],
        "the same file as -o",
    );
    refused(&["score", i, "-o", d.to_str().unwrap()], "is a directory");
    let nowhere = d.join("no-such-dir").join("s.json");
    refused(
        &["score", i, "--summary", nowhere.to_str().unwrap()],
        "cannot write",
    );
    assert!(!out.exists(), "nothing was scored");
    refused(&["perturb", "--data", i, "--out", i], "that is an input");
    let r = d.join("r.json");
    let r_dotted = d.join(".").join("r.json");
    refused(
        &[
            "robustness",
            "--data",
            i,
            "--json",
            r.to_str().unwrap(),
            "--markdown",
            r_dotted.to_str().unwrap(),
        ],
        "the same file as --json",
    );
    refused(
        &["robustness", "--data", i, "--markdown", i],
        "that is an input",
    );
    // An output inside a scanned directory: fine the first time (it does not exist yet); the
    // second time it is one of the files found, and is refused rather than read and overwritten
    // (or, as before, left out of the inputs without a word).
    let scan = d.join("scan");
    fs::create_dir(&scan).unwrap();
    fs::write(scan.join("a.jsonl"), &body).unwrap();
    let scan_out = scan.join("results.jsonl");
    let args = [
        "score",
        scan.to_str().unwrap(),
        "-o",
        scan_out.to_str().unwrap(),
    ];
    let o = run(&args, b"");
    assert!(o.status.success(), "{}", stderr(&o));
    let first = fs::read_to_string(&scan_out).unwrap();
    assert_eq!(first.lines().count(), 2);
    let o = run(&args, b"");
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("that is an input"), "{}", stderr(&o));
    assert_eq!(fs::read_to_string(&scan_out).unwrap(), first);
    let summary_in_scan = scan.join("a.jsonl");
    refused(
        &[
            "score",
            scan.to_str().unwrap(),
            "--summary",
            summary_in_scan.to_str().unwrap(),
        ],
        "that is an input",
    );
    assert_eq!(fs::read_to_string(&summary_in_scan).unwrap(), body);
    // The .partial of -o is not a place for the summary either.
    let partial = d.join("out.jsonl.partial");
    refused(
        &[
            "score",
            i,
            "-o",
            o_path(&out),
            "--summary",
            partial.to_str().unwrap(),
        ],
        "the same file as -o's .partial file",
    );
    // Nor its checkpoint, `.partial.progress`, which a run writes and removes: before, an input
    // by that name was deleted, and a summary there broke the resume.
    let progress = d.join("out.jsonl.partial.progress");
    fs::write(&progress, &body).unwrap();
    let o = run(&["score", o_path(&progress), "-o", o_path(&out)], b"");
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("that is an input"), "{}", stderr(&o));
    assert_eq!(fs::read_to_string(&progress).unwrap(), body);
    fs::remove_file(&progress).unwrap();
    refused(
        &[
            "score",
            i,
            "-o",
            o_path(&out),
            "--summary",
            o_path(&progress),
        ],
        "the same file as -o's .partial.progress file",
    );
    // eval's report files and train's outputs are outputs too.
    let rep = d.join("rep");
    fs::create_dir(&rep).unwrap();
    let in_report = rep.join("metrics.json");
    fs::write(&in_report, &body).unwrap();
    let o = run(
        &[
            "eval",
            "--data",
            o_path(&in_report),
            "--report",
            o_path(&rep),
        ],
        b"",
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("that is an input"), "{}", stderr(&o));
    assert_eq!(fs::read_to_string(&in_report).unwrap(), body);
    refused(&["train", "--data", i, "--out", i], "that is an input");
    refused(
        &["train", "--data", i, "--out", o_path(&out), "--metrics", i],
        "that is an input",
    );
    refused(
        &[
            "train",
            "--data",
            i,
            "--out",
            o_path(&out),
            "--metrics",
            o_path(&out),
        ],
        "the same file as --out",
    );
    // Devices may take several outputs: nothing is overwritten there.
    let o = run(
        &["score", i, "-o", "/dev/null", "--summary", "/dev/null"],
        b"",
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = run(
        &[
            "robustness",
            "--data",
            i,
            "--json",
            "/dev/null",
            "--markdown",
            "/dev/null",
            "--only",
            "fullwidth",
        ],
        b"",
    );
    assert!(!stderr(&o).contains("same file"), "{}", stderr(&o));
}

fn o_path(p: &std::path::Path) -> &str {
    p.to_str().unwrap()
}

/// `-o -` is stdout, as `-` is stdin; and a run without `--resume` says that it replaces the rows
/// an interrupted run left.
#[test]
fn dash_output_is_stdout_and_a_left_partial_is_replaced_with_a_word() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::write(
        d.join("inbox.jsonl"),
        format!("{{\"text\":\"{SCAM}\"}}\n{{\"text\":\"{BANK}\"}}\n"),
    )
    .unwrap();
    let score_in_d = |args: &[&str]| {
        bin()
            .arg("score")
            .args(args)
            .current_dir(d)
            .output()
            .unwrap()
    };
    let o = score_in_d(&["inbox.jsonl", "-o", "-"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o).lines().count(), 2, "{}", stdout(&o));
    assert!(!d.join("-").exists(), "no file named -");

    fs::write(d.join("w.jsonl.partial"), "{\"source\":\"x\"}\n").unwrap();
    let o = score_in_d(&["inbox.jsonl", "-o", "w.jsonl"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("replacing") && err.contains("--resume would have continued it"),
        "{err}"
    );
    assert_eq!(
        fs::read_to_string(d.join("w.jsonl"))
            .unwrap()
            .lines()
            .count(),
        2
    );
}

/// `-o /dev/stdout` and `--summary /dev/stdout` while stdout is redirected to a file: written in
/// place. Before, `/dev/stdout` counted as a regular file (it links to /proc/self/fd/1, a regular
/// file then), so the rows went to `/dev/stdout.partial`, renamed over the link (as root, replacing
/// the system's /dev/stdout), and the summary truncated the file the rows had gone to. Tested with
/// a link of our own to /proc/self/fd/1, so that a regression cannot replace the real one.
#[cfg(target_os = "linux")]
#[test]
fn a_link_to_stdout_as_an_output_is_written_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("inbox.jsonl");
    fs::write(
        &input,
        format!("{{\"text\":\"{SCAM}\"}}\n{{\"text\":\"{BANK}\"}}\n"),
    )
    .unwrap();
    let link = dir.path().join("stdout");
    std::os::unix::fs::symlink("/proc/self/fd/1", &link).unwrap();
    let l = link.to_str().unwrap();
    let out = dir.path().join("out.txt");
    let status = bin()
        .args(["score", input.to_str().unwrap(), "-o", l, "--summary", l])
        .stdout(fs::File::create(&out).unwrap())
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(0));
    let got = fs::read_to_string(&out).unwrap();
    let rows = got.lines().filter(|l| l.starts_with("{\"source\"")).count();
    assert_eq!(rows, 2, "{got}");
    assert!(
        got.contains("\"by_verdict\""),
        "the summary follows the rows: {got}"
    );
    assert!(fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert!(!dir.path().join("stdout.partial").exists());
    assert!(!dir.path().join("stdout.partial.progress").exists());
}

#[test]
fn score_missing_file_fails_before_output() {
    let o = run(&["score", "/nonexistent/inbox.jsonl"], b"");
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("/nonexistent/inbox.jsonl"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn train_then_eval_then_info_on_project_data() {
    let dir = tempfile::tempdir().unwrap();
    let train_file = dir.path().join("train.jsonl");
    let mut records = corpus_sample(5);
    // One text over the length limit: trained on as `score` would see it, cut.
    let mut long = records[0].clone();
    long.text = format!(
        "{} {}",
        long.text,
        "好".repeat(posguard::io::MAX_TEXT_CHARS)
    );
    records.push(long);
    posguard::datasets::write_jsonl(&train_file, &records).unwrap();
    let model = dir.path().join("m.onnx");
    let o = run(
        &[
            "train",
            "--data",
            train_file.to_str().unwrap(),
            "--out",
            model.to_str().unwrap(),
            "--max-features",
            "1500",
            "--max-iter",
            "60",
        ],
        b"",
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("held-out"),
        "prints held-out metrics: {}",
        stderr(&o)
    );
    assert!(
        stderr(&o).contains("1 texts longer than 20000 characters cut"),
        "{}",
        stderr(&o)
    );
    let metrics: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(dir.path().join("m.onnx.metrics.json")).unwrap())
            .unwrap();
    assert!(metrics["heldout"]["records"].as_u64().unwrap() > 0);

    let o = run(
        &[
            "eval",
            "--model",
            model.to_str().unwrap(),
            "--data",
            repo("data/corpus/test.jsonl").to_str().unwrap(),
            "--json",
        ],
        b"",
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let reports: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let r = &reports[0];
    assert_eq!(r["name"], "test");
    let confusion_total: u64 = r["confusion"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|row| row.as_array().unwrap())
        .map(|x| x.as_u64().unwrap())
        .sum();
    assert_eq!(confusion_total, r["records"].as_u64().unwrap());
    // Even a small model trained on a fifth of the corpus separates scams from the rest.
    assert!(r["scam_recall"].as_f64().unwrap() > 0.6, "{r}");

    let o = run(
        &[
            "info",
            "--model",
            model.to_str().unwrap(),
            "--engine",
            "tract",
        ],
        b"",
    );
    assert!(o.status.success());
    let s = stdout(&o);
    assert!(
        s.contains("engine:    tract") && s.contains(&format!("{} records", records.len())),
        "{s}"
    );
    // How it was trained and what it scored held out, as sentences, not JSON.
    assert!(
        s.contains("recipe:    n-grams and rule signals in one regression, L2 penalty 0.3"),
        "{s}"
    );
    let heldout = s.lines().find(|l| l.starts_with("held-out:")).unwrap();
    assert!(
        heldout.contains("scam recall ") && heldout.contains('%'),
        "{heldout}"
    );
    assert!(!heldout.contains('{'), "{heldout}");
}

#[test]
fn training_that_cannot_give_a_usable_model_is_refused_before_writing_one() {
    let dir = tempfile::tempdir().unwrap();
    let train_file = dir.path().join("train.jsonl");
    posguard::datasets::write_jsonl(&train_file, &corpus_sample(40)).unwrap();
    let model = dir.path().join("m.onnx");
    let run_with = |extra: &[&str]| {
        let mut a = vec![
            "train",
            "--data",
            train_file.to_str().unwrap(),
            "--out",
            model.to_str().unwrap(),
            "--no-rule-signals",
        ];
        a.extend_from_slice(extra);
        run(&a, b"")
    };
    // No n-gram occurs in 100,000 messages: no feature, no model (one would load nowhere).
    let o = run_with(&["--min-df", "100000"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("no feature was selected"),
        "{}",
        stderr(&o)
    );
    assert!(!model.exists());
    for alpha in ["-1", "0", "NaN"] {
        let o = run_with(&[&format!("--alpha={alpha}")]);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(
            stderr(&o).contains("positive, finite L2 penalty"),
            "{}",
            stderr(&o)
        );
        assert!(
            !stderr(&o).contains("read "),
            "refused before reading: {}",
            stderr(&o)
        );
    }
    // A report directory that is a file.
    let o = run(
        &[
            "eval",
            "--data",
            train_file.to_str().unwrap(),
            "--report",
            train_file.to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("is a file; the report is a directory"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_model_trained_without_pattern_labels_assigns_no_pattern() {
    let dir = tempfile::tempdir().unwrap();
    let train_file = dir.path().join("train.jsonl");
    let mut records = corpus_sample(6);
    for r in &mut records {
        r.patterns = None;
    }
    posguard::datasets::write_jsonl(&train_file, &records).unwrap();
    let model = dir.path().join("m.onnx");
    let m = model.to_str().unwrap();
    let o = run(
        &[
            "train",
            "--data",
            train_file.to_str().unwrap(),
            "--out",
            m,
            "--max-features",
            "1500",
            "--max-iter",
            "60",
        ],
        b"",
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("fitted 0 pattern models"),
        "{}",
        stderr(&o)
    );
    let scam = "您的POS机备案到期即将停用，回复1免费更换0.38%费率新机，详询13812345678";

    // classify: a scam, but no pattern is scored or flagged (before, the last of seven equal
    // ~1e-13 scores was flagged as the scam's pattern).
    let o = run(&["classify", "--model", m, "--json", scam], b"");
    assert_eq!(
        o.status.code(),
        Some(1),
        "exit code 1 = scam: {}",
        stderr(&o)
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["verdict"], "scam", "{v}");
    let patterns = v["patterns"].as_array().unwrap();
    assert_eq!(patterns.len(), 7);
    for p in patterns {
        assert!(p["score"].is_null() && p["flagged"] == false, "{p}");
    }
    let o = run(&["classify", "--model", m, scam], b"");
    assert!(
        stdout(&o).contains("trained without pattern labels"),
        "{}",
        stdout(&o)
    );
    let o = run(&["info", "--model", m, "--json"], b"");
    let info: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        info["untrained_patterns"].as_array().unwrap().len(),
        7,
        "{info}"
    );

    // score: null pattern scores in JSONL, empty cells in CSV, nothing flagged.
    let o = run(
        &["score", "--model", m, "--no-progress", "-"],
        format!("{scam}\n").as_bytes(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let row: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let scores = row["patterns"].as_object().unwrap();
    assert_eq!(scores.len(), 7);
    assert!(scores.values().all(|s| s.is_null()), "{row}");
    assert_eq!(row["flagged"], serde_json::json!([]), "{row}");
    let o = run(
        &[
            "score",
            "--model",
            m,
            "--no-progress",
            "--output-format",
            "csv",
            "-",
        ],
        format!("{scam}\n").as_bytes(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let mut csv = csv::Reader::from_reader(&o.stdout[..]);
    let header = csv.headers().unwrap().clone();
    let rec = csv.records().next().unwrap().unwrap();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    assert_eq!(&rec[col("verdict")], "scam");
    assert_eq!(&rec[col("fake_upgrade")], "");

    // eval: no pattern metrics rather than a 0% top-pattern rate.
    let o = run(
        &[
            "eval",
            "--model",
            m,
            "--json",
            "--data",
            repo("data/corpus/test.jsonl").to_str().unwrap(),
        ],
        b"",
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let reports: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(
        reports[0]["patterns"].is_null(),
        "{}",
        reports[0]["patterns"]
    );
}

#[test]
fn train_reports_bad_labelled_line() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("bad.jsonl");
    fs::write(
        &f,
        "{\"text\":\"ok\",\"verdict\":\"legit\"}\n{\"text\":\"x\",\"verdict\":\"weird\"}\n",
    )
    .unwrap();
    let o = run(
        &[
            "train",
            "--data",
            f.to_str().unwrap(),
            "--out",
            dir.path().join("m.onnx").to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(
        e.contains("bad.jsonl:2") && e.contains("unknown verdict"),
        "{e}"
    );
}

#[test]
fn thresholds_that_are_not_probabilities_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("set.jsonl");
    fs::write(
        &f,
        format!("{{\"text\":\"{SCAM}\",\"verdict\":\"scam\"}}\n"),
    )
    .unwrap();
    let f = f.to_str().unwrap();
    for t in ["NaN", "1.5", "-0.5", "inf", "abc"] {
        let t = format!("--threshold={t}");
        let t = t.as_str();
        for args in [
            vec!["classify", t, SCAM],
            vec!["score", t, f],
            vec!["eval", t, "--data", f],
        ] {
            let o = run(&args, b"");
            assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stdout(&o));
            assert!(stdout(&o).is_empty(), "{args:?}: nothing scored");
            assert!(stderr(&o).contains("--threshold"), "{}", stderr(&o));
        }
    }
    // 0 and 1 are probabilities.
    let o = run(&["classify", "--threshold", "1", SCAM], b"");
    assert_eq!(o.status.code(), Some(0), "nothing reaches P(scam) > 1");
}

#[test]
fn eval_says_when_rows_repeat_a_text() {
    let dir = tempfile::tempdir().unwrap();
    let set = dir.path().join("set.jsonl");
    let row = |text: &str, verdict: &str| serde_json::json!({"text": text, "verdict": verdict});
    let rows = [
        row(SCAM, "scam"),
        row(BANK, "legit"),
        row(SCAM, "scam"),
        row(BANK, "spam"),
    ];
    let body: String = rows.iter().map(|r| format!("{r}\n")).collect();
    fs::write(&set, body).unwrap();
    let o = run(&["eval", "--json", "--data", set.to_str().unwrap()], b"");
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o)
            .contains("2 rows repeat the text of an earlier row (1 of them under another verdict)"),
        "{}",
        stderr(&o)
    );
    // Every row still counts.
    let reports: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(reports[0]["records"], 4);
    // A set without repeats gets no such line.
    let o = run(
        &[
            "eval",
            "--json",
            "--data",
            repo("data/corpus/test.jsonl").to_str().unwrap(),
        ],
        b"",
    );
    assert!(!stderr(&o).contains("repeat"), "{}", stderr(&o));
}

#[test]
fn eval_refuses_an_empty_set_and_shows_undefined_rates_as_such() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.jsonl");
    fs::write(&empty, "\n\n").unwrap();
    let o = run(&["eval", "--data", empty.to_str().unwrap()], b"");
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("empty.jsonl: no records to evaluate"),
        "{}",
        stderr(&o)
    );
    // Two sets with the same file name, one without scam rows.
    for sub in ["a", "b"] {
        fs::create_dir(dir.path().join(sub)).unwrap();
        fs::write(
            dir.path().join(sub).join("set.jsonl"),
            format!("{{\"text\":\"{BANK}\",\"verdict\":\"legit\"}}\n"),
        )
        .unwrap();
    }
    let (a, b) = (
        dir.path().join("a/set.jsonl"),
        dir.path().join("b/set.jsonl"),
    );
    let (a, b) = (a.to_str().unwrap(), b.to_str().unwrap());
    let o = run(&["eval", "--data", a, b], b"");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains(&format!("== {a} (")) && out.contains(&format!("== {b} (")),
        "{out}"
    );
    assert!(
        out.contains("scam recall n/a")
            && out.contains("AP n/a")
            && out.contains("legit FPR 0.0000"),
        "{out}"
    );
    let o = run(&["eval", "--json", "--data", a], b"");
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v[0]["scam_recall"].is_null() && v[0]["average_precision"].is_null());
    assert_eq!(v[0]["legit_fpr"], 0.0);
    // A report directory that cannot be made fails before the evaluation.
    let o = run(
        &[
            "eval",
            "--json",
            "--data",
            a,
            "--report",
            &format!("{a}/sub"),
        ],
        b"",
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stdout(&o).is_empty(), "{}", stdout(&o));
}

#[test]
fn classify_json_flags_a_cut_message() {
    let long = format!("{SCAM}{}", "。".repeat(20_000));
    let o = run(&["classify", "--json", &long], b"");
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["truncated"], true);
    let o = run(&["classify", "--json", SCAM], b"");
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v.get("truncated").is_none());
    assert_eq!(v["verdict"], "scam", "{v}");
}

#[test]
fn train_checks_its_outputs_first_and_refuses_an_empty_held_out_part() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("tiny.jsonl");
    fs::write(
        &data,
        format!(
            "{{\"text\":\"{SCAM}\",\"verdict\":\"scam\"}}\n{{\"text\":\"{BANK}\",\"verdict\":\"legit\"}}\n"
        ),
    )
    .unwrap();
    let model = dir.path().join("m.onnx");
    let metrics_dir = dir.path().join("metrics");
    fs::create_dir(&metrics_dir).unwrap();
    let o = run(
        &[
            "train",
            "--data",
            data.to_str().unwrap(),
            "--out",
            model.to_str().unwrap(),
            "--metrics",
            metrics_dir.to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("is a directory"), "{}", stderr(&o));
    assert!(
        !stderr(&o).contains("read 2 records"),
        "refused before reading the data"
    );
    assert!(!model.exists());
    let o = run(
        &[
            "train",
            "--data",
            data.to_str().unwrap(),
            "--out",
            model.to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("no record fell into the held-out part"),
        "{}",
        stderr(&o)
    );
    assert!(!model.exists());
    let leftovers: Vec<_> = fs::read_dir(dir.path()).unwrap().flatten().collect();
    assert_eq!(
        leftovers.len(),
        2,
        "only the data and the metrics directory"
    );
}

#[test]
fn robustness_needs_scam_and_legit_rows() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("legit.jsonl");
    fs::write(
        &f,
        format!("{{\"text\":\"{BANK}\",\"verdict\":\"legit\"}}\n"),
    )
    .unwrap();
    let o = run(&["robustness", "--data", f.to_str().unwrap()], b"");
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("needs both scam and legit rows; this set has 0 scam and 1 legit"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn robustness_says_n_a_for_a_rate_a_transformation_has_no_rows_for() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("set.jsonl");
    // pos_leet changes the POS scam but not the bank notice (no "POS" in it after this edit).
    let bank = BANK.replace("POS", "");
    fs::write(
        &f,
        format!(
            "{{\"text\":\"{SCAM}\",\"verdict\":\"scam\"}}\n{{\"text\":\"{bank}\",\"verdict\":\"legit\"}}\n"
        ),
    )
    .unwrap();
    let json = dir.path().join("r.json");
    let o = run(
        &[
            "robustness",
            "--data",
            f.to_str().unwrap(),
            "--only",
            "pos_leet",
            "--json",
            json.to_str().unwrap(),
        ],
        b"",
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let line = stdout(&o)
        .lines()
        .find(|l| l.starts_with("pos_leet"))
        .unwrap()
        .to_string();
    assert!(line.contains("n/a→n/a"), "{line}");
    let r: serde_json::Value = serde_json::from_str(&fs::read_to_string(&json).unwrap()).unwrap();
    let row = r["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "pos_leet")
        .unwrap();
    assert_eq!(row["legit_rows"], 0, "{row}");
    assert!(
        row["legit_fpr"].is_null() && row["delta_fpr_points"].is_null(),
        "{row}"
    );
    assert!(row["scam_recall"].is_number(), "{row}");
}

#[test]
fn labelled_lines_over_the_limit_are_refused_without_being_held() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("long.jsonl");
    let text = "老".repeat((16 << 20) / 3 + 10); // a little over 16 MiB of UTF-8
    fs::write(
        &f,
        format!(
            "{{\"text\":\"{BANK}\",\"verdict\":\"legit\"}}\n{{\"text\":\"{text}\",\"verdict\":\"scam\"}}\n"
        ),
    )
    .unwrap();
    let o = run(&["eval", "--data", f.to_str().unwrap()], b"");
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("long.jsonl:2: line longer than 16 MiB"),
        "{}",
        stderr(&o)
    );
}

/// A model written to a FIFO (like `/dev/null`) goes through it; the FIFO is not replaced by a file.
#[cfg(unix)]
#[test]
fn train_writes_to_a_fifo_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("model.fifo");
    let reader = fifo_with_reader(&fifo);
    let metrics = dir.path().join("m.metrics.json");
    let o = run(
        &[
            "train",
            "--data",
            repo("data/corpus/test.jsonl").to_str().unwrap(),
            "--out",
            fifo.to_str().unwrap(),
            "--metrics",
            metrics.to_str().unwrap(),
            "--max-features",
            "500",
            "--max-iter",
            "20",
        ],
        b"",
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let bytes = reader.join().unwrap();
    assert!(bytes.len() > 1000, "the model went through the FIFO");
    use std::os::unix::fs::FileTypeExt;
    assert!(fs::metadata(&fifo).unwrap().file_type().is_fifo());
    assert!(metrics.is_file());
}

#[test]
fn a_misspelt_key_in_labelled_data_is_an_error_not_a_lost_label() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("typo.jsonl");
    fs::write(
        &f,
        format!(
            "{{\"id\":\"a\",\"text\":\"{BANK}\",\"verdict\":\"legit\",\"source\":\"x\"}}\n\
             {{\"text\":\"{SCAM}\",\"verdict\":\"scam\",\"pattern\":[\"fake_upgrade\"]}}\n"
        ),
    )
    .unwrap();
    let o = run(&["eval", "--data", f.to_str().unwrap()], b"");
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(
        e.contains("typo.jsonl:2: bad row: unknown field `pattern`"),
        "{e}"
    );
}

#[test]
fn a_perturbed_set_is_itself_labelled_data() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src.jsonl");
    fs::write(
        &src,
        format!(
            "{{\"id\":\"s1\",\"text\":\"{SCAM}\",\"verdict\":\"scam\",\"patterns\":[\"fake_upgrade\"]}}\n\
             {{\"id\":\"l1\",\"text\":\"{BANK}\",\"verdict\":\"legit\"}}\n"
        ),
    )
    .unwrap();
    let adv = dir.path().join("adv.jsonl");
    let o = run(
        &[
            "perturb",
            "--data",
            src.to_str().unwrap(),
            "--out",
            adv.to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(fs::read_to_string(&adv)
        .unwrap()
        .contains("\"perturbation\""));
    let o = run(&["eval", "--data", adv.to_str().unwrap()], b"");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("== adv ("), "{}", stdout(&o));
}

#[test]
fn perturb_without_data_reads_the_corpus_test_part_from_any_directory() {
    // Found by a QA pass: the default `--data` was a path relative to the current directory, so
    // `posguard perturb` and `posguard robustness` worked only from the repository's root.
    let dir = tempfile::tempdir().unwrap();
    let o = bin()
        .current_dir(dir.path())
        .args(["perturb", "--only", "traditional", "--out", "adv.jsonl"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let corpus_rows = fs::read_to_string(repo("data/corpus/test.jsonl"))
        .unwrap()
        .lines()
        .count();
    assert!(
        stderr(&o).contains(&format!("from {corpus_rows} source rows")),
        "{}",
        stderr(&o)
    );
    let written = fs::read_to_string(dir.path().join("adv.jsonl")).unwrap();
    assert!(
        written.lines().count() > 1000,
        "{}",
        written.lines().count()
    );
}
