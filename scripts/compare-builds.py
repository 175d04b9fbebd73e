#!/usr/bin/env python3
"""Row by row, what two posguard binaries say differently about the same labelled files.

    python3 scripts/compare-builds.py OLD_BIN NEW_BIN FILE.jsonl [FILE.jsonl …]

Scores each file with both binaries (`posguard score`, evidence on, so that each row lists its rule
signals) and prints, per file: the rows, how many rows' signals differ, the verdict changes as
(true label, old verdict, new verdict) counts, and how many rows the new binary overruled
(`official_channel_only` advice). A change to the normaliser, the rules or the impersonation check
that keeps the shipped model valid changes no verdict and almost no signal of the training files.
Not a test; the files under build/data come from `posguard prepare` (../shared/data).
"""
import collections
import json
import subprocess
import sys


def rows(binary, path):
    out = subprocess.run([binary, "score", "--no-progress", path], capture_output=True,
                         text=True, check=False).stdout
    return [json.loads(line) for line in out.splitlines()]


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    old_bin, new_bin, files = sys.argv[1], sys.argv[2], sys.argv[3:]
    for path in files:
        with open(path, encoding="utf-8") as f:
            labels = [json.loads(line).get("verdict") for line in f if line.strip()]
        old, new = rows(old_bin, path), rows(new_bin, path)
        if not (len(old) == len(new) == len(labels)):
            sys.exit(f"{path}: {len(labels)} labelled rows, {len(old)} and {len(new)} output rows")
        signals = sum(a.get("signals") != b.get("signals") for a, b in zip(old, new))
        verdicts = collections.Counter(
            (lab, a.get("verdict"), b.get("verdict"))
            for lab, a, b in zip(labels, old, new)
            if a.get("verdict") != b.get("verdict"))
        overruled = sum(any(x.get("id") == "official_channel_only" for x in b.get("advice", []))
                        for b in new)
        print(f"{path}: {len(labels)} rows, signals changed {signals}, "
              f"verdict changes {dict(verdicts) or 'none'}, overruled {overruled}")


if __name__ == "__main__":
    main()
