#!/usr/bin/env python3
"""Paired comparison of two models on the same labelled rows: is A better than B, or within noise?

Reads the labelled set (JSONL with `verdict`) and each model's `posguard score` output on it (one
row per input record, same order). Prints, for A − B:
  * errors at each model's own decision (3-class verdict wrong), with an exact two-sided McNemar
    test on the rows where exactly one of the two is wrong;
  * legit rows flagged scam, and scam rows missed, each with McNemar;
  * scam recall at legit FPR <= 0.5% (computed as `posguard eval` does) and average precision of
    p_scam for scam vs legit, each with a paired bootstrap 95% interval (rows resampled within
    each class, 2,000 rounds, fixed seed).

  scripts/paired-compare.py LABELLED.jsonl A_SCORES.jsonl B_SCORES.jsonl [--json]

Used by scripts/rules-vs-model.sh for the shipped design against n-grams alone. Needs only the
Python standard library.
"""
import json
import math
import random
import sys


def load(path):
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def recall_at_fpr(legit, scam, limit=0.005):
    legit = sorted(legit, reverse=True)
    allowed = math.floor(limit * len(legit))
    thr = legit[min(allowed, len(legit) - 1)]
    return sum(p > thr for p in scam) / len(scam)


def average_precision(legit, scam):
    rows = sorted([(p, 1) for p in scam] + [(p, 0) for p in legit], key=lambda r: -r[0])
    tp = fp = 0
    ap = 0.0
    i = 0
    while i < len(rows):
        j = i
        while j < len(rows) and rows[j][0] == rows[i][0]:
            j += 1
        pos = sum(r[1] for r in rows[i:j])
        tp += pos
        fp += (j - i) - pos
        ap += pos / len(scam) * (tp / (tp + fp))
        i = j
    return ap


def binom_two_sided(k, n):
    """Exact two-sided McNemar p-value: k of n discordant rows went one way."""
    if n == 0:
        return 1.0
    k = min(k, n - k)
    tail = sum(math.comb(n, i) for i in range(k + 1)) / 2**n
    return min(1.0, 2 * tail)


def mcnemar(a_wrong, b_wrong):
    only_a = sum(a and not b for a, b in zip(a_wrong, b_wrong))
    only_b = sum(b and not a for a, b in zip(a_wrong, b_wrong))
    return {
        "a": sum(a_wrong),
        "b": sum(b_wrong),
        "only_a": only_a,
        "only_b": only_b,
        "p": binom_two_sided(only_a, only_a + only_b),
    }


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    as_json = "--json" in sys.argv
    if len(args) != 3:
        sys.exit(__doc__)
    truth = [r["verdict"] for r in load(args[0])]
    a, b = load(args[1]), load(args[2])
    if not (len(truth) == len(a) == len(b)):
        sys.exit(f"row counts differ: {len(truth)} labelled, {len(a)} and {len(b)} scored")
    for side in (a, b):
        bad = [r for r in side if "verdict" not in r]
        if bad:
            sys.exit(f"{len(bad)} scored rows are error records, e.g. record {bad[0].get('record')}")
    out = {"rows": len(truth)}
    out["errors"] = mcnemar([r["verdict"] != t for r, t in zip(a, truth)],
                            [r["verdict"] != t for r, t in zip(b, truth)])
    legit_idx = [i for i, t in enumerate(truth) if t == "legit"]
    scam_idx = [i for i, t in enumerate(truth) if t == "scam"]
    if legit_idx:
        out["legit_flagged_scam"] = mcnemar([a[i]["verdict"] == "scam" for i in legit_idx],
                                            [b[i]["verdict"] == "scam" for i in legit_idx])
    if scam_idx:
        out["scam_missed"] = mcnemar([a[i]["verdict"] != "scam" for i in scam_idx],
                                     [b[i]["verdict"] != "scam" for i in scam_idx])
    if legit_idx and scam_idx:
        rng = random.Random(20261127)
        pa = [r["p_scam"] for r in a]
        pb = [r["p_scam"] for r in b]

        def metrics(li, si):
            la, sa = [pa[i] for i in li], [pa[i] for i in si]
            lb, sb = [pb[i] for i in li], [pb[i] for i in si]
            return (recall_at_fpr(la, sa) - recall_at_fpr(lb, sb),
                    average_precision(la, sa) - average_precision(lb, sb))

        base = metrics(legit_idx, scam_idx)
        draws = []
        for _ in range(2000):
            li = [rng.choice(legit_idx) for _ in legit_idx]
            si = [rng.choice(scam_idx) for _ in scam_idx]
            draws.append(metrics(li, si))
        for k, name in enumerate(["recall_at_fpr_0.5", "average_precision"]):
            d = sorted(x[k] for x in draws)
            out[name] = {"a_minus_b": base[k], "ci95": [d[49], d[1949]]}
    if as_json:
        print(json.dumps(out, indent=2))
        return
    print(f"{out['rows']} rows")
    for k in ("errors", "legit_flagged_scam", "scam_missed"):
        if k in out:
            m = out[k]
            print(f"  {k}: A {m['a']}, B {m['b']} (only A wrong {m['only_a']}, only B wrong "
                  f"{m['only_b']}; McNemar p = {m['p']:.3g})")
    for k in ("recall_at_fpr_0.5", "average_precision"):
        if k in out:
            m = out[k]
            print(f"  {k}: A − B = {100 * m['a_minus_b']:+.2f} points "
                  f"(95% CI {100 * m['ci95'][0]:+.2f} to {100 * m['ci95'][1]:+.2f})")


if __name__ == "__main__":
    main()
