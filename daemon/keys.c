/*
 * keys.c: load or create the device identity and the family key files
 * described in keys.h. Writes are atomic (temporary file, fsync, rename,
 * fsync of the directory) so a crash leaves the old key or the new one.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "diag.h"
#include "keys.h"
#include "proto.h"

#define KEYS_FAMILY_MAGIC	"attune-family-v1"
#define KEYS_MAGIC_LEN		16
#define KEYS_FAMILY_LEN		(KEYS_MAGIC_LEN + ENV_FAMILY_ID + 4 + ENV_KEY)

static int	keys_read_file(const char *dir, const char *name, uint8_t *buf,
		    size_t len, char **cause);
static int	keys_write_file(const char *dir, const char *name,
		    const uint8_t *buf, size_t len, char **cause);
static int	keys_load_device(struct keys *, const char *dir, char **cause);
static int	keys_load_family(struct keys *, const char *dir, char **cause);

/*
 * Create dir (0700) if missing; refuse one that is not a directory, not
 * ours, or open to group or others. Return 0 or -errno with *cause set.
 */
int
keys_dir_prepare(const char *dir, char **cause)
{
	struct stat	st;

	if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
		int	saved_errno = errno;

		diag_cause(cause, "cannot create %s: %s", dir,
		    strerror(saved_errno));
		return (-saved_errno);
	}
	if (lstat(dir, &st) == -1) {
		int	saved_errno = errno;

		diag_cause(cause, "%s: %s", dir, strerror(saved_errno));
		return (-saved_errno);
	}
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid()) {
		diag_cause(cause, "%s is not a directory owned by uid %u", dir,
		    (unsigned)geteuid());
		return (-EPERM);
	}
	if ((st.st_mode & 077) != 0) {
		diag_cause(cause, "%s is open to other users (mode %03o); "
		    "run: chmod 700 %s", dir, (unsigned)(st.st_mode & 0777),
		    dir);
		return (-EPERM);
	}
	return (0);
}

/*
 * Read exactly len bytes of dir/name, a 0600 regular file of ours.
 * Return 0, -ENOENT when missing, or another -errno with *cause set.
 */
static int
keys_read_file(const char *dir, const char *name, uint8_t *buf, size_t len,
    char **cause)
{
	char		path[4096];
	struct stat	st;
	ssize_t		n;
	int		fd, rc = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1) {
		rc = -errno;
		if (rc != -ENOENT)
			diag_cause(cause, "%s: %s", path, strerror(-rc));
		return (rc);
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_uid != geteuid() || (st.st_mode & 077) != 0) {
		diag_cause(cause, "%s must be a regular file of uid %u with mode "
		    "600", path, (unsigned)geteuid());
		rc = -EPERM;
		goto out;
	}
	if ((size_t)st.st_size != len ||
	    (n = read(fd, buf, len)) != (ssize_t)len) {
		diag_cause(cause, "%s: unexpected size (corrupt key file?)",
		    path);
		rc = -EINVAL;
	}
out:
	close(fd);
	return (rc);
}

/* Atomically replace dir/name with buf, mode 0600. */
static int
keys_write_file(const char *dir, const char *name, const uint8_t *buf,
    size_t len, char **cause)
{
	char	path[4096], tmp[4200];
	int	fd, dfd, rc = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd == -1)
		goto fail;
	if (write(fd, buf, len) != (ssize_t)len || fsync(fd) == -1) {
		rc = -errno;
		close(fd);
		unlink(tmp);
		errno = -rc;
		goto fail;
	}
	close(fd);
	if (rename(tmp, path) == -1)
		goto fail;
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1) {
		fsync(dfd);
		close(dfd);
	}
	return (0);
fail:
	rc = -errno;
	diag_cause(cause, "cannot write %s: %s", path, strerror(-rc));
	return (rc);
}

static int
keys_load_device(struct keys *k, const char *dir, char **cause)
{
	int	rc;

	rc = keys_read_file(dir, "device.key", k->device_sk, ENV_SK, cause);
	if (rc == -ENOENT) {
		crypto_sign_keypair(k->device_pk, k->device_sk);
		return (keys_write_file(dir, "device.key", k->device_sk,
		    ENV_SK, cause));
	}
	if (rc < 0)
		return (rc);
	crypto_sign_ed25519_sk_to_pk(k->device_pk, k->device_sk);
	return (0);
}

