// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the planned switchover's state machine: it hands over only
 * once peer sync says the standby holds everything, never after its
 * deadline, never when it cannot (not active), and says why.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "switchover.h"

struct fake {
	int ready_ret; /* what ready() answers */
	int hand_over_ret;
	unsigned int ready_calls, hand_overs, events;
	uint64_t since_ms; /* what ready() was asked */
	char last_event_state[16];
};

static int fake_ready(void *ctx, uint64_t since_ms, const char **why)
{
	struct fake *f = ctx;

	f->since_ms = since_ms;
	f->ready_calls++;
	*why = f->ready_ret == -EAGAIN ? "a peer has not acknowledged" :
	       f->ready_ret	       ? "not the active one" :
					 "";
	return f->ready_ret;
}

static int fake_hand_over(void *ctx, const char **why)
{
	struct fake *f = ctx;

	f->hand_overs++;
	if (f->hand_over_ret)
		*why = "cannot resign";
	return f->hand_over_ret;
}

static void fake_event(void *ctx, json_t *fields)
{
	struct fake *f = ctx;

	f->events++;
	snprintf(f->last_event_state, sizeof(f->last_event_state), "%s",
		 json_string_value(json_object_get(fields, "state")));
	assert_string_equal(json_string_value(json_object_get(fields, "what")),
			    "switchover");
}

static void setup_sw(struct switchover *sw, struct fake *f)
{
	struct switchover_host h = {
		.ready = fake_ready,
		.hand_over = fake_hand_over,
		.event = fake_event,
		.ctx = f,
	};

	memset(f, 0, sizeof(*f));
	switchover_init(sw, &h);
}

static void test_ready_at_once(void **state)
{
	struct switchover sw;
	struct fake f;
	const char *why = NULL;

	(void)state;
	setup_sw(&sw, &f);
	assert_int_equal(switchover_start(&sw, 1000, 0, &why), 0);
	assert_int_equal(sw.state, SWITCHOVER_DONE);
	assert_int_equal(f.hand_overs, 1);
	assert_string_equal(f.last_event_state, "done");
	assert_false(switchover_poll(&sw, 1020)); /* nothing more */
	assert_int_equal(f.hand_overs, 1);
	assert_int_equal(sw.done, 1);
}

static void test_waits_for_the_standby(void **state)
{
	struct switchover sw;
	struct fake f;
	const char *why = NULL;
	json_t *o;

	(void)state;
	setup_sw(&sw, &f);
	f.ready_ret = -EAGAIN;
	assert_int_equal(switchover_start(&sw, 1000, 5000, &why), 0);
	assert_int_equal(sw.state, SWITCHOVER_WAITING);
	assert_int_equal(f.since_ms, 1000); /* heard from since the start */
	assert_int_equal(f.hand_overs, 0);
	assert_true(switchover_poll(&sw, 1020));
	assert_true(switchover_poll(&sw, 3000));
	o = switchover_json(&sw, 3000);
	assert_string_equal(json_string_value(json_object_get(o, "state")),
			    "waiting");
	assert_string_equal(json_string_value(json_object_get(o, "reason")),
			    "a peer has not acknowledged");
	assert_int_equal(json_integer_value(json_object_get(o, "waited_ms")),
			 2000);
	json_decref(o);
	/* a second request while one waits is refused */
	assert_int_equal(switchover_start(&sw, 3000, 0, &why), -EBUSY);
	f.ready_ret = 0; /* everything acknowledged */
	assert_false(switchover_poll(&sw, 3020));
	assert_int_equal(sw.state, SWITCHOVER_DONE);
	assert_int_equal(f.hand_overs, 1);
	o = switchover_json(&sw, 9000); /* the wait stays what it was */
	assert_int_equal(json_integer_value(json_object_get(o, "waited_ms")),
			 2020);
	json_decref(o);
}

static void test_deadline(void **state)
{
	struct switchover sw;
	struct fake f;
	const char *why = NULL;

	(void)state;
	setup_sw(&sw, &f);
	f.ready_ret = -EAGAIN;
	assert_int_equal(switchover_start(&sw, 1000, 500, &why), 0);
	assert_true(switchover_poll(&sw, 1499));
	assert_false(switchover_poll(&sw, 1500));
	assert_int_equal(sw.state, SWITCHOVER_FAILED);
	assert_int_equal(f.hand_overs, 0); /* never handed over late */
	assert_string_equal(sw.reason,
			    "timed out: a peer has not acknowledged");
	assert_string_equal(f.last_event_state, "failed");
	assert_int_equal(sw.failed, 1);
	/* a new one may start after a failure */
	f.ready_ret = 0;
	assert_int_equal(switchover_start(&sw, 2000, 0, &why), 0);
	assert_int_equal(sw.state, SWITCHOVER_DONE);
}

static void test_refused(void **state)
{
	struct switchover sw;
	struct fake f;
	const char *why = NULL;

	(void)state;
	setup_sw(&sw, &f);
	f.ready_ret = -EPERM;
	assert_int_equal(switchover_start(&sw, 1000, 0, &why), -EPERM);
	assert_string_equal(why, "not the active one");
	assert_int_equal(sw.state, SWITCHOVER_FAILED);
	assert_int_equal(f.hand_overs, 0);
	/* it stops waiting too when the role goes meanwhile */
	f.ready_ret = -EAGAIN;
	assert_int_equal(switchover_start(&sw, 2000, 0, &why), 0);
	f.ready_ret = -EPERM;
	assert_false(switchover_poll(&sw, 2020));
	assert_int_equal(sw.state, SWITCHOVER_FAILED);
	assert_string_equal(sw.reason, "not the active one");
	/* a resign that fails fails the switchover */
	f.ready_ret = 0;
	f.hand_over_ret = -EINVAL;
	assert_int_equal(switchover_start(&sw, 3000, 0, &why), -EINVAL);
	assert_string_equal(why, "cannot resign");
	assert_int_equal(sw.state, SWITCHOVER_FAILED);
	/* and a timeout over the maximum is refused before anything */
	assert_int_equal(switchover_start(&sw, 4000,
					  SWITCHOVER_TIMEOUT_MS_MAX + 1, &why),
			 -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ready_at_once),
		cmocka_unit_test(test_waits_for_the_standby),
		cmocka_unit_test(test_deadline),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
