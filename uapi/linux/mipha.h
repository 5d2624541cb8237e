/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR MIT) */
/*
 * mipha: Mobile IPv4 home agent fast path - generic netlink API.
 *
 * This header is the only thing shared between the kernel module (kmod/)
 * and user space (agentd/). It is append-only: attribute and command
 * numbers never change once released.
 *
 * Family "mipha", version MIPHA_GENL_VERSION. The family is per network
 * namespace: every command acts on the binding table of the namespace the
 * netlink socket belongs to.
 *
 * Byte order: IPv4 addresses are in network byte order (NLA_BE32); every
 * other integer is in host byte order.
 *
 * Commands
 * --------
 * MIPHA_CMD_BINDING_NEW (CAP_NET_ADMIN)
 *	Install a binding. Requires HOME_ADDR, COA, HA_ADDR; optional ENCAP
 *	(default IPIP), GRE_KEY (only with ENCAP=GRE), FLAGS, LINK, LIFETIME
 *	(absent: the binding never expires), COOKIE.
 *	Fails with -EEXIST if the home address is bound, unless the request
 *	carries NLM_F_REPLACE: then the live binding is replaced atomically
 *	(a lookup sees either the old or the new binding, never a mix) and
 *	its counters carry over. A replace sets the whole binding: optional
 *	attributes left out take their defaults (no key, no flags, no link,
 *	no expiry, no cookie), they are not kept from the old binding.
 *	NLM_F_REPLACE on an unbound home address creates the binding (as
 *	"ip route replace" does).
 *	A new binding past the namespace's binding limit (CONFIG_SET) fails
 *	with -ENOSPC. Bindings, their cookies and the table are charged to
 *	the memory cgroup of the task that adds them: -ENOMEM past its limit.
 * MIPHA_CMD_BINDING_DEL (CAP_NET_ADMIN)
 *	Remove the binding of HOME_ADDR; -ENOENT if there is none.
 * MIPHA_CMD_BINDING_GET
 *	doit: the binding of HOME_ADDR (-ENOENT if none). The agent cookie
 *	(COOKIE) is only returned to CAP_NET_ADMIN over the namespace, in
 *	replies and dumps alike.
 *	dumpit: every binding, optionally only those with LINK and/or COA
 *	equal to the given values. Dumps resume across any number of
 *	bindings. Bindings added, replaced or removed during a dump may or
 *	may not be in it; every other binding is in it exactly once, unless
 *	the dump is flagged NLM_F_DUMP_INTR (the table was resized or
 *	flushed meanwhile), when it should be restarted.
 * MIPHA_CMD_BINDING_FLUSH (CAP_NET_ADMIN)
 *	Remove every binding of the namespace. The reply (and the single
 *	notification) carries FLUSH_COUNT.
 * MIPHA_CMD_STATS_GET
 *	Table and data path statistics, in the STATS nest.
 * MIPHA_CMD_LINK_SET (CAP_NET_ADMIN)
 *	Proxy ARP settings of home link LINK: PROXY_ARP (on/off), LLADDR
 *	(the MAC that answers; the link's own address until set),
 *	ANNOUNCE_RATE (gratuitous ARPs per second, default
 *	MIPHA_ANNOUNCE_RATE_DEFAULT). Turning proxy ARP on announces every
 *	binding of the link, paced at ANNOUNCE_RATE.
 * MIPHA_CMD_LINK_GET
 *	doit: the settings and counters of LINK (-ENOENT if never set).
 *	dumpit: every link with settings.
 * MIPHA_CMD_ANNOUNCE (CAP_NET_ADMIN)
 *	Gratuitous ARP on LINK (proxy ARP must be on, else -ENOENT) for
 *	HOME_ADDR (-ENOENT if not bound on LINK), or for every binding of
 *	the link if HOME_ADDR is absent (paced).
 * MIPHA_CMD_CONFIG_SET (CAP_NET_ADMIN)
 *	MAX_BINDINGS: how many bindings the namespace may hold. It starts at
 *	MIPHA_MAX_BINDINGS_DEFAULT in a namespace owned by the initial user
 *	namespace, MIPHA_MAX_BINDINGS_USERNS in others. Lowering it keeps
 *	the bindings already there; raising it needs CAP_NET_ADMIN in the
 *	initial user namespace (-EPERM otherwise). STATS_GET reports it.
 * MIPHA_CMD_BINDING_NEW_BULK (CAP_NET_ADMIN)
 *	Many BINDING_NEWs in one message, for agents installing thousands
 *	(a standby's bulk download, a restart): BINDINGS (NLA_F_NESTED) nests
 *	one entry per binding, each NLA_F_NESTED (its type is not looked at)
 *	and holding the attributes of a BINDING_NEW; REPLACE (a flag) gives every entry the
 *	meaning of NLM_F_REPLACE. Entries are installed in order, each as its
 *	own BINDING_NEW would be (atomically, notified, counted). The first
 *	that fails ends the message: the error is that entry's, and the
 *	extack's offset (NLMSGERR_ATTR_OFFS) points inside it (an attribute
 *	of it, or the entry), as does NLMSGERR_ATTR_MISS_NEST for a missing
 *	attribute. Entries before it are installed, those after it were not
 *	tried. Each entry is validated as BINDING_NEW's attributes are, when
 *	its turn comes (so an invalid one fails there too); BINDINGS and
 *	REPLACE are refused inside one, and anywhere in other commands
 *	(-EINVAL at them; the message is about NLA_F_NESTED where they carry
 *	it). Any
 *	other error (no BINDINGS, a bad top-level attribute, permission)
 *	names no entry: then none was installed.
 *
 * Commands from LINK_SET on get the strict generic netlink header check:
 * only NLM_F_REQUEST, NLM_F_ACK and NLM_F_ECHO (and DUMP) flags.
 *
 * Notifications
 * -------------
 * Multicast group MIPHA_MCGRP_BINDINGS (CAP_NET_ADMIN over the namespace
 * to join: messages carry agent cookies) receives one message per change:
 * cmd BINDING_NEW with EVENT=ADDED or REPLACED and the new binding;
 * cmd BINDING_DEL with EVENT=DELETED or EXPIRED and the removed binding;
 * cmd BINDING_FLUSH with EVENT=FLUSHED and FLUSH_COUNT.
 * Group MIPHA_MCGRP_REMOVALS (CAP_NET_ADMIN likewise) receives the same
 * messages for removals only: DELETED, EXPIRED and FLUSHED. An agent that
 * must learn what the kernel removed, but knows what it installed itself,
 * follows this group: the kernel builds no message for an install unless
 * someone listens to "bindings".
 */
