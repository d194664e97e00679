/*
 * paths.h: where the daemon's socket and data live by default, computed
 * the same way by attuned and every client.
 *
 *	socket	$ATTUNE_SOCKET, else $XDG_RUNTIME_DIR/attune/attuned.sock,
 *		else /tmp/attune-UID/attuned.sock
 *	data	$XDG_DATA_HOME/attune, else $HOME/.local/share/attune
 */
#ifndef ATTUNE_PATHS_H
#define ATTUNE_PATHS_H

#include <stddef.h>

int	paths_socket(char *buf, size_t size);
int	paths_data_dir(char *buf, size_t size);

#endif
