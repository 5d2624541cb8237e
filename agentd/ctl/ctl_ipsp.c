// SPDX-License-Identifier: GPL-2.0
/*
 * miphactl ipsp: the IP Pool Sharing Protocol as the daemon plays it
 * (StarOS "show ip ipsp"):
 *	miphactl ipsp [show]
 * Text: the role and the peer, whether the pools' configuration matches
 * the peer's (every difference), a table of the shared pools (Used: bound
 * here, Released: granted to the peer, Held: granted to us and free, Busy:
 * not usable here) and the counters. -j prints the daemon's object.
 *
 * A member missing or of another type (a daemon of another version) is
 * left out of the text: what is there is printed.
 */
#include <stdarg.h>
#include <string.h>

#include "ctl.h"

/* The width of the labels of the header block. */
#define IPSP_LABEL_WIDTH 16

/* One line of the header: its label, then parts joined by ", ". */
struct ipsp_line {
	struct ctl *c;
	const char *label;
	bool started;
};

static void __attribute__((format(printf, 2, 3)))
part(struct ipsp_line *l, const char *fmt, ...)
{
	va_list ap;

	if (l->started)
		fputs(", ", l->c->out);
	else
		fprintf(l->c->out, "  %-*s", IPSP_LABEL_WIDTH, l->label);
	l->started = true;
	va_start(ap, fmt);
	vfprintf(l->c->out, fmt, ap);
	va_end(ap);
}

static void line_end(struct ipsp_line *l)
{
	if (l->started)
		fputc('\n', l->c->out);
	l->started = false;
}

