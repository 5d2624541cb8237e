// SPDX-License-Identifier: GPL-2.0
/*
 * config_daemon: the daemon's own settings: log { target facility debug }
 * and control-socket.
 *
 * Reload: logging is live; the control socket needs a restart (clients
 * would lose the daemon, and the socket is bound at start).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>
#include <syslog.h>

#include "config_kit.h"
#include "log.h"

static cfg_opt_t log_opts[] = {
	CONFIG_OPT("target"),
	CONFIG_OPT("facility"),
	CONFIG_OPT_LIST("debug"),
	CFG_END(),
};

static cfg_opt_t top_opts[] = {
	CFG_SEC("log", log_opts, CFGF_NONE),
	CONFIG_OPT("control-socket"),
	CFG_END(),
};

static int log_load(struct config_load *l)
{
	static const struct {
		const char *name;
		int facility;
	} fac[] = {
		{ "daemon", LOG_DAEMON }, { "user", LOG_USER },
		{ "local0", LOG_LOCAL0 }, { "local1", LOG_LOCAL1 },
		{ "local2", LOG_LOCAL2 }, { "local3", LOG_LOCAL3 },
		{ "local4", LOG_LOCAL4 }, { "local5", LOG_LOCAL5 },
		{ "local6", LOG_LOCAL6 }, { "local7", LOG_LOCAL7 },
	};
	struct config *c = l->cfg;
	cfg_t *s = cfg_getsec(l->top, "log");
	const char *v;
	unsigned int i;
	size_t f;

	c->log_target = CONFIG_LOG_STDERR;
	c->log_facility = LOG_DAEMON;
	if (!s)
		return 0;
	v = config_str(s, "target");
	if (v && !strcmp(v, "syslog"))
		c->log_target = CONFIG_LOG_SYSLOG;
	else if (v && strcmp(v, "stderr"))
		return config_fail(l, config_opt_line(l, s, "target", 0),
				   "target: '%s' is not stderr or syslog", v);
	v = config_str(s, "facility");
	if (v) {
		for (f = 0; f < sizeof(fac) / sizeof(fac[0]); f++)
			if (!strcmp(v, fac[f].name))
				break;
		if (f == sizeof(fac) / sizeof(fac[0]))
			return config_fail(
				l, config_opt_line(l, s, "facility", 0),
				"facility: '%s' is not daemon, user or "
				"local0-local7",
				v);
		c->log_facility = fac[f].facility;
	}
	for (i = 0; i < cfg_size(s, "debug"); i++) {
		unsigned int m;
		char bad[64];

		v = cfg_getnstr(s, "debug", i);
		if (log_parse_debug(v, &m, bad, sizeof(bad)) || !*v)
			return config_fail(
				l, config_opt_line(l, s, "debug", i),
				"debug: unknown subsystem '%s' (all, none, "
				"registration, pool, kernel, ctl, config)",
				*v ? bad : v);
		c->debug_mask |= m;
	}
	return 0;
}

static int socket_load(struct config_load *l)
{
	struct config *c = l->cfg;
	const char *v = config_str(l->top, "control-socket");

	if (!v)
		v = CONFIG_DEFAULT_SOCKET;
	else if (v[0] != '/' ||
		 strlen(v) >= sizeof(((struct sockaddr_un *)0)->sun_path))
		return config_fail(
			l, config_opt_line(l, l->top, "control-socket", 0),
			"control-socket: an absolute path of at most %zu "
			"bytes",
			sizeof(((struct sockaddr_un *)0)->sun_path) - 1);
	c->control_socket = strdup(v);
	return c->control_socket ? 0 : -ENOMEM;
}

static int daemon_load(struct config_load *l)
{
	int err = log_load(l);

	return err ? err : socket_load(l);
}

static void daemon_free(struct config *c)
{
	free(c->control_socket);
}

static void daemon_diff(const struct config *o, const struct config *n,
			struct config_diff *d)
{
	if (strcmp(o->control_socket, n->control_socket))
		config_diff_restart(d, CONFIG_CHG_SOCKET,
				    "control-socket changed (clients would "
				    "lose the daemon)");
	if (o->log_target != n->log_target ||
	    o->log_facility != n->log_facility ||
	    o->debug_mask != n->debug_mask)
		config_diff_live(d, CONFIG_CHG_LOG, "logging");
}

const struct config_section config_daemon_section = {
	.name = "daemon",
	.opts = top_opts,
	.load = daemon_load,
	.free = daemon_free,
	.diff = daemon_diff,
};
