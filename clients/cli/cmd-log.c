/*
 * cmd-log.c: "attune log": one call, then each entry as a line a parent
 * can read ("1:1 with Maya, 15 min — lego"), newest first, with its note on
 * a second line. Entries show as corrected (attuned applies amends); a
 * retracted one is dimmed and says so. Wording lives here; what an entry
 * means (names resolved, what is due) is attuned's. Unknown kinds are
 * shown field by field, never dropped.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "mp.h"
#include "output.h"

#define LOG_LIMIT_MAX		PROTO_MAX_LIST
#define LOG_AT_SLACK_MS		(30 * 60 * 1000)

/* A bounded line under construction; truncates silently. */
struct logbuf {
	char	s[OUTPUT_CELL_MAX];
	size_t	len;
};

static void	lb_printf(struct logbuf *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static bool	lb_field(struct logbuf *, const msgpack_object *,
		    const char *, const char *);
static enum output_color log_color(const char *);
static void	log_one_on_one(struct logbuf *, const msgpack_object *,
		    int64_t, int64_t);
static void	log_check(struct logbuf *, const char *,
		    const msgpack_object *);
static void	log_repair(struct logbuf *, const msgpack_object *);
static void	log_generic(struct logbuf *, const msgpack_object *);
static bool	log_practice(struct logbuf *, const char *,
		    const msgpack_object *, int64_t);
static void	log_plan(struct logbuf *, const msgpack_object *);
static void	log_id(struct logbuf *, const msgpack_object *, const char *,
		    const char *);
static void	log_list(struct logbuf *, const msgpack_object *,
		    const char *, const char *, const char *);
static void	log_entry(struct output_table *, const msgpack_object *,
		    int64_t);
static int	log_print(const struct cli *, const msgpack_object *);

static void
lb_printf(struct logbuf *b, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	if (b->len >= sizeof(b->s) - 1)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->s + b->len, sizeof(b->s) - b->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		b->len += (size_t)n < sizeof(b->s) - b->len ? (size_t)n :
		    sizeof(b->s) - b->len - 1;
}

/*
 * Append prefix and the scalar at key in f (a str as is, a number in
 * decimal). Return false, appending nothing, when it is absent or nil.
 */
static bool
lb_field(struct logbuf *b, const msgpack_object *f, const char *key,
    const char *prefix)
{
	char	buf[PROTO_MAX_TEXT + 1];

	if (cli_text(f, key, buf, sizeof(buf)) == NULL)
		return (false);
	lb_printf(b, "%s%s", prefix, buf);
	return (true);
}

static enum output_color
log_color(const char *kind)
{
	if (strcmp(kind, "one-on-one") == 0)
		return (OUTPUT_GREEN);
	if (strcmp(kind, "checkin") == 0 || strcmp(kind, "checkout") == 0)
		return (OUTPUT_CYAN);
	if (strncmp(kind, "repair", 6) == 0)
		return (OUTPUT_YELLOW);
	if (strcmp(kind, "amend") == 0 || strcmp(kind, "retract") == 0)
		return (OUTPUT_RED);
	if (strncmp(kind, "plan", 4) == 0 || strncmp(kind, "twoxten", 7) == 0 ||
	    strcmp(kind, "moment") == 0)
		return (OUTPUT_GREEN);
	if (strncmp(kind, "kid.", 4) == 0)
		return (OUTPUT_BLUE);
	return (OUTPUT_MAGENTA);
}

/* "1:1 with Maya on Fri 17:00, 15 min — lego" (when differs from ts). */
static void
log_one_on_one(struct logbuf *b, const msgpack_object *f, int64_t ts,
    int64_t now)
{
	char	when[OUTPUT_TIME_MAX], sep[8];
	int64_t	at;

	if (!lb_field(b, f, "kid", "1:1 with "))
		lb_printf(b, "1:1");
	if (cli_int(f, "at", &at)) {
		/* |at - ts| in unsigned arithmetic: no overflow. */
		if ((at > ts ? (uint64_t)at - (uint64_t)ts :
		    (uint64_t)ts - (uint64_t)at) > LOG_AT_SLACK_MS) {
			output_time(when, sizeof(when), at, now);
			lb_printf(b, " on %s", when);
		}
	} else
		(void)lb_field(b, f, "at", " at ");
	if (lb_field(b, f, "minutes", ", "))
		lb_printf(b, " min");
	log_list(b, f, "parents", " (with ", ")");
	snprintf(sep, sizeof(sep), " %s ", output_dash());
	(void)lb_field(b, f, "activity", sep);
}

/* "Maya checked in: happy (4/5)". */
static void
log_check(struct logbuf *b, const char *kind, const msgpack_object *f)
{
	if (!lb_field(b, f, "who", ""))
		lb_printf(b, "someone");
	lb_printf(b, " checked %s", strcmp(kind, "checkin") == 0 ? "in" :
	    "out");
	(void)lb_field(b, f, "feeling", ": ");
	if (lb_field(b, f, "intensity", " ("))
		lb_printf(b, "/5)");
}

/* "repair with Sam: shouted at bedtime — apologised". */
static void
log_repair(struct logbuf *b, const msgpack_object *f)
{
	bool	apologized = false;

	if (!lb_field(b, f, "kid", "repair with "))
		lb_printf(b, "repair");
	log_list(b, f, "kids", " and ", "");
	(void)lb_field(b, f, "what", ": ");
	if (mp_get_bool(f, "apologized", &apologized) == MP_FOUND &&
	    apologized)
		lb_printf(b, " %s apologised", output_dash());
}

/* Any other kind: "key: value, ..." over its scalar fields. */
static void
log_generic(struct logbuf *b, const msgpack_object *f)
{
	const msgpack_object_kv	*kv;
	char			 key[PROTO_MAX_NAME + 1];
	uint32_t		 i;
	bool			 first = true;

	if (f == NULL || f->type != MSGPACK_OBJECT_MAP)
		return;
	for (i = 0; i < f->via.map.size; i++) {
		kv = &f->via.map.ptr[i];
		if (kv->key.type != MSGPACK_OBJECT_STR ||
		    kv->key.via.str.size > PROTO_MAX_NAME ||
		    mp_str_eq(&kv->key, "at") ||
		    kv->val.type == MSGPACK_OBJECT_ARRAY ||
		    kv->val.type == MSGPACK_OBJECT_MAP ||
		    kv->val.type == MSGPACK_OBJECT_BIN ||
		    mp_str_eq(&kv->key, "note"))
			continue;
		snprintf(key, sizeof(key), "%.*s", (int)kv->key.via.str.size,
		    kv->key.via.str.ptr);
		if (strlen(key) > 3 && strcmp(key + strlen(key) - 3,
		    "_id") == 0)
			continue;
		lb_printf(b, "%s%s", first ? "" : ", ", key);
		if (kv->val.type == MSGPACK_OBJECT_STR &&
		    kv->val.via.str.size == 64)
			log_id(b, f, key, ": ");
		else if (!lb_field(b, f, key, ": "))
			lb_printf(b, ": -");
		first = false;
	}
}

static const char *const log_days[] = { "sun", "mon", "tue", "wed", "thu",
    "fri", "sat" };

/* prefix and the first 12 digits of the hex id at key. */
static void
log_id(struct logbuf *b, const msgpack_object *f, const char *key,
    const char *prefix)
{
	char	id[OUTPUT_SHORT_ID + 1];

	cli_short(f, key, id, sizeof(id));
	lb_printf(b, "%s%s", prefix, id);
}

/* prefix, the strs of the array at key joined by ", ", then suffix. */
static void
log_list(struct logbuf *b, const msgpack_object *f, const char *key,
    const char *prefix, const char *suffix)
{
	const msgpack_object	*o = mp_map_get(f, key);
	char			 item[PROTO_MAX_NAME + 1];
	uint32_t		 i;

	if (o == NULL || o->type != MSGPACK_OBJECT_ARRAY ||
	    o->via.array.size == 0)
		return;
	lb_printf(b, "%s", prefix);
	for (i = 0; i < o->via.array.size; i++) {
		const msgpack_object *it = &o->via.array.ptr[i];

		if (it->type == MSGPACK_OBJECT_STR)
			snprintf(item, sizeof(item), "%.*s",
			    (int)(it->via.str.size > PROTO_MAX_NAME ?
			    PROTO_MAX_NAME : it->via.str.size),
			    it->via.str.ptr);
		else if (it->type == MSGPACK_OBJECT_POSITIVE_INTEGER &&
		    it->via.u64 < 7)
			snprintf(item, sizeof(item), "%s",
			    log_days[it->via.u64]);
		else
			snprintf(item, sizeof(item), "?");
		lb_printf(b, "%s%s", i ? ", " : "", item);
	}
	lb_printf(b, "%s", suffix);
}

/* "1:1 plan with Maya: wed, sat at 10:00, 10 min, by Sam". */
static void
log_plan(struct logbuf *b, const msgpack_object *f)
{
	if (!lb_field(b, f, "kid", "1:1 plan with "))
		lb_printf(b, "1:1 plan");
	log_list(b, f, "days", ": ", "");
	(void)lb_field(b, f, "time", " at ");
	if (lb_field(b, f, "minutes", ", "))
		lb_printf(b, " min");
	(void)lb_field(b, f, "by", ", by ");
}

/*
 * The kinds of the practices. Return false for a kind it does not know.
 */
static bool
log_practice(struct logbuf *b, const char *kind, const msgpack_object *f,
    int64_t now)
{
	char	when[OUTPUT_TIME_MAX];
	int64_t	at;

	if (strcmp(kind, "plan") == 0)
		log_plan(b, f);
	else if (strcmp(kind, "plan.stop") == 0) {
		(void)lb_field(b, f, "kid", "stopped 1:1 plans with ");
		(void)lb_field(b, f, "by", " by ");
	} else if (strncmp(kind, "twoxten.", 8) == 0) {
		(void)lb_field(b, f, "kid", strcmp(kind, "twoxten.day") == 0 ?
		    "2x10 day with " : "2x10 starts with ");
		if (cli_int(f, "at", &at)) {
			output_time(when, sizeof(when), at, now);
			lb_printf(b, " (%s)", when);
		}
	} else if (strcmp(kind, "goal") == 0) {
		(void)lb_field(b, f, "kid", "goal of ");
		(void)lb_field(b, f, "text", ": ");
		if (lb_field(b, f, "due", " (due "))
			lb_printf(b, ")");
	} else if (strcmp(kind, "goal.progress") == 0) {
		log_id(b, f, "goal", "progress on goal ");
		log_list(b, f, "behaviors", " (", ")");
	} else if (strcmp(kind, "goal.close") == 0) {
		log_id(b, f, "goal", "goal ");
		(void)lb_field(b, f, "outcome", " ");
	} else if (strcmp(kind, "strength") == 0) {
		(void)lb_field(b, f, "kid", "");
		(void)lb_field(b, f, "text", ": ");
		if (lb_field(b, f, "type", " ("))
			lb_printf(b, ")");
	} else if (strcmp(kind, "moment") == 0) {
		(void)lb_field(b, f, "kid", "moment with ");
		(void)lb_field(b, f, "what", ": ");
	} else if (strcmp(kind, "repair.done") == 0) {
		log_id(b, f, "repair", "repaired ");
		(void)lb_field(b, f, "heard", ": heard ");
		(void)lb_field(b, f, "plan", "; plan: ");
	} else if (strcmp(kind, "prompt.add") == 0) {
		(void)lb_field(b, f, "text", "prompt: ");
		if (lb_field(b, f, "ages", " (ages "))
			lb_printf(b, ")");
	} else if (strcmp(kind, "setting") == 0) {
		(void)lb_field(b, f, "key", "");
		(void)lb_field(b, f, "value", " = ");
	} else if (strcmp(kind, "amend") == 0) {
		log_id(b, f, "target", "amended ");
		lb_printf(b, ": ");
		log_generic(b, mp_map_get(f, "fields"));
	} else if (strcmp(kind, "retract") == 0) {
		log_id(b, f, "target", "retracted ");
		(void)lb_field(b, f, "reason", ": ");
	} else
		return (false);
	return (true);
}

/* One entry: time, author, kind, summary; the note on a line below. */
static void
log_entry(struct output_table *t, const msgpack_object *e, int64_t now)
{
	const msgpack_object	*f = mp_map_get(e, "fields"), *retracted;
	struct logbuf		*b;
	uint64_t		 amended = 0;
	char			 kind[PROTO_MAX_NAME + 1];
	char			 when[OUTPUT_TIME_MAX];
	char			 author[PROTO_MAX_NAME + 1];
	char			 note[PROTO_MAX_TEXT + 1];
	int64_t			 ts = 0;

	if ((b = calloc(1, sizeof(*b))) == NULL) {
		output_table_row(t);
		output_table_cell(t, OUTPUT_PLAIN, "?");
		return;
	}
	if (cli_text(e, "kind", kind, sizeof(kind)) == NULL)
		snprintf(kind, sizeof(kind), "?");
	if (cli_int(e, "ts", &ts))
		output_time(when, sizeof(when), ts, now);
	else
		snprintf(when, sizeof(when), "?");
	if (cli_text(e, "author_name", author, sizeof(author)) == NULL)
		cli_short(e, "author", author, sizeof(author));
	if (strcmp(kind, "one-on-one") == 0)
		log_one_on_one(b, f, ts, now);
	else if (strcmp(kind, "checkin") == 0 || strcmp(kind, "checkout") == 0)
		log_check(b, kind, f);
	else if (strcmp(kind, "repair") == 0)
		log_repair(b, f);
	else if (strcmp(kind, "kid.add") == 0) {
		(void)lb_field(b, f, "name", "added ");
		if (lb_field(b, f, "born", " (born "))
			lb_printf(b, ")");
	} else if (strcmp(kind, "device.add") == 0) {
		char	dev[OUTPUT_SHORT_ID + 1];

		if (!lb_field(b, f, "name", "added "))
			lb_printf(b, "added a device");
		cli_short(f, "device", dev, sizeof(dev));
		lb_printf(b, "'s laptop (device %s)", dev);
	} else if (strcmp(kind, "device.remove") == 0) {
		char	dev[OUTPUT_SHORT_ID + 1];

		cli_short(f, "device", dev, sizeof(dev));
		lb_printf(b, "removed device %s", dev);
	} else if (strcmp(kind, "key.rotate") == 0) {
		uint64_t	epoch = 0;

		(void)cli_uint(f, "epoch", &epoch);
		lb_printf(b, "new family key (epoch %" PRIu64 ") for the "
		    "devices that stay", epoch);
	} else if (strcmp(kind, "family.create") == 0) {
		if (!lb_field(b, f, "family", "created "))
			lb_printf(b, "created the family");
		(void)lb_field(b, f, "name", " with ");
	} else if (!log_practice(b, kind, f, now))
		log_generic(b, f);
	retracted = mp_map_get(e, "retracted");
	if (retracted != NULL && retracted->type == MSGPACK_OBJECT_MAP)
		lb_printf(b, " (retracted)");
	else if (cli_uint(e, "amended", &amended) && amended > 0)
		lb_printf(b, " (amended)");
	output_table_row(t);
	output_table_cell(t, OUTPUT_PLAIN, "%s", when);
	output_table_cell(t, OUTPUT_BOLD, "%s", author);
	output_table_cell(t, retracted != NULL ? OUTPUT_DIM : log_color(kind),
	    "%s", kind);
	output_table_cell(t, retracted != NULL ? OUTPUT_DIM : OUTPUT_PLAIN,
	    "%s", b->s);
	if (cli_text(f, "note", note, sizeof(note)) != NULL)
		output_table_note(t, OUTPUT_DIM, "note: %s", note);
	free(b);
}

static int
log_print(const struct cli *cli, const msgpack_object *res)
{
	struct output_table	*t;
	uint32_t		 i;

	if (res->type != MSGPACK_OBJECT_ARRAY || res->via.array.size == 0) {
		fprintf(stderr, "No entries.\n");
		return (CLI_EXIT_OK);
	}
	if ((t = output_table_create(4)) == NULL)
		return (cli_table_print(t));
	for (i = 0; i < res->via.array.size; i++)
		log_entry(t, &res->via.array.ptr[i], cli->now_ms);
	return (cli_table_print(t));
}

int
do_log(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option	 opts[] = {
		{ "kid", required_argument, NULL, 'k' },
		{ "kind", required_argument, NULL, 'K' },
		{ "limit", required_argument, NULL, 'l' },
		{ "since", required_argument, NULL, 's' },
		CLI_OPTS_COMMON,
		{ NULL, 0, NULL, 0 }
	};
	struct cli_params		 p = { .n = 0 };
	const msgpack_object		*res;
	const char			*kid = NULL, *kind = NULL;
	const char			*since = NULL;
	uint64_t			 limit = 0;
	int				 ch, rc;

	while ((ch = cli_getopt(cli, cmd, argc, argv, opts)) != -1) {
		switch (ch) {
		case 'k':
			if ((rc = cli_check_name(cmd, "--kid",
			    kid = optarg)) != 0)
				return (rc);
			break;
		case 'K':
			if ((rc = cli_check_name(cmd, "--kind",
			    kind = optarg)) != 0)
				return (rc);
			if (strcmp(kind, "1on1") == 0)
				kind = "one-on-one";
			break;
		case 'l':
			if ((rc = cli_parse_uint(cmd, "--limit", optarg, 1,
			    LOG_LIMIT_MAX, &limit)) != 0)
				return (rc);
			break;
		case 's':
			if ((rc = cli_check_when(cli, cmd, "--since",
			    since = optarg)) != 0)
				return (rc);
			break;
		default:
			return (cli_optend(cmd, ch));
		}
	}
	if ((rc = cli_nargs(cmd, argc - optind, argv + optind, 0, 0)) != 0)
		return (rc);
	cli_params_str(&p, "kid", kid);
	cli_params_str(&p, "kind", kind);
	cli_params_str(&p, "since", since);
	if (limit != 0)
		cli_params_uint(&p, "limit", limit);
	if ((rc = cli_call(cli, RPC_M_LOG, NULL, &p, &res)) != 0)
		return (rc);
	if (cli->json)
		return (cli_print_json(res));
	return (log_print(cli, res));
}
