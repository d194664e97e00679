/*
 * keys.h: this device's Ed25519 identity and the family key, on disk
 * under the data directory (each file 0600, the directory 0700):
 *
 *	device.key	64 bytes: the Ed25519 secret key (seed || public key)
 *	family.key	"attune-family-v1" (16 bytes), family_id (16), then
 *			one record per key epoch known here, 1 to
 *			KEYS_MAX_EPOCHS: epoch (u32, big-endian), key (32)
 *
 * A new epoch comes with a key.rotate entry (after a device is removed)
 * or, for a device that joins, from the inviter. Two devices that rotate
 * at once (apart) make two keys of one epoch: both are kept, entries
 * open with whichever fits, and every device writes with the same one.
 *
 * Secrets live in sodium_malloc'd memory and never reach diagnostics.
 */
#ifndef ATTUNE_KEYS_H
#define ATTUNE_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "envelope.h"

#define KEYS_MAX_EPOCHS	16

struct keys {
	uint8_t		*device_sk;		/* sodium_malloc, ENV_SK */
	uint8_t		 device_pk[ENV_PK];
	bool		 has_family;
	uint8_t		 family_id[ENV_FAMILY_ID];
	uint32_t	 epoch;			/* the newest */
	uint8_t		*family_key;		/* its key, in epoch_keys */
	uint32_t	 nepochs;
	uint32_t	 epoch_ids[KEYS_MAX_EPOCHS];
	uint8_t		*epoch_keys;		/* sodium_malloc */
};

int	keys_dir_prepare(const char *dir, char **cause);
int	keys_load(struct keys *, const char *dir, char **cause);
int	keys_create_family(struct keys *, const char *dir, char **cause);
int	keys_set_family(struct keys *, const char *dir, const uint8_t *id,
	    uint32_t epoch, const uint8_t *key, char **cause);
int	keys_open(const struct keys *, const struct envelope *, uint8_t *pt,
	    size_t cap, size_t *len);
int	keys_open_with(const uint32_t *ids, const uint8_t *keys, uint32_t n,
	    const struct envelope *, uint8_t *pt, size_t cap, size_t *len);
int	keys_add_epoch(struct keys *, const char *dir, uint32_t epoch,
	    const uint8_t *key, char **cause);
void	keys_finish(struct keys *);

#endif
