//! The project's own labelled corpus, for tests that check a fast path against its reference on
//! every message the project has.

/// The texts of `data/corpus/{train,test}.jsonl`, in file order.
pub(crate) fn corpus_texts() -> Vec<String> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/corpus");
    let mut texts = Vec::new();
    for part in ["train.jsonl", "test.jsonl"] {
        let body = std::fs::read_to_string(root.join(part)).expect("corpus part");
        for line in body.lines().filter(|l| !l.trim().is_empty()) {
            let v: serde_json::Value = serde_json::from_str(line).expect("corpus JSON");
            texts.push(v["text"].as_str().expect("text").to_string());
        }
    }
    assert!(texts.len() > 5000, "corpus too small: {}", texts.len());
    texts
}
