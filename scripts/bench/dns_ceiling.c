/* dns_ceiling.c - the kernel-only baseline of scripts/bench/dns.sh: the least a UDP DNS
 * server can do per query on this machine.
 *
 *   dns_ceiling PORT THREADS [BUSY_POLL_US]
 *
 * THREADS threads, each with its own SO_REUSEPORT socket on 127.0.0.1:PORT, receive batches
 * of 32 datagrams with recvmmsg and send them back with sendmmsg, each turned into a reply
 * in place (QR and AA set, NXDOMAIN, the question echoed), with no zone lookup at all.
 * Sockets, threads, batches and waiting are those of the faster of the two servers dns.sh
 * compares, i.e. mail-dns's (NSD also runs one SO_REUSEPORT socket per server process but
 * sleeps in epoll whenever its socket is empty): a thread whose socket is empty yields its
 * core and polls again for BUSY_POLL_US (default 50, mail-dns's dns.busy_poll_us) before
 * it sleeps in recvmmsg. dnsperf against it measures what the kernel's UDP path and the
 * load generator allow on these cores; a server at this rate cannot be made faster by its
 * own code. Runs until killed.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { Batch = 32, MaxSize = 4096 };

static int port;
static long busy_poll_us = 50;

static long elapsed_us(const struct timespec* start)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - start->tv_sec) * 1000000L + (now.tv_nsec - start->tv_nsec) / 1000;
}

static void* serve(void* unused)
{
	(void)unused;
	int fd = socket(AF_INET, SOCK_DGRAM, 0), on = 1, size = 1 << 20;
	struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
	address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof on) != 0
		|| bind(fd, (struct sockaddr*)&address, sizeof address) != 0)
	{
		perror("dns_ceiling: bind");
		exit(1);
	}
	static __thread unsigned char data[Batch][MaxSize];
	static __thread struct sockaddr_storage peers[Batch];
	struct mmsghdr messages[Batch];
	struct iovec iov[Batch];
	for (;;)
	{
		for (int i = 0; i < Batch; ++i)
		{
			iov[i].iov_base = data[i];
			iov[i].iov_len = MaxSize;
			memset(&messages[i].msg_hdr, 0, sizeof messages[i].msg_hdr);
			messages[i].msg_hdr.msg_name = &peers[i];
			messages[i].msg_hdr.msg_namelen = sizeof peers[i];
			messages[i].msg_hdr.msg_iov = &iov[i];
			messages[i].msg_hdr.msg_iovlen = 1;
		}
		int n = busy_poll_us ? recvmmsg(fd, messages, Batch, MSG_DONTWAIT, NULL) : -1;
		if (n < 0 && busy_poll_us)
		{
			struct timespec start;
			clock_gettime(CLOCK_MONOTONIC, &start);
			while (n < 0 && elapsed_us(&start) < busy_poll_us)
			{
				sched_yield();
				n = recvmmsg(fd, messages, Batch, MSG_DONTWAIT, NULL);
			}
		}
		if (n < 0) n = recvmmsg(fd, messages, Batch, MSG_WAITFORONE, NULL);
		if (n <= 0) continue;
		int out = 0;
		for (int i = 0; i < n; ++i)
		{
			if (messages[i].msg_len < 12 || (data[i][2] & 0x80)) continue;
			unsigned end = 12; /* the reply ends after the question (no OPT echoed) */
			while (end < messages[i].msg_len && data[i][end] != 0 && data[i][end] < 64) end += data[i][end] + 1u;
			end += 5;
			if (end > messages[i].msg_len) continue;
			data[i][2] = (unsigned char)(0x84 | (data[i][2] & 0x79)); /* QR, AA; opcode and RD kept */
			data[i][3] = 3;                                            /* NXDOMAIN */
			memset(data[i] + 6, 0, 6);                                 /* no answer, authority, additional */
			iov[i].iov_len = end;
			if (out != i) messages[out] = messages[i];
			++out;
		}
		for (int sent = 0; sent < out;)
		{
			int k = sendmmsg(fd, messages + sent, (unsigned)(out - sent), 0);
			sent += k > 0 ? k : 1;
		}
	}
	return NULL;
}

int main(int argc, char** argv)
{
	if (argc < 3 || argc > 4 || (port = atoi(argv[1])) <= 0 || atoi(argv[2]) <= 0
		|| (argc == 4 && (busy_poll_us = atol(argv[3])) < 0))
	{
		fprintf(stderr, "usage: dns_ceiling PORT THREADS [BUSY_POLL_US]\n");
		return 64;
	}
	int threads = atoi(argv[2]);
	pthread_t id;
	for (int i = 1; i < threads; ++i) pthread_create(&id, NULL, serve, NULL);
	serve(NULL);
	return 0;
}
