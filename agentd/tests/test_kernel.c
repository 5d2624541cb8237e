// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of kernel.c's codec: binding messages built and parsed back,
 * notifications, statistics, the controller's family reply, extended ACKs
 * built by hand the way net/netlink/af_netlink.c builds them, and the batch
 * machinery's mapping of errors back to requests. No kernel needed.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

#include "kernel.h"

#define FAMILY 0x1d

static struct in_addr ip(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a;
}

static uint8_t cookie_max[MIPHA_COOKIE_MAX];

/* A binding with every request field set, the cookie at its maximum. */
static struct kernel_binding full_binding(void)
{
	struct kernel_binding b = {
		.home_addr = ip("20.0.0.1"),
		.coa = ip("68.0.0.31"),
		.ha_addr = ip("66.0.0.5"),
		.encap = MIPHA_ENCAP_GRE,
		.has_gre_key = true,
		.gre_key = 0xdeadbeef,
		.flags = MIPHA_F_REVERSE_TUNNEL | MIPHA_F_BROADCAST,
		.link = 7,
		.lifetime = MIPHA_LIFETIME_MAX,
		.cookie = cookie_max,
		.cookie_len = sizeof(cookie_max),
	};
	size_t i;

	for (i = 0; i < sizeof(cookie_max); i++)
		cookie_max[i] = i * 7 + 3;
	return b;
}

/* What only the kernel sends: expiry, counters, event. */
static void put_reply_attrs(struct nlmsghdr *nlh)
{
	mnl_attr_put_u64(nlh, MIPHA_A_EXPIRES_MS, 9992123);
	mnl_attr_put_u64(nlh, MIPHA_A_TX_PACKETS, 12);
	mnl_attr_put_u64(nlh, MIPHA_A_TX_BYTES, 3400);
	mnl_attr_put_u64(nlh, MIPHA_A_RX_PACKETS, 1ULL << 40);
	mnl_attr_put_u64(nlh, MIPHA_A_RX_BYTES, UINT64_MAX);
	mnl_attr_put_u8(nlh, MIPHA_A_EVENT, MIPHA_EVENT_REPLACED);
}

static int count_attrs(const struct nlmsghdr *nlh)
{
	const struct nlattr *attr;
	int n = 0;

	mnl_attr_for_each(attr, nlh, GENL_HDRLEN)
		n++;
	return n;
}