/* A string member, NULL if absent or not a string. */
static const char *sval(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* An integer member: false if absent or not an integer. */
static bool ival(const json_t *o, const char *k, long long *v)
{
	const json_t *j = json_object_get(o, k);

	if (!json_is_integer(j))
		return false;
	*v = json_integer_value(j);
	return true;
}

/* A string member that may be null: "unknown" for null. */
static void str_or_null(struct ipsp_line *l, const json_t *o, const char *k)
{
	const json_t *j = json_object_get(o, k);

	if (json_is_string(j))
		part(l, "%s", json_string_value(j));
	else if (json_is_null(j))
		part(l, "unknown");
	line_end(l);
}

/* A boolean member as yes / no. */
static void yes_no(struct ipsp_line *l, const json_t *o, const char *k)
{
	const json_t *j = json_object_get(o, k);

	if (json_is_boolean(j))
		part(l, "%s", json_is_true(j) ? "yes" : "no");
	line_end(l);
}

static void role_print(struct ctl *c, const json_t *st)
{
	struct ipsp_line l = { c, "Role:", false };
	const char *role = sval(st, "role"),
		   *conf = sval(st, "role_configured");
	const json_t *acting = json_object_get(st, "acting");

	if (role)
		part(&l, "%s", role);
	if (json_is_true(acting))
		part(&l, "acting");
	if (conf && role && !strcmp(conf, role) && !json_is_true(acting))
		fputs(" (as configured)", c->out);
	else if (conf && l.started)
		fprintf(c->out, " (configured %s)", conf);
	else if (conf)
		part(&l, "configured %s", conf);
	line_end(&l);
}

static void peer_print(struct ctl *c, const json_t *st)
{
	struct ipsp_line l = { c, "Peer:", false };
	const char *addr = sval(st, "peer"), *state = sval(st, "peer_state");
	const json_t *up = json_object_get(st, "peer_up");
	long long port;
	bool has_port = ival(st, "port", &port);

	if (addr && has_port)
		part(&l, "%s:%lld", addr, port);
	else if (addr)
		part(&l, "%s", addr);
	else if (has_port)
		part(&l, "port %lld", port);
	if (state)
		part(&l, "%s", state);
	else if (json_is_boolean(up))
		part(&l, "%s", json_is_true(up) ? "up" : "down");
	line_end(&l);
	l.label = "Peer role:";
	str_or_null(&l, st, "peer_role");
	l.label = "Peer mode:";
	str_or_null(&l, st, "peer_mode");
}

static void timers_print(struct ctl *c, const json_t *st)
{
	struct ipsp_line l = { c, "Dead interval:", false };
	const json_t *heard = json_object_get(st, "last_heard_ms");
	long long v;

	if (ival(st, "dead_interval", &v))
		part(&l, "%lld sec", v);
	line_end(&l);
	l.label = "Last heard:";
	if (json_is_integer(heard) && json_integer_value(heard) >= 0)
		part(&l, "%lld.%03lld sec ago",
		     (long long)json_integer_value(heard) / 1000,
		     (long long)json_integer_value(heard) % 1000);
	else if (json_is_integer(heard))
		part(&l, "%lld ms", (long long)json_integer_value(heard));
	else if (json_is_null(heard))
		part(&l, "never");
	line_end(&l);
}

static void config_print(struct ctl *c, const json_t *st)
{
	struct ipsp_line l = { c, "Configuration:", false };
	const json_t *match = json_object_get(st, "config_match"), *d;
	size_t i;

	if (json_is_true(match))
		part(&l, "matches the peer's");
	else if (json_is_false(match))
		part(&l, "DIFFERS from the peer's");
	else if (json_is_null(match))
		part(&l, "not compared yet");
	line_end(&l);
	json_array_foreach(json_object_get(st, "config_diff"), i, d)
	{
		if (json_is_string(d))
			fprintf(c->out, "    %s\n", json_string_value(d));
	}
}

static const char *const pool_columns[] = { "size", "used", "released", "held",
					    "busy" };

static void pools_print(struct ctl *c, const json_t *pools)
{
	const json_t *p;
	int width = (int)strlen("Pool");
	size_t i, k;

	json_array_foreach(pools, i, p)
	{
		const char *name = sval(p, "name");

		if (json_is_object(p) && name && (int)strlen(name) > width)
			width = (int)strlen(name);
	}
	if (!json_array_size(pools))
		return;
	fprintf(c->out, "\n%-*s %10s %10s %10s %10s %10s\n", width, "Pool",
		"Size", "Used", "Released", "Held", "Busy");
	json_array_foreach(pools, i, p)
	{
		if (!json_is_object(p))
			continue;
		fprintf(c->out, "%-*s", width, sval(p, "name") ?: "?");
		for (k = 0; k < sizeof(pool_columns) / sizeof(*pool_columns);
		     k++) {
			long long v;

			if (ival(p, pool_columns[k], &v))
				fprintf(c->out, " %10lld", v);
			else
				fprintf(c->out, " %10s", "-");
		}
		fputc('\n', c->out);
	}
}

static const struct {
	const char *key, *label;
} counter_labels[] = {
	{ "connects", "Connects" },
	{ "auth_failures", "Authentication failures" },
	{ "protocol_errors", "Protocol errors" },
	{ "block_requests", "Block requests" },
	{ "addr_requests", "Address requests" },
	{ "grants", "Grants" },
	{ "denials", "Denials" },
	{ "handoffs", "Handoffs" },
	{ "claims", "Claims" },
	{ "conflicts", "Conflicts" },
	{ "refused_sessions", "Refused sessions" },
	{ "takeovers", "Takeovers" },
	{ "going_down_sent", "Going-down sent" },
	{ "going_down_received", "Going-down received" },
};

/* The daemon's counters in its order; one we have no label for by key. */
static void counters_print(struct ctl *c, const json_t *counters)
{
	const char *k, *label;
	bool first = true;
	json_t *v;
	size_t i;

	json_object_foreach((json_t *)counters, k, v)
	{
		if (!json_is_integer(v))
			continue;
		if (first)
			fprintf(c->out, "\nCounters:\n");
		first = false;
		label = k;
		for (i = 0;
		     i < sizeof(counter_labels) / sizeof(*counter_labels); i++)
			if (!strcmp(k, counter_labels[i].key))
				label = counter_labels[i].label;
		fprintf(c->out, "  %-24s %lld\n", label,
			(long long)json_integer_value(v));
	}
}

/* The text of the daemon's "ipsp" object (its strings escaped). */
void ipsp_print(struct ctl *c, const json_t *st)
{
	struct ipsp_line l = { c, "Mode:", false };

	if (json_is_false(json_object_get(st, "configured"))) {
		fprintf(c->out, "IPSP is not configured\n");
		return;
	}
	fprintf(c->out, "IP Pool Sharing Protocol (IPSP)\n");
	role_print(c, st);
	if (sval(st, "mode"))
		part(&l, "%s", sval(st, "mode"));
	line_end(&l);
	peer_print(c, st);
	timers_print(c, st);
	l.label = "Pools locked:";
	yes_no(&l, st, "locked");
	l.label = "Ready:";
	yes_no(&l, st, "ready");
	l.label = "All free:";
	yes_no(&l, st, "all_free");
	config_print(c, st);
	pools_print(c, json_object_get(st, "pools"));
	counters_print(c, json_object_get(st, "counters"));
}

int do_ipsp(struct ctl *c, int argc, char **argv)
{
	json_t *res;
	int ret;

	if (argc && !ctl_matches(argv[0], "show"))
		return ctl_fail(c, CTL_USAGE, "ipsp: unknown word \"%s\"",
				argv[0]);
	if (argc > 1)
		return ctl_fail(c, CTL_USAGE, "ipsp show: unexpected \"%s\"",
				argv[1]);
	ret = daemon_call(c, json_pack("{s:s}", "command", "ipsp"), &res);
	if (ret)
		return ret;
	if (!json_is_object(res)) {
		json_decref(res);
		return ctl_fail(c, CTL_ERR,
				"ipsp: mipha-agentd answered no IPSP state");
	}
	if (c->json) {
		ctl_json_print(c, res);
		return CTL_OK;
	}
	ipsp_print(c, res);
	json_decref(res);
	return CTL_OK;
}
