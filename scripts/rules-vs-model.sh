#!/usr/bin/env bash
# How rule signals and the model combine, measured. Trains the default recipe's variants on the same
# training data and evaluates each on every evaluation set:
#   rules_and_ngrams  rule signals as features of the one regression — the shipped design
#                     (models/default.onnx; retrained and compared byte for byte with RETRAIN_DEFAULT=1)
#   ngrams_only       the same without rule signals (--no-rule-signals)
#   rules_only        the rule signals alone (--rules-only)
#   stacked           a calibrated second stage over the n-gram model's logits and binary rule
#                     signals, fitted on held-out template families (--combine stacked)
#   stage1            that run's first stage alone: n-grams only, calibrated on the same held-out
#                     families (--stage1-out)
# Then it runs `posguard robustness` with each variant on the corpus test part (the same perturbed
# rows for every variant; docs/robustness.md): the rule signals see what normalisation hides, such
# as that a brand or product word was obfuscated.
# Prints markdown tables and writes build/rules-vs-model/table.md. Benchmark, not a test; needs
# ../shared/data (or a path). Each full training takes ~10 min and ~6 GB on 2 cores; REUSE=1 keeps
# models already built.
#
#   scripts/rules-vs-model.sh [SHARED_DATA_DIR]
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
have() { [[ -s "$out/$1.onnx" && "${REUSE:-0}" == 1 ]]; }

if [[ "${RETRAIN_DEFAULT:-0}" == 1 ]]; then
  "$bin" train --data "${train[@]}" --out "$out/shipped_recipe.onnx" 2> "$out/shipped_recipe.log"
  if cmp -s "$out/shipped_recipe.onnx" models/default.onnx; then
    echo "retrained shipped recipe is byte-identical to models/default.onnx"
  else
    echo "retrained shipped recipe differs from models/default.onnx" >&2
    exit 1
  fi
fi
cp models/default.onnx "$out/rules_and_ngrams.onnx"
have ngrams_only || "$bin" train --data "${train[@]}" --out "$out/ngrams_only.onnx" --no-rule-signals 2> "$out/ngrams_only.log"
have rules_only || "$bin" train --data "${train[@]}" --out "$out/rules_only.onnx" --rules-only 2> "$out/rules_only.log"
{ have stacked && have stage1; } ||
  "$bin" train --data "${train[@]}" --out "$out/stacked.onnx" --combine stacked --stage1-out "$out/stage1.onnx" 2> "$out/stacked.log"

variants=(rules_and_ngrams ngrams_only rules_only stacked stage1)
for v in "${variants[@]}"; do
  "$bin" eval --model "$out/$v.onnx" --data "${evalsets[@]}" --json > "$out/$v.eval.json"
  "$bin" robustness --model "$out/$v.onnx" --data data/corpus/test.jsonl --json "$out/$v.robustness.json" > /dev/null
done

python3 - "$out" <<'PY' | tee "$out/table.md"
import json, sys
out = sys.argv[1]
variants = [("rules_and_ngrams", "rules as features (shipped)"), ("ngrams_only", "n-grams alone"),
            ("rules_only", "rules alone"), ("stacked", "stacked second stage ᶠ"),
            ("stage1", "its n-gram first stage alone ᶠ")]
data = {v: {r["name"]: r for r in json.load(open(f"{out}/{v}.eval.json"))} for v, _ in variants}
pct = lambda x: "—" if x is None else f"{100 * x:.1f}"
def at(r, fpr):
    for a in r.get("recall_at_legit_fpr", []):
        if abs(a["max_legit_fpr"] - fpr) < 1e-9:
            return a["scam_recall"]
    return None
print("| set | model | accuracy | macro-F1 | scam P | scam R | legit FPR | AP | R@FPR≤0.5% |")
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
print()
print("ᶠ held-out part (calibration, threshold, second stage) chosen by template family; the others by text.")
print()
# Robustness: per transformation, the perturbed rows' scam recall and legit FPR; `all` pools them.
rob = {v: {r["name"]: r for r in json.load(open(f"{out}/{v}.robustness.json"))["rows"]} for v, _ in variants}
names = list(rob["rules_and_ngrams"])
print("Corpus test part perturbed (`posguard robustness`; docs/robustness.md): scam recall / legit FPR")
print("on the rows each transformation changed (`clean`: the unperturbed part; `all`: every perturbed row).")
print()
print("| model | " + " | ".join(names) + " |")
print("|---|" + "---|" * len(names))
for v, label in variants:
    print(f"| {label} | " + " | ".join(
        f"{100 * rob[v][n]['scam_recall']:.1f} / {100 * rob[v][n]['legit_fpr']:.1f}" for n in names) + " |")
PY

# Is the shipped design better than n-grams alone, or within noise? Both score every evaluation set,
# and scripts/paired-compare.py compares them row by row (McNemar on the rows only one gets wrong;
# paired bootstrap intervals for recall at ≤0.5% legit FPR and average precision).
{
  echo
  echo "Shipped design (A) against n-grams alone (B), paired on the same rows (scripts/paired-compare.py):"
  for s in "${evalsets[@]}"; do
    name=$(basename "$s" .jsonl)
    for v in rules_and_ngrams ngrams_only; do
      "$bin" score --no-evidence --no-progress -m "$out/$v.onnx" "$s" -o "$out/$v.$name.scores.jsonl" 2>"$out/$v.$name.scores.log"
    done
    echo
    echo "$name:"
    python3 scripts/paired-compare.py "$s" "$out/rules_and_ngrams.$name.scores.jsonl" "$out/ngrams_only.$name.scores.jsonl" | tail -n +2
  done
} | tee "$out/paired.md"