#ifndef _UAPI_LINUX_MIPHA_H
#define _UAPI_LINUX_MIPHA_H

#define MIPHA_GENL_NAME		"mipha"
#define MIPHA_GENL_VERSION	1
#define MIPHA_MCGRP_BINDINGS	"bindings"
#define MIPHA_MCGRP_REMOVALS	"removals"

/* Longest agent cookie the kernel stores for a binding, in bytes. */
#define MIPHA_COOKIE_MAX	512

/*
 * Bindings a namespace may hold until CONFIG_SET changes it: one owned by
 * the initial user namespace, and one created in another user namespace
 * (by any user, where unprivileged user namespaces are allowed).
 */
#define MIPHA_MAX_BINDINGS_DEFAULT	2097152	/* 2^21 */
#define MIPHA_MAX_BINDINGS_USERNS	16384

/* Gratuitous ARPs per second and link, unless set otherwise. */
#define MIPHA_ANNOUNCE_RATE_DEFAULT	1000
#define MIPHA_ANNOUNCE_RATE_MAX		1000000

/* Longest lifetime a binding may be given, in seconds (one year). */
#define MIPHA_LIFETIME_MAX	(365U * 24 * 3600)

enum mipha_cmd {
	MIPHA_CMD_UNSPEC,
	MIPHA_CMD_BINDING_NEW,
	MIPHA_CMD_BINDING_DEL,
	MIPHA_CMD_BINDING_GET,
	MIPHA_CMD_BINDING_FLUSH,
	MIPHA_CMD_STATS_GET,
	MIPHA_CMD_LINK_SET,
	MIPHA_CMD_LINK_GET,
	MIPHA_CMD_ANNOUNCE,
	MIPHA_CMD_CONFIG_SET,
	MIPHA_CMD_BINDING_NEW_BULK,

