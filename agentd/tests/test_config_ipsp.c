// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the ipsp section (config_ipsp.h): both roles with every
 * option, the defaults, every error with its FILE:LINE, the pool digests
 * a HELLO carries (equal for equal pools whatever else differs, their
 * encoding pinned), and the reload rule (pools frozen while IPSP is
 * enabled, the peer needs a restart, mode and dead-interval are live).
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

#include <openssl/evp.h>

#include "config.h"
#include "config_ipsp.h"

#define KEY16 "00112233445566778899aabbccddeeff"
#define KEY15 "00112233445566778899aabbccddee"
/* lines 1-3 */
#define HA    "home-agent {\n address = 10.10.0.1\n}\n"
/* 4 lines */
#define SA(addr, key)                                                  \
	"secure-home-agent \"" addr "\" {\n spi = 0x100\n key = \"" key \
	"\"\n}\n"
#define PEER2 "192.168.50.2"
/* lines 1-7: ipsp starts on line 8 */
#define BASE  HA SA(PEER2, KEY16)

static struct in_addr A(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a;
}

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

static struct config *ok(const char *text)
{
	char err[512];
	struct config *c = load(text, err, sizeof(err));

	if (!c)
		fail_msg("unexpected error: %s", err);
	return c;
}

static void bad(const char *text, const char *want)
{
	char err[512];
	struct config *c = load(text, err, sizeof(err));

	assert_null(c);
	assert_string_equal(err, want);
}

/* A HELLO names each shared pool: more than IPSP_POOLS_MAX is refused. */
static void test_too_many_pools(void **state)
{
	size_t size = 64 * 1024, n;
	char *text = malloc(size), err[512];
	struct config *c;
	int i;

	(void)state;
	assert_non_null(text);
	for (i = 0; i <= IPSP_POOLS_MAX; i++) {
		n = strlen(i ? text : "");
		if (!i)
			text[0] = '\0';
		snprintf(text + n, size - n,
			 "pool \"p%d\" {\n range = \"10.50.%d.%d\"\n}\n", i,
			 i / 256, i % 256);
	}
	n = strlen(text);
	snprintf(text + n, size - n, "%s", BASE "ipsp {\n secondary = " PEER2
					       "\n}\n");
	c = load(text, err, sizeof(err));
	assert_null(c);
	assert_non_null(strstr(err, "IPSP shares at most 256"));
	/* one fewer: fine */
	n = strstr(text, "pool \"p256\"") - text;
	memmove(text + n, strstr(text, "home-agent"),
		strlen(strstr(text, "home-agent")) + 1);
	c = ok(text);
	config_free(c);
	free(text);
}

/* ---- the section ------------------------------------------------------ */

/* The primary's file: its peer is the secondary. */
static void test_secondary_every_field(void **state)
{
	struct config *c = ok(BASE "ipsp {\n"		/*  8 */
				   " secondary = " PEER2 "\n"
				   " mode = check-config\n"
				   " dead-interval = 60\n"
				   " port = 5000\n"
				   " block = 256\n"
				   " local = 192.168.50.1\n"
				   "}\n");
	const struct config_ipsp *p = config_ipsp(c);

	(void)state;
	assert_non_null(p);
	assert_int_equal(p->line, 8);
	assert_int_equal(p->peer_role, IPSP_ROLE_SECONDARY);
	assert_int_equal(p->peer.s_addr, A(PEER2).s_addr);
	assert_int_equal(p->mode, IPSP_MODE_CHECK_CONFIG);
	assert_int_equal(p->dead_interval, 60);
	assert_int_equal(p->port, 5000);
	assert_int_equal(p->block, 256);
	assert_int_equal(p->local.s_addr, A("192.168.50.1").s_addr);
	config_free(c);
}