static void test_binding_roundtrip_full(void **state)
{
	char buf[4096];
	struct kernel_binding in = full_binding(), out;
	struct nlmsghdr *nlh;
	struct genlmsghdr *genl;

	(void)state;
	nlh = kernel_msg_put(buf, FAMILY, MIPHA_CMD_BINDING_NEW, NLM_F_ACK, 42);
	assert_int_equal(nlh->nlmsg_type, FAMILY);
	assert_int_equal(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
	assert_int_equal(nlh->nlmsg_seq, 42);
	genl = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(genl->cmd, MIPHA_CMD_BINDING_NEW);
	assert_int_equal(genl->version, MIPHA_GENL_VERSION);

	assert_int_equal(kernel_binding_put(nlh, sizeof(buf), &in), 0);
	/* home, coa, ha, encap, key, flags, link, lifetime, cookie */
	assert_int_equal(count_attrs(nlh), 9);
	put_reply_attrs(nlh);

	assert_int_equal(kernel_binding_parse(nlh, &out), 0);
	assert_int_equal(out.home_addr.s_addr, in.home_addr.s_addr);
	assert_int_equal(out.coa.s_addr, in.coa.s_addr);
	assert_int_equal(out.ha_addr.s_addr, in.ha_addr.s_addr);
	assert_int_equal(out.encap, MIPHA_ENCAP_GRE);
	assert_true(out.has_gre_key);
	assert_int_equal(out.gre_key, 0xdeadbeef);
	assert_int_equal(out.flags, MIPHA_F_ALL);
	assert_int_equal(out.link, 7);
	assert_int_equal(out.lifetime, MIPHA_LIFETIME_MAX);
	assert_true(out.has_expires);
	assert_int_equal(out.expires_ms, 9992123);
	assert_int_equal(out.tx_packets, 12);
	assert_int_equal(out.tx_bytes, 3400);
	assert_int_equal(out.rx_packets, 1ULL << 40);
	assert_true(out.rx_bytes == UINT64_MAX);
	assert_int_equal(out.event, MIPHA_EVENT_REPLACED);
	assert_int_equal(out.cookie_len, MIPHA_COOKIE_MAX);
	assert_memory_equal(out.cookie, cookie_max, MIPHA_COOKIE_MAX);
	/* The cookie is not copied: it points into the message. */
	assert_true((const char *)out.cookie > buf &&
		    (const char *)out.cookie < buf + nlh->nlmsg_len);
}

static void test_binding_roundtrip_minimal(void **state)
{
	char buf[512];
	struct kernel_binding in = {
		.home_addr = ip("10.0.0.1"),
		.coa = ip("192.0.2.1"),
		.ha_addr = ip("198.51.100.1"),
	};
	struct kernel_binding out;
	struct nlmsghdr *nlh;

	(void)state;
	nlh = kernel_msg_put(buf, FAMILY, MIPHA_CMD_BINDING_NEW, 0, 1);
	assert_int_equal(kernel_binding_put(nlh, sizeof(buf), &in), 0);
	/* Defaults are left to the kernel: nothing but the three addresses. */
	assert_int_equal(count_attrs(nlh), 3);
	assert_int_equal(kernel_binding_parse(nlh, &out), 0);
	assert_int_equal(out.home_addr.s_addr, in.home_addr.s_addr);
	assert_int_equal(out.coa.s_addr, in.coa.s_addr);
	assert_int_equal(out.ha_addr.s_addr, in.ha_addr.s_addr);
	assert_int_equal(out.encap, 0);
	assert_false(out.has_gre_key);
	assert_int_equal(out.flags, 0);
	assert_int_equal(out.link, 0);
	assert_int_equal(out.lifetime, 0);
	assert_false(out.has_expires);
	assert_int_equal(out.cookie_len, 0);
	assert_null(out.cookie);
	assert_int_equal(out.event, 0);
}

static void test_binding_put_no_room(void **state)
{
	char buf[4096];
	struct kernel_binding b = full_binding();
	struct nlmsghdr *nlh;

	(void)state;
	nlh = kernel_msg_put(buf, FAMILY, MIPHA_CMD_BINDING_NEW, 0, 1);
	/* Room for the addresses but not the 512-byte cookie. */
	assert_int_equal(kernel_binding_put(nlh, 200, &b), -EMSGSIZE);
	assert_true(nlh->nlmsg_len <= 200);
}

/*
 * The room a binding needs counts its last attribute's padding (a 5-byte
 * cookie: 3 bytes), which is written too: a byte less and nothing is, in
 * a buffer of exactly that size (ASan sees a write past it).
 */
static void test_binding_put_exact_room(void **state)
{
	char big[4096], *buf;
	struct kernel_binding b = full_binding();
	struct nlmsghdr *nlh;
	size_t need, room;

	(void)state;
	b.cookie_len = 5;
	nlh = kernel_msg_put(big, FAMILY, MIPHA_CMD_BINDING_NEW, 0, 1);
	assert_int_equal(kernel_binding_put(nlh, sizeof(big), &b), 0);
	need = nlh->nlmsg_len;
	assert_int_equal(need % 4, 0);
	for (room = need - 4; room <= need; room++) {
		buf = malloc(room);
		assert_non_null(buf);
		nlh = kernel_msg_put(buf, FAMILY, MIPHA_CMD_BINDING_NEW, 0, 1);
		assert_int_equal(kernel_binding_put(nlh, room, &b),
				 room == need ? 0 : -EMSGSIZE);
		assert_int_equal(nlh->nlmsg_len,
				 room == need ? need :
						NLMSG_HDRLEN + GENL_HDRLEN);
		if (room == need)
			assert_memory_equal(buf, big, need);
		free(buf);
	}
}

static struct nlmsghdr *msg_with_home(char *buf)
{
	struct nlmsghdr *nlh;

	nlh = kernel_msg_put(buf, FAMILY, MIPHA_CMD_BINDING_NEW, 0, 1);
	mnl_attr_put_u32(nlh, MIPHA_A_HOME_ADDR, ip("10.0.0.1").s_addr);
	return nlh;
}

static void test_binding_parse_rejects(void **state)
{
	static uint8_t big[MIPHA_COOKIE_MAX + 1];
	char buf[2048];
	struct kernel_binding b;
	struct nlmsghdr *nlh;
	uint16_t two = 2;

	(void)state;
	/* A be32 attribute two bytes long. */
	nlh = kernel_msg_put(buf, FAMILY, MIPHA_CMD_BINDING_NEW, 0, 1);
	mnl_attr_put(nlh, MIPHA_A_HOME_ADDR, sizeof(two), &two);
	assert_int_equal(kernel_binding_parse(nlh, &b), -EBADMSG);

	/* A u64 counter four bytes long. */
	nlh = msg_with_home(buf);
	mnl_attr_put_u32(nlh, MIPHA_A_TX_BYTES, 1);
	assert_int_equal(kernel_binding_parse(nlh, &b), -EBADMSG);

	/* A cookie over the maximum. */
	nlh = msg_with_home(buf);
	mnl_attr_put(nlh, MIPHA_A_COOKIE, sizeof(big), big);
	assert_int_equal(kernel_binding_parse(nlh, &b), -EBADMSG);

	/* No home address. */
	nlh = kernel_msg_put(buf, FAMILY, MIPHA_CMD_BINDING_NEW, 0, 1);
	mnl_attr_put_u32(nlh, MIPHA_A_COA, 1);
	assert_int_equal(kernel_binding_parse(nlh, &b), -EBADMSG);

	/* Shorter than its generic-netlink header. */
	nlh = msg_with_home(buf);
	nlh->nlmsg_len = NLMSG_HDRLEN + 2;
	assert_int_equal(kernel_binding_parse(nlh, &b), -EBADMSG);

	/*
	 * An attribute running past the end of the message, even into what
	 * would be its padding.
	 */
	nlh = msg_with_home(buf);
	nlh->nlmsg_len -= 2;
	assert_int_equal(kernel_binding_parse(nlh, &b), -EBADMSG);

	/* Leftover bytes too few for an attribute header. */
	nlh = msg_with_home(buf);
	memset((char *)nlh + nlh->nlmsg_len, 0, 2);
	nlh->nlmsg_len += 2;
	assert_int_equal(kernel_binding_parse(nlh, &b), -EBADMSG);

	/* An attribute shorter than its own header. */
	nlh = msg_with_home(buf);
	((struct nlattr *)((char *)nlh + NLMSG_HDRLEN + GENL_HDRLEN))->nla_len =
		2;
	assert_int_equal(kernel_binding_parse(nlh, &b), -EBADMSG);
}

static void test_binding_parse_skips_unknown(void **state)
{
	char buf[512];
	struct kernel_binding b;
	struct nlmsghdr *nlh;

	(void)state;
	nlh = msg_with_home(buf);
	/* A newer kernel's attribute, any size: ignored. */
	mnl_attr_put_u64(nlh, MIPHA_A_MAX + 5, 1);
	mnl_attr_put_u32(nlh, MIPHA_A_PAD, 0);
	assert_int_equal(kernel_binding_parse(nlh, &b), 0);
	assert_int_equal(b.home_addr.s_addr, ip("10.0.0.1").s_addr);
}

static void test_notification_parse(void **state)
{
	char buf[1024];
	struct kernel_binding in = full_binding();
	struct kernel_notification n;
	struct nlmsghdr *nlh;

	(void)state;
	in.cookie_len = 3;
	nlh = kernel_msg_put(buf, FAMILY, MIPHA_CMD_BINDING_DEL, 0, 0);
	assert_int_equal(kernel_binding_put(nlh, sizeof(buf), &in), 0);
	mnl_attr_put_u8(nlh, MIPHA_A_EVENT, MIPHA_EVENT_EXPIRED);
	assert_int_equal(kernel_notification_parse(nlh, &n), 0);
	assert_int_equal(n.cmd, MIPHA_CMD_BINDING_DEL);
	assert_int_equal(n.event, MIPHA_EVENT_EXPIRED);
	assert_true(n.has_binding);
	assert_int_equal(n.binding.event, MIPHA_EVENT_EXPIRED);
	assert_int_equal(n.binding.coa.s_addr, in.coa.s_addr);
	assert_int_equal(n.binding.cookie_len, 3);

	nlh = kernel_msg_put(buf, FAMILY, MIPHA_CMD_BINDING_FLUSH, 0, 0);
	mnl_attr_put_u8(nlh, MIPHA_A_EVENT, MIPHA_EVENT_FLUSHED);
	mnl_attr_put_u32(nlh, MIPHA_A_FLUSH_COUNT, 500000);
	assert_int_equal(kernel_notification_parse(nlh, &n), 0);
	assert_int_equal(n.cmd, MIPHA_CMD_BINDING_FLUSH);
	assert_int_equal(n.event, MIPHA_EVENT_FLUSHED);
	assert_int_equal(n.flush_count, 500000);
	assert_false(n.has_binding);

	/* A binding event without a binding is malformed. */
	nlh = kernel_msg_put(buf, FAMILY, MIPHA_CMD_BINDING_NEW, 0, 0);
	mnl_attr_put_u8(nlh, MIPHA_A_EVENT, MIPHA_EVENT_ADDED);
	assert_int_equal(kernel_notification_parse(nlh, &n), -EBADMSG);
}

/* CONFIG_SET carries the limit as a u32 MAX_BINDINGS, and fits or says not. */
static void test_config_put(void **state)
{
	char buf[256];
	struct nlmsghdr *nlh;
	struct nlattr *a;
	unsigned int n = 0;

	(void)state;
	nlh = kernel_msg_put(buf, FAMILY, MIPHA_CMD_CONFIG_SET, NLM_F_ACK, 7);
	assert_int_equal(kernel_config_put(nlh, sizeof(buf), 4000000000U), 0);
	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		assert_int_equal(mnl_attr_get_type(a), MIPHA_A_MAX_BINDINGS);
		assert_int_equal(mnl_attr_get_payload_len(a), 4);
		assert_int_equal(mnl_attr_get_u32(a), 4000000000U);
		n++;
	}
	assert_int_equal(n, 1);
	assert_int_equal(((struct genlmsghdr *)mnl_nlmsg_get_payload(nlh))->cmd,
			 MIPHA_CMD_CONFIG_SET);

	nlh = kernel_msg_put(buf, FAMILY, MIPHA_CMD_CONFIG_SET, NLM_F_ACK, 7);
	assert_int_equal(kernel_config_put(nlh, nlh->nlmsg_len + 4, 1),
			 -EMSGSIZE);
}