	__MIPHA_CMD_MAX,
	MIPHA_CMD_MAX = __MIPHA_CMD_MAX - 1
};

/* How packets for the home address are carried to the care-of address. */
enum mipha_encap {
	MIPHA_ENCAP_UNSPEC,
	MIPHA_ENCAP_IPIP,	/* IP in IP, RFC 2003 */
	MIPHA_ENCAP_GRE,	/* GRE, RFC 2784; key (RFC 2890) if GRE_KEY is set */

	__MIPHA_ENCAP_MAX,
	MIPHA_ENCAP_MAX = __MIPHA_ENCAP_MAX - 1
};

/* Binding flags (MIPHA_A_FLAGS). Unknown bits are rejected. */
enum mipha_binding_flags {
	/* The mobile node may reverse tunnel to us (RFC 3024, 'T' bit). */
	MIPHA_F_REVERSE_TUNNEL	= 1U << 0,
	/* Tunnel broadcasts of the home link to the mobile node ('B' bit). */
	MIPHA_F_BROADCAST	= 1U << 1,

	MIPHA_F_ALL		= MIPHA_F_REVERSE_TUNNEL | MIPHA_F_BROADCAST,
};

/* Why a notification was sent (MIPHA_A_EVENT). */
enum mipha_event {
	MIPHA_EVENT_UNSPEC,
	MIPHA_EVENT_ADDED,	/* a new binding */
	MIPHA_EVENT_REPLACED,	/* a live binding was replaced */
	MIPHA_EVENT_DELETED,	/* removed on request */
	MIPHA_EVENT_EXPIRED,	/* removed by the kernel when its lifetime ran out */
	MIPHA_EVENT_FLUSHED,	/* the whole table was flushed */
};

enum mipha_attrs {
	MIPHA_A_UNSPEC,
	MIPHA_A_PAD,
	/* be32: the mobile node's home address; the table key */
	MIPHA_A_HOME_ADDR,
	/* be32: the care-of address: outer destination of the tunnel */
	MIPHA_A_COA,
	/* be32: the home agent address: outer source of the tunnel */
	MIPHA_A_HA_ADDR,
	/* u8: enum mipha_encap */
	MIPHA_A_ENCAP,
	/* u32: GRE key, only with MIPHA_ENCAP_GRE; absent means no key */
	MIPHA_A_GRE_KEY,
	/* u32: enum mipha_binding_flags */
	MIPHA_A_FLAGS,
	/* u32: ifindex of the home link, 0 (or absent) for a virtual network.
	 * In a dump request: only bindings on this link.
	 */
	MIPHA_A_LINK,
	/* u32: requested lifetime in seconds, 1..MIPHA_LIFETIME_MAX; absent
	 * means the binding never expires. Not sent by the kernel.
	 */
	MIPHA_A_LIFETIME,
	/* u64: milliseconds until the binding expires; absent if it never does.
	 * Sent by the kernel only.
	 */
	MIPHA_A_EXPIRES_MS,
	/* binary: opaque agent data, at most MIPHA_COOKIE_MAX bytes, stored
	 * and returned unchanged. A longer cookie is refused with -ERANGE.
	 */
	MIPHA_A_COOKIE,
	/* u64: packets and bytes tunnelled to the care-of address */
	MIPHA_A_TX_PACKETS,
	MIPHA_A_TX_BYTES,
	/* u64: packets and bytes received through the reverse tunnel */
	MIPHA_A_RX_PACKETS,
	MIPHA_A_RX_BYTES,
	/* u8: enum mipha_event, in notifications */
	MIPHA_A_EVENT,
	/* u32: how many bindings a flush removed */
	MIPHA_A_FLUSH_COUNT,
	/* nest: enum mipha_stats_attrs */
	MIPHA_A_STATS,
	/* u8: proxy ARP on the link, 0 or 1 */
	MIPHA_A_PROXY_ARP,
	/* binary, 6 bytes: the unicast MAC proxy ARP answers with */
	MIPHA_A_LLADDR,
	/* u32: gratuitous ARPs per second, 1..MIPHA_ANNOUNCE_RATE_MAX */
	MIPHA_A_ANNOUNCE_RATE,
	/* u64: ARP requests answered on the link (kernel only) */
	MIPHA_A_ARP_REPLIES,
	/* u64: gratuitous ARPs sent on the link (kernel only) */
	MIPHA_A_ANNOUNCEMENTS,
	/* u8: 1 while a paced announcement of the link's bindings runs */
	MIPHA_A_ANNOUNCE_PENDING,
	/* u32: the namespace's binding limit (CONFIG_SET) */
	MIPHA_A_MAX_BINDINGS,
	/* nest of nests: BINDING_NEW_BULK's entries, one binding each */
	MIPHA_A_BINDINGS,
	/* flag: BINDING_NEW_BULK replaces live bindings (NLM_F_REPLACE) */
	MIPHA_A_REPLACE,

