/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mipha-mn: a Mobile IPv4 mobile-node / foreign-agent emulator and load
 * generator (RFC 5944 registration, RFC 2794 NAI, RFC 3024 reverse
 * tunnelling). One thread, one event loop (loop.h), non-blocking UDP.
 *
 * Files, one concern each:
 *	mipha-mn.c	main(): options -> sockets -> nodes -> loop -> report
 *	mn_opts.c	command line
 *	mn_node.c	per-node registration state machine (send, retransmit
 *			with backoff, renew, deregister, reply handling)
 *	mn_io.c		UDP sockets (one per care-of address), pacing, reply
 *			dispatch
 *	mn_report.c	counters, latency percentiles, text and JSON report
 *	mn_tunnel.c	the kernel's own ipip/gre endpoint (--setup-tunnel)
 *	mn_reflector.c	the benchmark's baseline: a trivial UDP reflector
 *			doing the same HMAC-MD5 work per request
 *
 * Identification and reply dispatch: the low 32 bits of every request's
 * Identification are (sequence << MN_IDX_BITS) | node index. A home agent
 * copies them into its reply whatever the outcome (RFC 5944 5.7: timestamp
 * mismatch keeps the low 32 bits; nonces: they are the mobile node's
 * nonce), so a reply finds its node in O(1) with no table. With timestamps
 * the high 32 bits are NTP seconds; the low bits stand where the fraction
 * would, and a per-node sequence keeps them strictly increasing within one
 * second.
 */
#ifndef MIPHA_MN_H
#define MIPHA_MN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <netinet/in.h>

#include "auth.h"
#include "loop.h"
#include "reg_msg.h"
#include "replay.h"

#define MN_IDX_BITS   20
#define MN_IDX_MASK   ((1U << MN_IDX_BITS) - 1)
#define MN_MAX_NODES  MN_IDX_MASK /* 1,048,575 */
#define MN_SEQ_BITS   12
#define MN_SEQ_MASK   ((1U << MN_SEQ_BITS) - 1)
#define MN_MAX_COAS   64
#define MN_MAX_ROUTES 16
#define MN_NAI_MAX    255

/* What the run does with each node. */
enum mn_action {
	MN_ACT_HOLD,  /* register, renew before expiry, deregister at exit */
	MN_ACT_ONCE,  /* register once, leave the binding, exit */
	MN_ACT_DEREG, /* send one deregistration, exit */
};

/* Kind of the transaction in progress (one request and its retries). */
enum mn_txn {
	MN_TXN_REG,   /* first registration */
	MN_TXN_RENEW, /* re-registration before expiry */
	MN_TXN_DEREG, /* lifetime 0 */
	MN_TXN_MAX,
};

enum mn_state {
	MN_S_IDLE,   /* nothing to do (not yet started, or finished) */
	MN_S_QUEUED, /* waiting for the pacer to send its request */
	MN_S_WAIT,   /* request sent, waiting for the reply */
	MN_S_BOUND,  /* accepted; renewal timer armed (hold) */
};

struct mn_opts {
	unsigned int count;	   /* mobile nodes */
	struct in_addr ha;	   /* where requests go */
	uint16_t ha_port;	   /* 434 */
	struct in_addr ha_field;   /* Home Agent field (default: ha) */
	struct in_addr home_start; /* first home address; 0: dynamic */
	const char *nai_fmt;	   /* printf format with one %d/%u, or NULL */
	unsigned int nai_start;	   /* first value of the %d */
	struct in_addr coas[MN_MAX_COAS]; /* care-of addresses (co-located) */
	unsigned int n_coas;
	bool fa_mode;	       /* coas[0] is a foreign agent's address */
	uint16_t sport;	       /* source port, 0: any */
	struct auth_key mn_ha; /* MN-HA SA */
	bool has_fa_ha;	       /* FA-HA authentication added */
	struct auth_key fa_ha;
	uint8_t flags;		 /* REG_F_* sent in every request */
	uint16_t lifetime;	 /* requested, seconds */
	unsigned int renew_pct;	 /* renew at this % of the granted lifetime */
	double rate;		 /* new transactions per second, 0: no limit */
	unsigned int window;	 /* transactions in flight at most */
	unsigned int timeout_ms; /* first retransmission timeout */
	unsigned int max_timeout_ms; /* backoff cap */
	unsigned int retries;	     /* retransmissions per transaction */
	double duration;	     /* hold: seconds, 0 = until a signal */
	enum mn_action action;
	bool dereg_at_exit; /* hold: deregister on the way out */
	bool dereg_all;	    /* deregister with CoA = home address */
	enum replay_method replay;
	bool fixed_id; /* --id: every request carries id */
	uint64_t id;
	int64_t clock_offset_s; /* added to our clock for timestamps */
	bool resync;		/* on 133, adopt the HA's clock/nonce */
	bool malformed;		/* append an extension overrunning the
				     * message (the HA must answer 134) */
	unsigned int copies;	/* each request sent this many times at once,
				 * as a network that duplicates packets */
	bool json;
	bool list;   /* per-node lines in the report */
	int verbose; /* one line per reply (stderr) */
	bool setup_tunnel;
	const char *tunnel_name;   /* prefix of the devices: mip0, mip1.. */
	unsigned int tunnel_table; /* routing table of the reverse tunnel */
	bool keep_tunnel;	   /* leave the devices at exit */
	/* --reflector */
	bool reflector;
	struct in_addr reflect_addr;
	uint16_t reflect_port;
};

