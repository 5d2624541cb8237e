// SPDX-License-Identifier: GPL-2.0
/*
 * The standby groups' control-socket commands:
 *	standby show [name]        every group, or one (IOS show standby)
 *	standby resign name        step down: a resign, then Initial until
 *	standby resume name        resumed (IOS: standby G shutdown)
 *	standby sync-done name     the binding download finished (preempt
 *	                           delay sync; peer sync's signal, a test
 *	                           hook until it exists)
 */
#include <errno.h>
#include <string.h>
#include <jansson.h>

#include "ctlsock_server.h"
#include "hsrp.h"
#include "socket_commands.h"

static const char *req_name(json_t *req)
{
	return json_string_value(json_object_get(req, "name"));
}

static json_t *cmd_show(void *data, const char *cmd, json_t *req,
			struct ctlsock_stream *stream, const char **err)
{
	struct hsrp *h = data;
	const char *name = req_name(req);
	json_t *groups = hsrp_json(h, name);

	(void)cmd, (void)stream;
	if (!groups) {
		*err = name ? "no such standby group" : "out of memory";
		return NULL;
	}
	return json_pack("{s:o}", "groups", groups);
}

static json_t *cmd_act(void *data, const char *cmd, json_t *req,
		       struct ctlsock_stream *stream, const char **err)
{
	struct hsrp *h = data;
	const char *name = req_name(req);
	int ret;

	(void)stream;
	if (!name) {
		*err = "which standby group? (name)";
		return NULL;
	}
	if (!strcmp(cmd, "standby resign"))
		ret = hsrp_resign(h, name);
	else if (!strcmp(cmd, "standby resume"))
		ret = hsrp_resume(h, name);
	else
		ret = hsrp_sync_done(h, name);
	if (ret == -ENOENT) {
		*err = "no such standby group";
		return NULL;
	}
	if (ret) {
		*err = "a follow group has no election of its own";
		return NULL;
	}
	return hsrp_json(h, name);
}

static const struct ctlsock_command hsrp_commands[] = {
	{ "standby show", cmd_show },
	{ "standby resign", cmd_act },
	{ "standby resume", cmd_act },
	{ "standby sync-done", cmd_act },
	{ NULL }
};

int hsrp_commands_register(struct ctlsock *c, struct hsrp *h)
{
	return ctlsock_register(c, hsrp_commands, h);
}
