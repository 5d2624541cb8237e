/* SPDX-License-Identifier: GPL-2.0 */
/*
 * config_digest: what must be identical between redundant home agents,
 * as digests a peer can compare.
 *
 * "Redundant home agents must have identical Mobile IP configurations"
 * (seed 001): the same pools, hosts, keys and virtual networks, or a
 * binding synced from one is refused, or given another meaning, by the
 * other. Peer sync sends these digests in its HELLO and reports a mismatch
 * by name (which part differs) instead of letting sync break silently.
 *
 * One SHA-256 digest per top-level entry named below, over its parsed
 * values: every occurrence in file order (order is meaning: pools of equal
 * priority go in configuration order) with its title, and every option in
 * the order of the option table, with all its values. Comments, layout and
 * the order of options within a section do not count; what differs per
 * box does not either (secure-home-agent names the peer, standby holds
 * this box's priority, log and control-socket are local), and neither do
 * the peer-sync settings themselves. The digest of the whole is over the
 * named digests in order.
 */
#ifndef MIPHA_CONFIG_DIGEST_H
#define MIPHA_CONFIG_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"

#define CONFIG_DIGEST_LEN 32

struct config_digest_part {
	const char *name; /* the top-level entry, e.g. "pool" */
	uint8_t digest[CONFIG_DIGEST_LEN];
};

struct config_digest {
	uint8_t all[CONFIG_DIGEST_LEN];
	const struct config_digest_part *parts;
	size_t n_parts;
};

/* The digests of c (zeroes if c was not loaded from a file). */
const struct config_digest *config_digest(const struct config *c);

#endif /* MIPHA_CONFIG_DIGEST_H */
