#!/usr/bin/env bash
# make bench: every figure is a ratio against a baseline measured in the same run.
#  1. capture path: bare libpcap read loop (C) vs `slipsd -r` with the flow table only, on a synthetic capture
#     of ≥ 5 M packets over ≥ 500 k flows; memory per live flow at peak. 1b: the same at 1 k, 64 k and 1 M flows
#     live at once (ns/packet, peak RSS, ratio to the C loop), and malloc/retain/release per packet (perf uprobes).
#  2. detection: `slipsd -r` with every detector on vs the capture-and-flows path alone, on ≥ 1 M flows.
#  3. inline (when Benchmarks/inline.sh is present): forwarding rate through slipsd vs a C accept-all NFQUEUE loop.
#  5. memory under a flood of forged sources: peak RSS of `slipsd -r` with every detector vs flows only, on
#     ≥ 1 M single SYNs from distinct sources followed by a real 2000-port scan (which must still be reported).
#  6. flow files: slipsd -f on 1 M-line Zeek TSV and JSON conn.logs vs a bare line-read loop (lines/s, ratio).
#  7. evidence output: ≥ 1 M evidence through AlertOutput (alerts.log + IDMEFv2 alerts.json) vs a bare buffered
#     write of the same bytes (evidence/s, ratio); then `slipsd -r` with every detector and `-o` vs flows only on
#     the synthetic capture of section 1 (time ratio).
#  8. threat intelligence: 2 M IPs/networks and 2 M domains loaded into the IoC index vs a bare line read of the
#     same files; memory the index adds; lookups vs a plain Set<UInt32>.contains in the same run; ASN database
#     (libmaxminddb) lookups of 300 k networks vs the same Set lookup, and allocations per lookup (valgrind).
#  9. realistic capture (issue 13 §1): recorded here by Benchmarks/record-realistic.sh (HTTP, DNS, TLS, bulk TCP, UDP,
#     a scan between real clients and servers in namespaces), replayed with shifted addresses and times to
#     ${BENCH_REAL_PACKETS:-2000000} packets; libpcap read loop vs flows only vs every detector with -o (ratios).
# 10. feed blocklists (issue 12 §3): ${BENCH_FEED_ENTRIES:-1000000} feed entries into the nftables interval set of a
#     scratch table in a private namespace: full load, an update with 1 % changed (difference only, then with the
#     unchanged ranges re-asserted), removal; entries/s and kernel elements/s (goal ≥ 500 k/s).
# 11. blocking at a million (issue 13 §4, Benchmarks/bulk-block.sh): `slipsd --block-from` of 1 M addresses vs
#     `nft -f` of the same elements, `--list-blocked` vs `nft list set`, `--unblock-from`, and `slipsd --inline`
#     start-up with the blocks vs none.
# 12. feed blocklists on the forwarding path (issue 12 §3, Benchmarks/feed-forwarding.sh): 64-byte UDP forwarded
#     through `slipsd --inline` with ${BENCH_FEED_ENTRIES:-1000000} feed entries loaded vs none, alternated, best of 3 (goal < 5 % loss);
#     and with as many hosts blocked by `--block-from` vs none (issue 13 §4, same goal).
# 13. inline cost (issue 13 §5, Benchmarks/inline-cost.sh): a 64-byte UDP flood through a gateway namespace, plain
#     forwarding vs the C accept-all NFQUEUE loop vs `slipsd --inline` with every detector; forwarded and handled
#     packets/s and the consumer's user and system CPU per handled packet (aim: slipsd's user time ≤ 1.5× the C loop's).
# 14. application analyzers (issue 10 §4, Benchmarks/analyzers.sh): analyzers on vs off on the realistic capture
#     (whole packets) and the synthetic one; ClientHello -> JA3+JA4 vs SHA-256; allocations per unclaimed packet.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${BENCH_OUT:-bench-out}
PACKETS=${BENCH_PACKETS:-5000000}
FLOWS=${BENCH_FLOWS:-600000}
mkdir -p "$OUT"
cc -O2 -o "$OUT/pcap_read" Benchmarks/pcap-read-c/pcap_read.c $(pkg-config --cflags --libs libpcap)
CAPTURE="$OUT/bench.pcap"
.build/release/slipsd-bench make-capture "$CAPTURE" "$PACKETS" "$FLOWS"
cat "$CAPTURE" > /dev/null                      # page cache warm for both readers

