// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the redundancy section: defaults, every option, the
 * errors an operator gets (FILE:LINE and what to write instead), and the
 * reload rule.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include "config.h"
#include "config_redundancy.h"

#define HA "home-agent {\n address = 10.20.0.1\n redundancy = yes\n}\n"
#define PEER(key)                                                         \
	"secure-home-agent \"10.20.0.12\" {\n spi = 0x100\n key = \"" key \
	"\"\n}\n"
#define KEY16 "00112233445566778899aabbccddeeff"

static struct config *load(const char *text, char *err, size_t errlen)
{
	size_t len = strlen(text);
	char *buf = malloc(len + 1);
	struct config *c = NULL;

	assert_non_null(buf);
	memcpy(buf, text, len);
	if (config_parse_text("t.conf", buf, len, &c, err, errlen))
		c = NULL;
	free(buf);
	return c;
}

static void bad(const char *text, const char *want)
{
	char err[512];
	struct config *c = load(text, err, sizeof(err));

	assert_null(c);
	assert_string_equal(err, want);
}

static void test_defaults(void **state)
{
	char err[512];
	struct config *c = load(HA PEER(KEY16), err, sizeof(err));
	const struct config_redundancy *r;

	(void)state;
	if (!c)
		fail_msg("%s", err);
	r = config_redundancy(c);
	assert_int_equal(r->mode, CONFIG_SYNC_PHYSICAL);
	assert_int_equal(r->port, 434);
	assert_int_equal(r->rate, 0);
	assert_int_equal(r->node_id, 0);
	assert_int_equal(r->retain_kib, 4096);
	assert_int_equal(r->keepalive_ms, 1000);
	assert_int_equal(r->dead_ms, 3000);
	config_free(c);
}

static void test_every_option(void **state)
{
	char err[512];
	struct config *c =
		load(HA PEER(KEY16) "redundancy {\n mode = virtual\n"
				    " port = 4434\n rate = 5000\n"
				    " node-id = 7\n retain = 0\n"
				    " keepalive = 200\n dead = 400\n}\n",
		     err, sizeof(err));
	const struct config_redundancy *r;

	(void)state;
	if (!c)
		fail_msg("%s", err);
	r = config_redundancy(c);
	assert_int_equal(r->mode, CONFIG_SYNC_VIRTUAL);
	assert_int_equal(r->port, 4434);
	assert_int_equal(r->rate, 5000);
	assert_int_equal(r->node_id, 7);
	assert_int_equal(r->retain_kib, 0);
	assert_int_equal(r->keepalive_ms, 200);
	assert_int_equal(r->dead_ms, 400);
	config_free(c);
}

