/* SPDX-License-Identifier: GPL-2.0 */
/*
 * config: the configuration of mipha-agentd (/etc/mipha/agentd.conf),
 * loaded with libconfuse and validated completely before anything uses it.
 *
 * The language mirrors the IOS Mobile IP commands, one section or option
 * per IOS line, so that a router configuration translates line by line
 * (README "Configuration" has the table; agentd/examples/ the seeds'
 * configurations translated):
 *
 *	ip mobile home-agent [address A]        home-agent { address = ... }
 *	ip mobile virtual-network NET MASK      virtual-network "NET MASK" {}
 *	ip mobile host A [B] interface IF       host "A B" { interface = IF }
 *	ip mobile host nai U@R static-address A host "nai U@R" { ... }
 *	ip mobile secure host A spi S key hex K secure-host "A" { spi = S ... }
 *	ip mobile secure foreign-agent ...      secure-foreign-agent "A" {}
 *	ip mobile secure home-agent ...         secure-home-agent "A" {}
 *	ip local pool P A B [group G] [prio N]  pool "P" { range = "A B ..." }
 *
 * Every error, syntactic or semantic, is reported as "FILE:LINE: message"
 * and makes config_load() fail: the daemon refuses to start (or, on
 * SIGHUP, keeps the running configuration).
 *
 * Addresses: a struct in_addr is in network byte order as usual; the
 * first/last bounds of ranges are uint32_t in HOST byte order so that
 * they compare and count (ntohl(a.s_addr)).
 *
 * A struct config is immutable once loaded; lookups are O(log n) (sorted
 * arrays built at load) and may be called from anywhere.
 *
 * Each section of the file has a module of its own (config_home_agent.c,
 * config_vnet.c, config_link.c, config_pool.c, config_host.c, config_sa.c,
 * config_daemon.c) owning its options, validation, free and reload rule;
 * config.c lists them, config_kit.c and config_read.c are what they share.
 */
#ifndef MIPHA_CONFIG_H
#define MIPHA_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#include "auth.h"
#include "ctlsock.h"
#include "replay.h"

#define CONFIG_DEFAULT_PATH   "/etc/mipha/agentd.conf"
#define CONFIG_DEFAULT_SOCKET CTLSOCK_DEFAULT_PATH
#define CONFIG_DEFAULT_LIFETIME \
	36000				   /* s; IOS ip mobile home-agent
				       * lifetime default */
#define CONFIG_LIFETIME_MAX	65535	   /* s; the RRQ field is 16 bits */
#define CONFIG_POOL_NAME_MAX	63	   /* = REG_POOL_NAME_MAX (cookie) */
#define CONFIG_NAI_MAX		255	   /* RFC 2794: one-byte length */
#define CONFIG_PRIORITY_DEFAULT 255	   /* IOS: a new local pool is 255 */
#define CONFIG_POOL_RANGE_MAX	(1U << 24) /* addresses in one pool range */
#define CONFIG_SECTIONS_MAX	16	   /* entries of config.c's table */

/* Reverse tunnel policy (RFC 3024). */
enum config_rt_policy {
	CONFIG_RT_OFF,	    /* T set -> 137 (IOS reverse-tunnel-off) */
	CONFIG_RT_ALLOWED,  /* granted when asked (IOS default) */
	CONFIG_RT_REQUIRED, /* T clear -> 138 */
};

/* Encapsulation policy: which tunnel the HA builds (G flag, RFC 5944). */
enum config_encap {
	CONFIG_ENCAP_ANY,  /* GRE if G is set, else IP-in-IP */
	CONFIG_ENCAP_IPIP, /* G set -> 139 */
	CONFIG_ENCAP_GRE,  /* G clear -> 139 */
};

enum config_log_target {
	CONFIG_LOG_STDERR,
	CONFIG_LOG_SYSLOG,
};

/* An inclusive range of IPv4 addresses, HOST byte order, first <= last. */
struct config_range {
	uint32_t first;
	uint32_t last;
};

/*
 * ip mobile virtual-network NET MASK [address A]
 * A home network with no link: its prefix is routed to us (vnet.c).
 */
