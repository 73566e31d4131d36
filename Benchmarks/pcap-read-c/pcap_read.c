/* Baseline for `make bench`: the physical limit of reading a capture through libpcap.
 * A bare pcap_loop whose callback only counts packets and bytes.
 * Build: cc -O2 -o pcap_read pcap_read.c $(pkg-config --cflags --libs libpcap)
 * Usage: pcap_read FILE    → prints "packets=N bytes=N seconds=S pps=P" */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdint.h>
#include <time.h>

struct totals { uint64_t packets; uint64_t bytes; };

static void count_packet(u_char *user, const struct pcap_pkthdr *header, const u_char *bytes) {
    struct totals *t = (struct totals *)user;
    (void)bytes;
    t->packets++;
    t->bytes += header->caplen;
}

int main(int argc, char **argv) {
    if (argc != 2) { fprintf(stderr, "usage: %s FILE\n", argv[0]); return 2; }
    char errbuf[PCAP_ERRBUF_SIZE];
    pcap_t *p = pcap_open_offline(argv[1], errbuf);
    if (!p) { fprintf(stderr, "%s: %s\n", argv[1], errbuf); return 1; }
    struct totals t = {0, 0};
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    if (pcap_loop(p, -1, count_packet, (u_char *)&t) == -1) {
        fprintf(stderr, "%s: %s\n", argv[1], pcap_geterr(p));
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    double s = (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
    printf("packets=%llu bytes=%llu seconds=%.6f pps=%.0f\n", (unsigned long long)t.packets,
           (unsigned long long)t.bytes, s, t.packets / s);
    pcap_close(p);
    return 0;
}
