#!/usr/bin/env python3
"""Side-by-side peer baselines for posguard.

Trains three classic text classifiers on exactly the data posguard's default
model is trained on and scores them on posguard's evaluation sets:

  * fastText, jieba word segmentation, wordNgrams=2
  * fastText, characters as tokens, wordNgrams=3
  * scikit-learn TF-IDF char (1,3)-grams + LogisticRegression, C tuned on a
    hash-carved validation split of the TRAINING data

Usage:
    python3 bench/peers/run_peers.py [--data-root .] [--out bench/peers/results.json]

Data files are read from --data-root and never copied anywhere; the only
temporary files (fastText training input) go to a TemporaryDirectory outside
the repo. Only aggregate metrics are written/printed.
"""

import argparse
import hashlib
import json
import os
import platform
import sys
import tempfile
import time

# Single-threaded numeric libraries everywhere: reproducible and comparable with
# a single-thread scorer. Must be set before numpy/scipy are imported.
for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_v] = "1"

import numpy as np  # noqa: E402

TRAIN_FILES = [
    "data/corpus/train.jsonl",
    "build/data/train/fbs_sms.jsonl",
    "build/data/train/mudou_spam.jsonl",
    "build/data/train/teleantifraud.jsonl",
]
EVAL_FILES = {
    "corpus_test": "data/corpus/test.jsonl",
    "fbs_sms_test": "build/data/eval/fbs_sms_test.jsonl",
    "mudou_spam_test": "build/data/eval/mudou_spam_test.jsonl",
    "teleantifraud_test": "build/data/eval/teleantifraud_test.jsonl",
    "telecom_fraud_texts_5": "build/data/eval/telecom_fraud_texts_5.jsonl",
}
LABELS = ["legit", "spam", "scam"]
LABEL_IX = {l: i for i, l in enumerate(LABELS)}
SCAM = LABEL_IX["scam"]
LEGIT = LABEL_IX["legit"]
FPR_TARGETS = [0.001, 0.005, 0.009]
SEED = 0
VAL_PERCENT = 10  # share of TRAINING rows (by text hash) held out for C tuning

# Hyperparameters, fixed a priori (no tuning on any evaluation set).
FT_COMMON = dict(epoch=25, lr=0.5, dim=100, loss="softmax", minCount=1,
                 bucket=2_000_000, thread=1, seed=SEED, verbose=0)
FT_WORD = dict(FT_COMMON, wordNgrams=2)
FT_CHAR = dict(FT_COMMON, wordNgrams=3)
TFIDF = dict(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=2,
             lowercase=True, dtype=np.float32)
C_GRID = [1.0, 4.0, 16.0, 64.0]


# ---------------------------------------------------------------- data

def load_jsonl(path):
    texts, ys = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            o = json.loads(line)
            v = o["verdict"]
            if v not in LABEL_IX:
                raise SystemExit(f"{path}: unknown verdict {v!r}")
            texts.append(o["text"])
            ys.append(LABEL_IX[v])
    return texts, np.array(ys, dtype=np.int64)


def is_val(text):
    h = hashlib.sha1(text.encode("utf-8")).digest()
    return int.from_bytes(h[:8], "big") % 100 < VAL_PERCENT


def ensure_data(root):
    missing = [p for p in TRAIN_FILES + list(EVAL_FILES.values())
               if not os.path.exists(os.path.join(root, p))]
    if not missing:
        return
    binary = os.path.join(root, "target/release/posguard")
    if any(p.startswith("build/") for p in missing) and os.path.exists(binary):
        import subprocess
        print("build/data missing; running posguard prepare", file=sys.stderr)
        subprocess.run([binary, "prepare", "--shared", "../shared/data",
                        "--out", "build/data"], cwd=root, check=True)
        missing = [p for p in missing if not os.path.exists(os.path.join(root, p))]
    if missing:
        raise SystemExit("missing data files: " + ", ".join(missing))


