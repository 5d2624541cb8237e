// SPDX-License-Identifier: GPL-2.0
/*
 * Registration's control-socket commands: the daemon's bindings, as a
 * streamed list, one by home address, and a summary.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <jansson.h>

#include "socket_commands.h"
#include "ctlsock_server.h"
#include "reg.h"

struct list_state {
	const struct reg *reg;
	struct in_addr *addrs;
	size_t n, i;
};

static json_t *list_next(void *data)
{
	struct list_state *st = data;

	/* Bindings gone since the list was taken are skipped. */
	while (st->i < st->n) {
		json_t *o = reg_binding_json(st->reg, st->addrs[st->i++]);

		if (o)
			return o;
	}
	return NULL;
}

static void list_free(void *data)
{
	struct list_state *st = data;

	free(st->addrs);
	free(st);
}

static json_t *cmd_binding_list(void *data, const char *cmd, json_t *req,
				struct ctlsock_stream *stream, const char **err)
{
	struct list_state *st = calloc(1, sizeof(*st));

	(void)cmd, (void)req;
	if (!st || reg_binding_addrs(data, &st->addrs, &st->n)) {
		free(st);
		*err = strerror(ENOMEM);
		return NULL;
	}
	st->reg = data;
	stream->next = list_next;
	stream->free = list_free;
	stream->state = st;
	return NULL;
}

static json_t *cmd_binding_show(void *data, const char *cmd, json_t *req,
				struct ctlsock_stream *stream, const char **err)
{
	static char msg[768];
	const char *s = json_string_value(json_object_get(req, "home_addr"));
	struct in_addr home;
	json_t *o;

	(void)cmd, (void)stream;
	if (!s || inet_pton(AF_INET, s, &home) != 1) {
		*err = "binding show: \"home_addr\" must be an IPv4 address";
		return NULL;
	}
	o = reg_binding_json(data, home);
	if (!o) {
		snprintf(msg, sizeof(msg), "no binding for %s", s);
		*err = msg;
	}
	return o;
}

static json_t *cmd_binding_summary(void *data, const char *cmd, json_t *req,
				   struct ctlsock_stream *stream,
				   const char **err)
{
	(void)cmd, (void)req, (void)stream, (void)err;
	return reg_summary_json(data);
}

static const struct ctlsock_command reg_commands[] = {
	{ "binding list", cmd_binding_list },
	{ "binding show", cmd_binding_show },
	{ "binding summary", cmd_binding_summary },
	{ NULL }
};

int reg_commands_register(struct ctlsock *c, struct reg *r)
{
	return ctlsock_register(c, reg_commands, r);
}
