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
#define KEYS_FAMILY_HEAD	(KEYS_MAGIC_LEN + ENV_FAMILY_ID)
#define KEYS_EPOCH_LEN		(4 + ENV_KEY)
#define KEYS_FAMILY_MAX		\
    (KEYS_FAMILY_HEAD + KEYS_MAX_EPOCHS * KEYS_EPOCH_LEN)

static int	keys_read_file(const char *dir, const char *name, uint8_t *buf,
		    size_t len, size_t *got, char **cause);
static int	keys_write_file(const char *dir, const char *name,
		    const uint8_t *buf, size_t len, char **cause);
static int	keys_load_device(struct keys *, const char *dir, char **cause);
static int	keys_load_family(struct keys *, const char *dir, char **cause);
static int	keys_save_family(struct keys *, const char *dir, char **cause);
static void	keys_pick_current(struct keys *);

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
 * Read dir/name, a 0600 regular file of ours, of exactly len bytes, or
 * (when *got is not NULL) of at most len bytes, its size in *got.
 * Return 0, -ENOENT when missing, or another -errno with *cause set.
 */
static int
keys_read_file(const char *dir, const char *name, uint8_t *buf, size_t len,
    size_t *got, char **cause)
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
	if (got != NULL && (size_t)st.st_size <= len)
		len = *got = (size_t)st.st_size;
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

	rc = keys_read_file(dir, "device.key", k->device_sk, ENV_SK, NULL,
	    cause);
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

/*
 * The current epoch is the newest; family_key points at its key. Two
 * devices that rotated at once made two keys of one epoch: every device
 * that holds both picks the same one (the smaller), so new entries
 * settle on one key.
 */
static void
keys_pick_current(struct keys *k)
{
	uint32_t	i, best = 0;

	for (i = 1; i < k->nepochs; i++) {
		if (k->epoch_ids[i] > k->epoch_ids[best] ||
		    (k->epoch_ids[i] == k->epoch_ids[best] &&
		    memcmp(k->epoch_keys + i * ENV_KEY, k->epoch_keys +
		    best * ENV_KEY, ENV_KEY) < 0))
			best = i;
	}
	k->epoch = k->epoch_ids[best];
	k->family_key = k->epoch_keys + best * ENV_KEY;
}

/* Write family.key from memory: magic, id, then every epoch's record. */
static int
keys_save_family(struct keys *k, const char *dir, char **cause)
{
	uint8_t		*buf, *r;
	uint32_t	 i;
	int		 rc;

	if ((buf = sodium_malloc(KEYS_FAMILY_MAX)) == NULL)
		return (-ENOMEM);
	memcpy(buf, KEYS_FAMILY_MAGIC, KEYS_MAGIC_LEN);
	memcpy(buf + KEYS_MAGIC_LEN, k->family_id, ENV_FAMILY_ID);
	for (i = 0; i < k->nepochs; i++) {
		r = buf + KEYS_FAMILY_HEAD + i * KEYS_EPOCH_LEN;
		r[0] = (uint8_t)(k->epoch_ids[i] >> 24);
		r[1] = (uint8_t)(k->epoch_ids[i] >> 16);
		r[2] = (uint8_t)(k->epoch_ids[i] >> 8);
		r[3] = (uint8_t)k->epoch_ids[i];
		memcpy(r + 4, k->epoch_keys + i * ENV_KEY, ENV_KEY);
	}
	rc = keys_write_file(dir, "family.key", buf, KEYS_FAMILY_HEAD +
	    k->nepochs * KEYS_EPOCH_LEN, cause);
	sodium_free(buf);
	return (rc);
}

