// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the link and announce side of the client: LINK_SET,
 * LINK_GET and ANNOUNCE messages built and parsed back, replies as the
 * kernel sends them, statistics of the data path, and miphactl's
 * "kernel link" / "kernel announce" parsing and output (dry run, output in
 * memory). No kernel needed; "lo" is the link every namespace has.
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
#include <cmocka.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

#include "ctl.h"

#define FAMILY 0x1d

static const uint8_t MAC[KERNEL_LLADDR_LEN] = { 0x02, 0x00, 0x5e,
						0x00, 0x01, 0x0a };

static struct in_addr ip(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a;
}

static int count_attrs(const struct nlmsghdr *nlh)
{
	const struct nlattr *attr;
	int n = 0;

	mnl_attr_for_each(attr, nlh, GENL_HDRLEN)
		n++;
	return n;
}

static const struct nlattr *find_attr(const struct nlmsghdr *nlh, int type)
{
	const struct nlattr *attr;

	mnl_attr_for_each(attr, nlh, GENL_HDRLEN) {
		if (mnl_attr_get_type(attr) == type)
			return attr;
	}
	return NULL;
}

/* ---- codec ---------------------------------------------------------------- */

static void test_link_roundtrip_full(void **state)
{
	char buf[512];
	struct kernel_link in = {
		.ifindex = 7,
		.has_proxy_arp = true,
		.proxy_arp = true,
		.has_lladdr = true,
		.has_announce_rate = true,
		.announce_rate = MIPHA_ANNOUNCE_RATE_MAX,
	};
	struct kernel_link out;
	struct nlmsghdr *nlh;
	const struct nlattr *attr;

	(void)state;
	memcpy(in.lladdr, MAC, sizeof(MAC));
	nlh = kernel_msg_put(buf, FAMILY, MIPHA_CMD_LINK_SET, NLM_F_ACK, 5);
	assert_int_equal(kernel_link_put(nlh, sizeof(buf), &in), 0);
	/* link, proxy_arp, lladdr, announce_rate: nothing else is sent. */
	assert_int_equal(count_attrs(nlh), 4);
	attr = find_attr(nlh, MIPHA_A_PROXY_ARP);
	assert_non_null(attr);
	assert_int_equal(mnl_attr_get_payload_len(attr), 1);
	assert_int_equal(mnl_attr_get_u8(attr), 1);
	attr = find_attr(nlh, MIPHA_A_LLADDR);
	assert_non_null(attr);
	assert_int_equal(mnl_attr_get_payload_len(attr), 6);
	assert_memory_equal(mnl_attr_get_payload(attr), MAC, 6);

	/* The kernel's reply adds the counters. */
	mnl_attr_put_u64(nlh, MIPHA_A_ARP_REPLIES, 1ULL << 35);
	mnl_attr_put_u64(nlh, MIPHA_A_ANNOUNCEMENTS, 500000);
	mnl_attr_put_u8(nlh, MIPHA_A_ANNOUNCE_PENDING, 1);
	assert_int_equal(kernel_link_parse(nlh, &out), 0);
	assert_int_equal(out.ifindex, 7);
	assert_true(out.has_proxy_arp);
	assert_true(out.proxy_arp);
	assert_true(out.has_lladdr);
	assert_memory_equal(out.lladdr, MAC, 6);
	assert_true(out.has_announce_rate);
	assert_int_equal(out.announce_rate, MIPHA_ANNOUNCE_RATE_MAX);
	assert_true(out.arp_replies == 1ULL << 35);
	assert_int_equal(out.announcements, 500000);
	assert_true(out.announce_pending);
}

