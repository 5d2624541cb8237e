// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of config_digest: two home agents whose Mobile IP
 * configuration is the same get the same digests, whatever differs per box
 * (their peer's address, their HSRP priority, logging) and however the
 * file is laid out; a change in what must match changes its own part's
 * digest, and only that one, so a mismatch can be named.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "config.h"
#include "config_digest.h"

#define MN_KEY "00112233445566778899aabbccddeeff"
#define HA_KEY "ffeeddccbbaa99887766554433221100"

/* The common part, then what differs per box. */
#define COMMON(pool_range, mn_key)                                           \
	"home-agent {\n address = 10.20.0.1\n standby = lan\n}\n"            \
	"home-link \"home0\" {\n proxy-arp = yes\n}\n"                       \
	"pool \"p\" {\n range = { \"" pool_range "\" }\n}\n"                 \
	"host \"nai @example.net\" {\n interface = home0\n pool = p\n}\n"    \
	"secure-host \"nai @example.net\" {\n spi = 0x100\n key = \"" mn_key \
	"\"\n algorithm = hmac-md5\n}\n"
#define BOX(peer, prio)                                                    \
	"secure-home-agent \"" peer "\" {\n spi = 0x100\n key = \"" HA_KEY \
	"\"\n algorithm = hmac-md5\n}\n"                                   \
	"standby \"lan\" {\n interface = home0\n group = 7\n"              \
	" ip = 10.20.0.1\n priority = " prio "\n}\n"

static struct config *load(const char *text)
{
	size_t len = strlen(text);
	char *buf = malloc(len + 1), err[512];
	struct config *c = NULL;

	assert_non_null(buf);
	memcpy(buf, text, len);
	if (config_parse_text("t.conf", buf, len, &c, err, sizeof(err)))
		fail_msg("unexpected error: %s", err);
	free(buf);
	return c;
}

/* The names of the parts whose digests differ, space-separated. */
static void differing(const struct config *a, const struct config *b, char *out,
		      size_t size)
{
	const struct config_digest *da = config_digest(a),
				   *db = config_digest(b);
	size_t i;

	assert_int_equal(da->n_parts, db->n_parts);
	out[0] = '\0';
	for (i = 0; i < da->n_parts; i++) {
		assert_string_equal(da->parts[i].name, db->parts[i].name);
		if (memcmp(da->parts[i].digest, db->parts[i].digest,
			   CONFIG_DIGEST_LEN))
			snprintf(out + strlen(out), size - strlen(out), "%s%s",
				 out[0] ? " " : "", da->parts[i].name);
	}
	/* The whole digest differs exactly when a part does. */
	assert_int_equal(!!memcmp(da->all, db->all, CONFIG_DIGEST_LEN),
			 !!out[0]);
}

static void test_pair_matches(void **state)
{
	struct config *a = load(COMMON("10.20.1.1 10.20.1.9", MN_KEY)
					BOX("10.20.0.12", "110"));
	struct config *b = load(COMMON("10.20.1.1 10.20.1.9", MN_KEY)
					BOX("10.20.0.11", "100"));
	char diff[256];

	(void)state;
	differing(a, b, diff, sizeof(diff));
	assert_string_equal(diff, "");
	assert_true(config_digest(a)->n_parts > 0);
	config_free(a);
	config_free(b);
}

static void test_layout_does_not_count(void **state)
{
	struct config *a = load(COMMON("10.20.1.1 10.20.1.9", MN_KEY)
					BOX("10.20.0.12", "110"));
	/* Comments, blank lines, indentation, box sections first. */
	struct config *b = load(
		BOX("10.20.0.12", "110") "# the same, laid out otherwise\n\n" COMMON(
			"10.20.1.1 10.20.1.9", MN_KEY));
	char diff[256];

	(void)state;
	differing(a, b, diff, sizeof(diff));
	assert_string_equal(diff, "");
	config_free(a);
	config_free(b);
}

static void test_named_mismatch(void **state)
{
	struct config *a = load(COMMON("10.20.1.1 10.20.1.9", MN_KEY)
					BOX("10.20.0.12", "110"));
	struct config *pool = load(COMMON("10.20.1.1 10.20.1.8", MN_KEY)
					   BOX("10.20.0.11", "100"));
	struct config *key = load(COMMON("10.20.1.1 10.20.1.9",
					 "00112233445566778899aabbccddeefe")
					  BOX("10.20.0.11", "100"));
	char diff[256];

	(void)state;
	differing(a, pool, diff, sizeof(diff));
	assert_string_equal(diff, "pool");
	/* One bit of a mobile node's key. */
	differing(a, key, diff, sizeof(diff));
	assert_string_equal(diff, "secure-host");
	config_free(a);
	config_free(pool);
	config_free(key);
}

static void test_order_of_pools_counts(void **state)
{
	/* Pools of equal priority are used in configuration order. */
	struct config *a =
		load("home-agent {\n address = 10.9.0.1\n}\n"
		     "pool \"a\" {\n range = { \"10.1.0.1 10.1.0.2\" }\n}\n"
		     "pool \"b\" {\n range = { \"10.2.0.1 10.2.0.2\" }\n}\n");
	struct config *b =
		load("home-agent {\n address = 10.9.0.1\n}\n"
		     "pool \"b\" {\n range = { \"10.2.0.1 10.2.0.2\" }\n}\n"
		     "pool \"a\" {\n range = { \"10.1.0.1 10.1.0.2\" }\n}\n");
	char diff[256];

	(void)state;
	differing(a, b, diff, sizeof(diff));
	assert_string_equal(diff, "pool");
	config_free(a);
	config_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pair_matches),
		cmocka_unit_test(test_layout_does_not_count),
		cmocka_unit_test(test_named_mismatch),
		cmocka_unit_test(test_order_of_pools_counts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
