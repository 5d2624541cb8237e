/* SPDX-License-Identifier: GPL-2.0 */
/*
 * reg: home agent registration processing (RFC 5944 3.8, RFC 2794 NAI,
 * RFC 3024 reverse tunnelling).
 *
 * Two layers:
 *  - reg_decide(): a pure function. It takes one parsed request, what the
 *    configuration says (through struct reg_env), and what we know of the
 *    mobile node (struct reg_prior), and returns the reply code, the
 *    lifetime, the identification and what to do (struct reg_decision).
 *    No sockets, no clock, no randomness: unit-tested code path by code
 *    path.
 *  - struct reg (reg.c): the service. UDP port 434 with IP_PKTINFO (a
 *    burst of requests a time), the kernel's EXPIRED / DELETED / FLUSHED
 *    notifications, restart recovery from the agent cookies, counters and
 *    the JSON views. It owns, and wires together:
 *      binding_store   the bindings (upsert / remove with a cause, one per
 *                      address and NAI, pool addresses, expiry timers,
 *                      replay high-water marks, observers);
 *      kernel_adapter  the store's changes into mipha.ko, in batches;
 *      reg_pipeline    each request as a transaction: decision, address
 *                      (which may park it), kernel change, store change,
 *                      reply (which goes out only after the kernel
 *                      acknowledged the binding, so the mobile node's first
 *                      packets are tunnelled).
 *
 * Agent cookie (what the kernel stores with each binding for us), version
 * REG_COOKIE_VERSION, all integers big endian:
 *	off len field
 *	  0   1 version (1)
 *	  1   1 flags of the accepted request (REG_F_*)
 *	  2   1 replay: bits 0-3 method (enum replay_method), bit 4 seen,
 *		bit 5 has_nonce
 *	  3   1 NAI length (0-255)
 *	  4   1 pool name length (0-REG_POOL_NAME_MAX)
 *	  5   3 zero
 *	  8   4 MN-HA SPI
 *	 12   4 lifetime granted, seconds
 *	 16   8 registration time, Unix milliseconds
 *	 24   8 identification of the accepted request (replay high-water)
 *	 32   4 HA nonce last sent (nonces)
 *	 36   4 source address of the request (FA or co-located CoA)
 *	 40   n NAI, then the pool name
 * The kernel holds the rest (home address, CoA, HA address, encapsulation,
 * flags, link, remaining lifetime). A cookie of another version, or one
 * that does not decode exactly, is not ours: such bindings are left alone.
 */
#ifndef MIPHA_REG_H
#define MIPHA_REG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#include "auth.h"
#include "reg_msg.h"
#include "replay.h"

/* ---- configuration as the decision sees it ---------------------------- */

enum reg_rt_policy {
	REG_RT_OFF,	 /* reverse tunnel refused: T -> 137 */
	REG_RT_ALLOWED,	 /* granted if asked */
	REG_RT_REQUIRED, /* no T -> 138 */
};

enum reg_encap_policy {
	REG_ENCAP_ANY,	/* IPIP, or GRE if G is set */
	REG_ENCAP_IPIP, /* G -> 139 */
	REG_ENCAP_GRE,	/* no G -> 139 */
};

#define REG_POOL_NAME_MAX 63

/* What the configuration says about one mobile node. */
struct reg_host {
	struct in_addr home_addr; /* static address; 0.0.0.0: from pool */
	const char *pool;	  /* pool name if dynamic, else NULL */
	struct in_addr ha_addr;	  /* HA address of its network (virtual
				   * network or global HA address); 0: the
				   * address the request was sent to */
	uint32_t link;		  /* home link ifindex, 0: virtual network */
	uint32_t lifetime_limit;  /* seconds, 1..65534 */
	enum reg_rt_policy rt;
	enum reg_encap_policy encap;
};

/* An MN-HA security association. */
struct reg_mn_sa {
	struct auth_key key;
	enum replay_method replay;
	uint32_t window_s; /* timestamps: tolerated clock difference */
};

/*
 * The configuration, through callbacks (reg_env_config() in reg_config.c
 * fills them from struct config; tests fill them by hand). Lookups
 * return 0 or -ENOENT.
 */