static void test_stats_parse(void **state)
{
	char buf[1024];
	struct kernel_stats st;
	struct nlmsghdr *nlh;
	struct nlattr *nest;

	(void)state;
	nlh = kernel_msg_put(buf, FAMILY, MIPHA_CMD_STATS_GET, 0, 0);
	nest = mnl_attr_nest_start(nlh, MIPHA_A_STATS);
	mnl_attr_put_u32(nlh, MIPHA_STATS_A_BINDINGS, 500000);
	mnl_attr_put_u32(nlh, MIPHA_STATS_A_PAD, 0);
	mnl_attr_put_u64(nlh, MIPHA_STATS_A_ADDS, 600000);
	mnl_attr_put_u64(nlh, MIPHA_STATS_A_MEMORY, 1ULL << 33);
	mnl_attr_put_u32(nlh, MIPHA_STATS_A_BUCKETS, 1 << 19);
	mnl_attr_put_u64(nlh, MIPHA_STATS_A_MAX + 3, 9); /* newer kernel */
	mnl_attr_nest_end(nlh, nest);
	assert_int_equal(kernel_stats_parse(nlh, &st), 0);
	assert_int_equal(st.v[MIPHA_STATS_A_BINDINGS], 500000);
	assert_int_equal(st.v[MIPHA_STATS_A_ADDS], 600000);
	assert_int_equal(st.v[MIPHA_STATS_A_MEMORY], 1ULL << 33);
	assert_int_equal(st.v[MIPHA_STATS_A_BUCKETS], 1 << 19);
	assert_int_equal(st.present, 1U << MIPHA_STATS_A_BINDINGS |
					     1U << MIPHA_STATS_A_ADDS |
					     1U << MIPHA_STATS_A_MEMORY |
					     1U << MIPHA_STATS_A_BUCKETS);

	/* A counter of odd size. */
	nlh = kernel_msg_put(buf, FAMILY, MIPHA_CMD_STATS_GET, 0, 0);
	nest = mnl_attr_nest_start(nlh, MIPHA_A_STATS);
	mnl_attr_put_u16(nlh, MIPHA_STATS_A_ADDS, 1);
	mnl_attr_nest_end(nlh, nest);
	assert_int_equal(kernel_stats_parse(nlh, &st), -EBADMSG);

	/* No nest at all. */
	nlh = kernel_msg_put(buf, FAMILY, MIPHA_CMD_STATS_GET, 0, 0);
	assert_int_equal(kernel_stats_parse(nlh, &st), -EBADMSG);
}

/*
 * An NLMSG_ERROR as netlink_ack() builds it: nlmsgerr with a copy of the
 * request header, the request payload unless capped, then the TLVs.
 */
static struct nlmsghdr *put_error(char *buf, const struct nlmsghdr *req,
				  int error, bool capped, const char *msg,
				  int offs, int miss_type)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nlmsgerr *e;
	size_t plen = req->nlmsg_len - NLMSG_HDRLEN;

	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_seq = req->nlmsg_seq;
	e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
	e->error = error;
	e->msg = *req;
	if (capped) {
		nlh->nlmsg_flags |= NLM_F_CAPPED;
	} else {
		void *p = mnl_nlmsg_put_extra_header(nlh, MNL_ALIGN(plen));

		memcpy(p, mnl_nlmsg_get_payload(req), plen);
	}
	if (msg)
		mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, msg);
	if (offs >= 0)
		mnl_attr_put_u32(nlh, NLMSGERR_ATTR_OFFS, offs);
	if (miss_type >= 0)
		mnl_attr_put_u32(nlh, NLMSGERR_ATTR_MISS_TYPE, miss_type);
	if (msg || offs >= 0 || miss_type >= 0)
		nlh->nlmsg_flags |= NLM_F_ACK_TLVS;
	return nlh;
}

/* Offset of attribute @type in @req, as the kernel reports it. */
static int attr_offset(const struct nlmsghdr *req, int type)
{
	const struct nlattr *attr;

	mnl_attr_for_each(attr, req, GENL_HDRLEN) {
		if (mnl_attr_get_type(attr) == type)
			return (const char *)attr - (const char *)req;
	}
	fail();
	return -1;
}

static struct nlmsghdr *sample_request(char *buf)
{
	struct kernel_binding b = full_binding();
	struct nlmsghdr *nlh;

	b.cookie_len = 4;
	nlh = kernel_msg_put(buf, FAMILY, MIPHA_CMD_BINDING_NEW,
			     NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, 77);
	assert_int_equal(kernel_binding_put(nlh, 4096, &b), 0);
	return nlh;
}

static void test_extack_capped(void **state)
{
	char rbuf[4096], ebuf[4096], str[512];
	struct nlmsghdr *req = sample_request(rbuf), *nlh;
	struct kernel_error err;
	int offs = attr_offset(req, MIPHA_A_COOKIE) + 4; /* inside it */

	(void)state;
	nlh = put_error(ebuf, req, -EINVAL, true, "cookie too long", offs, -1);
	assert_int_equal(kernel_error_parse(nlh, &err), 0);
	assert_int_equal(err.error, -EINVAL);
	assert_string_equal(err.msg, "cookie too long");
	assert_int_equal(err.offs, offs);
	assert_int_equal(err.attr, -1);
	kernel_error_resolve(&err, req);
	assert_int_equal(err.attr, MIPHA_A_COOKIE);
	assert_string_equal(kernel_error_str(&err, str, sizeof(str)),
			    "Invalid argument (kernel: cookie too long, "
			    "attribute cookie)");
}

static void test_extack_uncapped(void **state)
{
	char rbuf[4096], ebuf[4096], str[512];
	struct nlmsghdr *req = sample_request(rbuf), *nlh;
	struct kernel_error err;

	(void)state;
	/* Without NETLINK_CAP_ACK the request comes back before the TLVs. */
	nlh = put_error(ebuf, req, -EEXIST, false, "home address already bound",
			-1, -1);
	assert_true(nlh->nlmsg_len > req->nlmsg_len);
	assert_int_equal(kernel_error_parse(nlh, &err), 0);
	assert_int_equal(err.error, -EEXIST);
	assert_string_equal(err.msg, "home address already bound");
	assert_int_equal(err.offs, -1);
	kernel_error_resolve(&err, req);
	assert_int_equal(err.attr, -1);
	assert_string_equal(kernel_error_str(&err, str, sizeof(str)),
			    "File exists (kernel: home address already bound)");
}

static void test_extack_missing_attr(void **state)
{
	char rbuf[4096], ebuf[4096], str[512];
	struct nlmsghdr *req = sample_request(rbuf), *nlh;
	struct kernel_error err;

	(void)state;
	nlh = put_error(ebuf, req, -EINVAL, true, NULL, -1, MIPHA_A_HA_ADDR);
	assert_int_equal(kernel_error_parse(nlh, &err), 0);
	assert_int_equal(err.miss_type, MIPHA_A_HA_ADDR);
	assert_string_equal(kernel_error_str(&err, str, sizeof(str)),
			    "Invalid argument (kernel: missing attribute "
			    "ha_addr)");
	/* An attribute we have no name for is shown by number. */
	err.miss_type = 99;
	assert_string_equal(kernel_error_str(&err, str, sizeof(str)),
			    "Invalid argument (kernel: missing attribute 99)");
}

