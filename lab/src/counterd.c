/*
 * counterd: the lab's request/response TCP service (a counter per connection).
 *
 * Listens on ADDR:PORT. A client sends lines "i\n" (i = 1, 2, 3, ... on each connection);
 * for every line the server counts c, the requests it has received on that connection, and
 * answers "<i> <c> <name>\n". So each answer says which request it answers (i) and whether
 * the server saw every request exactly once (c == i): a request lost or repeated on the way
 * to the server shows as c != i, an answer lost or repeated on the way back as a hole or a
 * repeat in the i the client receives. Anything else on a line is echoed the same way
 * ("<line> <c> <name>"), so a garbled request shows too. Lines longer than MAX_LINE bytes
 * end the connection.
 *
 * Many connections at once: non-blocking sockets and poll(). Kept CRIU-friendly like
 * streamd: plain sockets and poll(), no threads, epoll, timerfd, signalfd or inotify,
 * stdio on /dev/null when daemonised, statically linked.
 *
 * Memory to move (-m, -w): a ballast of MB MiB, one anonymous private mapping, written page by
 * page before it listens (every word different, from page to page and from pass to pass: no
 * zero or identical pages, so CRIU really dumps and moves them all), and then, with -w, written
 * again at KBPS KiB/s, one page after the other round robin, from the poll loop (it wakes every
 * 10 ms and writes the pages due by CLOCK_MONOTONIC, so the rate holds whatever the requests).
 * A stall of more than a second (SIGSTOP, a long freeze) is skipped, not caught up, as
 * streamd skips its ticks.
 *
 * usage: counterd -a ADDR -p PORT [-n NAME] [-P PIDFILE] [-S | -D] [-m MB [-w KBPS]]
 *   -S  stay in the foreground (a parent can reap it) as a session leader,
 *       stdio on /dev/null, inherited descriptors closed: what CRIU wants
 *   -D  the same, but daemonised (fork first); the parent becomes PID 1
 *   -m  keep MB MiB resident (default 0: none)
 *   -w  write the ballast again at KBPS KiB per second (default 0: written once); needs -m
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/close_range.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CLIENTS 1024
#define MAX_LINE 64           /* "i\n" with a 64-bit i fits many times over */
#define MAX_PENDING (1 << 20) /* answers not yet taken by the kernel: stop reading past this */
#define MAX_BALLAST_MB (1 << 20)  /* -m: 1 TiB */
#define MAX_DIRTY_KBPS (1 << 20)  /* -w: 1 GiB/s, more than this one thread can write */
#define DIRTY_POLL_MS 10          /* with -w, the loop wakes at least this often */

struct client {
	int fd;
	unsigned long long count; /* requests received on this connection */
	char line[MAX_LINE];      /* the incomplete line received so far */
	size_t line_len;
	char *out; /* answers not yet accepted by the kernel */
	size_t out_len;
};

static struct client clients[MAX_CLIENTS];
static int nclients;
static volatile sig_atomic_t stop;

/* the ballast (-m, -w) */
static unsigned char *ballast;
static size_t ballast_pages, page_size, next_page;
static uint64_t pass;           /* passes over the ballast so far: each writes other content */
static uint64_t dirty_rate;     /* -w, bytes per second; 0: written once */
static uint64_t dirty_credit;   /* nanoseconds x bytes per second owed, less than one page's worth */
static long long dirty_last;    /* CLOCK_MONOTONIC ns of the last look */

static void on_term(int sig) { (void)sig; stop = 1; }

static long long now_ns(clockid_t c)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Writes page i with words that differ from page to page and from pass to pass (xorshift64). */
static void write_page(size_t i)
{
	uint64_t *w = (uint64_t *)(ballast + i * page_size);
	uint64_t x = ((uint64_t)(i + 1) * 0x9e3779b97f4a7c15ULL) ^ (pass << 40) ^ 1;
	for (size_t k = 0; k < page_size / sizeof *w; k++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		w[k] = x;
	}
}

