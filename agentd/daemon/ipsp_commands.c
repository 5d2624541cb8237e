// SPDX-License-Identifier: GPL-2.0
/*
 * IPSP's control-socket command:
 *	ipsp	the state of pool sharing (miphactl ipsp), {"configured":
 *		false} when the configuration has no ipsp section
 */
#include <jansson.h>

#include "ctlsock_server.h"
#include "ipsp.h"
#include "socket_commands.h"

static json_t *cmd_show(void *data, const char *cmd, json_t *req,
			struct ctlsock_stream *stream, const char **err)
{
	json_t *o;

	(void)cmd, (void)req, (void)stream;
	o = data ? ipsp_json(data) : json_pack("{s:b}", "configured", 0);
	if (!o)
		*err = "out of memory";
	return o;
}

/* clang-format off */
static const struct ctlsock_command ipsp_commands[] = {
	{ "ipsp", cmd_show },
	{ NULL }
};
/* clang-format on */

int ipsp_commands_register(struct ctlsock *c, struct ipsp *ip)
{
	return ctlsock_register(c, ipsp_commands, ip);
}