struct reg_env {
	void *ctx;
	/* Is a an address we serve as home agent? */
	bool (*is_ha_addr)(void *ctx, struct in_addr a);
	/* Our unicast HA address to name in a 136 reply. */
	struct in_addr (*primary_ha_addr)(void *ctx);
	/*
	 * The host of the mobile node whose identity is the NAI if nai_len
	 * (then home_addr, the Home Address field, only picks among its
	 * static addresses), else the home address. Never the other one:
	 * an unknown NAI is not looked up by address.
	 */
	int (*host)(void *ctx, struct in_addr home_addr, const uint8_t *nai,
		    uint8_t nai_len, struct reg_host *out);
	/*
	 * The MN-HA SA with this SPI of that same identity (config_mn_ha_sa():
	 * only the node's own SAs, never another node's).
	 */
	int (*mn_ha_sa)(void *ctx, struct in_addr home_addr, const uint8_t *nai,
			uint8_t nai_len, uint32_t spi, struct reg_mn_sa *out);
	/*
	 * The FA-HA SA with this SPI of the foreign agent at fa: 0, -ENOENT
	 * if fa has no FA-HA SA at all (none required), -ENOKEY if it has
	 * some but none with this SPI (several keys: a rollover).
	 */
	int (*fa_ha_sa)(void *ctx, struct in_addr fa, uint32_t spi,
			struct auth_key *out);
};

/*
 * What we know of the mobile node before this request: its binding, found
 * by the request's identity (covered NAI, else home address). The binding's
 * own identity is given too, and reg_decide() ignores a binding that is not
 * the requester's (a home address is never taken from another node).
 */
struct reg_prior {
	bool bound;		  /* it has a binding now */
	struct in_addr home_addr; /* its (possibly pool) home address */
	const uint8_t *nai;	  /* the binding's NAI, NULL if none */
	uint8_t nai_len;
	struct replay_state replay;
};

/* One received request. */
struct reg_input {
	const uint8_t *buf; /* the message as received */
	size_t len;
	struct in_addr src; /* IP source: FA or co-located care-of address */
	struct in_addr dst; /* the local address it was sent to */
	uint64_t now_ntp;   /* replay_ntp_now() */
	uint32_t nonce;	    /* a fresh random nonce, if nonces are in use */
	bool no_nonce;	    /* the random source failed: nonce is not
			     * random, nonce SAs are not answered */
	/*
	 * buf already parsed by the caller (reg_request_parse() returned 0:
	 * it looked the node up by the request's identity), or NULL. Saves
	 * parsing each request twice.
	 */
	const struct reg_request *req;
};

enum reg_action {
	REG_ACT_DISCARD,    /* silently discarded (RFC 5944 1.9, 3.8.2) */
	REG_ACT_DENY,	    /* reply with the denial code, no change */
	REG_ACT_REGISTER,   /* install the binding, then reply */
	REG_ACT_DEREGISTER, /* remove the binding, then reply */
};

struct reg_decision {
	enum reg_action action;
	uint8_t code;		/* reply code */
	uint16_t lifetime;	/* granted (0 on denial / deregistration) */
	struct reg_request req; /* the parsed request */
	bool parsed;		/* req's extensions are valid */
	struct reg_host host;	/* valid once the host was found */
	bool has_host;
	bool prior_own;		  /* the prior binding was the requester's
				   * own (a DEREGISTER removes it); a
				   * binding of another identity is never
				   * used, changed or removed */
	struct in_addr home_addr; /* for the reply and the binding; 0.0.0.0
				   * with need_addr */
	bool need_addr;		  /* take one from host.pool (130 if none) */
	struct in_addr ha_addr;	  /* HA address in the reply = tunnel source */
	uint64_t reply_id;	  /* identification of the reply */
	bool sign_mn_ha;	  /* the reply carries MN-HA auth with sa.key */
	struct reg_mn_sa sa;
	bool sign_fa_ha; /* and FA-HA auth with fa_key */
	struct auth_key fa_key;
	struct replay_state replay; /* state to keep from now on */
	uint8_t encap;		    /* enum mipha_encap */
	uint32_t kflags;	    /* enum mipha_binding_flags */
	const char *why; /* reason of a denial or discard, for logs */
};

/*
 * Decide what to answer. Never fails: every outcome is in d->action and
 * d->code. Key material is copied into d (sa, fa_key); the caller cleanses
 * d when done (reg_decision_clear()).
 */
void reg_decide(const struct reg_env *env, const struct reg_input *in,
		const struct reg_prior *prior, struct reg_decision *d);
void reg_decision_clear(struct reg_decision *d);

/*
 * Look-up keys from a request before the decision: the NAI (covered or
 * not) and the home address, so the caller can find the prior binding.
 */

/* ---- agent cookie ----------------------------------------------------- */

#define REG_COOKIE_VERSION 1
#define REG_COOKIE_HDR	   40
#define REG_COOKIE_MAX	   (REG_COOKIE_HDR + 255 + REG_POOL_NAME_MAX)

