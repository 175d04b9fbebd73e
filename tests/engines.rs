//! The ONNX round trip: a model trained with linfa, exported from Rust, must give the same
//! probabilities as linfa's own `predict_probabilities` on both engines (tract and native ONNX
//! Runtime), to 1e-5.

mod common;

use common::*;
use ndarray::{Array2, Axis};
use posguard::features::Analysis;
use posguard::{Model, Pattern, Verdict};
use std::path::Path;

/// (verdict probabilities, pattern probabilities) per message, from linfa.
fn linfa_probabilities(texts: &[&str]) -> Vec<([f32; 3], [f32; 7])> {
    let (out, _, _) = small_model();
    let dim = out.vectorizer.dim();
    let mut x = Array2::<f32>::zeros((texts.len(), dim));
    for (r, t) in texts.iter().enumerate() {
        let v = out.vectorizer.vectorize(&Analysis::new(t));
        for (&id, &val) in v.ids.iter().zip(&v.values) {
            x[[r, id as usize]] = val;
        }
    }
    let pv = out.verdict_model.predict_probabilities(&x);
    let x_pat = x.select(Axis(1), &out.pattern_columns);
    let mut result = vec![([0f32; 3], [0f32; 7]); texts.len()];
    for (col, &cls) in out.verdict_model.classes().iter().enumerate() {
        for r in 0..texts.len() {
            result[r].0[cls] = pv[[r, col]];
        }
    }
    for p in Pattern::ALL {
        let Some(m) = &out.pattern_models[p.index()] else {
            continue;
        };
        let probs = m.predict_probabilities(&x_pat);
        for r in 0..texts.len() {
            // linfa returns P(positive class); the positive class is `true` (the larger label).
            result[r].1[p.index()] = if m.labels().pos.class {
                probs[r]
            } else {
                1.0 - probs[r]
            };
        }
    }
    result
}

fn engine_probabilities(
    model: &Path,
    texts: &[&str],
    engine_args: &[&str],
) -> Vec<([f32; 3], [f32; 7])> {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    let lines: Vec<String> = texts
        .iter()
        .map(|t| serde_json::json!({ "text": t }).to_string())
        .collect();
    std::fs::write(&input, lines.join("\n")).unwrap();
    let mut args = vec!["score", "--no-evidence", "--model", model.to_str().unwrap()];
    args.extend_from_slice(engine_args);
    args.push(input.to_str().unwrap());
    let o = run(&args, b"");
    assert!(o.status.success(), "score failed: {}", stderr(&o));
    stdout(&o)
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            let f = |k: &str| v[k].as_f64().unwrap() as f32;
            let mut pats = [0f32; 7];
            for p in Pattern::ALL {
                pats[p.index()] = v["patterns"][p.name()].as_f64().unwrap() as f32;
            }
            ([f("p_legit"), f("p_spam"), f("p_scam")], pats)
        })
        .collect()
}

fn assert_close(a: &[([f32; 3], [f32; 7])], b: &[([f32; 3], [f32; 7])], what: &str) {
    assert_eq!(a.len(), b.len(), "{what}: row count");
    let mut worst = 0f32;
    for (x, y) in a.iter().zip(b) {
        for (p, q) in x.0.iter().chain(&x.1).zip(y.0.iter().chain(&y.1)) {
            worst = worst.max((p - q).abs());
        }
    }
    assert!(worst <= 1e-5, "{what}: largest difference {worst}");
}

fn sample_texts() -> Vec<String> {
    let (_, records, _) = small_model();
    let mut t: Vec<String> = records
        .iter()
        .step_by(7)
        .take(150)
        .map(|r| r.text.clone())
        .collect();
    // Also messages the model never saw, including one with no known feature at all.
    t.push("【POS服务中心】您的P0S机备案到期即将停用，回复1免费更换0.38%费率新机".into());
    t.push("【工商银行】您尾号1234卡11月26日14:05POS支出(消费)128.00元，余额5,430.21元。".into());
    t.push("zzzz".into());
    t
}

#[test]
fn tract_matches_linfa() {
    let (_, _, model) = small_model();
    let texts = sample_texts();
    let texts: Vec<&str> = texts.iter().map(|s| s.as_str()).collect();
    let expected = linfa_probabilities(&texts);
    let got = engine_probabilities(model, &texts, &["--engine", "tract"]);
    assert_close(&expected, &got, "tract vs linfa");
}

