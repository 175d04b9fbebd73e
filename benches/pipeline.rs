//! Per-message and batch scoring throughput on the project's own corpus (`cargo bench`).
//! Speed targets live here, not in tests: batch ≥ 100,000 SMS/s on 2 cores; one cold `classify`
//! ≤ 50 ms (measured with `hyperfine`, see README).

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use posguard::features::Analysis;
use posguard::io::labelled::read_labelled;
use posguard::{Classifier, Model};
use std::hint::black_box;
use std::path::Path;

fn corpus() -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/corpus/test.jsonl");
    read_labelled(&path)
        .expect("corpus test part")
        .into_iter()
        .filter(|r| r.channel != Some(posguard::Channel::Call))
        // The classifier refuses text with nothing to judge, as `score` does.
        .filter(|r| posguard::io::nothing_to_judge(&r.text).is_none())
        .map(|r| r.text)
        .collect()
}

fn per_message(c: &mut Criterion) {
    posguard::model::init_engine(&posguard::EngineChoice::Auto).unwrap();
    let classifier = Classifier::new(Model::default_model().unwrap());
    let texts = corpus();
    let one = texts[0].as_str();
    let mut g = c.benchmark_group("per_message");
    g.throughput(Throughput::Elements(1));
    g.bench_function("analyse", |b| {
        b.iter(|| black_box(Analysis::new(black_box(one))))
    });
    g.bench_function("vectorize", |b| {
        let v = classifier.model().vectorizer();
        b.iter(|| black_box(v.vectorize(&Analysis::new(black_box(one)))))
    });
    g.bench_function("classify_with_evidence", |b| {
        b.iter(|| black_box(classifier.classify(black_box(one)).unwrap()))
    });
    g.finish();
    // The longest text scored (io::MAX_TEXT_CHARS), without punctuation: one run of evidence
    // cut into thousands of windows (quadratic in the length before 2026-11-28: 20,000 characters
    // of 你 took 0.24 s, 160,000 took 15 s).
    let long: String = "你的pos机备案到期回复1免费更换"
        .chars()
        .cycle()
        .take(posguard::io::MAX_TEXT_CHARS)
        .collect();
    let mut g = c.benchmark_group("long_message");
    g.sample_size(10);
    g.throughput(Throughput::Elements(1));
    g.bench_function("classify_with_evidence_20000_chars", |b| {
        b.iter(|| black_box(classifier.classify(black_box(&long)).unwrap()))
    });
    g.finish();
}

fn batch(c: &mut Criterion) {
    posguard::model::init_engine(&posguard::EngineChoice::Auto).unwrap();
    let classifier = Classifier::new(Model::default_model().unwrap());
    let texts = corpus();
    let refs: Vec<&str> = texts.iter().map(|s| s.as_str()).collect();
    let mut g = c.benchmark_group("batch");
    g.sample_size(10);
    for size in [256usize, 1024] {
        let chunk = &refs[..size.min(refs.len())];
        g.throughput(Throughput::Elements(chunk.len() as u64));
        g.bench_with_input(
            BenchmarkId::new("no_evidence", chunk.len()),
            chunk,
            |b, chunk| b.iter(|| black_box(classifier.classify_batch(chunk, false).unwrap())),
        );
        g.bench_with_input(
            BenchmarkId::new("with_evidence", chunk.len()),
            chunk,
            |b, chunk| b.iter(|| black_box(classifier.classify_batch(chunk, true).unwrap())),
        );
    }
    g.finish();
}

criterion_group!(benches, per_message, batch);
criterion_main!(benches);