# ---------------------------------------------------------------- featurisers

def clean_ws(text):
    # fastText treats any whitespace as a token separator and a newline as the
    # end of an example, so collapse all whitespace runs to one space.
    return " ".join(text.split())


def chars_tokens(text):
    return " ".join(c for c in text if not c.isspace())


class JiebaSeg:
    def __init__(self):
        import jieba
        import logging
        jieba.setLogLevel(logging.WARNING)
        cache = os.path.join(tempfile.gettempdir(), "jieba.cache")
        self.cache_existed = os.path.exists(cache)
        t0 = time.perf_counter()
        jieba.initialize()
        self.load_seconds = time.perf_counter() - t0
        self._lcut = jieba.lcut

    def __call__(self, text):
        return " ".join(t for t in self._lcut(text) if not t.isspace() and t.strip())


# ---------------------------------------------------------------- models

class FastTextModel:
    def __init__(self, name, featurise, params):
        self.name, self.featurise, self.params = name, featurise, params
        self.model = None

    def fit(self, texts, ys, tmpdir):
        import fasttext
        path = os.path.join(tmpdir, f"{self.name}.train.txt")
        with open(path, "w", encoding="utf-8") as f:
            for t, y in zip(texts, ys):
                f.write(f"__label__{LABELS[y]} {self.featurise(t)}\n")
        self.model = fasttext.train_supervised(input=path, **self.params)
        os.remove(path)

    def _probs_from(self, labels_list, probs_list):
        out = np.zeros((len(labels_list), len(LABELS)), dtype=np.float64)
        for i, (ls, ps) in enumerate(zip(labels_list, probs_list)):
            for l, p in zip(ls, ps):
                out[i, LABEL_IX[l[len("__label__"):]]] = p
        return out

    def predict_proba(self, texts):
        feats = [self.featurise(t) for t in texts]
        labels, probs = self.model.predict(feats, k=-1)
        return self._probs_from(labels, probs)

    def predict_proba_one(self, text):
        labels, probs = self.model.predict([self.featurise(text)], k=-1)
        return self._probs_from(labels, probs)[0]

    def describe(self):
        return {k: v for k, v in self.params.items() if k != "verbose"}


class TfidfLR:
    name = "tfidf_char13_logreg"

    def __init__(self):
        self.vec = self.clf = None
        self.C = None
        self.tuning = {}

    def _fit(self, texts, ys, C):
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        vec = TfidfVectorizer(**TFIDF)
        X = vec.fit_transform(texts)
        clf = LogisticRegression(C=C, max_iter=1000, random_state=SEED)
        clf.fit(X, ys)
        return vec, clf

    def tune(self, texts, ys):
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.metrics import f1_score
        mask = np.array([is_val(t) for t in texts])
        tr = [t for t, m in zip(texts, mask) if not m]
        va = [t for t, m in zip(texts, mask) if m]
        vec = TfidfVectorizer(**TFIDF)
        Xtr = vec.fit_transform(tr)
        Xva = vec.transform(va)
        best = None
        for C in C_GRID:
            clf = LogisticRegression(C=C, max_iter=1000, random_state=SEED)
            clf.fit(Xtr, ys[~mask])
            f1 = f1_score(ys[mask], clf.predict(Xva), average="macro")
            self.tuning[str(C)] = round(float(f1), 5)
            if best is None or f1 > best[0]:
                best = (f1, C)
        self.C = best[1]
        return {"val_rows": int(mask.sum()), "train_rows": int((~mask).sum()),
                "val_macro_f1_by_C": self.tuning, "chosen_C": self.C}

    def fit(self, texts, ys, tmpdir=None):
        self.vec, self.clf = self._fit(texts, ys, self.C)

    def predict_proba(self, texts):
        P = self.clf.predict_proba(self.vec.transform(texts))
        out = np.zeros((len(texts), len(LABELS)))
        out[:, self.clf.classes_] = P
        return out

    def predict_proba_one(self, text):
        return self.predict_proba([text])[0]

    def describe(self):
        d = {k: (list(v) if isinstance(v, tuple) else v) for k, v in TFIDF.items()}
        d["dtype"] = "float32"
        d.update({"C": self.C, "max_iter": 1000, "solver": "lbfgs",
                  "n_features": len(self.vec.vocabulary_)})
        return d


