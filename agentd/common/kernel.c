// SPDX-License-Identifier: GPL-2.0
/*
 * kernel: libmnl client of the mipha generic-netlink family.
 * See kernel.h for the model; the comments here say why things are done
 * the way they are.
 */
#include <errno.h>
#include <poll.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <libmnl/libmnl.h>
#include <linux/filter.h>
#include <linux/genetlink.h>

#include "kernel.h"

/*
 * Receive buffer for one datagram. The kernel builds dump parts of at most
 * 32 KiB (netlink_recvmsg caps max_recvmsg_len there); twice that leaves
 * room for anything else it sends.
 */
#define KERNEL_RBUF_SIZE 65536
/* Buffer for building one single (non-batched) request. */
#define KERNEL_SBUF_SIZE 4096
/* Socket buffers we ask for; SO_*BUFFORCE needs CAP_NET_ADMIN. */
#define KERNEL_SNDBUF (2U << 20)
#define KERNEL_RCVBUF (4U << 20)
/* Largest batch we build, whatever the send buffer allows. */
#define KERNEL_BATCH_BYTES (1U << 20)
/*
 * Upper estimate of the receive-buffer cost (skb truesize) of one error
 * report with extack: a kmalloc-512 data area plus struct sk_buff. A batch
 * holds at most rcvbuf / this many requests, so even if all of them fail
 * every report fits and none is dropped.
 */
#define KERNEL_ERR_TRUESIZE 1024
/* How long a request may wait for its answer on a non-blocking socket. */
#define KERNEL_REPLY_TIMEOUT_MS 5000

struct kernel_sock {
	struct mnl_socket *nl;
	uint16_t family; /* mipha generic-netlink family id */
	struct kernel_family_info info;
	bool bulk;	 /* batches use BINDING_NEW_BULK */
	uint32_t joined; /* the group a notification socket is in */
	uint32_t portid;
	uint32_t seq; /* last sequence number used */
	bool nonblock;
	size_t sndbuf; /* effective SO_SNDBUF */
	size_t rcvbuf; /* effective SO_RCVBUF */
	struct kernel_error err;
	char *rbuf;
	char *sbuf;
};

/*
 * A batch holds messages, each one request, or many (installs in one
 * BINDING_NEW_BULK message, one entry each). Sequence numbers, ACKs and
 * errors are per message; tags and failures per request.
 */
struct kernel_batch_msg {
	uint32_t off;	   /* in buf */
	uint32_t first;	   /* its first request */
	uint32_t list_off; /* bulk: its BINDINGS nest, from the message */
	uint32_t entries;  /* bulk: requests in it */
	bool bulk;
	bool replace; /* bulk: REPLACE */
};

struct kernel_batch_req {
	uint32_t off; /* its message, or its entry of a bulk message */
	uint64_t tag; /* the caller's */
};

struct kernel_batch {
	uint16_t family;
	bool bulk; /* installs go into BINDING_NEW_BULK messages */
	char *buf;
	size_t size;	    /* capacity of buf */
	size_t len;	    /* bytes used */
	unsigned int nmsgs; /* messages in buf */
	unsigned int max;   /* most messages a batch may hold */
	struct kernel_batch_msg *msgs;
	unsigned int count; /* requests in buf */
	unsigned int cap;   /* room in reqs */
	struct kernel_batch_req *reqs;
	uint32_t seq0; /* sequence number of message 0 once sealed */
	/* the part sealed last: messages [seg_first, seg_end) */
	unsigned int seg_first, seg_end;
};

/* Names: JSON keys and error messages use these. */

static const char *const attr_names[MIPHA_A_MAX + 1] = {
	[MIPHA_A_HOME_ADDR] = "home_addr",
	[MIPHA_A_COA] = "coa",
	[MIPHA_A_HA_ADDR] = "ha_addr",
	[MIPHA_A_ENCAP] = "encap",
	[MIPHA_A_GRE_KEY] = "gre_key",
	[MIPHA_A_FLAGS] = "flags",
	[MIPHA_A_LINK] = "link",
	[MIPHA_A_LIFETIME] = "lifetime",
	[MIPHA_A_EXPIRES_MS] = "expires_ms",
	[MIPHA_A_COOKIE] = "cookie",
	[MIPHA_A_TX_PACKETS] = "tx_packets",
	[MIPHA_A_TX_BYTES] = "tx_bytes",
	[MIPHA_A_RX_PACKETS] = "rx_packets",
	[MIPHA_A_RX_BYTES] = "rx_bytes",
	[MIPHA_A_EVENT] = "event",
	[MIPHA_A_FLUSH_COUNT] = "flush_count",
	[MIPHA_A_STATS] = "stats",
	[MIPHA_A_PROXY_ARP] = "proxy_arp",
	[MIPHA_A_LLADDR] = "lladdr",
	[MIPHA_A_ANNOUNCE_RATE] = "announce_rate",
	[MIPHA_A_ARP_REPLIES] = "arp_replies",
	[MIPHA_A_ANNOUNCEMENTS] = "announcements",
	[MIPHA_A_ANNOUNCE_PENDING] = "announce_pending",
	[MIPHA_A_MAX_BINDINGS] = "max_bindings",
	[MIPHA_A_BINDINGS] = "bindings",
	[MIPHA_A_REPLACE] = "replace",
};

static const char *const stats_names[MIPHA_STATS_A_MAX + 1] = {
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
	[MIPHA_STATS_A_TX_PACKETS] = "tx_packets",
	[MIPHA_STATS_A_RX_PACKETS] = "rx_packets",
	[MIPHA_STATS_A_DROP_NO_ROUTE] = "drop_no_route",
	[MIPHA_STATS_A_DROP_TOO_BIG] = "drop_too_big",
	[MIPHA_STATS_A_DROP_TTL] = "drop_ttl",
	[MIPHA_STATS_A_DROP_SPOOF] = "drop_spoof",
	[MIPHA_STATS_A_DROP_LOOP] = "drop_loop",
	[MIPHA_STATS_A_DROP_NO_BINDING] = "drop_no_binding",
	[MIPHA_STATS_A_DROP_ERROR] = "drop_error",
	[MIPHA_STATS_A_ICMP_ERRORS] = "icmp_errors",
	[MIPHA_STATS_A_PMTU_UPDATES] = "pmtu_updates",
	[MIPHA_STATS_A_BROADCASTS] = "broadcasts",
	[MIPHA_STATS_A_ARP_REPLIES] = "arp_replies",
	[MIPHA_STATS_A_ANNOUNCEMENTS] = "announcements",
	[MIPHA_STATS_A_MAX_BINDINGS] = "max_bindings",
	[MIPHA_STATS_A_DROP_MARTIAN] = "drop_martian",
	[MIPHA_STATS_A_DROP_RPFILTER] = "drop_rpfilter",
	[MIPHA_STATS_A_DROP_LINK_DOWN] = "drop_link_down",
	[MIPHA_STATS_A_DROP_BACKLOG] = "drop_backlog",
};

/* kernel_stats.present has a bit per statistic. */
_Static_assert(MIPHA_STATS_A_MAX < 32, "kernel_stats.present too small");

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

const char *kernel_attr_name(int type)
{
	if (type <= 0 || type > MIPHA_A_MAX || !attr_names[type])
		return NULL;
	return attr_names[type];
}

const char *kernel_stats_name(int type)
{
	if (type <= 0 || type > MIPHA_STATS_A_MAX)
		return NULL;
	return stats_names[type];
}

const char *kernel_event_name(uint8_t event)
{
	switch (event) {
	case MIPHA_EVENT_ADDED:
		return "added";
	case MIPHA_EVENT_REPLACED:
		return "replaced";
	case MIPHA_EVENT_DELETED:
		return "deleted";
	case MIPHA_EVENT_EXPIRED:
		return "expired";
	case MIPHA_EVENT_FLUSHED:
		return "flushed";
	}
	return NULL;
}

const char *kernel_encap_name(uint8_t encap)
{
	switch (encap) {
	case MIPHA_ENCAP_UNSPEC:
	case MIPHA_ENCAP_IPIP:
		return "ipip";
	case MIPHA_ENCAP_GRE:
		return "gre";
	}
	return NULL;
}

/*
 * mnl_nlmsg_ok() compares the length as an int, so a message claiming 2 GiB
 * passes it; compare unsigned.
 */
bool kernel_msg_ok(const struct nlmsghdr *nlh, size_t len)
{
	return len >= sizeof(*nlh) && nlh->nlmsg_len >= sizeof(*nlh) &&
	       nlh->nlmsg_len <= len;
}

/* The next message of a buffer; *len shrinks by what was skipped. */
const struct nlmsghdr *kernel_msg_next(const struct nlmsghdr *nlh, size_t *len)
{
	size_t step = NLMSG_ALIGN(nlh->nlmsg_len);

	*len = step < *len ? *len - step : 0;
	return (const struct nlmsghdr *)((const char *)nlh + step);
}

/* Message building. */

struct nlmsghdr *kernel_msg_put(void *buf, uint16_t family, uint8_t cmd,
				uint16_t flags, uint32_t seq)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *genl;

	nlh->nlmsg_type = family;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = seq;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = MIPHA_GENL_VERSION;
	return nlh;
}

/* An attribute at the tail of @nlh, whose room the caller checked. */
static void attr_put(struct nlmsghdr *nlh, uint16_t type, const void *v,
		     uint16_t len)
{
	struct nlattr *attr = (struct nlattr *)((char *)nlh + nlh->nlmsg_len);

	attr->nla_type = type;
	attr->nla_len = (uint16_t)(MNL_ATTR_HDRLEN + len);
	memcpy((char *)attr + MNL_ATTR_HDRLEN, v, len);
	memset((char *)attr + MNL_ATTR_HDRLEN + len, 0, MNL_ALIGN(len) - len);
	nlh->nlmsg_len += MNL_ALIGN(MNL_ATTR_HDRLEN + len);
}

