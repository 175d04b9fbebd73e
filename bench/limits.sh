#!/usr/bin/env bash
# Peak memory (max RSS) and time of `posguard` on hostile inputs: 2 GB files (JSONL, XML, one
# 2 GB line), a CSV with a 100 MB field, a 10 MB message on classify's stdin. The readers stream
# and cap every record (see "Limits" in README.md), so peak RSS must stay far below the input size.
#
#   bench/limits.sh                      # uses target/release/posguard (built if missing)
#   POSGUARD=target/debug/posguard bench/limits.sh
#   SIZE_MB=512 bench/limits.sh          # smaller "large" files
#
# Files are generated under target/limits/ (about SIZE_MB at a time) and deleted afterwards.
# Needs GNU time (/usr/bin/time -v) and python3.
set -euo pipefail
cd "$(dirname "$0")/.."

SIZE_MB=${SIZE_MB:-2048}
BIN=${POSGUARD:-target/release/posguard}
if [[ ! -x $BIN ]]; then
  cargo build --release --bin posguard
fi
[[ -x /usr/bin/time ]] || { echo "needs GNU time at /usr/bin/time" >&2; exit 1; }
DIR=target/limits
mkdir -p "$DIR"
trap 'rm -rf "$DIR"' EXIT

# run NAME CMD...: prints peak RSS, wall time and the row/exit summary.
run() {
  local name=$1
  shift
  local out="$DIR/out.jsonl"
  set +e
  /usr/bin/time -v "$@" >"$out" 2>"$DIR/time.txt"
  local code=$?
  set -e
  local rss wall rows
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$DIR/time.txt")
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$DIR/time.txt")
  rows=$(wc -l <"$out")
  printf '%-34s exit %s  rows %7s  peak RSS %6d MiB  wall %s\n' "$name" "$code" "$rows" $((rss / 1024)) "$wall"
  grep -o '"error":"[^"]*"' "$out" | sort | uniq -c | head -3 | sed 's/^/    /' || true
}

gen() { python3 - "$@"; }

echo "posguard: $BIN; large files: $SIZE_MB MB"

# 1. ~2 GB JSONL: one scam message per line, each line padded to 1 MiB with spaces (JSON
#    whitespace), so there are SIZE_MB records to score but the file is large.
gen "$DIR/big.jsonl" "$SIZE_MB" <<'EOF'
import sys
path, mb = sys.argv[1], int(sys.argv[2])
msg = '{"text":"【POS服务中心】您的POS机备案到期即将停用，回复1免费更换0.38%费率新机"}'
line = (msg + ' ' * ((1 << 20) - len(msg.encode()) - 1) + '\n').encode()
with open(path, 'wb') as f:
    for _ in range(mb):
        f.write(line)
EOF
run "JSONL ${SIZE_MB} MB, 1 MiB lines" "$BIN" score "$DIR/big.jsonl" --no-evidence
rm -f "$DIR/big.jsonl"

# 2. ~2 GB JSONL that is one line with no newline: an error record, memory capped by the line
#    limit (16 MiB).
gen "$DIR/oneline.jsonl" "$SIZE_MB" <<'EOF'
import sys
path, mb = sys.argv[1], int(sys.argv[2])
chunk = ('{"text":"' + 'x' * ((1 << 20) - 9)).encode()[: 1 << 20]
with open(path, 'wb') as f:
    f.write(b'{"text":"')
    for _ in range(mb):
        f.write(b'x' * (1 << 20))
EOF
run "JSONL ${SIZE_MB} MB, a single line" "$BIN" score "$DIR/oneline.jsonl" --no-evidence
rm -f "$DIR/oneline.jsonl"

# 3. ~2 GB SMS Backup & Restore XML: one <sms> per MiB, 1 MiB of whitespace between them.
gen "$DIR/big.xml" "$SIZE_MB" <<'EOF'
import sys
path, mb = sys.argv[1], int(sys.argv[2])
sms = '<sms address="10690000" date="1700000000000" type="1" body="【POS服务中心】您的POS机备案到期即将停用，回复1免费更换0.38%费率新机" />'
unit = (sms + '\n' + ' ' * ((1 << 20) - len(sms.encode()) - 2) + '\n').encode()
with open(path, 'wb') as f:
    f.write(b"<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n<smses count=\"%d\">\n" % mb)
    for _ in range(mb):
        f.write(unit)
    f.write(b'</smses>\n')
EOF
run "XML ${SIZE_MB} MB" "$BIN" score "$DIR/big.xml" --no-evidence
rm -f "$DIR/big.xml"

# 4. CSV with a 100 MB quoted field (over the 16 MiB record limit): an error record, the rows
#    after it scored with their right line numbers.
gen "$DIR/field.csv" <<'EOF'
import sys
with open(sys.argv[1], 'wb') as f:
    f.write('id,text\n1,您的POS机备案到期，回复1免费换机\n2,"'.encode())
    for _ in range(100):
        f.write(b'y' * 999_999 + b'\n')
    f.write('"\n3,押金299元刷满返还\n'.encode())
EOF
run "CSV with a 100 MB field" "$BIN" score "$DIR/field.csv" --no-evidence
grep -o '"line":[0-9]*' "$DIR/out.jsonl" | tr '\n' ' ' | sed 's/^/    lines: /'; echo
rm -f "$DIR/field.csv"

# 5. A 10 MB message on classify's stdin: cut to 20,000 characters.
gen "$DIR/msg.txt" <<'EOF'
import sys
unit = '老板您好POS机费率调整通知请回复'
with open(sys.argv[1], 'w') as f:
    f.write(unit * (10_000_000 // len(unit.encode()) + 1))
EOF
run "classify, 10 MB on stdin" sh -c "\"$BIN\" classify --json < \"$DIR/msg.txt\""