field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p"; }
best_of() {  # best of 3 runs of a command printing "pps=N"
  local best=0
  for _ in 1 2 3; do
    local v; v=$("$@" | field pps | cut -d. -f1)
    [ "${v:-0}" -gt "$best" ] && best=$v
  done
  echo "$best"
}
slipsd_pps() {  # runs slipsd -r, prints pps=N and the peak memory lines
  local out; out=$(/usr/bin/time -f "maxrss_kb=%M" "$@" 2>&1)
  local pps; pps=$(echo "$out" | sed -n 's/.*(\([0-9]*\) packets\/s).*/\1/p')
  echo "pps=$pps $(echo "$out" | grep -o 'maxrss_kb=[0-9]*') $(echo "$out" | grep -o 'peak [0-9]* live' | tr -d ' ' )"
}

echo "== 1. capture path =="
base=$(best_of "$OUT/pcap_read" "$CAPTURE")
echo "libpcap read loop (C):          $base packets/s"
best=0; mem=""
for _ in 1 2 3; do
  line=$(SLIPSD_BENCH_FLOWS_ONLY=1 slipsd_pps .build/release/slipsd -r "$CAPTURE" -c config/slipsd.yaml)
  v=$(echo "$line" | field pps); [ "${v:-0}" -gt "$best" ] && { best=$v; mem=$line; }
done
echo "slipsd -r, flow table only:     $best packets/s"
awk -v a="$best" -v b="$base" 'BEGIN { printf "ratio slipsd/libpcap:           %.3f\n", a / b }'
rss=$(echo "$mem" | field maxrss_kb); peak=$(echo "$mem" | sed -n 's/.*peak\([0-9]*\)live.*/\1/p')
awk -v r="$rss" -v p="$peak" 'BEGIN { printf "peak RSS %d kB for %d live flows: %.0f bytes per live flow (whole process)\n", r, p, r * 1024 / p }'
.build/release/slipsd -r "$CAPTURE" -c config/slipsd.yaml | grep "flow table"
echo "-- 1b. live working set: 1 k, 64 k, 1 M flows live at once (Benchmarks/flow-scale.sh) --"
bash Benchmarks/flow-scale.sh "$OUT"

echo "== 2. detection (capture of at least 1 M flows) =="
CAPTURE_1M="$OUT/bench-1m.pcap"
.build/release/slipsd-bench make-capture "$CAPTURE_1M" 7000000 1050000
cat "$CAPTURE_1M" > /dev/null
flows_only=$(SLIPSD_BENCH_FLOWS_ONLY=1 /usr/bin/time -f "%e" .build/release/slipsd -r "$CAPTURE_1M" -c config/slipsd.yaml 2>&1 >/dev/null | tail -1)
all_on=$(/usr/bin/time -f "%e" .build/release/slipsd -r "$CAPTURE_1M" -c Benchmarks/all-detectors.yaml -o "$OUT/detect" 2>&1 >/dev/null | tail -1)
echo "capture + flows:                ${flows_only} s"
echo "capture + flows + detectors:    ${all_on} s"
awk -v a="$all_on" -v b="$flows_only" 'BEGIN { printf "ratio detectors/flows-only:     %.2f (goal ≤ 2)\n", a / b }'

echo "== 3. alert-to-kernel block latency (scratch table in a private network namespace) =="
ns=sdbench$$
ip netns add "$ns"
trap 'ip netns del "$ns" 2>/dev/null || true' EXIT
ip netns exec "$ns" .build/release/slipsd-bench block-latency 2000

echo "== 4. inline: NFQUEUE accept-all, Swift source vs C loop (64-byte UDP through namespaces) =="
SLIPSD_NFQ_BENCH=1 swift test -c release --filter NFQueueThroughputTests 2>&1 | grep -E -A12 "^throughput|forwarded \(server" || echo "(inline measurement unavailable)"

