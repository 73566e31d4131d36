#!/usr/bin/env bash
# Section 12 of make bench (issue 10 §4): the application analyzers' cost, against baselines of the same run.
#  a. capture path with analyzers on (default `http_hashes: auto`, and all three body digests) vs off
#     (`analyzers.enabled: false`), flows only (no detectors), on the realistic
#     capture (Benchmarks/record-realistic.sh recorded with whole packets, replayed to BENCH_ANALYZER_PACKETS, default 1 M) and on the
#     synthetic capture of section 1: 5 alternating on/off pairs, the median of the pairwise ratios of wall time (aim ≤ 1.5)
#     and of CPU time (user + sys; the off run's wall time is mostly the kernel copying the file).
#  b. ClientHello → JA3+JA4 (the TLS analyzer's parser and fingerprinter) on the recorded ClientHellos vs a plain
#     SHA-256 of the same bytes (aim ≥ 1 M/s).
#  c. allocations per packet on flows no analyzer claims: valgrind's heap count of `slipsd -r` on two captures of the
#     same flows, one with twice the packets; the difference divided by the extra packets (must be 0).
# Usage: analyzers.sh [OUT]. Needs root (the recording uses network namespaces) and the release build.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-${BENCH_OUT:-bench-out}}
mkdir -p "$OUT"
printf 'analyzers:\n  enabled: false\n' > "$OUT/analyzers-off.yaml"
printf 'analyzers:\n  enabled: true\n' > "$OUT/analyzers-on.yaml"
printf 'analyzers:\n  enabled: true\n  http_hashes: [md5, sha1, sha256]\n' > "$OUT/analyzers-all-hashes.yaml"

