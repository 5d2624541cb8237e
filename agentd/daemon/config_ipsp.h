/* SPDX-License-Identifier: GPL-2.0 */
/*
 * config_ipsp: ipsp { ... }, the IP Pool Sharing Protocol (seed 004,
 * StarOS "pool-share-protocol"). One per daemon (StarOS: one IPSP
 * interface per context; a mipha-agentd is one context). The line that
 * names the PEER's role, as StarOS does:
 *
 *	StarOS (interface of the HA service's context)	agentd.conf
 *	pool-share-protocol primary A mode M		ipsp { primary = A
 *							       mode = M }
 *	  (on the secondary: its peer A is the primary)
 *	pool-share-protocol secondary A mode M		ipsp { secondary = A
 *							       mode = M }
 *	  (on the primary: its peer A is the secondary)
 *	dead-interval N					  dead-interval = N
 *	no pool-share-protocol				(no ipsp section, or
 *							 mode = inactive)
 *
 *	ipsp {
 *		primary = A | secondary = A  # exactly one: the peer's address
 *		mode = active | inactive | check-config   # default active
 *		dead-interval = 30      # s, 1..3600: the peer silent this
 *					# long is down
 *		port = 4434             # TCP; the primary listens, the
 *					# secondary calls
 *		block = 16              # addresses a secondary asks for at
 *					# a time, 1..65536
 *		local = A               # optional: the address to call from /
 *					# listen on (default: any)
 *		notify = /path/to/hook  # optional: run with the event
 *					# ("all-free", "role", "peer-up",
 *					# "peer-down", "going-down",
 *					# "config-mismatch") and our role
 *	}
 *
 * The peer needs a secure-home-agent entry for its address with a key of
 * 16 bytes or more (the TLS 1.3 external PSK, as peer sync).
 *
 * Checked at load (FILE:LINE): exactly one of primary / secondary; the
 * address is not ours (not in home-agent { address }); a secure-home-agent
 * covering it with a 16-byte key; no pool may have an IPSP-incompatible
 * setting (none today: StarOS refuses IPSP with "busyout" pools, which
 * mipha has not).
 *
 * Reload rules (the diff hook): with an ipsp section (in any mode, before
 * or after: an inactive one turned active finds the pools its state was
 * built for), any change to a pool (added, removed, a range, priority,
 * group, threshold) is refused with the reason "pools cannot change while
 * IPSP is enabled (seed 004)"; the peer, its role, port, block, local and
 * notify need a restart, and so does the section added or removed (so
 * config_ipsp() is NULL, or not, for the daemon's whole life); mode and
 * dead-interval change live.
 */
#ifndef MIPHA_CONFIG_IPSP_H
#define MIPHA_CONFIG_IPSP_H

#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>

#include "config.h"
#include "ipsp_msg.h"

#define CONFIG_IPSP_PORT	 4434
#define CONFIG_IPSP_DEAD_S	 30
#define CONFIG_IPSP_BLOCK	 16

struct config_ipsp {
	int line;		/* of the section */
	uint8_t peer_role;	/* enum ipsp_role: the PEER's role */
	struct in_addr peer;	/* its address */
	uint8_t mode;		/* enum ipsp_mode */
	uint32_t dead_interval; /* s */
	uint16_t port;
	uint32_t block;		/* addresses per block request */
	struct in_addr local;	/* 0.0.0.0: any */
	char *notify;		/* hook run on every event; NULL: none */
};

/* The section, or NULL when the file has none (IPSP off). */
const struct config_ipsp *config_ipsp(const struct config *c);

/*
 * SHA-256 of pool p's configuration as IPSP compares it (name, group,
 * every range with its priority, in configuration order; thresholds are
 * local and left out), and of every pool in order: what a HELLO carries.
 */
void config_ipsp_pool_digest(const struct config_pool *p,
			     uint8_t out[IPSP_DIGEST_LEN]);
void config_ipsp_pools_digest(const struct config *c,
			      uint8_t out[IPSP_DIGEST_LEN]);

#endif /* MIPHA_CONFIG_IPSP_H */