static void test_extack_plain_and_ack(void **state)
{
	char rbuf[4096], ebuf[4096], str[512];
	struct nlmsghdr *req = sample_request(rbuf), *nlh;
	struct kernel_error err;

	(void)state;
	nlh = put_error(ebuf, req, -ENOENT, true, NULL, -1, -1);
	assert_int_equal(kernel_error_parse(nlh, &err), 0);
	assert_int_equal(err.error, -ENOENT);
	assert_string_equal(err.msg, "");
	assert_string_equal(kernel_error_str(&err, str, sizeof(str)),
			    "No such file or directory");

	/* A success ACK may carry a warning. */
	nlh = put_error(ebuf, req, 0, true, "deprecated attribute", -1, -1);
	assert_int_equal(kernel_error_parse(nlh, &err), 0);
	assert_int_equal(err.error, 0);
	assert_string_equal(err.msg, "deprecated attribute");
}

static void test_extack_malformed(void **state)
{
	char rbuf[4096], ebuf[4096];
	struct nlmsghdr *req = sample_request(rbuf), *nlh;
	struct kernel_error err;
	struct nlattr *attr;

	(void)state;
	/* Too short for struct nlmsgerr. */
	nlh = put_error(ebuf, req, -EINVAL, true, NULL, -1, -1);
	nlh->nlmsg_len = NLMSG_HDRLEN + 4;
	assert_int_equal(kernel_error_parse(nlh, &err), -EBADMSG);

	/* A positive error is no errno. */
	nlh = put_error(ebuf, req, 5, true, NULL, -1, -1);
	assert_int_equal(kernel_error_parse(nlh, &err), 0);
	assert_int_equal(err.error, -EBADMSG);

	/* Uncapped, with an inner length longer than what follows. */
	nlh = put_error(ebuf, req, -EINVAL, false, "x", -1, -1);
	((struct nlmsgerr *)mnl_nlmsg_get_payload(nlh))->msg.nlmsg_len = 60000;
	assert_int_equal(kernel_error_parse(nlh, &err), 0);
	assert_string_equal(err.msg, "");

	/* A message without its NUL, with control characters. */
	nlh = put_error(ebuf, req, -EINVAL, true, "ab\ncd", -1, -1);
	attr = (struct nlattr *)((char *)mnl_nlmsg_get_payload(nlh) +
				 sizeof(struct nlmsgerr));
	((char *)mnl_attr_get_payload(attr))[5] = 'e';
	assert_int_equal(kernel_error_parse(nlh, &err), 0);
	assert_string_equal(err.msg, "ab?cde");

	/* An offset past the request resolves to nothing. */
	nlh = put_error(ebuf, req, -EINVAL, true, NULL, 5000, -1);
	assert_int_equal(kernel_error_parse(nlh, &err), 0);
	kernel_error_resolve(&err, req);
	assert_int_equal(err.attr, -1);
}

static void test_done_with_error(void **state)
{
	char buf[256];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct kernel_error err;
	int *error;

	(void)state;
	nlh->nlmsg_type = NLMSG_DONE;
	nlh->nlmsg_flags = NLM_F_MULTI;
	error = mnl_nlmsg_put_extra_header(nlh, sizeof(*error));
	*error = 0;
	assert_int_equal(kernel_error_parse(nlh, &err), 0);
	assert_int_equal(err.error, 0);

	*error = -EMSGSIZE;
	nlh->nlmsg_flags |= NLM_F_ACK_TLVS;
	mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, "dump failed");
	assert_int_equal(kernel_error_parse(nlh, &err), 0);
	assert_int_equal(err.error, -EMSGSIZE);
	assert_string_equal(err.msg, "dump failed");
}

/* Batches. */

struct seen_error {
	uint64_t tag;
	int error;
	int attr;
	char what[64];
	char msg[256];
};

struct seen {
	struct seen_error v[16];
	int n;
};

static void record_error(uint64_t tag, const struct nlmsghdr *req,
			 const struct kernel_error *err, void *data)
{
	struct seen *s = data;
	struct seen_error *e = &s->v[s->n++];

	e->tag = tag;
	e->error = err->error;
	e->attr = err->attr;
	snprintf(e->msg, sizeof(e->msg), "%s", err->msg);
	kernel_request_str(req, e->what, sizeof(e->what));
}

static struct kernel_binding nth_binding(int i)
{
	struct kernel_binding b = {
		.home_addr = { htonl(0x0a000000 + i) },
		.coa = ip("192.0.2.1"),
		.ha_addr = ip("198.51.100.1"),
	};

	return b;
}

static struct nlmsghdr *batch_msg(const void *buf, int i)
{
	const struct nlmsghdr *nlh = buf;
	int rem = 1 << 20;

	while (i--)
		nlh = mnl_nlmsg_next(nlh, &rem);
	return (struct nlmsghdr *)nlh;
}

static void test_batch_seal(void **state)
{
	struct kernel_batch *batch = kernel_batch_alloc(FAMILY, 65536, 100);
	struct kernel_binding b, out;
	const void *buf;
	size_t len, total = 0;
	int i, rem;
	const struct nlmsghdr *nlh;

	(void)state;
	for (i = 1; i <= 5; i++) {
		b = nth_binding(i);
		assert_int_equal(kernel_batch_add(batch, KERNEL_OP_ADD, &b, i),
				 0);
	}
	b = nth_binding(6);
	assert_int_equal(kernel_batch_add(batch, KERNEL_OP_REPLACE, &b, 6), 0);
	assert_int_equal(kernel_batch_add(batch, KERNEL_OP_DEL, &b, 7), 0);
	assert_int_equal(kernel_batch_count(batch), 7);

	len = kernel_batch_seal(batch, 0xfffffffe, &buf); /* seq wraps */
	nlh = buf;
	rem = len;
	for (i = 0; mnl_nlmsg_ok(nlh, rem);
	     i++, nlh = mnl_nlmsg_next(nlh, &rem)) {
		const struct genlmsghdr *genl = mnl_nlmsg_get_payload(nlh);
		char what[64];

		total += MNL_ALIGN(nlh->nlmsg_len);
		assert_int_equal(nlh->nlmsg_type, FAMILY);
		assert_int_equal(nlh->nlmsg_seq, (uint32_t)(0xfffffffe + i));
		/* Only the last request asks for an ACK. */
		assert_int_equal(!!(nlh->nlmsg_flags & NLM_F_ACK), i == 6);
		assert_true(nlh->nlmsg_flags & NLM_F_REQUEST);
		kernel_request_str(nlh, what, sizeof(what));
		if (i < 5) {
			assert_int_equal(genl->cmd, MIPHA_CMD_BINDING_NEW);
			assert_true(nlh->nlmsg_flags & NLM_F_EXCL);
			assert_int_equal(kernel_binding_parse(nlh, &out), 0);
			assert_int_equal(ntohl(out.home_addr.s_addr),
					 0x0a000000 + i + 1);
		} else if (i == 5) {
			assert_true(nlh->nlmsg_flags & NLM_F_REPLACE);
			assert_string_equal(what, "binding replace 10.0.0.6");
		} else {
			assert_int_equal(genl->cmd, MIPHA_CMD_BINDING_DEL);
			assert_int_equal(count_attrs(nlh), 1);
			assert_string_equal(what, "binding del 10.0.0.6");
		}
	}
	assert_int_equal(i, 7);
	assert_int_equal(total, len);
	kernel_batch_free(batch);
}

