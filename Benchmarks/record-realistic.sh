#!/usr/bin/env bash
# Records the realistic benchmark capture (issue 13 §1): real clients and servers from Debian's packages in two
# network namespaces joined by a veth pair — HTTP (python3's http.server, curl), DNS (dnsmasq, dig, UDP and TCP),
# TLS (openssl s_server, curl over HTTPS), bulk TCP (nc), UDP (nc -u), and a TCP port scan (nc -z) — captured with
# tcpdump on the client's side. Usage: record-realistic.sh OUT.pcap. Needs root; traffic stays in the namespaces,
# which are removed on exit, also on failure. RECORD_SNAPLEN=0 keeps whole packets (default: 256 bytes each).
set -euo pipefail
out=$(realpath -m "$1")
tag="sdb-rr$$"
cli="${tag}c" srv="${tag}s"
work=$(mktemp -d)
cleanup() {
  set +e
  [ -n "${pids:-}" ] && kill $pids 2>/dev/null
  ip netns del "$cli" 2>/dev/null; ip netns del "$srv" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
pids=""
ip netns add "$cli"; ip netns add "$srv"
ip link add "${tag}a" netns "$cli" type veth peer name "${tag}b" netns "$srv"
ip -n "$cli" addr add 10.77.1.2/16 dev "${tag}a"; ip -n "$srv" addr add 10.77.2.2/16 dev "${tag}b"
for ns in "$cli" "$srv"; do ip -n "$ns" link set lo up; done
ip -n "$cli" link set "${tag}a" up; ip -n "$srv" link set "${tag}b" up
in_cli() { ip netns exec "$cli" "$@"; }
in_srv() { ip netns exec "$srv" "$@"; }

# Servers.
mkdir -p "$work/www"; head -c 2000000 /dev/urandom > "$work/www/big.bin"; echo hello > "$work/www/index.html"
(cd "$work/www" && in_srv python3 -m http.server 8080 --bind 10.77.2.2 >/dev/null 2>&1) & pids="$pids $!"
printf 'address=/www.example.test/10.77.2.2\naddress=/api.example.test/10.77.2.2\ntxt-record=txt.example.test,"v=spf1 -all"\n' > "$work/dnsmasq.conf"
in_srv dnsmasq --no-daemon --conf-file="$work/dnsmasq.conf" --listen-address=10.77.2.2 --bind-interfaces \
  --no-resolv --no-hosts --pid-file="$work/dnsmasq.pid" >/dev/null 2>&1 & pids="$pids $!"
openssl req -x509 -newkey rsa:2048 -nodes -subj "/CN=www.example.test" -keyout "$work/key.pem" -out "$work/cert.pem" \
  -days 2 >/dev/null 2>&1
in_srv openssl s_server -accept 8443 -cert "$work/cert.pem" -key "$work/key.pem" -WWW -quiet >/dev/null 2>&1 & pids="$pids $!"
in_srv bash -c 'while true; do nc -l -p 9000 >/dev/null; done' >/dev/null 2>&1 & pids="$pids $!"
in_srv bash -c 'while true; do nc -u -l -p 9001 >/dev/null; done' >/dev/null 2>&1 & pids="$pids $!"
sleep 1

ip netns exec "$cli" tcpdump -i "${tag}a" -w "$out" -U -s "${RECORD_SNAPLEN:-256}" >/dev/null 2>&1 & tcpdump_pid=$!; pids="$pids $tcpdump_pid"
sleep 1

# Clients, bounded in count and time.
for i in $(seq 1 40); do
  in_cli dig +time=1 +tries=1 @10.77.2.2 www.example.test A >/dev/null || true
  in_cli dig +time=1 +tries=1 @10.77.2.2 "nx$i.example.test" A >/dev/null || true
  in_cli curl -s -m 3 -o /dev/null "http://10.77.2.2:8080/index.html" || true
  in_cli curl -s -k -m 3 -o /dev/null --resolve www.example.test:8443:10.77.2.2 "https://www.example.test:8443/cert.pem" || true
done
in_cli dig +tcp +time=1 +tries=1 @10.77.2.2 txt.example.test TXT >/dev/null || true
for i in 1 2 3; do in_cli curl -s -m 10 -o /dev/null "http://10.77.2.2:8080/big.bin" || true; done
head -c 3000000 /dev/urandom | in_cli nc -q 1 -w 5 10.77.2.2 9000 || true
for i in $(seq 1 200); do echo "datagram $i"; done | in_cli nc -u -q 1 -w 1 10.77.2.2 9001 || true
in_cli nc -z -w 1 10.77.2.2 1-300 >/dev/null 2>&1 || true
sleep 1
pkill -INT -f "tcpdump -i ${tag}a " || true        # tcpdump itself (ip netns exec execs it, but be sure)
wait "$tcpdump_pid" 2>/dev/null || true
echo "recorded $out: $(tcpdump -r "$out" 2>/dev/null | wc -l) packets"
