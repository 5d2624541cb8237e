// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the binding table: one binding per home address and one
 * per NAI, whatever path adds it; lookups and removal through growth.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include "binding_table.h"

static struct reg_binding *mk(const char *home, const char *nai)
{
	struct reg_binding *b = calloc(1, sizeof(*b));

	assert_non_null(b);
	assert_int_equal(inet_pton(AF_INET, home, &b->home_addr), 1);
	if (nai) {
		b->nai_len = (uint8_t)strlen(nai);
		b->nai = (uint8_t *)strdup(nai);
	}
	return b;
}

static void drop(struct reg_binding *b)
{
	free(b->nai);
	free(b);
}

static struct in_addr ip(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a;
}

#define NAI(s) (const uint8_t *)(s), strlen(s)

static void test_one_per_address_and_nai(void **state)
{
	struct binding_table t = { 0 };
	struct reg_binding *alice = mk("20.0.0.7", "alice@example.com");
	struct reg_binding *eve_on_alice = mk("20.0.0.7", "eve@example.com");
	struct reg_binding *alice_again = mk("20.0.0.8", "alice@example.com");
	struct reg_binding *addr_on_alice = mk("20.0.0.7", NULL);
	struct reg_binding *host = mk("10.1.0.5", NULL);

	(void)state;
	assert_int_equal(binding_table_insert(&t, alice), 0);
	/* another NAI on alice's address, alice's NAI on another address,
	 * an address host on alice's address: all refused */
	assert_int_equal(binding_table_insert(&t, eve_on_alice), -EEXIST);
	assert_int_equal(binding_table_insert(&t, alice_again), -EEXIST);
	assert_int_equal(binding_table_insert(&t, addr_on_alice), -EEXIST);
	assert_int_equal(binding_table_insert(&t, host), 0);
	assert_int_equal(binding_table_count(&t), 2);
	/* ... and alice's binding is what the table still finds */
	assert_ptr_equal(binding_table_find_addr(&t, ip("20.0.0.7")), alice);
	assert_ptr_equal(binding_table_find_nai(&t, NAI("alice@example.com")),
			 alice);
	assert_null(binding_table_find_nai(&t, NAI("eve@example.com")));
	assert_null(binding_table_find_addr(&t, ip("20.0.0.8")));
	assert_ptr_equal(binding_table_find_addr(&t, ip("10.1.0.5")), host);
	/* once alice is gone, her address and her NAI are free again */
	binding_table_remove(&t, alice);
	assert_null(binding_table_find_nai(&t, NAI("alice@example.com")));
	assert_int_equal(binding_table_insert(&t, alice_again), 0);
	assert_int_equal(binding_table_insert(&t, eve_on_alice), 0);
	assert_int_equal(binding_table_count(&t), 3);
	binding_table_destroy(&t);
	drop(alice);
	drop(eve_on_alice);
	drop(alice_again);
	drop(addr_on_alice);
	drop(host);
}

/* Through several doublings: every binding found, duplicates refused. */
static void test_growth(void **state)
{
	enum { N = 5000 };
	struct binding_table t = { 0 };
	struct reg_binding **v = calloc(N, sizeof(*v));
	size_t i, walked = 0;
	char a[16], n[32];

	(void)state;
	assert_non_null(v);
	for (i = 0; i < N; i++) {
		snprintf(a, sizeof(a), "30.%zu.%zu.1", i / 256, i % 256);
		snprintf(n, sizeof(n), "u%zu@r.example", i);
		v[i] = mk(a, i % 2 ? n : NULL);
		assert_int_equal(binding_table_insert(&t, v[i]), 0);
	}
	for (i = 0; i < N; i++) {
		struct reg_binding *dup = mk("1.2.3.4", NULL);

		assert_ptr_equal(binding_table_find_addr(&t, v[i]->home_addr),
				 v[i]);
		if (v[i]->nai_len)
			assert_ptr_equal(binding_table_find_nai(&t, v[i]->nai,
								v[i]->nai_len),
					 v[i]);
		dup->home_addr = v[i]->home_addr;
		assert_int_equal(binding_table_insert(&t, dup), -EEXIST);
		drop(dup);
	}
	for (i = 0; i < binding_table_buckets(&t); i++) {
		struct reg_binding *b;

		for (b = binding_table_bucket(&t, i); b; b = b->next_addr)
			walked++;
	}
	assert_int_equal(walked, N);
	for (i = 0; i < N; i += 2)
		binding_table_remove(&t, v[i]);
	assert_int_equal(binding_table_count(&t), N / 2);
	for (i = 0; i < N; i++)
		assert_true(!binding_table_find_addr(&t, v[i]->home_addr) ==
			    !(i % 2));
	binding_table_destroy(&t);
	for (i = 0; i < N; i++)
		drop(v[i]);
	free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_per_address_and_nai),
		cmocka_unit_test(test_growth),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