static void attr_put_u32(struct nlmsghdr *nlh, uint16_t type, uint32_t v)
{
	struct nlattr *attr = (struct nlattr *)((char *)nlh + nlh->nlmsg_len);

	attr->nla_type = type;
	attr->nla_len = MNL_ATTR_HDRLEN + 4;
	memcpy((char *)attr + MNL_ATTR_HDRLEN, &v, 4);
	nlh->nlmsg_len += MNL_ATTR_HDRLEN + 4;
}

#define U32_ATTR MNL_ALIGN(MNL_ATTR_HDRLEN + 4)

/*
 * Put the request attributes of @b into @nlh (of a buffer @room bytes long
 * counted from nlh). Only what a request may carry: the reply-only
 * attributes (EXPIRES_MS, counters, EVENT) are never sent. Written
 * directly once the room for all of them is checked: a standby's download
 * writes one binding per entry, and libmnl's put-and-check calls cost
 * about as much as the rest of turning a synced record into a kernel
 * request. Every attribute fits with its padding (as libmnl checks each),
 * or nothing is written.
 */
int kernel_binding_put(struct nlmsghdr *nlh, size_t room,
		       const struct kernel_binding *b)
{
	size_t need = 3 * U32_ATTR;

	need += b->encap ? MNL_ALIGN(MNL_ATTR_HDRLEN + 1) : 0;
	need += (b->has_gre_key ? U32_ATTR : 0) + (b->flags ? U32_ATTR : 0) +
		(b->link ? U32_ATTR : 0) + (b->lifetime ? U32_ATTR : 0);
	need += b->cookie_len ? MNL_ALIGN(MNL_ATTR_HDRLEN + b->cookie_len) : 0;
	nlh->nlmsg_len = MNL_ALIGN(nlh->nlmsg_len);
	if (nlh->nlmsg_len > room || need > room - nlh->nlmsg_len)
		return -EMSGSIZE;
	attr_put_u32(nlh, MIPHA_A_HOME_ADDR, b->home_addr.s_addr);
	attr_put_u32(nlh, MIPHA_A_COA, b->coa.s_addr);
	attr_put_u32(nlh, MIPHA_A_HA_ADDR, b->ha_addr.s_addr);
	if (b->encap)
		attr_put(nlh, MIPHA_A_ENCAP, &b->encap, 1);
	if (b->has_gre_key)
		attr_put_u32(nlh, MIPHA_A_GRE_KEY, b->gre_key);
	if (b->flags)
		attr_put_u32(nlh, MIPHA_A_FLAGS, b->flags);
	if (b->link)
		attr_put_u32(nlh, MIPHA_A_LINK, b->link);
	if (b->lifetime)
		attr_put_u32(nlh, MIPHA_A_LIFETIME, b->lifetime);
	if (b->cookie_len)
		attr_put(nlh, MIPHA_A_COOKIE, b->cookie, b->cookie_len);
	return 0;
}

/* Message parsing. */

/*
 * Walk the attributes in [start, start + len) and call fn for each. Unlike
 * mnl_attr_parse(), which trusts the 4-byte-aligned end of the message,
 * this never looks past len, and like the kernel's strict parsing it
 * refuses an attribute that overruns the area or leftover bytes.
 */
typedef int (*attr_fn)(const struct nlattr *attr, void *data);

static int attrs_walk(const void *start, size_t len, attr_fn fn, void *data)
{
	const struct nlattr *attr = start;
	size_t step;

	while (len >= sizeof(*attr)) {
		if (attr->nla_len < sizeof(*attr) || attr->nla_len > len)
			return -EBADMSG;
		if (fn(attr, data) != MNL_CB_OK)
			return -EBADMSG;
		step = MNL_ALIGN(attr->nla_len);
		if (step >= len)
			return 0; /* the last one may lack its padding */
		len -= step;
		attr = (const struct nlattr *)((const char *)attr + step);
	}
	return len ? -EBADMSG : 0;
}

static int attrs_walk_nested(const struct nlattr *nest, attr_fn fn, void *data)
{
	return attrs_walk(mnl_attr_get_payload(nest),
			  mnl_attr_get_payload_len(nest), fn, data);
}

/* The attributes of a generic-netlink message. */
static int attrs_walk_msg(const struct nlmsghdr *nlh, attr_fn fn, void *data)
{
	if (nlh->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN)
		return -EBADMSG;
	return attrs_walk((const char *)nlh + NLMSG_HDRLEN + GENL_HDRLEN,
			  nlh->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN, fn,
			  data);
}

/* Exact payload size of each fixed-size attribute the kernel sends. */
static const uint8_t attr_sizes[MIPHA_A_MAX + 1] = {
	[MIPHA_A_HOME_ADDR] = 4,
	[MIPHA_A_COA] = 4,
	[MIPHA_A_HA_ADDR] = 4,
	[MIPHA_A_ENCAP] = 1,
	[MIPHA_A_GRE_KEY] = 4,
	[MIPHA_A_FLAGS] = 4,
	[MIPHA_A_LINK] = 4,
	[MIPHA_A_LIFETIME] = 4,
	[MIPHA_A_EXPIRES_MS] = 8,
	[MIPHA_A_TX_PACKETS] = 8,
	[MIPHA_A_TX_BYTES] = 8,
	[MIPHA_A_RX_PACKETS] = 8,
	[MIPHA_A_RX_BYTES] = 8,
	[MIPHA_A_EVENT] = 1,
	[MIPHA_A_FLUSH_COUNT] = 4,
	[MIPHA_A_PROXY_ARP] = 1,
	[MIPHA_A_LLADDR] = 6,
	[MIPHA_A_ANNOUNCE_RATE] = 4,
	[MIPHA_A_ARP_REPLIES] = 8,
	[MIPHA_A_ANNOUNCEMENTS] = 8,
	[MIPHA_A_ANNOUNCE_PENDING] = 1,
	[MIPHA_A_MAX_BINDINGS] = 4,
};

static int attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	uint16_t type = mnl_attr_get_type(attr);
	uint16_t len = mnl_attr_get_payload_len(attr);

	/* Newer kernels may send attributes we do not know: skip them. */
	if (type > MIPHA_A_MAX)
		return MNL_CB_OK;
	if (attr_sizes[type] && len != attr_sizes[type])
		return MNL_CB_ERROR;
	if (type == MIPHA_A_COOKIE && len > MIPHA_COOKIE_MAX)
		return MNL_CB_ERROR;
	if (type == MIPHA_A_STATS && mnl_attr_validate(attr, MNL_TYPE_NESTED))
		return MNL_CB_ERROR;
	tb[type] = attr;
	return MNL_CB_OK;
}

/* Split a mipha message into tb[], validating sizes. */
static int attrs_parse(const struct nlmsghdr *nlh,
		       const struct nlattr *tb[MIPHA_A_MAX + 1])
{
	memset(tb, 0, sizeof(*tb) * (MIPHA_A_MAX + 1));
	return attrs_walk_msg(nlh, attr_cb, tb);
}

/*
 * A u32 attribute as it is: addresses come in network order and stay so in
 * s_addr, the other u32s in host order (nla_put_u32). No conversion either
 * way (this was called get_be32, which it never did).
 */
static uint32_t get_u32(const struct nlattr *attr)
{
	return attr ? mnl_attr_get_u32(attr) : 0;
}

static uint64_t get_u64(const struct nlattr *attr)
{
	uint64_t v = 0;

	/* The kernel may not 8-byte align u64 payloads: copy, don't cast. */
	if (attr)
		memcpy(&v, mnl_attr_get_payload(attr), sizeof(v));
	return v;
}

static void binding_from_tb(const struct nlattr *tb[MIPHA_A_MAX + 1],
			    struct kernel_binding *b)
{
	memset(b, 0, sizeof(*b));
	b->home_addr.s_addr = get_u32(tb[MIPHA_A_HOME_ADDR]);
	b->coa.s_addr = get_u32(tb[MIPHA_A_COA]);
	b->ha_addr.s_addr = get_u32(tb[MIPHA_A_HA_ADDR]);
	if (tb[MIPHA_A_ENCAP])
		b->encap = mnl_attr_get_u8(tb[MIPHA_A_ENCAP]);
	if (tb[MIPHA_A_GRE_KEY]) {
		b->has_gre_key = true;
		b->gre_key = mnl_attr_get_u32(tb[MIPHA_A_GRE_KEY]);
	}
	b->flags = get_u32(tb[MIPHA_A_FLAGS]);
	b->link = get_u32(tb[MIPHA_A_LINK]);
	b->lifetime = get_u32(tb[MIPHA_A_LIFETIME]);
	if (tb[MIPHA_A_EXPIRES_MS]) {
		b->has_expires = true;
		b->expires_ms = get_u64(tb[MIPHA_A_EXPIRES_MS]);
	}
	b->tx_packets = get_u64(tb[MIPHA_A_TX_PACKETS]);
	b->tx_bytes = get_u64(tb[MIPHA_A_TX_BYTES]);
	b->rx_packets = get_u64(tb[MIPHA_A_RX_PACKETS]);
	b->rx_bytes = get_u64(tb[MIPHA_A_RX_BYTES]);
	if (tb[MIPHA_A_EVENT])
		b->event = mnl_attr_get_u8(tb[MIPHA_A_EVENT]);
	if (tb[MIPHA_A_COOKIE]) {
		b->cookie = mnl_attr_get_payload(tb[MIPHA_A_COOKIE]);
		b->cookie_len = mnl_attr_get_payload_len(tb[MIPHA_A_COOKIE]);
	}
}

