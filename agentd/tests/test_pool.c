// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of pool.c: address order within and across ranges, priority
 * (higher first, ties in configuration order; the seed's example), groups,
 * exhaustion, release (FIFO reuse, unknown addresses counted), reserve for
 * restart recovery, thresholds with hysteresis, transfer on reload, a /13
 * allocated to the last address, and a randomised run against a naive
 * model.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include "config.h"
#include "pool.h"

static struct config *cfg_of(const char *pools)
{
	char text[4096], err[512];
	struct config *c;
	int n;

	n = snprintf(text, sizeof(text),
		     "home-agent { address = 192.168.0.1 }\n%s", pools);
	assert_true(n > 0 && (size_t)n < sizeof(text) - 1);
	if (config_parse_text("pool.conf", text, n, &c, err, sizeof(err)))
		fail_msg("%s", err);
	return c;
}

static struct in_addr A(const char *s) {
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a;
}

static void
expect_alloc(struct pool_set *ps, const char *pool, const char *addr)
{
	struct in_addr a;
	int ret = pool_alloc(ps, pool, &a);

	if (ret)
		fail_msg("pool_alloc(%s) = %d, expected %s", pool, ret, addr);
	if (a.s_addr != A(addr).s_addr)
		fail_msg("pool_alloc(%s) = %s, expected %s", pool, inet_ntoa(a),
			 addr);
}

static void test_order_and_exhaustion(void **state)
{
	struct config *c =
		cfg_of("pool \"p\" { range = { "
		       "\"10.0.0.1 10.0.0.3\", \"10.9.0.250\" } }\n");
	struct pool_set *ps = pool_set_new(c);
	struct pool_stats st;
	struct in_addr a;

	(void)state;
	assert_non_null(ps);
	expect_alloc(ps, "p", "10.0.0.1");
	expect_alloc(ps, "p", "10.0.0.2");
	expect_alloc(ps, "p", "10.0.0.3");
	expect_alloc(ps, "p", "10.9.0.250"); /* discontinuous */
	assert_int_equal(pool_alloc(ps, "p", &a), -ENOSPC);
	assert_int_equal(pool_alloc(ps, "p", &a), -ENOSPC);
	assert_int_equal(pool_alloc(ps, "nosuch", &a), -ENOENT);
	assert_int_equal(pool_get_stats(ps, 0, &st), 0);
	assert_string_equal(st.name, "p");
	assert_int_equal(st.size, 4);
	assert_int_equal(st.used, 4);
	assert_int_equal(st.allocs, 4);
	assert_int_equal(st.exhausted, 2);
	assert_int_equal(st.n_ranges, 2);
	assert_int_equal(pool_get_stats(ps, 1, &st), -ENOENT);

	/* released addresses come back least recently released first */
	assert_int_equal(pool_release(ps, A("10.0.0.2")), 0);
	assert_int_equal(pool_release(ps, A("10.9.0.250")), 0);
	assert_int_equal(pool_release(ps, A("10.0.0.1")), 0);
	/* the first range is preferred again, in its FIFO order */
	expect_alloc(ps, "p", "10.0.0.2");
	expect_alloc(ps, "p", "10.0.0.1");
	expect_alloc(ps, "p", "10.9.0.250");
	assert_int_equal(pool_alloc(ps, "p", &a), -ENOSPC);
	assert_int_equal(pool_get_stats(ps, 0, &st), 0);
	assert_int_equal(st.releases, 3);
	assert_int_equal(st.peak, 4);
	pool_set_free(ps);
	config_free(c);
}

static void test_release_errors(void **state)
{
	struct config *c =
		cfg_of("pool \"p\" { range = \"10.0.0.1 10.0.0.9\" }\n");
	struct pool_set *ps = pool_set_new(c);
	struct pool_stats st;

	(void)state;
	expect_alloc(ps, "p", "10.0.0.1");
	/* in the pool, never allocated */
	assert_int_equal(pool_release(ps, A("10.0.0.5")), -ENOENT);
	/* outside every pool */
	assert_int_equal(pool_release(ps, A("10.0.1.1")), -ENOENT);
	assert_int_equal(pool_release(ps, A("10.0.0.1")), 0);
	/* twice */
	assert_int_equal(pool_release(ps, A("10.0.0.1")), -ENOENT);
	assert_int_equal(pool_set_bad_releases(ps), 3);
	assert_int_equal(pool_get_stats(ps, 0, &st), 0);
	assert_int_equal(st.used, 0);
	assert_int_equal(st.releases, 1);
	assert_false(pool_in_use(ps, A("10.0.0.1")));
	assert_string_equal(pool_owner(ps, A("10.0.0.9")), "p");
	assert_null(pool_owner(ps, A("10.0.0.10")));
	pool_set_free(ps);
	config_free(c);
}

/* Seed 000: "ip local pool hapool 1.0.0.0 1.0.0.255 priority 200" then
 * "... 2.0.0.0 2.0.0.255 priority 100": the higher number first. */
static void test_priority(void **state)
{
	struct config *c = cfg_of("pool \"hapool\" { range = {\n"
				  "\"2.0.0.0 2.0.0.1 priority 100\",\n"
				  "\"1.0.0.0 1.0.0.1 priority 200\",\n"
				  "\"3.0.0.0 3.0.0.1 priority 200\",\n"
				  "\"4.0.0.0 priority 255\" } }\n");
	struct pool_set *ps = pool_set_new(c);
	struct pool_range_stats rs;
	struct in_addr a;

	(void)state;
	expect_alloc(ps, "hapool", "4.0.0.0"); /* 255 */
	expect_alloc(ps, "hapool", "1.0.0.0"); /* 200, configured first */
	expect_alloc(ps, "hapool", "1.0.0.1");
	expect_alloc(ps, "hapool", "3.0.0.0"); /* 200, configured later */
	expect_alloc(ps, "hapool", "3.0.0.1");
	expect_alloc(ps, "hapool", "2.0.0.0"); /* 100 */
	/* a release in a preferred range is used before the rest */
	assert_int_equal(pool_release(ps, A("1.0.0.1")), 0);
	expect_alloc(ps, "hapool", "1.0.0.1");
	expect_alloc(ps, "hapool", "2.0.0.1");
	assert_int_equal(pool_alloc(ps, "hapool", &a), -ENOSPC);
	assert_int_equal(pool_get_range_stats(ps, 0, 1, &rs), 0);
	assert_int_equal(rs.priority, 200);
	assert_int_equal(rs.size, 2);
	assert_int_equal(rs.used, 2);
	assert_int_equal(pool_get_range_stats(ps, 0, 4, &rs), -ENOENT);
	pool_set_free(ps);
	config_free(c);
}

/* Default priorities (255 each): configuration order, the seed's first
 * example. */
static void test_equal_priority(void **state)
{
	struct config *c =
		cfg_of("pool \"hapool\" { range = { \"1.0.0.0 1.0.0.255\",\n"
		       "\"2.0.0.0 2.0.0.255\" } }\n");
	struct pool_set *ps = pool_set_new(c);
	struct in_addr a;
	int i;

	(void)state;
	for (i = 0; i < 256; i++) {
		assert_int_equal(pool_alloc(ps, "hapool", &a), 0);
		assert_int_equal(ntohl(a.s_addr), 0x01000000 + i);
	}
	expect_alloc(ps, "hapool", "2.0.0.0");
	pool_set_free(ps);
	config_free(c);
}

static void test_group(void **state)
{
	struct config *c =
		cfg_of("pool \"old\" { range = \"10.0.0.1 10.0.0.2\"\n"
		       "  group = g priority = 10 }\n"
		       "pool \"new\" { range = \"11.0.0.1\"\n"
		       "  group = g priority = 20 }\n"
		       "pool \"other\" { range = \"12.0.0.1\" }\n");
	struct pool_set *ps = pool_set_new(c);
	struct pool_stats st;
	struct in_addr a;

	(void)state;
	/* asking for "old" takes the group's preferred range first */
	expect_alloc(ps, "old", "11.0.0.1");
	assert_string_equal(pool_owner(ps, A("11.0.0.1")), "new");
	expect_alloc(ps, "new", "10.0.0.1");
	expect_alloc(ps, "old", "10.0.0.2");
	assert_int_equal(pool_alloc(ps, "new", &a), -ENOSPC);
	/* another group is not touched */
	expect_alloc(ps, "other", "12.0.0.1");
	assert_int_equal(pool_get_stats(ps, 0, &st), 0);
	assert_string_equal(st.group, "g");
	assert_int_equal(st.used, 2);
	assert_int_equal(pool_get_stats(ps, 1, &st), 0);
	assert_int_equal(st.used, 1);
	assert_int_equal(st.exhausted, 1);
	/* reserve by group member name */
	assert_int_equal(pool_release(ps, A("10.0.0.2")), 0);
	assert_int_equal(pool_reserve(ps, "other", A("10.0.0.2")), -ENOENT);
	assert_int_equal(pool_reserve(ps, "new", A("10.0.0.2")), 0);
	pool_set_free(ps);
	config_free(c);
}

static void test_reserve(void **state)
{
	struct config *c =
		cfg_of("pool \"p\" { range = \"10.0.0.1 10.0.0.4\" }\n");
	struct pool_set *ps = pool_set_new(c);
	struct in_addr a;

	(void)state;
	/* restart recovery: bindings found in the kernel keep theirs */
	assert_int_equal(pool_reserve(ps, "p", A("10.0.0.2")), 0);
	assert_int_equal(pool_reserve(ps, NULL, A("10.0.0.4")), 0);
	assert_int_equal(pool_reserve(ps, "p", A("10.0.0.2")), -EEXIST);
	assert_int_equal(pool_reserve(ps, "p", A("10.0.0.5")), -ENOENT);
	assert_int_equal(pool_reserve(ps, "q", A("10.0.0.1")), -ENOENT);
	assert_true(pool_in_use(ps, A("10.0.0.2")));
	expect_alloc(ps, "p", "10.0.0.1");
	expect_alloc(ps, "p", "10.0.0.3"); /* .2 skipped */
	assert_int_equal(pool_alloc(ps, "p", &a), -ENOSPC);
	/* a reserved address released ahead of the fresh cursor waits for
	 * its turn: least recently released first */
	assert_int_equal(pool_release(ps, A("10.0.0.1")), 0);
	assert_int_equal(pool_release(ps, A("10.0.0.4")), 0);
	expect_alloc(ps, "p", "10.0.0.1");
	expect_alloc(ps, "p", "10.0.0.4");
	assert_int_equal(pool_alloc(ps, "p", &a), -ENOSPC);
	/* queued, then reserved: the stale queue entry is skipped */
	assert_int_equal(pool_release(ps, A("10.0.0.3")), 0);
	assert_int_equal(pool_release(ps, A("10.0.0.1")), 0);
	assert_int_equal(pool_reserve(ps, NULL, A("10.0.0.3")), 0);
	expect_alloc(ps, "p", "10.0.0.1");
	assert_int_equal(pool_alloc(ps, "p", &a), -ENOSPC);
	pool_set_free(ps);
	config_free(c);
}

struct events {
	int n;
	enum pool_event_kind kind[16];
	uint64_t used[16];
};

static void on_event(void *ctx, const struct pool_event *ev)
{
	struct events *e = ctx;

	assert_true(e->n < 16);
	assert_string_equal(ev->pool, "t");
	assert_int_equal(ev->size, 10);
	e->kind[e->n] = ev->kind;
	e->used[e->n++] = ev->used;
}

static void test_thresholds(void **state)
{
	struct config *c =
		cfg_of("pool \"t\" { range = \"10.0.0.1 10.0.0.10\"\n"
		       "threshold = { 50, 80 } }\n");
	struct pool_set *ps = pool_set_new(c);
	struct events ev = { 0 };
	struct pool_stats st;
	struct in_addr a;
	int i;
	char buf[32];

	(void)state;
	pool_set_event_fn(ps, on_event, &ev);
	for (i = 0; i < 7; i++)
		assert_int_equal(pool_alloc(ps, "t", &a), 0);
	assert_int_equal(ev.n, 0);
	assert_int_equal(pool_alloc(ps, "t", &a), 0); /* 8/10 = 80 % */
	assert_int_equal(ev.n, 1);
	assert_int_equal(ev.kind[0], POOL_EVENT_HIGH);
	assert_int_equal(ev.used[0], 8);
	assert_int_equal(pool_alloc(ps, "t", &a), 0); /* still above */
	assert_int_equal(ev.n, 1);
	assert_int_equal(pool_get_stats(ps, 0, &st), 0);
	assert_true(st.above_high);
	/* down to 6: between the thresholds, nothing (hysteresis) */
	for (i = 9; i > 6; i--) {
		snprintf(buf, sizeof(buf), "10.0.0.%d", i);
		assert_int_equal(pool_release(ps, A(buf)), 0);
	}
	assert_int_equal(ev.n, 1);
	/* back up to 7: no new HIGH, it never went below LOW */
	assert_int_equal(pool_alloc(ps, "t", &a), 0);
	assert_int_equal(pool_release(ps, a), 0);
	assert_int_equal(ev.n, 1);
	/* 5/10 = 50 %: LOW */
	assert_int_equal(pool_release(ps, A("10.0.0.6")), 0);
	assert_int_equal(ev.n, 2);
	assert_int_equal(ev.kind[1], POOL_EVENT_LOW);
	assert_int_equal(ev.used[1], 5);
	assert_int_equal(pool_release(ps, A("10.0.0.5")), 0);
	assert_int_equal(ev.n, 2);
	/* up again to 8: HIGH again */
	for (i = 0; i < 4; i++)
		assert_int_equal(pool_alloc(ps, "t", &a), 0);
	assert_int_equal(ev.n, 3);
	assert_int_equal(ev.kind[2], POOL_EVENT_HIGH);
	pool_set_free(ps);
	config_free(c);
}

static void test_transfer(void **state)
{
	struct config *c1 =
		cfg_of("pool \"p\" { range = \"10.0.0.1 10.0.0.9\"\n"
		       "threshold = { 10, 20 } }\n");
	struct config *c2 =
		cfg_of("pool \"p\" { range = { \"10.0.0.1 10.0.0.9\","
		       "\"10.0.1.1\" }\nthreshold = { 10, 20 } }\n"
		       "pool \"q\" { range = \"10.0.2.1\" }\n");
	struct config *c3 =
		cfg_of("pool \"p\" { range = \"10.0.0.1 10.0.0.3\" }\n");
	struct pool_set *a = pool_set_new(c1), *b = pool_set_new(c2),
			*d = pool_set_new(c3);
	struct events ev = { 0 };
	struct pool_stats st;
	struct in_addr m = { 0 };

	(void)state;
	expect_alloc(a, "p", "10.0.0.1");
	expect_alloc(a, "p", "10.0.0.2");
	expect_alloc(a, "p", "10.0.0.3");
	expect_alloc(a, "p", "10.0.0.4");
	assert_int_equal(pool_release(a, A("10.0.0.2")), 0);
	pool_set_event_fn(b, on_event, &ev);
	assert_int_equal(pool_set_transfer(a, b, &m), 0);
	/* already above HIGH in the old set: not announced again */
	assert_int_equal(ev.n, 0);
	assert_int_equal(pool_get_stats(b, 0, &st), 0);
	assert_int_equal(st.used, 3);
	assert_true(st.above_high);
	assert_true(pool_in_use(b, A("10.0.0.4")));
	assert_false(pool_in_use(b, A("10.0.0.2")));
	expect_alloc(b, "p", "10.0.0.2");
	expect_alloc(b, "p", "10.0.0.5");
	/* a range in use is gone: refused, naming the address */
	expect_alloc(a, "p", "10.0.0.5");
	assert_int_equal(pool_set_transfer(a, d, &m), -ENOENT);
	assert_int_equal(m.s_addr, A("10.0.0.4").s_addr);
	pool_set_free(a);
	pool_set_free(b);
	pool_set_free(d);
	config_free(c1);
	config_free(c2);
	config_free(c3);
}

/* A /13 (524288 addresses): every one handed out once, then -ENOSPC; the
 * time is printed, not asserted. */
static void test_big(void **state)
{
	struct config *c = cfg_of("pool \"big\" { range = "
				  "\"10.8.0.0 10.15.255.255\" }\n");
	struct pool_set *ps = pool_set_new(c);
	const uint32_t n = 1U << 19, base = 0x0a080000;
	uint8_t *seen = calloc(n, 1);
	struct timespec t0, t1, t2;
	struct pool_stats st;
	struct in_addr a;
	uint32_t i;

	(void)state;
	assert_non_null(seen);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < n; i++) {
		uint32_t h;

		assert_int_equal(pool_alloc(ps, "big", &a), 0);
		h = ntohl(a.s_addr) - base;
		assert_true(h < n);
		assert_int_equal(seen[h], 0);
		seen[h] = 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_int_equal(pool_alloc(ps, "big", &a), -ENOSPC);
	assert_int_equal(pool_get_stats(ps, 0, &st), 0);
	assert_int_equal(st.used, n);
	/* release every other one, then take them all back */
	for (i = 0; i < n; i += 2) {
		a.s_addr = htonl(base + i);
		assert_int_equal(pool_release(ps, a), 0);
	}
	for (i = 0; i < n / 2; i++) {
		assert_int_equal(pool_alloc(ps, "big", &a), 0);
		assert_int_equal(ntohl(a.s_addr), base + 2 * i);
	}
	clock_gettime(CLOCK_MONOTONIC, &t2);
	assert_int_equal(pool_alloc(ps, "big", &a), -ENOSPC);
	printf("  /13: %u allocations in %.1f ms, %u release+realloc in "
	       "%.1f ms\n",
	       n,
	       (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6,
	       n / 2,
	       (t2.tv_sec - t1.tv_sec) * 1e3 + (t2.tv_nsec - t1.tv_nsec) / 1e6);
	free(seen);
	pool_set_free(ps);
	config_free(c);
}

/* Random alloc / release / reserve against a plain array model. */
static void test_random_model(void **state)
{
	struct config *c = cfg_of(
		"pool \"a\" { range = { \"10.0.0.1 10.0.0.100 priority 5\",\n"
		"\"10.0.1.1 10.0.1.50 priority 9\" } group = g }\n"
		"pool \"b\" { range = \"10.0.2.1 10.0.2.30\" group = g\n"
		"priority = 7 }\n");
	struct pool_set *ps = pool_set_new(c);
	static const struct {
		uint32_t first, n;
		int prio;
	} ranges[] = {
		{ 0x0a000001, 100, 5 },
		{ 0x0a000101, 50, 9 },
		{ 0x0a000201, 30, 7 },
	};
	bool used[180] = { 0 };
	size_t total = 0, i;
	unsigned int seed = 12345;

	(void)state;
	for (i = 0; i < 200000; i++) {
		int op = rand_r(&seed) % 3, idx = rand_r(&seed) % 180, r = 0,
		    off = idx;
		struct in_addr a;

		while (off >= (int)ranges[r].n)
			off -= ranges[r++].n;
		a.s_addr = htonl(ranges[r].first + off);
		if (op == 0) {
			int ret = pool_alloc(ps, i % 2 ? "a" : "b", &a);
			int best = -1, k, j = 0;

			if (total == 180) {
				assert_int_equal(ret, -ENOSPC);
				continue;
			}
			assert_int_equal(ret, 0);
			/* the range must be the best one with room */
			for (k = 0, j = 0; k < 3; j += ranges[k++].n) {
				int f;

				for (f = 0; f < (int)ranges[k].n; f++)
					if (!used[j + f])
						break;
				if (f < (int)ranges[k].n &&
				    (best < 0 ||
				     ranges[k].prio > ranges[best].prio))
					best = k;
			}
			for (k = 0, j = 0; k < 3; j += ranges[k++].n)
				if (ntohl(a.s_addr) - ranges[k].first <
				    ranges[k].n)
					break;
			assert_int_equal(k, best);
			idx = j + ntohl(a.s_addr) - ranges[k].first;
			assert_false(used[idx]);
			used[idx] = true;
			total++;
		} else if (op == 1) {
			assert_int_equal(pool_release(ps, a),
					 used[idx] ? 0 : -ENOENT);
			total -= used[idx];
			used[idx] = false;
		} else {
			assert_int_equal(pool_reserve(ps, NULL, a),
					 used[idx] ? -EEXIST : 0);
			total += !used[idx];
			used[idx] = true;
		}
		assert_int_equal(pool_in_use(ps, a), used[idx]);
	}
	pool_set_free(ps);
	config_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order_and_exhaustion),
		cmocka_unit_test(test_release_errors),
		cmocka_unit_test(test_priority),
		cmocka_unit_test(test_equal_priority),
		cmocka_unit_test(test_group),
		cmocka_unit_test(test_reserve),
		cmocka_unit_test(test_thresholds),
		cmocka_unit_test(test_transfer),
		cmocka_unit_test(test_big),
		cmocka_unit_test(test_random_model),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
