/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hsrp: the daemon's HSRP groups (the standby sections): each leading
 * group runs an hsrp_fsm on its interface, fed by hsrp_io and link_watch;
 * a "follow" group takes the state of the group it follows and sends
 * nothing. A group that becomes active owns its virtual IP and MAC
 * (hsrp_vmac: a macvlan with the virtual MAC, gratuitous ARP) and the
 * kernel's proxy ARP of its link when that is a home link (mipha.ko then
 * announces every bound home address with the virtual MAC, paced); a
 * group that stops being active gives them up in the reverse order, so
 * that nothing here answers ARP for them or receives the virtual MAC's
 * frames once another router may.
 *
 * Every state change is logged, published on the control socket
 * ("standby" events), and given to the group's notify hook.
 */
#ifndef MIPHA_HSRP_H
#define MIPHA_HSRP_H

#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>
#include <jansson.h>

#include "config.h"
#include "loop.h"

struct hsrp;

/* An event for the control socket: name "standby", fields (borrowed). */
typedef void (*hsrp_event_fn)(void *data, const char *event, json_t *fields);

/*
 * Starts every standby group of cfg. First removes what a daemon killed
 * while active left behind (macvlans, virtual IPs, proxy ARP on the groups'
 * links): no second owner of an address after a crash and a restart.
 * Returns 0 (also with no group) or -errno.
 */
int hsrp_new(struct hsrp **hp, struct loop *l, const struct config *cfg);
/* Clean shutdown: every active group resigns, so a standby takes over at
 * once, and gives up its addresses. */
void hsrp_free(struct hsrp *h);
/* A reload (config_diff() allowed it: only live changes). */
void hsrp_set_config(struct hsrp *h, const struct config *cfg);
void hsrp_set_event_fn(struct hsrp *h, hsrp_event_fn fn, void *data);

/* False if addr is a group's virtual IP and that group is not active
 * here (reg_set_addr_gate()). */
bool hsrp_addr_served(void *h, struct in_addr addr);

/*
 * Does one of our groups hear a router at addr now: its active or standby,
 * another router (peer sync calls a peer on a path whose group sees it)?
 */
bool hsrp_hears(const struct hsrp *h, struct in_addr addr);

/* Operator commands on a group by name; -ENOENT if none, -EINVAL for a
 * follow group (it has no election of its own). */
int hsrp_resign(struct hsrp *h, const char *name);
int hsrp_resume(struct hsrp *h, const char *name);
/* The binding download from the active finished (preempt delay sync): the
 * peer-sync module's signal, and a test hook until it exists. */
int hsrp_sync_done(struct hsrp *h, const char *name);

/* What the socket and the codec dropped, for miphactl stats. */
json_t *hsrp_stats_json(const struct hsrp *h);
/* miphactl standby: every group, or the one named (NULL: none such). */
json_t *hsrp_json(const struct hsrp *h, const char *name);

#endif /* MIPHA_HSRP_H */
