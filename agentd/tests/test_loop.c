// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the event loop: the timer heap against a naive reference
 * (random arm / re-arm / cancel, fired in expiry order), self re-arming
 * timers, the timerfd firing for real, fds removed during dispatch, and
 * signals through the signalfd. Also the log module's rate limiter and
 * debug switch parsing.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <cmocka.h>

#include "log.h"
#include "loop.h"

#define NT 500

struct obj {
	struct loop_timer t;
	uint64_t at; /* reference: expiry, 0 = not armed */
	unsigned int fired;
};

static uint64_t last_fired_at;
static struct obj *objs;

static void obj_cb(struct loop_timer *t)
{
	struct obj *o = t->data;

	assert_false(loop_timer_armed(t));
	/* Earliest first. */
	assert_true(o->at >= last_fired_at);
	last_fired_at = o->at;
	o->at = 0;
	o->fired++;
}

static void test_heap_random(void **state)
{
	struct loop *l;
	uint64_t now = 1000;
	unsigned int i, round, fired_ref, fired;

	(void)state;
	assert_int_equal(loop_new(&l), 0);
	objs = calloc(NT, sizeof(*objs));
	assert_non_null(objs);
	for (i = 0; i < NT; i++)
		loop_timer_init(&objs[i].t, obj_cb, &objs[i]);
	srand(42);
	for (round = 0; round < 200; round++) {
		uint64_t next = UINT64_MAX;
		size_t armed = 0;

		for (i = 0; i < 50; i++) {
			struct obj *o = &objs[rand() % NT];

			if (rand() % 4 == 0) {
				loop_timer_cancel(l, &o->t);
				o->at = 0;
			} else {
				o->at = now + 1 + (uint64_t)(rand() % 500);
				assert_int_equal(
					loop_timer_arm_at(l, &o->t, o->at), 0);
			}
		}
		for (i = 0; i < NT; i++) {
			if (objs[i].at) {
				armed++;
				if (objs[i].at < next)
					next = objs[i].at;
			}
			assert_int_equal(loop_timer_armed(&objs[i].t),
					 objs[i].at != 0);
		}
		assert_int_equal(loop_timer_count(l), armed);
		assert_true(loop_timer_next(l) == next);
		now += 100;
		fired_ref = 0;
		for (i = 0; i < NT; i++)
			fired_ref += objs[i].at && objs[i].at <= now;
		last_fired_at = 0;
		fired = loop_timers_run(l, now);
		assert_int_equal(fired, fired_ref);
		for (i = 0; i < NT; i++)
			assert_true(!objs[i].at || objs[i].at > now);
	}
	loop_free(l);
	free(objs);
}

struct rearm {
	struct loop_timer t;
	struct loop *l;
	unsigned int n;
};

static void rearm_cb(struct loop_timer *t)
{
	struct rearm *r = t->data;

	r->n++;
	assert_int_equal(loop_timer_arm_at(r->l, t, 0), 0);
}

/* A callback re-arming itself for "now" runs once per round, not forever. */
static void test_rearm_self(void **state)
{
	struct rearm r = { 0 };
	struct loop *l;

	(void)state;
	assert_int_equal(loop_new(&l), 0);
	r.l = l;
	loop_timer_init(&r.t, rearm_cb, &r);
	assert_int_equal(loop_timer_arm_at(l, &r.t, 10), 0);
	assert_int_equal(loop_timers_run(l, 10), 1);
	assert_int_equal(r.n, 1);
	assert_true(loop_timer_armed(&r.t));
	assert_true(loop_timer_next(l) == 11);
	assert_int_equal(loop_timers_run(l, 11), 1);
	assert_int_equal(r.n, 2);
	loop_timer_cancel(l, &r.t);
	assert_int_equal(loop_timer_count(l), 0);
	loop_free(l);
}

struct cancel_pair {
	struct loop_timer a, b;
	struct loop *l;
	unsigned int a_n, b_n;
};

static void cancel_other_cb(struct loop_timer *t)
{
	struct cancel_pair *p = t->data;

	p->a_n++;
	loop_timer_cancel(p->l, &p->b);
}

static void b_cb(struct loop_timer *t)
{
	struct cancel_pair *p = t->data;

	p->b_n++;
}

/* A timer cancelled by another one due at the same time never runs. */
static void test_cancel_from_callback(void **state)
{
	struct cancel_pair p = { 0 };
	struct loop *l;

	(void)state;
	assert_int_equal(loop_new(&l), 0);
	p.l = l;
	loop_timer_init(&p.a, cancel_other_cb, &p);
	loop_timer_init(&p.b, b_cb, &p);
	loop_timer_arm_at(l, &p.a, 5);
	loop_timer_arm_at(l, &p.b, 6);
	assert_int_equal(loop_timers_run(l, 6), 1);
	assert_int_equal(p.a_n, 1);
	assert_int_equal(p.b_n, 0);
	loop_free(l);
}

static unsigned int real_fired;

static void real_cb(struct loop_timer *t)
{
	(void)t;
	real_fired++;
}

