// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of binding_kernel: a record survives the trip through the
 * kernel's binding and its cookie (what a restart or a takeover rebuilds
 * from), and the lifetime the kernel gets is what is left, never 0 for a
 * record that expires.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>
#include <linux/mipha.h>

#include "binding_kernel.h"

#define NOW 1000000ULL

static const uint8_t nai[] = "alice@example.net";

static struct binding_rec sample(void)
{
	struct binding_rec r = {
		.replay = { .seen = true, .last_id = 0xe1234567000000ffULL },
		.reg_time_ms = 1796300000123ULL,
		.expires_ms = NOW + 29500,
		.spi = 0x600,
		.granted = 30,
		.link = 4,
		.kflags = MIPHA_F_REVERSE_TUNNEL,
		.req_flags = 0x12,
		.replay_method = REPLAY_TIMESTAMP,
		.encap = MIPHA_ENCAP_GRE,
		.origin = BINDING_ORIGIN_PEER,
		.nai_len = sizeof(nai) - 1,
		.nai = nai,
		.pool = "dyn",
	};

	inet_pton(AF_INET, "10.9.0.240", &r.home_addr);
	inet_pton(AF_INET, "10.9.3.3", &r.coa);
	inet_pton(AF_INET, "10.9.0.1", &r.ha_addr);
	inet_pton(AF_INET, "10.9.3.1", &r.src);
	return r;
}

static void test_round_trip(void **state)
{
	struct binding_rec r = sample(), back;
	uint8_t cookie[REG_COOKIE_MAX];
	struct kernel_binding kb;
	struct reg_cookie c;

	(void)state;
	assert_int_equal(
		binding_rec_to_kernel(&r, NOW, cookie, sizeof(cookie), &kb), 0);
	assert_int_equal(kb.home_addr.s_addr, r.home_addr.s_addr);
	assert_int_equal(kb.coa.s_addr, r.coa.s_addr);
	assert_int_equal(kb.ha_addr.s_addr, r.ha_addr.s_addr);
	assert_int_equal(kb.encap, MIPHA_ENCAP_GRE);
	assert_int_equal(kb.flags, MIPHA_F_REVERSE_TUNNEL);
	assert_int_equal(kb.link, 4);
	/* 29.5 s left: 30 s in the kernel (it must not expire early). */
	assert_int_equal(kb.lifetime, 30);
	assert_ptr_equal(kb.cookie, cookie);

	/* What a dump gives back: the time left, and the cookie. */
	assert_int_equal(reg_cookie_decode(kb.cookie, kb.cookie_len, &c), 0);
	kb.has_expires = true;
	kb.expires_ms = 20000;
	binding_rec_from_kernel(&kb, &c, NOW + 9500, BINDING_ORIGIN_RECOVERY,
				&back);
	assert_int_equal(back.home_addr.s_addr, r.home_addr.s_addr);
	assert_int_equal(back.coa.s_addr, r.coa.s_addr);
	assert_int_equal(back.src.s_addr, r.src.s_addr);
	assert_true(back.replay.seen);
	assert_int_equal(back.replay.last_id, r.replay.last_id);
	assert_int_equal(back.reg_time_ms, r.reg_time_ms);
	assert_int_equal(back.expires_ms, NOW + 29500);
	assert_int_equal(back.spi, 0x600);
	assert_int_equal(back.granted, 30);
	assert_int_equal(back.kflags, r.kflags);
	assert_int_equal(back.req_flags, 0x12);
	assert_int_equal(back.replay_method, REPLAY_TIMESTAMP);
	assert_int_equal(back.encap, MIPHA_ENCAP_GRE);
	assert_int_equal(back.origin, BINDING_ORIGIN_RECOVERY);
	assert_int_equal(back.nai_len, r.nai_len);
	assert_memory_equal(back.nai, nai, r.nai_len);
	assert_string_equal(back.pool, "dyn");
}

static void test_lifetimes(void **state)
{
	struct binding_rec r = sample();
	uint8_t cookie[REG_COOKIE_MAX];
	struct kernel_binding kb;

	(void)state;
	/* Never expires: 0, the kernel's "never". */
	r.expires_ms = 0;
	assert_int_equal(
		binding_rec_to_kernel(&r, NOW, cookie, sizeof(cookie), &kb), 0);
	assert_int_equal(kb.lifetime, 0);
	/* Due now, or past: 1 s, not forever. */
	r.expires_ms = NOW;
	binding_rec_to_kernel(&r, NOW, cookie, sizeof(cookie), &kb);
	assert_int_equal(kb.lifetime, 1);
	r.expires_ms = NOW - 5000;
	binding_rec_to_kernel(&r, NOW, cookie, sizeof(cookie), &kb);
	assert_int_equal(kb.lifetime, 1);
	/* Exactly on a second. */
	r.expires_ms = NOW + 7000;
	binding_rec_to_kernel(&r, NOW, cookie, sizeof(cookie), &kb);
	assert_int_equal(kb.lifetime, 7);
}

static void test_no_nai_no_pool(void **state)
{
	struct binding_rec r = sample(), back;
	uint8_t cookie[REG_COOKIE_MAX];
	struct kernel_binding kb;
	struct reg_cookie c;

	(void)state;
	r.nai_len = 0;
	r.nai = NULL;
	r.pool = NULL;
	r.encap = MIPHA_ENCAP_IPIP;
	assert_int_equal(
		binding_rec_to_kernel(&r, NOW, cookie, sizeof(cookie), &kb), 0);
	assert_int_equal(reg_cookie_decode(kb.cookie, kb.cookie_len, &c), 0);
	kb.has_expires = false;
	kb.encap = 0; /* a kernel that reports none: IPIP */
	binding_rec_from_kernel(&kb, &c, NOW, BINDING_ORIGIN_RECOVERY, &back);
	assert_int_equal(back.nai_len, 0);
	assert_null(back.nai);
	assert_null(back.pool);
	assert_int_equal(back.expires_ms, 0);
	assert_int_equal(back.encap, MIPHA_ENCAP_IPIP);
}

static void test_errors(void **state)
{
	struct binding_rec r = sample();
	uint8_t cookie[REG_COOKIE_MAX];
	struct kernel_binding kb;
	char long_pool[REG_POOL_NAME_MAX + 2];

	(void)state;
	assert_int_equal(binding_rec_to_kernel(&r, NOW, cookie, 8, &kb),
			 -ENOSPC);
	memset(long_pool, 'p', sizeof(long_pool) - 1);
	long_pool[sizeof(long_pool) - 1] = '\0';
	r.pool = long_pool;
	assert_int_equal(binding_rec_to_kernel(&r, NOW, cookie, sizeof(cookie),
					       &kb),
			 -EINVAL);
	r = sample();
	r.nai = NULL;
	assert_int_equal(binding_rec_to_kernel(&r, NOW, cookie, sizeof(cookie),
					       &kb),
			 -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_lifetimes),
		cmocka_unit_test(test_no_nai_no_pool),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
