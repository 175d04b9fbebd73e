#!/usr/bin/env bash
# How rule signals and the model combine, measured: trains the default model's recipe three ways on
# the same training data — rules + n-grams (the shipped design: rule signals are model features whose
# weights are learned), n-grams alone (--no-rule-signals) and rule signals alone (--rules-only) — and
# evaluates each on every evaluation set. Prints a markdown table and writes
# build/rules-vs-model/table.md. Benchmark, not a test; needs ../shared/data (or a path).
#
#   scripts/rules-vs-model.sh [SHARED_DATA_DIR]
#
# The "rules + n-grams" row is the shipped model itself (models/default.onnx, built by
# scripts/build-default-model.sh with the same options) unless RETRAIN_DEFAULT=1.
set -euo pipefail
cd "$(dirname "$0")/.."
shared="${1:-${POSGUARD_SHARED_DATA:-../shared/data}}"
bin=target/release/posguard
out=build/rules-vs-model
mkdir -p "$out"

cargo build --release --quiet
[[ -s build/data/train/fbs_sms.jsonl ]] || "$bin" prepare --shared "$shared" --out build/data
train=(data/corpus/train.jsonl build/data/train/fbs_sms.jsonl build/data/train/mudou_spam.jsonl build/data/train/teleantifraud.jsonl)
evalsets=(data/corpus/test.jsonl build/data/eval/fbs_sms_test.jsonl build/data/eval/mudou_spam_test.jsonl
          build/data/eval/teleantifraud_test.jsonl build/data/eval/telecom_fraud_texts_5.jsonl)

if [[ "${RETRAIN_DEFAULT:-0}" == 1 ]]; then
  "$bin" train --data "${train[@]}" --out "$out/rules_and_ngrams.onnx"
else
  cp models/default.onnx "$out/rules_and_ngrams.onnx"
fi
[[ -s "$out/ngrams_only.onnx" && "${REUSE:-0}" == 1 ]] || "$bin" train --data "${train[@]}" --out "$out/ngrams_only.onnx" --no-rule-signals
[[ -s "$out/rules_only.onnx" && "${REUSE:-0}" == 1 ]] || "$bin" train --data "${train[@]}" --out "$out/rules_only.onnx" --rules-only

for v in rules_and_ngrams ngrams_only rules_only; do
  "$bin" eval --model "$out/$v.onnx" --data "${evalsets[@]}" --json > "$out/$v.eval.json"
done

python3 - "$out" <<'PY' | tee "$out/table.md"
import json, sys
out = sys.argv[1]
variants = [("rules_and_ngrams", "rules + n-grams (shipped)"), ("ngrams_only", "n-grams alone"), ("rules_only", "rules alone")]
data = {v: {r["name"]: r for r in json.load(open(f"{out}/{v}.eval.json"))} for v, _ in variants}
pct = lambda x: "—" if x is None else f"{100 * x:.1f}"
def at(r, fpr):
    for a in r.get("recall_at_legit_fpr", []):
        if abs(a["max_legit_fpr"] - fpr) < 1e-9:
            return a["scam_recall"]
    return None
print("| set | features | accuracy | macro-F1 | scam P | scam R | legit FPR | AP | R@FPR≤0.5% |")
print("|---|---|---|---|---|---|---|---|---|")
for name in data["rules_and_ngrams"]:
    for v, label in variants:
        r = data[v][name]
        scam = r["per_class"][2]["support"] > 0
        legit = r["per_class"][0]["support"] > 0
        print(f"| {name if v == 'rules_and_ngrams' else ''} | {label} | {pct(r['accuracy'])} | {pct(r['macro_f1_present'])} | "
              f"{pct(r['scam_precision']) if scam else '—'} | {pct(r['scam_recall']) if scam else '—'} | "
              f"{pct(r['legit_fpr']) if legit else '—'} | {pct(r['average_precision']) if scam else '—'} | "
              f"{pct(at(r, 0.005)) if scam and legit else '—'} |")
PY
