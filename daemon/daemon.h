/*
 * daemon.h: the state one attuned process wires together in main.c and
 * hands to the RPC commands. Modules below it do not know this struct.
 */
#ifndef ATTUNE_DAEMON_H
#define ATTUNE_DAEMON_H

#include <stdbool.h>

#include <uv.h>

#include "control.h"
#include "discovery.h"
#include "eventlog.h"
#include "keys.h"
#include "peer.h"

#define DAEMON_MAX_PEERS	32
#define DAEMON_PEER_PORT	"47475"

struct daemon_config {
	char		 data_dir[4096];
	char		 socket_path[108];
	bool		 foreground;
	int		 verbosity;
	char		 listen[128];		/* ADDR:PORT for peers */
	const char	*peers[DAEMON_MAX_PEERS];
	int		 npeers;
	bool		 no_discovery;
	const char	*notify;		/* command run per reminder */
};

struct daemon {
	uv_loop_t		*loop;
	struct daemon_config	 cfg;
	struct keys		 keys;
	struct eventlog		*log;
	struct control		*ctl;
	struct peers		*peers;
	struct discovery	*disc;		/* NULL: --no-discovery */
	int			 invite_slot;
	uv_signal_t		 sigterm, sigint;
	bool			 stopping;
};

void	daemon_family_changed(struct daemon *);
void	daemon_invite_opened(struct daemon *, const uint8_t key[32],
	    int64_t expires_ms);
void	daemon_join_started(struct daemon *, const uint8_t key[32],
	    int64_t until_ms);
void	daemon_heard(void *, int slot, const char *host, uint16_t port);

#endif