static void test_batch_errors_by_seq(void **state)
{
	struct kernel_batch *batch = kernel_batch_alloc(FAMILY, 65536, 100);
	struct kernel_binding b;
	struct seen seen = {};
	char rbuf[8192];
	const void *buf;
	unsigned int failed = 0;
	size_t off = 0;
	int i;

	(void)state;
	for (i = 0; i < 5; i++) {
		b = nth_binding(i + 1);
		b.cookie = (const uint8_t *)"abcd";
		b.cookie_len = 4;
		assert_int_equal(
			kernel_batch_add(batch, KERNEL_OP_ADD, &b, 100 + i), 0);
	}
	kernel_batch_seal(batch, 1000, &buf);

	/* Requests 1 and 3 fail; an answer to someone else; the final ACK. */
	off += MNL_ALIGN(put_error(rbuf + off, batch_msg(buf, 1), -EEXIST, true,
				   "binding exists", -1, -1)
				 ->nlmsg_len);
	off += MNL_ALIGN(
		put_error(rbuf + off, batch_msg(buf, 3), -EINVAL, true,
			  "bad cookie",
			  attr_offset(batch_msg(buf, 3), MIPHA_A_COOKIE), -1)
			->nlmsg_len);
	assert_int_equal(kernel_batch_recv(batch, rbuf, off, record_error,
					   &seen, &failed),
			 0);
	off = 0;
	{
		struct nlmsghdr other = *batch_msg(buf, 0);

		other.nlmsg_seq = 999;
		off += MNL_ALIGN(
			put_error(rbuf, &other, -EPERM, true, NULL, -1, -1)
				->nlmsg_len);
	}
	off += MNL_ALIGN(
		put_error(rbuf + off, batch_msg(buf, 4), 0, true, NULL, -1, -1)
			->nlmsg_len);
	assert_int_equal(kernel_batch_recv(batch, rbuf, off, record_error,
					   &seen, &failed),
			 1);
	assert_int_equal(failed, 2);
	assert_int_equal(seen.n, 2);
	assert_int_equal(seen.v[0].tag, 101);
	assert_int_equal(seen.v[0].error, -EEXIST);
	assert_string_equal(seen.v[0].msg, "binding exists");
	assert_string_equal(seen.v[0].what, "binding add 10.0.0.2");
	assert_int_equal(seen.v[1].tag, 103);
	assert_int_equal(seen.v[1].error, -EINVAL);
	assert_int_equal(seen.v[1].attr, MIPHA_A_COOKIE);
	assert_string_equal(seen.v[1].what, "binding add 10.0.0.4");
	kernel_batch_free(batch);
}

/* Bulk message m's entry k, and that entry's attribute type (0: itself). */
static int entry_offset(const struct nlmsghdr *msg, int k, int type)
{
	const struct nlattr *attr, *entry, *a;
	int i = 0;

	mnl_attr_for_each(attr, msg, GENL_HDRLEN) {
		if (mnl_attr_get_type(attr) != MIPHA_A_BINDINGS)
			continue;
		mnl_attr_for_each_nested(entry, attr) {
			if (i++ != k)
				continue;
			if (!type)
				return (const char *)entry - (const char *)msg;
			mnl_attr_for_each_nested(a, entry) {
				if (mnl_attr_get_type(a) == type)
					return (const char *)a -
					       (const char *)msg;
			}
		}
	}
	fail();
	return -1;
}

static int bulk_entries(const struct nlmsghdr *msg, bool *replace)
{
	const struct nlattr *attr, *entry;
	int n = 0;

	*replace = false;
	mnl_attr_for_each(attr, msg, GENL_HDRLEN) {
		if (mnl_attr_get_type(attr) == MIPHA_A_REPLACE)
			*replace = true;
		if (mnl_attr_get_type(attr) != MIPHA_A_BINDINGS)
			continue;
		assert_true(attr->nla_type & NLA_F_NESTED);
		mnl_attr_for_each_nested(entry, attr) {
			assert_true(entry->nla_type & NLA_F_NESTED);
			n++;
		}
	}
	return n;
}

/* The genl command of a sealed message. */
static uint8_t msg_cmd(const struct nlmsghdr *nlh)
{
	return ((const struct genlmsghdr *)mnl_nlmsg_get_payload(nlh))->cmd;
}

/* Answers the message just sealed with error (0: the ACK) at offs. */
static int answer(struct kernel_batch *batch, const void *msg, int error,
		  const char *text, int offs, struct seen *seen,
		  unsigned int *failed)
{
	char rbuf[1024];
	struct nlmsghdr *nlh =
		put_error(rbuf, msg, error, true, text, offs, -1);

	return kernel_batch_recv(batch, rbuf, nlh->nlmsg_len,
				 seen ? record_error : NULL, seen, failed);
}

/*
 * Walks a sealed part as netlink_rcv_skb() does: message after message,
 * each of our family and whole, until the part's end. Any gap or stray
 * byte would stop the kernel's walk early and silently. Returns the count.
 */
static int part_messages(const void *buf, size_t len)
{
	const struct nlmsghdr *nlh = buf;
	int rem = (int)len, n = 0;

	while (rem > 0) {
		assert_true(mnl_nlmsg_ok(nlh, rem));
		assert_int_equal(nlh->nlmsg_type, FAMILY);
		assert_true(nlh->nlmsg_len >= NLMSG_HDRLEN + GENL_HDRLEN);
		n++;
		nlh = mnl_nlmsg_next(nlh, &rem);
	}
	assert_int_equal(rem, 0);
	return n;
}

/*
 * A bulk message that failed at its first entry goes again from its
 * second, and the delete queued behind it in the same part: both reach
 * the kernel as two whole messages (CI: the restarted message left a gap
 * before the delete, the kernel stopped there, and the ACK never came).
 */