static void test_link_roundtrip_minimal(void **state)
{
	char buf[256];
	struct kernel_link in = { .ifindex = 3, .has_proxy_arp = true };
	struct kernel_link out;
	struct nlmsghdr *nlh;
	const struct nlattr *attr;

	(void)state;
	/* "proxy-arp off" alone: off is sent, as an explicit 0. */
	nlh = kernel_msg_put(buf, FAMILY, MIPHA_CMD_LINK_SET, NLM_F_ACK, 5);
	assert_int_equal(kernel_link_put(nlh, sizeof(buf), &in), 0);
	assert_int_equal(count_attrs(nlh), 2);
	attr = find_attr(nlh, MIPHA_A_PROXY_ARP);
	assert_non_null(attr);
	assert_int_equal(mnl_attr_get_u8(attr), 0);
	assert_int_equal(kernel_link_parse(nlh, &out), 0);
	assert_int_equal(out.ifindex, 3);
	assert_true(out.has_proxy_arp);
	assert_false(out.proxy_arp);
	assert_false(out.has_lladdr);
	assert_false(out.has_announce_rate);
	assert_int_equal(out.arp_replies, 0);
	assert_false(out.announce_pending);

	/* Only the link: what LINK_GET asks. */
	in.has_proxy_arp = false;
	nlh = kernel_msg_put(buf, FAMILY, MIPHA_CMD_LINK_GET, NLM_F_ACK, 6);
	assert_int_equal(kernel_link_put(nlh, sizeof(buf), &in), 0);
	assert_int_equal(count_attrs(nlh), 1);
	assert_int_equal(kernel_link_parse(nlh, &out), 0);
	assert_false(out.has_proxy_arp);
}

static void test_link_put_no_room(void **state)
{
	char buf[256];
	struct kernel_link in = { .ifindex = 3, .has_lladdr = true };
	struct nlmsghdr *nlh;

	(void)state;
	nlh = kernel_msg_put(buf, FAMILY, MIPHA_CMD_LINK_SET, 0, 1);
	/* Header (20) and the link (8), not the lladdr (12). */
	assert_int_equal(kernel_link_put(nlh, 30, &in), -EMSGSIZE);
	assert_true(nlh->nlmsg_len <= 30);
}

static void test_link_parse_rejects(void **state)
{
	char buf[256];
	struct kernel_link l;
	struct nlmsghdr *nlh;
	uint8_t mac7[7] = { 2 };

	(void)state;
	/* No link. */
	nlh = kernel_msg_put(buf, FAMILY, MIPHA_CMD_LINK_GET, 0, 1);
	mnl_attr_put_u8(nlh, MIPHA_A_PROXY_ARP, 1);
	assert_int_equal(kernel_link_parse(nlh, &l), -EBADMSG);

	/* A seven-byte MAC. */
	nlh = kernel_msg_put(buf, FAMILY, MIPHA_CMD_LINK_GET, 0, 1);
	mnl_attr_put_u32(nlh, MIPHA_A_LINK, 2);
	mnl_attr_put(nlh, MIPHA_A_LLADDR, sizeof(mac7), mac7);
	assert_int_equal(kernel_link_parse(nlh, &l), -EBADMSG);

	/* proxy_arp as a u32. */
	nlh = kernel_msg_put(buf, FAMILY, MIPHA_CMD_LINK_GET, 0, 1);
	mnl_attr_put_u32(nlh, MIPHA_A_LINK, 2);
	mnl_attr_put_u32(nlh, MIPHA_A_PROXY_ARP, 1);
	assert_int_equal(kernel_link_parse(nlh, &l), -EBADMSG);

	/* A counter four bytes long. */
	nlh = kernel_msg_put(buf, FAMILY, MIPHA_CMD_LINK_GET, 0, 1);
	mnl_attr_put_u32(nlh, MIPHA_A_LINK, 2);
	mnl_attr_put_u32(nlh, MIPHA_A_ANNOUNCEMENTS, 1);
	assert_int_equal(kernel_link_parse(nlh, &l), -EBADMSG);

	/* A truncated attribute header. */
	nlh = kernel_msg_put(buf, FAMILY, MIPHA_CMD_LINK_GET, 0, 1);
	mnl_attr_put_u32(nlh, MIPHA_A_LINK, 2);
	nlh->nlmsg_len += 2;
	assert_int_equal(kernel_link_parse(nlh, &l), -EBADMSG);
}

