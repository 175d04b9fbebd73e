#!/usr/bin/env python3
"""How often the rule signals that point at a scam fire on legit rows (evidence a genuine message
would show) and on scam rows, per evaluation set.

Scores each set with `posguard score` (the binary in $POSGUARD, default target/release/posguard) and
counts, by true class, the rows with at least one scam cue and the rows each cue fires on. Run it
with the binaries of two commits to compare their rules. Benchmark, not a test: the sets under
build/data come from `posguard prepare` (../shared/data).

    python3 scripts/signal_cues.py [--json FILE]
"""
import argparse
import collections
import json
import os
import subprocess
import sys

SETS = [
    ("corpus test", "data/corpus/test.jsonl"),
    ("fbs_sms test", "build/data/eval/fbs_sms_test.jsonl"),
    ("mudou_spam test", "build/data/eval/mudou_spam_test.jsonl"),
    ("teleantifraud test", "build/data/eval/teleantifraud_test.jsonl"),
    ("telecom_fraud_texts_5", "build/data/eval/telecom_fraud_texts_5.jsonl"),
]
# SignalKind::is_scam_cue in src/signals.rs.
CUES = ["reply_action", "reply_letter_action", "short_link", "credential_request", "fee_demand",
        "urgency", "obfuscation", "off_channel_contact", "unofficial_contact"]
CLASSES = ["legit", "spam", "scam"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--json", help="also write the counts as JSON")
    args = ap.parse_args()
    binary = os.environ.get("POSGUARD", "target/release/posguard")
    result = {}
    for name, path in SETS:
        if not os.path.exists(path):
            print(f"skipping {name}: {path} missing", file=sys.stderr)
            continue
        truth = []
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    truth.append(json.loads(line)["verdict"])
        out = subprocess.run([binary, "score", path], capture_output=True, text=True, check=True)
        rows = [json.loads(l) for l in out.stdout.splitlines() if l.strip()]
        if len(rows) != len(truth):
            sys.exit(f"{path}: {len(truth)} labelled rows but {len(rows)} results")
        support = collections.Counter(truth)
        any_cue = collections.Counter()
        per_cue = {c: collections.Counter() for c in CUES}
        for verdict, row in zip(truth, rows):
            fired = set(row.get("signals", [])) & set(CUES)
            if fired:
                any_cue[verdict] += 1
            for c in fired:
                per_cue[c][verdict] += 1
        result[name] = {
            "support": {c: support[c] for c in CLASSES},
            "any_scam_cue": {c: any_cue[c] for c in CLASSES},
            "per_cue": {c: {k: per_cue[c][k] for k in CLASSES} for c in CUES},
        }
    print("| set | legit rows with a scam cue | scam rows with a scam cue |")
    print("|---|---|---|")
    for name, r in result.items():
        cell = lambda k: ("—" if r["support"][k] == 0 else
                          f"{r['any_scam_cue'][k]} of {r['support'][k]} "
                          f"({100 * r['any_scam_cue'][k] / r['support'][k]:.1f}%)")
        print(f"| {name} | {cell('legit')} | {cell('scam')} |")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
