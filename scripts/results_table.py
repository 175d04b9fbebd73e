#!/usr/bin/env python3
"""Prints the model card's results table (markdown) from measured files:
posguard's `models/eval/metrics.json` (written by scripts/build-default-model.sh) and the peers'
`bench/peers/results.json` (written by bench/peers/run_peers.py).

usage: python3 scripts/results_table.py [METRICS_JSON] [PEERS_JSON]
"""
import json
import sys

metrics_path = sys.argv[1] if len(sys.argv) > 1 else "models/eval/metrics.json"
peers_path = sys.argv[2] if len(sys.argv) > 2 else "bench/peers/results.json"

# posguard set name -> peers' set name
SETS = [
    ("test", "corpus_test", "corpus test (family split)"),
    ("fbs_sms_test", "fbs_sms_test", "fbs_sms test"),
    ("mudou_spam_test", "mudou_spam_test", "mudou_spam test"),
    ("teleantifraud_test", "teleantifraud_test", "teleantifraud test"),
    ("telecom_fraud_texts_5", "telecom_fraud_texts_5", "telecom_fraud_texts_5 (all)"),
]


def pct(x):
    return "—" if x is None else f"{100 * x:.1f}"


def ours(r):
    at = {round(a["max_legit_fpr"], 4): a["scam_recall"] for a in r.get("recall_at_legit_fpr", [])}
    has_scam = r["per_class"][2]["support"] > 0
    has_legit = r["per_class"][0]["support"] > 0
    return [
        pct(r["accuracy"]), pct(r["macro_f1_present"]),
        pct(r["scam_precision"]) if has_scam else "—", pct(r["scam_recall"]) if has_scam else "—",
        pct(r["legit_fpr"]) if has_legit else "—", pct(r["average_precision"]) if has_scam else "—",
        pct(at.get(0.001)), pct(at.get(0.005)), pct(at.get(0.009)),
    ]


def peer(s):
    o = s.get("oracle_recall_at_legit_fpr") or {}
    g = lambda k: (o.get(k) or {}).get("recall")
    has_scam = s.get("counts", {}).get("scam", 0) > 0
    has_legit = s.get("counts", {}).get("legit", 0) > 0
    return [
        pct(s.get("accuracy")), pct(s.get("macro_f1")),
        pct(s.get("scam_precision")) if has_scam else "—", pct(s.get("scam_recall")) if has_scam else "—",
        pct(s.get("legit_fpr")) if has_legit else "—", pct(s.get("scam_average_precision")) if has_scam else "—",
        pct(g("0.1%")), pct(g("0.5%")), pct(g("0.9%")),
    ]


def main():
    m = json.load(open(metrics_path))
    by_name = {r["name"]: r for r in m["sets"]}
    try:
        peers = json.load(open(peers_path))["models"]
    except FileNotFoundError:
        peers = {}
    head = "| set | model | accuracy | macro-F1 | scam P | scam R | legit FPR | AP | R@FPR≤0.1% | R@0.5% | R@0.9% |"
    print(head)
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for ours_name, peer_name, label in SETS:
        if ours_name in by_name:
            print(f"| {label} | **posguard** | " + " | ".join(ours(by_name[ours_name])) + " |")
        for pname, p in peers.items():
            s = p.get("sets", {}).get(peer_name)
            if s:
                print(f"| | {pname} | " + " | ".join(peer(s)) + " |")
    print()
    print("Percentages. Default decision: posguard's calibrated threshold, peers' argmax. R@FPR≤x: scam recall at the")
    print("threshold that keeps legit false positives within x on that same set (an oracle operating point for")
    print("comparing models at equal false-alarm rates). macro-F1 is over the classes present in the set.")


if __name__ == "__main__":
    main()
