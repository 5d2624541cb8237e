// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of config.c: every shipped example loads; a full file lands
 * in struct config field by field, defaults included; lookups (address,
 * NAI exact / realm, case of realms, SA by SPI, FA-HA, HA addresses); key
 * files (accepted at 0600, refused when group/others have access); every
 * bad file under tests/conf/ fails with its exact "FILE:LINE: message";
 * config_diff() tells live changes from those needing a restart.
 *
 * Run from agentd/ (make check does).
 */
#include <errno.h>
#include <glob.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/stat.h>
#include <cmocka.h>
#include <confuse.h>
#include <dlfcn.h>

#include "config.h"
#include "config_standby.h"
#include "config_kit.h"
#include "log.h"

/*
 * cfg_free() as config.c calls it: first, what the key options of the
 * tree hold at that moment (they must be cleansed: all NULs), then the
 * real one.
 */
static unsigned int keys_seen, keys_uncleansed;

static void inspect_keys(cfg_t *sec)
{
	cfg_opt_t *opt;
	unsigned int i;

	for (opt = sec->opts; opt && opt->type != CFGT_NONE; opt++) {
		for (i = 0; i < opt->nvalues; i++) {
			cfg_value_t *v = opt->values[i];

			if (opt->type == CFGT_SEC) {
				inspect_keys(v->section);
			} else if (opt->type == CFGT_STR && v->string &&
				   (!strcmp(opt->name, "key") ||
				    !strcmp(opt->name, "key-ascii"))) {
				keys_seen++;
				/* Cleansed to NULs: the string reads empty. */
				if (v->string[0])
					keys_uncleansed++;
			}
		}
	}
}

int cfg_free(cfg_t *cfg)
{
	int (*real)(cfg_t *) = (int (*)(cfg_t *))dlsym(RTLD_NEXT, "cfg_free");

	/* libconfuse frees the subsections through here too: count once. */
	if (cfg && cfg->name && !strcmp(cfg->name, "root"))
		inspect_keys(cfg);
	return real(cfg);
}

static struct in_addr A(const char *s) {
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a;
}

static uint32_t
H(const char *s)
{
	return ntohl(A(s).s_addr);
}

/* Loads text (named name) and returns the config, or NULL with err. */
static struct config *parse(const char *name, const char *text, char *err,
			    size_t errlen)
{
	size_t len = strlen(text);
	char *buf = malloc(len + 1);
	struct config *c = NULL;
	int ret;

	assert_non_null(buf);
	memcpy(buf, text, len);
	ret = config_parse_text(name, buf, len, &c, err, errlen);
	free(buf);
	if (ret)
		assert_null(c);
	return c;
}

static struct config *parse_ok(const char *text)
{
	char err[512];
	struct config *c = parse("t.conf", text, err, sizeof(err));

	if (!c)
		fail_msg("unexpected error: %s", err);
	return c;
}

static void parse_bad(const char *text, const char *expect)
{
	char err[512];
	struct config *c = parse("t.conf", text, err, sizeof(err));

	assert_null(c);
	assert_string_equal(err, expect);
}

/* ---- examples --------------------------------------------------------- */

static void test_examples_load(void **state)
{
	glob_t g;
	size_t i;

	(void)state;
	assert_int_equal(glob("examples/*.conf", 0, NULL, &g), 0);
	/* seed 000 active + standby + pool, seed 001 physical + virtual */
	assert_true(g.gl_pathc >= 5);
	for (i = 0; i < g.gl_pathc; i++) {
		struct config *c;
		char err[512];
		int ret = config_load(g.gl_pathv[i], &c, err, sizeof(err));

		if (ret)
			fail_msg("%s: %s", g.gl_pathv[i], err);
		assert_non_null(c);
		config_free(c);
	}
	globfree(&g);
}

/* ---- a complete file -------------------------------------------------- */

/* clang-format off: one line of the file per line, numbered */
static const char full[] =
	"# every section once\n"		/*  1 */
	"home-agent {\n"			/*  2 */
	"\taddress = { 1.0.0.10, 10.0.0.10 }\n" /*  3 */
	"\tdynamic-address = 1.0.0.10\n"	/*  4 */
	"\tredundancy = yes\n"			/*  5 */
	"\tstandby = SanJoseHA\n"		/*  6 */
	"\tlifetime = 1800\n"			/*  7 */
	"\tmax-lifetime = 36000\n"		/*  8 */
	"\treplay-window = 9\n"			/*  9 */
	"\treverse-tunnel = required\n"		/* 10 */
	"\tencapsulation = gre\n"		/* 11 */
	"}\n"					/* 12 */
	"virtual-network \"20.0.0.0 255.0.0.0\" { address = 20.0.0.1 }\n" /* 13 */
	"virtual-network \"30.0.0.0/16\" {}\n"		 /* 14 */
	"home-link \"eth1\" {}\n"			 /* 15 */
	"home-link \"eth2\" { proxy-arp = off }\n"	 /* 16 */
	"host \"20.0.0.2 20.0.0.254\" {\n"		 /* 17 */
	"\tvirtual-network = \"20.0.0.0/8\"\n"		 /* 18 */
	"\tlifetime = 600\n"				 /* 19 */
	"\treverse-tunnel = off\n"			 /* 20 */
	"\tencapsulation = any\n"			 /* 21 */
	"}\n"						 /* 22 */
	"host \"nai alice@Example.com\" {\n"		 /* 23 */
	"\tstatic-address = { 40.0.0.1, 40.0.0.2 }\n"	 /* 24 */
	"\tinterface = eth1\n"				 /* 25 */
	"}\n"						 /* 26 */
	"host \"nai @example.com\" {\n"			 /* 27 */
	"\tpool = p1\n"					 /* 28 */
	"\tvirtual-network = \"30.0.0.0 255.255.0.0\"\n" /* 29 */
	"}\n"						 /* 30 */
	"pool \"p1\" {\n"				 /* 31 */
	"\trange = { \"30.0.1.1 30.0.1.100\",\n"	 /* 32 */
	"\t\t  \"30.0.2.1 30.0.2.100 priority 100\" }\n" /* 33 */
	"\trange += \"30.0.3.7\"\n"			 /* 34 */
	"\tpriority = 200\n"				 /* 35 */
	"\tgroup = g\n"					 /* 36 */
	"\tthreshold = { 60, 80 }\n"			 /* 37 */
	"}\n"						 /* 38 */
	"secure-host \"20.0.0.2 20.0.0.254\" {\n"	 /* 39 */
	"\tspi = 0x100\n"				 /* 40 */
	"\tkey = \"00112233445566778899aabbccddeeff\"\n" /* 41 */
	"\talgorithm = hmac-md5\n"			 /* 42 */
	"}\n"						 /* 43 */
	"secure-host \"20.0.0.2 20.0.0.254\t\" {\n"	 /* 44 */
	"\tspi = 0x101\n"				 /* 45 */
	"\tkey-ascii = \"rollover\"\n"			 /* 46 */
	"\treplay = nonce\n"				 /* 47 */
	"}\n"						 /* 48 */
	"secure-host \"nai alice@example.COM\" {\n"	 /* 49 */
	"\tspi = 300\n"					 /* 50 */
	"\tkey = \"0x0102\"\n"				 /* 51 */
	"\talgorithm = md5\n"				 /* 52 */
	"\tmode = prefix-suffix\n"			 /* 53 */
	"\treplay = timestamp\n"			 /* 54 */
	"\treplay-window = 3\n"				 /* 55 */
	"}\n"						 /* 56 */
	"secure-host \"nai @example.com\" {\n"		 /* 57 */
	"\tspi = 0x200\n"				 /* 58 */
	"\tkey = \"aa\"\n"				 /* 59 */
	"}\n"						 /* 60 */
	"secure-foreign-agent \"66.0.0.1 66.0.0.9\" {\n" /* 61 */
	"\tspi = 0x1000\n"				 /* 62 */
	"\tkey = \"bb\"\n"				 /* 63 */
	"}\n"						 /* 64 */
	"secure-home-agent \"1.0.0.2\" {\n"		 /* 65 */
	"\tspi = 0x100\n"				 /* 66 */
	"\tkey = \"00112233445566778899001122334455\"\n" /* 67 */
	"}\n"						 /* 68 */
	"log {\n"					 /* 69 */
	"\ttarget = syslog\n"				 /* 70 */
	"\tfacility = local3\n"				 /* 71 */
	"\tdebug = { registration, \"pool,kernel\" }\n"	 /* 72 */
	"}\n"						 /* 73 */
	"control-socket = /run/mipha-test.sock\n"	 /* 74 */
	"standby \"SanJoseHA\" {\n"			 /* 75 */
	"\tinterface = eth1\n"				 /* 76 */
	"\tip = 1.0.0.10\n"				 /* 77 */
	"}\n";						 /* 78 */
