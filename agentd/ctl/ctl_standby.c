// SPDX-License-Identifier: GPL-2.0
/*
 * miphactl standby: the daemon's HSRP groups, as IOS "show standby" shows
 * them, and the operator's commands on one:
 *	miphactl standby [show [NAME]]
 *	miphactl standby resign NAME     step down (a resign: the standby
 *	miphactl standby resume NAME     takes over at once), and back
 *	miphactl standby sync-done NAME  end "preempt delay sync" now
 * -j prints the daemon's JSON array of groups.
 */
#include <string.h>

#include "ctl.h"

static void router_print(struct ctl *c, const char *what, const json_t *r)
{
	if (!json_is_object(r)) {
		fprintf(c->out, "  %s router is unknown\n", what);
		return;
	}
	if (json_is_true(json_object_get(r, "local")))
		fprintf(c->out, "  %s router is local, priority %lld\n", what,
			(long long)jint(r, "priority"));
	else
		fprintf(c->out,
			"  %s router is %s, priority %lld (expires in %.3f "
			"sec)\n",
			what, jstr(r, "address"),
			(long long)jint(r, "priority"),
			(double)jint(r, "expires_ms") / 1000);
}

static void group_print(struct ctl *c, const json_t *g)
{
	const json_t *p = json_object_get(g, "preempt"),
		     *t = json_object_get(g, "timers"),
		     *ct = json_object_get(g, "configured_timers"),
		     *lc = json_object_get(g, "last_change"),
		     *n = json_object_get(g, "counters");
	long long prio = jint(g, "priority"),
		  cprio = jint(g, "configured_priority");

	fprintf(c->out, "%s - Group %lld (version %lld)%s%s\n",
		jstr(g, "interface"), (long long)jint(g, "group"),
		(long long)jint(g, "version"),
		json_object_get(g, "follow") ? ", follows " : "",
		jstr(g, "follow"));
	fprintf(c->out, "  Name %s, state is %s\n", jstr(g, "name"),
		jstr(g, "state"));
	fprintf(c->out, "    %lld state change%s, last %s (from %s: %s)\n",
		(long long)jint(n, "state_changes"),
		jint(n, "state_changes") == 1 ? "" : "s", jstr(lc, "time"),
		jstr(lc, "from"), jstr(lc, "reason"));
	fprintf(c->out, "  Virtual IP address is %s\n", jstr(g, "virtual_ip"));
	fprintf(c->out, "  %s MAC address is %s\n",
		json_is_true(json_object_get(g, "use_bia")) ? "Interface" :
							      "Active virtual",
		jstr(g, "virtual_mac"));
	fprintf(c->out, "  Hello time %.3f sec, hold time %.3f sec (%s)\n",
		(double)jint(t, "hello_ms") / 1000,
		(double)jint(t, "hold_ms") / 1000,
		jint(ct, "hello_ms") ? "configured" : "learned or default");
	fprintf(c->out, "  Preemption %s",
		json_is_true(json_object_get(p, "enabled")) ? "enabled" :
							      "disabled");
	if (jint(p, "delay_minimum_ms") || jint(p, "delay_reload_ms") ||
	    jint(p, "delay_sync_ms"))
		fprintf(c->out, ", delay min %lld, reload %lld, sync %lld secs",
			(long long)jint(p, "delay_minimum_ms") / 1000,
			(long long)jint(p, "delay_reload_ms") / 1000,
			(long long)jint(p, "delay_sync_ms") / 1000);
	fputc('\n', c->out);
	router_print(c, "Active", json_object_get(g, "active_router"));
	router_print(c, "Standby", json_object_get(g, "standby_router"));
	fprintf(c->out, "  Priority %lld (configured %lld%s)\n", prio, cprio,
		prio != cprio ? ", lowered by tracking" : "");
	fprintf(c->out,
		"  Hellos sent %lld received %lld, coups %lld/%lld, "
		"resigns %lld/%lld, authentication failures %lld\n",
		(long long)jint(n, "hellos_sent"),
		(long long)jint(n, "hellos_received"),
		(long long)jint(n, "coups_sent"),
		(long long)jint(n, "coups_received"),
		(long long)jint(n, "resigns_sent"),
		(long long)jint(n, "resigns_received"),
		(long long)jint(n, "auth_failures"));
	if (json_is_true(json_object_get(g, "resigned")))
		fprintf(c->out,
			"  Resigned by the operator (miphactl standby "
			"resume %s)\n",
			jstr(g, "name"));
}

static int print_groups(struct ctl *c, json_t *groups)
{
	const json_t *g;
	size_t i;

	if (c->json) {
		ctl_json_print(c, groups);
		return CTL_OK;
	}
	json_array_foreach(groups, i, g) group_print(c, g);
	return CTL_OK;
}

static int standby_show(struct ctl *c, int argc, char **argv)
{
	json_t *req, *res;
	int ret;

	if (argc > 1)
		return ctl_fail(c, CTL_USAGE, "standby show: unexpected \"%s\"",
				argv[1]);
	req = json_pack("{s:s}", "command", "standby show");
	if (req && argc)
		json_object_set_new(req, "name", json_string(argv[0]));
	ret = daemon_call(c, req, &res);
	if (ret)
		return ret;
	ret = print_groups(c, json_object_get(res, "groups"));
	json_decref(res);
	return ret;
}

/* resign, resume, sync-done: the group's view after it. */
static int standby_act(struct ctl *c, const char *cmd, int argc, char **argv)
{
	char full[32];
	json_t *res;
	int ret;

	if (argc != 1)
		return ctl_fail(c, CTL_USAGE, "standby %s NAME", cmd);
	snprintf(full, sizeof(full), "standby %s", cmd);
	ret = daemon_call(
		c, json_pack("{s:s,s:s}", "command", full, "name", argv[0]),
		&res);
	if (ret)
		return ret;
	ret = print_groups(c, res);
	json_decref(res);
	return ret;
}

static int standby_resign(struct ctl *c, int argc, char **argv)
{
	return standby_act(c, "resign", argc, argv);
}

static int standby_resume(struct ctl *c, int argc, char **argv)
{
	return standby_act(c, "resume", argc, argv);
}

static int standby_sync_done(struct ctl *c, int argc, char **argv)
{
	return standby_act(c, "sync-done", argc, argv);
}

static const struct ctl_cmd standby_cmds[] = {
	{ "show", standby_show },
	{ "resign", standby_resign },
	{ "resume", standby_resume },
	{ "sync-done", standby_sync_done },
	{ NULL, NULL },
};

int do_standby(struct ctl *c, int argc, char **argv)
{
	if (!argc)
		return standby_show(c, 0, argv);
	return ctl_dispatch(c, standby_cmds, "standby", argc, argv);
}