struct config_vnet {
	int line;		/* where it is defined */
	struct in_addr net;	/* network address, host bits zero */
	uint8_t plen;		/* prefix length 1..32 */
	struct in_addr ha_addr; /* "address A": the HA address mobile
				   * nodes of this network use; 0.0.0.0 if
				   * none (then the global HA address) */
};

/*
 * A physical home link: the interface named by "ip mobile host ...
 * interface IF". Mobile nodes at home are reached there directly; while
 * away, the kernel proxy-ARPs for them (when proxy_arp).
 */
struct config_link {
	int line;
	char ifname[16]; /* IFNAMSIZ; resolved by the daemon */
	bool proxy_arp;	 /* answer ARP for away mobile nodes and
				   * send gratuitous ARP on (de)registration;
				   * default true (IOS does) */
};

enum config_host_kind {
	CONFIG_HOST_ADDR,  /* ip mobile host A [B]: static home addresses */
	CONFIG_HOST_NAI,   /* ip mobile host nai user@realm */
	CONFIG_HOST_REALM, /* ip mobile host nai @realm: any user of it */
};

/* ip mobile host ...: the mobile nodes we serve and how. */
struct config_host {
	int line;
	enum config_host_kind kind;
	struct config_range range;    /* ADDR: the home addresses A..B */
	char *nai;		      /* NAI: "user@realm"; REALM: "@realm" */
	struct in_addr *static_addrs; /* NAI/REALM "static-address A [B..]":
				      * the addresses this NAI may hold */
	size_t n_static;
	const char *pool; /* NAI/REALM "address pool local P":
				      * dynamic address (name of a pool) */
	/* Exactly one of these is the home network: */
	const struct config_vnet *vnet; /* "virtual-network NET MASK" */
	const struct config_link *link; /* "interface IF" */
	uint32_t lifetime;		/* s, "lifetime N": the most we grant;
				      * defaults to home-agent lifetime */
	enum config_rt_policy reverse_tunnel; /* default: home-agent's */
	enum config_encap encap;	      /* default: home-agent's */
};

enum config_match_kind {
	CONFIG_MATCH_ADDR,  /* an address range */
	CONFIG_MATCH_NAI,   /* one NAI "user@realm" */
	CONFIG_MATCH_REALM, /* "@realm": every NAI of that realm */
};

/*
 * A security association: ip mobile secure {host|foreign-agent|home-agent}
 * LOW [HIGH] | nai NAI  spi SPI key hex KEY [algorithm md5 mode
 * prefix-suffix | hmac-md5] [replay timestamp [within N]]
 */
struct config_sa {
	int line;
	enum config_match_kind match;
	struct config_range range; /* ADDR: home addresses (MN-HA) or
				      * agent addresses (FA-HA, HA-HA) */
	char *nai;		   /* NAI / REALM match */
	struct auth_key key;	   /* spi, algorithm, key bytes */
	enum replay_method replay; /* "replay timestamp" (default) | nonce */
	uint32_t replay_window;	   /* s, "within N"; default
				      * home-agent replay-window (7) */
};

/* One range of a pool, with its own priority (one IOS "ip local pool"
 * line each). */
struct config_pool_range {
	int line;
	struct config_range range;
	uint8_t priority; /* 1..255, HIGHER is preferred; equal
				      * priorities in configuration order */
};

/*
 * ip local pool NAME A B [group G] [priority P] (one line per range) and
 * ip local pool NAME ... threshold LOW HIGH.
 */
struct config_pool {
	int line;
	char name[CONFIG_POOL_NAME_MAX + 1];
	struct config_pool_range *ranges; /* in configuration order */
	size_t n_ranges;
	char *group;		/* NULL: none. Pools of one group are
				      * allocated from as one pool */
	uint8_t threshold_low;	/* % used; 0 = no low threshold */
	uint8_t threshold_high; /* % used; 0 = no high threshold;
				      * low < high when both are set */
	uint64_t size;		/* addresses in all its ranges */
};

struct config {
	char *path; /* the file it came from */

