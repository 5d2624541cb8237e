// SPDX-License-Identifier: GPL-2.0
/*
 * miphactl redundancy: peer sync as the daemon sees it, one paragraph per
 * peer (IOS "show ip mobile redundancy"):
 *	miphactl redundancy [show]
 *	miphactl redundancy reconnect   close every connection (they come
 *	                                back and resume where they stopped)
 *	miphactl redundancy switchover [SECONDS]
 *	                                hand the active role to the standby
 *	                                once it has acknowledged every
 *	                                binding (waits up to SECONDS, 10)
 * -j prints the daemon's object: node_id, mode, role and the peers, each
 * with address (the path in use), addresses (every path, that one first),
 * connected, sent, received, acked, lag, resyncs, config_mismatch and the
 * rest.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctl.h"

static void peer_print(struct ctl *c, const json_t *p)
{
	const json_t *paths, *a;
	size_t i;

	fprintf(c->out, "Peer %s, node %lld, %s, %s%s%s\n", jstr(p, "address"),
		(long long)jint(p, "node_id"), jstr(p, "role"),
		json_is_true(json_object_get(p, "connected")) ?
			"connected" :
			jstr(p, "state"),
		*jstr(p, "tls") ? ", " : "", jstr(p, "tls"));
	fprintf(c->out,
		"  Bindings sent %lld, acknowledged up to %lld, lag %lld "
		"frames\n",
		(long long)jint(p, "sent"), (long long)jint(p, "acked"),
		(long long)jint(p, "lag"));
	fprintf(c->out,
		"  Bindings received %lld, applied %lld, kept ours %lld, "
		"refused %lld\n",
		(long long)jint(p, "received"), (long long)jint(p, "applied"),
		(long long)jint(p, "skipped"), (long long)jint(p, "refused"));
	fprintf(c->out,
		"  Bulk downloads sent %lld, received %lld (last took %lld "
		"ms), resyncs %lld, authentication failures %lld\n",
		(long long)jint(p, "bulks_sent"),
		(long long)jint(p, "bulks_received"),
		(long long)jint(p, "last_bulk_ms"),
		(long long)jint(p, "resyncs"),
		(long long)jint(p, "auth_failures"));
	paths = json_object_get(p, "addresses");
	if (json_array_size(paths) > 1) {
		fprintf(c->out, "  Paths");
		json_array_foreach(paths, i, a)
			fprintf(c->out, "%s %s%s", i ? "," : "",
				json_string_value(a) ?: "?",
				i ? "" : " (in use)");
		fprintf(c->out, "; path changes %lld\n",
			(long long)jint(p, "path_changes"));
	}
	if (json_is_true(json_object_get(p, "config_mismatch")))
		fprintf(c->out, "  CONFIGURATION DIFFERS: %s\n",
			jstr(p, "config_differs"));
}

static int redundancy_call(struct ctl *c, const char *command)
{
	const json_t *p;
	json_t *res;
	size_t i;
	int ret;

	ret = daemon_call(c, json_pack("{s:s}", "command", command), &res);
	if (ret)
		return ret;
	if (c->json) {
		ctl_json_print(c, res);
	} else {
		fprintf(c->out, "Redundancy: node %lld, mode %s, role %s\n",
			(long long)jint(res, "node_id"), jstr(res, "mode"),
			jstr(res, "role"));
		json_array_foreach(json_object_get(res, "peers"), i, p)
			peer_print(c, p);
	}
	json_decref(res);
	return 0;
}

static int redundancy_show(struct ctl *c, int argc, char **argv)
{
	(void)argc, (void)argv;
	return redundancy_call(c, "redundancy show");
}

static int redundancy_reconnect(struct ctl *c, int argc, char **argv)
{
	(void)argc, (void)argv;
	return redundancy_call(c, "redundancy reconnect");
}

/* The daemon's switchover object: done, failed or still waiting. */
static int switchover_report(struct ctl *c, json_t *res)
{
	const char *state = jstr(res, "state");

	if (c->json)
		ctl_json_print(c, res);
	else if (!strcmp(state, "done"))
		fprintf(c->out,
			"Switchover done: the standby acknowledged every "
			"binding after %lld ms; this router resigned (miphactl "
			"standby resume NAME puts it back in the election)\n",
			(long long)jint(res, "waited_ms"));
	else
		fprintf(c->out, "Switchover %s after %lld ms: %s\n", state,
			(long long)jint(res, "waited_ms"), jstr(res, "reason"));
	return strcmp(state, "done") ? CTL_ERR : 0;
}

/*
 * Starts the switchover and follows it: the daemon waits for the
 * standby's acknowledgements on its own loop, we ask where it is.
 */
static int redundancy_switchover(struct ctl *c, int argc, char **argv)
{
	struct timespec pause = { 0, 50 * 1000 * 1000 };
	unsigned long seconds = 10;
	char *end;
	json_t *res;
	int ret, polls;

	if (argc > 1)
		return ctl_fail(c, CTL_USAGE,
				"redundancy switchover: at most SECONDS");
	if (argc) {
		seconds = strtoul(argv[0], &end, 10);
		if (*argv[0] < '0' || *argv[0] > '9' || *end || !seconds ||
		    seconds > 600)
			return ctl_fail(c, CTL_USAGE,
					"redundancy switchover: SECONDS is 1 "
					"to 600, not \"%s\"",
					argv[0]);
	}
	ret = daemon_call(c,
			  json_pack("{s:s, s:I}", "command",
				    "redundancy switchover", "timeout_ms",
				    (json_int_t)seconds * 1000),
			  &res);
	/* the daemon's deadline ends it; ours only guards a stuck daemon */
	for (polls = 0; !ret && !strcmp(jstr(res, "state"), "waiting") &&
			polls < (int)(seconds + 5) * 20;
	     polls++) {
		json_decref(res);
		nanosleep(&pause, NULL);
		ret = daemon_call(c,
				  json_pack("{s:s}", "command",
					    "redundancy switchover status"),
				  &res);
	}
	if (ret)
		return ret;
	ret = switchover_report(c, res);
	json_decref(res);
	return ret;
}

static const struct ctl_cmd redundancy_cmds[] = {
	{ "show", redundancy_show },
	{ "reconnect", redundancy_reconnect },
	{ "switchover", redundancy_switchover },
	{ NULL, NULL },
};

int do_redundancy(struct ctl *c, int argc, char **argv)
{
	if (!argc)
		return redundancy_show(c, 0, argv);
	return ctl_dispatch(c, redundancy_cmds, "redundancy", argc, argv);
}