static void test_link_parse_skips_unknown(void **state)
{
	char buf[256];
	struct kernel_link l;
	struct nlmsghdr *nlh;

	(void)state;
	/* A newer kernel's attribute, of any size, is ignored. */
	nlh = kernel_msg_put(buf, FAMILY, MIPHA_CMD_LINK_GET, 0, 1);
	mnl_attr_put_u32(nlh, MIPHA_A_LINK, 9);
	mnl_attr_put_u16(nlh, MIPHA_A_MAX + 1, 77);
	mnl_attr_put_u8(nlh, MIPHA_A_PROXY_ARP, 1);
	assert_int_equal(kernel_link_parse(nlh, &l), 0);
	assert_int_equal(l.ifindex, 9);
	assert_true(l.proxy_arp);
}

static void test_announce_put(void **state)
{
	char buf[256], str[64];
	struct in_addr home = ip("10.9.0.100");
	struct nlmsghdr *nlh;
	const struct nlattr *attr;

	(void)state;
	nlh = kernel_msg_put(buf, FAMILY, MIPHA_CMD_ANNOUNCE, NLM_F_ACK, 1);
	assert_int_equal(kernel_announce_put(nlh, sizeof(buf), 4, &home), 0);
	assert_int_equal(count_attrs(nlh), 2);
	attr = find_attr(nlh, MIPHA_A_LINK);
	assert_non_null(attr);
	assert_int_equal(mnl_attr_get_u32(attr), 4);
	attr = find_attr(nlh, MIPHA_A_HOME_ADDR);
	assert_non_null(attr);
	assert_int_equal(mnl_attr_get_u32(attr), home.s_addr);
	assert_string_equal(kernel_request_str(nlh, str, sizeof(str)),
			    "announce 10.9.0.100");

	/* Every binding of the link: no home address at all. */
	nlh = kernel_msg_put(buf, FAMILY, MIPHA_CMD_ANNOUNCE, NLM_F_ACK, 1);
	assert_int_equal(kernel_announce_put(nlh, sizeof(buf), 4, NULL), 0);
	assert_int_equal(count_attrs(nlh), 1);
	assert_null(find_attr(nlh, MIPHA_A_HOME_ADDR));
	assert_string_equal(kernel_request_str(nlh, str, sizeof(str)),
			    "announce");

	nlh = kernel_msg_put(buf, FAMILY, MIPHA_CMD_ANNOUNCE, NLM_F_ACK, 1);
	assert_int_equal(kernel_announce_put(nlh, 24, 4, &home), -EMSGSIZE);
}

static void test_link_request_str(void **state)
{
	char buf[256], str[64];
	struct kernel_link l = { .ifindex = 2, .has_proxy_arp = true };
	struct nlmsghdr *nlh;

	(void)state;
	nlh = kernel_msg_put(buf, FAMILY, MIPHA_CMD_LINK_SET, NLM_F_ACK, 1);
	kernel_link_put(nlh, sizeof(buf), &l);
	assert_string_equal(kernel_request_str(nlh, str, sizeof(str)),
			    "link set");
	nlh = kernel_msg_put(buf, FAMILY, MIPHA_CMD_LINK_GET, NLM_F_DUMP, 1);
	assert_string_equal(kernel_request_str(nlh, str, sizeof(str)),
			    "link get");
}

