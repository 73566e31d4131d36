#!/usr/bin/env bash
# Section 1b of `make bench` (issue 13 §2): the capture path as the live working set grows.
#   bash Benchmarks/flow-scale.sh OUT_DIR
# For 1 k, 64 k and 1 M flows live at once (synthetic captures from `slipsd-bench make-capture … ACTIVE`; the
# `-rnd` rows draw each packet's flow at random among the live ones instead of in turn, as on a real link), runs
# the bare C libpcap loop and `slipsd -r` flows-only in turn (A B A B …, BENCH_SCALE_RUNS pairs, default 3) and
# prints per row: ns per packet (medians), peak RSS, and the ratio slipsd/libpcap in packets/s (median of the
# pairs' ratios, so drift of the shared machine's speed cancels out).
# Then counts, with perf uprobes, the calls to malloc, swift_retain and swift_release per packet in steady state:
# two captures of the same 6000 flows (1 k live), 200 k and 1.2 M packets; (calls(long) − calls(short)) / 1 M.
# Per-flow work (a record per flow) is the same in both, so it cancels out.
# BENCH_SCALE_ROWS picks rows (default "1k 64k 1M 64k-rnd 1M-rnd"). The flow table holds 2 M slots in every row (so 1 M live flows fit without emergency mode).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-bench-out}
RUNS=${BENCH_SCALE_RUNS:-3}
SLIPSD=${SLIPSD_BIN:-.build/release/slipsd}
BENCH=${SLIPSD_BENCH_BIN:-.build/release/slipsd-bench}
mkdir -p "$OUT"
[ -x "$OUT/pcap_read" ] || cc -O2 -o "$OUT/pcap_read" Benchmarks/pcap-read-c/pcap_read.c $(pkg-config --cflags --libs libpcap)
CONFIG="$OUT/flow-scale.yaml"
sed 's/^  max: [0-9]*/  max: 2000000/' config/slipsd.yaml > "$CONFIG"
grep -q '^  max: 2000000' "$CONFIG" || { echo "flow-scale: could not set flows.max in $CONFIG"; exit 1; }

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print 0; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
slipsd_run() {  # prints "pps=N maxrss_kb=N peak=N"
  local out; out=$(SLIPSD_BENCH_FLOWS_ONLY=1 /usr/bin/time -f "maxrss_kb=%M" "$SLIPSD" -r "$1" -c "$CONFIG" 2>&1)
  echo "pps=$(echo "$out" | sed -n 's/.*(\([0-9]*\) packets\/s).*/\1/p') $(echo "$out" | grep -o 'maxrss_kb=[0-9]*') peak=$(echo "$out" | sed -n 's/.*peak \([0-9]*\) live.*/\1/p')"
}
field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p"; }

printf '%-8s %9s %9s %12s %12s %10s %12s %8s\n' active packets "C ns/pkt" "slipsd ns/pkt" "slipsd Mpps" "RSS MB" "peak flows" ratio
for row in "1k 5000000 600000 1024" "64k 5000000 600000 65536" "1M 8000000 1050000 1000000" \
           "64k-rnd 5000000 600000 65536 random" "1M-rnd 8000000 1050000 1000000 random"; do
  set -- $row
  case " ${BENCH_SCALE_ROWS:-1k 64k 1M 64k-rnd 1M-rnd} " in *" $1 "*) ;; *) continue ;; esac
  name=$1 packets=$2 flows=$3 active=$4 order=${5:-}
  capture="$OUT/scale-$name.pcap"
  [ -s "$capture" ] || "$BENCH" make-capture "$capture" "$packets" "$flows" "$active" $order > /dev/null
  cat "$capture" > /dev/null
  : > "$OUT/scale-$name.c"; : > "$OUT/scale-$name.s"; : > "$OUT/scale-$name.r"
  for _ in $(seq "$RUNS"); do
    cp=$("$OUT/pcap_read" "$capture" | field pps); echo "$cp" >> "$OUT/scale-$name.c"
    line=$(slipsd_run "$capture"); echo "$line" >> "$OUT/scale-$name.s"
    awk -v a="$(echo "$line" | field pps)" -v b="$cp" 'BEGIN { if (b > 0) print a / b }' >> "$OUT/scale-$name.r"
  done
  c=$(median < "$OUT/scale-$name.c")
  s=$(field pps < "$OUT/scale-$name.s" | median)
  rss=$(field maxrss_kb < "$OUT/scale-$name.s" | median)
  peak=$(field peak < "$OUT/scale-$name.s" | median)
  ratio=$(median < "$OUT/scale-$name.r")
  awk -v n="$name" -v p="$packets" -v c="$c" -v s="$s" -v r="$rss" -v k="$peak" -v q="$ratio" 'BEGIN {
    printf "%-8s %9d %9.1f %12.1f %12.2f %10.0f %12d %8.3f\n", n, p, 1e9 / c, 1e9 / s, s / 1e6, r / 1024, k, q }'
