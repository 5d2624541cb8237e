// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the replay cache: exact identities (no two nodes share
 * state, whatever their hashes), LRU eviction, and the floor that keeps an
 * eviction from reopening a replay.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "replay_cache.h"

#define K(s) (const uint8_t *)(s), strlen(s)
#define NOW 100000ULL

static struct replay_state seen(uint64_t id)
{
	struct replay_state st = { .seen = true, .last_id = id };

	return st;
}

static void test_exact_keys(void **state)
{
	struct replay_cache *c = replay_cache_new(16);
	struct replay_state st, a = seen(100), b = seen(200);

	(void)state;
	assert_non_null(c);
	assert_int_equal(replay_cache_put(c, K("\1alice@x"), &a,
					  REPLAY_TIMESTAMP, NOW),
			 0);
	assert_int_equal(replay_cache_put(c, K("\1alicf@x"), &b,
					  REPLAY_TIMESTAMP, NOW),
			 0);
	assert_true(replay_cache_get(c, K("\1alice@x"), &st));
	assert_true(st.seen && st.last_id == 100);
	assert_true(replay_cache_get(c, K("\1alicf@x"), &st));
	assert_true(st.last_id == 200);
	/* a prefix is another identity */
	assert_false(replay_cache_get(c, K("\1alice@"), &st));
	assert_false(st.seen);
	/* updated in place */
	b = seen(300);
	assert_int_equal(replay_cache_put(c, K("\1alice@x"), &b,
					  REPLAY_TIMESTAMP, NOW),
			 0);
	assert_true(replay_cache_get(c, K("\1alice@x"), &st));
	assert_true(st.last_id == 300);
	assert_int_equal(replay_cache_count(c), 2);
	replay_cache_free(c);
}

/*
 * Full: the least recently used goes, and its high-water mark becomes the
 * floor every unknown identity gets: its replay stays refused.
 */
static void test_eviction_floor(void **state)
{
	struct replay_cache *c = replay_cache_new(4);
	struct replay_state st, x;
	char key[16];
	int i;

	(void)state;
	assert_non_null(c);
	for (i = 0; i < 4; i++) {
		snprintf(key, sizeof(key), "\1n%d@x", i);
		x = seen(1000 + i);
		assert_int_equal(replay_cache_put(c, K(key), &x,
					  REPLAY_TIMESTAMP, NOW),
			 0);
	}
	/* touch n0: n1 is now the least recently used */
	x = seen(1000);
	assert_int_equal(replay_cache_put(c, K("\1n0@x"), &x,
					  REPLAY_TIMESTAMP, NOW),
			 0);
	x = seen(5);
	assert_int_equal(replay_cache_put(c, K("\1n9@x"), &x,
					  REPLAY_TIMESTAMP, NOW),
			 0);
	assert_int_equal(replay_cache_count(c), 4);
	assert_int_equal(replay_cache_evictions(c), 1);
	assert_false(replay_cache_get(c, K("\1n1@x"), &st));
	/* n1 forgotten: its identification 1001 is still refused */
	assert_true(st.seen && st.last_id == 1001);
	assert_true(replay_cache_floor(c) == 1001);
	assert_true(replay_cache_get(c, K("\1n0@x"), &st));
	/* evicting an older mark does not lower the floor */
	for (i = 10; i < 14; i++) {
		snprintf(key, sizeof(key), "\1m%d@x", i);
		x = seen(7);
		assert_int_equal(replay_cache_put(c, K(key), &x,
					  REPLAY_TIMESTAMP, NOW),
			 0);
	}
	assert_true(replay_cache_floor(c) == 1003);
	replay_cache_free(c);
}

/* Nonce-only state raises no floor. */
static void test_nonce_no_floor(void **state)
{
	struct replay_cache *c = replay_cache_new(1);
	struct replay_state st, n = { .has_nonce = true, .ha_nonce = 7 };

	(void)state;
	/* address keys: a zero kind byte, then the address */
	assert_int_equal(replay_cache_put(c, (const uint8_t *)"\0abcd", 5, &n,
					  REPLAY_NONCE, NOW),
			 0);
	assert_int_equal(replay_cache_put(c, (const uint8_t *)"\0bcde", 5, &n,
					  REPLAY_NONCE, NOW),
			 0);
	assert_false(replay_cache_get(c, (const uint8_t *)"\0abcd", 5, &st));
	assert_false(st.seen);
	replay_cache_free(c);
}

/*
 * The floor never passes the clock (a node may send an identification
 * ahead of it, within its window), and nonce state raises none (a nonce
 * method's identification is random).
 */
static void test_floor_bounds(void **state)
{
	struct replay_cache *c = replay_cache_new(1);
	struct replay_state st, ahead = seen(NOW + 7), rnd = seen(~0ULL >> 1);

	(void)state;
	assert_int_equal(replay_cache_put(c, K("\1a@x"), &rnd, REPLAY_NONCE, NOW),
			 0);
	assert_int_equal(replay_cache_put(c, K("\1b@x"), &ahead,
					  REPLAY_TIMESTAMP, NOW),
			 0);
	assert_false(replay_cache_get(c, K("\1a@x"), &st));
	assert_false(st.seen);
	assert_int_equal(replay_cache_put(c, K("\1c@x"), &ahead,
					  REPLAY_TIMESTAMP, NOW),
			 0);
	assert_false(replay_cache_get(c, K("\1b@x"), &st));
	assert_true(st.seen && st.last_id == NOW);
	replay_cache_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exact_keys),
		cmocka_unit_test(test_eviction_floor),
		cmocka_unit_test(test_nonce_no_floor),
		cmocka_unit_test(test_floor_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
