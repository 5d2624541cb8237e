// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of miphactl's argument parsing, dispatch and output, with the
 * kernel left out (dry run) and output captured in memory.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "ctl.h"

static struct in_addr ip(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a;
}

/* A ctl that parses only, writing into memory. */
struct fixture {
	struct ctl c;
	char *out, *err;
	size_t out_len, err_len;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	ctl_init(&f->c);
	f->c.dry_run = true;
	f->c.out = open_memstream(&f->out, &f->out_len);
	f->c.errf = open_memstream(&f->err, &f->err_len);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	fclose(f->c.out);
	fclose(f->c.errf);
	free(f->out);
	free(f->err);
	ctl_fini(&f->c);
	free(f);
	return 0;
}

static const char *out_of(struct fixture *f)
{
	fflush(f->c.out);
	return f->out;
}

/* Split a command written as one string and run it through ctl_run(). */
static int run(struct fixture *f, const char *cmd)
{
	char line[1024], *argv[CTL_ARGS_MAX + 1];
	int argc;

	snprintf(line, sizeof(line), "%s", cmd);
	assert_int_equal(ctl_split_line(line, argv, CTL_ARGS_MAX, &argc), 0);
	return ctl_run(&f->c, argc, argv);
}

static int parse_add(struct fixture *f, const char *args,
		     struct binding_args *a)
{
	char line[4096], *argv[CTL_ARGS_MAX + 1];
	int argc;

	snprintf(line, sizeof(line), "%s", args);
	assert_int_equal(ctl_split_line(line, argv, CTL_ARGS_MAX, &argc), 0);
	f->c.err[0] = '\0';
	return binding_parse_args(&f->c, "add", argc, argv, a);
}

static void test_parse_ipv4(void **state)
{
	struct in_addr a;

	(void)state;
	assert_true(parse_ipv4("10.0.0.1", &a));
	assert_int_equal(a.s_addr, htonl(0x0a000001));
	assert_true(parse_ipv4("255.255.255.255", &a));
	/* inet_aton's shorthands and anything loose are refused. */
	assert_false(parse_ipv4("10.1", &a));
	assert_false(parse_ipv4("10", &a));
	assert_false(parse_ipv4("256.0.0.1", &a));
	assert_false(parse_ipv4("1.2.3.4.5", &a));
	assert_false(parse_ipv4("1.2.3.4 ", &a));
	assert_false(parse_ipv4(" 1.2.3.4", &a));
	assert_false(parse_ipv4("0x0a.0.0.1", &a));
	assert_false(parse_ipv4("", &a));
	assert_false(parse_ipv4("coa", &a));
	assert_false(parse_ipv4("::1", &a));
}

static void test_parse_u32(void **state)
{
	uint32_t v;

	(void)state;
	assert_true(parse_u32("0", &v));
	assert_int_equal(v, 0);
	assert_true(parse_u32("4294967295", &v));
	assert_int_equal(v, UINT32_MAX);
	assert_true(parse_u32("0x10", &v));
	assert_int_equal(v, 16);
	assert_true(parse_u32("0XfF", &v));
	assert_int_equal(v, 255);
	assert_false(parse_u32("4294967296", &v));
	assert_false(parse_u32("99999999999999999999999", &v));
	assert_false(parse_u32("-1", &v));
	assert_false(parse_u32("+1", &v));
	assert_false(parse_u32(" 1", &v));
	assert_false(parse_u32("12a", &v));
	assert_false(parse_u32("", &v));
	assert_false(parse_u32("0x", &v));
	assert_false(parse_u32("0x-1", &v));
}

static void test_parse_lifetime(void **state)
{
	uint32_t v;

	(void)state;
	assert_true(parse_lifetime("1", &v));
	assert_int_equal(v, 1);
	assert_true(parse_lifetime("31536000", &v));
	assert_int_equal(v, MIPHA_LIFETIME_MAX);
	assert_true(parse_lifetime("infinite", &v));
	assert_int_equal(v, 0);
	assert_false(parse_lifetime("0", &v));
	assert_false(parse_lifetime("31536001", &v));
	assert_false(parse_lifetime("-5", &v));
	assert_false(parse_lifetime("1h", &v));
	assert_false(parse_lifetime("", &v));
}

static void test_parse_hex(void **state)
{
	uint8_t buf[MIPHA_COOKIE_MAX];
	char big[2 * MIPHA_COOKIE_MAX + 3];
	size_t len;

	(void)state;
	assert_true(parse_hex("0a0b0c", buf, sizeof(buf), &len));
	assert_int_equal(len, 3);
	assert_memory_equal(buf, "\x0a\x0b\x0c", 3);
	assert_true(parse_hex("0xDEadBEef", buf, sizeof(buf), &len));
	assert_int_equal(len, 4);
	assert_memory_equal(buf, "\xde\xad\xbe\xef", 4);
	assert_false(parse_hex("abc", buf, sizeof(buf), &len));
	assert_false(parse_hex("zz", buf, sizeof(buf), &len));
	assert_false(parse_hex("0g", buf, sizeof(buf), &len));
	assert_false(parse_hex("", buf, sizeof(buf), &len));
	assert_false(parse_hex("0x", buf, sizeof(buf), &len));
	assert_false(parse_hex("0a 0b", buf, sizeof(buf), &len));

	memset(big, 'f', 2 * MIPHA_COOKIE_MAX);
	big[2 * MIPHA_COOKIE_MAX] = '\0';
	assert_true(parse_hex(big, buf, sizeof(buf), &len));
	assert_int_equal(len, MIPHA_COOKIE_MAX);
	strcpy(big + 2 * MIPHA_COOKIE_MAX, "ff");
	assert_false(parse_hex(big, buf, sizeof(buf), &len));
}

static void test_parse_link(void **state)
{
	uint32_t idx;

	(void)state;
	assert_true(parse_link("lo", &idx));
	assert_int_equal(idx, if_nametoindex("lo"));
	assert_false(parse_link("nosuchdev0", &idx));
	assert_false(parse_link("", &idx));
	assert_false(parse_link("a-name-longer-than-ifnamsiz", &idx));
}

