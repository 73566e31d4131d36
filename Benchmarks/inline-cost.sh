#!/usr/bin/env bash
# make bench, inline cost (issue 13 §5): a 64-byte UDP flood from a client namespace through a gateway namespace to
# a server namespace, for ${BENCH_INLINE_SECONDS:-3} s in each of three set-ups, alternating over
# ${BENCH_INLINE_ROUNDS:-3} rounds (medians):
#   plain   the gateway forwards, no queue;
#   C loop  forwarded traffic queued to Benchmarks/nfq-accept-c's accept-all loop (libnetfilter_queue, batch verdicts);
#   slipsd  `slipsd --inline` with every detector (Benchmarks/all-detectors.yaml) and its own steering rule.
# SLIPSD=PATH runs another slipsd binary (default .build/release/slipsd); SLIPSD_BASE=PATH adds a fourth set-up in
# each round, that binary in the same conditions (e.g. a copy of the binary before a change), and prints the ratio.
# BENCH_INLINE_PERF=FILE records `perf record -g` of the slipsd process during its flood (last round wins), and
# of the C loop in FILE.c;
# BENCH_INLINE_PERF_EVENTS adds perf options, e.g. "-e probe_libc:malloc" to count allocations (uprobe).
# Printed per set-up: packets forwarded per second, packets handled in user space per second, and the consumer's
# CPU per handled packet (user and system time from /proc/PID/stat). On 2 cores the kernel's verdict and forwarding
# work fills the consumer's core, so the figure that compares is user-space time per handled packet: slipsd vs the
# C loop (aim ≤ 1.5×).
set -euo pipefail
SLIPSD=${SLIPSD:-.build/release/slipsd}
SLIPSD_BASE=${SLIPSD_BASE:-}
SECONDS_PER_RUN=${BENCH_INLINE_SECONDS:-3}
ROUNDS=${BENCH_INLINE_ROUNDS:-3}
QUEUE=13
id=$$
cli=sdic$id gw=sdig$id srv=sdis$id
dir=$(mktemp -d /tmp/slipsd-inline-cost.XXXXXX)
chmod 755 "$dir"
cleanup() {
  for n in "$cli" "$gw" "$srv"; do ip netns del "$n" 2>/dev/null || true; done
  rm -rf "$dir"
}
trap cleanup EXIT
for n in "$cli" "$gw" "$srv"; do ip netns add "$n"; ip netns exec "$n" ip link set lo up; done
ip link add c$id type veth peer name gc$id
ip link add s$id type veth peer name gs$id
ip link set c$id netns "$cli"; ip link set gc$id netns "$gw"
ip link set s$id netns "$srv"; ip link set gs$id netns "$gw"
ip -n "$cli" addr add 10.231.1.2/24 dev c$id; ip -n "$cli" link set c$id up
ip -n "$cli" route add default via 10.231.1.1
ip -n "$gw" addr add 10.231.1.1/24 dev gc$id; ip -n "$gw" link set gc$id up
ip -n "$gw" addr add 10.231.2.1/24 dev gs$id; ip -n "$gw" link set gs$id up
ip -n "$srv" addr add 10.231.2.2/24 dev s$id; ip -n "$srv" link set s$id up
ip -n "$srv" route add default via 10.231.2.1
ip netns exec "$gw" sysctl -qw net.ipv4.ip_forward=1
# The server drops the datagrams cheaply (no socket: an ICMP reply per packet would be rate-limited anyway).
ip netns exec "$srv" nft add table inet sink
ip netns exec "$srv" nft add chain inet sink in '{ type filter hook input priority 0; }'
ip netns exec "$srv" nft add rule inet sink in udp dport 9999 counter drop

sh Benchmarks/nfq-accept-c/build.sh
flood() { ip netns exec "$cli" Benchmarks/nfq-accept-c/udp_flood 10.231.2.2 9999 "$1" 64 > /dev/null; }
delivered() { ip netns exec "$srv" cat /sys/class/net/s$id/statistics/rx_packets; }
cpu_ticks() { awk '{ print $14, $15 }' "/proc/$1/stat"; }   # utime stime, in clock ticks
hz=$(getconf CLK_TCK)
cat > "$dir/slipsd.yaml" <<YAML
modules:
  enable: [template, local_connection_detector]
blocking:
  table: slipsd_inline_bench
  state_file: none
daemon:
  control_socket: $dir/control.sock
YAML
flood 0.2   # warm the neighbour caches

