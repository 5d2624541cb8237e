// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of replay.c: NTP conversion, the timestamp window at and just
 * beyond its edges both ways, the strictly-increasing rule, first
 * registration, nonce matching, and the Identification replies carry
 * (RFC 5944 5.7).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <cmocka.h>

#include "reg_msg.h"
#include "replay.h"

#define SEC (1ULL << 32) /* one second in NTP 64-bit units */
#define WIN 7

/* 2024-01-01 00:00:00 UTC as NTP: 1704067200 + 2208988800. */
#define NOW ((3913056000ULL << 32) | 0x80000000ULL)

static void test_ntp_conversion(void **state)
{
	uint64_t a, b;
	struct timespec ts;

	(void)state;
	/* The Unix epoch is NTP second 2208988800. */
	assert_int_equal(replay_ntp_from_unix(0, 0), 2208988800ULL << 32);
	assert_int_equal(replay_ntp_from_unix(1704067200, 500000000), NOW);
	/* fraction: 0.25 s = 2^30 */
	assert_int_equal(replay_ntp_from_unix(0, 250000000) & 0xffffffff,
			 1ULL << 30);
	/* 2036-02-07 06:28:16 UTC is NTP era 1 second 0 */
	assert_int_equal(replay_ntp_from_unix(2085978496LL, 0), 0);
	/* now: close to the clock, and monotonic enough */
	clock_gettime(CLOCK_REALTIME, &ts);
	a = replay_ntp_now();
	b = replay_ntp_from_unix(ts.tv_sec, ts.tv_nsec);
	assert_true(a - b < 2 * SEC);
}

static void test_first_registration(void **state)
{
	struct replay_state st = { 0 };

	(void)state;
	assert_int_equal(replay_check(REPLAY_TIMESTAMP, WIN, &st, NOW, NOW), 0);
	assert_int_equal(replay_check(REPLAY_TIMESTAMP, WIN, &st, NOW - 3 * SEC,
				      NOW),
			 0);
	/* far off is refused even the first time */
	assert_int_equal(replay_check(REPLAY_TIMESTAMP, WIN, &st, 1, NOW),
			 REG_CODE_ID_MISMATCH);
	assert_int_equal(replay_check(REPLAY_TIMESTAMP, WIN, &st, 0, NOW),
			 REG_CODE_ID_MISMATCH);
}

static void test_window_edges(void **state)
{
	struct replay_state st = { 0 };

	(void)state;
	/* exactly at the window, both ways: accepted */
	assert_int_equal(replay_check(REPLAY_TIMESTAMP, WIN, &st,
				      NOW + WIN * SEC, NOW),
			 0);
	assert_int_equal(replay_check(REPLAY_TIMESTAMP, WIN, &st,
				      NOW - WIN * SEC, NOW),
			 0);
	/* one NTP unit (~233 ps) beyond: refused */
	assert_int_equal(replay_check(REPLAY_TIMESTAMP, WIN, &st,
				      NOW + WIN * SEC + 1, NOW),
			 REG_CODE_ID_MISMATCH);
	assert_int_equal(replay_check(REPLAY_TIMESTAMP, WIN, &st,
				      NOW - WIN * SEC - 1, NOW),
			 REG_CODE_ID_MISMATCH);
	/* window 0: only the exact time */
	assert_int_equal(replay_check(REPLAY_TIMESTAMP, 0, &st, NOW, NOW), 0);
	assert_int_equal(replay_check(REPLAY_TIMESTAMP, 0, &st, NOW + 1, NOW),
			 REG_CODE_ID_MISMATCH);
	/* the widest window does not overflow */
	assert_int_equal(replay_check(REPLAY_TIMESTAMP, UINT32_MAX, &st,
				      NOW + 100000 * SEC, NOW),
			 0);
}

/* Timestamps keep working across the NTP era rollover of 2036. */
static void test_window_era_rollover(void **state)
{
	uint64_t now = 2 * SEC;			 /* era 1, second 2 */
	uint64_t before = (0xffffffffULL << 32); /* era 0, last second */
	struct replay_state st = { 0 };

	(void)state;
	assert_int_equal(replay_check(REPLAY_TIMESTAMP, WIN, &st, before, now),
			 0);
	replay_accept(REPLAY_TIMESTAMP, &st, before, 0);
	assert_int_equal(replay_check(REPLAY_TIMESTAMP, WIN, &st, now, now), 0);
	assert_int_equal(replay_check(REPLAY_TIMESTAMP, WIN, &st, before - SEC,
				      now),
			 REG_CODE_ID_MISMATCH);
}