int kernel_binding_parse(const struct nlmsghdr *nlh, struct kernel_binding *b)
{
	const struct nlattr *tb[MIPHA_A_MAX + 1];
	int err;

	err = attrs_parse(nlh, tb);
	if (err)
		return err;
	if (!tb[MIPHA_A_HOME_ADDR])
		return -EBADMSG;
	binding_from_tb(tb, b);
	return 0;
}

int kernel_notification_parse(const struct nlmsghdr *nlh,
			      struct kernel_notification *n)
{
	const struct nlattr *tb[MIPHA_A_MAX + 1];
	const struct genlmsghdr *genl;
	int err;

	memset(n, 0, sizeof(*n));
	err = attrs_parse(nlh, tb);
	if (err)
		return err;
	genl = mnl_nlmsg_get_payload(nlh);
	n->cmd = genl->cmd;
	if (tb[MIPHA_A_EVENT])
		n->event = mnl_attr_get_u8(tb[MIPHA_A_EVENT]);
	n->flush_count = get_u32(tb[MIPHA_A_FLUSH_COUNT]);
	if (tb[MIPHA_A_HOME_ADDR]) {
		n->has_binding = true;
		binding_from_tb(tb, &n->binding);
	} else if (n->event != MIPHA_EVENT_FLUSHED &&
		   n->cmd != MIPHA_CMD_BINDING_FLUSH) {
		return -EBADMSG;
	}
	return 0;
}

static int stats_cb(const struct nlattr *attr, void *data)
{
	struct kernel_stats *st = data;
	uint16_t type = mnl_attr_get_type(attr);
	uint16_t len = mnl_attr_get_payload_len(attr);

	if (type == MIPHA_STATS_A_PAD || type > MIPHA_STATS_A_MAX)
		return MNL_CB_OK;
	if (len == sizeof(uint32_t))
		st->v[type] = mnl_attr_get_u32(attr);
	else if (len == sizeof(uint64_t))
		st->v[type] = get_u64(attr);
	else
		return MNL_CB_ERROR;
	st->present |= 1U << type;
	return MNL_CB_OK;
}

int kernel_stats_parse(const struct nlmsghdr *nlh, struct kernel_stats *st)
{
	const struct nlattr *tb[MIPHA_A_MAX + 1];
	int err;

	memset(st, 0, sizeof(*st));
	err = attrs_parse(nlh, tb);
	if (err)
		return err;
	if (!tb[MIPHA_A_STATS])
		return -EBADMSG;
	return attrs_walk_nested(tb[MIPHA_A_STATS], stats_cb, st);
}

/*
 * Copy the kernel's extack text; it ends up on a terminal, so control
 * characters are neutralised.
 */
static void copy_msg(char *dst, size_t size, const struct nlattr *attr)
{
	const char *s = mnl_attr_get_payload(attr);
	size_t len = mnl_attr_get_payload_len(attr);
	size_t i;

	for (i = 0; i < len && i < size - 1 && s[i]; i++)
		dst[i] = (s[i] < 0x20 || s[i] == 0x7f) ? '?' : s[i];
	dst[i] = '\0';
}

static int extack_cb(const struct nlattr *attr, void *data)
{
	struct kernel_error *err = data;
	uint16_t plen = mnl_attr_get_payload_len(attr);

	switch (mnl_attr_get_type(attr)) {
	case NLMSGERR_ATTR_MSG:
		copy_msg(err->msg, sizeof(err->msg), attr);
		break;
	case NLMSGERR_ATTR_OFFS:
		if (plen == sizeof(uint32_t) &&
		    mnl_attr_get_u32(attr) <= INT32_MAX)
			err->offs = mnl_attr_get_u32(attr);
		break;
	case NLMSGERR_ATTR_MISS_TYPE:
		if (plen == sizeof(uint32_t) &&
		    mnl_attr_get_u32(attr) <= INT32_MAX)
			err->miss_type = mnl_attr_get_u32(attr);
		break;
	}
	return MNL_CB_OK;
}

/* Best effort: what precedes a malformed TLV is still worth showing. */
static void extack_parse(const void *tlv, size_t len, struct kernel_error *err)
{
	attrs_walk(tlv, len, extack_cb, err);
}

static int errno_from_kernel(int error)
{
	/* A well-formed report carries 0 or a negative errno. */
	if (error > 0 || error < -4095)
		return -EBADMSG;
	return error;
}

/*
 * Decode an NLMSG_ERROR (error or ACK) or NLMSG_DONE with its extended ACK.
 * Layout (include/uapi/linux/netlink.h): struct nlmsgerr, then the request's
 * payload unless NLM_F_CAPPED, then the TLVs if NLM_F_ACK_TLVS. NLMSG_DONE
 * carries an int error, then the TLVs.
 */
int kernel_error_parse(const struct nlmsghdr *nlh, struct kernel_error *err)
{
	const char *payload = mnl_nlmsg_get_payload(nlh);
	size_t plen, off;

	memset(err, 0, sizeof(*err));
	err->offs = -1;
	err->attr = -1;
	err->miss_type = -1;
	if (nlh->nlmsg_len < NLMSG_HDRLEN)
		return -EBADMSG;
	plen = nlh->nlmsg_len - NLMSG_HDRLEN;

	if (nlh->nlmsg_type == NLMSG_DONE) {
		int error = 0;

		/* Old kernels may send an empty DONE: that is success. */
		if (plen >= sizeof(error))
			memcpy(&error, payload, sizeof(error));
		err->error = errno_from_kernel(error);
		off = NLMSG_ALIGN(sizeof(error));
	} else if (nlh->nlmsg_type == NLMSG_ERROR) {
		const struct nlmsgerr *e = (const void *)payload;

		if (plen < sizeof(*e))
			return -EBADMSG;
		err->error = errno_from_kernel(e->error);
		off = sizeof(*e);
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) {
			if (e->msg.nlmsg_len < NLMSG_HDRLEN)
				return -EBADMSG;
			off += NLMSG_ALIGN(e->msg.nlmsg_len - NLMSG_HDRLEN);
		}
	} else {
		return -EINVAL;
	}
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) || off >= plen)
		return 0;
	extack_parse(payload + off, plen - off, err);
	return 0;
}

struct resolve_ctx {
	const char *req;
	struct kernel_error *err;
};

static int resolve_cb(const struct nlattr *attr, void *data)
{
	struct resolve_ctx *ctx = data;
	size_t off = (const char *)attr - ctx->req;
	size_t offs = ctx->err->offs;

	if (offs >= off && offs < off + MNL_ALIGN(attr->nla_len))
		ctx->err->attr = mnl_attr_get_type(attr);
	return MNL_CB_OK;
}

/* Find which attribute of the request @req the kernel's offset points at. */
void kernel_error_resolve(struct kernel_error *err, const struct nlmsghdr *req)
{
	struct resolve_ctx ctx = { (const char *)req, err };

	if (err->offs < 0 || !req)
		return;
	attrs_walk_msg(req, resolve_cb, &ctx);
}

char *kernel_error_str(const struct kernel_error *err, char *buf, size_t len)
{
	const char *name;
	size_t n;
	int sep = 0;

	n = snprintf(buf, len, "%s", strerror(-err->error));
	if (!err->msg[0] && err->attr < 0 && err->miss_type < 0)
		return buf;
#define APPEND(...)                                                   \
	do {                                                          \
		if (n < len)                                          \
			n += snprintf(buf + n, len - n, __VA_ARGS__); \
	} while (0)
	APPEND(" (kernel: ");
	if (err->msg[0]) {
		APPEND("%s", err->msg);
		sep = 1;
	}
	if (err->attr >= 0) {
		name = kernel_attr_name(err->attr);
		if (name)
			APPEND("%sattribute %s", sep ? ", " : "", name);
		else
			APPEND("%sattribute %d", sep ? ", " : "", err->attr);
		sep = 1;
	}
	if (err->miss_type >= 0) {
		name = kernel_attr_name(err->miss_type);
		if (name)
			APPEND("%smissing attribute %s", sep ? ", " : "", name);
		else
			APPEND("%smissing attribute %d", sep ? ", " : "",
			       err->miss_type);
	}
	APPEND(")");
#undef APPEND
	return buf;
}

/* "binding add 10.0.0.1": what a request asked, for error messages. */
char *kernel_request_str(const struct nlmsghdr *req, char *buf, size_t len)
{
	const struct nlattr *tb[MIPHA_A_MAX + 1];
	const struct genlmsghdr *genl;
	const char *what = "request";
	char addr[INET_ADDRSTRLEN] = "";

	if (attrs_parse(req, tb)) {
		snprintf(buf, len, "request");
		return buf;
	}
	genl = mnl_nlmsg_get_payload(req);
	switch (genl->cmd) {
	case MIPHA_CMD_BINDING_NEW:
		what = (req->nlmsg_flags & NLM_F_REPLACE) ? "binding replace" :
							    "binding add";
		break;
	case MIPHA_CMD_BINDING_DEL:
		what = "binding del";
		break;
	case MIPHA_CMD_BINDING_GET:
		/* NLM_F_DUMP's bits mean other things in NEW requests. */
		what = "binding get";
		if ((req->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP)
			what = "binding list";
		break;
	case MIPHA_CMD_BINDING_FLUSH:
		what = "binding flush";
		break;
	case MIPHA_CMD_STATS_GET:
		what = "stats";
		break;
	case MIPHA_CMD_LINK_SET:
		what = "link set";
		break;
	case MIPHA_CMD_LINK_GET:
		what = "link get";
		break;
	case MIPHA_CMD_ANNOUNCE:
		what = "announce";
		break;
	}
	if (tb[MIPHA_A_HOME_ADDR]) {
		struct in_addr a = { get_u32(tb[MIPHA_A_HOME_ADDR]) };

		inet_ntop(AF_INET, &a, addr, sizeof(addr));
	}
	snprintf(buf, len, "%s%s%s", what, addr[0] ? " " : "", addr);
	return buf;
}

/* CTRL_CMD_GETFAMILY reply: family id and our multicast groups' ids. */
static int mcgrp_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	uint16_t type = mnl_attr_get_type(attr);

	if (type == CTRL_ATTR_MCAST_GRP_NAME &&
	    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0)
		return MNL_CB_ERROR;
	if (type == CTRL_ATTR_MCAST_GRP_ID &&
	    mnl_attr_get_payload_len(attr) != sizeof(uint32_t))
		return MNL_CB_ERROR;
	if (type <= CTRL_ATTR_MCAST_GRP_MAX)
		tb[type] = attr;
	return MNL_CB_OK;
}