# ---------------------------------------------------------------- metrics

def recall_at_fpr(p_scam, y, fpr):
    """Max scam recall with share of legit rows scoring >= threshold <= fpr.

    Oracle operating point: the threshold is chosen on the evaluated set."""
    legit = np.sort(p_scam[y == LEGIT])[::-1]
    scam = p_scam[y == SCAM]
    n = len(legit)
    k = int(np.floor(fpr * n + 1e-9))  # allowed false positives
    if k >= n:
        thr = -np.inf
    else:
        # flag only scores strictly above the (k+1)-th highest legit score;
        # ties with it stay unflagged so at most k legit rows are flagged.
        thr = np.nextafter(legit[k], np.inf)
    flagged_legit = int((p_scam[y == LEGIT] >= thr).sum())
    return {"recall": float((scam >= thr).mean()), "threshold": float(thr),
            "legit_flagged": flagged_legit, "legit_fpr": flagged_legit / n,
            "allowed_fp": k}


def metrics(y, P):
    from sklearn.metrics import average_precision_score, f1_score
    pred = P.argmax(axis=1)
    present = sorted(set(y.tolist()))
    n_scam = int((y == SCAM).sum())
    n_legit = int((y == LEGIT).sum())
    pred_scam = pred == SCAM
    m = {
        "rows": int(len(y)),
        "counts": {LABELS[c]: int((y == c).sum()) for c in present},
        "accuracy": float((pred == y).mean()),
        "macro_f1": float(f1_score(y, pred, labels=present, average="macro",
                                   zero_division=0)),
        "macro_f1_classes": [LABELS[c] for c in present],
        # undefined (None) when the set has no scam rows or nothing is predicted scam
        "scam_precision": (float((y[pred_scam] == SCAM).mean())
                           if pred_scam.any() and n_scam else None),
        "scam_recall": float(pred_scam[y == SCAM].mean()) if n_scam else None,
        "legit_fpr": float(pred_scam[y == LEGIT].mean()) if n_legit else None,
        "predicted": {LABELS[c]: int((pred == c).sum()) for c in range(len(LABELS))},
        "legit_rows_predicted_as": ({LABELS[c]: int((pred[y == LEGIT] == c).sum())
                                     for c in range(len(LABELS))} if n_legit else None),
        "scam_average_precision": (float(average_precision_score(y == SCAM, P[:, SCAM]))
                                   if n_scam else None),
    }
    if n_scam and n_legit:
        m["oracle_recall_at_legit_fpr"] = {
            f"{t * 100:.1f}%": recall_at_fpr(P[:, SCAM], y, t) for t in FPR_TARGETS}
    else:
        m["oracle_recall_at_legit_fpr"] = None
    return m


# ---------------------------------------------------------------- report

def fmt(x, pct=True):
    if x is None:
        return "—"
    return f"{x * 100:.1f}" if pct else f"{x:.3f}"


