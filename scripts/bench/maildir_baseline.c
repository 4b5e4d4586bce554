/* maildir_baseline.c - the kernel-only floor of durable Maildir delivery, for smtp.sh.
 *
 *     maildir_baseline DIR COUNT SIZE
 *
 * Per message, what a durable Maildir delivery must do at the least, with nothing else:
 * create DIR/tmp/N, write SIZE octets, fsync it, close it, rename it to DIR/new/N and
 * fsync DIR/new (its descriptor kept open, so not even an open per message). One writer,
 * one message after the other, as one SMTP session does. Prints one JSON line, as
 * smtp_load.py does: messages, seconds, p50_ms, p99_ms (time per message), start (epoch
 * seconds). DIR/tmp and DIR/new are created if missing; the files are left in DIR/new.
 * Built by smtp.sh with the system's C compiler.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now(clockid_t clock)
{
	struct timespec ts;
	clock_gettime(clock, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void fail(const char* what, const char* path)
{
	fprintf(stderr, "maildir_baseline: %s %s: %s\n", what, path, strerror(errno));
	exit(1);
}

static int compare(const void* a, const void* b)
{
	const double x = *(const double*)a, y = *(const double*)b;
	return (x > y) - (x < y);
}

int main(int argc, char** argv)
{
	if (argc != 4)
	{
		fprintf(stderr, "usage: maildir_baseline DIR COUNT SIZE\n");
		return 2;
	}
	const char* dir = argv[1];
	const long count = atol(argv[2]);
	const long size = atol(argv[3]);
	if (count <= 0 || size < 0)
	{
		fprintf(stderr, "maildir_baseline: COUNT must be > 0 and SIZE >= 0\n");
		return 2;
	}
	char tmpDir[4096], newDir[4096], tmpPath[4200], newPath[4200];
	snprintf(tmpDir, sizeof tmpDir, "%s/tmp", dir);
	snprintf(newDir, sizeof newDir, "%s/new", dir);
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) fail("cannot create", dir);
	if (mkdir(tmpDir, 0700) != 0 && errno != EEXIST) fail("cannot create", tmpDir);
	if (mkdir(newDir, 0700) != 0 && errno != EEXIST) fail("cannot create", newDir);
	const int newFd = open(newDir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (newFd < 0) fail("cannot open", newDir);

	/* Message text as the store keeps it: LF lines of 77 octets. */
	char* data = malloc((size_t)size + 1);
	if (!data) fail("cannot allocate", "message");
	for (long i = 0; i < size; ++i) data[i] = (i % 77 == 76) ? '\n' : 'x';
	double* times = malloc(sizeof(double) * (size_t)count);
	if (!times) fail("cannot allocate", "times");

	const double wall = now(CLOCK_REALTIME);
	const double start = now(CLOCK_MONOTONIC);
	const long pid = (long)getpid();
	for (long n = 0; n < count; ++n)
	{
		const double t0 = now(CLOCK_MONOTONIC);
		snprintf(tmpPath, sizeof tmpPath, "%s/%.0f.%ld_%ld.baseline", tmpDir, wall, pid, n);
		snprintf(newPath, sizeof newPath, "%s/%.0f.%ld_%ld.baseline", newDir, wall, pid, n);
		const int fd = open(tmpPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0) fail("cannot create", tmpPath);
		for (long done = 0; done < size;)
		{
			const ssize_t w = write(fd, data + done, (size_t)(size - done));
			if (w < 0 && errno == EINTR) continue;
			if (w < 0) fail("cannot write", tmpPath);
			done += w;
		}
		if (fsync(fd) != 0) fail("cannot fsync", tmpPath);
		if (close(fd) != 0) fail("cannot close", tmpPath);
		if (rename(tmpPath, newPath) != 0) fail("cannot rename", tmpPath);
		if (fsync(newFd) != 0) fail("cannot fsync", newDir);
		times[n] = now(CLOCK_MONOTONIC) - t0;
	}
	const double seconds = now(CLOCK_MONOTONIC) - start;
	qsort(times, (size_t)count, sizeof(double), compare);
	long p99 = (long)(0.99 * (double)count);
	if (p99 >= count) p99 = count - 1;
	printf("{\"messages\": %ld, \"seconds\": %.3f, \"p50_ms\": %.2f, \"p99_ms\": %.2f, \"start\": %.6f}\n", count,
		seconds, times[count / 2] * 1000, times[p99] * 1000, wall);
	close(newFd);
	free(times);
	free(data);
	return 0;
}
