#!/usr/bin/env python3
"""Where `posguard score` spends its work, per message and per pipeline stage.

    python3 bench/profile.py [--small 5000] [--large 20000] [--channel sms] [--evidence]
                             [--posguard BIN] [--out FILE.md]

Runs `posguard score` (one rayon thread, JSONL in, JSONL out to stdout, discarded;
`--no-evidence` unless `--evidence`) under valgrind's callgrind on two generated inboxes
(bench/gen_inbox.py) of `--small` and `--large` messages, and reads the inclusive instruction counts of the functions that are the
stages of the pipeline. The steady-state cost of one message is the difference between the two runs
divided by the difference in messages, so start-up (loading the model, the dictionary, building
the automata) cancels out; start-up is reported on its own.

Instruction counts, not seconds: they do not depend on the load of the machine and are the same on
every run, which is what comparing two versions of the code needs. On this 2-core machine one core
retires about 5.5-6 billion of these instructions per second in this program, so 100,000 messages
per second on 2 cores needs about 110,000 instructions per message, all stages together.

Not a test. Needs valgrind (callgrind_annotate) and a release build (built here unless --posguard).
"""
import argparse
import os
import re
import subprocess
import sys

# Stage → the function whose inclusive cost is that stage (names as callgrind_annotate prints them).
STAGES = [
    ("read JSONL records", "<posguard::io::jsonl::JsonlReader<R> as core::iter::traits::iterator::Iterator>::next"),
    ("normalise", "posguard::normalize::Normalizer::normalize"),
    ("tokenise (jieba)", "posguard::tokenize::Tokenizer::tokenize"),
    ("official-contact check", "posguard::contacts::check"),
    ("rule signals", "posguard::signals::detect_with"),
    ("quotations", "posguard::features::quoted_spans"),
    ("vectorise (TF-IDF)", "posguard::features::Vectorizer::vectorize"),
    ("vectorise with spans (evidence)", "posguard::features::Vectorizer::vectorize_with_spans"),
    ("model: ONNX graph on tract", "posguard::model::Model::predict"),
    ("evidence", "posguard::explain::evidence"),
    ("write JSONL rows", "<posguard::io::writer::JsonlWriter<W> as posguard::io::writer::ResultWriter>::write"),
]
CLASSIFY = "posguard::Classifier::classify_batch"
ANALYSIS = "posguard::features::Analysis::new"
LINE = re.compile(r"^\s*([\d,]+)\s+\([^)]*\)\s+(?:\*\s+)?[^:]*:(.*?)(?:\s+\[[^\]]*\])?\s*$")


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


def profile(binary, inbox, out_file, evidence):
    # Rows go to stdout, discarded (not `-o /dev/null`: posguard before 2026-11-27 wrote
    # `-o FILE` as FILE.partial renamed over FILE, which as root replaced /dev/null itself).
    cmd = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out_file}", binary, "score",
           "--no-progress", inbox]
    if not evidence:
        cmd.append("--no-evidence")
    env = dict(os.environ, RAYON_NUM_THREADS="1")
    p = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if p.returncode not in (0, 3):  # 3: some records failed (none should here)
        sys.exit(f"callgrind run failed ({p.returncode}):\n{p.stderr[-2000:]}")
    total = None
    for line in p.stderr.splitlines():
        m = re.search(r"I\s+refs:\s+([\d,]+)", line)
        if m:
            total = int(m.group(1).replace(",", ""))
    ann = subprocess.run(["callgrind_annotate", "--inclusive=yes", "--threshold=100", out_file],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, check=True)
    costs = {}
    for line in ann.stdout.splitlines():
        m = LINE.match(line)
        if m:
            name = m.group(2).strip()
            costs[name] = max(costs.get(name, 0), int(m.group(1).replace(",", "")))
    if total is None:
        sys.exit("callgrind printed no instruction total")
    return total, costs


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--small", type=int, default=5000)
    ap.add_argument("--large", type=int, default=20000)
    ap.add_argument("--channel", default="sms", choices=["sms", "call", "all"])
    ap.add_argument("--evidence", action="store_true", help="score with evidence (the default of `score`)")
    ap.add_argument("--posguard", help="binary to profile (default: build target/release/posguard)")
    ap.add_argument("--out", help="also write the table to this Markdown file")
    args = ap.parse_args()
    if args.large <= args.small:
        sys.exit("--large must be larger than --small")
    os.chdir(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    for tool in ("valgrind", "callgrind_annotate"):
        if subprocess.run(["which", tool], stdout=subprocess.DEVNULL).returncode != 0:
            sys.exit(f"{tool} is not installed")
    binary = args.posguard
    if not binary:
        run(["cargo", "build", "--release", "--quiet"])
        binary = "target/release/posguard"
    work = "target/bench-profile"
    os.makedirs(work, exist_ok=True)
    results = {}
    for n in (args.small, args.large):
        inbox = f"{work}/inbox-{args.channel}-{n}.jsonl"
        if not os.path.exists(inbox):
            run([sys.executable, "bench/gen_inbox.py", str(n), inbox, args.channel])
        print(f"callgrind: {n} messages…", file=sys.stderr)
        results[n] = profile(binary, inbox, f"{work}/callgrind-{n}.out", args.evidence)

    (t_s, c_s), (t_l, c_l) = results[args.small], results[args.large]
    dn = args.large - args.small
    per_msg = lambda name: (c_l.get(name, 0) - c_s.get(name, 0)) / dn  # noqa: E731
    total = (t_l - t_s) / dn
    rows = []
    for label, fn in STAGES:
        v = per_msg(fn)
        if v > 0:
            rows.append((label, v))
    inner = sum(per_msg(fn) for fn in (ANALYSIS,)) + sum(
        per_msg(fn) for _, fn in STAGES
        if fn.startswith("posguard::features::Vectorizer") or fn.startswith("posguard::model")
        or fn == "posguard::explain::evidence")
    rows.append(("verdict, advice, rest of classify", per_msg(CLASSIFY) - inner))
    analysis_parts = sum(per_msg(fn) for _, fn in STAGES[1:6])
    rows.append(("rest of the analysis", per_msg(ANALYSIS) - analysis_parts))
    accounted = sum(v for _, v in rows)
    rows.append(("batching, threads, allocation, other", total - accounted))
    startup = t_s - total * args.small

    mode = "with evidence" if args.evidence else "`--no-evidence`"
    lines = [
        f"Steady-state instructions per message, `posguard score` {mode}, JSONL in and out, one thread, "
        f"{args.channel} inbox (callgrind: {args.large:,} minus {args.small:,} messages; "
        f"`python3 bench/profile.py{' --evidence' if args.evidence else ''}`).",
        "",
        "| stage | instructions per message | share |",
        "|---|---:|---:|",
    ]
    for label, v in rows:
        lines.append(f"| {label} | {v:,.0f} | {100 * v / total:.1f}% |")
    lines.append(f"| **total** | **{total:,.0f}** | 100% |")
    lines.append("")
    lines.append(f"Start-up (model, dictionary, automata; once per run): {startup / 1e6:,.0f} million instructions.")
    text = "\n".join(lines)
    print(text)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as fh:
            fh.write(text + "\n")


if __name__ == "__main__":
    main()
