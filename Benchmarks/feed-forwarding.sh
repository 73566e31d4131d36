#!/usr/bin/env bash
# make bench section 12 (issue 12 §3): forwarded packets/s through `slipsd --inline` on a gateway namespace with
# N feed entries in its kernel blocklist (feedhost4 + feed4) vs none, measured alternately in the same run.
# Topology (created here, removed on exit): client -- gateway -- server, veth pairs; the client floods 64-byte
# UDP datagrams (Benchmarks/nfq-accept-c/udp_flood) at the server for SECONDS, the server counts what arrives
# (an nft counter in its input hook). The gateway's feed sets hold N entries (90 % single addresses, 10 % /28
# networks, none covering the lab) or nothing; the drop rules are the same in both runs. A third run per round
# (issue 13 §4) has no feed but N addresses blocked by `slipsd --block-from` (alert blocks, set blocked4), flushed
# after it; its ratio to the empty run is forwarding with N blocked hosts vs none, in steady state (the flood starts
# once the daemon has learned the kernel's existing blocks, which it does beside inspection at start-up).
# With SLIPSD_BASE=<another slipsd binary> each round also runs the loaded feed through that binary ("base"), so an
# old and a new build are compared in the same run (ratio new/base printed).
# FEED_KINDS may add "learning" (and with SLIPSD_BASE "base-learning"): N hosts blocked by --block-from, the flood
# starts as soon as the daemon is ready, i.e. while it learns those blocks from the kernel (paced since
# 2026-12-03; the base binary may list them flat out): forwarding during start-up learning vs none.
# Busy prefix lengths (>= 1024 blocks) go to per-length hash sets (feedp28_4 here) instead of the interval set.
# Usage: Benchmarks/feed-forwarding.sh OUT [N] [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-bench-out}; N=${2:-${BENCH_FEED_ENTRIES:-1000000}}; SECONDS_PER_RUN=${3:-5}
dir="$OUT/feed-forwarding"; mkdir -p "$dir"
tag=sdff$$; cli=${tag}c; gw=${tag}g; srv=${tag}s
daemon=""
SLIPSD=${SLIPSD:-.build/release/slipsd}
SLIPSD_BASE=${SLIPSD_BASE:-}
# FEED_PIN (default 1) pins the flood (and with it the kernel's forwarding of its packets) to CPU 0 and slipsd to
# CPU 1: unpinned, the same set-up varied ±10 % from round to round on 2 cores (2026-12-04), pinned ±5 %. FEED_PIN=0 unpins.
PIN_FLOOD=""; PIN_DAEMON=""
if [ "${FEED_PIN:-1}" = 1 ] && [ "$(nproc)" -ge 2 ]; then PIN_FLOOD="taskset -c 0"; PIN_DAEMON="taskset -c 1"; fi
cleanup() {
  [ -n "$daemon" ] && kill "$daemon" 2>/dev/null && wait "$daemon" 2>/dev/null || true
  for ns in "$cli" "$gw" "$srv"; do ip netns del "$ns" 2>/dev/null || true; done
}
trap cleanup EXIT
sh Benchmarks/nfq-accept-c/build.sh >/dev/null
for ns in "$cli" "$gw" "$srv"; do ip netns add "$ns"; ip netns exec "$ns" ip link set lo up; done
ip link add "${tag}a" netns "$cli" type veth peer name "${tag}b" netns "$gw"
ip link add "${tag}d" netns "$gw" type veth peer name "${tag}e" netns "$srv"
ip -n "$cli" addr add 10.91.1.2/24 dev "${tag}a"; ip -n "$cli" link set "${tag}a" up
ip -n "$gw" addr add 10.91.1.1/24 dev "${tag}b"; ip -n "$gw" link set "${tag}b" up
ip -n "$gw" addr add 10.91.2.1/24 dev "${tag}d"; ip -n "$gw" link set "${tag}d" up
ip -n "$srv" addr add 10.91.2.2/24 dev "${tag}e"; ip -n "$srv" link set "${tag}e" up
ip -n "$cli" route add default via 10.91.1.1; ip -n "$srv" route add default via 10.91.2.1
ip netns exec "$gw" sysctl -qw net.ipv4.ip_forward=1
ip netns exec "$srv" nft -f - <<'EOF'
table inet count {
  chain in {
    type filter hook input priority 0;
    udp dport 9999 counter
  }
}
EOF

