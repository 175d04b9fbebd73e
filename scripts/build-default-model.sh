#!/usr/bin/env bash
# Rebuilds the shipped default model from scratch: prepares the shared public sets, trains on the
# corpus train part plus the shared train parts (never on telecom_fraud_texts_5 or any test part),
# re-embeds the model in the binary and evaluates it on every evaluation set.
#
#   scripts/build-default-model.sh [SHARED_DATA_DIR]      (default ../shared/data)
#
# Same data and code give the same model bytes (training is deterministic).
set -euo pipefail
cd "$(dirname "$0")/.."
shared="${1:-${POSGUARD_SHARED_DATA:-../shared/data}}"
bin=target/release/posguard

cargo build --release
"$bin" prepare --shared "$shared" --out build/data
"$bin" train \
  --data data/corpus/train.jsonl build/data/train/fbs_sms.jsonl build/data/train/mudou_spam.jsonl build/data/train/teleantifraud.jsonl \
  --out models/default.onnx --metrics models/default.metrics.json "${@:2}"
# The binary embeds models/default.onnx: rebuild so the new model is the built-in one.
cargo build --release
"$bin" eval --model models/default.onnx \
  --data data/corpus/test.jsonl build/data/eval/fbs_sms_test.jsonl build/data/eval/mudou_spam_test.jsonl \
         build/data/eval/teleantifraud_test.jsonl build/data/eval/telecom_fraud_texts_5.jsonl \
  --report models/eval
sha256sum models/default.onnx
