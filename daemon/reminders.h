/*
 * reminders.h: the daemon's nudges. A libuv timer checks the views every
 * minute (and once at start); each pending reminder (views_reminders) is
 * sent once: an "reminder" notification to subscribed clients and, when
 * a command is configured, that command run with the text as its one
 * argument. What was sent is remembered in DATA_DIR/reminders.sent, so a
 * restart does not send it again.
 */
#ifndef ATTUNE_REMINDERS_H
#define ATTUNE_REMINDERS_H

#include <stdbool.h>

struct daemon;

#define REMINDERS_PERIOD_MS	60000
#define REMINDERS_KEEP_DAYS	60	/* forget sent keys after this */
#define REMINDERS_MAX_SENT	4096

int	reminders_start(struct daemon *, const char *command, char **cause);
void	reminders_stop(void);
bool	reminders_running(void);
bool	reminders_sent(const char *key);
void	reminders_check(void);

#endif