static void test_add_args_full(void **state)
{
	struct fixture *f = *state;
	struct binding_args a;

	assert_int_equal(
		parse_add(f,
			  "20.0.0.1 coa 68.0.0.31 ha 66.0.0.5 encap gre "
			  "key 100 lifetime 10000 reverse-tunnel "
			  "broadcast link lo cookie 0a0b0c",
			  &a),
		CTL_OK);
	assert_int_equal(a.b.home_addr.s_addr, ip("20.0.0.1").s_addr);
	assert_int_equal(a.b.coa.s_addr, ip("68.0.0.31").s_addr);
	assert_int_equal(a.b.ha_addr.s_addr, ip("66.0.0.5").s_addr);
	assert_int_equal(a.b.encap, MIPHA_ENCAP_GRE);
	assert_true(a.b.has_gre_key);
	assert_int_equal(a.b.gre_key, 100);
	assert_int_equal(a.b.lifetime, 10000);
	assert_int_equal(a.b.flags, MIPHA_F_REVERSE_TUNNEL | MIPHA_F_BROADCAST);
	assert_int_equal(a.b.link, if_nametoindex("lo"));
	assert_int_equal(a.b.cookie_len, 3);
	assert_ptr_equal(a.b.cookie, a.cookie);
	assert_memory_equal(a.b.cookie, "\x0a\x0b\x0c", 3);
}

static void test_add_args_minimal_and_abbrev(void **state)
{
	struct fixture *f = *state;
	struct binding_args a;

	assert_int_equal(parse_add(f, "10.0.0.1 coa 192.0.2.1 ha 198.51.100.1",
				   &a),
			 CTL_OK);
	assert_int_equal(a.b.encap, 0);
	assert_false(a.b.has_gre_key);
	assert_int_equal(a.b.lifetime, 0);
	assert_int_equal(a.b.flags, 0);
	assert_int_equal(a.b.link, 0);
	assert_int_equal(a.b.cookie_len, 0);

	/* Keywords in any order, abbreviated as iproute2 allows. */
	assert_int_equal(parse_add(f,
				   "10.0.0.1 h 198.51.100.1 rev c 192.0.2.1 "
				   "k 7 e gre l infinite b",
				   &a),
			 CTL_OK);
	assert_int_equal(a.b.coa.s_addr, ip("192.0.2.1").s_addr);
	assert_int_equal(a.b.gre_key, 7);
	assert_int_equal(a.b.lifetime, 0);
	assert_int_equal(a.b.flags, MIPHA_F_ALL);

	/* A multicast home address is for the kernel to refuse. */
	assert_int_equal(parse_add(f, "224.0.0.1 coa 192.0.2.1 ha 198.51.100.1",
				   &a),
			 CTL_OK);
}

/* Each bad argument line and the error it must give. */
static const struct {
	const char *args;
	const char *err;
} bad_adds[] = {
	{ "", "binding add: HOME_ADDR expected" },
	{ "10.0.0 coa 192.0.2.1 ha 198.51.100.1",
	  "binding add: invalid home address \"10.0.0\"" },
	{ "coa 192.0.2.1 ha 198.51.100.1",
	  "binding add: HOME_ADDR expected before \"coa\"" },
	{ "10.0.0.1 ha 198.51.100.1",
	  "binding add: coa CARE_OF_ADDR expected" },
	{ "10.0.0.1 coa 192.0.2.1", "binding add: ha HA_ADDR expected" },
	{ "10.0.0.1 coa 192.0.2.300 ha 198.51.100.1",
	  "binding add: invalid care-of address \"192.0.2.300\"" },
	{ "10.0.0.1 coa 192.0.2.1 ha x",
	  "binding add: invalid home agent address \"x\"" },
	{ "10.0.0.1 coa 192.0.2.1 ha 198.51.100.1 coa 192.0.2.2",
	  "binding add: \"coa\" given twice" },
	{ "10.0.0.1 coa 192.0.2.1 ha 198.51.100.1 key 5",
	  "binding add: key needs encap gre" },
	{ "10.0.0.1 coa 192.0.2.1 ha 198.51.100.1 key 5 encap ipip",
	  "binding add: key needs encap gre" },
	{ "10.0.0.1 coa 192.0.2.1 ha 198.51.100.1 encap gre key 4294967296",
	  "binding add: invalid GRE key \"4294967296\" (0..4294967295)" },
	{ "10.0.0.1 coa 192.0.2.1 ha 198.51.100.1 encap vxlan",
	  "binding add: invalid encap \"vxlan\" (ipip or gre)" },
	{ "10.0.0.1 coa 192.0.2.1 ha 198.51.100.1 lifetime 0",
	  "binding add: invalid lifetime \"0\" (1..31536000 seconds or infinite)" },
	{ "10.0.0.1 coa 192.0.2.1 ha 198.51.100.1 lifetime 31536001",
	  "binding add: invalid lifetime \"31536001\" (1..31536000 seconds or infinite)" },
	{ "10.0.0.1 coa 192.0.2.1 ha 198.51.100.1 cookie 0a0",
	  "binding add: invalid cookie \"0a0\" (an even number of hex digits)" },
	{ "10.0.0.1 coa 192.0.2.1 ha 198.51.100.1 cookie xyz1",
	  "binding add: invalid cookie \"xyz1\" (an even number of hex digits)" },
	{ "10.0.0.1 coa 192.0.2.1 ha 198.51.100.1 link nosuchdev0",
	  "binding add: no such link \"nosuchdev0\"" },
	{ "10.0.0.1 coa 192.0.2.1 ha 198.51.100.1 lifetime",
	  "binding add: \"lifetime\" needs a value" },
	{ "10.0.0.1 coa 192.0.2.1 ha 198.51.100.1 frobnicate",
	  "binding add: unknown word \"frobnicate\"" },
};

static void test_add_args_bad(void **state)
{
	struct fixture *f = *state;
	struct binding_args a;
	size_t i;

	for (i = 0; i < sizeof(bad_adds) / sizeof(bad_adds[0]); i++) {
		assert_int_equal(parse_add(f, bad_adds[i].args, &a), CTL_USAGE);
		assert_string_equal(f->c.err, bad_adds[i].err);
	}
}

static void test_add_cookie_too_long(void **state)
{
	struct fixture *f = *state;
	struct binding_args a;
	char args[2 * MIPHA_COOKIE_MAX + 100];
	int n;

	n = snprintf(args, sizeof(args),
		     "10.0.0.1 coa 192.0.2.1 ha 198.51.100.1 cookie ");
	memset(args + n, 'a', 2 * MIPHA_COOKIE_MAX);
	args[n + 2 * MIPHA_COOKIE_MAX] = '\0';
	assert_int_equal(parse_add(f, args, &a), CTL_OK);
	assert_int_equal(a.b.cookie_len, MIPHA_COOKIE_MAX);

	strcat(args, "aa");
	assert_int_equal(parse_add(f, args, &a), CTL_USAGE);
	assert_string_equal(f->c.err,
			    "binding add: cookie longer than 512 bytes");
}