/* One entry of CTRL_ATTR_MCAST_GROUPS. */
static int mcgrps_cb(const struct nlattr *entry, void *data)
{
	const struct nlattr *tb[CTRL_ATTR_MCAST_GRP_MAX + 1] = {};
	struct kernel_family_info *groups = data;
	const char *name;
	uint32_t id;

	if (attrs_walk_nested(entry, mcgrp_cb, tb))
		return MNL_CB_ERROR;
	if (!tb[CTRL_ATTR_MCAST_GRP_NAME] || !tb[CTRL_ATTR_MCAST_GRP_ID])
		return MNL_CB_OK;
	name = mnl_attr_get_str(tb[CTRL_ATTR_MCAST_GRP_NAME]);
	id = mnl_attr_get_u32(tb[CTRL_ATTR_MCAST_GRP_ID]);
	if (!strcmp(name, MIPHA_MCGRP_BINDINGS))
		groups->bindings = id;
	else if (!strcmp(name, MIPHA_MCGRP_REMOVALS))
		groups->removals = id;
	return MNL_CB_OK;
}

/* One entry of CTRL_ATTR_OPS: a command the family has. */
static int op_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	uint16_t type = mnl_attr_get_type(attr);

	if (type == CTRL_ATTR_OP_ID &&
	    mnl_attr_get_payload_len(attr) != sizeof(uint32_t))
		return MNL_CB_ERROR;
	if (type <= CTRL_ATTR_OP_MAX)
		tb[type] = attr;
	return MNL_CB_OK;
}

static int ops_cb(const struct nlattr *entry, void *data)
{
	const struct nlattr *tb[CTRL_ATTR_OP_MAX + 1] = {};
	struct kernel_family_info *info = data;

	if (attrs_walk_nested(entry, op_cb, tb))
		return MNL_CB_ERROR;
	if (tb[CTRL_ATTR_OP_ID] &&
	    mnl_attr_get_u32(tb[CTRL_ATTR_OP_ID]) == MIPHA_CMD_BINDING_NEW_BULK)
		info->bulk = true;
	return MNL_CB_OK;
}

static int ctrl_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	uint16_t type = mnl_attr_get_type(attr);

	if (type == CTRL_ATTR_FAMILY_ID &&
	    mnl_attr_get_payload_len(attr) != sizeof(uint16_t))
		return MNL_CB_ERROR;
	if ((type == CTRL_ATTR_MCAST_GROUPS || type == CTRL_ATTR_OPS) &&
	    mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0)
		return MNL_CB_ERROR;
	if (type <= CTRL_ATTR_MAX)
		tb[type] = attr;
	return MNL_CB_OK;
}

int kernel_family_parse(const struct nlmsghdr *nlh, uint16_t *family,
			struct kernel_family_info *info)
{
	const struct nlattr *tb[CTRL_ATTR_MAX + 1] = {};

	*family = 0;
	memset(info, 0, sizeof(*info));
	if (attrs_walk_msg(nlh, ctrl_cb, tb) || !tb[CTRL_ATTR_FAMILY_ID])
		return -EBADMSG;
	*family = mnl_attr_get_u16(tb[CTRL_ATTR_FAMILY_ID]);
	if (tb[CTRL_ATTR_MCAST_GROUPS] &&
	    attrs_walk_nested(tb[CTRL_ATTR_MCAST_GROUPS], mcgrps_cb, info))
		return -EBADMSG;
	if (tb[CTRL_ATTR_OPS] &&
	    attrs_walk_nested(tb[CTRL_ATTR_OPS], ops_cb, info))
		return -EBADMSG;
	return 0;
}

/* Socket I/O. */

static void set_error(struct kernel_sock *ks, int error, const char *msg)
{
	memset(&ks->err, 0, sizeof(ks->err));
	ks->err.error = error;
	ks->err.offs = -1;
	ks->err.attr = -1;
	ks->err.miss_type = -1;
	if (msg)
		snprintf(ks->err.msg, sizeof(ks->err.msg), "%s", msg);
}

/* A failed receive; -ENOBUFS means the kernel dropped answers for us. */
static void set_recv_error(struct kernel_sock *ks, int error, const char *lost)
{
	char msg[128];

	snprintf(msg, sizeof(msg), "%s: socket receive buffer full", lost);
	set_error(ks, error, error == -ENOBUFS ? msg : NULL);
}

/*
 * Receive one datagram from the kernel into ks->rbuf. Datagrams from other
 * user-space sockets (anyone may unicast to our port) are dropped.
 */
static ssize_t sock_recv(struct kernel_sock *ks, bool wait)
{
	struct sockaddr_nl addr;
	struct iovec iov = { ks->rbuf, KERNEL_RBUF_SIZE };
	struct msghdr msg = {
		.msg_name = &addr,
		.msg_namelen = sizeof(addr),
		.msg_iov = &iov,
		.msg_iovlen = 1,
	};
	struct pollfd pfd = { .fd = kernel_fd(ks), .events = POLLIN };
	ssize_t ret;

	for (;;) {
		msg.msg_namelen = sizeof(addr);
		ret = recvmsg(pfd.fd, &msg, 0);
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret < 0 && errno == EAGAIN && wait) {
			ret = poll(&pfd, 1, KERNEL_REPLY_TIMEOUT_MS);
			if (ret == 0)
				return -ETIMEDOUT;
			if (ret < 0 && errno != EINTR)
				return -errno;
			continue;
		}
		if (ret < 0)
			return -errno;
		if (msg.msg_flags & MSG_TRUNC)
			return -EMSGSIZE;
		if (msg.msg_namelen != sizeof(addr) || addr.nl_pid != 0)
			continue;
		return ret;
	}
}

static int sock_send(struct kernel_sock *ks, const void *buf, size_t len)
{
	ssize_t ret;

	do {
		ret = mnl_socket_sendto(ks->nl, buf, len);
	} while (ret < 0 && errno == EINTR);
	if (ret < 0)
		return -errno;
	return (size_t)ret == len ? 0 : -EMSGSIZE;
}

typedef int (*msg_cb)(const struct nlmsghdr *nlh, void *data);

struct reply_state {
	uint32_t seq;
	const struct nlmsghdr *req;
	msg_cb cb;
	void *data;
	bool done;
	bool intr; /* NLM_F_DUMP_INTR seen */
	int error; /* kernel's error or cb's */
};

static void reply_msg(struct kernel_sock *ks, const struct nlmsghdr *nlh,
		      struct reply_state *st)
{
	struct kernel_error err;
	int ret;

	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		st->intr = true;
	switch (nlh->nlmsg_type) {
	case NLMSG_NOOP:
	case NLMSG_OVERRUN:
		return;
	case NLMSG_ERROR:
	case NLMSG_DONE:
		st->done = true;
		ret = kernel_error_parse(nlh, &err);
		if (ret) {
			set_error(ks, ret, "malformed error report");
		} else {
			kernel_error_resolve(&err, st->req);
			ks->err = err;
		}
		if (!st->error)
			st->error = ret ? ret : err.error;
		return;
	}
	/* After a callback error, drain the rest (a dump must run to DONE). */
	if (st->cb && !st->error && !st->intr) {
		ret = st->cb(nlh, st->data);
		if (ret < 0)
			st->error = ret;
	}
}

/*
 * Send the request @req and process everything the kernel answers to it
 * until its ACK, error or NLMSG_DONE. Answers to older requests (a previous
 * caller gave up early) are recognised by their sequence number and
 * skipped.
 */
static int kernel_request(struct kernel_sock *ks, struct nlmsghdr *req,
			  msg_cb cb, void *data, bool *intr)
{
	struct reply_state st = {
		.req = req,
		.cb = cb,
		.data = data,
	};
	const struct nlmsghdr *nlh;
	ssize_t len;
	size_t rem;
	int ret;

	set_error(ks, 0, NULL);
	req->nlmsg_seq = st.seq = ++ks->seq;
	ret = sock_send(ks, req, req->nlmsg_len);
	if (ret) {
		set_error(ks, ret, NULL);
		return ret;
	}
	while (!st.done) {
		len = sock_recv(ks, true);
		if (len < 0) {
			set_recv_error(ks, len, "replies lost");
			return len;
		}
		nlh = (const struct nlmsghdr *)ks->rbuf;
		rem = len;
		for (; kernel_msg_ok(nlh, rem) && !st.done;
		     nlh = kernel_msg_next(nlh, &rem)) {
			if (nlh->nlmsg_seq != st.seq ||
			    (nlh->nlmsg_pid && nlh->nlmsg_pid != ks->portid))
				continue;
			reply_msg(ks, nlh, &st);
		}
	}
	if (intr)
		*intr = st.intr;
	if (st.error && !ks->err.error)
		set_error(ks, st.error, NULL);
	return st.error;
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	struct kernel_sock *ks = data;

	int ret = kernel_family_parse(nlh, &ks->family, &ks->info);

	ks->bulk = ks->info.bulk;
	return ret;
}

