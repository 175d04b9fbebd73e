#!/usr/bin/env bash
# End-to-end batch scoring speed: `posguard score --no-evidence` on a generated JSONL inbox of N
# messages (default 1,000,000; texts from data/corpus/*.jsonl with varied ids and senders; SMS
# only by default, as issue 4's target is SMS per second, CHANNEL=all adds the call scripts), with 1
# and 2 rayon threads; reports messages/s (per wall second and per CPU second) and peak RSS
# (/usr/bin/time -v). Then, in the same run on the same file, fastText (Python, characters as
# tokens, trained on data/corpus/train.jsonl; bench/peers/fasttext_batch.py) reads the same JSONL
# and writes a JSONL row per message on one thread, and the posguard/fastText ratios are printed.
# Not a test: numbers depend on the machine and on what else runs on it (the load is printed; the
# per-CPU-second figures are the ones to trust on a busy machine).
#
#   bench/batch.sh [N] [EXTRA SCORE ARGS…]      e.g. bench/batch.sh 200000 --batch-size 4096
#
# Environment: CHANNEL=sms|call|all (default sms), THREADS="1 2" (thread counts to try),
# POSGUARD=path/to/binary (default: release build), BENCH_DIR (default target/bench-batch),
# KEEP=1 keeps the outputs, FASTTEXT=0 skips fastText (its venv is made under target/peers-venv
# on first use: fasttext 0.9.3, numpy 1.26.4 from PyPI).
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-1000000}"
shift || true
THREADS="${THREADS:-1 2}"
DIR="${BENCH_DIR:-target/bench-batch}"
mkdir -p "$DIR"
CHANNEL="${CHANNEL:-sms}"
INPUT="$DIR/inbox-$CHANNEL-$N.jsonl"

if [[ -z "${POSGUARD:-}" ]]; then
  cargo build --release --quiet
  POSGUARD=target/release/posguard
fi

if [[ ! -s "$INPUT" ]]; then
  echo "generating $INPUT ($N messages)…" >&2
  python3 bench/gen_inbox.py "$N" "$INPUT" "$CHANNEL"
fi

bytes=$(stat -c %s "$INPUT")
echo "input: $INPUT, $N messages ($CHANNEL), $((bytes / 1048576)) MiB; $(nproc) cores; load: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-8s %10s %12s %12s %14s %10s\n' threads seconds 'msgs/s' 'CPU s' 'msgs/CPU-s' 'max RSS MB'
declare -A RATE CPURATE
for t in $THREADS; do
  log="$DIR/time-$t.log"
  RAYON_NUM_THREADS=$t /usr/bin/time -v "$POSGUARD" score --no-evidence --no-progress "$INPUT" \
    -o "$DIR/out-$t.jsonl" "$@" 2>"$log" >/dev/null || { rc=$?; [[ $rc == 3 ]] || { cat "$log"; exit $rc; }; }
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$log")
  cpu=$(awk -F': ' '/User time/ {u=$2} /System time/ {s=$2} END {print u+s}' "$log")
  rss=$(awk -F': ' '/Maximum resident set size/ {print int($2/1024)}' "$log")
  rows=$(wc -l <"$DIR/out-$t.jsonl")
  [[ "$rows" == "$N" ]] || { echo "expected $N output rows, got $rows" >&2; exit 1; }
  RATE[$t]=$(echo "$N / $wall" | bc -l)
  CPURATE[$t]=$(echo "$N / $cpu" | bc -l)
  printf '%-8s %10.2f %12.0f %12.2f %14.0f %10s\n' "$t" "$wall" "${RATE[$t]}" "$cpu" "${CPURATE[$t]}" "$rss"
done

if [[ "${FASTTEXT:-1}" != 0 ]]; then
  VENV=target/peers-venv
  if ! "$VENV/bin/python" -c 'import fasttext, numpy' 2>/dev/null; then
    echo "setting up $VENV (fasttext 0.9.3, numpy 1.26.4)…" >&2
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q "fasttext==0.9.3" "numpy==1.26.4"
  fi
  ft=$("$VENV/bin/python" bench/peers/fasttext_batch.py "$INPUT" "$DIR/out-fasttext.jsonl" \
    --model "$DIR/fasttext-char.bin")
  ft_rate=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["msgs_per_s"])' "$ft")
  ft_cpu=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["cpu_seconds"])' "$ft")
  ft_cpurate=$(echo "$N / $ft_cpu" | bc -l)
  printf '%-8s %10.2f %12.0f %12.2f %14.0f %10s\n' fastText "$(echo "$N / $ft_rate" | bc -l)" \
    "$ft_rate" "$ft_cpu" "$ft_cpurate" -
  for t in $THREADS; do
    printf 'posguard %s thread(s) / fastText 1 thread: %.2f (wall), %.2f (per CPU second)\n' "$t" \
      "$(echo "${RATE[$t]} / $ft_rate" | bc -l)" "$(echo "${CPURATE[$t]} / $ft_cpurate" | bc -l)"
  done
fi
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
[[ -n "${KEEP:-}" ]] || rm -f "$DIR"/out-*.jsonl