/* The secondary's file: its peer is the primary; the bounds accepted. */
static void test_primary_every_field(void **state)
{
	struct config *c = ok(BASE "\n\nipsp {\n"	/* 10 */
				   " primary = " PEER2 "\n"
				   " mode = inactive\n"
				   " dead-interval = 3600\n"
				   " port = 65535\n"
				   " block = 65536\n"
				   " local = 192.168.50.9\n"
				   "}\n");
	const struct config_ipsp *p = config_ipsp(c);

	(void)state;
	assert_non_null(p);
	assert_int_equal(p->line, 10);
	assert_int_equal(p->peer_role, IPSP_ROLE_PRIMARY);
	assert_int_equal(p->peer.s_addr, A(PEER2).s_addr);
	assert_int_equal(p->mode, IPSP_MODE_INACTIVE);
	assert_int_equal(p->dead_interval, 3600);
	assert_int_equal(p->port, 65535);
	assert_int_equal(p->block, 65536);
	assert_int_equal(p->local.s_addr, A("192.168.50.9").s_addr);
	config_free(c);

	c = ok(BASE "ipsp {\n primary = " PEER2 "\n mode = active\n"
		    " dead-interval = 1\n port = 1\n block = 1\n}\n");
	p = config_ipsp(c);
	assert_int_equal(p->mode, IPSP_MODE_ACTIVE);
	assert_int_equal(p->dead_interval, 1);
	assert_int_equal(p->port, 1);
	assert_int_equal(p->block, 1);
	config_free(c);
}

static void test_defaults(void **state)
{
	struct config *c = ok(BASE "ipsp {\n primary = " PEER2 "\n}\n");
	const struct config_ipsp *p = config_ipsp(c);

	(void)state;
	assert_non_null(p);
	assert_int_equal(p->line, 8);
	assert_int_equal(p->peer_role, IPSP_ROLE_PRIMARY);
	assert_int_equal(p->mode, IPSP_MODE_ACTIVE);
	assert_int_equal(p->dead_interval, CONFIG_IPSP_DEAD_S);
	assert_int_equal(p->dead_interval, 30);
	assert_int_equal(p->port, CONFIG_IPSP_PORT);
	assert_int_equal(p->port, 4434);
	assert_int_equal(p->block, CONFIG_IPSP_BLOCK);
	assert_int_equal(p->block, 16);
	assert_int_equal(p->local.s_addr, 0);
	config_free(c);

	/* no section: IPSP off (and no secure-home-agent needed) */
	c = ok(HA);
	assert_null(config_ipsp(c));
	config_free(c);
}

/* A range SA covering the peer keys it as well as one of its own. */
static void test_range_sa(void **state)
{
	struct config *c = ok(HA SA("192.168.50.0 192.168.50.255", KEY16)
				      "ipsp {\n secondary = 192.168.50.77\n}\n");

	(void)state;
	assert_non_null(config_ipsp(c));
	config_free(c);
}

