/* SPDX-License-Identifier: GPL-2.0 */
/*
 * config_redundancy: redundancy { ... }, how this home agent syncs its
 * bindings with its peers (IOS "ip mobile home-agent standby NAME
 * [virtual-network]" and "subscriber redundancy rate"; the peers and their
 * keys are the secure-home-agent sections, one per peer address, as IOS's
 * "ip mobile secure home-agent ADDR spi SPI key hex KEY"; a peer reachable
 * on several links, as in seed 001's two-network example, is named by
 * paths: sync uses one of its addresses and moves to the next when it
 * fails):
 *
 *	redundancy {
 *		mode = physical | virtual   # virtual: IOS "... standby NAME
 *					    # virtual-network" (peer HA mode:
 *					    # both accept registrations)
 *		port = 434                  # TCP, mobileip-agent
 *		rate = 0                    # bindings/s of a bulk download
 *					    # (subscriber redundancy rate);
 *					    # 0: as fast as the peer takes them
 *		node-id = N                 # 1-4294967295; default: the
 *					    # address of the sync link
 *		retain = 4096               # KiB of unacknowledged updates
 *					    # kept to resume a broken stream
 *		keepalive = 1000            # ms between HELLOs on an idle
 *		dead = 3000                 # ... and silence that ends it
 *		paths = { "A1 A2", ... }    # each string: the addresses of one
 *					    # peer (2 to 4, each with its
 *					    # secure-home-agent; they may share
 *					    # one SPI and key), in the order
 *					    # tried; an address in no string is
 *					    # a peer of its own
 *	}
 *
 * It takes effect with home-agent { redundancy = yes }, which needs at
 * least one secure-home-agent with a key of 16 bytes or more (the TLS 1.3
 * external PSK). Every setting needs a restart but rate, keepalive and
 * dead, which apply to the next bulk download and the next timer.
 */
#ifndef MIPHA_CONFIG_REDUNDANCY_H
#define MIPHA_CONFIG_REDUNDANCY_H

#include <stdint.h>

#include "config.h"

#define CONFIG_SYNC_PORT	 434 /* mobileip-agent */
#define CONFIG_SYNC_RETAIN_KIB	 4096
#define CONFIG_SYNC_KEEPALIVE_MS 1000
#define CONFIG_SYNC_DEAD_MS	 3000
#define CONFIG_SYNC_PSK_MIN	 16 /* bytes: a 128-bit key at least */

enum config_sync_mode {
	CONFIG_SYNC_PHYSICAL, /* only the active accepts registrations */
	CONFIG_SYNC_VIRTUAL,  /* every peer does (peer HA mode) */
};

#define CONFIG_SYNC_PATHS_MAX 4 /* addresses of one peer */

/* The addresses of one peer, in the order tried. */
struct config_sync_paths {
	struct in_addr addrs[CONFIG_SYNC_PATHS_MAX];
	unsigned int n;
	int line;
};

struct config_redundancy {
	enum config_sync_mode mode;
	uint16_t port;
	uint32_t rate;	  /* bindings per second; 0: unlimited */
	uint32_t node_id; /* 0: the sync link's address */
	uint32_t retain_kib;
	uint32_t keepalive_ms, dead_ms;
	struct config_sync_paths *paths; /* n_paths peers on several links */
	size_t n_paths;
};

/* The peer (paths) address a belongs to, or NULL: a peer of its own. */
const struct config_sync_paths *
config_redundancy_paths_of(const struct config_redundancy *r, struct in_addr a);

/* The settings (defaults if the section is absent). */
const struct config_redundancy *config_redundancy(const struct config *c);

#endif /* MIPHA_CONFIG_REDUNDANCY_H */