# times_of CMD...: "wall cpu" in seconds (cpu = user + sys of the process and its threads).
times_of() { /usr/bin/time -f "%e %U %S" "$@" 2>&1 >/dev/null | tail -1 | awk '{ printf "%s %.2f", $1, $2 + $3 }'; }
# on_vs_off CAPTURE [ON_CONFIG]: 5 pairs, alternating; prints the medians and the median of the pair ratios, of the
# wall time and of the CPU time (the off run's wall time is mostly the kernel copying the file: both are shown).
on_vs_off() {
  local capture=$1 onconf=${2:-$OUT/analyzers-on.yaml} ratios="" cpuratios="" ons="" offs="" oncpus="" offcpus=""
  SLIPSD_BENCH_FLOWS_ONLY=1 .build/release/slipsd -r "$capture" -c "$onconf" >/dev/null  # warm-up
  for _ in 1 2 3 4 5; do
    local on off
    on=$(SLIPSD_BENCH_FLOWS_ONLY=1 times_of .build/release/slipsd -r "$capture" -c "$onconf")
    off=$(SLIPSD_BENCH_FLOWS_ONLY=1 times_of .build/release/slipsd -r "$capture" -c "$OUT/analyzers-off.yaml")
    ons="$ons ${on% *}"; offs="$offs ${off% *}"; oncpus="$oncpus ${on#* }"; offcpus="$offcpus ${off#* }"
    ratios="$ratios $(awk -v a="${on% *}" -v b="${off% *}" 'BEGIN { printf "%.3f", (b > 0 ? a / b : 0) }')"
    cpuratios="$cpuratios $(awk -v a="${on#* }" -v b="${off#* }" 'BEGIN { printf "%.3f", (b > 0 ? a / b : 0) }')"
  done
  median() { tr ' ' '\n' | sed '/^$/d' | sort -g | sed -n 3p; }
  echo "  analyzers on:  median $(echo "$ons" | median) s wall, $(echo "$oncpus" | median) s CPU  (runs:$ons)"
  echo "  analyzers off: median $(echo "$offs" | median) s wall, $(echo "$offcpus" | median) s CPU  (runs:$offs)"
  echo "  ratio on/off:  wall median $(echo "$ratios" | median)  (pairs:$ratios; aim ≤ 1.5)"
  echo "                 CPU  median $(echo "$cpuratios" | median)  (pairs:$cpuratios)"
}

REAL="$OUT/realistic-whole.pcap"
if [ ! -s "$REAL" ]; then
  RECORD_SNAPLEN=0 bash Benchmarks/record-realistic.sh "$OUT/realistic-whole-recorded.pcap"
  .build/release/slipsd-bench replay-realistic "$OUT/realistic-whole-recorded.pcap" "$REAL" "${BENCH_ANALYZER_PACKETS:-1000000}"
fi
cat "$REAL" > /dev/null
echo "realistic capture ($(basename "$REAL"), whole packets), slipsd -r flows only, default http_hashes: auto (no consumer: no digests):"
on_vs_off "$REAL"
echo "realistic capture, analyzers with http_hashes: [md5, sha1, sha256] (what --zeek-logs asks for) vs off:"
on_vs_off "$REAL" "$OUT/analyzers-all-hashes.yaml"
SYNTH="$OUT/bench.pcap"
if [ ! -s "$SYNTH" ]; then
  .build/release/slipsd-bench make-capture "$SYNTH" "${BENCH_PACKETS:-5000000}" "${BENCH_FLOWS:-600000}"
fi
cat "$SYNTH" > /dev/null
echo "synthetic capture ($(basename "$SYNTH")), slipsd -r flows only:"
on_vs_off "$SYNTH"
echo "records the analyzers wrote from the realistic capture (--zeek-logs):"
rm -rf "$OUT/analyzers-zeek"
.build/release/slipsd -r "$OUT/realistic-whole-recorded.pcap" -c "$OUT/analyzers-on.yaml" \
  -o "$OUT/analyzers-zeek" --zeek-logs >/dev/null 2>&1 || true
for log in dns http files ssl x509; do
  printf '  %s.log: %s lines\n' "$log" "$(cat "$OUT/analyzers-zeek/zeek/$log.log" 2>/dev/null | wc -l)"
done

echo "ClientHello -> JA3+JA4 micro-loop (the recorded ClientHellos):"
.build/release/slipsd-bench ja4 "$OUT/realistic-whole-recorded.pcap" 2 | sed 's/^/  /'

echo "allocations per packet on flows no analyzer claims (valgrind heap count, 2 sizes, same 64 flows):"
if command -v valgrind >/dev/null; then
  .build/release/slipsd-bench make-unclaimed-capture "$OUT/unclaimed-1.pcap" 20000 64 | sed 's/^/  /'
  .build/release/slipsd-bench make-unclaimed-capture "$OUT/unclaimed-2.pcap" 40000 64 | sed 's/^/  /'
  # valgrind 3.19 cannot read the debug information Swift 6 writes: it runs a stripped copy of the binary.
  strip -o "$OUT/slipsd-stripped" .build/release/slipsd
  allocs() {  # total heap allocations of the command
    { valgrind --tool=memcheck --leak-check=no "$@" 2>&1 >/dev/null || true; } \
      | sed -n 's/.*total heap usage: \([0-9,]*\) allocs.*/\1/p' | tr -d ,
  }
  packets() { tcpdump -r "$1" 2>/dev/null | wc -l; }
  p1=$(packets "$OUT/unclaimed-1.pcap"); p2=$(packets "$OUT/unclaimed-2.pcap")
  for mode in on off; do
    a1=$(SLIPSD_BENCH_FLOWS_ONLY=1 allocs "$OUT/slipsd-stripped" -r "$OUT/unclaimed-1.pcap" -c "$OUT/analyzers-$mode.yaml")
    a2=$(SLIPSD_BENCH_FLOWS_ONLY=1 allocs "$OUT/slipsd-stripped" -r "$OUT/unclaimed-2.pcap" -c "$OUT/analyzers-$mode.yaml")
    awk -v a1="$a1" -v a2="$a2" -v p1="$p1" -v p2="$p2" -v m="$mode" 'BEGIN {
      printf "  analyzers %-3s: %d allocs for %d packets, %d for %d: %.4f per extra packet (one per packet would be 1; aim 0)\n", m, a1, p1, a2, p2, (a2 - a1) / (p2 - p1) }'
  done
else
  echo "  (skipped: valgrind is not installed)"
fi