static void test_errors(void **state)
{
	(void)state;
	/* exactly one of primary / secondary */
	bad(BASE "ipsp {\n mode = active\n}\n",
	    "t.conf:8: ipsp: no peer: primary = ADDRESS (the peer is the "
	    "primary) or secondary = ADDRESS (it is the secondary)");
	bad(BASE "ipsp {\n primary = " PEER2 "\n secondary = " PEER2 "\n}\n",
	    "t.conf:10: ipsp: both primary (line 9) and secondary (line 10): "
	    "name the peer once, by its role");
	bad(BASE "ipsp {\n secondary = " PEER2 "\n primary = " PEER2 "\n}\n",
	    "t.conf:10: ipsp: both primary (line 10) and secondary (line 9): "
	    "name the peer once, by its role");
	bad(BASE "ipsp {\n primary = " PEER2 "\n primary = " PEER2 "\n}\n",
	    "t.conf:10: 'primary' set twice (first at line 9)");
	bad(BASE "ipsp {\n primary = " PEER2 "\n}\nipsp {\n mode = "
		 "inactive\n}\n",
	    "t.conf:11: a second ipsp section (the first at line 8): one per "
	    "home agent");
	/* the peer's address */
	bad(BASE "ipsp {\n primary = x\n}\n",
	    "t.conf:9: primary: 'x' is not a unicast IPv4 address");
	bad(BASE "ipsp {\n secondary = 224.0.0.5\n}\n",
	    "t.conf:9: secondary: '224.0.0.5' is not a unicast IPv4 address");
	/* ours, not the peer's */
	bad(HA SA("10.10.0.1", KEY16) "ipsp {\n\n secondary = 10.10.0.1\n}\n",
	    "t.conf:10: ipsp: secondary 10.10.0.1 is one of our home-agent "
	    "addresses (the peer is the other home agent)");
	bad("home-agent {\n address = 10.10.0.1\n dynamic-address = "
	    "10.10.0.2\n}\n" SA("10.10.0.2", KEY16)
	    "ipsp {\n primary = 10.10.0.2\n}\n",
	    "t.conf:10: ipsp: primary 10.10.0.2 is one of our home-agent "
	    "addresses (the peer is the other home agent)");
	/* its key */
	bad(BASE "ipsp {\n primary = 192.168.50.3\n}\n",
	    "t.conf:9: ipsp: primary 192.168.50.3 has no secure-home-agent "
	    "(the key of the IPSP channel, 16 bytes or more)");
	bad(HA SA(PEER2, KEY15) "ipsp {\n primary = " PEER2 "\n}\n",
	    "t.conf:4: secure-home-agent: a key of 15 bytes; IPSP with "
	    "192.168.50.2 (TLS 1.3 PSK) needs 16 or more");
	/* a second key of the peer (a rollover) must be as long */
	bad(BASE "secure-home-agent \"" PEER2 " " PEER2 "\" {\n spi = 0x200\n"
		 " key = \"0011\"\n}\nipsp {\n primary = " PEER2 "\n}\n",
	    "t.conf:8: secure-home-agent: a key of 2 bytes; IPSP with "
	    "192.168.50.2 (TLS 1.3 PSK) needs 16 or more");
	/* values */
	bad(BASE "ipsp {\n primary = " PEER2 "\n mode = on\n}\n",
	    "t.conf:10: ipsp mode \"on\": active, inactive or check-config");
	bad(BASE "ipsp {\n primary = " PEER2 "\n dead-interval = 0\n}\n",
	    "t.conf:10: dead-interval: '0' is not a number in 1-3600");
	bad(BASE "ipsp {\n primary = " PEER2 "\n dead-interval = 3601\n}\n",
	    "t.conf:10: dead-interval: '3601' is not a number in 1-3600");
	bad(BASE "ipsp {\n primary = " PEER2 "\n\n block = 0\n}\n",
	    "t.conf:11: block: '0' is not a number in 1-65536");
	bad(BASE "ipsp {\n primary = " PEER2 "\n block = 65537\n}\n",
	    "t.conf:10: block: '65537' is not a number in 1-65536");
	bad(BASE "ipsp {\n primary = " PEER2 "\n port = 0\n}\n",
	    "t.conf:10: port: '0' is not a number in 1-65535");
	bad(BASE "ipsp {\n primary = " PEER2 "\n port = 65536\n}\n",
	    "t.conf:10: port: '65536' is not a number in 1-65535");
	bad(BASE "ipsp {\n primary = " PEER2 "\n local = 0.0.0.0\n}\n",
	    "t.conf:10: local: '0.0.0.0' is not a unicast IPv4 address");
	bad(BASE "ipsp {\n primary = " PEER2 "\n peer = 1.2.3.4\n}\n",
	    "t.conf:10: no such option 'peer'");
}

/* ---- digests ---------------------------------------------------------- */

/* The primary's pools, and the secondary's: the same pools in another
 * file (other addresses, role, thresholds, comments, option order). */
static const char pools_a[] =
	"pool \"p1\" {\n range = { \"30.0.0.1 30.0.0.99\",\n"
	" \"30.0.1.1 30.0.1.99 priority 100\" }\n group = g\n"
	" threshold = { 70, 90 }\n}\n"
	"pool \"p2\" {\n range = \"31.0.0.1 31.0.0.9\"\n priority = 7\n}\n";