static int resolve_family(struct kernel_sock *ks)
{
	struct nlmsghdr *nlh;
	struct genlmsghdr *genl;
	int ret;

	nlh = mnl_nlmsg_put_header(ks->sbuf);
	nlh->nlmsg_type = GENL_ID_CTRL;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = CTRL_CMD_GETFAMILY;
	genl->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, MIPHA_GENL_NAME);
	ret = kernel_request(ks, nlh, family_cb, ks, NULL);
	if (ret == -ENOENT) {
		set_error(ks, ret,
			  "no generic netlink family \"" MIPHA_GENL_NAME
			  "\": is mipha.ko loaded?");
		return ret;
	}
	if (!ret && !ks->family)
		ret = -EBADMSG;
	return ret;
}

/* Ask for big socket buffers, forcefully if we may; report what we got. */
static size_t sock_buf(int fd, int opt, int force_opt, int size)
{
	int val = 0;
	socklen_t len = sizeof(val);

	if (setsockopt(fd, SOL_SOCKET, force_opt, &size, sizeof(size)))
		setsockopt(fd, SOL_SOCKET, opt, &size, sizeof(size));
	if (getsockopt(fd, SOL_SOCKET, opt, &val, &len) || val <= 0)
		return 0;
	return val;
}

static int sock_setup(struct kernel_sock *ks)
{
	int fd = mnl_socket_get_fd(ks->nl);
	int one = 1;

	/*
	 * Extended ACKs carry the kernel's error text; capped ACKs keep error
	 * reports small (no copy of the request), so a whole batch of them
	 * fits the receive buffer. Both exist since 4.12.
	 */
	if (setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one)) ||
	    setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one)))
		return -errno;
	ks->sndbuf = sock_buf(fd, SO_SNDBUF, SO_SNDBUFFORCE, KERNEL_SNDBUF);
	ks->rcvbuf = sock_buf(fd, SO_RCVBUF, SO_RCVBUFFORCE, KERNEL_RCVBUF);
	if (mnl_socket_bind(ks->nl, 0, MNL_SOCKET_AUTOPID))
		return -errno;
	ks->portid = mnl_socket_get_portid(ks->nl);
	return 0;
}

/*
 * Drop BINDING_NEW notifications (added, replaced) of our family: classic
 * BPF over the netlink message, which starts at the nlmsghdr. A half-word
 * load is in network order, so the type is compared with htons(family).
 * Everything else passes (a load past the end of a message would drop it,
 * but every message of this group carries both headers).
 */
static int attach_removals_filter(struct kernel_sock *ks)
{
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_H | BPF_ABS,
			 offsetof(struct nlmsghdr, nlmsg_type)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, htons(ks->family), 0, 3),
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS,
			 NLMSG_HDRLEN + offsetof(struct genlmsghdr, cmd)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, MIPHA_CMD_BINDING_NEW, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, 0),
		BPF_STMT(BPF_RET | BPF_K, 0xffffffff),
	};
	struct sock_fprog prog = {
		.len = sizeof(code) / sizeof(code[0]),
		.filter = code,
	};

	if (setsockopt(mnl_socket_get_fd(ks->nl), SOL_SOCKET, SO_ATTACH_FILTER,
		       &prog, sizeof(prog)))
		return -errno;
	return 0;
}

int kernel_open(struct kernel_sock **ksp, unsigned int flags)
{
	struct kernel_sock *ks;
	int sflags = SOCK_CLOEXEC;
	int ret;

	*ksp = NULL;
	ks = calloc(1, sizeof(*ks));
	if (!ks)
		return -ENOMEM;
	ks->rbuf = malloc(KERNEL_RBUF_SIZE);
	ks->sbuf = malloc(KERNEL_SBUF_SIZE);
	if (!ks->rbuf || !ks->sbuf) {
		ret = -ENOMEM;
		goto err_free;
	}
	ks->nonblock = flags & KERNEL_F_NONBLOCK;
	if (ks->nonblock)
		sflags |= SOCK_NONBLOCK;
	ks->nl = mnl_socket_open2(NETLINK_GENERIC, sflags);
	if (!ks->nl) {
		ret = -errno;
		goto err_free;
	}
	/* Start somewhere arbitrary so a reused port never matches old seqs. */
	ks->seq = (uint32_t)time(NULL) << 8;
	ret = sock_setup(ks);
	if (ret)
		goto err_close;
	ret = resolve_family(ks);
	if (ret)
		goto err_close;
	if (flags & KERNEL_F_NOTIFY) {
		ks->joined = ks->info.bindings;
		if ((flags & KERNEL_F_REMOVALS) && ks->info.removals &&
		    !(flags & KERNEL_F_REMOVALS_FILTER))
			ks->joined = ks->info.removals;
		if (!ks->joined) {
			ret = -ENOENT;
			goto err_close;
		}
		if ((flags & KERNEL_F_REMOVALS) &&
		    ks->joined == ks->info.bindings) {
			ret = attach_removals_filter(ks);
			if (ret)
				goto err_close;
		}
		if (mnl_socket_setsockopt(ks->nl, NETLINK_ADD_MEMBERSHIP,
					  &ks->joined, sizeof(ks->joined))) {
			ret = -errno;
			goto err_close;
		}
	}
	*ksp = ks;
	return 0;

err_close:
	mnl_socket_close(ks->nl);
err_free:
	free(ks->sbuf);
	free(ks->rbuf);
	free(ks);
	return ret;
}

void kernel_close(struct kernel_sock *ks)
{
	if (!ks)
		return;
	mnl_socket_close(ks->nl);
	free(ks->sbuf);
	free(ks->rbuf);
	free(ks);
}

int kernel_fd(const struct kernel_sock *ks)
{
	return mnl_socket_get_fd(ks->nl);
}

uint16_t kernel_family(const struct kernel_sock *ks)
{
	return ks->family;
}

uint32_t kernel_mcgrp(const struct kernel_sock *ks)
{
	return ks->info.bindings;
}

uint32_t kernel_joined_group(const struct kernel_sock *ks)
{
	return ks->joined;
}

const struct kernel_error *kernel_last_error(const struct kernel_sock *ks)
{
	return &ks->err;
}

/* Single requests. */

int kernel_binding_add(struct kernel_sock *ks, const struct kernel_binding *b,
		       bool replace)
{
	uint16_t flags = NLM_F_ACK | NLM_F_CREATE;
	struct nlmsghdr *nlh;
	int ret;

	flags |= replace ? NLM_F_REPLACE : NLM_F_EXCL;
	nlh = kernel_msg_put(ks->sbuf, ks->family, MIPHA_CMD_BINDING_NEW, flags,
			     0);
	ret = kernel_binding_put(nlh, KERNEL_SBUF_SIZE, b);
	if (ret)
		return ret;
	return kernel_request(ks, nlh, NULL, NULL, NULL);
}

int kernel_binding_del(struct kernel_sock *ks, struct in_addr home_addr)
{
	struct nlmsghdr *nlh;

	nlh = kernel_msg_put(ks->sbuf, ks->family, MIPHA_CMD_BINDING_DEL,
			     NLM_F_ACK, 0);
	mnl_attr_put_u32(nlh, MIPHA_A_HOME_ADDR, home_addr.s_addr);
	return kernel_request(ks, nlh, NULL, NULL, NULL);
}

struct binding_cb_ctx {
	kernel_binding_cb cb;
	void *data;
	unsigned int count;
};

static int binding_msg_cb(const struct nlmsghdr *nlh, void *data)
{
	struct binding_cb_ctx *ctx = data;
	struct kernel_binding b;
	int ret;

	ret = kernel_binding_parse(nlh, &b);
	if (ret)
		return ret;
	ctx->count++;
	return ctx->cb(&b, ctx->data);
}

int kernel_binding_get(struct kernel_sock *ks, struct in_addr home_addr,
		       kernel_binding_cb cb, void *data)
{
	struct binding_cb_ctx ctx = { cb, data, 0 };
	struct nlmsghdr *nlh;
	int ret;

	nlh = kernel_msg_put(ks->sbuf, ks->family, MIPHA_CMD_BINDING_GET,
			     NLM_F_ACK, 0);
	mnl_attr_put_u32(nlh, MIPHA_A_HOME_ADDR, home_addr.s_addr);
	ret = kernel_request(ks, nlh, binding_msg_cb, &ctx, NULL);
	if (!ret && !ctx.count) {
		set_error(ks, -EBADMSG, "no binding in the reply");
		return -EBADMSG;
	}
	return ret;
}

struct dump_ctx {
	const struct kernel_dump_ops *ops;
	void *data;
};

static int dump_msg_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dump_ctx *ctx = data;
	struct kernel_binding b;
	int ret;

	ret = kernel_binding_parse(nlh, &b);
	if (ret)
		return ret;
	return ctx->ops->binding(&b, ctx->data);
}

/*
 * Dump the table. A dump spans many recvmsg() calls; if the table changed
 * meanwhile the kernel flags a part NLM_F_DUMP_INTR and what we got may
 * miss or repeat bindings, so the consumer is told to forget it and the
 * whole dump runs again, at most KERNEL_DUMP_RETRIES more times.
 */
int kernel_binding_dump(struct kernel_sock *ks,
			const struct kernel_dump_filter *filter,
			const struct kernel_dump_ops *ops, void *data)
{
	struct dump_ctx ctx = { ops, data };
	struct nlmsghdr *nlh;
	bool intr;
	int ret, i;

	for (i = 0; i <= KERNEL_DUMP_RETRIES; i++) {
		if (i && ops->restart)
			ops->restart(data);
		nlh = kernel_msg_put(ks->sbuf, ks->family,
				     MIPHA_CMD_BINDING_GET, NLM_F_DUMP, 0);
		if (filter && filter->link)
			mnl_attr_put_u32(nlh, MIPHA_A_LINK, filter->link);
		if (filter && filter->coa.s_addr)
			mnl_attr_put_u32(nlh, MIPHA_A_COA, filter->coa.s_addr);
		ret = kernel_request(ks, nlh, dump_msg_cb, &ctx, &intr);
		if (ret || !intr)
			return ret;
	}
	set_error(ks, -EINTR,
		  "dump interrupted by concurrent changes, "
		  "retries exhausted");
	return -EINTR;
}

