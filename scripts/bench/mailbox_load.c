/* mailbox_load.c - the load client of scripts/bench/pop3.sh and imap.sh, in C so that the
 * server, not the client, limits the rate on a 2-core machine.
 *
 *   mailbox_load pop3|imap fetch HOST PORT MANIFEST [--sessions N] [--rounds R]
 *   mailbox_load pop3 logins HOST PORT MANIFEST [--sessions N] [--seconds S]
 *
 * MANIFEST is the JSON file pop3_load.py fill writes: {user: [sha256 hex of each message,
 * in delivery order], ...}; the password of u042@pop.test is p042.
 *
 * fetch: R rounds over every user of the manifest (a barrier between rounds, so no two
 * sessions ever want the same mailbox); N threads, each with one blocking session at a time,
 * take the next user of the round. A session does for each protocol what the Python
 * clients did before it (test/lib/pop3_load.py fetch --pipeline, an imap_load.py):
 *   pop3: USER and PASS in one write, STAT (its count must match the manifest), every
 *         RETR in one write (pipelined), each body un-dot-stuffed, QUIT;
 *   imap: LOGIN, SELECT INBOX, one FETCH 1:* (UID RFC822.SIZE BODY.PEEK[]) whose literals
 *         are the messages, LOGOUT.
 * Every message's SHA-256 is compared with the manifest's, so nothing can be skipped or
 * faked; a message count, a byte or an order that differs is an error.
 *
 * logins (pop3): N threads for S seconds, each over its own users (t, t+N, ...): connect,
 * USER/PASS/STAT/QUIT in one write, four +OK replies, close.
 *
 * Prints one JSON line, as the Python clients did (test/lib/load_run.py reads it):
 * {"logins":..,"messages":..,"bytes":..,"seconds":..,"errors":[...]} (at most 10 errors),
 * and exits 1 when any session failed. Built by the bench scripts with the system's C
 * compiler and libcrypto (lib.sh build_mailbox_load).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

enum
{
	BufferSize = 1 << 20,
	DigestSize = 32,
	MaxErrors = 10,
	TimeoutSeconds = 30
};

struct User
{
	char name[128];
	unsigned char (*sums)[DigestSize];
	size_t count;
};

static struct User* users;
static size_t userCount;
static struct sockaddr_in server;
static int protocolImap;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long long logins, messages, bytes;
static char* errors[MaxErrors];
static int errorCount;

/* What every session shares: the round's next user and the barrier between rounds. */
static size_t nextUser;
static pthread_barrier_t roundEnd;
static int rounds, sessions;
static double deadline;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: mailbox_load pop3|imap fetch HOST PORT MANIFEST [--sessions N] [--rounds R]\n"
		"       mailbox_load pop3 logins HOST PORT MANIFEST [--sessions N] [--seconds S]\n");
	exit(64);
}

static void addError(const char* format, ...)
{
	char text[512];
	va_list args;
	va_start(args, format);
	vsnprintf(text, sizeof text, format, args);
	va_end(args);
	pthread_mutex_lock(&lock);
	if (errorCount < MaxErrors) errors[errorCount] = strdup(text);
	++errorCount;
	pthread_mutex_unlock(&lock);
}

/* ---- the manifest: the JSON of pop3_load.py fill, read by a scanner of its two levels ---- */

static int hexValue(char c)
{
	if (c >= '0' && c <= '9') return c - '0';
	if (c >= 'a' && c <= 'f') return c - 'a' + 10;
	return -1;
}

static int compareUsers(const void* a, const void* b)
{
	return strcmp(((const struct User*)a)->name, ((const struct User*)b)->name);
}

