/*
 * replay.c: main() for a fuzz target built without a fuzzing engine (as
 * dav1d does): run LLVMFuzzerTestOneInput once over every file named on
 * the command line, or every regular file of a named directory, in name
 * order. A crash or abort fails the test; so does finding no input.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int	replay_file(const char *);
static int	replay_dir(const char *, size_t *);

/* Return 0, or -1 if the file cannot be read. */
static int
replay_file(const char *path)
{
	FILE	*f;
	uint8_t	*buf;
	long	 n;
	int	 rc = -1;

	if ((f = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return (-1);
	}
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0)
		goto err_close;
	/* A zero-length input still gets its own allocation. */
	if ((buf = malloc((size_t)n + 1)) == NULL)
		goto err_close;
	if (fread(buf, 1, (size_t)n, f) == (size_t)n) {
		LLVMFuzzerTestOneInput(buf, (size_t)n);
		rc = 0;
	}
	free(buf);
err_close:
	if (rc != 0)
		fprintf(stderr, "%s: cannot read\n", path);
	fclose(f);
	return (rc);
}

static int
replay_dir(const char *dir, size_t *count)
{
	struct dirent	**list;
	struct stat	  sb;
	char		  path[4096];
	int		  i, n, rc = 0;

	if ((n = scandir(dir, &list, NULL, alphasort)) < 0) {
		fprintf(stderr, "%s: %s\n", dir, strerror(errno));
		return (-1);
	}
	for (i = 0; i < n; i++) {
		if (snprintf(path, sizeof(path), "%s/%s", dir,
		    list[i]->d_name) < (int)sizeof(path) &&
		    stat(path, &sb) == 0 && S_ISREG(sb.st_mode)) {
			if (replay_file(path) != 0)
				rc = -1;
			else
				(*count)++;
		}
		free(list[i]);
	}
	free(list);
	return (rc);
}

int
main(int argc, char **argv)
{
	struct stat	sb;
	size_t		count = 0;
	int		i, rc = 0;

	for (i = 1; i < argc; i++) {
		if (stat(argv[i], &sb) != 0) {
			fprintf(stderr, "%s: %s\n", argv[i], strerror(errno));
			rc = 1;
		} else if (S_ISDIR(sb.st_mode)) {
			if (replay_dir(argv[i], &count) != 0)
				rc = 1;
		} else if (replay_file(argv[i]) != 0)
			rc = 1;
		else
			count++;
	}
	printf("%s: %zu inputs replayed\n", argv[0], count);
	if (count == 0) {
		fprintf(stderr, "%s: no inputs\n", argv[0]);
		rc = 1;
	}
	return (rc);
}