static const char file_a[] =
	"home-agent {\n address = 10.10.0.1\n}\n" SA(PEER2, KEY16)
	"ipsp {\n secondary = " PEER2 "\n}\n";
static const char file_b[] =
	"# the secondary\n"
	"pool \"p1\" {\n group = g # same group\n"
	" range = { \"30.0.0.1 30.0.0.99 priority 255\",\n"
	" \"30.0.1.1 30.0.1.99 priority 100\" }\n}\n"
	"home-agent {\n address = 10.10.0.2\n lifetime = 600\n}\n"
	"pool \"p2\" {\n range = \"31.0.0.1 31.0.0.9 priority 7\"\n}\n"
	SA("192.168.50.1", "ff" KEY16)
	"ipsp {\n primary = 192.168.50.1\n mode = check-config\n}\n";

struct digests {
	uint8_t all[IPSP_DIGEST_LEN];
	uint8_t pool[2][IPSP_DIGEST_LEN];
};

static void digests_of(const char *text, struct digests *d)
{
	struct config *c = ok(text);
	size_t i;

	memset(d, 0, sizeof(*d));
	config_ipsp_pools_digest(c, d->all);
	for (i = 0; i < c->n_pools && i < 2; i++)
		config_ipsp_pool_digest(&c->pools[i], d->pool[i]);
	config_free(c);
}

/* pools_a with one change (a string replaced) after file_a. */
static void digests_changed(const char *from, const char *to,
			    struct digests *d)
{
	char pools[1024], text[2048];
	const char *at = strstr(pools_a, from);
	int n;

	assert_non_null(at);
	n = snprintf(pools, sizeof(pools), "%.*s%s%s", (int)(at - pools_a),
		     pools_a, to, at + strlen(from));
	assert_true(n > 0 && (size_t)n < sizeof(pools));
	snprintf(text, sizeof(text), "%s%s", file_a, pools);
	digests_of(text, d);
}

static void test_digest_same_pools(void **state)
{
	static const uint8_t zero[IPSP_DIGEST_LEN];
	char text[2048];
	struct digests a, b;

	(void)state;
	snprintf(text, sizeof(text), "%s%s", file_a, pools_a);
	digests_of(text, &a);
	digests_of(file_b, &b);
	assert_memory_not_equal(a.all, zero, IPSP_DIGEST_LEN);
	assert_memory_equal(a.all, b.all, IPSP_DIGEST_LEN);
	assert_memory_equal(a.pool[0], b.pool[0], IPSP_DIGEST_LEN);
	assert_memory_equal(a.pool[1], b.pool[1], IPSP_DIGEST_LEN);
	assert_memory_not_equal(a.pool[0], a.pool[1], IPSP_DIGEST_LEN);
	assert_memory_not_equal(a.all, a.pool[0], IPSP_DIGEST_LEN);

	/* no ipsp section at all: the same pools, the same digests */
	snprintf(text, sizeof(text), "%s%s", HA, pools_a);
	digests_of(text, &b);
	assert_memory_equal(a.all, b.all, IPSP_DIGEST_LEN);

	/* thresholds are local */
	digests_changed("threshold = { 70, 90 }", "threshold = { 10, 20 }",
			&b);
	assert_memory_equal(a.all, b.all, IPSP_DIGEST_LEN);
	assert_memory_equal(a.pool[0], b.pool[0], IPSP_DIGEST_LEN);
	digests_changed(" threshold = { 70, 90 }\n", "", &b);
	assert_memory_equal(a.all, b.all, IPSP_DIGEST_LEN);
}