/* clang-format on */

static void test_full_file(void **state)
{
	struct config *c = parse_ok(full);
	const struct config_host *h;
	const struct config_pool *p;

	(void)state;
	/* home-agent; the virtual network's address joins the list */
	assert_int_equal(c->n_ha_addrs, 3);
	assert_int_equal(c->ha_addrs[0].s_addr, A("1.0.0.10").s_addr);
	assert_int_equal(c->ha_addrs[1].s_addr, A("10.0.0.10").s_addr);
	assert_int_equal(c->ha_addrs[2].s_addr, A("20.0.0.1").s_addr);
	assert_int_equal(c->dynamic_addr.s_addr, A("1.0.0.10").s_addr);
	assert_true(c->redundancy);
	assert_string_equal(c->standby_group, "SanJoseHA");
	assert_int_equal(c->lifetime, 1800);
	assert_int_equal(c->max_lifetime, 36000);
	assert_int_equal(c->replay_window, 9);
	assert_int_equal(c->reverse_tunnel, CONFIG_RT_REQUIRED);
	assert_int_equal(c->encap, CONFIG_ENCAP_GRE);

	assert_int_equal(c->n_vnets, 2);
	assert_int_equal(c->vnets[0].line, 13);
	assert_int_equal(c->vnets[0].plen, 8);
	assert_int_equal(c->vnets[0].ha_addr.s_addr, A("20.0.0.1").s_addr);
	assert_int_equal(c->vnets[1].net.s_addr, A("30.0.0.0").s_addr);
	assert_int_equal(c->vnets[1].plen, 16);
	assert_int_equal(c->vnets[1].ha_addr.s_addr, 0);

	assert_int_equal(c->n_links, 2);
	assert_string_equal(c->links[0].ifname, "eth1");
	assert_true(c->links[0].proxy_arp); /* default on */
	assert_false(c->links[1].proxy_arp);

	assert_int_equal(c->n_hosts, 3);
	h = &c->hosts[0];
	assert_int_equal(h->line, 17);
	assert_int_equal(h->kind, CONFIG_HOST_ADDR);
	assert_int_equal(h->range.first, H("20.0.0.2"));
	assert_int_equal(h->range.last, H("20.0.0.254"));
	assert_ptr_equal(h->vnet, &c->vnets[0]);
	assert_null(h->link);
	assert_int_equal(h->lifetime, 600);
	assert_int_equal(h->reverse_tunnel, CONFIG_RT_OFF);
	assert_int_equal(h->encap, CONFIG_ENCAP_ANY);
	h = &c->hosts[1];
	assert_int_equal(h->kind, CONFIG_HOST_NAI);
	assert_string_equal(h->nai, "alice@example.com"); /* realm folded */
	assert_int_equal(h->n_static, 2);
	assert_int_equal(h->static_addrs[1].s_addr, A("40.0.0.2").s_addr);
	assert_ptr_equal(h->link, &c->links[0]);
	/* host defaults come from home-agent */
	assert_int_equal(h->lifetime, 1800);
	assert_int_equal(h->reverse_tunnel, CONFIG_RT_REQUIRED);
	assert_int_equal(h->encap, CONFIG_ENCAP_GRE);
	h = &c->hosts[2];
	assert_int_equal(h->kind, CONFIG_HOST_REALM);
	assert_string_equal(h->nai, "@example.com");
	assert_string_equal(h->pool, "p1");
	assert_ptr_equal(h->vnet, &c->vnets[1]);

	assert_int_equal(c->n_pools, 1);
	p = &c->pools[0];
	assert_string_equal(p->name, "p1");
	assert_int_equal(p->n_ranges, 3);
	assert_int_equal(p->ranges[0].line, 32);
	assert_int_equal(p->ranges[0].priority, 200); /* pool's default */
	assert_int_equal(p->ranges[1].line, 33);
	assert_int_equal(p->ranges[1].priority, 100);
	assert_int_equal(p->ranges[2].line, 34);
	assert_int_equal(p->ranges[2].range.first, H("30.0.3.7"));
	assert_int_equal(p->ranges[2].range.last, H("30.0.3.7"));
	assert_int_equal(p->size, 201);
	assert_string_equal(p->group, "g");
	assert_int_equal(p->threshold_low, 60);
	assert_int_equal(p->threshold_high, 80);

	assert_int_equal(c->n_mn_ha, 4);
	assert_int_equal(c->mn_ha[0].key.spi, 0x100);
	assert_int_equal(c->mn_ha[0].key.algo, AUTH_HMAC_MD5);
	assert_int_equal(c->mn_ha[0].key.key_len, 16);
	assert_int_equal(c->mn_ha[0].key.key[15], 0xff);
	assert_int_equal(c->mn_ha[0].replay, REPLAY_TIMESTAMP);
	assert_int_equal(c->mn_ha[0].replay_window, 9); /* HA default */
	assert_int_equal(c->mn_ha[1].key.key_len, 8);
	assert_memory_equal(c->mn_ha[1].key.key, "rollover", 8);
	/* IOS's default algorithm: md5 prefix-suffix */
	assert_int_equal(c->mn_ha[1].key.algo, AUTH_PREFIX_SUFFIX_MD5);
	assert_int_equal(c->mn_ha[1].replay, REPLAY_NONCE);
	assert_int_equal(c->mn_ha[2].match, CONFIG_MATCH_NAI);
	assert_int_equal(c->mn_ha[2].key.spi, 300);
	assert_int_equal(c->mn_ha[2].key.key_len, 2);
	assert_int_equal(c->mn_ha[2].key.algo, AUTH_PREFIX_SUFFIX_MD5);
	assert_int_equal(c->mn_ha[2].replay_window, 3);
	assert_int_equal(c->mn_ha[3].match, CONFIG_MATCH_REALM);
	assert_int_equal(c->n_fa_ha, 1);
	assert_int_equal(c->n_ha_ha, 1);
	assert_int_equal(c->ha_ha[0].key.spi, 0x100);

	assert_int_equal(c->log_target, CONFIG_LOG_SYSLOG);
	assert_int_equal(c->log_facility, LOG_LOCAL3);
	assert_int_equal(c->debug_mask, (1U << LOG_REGISTRATION) |
						(1U << LOG_POOL) |
						(1U << LOG_KERNEL));
	assert_string_equal(c->control_socket, "/run/mipha-test.sock");
	config_free(c);
}

