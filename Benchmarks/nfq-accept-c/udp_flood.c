/*
 * udp_flood: the load generator for the NFQUEUE benchmarks. Sends UDP datagrams of SIZE bytes to ADDRESS:PORT
 * as fast as one thread can (sendmmsg, 64 per call) for SECONDS, then prints the count. Run it only inside a
 * network namespace built for the benchmark (ip netns exec NAME ...), towards an address in that topology.
 *
 * Build:  cc -O2 -Wall -o udp_flood udp_flood.c   (or ./build.sh)
 * Usage:  udp_flood ADDRESS PORT SECONDS [SIZE]
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64

static double now_seconds(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
	if (argc < 4) {
		fprintf(stderr, "usage: %s ADDRESS PORT SECONDS [SIZE]\n", argv[0]);
		return 2;
	}
	struct sockaddr_in dst = { .sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[2])) };
	if (inet_pton(AF_INET, argv[1], &dst.sin_addr) != 1) {
		fprintf(stderr, "udp_flood: bad address %s\n", argv[1]);
		return 2;
	}
	double seconds = atof(argv[3]);
	size_t size = argc > 4 ? (size_t)atoi(argv[4]) : 64;
	if (size < 8 || size > 1472 || seconds <= 0 || seconds > 60) {
		fprintf(stderr, "udp_flood: SIZE must be 8..1472 and SECONDS 0..60\n");
		return 2;
	}
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&dst, sizeof(dst)) < 0) {
		perror("udp_flood: socket/connect");
		return 1;
	}
	static char payload[1472];
	memset(payload, 0xab, sizeof(payload));
	struct iovec iov[BATCH];
	struct mmsghdr msgs[BATCH];
	memset(msgs, 0, sizeof(msgs));
	for (int i = 0; i < BATCH; i++) {
		iov[i].iov_base = payload;
		iov[i].iov_len = size;
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	unsigned long long sent = 0;
	double end = now_seconds() + seconds;
	while (now_seconds() < end) {
		int n = sendmmsg(fd, msgs, BATCH, 0);
		if (n > 0)
			sent += (unsigned)n;
	}
	printf("sent %llu\n", sent);
	return 0;
}