#[test]
fn native_onnxruntime_matches_linfa() {
    let Some(lib) = native_ort() else {
        eprintln!(
            "SKIPPED: no ONNX Runtime library (run scripts/fetch-onnxruntime.sh); CI requires it"
        );
        return;
    };
    let (_, _, model) = small_model();
    let texts = sample_texts();
    let texts: Vec<&str> = texts.iter().map(|s| s.as_str()).collect();
    let expected = linfa_probabilities(&texts);
    let got = engine_probabilities(model, &texts, &["--ort-lib", lib.to_str().unwrap()]);
    assert_close(&expected, &got, "onnxruntime vs linfa");
    let o = run(
        &[
            "info",
            "--model",
            model.to_str().unwrap(),
            "--ort-lib",
            lib.to_str().unwrap(),
        ],
        b"",
    );
    assert!(
        stdout(&o).contains("engine:    onnxruntime"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn model_file_is_the_whole_model() {
    let (out, records, path) = small_model();
    let m = Model::load(path).unwrap();
    assert_eq!(m.meta().features, out.meta.features);
    assert_eq!(m.meta().verdicts, vec!["legit", "spam", "scam"]);
    assert_eq!(
        m.meta().training.fingerprint,
        posguard::train::fingerprint(records)
    );
    assert_eq!(m.meta().training.records, records.len());
    // The Rust-side evaluation of the same weights (used for explanations) agrees with linfa too.
    let text = "押金299元，激活后返还，请提供卡号";
    let v = m.vectorizer().vectorize(&Analysis::new(text));
    let p = posguard::train::predict_linear(m.params(), &v);
    let l = linfa_probabilities(&[text]);
    assert!((p.prob(Verdict::Scam) - l[0].0[2]).abs() < 1e-5);
}

#[test]
fn training_is_reproducible() {
    let (out, records, _) = small_model();
    let opts = posguard::train::TrainOptions {
        max_features: 1500,
        max_iterations: 60,
        calibrate: false,
        ..Default::default()
    };
    let again = posguard::train::train(records, &opts, &mut |_| {}).unwrap();
    assert_eq!(
        again.model_bytes, out.model_bytes,
        "same data and options must give the same bytes"
    );
}

/// The stacked combination (`--combine stacked`): the exported single linear layer gives exactly the
/// two stages computed apart — the first stage's verdict logits and the rule signals fed to
/// linfa's second-stage regression — and the first stage alone never looks at a rule signal.
#[test]
fn stacked_model_equals_its_two_stages() {
    let records = corpus_sample(4);
    let opts = posguard::train::TrainOptions {
        max_features: 1500,
        max_iterations: 60,
        combine: posguard::train::Combine::Stacked,
        ..Default::default()
    };
    let out = posguard::train::train(&records, &opts, &mut |_| {}).unwrap();
    let stage2 = out
        .second_stage
        .as_ref()
        .expect("--combine stacked puts a second stage on the n-gram model");
    assert!(out.vectorizer.config().binary_rules);
    assert!(!stage2.rule_columns.is_empty());
    assert!(out.meta.training.second_stage["inputs"][3]
        .as_str()
        .unwrap()
        .starts_with("r|"));
    let c = stage2.stage1.n_outputs();
    for &j in &stage2.rule_columns {
        assert!(out.vectorizer.key(j as u32).starts_with("r|"));
        for k in 0..3 {
            assert_eq!(
                stage2.stage1.weights[j * c + k],
                0.0,
                "first stage uses a rule"
            );
        }
    }

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("stacked.onnx");
    std::fs::write(&path, &out.model_bytes).unwrap();
    let texts = sample_texts();
    let texts: Vec<&str> = texts.iter().map(|s| s.as_str()).collect();
    let inputs: Vec<Vec<f32>> = texts
        .iter()
        .map(|t| {
            let v = out.vectorizer.vectorize(&Analysis::new(t));
            posguard::train::second_stage_inputs(&stage2.stage1, &stage2.rule_columns, &v)
        })
        .collect();
    assert!(
        inputs.iter().any(|x| x[3..].contains(&1.0)),
        "some sample message fires a rule"
    );
    let x = Array2::from_shape_fn((inputs.len(), inputs[0].len()), |(r, k)| inputs[r][k]);
    let p2 = stage2.model.predict_probabilities(&x);
    let got = engine_probabilities(&path, &texts, &["--engine", "tract"]);
    let mut worst = 0f32;
    for (r, g) in got.iter().enumerate() {
        for (col, &cls) in stage2.model.classes().iter().enumerate() {
            worst = worst.max((g.0[cls] - p2[[r, col]]).abs());
        }
    }
    assert!(worst <= 1e-4, "folded model vs two stages: {worst}");

    // The first stage alone is a valid model file of its own.
    let first = dir.path().join("stage1.onnx");
    std::fs::write(&first, &stage2.stage1_model_bytes).unwrap();
    assert_eq!(engine_probabilities(&first, &texts[..3], &[]).len(), 3);
}