static void test_digest_changes(void **state)
{
	static const struct {
		const char *from, *to;
		int pool; /* the pool whose digest changes */
	} changes[] = {
		/* a range */
		{ "30.0.0.99", "30.0.0.98", 0 },
		{ "30.0.0.1 ", "30.0.0.2 ", 0 },
		/* a priority */
		{ "priority 100", "priority 101", 0 },
		{ "priority = 7", "priority = 8", 1 },
		/* the group */
		{ "group = g", "group = h", 0 },
		{ " group = g\n", "", 0 },
		/* the name */
		{ "pool \"p2\"", "pool \"p3\"", 1 },
		/* a range added */
		{ "\"31.0.0.1 31.0.0.9\"",
		  "{ \"31.0.0.1 31.0.0.9\", \"31.0.0.20\" }", 1 },
		/* the order of the ranges */
		{ "\"30.0.0.1 30.0.0.99\",\n \"30.0.1.1 30.0.1.99 priority "
		  "100\"",
		  "\"30.0.1.1 30.0.1.99 priority 100\",\n \"30.0.0.1 "
		  "30.0.0.99\"",
		  0 },
	};
	char text[2048];
	struct digests a, b;
	size_t i;

	(void)state;
	snprintf(text, sizeof(text), "%s%s", file_a, pools_a);
	digests_of(text, &a);
	for (i = 0; i < sizeof(changes) / sizeof(changes[0]); i++) {
		int p = changes[i].pool;

		digests_changed(changes[i].from, changes[i].to, &b);
		if (!memcmp(a.all, b.all, IPSP_DIGEST_LEN))
			fail_msg("change %zu: same digest", i);
		assert_memory_not_equal(a.pool[p], b.pool[p], IPSP_DIGEST_LEN);
		assert_memory_equal(a.pool[!p], b.pool[!p], IPSP_DIGEST_LEN);
	}

	/* a pool added; the pools in another order */
	snprintf(text, sizeof(text),
		 "%s%spool \"p4\" {\n range = \"32.0.0.1\"\n}\n", file_a,
		 pools_a);
	digests_of(text, &b);
	assert_memory_not_equal(a.all, b.all, IPSP_DIGEST_LEN);
	snprintf(text, sizeof(text), "%s%s%s", file_a,
		 strstr(pools_a, "pool \"p2\""), "pool \"p1\" {\n range = "
		 "{ \"30.0.0.1 30.0.0.99\",\n \"30.0.1.1 30.0.1.99 priority "
		 "100\" }\n group = g\n}\n");
	digests_of(text, &b);
	assert_memory_not_equal(a.all, b.all, IPSP_DIGEST_LEN);
	assert_memory_equal(a.pool[0], b.pool[1], IPSP_DIGEST_LEN);
	assert_memory_equal(a.pool[1], b.pool[0], IPSP_DIGEST_LEN);
}

static void sha256(const void *buf, size_t len, uint8_t out[32])
{
	unsigned int n = 0;

	assert_int_equal(EVP_Digest(buf, len, out, &n, EVP_sha256(), NULL), 1);
	assert_int_equal(n, 32);
}

/* The encoding (config_ipsp.c) pinned: two releases must agree. */
static void test_digest_encoding(void **state)
{
	static const uint8_t p1[] = {
		'm', 'i', 'p', 'h', 'a', '-', 'i', 'p', 's', 'p', '-', 'p',
		'o', 'o', 'l', '-', '1', 2, 'p', '1', 1, 'g', 0, 0, 0, 2,
		30, 0, 0, 1, 30, 0, 0, 99, 255,
		30, 0, 1, 1, 30, 0, 1, 99, 100,
	};
	static const uint8_t p2[] = {
		'm', 'i', 'p', 'h', 'a', '-', 'i', 'p', 's', 'p', '-', 'p',
		'o', 'o', 'l', '-', '1', 2, 'p', '2', 0, 0, 0, 0, 1,
		31, 0, 0, 1, 31, 0, 0, 9, 7,
	};
	uint8_t all[18 + 4 + 64];
	char text[2048];
	struct digests d;
	uint8_t want[32];

	(void)state;
	snprintf(text, sizeof(text), "%s%s", file_a, pools_a);
	digests_of(text, &d);
	sha256(p1, sizeof(p1), want);
	assert_memory_equal(d.pool[0], want, 32);
	sha256(p2, sizeof(p2), want);
	assert_memory_equal(d.pool[1], want, 32);
	memcpy(all, "mipha-ipsp-pools-1", 18);
	memcpy(all + 18, "\0\0\0\2", 4);
	memcpy(all + 22, d.pool[0], 32);
	memcpy(all + 54, d.pool[1], 32);
	sha256(all, sizeof(all), want);
	assert_memory_equal(d.all, want, 32);

	/* no pool: the count alone */
	digests_of(HA, &d);
	sha256("mipha-ipsp-pools-1\0\0\0\0", 22, want);
	assert_memory_equal(d.all, want, 32);
}