static void test_list_filter(void **state)
{
	struct fixture *f = *state;
	struct kernel_dump_filter flt;
	char *ok[] = { "link", "lo", "coa", "192.0.2.1" };
	char *bad_coa[] = { "coa", "192.0.2" };
	char *no_value[] = { "coa" };
	char *twice[] = { "link", "lo", "link", "lo" };
	char *unknown[] = { "ha", "1.2.3.4" };

	assert_int_equal(binding_parse_filter(&f->c, 0, NULL, &flt), CTL_OK);
	assert_int_equal(flt.link, 0);
	assert_int_equal(flt.coa.s_addr, 0);
	assert_int_equal(binding_parse_filter(&f->c, 4, ok, &flt), CTL_OK);
	assert_int_equal(flt.link, if_nametoindex("lo"));
	assert_int_equal(flt.coa.s_addr, ip("192.0.2.1").s_addr);
	assert_int_equal(binding_parse_filter(&f->c, 2, bad_coa, &flt),
			 CTL_USAGE);
	assert_string_equal(
		f->c.err, "binding list: invalid care-of address \"192.0.2\"");
	assert_int_equal(binding_parse_filter(&f->c, 1, no_value, &flt),
			 CTL_USAGE);
	assert_string_equal(f->c.err, "binding list: \"coa\" needs a value");
	assert_int_equal(binding_parse_filter(&f->c, 4, twice, &flt),
			 CTL_USAGE);
	assert_string_equal(f->c.err, "binding list: \"link\" given twice");
	assert_int_equal(binding_parse_filter(&f->c, 2, unknown, &flt),
			 CTL_USAGE);
	assert_string_equal(f->c.err, "binding list: unknown word \"ha\"");
}

static void test_dispatch(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(run(f, "kernel binding add 10.0.0.1 coa 192.0.2.1 "
				"ha 198.51.100.1"),
			 CTL_OK);
	assert_int_equal(run(f, "k b a 10.0.0.1 coa 192.0.2.1 ha 198.51.100.1"),
			 CTL_OK);
	assert_int_equal(run(f, "kernel binding replace 10.0.0.1 coa 192.0.2.1 "
				"ha 198.51.100.1 encap gre"),
			 CTL_OK);
	assert_int_equal(run(f, "kernel binding del 10.0.0.1"), CTL_OK);
	assert_int_equal(run(f, "kernel binding delete 10.0.0.1"), CTL_OK);
	assert_int_equal(run(f, "kernel binding get 10.0.0.1"), CTL_OK);
	assert_int_equal(run(f, "kernel binding list"), CTL_OK);
	assert_int_equal(run(f, "kernel binding show coa 192.0.2.1"), CTL_OK);
	assert_int_equal(run(f, "kernel binding flush"), CTL_OK);
	assert_int_equal(run(f, "kernel stats"), CTL_OK);
	assert_int_equal(run(f, "monitor"), CTL_OK);

	assert_int_equal(run(f, "kernel bogus"), CTL_USAGE);
	assert_string_equal(f->c.err, "kernel: unknown word \"bogus\"");
	assert_int_equal(run(f, "frob"), CTL_USAGE);
	assert_string_equal(f->c.err, "unknown word \"frob\"");
	assert_int_equal(run(f, "kernel binding"), CTL_USAGE);
	assert_string_equal(f->c.err, "kernel binding: command expected");
	assert_int_equal(run(f, "kernel binding del"), CTL_USAGE);
	assert_string_equal(f->c.err, "binding del: HOME_ADDR expected");
	assert_int_equal(run(f, "kernel binding del 10.0.0.1 now"), CTL_USAGE);
	assert_string_equal(f->c.err, "binding del: unknown word \"now\"");
	assert_int_equal(run(f, "kernel binding get 10.0.0.256"), CTL_USAGE);
	assert_string_equal(f->c.err,
			    "binding get: invalid home address \"10.0.0.256\"");
	assert_int_equal(run(f, "kernel binding flush all"), CTL_USAGE);
	assert_string_equal(f->c.err, "binding flush: unknown word \"all\"");
	assert_int_equal(run(f, "kernel stats now"), CTL_USAGE);
	assert_string_equal(f->c.err, "kernel stats: unknown word \"now\"");
	assert_int_equal(run(f, "monitor all"), CTL_USAGE);
	assert_string_equal(f->c.err, "monitor: unknown word \"all\"");
}

static void test_kernel_config(void **state)
{
	struct fixture *f = *state;
	char line[128], *argv[CTL_ARGS_MAX + 1];
	uint32_t max = 0;
	int argc;

	snprintf(line, sizeof(line), "max-bindings 4294967295");
	assert_int_equal(ctl_split_line(line, argv, CTL_ARGS_MAX, &argc), 0);
	assert_int_equal(kconfig_parse_args(&f->c, argc, argv, &max), CTL_OK);
	assert_int_equal(max, 4294967295U);
	snprintf(line, sizeof(line), "max 0");
	assert_int_equal(ctl_split_line(line, argv, CTL_ARGS_MAX, &argc), 0);
	assert_int_equal(kconfig_parse_args(&f->c, argc, argv, &max), CTL_OK);
	assert_int_equal(max, 0);

	assert_int_equal(run(f, "kernel config max-bindings 16384"), CTL_OK);
	assert_int_equal(run(f, "k c max-bindings 10"), CTL_OK);
	assert_int_equal(run(f, "kernel config"), CTL_USAGE);
	assert_string_equal(f->c.err, "kernel config: max-bindings N expected");
	assert_int_equal(run(f, "kernel config max-bindings"), CTL_USAGE);
	assert_string_equal(f->c.err, "kernel config max-bindings: N expected");
	assert_int_equal(run(f, "kernel config max-bindings -1"), CTL_USAGE);
	assert_string_equal(
		f->c.err, "kernel config max-bindings: invalid number \"-1\"");
	assert_int_equal(run(f, "kernel config max-bindings 4294967296"),
			 CTL_USAGE);
	assert_int_equal(run(f, "kernel config max-bindings 10 now"),
			 CTL_USAGE);
	assert_string_equal(f->c.err, "kernel config: unknown word \"now\"");
	assert_int_equal(run(f, "kernel config bindings 10"), CTL_USAGE);
	assert_string_equal(f->c.err,
			    "kernel config: unknown word \"bindings\"");
	assert_int_equal(run(f, "kernel help"), CTL_OK);
	assert_non_null(strstr(out_of(f), "kernel config max-bindings N"));
}

static void test_help(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(run(f, "help"), CTL_OK);
	assert_non_null(strstr(out_of(f), "Usage: miphactl"));
	assert_non_null(strstr(out_of(f), "binding { add | replace }"));
	assert_int_equal(run(f, "kernel binding help"), CTL_OK);
	assert_int_equal(run(f, "kernel help"), CTL_OK);
}