done

echo "-- per packet in steady state (perf uprobes, 1 k live flows; flows only) --"
if ! command -v perf > /dev/null; then
  echo "skipped: perf is not installed (apt-get install linux-perf)"
  exit 0
fi
libswift=$(ldd "$SLIPSD" | awk '/libswiftCore\.so/ { print $3 }')
libc=$(ldd "$SLIPSD" | awk '$1 == "libc.so.6" { print $3 }')
if [ -z "$libswift" ] || [ -z "$libc" ]; then echo "skipped: slipsd does not link libswiftCore/libc dynamically"; exit 0; fi
perf probe -d 'probe_libswiftCore:*' -d 'probe_libc:*' > /dev/null 2>&1 || true
perf probe -x "$libswift" swift_retain > /dev/null 2>&1 || true     # (its exit status is not reliable)
perf probe -x "$libswift" swift_release > /dev/null 2>&1 || true
perf probe -x "$libc" malloc > /dev/null 2>&1 || true
if [ "$(perf probe -l 2> /dev/null | grep -c -E 'probe_libswiftCore:swift_re(tain|lease) |probe_libc:malloc ')" != 3 ]; then
  echo "skipped: perf cannot place uprobes here (kernel without CONFIG_UPROBE_EVENTS, or not root)"
  exit 0
fi
trap "perf probe -d 'probe_libswiftCore:*' -d 'probe_libc:*' > /dev/null 2>&1 || true" EXIT
short="$OUT/scale-short.pcap" long="$OUT/scale-long.pcap"
"$BENCH" make-capture "$short" 200000 6000 1024 > /dev/null
"$BENCH" make-capture "$long" 1200000 6000 1024 > /dev/null
count() {  # prints "malloc retain release" calls of one flows-only run
  SLIPSD_BENCH_FLOWS_ONLY=1 perf stat -x, -e probe_libc:malloc -e probe_libswiftCore:swift_retain \
    -e probe_libswiftCore:swift_release -o "$OUT/scale-perf.txt" "$SLIPSD" -r "$1" -c "$CONFIG" > /dev/null
  awk -F, '{ v[$3] = $1 } END { print v["probe_libc:malloc"], v["probe_libswiftCore:swift_retain"], v["probe_libswiftCore:swift_release"] }' "$OUT/scale-perf.txt"
}
read -r m1 r1 x1 < <(count "$short")
read -r m2 r2 x2 < <(count "$long")
awk -v m1="$m1" -v m2="$m2" -v r1="$r1" -v r2="$r2" -v x1="$x1" -v x2="$x2" 'BEGIN {
  n = 1000000
  printf "malloc per packet:        %.4f  (%d calls for 200 k packets, %d for 1.2 M)\n", (m2 - m1) / n, m1, m2
  printf "swift_retain per packet:  %.4f  (%d, %d)\n", (r2 - r1) / n, r1, r2
  printf "swift_release per packet: %.4f  (%d, %d)\n", (x2 - x1) / n, x1, x2 }'
rm -f "$short" "$long"
