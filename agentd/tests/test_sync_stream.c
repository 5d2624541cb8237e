// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of sync_stream: numbering, retention within its bound,
 * cumulative acknowledgements, resuming after a broken connection (and
 * refusing to when frames were dropped or the epoch changed), and the
 * receiver's verdicts: the next frame, a resend, a gap, a restart at a
 * BULK_START.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "sync_stream.h"

#define EPOCH 0x1122334455667788ULL

/* Frame n is 10 bytes: "frame" and its number. */
static void send_n(struct sync_out *o, int n)
{
	char buf[10];

	while (n--) {
		snprintf(buf, sizeof(buf), "frame%04u",
			 (unsigned int)sync_out_next(o));
		assert_int_equal(sync_out_sent(o, buf, sizeof(buf)), 0);
	}
}

struct resent {
	uint64_t seq[64];
	int n;
	int fail_at; /* -1: never */
};

static int record(void *ctx, uint64_t seq, const void *buf, size_t len)
{
	struct resent *r = ctx;
	char want[10];

	snprintf(want, sizeof(want), "frame%04u", (unsigned int)seq);
	assert_int_equal(len, sizeof(want));
	assert_memory_equal(buf, want, len);
	if (r->n == r->fail_at)
		return -EPIPE;
	r->seq[r->n++] = seq;
	return 0;
}

static void test_numbering_and_ack(void **state)
{
	struct sync_out o;

	(void)state;
	sync_out_init(&o, EPOCH, 1000);
	assert_int_equal(sync_out_next(&o), 1);
	send_n(&o, 5);
	assert_int_equal(sync_out_next(&o), 6);
	assert_int_equal(sync_out_lag(&o), 5);
	assert_int_equal(o.retained_bytes, 50);
	assert_int_equal(sync_out_ack(&o, 3), 0);
	assert_int_equal(sync_out_lag(&o), 2);
	assert_int_equal(o.retained_bytes, 20);
	/* The same ack again is harmless; going back or ahead is not. */
	assert_int_equal(sync_out_ack(&o, 3), 0);
	assert_int_equal(sync_out_ack(&o, 2), -EINVAL);
	assert_int_equal(sync_out_ack(&o, 6), -EINVAL);
	assert_int_equal(sync_out_ack(&o, 5), 0);
	assert_int_equal(sync_out_lag(&o), 0);
	assert_int_equal(o.retained_bytes, 0);
	assert_null(o.head);
	assert_int_equal(o.frames, 5);
	assert_int_equal(o.bytes, 50);
	sync_out_fini(&o);
}

static void test_resume(void **state)
{
	struct resent r = { .fail_at = -1 };
	struct sync_out o;

	(void)state;
	sync_out_init(&o, EPOCH, 1000);
	send_n(&o, 6);
	assert_int_equal(sync_out_ack(&o, 2), 0);
	/* The peer applied up to 4 (its acks for 3 and 4 were lost). */
	assert_int_equal(sync_out_resume(&o, EPOCH, 4, record, &r), 0);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.seq[0], 5);
	assert_int_equal(r.seq[1], 6);
	assert_int_equal(o.acked, 4);
	assert_int_equal(o.resent, 2);
	/* Resumed at the very end: nothing to resend. */
	r.n = 0;
	assert_int_equal(sync_out_resume(&o, EPOCH, 6, record, &r), 0);
	assert_int_equal(r.n, 0);
	sync_out_fini(&o);
}

static void test_resume_refused(void **state)
{
	struct resent r = { .fail_at = -1 };
	struct sync_out o;

	(void)state;
	sync_out_init(&o, EPOCH, 1000);
	send_n(&o, 4);
	/* Another life of ours: a bulk download. */
	assert_int_equal(sync_out_resume(&o, EPOCH + 1, 2, record, &r),
			 -ESTALE);
	assert_int_equal(sync_out_resume(&o, 0, 0, record, &r), -ESTALE);
	/* A frame never sent. */
	assert_int_equal(sync_out_resume(&o, EPOCH, 4, record, &r), 0);
	assert_int_equal(sync_out_resume(&o, EPOCH, 5, record, &r), -EINVAL);
	/* Behind what was acknowledged: those frames are gone. */
	assert_int_equal(sync_out_resume(&o, EPOCH, 3, record, &r), -ESTALE);
	assert_int_equal(r.n, 0);
	sync_out_fini(&o);
}

static void test_resend_error(void **state)
{
	struct resent r = { .fail_at = 1 };
	struct sync_out o;

	(void)state;
	sync_out_init(&o, EPOCH, 1000);
	send_n(&o, 3);
	assert_int_equal(sync_out_resume(&o, EPOCH, 0, record, &r), -EPIPE);
	assert_int_equal(r.n, 1);
	/* Nothing was lost by the failure: the next connection resumes. */
	r.n = 0;
	r.fail_at = -1;
	assert_int_equal(sync_out_resume(&o, EPOCH, 0, record, &r), 0);
	assert_int_equal(r.n, 3);
	sync_out_fini(&o);
}