static void test_batch_bulk_restart_then_more(void **state)
{
	struct kernel_batch *batch = kernel_batch_alloc(FAMILY, 65536, 100);
	struct kernel_binding bad = nth_binding(1), x = nth_binding(2);
	struct seen seen = {};
	const struct nlmsghdr *del;
	unsigned int failed = 0;
	const void *buf;
	size_t len;
	bool replace;

	(void)state;
	kernel_batch_set_bulk(batch, true);
	assert_int_equal(kernel_batch_add(batch, KERNEL_OP_ADD, &bad, 1), 0);
	assert_int_equal(kernel_batch_add(batch, KERNEL_OP_ADD, &x, 2), 0);
	assert_int_equal(kernel_batch_add(batch, KERNEL_OP_DEL, &x, 3), 0);
	len = kernel_batch_seal(batch, 10, &buf);
	assert_int_equal(part_messages(buf, len), 1);
	assert_int_equal(answer(batch, buf, -EINVAL, "unicast",
				entry_offset(buf, 0, MIPHA_A_HOME_ADDR), &seen,
				&failed),
			 1);
	assert_int_equal(seen.n, 1);
	assert_int_equal(seen.v[0].tag, 1);

	len = kernel_batch_seal(batch, 11, &buf);
	assert_int_equal(part_messages(buf, len), 2);
	assert_int_equal(msg_cmd(buf), MIPHA_CMD_BINDING_NEW_BULK);
	assert_int_equal(bulk_entries(buf, &replace), 1);
	assert_false(((const struct nlmsghdr *)buf)->nlmsg_flags & NLM_F_ACK);
	del = mnl_nlmsg_next(buf, &(int){ (int)len });
	assert_int_equal(msg_cmd(del), MIPHA_CMD_BINDING_DEL);
	assert_true(del->nlmsg_flags & NLM_F_ACK);
	assert_int_equal(del->nlmsg_seq, 12);
	/* x's entry fails now: it is still request 2, named as itself */
	assert_int_equal(answer(batch, buf, -EEXIST, "bound",
				entry_offset(buf, 0, MIPHA_A_HOME_ADDR), &seen,
				&failed),
			 0);
	assert_int_equal(seen.v[1].tag, 2);
	assert_string_equal(seen.v[1].what, "binding add 10.0.0.2");
	assert_int_equal(answer(batch, del, 0, NULL, -1, NULL, &failed), 1);
	assert_int_equal(kernel_batch_seal(batch, 13, &buf), 0);
	assert_int_equal(failed, 2);
	kernel_batch_free(batch);
}

/*
 * Installs in BINDING_NEW_BULK messages of 256, each message the end of a
 * part: an entry's failure is reported as its own request's, the entries
 * before it are taken as installed, and the next part is the same message
 * with the entries after it, before anything queued behind them; a
 * failure naming no entry fails every request of its message.
 */
static void test_batch_bulk(void **state)
{
	struct kernel_batch *batch = kernel_batch_alloc(FAMILY, 1 << 20, 100);
	struct kernel_binding b, out;
	struct seen seen = {};
	const void *buf;
	unsigned int failed = 0;
	size_t len;
	bool replace;
	int i;

	(void)state;
	kernel_batch_set_bulk(batch, true);
	for (i = 0; i < 300; i++) {
		b = nth_binding(i + 1);
		assert_int_equal(kernel_batch_add(batch, KERNEL_OP_ADD, &b, i),
				 0);
	}
	b = nth_binding(301);
	assert_int_equal(kernel_batch_add(batch, KERNEL_OP_REPLACE, &b, 300),
			 0);
	assert_int_equal(kernel_batch_add(batch, KERNEL_OP_DEL, &b, 301), 0);
	assert_int_equal(kernel_batch_count(batch), 302);

	/* part 1: the first bulk message alone; it fails at entry 10 */
	len = kernel_batch_seal(batch, 50, &buf);
	assert_int_equal(MNL_ALIGN(((const struct nlmsghdr *)buf)->nlmsg_len),
			 len);
	assert_int_equal(msg_cmd(buf), MIPHA_CMD_BINDING_NEW_BULK);
	assert_int_equal(bulk_entries(buf, &replace), 256);
	assert_false(replace);
	assert_true(((const struct nlmsghdr *)buf)->nlmsg_flags & NLM_F_ACK);
	assert_int_equal(((const struct nlmsghdr *)buf)->nlmsg_seq, 50);
	assert_int_equal(answer(batch, buf, -EEXIST, "bound",
				entry_offset(buf, 10, MIPHA_A_HOME_ADDR), &seen,
				&failed),
			 1);
	assert_int_equal(seen.n, 1);
	assert_int_equal(seen.v[0].tag, 10);
	assert_int_equal(seen.v[0].error, -EEXIST);
	assert_int_equal(seen.v[0].attr, MIPHA_A_HOME_ADDR);
	assert_string_equal(seen.v[0].what, "binding add 10.0.0.11");

	/* part 2: the same message, from entry 11, before anything else */
	len = kernel_batch_seal(batch, 51, &buf);
	assert_int_equal(bulk_entries(buf, &replace), 245);
	assert_int_equal(MNL_ALIGN(((const struct nlmsghdr *)buf)->nlmsg_len),
			 len);
	{
		/* its first entry is request 11's binding */
		const struct nlattr *attr, *entry;

		mnl_attr_for_each(attr, (const struct nlmsghdr *)buf,
				  GENL_HDRLEN)
			if (mnl_attr_get_type(attr) == MIPHA_A_BINDINGS)
				break;
		entry = mnl_attr_get_payload(attr);
		memset(&out, 0, sizeof(out));
		mnl_attr_for_each_nested(attr, entry)
			if (mnl_attr_get_type(attr) == MIPHA_A_HOME_ADDR)
				out.home_addr.s_addr = mnl_attr_get_u32(attr);
		assert_int_equal(ntohl(out.home_addr.s_addr), 0x0a00000c);
	}
	/* it fails at its entry 0, the entry itself (no attribute) */
	assert_int_equal(answer(batch, buf, -ENOSPC, "full",
				entry_offset(buf, 0, 0), &seen, &failed),
			 1);
	assert_int_equal(seen.n, 2);
	assert_int_equal(seen.v[1].tag, 11);
	assert_int_equal(seen.v[1].attr, -1);
	assert_string_equal(seen.v[1].what, "binding add 10.0.0.12");
	/* part 3: the 244 after it, answered by the ACK */
	len = kernel_batch_seal(batch, 52, &buf);
	assert_int_equal(part_messages(buf, len), 1);
	assert_int_equal(bulk_entries(buf, &replace), 244);
	assert_int_equal(answer(batch, buf, 0, NULL, -1, &seen, &failed), 1);
	/* part 4: the second message of 44; it fails as a whole (no offset) */
	kernel_batch_seal(batch, 53, &buf);
	assert_int_equal(bulk_entries(buf, &replace), 44);
	assert_int_equal(answer(batch, buf, -ENOMEM, NULL, -1, NULL, &failed),
			 1);
	assert_int_equal(failed, 2 + 44);
	/*
	 * part 5: the replace (a bulk message of one entry: its failure
	 * leaves nothing untried, so no need to end a part there) and the
	 * delete, the last, asking the ACK
	 */
	len = kernel_batch_seal(batch, 54, &buf);
	assert_int_equal(part_messages(buf, len), 2);
	assert_int_equal(bulk_entries(buf, &replace), 1);
	assert_true(replace);
	assert_false(((const struct nlmsghdr *)buf)->nlmsg_flags & NLM_F_ACK);
	{
		const struct nlmsghdr *del =
			(const void *)((const char *)buf +
				       MNL_ALIGN(((const struct nlmsghdr *)buf)
							 ->nlmsg_len));
		struct nlmsghdr old = *del;

		assert_int_equal(msg_cmd(del), MIPHA_CMD_BINDING_DEL);
		assert_true(del->nlmsg_flags & NLM_F_ACK);
		assert_int_equal(del->nlmsg_seq, 55);
		assert_int_equal((const char *)del - (const char *)buf +
					 MNL_ALIGN(del->nlmsg_len),
				 len);
		/* an answer to an earlier part is someone else's now */
		old.nlmsg_seq = 53;
		assert_int_equal(answer(batch, &old, -EPERM, NULL, -1, NULL,
					&failed),
				 0);
		assert_int_equal(answer(batch, del, 0, NULL, -1, NULL, &failed),
				 1);
	}
	/* sealed: no more requests until it is reset */
	b = nth_binding(400);
	assert_int_equal(kernel_batch_add(batch, KERNEL_OP_ADD, &b, 400),
			 -EBUSY);
	assert_int_equal(kernel_batch_seal(batch, 56, &buf), 0);
	assert_int_equal(failed, 46);
	kernel_batch_reset(batch);
	assert_int_equal(kernel_batch_add(batch, KERNEL_OP_ADD, &b, 400), 0);
	kernel_batch_free(batch);
}

