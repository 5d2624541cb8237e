/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's control-socket commands, registered by the subsystem that
 * answers them (ctlsock_register()): registration's views of the bindings,
 * the pools' usage. mipha-agentd registers its own (stats, config reload).
 */
#ifndef MIPHA_SOCKET_COMMANDS_H
#define MIPHA_SOCKET_COMMANDS_H

struct ctlsock;
struct hsrp;
struct pool_set;
struct reg;
struct sync;

/* binding list, binding show, binding summary. */
int reg_commands_register(struct ctlsock *c, struct reg *r);
/* pool show; *pools is read at each request (a reload replaces it). */
int pool_commands_register(struct ctlsock *c, struct pool_set **pools);

/* standby show, resign, resume, sync-done. */
int hsrp_commands_register(struct ctlsock *c, struct hsrp *h);
/* redundancy show. */
int sync_commands_register(struct ctlsock *c, struct sync *s);

#endif /* MIPHA_SOCKET_COMMANDS_H */