/* One mobile node. Kept small: a run holds up to a million of them. */
struct mn_node {
	struct loop_timer timer; /* retransmission or renewal */
	struct in_addr home;	 /* static, or assigned by the HA (NAI) */
	uint32_t ha_nonce;	 /* nonces: the HA's last nonce */
	uint32_t next;		 /* pacer FIFO link, UINT32_MAX: end */
	uint32_t txn_start_us;	 /* first transmission of the transaction,
				   * µs since the run started, mod 2^32 */
	uint16_t granted;	 /* lifetime granted by the last accept */
	uint16_t seq;		 /* sequence of the last transmission */
	uint16_t seq0;		 /* sequence of the transaction's first */
	uint8_t state;		 /* enum mn_state */
	uint8_t txn;		 /* enum mn_txn */
	uint8_t tries;		 /* transmissions of the transaction */
	uint8_t resyncs;	 /* 133 resynchronisations in it */
	uint8_t last_code;	 /* last reply code, 255: none yet */
	uint8_t sock;		 /* index of its socket / care-of address */
	bool has_nonce : 1;
	bool done : 1;	     /* finished for this run */
	bool ok : 1;	     /* its last transaction was accepted */
	bool in_tunnel : 1;  /* home address on the tunnel device */
	bool registered : 1; /* the HA holds a binding, as far as we
				   * know (accepted and not deregistered) */
};

/* Counters of the run (mn_report.c). */
struct mn_stats {
	uint64_t sent[MN_TXN_MAX]; /* transactions started */
	uint64_t accepted[MN_TXN_MAX];
	uint64_t denied[MN_TXN_MAX];
	uint64_t timeouts[MN_TXN_MAX];
	uint64_t transmissions; /* datagrams, retransmissions too */
	uint64_t retransmissions;
	uint64_t replies;      /* parsed replies matched to a node */
	uint64_t by_code[256]; /* final reply codes */
	uint64_t unverified;   /* denials whose MN-HA auth did not
					    * verify or was absent */
	uint64_t bad_auth;     /* acceptances failing MN-HA auth:
					    * ignored */
	uint64_t unmatched;    /* replies for no pending request */
	uint64_t malformed;    /* replies that did not parse */
	uint64_t resyncs;      /* 133 followed by a resend */
	uint64_t send_errors;
	uint32_t *lat_us; /* latency of each final reply */
	size_t n_lat, lat_size;
	uint64_t first_send_us, last_reply_us; /* for the rate */
};

struct mn_ctx;

/* mn_opts.c */
int mn_opts_parse(struct mn_opts *o, int argc, char **argv);
void mn_usage(FILE *f);

/* mn_node.c */
int mn_nodes_init(struct mn_ctx *c);
void mn_nodes_start(struct mn_ctx *c);
void mn_nodes_finish(struct mn_ctx *c); /* deregister all or stop */
void mn_node_reply(struct mn_ctx *c, unsigned int sock, const uint8_t *buf,
		   size_t len, struct in_addr from);
int mn_node_send(struct mn_ctx *c, uint32_t idx);
void mn_node_nai(const struct mn_ctx *c, uint32_t idx, char *buf, size_t size,
		 uint8_t *len);

/* mn_io.c */
int mn_io_open(struct mn_ctx *c);
void mn_io_close(struct mn_ctx *c);
int mn_io_send(struct mn_ctx *c, unsigned int sock, const uint8_t *buf,
	       size_t len);
void mn_io_enqueue(struct mn_ctx *c, uint32_t idx, bool head);
void mn_io_pump(struct mn_ctx *c);

/* mn_report.c */
uint64_t mn_now_us(void);
void mn_stats_latency(struct mn_stats *s, uint32_t us);
void mn_report(const struct mn_ctx *c, FILE *f);
const char *mn_txn_name(enum mn_txn t);

/* mn_tunnel.c */
int mn_tunnel_open(struct mn_ctx *c);
int mn_tunnel_add_home(struct mn_ctx *c, uint32_t idx);
void mn_tunnel_close(struct mn_ctx *c);

/* mn_reflector.c */
int mn_reflector_run(const struct mn_opts *o);

struct mn_sock {
	struct loop_io io;
	struct mn_ctx *ctx;
	unsigned int index;
	bool blocked; /* the last send hit EAGAIN: wait for EPOLLOUT */
};

struct mn_ctx {
	struct mn_opts *opts;
	struct loop *loop;
	struct mn_node *nodes;
	struct mn_sock socks[MN_MAX_COAS];
	unsigned int n_socks;
	struct mn_stats stats;
	uint64_t t0_us; /* start of the run (monotonic) */
	/* pacer */
	uint32_t q_head, q_tail; /* FIFO of queued nodes */
	unsigned int inflight;	 /* transactions waiting for a reply */
	double tokens;		 /* rate: requests we may send now */
	uint64_t tokens_at_us;
	struct loop_timer pace_timer;
	/* run */
	unsigned int unfinished;     /* nodes not done (once / dereg / exit) */
	bool finishing;		     /* deregistering on the way out */
	bool stop;		     /* leave the loop */
	struct loop_timer end_timer; /* --duration */
	int64_t clock_offset_s;	     /* our idea of the HA's clock minus ours */
	bool tunnels_open;
	uint32_t *tunnel_rules; /* home addresses given ip rules (net) */
	size_t n_tunnel_rules;
};

#endif /* MIPHA_MN_H */