static int flush_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[MIPHA_A_MAX + 1];
	int64_t *count = data;
	int ret;

	ret = attrs_parse(nlh, tb);
	if (ret)
		return ret;
	if (tb[MIPHA_A_FLUSH_COUNT])
		*count = mnl_attr_get_u32(tb[MIPHA_A_FLUSH_COUNT]);
	return 0;
}

int kernel_binding_flush(struct kernel_sock *ks, uint32_t *count)
{
	struct nlmsghdr *nlh;
	int64_t n = -1;
	int ret;

	nlh = kernel_msg_put(ks->sbuf, ks->family, MIPHA_CMD_BINDING_FLUSH,
			     NLM_F_ACK, 0);
	ret = kernel_request(ks, nlh, flush_cb, &n, NULL);
	if (ret)
		return ret;
	if (n < 0) {
		set_error(ks, -EBADMSG, "flush reply without FLUSH_COUNT");
		return -EBADMSG;
	}
	*count = n;
	return 0;
}

struct stats_ctx {
	struct kernel_stats *stats;
	bool got;
};

static int stats_msg_cb(const struct nlmsghdr *nlh, void *data)
{
	struct stats_ctx *ctx = data;

	ctx->got = true;
	return kernel_stats_parse(nlh, ctx->stats);
}

int kernel_stats_get(struct kernel_sock *ks, struct kernel_stats *stats)
{
	struct stats_ctx ctx = { stats, false };
	struct nlmsghdr *nlh;
	int ret;

	nlh = kernel_msg_put(ks->sbuf, ks->family, MIPHA_CMD_STATS_GET,
			     NLM_F_ACK, 0);
	ret = kernel_request(ks, nlh, stats_msg_cb, &ctx, NULL);
	if (!ret && !ctx.got) {
		set_error(ks, -EBADMSG, "no statistics in the reply");
		return -EBADMSG;
	}
	return ret;
}

/* Notifications. */

static int notify_buf(struct kernel_sock *ks, size_t len, kernel_notify_cb cb,
		      void *data)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)ks->rbuf;
	struct kernel_notification n;
	size_t rem = len;
	int count = 0, ret;

	for (; kernel_msg_ok(nlh, rem); nlh = kernel_msg_next(nlh, &rem)) {
		if (nlh->nlmsg_type != ks->family)
			continue;
		/* A malformed notification is skipped, not fatal. */
		if (kernel_notification_parse(nlh, &n))
			continue;
		ret = cb(&n, data);
		if (ret < 0)
			return ret;
		count++;
	}
	return count;
}

int kernel_notify_read(struct kernel_sock *ks, kernel_notify_cb cb, void *data)
{
	int count = 0, ret;
	ssize_t len;

	for (;;) {
		len = sock_recv(ks, false);
		if (len == -EAGAIN)
			return count ? count : -EAGAIN;
		if (len < 0)
			return len;
		ret = notify_buf(ks, len, cb, data);
		if (ret < 0)
			return ret;
		count += ret;
		if (!ks->nonblock)
			return count;
	}
}

/* Batches. */

/*
 * Installs per BINDING_NEW_BULK message: enough that its cost is spread
 * thin, few enough that one entry's failure re-sends little.
 */
#define KERNEL_BULK_ENTRIES 256

struct kernel_batch *kernel_batch_alloc(uint16_t family, size_t size,
					unsigned int max_msgs)
{
	struct kernel_batch *batch;

	if (!size || !max_msgs)
		return NULL;
	batch = calloc(1, sizeof(*batch));
	if (!batch)
		return NULL;
	batch->family = family;
	batch->size = size;
	batch->max = max_msgs;
	batch->buf = malloc(size);
	batch->msgs = calloc(max_msgs, sizeof(*batch->msgs));
	if (!batch->buf || !batch->msgs) {
		kernel_batch_free(batch);
		return NULL;
	}
	return batch;
}

struct kernel_batch *kernel_batch_new(const struct kernel_sock *ks)
{
	struct kernel_batch *batch;
	size_t size = KERNEL_BATCH_BYTES;
	size_t max;

	/* netlink_sendmsg() refuses messages longer than sk_sndbuf - 32. */
	if (ks->sndbuf > 64 && ks->sndbuf - 64 < size)
		size = ks->sndbuf - 64;
	if (size < KERNEL_SBUF_SIZE)
		size = KERNEL_SBUF_SIZE;
	max = ks->rcvbuf / KERNEL_ERR_TRUESIZE;
	if (max < 1)
		max = 1;
	batch = kernel_batch_alloc(ks->family, size, max);
	if (batch)
		kernel_batch_set_bulk(batch, ks->bulk);
	return batch;
}

void kernel_batch_set_bulk(struct kernel_batch *batch, bool bulk)
{
	batch->bulk = bulk;
}

void kernel_batch_free(struct kernel_batch *batch)
{
	if (!batch)
		return;
	free(batch->reqs);
	free(batch->msgs);
	free(batch->buf);
	free(batch);
}

unsigned int kernel_batch_count(const struct kernel_batch *batch)
{
	return batch->count;
}

void kernel_batch_reset(struct kernel_batch *batch)
{
	batch->len = 0;
	batch->count = 0;
	batch->nmsgs = 0;
	batch->seg_first = 0;
	batch->seg_end = 0;
}

static int reqs_room(struct kernel_batch *batch)
{
	struct kernel_batch_req *r;
	unsigned int cap;

	if (batch->count < batch->cap)
		return 0;
	cap = batch->cap ? 2 * batch->cap : 64;
	r = realloc(batch->reqs, cap * sizeof(*r));
	if (!r)
		return -ENOMEM;
	batch->reqs = r;
	batch->cap = cap;
	return 0;
}

static struct nlmsghdr *batch_msg(const struct kernel_batch *batch,
				  unsigned int m)
{
	return (struct nlmsghdr *)(batch->buf + batch->msgs[m].off);
}

/* Records request @off (its message or entry) with @tag in message m. */
static void req_add(struct kernel_batch *batch, uint32_t off, uint64_t tag)
{
	batch->reqs[batch->count].off = off;
	batch->reqs[batch->count].tag = tag;
	batch->count++;
}

/* Opens message m at the end of the buffer. */
static struct nlmsghdr *msg_open(struct kernel_batch *batch, uint8_t cmd,
				 uint16_t flags)
{
	struct kernel_batch_msg *m = &batch->msgs[batch->nmsgs];

	m->off = batch->len;
	m->first = batch->count;
	m->bulk = cmd == MIPHA_CMD_BINDING_NEW_BULK;
	m->replace = false;
	m->entries = 0;
	return kernel_msg_put(batch->buf + batch->len, batch->family, cmd,
			      flags, 0);
}

/* Commits the message just built: it becomes part of the batch. */
static void msg_commit(struct kernel_batch *batch, struct nlmsghdr *nlh)
{
	batch->nmsgs++;
	batch->len += NLMSG_ALIGN(nlh->nlmsg_len);
}

/*
 * Appends an entry to the last message, a BINDING_NEW_BULK of the same
 * kind (@replace) with room: 0, or -ENOSPC (no such message, or full).
 * @put writes the entry's attributes: from a binding, or raw (a re-send).
 */
typedef bool (*entry_put_fn)(struct nlmsghdr *nlh, size_t room,
			     const void *src);

static int bulk_append(struct kernel_batch *batch, bool replace,
		       entry_put_fn put, const void *src, uint64_t tag)
{
	struct kernel_batch_msg *m;
	struct nlmsghdr *nlh;
	struct nlattr *list, *entry;
	size_t room;

	if (!batch->nmsgs)
		return -ENOSPC;
	m = &batch->msgs[batch->nmsgs - 1];
	if (!m->bulk || m->replace != replace ||
	    m->entries >= KERNEL_BULK_ENTRIES)
		return -ENOSPC;
	nlh = batch_msg(batch, batch->nmsgs - 1);
	room = batch->size - m->off;
	list = (struct nlattr *)((char *)nlh + m->list_off);
	entry = mnl_attr_nest_start_check(nlh, room, m->entries + 1);
	if (!entry)
		return -ENOSPC;
	/* the list's length is a u16: 65,535 bytes of entries at most */
	if (!put(nlh, room, src) ||
	    (char *)mnl_nlmsg_get_payload_tail(nlh) - (char *)list > UINT16_MAX) {
		mnl_attr_nest_cancel(nlh, entry);
		return -ENOSPC;
	}
	mnl_attr_nest_end(nlh, entry);
	mnl_attr_nest_end(nlh, list);
	req_add(batch, (uint32_t)((char *)entry - batch->buf), tag);
	m->entries++;
	batch->len = m->off + NLMSG_ALIGN(nlh->nlmsg_len);
	return 0;
}