static void test_matches(void **state)
{
	(void)state;
	assert_true(ctl_matches("del", "delete"));
	assert_true(ctl_matches("delete", "delete"));
	assert_false(ctl_matches("deletes", "delete"));
	assert_false(ctl_matches("", "delete"));
	assert_false(ctl_matches("x", "delete"));
}

static void test_fmt_time(void **state)
{
	char buf[32];

	(void)state;
	assert_string_equal(fmt_hms(buf, sizeof(buf), 9992), "02:46:32");
	assert_string_equal(fmt_hms(buf, sizeof(buf), 0), "00:00:00");
	assert_string_equal(fmt_hms(buf, sizeof(buf), 59), "00:00:59");
	assert_string_equal(fmt_hms(buf, sizeof(buf), 3600), "01:00:00");
	assert_string_equal(fmt_hms(buf, sizeof(buf), MIPHA_LIFETIME_MAX),
			    "8760:00:00");
	assert_int_equal(expires_seconds(0), 0);
	assert_int_equal(expires_seconds(1), 1);
	assert_int_equal(expires_seconds(1000), 1);
	assert_int_equal(expires_seconds(1001), 2);
	assert_int_equal(expires_seconds(9991001), 9992);
	assert_int_equal(expires_seconds(10000000), 10000);
}

static void test_fmt_misc(void **state)
{
	char buf[64];
	char small[5];

	(void)state;
	assert_string_equal(fmt_flag_letters(buf, sizeof(buf), 0), "none");
	assert_string_equal(fmt_flag_letters(buf, sizeof(buf),
					     MIPHA_F_REVERSE_TUNNEL),
			    "T");
	assert_string_equal(fmt_flag_letters(buf, sizeof(buf), MIPHA_F_ALL),
			    "BT");
	assert_string_equal(fmt_flag_letters(buf, sizeof(buf),
					     MIPHA_F_REVERSE_TUNNEL | 0x8),
			    "T 0x8");
	assert_string_equal(fmt_flag_letters(buf, sizeof(buf), 0x4), "0x4");
	assert_string_equal(fmt_hex(buf, sizeof(buf),
				    (const uint8_t *)"\x0a\xff", 2),
			    "0aff");
	assert_string_equal(fmt_hex(buf, sizeof(buf), NULL, 0), "");
	/* Truncated to whole bytes. */
	assert_string_equal(fmt_hex(small, sizeof(small),
				    (const uint8_t *)"\x01\x02\x03", 3),
			    "0102");
	assert_string_equal(fmt_link(buf, sizeof(buf), if_nametoindex("lo")),
			    "lo");
	/* A link without a name falls back to its number. */
	assert_string_equal(fmt_link(buf, sizeof(buf), 999999), "999999");
}

static struct kernel_binding sample(void)
{
	struct kernel_binding b = {
		.home_addr = ip("20.0.0.1"),
		.coa = ip("68.0.0.31"),
		.ha_addr = ip("66.0.0.5"),
		.encap = MIPHA_ENCAP_GRE,
		.has_gre_key = true,
		.gre_key = 100,
		.flags = MIPHA_F_REVERSE_TUNNEL,
		.link = if_nametoindex("lo"),
		.has_expires = true,
		.expires_ms = 9991500,
		.tx_packets = 12,
		.tx_bytes = 3400,
		.cookie = (const uint8_t *)"\x0a\x0b\x0c",
		.cookie_len = 3,
	};

	return b;
}

static void test_binding_print(void **state)
{
	struct fixture *f = *state;
	struct kernel_binding b = sample();

	binding_print(&f->c, &b);
	b.has_expires = false;
	b.encap = MIPHA_ENCAP_IPIP;
	b.has_gre_key = false;
	b.flags = 0;
	b.link = 0;
	b.cookie_len = 0;
	b.rx_packets = 1;
	b.rx_bytes = 84;
	binding_print(&f->c, &b);
	assert_string_equal(
		out_of(f),
		"20.0.0.1:\n"
		"    Care-of Addr 68.0.0.31, HA Addr 66.0.0.5,\n"
		"    Lifetime remaining 02:46:32 (9992)\n"
		"    Flags T, Encap gre key 100, Link lo,\n"
		"    Tunnelled 12 packets 3400 bytes, Reverse 0 packets 0 bytes\n"
		"    Cookie 0a0b0c (3 bytes)\n"
		"20.0.0.1:\n"
		"    Care-of Addr 68.0.0.31, HA Addr 66.0.0.5,\n"
		"    Lifetime infinite\n"
		"    Flags none, Encap ipip, Link none,\n"
		"    Tunnelled 12 packets 3400 bytes, Reverse 1 packets 84 bytes\n");
}

/* binding_json_print's output, parsed back by jansson. */
static json_t *json_of(struct fixture *f, const struct kernel_binding *b,
		       const char *event)
{
	json_error_t jerr;
	json_t *o;

	rewind(f->c.out);
	binding_json_print(f->c.out, b, event);
	fputc('\0', f->c.out);
	fflush(f->c.out);
	o = json_loads(f->out, 0, &jerr);
	if (!o)
		fail_msg("invalid JSON (%s): %s", jerr.text, f->out);
	return o;
}

static void test_binding_json(void **state)
{
	struct fixture *f = *state;
	struct kernel_binding b = sample();
	json_t *o;
	char *s;

	o = json_of(f, &b, NULL);
	s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(
		s,
		"{\"coa\":\"68.0.0.31\",\"cookie\":\"0a0b0c\",\"encap\":\"gre\","
		"\"expires_ms\":9991500,\"flags\":[\"reverse-tunnel\"],"
		"\"gre_key\":100,\"ha_addr\":\"66.0.0.5\","
		"\"home_addr\":\"20.0.0.1\",\"ifindex\":1,\"link\":\"lo\","
		"\"rx_bytes\":0,\"rx_packets\":0,\"tx_bytes\":3400,"
		"\"tx_packets\":12}");
	free(s);
	json_decref(o);

	b.has_expires = false;
	b.has_gre_key = false;
	b.flags = MIPHA_F_ALL | 0x10;
	b.link = 0;
	b.cookie_len = 0;
	b.encap = 7;
	b.rx_bytes = UINT64_MAX / 4;
	o = json_of(f, &b, "expired");
	assert_true(json_is_null(json_object_get(o, "expires_ms")));
	assert_true(json_is_null(json_object_get(o, "gre_key")));
	assert_true(json_is_null(json_object_get(o, "link")));
	assert_int_equal(json_integer_value(json_object_get(o, "ifindex")), 0);
	assert_int_equal(json_integer_value(json_object_get(o, "encap")), 7);
	assert_string_equal(json_string_value(json_object_get(o, "cookie")),
			    "");
	assert_string_equal(json_string_value(json_object_get(o, "event")),
			    "expired");
	assert_int_equal(json_integer_value(json_object_get(o, "rx_bytes")),
			 UINT64_MAX / 4);
	assert_int_equal(json_array_size(json_object_get(o, "flags")), 3);
	assert_string_equal(json_string_value(json_array_get(
				    json_object_get(o, "flags"), 1)),
			    "broadcast");
	assert_string_equal(json_string_value(json_array_get(
				    json_object_get(o, "flags"), 2)),
			    "0x10");
	json_decref(o);
}

