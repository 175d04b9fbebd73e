//! The analysis path of arbitrary text: normalise, tokenise, signals, features with the default
//! model's vocabulary, the linear model in Rust, evidence and signal spans, the impersonation
//! check. Checks that every token and evidence span lies in bounds.
#![no_main]
use libfuzzer_sys::fuzz_target;
use posguard::features::Analysis;
use posguard::model::Prediction;
use posguard::{explain, verdict, Model};
use std::sync::OnceLock;

fn model() -> &'static Model {
    static M: OnceLock<Model> = OnceLock::new();
    M.get_or_init(|| Model::default_model().expect("default model loads"))
}

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let model = model();
    let a = Analysis::new(text);
    let n = &a.normalized;
    for t in &a.tokens {
        let _ = t.text(n);
    }
    for s in &a.signals {
        let _ = format!("{s:?}");
    }
    let v = model.vectorizer();
    let (x, spans) = v.vectorize_with_spans(&a);
    assert_eq!(x, v.vectorize(&a));
    assert_eq!(spans.len(), x.ids.len());
    for (id, val) in x.ids.iter().zip(&x.values) {
        assert!((*id as usize) < v.dim());
        assert!(val.is_finite());
    }
    for r in spans.iter().flatten() {
        assert!(r.start <= r.end && r.end <= n.char_len(), "span {r:?}");
    }
    // Probabilities from the Rust evaluation of the linear model (no ONNX engine in the fuzzer).
    let z = model.logits(&x);
    let m = z[..3].iter().cloned().fold(f32::MIN, f32::max);
    let e: Vec<f32> = z[..3].iter().map(|l| (l - m).exp()).collect();
    let s: f32 = e.iter().sum();
    let mut p = Prediction {
        verdict: [0.0; 3],
        patterns: [0.0; 7],
    };
    for i in 0..3 {
        p.verdict[i] = e[i] / s;
    }
    for i in 0..7 {
        p.patterns[i] = sigmoid(z[3 + i]);
    }
    let result = verdict::decide(&p, &model.decision());
    for ev in explain::evidence(model, text, &a, &x, &spans, &result, 5) {
        assert!(ev.start <= ev.end, "{ev:?}");
        assert!(ev.end <= text.chars().count(), "{ev:?}");
    }
    for h in explain::signal_hits(text, &a) {
        let _ = format!("{h:?}");
    }
    let _ = posguard::contacts::check(n, text);
});