/* Writes the pages due since the last look at dirty_rate, round robin over the ballast. */
static void write_due_pages(void)
{
	long long now = now_ns(CLOCK_MONOTONIC), elapsed = now - dirty_last;
	const uint64_t page_worth = (uint64_t)page_size * 1000000000ULL;
	dirty_last = now;
	if (elapsed < 0 || elapsed > 1000000000LL) /* stalled: skip, not caught up */
		return;
	/* at most 1e9 ns x 2^30 B/s: fits in 64 bits */
	for (dirty_credit += (uint64_t)elapsed * dirty_rate; dirty_credit >= page_worth; dirty_credit -= page_worth) {
		write_page(next_page);
		if (++next_page == ballast_pages) {
			next_page = 0;
			pass++;
		}
	}
}

/* A whole number for option -OPT from 0 to MAX; exits with a message naming the option otherwise. */
static uint64_t number(int opt, const char *s, uint64_t max)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (*s < '0' || *s > '9' || *end || errno || v > max) {
		fprintf(stderr, "counterd: -%c wants a whole number from 0 to %llu, not '%s'\n", opt,
			(unsigned long long)max, s);
		exit(2);
	}
	return v;
}

static void drop_client(int i)
{
	close(clients[i].fd);
	free(clients[i].out);
	clients[i] = clients[--nclients];
}

/* Returns 0, or -1 when the client must be dropped. */
static int flush_client(struct client *c)
{
	while (c->out_len > 0) {
		ssize_t n = send(c->fd, c->out, c->out_len, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0)
			return (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) ? 0 : -1;
		memmove(c->out, c->out + n, c->out_len - (size_t)n);
		c->out_len -= (size_t)n;
	}
	return 0;
}

static int answer(struct client *c, const char *req, size_t len, const char *name)
{
	char ans[MAX_LINE + 64];
	int n = snprintf(ans, sizeof ans, "%.*s %llu %s\n", (int)len, req, ++c->count, name);
	char *b = realloc(c->out, c->out_len + (size_t)n);
	if (!b)
		return -1;
	c->out = b;
	memcpy(c->out + c->out_len, ans, (size_t)n);
	c->out_len += (size_t)n;
	return 0;
}

/* Reads what the client sent and queues one answer per complete line. Returns 0, or -1
 * when the client must be dropped (closed, error, line too long). */