/* The data-path statistics the kernel sends in the STATS nest. */
static void test_datapath_stats(void **state)
{
	char buf[2048];
	struct kernel_stats st;
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	int i;

	(void)state;
	nlh = kernel_msg_put(buf, FAMILY, MIPHA_CMD_STATS_GET, 0, 0);
	nest = mnl_attr_nest_start(nlh, MIPHA_A_STATS);
	mnl_attr_put_u32(nlh, MIPHA_STATS_A_BINDINGS, 3);
	for (i = MIPHA_STATS_A_TX_PACKETS; i <= MIPHA_STATS_A_ANNOUNCEMENTS;
	     i++)
		mnl_attr_put_u64(nlh, i, 1000ULL * i + (1ULL << 40));
	mnl_attr_nest_end(nlh, nest);
	assert_int_equal(kernel_stats_parse(nlh, &st), 0);
	for (i = MIPHA_STATS_A_TX_PACKETS; i <= MIPHA_STATS_A_ANNOUNCEMENTS;
	     i++) {
		assert_true(st.present & 1U << i);
		assert_true(st.v[i] == 1000ULL * i + (1ULL << 40));
	}
	assert_string_equal(kernel_stats_name(MIPHA_STATS_A_DROP_SPOOF),
			    "drop_spoof");
	assert_string_equal(kernel_stats_name(MIPHA_STATS_A_PMTU_UPDATES),
			    "pmtu_updates");
	assert_string_equal(kernel_attr_name(MIPHA_A_LLADDR), "lladdr");
}

/* ---- miphactl ------------------------------------------------------------- */

struct fixture {
	struct ctl c;
	char *out, *err;
	size_t out_len, err_len;
	uint32_t lo;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	ctl_init(&f->c);
	f->c.dry_run = true;
	f->c.out = open_memstream(&f->out, &f->out_len);
	f->c.errf = open_memstream(&f->err, &f->err_len);
	f->lo = if_nametoindex("lo");
	assert_true(f->lo > 0);
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
	return f->out ? f->out : "";
}

/* Split a command written as one string and run it through ctl_run(). */
static int run(struct fixture *f, const char *cmd)
{
	char line[1024], *argv[CTL_ARGS_MAX + 1];
	int argc;

	snprintf(line, sizeof(line), "%s", cmd);
	assert_int_equal(ctl_split_line(line, argv, CTL_ARGS_MAX, &argc), 0);
	f->c.err[0] = '\0';
	return ctl_run(&f->c, argc, argv);
}

static int parse_set(struct fixture *f, const char *args, struct kernel_link *l)
{
	char line[1024], *argv[CTL_ARGS_MAX + 1];
	int argc;

	snprintf(line, sizeof(line), "%s", args);
	assert_int_equal(ctl_split_line(line, argv, CTL_ARGS_MAX, &argc), 0);
	f->c.err[0] = '\0';
	return link_parse_set_args(&f->c, argc, argv, l);
}

static void test_parse_mac(void **state)
{
	uint8_t m[6];
	char buf[24];

	(void)state;
	assert_true(parse_mac("02:00:5e:00:01:0a", m));
	assert_memory_equal(m, MAC, 6);
	assert_true(parse_mac("02:00:5E:00:01:0A", m));
	assert_memory_equal(m, MAC, 6);
	assert_string_equal(fmt_mac(buf, sizeof(buf), m), "02:00:5e:00:01:0a");
	assert_false(parse_mac("2:0:5e:0:1:a", m));
	assert_false(parse_mac("02:00:5e:00:01", m));
	assert_false(parse_mac("02:00:5e:00:01:0a:00", m));
	assert_false(parse_mac("02-00-5e-00-01-0a", m));
	assert_false(parse_mac("02:00:5e:00:01:0g", m));
	assert_false(parse_mac("0200.5e00.010a", m));
	assert_false(parse_mac("", m));
	assert_false(parse_mac("02:00:5e:00:01:0a ", m));

	assert_true(parse_mac("00:00:00:00:00:01", m));
	assert_true(mac_is_unicast(m));
	assert_true(parse_mac("00:00:00:00:00:00", m));
	assert_false(mac_is_unicast(m));
	assert_true(parse_mac("01:00:5e:00:00:01", m));
	assert_false(mac_is_unicast(m));
	assert_true(parse_mac("ff:ff:ff:ff:ff:ff", m));
	assert_false(mac_is_unicast(m));
}

