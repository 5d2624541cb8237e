// SPDX-License-Identifier: GPL-2.0
/*
 * switchover: the planned hand-over's state machine (switchover.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "switchover.h"

const char *switchover_state_str(enum switchover_state st)
{
	switch (st) {
	case SWITCHOVER_IDLE:
		return "idle";
	case SWITCHOVER_WAITING:
		return "waiting";
	case SWITCHOVER_DONE:
		return "done";
	case SWITCHOVER_FAILED:
		return "failed";
	}
	return "?";
}

void switchover_init(struct switchover *sw, const struct switchover_host *h)
{
	memset(sw, 0, sizeof(*sw));
	sw->host = *h;
}

static void publish(struct switchover *sw, uint64_t now_ms)
{
	json_t *fields;

	if (!sw->host.event)
		return;
	fields = json_pack("{s:s, s:s, s:s, s:I}", "what", "switchover",
			   "state", switchover_state_str(sw->state), "reason",
			   sw->reason, "waited_ms",
			   (json_int_t)(now_ms - sw->started_ms));
	if (fields)
		sw->host.event(sw->host.ctx, fields);
	json_decref(fields);
}

static void end(struct switchover *sw, uint64_t now_ms, bool ok,
		const char *reason)
{
	sw->state = ok ? SWITCHOVER_DONE : SWITCHOVER_FAILED;
	sw->ended_ms = now_ms;
	snprintf(sw->reason, sizeof(sw->reason), "%s", reason);
	if (ok) {
		sw->done++;
		log_info("switchover: the standby acknowledged everything "
			 "after %llu ms; resigned",
			 (unsigned long long)(now_ms - sw->started_ms));
	} else {
		sw->failed++;
		log_warn("switchover failed: %s", reason);
	}
	publish(sw, now_ms);
}

/* Ready now: hand over (0), or -EAGAIN, or fail. */
static int try_hand_over(struct switchover *sw, uint64_t now_ms,
			 const char **why)
{
	int ret = sw->host.ready(sw->host.ctx, sw->started_ms, why);

	if (ret == -EAGAIN) {
		snprintf(sw->reason, sizeof(sw->reason), "%s", *why);
		return ret;
	}
	if (!ret)
		ret = sw->host.hand_over(sw->host.ctx, why);
	end(sw, now_ms, !ret, ret ? *why : "resigned");
	return ret;
}

int switchover_start(struct switchover *sw, uint64_t now_ms,
		     uint32_t timeout_ms, const char **why)
{
	int ret;

	if (sw->state == SWITCHOVER_WAITING) {
		*why = "a switchover is already waiting for the standby";
		return -EBUSY;
	}
	if (timeout_ms > SWITCHOVER_TIMEOUT_MS_MAX) {
		*why = "timeout over 600 s";
		return -EINVAL;
	}
	if (!timeout_ms)
		timeout_ms = SWITCHOVER_TIMEOUT_MS_DEFAULT;
	sw->state = SWITCHOVER_WAITING;
	sw->started_ms = now_ms;
	sw->deadline_ms = now_ms + timeout_ms;
	sw->ended_ms = 0;
	ret = try_hand_over(sw, now_ms, why);
	if (ret == -EAGAIN) {
		log_info("switchover: waiting up to %u ms: %s", timeout_ms,
			 *why);
		publish(sw, now_ms);
		return 0;
	}
	return ret;
}

bool switchover_poll(struct switchover *sw, uint64_t now_ms)
{
	const char *why = "";
	char reason[sizeof(sw->reason) + 32];

	if (sw->state != SWITCHOVER_WAITING)
		return false;
	if (try_hand_over(sw, now_ms, &why) != -EAGAIN)
		return false;
	if (now_ms < sw->deadline_ms)
		return true;
	snprintf(reason, sizeof(reason), "timed out: %s", why);
	end(sw, now_ms, false, reason);
	return false;
}

void switchover_abort(struct switchover *sw, uint64_t now_ms,
		      const char *reason)
{
	if (sw->state == SWITCHOVER_WAITING)
		end(sw, now_ms, false, reason);
}

json_t *switchover_json(const struct switchover *sw, uint64_t now_ms)
{
	uint64_t until = sw->state == SWITCHOVER_WAITING ? now_ms :
							   sw->ended_ms;

	return json_pack("{s:s, s:s, s:I, s:I, s:I}", "state",
			 switchover_state_str(sw->state), "reason", sw->reason,
			 "waited_ms",
			 (json_int_t)(sw->state == SWITCHOVER_IDLE ?
					      0 :
					      until - sw->started_ms),
			 "done", (json_int_t)sw->done, "failed",
			 (json_int_t)sw->failed);
}