/* Seed 004's two home agents (agentd/examples): each names the other, in
 * the other role, and their pools hash alike. Run from agentd/. */
static void test_seed004_examples(void **state)
{
	struct config *pri, *sec;
	uint8_t a[IPSP_DIGEST_LEN], b[IPSP_DIGEST_LEN];
	const struct config_ipsp *p, *q;
	char err[512];

	(void)state;
	if (config_load("examples/seed004-ipsp-primary.conf", &pri, err,
			sizeof(err)))
		fail_msg("%s", err);
	if (config_load("examples/seed004-ipsp-secondary.conf", &sec, err,
			sizeof(err)))
		fail_msg("%s", err);
	p = config_ipsp(pri);
	q = config_ipsp(sec);
	assert_non_null(p);
	assert_non_null(q);
	assert_int_equal(p->peer_role, IPSP_ROLE_SECONDARY);
	assert_int_equal(q->peer_role, IPSP_ROLE_PRIMARY);
	assert_int_equal(p->peer.s_addr, q->local.s_addr);
	assert_int_equal(q->peer.s_addr, p->local.s_addr);
	assert_int_equal(p->port, q->port);
	assert_int_equal(p->mode, IPSP_MODE_ACTIVE);
	assert_int_equal(q->mode, IPSP_MODE_ACTIVE);
	assert_true(config_ha_ha_sa(pri, p->peer, 0, false) != NULL);
	assert_true(config_ha_ha_sa(sec, q->peer, 0, false) != NULL);
	config_ipsp_pools_digest(pri, a);
	config_ipsp_pools_digest(sec, b);
	assert_memory_equal(a, b, IPSP_DIGEST_LEN);
	config_free(pri);
	config_free(sec);
}

/* ---- reload ----------------------------------------------------------- */

static const char rl_base[] =
	"home-agent {\n address = 10.10.0.1\n}\n" SA(PEER2, KEY16)
	"pool \"p\" {\n range = \"30.0.0.1 30.0.0.99\"\n}\n";

#define IPSP_SEC(mode) "ipsp {\n secondary = " PEER2 "\n mode = " mode "\n}\n"

static void rl(const char *old_extra, const char *new_extra,
	       struct config_diff *d)
{
	char a[2048], b[2048];
	struct config *o, *n;

	snprintf(a, sizeof(a), "%s%s", rl_base, old_extra);
	snprintf(b, sizeof(b), "%s%s", rl_base, new_extra);
	o = ok(a);
	n = ok(b);
	config_diff(o, n, d);
	config_free(o);
	config_free(n);
}

#define FROZEN "pools cannot change while IPSP is enabled (seed 004)"

static void assert_frozen(const struct config_diff *d)
{
	assert_false(d->live_ok);
	if (!strstr(d->reason, FROZEN))
		fail_msg("reason: %s", d->reason);
}