	/* ---- home-agent { } : ip mobile home-agent ... */
	struct in_addr *ha_addrs; /* "address": where we accept
				      * registrations (UDP 434), e.g. the
				      * HSRP address or the global HA
				      * address (ip mobile home-agent
				      * address A); virtual networks'
				      * addresses are added to the list */
	size_t n_ha_addrs;
	struct in_addr dynamic_addr; /* ip mobile home-agent dynamic-address
				      * A: HA address field of replies;
				      * 0.0.0.0 = the address addressed */
	bool redundancy;	     /* ip mobile home-agent redundancy */
	char *standby_group;	     /* ip mobile home-agent standby NAME;
				      * NULL if none (kept for HSRP) */
	uint32_t lifetime;	     /* s: default lifetime limit of hosts
				      * (ip mobile home-agent lifetime) */
	uint32_t max_lifetime;	     /* s: no host may grant more */
	uint32_t replay_window;	     /* s: default of SAs ("within"), 7 */
	enum config_rt_policy reverse_tunnel; /* default of hosts */
	enum config_encap encap;	      /* default of hosts */

	/* ---- sections */
	struct config_vnet *vnets;
	size_t n_vnets;
	struct config_link *links;
	size_t n_links;
	struct config_host *hosts; /* in configuration order */
	size_t n_hosts;
	struct config_sa *mn_ha; /* secure-host */
	size_t n_mn_ha;
	struct config_sa *fa_ha; /* secure-foreign-agent */
	size_t n_fa_ha;
	struct config_sa *ha_ha; /* secure-home-agent (peers) */
	size_t n_ha_ha;
	struct config_pool *pools; /* in configuration order */
	size_t n_pools;

	/* ---- daemon */
	enum config_log_target log_target;
	int log_facility;	 /* LOG_DAEMON, LOG_LOCAL0.. (syslog) */
	unsigned int debug_mask; /* 1 << enum log_subsys (log.h) */
	char *control_socket;	 /* CONFIG_DEFAULT_SOCKET */

	/* ---- private to the sections (config_*.c) */
	void *host_index; /* hosts by address and NAI */
	void *sa_index;	  /* SAs by address, NAI, realm */
	void *section_data[CONFIG_SECTIONS_MAX]; /* a section's own state
				      * (config_section_data()) */
};

/*
 * Loads and validates path. On success *out is a new configuration and 0
 * is returned; on failure err holds "FILE:LINE: message" (or "FILE:
 * message" when no line applies), *out is NULL and a negative errno is
 * returned (-EINVAL for a bad configuration, -ENOENT/-EACCES... if the
 * file cannot be read, -ENOMEM).
 */
int config_load(const char *path, struct config **out, char *err,
		size_t errlen);
/*
 * The same from text already in memory (tests, the fuzzer): name is what
 * messages call the file; text[len] must be writable. The text holds keys:
 * on return text[0..len] is cleansed (zeroed), whatever the outcome.
 */
int config_parse_text(const char *name, char *text, size_t len,
		      struct config **out, char *err, size_t errlen);
/* Frees cfg (NULL allowed); key material is cleansed. */
void config_free(struct config *cfg);

/* ---- lookups (NULL: none) */

/* The host whose home address this is: an address host covering it, or
 * an NAI host with it as static address. */
const struct config_host *config_host_by_addr(const struct config *cfg,
					      struct in_addr addr);
/* The host of this NAI: exact "user@realm" first, then "@realm" (realm
 * compared case-insensitively, RFC 4282). nai need not be NUL-terminated. */
const struct config_host *config_host_by_nai(const struct config *cfg,
					     const uint8_t *nai, size_t len);
/*
 * The MN-HA SA with this SPI of the mobile node whose identity is the NAI
 * (may be NULL / 0) or, without an NAI, the home address. Identity first:
 * for an NAI only its own SAs (exact NAI, then realm) or an address SA of
 * home_addr when that is one of the NAI host's static addresses; without
 * an NAI only the SAs of home_addr. Never another node's SA.
 */
const struct config_sa *config_mn_ha_sa(const struct config *cfg,
					struct in_addr home_addr,
					const uint8_t *nai, size_t nai_len,
					uint32_t spi);
/* True if any MN-HA SA matches the node (whatever its SPI): an SPI that
 * matches none of them is then "unknown SPI" (131) rather than no SA. */
bool config_has_mn_ha_sa(const struct config *cfg, struct in_addr home_addr,
			 const uint8_t *nai, size_t nai_len);