/* Answers bulk message @msg: its first entry exists already. */
static int fail_first_entry(struct kernel_batch *batch,
			    const struct nlmsghdr *msg, struct seen *seen,
			    unsigned int *failed)
{
	return answer(batch, msg, -EEXIST, "x",
		      entry_offset(msg, 0, MIPHA_A_HOME_ADDR), seen, failed);
}

/*
 * A REPLACE bulk message behind a delete fails at its first entry twice:
 * each time the same message goes again from the next entry, its REPLACE
 * kept, and the last time with the delete behind it in one part of whole
 * messages.
 */
static void test_batch_bulk_restart_twice(void **state)
{
	struct kernel_batch *batch = kernel_batch_alloc(FAMILY, 65536, 100);
	struct kernel_binding b;
	struct seen seen = {};
	const struct nlmsghdr *bulk, *del;
	unsigned int failed = 0;
	const void *buf;
	size_t len;
	bool replace;
	int i, rem;

	(void)state;
	kernel_batch_set_bulk(batch, true);
	b = nth_binding(1);
	assert_int_equal(kernel_batch_add(batch, KERNEL_OP_DEL, &b, 1), 0);
	for (i = 2; i <= 4; i++) {
		b = nth_binding(i);
		assert_int_equal(kernel_batch_add(batch, KERNEL_OP_REPLACE, &b,
						  (uint64_t)i),
				 0);
	}
	b = nth_binding(5);
	assert_int_equal(kernel_batch_add(batch, KERNEL_OP_DEL, &b, 5), 0);

	/* the delete and the bulk message; its entry 0 (tag 2) fails */
	len = kernel_batch_seal(batch, 100, &buf);
	assert_int_equal(part_messages(buf, len), 2);
	rem = (int)len;
	bulk = mnl_nlmsg_next(buf, &rem);
	assert_int_equal(bulk_entries(bulk, &replace), 3);
	assert_int_equal(fail_first_entry(batch, bulk, &seen, &failed), 1);
	/* again from tag 3, alone; it fails at its entry 0 too */
	len = kernel_batch_seal(batch, 102, &buf);
	assert_int_equal(part_messages(buf, len), 1);
	assert_int_equal(bulk_entries(buf, &replace), 2);
	assert_true(replace);
	assert_int_equal(fail_first_entry(batch, buf, &seen, &failed), 1);
	/* tag 4 alone in it now, and the delete behind: whole messages */
	len = kernel_batch_seal(batch, 103, &buf);
	assert_int_equal(part_messages(buf, len), 2);
	assert_int_equal(bulk_entries(buf, &replace), 1);
	assert_true(replace);
	rem = (int)len;
	del = mnl_nlmsg_next(buf, &rem);
	assert_int_equal(msg_cmd(del), MIPHA_CMD_BINDING_DEL);
	assert_int_equal(answer(batch, del, 0, NULL, -1, NULL, &failed), 1);
	assert_int_equal(kernel_batch_seal(batch, 105, &buf), 0);
	assert_int_equal(failed, 2);
	assert_int_equal(seen.n, 2);
	assert_int_equal(seen.v[0].tag, 2);
	assert_int_equal(seen.v[1].tag, 3);
	assert_string_equal(seen.v[1].what, "binding replace 10.0.0.3");
	kernel_batch_free(batch);
}

/* A bulk list's length is a u16: entries with big cookies fill it early. */
static void test_batch_bulk_u16(void **state)
{
	struct kernel_batch *batch = kernel_batch_alloc(FAMILY, 1 << 20, 100);
	static uint8_t cookie[MIPHA_COOKIE_MAX];
	const struct nlattr *attr;
	struct kernel_binding b;
	const void *buf;
	bool replace;
	int i, m, total = 0;

	(void)state;
	kernel_batch_set_bulk(batch, true);
	for (i = 0; i < 256; i++) {
		b = nth_binding(i + 1);
		b.cookie = cookie;
		b.cookie_len = sizeof(cookie);
		assert_int_equal(kernel_batch_add(batch, KERNEL_OP_ADD, &b, i),
				 0);
	}
	/* about 550 bytes an entry: 119 in a list of at most 65,535 */
	for (m = 0; kernel_batch_seal(batch, 1 + m, &buf); m++) {
		int n = bulk_entries(buf, &replace);

		assert_true(n > 0 && n < 256);
		mnl_attr_for_each(attr, (const struct nlmsghdr *)buf,
				  GENL_HDRLEN)
			if (mnl_attr_get_type(attr) == MIPHA_A_BINDINGS)
				assert_true(mnl_attr_get_payload_len(attr) +
						    MNL_ATTR_HDRLEN <=
					    UINT16_MAX);
		total += n;
	}
	assert_int_equal(total, 256);
	assert_int_equal(m, 3);
	kernel_batch_free(batch);
}

static void test_batch_last_fails(void **state)
{
	struct kernel_batch *batch = kernel_batch_alloc(FAMILY, 65536, 100);
	struct kernel_binding b = nth_binding(1);
	struct seen seen = {};
	char rbuf[1024];
	const void *buf;
	unsigned int failed = 0;
	struct nlmsghdr *nlh;

	(void)state;
	assert_int_equal(kernel_batch_add(batch, KERNEL_OP_DEL, &b, 9), 0);
	assert_int_equal(kernel_batch_add(batch, KERNEL_OP_DEL, &b, 10), 0);
	kernel_batch_seal(batch, 5, &buf);
	/* The last one's error doubles as the end of the batch. */
	nlh = put_error(rbuf, batch_msg(buf, 1), -ENOENT, true, NULL, -1, -1);
	assert_int_equal(kernel_batch_recv(batch, rbuf, nlh->nlmsg_len,
					   record_error, &seen, &failed),
			 1);
	assert_int_equal(failed, 1);
	assert_int_equal(seen.v[0].tag, 10);
	assert_string_equal(seen.v[0].what, "binding del 10.0.0.1");
	kernel_batch_free(batch);
}