static int
keys_load_family(struct keys *k, const char *dir, char **cause)
{
	uint8_t	*buf;
	int	 rc;

	if ((buf = sodium_malloc(KEYS_FAMILY_LEN)) == NULL)
		return (-ENOMEM);
	rc = keys_read_file(dir, "family.key", buf, KEYS_FAMILY_LEN, cause);
	if (rc == -ENOENT) {
		rc = 0;
		goto out;
	}
	if (rc < 0)
		goto out;
	if (memcmp(buf, KEYS_FAMILY_MAGIC, KEYS_MAGIC_LEN) != 0) {
		diag_cause(cause, "%s/family.key: not an attune family key", dir);
		rc = -EINVAL;
		goto out;
	}
	memcpy(k->family_id, buf + KEYS_MAGIC_LEN, ENV_FAMILY_ID);
	k->epoch = (uint32_t)buf[32] << 24 | (uint32_t)buf[33] << 16 |
	    (uint32_t)buf[34] << 8 | buf[35];
	memcpy(k->family_key, buf + 36, ENV_KEY);
	k->has_family = true;
out:
	sodium_free(buf);
	return (rc);
}

/*
 * Load this device's keys from dir, creating the device identity on first
 * start. The family key is optional (has_family says). Return 0 or a
 * negative errno with *cause set.
 */
int
keys_load(struct keys *k, const char *dir, char **cause)
{
	int	rc;

	memset(k, 0, sizeof(*k));
	k->device_sk = sodium_malloc(ENV_SK);
	k->family_key = sodium_malloc(ENV_KEY);
	if (k->device_sk == NULL || k->family_key == NULL) {
		diag_cause(cause, "out of secure memory");
		return (-ENOMEM);
	}
	if ((rc = keys_load_device(k, dir, cause)) < 0)
		return (rc);
	return (keys_load_family(k, dir, cause));
}

/* Make a new family (random id and epoch-0 key) and save it. */
int
keys_create_family(struct keys *k, const char *dir, char **cause)
{
	uint8_t	*buf;
	int	 rc;

	if ((buf = sodium_malloc(KEYS_FAMILY_LEN)) == NULL)
		return (-ENOMEM);
	memcpy(buf, KEYS_FAMILY_MAGIC, KEYS_MAGIC_LEN);
	randombytes_buf(buf + KEYS_MAGIC_LEN, ENV_FAMILY_ID);
	memset(buf + 32, 0, 4);
	randombytes_buf(buf + 36, ENV_KEY);
	rc = keys_write_file(dir, "family.key", buf, KEYS_FAMILY_LEN, cause);
	if (rc == 0) {
		memcpy(k->family_id, buf + KEYS_MAGIC_LEN, ENV_FAMILY_ID);
		k->epoch = 0;
		memcpy(k->family_key, buf + 36, ENV_KEY);
		k->has_family = true;
	}
	sodium_free(buf);
	return (rc);
}

/* Adopt a family received while joining and save it. */
int
keys_set_family(struct keys *k, const char *dir, const uint8_t *id,
    uint32_t epoch, const uint8_t *key, char **cause)
{
	uint8_t	*buf;
	int	 rc;

	if ((buf = sodium_malloc(KEYS_FAMILY_LEN)) == NULL)
		return (-ENOMEM);
	memcpy(buf, KEYS_FAMILY_MAGIC, KEYS_MAGIC_LEN);
	memcpy(buf + KEYS_MAGIC_LEN, id, ENV_FAMILY_ID);
	buf[32] = (uint8_t)(epoch >> 24);
	buf[33] = (uint8_t)(epoch >> 16);
	buf[34] = (uint8_t)(epoch >> 8);
	buf[35] = (uint8_t)epoch;
	memcpy(buf + 36, key, ENV_KEY);
	rc = keys_write_file(dir, "family.key", buf, KEYS_FAMILY_LEN, cause);
	if (rc == 0) {
		memcpy(k->family_id, id, ENV_FAMILY_ID);
		k->epoch = epoch;
		memcpy(k->family_key, key, ENV_KEY);
		k->has_family = true;
	}
	sodium_free(buf);
	return (rc);
}

void
keys_finish(struct keys *k)
{
	if (k == NULL)
		return;
	sodium_free(k->device_sk);
	sodium_free(k->family_key);
	memset(k, 0, sizeof(*k));
}