static void test_errors(void **state)
{
	(void)state;
	bad(HA, "t.conf:3: redundancy: no secure-home-agent (the peers and "
		"their keys)");
	bad(HA PEER("00112233445566778899aabbccddee"),
	    "t.conf:5: secure-home-agent: a key of 15 bytes; peer sync (TLS "
	    "1.3 PSK) needs 16 or more");
	/* two peers sharing an SPI (and its key): they cannot be told apart */
	bad(HA PEER(KEY16) "secure-home-agent \"10.20.0.13\" {\n spi = "
			   "0x100\n key = \"" KEY16 "\"\n}\n",
	    "t.conf:9: secure-home-agent: SPI 0x100 is also line 5's; peer "
	    "sync tells peers' keys apart by their SPI (one peer's addresses, "
	    "named together in redundancy paths, may share one SPI and key)");
	/* one peer's two addresses, one SPI, two keys */
	bad(HA PEER(KEY16) "secure-home-agent \"10.20.0.13\" {\n spi = "
			   "0x100\n key = \"ff" KEY16 "\"\n}\n"
			   "redundancy {\n paths = { \"10.20.0.12 10.20.0.13\" "
			   "}\n}\n",
	    "t.conf:9: secure-home-agent: SPI 0x100 is also line 5's; peer "
	    "sync tells peers' keys apart by their SPI (one peer's addresses, "
	    "named together in redundancy paths, may share one SPI and key)");
	bad(HA PEER(KEY16) "redundancy {\n paths = { \"10.20.0.12 10.20.0.14\" "
			   "}\n}\n",
	    "t.conf:10: paths: 10.20.0.14 has no secure-home-agent of its own "
	    "(its key)");
	bad(HA PEER(KEY16) "redundancy {\n paths = { \"10.20.0.12\" }\n}\n",
	    "t.conf:10: paths: \"10.20.0.12\": a peer on several links has "
	    "two addresses or more");
	bad(HA PEER(KEY16) "redundancy {\n paths = { \"10.20.0.12 1.2.3.4\", "
			   "\"5.6.7.8 10.20.0.12\" }\n}\n",
	    "t.conf:10: paths: 10.20.0.12 is named twice");
	bad(HA PEER(KEY16) "redundancy {\n paths = { \"1.0.0.1 1.0.0.2 1.0.0.3 "
			   "1.0.0.4 1.0.0.5\" }\n}\n",
	    "t.conf:10: paths: more than 4 addresses for one peer");
	bad(HA PEER(KEY16) "redundancy {\n paths = { \"10.20.0.12 x\" }\n}\n",
	    "t.conf:10: paths: \"x\" is not a unicast address");
	bad(HA PEER(KEY16) "redundancy {\n mode = peer\n}\n",
	    "t.conf:10: mode \"peer\": physical or virtual");
	bad(HA PEER(KEY16) "redundancy {\n keepalive = 1000\n dead = 1500\n}\n",
	    "t.conf:11: dead 1500 ms: at least twice keepalive (1000 ms), or "
	    "one lost HELLO ends the connection");
	bad(HA PEER(KEY16) "redundancy {\n node-id = 0\n}\n",
	    "t.conf:10: node-id: '0' is not a number in 1-4294967295");
}

/*
 * Seed 001: one peer on two links, the same SPI and key on each address,
 * named together by redundancy paths (another peer with its own key).
 */
static void test_one_peer_two_paths(void **state)
{
	char err[512];
	struct config *c = load(
		HA PEER(KEY16) "secure-home-agent \"10.30.0.12\" "
			       "{\n spi = 0x100\n key = \"" KEY16 "\"\n}\n"
			       "secure-home-agent \"10.20.0.13\" "
			       "{\n spi = 0x300\n key = \"ff" KEY16 "\"\n}\n"
			       "redundancy {\n paths = { \"10.30.0.12 "
			       "10.20.0.12\" }\n}\n",
		err, sizeof(err));
	const struct config_redundancy *r;
	struct in_addr a;

	(void)state;
	if (!c)
		fail_msg("%s", err);
	assert_int_equal(c->n_ha_ha, 3);
	r = config_redundancy(c);
	assert_int_equal(r->n_paths, 1);
	assert_int_equal(r->paths[0].n, 2);
	inet_pton(AF_INET, "10.30.0.12", &a);
	assert_int_equal(r->paths[0].addrs[0].s_addr, a.s_addr);
	inet_pton(AF_INET, "10.20.0.12", &a);
	assert_ptr_equal(config_redundancy_paths_of(r, a), &r->paths[0]);
	inet_pton(AF_INET, "10.20.0.13", &a);
	assert_null(config_redundancy_paths_of(r, a));
	config_free(c);
}

static void test_without_redundancy(void **state)
{
	char err[512];
	/* Short HA-HA keys are fine where nothing syncs. */
	struct config *c =
		load("home-agent {\n address = 10.20.0.1\n}\n" PEER("0011"),
		     err, sizeof(err));

	(void)state;
	if (!c)
		fail_msg("%s", err);
	config_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_every_option),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_one_peer_two_paths),
		cmocka_unit_test(test_without_redundancy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