echo "== 5. memory under a flood of ${BENCH_FLOOD_SOURCES:-1000000} forged sources, then a real 2000-port scan =="
CAPTURE_FLOOD="$OUT/bench-flood.pcap"
.build/release/slipsd-bench make-flood-capture "$CAPTURE_FLOOD" "${BENCH_FLOOD_SOURCES:-1000000}" 2000
cat "$CAPTURE_FLOOD" > /dev/null
flood_flows=$(SLIPSD_BENCH_FLOWS_ONLY=1 /usr/bin/time -f "maxrss_kb=%M" .build/release/slipsd -r "$CAPTURE_FLOOD" -c config/slipsd.yaml 2>&1 >/dev/null | field maxrss_kb)
printf 'modules:\n  disable: [network_discovery, icmp_scan, ssh_brute_force, arp, flowalerts, template, local_connection_detector]\n' > "$OUT/no-detectors.yaml"
flood_engine=$(/usr/bin/time -f "maxrss_kb=%M" .build/release/slipsd -r "$CAPTURE_FLOOD" -c "$OUT/no-detectors.yaml" -o "$OUT/flood-none" 2>&1 >/dev/null | field maxrss_kb)
flood_all=$(/usr/bin/time -f "maxrss_kb=%M" .build/release/slipsd -r "$CAPTURE_FLOOD" -c Benchmarks/all-detectors.yaml -o "$OUT/flood" 2>&1 >/dev/null | field maxrss_kb)
echo "peak RSS, capture + flows:             ${flood_flows} kB"
echo "peak RSS, + detection engine, no detector: ${flood_engine} kB"
echo "peak RSS, capture + flows + detectors: ${flood_all} kB"
awk -v a="$flood_all" -v b="$flood_flows" 'BEGIN { printf "ratio detectors/flows-only:            %.2f\n", a / b }'
echo "scan levels reported after the flood:  $(grep -o 'new vertical port scan to IP 198.18.0.1 from 10.1.0.1. Total [0-9]* ' "$OUT/flood/alerts/alerts.log" | grep -o 'Total [0-9]*' | tr '\n' ' ')(expected: Total 10 Total 100 Total 1000)"

echo "== 6. flow files: Zeek conn.log of ${BENCH_FLOW_LINES:-1000000} lines, TSV and JSON, vs a bare line-read loop =="
.build/release/slipsd-bench flow-files "$OUT" "${BENCH_FLOW_LINES:-1000000}"
for f in "$OUT/bench-conn.log" "$OUT/bench-conn.json.log"; do
  parse=$(SLIPSD_BENCH_FLOWS_ONLY=1 .build/release/slipsd -f "$f" -c config/slipsd.yaml | sed -n 's/.*(\([0-9]*\) lines\/s).*/\1/p')
  full=$(.build/release/slipsd -f "$f" -c config/slipsd.yaml -o "$OUT/flows-detect" | sed -n 's/.*(\([0-9]*\) lines\/s).*/\1/p')
  echo "slipsd -f $(basename "$f"): read and parse $parse lines/s, with the default detectors $full lines/s"
done

echo "== 7. evidence output: ${BENCH_EVIDENCE:-1000000} evidence through AlertOutput vs a bare buffered write of the same bytes =="
rm -rf "$OUT/evidence-out"
.build/release/slipsd-bench evidence-output "$OUT/evidence-out" "${BENCH_EVIDENCE:-1000000}"
rm -rf "$OUT/evidence-out"
seconds_of() { /usr/bin/time -f "%e" "$@" 2>&1 >/dev/null | tail -1; }
best_seconds() {  # least of 3 runs
  local best=""
  for _ in 1 2 3; do
    local v; v=$(seconds_of "$@")
    if [ -z "$best" ] || awk -v a="$v" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$v; fi
  done
  echo "$best"
}
flows_s=$(SLIPSD_BENCH_FLOWS_ONLY=1 best_seconds .build/release/slipsd -r "$CAPTURE" -c config/slipsd.yaml)
all_s=$(best_seconds .build/release/slipsd -r "$CAPTURE" -c Benchmarks/all-detectors.yaml -o "$OUT/detect-synthetic")
written=$(wc -l < "$OUT/detect-synthetic/alerts/alerts.json")
echo "synthetic capture, flows only:                 ${flows_s} s"
echo "synthetic capture, every detector + -o:        ${all_s} s (${written} lines in alerts.json)"
awk -v a="$all_s" -v b="$flows_s" 'BEGIN { printf "ratio every-detector+output/flows-only: %.2f (goal ≤ 2)\n", a / b }'