static void test_defaults(void **state)
{
	struct config *c = parse_ok("home-agent { address = 10.0.0.4 }\n");

	(void)state;
	assert_int_equal(c->lifetime, CONFIG_DEFAULT_LIFETIME);
	assert_int_equal(c->max_lifetime, 65535);
	assert_int_equal(c->replay_window, 7);
	assert_int_equal(c->reverse_tunnel, CONFIG_RT_ALLOWED);
	assert_int_equal(c->encap, CONFIG_ENCAP_ANY);
	assert_int_equal(c->log_target, CONFIG_LOG_STDERR);
	assert_int_equal(c->log_facility, LOG_DAEMON);
	assert_int_equal(c->debug_mask, 0);
	assert_string_equal(c->control_socket, "/run/mipha/agentd.sock");
	assert_false(c->redundancy);
	assert_null(c->standby_group);
	assert_int_equal(c->dynamic_addr.s_addr, 0);
	assert_int_equal(config_primary_ha_addr(c).s_addr,
			 A("10.0.0.4").s_addr);
	config_free(c);
}

/* ---- lookups ---------------------------------------------------------- */

#define NAI(s) (const uint8_t *)(s), strlen(s)

static void test_lookups(void **state)
{
	struct config *c = parse_ok(full);
	const struct config_sa *sa;

	(void)state;
	assert_ptr_equal(config_host_by_addr(c, A("20.0.0.2")), &c->hosts[0]);
	assert_ptr_equal(config_host_by_addr(c, A("20.0.0.254")), &c->hosts[0]);
	assert_null(config_host_by_addr(c, A("20.0.0.1")));
	assert_null(config_host_by_addr(c, A("20.0.0.255")));
	assert_ptr_equal(config_host_by_addr(c, A("40.0.0.2")), &c->hosts[1]);
	assert_null(config_host_by_addr(c, A("40.0.0.3")));

	/* exact NAI first, realm case-insensitive, user case-sensitive */
	assert_ptr_equal(config_host_by_nai(c, NAI("alice@EXAMPLE.com")),
			 &c->hosts[1]);
	assert_ptr_equal(config_host_by_nai(c, NAI("Alice@example.com")),
			 &c->hosts[2]);
	assert_ptr_equal(config_host_by_nai(c, NAI("bob@example.com")),
			 &c->hosts[2]);
	assert_null(config_host_by_nai(c, NAI("bob@example.org")));
	assert_null(config_host_by_nai(c, NAI("bob")));
	assert_null(
		config_host_by_nai(c, (const uint8_t *)"a\0@example.com", 14));
	/* not NUL-terminated: only len bytes count */
	assert_ptr_equal(
		config_host_by_nai(c, (const uint8_t *)"alice@example.comXYZ",
				   17),
		&c->hosts[1]);

	/* SAs: by address with the SPI of either of the two equal ranges */
	sa = config_mn_ha_sa(c, A("20.0.0.9"), NULL, 0, 0x100);
	assert_ptr_equal(sa, &c->mn_ha[0]);
	sa = config_mn_ha_sa(c, A("20.0.0.254"), NULL, 0, 0x101);
	assert_ptr_equal(sa, &c->mn_ha[1]);
	assert_null(config_mn_ha_sa(c, A("20.0.0.9"), NULL, 0, 0x102));
	assert_null(config_mn_ha_sa(c, A("20.0.0.1"), NULL, 0, 0x100));
	assert_true(config_has_mn_ha_sa(c, A("20.0.0.9"), NULL, 0));
	assert_false(config_has_mn_ha_sa(c, A("20.0.1.9"), NULL, 0));
	/* NAI: exact (case of the realm folded), then realm */
	sa = config_mn_ha_sa(c, A("0.0.0.0"), NAI("alice@example.com"), 300);
	assert_ptr_equal(sa, &c->mn_ha[2]);
	/*
	 * ... but a node with a key of its own is not authenticated by its
	 * realm's shared key: every other user of the realm holds that one.
	 */
	assert_null(config_mn_ha_sa(c, A("0.0.0.0"), NAI("alice@example.com"),
				    0x200));
	sa = config_mn_ha_sa(c, A("0.0.0.0"), NAI("zed@Example.Com"), 0x200);
	assert_ptr_equal(sa, &c->mn_ha[3]);
	assert_null(
		config_mn_ha_sa(c, A("0.0.0.0"), NAI("zed@example.com"), 300));
	/*
	 * Identity first: an NAI is never authenticated by the SA of the
	 * home address it names (another node's key), known NAI or not.
	 */
	assert_null(config_mn_ha_sa(c, A("20.0.0.3"), NAI("x@y"), 0x100));
	assert_null(config_mn_ha_sa(c, A("20.0.0.3"), NAI("alice@example.com"),
				    0x100));
	assert_null(config_mn_ha_sa(c, A("20.0.0.3"), NAI("bob@example.com"),
				    0x101));

	sa = config_fa_ha_sa(c, A("66.0.0.5"), 0x1000, true);
	assert_ptr_equal(sa, &c->fa_ha[0]);
	assert_null(config_fa_ha_sa(c, A("66.0.0.5"), 0x1001, true));
	assert_ptr_equal(config_fa_ha_sa(c, A("66.0.0.9"), 0, false),
			 &c->fa_ha[0]);
	assert_null(config_fa_ha_sa(c, A("66.0.0.10"), 0, false));
	assert_ptr_equal(config_ha_ha_sa(c, A("1.0.0.2"), 0x100, true),
			 &c->ha_ha[0]);

	assert_true(config_is_ha_addr(c, A("1.0.0.10")));
	assert_true(config_is_ha_addr(c, A("10.0.0.10")));
	assert_true(config_is_ha_addr(c, A("20.0.0.1")));
	assert_false(config_is_ha_addr(c, A("1.0.0.1")));
	assert_int_equal(config_primary_ha_addr(c).s_addr,
			 A("1.0.0.10").s_addr);
	assert_ptr_equal(config_pool_by_name(c, "p1"), &c->pools[0]);
	assert_null(config_pool_by_name(c, "p2"));
	assert_ptr_equal(config_vnet_by_addr(c, A("30.0.200.1")), &c->vnets[1]);
	assert_null(config_vnet_by_addr(c, A("30.1.0.1")));
	config_free(c);
}

