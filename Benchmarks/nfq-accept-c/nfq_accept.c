/*
 * nfq_accept: the baseline for slipsd's inline path. A minimal accept-all NFQUEUE loop on libmnl and
 * libnetfilter_queue with the same settings as slipsd's NFQueueSource: whole-packet copy (range 0xffff, clamped
 * by the kernel to 65531), GSO and FAIL_OPEN in one flags/mask pair, queue length 4096, a 16 MB receive buffer,
 * NETLINK_NO_ENOBUFS, accepts sent as NFQNL_MSG_VERDICT_BATCH every 64 packets or when the socket runs dry.
 *
 * Build:  cc -O2 -Wall -o nfq_accept nfq_accept.c $(pkg-config --cflags --libs libnetfilter_queue libmnl)
 *         (or ./build.sh)
 * Usage:  nfq_accept [-n PACKETS] [-t SECONDS] [-b BATCH] QUEUE
 *         Stops after PACKETS packets, after SECONDS seconds, or on SIGINT/SIGTERM; prints packets received.
 *         Run it inside the network namespace whose traffic is steered to QUEUE (ip netns exec NAME ...).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_queue.h>
#include <libnetfilter_queue/libnetfilter_queue.h>

#define RECV_SIZE (65536 + 16384)

static volatile sig_atomic_t stop_requested;
static void on_signal(int sig) { (void)sig; stop_requested = 1; }

static double now_seconds(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what, uint16_t queue, int err) {
	fprintf(stderr, "nfq_accept: %s queue %u: %s\n", what, queue, strerror(err));
	exit(1);
}

/* Sends a config message built by the caller with NLM_F_ACK and waits for its ack; returns 0 or a positive errno.
 * Packet messages read meanwhile are accepted. */
