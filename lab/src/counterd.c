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
 * usage: counterd -a ADDR -p PORT [-n NAME] [-P PIDFILE] [-S | -D]
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
#include <unistd.h>

#define MAX_CLIENTS 1024
#define MAX_LINE 64           /* "i\n" with a 64-bit i fits many times over */
#define MAX_PENDING (1 << 20) /* answers not yet taken by the kernel: stop reading past this */

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

static void on_term(int sig) { (void)sig; stop = 1; }

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
	fprintf(stderr, "usage: counterd -a ADDR -p PORT [-n NAME] [-P PIDFILE] [-S|-D]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *addr = NULL, *name = "counter", *pidfile = NULL;
	int port = 0, opt, daemonise = 0, session = 0;

	while ((opt = getopt(argc, argv, "a:p:n:P:SD")) != -1) {
		switch (opt) {
		case 'a': addr = optarg; break;
		case 'p': port = atoi(optarg); break;
		case 'n': name = optarg; break;
		case 'P': pidfile = optarg; break;
		case 'S': session = 1; break;
		case 'D': daemonise = 1; break;
		default: usage();
		}
	}
	if (!addr || port <= 0 || port > 65535 || strchr(name, ' ') || strlen(name) > 32)
		usage();

	/* Inherited descriptors (a parent's pipes, lock files) would be "external"
	 * resources to CRIU and keep the parent's pipes open: drop them. */
	if (daemonise || session)
		close_range(3, ~0U, 0);

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
		if (poll(pfd, (nfds_t)nclients + 1, -1) <= 0)
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