/*
 * An NAI host's static address may have an address SA: it authenticates
 * that NAI asking for that address, and nothing else.
 */
static void test_static_address_sa(void **state)
{
	struct config *c = parse_ok(
		"home-agent { address = 10.0.0.4 }\n"
		"home-link \"eth0\" {}\n"
		"host \"nai carol@example.net\" {\n"
		"interface = eth0\nstatic-address = { 20.0.0.7, 20.0.0.8 } }\n"
		"host \"20.0.0.9 20.0.0.20\" { interface = eth0 }\n"
		"secure-host \"20.0.0.7 20.0.0.8\" { spi = 0x100\nkey = \"aa\" }\n"
		"secure-host \"20.0.0.9 20.0.0.20\" { spi = 0x101\nkey = \"bb\" }\n");

	(void)state;
	assert_ptr_equal(config_mn_ha_sa(c, A("20.0.0.8"),
					 NAI("carol@example.net"), 0x100),
			 &c->mn_ha[0]);
	/* the address SA of another host, whatever address is named */
	assert_null(config_mn_ha_sa(c, A("20.0.0.9"), NAI("carol@example.net"),
				    0x101));
	assert_null(config_mn_ha_sa(c, A("20.0.0.9"), NAI("carol@example.net"),
				    0x100));
	/* an NAI-less request for carol's static address: not by config
	 * lookup of the SA alone (reg_config refuses the host), but an
	 * address SA spanning carol's address and another host's never
	 * authenticates carol */
	assert_null(config_mn_ha_sa(c, A("20.0.0.7"), NAI("carol@example.net"),
				    0x101));
	/* another NAI naming carol's address */
	assert_null(config_mn_ha_sa(c, A("20.0.0.8"), NAI("dave@example.net"),
				    0x100));
	assert_ptr_equal(config_mn_ha_sa(c, A("20.0.0.9"), NULL, 0, 0x101),
			 &c->mn_ha[1]);
	config_free(c);
}

/*
 * An NAI host whose own key is an address SA of its static address: a
 * realm key of its realm does not act for it (every user of the realm holds
 * that one), its own key does.
 */
static void test_static_address_sa_beats_realm(void **state)
{
	struct config *c = parse_ok(
		"home-agent { address = 10.0.0.4 }\n"
		"home-link \"eth0\" {}\n"
		"pool \"p\" { range = \"20.0.1.1 20.0.1.9\" }\n"
		"host \"nai dave@example.com\" {\n"
		"interface = eth0\nstatic-address = 20.0.0.30 }\n"
		"host \"nai @example.com\" { interface = eth0\npool = p }\n"
		"secure-host \"20.0.0.30\" { spi = 0x130\nkey = \"aa\" }\n"
		"secure-host \"nai @example.com\" { spi = 0x401\nkey = \"bb\" }\n");

	(void)state;
	assert_ptr_equal(config_mn_ha_sa(c, A("20.0.0.30"),
					 NAI("dave@example.com"), 0x130),
			 &c->mn_ha[0]);
	assert_null(config_mn_ha_sa(c, A("20.0.0.30"), NAI("dave@example.com"),
				    0x401));
	assert_null(config_mn_ha_sa(c, A("0.0.0.0"), NAI("dave@example.com"),
				    0x401));
	/* other users of the realm: the realm key */
	assert_ptr_equal(config_mn_ha_sa(c, A("0.0.0.0"),
					 NAI("eve@example.com"), 0x401),
			 &c->mn_ha[1]);
	config_free(c);
}

/*
 * An address SA shared by a range is not an NAI's key: an NAI host whose
 * only SA is such a range has none (refused at load, as a host without
 * an SA).
 */
static void test_static_address_wide_sa(void **state)
{
	char text[] =
		"home-agent { address = 10.0.0.4 }\n"
		"home-link \"eth0\" {}\n"
		"host \"nai carol@example.net\" {\n"
		"interface = eth0\nstatic-address = 20.0.0.7 }\n"
		"host \"20.0.0.8 20.0.0.20\" { interface = eth0 }\n"
		"secure-host \"20.0.0.7 20.0.0.20\" { spi = 0x100\nkey = \"aa\" }\n";
	struct config *c;
	char err[256];

	(void)state;
	assert_int_equal(config_parse_text("t.conf", text, strlen(text), &c,
					   err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "no MN-HA security association"));
}

