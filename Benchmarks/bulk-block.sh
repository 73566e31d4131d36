#!/usr/bin/env bash
# make bench section 11 (issue 13 §4): blocking at a million, in a private network namespace.
#  - `slipsd --block-from` of N addresses vs `nft -f` loading the same N elements into a set of the same kind
#    (the nft tool's own one-transaction bulk path) — same run, ratio;
#  - `slipsd --list-blocked --json` of the N blocks vs `nft list set` (time and peak RSS: the listing streams);
#  - `slipsd --unblock-from` of the same list;
#  - start-up of `slipsd --inline` to "ready" with the N blocks in the kernel vs with none.
set -euo pipefail
OUT=${1:?output directory}
N=${BENCH_BULK_ENTRIES:-1000000}
ns=sdbulk$$
dir=$(realpath "$OUT")/bulk
rm -rf "$dir" && mkdir -p "$dir/run" && chmod 755 "$dir"
trap 'ip netns del "$ns" 2>/dev/null || true' EXIT
ip netns add "$ns"
ip netns exec "$ns" ip link set lo up
cat > "$dir/slipsd.yaml" <<YAML
blocking:
  table: slipsd_bench
  state_file: none
daemon:
  control_socket: $dir/run/control.sock
YAML
python3 - "$N" "$dir" <<'PY'
import sys
n, d = int(sys.argv[1]), sys.argv[2]
addrs = ["%d.%d.%d.%d" % (100 + i // 16777216 % 100, i // 65536 % 256, i // 256 % 256, i % 256) for i in range(n)]
open(d + "/list.txt", "w").write("".join(a + " 1h bench\n" for a in addrs))
with open(d + "/nft.txt", "w") as f:
    f.write("table inet nftbench {\n set s { type ipv4_addr; flags timeout; }\n}\n")
    for start in range(0, n, 100000):
        f.write("add element inet nftbench s { " + ", ".join(a + " timeout 1h" for a in addrs[start:start + 100000]) + " }\n")
PY
now() { date +%s.%N; }
sub() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a - b }'; }
t0=$(now); ip netns exec "$ns" nft -f "$dir/nft.txt"; t1=$(now)
ip netns exec "$ns" nft delete table inet nftbench
t2=$(now); ip netns exec "$ns" .build/release/slipsd --block-from "$dir/list.txt" -c "$dir/slipsd.yaml" | tail -1; t3=$(now)
nft_s=$(sub "$t1" "$t0"); block_s=$(sub "$t3" "$t2")
echo "nft -f, $N elements (baseline):          ${nft_s} s"
echo "slipsd --block-from, $N addresses:       ${block_s} s"
awk -v a="$block_s" -v b="$nft_s" -v n="$N" 'BEGIN { printf "block-from rate %.0f addresses/s, ratio slipsd/nft %.2f (goal: 1 M in ≤ 5 s)\n", n / a, a / b }'

# --list-blocked streams: time and peak memory for the N blocks vs `nft list set` of the same set (same run).
t6=$(now); ip netns exec "$ns" /usr/bin/time -f "%M" -o "$dir/list.rss" .build/release/slipsd --list-blocked --json \
    -c "$dir/slipsd.yaml" > "$dir/listed.json"; t7=$(now)
t8=$(now); ip netns exec "$ns" /usr/bin/time -f "%M" -o "$dir/nftlist.rss" nft list set inet slipsd_bench blocked4 \
    > /dev/null; t9=$(now)
echo "slipsd --list-blocked --json, $(grep -c '"ip"' "$dir/listed.json") rows: $(sub "$t7" "$t6") s, peak RSS $(tail -1 "$dir/list.rss") kB"
echo "nft list set (baseline):                $(sub "$t9" "$t8") s, peak RSS $(tail -1 "$dir/nftlist.rss") kB"
awk -v a="$(sub "$t7" "$t6")" -v b="$(sub "$t9" "$t8")" 'BEGIN { printf "list ratio slipsd/nft %.2f\n", a / b }'
rm -f "$dir/listed.json"

ready() {  # seconds from start to "ready" of slipsd --inline in the namespace; stops it afterwards
  local log="$dir/inline.log" start pid
  start=$(now)
  ip netns exec "$ns" .build/release/slipsd --inline --queue 9 --no-steer --no-drop-privileges \
      -c "$dir/slipsd.yaml" > "$log" 2>&1 &
  pid=$!
  for _ in $(seq 1 1200); do grep -q "ready" "$log" && break; sleep 0.05; done
  local end; end=$(now)
  kill -INT "$pid"; wait "$pid" || true
  sub "$end" "$start"
}
with_s=$(ready)
grep -o "learned [0-9]* existing block(s) from the kernel in [0-9.]* s" "$dir/inline.log" || true
t4=$(now); ip netns exec "$ns" .build/release/slipsd --unblock-from "$dir/list.txt" -c "$dir/slipsd.yaml" | tail -1; t5=$(now)
echo "slipsd --unblock-from, $N addresses:     $(sub "$t5" "$t4") s"
without_s=$(ready)
echo "inline start to ready, $N blocks:        ${with_s} s"
echo "inline start to ready, no blocks:        ${without_s} s"
awk -v a="$with_s" -v b="$without_s" 'BEGIN { printf "start-up ratio with/without blocks: %.2f\n", a / b }'
rm -f "$dir/list.txt" "$dir/nft.txt"