# Feeds: N entries in 11.0.0.0/8 and 12.0.0.0/8 (never the lab's 10.91/16), and an empty one.
hosts=$((N * 9 / 10)); nets=$((N - hosts))
awk -v h="$hosts" -v n="$nets" 'BEGIN {
  for (i = 0; i < h; i++) { v = 184549376 + i * 3; printf "%d.%d.%d.%d\n", int(v/16777216), int(v/65536)%256, int(v/256)%256, v%256 }
  for (i = 0; i < n; i++) { v = 201326592 + i * 32; printf "%d.%d.%d.%d/28\n", int(v/16777216), int(v/65536)%256, int(v/256)%256, v%256 }
}' > "$dir/loaded.txt"
printf '# nothing listed\n' > "$dir/empty.txt"
awk -v n="$N" 'BEGIN { for (i = 0; i < n; i++) { v = 218103808 + i * 3; printf "%d.%d.%d.%d\n", int(v/16777216), int(v/65536)%256, int(v/256)%256, v%256 } }' \
  > "$dir/blocked.txt"                                           # N hosts in 13.0.0.0/8, never the lab's
chmod 755 "$dir"
for which in loaded empty; do
  mkdir -p "$dir/$which-feeds"; cp "$dir/$which.txt" "$dir/$which-feeds/bench.txt"
  cat > "$dir/$which.yaml" <<EOF
whitelists:
  enable_local_whitelist: false
blocking:
  table: slipsd_ffbench
  state_file: none
  allowlist: [10.91.1.2/32]      # the flood must not get the client blocked by an alert between runs
daemon:
  control_socket: $dir/$which.sock
threatintelligence:
  local_threat_intelligence_files: $dir/none/
  download_path_for_remote_threat_intelligence: $dir/$which-feeds
  ti_files:
  ja3_feeds:
  ssl_feeds:
  block_feeds: [bench.txt]
EOF
done

counted() { ip netns exec "$srv" nft list table inet count | grep -o 'packets [0-9]*' | grep -o '[0-9]*'; }
run() {  # $1: loaded|empty|blocked|base — starts slipsd, floods, sets $received and $sent (in this shell: the trap sees $daemon)
  local log="$dir/$1.log" config="$dir/$1.yaml" binary="$SLIPSD"
  ip netns exec "$gw" nft delete table inet slipsd_ffbench 2>/dev/null || true   # every run starts from no table
  if [ "$1" = base ]; then config="$dir/loaded.yaml"; binary="$SLIPSD_BASE"; fi
  if [ "$1" = base-learning ]; then binary="$SLIPSD_BASE"; fi
  case $1 in blocked|learning|base-learning)
    config="$dir/empty.yaml"
    ip netns exec "$gw" "$SLIPSD" --block-from "$dir/blocked.txt" -c "$config" > "$dir/block-from.log" 2>&1 \
      || { echo "slipsd --block-from failed: $(tail -3 "$dir/block-from.log")" >&2; exit 1; } ;;
  esac
  ip netns exec "$gw" $PIN_DAEMON "$binary" --inline --queue 11 --no-drop-privileges -c "$config" \
    -o "$dir/$1-out" > "$log" 2>&1 &
  daemon=$!
  local waited=0
  until grep -q " ready" "$log"; do
    sleep 0.2; waited=$((waited + 1))
    if [ "$waited" -gt 300 ] || ! kill -0 "$daemon" 2>/dev/null; then
      echo "slipsd did not start: $(tail -3 "$log")" >&2; exit 1
    fi
  done
  # Steady state: the kernel grows a hash set by rehashing it in the background after a bulk insert (lookups
  # search both tables meanwhile), so every run waits FEED_SETTLE_SECONDS (default 5) after "ready" before its
  # flood, loaded or not (not the learning runs: they measure the start-up); FEED_SETTLE_SECONDS=0 measures right
  # after the load instead.
  case $1 in learning|base-learning) ;; *) sleep "${FEED_SETTLE_SECONDS:-5}" ;; esac
  if [ "$1" = loaded ]; then      # which kernel sets the feed has (names only: listing 1 M elements takes long)
    ip netns exec "$gw" nft -t list sets inet | grep -o 'set feed[a-z0-9_]*' | cut -d' ' -f2 > "$dir/loaded-sets.txt" || true
  fi
  if [ "$1" = blocked ]; then   # steady state: wait until the daemon learned the kernel's existing blocks
    local learned=0
    while [ "$learned" -lt 600 ] && ! grep -q "learned [0-9]* existing block" "$log" "$dir/$1-out/slipsd.log" 2>/dev/null; do
      ip netns exec "$cli" ping -c 1 -W 1 10.91.2.2 > /dev/null 2>&1 || true    # an event to apply them at
      sleep 0.1; learned=$((learned + 1))
    done
    grep -ho "learned [0-9]* existing block(s) from the kernel in [0-9.]* s" "$log" "$dir/$1-out/slipsd.log" 2>/dev/null | head -1 > "$dir/learned.txt" || true
  fi
  local before; before=$(counted)
  sent=$(ip netns exec "$cli" $PIN_FLOOD Benchmarks/nfq-accept-c/udp_flood 10.91.2.2 9999 "$SECONDS_PER_RUN" 64 | grep -o '[0-9]*' | head -1)
  sleep 0.5
  received=$(( $(counted) - before ))
  kill "$daemon"; wait "$daemon" 2>/dev/null || true; daemon=""
  case $1 in blocked|learning|base-learning) ip netns exec "$gw" nft flush set inet slipsd_ffbench blocked4 ;; esac
}

