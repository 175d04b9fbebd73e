#!/usr/bin/env python3
"""Counts and sanity checks for data/corpus (prints Markdown tables).

    python3 data/generator/stats.py [--corpus data/corpus]
"""
from __future__ import annotations

import argparse
import collections
import json
import os
import re
import sys

PATTERNS = ["fake_upgrade", "fee_swap", "deposit_trap", "impersonation", "free_repair", "card_theft", "agent_recruit"]


def load(corpus):
    parts = {}
    for name in ("train", "test"):
        with open(os.path.join(corpus, name + ".jsonl"), encoding="utf-8") as f:
            parts[name] = [json.loads(line) for line in f]
    return parts


def table(header, rows):
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def checks(parts):
    errs = []
    fam_split = collections.defaultdict(set)
    texts = collections.Counter()
    ids = collections.Counter()
    for name, rows in parts.items():
        for r in rows:
            fam_split[r["family"]].add(name)
            texts[r["text"]] += 1
            ids[r["id"]] += 1
            if not r["text"].strip():
                errs.append("empty text %s" % r["id"])
            if re.search(r"[{}<>]|\[\?", r["text"]):
                errs.append("template residue %s" % r["id"])
            if r["verdict"] == "scam" and not (1 <= len(r["patterns"]) <= 4):
                errs.append("scam row %s has %d patterns" % (r["id"], len(r["patterns"])))
            if r["verdict"] != "scam" and r["patterns"]:
                errs.append("non-scam row %s has patterns" % r["id"])
            if any(p not in PATTERNS for p in r["patterns"]):
                errs.append("unknown pattern in %s" % r["id"])
            if r["channel"] == "call":
                turns = r["text"].split("\n")
                if not 4 <= len(turns) <= 14:
                    errs.append("call %s has %d turns" % (r["id"], len(turns)))
                if any("：" not in t[:8] for t in turns):
                    errs.append("call %s has a turn without speaker" % r["id"])
    errs += ["family %s in both splits" % f for f, s in fam_split.items() if len(s) > 1]
    errs += ["duplicate text x%d: %s" % (c, t[:40]) for t, c in texts.items() if c > 1]
    errs += ["duplicate id %s" % i for i, c in ids.items() if c > 1]
    return errs


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default=os.path.join("data", "corpus"))
    args = ap.parse_args(argv)
    parts = load(args.corpus)
    allrows = parts["train"] + parts["test"]

    print("### Rows by verdict x channel x split\n")
    rows = []
    for v in ("scam", "legit", "spam"):
        for c in ("sms", "call"):
            tr = sum(1 for r in parts["train"] if r["verdict"] == v and r["channel"] == c)
            te = sum(1 for r in parts["test"] if r["verdict"] == v and r["channel"] == c)
            rows.append((v, c, tr, te, tr + te))
    tr = len(parts["train"]); te = len(parts["test"])
    rows.append(("**all**", "", tr, te, tr + te))
    print(table(["verdict", "channel", "train", "test", "total"], rows))

    print("\n### Families by verdict x channel x split\n")
    rows = []
    for v in ("scam", "legit", "spam"):
        for c in ("sms", "call"):
            ftr = {r["family"] for r in parts["train"] if r["verdict"] == v and r["channel"] == c}
            fte = {r["family"] for r in parts["test"] if r["verdict"] == v and r["channel"] == c}
            rows.append((v, c, len(ftr), len(fte), len(ftr) + len(fte)))
    print(table(["verdict", "channel", "train families", "test families", "total"], rows))

    print("\n### Scam rows per pattern (multi-label) and split\n")
    rows = []
    for p in PATTERNS:
        cnt = [sum(1 for r in parts[s] if p in r["patterns"] and r["channel"] == c) for s in ("train", "test") for c in ("sms", "call")]
        fams = {s: {r["family"] for r in parts[s] if p in r["patterns"]} for s in ("train", "test")}
        fsms = {r["family"] for r in allrows if p in r["patterns"] and r["channel"] == "sms"}
        fcall = {r["family"] for r in allrows if p in r["patterns"] and r["channel"] == "call"}
        rows.append((p, cnt[0], cnt[1], cnt[2], cnt[3], sum(cnt), len(fsms), len(fcall), len(fams["train"]), len(fams["test"])))
    print(table(["pattern", "train sms", "train call", "test sms", "test call", "total rows", "SMS families with it", "call families with it", "families in train", "families in test"], rows))

    n_pat = collections.Counter(len(r["patterns"]) for r in allrows if r["verdict"] == "scam")
    print("\nPatterns per scam row: " + ", ".join("%d: %d" % (k, n_pat[k]) for k in sorted(n_pat)))

    print("\n### Non-scam rows per sub-type (family group) and split\n")
    rows = []
    groups = sorted({r["family"].split(".")[0] for r in allrows if r["verdict"] != "scam"})
    for g in groups:
        v = next(r["verdict"] for r in allrows if r["family"].startswith(g + "."))
        tr = [r for r in parts["train"] if r["family"].startswith(g + ".")]
        te = [r for r in parts["test"] if r["family"].startswith(g + ".")]
        rows.append((g, v, len(tr), len(te), len({r["family"] for r in tr}), len({r["family"] for r in te})))
    print(table(["sub-type", "verdict", "train rows", "test rows", "train families", "test families"], rows))

    obf = sum(1 for r in allrows if r["verdict"] == "scam" and re.search(r"P0S|P O S|Pos |ＰＯＳ|P\.O\.S|p0s|薇信|V信|威信|VX|wx|微 信|[０-９％]|[費機銀聯換]|[🔥💰🎁📢✅❗⚠👉🧧💳⭐🎉📱✨💯🆓⏰📣❤🈶]|\b(fl|jh|yj|dl|sk|tx|xyk|yzm|yl|fx|js|dj|ty|hj)\b|[a-z]{1,3}(率|金|理|活)|(.)[ .·\-*_/](.)[ .·\-*_/]", r["text"]))
    nscam = sum(1 for r in allrows if r["verdict"] == "scam")
    print("\nScam rows with a visible obfuscation (heuristic): %d / %d (%.0f%%)" % (obf, nscam, 100.0 * obf / max(1, nscam)))
    calls = [r for r in allrows if r["channel"] == "call"]
    turns = [r["text"].count("\n") + 1 for r in calls]
    print("Call turns: min %d, max %d, mean %.1f" % (min(turns), max(turns), sum(turns) / len(turns)))
    size = sum(os.path.getsize(os.path.join(args.corpus, n + ".jsonl")) for n in ("train", "test"))
    print("Output size: %.2f MiB" % (size / 1048576))

    errs = checks(parts)
    print("\nChecks: %s" % ("all passed" if not errs else "%d problems" % len(errs)))
    for e in errs[:50]:
        print("  - " + e)
    return 1 if errs else 0


if __name__ == "__main__":
    sys.exit(main())