static void test_diff_pools_frozen(void **state)
{
	static const char *const pool_changes[][2] = {
		/* a pool added */
		{ "", "pool \"q\" {\n range = \"31.0.0.1\"\n}\n" },
		/* a pool removed */
		{ "pool \"q\" {\n range = \"31.0.0.1\"\n}\n", "" },
		/* a range added */
		{ "pool \"q\" {\n range = \"31.0.0.1\"\n}\n",
		  "pool \"q\" {\n range = { \"31.0.0.1\", \"31.0.0.5\" }\n}\n" },
		/* a priority */
		{ "pool \"q\" {\n range = \"31.0.0.1\"\n}\n",
		  "pool \"q\" {\n range = \"31.0.0.1 priority 9\"\n}\n" },
		/* a group */
		{ "pool \"q\" {\n range = \"31.0.0.1\"\n}\n",
		  "pool \"q\" {\n range = \"31.0.0.1\"\n group = g\n}\n" },
		/* a threshold */
		{ "pool \"q\" {\n range = \"31.0.0.1\"\n}\n",
		  "pool \"q\" {\n range = \"31.0.0.1\"\n"
		  " threshold = { 50, 60 }\n}\n" },
	};
	static const char *const modes[][2] = {
		{ "active", "active" },
		{ "check-config", "check-config" },
		/* enabled before or after is enough */
		{ "active", "inactive" },
		{ "inactive", "check-config" },
	};
	char a[512], b[512];
	struct config_diff d;
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof(pool_changes) / sizeof(pool_changes[0]); i++) {
		for (j = 0; j < sizeof(modes) / sizeof(modes[0]); j++) {
			snprintf(a, sizeof(a), "%s" IPSP_SEC("%s"),
				 pool_changes[i][0], modes[j][0]);
			snprintf(b, sizeof(b), "%s" IPSP_SEC("%s"),
				 pool_changes[i][1], modes[j][1]);
			rl(a, b, &d);
			assert_frozen(&d);
		}
		/* IPSP absent: as usual */
		rl(pool_changes[i][0], pool_changes[i][1], &d);
		assert_false(strstr(d.reason, FROZEN));
		/* inactive before and after: frozen too (a reload may turn it
		 * active, and its book of the pools is built at start) */
		snprintf(a, sizeof(a), "%s" IPSP_SEC("inactive"),
			 pool_changes[i][0]);
		snprintf(b, sizeof(b), "%s" IPSP_SEC("inactive"),
			 pool_changes[i][1]);
		rl(a, b, &d);
		assert_frozen(&d);
	}
	/* a pool added: live without IPSP, refused with it inactive */
	rl("", "pool \"q\" {\n range = \"31.0.0.1\"\n}\n", &d);
	assert_true(d.live_ok);
	assert_string_equal(d.live, "pools");
	rl(IPSP_SEC("inactive"),
	   IPSP_SEC("inactive") "pool \"q\" {\n range = \"31.0.0.1\"\n}\n",
	   &d);
	assert_frozen(&d);
	/* the pools reordered while enabled: a change (the digest is) */
	rl(IPSP_SEC("active") "pool \"q\" {\n range = \"31.0.0.1\"\n}\n"
			      "pool \"r\" {\n range = \"31.0.0.2\"\n}\n",
	   IPSP_SEC("active") "pool \"r\" {\n range = \"31.0.0.2\"\n}\n"
			      "pool \"q\" {\n range = \"31.0.0.1\"\n}\n",
	   &d);
	assert_frozen(&d);
	/* options reordered, comments: no change */
	rl(IPSP_SEC("active") "pool \"q\" {\n range = \"31.0.0.1\"\n"
			      " group = g\n}\n",
	   IPSP_SEC("active") "pool \"q\" { # the same\n group = g\n"
			      " range = \"31.0.0.1 priority 255\"\n}\n",
	   &d);
	assert_true(d.live_ok);
	assert_string_equal(d.reason, "");
	/* the same pools, IPSP on: nothing to refuse */
	rl(IPSP_SEC("active"), IPSP_SEC("active"), &d);
	assert_true(d.live_ok);
	assert_int_equal(d.changes, 0);
	assert_string_equal(d.live, "");
	assert_string_equal(d.reason, "");
}