/* The FA-HA SA with the foreign agent fa: with this SPI if spi_valid,
 * else the first configured for fa. NULL: none (then FA-HA authentication
 * is not required of this FA). */
const struct config_sa *config_fa_ha_sa(const struct config *cfg,
					struct in_addr fa, uint32_t spi,
					bool spi_valid);
/* The HA-HA SA with the peer home agent. */
const struct config_sa *config_ha_ha_sa(const struct config *cfg,
					struct in_addr peer, uint32_t spi,
					bool spi_valid);
/* True if addr is one of our HA addresses (home-agent address, dynamic
 * address, virtual networks' addresses). */
bool config_is_ha_addr(const struct config *cfg, struct in_addr addr);
/* The first home-agent address (what a 136 reply names): dynamic
 * address if set, else the first home-agent address. */
struct in_addr config_primary_ha_addr(const struct config *cfg);
const struct config_pool *config_pool_by_name(const struct config *cfg,
					      const char *name);
/* The virtual network containing addr (longest prefix). */
const struct config_vnet *config_vnet_by_addr(const struct config *cfg,
					      struct in_addr addr);
/* The home link named ifname. */
const struct config_link *config_link_by_name(const struct config *cfg,
					      const char *ifname);
/* Is old->links[i] gone from new (a reload must undo its kernel state)? */
bool config_link_gone(const struct config *old, const struct config *new,
		      size_t i);

/* ---- reload */

/*
 * What differs between two configurations (bit mask), one bit per kind of
 * change of the sections that predate the per-section reload rules. The
 * bits only say what changed: whether a change is live or needs a restart
 * is each section's decision (its diff hook, config_kit.h), so a new
 * section needs no bit.
 */
enum config_change {
	CONFIG_CHG_HA_ADDRS = 1U << 0,	 /* home-agent address list  restart */
	CONFIG_CHG_DYNAMIC = 1U << 1,	 /* dynamic-address	    restart */
	CONFIG_CHG_REDUNDANCY = 1U << 2, /* redundancy / standby   restart */
	CONFIG_CHG_SOCKET = 1U << 3,	 /* control-socket	    restart */
	CONFIG_CHG_POOL_REMOVED = 1U << 4, /* a pool or a range gone,
					    * or a range changed   restart */
	CONFIG_CHG_LIFETIME = 1U << 8,	   /* lifetime, max-lifetime   live */
	CONFIG_CHG_POLICY = 1U << 9,	   /* reverse-tunnel, encap,
					 * replay-window defaults   live */
	CONFIG_CHG_HOSTS = 1U << 10,	   /* hosts		    live */
	CONFIG_CHG_SAS = 1U << 11,	   /* MN-HA/FA-HA/HA-HA SAs    live */
	CONFIG_CHG_POOLS = 1U << 12,	   /* pools or ranges added,
					 * priority, group,
					 * thresholds		    live */
	CONFIG_CHG_VNETS = 1U << 13,	   /* virtual networks	    live */
	CONFIG_CHG_LINKS = 1U << 14,	   /* home links, proxy-arp    live */
	CONFIG_CHG_LOG = 1U << 15,	   /* log target, facility,
					 * debug		    live */
};

struct config_diff {
	unsigned int changes; /* enum config_change bits that differ */
	bool live_ok;	      /* no section asked for a restart */
	char reason[512];     /* when !live_ok: every refused change,
				 * "home-agent address list changed (the
				 * sockets are bound at start); ..." */
	char live[256];	      /* what changes live, "hosts, pools" */
};

/*
 * Compares the running configuration with a newly loaded one, section by
 * section. The daemon applies new only if d->live_ok, else logs d->reason
 * and keeps old. Live changes: build a new pool_set from new and
 * pool_set_transfer() the allocations into it; hosts, SAs, lifetimes,
 * policies and log apply to the next registration; bindings in place keep
 * what they were granted; virtual networks' routes are made the new set
 * and home links gone get their proxy ARP switched off
 * (config_link_gone()).
 */
void config_diff(const struct config *old, const struct config *new,
		 struct config_diff *d);

/* Names for logs and the control socket. */
const char *config_rt_policy_name(enum config_rt_policy p);
const char *config_encap_name(enum config_encap e);

#endif /* MIPHA_CONFIG_H */