static void test_retention_bound(void **state)
{
	struct resent r = { .fail_at = -1 };
	struct sync_out o;

	(void)state;
	/* Room for three frames of 10 bytes. */
	sync_out_init(&o, EPOCH, 35);
	send_n(&o, 5);
	assert_int_equal(o.retained_bytes, 30);
	assert_int_equal(o.dropped, 2);
	assert_int_equal(o.floor, 2);
	/* Lag counts what was sent, not what is retained. */
	assert_int_equal(sync_out_lag(&o), 5);
	/* A peer that applied 1 missed frame 2, which is gone. */
	assert_int_equal(sync_out_resume(&o, EPOCH, 1, record, &r), -ESTALE);
	/* One that applied 2 can go on: 3, 4, 5. */
	assert_int_equal(sync_out_resume(&o, EPOCH, 2, record, &r), 0);
	assert_int_equal(r.n, 3);
	assert_int_equal(r.seq[0], 3);
	assert_int_equal(r.seq[2], 5);
	sync_out_fini(&o);
}

static void test_zero_limit(void **state)
{
	struct resent r = { .fail_at = -1 };
	struct sync_out o;

	(void)state;
	/* Retain nothing: every reconnection is a bulk, unless caught up. */
	sync_out_init(&o, EPOCH, 0);
	send_n(&o, 2);
	assert_int_equal(o.retained_bytes, 0);
	assert_int_equal(sync_out_resume(&o, EPOCH, 1, record, &r), -ESTALE);
	assert_int_equal(sync_out_resume(&o, EPOCH, 2, record, &r), 0);
	assert_int_equal(r.n, 0);
	sync_out_fini(&o);
}

static void test_in_order(void **state)
{
	struct sync_in in;

	(void)state;
	sync_in_init(&in);
	assert_int_equal(sync_in_hello(&in, EPOCH), 0);
	assert_int_equal(sync_in_check(&in, 1, false), SYNC_IN_APPLY);
	sync_in_applied(&in, 1);
	assert_int_equal(sync_in_check(&in, 2, false), SYNC_IN_APPLY);
	sync_in_applied(&in, 2);
	/* A resend of what was applied. */
	assert_int_equal(sync_in_check(&in, 2, false), SYNC_IN_DUPLICATE);
	/* A gap, even at a BULK_START once the stream has started. */
	assert_int_equal(sync_in_check(&in, 4, false), SYNC_IN_GAP);
	assert_int_equal(sync_in_check(&in, 4, true), SYNC_IN_GAP);
	assert_int_equal(in.duplicates, 1);
	assert_int_equal(in.gaps, 2);
}

static void test_in_reconnect(void **state)
{
	struct sync_in in;

	(void)state;
	sync_in_init(&in);
	sync_in_hello(&in, EPOCH);
	assert_int_equal(sync_in_check(&in, 1, false), SYNC_IN_APPLY);
	sync_in_applied(&in, 1);
	/* Same peer life: resume after 1. */
	assert_int_equal(sync_in_hello(&in, EPOCH), 1);
	assert_int_equal(sync_in_check(&in, 2, false), SYNC_IN_APPLY);
	sync_in_applied(&in, 2);
	/* The peer could not resume: a bulk at its number 50. */
	assert_int_equal(sync_in_hello(&in, EPOCH), 2);
	assert_int_equal(sync_in_check(&in, 50, false), SYNC_IN_GAP);
	assert_int_equal(sync_in_hello(&in, EPOCH), 2);
	assert_int_equal(sync_in_check(&in, 50, true), SYNC_IN_APPLY);
	sync_in_applied(&in, 50);
	assert_int_equal(sync_in_check(&in, 51, false), SYNC_IN_APPLY);
	/* The peer restarted: a new epoch, nothing applied of it. */
	sync_in_applied(&in, 51);
	assert_int_equal(sync_in_hello(&in, EPOCH + 1), 0);
	assert_int_equal(sync_in_check(&in, 7, true), SYNC_IN_APPLY);
	sync_in_applied(&in, 7);
	assert_int_equal(in.applied, 7);
}

static void test_acks(void **state)
{
	struct sync_in in;
	uint64_t s;

	(void)state;
	sync_in_init(&in);
	sync_in_hello(&in, EPOCH);
	assert_false(sync_in_ack_due(&in, 4, true));
	for (s = 1; s <= 3; s++) {
		assert_int_equal(sync_in_check(&in, s, false), SYNC_IN_APPLY);
		sync_in_applied(&in, s);
	}
	assert_false(sync_in_ack_due(&in, 4, false));
	assert_true(sync_in_ack_due(&in, 4, true));
	assert_int_equal(sync_in_check(&in, 4, false), SYNC_IN_APPLY);
	sync_in_applied(&in, 4);
	assert_true(sync_in_ack_due(&in, 4, false));
	sync_in_acked(&in);
	assert_int_equal(in.ack_sent, 4);
	assert_false(sync_in_ack_due(&in, 4, true));
	/* A restart at a BULK_START owes no ack for what it skipped. */
	sync_in_hello(&in, EPOCH);
	assert_int_equal(sync_in_check(&in, 100, true), SYNC_IN_APPLY);
	assert_false(sync_in_ack_due(&in, 1, true));
	sync_in_applied(&in, 100);
	assert_true(sync_in_ack_due(&in, 1, false));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_numbering_and_ack),
		cmocka_unit_test(test_resume),
		cmocka_unit_test(test_resume_refused),
		cmocka_unit_test(test_resend_error),
		cmocka_unit_test(test_retention_bound),
		cmocka_unit_test(test_zero_limit),
		cmocka_unit_test(test_in_order),
		cmocka_unit_test(test_in_reconnect),
		cmocka_unit_test(test_acks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