struct reg_cookie {
	uint8_t req_flags;
	enum replay_method replay_method;
	struct replay_state replay;
	uint32_t spi;
	uint32_t granted;     /* seconds */
	uint64_t reg_time_ms; /* Unix ms */
	struct in_addr src;
	uint8_t nai_len;
	uint8_t nai[255];
	uint8_t pool_len;
	char pool[REG_POOL_NAME_MAX + 1]; /* NUL-terminated */
};

/* Returns the length written, or -ENOSPC / -EINVAL (bad lengths). */
int reg_cookie_encode(const struct reg_cookie *c, uint8_t *buf, size_t size);
/*
 * 0, -EPROTONOSUPPORT for another version, -EBADMSG if the bytes do not
 * decode exactly (lengths, reserved bytes, method, NUL in the pool name).
 */
int reg_cookie_decode(const uint8_t *buf, size_t len, struct reg_cookie *c);

/* ---- the registration service (reg.c) --------------------------------- */

struct reg;
struct loop;
struct binding_store;
struct kadapter;
struct kernel_sock;
struct pool_set;
struct config;
struct json_t;

/* Counters: replies by code and what never got one. */
struct reg_stats {
	uint64_t requests;	  /* received on port 434 */
	uint64_t replies[256];	  /* sent, by code */
	uint64_t discarded;	  /* silently dropped */
	uint64_t send_errors;	  /* replies that could not be sent */
	uint64_t kernel_errors;	  /* installs / removals the kernel refused */
	uint64_t registrations;	  /* accepted registrations (new + renewed) */
	uint64_t deregistrations; /* accepted deregistrations */
	uint64_t expiries;	  /* bindings that ran out */
	uint64_t recovered; /* bindings rebuilt from the kernel at start */
	uint64_t address_conflicts;  /* requests for a home address bound to
				      * another mobile node (refused, 129) */
	uint64_t recovery_conflicts; /* kernel bindings not recovered: their
				      * address or NAI was bound already */
	uint64_t installs_verified;  /* installs whose answer was lost and
				      * that were looked up in the kernel */
	uint64_t not_active; /* requests to the virtual IP of a standby
			      * group that is not active here: not ours
			      * to answer (physical-network mode) */
};

struct reg_opts {
	uint16_t port; /* REG_PORT; tests may use another */
};

int reg_new(struct reg **rp, struct loop *l, const struct config *cfg,
	    struct pool_set *pools, const struct reg_opts *opts);
/* Leaves the kernel table as it is unless flush. */
void reg_free(struct reg *r, bool flush);
/*
 * A new configuration and its pools, into which the caller has moved the
 * allocations (pool_set_transfer()). 0 or -ENOMEM (nothing changed).
 */
int reg_set_config(struct reg *r, const struct config *cfg,
		   struct pool_set *pools);
const struct reg_stats *reg_get_stats(const struct reg *r);
/*
 * Which of our addresses are served now: a request sent to an address for
 * which served() says false is dropped unanswered and counted
 * (not_active). HSRP sets it: the group's virtual IP is served only while
 * the group is active here. NULL: every address.
 */
void reg_set_addr_gate(struct reg *r,
		       bool (*served)(void *data, struct in_addr addr),
		       void *data);
/*
 * Home addresses from another allocator (IPSP's) from now on; NULL: the
 * local pools again. Parked requests of the old one are cancelled.
 */
struct reg_allocator;
void reg_set_allocator(struct reg *r, const struct reg_allocator *a);
size_t reg_binding_count(const struct reg *r);
/*
 * Gratuitous ARP for every binding of every home link whose proxy ARP is
 * on here, paced by the kernel (a home agent still active when a
 * partition heals: the addresses its peer announced meanwhile are its
 * again). Returns how many links were asked.
 */
unsigned int reg_announce_all(struct reg *r);
/* The store and the kernel adapter registration owns (peer sync is their
 * other client). */
struct binding_store *reg_store(struct reg *r);
struct kadapter *reg_kadapter(struct reg *r);

/* Control socket views (jansson objects, new references). */
struct json_t *reg_binding_json(const struct reg *r, struct in_addr home);
/* How many bindings use this home link (a reload must not pull it away). */
size_t reg_bindings_on_link(const struct reg *r, uint32_t ifindex);
/* Home addresses of every binding, for a list streamed in parts. */
int reg_binding_addrs(const struct reg *r, struct in_addr **out, size_t *n);
struct json_t *reg_summary_json(const struct reg *r);
struct json_t *reg_stats_json(const struct reg *r);

#endif /* MIPHA_REG_H */
