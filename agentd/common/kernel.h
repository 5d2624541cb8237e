/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kernel: the libmnl client of the mipha generic-netlink family.
 *
 * Used by miphactl and by mipha-agentd. Everything here returns a negative
 * errno on failure. When the kernel refused a request, the extended ACK it
 * sent (message, offending attribute) is kept in the socket and can be read
 * with kernel_last_error() or turned into text with kernel_error_str().
 *
 * Two kinds of socket:
 *  - a request socket (kernel_open(&ks, 0)): one request at a time, each
 *    waits for its answer. The kernel answers netlink requests synchronously
 *    (the reply is queued before sendmsg() returns, and dump parts are made
 *    in recvmsg()), so a request never waits long even on a socket opened
 *    with KERNEL_F_NONBLOCK.
 *  - a notification socket (KERNEL_F_NOTIFY): subscribed to the "bindings"
 *    multicast group; with KERNEL_F_NONBLOCK it fits an epoll loop: when the
 *    fd is readable call kernel_notify_read(), which drains it.
 *
 * Bulk changes go through struct kernel_batch: many requests in one
 * sendmsg(), an ACK requested only for the last one, errors matched back to
 * the request by sequence number.
 *
 * Not thread safe: one socket belongs to one thread.
 */
#ifndef MIPHA_KERNEL_H
#define MIPHA_KERNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <netinet/in.h>
#include <linux/netlink.h>
#include <linux/mipha.h>

/*
 * One binding as carried by the mipha family. The same struct describes a
 * request (lifetime, no counters) and what the kernel sends back (expires_ms,
 * counters, event in notifications).
 */
struct kernel_binding {
	struct in_addr home_addr; /* the mobile node's home address: the key */
	struct in_addr coa;	  /* care-of address: tunnel destination */
	struct in_addr ha_addr;	  /* home agent address: tunnel source */
	uint8_t encap;		  /* enum mipha_encap; 0 = not given (IPIP) */
	bool has_gre_key;	  /* GRE key present (only with GRE) */
	uint32_t gre_key;
	uint32_t flags;	     /* enum mipha_binding_flags */
	uint32_t link;	     /* home link ifindex, 0 = virtual network */
	uint32_t lifetime;   /* request: seconds, 0 = never expires */
	bool has_expires;    /* reply: false = never expires */
	uint64_t expires_ms; /* reply: milliseconds left */
	uint64_t tx_packets; /* tunnelled to the CoA */
	uint64_t tx_bytes;
	uint64_t rx_packets; /* received by reverse tunnel */
	uint64_t rx_bytes;
	uint8_t event; /* notifications: enum mipha_event */
	/*
	 * Opaque agent data. After kernel_binding_parse() this points into the
	 * parsed message and is valid only as long as the message is.
	 */
	const uint8_t *cookie;
	uint16_t cookie_len;
};

/* What the kernel said about a failed (or warned-about) request. */
struct kernel_error {
	int error;     /* negative errno; 0: success (msg may warn) */
	char msg[256]; /* NLMSGERR_ATTR_MSG, "" if none */
	int offs;      /* NLMSGERR_ATTR_OFFS: byte offset in request, -1 */
	int attr;      /* attribute type found at offs, -1 if unknown */
	int miss_type; /* NLMSGERR_ATTR_MISS_TYPE, -1 if none */
};

/* Per-namespace table statistics; v[] is indexed by MIPHA_STATS_A_*. */
struct kernel_stats {
	uint64_t v[MIPHA_STATS_A_MAX + 1];
	uint32_t present; /* bit (1 << MIPHA_STATS_A_*) if it was sent */
};

/* One message from the "bindings" multicast group. */
struct kernel_notification {
	uint8_t cmd;	      /* MIPHA_CMD_BINDING_NEW / _DEL / _FLUSH */
	uint8_t event;	      /* enum mipha_event */
	uint32_t flush_count; /* EVENT_FLUSHED: bindings removed */
	bool has_binding;     /* false only for EVENT_FLUSHED */
	struct kernel_binding binding;
};

/* Dump filter: zero fields match everything. */
struct kernel_dump_filter {
	uint32_t link;
	struct in_addr coa;
};

/*
 * Dump consumer. binding() sees each binding (a negative return aborts the
 * dump with that error). If the kernel flags the dump as interrupted by a
 * concurrent change, restart() is called and the dump starts over: the
 * consumer must forget everything binding() gave it so far.
 */
struct kernel_dump_ops {
	int (*binding)(const struct kernel_binding *b, void *data);
	void (*restart)(void *data);
};

/* How often an interrupted dump is restarted before giving up (-EINTR). */
#define KERNEL_DUMP_RETRIES 8