static void test_diff_live(void **state)
{
	struct config_diff d;

	(void)state;
	/* IPSP off ("no pool-share-protocol") and back: live */
	rl(IPSP_SEC("active"), IPSP_SEC("inactive"), &d);
	assert_true(d.live_ok);
	assert_string_equal(d.live, "ipsp");
	rl(IPSP_SEC("inactive"), IPSP_SEC("check-config"), &d);
	assert_true(d.live_ok);
	assert_string_equal(d.live, "ipsp");
	rl("ipsp {\n secondary = " PEER2 "\n}\n",
	   "ipsp {\n secondary = " PEER2 "\n dead-interval = 90\n}\n", &d);
	assert_true(d.live_ok);
	assert_string_equal(d.live, "ipsp");
	assert_string_equal(d.reason, "");
	/* explicit defaults are no change */
	rl("ipsp {\n secondary = " PEER2 "\n}\n",
	   "ipsp {\n secondary = " PEER2 "\n mode = active\n"
	   " dead-interval = 30\n port = 4434\n block = 16\n}\n",
	   &d);
	assert_true(d.live_ok);
	assert_string_equal(d.live, "");
}

static void restart(const char *old_extra, const char *new_extra,
		    const char *why)
{
	struct config_diff d;

	rl(old_extra, new_extra, &d);
	assert_false(d.live_ok);
	assert_string_equal(d.reason, why);
}

static void test_diff_restart(void **state)
{
	(void)state;
	restart("ipsp {\n secondary = " PEER2 "\n}\n",
		SA("192.168.50.3", KEY16) "ipsp {\n secondary = "
					  "192.168.50.3\n}\n",
		"ipsp peer address changed (the IPSP channel is set up at "
		"start)");
	restart("ipsp {\n secondary = " PEER2 "\n}\n",
		"ipsp {\n primary = " PEER2 "\n}\n",
		"ipsp peer role changed (the IPSP channel is set up at "
		"start)");
	restart("ipsp {\n secondary = " PEER2 "\n}\n",
		"ipsp {\n secondary = " PEER2 "\n port = 4435\n}\n",
		"ipsp port changed (the IPSP channel is set up at start)");
	restart("ipsp {\n secondary = " PEER2 "\n}\n",
		"ipsp {\n secondary = " PEER2 "\n block = 64\n}\n",
		"ipsp block changed (the IPSP channel is set up at start)");
	restart("ipsp {\n secondary = " PEER2 "\n}\n",
		"ipsp {\n secondary = " PEER2 "\n local = 192.168.50.1\n}\n",
		"ipsp local changed (the IPSP channel is set up at start)");
	/* several at once, with a live change beside them */
	restart("ipsp {\n secondary = " PEER2 "\n}\n",
		"ipsp {\n primary = " PEER2 "\n port = 1\n mode = "
		"inactive\n}\n",
		"ipsp peer role, port changed (the IPSP channel is set up at "
		"start)");
	/* the section added or removed */
	restart("", "ipsp {\n secondary = " PEER2 "\n mode = inactive\n}\n",
		"ipsp section added (IPSP is set up at start; mode = "
		"inactive turns it off live)");
	restart("ipsp {\n secondary = " PEER2 "\n mode = inactive\n}\n", "",
		"ipsp section removed (IPSP is set up at start; mode = "
		"inactive turns it off live)");
	/* removed while enabled, with a pool change: both reasons */
	restart(IPSP_SEC("active"), "pool \"q\" {\n range = \"31.0.0.1\"\n}\n",
		FROZEN "; ipsp section removed (IPSP is set up at start; mode "
		       "= inactive turns it off live)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_secondary_every_field),
		cmocka_unit_test(test_primary_every_field),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_range_sa),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_digest_same_pools),
		cmocka_unit_test(test_digest_changes),
		cmocka_unit_test(test_digest_encoding),
		cmocka_unit_test(test_seed004_examples),
		cmocka_unit_test(test_diff_pools_frozen),
		cmocka_unit_test(test_diff_live),
		cmocka_unit_test(test_diff_restart),
		cmocka_unit_test(test_too_many_pools),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