static void readManifest(const char* path)
{
	FILE* f = fopen(path, "r");
	if (!f)
	{
		fprintf(stderr, "mailbox_load: cannot read %s: %s\n", path, strerror(errno));
		exit(1);
	}
	size_t capacity = 0, depth = 0;
	struct User* user = NULL;
	size_t sumCapacity = 0;
	int c;
	while ((c = getc(f)) != EOF)
	{
		if (c == '{' || c == '[') ++depth;
		else if (c == '}' || c == ']') --depth;
		if (depth > 2) break;
		if (c != '"') continue;
		char text[128];
		size_t n = 0;
		while ((c = getc(f)) != EOF && c != '"' && n + 1 < sizeof text) text[n++] = (char)c;
		text[n] = '\0';
		if (c != '"') break;
		if (depth == 1) /* a user */
		{
			if (userCount == capacity) users = realloc(users, (capacity = capacity ? 2 * capacity : 128) * sizeof *users);
			user = &users[userCount++];
			memset(user, 0, sizeof *user);
			snprintf(user->name, sizeof user->name, "%s", text);
			sumCapacity = 0;
		}
		else if (depth == 2 && user && n == 2 * DigestSize) /* one message's sha256 */
		{
			if (user->count == sumCapacity)
				user->sums = realloc(user->sums, (sumCapacity = sumCapacity ? 2 * sumCapacity : 128) * DigestSize);
			for (size_t i = 0; i < DigestSize; ++i)
			{
				const int hi = hexValue(text[2 * i]), lo = hexValue(text[2 * i + 1]);
				if (hi < 0 || lo < 0) goto bad;
				user->sums[user->count][i] = (unsigned char)(hi << 4 | lo);
			}
			++user->count;
		}
		else
			goto bad;
	}
	if (depth != 0 || userCount == 0) goto bad;
	fclose(f);
	qsort(users, userCount, sizeof *users, compareUsers);
	return;
bad:
	fprintf(stderr, "mailbox_load: %s is not a manifest of pop3_load.py fill ({user: [sha256, ...]})\n", path);
	exit(1);
}

/* ---- one connection: a receive buffer read from an offset, refilled when it runs dry ---- */

struct Conn
{
	int fd;
	char* buf;
	size_t start, end;
	const char* user;
	char failure[256];
};

static int failed(struct Conn* c, const char* format, ...)
{
	if (c->failure[0]) return -1;
	va_list args;
	va_start(args, format);
	int n = snprintf(c->failure, sizeof c->failure, "%s: ", c->user);
	vsnprintf(c->failure + n, sizeof c->failure - (size_t)n, format, args);
	va_end(args);
	char* out = c->failure; /* a reply is quoted without its CRLF */
	for (const char* in = c->failure; *in; ++in)
		if (*in != '\r' && *in != '\n') *out++ = *in;
	*out = '\0';
	return -1;
}

static int refill(struct Conn* c)
{
	if (c->start == c->end) c->start = c->end = 0;
	if (c->end == BufferSize)
	{
		if (c->start == 0) return failed(c, "a line longer than %d octets", BufferSize);
		memmove(c->buf, c->buf + c->start, c->end - c->start);
		c->end -= c->start;
		c->start = 0;
	}
	ssize_t n;
	do n = recv(c->fd, c->buf + c->end, BufferSize - c->end, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0) return failed(c, "recv: %s", strerror(errno));
	if (n == 0) return failed(c, "connection closed by the server");
	c->end += (size_t)n;
	return 0;
}

/* The next line with its CRLF; *line points into the buffer until the next read. */
static int readLine(struct Conn* c, const char** line, size_t* length)
{
	size_t scanned = c->start;
	for (;;)
	{
		const char* eol = memchr(c->buf + scanned, '\n', c->end - scanned);
		if (eol)
		{
			*line = c->buf + c->start;
			*length = (size_t)(eol + 1 - *line);
			c->start += *length;
			return 0;
		}
		const size_t offset = c->end - c->start;
		if (refill(c) != 0) return -1;
		scanned = c->start + offset;
	}
}

static int sendAll(struct Conn* c, const char* data, size_t length)
{
	while (length > 0)
	{
		const ssize_t n = send(c->fd, data, length, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR) continue;
		if (n < 0) return failed(c, "send: %s", strerror(errno));
		data += n;
		length -= (size_t)n;
	}
	return 0;
}

static int connectTo(struct Conn* c)
{
	c->fd = socket(AF_INET, SOCK_STREAM, 0);
	if (c->fd < 0) return failed(c, "socket: %s", strerror(errno));
	const int on = 1;
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
	const struct timeval timeout = {TimeoutSeconds, 0};
	setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
	setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
	if (connect(c->fd, (const struct sockaddr*)&server, sizeof server) != 0)
		return failed(c, "connect: %s", strerror(errno));
	return 0;
}

