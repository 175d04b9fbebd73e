#!/usr/bin/env python3
"""Writes a JSONL inbox of N messages for the speed benchmarks (bench/batch.sh, bench/profile.py).

    python3 bench/gen_inbox.py N OUT [sms|call|all]

Texts are the corpus rows (data/corpus/*.jsonl) of the channel, taken in a fixed stride order, with
made-up ids, senders and dates; standard library only, deterministic.
"""
import glob
import json
import sys


def main() -> None:
    n, out = int(sys.argv[1]), sys.argv[2]
    channel = sys.argv[3] if len(sys.argv) > 3 else "sms"
    texts = []
    for f in sorted(glob.glob("data/corpus/*.jsonl")):
        with open(f, encoding="utf-8") as fh:
            rows = [json.loads(line) for line in fh if line.strip()]
        texts += [r["text"] for r in rows if channel == "all" or r["channel"] == channel]
    senders = ["10655%04d" % i for i in range(500)] + ["95588", "95533", "10086", "106900"]
    with open(out, "w", encoding="utf-8") as fh:
        for i in range(n):
            row = {
                "id": "msg-%08d" % i,
                "sender": senders[(i * 7919) % len(senders)],
                "date": "2024-03-%02dT%02d:%02d:00" % (1 + i % 28, i % 24, i % 60),
                "text": texts[(i * 104729) % len(texts)],
            }
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