/* A new BINDING_NEW_BULK message holding one entry. */
static int bulk_open(struct kernel_batch *batch, bool replace,
		     entry_put_fn put, const void *src, uint64_t tag)
{
	size_t room = batch->size - batch->len;
	struct kernel_batch_msg *m;
	struct nlmsghdr *nlh;
	struct nlattr *list;

	if (batch->nmsgs >= batch->max || room < NLMSG_HDRLEN + GENL_HDRLEN)
		return -ENOSPC;
	nlh = msg_open(batch, MIPHA_CMD_BINDING_NEW_BULK, 0);
	m = &batch->msgs[batch->nmsgs];
	m->replace = replace;
	if (replace && !mnl_attr_put_check(nlh, room, MIPHA_A_REPLACE, 0, NULL))
		return -ENOSPC;
	list = mnl_attr_nest_start_check(nlh, room, MIPHA_A_BINDINGS);
	if (!list)
		return -ENOSPC;
	m->list_off = (uint32_t)((char *)list - (char *)nlh);
	mnl_attr_nest_end(nlh, list);
	msg_commit(batch, nlh);
	if (bulk_append(batch, replace, put, src, tag)) {
		/* not even one entry fits: take the message back */
		batch->nmsgs--;
		batch->len = m->off;
		return -ENOSPC;
	}
	return 0;
}

static bool binding_entry_put(struct nlmsghdr *nlh, size_t room,
			      const void *src)
{
	return !kernel_binding_put(nlh, room, src);
}

int kernel_batch_add(struct kernel_batch *batch, enum kernel_op op,
		     const struct kernel_binding *b, uint64_t tag)
{
	size_t room = batch->size - batch->len;
	bool replace = op == KERNEL_OP_REPLACE;
	struct nlmsghdr *nlh;
	uint16_t flags;
	int ret;

	if (op != KERNEL_OP_ADD && op != KERNEL_OP_REPLACE &&
	    op != KERNEL_OP_DEL)
		return -EINVAL;
	if (batch->seg_end)
		return -EBUSY; /* sealed: sent or being sent; reset it first */
	if (reqs_room(batch))
		return -ENOMEM;
	if (batch->bulk && op != KERNEL_OP_DEL) {
		if (!bulk_append(batch, replace, binding_entry_put, b, tag) ||
		    !bulk_open(batch, replace, binding_entry_put, b, tag))
			return 0;
		return batch->count ? -ENOSPC : -EMSGSIZE;
	}
	if (batch->nmsgs >= batch->max || room < NLMSG_HDRLEN + GENL_HDRLEN)
		return batch->count ? -ENOSPC : -EMSGSIZE;
	if (op == KERNEL_OP_DEL) {
		nlh = msg_open(batch, MIPHA_CMD_BINDING_DEL, 0);
		ret = 0;
		if (!mnl_attr_put_u32_check(nlh, room, MIPHA_A_HOME_ADDR,
					    b->home_addr.s_addr))
			ret = -EMSGSIZE;
	} else {
		flags = NLM_F_CREATE | (replace ? NLM_F_REPLACE : NLM_F_EXCL);
		nlh = msg_open(batch, MIPHA_CMD_BINDING_NEW, flags);
		ret = kernel_binding_put(nlh, room, b);
	}
	if (ret)
		return batch->count ? -ENOSPC : ret;
	req_add(batch, batch->len, tag);
	msg_commit(batch, nlh);
	return 0;
}

/*
 * Where message m ends in the buffer, by its own length (a restarted bulk
 * message begins later, restart_after(), and still ends there).
 */
static uint32_t msg_stop(const struct kernel_batch *batch, unsigned int m)
{
	return batch->msgs[m].off + NLMSG_ALIGN(batch_msg(batch, m)->nlmsg_len);
}

/*
 * The next part of the batch: its messages up to and including the next
 * bulk one. A bulk message that fails at an entry leaves the entries after
 * it untried, and the kernel would still run the messages sent behind it:
 * a part ends there, so that the untried entries go again (the same message,
 * restarted at them: kernel_batch_recv()) before anything queued after them.
 * Numbers the part's messages and asks for an ACK on its last one only: the
 * kernel handles the messages of one sendmsg() in order and reports every
 * error whether or not NLM_F_ACK is set, so the last message's answer (ACK
 * or error) tells that all were processed, and success costs no reply.
 */
size_t kernel_batch_seal(struct kernel_batch *batch, uint32_t seq,
			 const void **buf)
{
	struct nlmsghdr *nlh;
	unsigned int i, first = batch->seg_end, end = first;

	if (first >= batch->nmsgs)
		return 0;
	/* one entry that fails leaves none untried: no need to end there */
	while (end < batch->nmsgs &&
	       !(batch->msgs[end].bulk && batch->msgs[end].entries > 1))
		end++;
	if (end < batch->nmsgs)
		end++; /* the bulk message ends the part */
	batch->seg_first = first;
	batch->seg_end = end;
	batch->seq0 = seq - first;
	for (i = first; i < end; i++) {
		nlh = batch_msg(batch, i);
		nlh->nlmsg_seq = seq + (i - first);
		nlh->nlmsg_flags &= ~NLM_F_ACK;
		if (i == end - 1)
			nlh->nlmsg_flags |= NLM_F_ACK;
	}
	*buf = batch->buf + batch->msgs[first].off;
	return msg_stop(batch, end - 1) - batch->msgs[first].off;
}

/* The requests of message m: [first, end). */
static unsigned int msg_end(const struct kernel_batch *batch, unsigned int m)
{
	return m + 1 < batch->nmsgs ? batch->msgs[m + 1].first : batch->count;
}

/*
 * A failed bulk entry seen as the BINDING_NEW it stands for, so that the
 * callback and kernel_request_str() need not know bulk messages: the
 * entry's attributes under a BINDING_NEW header, the error's offset moved
 * along with them. An entry too long for the view: the bulk message.
 */
static const struct nlmsghdr *entry_as_request(const struct kernel_batch *batch,
					       unsigned int m, unsigned int r,
					       struct kernel_error *err,
					       char *view, size_t size)
{
	const struct nlattr *entry =
		(const struct nlattr *)(batch->buf + batch->reqs[r].off);
	const char *msg = batch->buf + batch->msgs[m].off;
	size_t payload = mnl_attr_get_payload_len(entry);
	struct nlmsghdr *nlh;
	uint16_t flags = NLM_F_CREATE | (batch->msgs[m].replace ?
						 NLM_F_REPLACE :
						 NLM_F_EXCL);
	int shift;

	if (NLMSG_HDRLEN + GENL_HDRLEN + payload > size) {
		kernel_error_resolve(err, (const struct nlmsghdr *)msg);
		return (const struct nlmsghdr *)msg;
	}
	nlh = kernel_msg_put(view, batch->family, MIPHA_CMD_BINDING_NEW, flags,
			     batch->seq0 + m);
	memcpy((char *)nlh + nlh->nlmsg_len, mnl_attr_get_payload(entry),
	       payload);
	shift = (int)(nlh->nlmsg_len) -
		(int)((const char *)mnl_attr_get_payload(entry) - msg);
	nlh->nlmsg_len += payload;
	if (err->offs >= 0) {
		err->offs += shift;
		if (err->offs < (int)(NLMSG_HDRLEN + GENL_HDRLEN))
			err->offs = -1; /* the entry itself */
	}
	err->attr = -1;
	kernel_error_resolve(err, nlh);
	return nlh;
}

/*
 * The request of bulk message m an error names (offs within one of its
 * entries), or -1: then the message failed before any entry was tried.
 */
static int failed_entry(const struct kernel_batch *batch, unsigned int m,
			int offs)
{
	uint32_t at = batch->msgs[m].off + (uint32_t)offs;
	unsigned int r, end = msg_end(batch, m);

	if (offs < 0)
		return -1;
	for (r = batch->msgs[m].first; r < end; r++) {
		const struct nlattr *e =
			(const struct nlattr *)(batch->buf + batch->reqs[r].off);

		if (at >= batch->reqs[r].off &&
		    at < batch->reqs[r].off + e->nla_len)
			return (int)r;
	}
	return -1;
}

/*
 * Bulk message m failed at request r: the message becomes the entries
 * after r, and the next part starts with it. Its head (netlink and genl
 * headers, REPLACE, the list's header) moves up to sit just before entry
 * r + 1, so the entries stay where they are and the message still ends
 * where the next one begins: a part is sent as one run of bytes, and a
 * gap between two of its messages would end the kernel's walk there
 * (netlink_rcv_skb() stops at the first malformed header, silently: the
 * messages behind it never ran and their ACK never came). The bytes left
 * before the new head belong to no part: a part begins at a message.
 */
static void restart_after(struct kernel_batch *batch, unsigned int m,
			  unsigned int r)
{
	struct kernel_batch_msg *msg = &batch->msgs[m];
	unsigned int end = msg_end(batch, m);
	uint32_t head = msg->list_off + NLA_HDRLEN, stop = msg_stop(batch, m);
	struct nlmsghdr *nlh;
	struct nlattr *list;

	if (r + 1 >= end)
		return; /* it was the last entry: nothing left */
	memmove(batch->buf + batch->reqs[r + 1].off - head, batch_msg(batch, m),
		head);
	msg->off = batch->reqs[r + 1].off - head;
	nlh = batch_msg(batch, m);
	nlh->nlmsg_len = stop - msg->off;
	list = (struct nlattr *)((char *)nlh + msg->list_off);
	list->nla_len = (uint16_t)(nlh->nlmsg_len - msg->list_off);
	msg->first = r + 1;
	msg->entries = end - (r + 1);
	batch->seg_end = m;
}

