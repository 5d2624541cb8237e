// SPDX-License-Identifier: GPL-2.0
/*
 * Peer sync's control-socket command:
 *	redundancy show       the peers, their connections and streams
 *	redundancy reconnect  close every connection: each comes back and
 *	                      resumes where it stopped
 */
#include <jansson.h>

#include "ctlsock_server.h"
#include "socket_commands.h"
#include "sync.h"

static json_t *cmd_show(void *data, const char *cmd, json_t *req,
			struct ctlsock_stream *stream, const char **err)
{
	json_t *o = sync_json(data);

	(void)cmd, (void)req, (void)stream;
	if (!o)
		*err = "out of memory";
	return o;
}

static json_t *cmd_reconnect(void *data, const char *cmd, json_t *req,
			     struct ctlsock_stream *stream, const char **err)
{
	(void)cmd, (void)req, (void)stream;
	sync_reconnect(data);
	return cmd_show(data, "redundancy show", NULL, NULL, err);
}

/* clang-format off */
static const struct ctlsock_command sync_commands[] = {
	{ "redundancy show", cmd_show },
	{ "redundancy reconnect", cmd_reconnect },
	{ NULL }
};
/* clang-format on */

int sync_commands_register(struct ctlsock *c, struct sync *s)
{
	return ctlsock_register(c, sync_commands, s);
}
