/*
 * streamd: the lab's streaming TCP service (the "running service" that migrates).
 *
 * Listens on ADDR:PORT and sends every client one line every INTERVAL ms:
 *     "<seq> <unix-time-us> <name>\n"
 * seq counts the lines sent to that client, from 1, with no holes: after a stall
 * (SIGSTOP, CRIU freeze) the next line carries the next seq, so a client that sees
 * a hole in seq really lost data. Ticks missed while stalled are skipped, not
 * replayed, so the client sees the stall as a gap in time.
 *
 * Kept CRIU-friendly on purpose: plain sockets and poll(), no epoll/timerfd/
 * signalfd/inotify, stdio on /dev/null when daemonised. Links statically so the
 * same binary can go into a VM's initramfs.
 *
 * usage: streamd -a ADDR -p PORT [-n NAME] [-i MS] [-P PIDFILE] [-S | -D]
 *   -S  stay in the foreground (a parent can reap it) as a session leader,
 *       stdio on /dev/null, inherited descriptors closed: what CRIU wants
 *   -D  the same, but daemonised (fork first); the parent becomes PID 1
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/close_range.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_CLIENTS 1024
#define MAX_PENDING (1 << 20) /* a client this far behind is dropped */

struct client {
	int fd;
	unsigned long long seq;
	char *buf; /* bytes not yet accepted by the kernel */
	size_t len;
};

static struct client clients[MAX_CLIENTS];
static int nclients;
static volatile sig_atomic_t stop;

static void on_term(int sig) { (void)sig; stop = 1; }

static long long now_ns(clockid_t c)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void drop_client(int i)
{
	close(clients[i].fd);
	free(clients[i].buf);
	clients[i] = clients[--nclients];
}

/* Returns 0, or -1 when the client must be dropped. */
static int flush_client(struct client *c)
{
	while (c->len > 0) {
		ssize_t n = send(c->fd, c->buf, c->len, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0)
			return (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) ? 0 : -1;
		memmove(c->buf, c->buf + n, c->len - (size_t)n);
		c->len -= (size_t)n;
	}
	return 0;
}

static int queue_line(struct client *c, const char *name)
{
	char line[128];
	int n = snprintf(line, sizeof line, "%llu %lld %s\n", ++c->seq,
			 now_ns(CLOCK_REALTIME) / 1000, name);
	if (c->len + (size_t)n > MAX_PENDING)
		return -1;
	char *b = realloc(c->buf, c->len + (size_t)n);
	if (!b)
		return -1;
	c->buf = b;
	memcpy(c->buf + c->len, line, (size_t)n);
	c->len += (size_t)n;
	return flush_client(c);
}

static void usage(void)
{
	fprintf(stderr, "usage: streamd -a ADDR -p PORT [-n NAME] [-i MS] [-P PIDFILE] [-S|-D]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *addr = NULL, *name = "stream", *pidfile = NULL;
	int port = 0, interval_ms = 10, opt, daemonise = 0, session = 0;

	while ((opt = getopt(argc, argv, "a:p:n:i:P:SD")) != -1) {
		switch (opt) {
		case 'a': addr = optarg; break;
		case 'p': port = atoi(optarg); break;
		case 'n': name = optarg; break;
		case 'i': interval_ms = atoi(optarg); break;
		case 'P': pidfile = optarg; break;
		case 'S': session = 1; break;
		case 'D': daemonise = 1; break;
		default: usage();
		}
	}
	if (!addr || port <= 0 || port > 65535 || interval_ms <= 0 || strchr(name, ' ') ||
	    strlen(name) > 32)
		usage();

	/* Inherited descriptors (a parent's pipes, lock files) would be "external"
	 * resources to CRIU and keep the parent's pipes open: drop them. */
	if (daemonise || session)
		close_range(3, ~0U, 0);

	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
	if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1) {
		fprintf(stderr, "streamd: bad IPv4 address %s\n", addr);
		return 2;
	}
	int lfd = socket(AF_INET, SOCK_STREAM, 0);
	int one = 1;
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(lfd, 128) < 0) {
		fprintf(stderr, "streamd: cannot listen on %s:%d: %s\n", addr, port, strerror(errno));
		return 1;
	}
	fcntl(lfd, F_SETFL, O_NONBLOCK);

	if (daemonise) {
		pid_t pid = fork();
		if (pid < 0)
			return 1;
		if (pid > 0)
			_exit(0);
	}
	if (daemonise || session) {
		setsid();
		int null = open("/dev/null", O_RDWR);
		/* CRIU restores a regular-file fd only if the file has not grown since. */
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		if (null > 2)
			close(null);
	}
	if (pidfile) {
		FILE *f = fopen(pidfile, "w");
		if (!f) {
			fprintf(stderr, "streamd: cannot write %s\n", pidfile);
			return 1;
		}
		fprintf(f, "%d\n", (int)getpid());
		fclose(f);
	}
	signal(SIGPIPE, SIG_IGN);
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);

	const long long interval = (long long)interval_ms * 1000000LL;
	long long next = now_ns(CLOCK_MONOTONIC) + interval;
	struct pollfd pfd[MAX_CLIENTS + 1];

	while (!stop) {
		long long now = now_ns(CLOCK_MONOTONIC);
		if (now >= next) {
			for (int i = 0; i < nclients;)
				if (queue_line(&clients[i], name) < 0)
					drop_client(i);
				else
					i++;
			next += interval;
			if (next <= now) /* we were stalled: skip the missed ticks */
				next = now + interval;
			continue;
		}
		pfd[0] = (struct pollfd){.fd = lfd, .events = POLLIN};
		for (int i = 0; i < nclients; i++)
			pfd[i + 1] = (struct pollfd){
				.fd = clients[i].fd,
				.events = POLLIN | (clients[i].len ? POLLOUT : 0)};
		int wait_ms = (int)((next - now + 999999) / 1000000);
		int n = poll(pfd, (nfds_t)nclients + 1, wait_ms);
		if (n <= 0)
			continue;
		/* Walk backwards: drop_client() moves the last client into slot i. */
		for (int i = nclients - 1; i >= 0; i--) {
			short re = pfd[i + 1].revents;
			if (!re)
				continue;
			if (re & (POLLERR | POLLHUP)) {
				drop_client(i);
				continue;
			}
			if (re & POLLIN) {
				char junk[512];
				ssize_t r = recv(clients[i].fd, junk, sizeof junk, MSG_DONTWAIT);
				if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
					drop_client(i);
					continue;
				}
			}
			if ((re & POLLOUT) && flush_client(&clients[i]) < 0)
				drop_client(i);
		}
		if (pfd[0].revents & POLLIN) {
			int fd;
			while ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
				if (nclients == MAX_CLIENTS) {
					close(fd);
					continue;
				}
				setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
				clients[nclients++] = (struct client){.fd = fd};
			}
		}
	}
	for (int i = nclients - 1; i >= 0; i--)
		drop_client(i);
	close(lfd);
	if (pidfile)
		unlink(pidfile);
	return 0;
}