/* Reports the error @err of message m to cb, request by request. */
static void msg_failed(struct kernel_batch *batch, unsigned int m,
		       struct kernel_error *err, kernel_batch_err_cb cb,
		       void *data, unsigned int *failed)
{
	const struct nlmsghdr *req = batch_msg(batch, m);
	char view[KERNEL_SBUF_SIZE + MIPHA_COOKIE_MAX];
	struct kernel_error e;
	unsigned int r, end = msg_end(batch, m);
	int at;

	if (!batch->msgs[m].bulk) {
		kernel_error_resolve(err, req);
		(*failed)++;
		if (cb)
			cb(batch->reqs[batch->msgs[m].first].tag, req, err,
			   data);
		return;
	}
	/* one entry failed (the rest goes again), or none was tried */
	at = failed_entry(batch, m, err->offs);
	for (r = at < 0 ? batch->msgs[m].first : (unsigned int)at; r < end;
	     r++) {
		e = *err;
		req = entry_as_request(batch, m, r, &e, view, sizeof(view));
		(*failed)++;
		if (cb)
			cb(batch->reqs[r].tag, req, &e, data);
		if (at >= 0)
			break;
	}
	/* after cb: the new head goes over the failed entry's bytes */
	if (at >= 0)
		restart_after(batch, m, (unsigned int)at);
}

int kernel_batch_recv(struct kernel_batch *batch, const void *buf, size_t len,
		      kernel_batch_err_cb cb, void *data, unsigned int *failed)
{
	const struct nlmsghdr *nlh = buf;
	struct kernel_error err;
	unsigned int last = batch->seg_end - 1;
	size_t rem = len;
	uint32_t idx;
	int ret;

	if (batch->seg_end <= batch->seg_first)
		return 1; /* nothing sealed: nothing due */
	for (; kernel_msg_ok(nlh, rem); nlh = kernel_msg_next(nlh, &rem)) {
		if (nlh->nlmsg_type != NLMSG_ERROR)
			continue;
		idx = nlh->nlmsg_seq - batch->seq0;
		if (idx < batch->seg_first || idx > last)
			continue; /* an answer to something else */
		ret = kernel_error_parse(nlh, &err);
		if (ret)
			return ret;
		if (err.error)
			msg_failed(batch, idx, &err, cb, data, failed);
		if (idx == last)
			return 1;
	}
	return 0;
}

int kernel_batch_send(struct kernel_sock *ks, struct kernel_batch *batch,
		      kernel_batch_err_cb cb, void *data)
{
	unsigned int failed = 0;
	const void *buf;
	size_t len;
	ssize_t n;
	int ret;

	set_error(ks, 0, NULL);
	/* part by part: a failed bulk entry's rest goes before what follows */
	while ((len = kernel_batch_seal(batch, ks->seq + 1, &buf)) > 0) {
		ks->seq += batch->seg_end - batch->seg_first;
		ret = sock_send(ks, buf, len);
		if (ret) {
			set_error(ks, ret, NULL);
			goto out;
		}
		do {
			n = sock_recv(ks, true);
			if (n < 0) {
				ret = n;
				set_recv_error(ks, ret, "error reports lost");
				goto out;
			}
			ret = kernel_batch_recv(batch, ks->rbuf, n, cb, data,
						&failed);
		} while (ret == 0);
		if (ret < 0) {
			set_error(ks, ret, "malformed error report");
			goto out;
		}
	}
	ret = failed;
out:
	kernel_batch_reset(batch);
	return ret;
}

/* Links: proxy ARP settings of home links, and announcements. */

int kernel_link_put(struct nlmsghdr *nlh, size_t room,
		    const struct kernel_link *l)
{
	bool ok;

	ok = mnl_attr_put_u32_check(nlh, room, MIPHA_A_LINK, l->ifindex);
	if (ok && l->has_proxy_arp)
		ok = mnl_attr_put_u8_check(nlh, room, MIPHA_A_PROXY_ARP,
					   l->proxy_arp);
	if (ok && l->has_lladdr)
		ok = mnl_attr_put_check(nlh, room, MIPHA_A_LLADDR,
					sizeof(l->lladdr), l->lladdr);
	if (ok && l->has_announce_rate)
		ok = mnl_attr_put_u32_check(nlh, room, MIPHA_A_ANNOUNCE_RATE,
					    l->announce_rate);
	return ok ? 0 : -EMSGSIZE;
}

int kernel_link_parse(const struct nlmsghdr *nlh, struct kernel_link *l)
{
	const struct nlattr *tb[MIPHA_A_MAX + 1];
	int err;

	memset(l, 0, sizeof(*l));
	err = attrs_parse(nlh, tb);
	if (err)
		return err;
	/* A link without its ifindex is no answer to anything. */
	if (!tb[MIPHA_A_LINK])
		return -EBADMSG;
	l->ifindex = mnl_attr_get_u32(tb[MIPHA_A_LINK]);
	if (tb[MIPHA_A_PROXY_ARP]) {
		l->has_proxy_arp = true;
		l->proxy_arp = mnl_attr_get_u8(tb[MIPHA_A_PROXY_ARP]) != 0;
	}
	if (tb[MIPHA_A_LLADDR]) {
		l->has_lladdr = true;
		memcpy(l->lladdr, mnl_attr_get_payload(tb[MIPHA_A_LLADDR]),
		       sizeof(l->lladdr));
	}
	if (tb[MIPHA_A_ANNOUNCE_RATE]) {
		l->has_announce_rate = true;
		l->announce_rate = mnl_attr_get_u32(tb[MIPHA_A_ANNOUNCE_RATE]);
	}
	l->arp_replies = get_u64(tb[MIPHA_A_ARP_REPLIES]);
	l->announcements = get_u64(tb[MIPHA_A_ANNOUNCEMENTS]);
	if (tb[MIPHA_A_ANNOUNCE_PENDING])
		l->announce_pending =
			mnl_attr_get_u8(tb[MIPHA_A_ANNOUNCE_PENDING]) != 0;
	return 0;
}

int kernel_link_set(struct kernel_sock *ks, const struct kernel_link *l)
{
	struct nlmsghdr *nlh;
	int ret;

	nlh = kernel_msg_put(ks->sbuf, ks->family, MIPHA_CMD_LINK_SET,
			     NLM_F_ACK, 0);
	ret = kernel_link_put(nlh, KERNEL_SBUF_SIZE, l);
	if (ret)
		return ret;
	return kernel_request(ks, nlh, NULL, NULL, NULL);
}

struct link_cb_ctx {
	kernel_link_cb cb;
	void *data;
	unsigned int count;
};

static int link_msg_cb(const struct nlmsghdr *nlh, void *data)
{
	struct link_cb_ctx *ctx = data;
	struct kernel_link l;
	int ret;

	ret = kernel_link_parse(nlh, &l);
	if (ret)
		return ret;
	ctx->count++;
	return ctx->cb(&l, ctx->data);
}

static int link_copy_cb(const struct kernel_link *l, void *data)
{
	*(struct kernel_link *)data = *l;
	return 0;
}

int kernel_link_get(struct kernel_sock *ks, uint32_t ifindex,
		    struct kernel_link *l)
{
	struct link_cb_ctx ctx = { link_copy_cb, l, 0 };
	struct nlmsghdr *nlh;
	int ret;

	nlh = kernel_msg_put(ks->sbuf, ks->family, MIPHA_CMD_LINK_GET,
			     NLM_F_ACK, 0);
	mnl_attr_put_u32(nlh, MIPHA_A_LINK, ifindex);
	ret = kernel_request(ks, nlh, link_msg_cb, &ctx, NULL);
	if (!ret && !ctx.count) {
		set_error(ks, -EBADMSG, "no link in the reply");
		return -EBADMSG;
	}
	return ret;
}

int kernel_link_dump(struct kernel_sock *ks, kernel_link_cb cb,
		     void (*restart)(void *data), void *data)
{
	struct link_cb_ctx ctx = { cb, data, 0 };
	struct nlmsghdr *nlh;
	bool intr;
	int ret, i;

	for (i = 0; i <= KERNEL_DUMP_RETRIES; i++) {
		if (i && restart)
			restart(data);
		nlh = kernel_msg_put(ks->sbuf, ks->family, MIPHA_CMD_LINK_GET,
				     NLM_F_DUMP, 0);
		ret = kernel_request(ks, nlh, link_msg_cb, &ctx, &intr);
		if (ret || !intr)
			return ret;
	}
	set_error(ks, -EINTR,
		  "dump interrupted by concurrent changes, "
		  "retries exhausted");
	return -EINTR;
}

int kernel_announce_put(struct nlmsghdr *nlh, size_t room, uint32_t ifindex,
			const struct in_addr *home)
{
	bool ok;

	ok = mnl_attr_put_u32_check(nlh, room, MIPHA_A_LINK, ifindex);
	if (ok && home)
		ok = mnl_attr_put_u32_check(nlh, room, MIPHA_A_HOME_ADDR,
					    home->s_addr);
	return ok ? 0 : -EMSGSIZE;
}

int kernel_announce(struct kernel_sock *ks, uint32_t ifindex,
		    const struct in_addr *home)
{
	struct nlmsghdr *nlh;
	int ret;

	nlh = kernel_msg_put(ks->sbuf, ks->family, MIPHA_CMD_ANNOUNCE,
			     NLM_F_ACK, 0);
	ret = kernel_announce_put(nlh, KERNEL_SBUF_SIZE, ifindex, home);
	if (ret)
		return ret;
	return kernel_request(ks, nlh, NULL, NULL, NULL);
}

int kernel_config_put(struct nlmsghdr *nlh, size_t room, uint32_t max_bindings)
{
	bool ok;

	ok = mnl_attr_put_u32_check(nlh, room, MIPHA_A_MAX_BINDINGS,
				    max_bindings);
	return ok ? 0 : -EMSGSIZE;
}

int kernel_config_set(struct kernel_sock *ks, uint32_t max_bindings)
{
	struct nlmsghdr *nlh;
	int ret;

	nlh = kernel_msg_put(ks->sbuf, ks->family, MIPHA_CMD_CONFIG_SET,
			     NLM_F_ACK, 0);
	ret = kernel_config_put(nlh, KERNEL_SBUF_SIZE, max_bindings);
	if (ret)
		return ret;
	return kernel_request(ks, nlh, NULL, NULL, NULL);
}