static int startsWith(const char* line, size_t length, const char* prefix)
{
	const size_t n = strlen(prefix);
	return length >= n && memcmp(line, prefix, n) == 0;
}

static void password(const char* user, char* out)
{
	snprintf(out, 8, "p%.3s", user + 1);
}

/* The digest of the message just read must be the manifest's for message index. */
static int checkDigest(struct Conn* c, EVP_MD_CTX* sha, const struct User* u, size_t index, size_t length)
{
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int size = 0;
	EVP_DigestFinal_ex(sha, digest, &size);
	if (index >= u->count) return failed(c, "more than the %zu messages of the manifest", u->count);
	if (size != DigestSize || memcmp(digest, u->sums[index], DigestSize) != 0)
		return failed(c, "message %zu: checksum differs (%zu octets)", index + 1, length);
	return 0;
}

/* ---- POP3 ---- */

static int pop3Ok(struct Conn* c, const char* what)
{
	const char* line;
	size_t length;
	if (readLine(c, &line, &length) != 0) return -1;
	if (!startsWith(line, length, "+OK")) return failed(c, "%s: %.*s", what, (int)length, line);
	return 0;
}

/* One RETR's body up to the lone dot, un-stuffed, hashed line by line. */
static int pop3Body(struct Conn* c, EVP_MD_CTX* sha, size_t* length)
{
	*length = 0;
	for (;;)
	{
		const char* line;
		size_t n;
		if (readLine(c, &line, &n) != 0) return -1;
		if (n == 3 && memcmp(line, ".\r\n", 3) == 0) return 0;
		if (line[0] == '.') ++line, --n;
		EVP_DigestUpdate(sha, line, n);
		*length += n;
	}
}

static int pop3Fetch(struct Conn* c, const struct User* u, EVP_MD_CTX* sha, long long* octets)
{
	char command[256], pass[8];
	password(u->name, pass);
	if (pop3Ok(c, "greeting") != 0) return -1;
	int n = snprintf(command, sizeof command, "USER %s\r\nPASS %s\r\n", u->name, pass);
	if (sendAll(c, command, (size_t)n) != 0 || pop3Ok(c, "USER") != 0 || pop3Ok(c, "PASS") != 0) return -1;
	if (sendAll(c, "STAT\r\n", 6) != 0) return -1;
	const char* line;
	size_t length;
	if (readLine(c, &line, &length) != 0) return -1;
	if (!startsWith(line, length, "+OK ") || strtoul(line + 4, NULL, 10) != u->count)
		return failed(c, "STAT %.*s, expected %zu messages", (int)length, line, u->count);
	size_t size = u->count * 16, used = 0;
	char* retr = malloc(size);
	for (size_t i = 0; i < u->count; ++i) used += (size_t)snprintf(retr + used, size - used, "RETR %zu\r\n", i + 1);
	const int sent = sendAll(c, retr, used);
	free(retr);
	if (sent != 0) return -1;
	for (size_t i = 0; i < u->count; ++i)
	{
		if (pop3Ok(c, "RETR") != 0) return -1;
		EVP_DigestInit_ex(sha, EVP_sha256(), NULL);
		size_t body;
		if (pop3Body(c, sha, &body) != 0 || checkDigest(c, sha, u, i, body) != 0) return -1;
		*octets += (long long)body;
	}
	if (sendAll(c, "QUIT\r\n", 6) != 0 || pop3Ok(c, "QUIT") != 0) return -1;
	return 0;
}

static int pop3Login(struct Conn* c, const struct User* u)
{
	char command[256], pass[8];
	password(u->name, pass);
	const int n = snprintf(command, sizeof command, "USER %s\r\nPASS %s\r\nSTAT\r\nQUIT\r\n", u->name, pass);
	if (pop3Ok(c, "greeting") != 0 || sendAll(c, command, (size_t)n) != 0) return -1;
	for (int i = 0; i < 4; ++i)
		if (pop3Ok(c, i == 0 ? "USER" : i == 1 ? "PASS"
					: i == 2                   ? "STAT"
											   : "QUIT")
			!= 0) return -1;
	return 0;
}

