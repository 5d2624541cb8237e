// SPDX-License-Identifier: GPL-2.0
/*
 * nlraw - send one hand-crafted request to the "mipha" generic netlink
 * family and print exactly what the kernel answered.
 *
 * miphactl validates its input before the kernel sees it, so the kernel's own
 * checks (attribute policies, extack messages) can only be tested with a tool
 * that sends whatever it is told: wrong lengths, unknown attributes and flag
 * bits, missing attributes. The selftests use it for that, and for exact
 * errno values.
 *
 * Usage: nlraw [-q] [-n NETNS] [-x CMD] CMD [FLAG...] [ATTR...]
 *   -n    talk to the namespace /run/netns/NETNS (what "ip netns exec" does,
 *         without its cost: the selftests run hundreds of requests under TCG)
 *   CMD   new | del | get | flush | stats | dump | config | bulk | <number>
 *   FLAG  replace | excl | create     (NLM_F_REPLACE, NLM_F_EXCL, NLM_F_CREATE)
 *   ATTR  home=A.B.C.D coa=A.B.C.D ha=A.B.C.D   (be32)
 *         encap=N (u8)  key=N flags=N link=N lifetime=N max_bindings=N (u32)
 *         cookie=HEX    cookielen=N (N bytes 0x00, 0x01, ...)
 *         u8:T=N u16:T=N u32:T=N u64:T=N   attribute type T with that payload
 *         raw:T=HEX     attribute type T with raw bytes (HEX may be empty)
 * Output, one line per reply message, then one status line:
 *   msg cmd=N attr=value ...   (attributes of a reply or dumped binding)
 *   status errno=0 | status errno=N name=ENAME msg="extack message"
 *       offset=N bad_attr=T miss_type=T miss_nest=N   (those the kernel sent)
 * For dump: "status ... count=N intr=0|1" (bindings dumped, NLM_F_DUMP_INTR).
 * bad_attr is the type of the request attribute starting at the extack
 * offset, so a test can check that the error points at the right attribute.
 * -x CMD (dumps): once the first part is read, runs CMD (sh -c) with
 * NLRAW_LAST set to the last home address of the part queued next, where
 * the kernel's dump cursor then is; the socket's receive buffer is made
 * small so that the kernel prepares no part beyond it meanwhile, and
 * parts are read NLRAW_RECV bytes at a time (default and least 8192), which is what
 * sizes the kernel's next parts. For tests of changes between the parts
 * of a dump.
 * -q prints only the status line. Exit status: 0 if the kernel accepted the
 * request, 1 if it returned an error, 2 on a usage or local error (then the
 * status line, if any, says errno=none: the kernel did not answer).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "../uapi/linux/mipha.h"

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif

static char buf[65536];
static char peekbuf[65536];
static const char *between_cmd;
static char req[16384];
static bool quiet;

struct cmd_name {
	const char *name;
	int cmd;
};

static const struct cmd_name cmds[] = {
	{ "new", MIPHA_CMD_BINDING_NEW },
	{ "del", MIPHA_CMD_BINDING_DEL },
	{ "get", MIPHA_CMD_BINDING_GET },
	{ "dump", MIPHA_CMD_BINDING_GET },
	{ "flush", MIPHA_CMD_BINDING_FLUSH },
	{ "stats", MIPHA_CMD_STATS_GET },
	{ "config", MIPHA_CMD_CONFIG_SET },
	{ "bulk", MIPHA_CMD_BINDING_NEW_BULK },
};

static const char *const attr_names[] = {
	[MIPHA_A_HOME_ADDR] = "home",	  [MIPHA_A_COA] = "coa",
	[MIPHA_A_HA_ADDR] = "ha",	  [MIPHA_A_ENCAP] = "encap",
	[MIPHA_A_GRE_KEY] = "key",	  [MIPHA_A_FLAGS] = "flags",
	[MIPHA_A_LINK] = "link",	  [MIPHA_A_LIFETIME] = "lifetime",
	[MIPHA_A_EXPIRES_MS] = "expires_ms", [MIPHA_A_COOKIE] = "cookie",
	[MIPHA_A_TX_PACKETS] = "tx_packets", [MIPHA_A_TX_BYTES] = "tx_bytes",
	[MIPHA_A_RX_PACKETS] = "rx_packets", [MIPHA_A_RX_BYTES] = "rx_bytes",
	[MIPHA_A_EVENT] = "event",	  [MIPHA_A_FLUSH_COUNT] = "flush_count",
	[MIPHA_A_STATS] = "stats",
};

static const char *const stats_names[] = {
	[MIPHA_STATS_A_BINDINGS] = "bindings",
	[MIPHA_STATS_A_ADDS] = "adds",
	[MIPHA_STATS_A_REPLACES] = "replaces",
	[MIPHA_STATS_A_DELETES] = "deletes",
	[MIPHA_STATS_A_EXPIRIES] = "expiries",
	[MIPHA_STATS_A_FLUSHES] = "flushes",
	[MIPHA_STATS_A_LOOKUP_HITS] = "lookup_hits",
	[MIPHA_STATS_A_LOOKUP_MISSES] = "lookup_misses",
	[MIPHA_STATS_A_MEMORY] = "memory",
	[MIPHA_STATS_A_BUCKETS] = "buckets",
	[MIPHA_STATS_A_MAX_BINDINGS] = "max_bindings",
};

static const struct { int err; const char *name; } errnames[] = {
	{ EPERM, "EPERM" },	{ ENOENT, "ENOENT" },	{ EEXIST, "EEXIST" },
	{ EINVAL, "EINVAL" },	{ ERANGE, "ERANGE" },	{ ENOMEM, "ENOMEM" },
	{ EOPNOTSUPP, "EOPNOTSUPP" }, { EMSGSIZE, "EMSGSIZE" },
	{ EADDRINUSE, "EADDRINUSE" }, { EADDRNOTAVAIL, "EADDRNOTAVAIL" },
	{ ENODEV, "ENODEV" },	{ EBUSY, "EBUSY" },	{ E2BIG, "E2BIG" },
	{ EACCES, "EACCES" },	{ ENOSPC, "ENOSPC" },
};

static const char *errname(int err)
{
	for (size_t i = 0; i < sizeof(errnames) / sizeof(errnames[0]); i++)
		if (errnames[i].err == err)
			return errnames[i].name;
	return "E?";
}

static void __attribute__((noreturn)) usage(const char *why)
{
	fprintf(stderr, "nlraw: %s\n", why);
	fprintf(stderr, "usage: nlraw [-q] [-n NETNS] [-x CMD] new|del|get|flush|stats|dump|config|N "
			"[replace|excl|create] [ATTR=VALUE...]\n");
	exit(2);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static size_t parse_hex(const char *s, uint8_t *out, size_t max)
{
	size_t n = strlen(s);

	if (n % 2 || n / 2 > max)
		usage("bad hex string");
	for (size_t i = 0; i < n / 2; i++) {
		int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			usage("bad hex string");
		out[i] = hi << 4 | lo;
	}
	return n / 2;
}

static uint64_t parse_num(const char *s)
{
	char *end;
	uint64_t v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end || !*s)
		usage("bad number");
	return v;
}

static uint32_t parse_addr(const char *s)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		usage("bad IPv4 address");
	return a.s_addr;
}

static void put_attr(struct nlmsghdr *nlh, const char *arg)
{
	static uint8_t bin[4096];	/* fits req with room to spare */
	const char *eq = strchr(arg, '=');
	char key[64];
	size_t klen;

	if (!eq || (klen = eq - arg) >= sizeof(key))
		usage("attributes are KEY=VALUE");
	memcpy(key, arg, klen);
	key[klen] = 0;
	eq++;

	if (!strcmp(key, "home"))
		mnl_attr_put_u32(nlh, MIPHA_A_HOME_ADDR, parse_addr(eq));
	else if (!strcmp(key, "coa"))
		mnl_attr_put_u32(nlh, MIPHA_A_COA, parse_addr(eq));
	else if (!strcmp(key, "ha"))
		mnl_attr_put_u32(nlh, MIPHA_A_HA_ADDR, parse_addr(eq));
	else if (!strcmp(key, "encap"))
		mnl_attr_put_u8(nlh, MIPHA_A_ENCAP, parse_num(eq));
	else if (!strcmp(key, "key"))
		mnl_attr_put_u32(nlh, MIPHA_A_GRE_KEY, parse_num(eq));
	else if (!strcmp(key, "flags"))
		mnl_attr_put_u32(nlh, MIPHA_A_FLAGS, parse_num(eq));
	else if (!strcmp(key, "link"))
		mnl_attr_put_u32(nlh, MIPHA_A_LINK, parse_num(eq));
	else if (!strcmp(key, "lifetime"))
		mnl_attr_put_u32(nlh, MIPHA_A_LIFETIME, parse_num(eq));
	else if (!strcmp(key, "max_bindings"))
		mnl_attr_put_u32(nlh, MIPHA_A_MAX_BINDINGS, parse_num(eq));
	else if (!strcmp(key, "cookie"))
		mnl_attr_put(nlh, MIPHA_A_COOKIE, parse_hex(eq, bin, sizeof(bin)), bin);
	else if (!strcmp(key, "cookielen")) {
		uint64_t n = parse_num(eq);

		if (n > sizeof(bin))
			usage("cookie too long for nlraw");
		for (uint64_t i = 0; i < n; i++)
			bin[i] = i;
		mnl_attr_put(nlh, MIPHA_A_COOKIE, n, bin);
	} else if (!strncmp(key, "u8:", 3))
		mnl_attr_put_u8(nlh, parse_num(key + 3), parse_num(eq));
	else if (!strncmp(key, "u16:", 4))
		mnl_attr_put_u16(nlh, parse_num(key + 4), parse_num(eq));
	else if (!strncmp(key, "u32:", 4))
		mnl_attr_put_u32(nlh, parse_num(key + 4), parse_num(eq));
	else if (!strncmp(key, "u64:", 4))
		mnl_attr_put_u64(nlh, parse_num(key + 4), parse_num(eq));
	else if (!strncmp(key, "raw:", 4))
		mnl_attr_put(nlh, parse_num(key + 4), parse_hex(eq, bin, sizeof(bin)), bin);
	else
		usage("unknown attribute");
}

