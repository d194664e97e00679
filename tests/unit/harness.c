/*
 * harness.c: main() for every unit test binary. Runs the registered tests
 * (or those named on the command line), each in a forked child under an
 * alarm (HARNESS_TIMEOUT seconds, default 60), and prints TAP with a
 * summary. Exits non-zero if any test failed. Knows nothing of attune.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

static struct test	*tests, **tests_tail = &tests;
static const char	*current;

static int	harness_run(struct test *, unsigned);

void
harness_register(struct test *t)
{
	*tests_tail = t;
	tests_tail = &t->next;
}

void
harness_fail(const char *file, int line, const char *fmt, ...)
{
	va_list	ap;

	fprintf(stderr, "# %s: %s:%d: ", current, file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(NULL);
	_exit(1);
}

void
harness_eq_str(const char *file, int line, const char *what, const char *a,
    const char *b)
{
	if (a == NULL || b == NULL ? a != b : strcmp(a, b) != 0)
		harness_fail(file, line, "%s: \"%s\" != \"%s\"", what,
		    a ? a : "(null)", b ? b : "(null)");
}

/* Report the first differing offset and up to 32 bytes of each side. */
void
harness_eq_mem(const char *file, int line, const char *what, const void *a,
    const void *b, size_t n)
{
	const uint8_t	*p[2] = { a, b };
	size_t		 i, at = 0;
	int		 k;

	while (at < n && p[0][at] == p[1][at])
		at++;
	if (at == n)
		return;
	for (k = 0; k < 2; k++) {
		fprintf(stderr, "# %s:", k ? "want" : " got");
		for (i = at; i < n && i < at + 32; i++)
			fprintf(stderr, " %02x", p[k][i]);
		fputc('\n', stderr);
	}
	harness_fail(file, line, "%s: %zu bytes differ at offset %zu", what,
	    n, at);
}

/* Run one test in a child; return 0 if it passed, 1 if not. */
static int
harness_run(struct test *t, unsigned timeout)
{
	pid_t	pid;
	int	status;

	current = t->name;
	fflush(NULL);
	if ((pid = fork()) == -1) {
		perror("fork");
		return (1);
	}
	if (pid == 0) {
		alarm(timeout);
		t->fn();
		fflush(NULL);
		exit(0);
	}
	if (waitpid(pid, &status, 0) == -1) {
		perror("waitpid");
		return (1);
	}
	if (WIFSIGNALED(status)) {
		fprintf(stderr, "# %s: killed by signal %d (%s)\n", t->name,
		    WTERMSIG(status), WTERMSIG(status) == SIGALRM ?
		    "timeout" : strsignal(WTERMSIG(status)));
		return (1);
	}
	return (WEXITSTATUS(status) != 0);
}

int
main(int argc, char **argv)
{
	struct test	*t;
	const char	*env = getenv("HARNESS_TIMEOUT");
	int		 i, n = 0, failed = 0, rc;

	for (t = tests; t != NULL; t = t->next) {
		for (i = 1; i < argc && strcmp(argv[i], t->name) != 0; i++)
			continue;
		t->selected = argc == 1 || i < argc;
		n += t->selected;
	}
	if (n == 0 || (argc > 1 && n != argc - 1)) {
		fprintf(stderr, "%s: unknown or repeated test name\n", argv[0]);
		return (2);
	}
	printf("1..%d\n", n);
	for (n = 0, t = tests; t != NULL; t = t->next) {
		if (!t->selected)
			continue;
		failed += rc = harness_run(t, env && atoi(env) > 0 ?
		    (unsigned)atoi(env) : 60);
		printf("%s %d %s\n", rc ? "not ok" : "ok", ++n, t->name);
		fflush(stdout);
	}
	printf("# %d tests, %d passed, %d failed\n", n, n - failed, failed);
	return (failed > 0);
}
