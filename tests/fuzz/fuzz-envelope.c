/*
 * fuzz-envelope.c: libFuzzer target for proto/envelope.c: parse, then
 * verify, then open with a fixed family key (bytes 0x40..0x5f, the key of
 * the unit-test vectors, so the seed blobs open). Whatever parse accepts
 * must describe the blob exactly: its id is BLAKE2b-256 of the blob and
 * header, ciphertext and signature tile it. Any broken promise aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "envelope.h"
#include "proto.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t	key[ENV_KEY], out[PROTO_MAX_PAYLOAD];
	static int	ready;
	struct envelope	e, e2;
	uint8_t		id[ENV_ID];
	size_t		i, len;

	if (size > ENV_MAX_BLOB + 64)
		return (0);
	if (!ready) {
		if (sodium_init() < 0)
			abort();
		for (i = 0; i < ENV_KEY; i++)
			key[i] = (uint8_t)(0x40 + i);
		ready = 1;
	}
	if (envelope_parse(data, size, &e) != 0)
		return (0);
	crypto_generichash(id, ENV_ID, data, size, NULL, 0);
	if (memcmp(id, e.id, ENV_ID) != 0 || e.blob != data ||
	    e.blob_len != size || e.seq == 0 || e.has_prev != (e.seq > 1) ||
	    e.ct_len < ENV_TAG || e.ct_len > PROTO_MAX_PAYLOAD + ENV_TAG ||
	    e.ct < data + e.ad_len || e.ct + e.ct_len + ENV_SIG != data + size)
		abort();
	/* Parsing is deterministic. */
	if (envelope_parse(data, size, &e2) != 0 ||
	    memcmp(e2.id, e.id, ENV_ID) != 0 || e2.ad_len != e.ad_len)
		abort();
	(void)envelope_verify(&e);
	if (envelope_open(&e, key, out, sizeof(out), &len) == 0) {
		if (len != e.ct_len - ENV_TAG)
			abort();
	}
	return (0);
}