static void test_increasing(void **state)
{
	struct replay_state st = { 0 };

	(void)state;
	replay_accept(REPLAY_TIMESTAMP, &st, NOW, 0xdead);
	assert_true(st.seen);
	assert_int_equal(st.last_id, NOW);
	assert_false(st.has_nonce); /* timestamps hand out no nonce */
	/* replay of the same id */
	assert_int_equal(replay_check(REPLAY_TIMESTAMP, WIN, &st, NOW, NOW),
			 REG_CODE_ID_MISMATCH);
	/* older, though in the window */
	assert_int_equal(replay_check(REPLAY_TIMESTAMP, WIN, &st, NOW - 1,
				      NOW + SEC),
			 REG_CODE_ID_MISMATCH);
	/* one unit newer */
	assert_int_equal(replay_check(REPLAY_TIMESTAMP, WIN, &st, NOW + 1, NOW),
			 0);
	/* a rejection moves no high-water mark */
	replay_reject(REPLAY_TIMESTAMP, &st, 0x1234);
	assert_int_equal(st.last_id, NOW);
	assert_false(st.has_nonce);
}

static void test_timestamp_reply_id(void **state)
{
	struct replay_state st = { 0 };
	uint64_t req = NOW - 100 * SEC + 0x1234;

	(void)state;
	/* accepted: copied */
	assert_int_equal(
		replay_reply_id(REPLAY_TIMESTAMP, &st, NOW, NOW, false), NOW);
	/* mismatch: our seconds, their low 32 bits */
	assert_int_equal(replay_reply_id(REPLAY_TIMESTAMP, &st, req,
					 NOW + 0x5555, true),
			 (NOW & 0xffffffff00000000ULL) | 0x80001234ULL);
}

static void test_nonce(void **state)
{
	struct replay_state st = { 0 };
	uint64_t id;

	(void)state;
	/* first registration: the MN cannot know our nonce */
	assert_int_equal(replay_check(REPLAY_NONCE, WIN, &st, 0, NOW),
			 REG_CODE_ID_MISMATCH);
	replay_reject(REPLAY_NONCE, &st, 0xa1b2c3d4);
	assert_true(st.has_nonce);
	assert_false(st.seen);
	id = replay_reply_id(REPLAY_NONCE, &st, 0x0000000011112222ULL, NOW,
			     true);
	assert_int_equal(id, 0xa1b2c3d411112222ULL);

	/* the MN comes back with our nonce and a new one of its own; the
	 * time is irrelevant with nonces */
	assert_int_equal(replay_check(REPLAY_NONCE, WIN, &st,
				      0xa1b2c3d433334444ULL, 12345),
			 0);
	/* nonce mismatch */
	assert_int_equal(replay_check(REPLAY_NONCE, WIN, &st,
				      0xa1b2c3d533334444ULL, NOW),
			 REG_CODE_ID_MISMATCH);
	replay_accept(REPLAY_NONCE, &st, 0xa1b2c3d433334444ULL, 0x0badf00d);
	assert_true(st.seen);
	assert_int_equal(st.ha_nonce, 0x0badf00d);
	assert_int_equal(replay_reply_id(REPLAY_NONCE, &st,
					 0xa1b2c3d433334444ULL, NOW, false),
			 0x0badf00d33334444ULL);
	/* the old nonce is spent: a replay of the same request fails */
	assert_int_equal(replay_check(REPLAY_NONCE, WIN, &st,
				      0xa1b2c3d433334444ULL, NOW),
			 REG_CODE_ID_MISMATCH);
	assert_int_equal(replay_check(REPLAY_NONCE, WIN, &st,
				      0x0badf00d00000001ULL, NOW),
			 0);
	/* a nonce of zero handed out is a real nonce */
	replay_reject(REPLAY_NONCE, &st, 0);
	assert_int_equal(replay_check(REPLAY_NONCE, WIN, &st, 0x5ULL, NOW), 0);
}

static void test_names(void **state)
{
	enum replay_method m;

	(void)state;
	assert_string_equal(replay_method_name(REPLAY_TIMESTAMP), "timestamp");
	assert_string_equal(replay_method_name(REPLAY_NONCE), "nonce");
	assert_int_equal(replay_method_parse("nonce", &m), 0);
	assert_int_equal(m, REPLAY_NONCE);
	assert_int_equal(replay_method_parse("timestamp", &m), 0);
	assert_int_equal(m, REPLAY_TIMESTAMP);
	assert_int_equal(replay_method_parse("time", &m), -EINVAL);
	assert_int_equal(replay_method_parse(NULL, &m), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ntp_conversion),
		cmocka_unit_test(test_first_registration),
		cmocka_unit_test(test_window_edges),
		cmocka_unit_test(test_window_era_rollover),
		cmocka_unit_test(test_increasing),
		cmocka_unit_test(test_timestamp_reply_id),
		cmocka_unit_test(test_nonce),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests_name("replay", tests, NULL, NULL) ? 1 : 0;
}