static int serve(struct client *c, const char *name)
{
	char buf[4096];
	while (c->out_len < MAX_PENDING) {
		ssize_t r = recv(c->fd, buf, sizeof buf, MSG_DONTWAIT);
		if (r == 0)
			return -1;
		if (r < 0)
			return (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) ? 0 : -1;
		for (ssize_t k = 0; k < r; k++) {
			if (buf[k] != '\n') {
				if (c->line_len == MAX_LINE)
					return -1;
				c->line[c->line_len++] = buf[k];
				continue;
			}
			if (answer(c, c->line, c->line_len, name) < 0)
				return -1;
			c->line_len = 0;
		}
		if (flush_client(c) < 0)
			return -1;
	}
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: counterd -a ADDR -p PORT [-n NAME] [-P PIDFILE] [-S|-D] [-m MB [-w KBPS]]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *addr = NULL, *name = "counter", *pidfile = NULL;
	int port = 0, opt, daemonise = 0, session = 0;
	uint64_t ballast_mb = 0, dirty_kbps = 0;

	while ((opt = getopt(argc, argv, "a:p:n:P:SDm:w:")) != -1) {
		switch (opt) {
		case 'a': addr = optarg; break;
		case 'p': port = atoi(optarg); break;
		case 'n': name = optarg; break;
		case 'P': pidfile = optarg; break;
		case 'S': session = 1; break;
		case 'D': daemonise = 1; break;
		case 'm': /* MB << 20 must fit in a size_t (a 32-bit one too) */
			ballast_mb = number(opt, optarg, MAX_BALLAST_MB < SIZE_MAX >> 20 ? MAX_BALLAST_MB : SIZE_MAX >> 20);
			break;
		case 'w': dirty_kbps = number(opt, optarg, MAX_DIRTY_KBPS); break;
		default: usage();
		}
	}
	if (!addr || port <= 0 || port > 65535 || strchr(name, ' ') || strlen(name) > 32)
		usage();
	if (dirty_kbps && !ballast_mb) {
		fprintf(stderr, "counterd: -w %llu needs a ballast to write (-m MB)\n", (unsigned long long)dirty_kbps);
		return 2;
	}

	/* Inherited descriptors (a parent's pipes, lock files) would be "external"
	 * resources to CRIU and keep the parent's pipes open: drop them. */
	if (daemonise || session)
		close_range(3, ~0U, 0);

	/* The ballast before the socket: once it listens, the memory is resident (and a failure
	 * still reaches the caller's stderr). */
	if (ballast_mb) {
		size_t bytes = (size_t)ballast_mb << 20;
		page_size = (size_t)sysconf(_SC_PAGESIZE);
		ballast_pages = bytes / page_size;
		ballast = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (ballast == MAP_FAILED) {
			fprintf(stderr, "counterd: -m %llu: cannot map %zu bytes: %s\n", (unsigned long long)ballast_mb,
				bytes, strerror(errno));
			return 1;
		}
		for (size_t i = 0; i < ballast_pages; i++)
			write_page(i);
		pass = 1;
		dirty_rate = dirty_kbps * 1024;
		dirty_last = now_ns(CLOCK_MONOTONIC);
	}

	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
	if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1) {
		fprintf(stderr, "counterd: bad IPv4 address %s\n", addr);
		return 2;
	}
	int lfd = socket(AF_INET, SOCK_STREAM, 0);
	int one = 1;
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(lfd, 128) < 0) {
		fprintf(stderr, "counterd: cannot listen on %s:%d: %s\n", addr, port, strerror(errno));
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
		/* CRIU restores a regular-file fd only if the file has not changed since. */
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		if (null > 2)
			close(null);
	}
	if (pidfile) {
		FILE *f = fopen(pidfile, "w");
		if (!f) {
			fprintf(stderr, "counterd: cannot write %s\n", pidfile);
			return 1;
		}
		fprintf(f, "%d\n", (int)getpid());
		fclose(f);
	}
	signal(SIGPIPE, SIG_IGN);
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);

	struct pollfd pfd[MAX_CLIENTS + 1];
	while (!stop) {
		pfd[0] = (struct pollfd){.fd = lfd, .events = POLLIN};
		for (int i = 0; i < nclients; i++)
			pfd[i + 1] = (struct pollfd){
				.fd = clients[i].fd,
				/* a client that does not take its answers is not read further
				 * (back-pressure through TCP) instead of being dropped */
				.events = (clients[i].out_len < MAX_PENDING ? POLLIN : 0) |
					  (clients[i].out_len ? POLLOUT : 0)};
		int ready = poll(pfd, (nfds_t)nclients + 1, dirty_rate ? DIRTY_POLL_MS : -1);
		if (dirty_rate)
			write_due_pages();
		if (ready <= 0)
			continue;
		/* Walk backwards: drop_client() moves the last client into slot i. */
		for (int i = nclients - 1; i >= 0; i--) {
			short re = pfd[i + 1].revents;
			if (!re)
				continue;
			if ((re & POLLOUT) && flush_client(&clients[i]) < 0) {
				drop_client(i);
				continue;
			}
			/* POLLHUP/POLLERR with data still queued: recv() says 0 or the error */
			if ((re & (POLLIN | POLLHUP | POLLERR)) && serve(&clients[i], name) < 0)
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