	__MIPHA_A_MAX,
	MIPHA_A_MAX = __MIPHA_A_MAX - 1
};

/* Per-namespace table statistics, nested in MIPHA_A_STATS. */
enum mipha_stats_attrs {
	MIPHA_STATS_A_UNSPEC,
	MIPHA_STATS_A_PAD,
	MIPHA_STATS_A_BINDINGS,		/* u32: bindings in the table now */
	MIPHA_STATS_A_ADDS,		/* u64: bindings created */
	MIPHA_STATS_A_REPLACES,		/* u64: bindings replaced */
	MIPHA_STATS_A_DELETES,		/* u64: bindings deleted on request */
	MIPHA_STATS_A_EXPIRIES,		/* u64: bindings removed on expiry */
	MIPHA_STATS_A_FLUSHES,		/* u64: flush commands */
	MIPHA_STATS_A_LOOKUP_HITS,	/* u64: lookups that found a binding */
	MIPHA_STATS_A_LOOKUP_MISSES,	/* u64: lookups that found none */
	MIPHA_STATS_A_MEMORY,		/* u64: bytes of kernel memory held */
	MIPHA_STATS_A_BUCKETS,		/* u32: hash buckets of the table */
	/* Data path, u64 each. */
	MIPHA_STATS_A_TX_PACKETS,	/* tunnelled to care-of addresses */
	MIPHA_STATS_A_RX_PACKETS,	/* decapsulated from reverse tunnels */
	MIPHA_STATS_A_DROP_NO_ROUTE,	/* no route to the care-of address */
	MIPHA_STATS_A_DROP_TOO_BIG,	/* DF and over the tunnel's MTU */
	MIPHA_STATS_A_DROP_TTL,		/* TTL ran out at the tunnel entry */
	MIPHA_STATS_A_DROP_SPOOF,	/* reverse tunnel from a wrong source */
	MIPHA_STATS_A_DROP_LOOP,	/* care-of address is a home address */
	MIPHA_STATS_A_DROP_NO_BINDING,	/* reverse tunnel from an unbound home address */
	MIPHA_STATS_A_DROP_ERROR,	/* out of memory, malformed */
	MIPHA_STATS_A_ICMP_ERRORS,	/* ICMP errors sent (time exceeded, frag needed) */
	MIPHA_STATS_A_PMTU_UPDATES,	/* frag-needed about our tunnels, learned */
	MIPHA_STATS_A_BROADCASTS,	/* home link broadcasts tunnelled ('B') */
	MIPHA_STATS_A_ARP_REPLIES,	/* proxy ARP answers */
	MIPHA_STATS_A_ANNOUNCEMENTS,	/* gratuitous ARPs */
	MIPHA_STATS_A_MAX_BINDINGS,	/* u32: the binding limit (CONFIG_SET) */
	MIPHA_STATS_A_DROP_MARTIAN,	/* martian source: loopback, multicast... */
	MIPHA_STATS_A_DROP_RPFILTER,	/* failed the ingress device's rp_filter */
	MIPHA_STATS_A_DROP_LINK_DOWN,	/* reverse tunnel: home link not up */
	MIPHA_STATS_A_DROP_BACKLOG,	/* reverse tunnel: receive queue full */

	__MIPHA_STATS_A_MAX,
	MIPHA_STATS_A_MAX = __MIPHA_STATS_A_MAX - 1
};

#endif /* _UAPI_LINUX_MIPHA_H */
