#!/usr/bin/env bash
# How the L2 penalty (`posguard train --alpha`) of the default recipe was chosen: on training-side
# validation only, never on a test part. For each alpha it
#   1. trains the shipped recipe (corpus train part + the three public train parts) and reads the
#      by-text held-out metrics that `posguard train` writes (`heldout` in the .metrics.json);
#   2. holds out whole corpus template families (sha256(family) % 5 == 0: 29 of the 161 training
#      families), trains on the other families plus the public train parts, and evaluates on the
#      held-out families with `posguard eval`.
# Prints a markdown table and writes build/alpha-validation/table.md. Benchmark, not a test; needs
# ../shared/data (or a path). Each training takes 10–20 min and ~6 GB on 2 cores (lower alphas take
# longer); REUSE=1 keeps models already built.
#
#   scripts/alpha-validation.sh [SHARED_DATA_DIR] [ALPHA…]      (default alphas: 1 0.3 0.1)
set -euo pipefail
cd "$(dirname "$0")/.."
shared="${1:-${POSGUARD_SHARED_DATA:-../shared/data}}"
shift || true
alphas=("$@")
[[ ${#alphas[@]} -gt 0 ]] || alphas=(1 0.3 0.1)
bin=target/release/posguard
out=build/alpha-validation
mkdir -p "$out"

cargo build --release --quiet
[[ -s build/data/train/fbs_sms.jsonl ]] || "$bin" prepare --shared "$shared" --out build/data
public=(build/data/train/fbs_sms.jsonl build/data/train/mudou_spam.jsonl build/data/train/teleantifraud.jsonl)

python3 - data/corpus/train.jsonl "$out/corpus-fit.jsonl" "$out/corpus-val.jsonl" <<'PY'
import hashlib, json, sys
src, fit_path, val_path = sys.argv[1:]
with open(src, encoding="utf-8") as f, open(fit_path, "w", encoding="utf-8") as fit, \
        open(val_path, "w", encoding="utf-8") as val:
    for line in f:
        family = json.loads(line)["family"]
        held = int(hashlib.sha256(family.encode()).hexdigest(), 16) % 5 == 0
        (val if held else fit).write(line)
PY

have() { [[ -s "$1" && "${REUSE:-0}" == 1 ]]; }
for a in "${alphas[@]}"; do
  have "$out/full-$a.onnx" ||
    "$bin" train --data data/corpus/train.jsonl "${public[@]}" --alpha "$a" \
      --out "$out/full-$a.onnx" 2> "$out/full-$a.log"
  have "$out/families-$a.onnx" ||
    "$bin" train --data "$out/corpus-fit.jsonl" "${public[@]}" --alpha "$a" \
      --out "$out/families-$a.onnx" 2> "$out/families-$a.log"
  "$bin" eval --model "$out/families-$a.onnx" --data "$out/corpus-val.jsonl" --json \
    > "$out/families-$a.eval.json"
done

python3 - "$out" "${alphas[@]}" <<'PY' | tee "$out/table.md"
import json, sys
out, alphas = sys.argv[1], sys.argv[2:]
pct = lambda x: f"{100 * x:.1f}"
def row(r):
    cls = {c["label"]: c for c in r["per_class"]}
    zero = next(a["scam_recall"] for a in r["recall_at_legit_fpr"] if a["max_legit_fpr"] == 0.001)
    legit = cls["legit"]["support"]
    fp = round(r["legit_fpr"] * legit)
    return [pct(r["accuracy"]), pct(r["macro_f1"]), pct(cls["spam"]["f1"]), pct(cls["scam"]["recall"]),
            f"{100 * r['legit_fpr']:.2f} ({fp}/{legit})", f"{100 * r['average_precision']:.2f}",
            pct(zero), pct(r["patterns"]["top_pattern_correct"]), pct(r["patterns"]["exact_set"])]
head = ("| alpha | accuracy | macro-F1 | spam F1 | scam recall | legit FPR | AP | R@FPR≤0.1% "
        "| top pattern | exact pattern set |")
for title, load in [
    ("By-text held-out part of the full training (10% of records)",
     lambda a: json.load(open(f"{out}/full-{a}.onnx.metrics.json"))["heldout"]),
    ("Held-out corpus families (trained without them)",
     lambda a: json.load(open(f"{out}/families-{a}.eval.json"))[0]),
]:
    print(f"{title}\n\n{head}\n|{'---|' * 10}")
    for a in alphas:
        print("| " + " | ".join([a] + row(load(a))) + " |")
    print()
PY