/* Many hosts and SAs: the sorted indexes agree with a linear search. */
static void test_lookup_many(void **state)
{
	size_t cap = 1 << 20, len = 0, i;
	char *text = malloc(cap);
	struct config *c;

	(void)state;
	assert_non_null(text);
	len += snprintf(text + len, cap - len,
			"home-agent { address = 10.0.0.4 }\n"
			"home-link \"eth0\" {}\n");
	for (i = 0; i < 2000; i++) {
		/* hosts of 5 addresses, every other block left out */
		uint32_t first = H("20.0.0.0") + 10 * i;
		struct in_addr a = { htonl(first) }, b = { htonl(first + 4) };
		char x[16], y[16];

		inet_ntop(AF_INET, &a, x, sizeof(x));
		inet_ntop(AF_INET, &b, y, sizeof(y));
		len += snprintf(text + len, cap - len,
				"host \"%s %s\" { interface = eth0 }\n"
				"secure-host \"%s %s\" { spi = %zu\n"
				"key = \"00112233\" }\n",
				x, y, x, y, 256 + i);
		len += snprintf(
			text + len, cap - len,
			"host \"nai u%zu@r%zu.example\" {\n"
			"interface = eth0\nstatic-address = 30.%zu.%zu.1 }\n"
			"secure-host \"nai u%zu@r%zu.example\" {\n"
			"spi = 0x100\nkey = \"aa\" }\n",
			i, i % 7, i / 256, i % 256, i, i % 7);
	}
	c = parse_ok(text);
	for (i = 0; i < 2000; i++) {
		uint32_t first = H("20.0.0.0") + 10 * i;
		struct in_addr in = { htonl(first + 2) },
			       out = { htonl(first + 7) };
		char nai[64];

		assert_ptr_equal(config_host_by_addr(c, in), &c->hosts[2 * i]);
		assert_null(config_host_by_addr(c, out));
		assert_ptr_equal(config_mn_ha_sa(c, in, NULL, 0, 256 + i),
				 &c->mn_ha[2 * i]);
		assert_null(config_mn_ha_sa(c, in, NULL, 0, 257 + i));
		snprintf(nai, sizeof(nai), "u%zu@R%zu.EXAMPLE", i, i % 7);
		assert_ptr_equal(config_host_by_nai(c, NAI(nai)),
				 &c->hosts[2 * i + 1]);
		assert_ptr_equal(config_mn_ha_sa(c, in, NAI(nai), 0x100),
				 &c->mn_ha[2 * i + 1]);
	}
	config_free(c);
	free(text);
}

/* ---- key files -------------------------------------------------------- */

static void write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
}

static void test_key_file(void **state)
{
	char dir[] = "/tmp/mipha-config-XXXXXX", key[64], text[512],
	     expect[512];
	struct config *c;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(key, sizeof(key), "%s/mn.key", dir);
	write_file(key, "  000102030405060708090a0b0c0d0e0f\n", 0600);
	snprintf(text, sizeof(text),
		 "home-agent { address = 10.0.0.4 }\n"
		 "secure-host \"20.0.0.1\" {\n"
		 "\tspi = 0x100\n"
		 "\tkey-file = \"%s\"\n"
		 "}\n",
		 key);
	c = parse_ok(text);
	assert_int_equal(c->mn_ha[0].key.key_len, 16);
	assert_int_equal(c->mn_ha[0].key.key[0], 0);
	assert_int_equal(c->mn_ha[0].key.key[15], 15);
	config_free(c);

	/* readable by the group: refused, at the key-file line */
	assert_int_equal(chmod(key, 0640), 0);
	snprintf(expect, sizeof(expect),
		 "t.conf:4: key-file %s: group or others have access (mode "
		 "0640); chmod 600 it",
		 key);
	parse_bad(text, expect);
	assert_int_equal(chmod(key, 0604), 0);
	snprintf(expect, sizeof(expect),
		 "t.conf:4: key-file %s: group or others have access (mode "
		 "0604); chmod 600 it",
		 key);
	parse_bad(text, expect);

	/* not hex */
	write_file(key, "00 11\n", 0600);
	snprintf(expect, sizeof(expect),
		 "t.conf:4: key-file %s: key must be hex digits", key);
	parse_bad(text, expect);
	/* missing */
	unlink(key);
	snprintf(expect, sizeof(expect),
		 "t.conf:4: key-file %s: No such file or directory", key);
	parse_bad(text, expect);
	/* relative path */
	parse_bad("home-agent { address = 10.0.0.4 }\n"
		  "secure-host \"20.0.0.1\" {\n"
		  "\tspi = 0x100\n"
		  "\tkey-file = keys/mn.key\n"
		  "}\n",
		  "t.conf:4: key-file keys/mn.key: not an absolute path");
	/* a directory */
	snprintf(text, sizeof(text),
		 "home-agent { address = 10.0.0.4 }\n"
		 "secure-host \"20.0.0.1\" { spi = 0x100\n"
		 "key-file = \"%s\" }\n",
		 dir);
	snprintf(expect, sizeof(expect),
		 "t.conf:3: key-file %s: not a regular file", dir);
	parse_bad(text, expect);
	rmdir(dir);
}

/* ---- bad files -------------------------------------------------------- */

static const struct {
	const char *file;
	const char *err;
} bad_files[] = {
#include "conf/bad-files.inc"
};

static void test_bad_files(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad_files) / sizeof(bad_files[0]); i++) {
		struct config *c = (struct config *)1;
		char err[512];
		int ret = config_load(bad_files[i].file, &c, err, sizeof(err));

		if (ret != -EINVAL || strcmp(err, bad_files[i].err))
			fail_msg("%s: got %d \"%s\"\n  expected \"%s\"",
				 bad_files[i].file, ret, err, bad_files[i].err);
		assert_null(c);
	}
}

/* Every bad file is in the table (a new file without an expectation
 * would otherwise be silently unused). */
static void test_bad_files_listed(void **state)
{
	glob_t g;
	size_t i, j;

	(void)state;
	assert_int_equal(glob("tests/conf/bad-*.conf", 0, NULL, &g), 0);
	assert_int_equal(g.gl_pathc, sizeof(bad_files) / sizeof(bad_files[0]));
	for (i = 0; i < g.gl_pathc; i++) {
		for (j = 0; j < g.gl_pathc; j++)
			if (!strcmp(g.gl_pathv[i], bad_files[j].file))
				break;
		if (j == g.gl_pathc)
			fail_msg("%s has no expected error", g.gl_pathv[i]);
	}
	globfree(&g);
}

static void test_bad_text(void **state)
{
	char err[256];
	struct config *c;
	char buf[] = "home-agent {\n\taddress = 10.0.0.4\n\x00}\n";
	int ret;

	(void)state;
	ret = config_parse_text("nul.conf", buf, sizeof(buf) - 1, &c, err,
				sizeof(err));
	assert_int_equal(ret, -EINVAL);
	assert_string_equal(err, "nul.conf:3: NUL byte in the file");

	parse_bad("home-agent { address = 10.0.0.4 }\n/* open\n\n",
		  "t.conf:2: unterminated comment");
	/* a '//' inside a word is not a comment; '#' always is */
	c = parse_ok("home-agent { address = 10.0.0.4 }\n"
		     "control-socket = /run//mipha.sock#x\n");
	assert_string_equal(c->control_socket, "/run//mipha.sock");
	config_free(c);
	/* a '#' inside a string is not a comment */
	c = parse_ok("home-agent { address = 10.0.0.4 }\n"
		     "control-socket = \"/run/#mipha.sock\"\n");
	assert_string_equal(c->control_socket, "/run/#mipha.sock");
	config_free(c);
	parse_bad("home-agent { address = \"10.0.0.4\" \n lifetime = 0 }\n",
		  "t.conf:2: lifetime: '0' is not a number in 1-65535");
	ret = config_load("tests/conf/no-such-file.conf", &c, err, sizeof(err));
	assert_int_equal(ret, -ENOENT);
	assert_string_equal(err, "tests/conf/no-such-file.conf: No such file "
				 "or directory");
	assert_null(c);
	/* truncated error buffer: still NUL-terminated */
	ret = config_load("tests/conf/bad-address.conf", &c, err, 12);
	assert_int_equal(ret, -EINVAL);
	assert_int_equal(strlen(err), 11);
}