enum kernel_open_flags {
	KERNEL_F_NONBLOCK = 1U << 0, /* O_NONBLOCK on the socket */
	KERNEL_F_NOTIFY = 1U << 1,   /* join the "bindings" group */
	/*
	 * With KERNEL_F_NOTIFY: only removals (deleted, expired, flushed),
	 * from the "removals" group: a daemon installing a peer's 500,000
	 * bindings would otherwise have the kernel build, and overflow its
	 * buffer with, the echo of its own installs and lose the removals it
	 * needs. A module older than that group has the socket filter below.
	 */
	KERNEL_F_REMOVALS = 1U << 2,
	/*
	 * With KERNEL_F_REMOVALS: the old way even where the module has the
	 * group: join "bindings" and drop added/replaced with a socket filter
	 * (classic BPF) before they take room in the receive buffer; the
	 * kernel still builds them. For tests of that path.
	 */
	KERNEL_F_REMOVALS_FILTER = 1U << 3,
};

/* Operations that can go into a batch. */
enum kernel_op {
	KERNEL_OP_ADD,	   /* BINDING_NEW, fails if bound */
	KERNEL_OP_REPLACE, /* BINDING_NEW with NLM_F_REPLACE */
	KERNEL_OP_DEL,	   /* BINDING_DEL of home_addr */
};

struct kernel_sock;
struct kernel_batch;

typedef int (*kernel_binding_cb)(const struct kernel_binding *b, void *data);
typedef int (*kernel_notify_cb)(const struct kernel_notification *n,
				void *data);
/*
 * Called once per failed request of a batch, in request order. req is the
 * request as sent (see kernel_request_str()), tag what kernel_batch_add()
 * was given.
 */
typedef void (*kernel_batch_err_cb)(uint64_t tag, const struct nlmsghdr *req,
				    const struct kernel_error *err, void *data);

/* Sockets. */
int kernel_open(struct kernel_sock **ksp, unsigned int flags);
void kernel_close(struct kernel_sock *ks);
int kernel_fd(const struct kernel_sock *ks);
uint16_t kernel_family(const struct kernel_sock *ks);
uint32_t kernel_mcgrp(const struct kernel_sock *ks);
/* The group a notification socket joined (0 for a request socket). */
uint32_t kernel_joined_group(const struct kernel_sock *ks);
const struct kernel_error *kernel_last_error(const struct kernel_sock *ks);

/* Single requests; each waits for the kernel's answer. */
int kernel_binding_add(struct kernel_sock *ks, const struct kernel_binding *b,
		       bool replace);
int kernel_binding_del(struct kernel_sock *ks, struct in_addr home_addr);
int kernel_binding_get(struct kernel_sock *ks, struct in_addr home_addr,
		       kernel_binding_cb cb, void *data);
int kernel_binding_dump(struct kernel_sock *ks,
			const struct kernel_dump_filter *filter,
			const struct kernel_dump_ops *ops, void *data);
int kernel_binding_flush(struct kernel_sock *ks, uint32_t *count);
int kernel_stats_get(struct kernel_sock *ks, struct kernel_stats *stats);

/*
 * Notification socket: read what is queued (all of it on a non-blocking
 * socket, one datagram's worth on a blocking one, waiting for it) and call
 * cb for each notification. Returns how many were delivered, -EAGAIN if
 * none was queued, -ENOBUFS if the kernel dropped notifications because
 * the socket buffer was full (the socket stays usable: resynchronise with a
 * dump), or cb's negative return.
 */
int kernel_notify_read(struct kernel_sock *ks, kernel_notify_cb cb, void *data);

/*
 * Batches. kernel_batch_new() sizes the batch so that one sendmsg() fits
 * the socket's send buffer and the worst case (every request fails) fits
 * its receive buffer. kernel_batch_add() returns -ENOSPC when full: send
 * and add again. kernel_batch_send() sends it part by part (one sendmsg()
 * each: kernel_batch_seal()), reports each failure through cb, empties
 * the batch, and returns the number of failed requests (>= 0) or a
 * negative errno if the exchange itself failed (-ENOBUFS: error reports
 * were lost).
 */
struct kernel_batch *kernel_batch_new(const struct kernel_sock *ks);
struct kernel_batch *kernel_batch_alloc(uint16_t family, size_t size,
					unsigned int max_msgs);
/*
 * Installs (add, replace) in BINDING_NEW_BULK messages, up to 256 in one:
 * what kernel_batch_new() chooses when the module has that command. An
 * entry that fails ends its message; the entries after it go again, before
 * anything queued behind them, so every request is tried once, in order,
 * and each failure is reported once, as with one message per request.
 */
void kernel_batch_set_bulk(struct kernel_batch *batch, bool bulk);
void kernel_batch_free(struct kernel_batch *batch);
int kernel_batch_add(struct kernel_batch *batch, enum kernel_op op,
		     const struct kernel_binding *b, uint64_t tag);
unsigned int kernel_batch_count(const struct kernel_batch *batch);
int kernel_batch_send(struct kernel_sock *ks, struct kernel_batch *batch,
		      kernel_batch_err_cb cb, void *data);

