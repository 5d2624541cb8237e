/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The generic netlink family "mipha": commands and notifications.
 */
#ifndef _MIPHA_NETLINK_H
#define _MIPHA_NETLINK_H

#include "binding.h"
#include "netns.h"

int mipha_nl_init(void);
void mipha_nl_exit(void);

/* Lock held: tell the "bindings" group about a change of @b. */
void mipha_nl_notify_binding(struct mipha_net *mn,
			     const struct mipha_binding *b, u8 event);
/* Lock held: tell the "bindings" group that @count bindings were flushed. */
void mipha_nl_notify_flush(struct mipha_net *mn, unsigned int count);

#endif /* _MIPHA_NETLINK_H */