static int config_request(struct mnl_socket *nl, struct nlmsghdr *nlh, uint32_t seq, uint16_t queue) {
	static char buf[RECV_SIZE];
	nlh->nlmsg_flags |= NLM_F_ACK;
	nlh->nlmsg_seq = seq;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return errno;
	for (;;) {
		ssize_t n = recv(mnl_socket_get_fd(nl), buf, sizeof(buf), 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno;
		}
		int len = (int)n;
		for (struct nlmsghdr *m = (struct nlmsghdr *)buf; mnl_nlmsg_ok(m, len); m = mnl_nlmsg_next(m, &len)) {
			if (m->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = mnl_nlmsg_get_payload(m);
				if (e->msg.nlmsg_seq == seq)
					return -e->error;
			} else if (m->nlmsg_type == ((NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_PACKET)) {
				char vbuf[64];
				struct nlattr *attr[NFQA_MAX + 1] = { 0 };
				if (nfq_nlmsg_parse(m, attr) >= 0 && attr[NFQA_PACKET_HDR]) {
					struct nfqnl_msg_packet_hdr *ph = mnl_attr_get_payload(attr[NFQA_PACKET_HDR]);
					struct nlmsghdr *v = nfq_nlmsg_put(vbuf, NFQNL_MSG_VERDICT, queue);
					nfq_nlmsg_verdict_put(v, ntohl(ph->packet_id), NF_ACCEPT);
					mnl_socket_sendto(nl, v, v->nlmsg_len);
				}
			}
		}
	}
}

static int send_batch(struct mnl_socket *nl, uint16_t queue, uint32_t id, int verdict) {
	char buf[64];
	struct nlmsghdr *nlh = nfq_nlmsg_put(buf, NFQNL_MSG_VERDICT_BATCH, queue);
	nfq_nlmsg_verdict_put(nlh, (int)id, verdict);
	return mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0 ? errno : 0;
}

int main(int argc, char **argv) {
	unsigned long long limit = 0;
	double seconds = 0;
	unsigned batch_size = 64;
	int opt;
	while ((opt = getopt(argc, argv, "n:t:b:")) != -1) {
		switch (opt) {
		case 'n': limit = strtoull(optarg, NULL, 10); break;
		case 't': seconds = strtod(optarg, NULL); break;
		case 'b': batch_size = (unsigned)strtoul(optarg, NULL, 10); break;
		default:
			fprintf(stderr, "usage: %s [-n PACKETS] [-t SECONDS] [-b BATCH] QUEUE\n", argv[0]);
			return 2;
		}
	}
	if (optind != argc - 1 || batch_size == 0) {
		fprintf(stderr, "usage: %s [-n PACKETS] [-t SECONDS] [-b BATCH] QUEUE\n", argv[0]);
		return 2;
	}
	uint16_t queue = (uint16_t)strtoul(argv[optind], NULL, 10);

	/* A parent may have spawned us with these signals blocked (Foundation's Process does). */
	struct sigaction sa = { .sa_handler = on_signal };
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigset_t stop_signals;
	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGINT);
	sigaddset(&stop_signals, SIGTERM);
	sigprocmask(SIG_UNBLOCK, &stop_signals, NULL);

	struct mnl_socket *nl = mnl_socket_open(NETLINK_NETFILTER);
	if (!nl)
		die("opening netlink socket for", queue, errno);
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		die("binding netlink socket for", queue, errno);
	int fd = mnl_socket_get_fd(nl);
	int one = 1, rcvbuf = 16 << 20;
	setsockopt(fd, SOL_NETLINK, NETLINK_NO_ENOBUFS, &one, sizeof(one));
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));

	char cbuf[256];
	struct nlmsghdr *nlh = nfq_nlmsg_put(cbuf, NFQNL_MSG_CONFIG, queue);
	nfq_nlmsg_cfg_put_cmd(nlh, AF_INET, NFQNL_CFG_CMD_BIND);
	int err = config_request(nl, nlh, 1, queue);
	if (err)
		die("binding", queue, err);
	nlh = nfq_nlmsg_put(cbuf, NFQNL_MSG_CONFIG, queue);
	nfq_nlmsg_cfg_put_params(nlh, NFQNL_COPY_PACKET, 0xffff);
	nfq_nlmsg_cfg_put_qmaxlen(nlh, 4096);
	mnl_attr_put_u32(nlh, NFQA_CFG_FLAGS, htonl(NFQA_CFG_F_GSO | NFQA_CFG_F_FAIL_OPEN));
	mnl_attr_put_u32(nlh, NFQA_CFG_MASK, htonl(NFQA_CFG_F_GSO | NFQA_CFG_F_FAIL_OPEN));
	err = config_request(nl, nlh, 2, queue);
	if (err)
		die("configuring", queue, err);

	static char buf[RECV_SIZE];
	struct nlattr *attr[NFQA_MAX + 1];
	unsigned long long packets = 0, bytes = 0;
	unsigned pending = 0;
	uint32_t last_id = 0;
	double start = 0, deadline = 0;

	while (!stop_requested && (limit == 0 || packets < limit)) {
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				if (pending) {
					send_batch(nl, queue, last_id, NF_ACCEPT);
					pending = 0;
				}
				struct pollfd p = { .fd = fd, .events = POLLIN };
				poll(&p, 1, 100);
				if (deadline > 0 && now_seconds() >= deadline)
					break;
				continue;
			}
			if (errno == EINTR || errno == ENOBUFS)
				continue;
			perror("nfq_accept: recv");
			break;
		}
		int len = (int)n;
		for (struct nlmsghdr *m = (struct nlmsghdr *)buf; mnl_nlmsg_ok(m, len); m = mnl_nlmsg_next(m, &len)) {
			if (m->nlmsg_type != ((NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_PACKET))
				continue;
			memset(attr, 0, sizeof(attr));
			if (nfq_nlmsg_parse(m, attr) < 0 || !attr[NFQA_PACKET_HDR])
				continue;
			struct nfqnl_msg_packet_hdr *ph = mnl_attr_get_payload(attr[NFQA_PACKET_HDR]);
			last_id = ntohl(ph->packet_id);
			if (attr[NFQA_PAYLOAD])
				bytes += mnl_attr_get_payload_len(attr[NFQA_PAYLOAD]);
			if (packets++ == 0) {
				start = now_seconds();
				if (seconds > 0)
					deadline = start + seconds;
			}
			if (++pending >= batch_size) {
				send_batch(nl, queue, last_id, NF_ACCEPT);
				pending = 0;
			}
		}
		if (deadline > 0 && (packets & 1023) == 0 && now_seconds() >= deadline)
			break;
	}
	double elapsed = packets ? now_seconds() - start : 0;

	/* Accept everything still queued (ids compare modulo 2^32), then unbind. */
	send_batch(nl, queue, last_id + 0x40000000u, NF_ACCEPT);
	nlh = nfq_nlmsg_put(cbuf, NFQNL_MSG_CONFIG, queue);
	nfq_nlmsg_cfg_put_cmd(nlh, AF_INET, NFQNL_CFG_CMD_UNBIND);
	mnl_socket_sendto(nl, nlh, nlh->nlmsg_len);
	mnl_socket_close(nl);

	printf("packets %llu bytes %llu seconds %.3f pps %.0f\n", packets, bytes, elapsed,
	       elapsed > 0 ? packets / elapsed : 0.0);
	return 0;
}