/* ---- IMAP ---- */

/* A literal's size when the line ends with {N}CRLF, else -1. */
static long literalSize(const char* line, size_t length)
{
	if (length < 5 || memcmp(line + length - 3, "}\r\n", 3) != 0) return -1;
	const char* open = memrchr(line, '{', length - 3);
	if (!open) return -1;
	char* end;
	const long n = strtol(open + 1, &end, 10);
	return end == line + length - 3 && n >= 0 ? n : -1;
}

/* Hashes the next n octets (a literal), reading as they come. */
static int imapLiteral(struct Conn* c, EVP_MD_CTX* sha, size_t n)
{
	while (n > 0)
	{
		if (c->start == c->end && refill(c) != 0) return -1;
		const size_t take = c->end - c->start < n ? c->end - c->start : n;
		EVP_DigestUpdate(sha, c->buf + c->start, take);
		c->start += take;
		n -= take;
	}
	return 0;
}

/* Sends "tag command" and reads to the tagged reply, which must be OK. With a user and a
 * digest, the first literal of each untagged response is the next message of that user. */
static int imapCommand(struct Conn* c, int tag, const char* command, const struct User* u, EVP_MD_CTX* sha,
	size_t* fetched, long long* octets)
{
	char text[512], tagText[16];
	const int tagLength = snprintf(tagText, sizeof tagText, "t%d ", tag);
	const int n = snprintf(text, sizeof text, "%s%s\r\n", tagText, command);
	if (sendAll(c, text, (size_t)n) != 0) return -1;
	for (;;)
	{
		const char* line;
		size_t length;
		if (readLine(c, &line, &length) != 0) return -1;
		if (startsWith(line, length, tagText))
		{
			if (!startsWith(line + tagLength, length - (size_t)tagLength, "OK"))
				return failed(c, "%s: %.*s", command, (int)length, line);
			return 0;
		}
		int first = 1;
		for (long size; (size = literalSize(line, length)) >= 0; first = 0)
		{
			if (first && u && sha)
			{
				EVP_DigestInit_ex(sha, EVP_sha256(), NULL);
				if (imapLiteral(c, sha, (size_t)size) != 0 || checkDigest(c, sha, u, *fetched, (size_t)size) != 0)
					return -1;
				++*fetched;
				*octets += size;
			}
			else if (imapLiteral(c, sha, (size_t)size) != 0)
				return -1;
			if (readLine(c, &line, &length) != 0) return -1;
		}
	}
}

static int imapFetch(struct Conn* c, const struct User* u, EVP_MD_CTX* sha, long long* octets)
{
	const char* line;
	size_t length, fetched = 0;
	if (readLine(c, &line, &length) != 0) return -1;
	if (!startsWith(line, length, "* OK")) return failed(c, "greeting %.*s", (int)length, line);
	char command[256], pass[8];
	password(u->name, pass);
	snprintf(command, sizeof command, "LOGIN \"%s\" \"%s\"", u->name, pass);
	if (imapCommand(c, 1, command, NULL, NULL, NULL, NULL) != 0) return -1;
	if (imapCommand(c, 2, "SELECT INBOX", NULL, NULL, NULL, NULL) != 0) return -1;
	if (imapCommand(c, 3, "FETCH 1:* (UID RFC822.SIZE BODY.PEEK[])", u, sha, &fetched, octets) != 0) return -1;
	if (fetched != u->count) return failed(c, "%zu messages fetched, expected %zu", fetched, u->count);
	return imapCommand(c, 4, "LOGOUT", NULL, NULL, NULL, NULL);
}

/* ---- the sessions ---- */

static void finish(struct Conn* c, int ok, long long octets, long long fetched)
{
	if (c->fd >= 0) close(c->fd);
	c->fd = -1;
	if (!ok)
	{
		addError("%s", c->failure[0] ? c->failure : "failed");
		return;
	}
	pthread_mutex_lock(&lock);
	++logins;
	messages += fetched;
	bytes += octets;
	pthread_mutex_unlock(&lock);
}

