/*
 * diag.h: the daemon's diagnostics (stderr). The only module that writes
 * to stderr. "diag", not "log": in attune the log is the event log.
 */
#ifndef ATTUNE_DIAG_H
#define ATTUNE_DIAG_H

#include <stdnoreturn.h>

#define DIAG_PRINTF(a, b)	__attribute__((format(printf, a, b)))

void	diag_init(int verbosity);
void	log_debug(const char *, ...) DIAG_PRINTF(1, 2);
void	log_info(const char *, ...) DIAG_PRINTF(1, 2);
void	log_warnx(const char *, ...) DIAG_PRINTF(1, 2);
void	log_warn(const char *, ...) DIAG_PRINTF(1, 2);
void	diag_cause(char **cause, const char *, ...) DIAG_PRINTF(2, 3);
noreturn void fatal(const char *, ...) DIAG_PRINTF(1, 2);
noreturn void fatalx(const char *, ...) DIAG_PRINTF(1, 2);

#endif