/* Through the timerfd and epoll, with the real clock. */
static void test_timerfd(void **state)
{
	struct loop_timer t1, t2;
	struct loop *l;
	uint64_t start = loop_now_ms();
	int i;

	(void)state;
	assert_int_equal(loop_new(&l), 0);
	loop_timer_init(&t1, real_cb, NULL);
	loop_timer_init(&t2, real_cb, NULL);
	real_fired = 0;
	assert_int_equal(loop_timer_arm(l, &t1, 20), 0);
	/* Far enough that a descheduled test (a loaded machine) cannot see it
	 * fire with the first; re-armed earlier below. */
	assert_int_equal(loop_timer_arm(l, &t2, 60000), 0);
	for (i = 0; i < 100 && real_fired < 1; i++)
		assert_int_equal(loop_run_once(l, 1000), 0);
	assert_int_equal(real_fired, 1);
	assert_true(loop_now_ms() - start >= 20);
	/* Re-arming the second one earlier moves the timerfd too. */
	assert_int_equal(loop_timer_arm(l, &t2, 5), 0);
	assert_true(loop_timer_next(l) <= loop_now_ms() + 5);
	for (i = 0; i < 100 && real_fired < 2; i++)
		assert_int_equal(loop_run_once(l, 1000), 0);
	assert_int_equal(real_fired, 2);
	loop_free(l);
}

struct two_fds {
	struct loop_io a, b;
	struct loop *l;
	int pa[2], pb[2];
	unsigned int a_n, b_n;
};

static void io_a_cb(struct loop_io *io, uint32_t events)
{
	struct two_fds *t = io->data;

	(void)events;
	t->a_n++;
	/* Both are ready; whichever comes first removes the other. */
	loop_io_del(t->l, io == &t->a ? &t->b : &t->a);
}

/* An fd removed during dispatch gets no event of the same round. */
static void test_io_del_during_dispatch(void **state)
{
	struct two_fds t = { 0 };
	struct loop *l;

	(void)state;
	assert_int_equal(loop_new(&l), 0);
	t.l = l;
	assert_int_equal(pipe(t.pa), 0);
	assert_int_equal(pipe(t.pb), 0);
	assert_int_equal(loop_io_add(l, &t.a, t.pa[0], EPOLLIN, io_a_cb, &t),
			 0);
	assert_int_equal(loop_io_add(l, &t.b, t.pb[0], EPOLLIN, io_a_cb, &t),
			 0);
	assert_int_equal(write(t.pa[1], "x", 1), 1);
	assert_int_equal(write(t.pb[1], "x", 1), 1);
	assert_int_equal(loop_run_once(l, 1000), 0);
	assert_int_equal(t.a_n, 1);
	close(t.pa[0]);
	close(t.pa[1]);
	close(t.pb[0]);
	close(t.pb[1]);
	loop_free(l);
}

static int got_signal;

static void sig_cb(struct loop *l, int signo, void *data)
{
	(void)data;
	got_signal = signo;
	loop_stop(l);
}

static void test_signals(void **state)
{
	static const int sigs[] = { SIGUSR1 };
	struct loop *l;

	(void)state;
	assert_int_equal(loop_new(&l), 0);
	assert_int_equal(loop_signals(l, sigs, 1, sig_cb, NULL), 0);
	assert_int_equal(loop_signals(l, sigs, 1, sig_cb, NULL), -EBUSY);
	raise(SIGUSR1);
	assert_int_equal(loop_run(l), 0);
	assert_int_equal(got_signal, SIGUSR1);
	loop_free(l);
}

static void test_ratelimit(void **state)
{
	struct log_ratelimit rl = { 0 };
	unsigned int i, printed = 0, supp;

	(void)state;
	for (i = 0; i < 100; i++)
		printed += log_rl_allow(&rl, 10000 + i, &supp);
	assert_int_equal(printed, LOG_RL_BURST);
	/* Next interval: allowed again, and told how many were dropped. */
	assert_true(log_rl_allow(&rl, 10000 + LOG_RL_INTERVAL_MS, &supp));
	assert_int_equal(supp, 100 - LOG_RL_BURST);
	assert_true(log_rl_allow(&rl, 10001 + LOG_RL_INTERVAL_MS, &supp));
	assert_int_equal(supp, 0);
}

static void test_debug_parse(void **state)
{
	unsigned int m = 0;
	char bad[32];

	(void)state;
	assert_int_equal(
		log_parse_debug("registration,pool", &m, bad, sizeof(bad)), 0);
	assert_int_equal(m, (1U << LOG_REGISTRATION) | (1U << LOG_POOL));
	assert_int_equal(log_parse_debug("all", &m, bad, sizeof(bad)), 0);
	assert_int_equal(m, LOG_SUBSYS_ALL);
	assert_int_equal(log_parse_debug("", &m, bad, sizeof(bad)), 0);
	assert_int_equal(m, 0);
	m = 7;
	assert_int_equal(log_parse_debug("kernel,bogus", &m, bad, sizeof(bad)),
			 -EINVAL);
	assert_string_equal(bad, "bogus");
	assert_int_equal(m, 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_heap_random),
		cmocka_unit_test(test_rearm_self),
		cmocka_unit_test(test_cancel_from_callback),
		cmocka_unit_test(test_timerfd),
		cmocka_unit_test(test_io_del_during_dispatch),
		cmocka_unit_test(test_signals),
		cmocka_unit_test(test_ratelimit),
		cmocka_unit_test(test_debug_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