/*
 * The batch's sending and answer processing in steps, for tests and for
 * callers that do their own I/O. kernel_batch_seal() numbers the next part
 * of the batch from seq (its messages up to and including the next bulk
 * one) and asks for an ACK on its last message; returns the bytes to send
 * (*buf), 0 once everything was sealed. kernel_batch_recv() processes one
 * received buffer of answers to that part; it returns 1 once its last
 * message was answered, 0 if more answers are due, or a negative errno.
 * Failures so far are counted in *failed. A bulk message that failed at an
 * entry is sealed again, with the entries after it, by the next seal.
 */
size_t kernel_batch_seal(struct kernel_batch *batch, uint32_t seq,
			 const void **buf);
int kernel_batch_recv(struct kernel_batch *batch, const void *buf, size_t len,
		      kernel_batch_err_cb cb, void *data, unsigned int *failed);
void kernel_batch_reset(struct kernel_batch *batch);

/* Message codec (no socket needed). */
bool kernel_msg_ok(const struct nlmsghdr *nlh, size_t len);
const struct nlmsghdr *kernel_msg_next(const struct nlmsghdr *nlh, size_t *len);
struct nlmsghdr *kernel_msg_put(void *buf, uint16_t family, uint8_t cmd,
				uint16_t flags, uint32_t seq);
int kernel_binding_put(struct nlmsghdr *nlh, size_t room,
		       const struct kernel_binding *b);
int kernel_binding_parse(const struct nlmsghdr *nlh, struct kernel_binding *b);
int kernel_notification_parse(const struct nlmsghdr *nlh,
			      struct kernel_notification *n);
int kernel_stats_parse(const struct nlmsghdr *nlh, struct kernel_stats *st);
int kernel_error_parse(const struct nlmsghdr *nlh, struct kernel_error *err);
void kernel_error_resolve(struct kernel_error *err, const struct nlmsghdr *req);
/*
 * What the module offers beyond its first version: multicast group ids (0
 * where it has no such group) and commands.
 */
struct kernel_family_info {
	uint32_t bindings; /* MIPHA_MCGRP_BINDINGS */
	uint32_t removals; /* MIPHA_MCGRP_REMOVALS */
	bool bulk;	   /* MIPHA_CMD_BINDING_NEW_BULK */
};

int kernel_family_parse(const struct nlmsghdr *nlh, uint16_t *family,
			struct kernel_family_info *info);

/* Names. */
const char *kernel_attr_name(int type);
const char *kernel_stats_name(int type);
const char *kernel_event_name(uint8_t event);
const char *kernel_encap_name(uint8_t encap);
char *kernel_error_str(const struct kernel_error *err, char *buf, size_t len);
char *kernel_request_str(const struct nlmsghdr *req, char *buf, size_t len);

/*
 * Proxy ARP settings of one home link (LINK_SET / LINK_GET). In a request
 * only the has_* fields are sent; in a reply they say what the kernel sent.
 */
#define KERNEL_LLADDR_LEN 6

struct kernel_link {
	uint32_t ifindex; /* the home link: the key */
	bool has_proxy_arp;
	bool proxy_arp;
	bool has_lladdr;
	uint8_t lladdr[KERNEL_LLADDR_LEN]; /* the MAC proxy ARP answers with */
	bool has_announce_rate;
	uint32_t announce_rate; /* gratuitous ARPs per second */
	/* Reply only. */
	uint64_t arp_replies;	/* ARP requests answered */
	uint64_t announcements; /* gratuitous ARPs sent */
	bool announce_pending;	/* a paced announcement is running */
};

typedef int (*kernel_link_cb)(const struct kernel_link *l, void *data);

/*
 * Links. kernel_link_get() fails with -ENOENT for a link never set.
 * kernel_link_dump() calls cb for every link with settings; if the dump is
 * interrupted by a concurrent change, restart (may be NULL) is called and
 * the dump starts over, as for bindings. kernel_announce() sends gratuitous
 * ARP on a link for one home address, or for every binding of the link if
 * home is NULL.
 */
int kernel_link_set(struct kernel_sock *ks, const struct kernel_link *l);
int kernel_link_get(struct kernel_sock *ks, uint32_t ifindex,
		    struct kernel_link *l);
int kernel_link_dump(struct kernel_sock *ks, kernel_link_cb cb,
		     void (*restart)(void *data), void *data);
int kernel_announce(struct kernel_sock *ks, uint32_t ifindex,
		    const struct in_addr *home);

/* Link codec. */
int kernel_link_put(struct nlmsghdr *nlh, size_t room,
		    const struct kernel_link *l);
int kernel_link_parse(const struct nlmsghdr *nlh, struct kernel_link *l);
/*
 * The namespace's binding limit (MIPHA_CMD_CONFIG_SET, MIPHA_A_MAX_BINDINGS):
 * lowering it keeps the bindings there; raising it needs CAP_NET_ADMIN in
 * the initial user namespace (-EPERM). STATS_GET reports it.
 */
int kernel_config_set(struct kernel_sock *ks, uint32_t max_bindings);
int kernel_config_put(struct nlmsghdr *nlh, size_t room, uint32_t max_bindings);
int kernel_announce_put(struct nlmsghdr *nlh, size_t room, uint32_t ifindex,
			const struct in_addr *home);

#endif /* MIPHA_KERNEL_H */