static void* fetchWorker(void* unused)
{
	(void)unused;
	struct Conn c = {.fd = -1, .buf = malloc(BufferSize)};
	EVP_MD_CTX* sha = EVP_MD_CTX_new();
	for (int round = 0; round < rounds; ++round)
	{
		for (;;)
		{
			const size_t i = __atomic_fetch_add(&nextUser, 1, __ATOMIC_RELAXED);
			if (i >= userCount) break;
			const struct User* u = &users[i];
			c.start = c.end = 0;
			c.failure[0] = '\0';
			c.user = u->name;
			long long octets = 0;
			const int ok = connectTo(&c) == 0 && (protocolImap ? imapFetch(&c, u, sha, &octets) : pop3Fetch(&c, u, sha, &octets)) == 0;
			finish(&c, ok, octets, ok ? (long long)u->count : 0);
		}
		/* one thread starts the next round's count once all have left this one */
		if (pthread_barrier_wait(&roundEnd) == PTHREAD_BARRIER_SERIAL_THREAD) nextUser = 0;
		pthread_barrier_wait(&roundEnd);
	}
	EVP_MD_CTX_free(sha);
	free(c.buf);
	return NULL;
}

static void* loginWorker(void* arg)
{
	const size_t first = (size_t)(long)arg;
	struct Conn c = {.fd = -1, .buf = malloc(BufferSize)};
	for (size_t i = first; now() < deadline; i += (size_t)sessions)
	{
		if (i >= userCount) i = first;
		c.start = c.end = 0;
		c.failure[0] = '\0';
		c.user = users[i].name;
		const int ok = connectTo(&c) == 0 && pop3Login(&c, &users[i]) == 0;
		finish(&c, ok, 0, 0);
		if (!ok) break;
	}
	free(c.buf);
	return NULL;
}

static void printJsonString(const char* s)
{
	putchar('"');
	for (; *s; ++s)
	{
		if (*s == '"' || *s == '\\') printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20) printf("\\u%04x", *s);
		else putchar(*s);
	}
	putchar('"');
}

static const char* option(int argc, char** argv, const char* name, const char* fallback)
{
	for (int i = 6; i + 1 < argc; i += 2)
		if (strcmp(argv[i], name) == 0) return argv[i + 1];
	return fallback;
}

int main(int argc, char** argv)
{
	if (argc < 6 || argc % 2 != 0) usage();
	protocolImap = strcmp(argv[1], "imap") == 0;
	const int loginMode = strcmp(argv[2], "logins") == 0;
	if ((!protocolImap && strcmp(argv[1], "pop3") != 0) || (!loginMode && strcmp(argv[2], "fetch") != 0) || (loginMode && protocolImap))
		usage();
	server.sin_family = AF_INET;
	server.sin_port = htons((unsigned short)atoi(argv[4]));
	if (inet_pton(AF_INET, argv[3], &server.sin_addr) != 1) usage();
	readManifest(argv[5]);
	sessions = atoi(option(argc, argv, "--sessions", "16"));
	rounds = atoi(option(argc, argv, "--rounds", "1"));
	const double seconds = atof(option(argc, argv, "--seconds", "5"));
	if (sessions <= 0 || rounds <= 0 || seconds <= 0) usage();
	if (loginMode && (size_t)sessions > userCount) sessions = (int)userCount;

	pthread_t* threads = calloc((size_t)sessions, sizeof *threads);
	pthread_barrier_init(&roundEnd, NULL, (unsigned)sessions);
	const double started = now();
	deadline = started + seconds;
	for (int t = 0; t < sessions; ++t)
		pthread_create(&threads[t], NULL, loginMode ? loginWorker : fetchWorker, (void*)(long)t);
	for (int t = 0; t < sessions; ++t) pthread_join(threads[t], NULL);
	const double elapsed = now() - started;

	printf("{\"logins\": %lld, \"messages\": %lld, \"bytes\": %lld, \"seconds\": %.3f, \"errors\": [", logins, messages,
		bytes, elapsed);
	for (int i = 0; i < errorCount && i < MaxErrors; ++i)
	{
		if (i) printf(", ");
		printJsonString(errors[i]);
	}
	printf("]}\n");
	return errorCount ? 1 : 0;
}
