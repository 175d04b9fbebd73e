#!/usr/bin/env python3
"""fastText side by side with `posguard score` in bench/batch.sh: the same JSONL inbox in, one
JSONL row per message out, one thread.

The model is fastText supervised on characters as tokens (run_peers.py's `fasttext_char`:
whitespace dropped, wordNgrams=3, epoch=25, lr=0.5, dim=100, thread=1, seed=0), trained on
data/corpus/train.jsonl. Training and model loading are timed apart; the throughput covers
reading and parsing the JSONL, tokenising, predicting all three class probabilities, and
writing a JSONL row per message.

    fasttext_batch.py INPUT.jsonl OUTPUT.jsonl [--model PATH]

Prints one line of JSON: {"messages", "seconds", "cpu_seconds", "msgs_per_s", "train_seconds"}.
"""

import argparse
import json
import os
import sys
import tempfile
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")

import fasttext  # noqa: E402

LABELS = ["legit", "spam", "scam"]
PARAMS = dict(epoch=25, lr=0.5, dim=100, loss="softmax", minCount=1, bucket=2_000_000,
              thread=1, seed=0, verbose=0, wordNgrams=3)
CHUNK = 10_000


def chars_tokens(text):
    return " ".join(c for c in text if not c.isspace())


def train(root, model_path):
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "train.txt")
        with open(os.path.join(root, "data/corpus/train.jsonl"), encoding="utf-8") as f, \
                open(path, "w", encoding="utf-8") as out:
            for line in f:
                if line.strip():
                    o = json.loads(line)
                    out.write(f"__label__{o['verdict']} {chars_tokens(o['text'])}\n")
        model = fasttext.train_supervised(input=path, **PARAMS)
    model.save_model(model_path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("input")
    ap.add_argument("output")
    ap.add_argument("--model", default="target/bench-batch/fasttext-char.bin")
    args = ap.parse_args()
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
    train_seconds = None
    if not os.path.exists(args.model):
        t = time.perf_counter()
        train(root, args.model)
        train_seconds = time.perf_counter() - t
    model = fasttext.load_model(args.model)

    wall0, cpu0 = time.perf_counter(), time.process_time()
    n = 0
    with open(args.input, encoding="utf-8") as f, open(args.output, "w", encoding="utf-8") as out:
        while True:
            rows = []
            for line in f:
                if line.strip():
                    rows.append(json.loads(line))
                    if len(rows) == CHUNK:
                        break
            if not rows:
                break
            labels, probs = model.predict([chars_tokens(r.get("text", "")) for r in rows], k=3)
            for r, ls, ps in zip(rows, labels, probs):
                p = {l[len("__label__"):]: float(x) for l, x in zip(ls, ps)}
                verdict = max(LABELS, key=lambda k: p.get(k, 0.0))
                out.write(json.dumps({"id": r.get("id"), "verdict": verdict,
                                      "p_legit": p.get("legit", 0.0), "p_spam": p.get("spam", 0.0),
                                      "p_scam": p.get("scam", 0.0)}, ensure_ascii=False))
                out.write("\n")
            n += len(rows)
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    print(json.dumps({"messages": n, "seconds": wall, "cpu_seconds": cpu,
                      "msgs_per_s": n / wall if wall > 0 else None,
                      "train_seconds": train_seconds}))


if __name__ == "__main__":
    sys.exit(main())