echo "== 8. threat intelligence: ${BENCH_TI_ENTRIES:-2000000} IPs and as many domains into the IoC index =="
.build/release/slipsd-bench threat-intel "$OUT" "${BENCH_TI_ENTRIES:-2000000}"
rm -f "$OUT/bench-ti-ips.txt" "$OUT/bench-ti-domains.txt"
echo "ASN database lookups (a flow's destination AS, then the IoC match), vs Set<UInt32>.contains:"
.build/release/slipsd-bench asn "$OUT" 300000 2000000 | sed 's/^/  /'
if command -v valgrind >/dev/null; then   # allocations per lookup: valgrind's heap count at two probe counts
  strip -o "$OUT/slipsd-bench-stripped" .build/release/slipsd-bench   # valgrind 3.19 cannot read Swift 6's debug info
  asn_allocs() { { valgrind --tool=memcheck --leak-check=no "$OUT/slipsd-bench-stripped" asn "$OUT" 20000 "$1" 2>&1 >/dev/null || true; } \
      | sed -n 's/.*total heap usage: \([0-9,]*\) allocs.*/\1/p' | tr -d ,; }
  a1=$(asn_allocs 20000); a2=$(asn_allocs 40000)
  awk -v a1="$a1" -v a2="$a2" 'BEGIN { printf "  allocations: %d for 20000 probes, %d for 40000: %.4f per extra lookup (hit, miss and match; aim 0)\n", a1, a2, (a2 - a1) / 60000 }'
  rm -f "$OUT/slipsd-bench-stripped"
fi
rm -f "$OUT/bench-asn.mmdb"

echo "== 9. realistic capture: recorded in namespaces, replayed to ${BENCH_REAL_PACKETS:-2000000} packets =="
bash Benchmarks/record-realistic.sh "$OUT/realistic-recorded.pcap"
.build/release/slipsd-bench replay-realistic "$OUT/realistic-recorded.pcap" "$OUT/realistic.pcap" "${BENCH_REAL_PACKETS:-2000000}"
real_base=$(best_of "$OUT/pcap_read" "$OUT/realistic.pcap")
real_flows=$(SLIPSD_BENCH_FLOWS_ONLY=1 best_seconds .build/release/slipsd -r "$OUT/realistic.pcap" -c config/slipsd.yaml)
rm -rf "$OUT/detect-realistic"
real_all=$(best_seconds .build/release/slipsd -r "$OUT/realistic.pcap" -c Benchmarks/all-detectors.yaml -o "$OUT/detect-realistic")
echo "libpcap read loop (C):                    $real_base packets/s"
echo "slipsd -r, flows only:                    ${real_flows} s"
echo "slipsd -r, every detector + -o:           ${real_all} s ($(wc -l < "$OUT/detect-realistic/alerts/alerts.json") lines in alerts.json)"
awk -v a="$real_all" -v b="$real_flows" 'BEGIN { printf "ratio every-detector+output/flows-only: %.2f (goal ≤ 2)\n", a / b }'

echo "== 10. feed blocklists: ${BENCH_FEED_ENTRIES:-1000000} entries into the kernel interval set (private namespace) =="
feedns=sdfeed$$
ip netns add "$feedns"
ip netns exec "$feedns" .build/release/slipsd-bench feed-blocklist "${BENCH_FEED_ENTRIES:-1000000}"
ip netns del "$feedns"

echo "== 11. blocking at a million: --block-from vs nft -f, --unblock-from, inline start-up with the blocks (private namespace) =="
bash Benchmarks/bulk-block.sh "$OUT"

echo "== 12. forwarding with ${BENCH_FEED_ENTRIES:-1000000} feed entries in the kernel blocklist, or as many blocked hosts, vs none (namespaces, same run) =="
bash Benchmarks/feed-forwarding.sh "$OUT" "${BENCH_FEED_ENTRIES:-1000000}"
echo "== 13. inline cost: plain forwarding vs C accept-all loop vs slipsd --inline with every detector (namespaces) =="
bash Benchmarks/inline-cost.sh
echo "== 14. application analyzers: on vs off, ClientHello -> JA3+JA4, allocations on unclaimed flows =="
bash Benchmarks/analyzers.sh "$OUT"