/* The type of the request attribute that starts at @offset, or -1. */
static int attr_at(const struct nlmsghdr *nlh, uint32_t offset)
{
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		if ((const char *)a - (const char *)nlh == (long)offset)
			return mnl_attr_get_type(a);
	}
	return -1;
}

static void print_addr(const char *name, const struct nlattr *a)
{
	struct in_addr in = { .s_addr = mnl_attr_get_u32(a) };

	printf(" %s=%s", name, inet_ntoa(in));
}

static void print_stats(const struct nlattr *nest)
{
	const struct nlattr *a;

	mnl_attr_for_each_nested(a, nest) {
		unsigned int t = mnl_attr_get_type(a);
		const char *n = t < sizeof(stats_names) / sizeof(stats_names[0]) &&
				stats_names[t] ? stats_names[t] : "stat?";

		if (t == MIPHA_STATS_A_PAD)
			continue;
		if (mnl_attr_get_payload_len(a) == 8)
			printf(" %s=%" PRIu64, n, mnl_attr_get_u64(a));
		else if (mnl_attr_get_payload_len(a) == 4)
			printf(" %s=%u", n, mnl_attr_get_u32(a));
		else
			printf(" %s=len%u", n, mnl_attr_get_payload_len(a));
	}
}

/* Prints one reply message's attributes on one line. */
static void print_msg(const struct nlmsghdr *nlh)
{
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a;

	printf("msg cmd=%u", g->cmd);
	mnl_attr_for_each(a, nlh, sizeof(*g)) {
		unsigned int t = mnl_attr_get_type(a);
		unsigned int len = mnl_attr_get_payload_len(a);
		const char *n = t < sizeof(attr_names) / sizeof(attr_names[0]) &&
				attr_names[t] ? attr_names[t] : NULL;

		switch (t) {
		case MIPHA_A_PAD:
			continue;
		case MIPHA_A_HOME_ADDR:
		case MIPHA_A_COA:
		case MIPHA_A_HA_ADDR:
			print_addr(n, a);
			continue;
		case MIPHA_A_COOKIE:
			printf(" cookie=");
			for (unsigned int i = 0; i < len; i++)
				printf("%02x", ((const uint8_t *)mnl_attr_get_payload(a))[i]);
			continue;
		case MIPHA_A_STATS:
			print_stats(a);
			continue;
		}
		if (!n)
			printf(" attr%u=len%u", t, len);
		else if (len == 1)
			printf(" %s=%u", n, mnl_attr_get_u8(a));
		else if (len == 4)
			printf(" %s=%u", n, mnl_attr_get_u32(a));
		else if (len == 8)
			printf(" %s=%" PRIu64, n, mnl_attr_get_u64(a));
		else
			printf(" %s=len%u", n, len);
	}
	printf("\n");
}