static void test_json_put_str(void **state)
{
	struct fixture *f = *state;

	json_put_str(f->c.out, "eth0");
	json_put_str(f->c.out, "a\"b\\c\x01"
			       "d\xff"
			       "e");
	assert_string_equal(out_of(f),
			    "\"eth0\"\"a\\\"b\\\\c\\u0001d\\u00ffe\"");
}

static void test_fmt_escaped(void **state)
{
	char buf[FMT_ESCAPED_LEN(16)], small[6];
	static const char nasty[] = "a\x1b[2Jb\\c\x7f\x80\xff\0d";

	(void)state;
	assert_string_equal(fmt_escaped(buf, sizeof(buf), "alice@ex.com", 12),
			    "alice@ex.com");
	/* ESC, DEL, non-ASCII, invalid UTF-8, a NUL; backslash doubled. */
	assert_string_equal(fmt_escaped(buf, sizeof(buf), nasty,
					sizeof(nasty) - 1),
			    "a\\x1b[2Jb\\\\c\\x7f\\x80\\xff\\x00d");
	/* Valid UTF-8 (a C1 CSI, U+009B, too) is bytes like any other. */
	assert_string_equal(fmt_escaped(buf, sizeof(buf), "\xc2\x9b", 2),
			    "\\xc2\\x9b");
	assert_string_equal(fmt_escaped(buf, sizeof(buf), "\t\n\r", 3),
			    "\\x09\\x0a\\x0d");
	/* Truncation stops before an escape, never inside one. */
	assert_string_equal(fmt_escaped(small, sizeof(small), "ab\x1b", 3),
			    "ab");
	assert_string_equal(fmt_escaped(small, sizeof(small), "abcd\\", 5),
			    "abcd");
	assert_string_equal(fmt_escaped(small, sizeof(small), "abcdefg", 7),
			    "abcde");
	assert_string_equal(fmt_escaped(small, sizeof(small), "a\x1b", 2),
			    "a\\x1b");
	assert_string_equal(fmt_escaped(small, sizeof(small), "", 0), "");
	/* The worst case fits the documented size. */
	memset(small, 0x1b, 4);
	assert_string_equal(fmt_escaped(buf, FMT_ESCAPED_LEN(4), small, 4),
			    "\\x1b\\x1b\\x1b\\x1b");
}

static void test_fput_escaped(void **state)
{
	struct fixture *f = *state;
	char in[300], want[4 * 300 + 1];
	size_t i;

	/* Longer than one chunk: nothing lost at the chunk boundaries. */
	for (i = 0; i < sizeof(in); i++)
		in[i] = (i % 3) ? 'x' : '\x1b';
	want[0] = '\0';
	for (i = 0; i < sizeof(in); i++)
		strcat(want, (i % 3) ? "x" : "\\x1b");
	fput_escaped(f->c.out, in, sizeof(in));
	assert_string_equal(out_of(f), want);
}