/* ---- reload ----------------------------------------------------------- */

static const char base[] =
	"home-agent { address = 10.0.0.4 }\n"
	"home-link \"eth0\" {}\n"
	"host \"20.0.0.1 20.0.0.9\" { interface = eth0 }\n"
	"secure-host \"20.0.0.1 20.0.0.9\" { spi = 0x100 key = \"aa\" }\n"
	"pool \"p\" { range = \"30.0.0.1 30.0.0.9\" }\n";

static void diff(const char *extra_old, const char *extra_new,
		 struct config_diff *d)
{
	char a[2048], b[2048];
	struct config *o, *n;

	snprintf(a, sizeof(a), "%s%s", base, extra_old);
	snprintf(b, sizeof(b), "%s%s", base, extra_new);
	o = parse_ok(a);
	n = parse_ok(b);
	config_diff(o, n, d);
	config_free(o);
	config_free(n);
}

static void test_diff(void **state)
{
	struct config_diff d;

	(void)state;
	diff("", "", &d);
	assert_int_equal(d.changes, 0);
	assert_true(d.live_ok);
	assert_string_equal(d.reason, "");

	/* live: a host (and its SA), a pool, a range, lifetimes, log */
	diff("",
	     "host \"20.0.1.1\" { interface = eth0 }\n"
	     "secure-host \"20.0.1.1\" { spi = 0x100 key = \"bb\" }\n",
	     &d);
	assert_true(d.live_ok);
	assert_int_equal(d.changes, CONFIG_CHG_HOSTS | CONFIG_CHG_SAS);
	diff("", "pool \"q\" { range = \"30.0.1.1 30.0.1.9\" }\n", &d);
	assert_true(d.live_ok);
	assert_int_equal(d.changes, CONFIG_CHG_POOLS);
	diff("", "log { debug = pool }\n", &d);
	assert_true(d.live_ok);
	assert_int_equal(d.changes, CONFIG_CHG_LOG);
	diff("secure-host \"20.0.1.1\" { spi = 0x100 key = \"bb\" }\n",
	     "secure-host \"20.0.1.1\" { spi = 0x100 key = \"bc\" }\n", &d);
	assert_true(d.live_ok);
	assert_int_equal(d.changes, CONFIG_CHG_SAS);
	diff("virtual-network \"40.0.0.0/8\" {}\n", "", &d);
	assert_true(d.live_ok);
	assert_int_equal(d.changes, CONFIG_CHG_VNETS);

	/* not live, with the reason */
	diff("", "home-agent { address += 10.0.0.5 }\n", &d);
	assert_false(d.live_ok);
	assert_int_equal(d.changes, CONFIG_CHG_HA_ADDRS);
	assert_string_equal(d.reason, "home-agent addresses changed (the "
				      "registration sockets are bound at "
				      "start)");
	diff("", "control-socket = /run/x.sock\n", &d);
	assert_false(d.live_ok);
	assert_int_equal(d.changes, CONFIG_CHG_SOCKET);
	diff("pool \"q\" { range = \"30.0.1.1 30.0.1.9\" }\n", "", &d);
	assert_false(d.live_ok);
	assert_true(d.changes & CONFIG_CHG_POOL_REMOVED);
	assert_string_equal(d.reason, "pool q or one of its ranges removed "
				      "(addresses may be in use)");
	diff("pool \"q\" { range = \"30.0.1.1 30.0.1.9\" }\n",
	     "pool \"q\" { range = \"30.0.1.1 30.0.1.8\" }\n", &d);
	assert_false(d.live_ok);
	/* two refusals are both named */
	diff("",
	     "home-agent { dynamic-address = 10.0.0.4 }\n"
	     "control-socket = /run/x.sock\n",
	     &d);
	assert_false(d.live_ok);
	assert_non_null(strstr(d.reason, "dynamic-address changed"));
	assert_non_null(strstr(d.reason, "; control-socket changed"));
}

/*
 * Reload rules per section: each section names what it changes live, and
 * what it no longer configures is visible to the daemon, which must undo
 * it in the kernel (a home link gone: proxy ARP off; a virtual network
 * gone: its route; a pool gone: refused, the bindings untouched).
 */
static void test_diff_sections(void **state)
{
	static const char links[] = "home-link \"eth1\" {}\n"
				    "home-link \"eth2\" { proxy-arp = off }\n";
	char a[2048], b[2048];
	struct config_diff d;
	struct config *o, *n;

	(void)state;
	diff("",
	     "host \"20.0.1.1\" { interface = eth0 }\n"
	     "secure-host \"20.0.1.1\" { spi = 0x100 key = \"bb\" }\n"
	     "log { debug = pool }\n",
	     &d);
	assert_true(d.live_ok);
	assert_string_equal(d.live, "hosts, security associations, logging");
	assert_string_equal(d.reason, "");

	/* A home link removed: live, and the daemon learns which. */
	snprintf(a, sizeof(a), "%s%s", base, links);
	snprintf(b, sizeof(b), "%shome-link \"eth2\" {}\n", base);
	o = parse_ok(a);
	n = parse_ok(b);
	config_diff(o, n, &d);
	assert_true(d.live_ok);
	assert_int_equal(d.changes, CONFIG_CHG_LINKS);
	assert_string_equal(d.live, "home links");
	assert_int_equal(o->n_links, 3);
	assert_false(config_link_gone(o, n, 0)); /* eth0 */
	assert_true(config_link_gone(o, n, 1));	 /* eth1 */
	assert_false(config_link_gone(o, n, 2)); /* eth2, proxy-arp changed */
	assert_false(config_link_gone(o, n, 3)); /* out of range */
	assert_non_null(config_link_by_name(n, "eth2"));
	assert_true(config_link_by_name(n, "eth2")->proxy_arp);
	assert_null(config_link_by_name(n, "eth1"));
	config_free(o);
	config_free(n);

	/* A virtual network removed: live (its route goes). */
	diff("virtual-network \"40.0.0.0/8\" {}\n"
	     "virtual-network \"41.0.0.0/8\" {}\n",
	     "virtual-network \"41.0.0.0/8\" {}\n", &d);
	assert_true(d.live_ok);
	assert_int_equal(d.changes, CONFIG_CHG_VNETS);
	assert_string_equal(d.live, "virtual networks");

	/* A pool removed beside live changes: refused, named, and the
	 * live part is not half-applied (the verdict is for the whole). */
	diff("pool \"q\" { range = \"30.0.1.1 30.0.1.9\" }\n",
	     "log { debug = pool }\n", &d);
	assert_false(d.live_ok);
	assert_int_equal(d.changes, CONFIG_CHG_POOL_REMOVED | CONFIG_CHG_POOLS |
					    CONFIG_CHG_LOG);
	assert_string_equal(d.reason, "pool q or one of its ranges removed "
				      "(addresses may be in use)");
}