/* Prints the status line for an error message (errno 0 for an ack). */
static void print_error(const struct nlmsghdr *nlh, const struct nlmsghdr *sent,
			const char *extra)
{
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	size_t off = sizeof(*err);
	const struct nlattr *a;

	printf("status errno=%d", -err->error);
	if (err->error)
		printf(" name=%s", errname(-err->error));
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += err->msg.nlmsg_len - sizeof(struct nlmsghdr);
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
		const char *p = (const char *)err + off;
		const char *end = (const char *)nlh + nlh->nlmsg_len;

		for (a = (const struct nlattr *)p;
		     mnl_attr_ok(a, end - (const char *)a); a = mnl_attr_next(a)) {
			switch (mnl_attr_get_type(a)) {
			case NLMSGERR_ATTR_MSG:
				printf(" msg=\"%s\"", mnl_attr_get_str(a));
				break;
			case NLMSGERR_ATTR_OFFS: {
				uint32_t o = mnl_attr_get_u32(a);

				printf(" offset=%u bad_attr=%d", o, attr_at(sent, o));
				break;
			}
			case NLMSGERR_ATTR_MISS_TYPE:
				printf(" miss_type=%u", mnl_attr_get_u32(a));
				break;
			case NLMSGERR_ATTR_MISS_NEST:
				printf(" miss_nest=%u", mnl_attr_get_u32(a));
				break;
			}
		}
	}
	printf("%s\n", extra);
}