static void test_json_escaped(void **state)
{
	json_error_t jerr;
	json_t *in, *out;
	char *s;

	(void)state;
	/* As miphactl reads the daemon's answer: NULs allowed. */
	in = json_loads("{\"nai\":\"ev\\u001b[31mil\\u0000@x\",\"n\":5,"
			"\"pools\":[{\"name\":\"p\\u009b\\\\\"}],"
			"\"k\\u0007\":true}",
			JSON_ALLOW_NUL, &jerr);
	assert_non_null(in);
	out = json_escaped(in);
	assert_non_null(out);
	s = json_dumps(out, JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(
		s, "{\"k\\\\x07\":true,\"n\":5,"
		   "\"nai\":\"ev\\\\x1b[31mil\\\\x00@x\","
		   "\"pools\":[{\"name\":\"p\\\\xc2\\\\x9b\\\\\\\\\"}]}");
	free(s);
	json_decref(out);
	json_decref(in);
}

/*
 * A one-shot fake mipha-agentd on a unix socket: answers the first request
 * with `answer` (lines; "@REQ@" in it becomes the request line), then
 * closes, in a child process. Returns the child's pid.
 */
static pid_t fake_daemon(const char *path, const char *answer)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int lfd, fd;
	char req[1024], out[4096];
	const char *at;
	size_t n = 0;
	pid_t pid;
	char ch;

	unlink(path);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(lfd >= 0);
	assert_int_equal(bind(lfd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	assert_int_equal(listen(lfd, 1), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid) {
		close(lfd);
		return pid;
	}
	fd = accept(lfd, NULL, NULL);
	while (fd >= 0 && read(fd, &ch, 1) == 1 && ch != '\n')
		if (n < sizeof(req) - 1)
			req[n++] = ch;
	req[n] = '\0';
	at = strstr(answer, "@REQ@");
	if (at)
		snprintf(out, sizeof(out), "%.*s%s%s", (int)(at - answer),
			 answer, req, at + 5);
	else
		snprintf(out, sizeof(out), "%s", answer);
	if (fd < 0 || write(fd, out, strlen(out)) < 0)
		_exit(1);
	close(fd);
	_exit(0);
}

/* miphactl's text output never carries a byte of the daemon's strings raw. */
static void test_daemon_text_escaped(void **state)
{
	struct fixture *f = *state;
	char path[64];
	pid_t pid;
	int st;

	snprintf(path, sizeof(path), "/tmp/mipha-test-ctl-%d.sock", getpid());
	f->c.sock_path = path;
	pid = fake_daemon(path,
			  "{\"home_addr\":\"10.0.0.5\",\"coa\":\"1.2.3.4\","
			  "\"nai\":\"ev\\u001b]0;x\\u0007il\\u0000@x\","
			  "\"pool\":\"p\\u009b\\\\\",\"lifetime\":10}\n"
			  "{\"status\":\"ok\"}\n");
	assert_int_equal(run(f, "binding list"), CTL_OK);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_non_null(strstr(out_of(f), "    NAI ev\\x1b]0;x\\x07il\\x00@x, "
					  "pool p\\xc2\\x9b\\\\\n"));
	assert_null(strchr(out_of(f), '\x1b'));

	/* An error message from the daemon is escaped too. */
	pid = fake_daemon(path, "{\"status\":\"error\","
				"\"error\":\"no \\u001b[2J binding\"}\n");
	assert_int_equal(run(f, "binding show 10.0.0.5"), CTL_ERR);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_string_equal(f->c.err, "mipha-agentd: no \\x1b[2J binding");

	/* JSON output: ASCII only, the NUL and the C1 byte as \u escapes. */
	f->c.json = true;
	pid = fake_daemon(path, "{\"nai\":\"a\\u0000\\u009b\"}\n"
				"{\"status\":\"ok\"}\n");
	assert_int_equal(run(f, "binding list"), CTL_OK);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_non_null(strstr(out_of(f), "[{\"nai\":\"a\\u0000\\u009B\"}]\n"));
	unlink(path);
}

/*
 * Events as text: the name, then key=value; strings escaped as the rest of
 * miphactl's output, quoted when they hold a space, '"' or '=' or are
 * empty; objects within named with dots, arrays joined by commas.
 */
static void test_event_print(void **state)
{
	struct fixture *f = *state;
	json_t *in, *ev;

	in = json_loads("{\"event\":\"standby\",\"time\":\"2026-12-03T10:00:"
			"00.123Z\",\"group\":\"ha\\u001b[2J\",\"state\":"
			"\"active\",\"priority\":110,\"preempt\":true,"
			"\"prev\":null,\"load\":0.5,\"reason\":\"higher "
			"priority \\\"x\\\" a=b\",\"empty\":\"\","
			"\"peer\":{\"addr\":\"10.0.0.2\",\"id\":{\"n\":1}},"
			"\"vips\":[\"10.0.0.1\",\"10.0.0.3\"],\"none\":{},"
			"\"mixed\":[1,[2],{\"k\":\"v\"}]}",
			JSON_ALLOW_NUL, NULL);
	assert_non_null(in);
	/* As daemon_next() hands it over for text: strings escaped. */
	ev = json_escaped(in);
	event_print(&f->c, ev);
	json_decref(ev);
	ev = json_loads("{\"event\":\"lost\",\"time\":\"2026-12-03T10:00:01."
			"000Z\",\"count\":12}",
			0, NULL);
	event_print(&f->c, ev);
	json_decref(ev);
	f->c.json = true;
	event_print(&f->c, in);
	json_decref(in);
	assert_string_equal(
		out_of(f),
		"standby time=2026-12-03T10:00:00.123Z group=ha\\x1b[2J "
		"state=active priority=110 preempt=true prev=null load=0.5 "
		"reason=\"higher priority \\x22x\\x22 a=b\" empty=\"\" "
		"peer.addr=10.0.0.2 peer.id.n=1 vips=10.0.0.1,10.0.0.3 "
		"none={} mixed=\"1,[2],{\\x22k\\x22:\\x22v\\x22}\"\n"
		"lost time=2026-12-03T10:00:01.000Z count=12\n"
		"{\"event\":\"standby\",\"time\":\"2026-12-03T10:00:00.123Z\","
		"\"group\":\"ha\\u001B[2J\",\"state\":\"active\","
		"\"priority\":110,\"preempt\":true,\"prev\":null,\"load\":0.5,"
		"\"reason\":\"higher priority \\\"x\\\" a=b\",\"empty\":\"\","
		"\"peer\":{\"addr\":\"10.0.0.2\",\"id\":{\"n\":1}},"
		"\"vips\":[\"10.0.0.1\",\"10.0.0.3\"],\"none\":{},"
		"\"mixed\":[1,[2],{\"k\":\"v\"}]}\n");
}

/*
 * miphactl events: asks with the prefixes as the filter, prints each event
 * as it comes and ends with 0 when the daemon closes the connection; a
 * refusal, a daemon gone before answering, or no daemon, end with 1.
 */
static void test_events_follow(void **state)
{
	struct fixture *f = *state;
	char path[64];
	pid_t pid;
	int st;

	snprintf(path, sizeof(path), "/tmp/mipha-test-ctl-%d.sock", getpid());
	f->c.sock_path = path;
	pid = fake_daemon(
		path, "{\"status\":\"ok\",\"result\":{\"subscribed\":true}}\n"
		      "{\"event\":\"req\",\"request\":@REQ@}\n"
		      "{\"event\":\"reload\",\"time\":\"T\",\"ok\":false,"
		      "\"message\":\"reload refused: bad\\u0007\"}\n");
	assert_int_equal(run(f, "events standby sync."), CTL_OK);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_string_equal(out_of(f),
			    "req request.command=events "
			    "request.filter=standby,sync.\n"
			    "reload time=T ok=false message=\"reload refused: "
			    "bad\\x07\"\n");

	/* No prefix: no filter. JSON: the objects as received. */
	f->c.json = true;
	pid = fake_daemon(
		path, "{\"status\":\"ok\",\"result\":{\"subscribed\":true}}\n"
		      "{\"event\":\"req\",\"request\":@REQ@}\n");
	assert_int_equal(run(f, "ev"), CTL_OK);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_non_null(strstr(out_of(f), "\n{\"event\":\"req\",\"request\":"
					  "{\"command\":\"events\"}}\n"));

	/* Refused: the daemon's reason, status 1. */
	pid = fake_daemon(path,
			  "{\"status\":\"error\",\"error\":\"\\\"filter\\\""
			  " is not an array of event name prefixes\"}\n");
	assert_int_equal(run(f, "events x"), CTL_ERR);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_non_null(strstr(f->c.err, "mipha-agentd: \"filter\" is not"));

	/* Closed before it answered (too many clients): not followed. */
	pid = fake_daemon(path, "");
	assert_int_equal(run(f, "events"), CTL_ERR);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_non_null(strstr(f->c.err, "connection closed by the daemon"));

	/* No daemon. */
	unlink(path);
	assert_int_equal(run(f, "events"), CTL_ERR);
	assert_non_null(strstr(f->c.err, "is mipha-agentd running?"));

	/* What could never be an event name is refused before asking. */
	assert_int_equal(run(f, "events Standby"), CTL_USAGE);
	assert_int_equal(run(f, "events a b c d e f g h i j k l m n o p q"),
			 CTL_USAGE);
}

/* The daemon's "ipsp" object of the example in README.md. */
static const char ipsp_full[] =
	"{\"configured\":true,\"role\":\"primary\","
	"\"role_configured\":\"secondary\",\"acting\":true,"
	"\"mode\":\"active\",\"peer\":\"192.0.2.2\",\"port\":4434,"
	"\"peer_up\":false,\"peer_state\":\"connecting\",\"peer_role\":null,"
	"\"peer_mode\":null,\"dead_interval\":30,\"last_heard_ms\":31250,"
	"\"locked\":false,\"ready\":true,\"all_free\":false,"
	"\"config_match\":false,\"config_diff\":[\"pool \\\"p1\\\": ranges, "
	"priority or group differ\",\"pool \\\"p2\\\": only here\"],"
	"\"pools\":[{\"name\":\"p1\",\"size\":256,\"used\":10,"
	"\"released\":20,\"held\":6,\"busy\":230},{\"name\":\"mobiles-west\","
	"\"size\":1024,\"used\":0,\"released\":0,\"held\":0,\"busy\":0}],"
	"\"counters\":{\"connects\":1,\"auth_failures\":0,"
	"\"protocol_errors\":0,\"block_requests\":2,\"addr_requests\":5,"
	"\"grants\":7,\"denials\":0,\"handoffs\":5,\"claims\":0,"
	"\"conflicts\":0,\"refused_sessions\":0,\"takeovers\":1,"
	"\"going_down_sent\":0,\"going_down_received\":1}}";

static const char ipsp_full_text[] =
	"IP Pool Sharing Protocol (IPSP)\n"
	"  Role:           primary, acting (configured secondary)\n"
	"  Mode:           active\n"
	"  Peer:           192.0.2.2:4434, connecting\n"
	"  Peer role:      unknown\n"
	"  Peer mode:      unknown\n"
	"  Dead interval:  30 sec\n"
	"  Last heard:     31.250 sec ago\n"
	"  Pools locked:   no\n"
	"  Ready:          yes\n"
	"  All free:       no\n"
	"  Configuration:  DIFFERS from the peer's\n"
	"    pool \"p1\": ranges, priority or group differ\n"
	"    pool \"p2\": only here\n"
	"\n"
	"Pool               Size       Used   Released       Held       Busy\n"
	"p1                  256         10         20          6        230\n"
	"mobiles-west       1024          0          0          0          0\n"
	"\n"
	"Counters:\n"
	"  Connects                 1\n"
	"  Authentication failures  0\n"
	"  Protocol errors          0\n"
	"  Block requests           2\n"
	"  Address requests         5\n"
	"  Grants                   7\n"
	"  Denials                  0\n"
	"  Handoffs                 5\n"
	"  Claims                   0\n"
	"  Conflicts                0\n"
	"  Refused sessions         0\n"
	"  Takeovers                1\n"
	"  Going-down sent          0\n"
	"  Going-down received      1\n";

static void ipsp_print_of(struct fixture *f, const char *text)
{
	json_t *st = json_loads(text, 0, NULL);

	assert_non_null(st);
	ipsp_print(&f->c, st);
	json_decref(st);
}

/* miphactl ipsp's text from the daemon's object. */
static void test_ipsp_print(void **state)
{
	struct fixture *f = *state;

	ipsp_print_of(f, ipsp_full);
	assert_string_equal(out_of(f), ipsp_full_text);
}

/* "configured": false is all there is to say. */
static void test_ipsp_print_not_configured(void **state)
{
	struct fixture *f = *state;

	ipsp_print_of(f, "{\"configured\":false}");
	assert_string_equal(out_of(f), "IPSP is not configured\n");
}

/*
 * A daemon of another version: what is missing or of another type is left
 * out (a line, a table cell as "-", a counter), what is there printed, an
 * unknown counter by its key.
 */
static void test_ipsp_print_partial(void **state)
{
	struct fixture *f = *state;

	ipsp_print_of(
		f, "{\"configured\":true,\"role\":\"secondary\","
		   "\"role_configured\":\"secondary\",\"acting\":false,"
		   "\"mode\":7,\"peer\":\"192.0.2.1\",\"port\":\"4434\","
		   "\"peer_up\":true,\"peer_role\":\"primary\","
		   "\"last_heard_ms\":null,\"locked\":true,\"ready\":\"yes\","
		   "\"config_match\":null,\"config_diff\":[\"x\",3],"
		   "\"pools\":[{\"name\":\"p1\",\"size\":256,\"used\":1.5,"
		   "\"held\":4},\"junk\",{\"size\":8}],"
		   "\"counters\":{\"grants\":3,\"new_counter\":9,"
		   "\"denials\":\"many\"}}");
	assert_string_equal(
		out_of(f),
		"IP Pool Sharing Protocol (IPSP)\n"
		"  Role:           secondary (as configured)\n"
		"  Peer:           192.0.2.1, up\n"
		"  Peer role:      primary\n"
		"  Last heard:     never\n"
		"  Pools locked:   yes\n"
		"  Configuration:  not compared yet\n"
		"    x\n"
		"\n"
		"Pool       Size       Used   Released       Held       Busy\n"
		"p1          256          -          -          4          -\n"
		"?             8          -          -          -          -\n"
		"\n"
		"Counters:\n"
		"  Grants                   3\n"
		"  new_counter              9\n");

	/* Not even an object: the title, nothing else. */
	fclose(f->c.out);
	free(f->out);
	f->out = NULL;
	f->c.out = open_memstream(&f->out, &f->out_len);
	ipsp_print_of(f, "[1,2]");
	assert_string_equal(out_of(f), "IP Pool Sharing Protocol (IPSP)\n");
}

/* miphactl ipsp asks the daemon "ipsp"; -j prints its object. */
static void test_ipsp_command(void **state)
{
	struct fixture *f = *state;
	char path[64], answer[3072];
	pid_t pid;
	int st;

	snprintf(path, sizeof(path), "/tmp/mipha-test-ctl-%d.sock", getpid());
	f->c.sock_path = path;
	snprintf(answer, sizeof(answer), "{\"status\":\"ok\",\"result\":%s}\n",
		 ipsp_full);
	pid = fake_daemon(path, answer);
	assert_int_equal(run(f, "ipsp"), CTL_OK);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_string_equal(out_of(f), ipsp_full_text);

	f->c.json = true;
	pid = fake_daemon(path, "{\"status\":\"ok\",\"result\":"
				"{\"configured\":false,\"request\":@REQ@}}\n");
	assert_int_equal(run(f, "ipsp show"), CTL_OK);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_non_null(strstr(out_of(f), "\n{\"configured\":false,"
					  "\"request\":{\"command\":"
					  "\"ipsp\"}}\n"));

	/* An answer without the object, an error: status 1. */
	f->c.json = false;
	pid = fake_daemon(path, "{\"status\":\"ok\"}\n");
	assert_int_equal(run(f, "ipsp"), CTL_ERR);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_string_equal(f->c.err,
			    "ipsp: mipha-agentd answered no IPSP state");
	pid = fake_daemon(path,
			  "{\"status\":\"error\","
			  "\"error\":\"unknown command \\\"ipsp\\\"\"}\n");
	assert_int_equal(run(f, "ipsp"), CTL_ERR);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_string_equal(f->c.err, "mipha-agentd: unknown command \"ipsp\"");
	unlink(path);

	/* Refused before asking. */
	assert_int_equal(run(f, "ipsp bogus"), CTL_USAGE);
	assert_string_equal(f->c.err, "ipsp: unknown word \"bogus\"");
	assert_int_equal(run(f, "ipsp show now"), CTL_USAGE);
	assert_string_equal(f->c.err, "ipsp show: unexpected \"now\"");
	assert_int_equal(run(f, "help"), CTL_OK);
	assert_non_null(strstr(out_of(f), "miphactl ipsp [show]\n"));
}

static void test_stats_print(void **state)
{
	struct fixture *f = *state;
	struct kernel_stats st = {};

	st.v[MIPHA_STATS_A_BINDINGS] = 3;
	st.v[MIPHA_STATS_A_ADDS] = 10;
	st.v[MIPHA_STATS_A_MEMORY] = 1ULL << 33;
	st.present = 1U << MIPHA_STATS_A_BINDINGS | 1U << MIPHA_STATS_A_ADDS |
		     1U << MIPHA_STATS_A_MEMORY;
	stats_print(&f->c, &st);
	f->c.json = true;
	stats_print(&f->c, &st);
	assert_string_equal(
		out_of(f),
		"bindings 3\nadds 10\nmemory 8589934592\n"
		"{\"bindings\":3,\"adds\":10,\"memory\":8589934592}\n");
}

static void test_notification_print(void **state)
{
	struct fixture *f = *state;
	struct kernel_notification n = {
		.cmd = MIPHA_CMD_BINDING_NEW,
		.event = MIPHA_EVENT_ADDED,
		.has_binding = true,
		.binding = sample(),
	};
	struct kernel_notification flush = {
		.cmd = MIPHA_CMD_BINDING_FLUSH,
		.event = MIPHA_EVENT_FLUSHED,
		.flush_count = 2,
	};

	n.binding.flags |= MIPHA_F_BROADCAST;
	notification_print(&f->c, &n);
	n.event = MIPHA_EVENT_EXPIRED;
	n.binding.event = MIPHA_EVENT_EXPIRED;
	n.binding.expires_ms = 0;
	n.binding.cookie_len = 0;
	n.binding.link = 0;
	notification_print(&f->c, &n);
	notification_print(&f->c, &flush);
	f->c.json = true;
	notification_print(&f->c, &flush);
	n.binding.tx_packets = 0;
	notification_print(&f->c, &n);
	assert_string_equal(
		out_of(f),
		"added 20.0.0.1 coa 68.0.0.31 ha 66.0.0.5 encap gre key 100 "
		"reverse-tunnel broadcast link lo lifetime 9992 cookie 0a0b0c "
		"tx 12 packets 3400 bytes rx 0 packets 0 bytes\n"
		"expired 20.0.0.1 coa 68.0.0.31 ha 66.0.0.5 encap gre key 100 "
		"reverse-tunnel broadcast "
		"tx 12 packets 3400 bytes rx 0 packets 0 bytes\n"
		"flushed 2 bindings\n"
		"{\"event\":\"flushed\",\"flush_count\":2}\n"
		"{\"home_addr\":\"20.0.0.1\",\"coa\":\"68.0.0.31\","
		"\"ha_addr\":\"66.0.0.5\",\"encap\":\"gre\",\"gre_key\":100,"
		"\"flags\":[\"reverse-tunnel\",\"broadcast\"],\"link\":null,"
		"\"ifindex\":0,\"expires_ms\":0,\"cookie\":\"\","
		"\"tx_packets\":0,\"tx_bytes\":3400,\"rx_packets\":0,"
		"\"rx_bytes\":0,\"event\":\"expired\"}\n");
}

/* Monitor lines give the lifetime left as "binding add" would take it. */
static void test_monitor_line_lifetime(void **state)
{
	struct fixture *f = *state;
	struct kernel_binding b = {
		.home_addr = ip("10.5.0.1"),
		.coa = ip("198.51.100.1"),
		.ha_addr = ip("192.0.2.1"),
		.has_expires = true,
		.expires_ms = 1500,
		.event = MIPHA_EVENT_ADDED,
	};

	binding_print_line(&f->c, &b);
	fputc('\n', f->c.out);
	b.has_expires = false;
	binding_print_line(&f->c, &b);
	fputc('\n', f->c.out);
	b.has_expires = true;
	b.event = MIPHA_EVENT_DELETED;
	binding_print_line(&f->c, &b);
	assert_string_equal(
		out_of(f), "10.5.0.1 coa 198.51.100.1 ha 192.0.2.1 encap ipip "
			   "lifetime 2\n"
			   "10.5.0.1 coa 198.51.100.1 ha 192.0.2.1 encap ipip\n"
			   "10.5.0.1 coa 198.51.100.1 ha 192.0.2.1 encap ipip");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_ipv4),
		cmocka_unit_test(test_parse_u32),
		cmocka_unit_test(test_parse_lifetime),
		cmocka_unit_test(test_parse_hex),
		cmocka_unit_test(test_parse_link),
		cmocka_unit_test_setup_teardown(test_add_args_full, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_add_args_minimal_and_abbrev, setup, teardown),
		cmocka_unit_test_setup_teardown(test_add_args_bad, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_add_cookie_too_long, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_list_filter, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_dispatch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_help, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kernel_config, setup,
						teardown),
		cmocka_unit_test(test_matches),
		cmocka_unit_test(test_fmt_time),
		cmocka_unit_test(test_fmt_misc),
		cmocka_unit_test_setup_teardown(test_binding_print, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_binding_json, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_json_put_str, setup,
						teardown),
		cmocka_unit_test(test_fmt_escaped),
		cmocka_unit_test_setup_teardown(test_fput_escaped, setup,
						teardown),
		cmocka_unit_test(test_json_escaped),
		cmocka_unit_test_setup_teardown(test_daemon_text_escaped, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_event_print, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_events_follow, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ipsp_print, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ipsp_print_not_configured,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_ipsp_print_partial, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ipsp_command, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_stats_print, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_notification_print, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_monitor_line_lifetime,
						setup, teardown),
	};

	return cmocka_run_group_tests_name("ctl", tests, NULL, NULL);
}