/*
 * A section's own state (what a new section keeps instead of fields of
 * struct config): one slot per registered section, none for a section
 * that is not in the table.
 */
extern const struct config_section config_home_agent_section,
	config_vnet_section, config_link_section, config_pool_section,
	config_host_section, config_sa_section, config_daemon_section;

static void test_section_data(void **state)
{
	static const struct config_section stranger = { .name = "stranger" };
	const struct config_section *const secs[] = {
		&config_home_agent_section, &config_vnet_section,
		&config_link_section,	    &config_pool_section,
		&config_host_section,	    &config_sa_section,
		&config_daemon_section,
	};
	struct config *c = parse_ok(base);
	void **slot[7];
	size_t i, j;

	(void)state;
	for (i = 0; i < 7; i++) {
		slot[i] = config_section_data(c, secs[i]);
		assert_non_null(slot[i]);
		assert_null(*slot[i]);
		for (j = 0; j < i; j++)
			assert_ptr_not_equal(slot[i], slot[j]);
	}
	assert_null(config_section_data(c, &stranger));
	config_free(c);
}

/*
 * Key text does not outlive the parse: the text buffer is cleansed, and
 * so are libconfuse's copies of key and key-ascii values before cfg_free(),
 * on success and on failure alike.
 */
static void test_key_text_cleansed(void **state)
{
	static const char hex[] = "00112233445566778899aabbccddeeff";
	static const char ascii[] = "s3cret-ascii-key";
	static const char good[] =
		"home-agent { address = 10.0.0.4 }\n"
		"home-link \"eth1\" {}\n"
		"host \"20.0.0.1 20.0.0.2\" { interface = eth1 }\n"
		"secure-host \"20.0.0.1\" {\n"
		"\tspi = 0x100\n"
		"\tkey = \"00112233445566778899aabbccddeeff\" # a comment\n"
		"}\n"
		"secure-host \"20.0.0.2\" {\n"
		"\tspi = 0x100\n"
		"\tkey-ascii = \"s3cret-ascii-key\"\n"
		"}\n"
		"secure-foreign-agent \"30.0.0.1\" {\n"
		"\tspi = 0x200\n"
		"\tkey = 00112233445566778899aabbccddeeff\n"
		"}\n";
	/* The same, then a syntax error: the parse fails half-way. */
	char bad[sizeof(good) + 16];
	size_t len = sizeof(good) - 1, i;
	struct config *c;
	char *buf, err[256];

	(void)state;
	buf = malloc(len + 1);
	assert_non_null(buf);
	memcpy(buf, good, len);
	keys_seen = keys_uncleansed = 0;
	assert_int_equal(
		config_parse_text("k.conf", buf, len, &c, err, sizeof(err)), 0);
	assert_non_null(c);
	assert_null(memmem(buf, len, hex, strlen(hex)));
	assert_null(memmem(buf, len, ascii, strlen(ascii)));
	for (i = 0; i <= len; i++)
		assert_int_equal(buf[i], 0);
	assert_int_equal(keys_seen, 3);
	assert_int_equal(keys_uncleansed, 0);
	/* The keys themselves were loaded. */
	assert_int_equal(c->n_mn_ha, 2);
	assert_int_equal(c->n_fa_ha, 1);
	assert_int_equal(c->mn_ha[1].key.key_len, strlen(ascii));
	assert_memory_equal(c->mn_ha[1].key.key, ascii, strlen(ascii));
	config_free(c);
	free(buf);

	snprintf(bad, sizeof(bad), "%s}}\n", good);
	len = strlen(bad);
	keys_seen = keys_uncleansed = 0;
	assert_int_equal(config_parse_text("k.conf", bad, len, &c, err,
					   sizeof(err)),
			 -EINVAL);
	assert_null(c);
	assert_null(memmem(bad, len, hex, strlen(hex)));
	assert_null(memmem(bad, len, ascii, strlen(ascii)));
	assert_int_equal(keys_seen, 3);
	assert_int_equal(keys_uncleansed, 0);
}

/* ---- standby ---------------------------------------------------------- */

#define HA_SB "home-agent { standby = g1 }\n"

