/*
 * paths.c: default locations (see paths.h). Reads the environment only;
 * creating and checking the directories is the daemon's job.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "paths.h"
#include "proto.h"

static int
paths_fmt(char *buf, size_t size, int n)
{
	return (n < 0 || (size_t)n >= size ? -PROTO_E_TOOBIG : 0);
}

/* Return 0 or -PROTO_E_TOOBIG if the path does not fit. */
int
paths_socket(char *buf, size_t size)
{
	const char	*env;

	if ((env = getenv("ATTUNE_SOCKET")) != NULL && *env != '\0')
		return (paths_fmt(buf, size, snprintf(buf, size, "%s", env)));
	if ((env = getenv("XDG_RUNTIME_DIR")) != NULL && *env == '/')
		return (paths_fmt(buf, size, snprintf(buf, size,
		    "%s/attune/attuned.sock", env)));
	return (paths_fmt(buf, size, snprintf(buf, size,
	    "/tmp/attune-%u/attuned.sock", (unsigned)getuid())));
}

/* Return 0, -PROTO_E_TOOBIG, or -PROTO_E_NOTFOUND without $HOME. */
int
paths_data_dir(char *buf, size_t size)
{
	const char	*env;

	if ((env = getenv("XDG_DATA_HOME")) != NULL && *env == '/')
		return (paths_fmt(buf, size, snprintf(buf, size, "%s/attune",
		    env)));
	if ((env = getenv("HOME")) != NULL && *env == '/')
		return (paths_fmt(buf, size, snprintf(buf, size,
		    "%s/.local/share/attune", env)));
	return (-PROTO_E_NOTFOUND);
}