best_loaded=0; best_empty=0; best_blocked=0; best_base=0; best_learning=0; best_base_learning=0
kinds="empty loaded blocked"; [ -n "$SLIPSD_BASE" ] && kinds="empty loaded base blocked"
kinds=${FEED_KINDS:-$kinds}   # e.g. FEED_KINDS="empty loaded base" skips the slow blocked-hosts run
for round in $(seq 1 "${FEED_ROUNDS:-3}"); do
  for which in $kinds; do
    run "$which"
    pps=$((received / SECONDS_PER_RUN))
    echo "round $round, $which: $received of $sent datagrams forwarded, $pps packets/s"
    case $which in
      loaded) [ "$pps" -gt "$best_loaded" ] && best_loaded=$pps ;;
      blocked) [ "$pps" -gt "$best_blocked" ] && best_blocked=$pps ;;
      base) [ "$pps" -gt "$best_base" ] && best_base=$pps ;;
      learning) [ "$pps" -gt "$best_learning" ] && best_learning=$pps ;;
      base-learning) [ "$pps" -gt "$best_base_learning" ] && best_base_learning=$pps ;;
      *) [ "$pps" -gt "$best_empty" ] && best_empty=$pps ;;
    esac
  done
done
[ -f "$dir/block-from.log" ] && tail -1 "$dir/block-from.log" | sed 's/^/block-from: /'
[ -f "$dir/learned.txt" ] && sed 's/^/start-up with the blocks (each run waits for it before the flood): /' "$dir/learned.txt"
grep -o "feed blocklist: [0-9]* entries → [0-9]* intervals.*" "$dir/loaded.log" | head -1 || true
[ -f "$dir/loaded-sets.txt" ] && echo "feed sets: $(tr '\n' ' ' < "$dir/loaded-sets.txt")"
echo "forwarded through slipsd --inline, no feed entries:       $best_empty packets/s (best of 3)"
echo "forwarded through slipsd --inline, $N feed entries:   $best_loaded packets/s (best of 3)"
awk -v a="$best_loaded" -v b="$best_empty" 'BEGIN { printf "ratio with/without feed entries: %.3f (loss %.1f %%, goal < 5 %%)\n", a / b, (1 - a / b) * 100 }'
if [ -n "$SLIPSD_BASE" ]; then
  grep -o "feed blocklist: [0-9]* entries → [0-9]* intervals.*" "$dir/base.log" | head -1 | sed 's/^/base: /' || true
  echo "forwarded through $SLIPSD_BASE, $N feed entries: $best_base packets/s (best of 3)"
  awk -v a="$best_loaded" -v b="$best_base" -v e="$best_empty" 'BEGIN { printf "ratio new/base with feed entries: %.3f (base vs none %.3f)\n", a / b, b / e }'
fi
case " $kinds " in *" blocked "*)
  echo "forwarded through slipsd --inline, $N blocked hosts:    $best_blocked packets/s (best of 3)"
  awk -v a="$best_blocked" -v b="$best_empty" 'BEGIN { printf "ratio with/without blocked hosts: %.3f (loss %.1f %%, goal < 5 %%)\n", a / b, (1 - a / b) * 100 }' ;;
esac
case " $kinds " in *" learning "*)
  echo "forwarded through slipsd --inline while it learns $N existing blocks (flood at once after ready): $best_learning packets/s (best of 3)"
  awk -v a="$best_learning" -v b="$best_empty" 'BEGIN { printf "ratio during learning/none: %.3f\n", a / b }' ;;
esac
case " $kinds " in *" base-learning "*)
  echo "forwarded through $SLIPSD_BASE while it learns $N existing blocks: $best_base_learning packets/s (best of 3)"
  awk -v a="$best_base_learning" -v b="$best_empty" 'BEGIN { printf "ratio during learning/none, base: %.3f\n", a / b }' ;;
esac
