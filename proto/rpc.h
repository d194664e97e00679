/*
 * rpc.h: msgpack-RPC messages as neovim speaks them, each in one frame:
 *
 *	request		[0, msgid (u32), method (str), params (array)]
 *	response	[1, msgid (u32), error (nil | [code (uint), message (str)]),
 *			 result (any; nil on error)]
 *	notification	[2, method (str), params (array)]
 *
 * Decoding is header-first: the frame body is bounds-checked (mp_check)
 * before it is unpacked, then the shape above is checked element by
 * element. A decoded message points into the caller's unpacked zone and
 * frame buffer; it is valid only while both are.
 */
#ifndef ATTUNE_RPC_H
#define ATTUNE_RPC_H

#include <stdint.h>

#include <msgpack.h>

#include "proto.h"

struct rpc_msg {
	enum rpc_msg_kind	 kind;
	uint32_t		 msgid;		/* request, response */
	enum rpc_method		 method;	/* request, notification */
	const char		*method_name;	/* not NUL-terminated */
	size_t			 method_len;
	const msgpack_object	*params;	/* array */
	int64_t			 err_code;	/* response: 0 = success */
	const char		*err_msg;	/* response, not NUL-terminated */
	size_t			 err_len;
	const msgpack_object	*result;	/* response */
};

int	rpc_decode(const uint8_t *body, size_t len, msgpack_unpacked *up,
	    struct rpc_msg *out);

void	rpc_pack_request(msgpack_packer *, uint32_t msgid, enum rpc_method);
void	rpc_pack_notify(msgpack_packer *, enum rpc_notify);
void	rpc_pack_response_ok(msgpack_packer *, uint32_t msgid);
void	rpc_pack_response_err(msgpack_packer *, uint32_t msgid, int code,
	    const char *message);

#endif
