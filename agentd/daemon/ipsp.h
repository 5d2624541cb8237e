/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ipsp: the IP Pool Sharing Protocol's service (seed 004). Its state
 * machine is ipsp_state; this is its connection and its place in the
 * daemon:
 *  - the channel: peer sync's secured one (sync_tls: TLS 1.3 with the
 *    external PSK of the secure-home-agent SA of the peer's address), on
 *    a connection of its own: the secondary calls the primary's port (the
 *    configured roles: whoever plays which now), the primary listens and
 *    takes the one authenticated call from the peer's address. Reconnects
 *    back off exponentially, 100 ms to 5 s, jittered (seed 003's rules).
 *  - the registration path's allocator (reg_set_allocator()): a
 *    secondary's addresses come from the primary's approval;
 *  - a binding released to the peer goes from the kernel (the kernel
 *    adapter), then from the store (cause TAKEN_OVER), so peer sync and
 *    everything else that observes the store sees it go;
 *  - events (miphactl events ipsp), the notify hook (ipsp { notify }:
 *    run with the event's name and our role: "all-free primary"), the
 *    control socket's "ipsp" command (ipsp_commands.c).
 */
#ifndef MIPHA_IPSP_H
#define MIPHA_IPSP_H

#include <stdint.h>
#include <jansson.h>

struct config;
struct ctlsock;
struct loop;
struct pool_set;
struct reg;
struct ipsp;

/*
 * The service for cfg's ipsp section over reg's store and pipeline.
 * 0 (*ip NULL when cfg has no ipsp section), -ENOMEM, -EIO (TLS), or a
 * socket's errno (the primary's listening port).
 */
int ipsp_new(struct ipsp **ip, struct loop *l, const struct config *cfg,
	     struct pool_set *pools, struct reg *reg);
/* graceful: tell the peer first (SIGTERM); else just go (a crash looks
 * the same to the peer). */
void ipsp_free(struct ipsp *ip, bool graceful);
/* A reload (mode, dead interval) and the pools moved to. */
void ipsp_set_config(struct ipsp *ip, const struct config *cfg,
		     struct pool_set *pools);
/* Events go to fn (the control socket); NULL: none. */
void ipsp_set_event_fn(struct ipsp *ip,
		       void (*fn)(void *data, json_t *fields), void *data);
/* miphactl ipsp: see ctl/ctl_ipsp.c for the schema. */
json_t *ipsp_json(const struct ipsp *ip);
int ipsp_commands_register(struct ctlsock *c, struct ipsp *ip);

#endif /* MIPHA_IPSP_H */