def table(results):
    cols = ["model", "set", "acc", "mF1", "scamP", "scamR", "legFPR", "leg>spam", "AP",
            "R@.1%", "R@.5%", "R@.9%"]
    rows = []
    for mname, mres in results["models"].items():
        for sname, s in mres["sets"].items():
            o = s["oracle_recall_at_legit_fpr"] or {}
            lp = s["legit_rows_predicted_as"]
            leg_spam = lp["spam"] / s["counts"]["legit"] if lp else None
            rows.append([mname, sname, fmt(s["accuracy"]), fmt(s["macro_f1"]),
                         fmt(s["scam_precision"]), fmt(s["scam_recall"]),
                         fmt(s["legit_fpr"]), fmt(leg_spam), fmt(s["scam_average_precision"]),
                         *(fmt(o[k]["recall"]) if k in o else "—"
                           for k in ("0.1%", "0.5%", "0.9%"))])
    w = [max(len(str(r[i])) for r in rows + [cols]) for i in range(len(cols))]
    line = lambda r: "| " + " | ".join(str(c).ljust(w[i]) for i, c in enumerate(r)) + " |"
    out = [line(cols), "|" + "|".join("-" * (x + 2) for x in w) + "|"]
    out += [line(r) for r in rows]
    out.append("")
    out.append("| model | train s (cpu s) | C-tuning s (cpu s) | msgs/s batch (per cpu s) "
               "| msgs/s one-by-one |")
    out.append("|---|---|---|---|---|")
    for mname, m in results["models"].items():
        tune = (f"{m['tune_seconds']:.1f} ({m['tune_cpu_seconds']:.1f})"
                if "tune_seconds" in m else "—")
        out.append(f"| {mname} | {m['train_seconds']:.1f} ({m['train_cpu_seconds']:.1f}) | "
                   f"{tune} | {m['throughput_msgs_per_s']:.0f} "
                   f"({m['throughput_cpu_msgs_per_s']:.0f}) | "
                   f"{m['throughput_one_by_one_msgs_per_s']:.0f} |")
    return "\n".join(out)