/* The last home address in the next queued part, without reading it. */
static void run_between(int fd, size_t want)
{
	/* @want as for reads: it sizes the kernel's next parts. */
	ssize_t n = recv(fd, peekbuf, want, MSG_PEEK);
	struct in_addr last = { 0 };
	struct nlmsghdr *r;
	int len = n > 0 ? n : 0;

	for (r = (struct nlmsghdr *)peekbuf; mnl_nlmsg_ok(r, len);
	     r = mnl_nlmsg_next(r, &len)) {
		const struct nlattr *a;

		if (r->nlmsg_type < NLMSG_MIN_TYPE)
			continue;
		mnl_attr_for_each(a, r, sizeof(struct genlmsghdr))
			if (mnl_attr_get_type(a) == MIPHA_A_HOME_ADDR)
				last.s_addr = mnl_attr_get_u32(a);
	}
	setenv("NLRAW_LAST", inet_ntoa(last), 1);
	fflush(stdout);
	if (system(between_cmd) != 0)
		fprintf(stderr, "nlraw: -x command failed\n");
}

static int resolve_family(struct mnl_socket *nl, uint32_t *seq)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;
	struct nlattr *a;
	ssize_t n;

	nlh->nlmsg_type = GENL_ID_CTRL;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	nlh->nlmsg_seq = ++*seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = CTRL_CMD_GETFAMILY;
	g->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, MIPHA_GENL_NAME);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	/* No bigger: a read's size sets the size of a dump's first part. */
	n = mnl_socket_recvfrom(nl, buf, 8192);
	if (n < 0)
		return -errno;
	nlh = (struct nlmsghdr *)buf;
	if (nlh->nlmsg_type == NLMSG_ERROR)
		return ((struct nlmsgerr *)mnl_nlmsg_get_payload(nlh))->error;
	mnl_attr_for_each(a, nlh, sizeof(*g)) {
		if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_ID)
			return mnl_attr_get_u16(a);
	}
	return -ENOENT;
}