declare -a plain_f c_f c_h c_u c_s s_f s_h s_u s_s b_f b_h b_u b_s
measure() {  # $1 = pid of the consumer (or empty); prints "forwarded/s cpu_user cpu_sys"
  local pid=$1 before after u0 s0 u1 s1
  before=$(delivered)
  if [[ -n $pid ]]; then read -r u0 s0 < <(cpu_ticks "$pid"); fi
  local t0; t0=$(date +%s.%N)
  flood "$SECONDS_PER_RUN"
  local t1; t1=$(date +%s.%N)
  after=$(delivered)
  if [[ -n $pid ]]; then read -r u1 s1 < <(cpu_ticks "$pid"); else u0=0 s0=0 u1=0 s1=0; fi
  awk -v f=$((after - before)) -v t0="$t0" -v t1="$t1" -v u=$((u1 - u0)) -v s=$((s1 - s0)) -v hz="$hz" \
      'BEGIN { printf "%.0f %.4f %.4f %.3f\n", f / (t1 - t0), u / hz, s / hz, t1 - t0 }'
}
run_slipsd() {  # $1 = binary; prints "forwarded/s handled/s user-ns sys-ns"
  local bin=$1 spid f u s t handled perfpid=
  ip netns exec "$gw" "$bin" --inline --queue $QUEUE --no-drop-privileges -c "$dir/slipsd.yaml" \
      > "$dir/slipsd.log" 2>&1 &
  spid=$!
  for _ in $(seq 1 200); do grep -q "ready" "$dir/slipsd.log" && break; sleep 0.05; done
  if [[ -n ${BENCH_INLINE_PERF:-} && $bin == "$SLIPSD" ]]; then   # optional profile of the daemon during the flood
    perf record ${BENCH_INLINE_PERF_EVENTS:-} -g -o "$BENCH_INLINE_PERF" -p "$spid" -- sleep "$SECONDS_PER_RUN" > /dev/null 2>&1 &
    perfpid=$!
  fi
  read -r f u s t < <(measure "$spid")
  if [[ -n $perfpid ]]; then wait "$perfpid" || true; fi
  kill -INT "$spid"; wait "$spid" || true
  handled=$(grep -o "[0-9]* packets received" "$dir/slipsd.log" | awk '{ print $1 }' | tail -1)
  handled=${handled:-0}
  awk -v f="$f" -v h="$handled" -v t="$t" -v u="$u" -v s="$s" \
      'BEGIN { d = h > 0 ? h : 1; printf "%s %.0f %.0f %.0f\n", f, h / t, u * 1e9 / d, s * 1e9 / d }'
}
for round in $(seq 1 "$ROUNDS"); do
  read -r f _ _ _ < <(measure ""); plain_f+=("$f")

  # iptables-nft's NFQUEUE target (nft_compat): this kernel has no nft `queue` expression (DESIGN.md).
  ip netns exec "$gw" iptables-nft -A FORWARD -p udp --dport 9999 -j NFQUEUE --queue-num $QUEUE --queue-bypass
  ip netns exec "$gw" Benchmarks/nfq-accept-c/nfq_accept $QUEUE > "$dir/c.out" 2>&1 &
  cpid=$!
  sleep 0.3
  cperf=
  if [[ -n ${BENCH_INLINE_PERF:-} ]]; then   # the same profile of the C loop, in FILE.c
    perf record ${BENCH_INLINE_PERF_EVENTS:-} -g -o "$BENCH_INLINE_PERF.c" -p "$cpid" -- sleep "$SECONDS_PER_RUN" \
        > /dev/null 2>&1 &
    cperf=$!
  fi
  read -r f u s t < <(measure "$cpid")
  if [[ -n $cperf ]]; then wait "$cperf" || true; fi
  kill -INT "$cpid"; wait "$cpid" || true
  ip netns exec "$gw" iptables-nft -D FORWARD -p udp --dport 9999 -j NFQUEUE --queue-num $QUEUE --queue-bypass
  handled=$(awk '/^packets/ { print $2 }' "$dir/c.out")
  c_f+=("$f"); c_h+=("$(awk -v h="$handled" -v t="$t" 'BEGIN { printf "%.0f", h / t }')")
  c_u+=("$(awk -v u="$u" -v h="$handled" 'BEGIN { printf "%.0f", u * 1e9 / (h > 0 ? h : 1) }')")
  c_s+=("$(awk -v s="$s" -v h="$handled" 'BEGIN { printf "%.0f", s * 1e9 / (h > 0 ? h : 1) }')")

  read -r f h u s < <(run_slipsd "$SLIPSD")
  s_f+=("$f"); s_h+=("$h"); s_u+=("$u"); s_s+=("$s")
  if [[ -n $SLIPSD_BASE ]]; then
    read -r f h u s < <(run_slipsd "$SLIPSD_BASE")
    b_f+=("$f"); b_h+=("$h"); b_u+=("$u"); b_s+=("$s")
  fi
done
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
printf "%-34s %14s %14s %16s %16s\n" "set-up (medians of $ROUNDS rounds)" "forwarded/s" "handled/s" "user ns/packet" "sys ns/packet"
printf "%-34s %14s %14s %16s %16s\n" "plain forwarding" "$(median "${plain_f[@]}")" "-" "-" "-"
printf "%-34s %14s %14s %16s %16s\n" "C accept-all loop" "$(median "${c_f[@]}")" "$(median "${c_h[@]}")" "$(median "${c_u[@]}")" "$(median "${c_s[@]}")"
printf "%-34s %14s %14s %16s %16s\n" "slipsd --inline, every detector" "$(median "${s_f[@]}")" "$(median "${s_h[@]}")" "$(median "${s_u[@]}")" "$(median "${s_s[@]}")"
if [[ -n $SLIPSD_BASE ]]; then
  printf "%-34s %14s %14s %16s %16s\n" "SLIPSD_BASE, every detector" "$(median "${b_f[@]}")" "$(median "${b_h[@]}")" "$(median "${b_u[@]}")" "$(median "${b_s[@]}")"
  awk -v a="$(median "${s_u[@]}")" -v b="$(median "${b_u[@]}")" \
      'BEGIN { printf "user-space time per handled packet, slipsd / SLIPSD_BASE: %.2f\n", a / (b > 0 ? b : 1) }'
fi
awk -v a="$(median "${s_u[@]}")" -v b="$(median "${c_u[@]}")" \
    'BEGIN { printf "user-space time per handled packet, slipsd / C loop: %.2f (aim ≤ 1.5)\n", a / (b > 0 ? b : 1) }'
