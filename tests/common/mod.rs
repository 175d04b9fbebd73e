//! Shared helpers for the integration tests: the real binary, the project's own corpus, and a small
//! model trained once per test binary.
#![allow(dead_code)]

use posguard::io::labelled::read_labelled;
use posguard::train::{train, LabelledRecord, TrainOptions, TrainOutput};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_posguard"))
}

pub fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// Runs the binary with `args`, feeding `stdin`.
pub fn run(args: &[&str], stdin: &[u8]) -> Output {
    use std::io::Write;
    let mut child = bin()
        .args(args)
        .env_remove("ORT_DYLIB_PATH")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn posguard");
    child.stdin.take().unwrap().write_all(stdin).ok();
    child.wait_with_output().expect("wait")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Every `step`-th record of the corpus's train part: all verdicts, patterns and both channels.
pub fn corpus_sample(step: usize) -> Vec<LabelledRecord> {
    let all = read_labelled(&repo("data/corpus/train.jsonl")).expect("corpus train part");
    all.into_iter().step_by(step).collect()
}

/// A small model trained once (uncalibrated, so its probabilities are linfa's own).
pub fn small_model() -> &'static (TrainOutput, Vec<LabelledRecord>, PathBuf) {
    static M: OnceLock<(TrainOutput, Vec<LabelledRecord>, PathBuf)> = OnceLock::new();
    M.get_or_init(|| {
        let records = corpus_sample(4);
        let opts = TrainOptions {
            max_features: 1500,
            max_iterations: 60,
            calibrate: false,
            ..TrainOptions::default()
        };
        let out = train(&records, &opts, &mut |_| {}).expect("training succeeds");
        let dir = std::env::temp_dir().join(format!("posguard-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("small.onnx");
        std::fs::write(&path, &out.model_bytes).unwrap();
        (out, records, path)
    })
}

/// The native ONNX Runtime library, if one is available (ORT_DYLIB_PATH or .ort/ from
/// scripts/fetch-onnxruntime.sh). With POSGUARD_REQUIRE_ORT=1 (set in CI) its absence fails.
pub fn native_ort() -> Option<PathBuf> {
    let from_env = std::env::var_os("ORT_DYLIB_PATH").map(PathBuf::from);
    let local = std::fs::read_dir(repo(".ort/onnxruntime/capi"))
        .ok()
        .and_then(|d| {
            d.filter_map(|e| e.ok().map(|e| e.path())).find(|p| {
                p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("libonnxruntime.so."))
            })
        });
    let found = from_env.filter(|p| p.exists()).or(local);
    if found.is_none() && std::env::var("POSGUARD_REQUIRE_ORT").is_ok_and(|v| v == "1") {
        panic!(
            "POSGUARD_REQUIRE_ORT=1 but no ONNX Runtime library: run scripts/fetch-onnxruntime.sh"
        );
    }
    found
}

/// Runs `posguard score ARGS` in `dir` and parses the JSONL rows.
pub fn score_in(dir: &Path, args: &[&str]) -> (Vec<serde_json::Value>, Output) {
    let o = bin()
        .arg("score")
        .args(args)
        .current_dir(dir)
        .env_remove("ORT_DYLIB_PATH")
        .stdin(Stdio::null())
        .output()
        .expect("run posguard");
    let rows = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad row {l}: {e}")))
        .collect();
    (rows, o)
}

/// Makes a FIFO at `path` and starts a thread reading all of it (as a reader of `/dev/null` or a
/// pipe would), so that a writer opening it does not block; join the thread for the bytes.
#[cfg(unix)]
pub fn fifo_with_reader(path: &Path) -> std::thread::JoinHandle<Vec<u8>> {
    let made = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(made.success());
    let path = path.to_path_buf();
    std::thread::spawn(move || std::fs::read(path).unwrap())
}
