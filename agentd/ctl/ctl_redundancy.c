// SPDX-License-Identifier: GPL-2.0
/*
 * miphactl redundancy: peer sync as the daemon sees it, one paragraph per
 * peer (IOS "show ip mobile redundancy"):
 *	miphactl redundancy [show]
 *	miphactl redundancy reconnect   close every connection (they come
 *	                                back and resume where they stopped)
 * -j prints the daemon's object: node_id, mode, role and the peers, each
 * with address, connected, sent, received, acked, lag, resyncs,
 * config_mismatch and the rest.
 */
#include <string.h>

#include "ctl.h"

static void peer_print(struct ctl *c, const json_t *p)
{
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

static const struct ctl_cmd redundancy_cmds[] = {
	{ "show", redundancy_show },
	{ "reconnect", redundancy_reconnect },
	{ NULL, NULL },
};

int do_redundancy(struct ctl *c, int argc, char **argv)
{
	if (!argc)
		return redundancy_show(c, 0, argv);
	return ctl_dispatch(c, redundancy_cmds, "redundancy", argc, argv);
}
