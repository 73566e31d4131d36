#!/bin/sh
# Builds the C accept-all NFQUEUE baseline and the UDP load generator next to this script.
set -eu
cd "$(dirname "$0")"
cc -O2 -Wall -o nfq_accept nfq_accept.c $(pkg-config --cflags --libs libnetfilter_queue libmnl)
cc -O2 -Wall -o udp_flood udp_flood.c