static void test_link_set_args(void **state)
{
	struct fixture *f = *state;
	struct kernel_link l;

	assert_int_equal(parse_set(f,
				   "lo proxy-arp on lladdr 02:00:5e:00:01:0a "
				   "announce-rate 250",
				   &l),
			 CTL_OK);
	assert_int_equal(l.ifindex, f->lo);
	assert_true(l.has_proxy_arp && l.proxy_arp);
	assert_true(l.has_lladdr);
	assert_memory_equal(l.lladdr, MAC, 6);
	assert_true(l.has_announce_rate);
	assert_int_equal(l.announce_rate, 250);

	/* Any subset, any order, abbreviated. */
	assert_int_equal(parse_set(f, "lo announce 1000000 proxy off", &l),
			 CTL_OK);
	assert_true(l.has_proxy_arp && !l.proxy_arp);
	assert_false(l.has_lladdr);
	assert_int_equal(l.announce_rate, 1000000);

	assert_int_equal(parse_set(f, "", &l), CTL_USAGE);
	assert_string_equal(f->c.err, "link set: IFNAME expected");
	assert_int_equal(parse_set(f, "lo", &l), CTL_USAGE);
	assert_non_null(strstr(f->c.err, "nothing to set"));
	assert_int_equal(parse_set(f, "no-such-link0 proxy-arp on", &l),
			 CTL_USAGE);
	assert_string_equal(f->c.err,
			    "link set: no such link \"no-such-link0\"");
	assert_int_equal(parse_set(f, "lo proxy-arp yes", &l), CTL_USAGE);
	assert_string_equal(f->c.err,
			    "link set: proxy-arp is on or off, not \"yes\"");
	assert_int_equal(parse_set(f, "lo proxy-arp", &l), CTL_USAGE);
	assert_string_equal(f->c.err, "link set: \"proxy-arp\" needs a value");
	assert_int_equal(parse_set(f, "lo proxy-arp on proxy-arp off", &l),
			 CTL_USAGE);
	assert_string_equal(f->c.err, "link set: \"proxy-arp\" given twice");
	assert_int_equal(parse_set(f, "lo lladdr 01:00:5e:00:00:01", &l),
			 CTL_USAGE);
	assert_non_null(strstr(f->c.err, "not a unicast address"));
	assert_int_equal(parse_set(f, "lo lladdr 00:00:00:00:00:00", &l),
			 CTL_USAGE);
	assert_int_equal(parse_set(f, "lo lladdr 02:00:5e:00:01", &l),
			 CTL_USAGE);
	assert_non_null(strstr(f->c.err, "invalid lladdr"));
	assert_int_equal(parse_set(f, "lo announce-rate 0", &l), CTL_USAGE);
	assert_non_null(strstr(f->c.err, "invalid announce-rate \"0\""));
	assert_int_equal(parse_set(f, "lo announce-rate 1000001", &l),
			 CTL_USAGE);
	assert_int_equal(parse_set(f, "lo announce-rate -5", &l), CTL_USAGE);
	assert_int_equal(parse_set(f, "lo proxy-arp on bogus 1", &l),
			 CTL_USAGE);
	assert_string_equal(f->c.err, "link set: unknown word \"bogus\"");
}