static void test_standby(void **state)
{
	struct config *c, *d;
	const struct config_standby_group *g, *f;
	struct config_diff diff;

	(void)state;
	c = parse_ok(HA_SB "standby \"g1\" {\n"
			   "\tinterface = eth0\n"
			   "\tgroup = 4000\n"
			   "\tversion = 2\n"
			   "\tip = 10.0.0.4\n"
			   "\tpriority = 110\n"
			   "\tpreempt = yes\n"
			   "\tpreempt-delay-minimum = 30\n"
			   "\tpreempt-delay-reload = 60\n"
			   "\tpreempt-delay-sync = 100\n"
			   "\ttimers = \"msec 100 msec 300\"\n"
			   "\tauthentication-md5 = \"secret\"\n"
			   "\tauthentication-md5-key-id = 7\n"
			   "\ttrack = { \"eth1 20\", eth2 }\n"
			   "\tmac-address = 0200.0000.0001\n"
			   "}\n"
			   "standby \"g2\" { interface = eth0\n group = 5\n"
			   " follow = g1\n use-bia = yes\n ip = 10.0.0.9\n"
			   " authentication = \"mipha\" }\n");
	g = config_standby_by_name(c, "g1");
	assert_non_null(g);
	assert_string_equal(g->ifname, "eth0");
	assert_int_equal(g->version, 2);
	assert_int_equal(g->group, 4000);
	assert_int_equal(g->priority, 110);
	assert_true(g->preempt);
	assert_int_equal(g->preempt_min_ms, 30000);
	assert_int_equal(g->preempt_reload_ms, 60000);
	assert_int_equal(g->preempt_sync_ms, 100000);
	assert_int_equal(g->hello_ms, 100);
	assert_int_equal(g->hold_ms, 300);
	assert_true(g->has_md5);
	assert_int_equal(g->md5.key_len, 6);
	assert_memory_equal(g->md5.key, "secret", 6);
	assert_int_equal(g->md5_key_id, 7);
	assert_int_equal(g->n_tracks, 2);
	assert_string_equal(g->tracks[0].ifname, "eth1");
	assert_int_equal(g->tracks[0].decrement, 20);
	assert_int_equal(g->tracks[1].decrement, 10);
	assert_true(g->has_mac);
	assert_int_equal(g->mac[0], 2);
	assert_int_equal(g->mac[5], 1);
	/* The group's address is a home-agent address. */
	assert_true(config_is_ha_addr(c, A("10.0.0.4")));
	f = config_standby_by_name(c, "g2");
	assert_string_equal(f->follow, "g1");
	assert_true(f->use_bia);
	assert_int_equal(f->version, 1);
	assert_int_equal(f->priority, 100);
	assert_memory_equal(f->text, "mipha\0\0\0", 8);
	assert_int_equal(f->hello_ms, 0); /* learned */

	/* Priority changes live, the address does not. */
	d = parse_ok(HA_SB "standby \"g1\" { interface = eth0\n"
			   "ip = 10.0.0.4\n priority = 90 }\n");
	config_free(c);
	c = parse_ok(HA_SB "standby \"g1\" { interface = eth0\n"
			   "ip = 10.0.0.4 }\n");
	config_diff(c, d, &diff);
	assert_true(diff.live_ok);
	assert_non_null(strstr(diff.live, "standby"));
	config_free(d);
	d = parse_ok(HA_SB "standby \"g1\" { interface = eth0\n"
			   "ip = 10.0.0.5 }\n");
	config_diff(c, d, &diff);
	assert_false(diff.live_ok);
	assert_non_null(strstr(diff.reason, "standby \"g1\""));
	config_free(d);
	config_free(c);
	/* The default text is RFC 2281's. */
	c = parse_ok(HA_SB "standby \"g1\" { interface = eth0\n"
			   "ip = 10.0.0.4 }\n");
	assert_memory_equal(config_standby_by_name(c, "g1")->text,
			    "cisco\0\0\0", 8);
	config_free(c);
}

static void test_standby_errors(void **state)
{
	(void)state;
	parse_bad(HA_SB "standby \"g1\" {\n ip = 10.0.0.4\n}\n",
		  "t.conf:2: standby \"g1\": needs interface = IFNAME");
	parse_bad(HA_SB "standby \"g1\" { interface = eth0\n ip = 10.0.0.4\n"
			"timers = \"msec 100 msec 300\"\n}\n",
		  "t.conf:4: timers \"msec 100 msec 300\": version 1 carries "
		  "whole seconds (use version 2 for msec)");
	parse_bad(HA_SB "standby \"g1\" { interface = eth0\n ip = 10.0.0.4\n"
			"timers = \"3 3\"\n}\n",
		  "t.conf:4: timers \"3 3\": the hold time must be longer "
		  "than the hello time");
	parse_bad(HA_SB "standby \"g1\" { interface = eth0\n ip = 10.0.0.4\n"
			"group = 256\n}\n",
		  "t.conf:4: group: '256' is not a number in 0-255");
	parse_bad(HA_SB "standby \"g1\" { interface = eth0\n ip = 10.0.0.4\n"
			"priority = 0\n}\n",
		  "t.conf:4: priority: '0' is not a number in 1-255");
	parse_bad(HA_SB "standby \"g1\" { interface = eth0\n ip = 10.0.0.4\n"
			"authentication = x\n authentication-md5 = y\n}\n",
		  "t.conf:2: standby \"g1\": one of authentication, "
		  "authentication-md5, authentication-md5-key-file");
	parse_bad(HA_SB "standby \"g1\" { interface = eth0\n ip = 10.0.0.4\n"
			"authentication = \"123456789\"\n}\n",
		  "t.conf:4: authentication: 1-8 characters");
	parse_bad(HA_SB "standby \"g1\" { interface = eth0\n ip = 10.0.0.4\n"
			"mac-address = 0100.5e00.0001\n}\n",
		  "t.conf:4: mac-address 0100.5e00.0001: not a unicast MAC "
		  "address");
	parse_bad(HA_SB "standby \"g1\" { interface = eth0\n ip = 10.0.0.4\n"
			"track = \"eth1 300\"\n}\n",
		  "t.conf:4: track eth1: the decrement is 1-255");
	parse_bad(HA_SB "standby \"g1\" { interface = eth0\n ip = 10.0.0.4\n"
			"follow = g9\n}\n",
		  "t.conf:2: standby \"g1\": follow \"g9\": no such group "
		  "leading its own election");
	parse_bad(HA_SB
		  "standby \"g1\" { interface = eth0\n ip = 10.0.0.4\n}\n"
		  "standby \"g2\" { interface = eth0\n ip = 10.0.0.5\n}\n",
		  "t.conf:5: standby \"g2\": group 0 version 1 on eth0 is "
		  "standby \"g1\" already");
	parse_bad(HA_SB "standby \"g1\" { interface = eth0\n ip = 10.0.0.4\n"
			"notify = relative/hook\n}\n",
		  "t.conf:4: notify relative/hook: not an absolute path");
	parse_bad("home-agent { standby = nope }\n",
		  "t.conf:1: home-agent standby \"nope\": no standby group of "
		  "that name with an ip");
	parse_bad(
		HA_SB "standby \"-g\" { interface = eth0 }\n",
		"t.conf:2: standby: a group name is 1-64 of A-Z a-z 0-9 . _ - "
		"(not first)");
	parse_bad(HA_SB "standby \"g1\" { interface = eth0\n ip = 10.0.0.4\n}\n"
			"standby \"f\" { interface = eth0\n group = 2\n"
			"follow = g1\n}\n",
		  "t.conf:5: standby \"f\": a follow group needs its own ip");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_examples_load),
		cmocka_unit_test(test_full_file),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_lookups),
		cmocka_unit_test(test_static_address_sa),
		cmocka_unit_test(test_static_address_wide_sa),
		cmocka_unit_test(test_static_address_sa_beats_realm),
		cmocka_unit_test(test_lookup_many),
		cmocka_unit_test(test_key_file),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_bad_files_listed),
		cmocka_unit_test(test_bad_text),
		cmocka_unit_test(test_diff),
		cmocka_unit_test(test_diff_sections),
		cmocka_unit_test(test_section_data),
		cmocka_unit_test(test_key_text_cleansed),
		cmocka_unit_test(test_standby),
		cmocka_unit_test(test_standby_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
