/*
 * diag.c: leveled diagnostics to stderr, in the spirit of OpenSMTPD's
 * log.c. Messages are lowercase, subject first, and never carry payloads
 * or key material.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"

static int	diag_verbosity;

static void	diag_vprint(const char *, const char *, va_list, int)
		    __attribute__((format(printf, 2, 0)));

void
diag_init(int verbosity)
{
	diag_verbosity = verbosity;
}

static void
diag_vprint(const char *level, const char *fmt, va_list ap, int saved_errno)
{
	char	msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (saved_errno != 0)
		fprintf(stderr, "attuned: %s%s: %s\n", level, msg,
		    strerror(saved_errno));
	else
		fprintf(stderr, "attuned: %s%s\n", level, msg);
}

void
log_debug(const char *fmt, ...)
{
	va_list	ap;

	if (diag_verbosity < 2)
		return;
	va_start(ap, fmt);
	diag_vprint("debug: ", fmt, ap, 0);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	ap;

	if (diag_verbosity < 1)
		return;
	va_start(ap, fmt);
	diag_vprint("", fmt, ap, 0);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	diag_vprint("warning: ", fmt, ap, 0);
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	va_list	ap;
	int	saved_errno = errno;

	va_start(ap, fmt);
	diag_vprint("warning: ", fmt, ap, saved_errno);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list	ap;
	int	saved_errno = errno;

	va_start(ap, fmt);
	diag_vprint("", fmt, ap, saved_errno);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	diag_vprint("", fmt, ap, 0);
	va_end(ap);
	exit(1);
}

/*
 * Set *cause to a new formatted message (the caller frees it). A NULL
 * cause is allowed and ignored; so is running out of memory.
 */
void
diag_cause(char **cause, const char *fmt, ...)
{
	va_list	ap;

	if (cause == NULL)
		return;
	free(*cause);
	va_start(ap, fmt);
	if (vasprintf(cause, fmt, ap) == -1)
		*cause = NULL;
	va_end(ap);
}