static void test_batch_full(void **state)
{
	struct kernel_batch *batch;
	struct kernel_binding b = full_binding();
	int i;

	(void)state;
	/* Limited by count. */
	batch = kernel_batch_alloc(FAMILY, 65536, 3);
	b.cookie_len = 0;
	for (i = 0; i < 3; i++)
		assert_int_equal(kernel_batch_add(batch, KERNEL_OP_ADD, &b, i),
				 0);
	assert_int_equal(kernel_batch_add(batch, KERNEL_OP_ADD, &b, i),
			 -ENOSPC);
	kernel_batch_reset(batch);
	assert_int_equal(kernel_batch_count(batch), 0);
	assert_int_equal(kernel_batch_add(batch, KERNEL_OP_ADD, &b, i), 0);
	kernel_batch_free(batch);

	/* Limited by bytes: a full request is 600 bytes; two need 1200. */
	batch = kernel_batch_alloc(FAMILY, 1199, 100);
	b.cookie_len = MIPHA_COOKIE_MAX;
	assert_int_equal(kernel_batch_add(batch, KERNEL_OP_ADD, &b, 1), 0);
	assert_int_equal(kernel_batch_add(batch, KERNEL_OP_ADD, &b, 2),
			 -ENOSPC);
	assert_int_equal(kernel_batch_count(batch), 1);
	kernel_batch_free(batch);

	/* One request bigger than an empty batch. */
	batch = kernel_batch_alloc(FAMILY, 200, 100);
	assert_int_equal(kernel_batch_add(batch, KERNEL_OP_ADD, &b, 1),
			 -EMSGSIZE);
	kernel_batch_free(batch);

	assert_null(kernel_batch_alloc(FAMILY, 0, 1));
}

/* A CTRL_CMD_GETFAMILY reply as the controller sends it. */
static void test_family_parse(void **state)
{
	char buf[1024];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *genl;
	struct nlattr *groups, *grp;
	uint16_t family;
	struct kernel_family_info mcgrps;

	(void)state;
	nlh->nlmsg_type = GENL_ID_CTRL;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = CTRL_CMD_NEWFAMILY;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, "mipha");
	mnl_attr_put_u16(nlh, CTRL_ATTR_FAMILY_ID, 0x21);
	mnl_attr_put_u32(nlh, CTRL_ATTR_VERSION, 1);
	groups = mnl_attr_nest_start(nlh, CTRL_ATTR_MCAST_GROUPS);
	grp = mnl_attr_nest_start(nlh, 1);
	mnl_attr_put_strz(nlh, CTRL_ATTR_MCAST_GRP_NAME, "other");
	mnl_attr_put_u32(nlh, CTRL_ATTR_MCAST_GRP_ID, 3);
	mnl_attr_nest_end(nlh, grp);
	grp = mnl_attr_nest_start(nlh, 2);
	mnl_attr_put_u32(nlh, CTRL_ATTR_MCAST_GRP_ID, 11);
	mnl_attr_put_strz(nlh, CTRL_ATTR_MCAST_GRP_NAME, "bindings");
	mnl_attr_nest_end(nlh, grp);
	grp = mnl_attr_nest_start(nlh, 3);
	mnl_attr_put_strz(nlh, CTRL_ATTR_MCAST_GRP_NAME, "removals");
	mnl_attr_put_u32(nlh, CTRL_ATTR_MCAST_GRP_ID, 12);
	mnl_attr_nest_end(nlh, grp);
	mnl_attr_nest_end(nlh, groups);
	assert_int_equal(kernel_family_parse(nlh, &family, &mcgrps), 0);
	assert_int_equal(family, 0x21);
	assert_int_equal(mcgrps.bindings, 11);
	assert_int_equal(mcgrps.removals, 12);

	/* Without groups: the family, no group. */
	nlh = mnl_nlmsg_put_header(buf);
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	mnl_attr_put_u16(nlh, CTRL_ATTR_FAMILY_ID, 0x22);
	assert_int_equal(kernel_family_parse(nlh, &family, &mcgrps), 0);
	assert_int_equal(family, 0x22);
	assert_int_equal(mcgrps.bindings, 0);
	assert_int_equal(mcgrps.removals, 0);

	/* Without an id. */
	nlh = mnl_nlmsg_put_header(buf);
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, "mipha");
	assert_int_equal(kernel_family_parse(nlh, &family, &mcgrps), -EBADMSG);
}

/*
 * Found by fuzz_msg: mnl_nlmsg_ok() takes a length of 2^31 or more for a
 * negative int and lets the message through.
 */
static void test_msg_ok(void **state)
{
	char buf[64] = {};
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	const struct nlmsghdr *next;
	size_t rem = 40;

	(void)state;
	nlh->nlmsg_len = 20;
	assert_true(kernel_msg_ok(nlh, rem));
	next = kernel_msg_next(nlh, &rem);
	assert_ptr_equal(next, buf + 20);
	assert_int_equal(rem, 20);
	nlh->nlmsg_len = 41;
	assert_false(kernel_msg_ok(nlh, 40));
	nlh->nlmsg_len = 15;
	assert_false(kernel_msg_ok(nlh, 40));
	nlh->nlmsg_len = 0x98c1000c;
	assert_false(kernel_msg_ok(nlh, 40));
	assert_false(kernel_msg_ok(nlh, 8));
	/* Stepping past the end leaves nothing, not a wrapped length. */
	nlh->nlmsg_len = 39;
	rem = 40;
	kernel_msg_next(nlh, &rem);
	assert_int_equal(rem, 0);
}

static void test_names(void **state)
{
	int i;

	(void)state;
	assert_string_equal(kernel_attr_name(MIPHA_A_HOME_ADDR), "home_addr");
	assert_string_equal(kernel_attr_name(MIPHA_A_COOKIE), "cookie");
	assert_null(kernel_attr_name(MIPHA_A_PAD));
	assert_null(kernel_attr_name(MIPHA_A_MAX + 1));
	assert_null(kernel_attr_name(-1));
	/* Every attribute and statistic has a name. */
	for (i = MIPHA_A_HOME_ADDR; i <= MIPHA_A_MAX; i++)
		assert_non_null(kernel_attr_name(i));
	for (i = MIPHA_STATS_A_BINDINGS; i <= MIPHA_STATS_A_MAX; i++)
		assert_non_null(kernel_stats_name(i));
	assert_string_equal(kernel_event_name(MIPHA_EVENT_EXPIRED), "expired");
	assert_null(kernel_event_name(0));
	assert_null(kernel_event_name(200));
	assert_string_equal(kernel_encap_name(MIPHA_ENCAP_GRE), "gre");
	assert_string_equal(kernel_encap_name(0), "ipip");
	assert_null(kernel_encap_name(9));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_binding_roundtrip_full),
		cmocka_unit_test(test_binding_roundtrip_minimal),
		cmocka_unit_test(test_binding_put_no_room),
		cmocka_unit_test(test_binding_put_exact_room),
		cmocka_unit_test(test_binding_parse_rejects),
		cmocka_unit_test(test_binding_parse_skips_unknown),
		cmocka_unit_test(test_notification_parse),
		cmocka_unit_test(test_stats_parse),
		cmocka_unit_test(test_extack_capped),
		cmocka_unit_test(test_extack_uncapped),
		cmocka_unit_test(test_extack_missing_attr),
		cmocka_unit_test(test_extack_plain_and_ack),
		cmocka_unit_test(test_extack_malformed),
		cmocka_unit_test(test_done_with_error),
		cmocka_unit_test(test_batch_seal),
		cmocka_unit_test(test_batch_errors_by_seq),
		cmocka_unit_test(test_batch_last_fails),
		cmocka_unit_test(test_batch_bulk),
		cmocka_unit_test(test_batch_bulk_restart_then_more),
		cmocka_unit_test(test_batch_bulk_restart_twice),
		cmocka_unit_test(test_batch_bulk_u16),
		cmocka_unit_test(test_batch_full),
		cmocka_unit_test(test_family_parse),
		cmocka_unit_test(test_msg_ok),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_config_put),
	};

	return cmocka_run_group_tests_name("kernel", tests, NULL, NULL);
}
