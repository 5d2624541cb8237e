// SPDX-License-Identifier: GPL-2.0
/*
 * The planned switchover on the daemon's loop, and its control-socket
 * commands (switchover.h):
 *	redundancy switchover         {"timeout_ms"}: start one; the answer is
 *	                              its state (done, or waiting)
 *	redundancy switchover status  its state: miphactl polls it
 */
#include <errno.h>

#include "ctlsock_server.h"
#include "log.h"
#include "loop.h"
#include "switchover.h"

static void poll_cb(struct loop_timer *t)
{
	struct switchover_service *svc = t->data;

	if (switchover_poll(&svc->sw, loop_now_ms()) &&
	    loop_timer_arm(svc->loop, &svc->poll, SWITCHOVER_POLL_MS))
		switchover_abort(&svc->sw, loop_now_ms(),
				 "cannot arm the switchover's timer");
}

void switchover_service_init(struct switchover_service *svc, struct loop *l,
			     const struct switchover_host *h)
{
	switchover_init(&svc->sw, h);
	svc->loop = l;
	loop_timer_init(&svc->poll, poll_cb, svc);
}

void switchover_service_stop(struct switchover_service *svc)
{
	loop_timer_cancel(svc->loop, &svc->poll);
}

static json_t *cmd_status(void *data, const char *cmd, json_t *req,
			  struct ctlsock_stream *stream, const char **err)
{
	struct switchover_service *svc = data;
	json_t *o = switchover_json(&svc->sw, loop_now_ms());

	(void)cmd, (void)req, (void)stream;
	if (!o)
		*err = "out of memory";
	return o;
}

static json_t *cmd_start(void *data, const char *cmd, json_t *req,
			 struct ctlsock_stream *stream, const char **err)
{
	struct switchover_service *svc = data;
	json_t *t = json_object_get(req, "timeout_ms");
	json_int_t timeout = 0;

	if (t) {
		if (!json_is_integer(t) || json_integer_value(t) < 0 ||
		    json_integer_value(t) > SWITCHOVER_TIMEOUT_MS_MAX) {
			*err = "timeout_ms: an integer from 0 to 600000";
			return NULL;
		}
		timeout = json_integer_value(t);
	}
	if (switchover_start(&svc->sw, loop_now_ms(), (uint32_t)timeout, err))
		return NULL;
	if (svc->sw.state == SWITCHOVER_WAITING &&
	    loop_timer_arm(svc->loop, &svc->poll, SWITCHOVER_POLL_MS)) {
		*err = "cannot arm the switchover's timer";
		switchover_abort(&svc->sw, loop_now_ms(), *err);
		return NULL;
	}
	return cmd_status(data, cmd, req, stream, err);
}

/* clang-format off */
static const struct ctlsock_command switchover_commands[] = {
	{ "redundancy switchover", cmd_start },
	{ "redundancy switchover status", cmd_status },
	{ NULL }
};
/* clang-format on */

int switchover_commands_register(struct ctlsock *c,
				 struct switchover_service *svc)
{
	return ctlsock_register(c, switchover_commands, svc);
}