def machine_info(jieba_seg):
    import fasttext  # noqa: F401
    import jieba
    import scipy
    import sklearn
    from importlib.metadata import version
    try:
        cpu_model = next(l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo")
                         if l.startswith("model name"))
    except Exception:
        cpu_model = platform.processor()
    return {
        "cpu_count": os.cpu_count(),
        "cpu_model": cpu_model,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "libs": {"fasttext": version("fasttext"), "numpy": np.__version__,
                 "scipy": scipy.__version__, "scikit-learn": sklearn.__version__,
                 "jieba": jieba.__version__},
        "threads": "fastText thread=1; OMP/OPENBLAS/MKL_NUM_THREADS=1",
        "jieba_load_seconds": round(jieba_seg.load_seconds, 3),
        "loadavg_at_start": list(os.getloadavg()),
        "jieba_cache_existed": jieba_seg.cache_existed,
        "date_utc": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime()),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data-root", default=".")
    ap.add_argument("--out", default="bench/peers/results.json")
    ap.add_argument("--models", default="fasttext_word_jieba,fasttext_char,tfidf_char13_logreg",
                    help="comma-separated subset of models to run")
    args = ap.parse_args()
    np.random.seed(SEED)
    t_start = time.perf_counter()

    ensure_data(args.data_root)
    train_texts, train_y = [], []
    for p in TRAIN_FILES:
        t, y = load_jsonl(os.path.join(args.data_root, p))
        train_texts += t
        train_y.append(y)
    train_y = np.concatenate(train_y)
    evals = {n: load_jsonl(os.path.join(args.data_root, p)) for n, p in EVAL_FILES.items()}
    n_eval = sum(len(t) for t, _ in evals.values())
    print(f"train rows: {len(train_texts)}  eval rows: {n_eval} "
          f"({', '.join(f'{n}={len(t)}' for n, (t, _) in evals.items())})", flush=True)

    seg = JiebaSeg()
    print(f"jieba load: {seg.load_seconds:.2f}s (cache existed: {seg.cache_existed})", flush=True)

    all_models = {
        "fasttext_word_jieba": lambda: FastTextModel("fasttext_word_jieba", seg, FT_WORD),
        "fasttext_char": lambda: FastTextModel("fasttext_char", chars_tokens, FT_CHAR),
        "tfidf_char13_logreg": TfidfLR,
    }
    wanted = [m for m in args.models.split(",") if m]
    results = {"machine": machine_info(seg), "data": {
        "train_files": TRAIN_FILES, "train_rows": len(train_texts),
        "train_counts": {l: int((train_y == i).sum()) for i, l in enumerate(LABELS)},
        "eval_files": EVAL_FILES,
        "validation_split": f"sha1(text) % 100 < {VAL_PERCENT} of training rows (TF-IDF C only)",
    }, "models": {}}

    # All eval texts, concatenated, for throughput.
    all_eval_texts = [t for texts, _ in evals.values() for t in texts]

    with tempfile.TemporaryDirectory(prefix="posguard_peers_") as tmp:
        for name in wanted:
            model = all_models[name]()
            r = {}
            if isinstance(model, TfidfLR):
                t0, c0 = time.perf_counter(), time.process_time()
                r["tuning"] = model.tune(train_texts, train_y)
                r["tune_seconds"] = time.perf_counter() - t0
                r["tune_cpu_seconds"] = time.process_time() - c0
                print(f"[{name}] tuning {r['tuning']['val_macro_f1_by_C']} -> C={model.C} "
                      f"({r['tune_seconds']:.1f}s)", flush=True)
            t0, c0 = time.perf_counter(), time.process_time()
            model.fit(train_texts, train_y, tmp)
            r["train_seconds"] = time.perf_counter() - t0
            r["train_cpu_seconds"] = time.process_time() - c0
            r["params"] = model.describe()
            print(f"[{name}] trained in {r['train_seconds']:.1f}s", flush=True)

            # Throughput: featurisation + scoring of every eval message, batched.
            t0, c0 = time.perf_counter(), time.process_time()
            P_all = model.predict_proba(all_eval_texts)
            dt = time.perf_counter() - t0
            r["throughput_msgs_per_s"] = len(all_eval_texts) / dt
            r["throughput_cpu_msgs_per_s"] = len(all_eval_texts) / (time.process_time() - c0)
            r["throughput_rows"] = len(all_eval_texts)
            # One call per message (latency-style), on the same messages.
            t0 = time.perf_counter()
            for t in all_eval_texts:
                model.predict_proba_one(t)
            r["throughput_one_by_one_msgs_per_s"] = len(all_eval_texts) / (time.perf_counter() - t0)
            print(f"[{name}] {r['throughput_msgs_per_s']:.0f} msgs/s batched, "
                  f"{r['throughput_one_by_one_msgs_per_s']:.0f} msgs/s one-by-one", flush=True)

            r["sets"] = {}
            off = 0
            for sname, (texts, y) in evals.items():
                P = P_all[off:off + len(texts)]
                off += len(texts)
                r["sets"][sname] = metrics(y, P)
            results["models"][name] = r

    results["total_seconds"] = time.perf_counter() - t_start
    results["machine"]["loadavg_at_end"] = list(os.getloadavg())
    results["notes"] = [
        "Default decision = argmax over {legit, spam, scam}.",
        "oracle_recall_at_legit_fpr: threshold on P(scam) chosen ON THE EVALUATED SET "
        "(oracle operating point, optimistic); legit FPR = legit rows with P(scam) >= thr "
        "/ legit rows; spam rows are ignored for FPR.",
        "legit_fpr at default = share of legit rows predicted scam; leg>spam in the "
        "table = share of legit rows predicted spam (not counted in legit_fpr).",
        "throughput: single thread, all eval sets concatenated, includes segmentation/"
        "featurisation; jieba dictionary load time is reported separately in machine. "
        "*_cpu_* figures use process CPU time and are less sensitive to other load "
        "on the machine (see loadavg_at_start/end).",
    ]
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(results, f, indent=2, ensure_ascii=False)
        f.write("\n")
    print()
    print(table(results))
    print(f"\njieba load {seg.load_seconds:.2f}s; total {results['total_seconds']:.0f}s; "
          f"wrote {args.out}")


if __name__ == "__main__":
    main()