int main(int argc, char **argv)
{
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;
	uint32_t seq = time(NULL), portid;
	size_t recv_len;
	bool dump = false;
	int cmd = -1, family, one = 1, i = 1;
	unsigned long count = 0;
	bool intr = false;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-q")) {
			quiet = true;
		} else if (!strcmp(argv[i], "-x") && i + 1 < argc) {
			between_cmd = argv[++i];
		} else if (!strcmp(argv[i], "-n") && i + 1 < argc) {
			char path[256];
			int fd;

			snprintf(path, sizeof(path), "/run/netns/%s", argv[++i]);
			fd = open(path, O_RDONLY | O_CLOEXEC);
			if (fd < 0 || setns(fd, CLONE_NEWNET) < 0) {
				perror(path);
				return 2;
			}
			close(fd);
		} else {
			usage("unknown option");
		}
	}
	if (i >= argc)
		usage("no command");
	for (size_t c = 0; c < sizeof(cmds) / sizeof(cmds[0]); c++)
		if (!strcmp(argv[i], cmds[c].name))
			cmd = cmds[c].cmd;
	if (cmd < 0)
		cmd = parse_num(argv[i]);
	dump = !strcmp(argv[i], "dump");
	i++;

	nlh = mnl_nlmsg_put_header(req);
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | (dump ? NLM_F_DUMP : 0);
	nlh->nlmsg_seq = ++seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = MIPHA_GENL_VERSION;
	for (; i < argc; i++) {
		if (!strcmp(argv[i], "replace"))
			nlh->nlmsg_flags |= NLM_F_REPLACE;
		else if (!strcmp(argv[i], "excl"))
			nlh->nlmsg_flags |= NLM_F_EXCL;
		else if (!strcmp(argv[i], "create"))
			nlh->nlmsg_flags |= NLM_F_CREATE;
		else
			put_attr(nlh, argv[i]);
	}

	nl = mnl_socket_open(NETLINK_GENERIC);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		perror("nlraw: netlink socket");
		return 2;
	}
	mnl_socket_setsockopt(nl, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl, NETLINK_CAP_ACK, &one, sizeof(one));
	portid = mnl_socket_get_portid(nl);
	family = resolve_family(nl, &seq);
	if (family < 0) {
		/* Not errno=N: a test expecting ENOENT must not pass for this. */
		printf("status errno=none msg=\"no family %s: %s\"\n",
		       MIPHA_GENL_NAME, strerror(-family));
		return 2;
	}

	nlh->nlmsg_type = family;
	if (between_cmd) {
		int small = 4096;

		setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVBUF,
			   &small, sizeof(small));
	}
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		perror("nlraw: send");
		return 2;
	}
	recv_len = sizeof(buf);
	if (between_cmd && getenv("NLRAW_RECV"))
		recv_len = strtoul(getenv("NLRAW_RECV"), NULL, 0);
	else if (between_cmd)
		recv_len = 8192;
	if (recv_len > sizeof(buf))
		recv_len = sizeof(buf);
	if (recv_len < 8192)
		recv_len = 8192;
	for (;;) {
		if (between_cmd && dump && count) {
			run_between(mnl_socket_get_fd(nl), recv_len);
			between_cmd = NULL;
		}
		ssize_t n = mnl_socket_recvfrom(nl, buf, recv_len);
		struct nlmsghdr *r;
		int len;

		if (n < 0) {
			perror("nlraw: recv");
			return 2;
		}
		len = n;
		for (r = (struct nlmsghdr *)buf; mnl_nlmsg_ok(r, len);
		     r = mnl_nlmsg_next(r, &len)) {
			char extra[64] = "";

			if (r->nlmsg_seq != nlh->nlmsg_seq || r->nlmsg_pid != portid)
				continue;
			if (r->nlmsg_flags & NLM_F_DUMP_INTR)
				intr = true;
			if (dump)
				snprintf(extra, sizeof(extra), " count=%lu intr=%d",
					 count, intr);
			if (r->nlmsg_type == NLMSG_ERROR) {
				print_error(r, nlh, extra);
				return ((struct nlmsgerr *)mnl_nlmsg_get_payload(r))->error ? 1 : 0;
			}
			if (r->nlmsg_type == NLMSG_DONE) {
				const int *e = mnl_nlmsg_get_payload(r);
				struct {
					struct nlmsghdr h;
					struct nlmsgerr e;
				} fake = { .h = *r, .e = { .error = *e } };

				/* DONE carries the dump's error and maybe extack TLVs. */
				fake.h.nlmsg_flags |= NLM_F_CAPPED;
				fake.h.nlmsg_flags &= ~NLM_F_ACK_TLVS;
				fake.h.nlmsg_len = sizeof(fake);
				print_error(&fake.h, nlh, extra);
				return *e ? 1 : 0;
			}
			count++;
			if (!quiet)
				print_msg(r);
		}
	}
}