static void test_announce_args(void **state)
{
	struct fixture *f = *state;
	char line[256], *argv[CTL_ARGS_MAX + 1];
	struct in_addr home;
	uint32_t ifindex;
	bool all;
	int argc;

	snprintf(line, sizeof(line), "lo 10.9.0.100");
	ctl_split_line(line, argv, CTL_ARGS_MAX, &argc);
	assert_int_equal(announce_parse_args(&f->c, argc, argv, &ifindex, &home,
					     &all),
			 CTL_OK);
	assert_int_equal(ifindex, f->lo);
	assert_false(all);
	assert_int_equal(home.s_addr, ip("10.9.0.100").s_addr);

	snprintf(line, sizeof(line), "lo");
	ctl_split_line(line, argv, CTL_ARGS_MAX, &argc);
	assert_int_equal(announce_parse_args(&f->c, argc, argv, &ifindex, &home,
					     &all),
			 CTL_OK);
	assert_true(all);

	assert_int_equal(run(f, "kernel announce lo 10.9.0"), CTL_USAGE);
	assert_string_equal(f->c.err,
			    "announce: invalid home address \"10.9.0\"");
	assert_int_equal(run(f, "kernel announce lo 10.9.0.1 x"), CTL_USAGE);
	assert_int_equal(run(f, "kernel announce"), CTL_USAGE);
	assert_int_equal(run(f, "kernel announce nosuch0"), CTL_USAGE);
	assert_int_equal(run(f, "kernel announce lo 10.9.0.1"), CTL_OK);
	assert_int_equal(run(f, "kernel announce lo"), CTL_OK);
}

static void test_link_dispatch(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(run(f, "kernel link set lo proxy-arp on lladdr "
				"02:00:5e:00:01:0a"),
			 CTL_OK);
	assert_int_equal(run(f, "kernel l s lo proxy-arp off"), CTL_OK);
	assert_int_equal(run(f, "kernel link show"), CTL_OK);
	assert_int_equal(run(f, "kernel link show lo"), CTL_OK);
	assert_int_equal(run(f, "kernel link show lo lo"), CTL_USAGE);
	assert_int_equal(run(f, "kernel link show nosuch0"), CTL_USAGE);
	assert_int_equal(run(f, "kernel link frob"), CTL_USAGE);
	assert_string_equal(f->c.err, "kernel link: unknown word \"frob\"");
	/* A dry run prints nothing. */
	assert_string_equal(out_of(f), "");
	assert_int_equal(run(f, "kernel link help"), CTL_OK);
	assert_non_null(strstr(out_of(f), "kernel link set IFNAME"));
	assert_non_null(strstr(out_of(f), "kernel announce IFNAME"));
}

static void test_link_print(void **state)
{
	struct fixture *f = *state;
	struct kernel_link l = {
		.ifindex = f->lo,
		.has_proxy_arp = true,
		.proxy_arp = true,
		.has_lladdr = true,
		.has_announce_rate = true,
		.announce_rate = 1000,
		.arp_replies = 3,
		.announcements = 18446744073709551615ULL,
		.announce_pending = true,
	};

	memcpy(l.lladdr, MAC, 6);
	link_print(&f->c, &l);
	l.proxy_arp = false;
	l.has_lladdr = false;
	l.announce_pending = false;
	l.announcements = 0;
	l.ifindex = 999999; /* gone: shown by number */
	link_print(&f->c, &l);
	assert_string_equal(out_of(f),
			    "lo proxy-arp on lladdr 02:00:5e:00:01:0a "
			    "announce-rate 1000 arp-replies 3 announcements "
			    "18446744073709551615 announcing\n"
			    "999999 proxy-arp off announce-rate 1000 "
			    "arp-replies 3 announcements 0\n");
}