static int
keys_load_family(struct keys *k, const char *dir, char **cause)
{
	uint8_t		*buf, *r;
	size_t		 got = 0;
	uint32_t	 i, n;
	int		 rc;

	if ((buf = sodium_malloc(KEYS_FAMILY_MAX)) == NULL)
		return (-ENOMEM);
	rc = keys_read_file(dir, "family.key", buf, KEYS_FAMILY_MAX, &got,
	    cause);
	if (rc == -ENOENT) {
		rc = 0;
		goto out;
	}
	if (rc < 0)
		goto out;
	n = (uint32_t)((got - KEYS_FAMILY_HEAD) / KEYS_EPOCH_LEN);
	if (got < KEYS_FAMILY_HEAD + KEYS_EPOCH_LEN ||
	    (got - KEYS_FAMILY_HEAD) % KEYS_EPOCH_LEN != 0 ||
	    memcmp(buf, KEYS_FAMILY_MAGIC, KEYS_MAGIC_LEN) != 0) {
		diag_cause(cause, "%s/family.key: not an attune family key", dir);
		rc = -EINVAL;
		goto out;
	}
	memcpy(k->family_id, buf + KEYS_MAGIC_LEN, ENV_FAMILY_ID);
	for (i = 0; i < n; i++) {
		r = buf + KEYS_FAMILY_HEAD + i * KEYS_EPOCH_LEN;
		k->epoch_ids[i] = (uint32_t)r[0] << 24 | (uint32_t)r[1] << 16 |
		    (uint32_t)r[2] << 8 | r[3];
		memcpy(k->epoch_keys + i * ENV_KEY, r + 4, ENV_KEY);
	}
	k->nepochs = n;
	keys_pick_current(k);
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
	k->epoch_keys = sodium_malloc(KEYS_MAX_EPOCHS * ENV_KEY);
	if (k->device_sk == NULL || k->epoch_keys == NULL) {
		diag_cause(cause, "out of secure memory");
		return (-ENOMEM);
	}
	k->family_key = k->epoch_keys;
	if ((rc = keys_load_device(k, dir, cause)) < 0)
		return (rc);
	return (keys_load_family(k, dir, cause));
}

/*
 * Open e's payload into pt (cap bytes) with a key of its epoch from the
 * n records (ids, keys): an epoch has two keys or more when devices
 * rotated at once. Return 0, -PROTO_E_PERM when no key of that epoch is
 * here, or -PROTO_E_AUTH when none opens it.
 */
int
keys_open_with(const uint32_t *ids, const uint8_t *keys, uint32_t n,
    const struct envelope *e, uint8_t *pt, size_t cap, size_t *len)
{
	uint32_t	i;
	int		rc = -PROTO_E_PERM;

	for (i = 0; i < n; i++) {
		if (ids[i] != e->key_epoch)
			continue;
		if ((rc = envelope_open(e, keys + i * ENV_KEY, pt, cap,
		    len)) == 0)
			return (0);
	}
	return (rc == -PROTO_E_PERM ? rc : -PROTO_E_AUTH);
}

/* keys_open_with over this device's keys. */
int
keys_open(const struct keys *k, const struct envelope *e, uint8_t *pt,
    size_t cap, size_t *len)
{
	if (!k->has_family)
		return (-PROTO_E_PERM);
	return (keys_open_with(k->epoch_ids, k->epoch_keys, k->nepochs, e, pt,
	    cap, len));
}

/*
 * Learn a key of epoch (a rotation, or a join's history) and save it;
 * a second key of a known epoch is kept beside the first. Return 1
 * (learnt), 0 (known already), -PROTO_E_BUSY when full, or a negative
 * errno with *cause set.
 */
int
keys_add_epoch(struct keys *k, const char *dir, uint32_t epoch,
    const uint8_t *key, char **cause)
{
	uint32_t	i;

	for (i = 0; k->has_family && i < k->nepochs; i++) {
		if (k->epoch_ids[i] == epoch && sodium_memcmp(k->epoch_keys +
		    i * ENV_KEY, key, ENV_KEY) == 0)
			return (0);
	}
	if (k->nepochs == KEYS_MAX_EPOCHS)
		return (-PROTO_E_BUSY);
	k->epoch_ids[k->nepochs] = epoch;
	memcpy(k->epoch_keys + k->nepochs * ENV_KEY, key, ENV_KEY);
	k->nepochs++;
	keys_pick_current(k);
	return (keys_save_family(k, dir, cause) < 0 ? -PROTO_E_STORE : 1);
}

/* Make a new family (random id and epoch-0 key) and save it. */
int
keys_create_family(struct keys *k, const char *dir, char **cause)
{
	uint8_t	id[ENV_FAMILY_ID], *key;
	int	rc;

	if ((key = sodium_malloc(ENV_KEY)) == NULL)
		return (-ENOMEM);
	randombytes_buf(id, sizeof(id));
	randombytes_buf(key, ENV_KEY);
	rc = keys_set_family(k, dir, id, 0, key, cause);
	sodium_free(key);
	return (rc);
}

/* Adopt a family (new, or received while joining) and save it. */
int
keys_set_family(struct keys *k, const char *dir, const uint8_t *id,
    uint32_t epoch, const uint8_t *key, char **cause)
{
	int	rc;

	memcpy(k->family_id, id, ENV_FAMILY_ID);
	k->nepochs = 0;
	k->has_family = true;
	if ((rc = keys_add_epoch(k, dir, epoch, key, cause)) < 0)
		k->has_family = false;
	return (rc);
}

void
keys_finish(struct keys *k)
{
	if (k == NULL)
		return;
	sodium_free(k->device_sk);
	sodium_free(k->epoch_keys);
	memset(k, 0, sizeof(*k));
}
