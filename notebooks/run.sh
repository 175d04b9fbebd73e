#!/usr/bin/env bash
# Re-execute notebooks/corpus_and_results.ipynb in place; its outputs are stored in the file.
#
# usage: notebooks/run.sh [METRICS_JSON]
#   METRICS_JSON  metrics.json written by `posguard eval --report DIR`; relative paths are taken
#                 from the current directory. Default: $POSGUARD_METRICS, else models/eval/metrics.json.
#                 If the file is missing, the notebook says so and skips the evaluation plots.
# env:
#   NB_PYTHON=python3   interpreter that runs jupyter and the kernel (e.g. a venv's python)
#   NB_NO_INSTALL=1     do not `pip install -r notebooks/requirements.txt` first
set -euo pipefail

if [ $# -gt 1 ] || [ "${1:-}" = "-h" ] || [ "${1:-}" = "--help" ]; then
    sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'
    [ $# -gt 1 ] && exit 2 || exit 0
fi

abs() { case "$1" in /*) printf '%s\n' "$1" ;; *) printf '%s\n' "$PWD/$1" ;; esac; }
if [ $# -eq 1 ]; then
    export POSGUARD_METRICS="$(abs "$1")"
elif [ -n "${POSGUARD_METRICS:-}" ]; then
    export POSGUARD_METRICS="$(abs "$POSGUARD_METRICS")"
fi

cd "$(dirname "$0")/.."
PY="${NB_PYTHON:-python3}"
if [ "${NB_NO_INSTALL:-0}" != 1 ]; then
    "$PY" -m pip install -q -r notebooks/requirements.txt
fi
echo "metrics: ${POSGUARD_METRICS:-models/eval/metrics.json (default)}"
"$PY" -m jupyter nbconvert --to notebook --execute --inplace \
    --ExecutePreprocessor.timeout=900 notebooks/corpus_and_results.ipynb