static void test_link_json(void **state)
{
	struct fixture *f = *state;
	struct kernel_link v[2] = {
		{
			.ifindex = 999999,
			.has_proxy_arp = true,
			.proxy_arp = false,
		},
		{
			.ifindex = f->lo,
			.has_proxy_arp = true,
			.proxy_arp = true,
			.has_lladdr = true,
			.has_announce_rate = true,
			.announce_rate = 5,
			.arp_replies = 1,
			.announcements = 2,
			.announce_pending = true,
		},
	};
	char expect[1024];

	memcpy(v[1].lladdr, MAC, 6);
	f->c.json = true;
	/* Sorted by ifindex; absent settings are null. */
	link_list_print(&f->c, v, 2);
	snprintf(expect, sizeof(expect),
		 "[{\"link\":\"lo\",\"ifindex\":%u,\"proxy_arp\":true,"
		 "\"lladdr\":\"02:00:5e:00:01:0a\",\"announce_rate\":5,"
		 "\"arp_replies\":1,\"announcements\":2,"
		 "\"announce_pending\":true},"
		 "{\"link\":null,\"ifindex\":999999,\"proxy_arp\":false,"
		 "\"lladdr\":null,\"announce_rate\":null,\"arp_replies\":0,"
		 "\"announcements\":0,\"announce_pending\":false}]\n",
		 f->lo);
	assert_string_equal(out_of(f), expect);
}

static void test_stats_output(void **state)
{
	struct fixture *f = *state;
	struct kernel_stats st = {};

	st.v[MIPHA_STATS_A_BINDINGS] = 2;
	st.v[MIPHA_STATS_A_DROP_SPOOF] = 7;
	st.v[MIPHA_STATS_A_ANNOUNCEMENTS] = 1ULL << 33;
	st.present = 1U << MIPHA_STATS_A_BINDINGS |
		     1U << MIPHA_STATS_A_DROP_SPOOF |
		     1U << MIPHA_STATS_A_ANNOUNCEMENTS;
	stats_print(&f->c, &st);
	f->c.json = true;
	stats_print(&f->c, &st);
	assert_string_equal(out_of(f), "bindings 2\ndrop_spoof 7\n"
				       "announcements 8589934592\n"
				       "{\"bindings\":2,\"drop_spoof\":7,"
				       "\"announcements\":8589934592}\n");
}

/* link set and announce in a batch file, between binding changes. */
static void test_link_batch(void **state)
{
	struct fixture *f = *state;
	const char *text =
		"kernel binding add 10.9.0.100 coa 10.9.3.2 ha 10.9.0.1 link lo\n"
		"kernel link set lo proxy-arp on lladdr 02:00:5e:00:01:0a\n"
		"kernel announce lo 10.9.0.100\n"
		"kernel link show\n";
	FILE *in = fmemopen((void *)text, strlen(text), "r");

	assert_int_equal(ctl_batch_stream(&f->c, in, "t"), CTL_OK);
	fclose(in);

	text = "kernel link set lo proxy-arp maybe\n";
	in = fmemopen((void *)text, strlen(text), "r");
	assert_int_equal(ctl_batch_stream(&f->c, in, "t"), CTL_ERR);
	fclose(in);
	fflush(f->c.errf);
	assert_non_null(
		strstr(f->err, "t:1: link set: proxy-arp is on or off"));
}

int main(void)
{
	const struct CMUnitTest codec[] = {
		cmocka_unit_test(test_link_roundtrip_full),
		cmocka_unit_test(test_link_roundtrip_minimal),
		cmocka_unit_test(test_link_put_no_room),
		cmocka_unit_test(test_link_parse_rejects),
		cmocka_unit_test(test_link_parse_skips_unknown),
		cmocka_unit_test(test_announce_put),
		cmocka_unit_test(test_link_request_str),
		cmocka_unit_test(test_datapath_stats),
		cmocka_unit_test(test_parse_mac),
	};
	const struct CMUnitTest ctl[] = {
		cmocka_unit_test_setup_teardown(test_link_set_args, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_announce_args, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_link_dispatch, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_link_print, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_link_json, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_stats_output, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_link_batch, setup,
						teardown),
	};
	int failed;

	failed = cmocka_run_group_tests_name("link codec", codec, NULL, NULL);
	failed += cmocka_run_group_tests_name("link ctl", ctl, NULL, NULL);
	return failed ? 1 : 0;
}
