/* SPDX-License-Identifier: GPL-2.0 */
/*
 * switchover: a planned hand-over of the active role (miphactl redundancy
 * switchover; the switch-over of the IETF HA-reliability draft, the
 * maintenance story of Cisco's HA redundancy guide). It waits until the
 * standby has acknowledged every binding we sent (peer sync says when),
 * then resigns our HSRP group: the standby, holding the whole table, takes
 * over at the resign, without waiting for a hold time, and no binding is
 * lost. This router stays out of the election until "miphactl standby
 * resume"; switching back is a switchover at the other one.
 *
 * The state machine is here, its clock passed in (unit-tested without a
 * loop); the daemon arms a timer that calls switchover_poll() while it
 * waits.
 */
#ifndef MIPHA_SWITCHOVER_H
#define MIPHA_SWITCHOVER_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "loop.h"

#define SWITCHOVER_TIMEOUT_MS_DEFAULT 10000
#define SWITCHOVER_TIMEOUT_MS_MAX     600000
#define SWITCHOVER_POLL_MS	      20

enum switchover_state {
	SWITCHOVER_IDLE, /* never asked */
	SWITCHOVER_WAITING,
	SWITCHOVER_DONE,
	SWITCHOVER_FAILED,
};

struct switchover_host {
	/* 0: hand over now; -EAGAIN: not yet (why); else: cannot (why).
	 * since_ms: when the switchover began (the standby must have been
	 * heard from since) */
	int (*ready)(void *ctx, uint64_t since_ms, const char **why);
	/* resign the group; 0 or -errno with why */
	int (*hand_over)(void *ctx, const char **why);
	/* "redundancy" events: what=switchover, state, reason, waited_ms;
	 * may be NULL; fields is the callee's to take a reference of */
	void (*event)(void *ctx, json_t *fields);
	void *ctx;
};

struct switchover {
	struct switchover_host host;
	enum switchover_state state;
	uint64_t started_ms, deadline_ms, ended_ms;
	char reason[128]; /* why it waits, why it failed */
	uint64_t done, failed;
};

void switchover_init(struct switchover *sw, const struct switchover_host *h);

/*
 * Starts a switchover that may wait timeout_ms (0: the default) for the
 * standby. Hands over at once when ready. 0 (done or waiting: see
 * sw->state), -EBUSY if one is already waiting, -EINVAL for a timeout over
 * the maximum, or what ready() or hand_over() refused with (*why set).
 */
int switchover_start(struct switchover *sw, uint64_t now_ms,
		     uint32_t timeout_ms, const char **why);

/* While waiting: hands over if ready, fails at the deadline or when
 * ready() says it cannot. True while still waiting. */
bool switchover_poll(struct switchover *sw, uint64_t now_ms);

/* Ends a waiting switchover as failed (the daemon could not poll it). */
void switchover_abort(struct switchover *sw, uint64_t now_ms,
		      const char *reason);

/* {"state", "reason", "waited_ms", "done", "failed"} */
json_t *switchover_json(const struct switchover *sw, uint64_t now_ms);

const char *switchover_state_str(enum switchover_state st);

/*
 * The daemon's side (switchover_commands.c): the state machine on the
 * loop, polled every SWITCHOVER_POLL_MS while it waits, and its commands
 *	redundancy switchover         {"timeout_ms"}: start one
 *	redundancy switchover status  where it is (switchover_json())
 */
struct ctlsock;
struct loop;

struct switchover_service {
	struct switchover sw;
	struct loop *loop;
	struct loop_timer poll;
};

void switchover_service_init(struct switchover_service *svc, struct loop *l,
			     const struct switchover_host *h);
/* Cancels the poll (before the loop or the service goes). */
void switchover_service_stop(struct switchover_service *svc);
int switchover_commands_register(struct ctlsock *c,
				 struct switchover_service *svc);

#endif /* MIPHA_SWITCHOVER_H */
