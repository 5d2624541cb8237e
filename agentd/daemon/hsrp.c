// SPDX-License-Identifier: GPL-2.0
/*
 * hsrp: the daemon's HSRP groups (hsrp.h).
 *
 * Ownership order. Becoming active: the kernel already holds every
 * binding (a standby installs them as they sync); the virtual IP and MAC
 * come up (macvlan, gratuitous ARP), then the home link's proxy ARP with
 * the virtual MAC (mipha.ko announces the bound home addresses). Leaving:
 * proxy ARP off first, then the macvlan goes. Registrations to the virtual
 * IP are answered only while active (hsrp_addr_served()).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <net/if.h>

#include <openssl/crypto.h>

#include "config_standby.h"
#include "hsrp.h"
#include "hsrp_arp.h"
#include "hsrp_fsm.h"
#include "hsrp_io.h"
#include "hsrp_msg.h"
#include "hsrp_vmac.h"
#include "kernel.h"
#include "link_watch.h"
#include "log.h"
#include "notify.h"

#define NOTIFY_TIMEOUT_MS 10000 /* a hook running longer is killed */
/*
 * A group that became active but could not take its virtual address (a
 * netlink error, the address taken by someone else) must not go on
 * claiming Active in its hellos, which would keep a healthy standby from
 * taking over: it leaves the election and tries again this much later.
 */
#define OWN_RETRY_MS 5000

struct hsrp_group_stats {
	uint64_t auth_failures; /* wrong text, key or digest; no MD5 TLV
				 * where MD5 is configured */
	uint64_t not_ipv4;	/* v2 hellos for an IPv6 group */
	uint64_t own_errors;	/* the virtual IP/MAC or proxy ARP failed */
};

struct hsrp_group {
	struct hsrp *h;
	const struct config_standby_group *cfg; /* of the running config */
	struct hsrp_group *leader;		/* follow: whose state */
	struct hsrp_fsm fsm;			/* leaders only */
	uint8_t follow_state;			/* followers: the leader's */
	struct loop_timer timer;
	struct loop_timer retry;  /* a failed takeover: try again later */
	uint64_t hold_down_until; /* no election before (own() failed) */
	unsigned int index;	  /* in the configuration: names the macvlan */
	struct link_state link;	  /* its interface, as last read */
	uint32_t joined_ifindex;  /* where we listen to the group */
	bool admin_down;	  /* resigned by the operator */
	bool owning;		  /* virtual IP/MAC up */
	uint32_t vmac_ifindex;	  /* the interface holding the VIP */
	bool proxy_arp;		  /* we switched the link's proxy ARP on */
	struct hsrp_vmac_spec vmac;
	struct notify *notify;
	struct timespec changed; /* wall clock of the last change */
	struct hsrp_group_stats stats;
};

struct hsrp {
	struct loop *loop;
	const struct config *cfg;
	struct hsrp_io *io;
	struct link_watch *lw;
	struct hsrp_vmac *vm;
	struct kernel_sock *ks;	 /* proxy ARP of the home links */
	struct loop_timer start; /* the groups start on the loop's first
				  * turn: after daemon(), so their hooks
				  * are the daemon's children */
	struct hsrp_group *groups;
	size_t n_groups;
	hsrp_event_fn event_fn;
	void *event_data;
	uint64_t malformed;	/* datagrams the codec refused */
	uint64_t unknown_group; /* for no group of ours on that link */
};

static uint32_t mcast_of(uint8_t version)
{
	return version == HSRP_V2 ? HSRP_V2_MCAST : HSRP_V1_MCAST;
}

static uint8_t group_state(const struct hsrp_group *g)
{
	return g->leader ? g->follow_state : g->fsm.state;
}

static struct in_addr group_vip(const struct hsrp_group *g)
{
	return g->leader ? g->cfg->vip : g->fsm.vip;
}

/* ---- owning the virtual address -------------------------------------- */

static void proxy_arp_set(struct hsrp_group *g, bool on)
{
	const struct config_link *cl =
		config_link_by_name(g->h->cfg, g->cfg->ifname);
	struct kernel_link kl = { 0 };
	int ret;

	if (g->proxy_arp == on || !g->h->ks)
		return;
	if (!g->link.ifindex) {
		/* The interface is gone, and its setting with it. */
		g->proxy_arp = false;
		return;
	}
	/*
	 * Only the home agent's group owns the proxy ARP of its link (other
	 * groups on the link are gateways, not home agents), and only a home
	 * link with proxy ARP configured has it on at all. Switching off
	 * asks nothing of the configuration: what we switched on goes off,
	 * whatever a reload says now.
	 */
	if (on && (!cl || !cl->proxy_arp ||
		   !config_standby_on_link(g->h->cfg, g->cfg->ifname) ||
		   strcmp(g->h->cfg->standby_group, g->cfg->name)))
		return;
	kl.ifindex = g->link.ifindex;
	kl.has_proxy_arp = true;
	kl.proxy_arp = on;
	if (on) {
		kl.has_lladdr = true;
		memcpy(kl.lladdr, g->cfg->use_bia ? g->link.mac : g->vmac.mac,
		       sizeof(kl.lladdr));
	}
	ret = kernel_link_set(g->h->ks, &kl);
	if (ret) {
		g->stats.own_errors++;
		log_err("standby %s: proxy ARP %s on %s: %s", g->cfg->name,
			on ? "on" : "off", g->cfg->ifname, strerror(-ret));
		return;
	}
	g->proxy_arp = on;
}

/*
 * The macvlan's name: "hsrp" and the group's place in the configuration,
 * unique among the daemon's groups whatever their interfaces and numbers
 * (one daemon per network namespace; a start removes any left over).
 */
static void vmac_name(struct hsrp_group *g)
{
	snprintf(g->vmac.name, sizeof(g->vmac.name), "hsrp%u", g->index);
}

static void own_failed(struct hsrp_group *g, int err)
{
	g->stats.own_errors++;
	log_ratelimited(LOG_ERR,
			"standby %s: cannot take virtual IP %s: %s; out of "
			"the election for %u ms",
			g->cfg->name, inet_ntoa(g->vmac.vip), strerror(-err),
			OWN_RETRY_MS);
	if (g->leader)
		return;
	/* Not from inside the state machine's callback: on the next turn. */
	g->hold_down_until = loop_now_ms() + OWN_RETRY_MS;
	loop_timer_arm(g->h->loop, &g->retry, 0);
}

static void own(struct hsrp_group *g)
{
	uint32_t ifx;
	int ret;

	if (g->owning)
		return;
	g->vmac.lower_ifindex = g->link.ifindex;
	g->vmac.vip = group_vip(g);
	vmac_name(g);
	if (!g->vmac.vip.s_addr)
		return; /* a follow group without an ip of its own */
	ret = g->link.ifindex ? hsrp_vmac_up(g->h->vm, &g->vmac, &ifx) :
				-ENODEV;
	if (ret) {
		own_failed(g, ret);
		return;
	}
	g->owning = true;
	g->vmac_ifindex = ifx;
	proxy_arp_set(g, true);
}

static void disown(struct hsrp_group *g)
{
	int ret;

	proxy_arp_set(g, false);
	if (!g->owning)
		return;
	ret = hsrp_vmac_down(g->h->vm, &g->vmac);
	if (ret) {
		g->stats.own_errors++;
		log_err("standby %s: removing virtual IP %s: %s", g->cfg->name,
			inet_ntoa(g->vmac.vip), strerror(-ret));
	}
	g->owning = false;
}

/* ---- state changes ---------------------------------------------------- */

static void announce(struct hsrp_group *g, uint8_t old, uint8_t new,
		     const char *reason)
{
	struct hsrp *h = g->h;
	const char *args[4] = { g->cfg->name, hsrp_state_str(old),
				hsrp_state_str(new), reason };

	clock_gettime(CLOCK_REALTIME, &g->changed);
	/* Rate-limited: anyone with the key (or a recording of a message)
	 * can make a group change state at packet rate. */
	log_ratelimited(LOG_NOTICE, "standby %s: %s -> %s (%s)", g->cfg->name,
			hsrp_state_str(old), hsrp_state_str(new), reason);
	if (g->notify && notify_run(g->notify, args, 4))
		log_ratelimited(LOG_WARNING,
				"standby %s: notify hook queue full",
				g->cfg->name);
	if (h->event_fn) {
		json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s}", "name",
				      g->cfg->name, "interface", g->cfg->ifname,
				      "old_state", hsrp_state_str(old), "state",
				      hsrp_state_str(new), "reason", reason);

		if (o) {
			h->event_fn(h->event_data, "standby", o);
			json_decref(o);
		}
	}
}

/* Active or not is what owning follows, whatever the path. */
static void apply_state(struct hsrp_group *g, uint8_t old, uint8_t new)
{
	if (new == HSRP_STATE_ACTIVE)
		own(g);
	else if (old == HSRP_STATE_ACTIVE || g->owning)
		disown(g);
}

static void followers_follow(struct hsrp_group *leader, const char *reason)
{
	struct hsrp *h = leader->h;
	size_t i;

	for (i = 0; i < h->n_groups; i++) {
		struct hsrp_group *f = &h->groups[i];
		uint8_t old = f->follow_state;

		if (f->leader != leader || old == leader->fsm.state)
			continue;
		f->follow_state = leader->fsm.state;
		apply_state(f, old, f->follow_state);
		announce(f, old, f->follow_state, reason);
	}
}

static void on_state_change(struct hsrp_fsm *fsm, uint8_t old,
			    const char *reason)
{
	struct hsrp_group *g = fsm->data;

	apply_state(g, old, fsm->state);
	announce(g, old, fsm->state, reason);
	followers_follow(g, reason);
}

/* ---- sending ---------------------------------------------------------- */

static void on_send(struct hsrp_fsm *fsm, uint8_t opcode)
{
	struct hsrp_group *g = fsm->data;
	const struct config_standby_group *c = g->cfg;
	struct hsrp_msg m;
	uint8_t buf[128];
	ssize_t len;
	int ret;

	if (!g->link.ifindex || !g->link.addr.s_addr)
		return;
	hsrp_fsm_fill_msg(fsm, opcode, &m);
	if (c->version == HSRP_V2)
		memcpy(m.identifier, g->link.mac, sizeof(m.identifier));
	if (c->has_md5) {
		m.md5.sender = g->link.addr;
		m.md5.key_id = c->md5_key_id;
		/* v1 keeps its text field, zero; v2 sends no text TLV. */
	} else {
		m.has_text = true;
		memcpy(m.text, c->text, sizeof(m.text));
	}
	len = hsrp_encode(buf, sizeof(buf), &m, c->has_md5 ? &c->md5 : NULL);
	if (len < 0) {
		log_ratelimited(LOG_ERR, "standby %s: cannot encode %s: %s",
				c->name, hsrp_opcode_str(opcode),
				strerror((int)-len));
		return;
	}
	/*
	 * From the interface, not the virtual MAC (as IOS would): while two
	 * routers both hold the virtual MAC (a contest), a macvlan drops
	 * multicast whose source is its own MAC, so hellos sent from it
	 * would go unheard by the other active one, and both stay active
	 * (seen under load: 20 s of two actives). A router that contests
	 * while holding the address (one that stalled and came back) sends
	 * a gratuitous ARP with its coup instead, so the switches learn the
	 * virtual MAC back.
	 */
	ret = hsrp_io_send(g->h->io, g->link.ifindex, g->link.addr,
			   mcast_of(c->version), buf, (size_t)len);
	if (!ret && opcode == HSRP_OP_COUP && g->owning && g->vmac_ifindex &&
	    hsrp_garp_send(g->vmac_ifindex, g->vmac.mac, g->vmac.vip))
		log_ratelimited(LOG_WARNING,
				"standby %s: gratuitous ARP with the coup failed",
				c->name);
	if (ret)
		log_ratelimited(LOG_WARNING, "standby %s: send %s: %s", c->name,
				hsrp_opcode_str(opcode), strerror(-ret));
	else
		log_debug(LOG_STANDBY, "standby %s: sent %s (%s, priority %u)",
			  c->name, hsrp_opcode_str(opcode),
			  hsrp_state_str(fsm->state), fsm->p.priority);
}

static const struct hsrp_fsm_ops fsm_ops = {
	.send = on_send,
	.state_change = on_state_change,
};

/* ---- timers ----------------------------------------------------------- */

static void rearm(struct hsrp_group *g)
{
	uint64_t next = hsrp_fsm_next_deadline(&g->fsm);

	if (next)
		loop_timer_arm_at(g->h->loop, &g->timer, next);
	else
		loop_timer_cancel(g->h->loop, &g->timer);
}

static void on_timer(struct loop_timer *t)
{
	struct hsrp_group *g = t->data;

	hsrp_fsm_run_timers(&g->fsm, loop_now_ms());
	rearm(g);
}

/* ---- receiving -------------------------------------------------------- */

static bool authentic(struct hsrp_group *g, const struct hsrp_io_rx *rx,
		      const struct hsrp_msg *m)
{
	const struct config_standby_group *c = g->cfg;

	/*
	 * The digest covers the MD5 TLV's sender but not the IP header: a
	 * recorded message resent from another address would verify, and
	 * the state machine knows routers by their address (the tie break).
	 */
	if (c->has_md5)
		return m->has_md5 && m->md5.key_id == c->md5_key_id &&
		       m->md5.sender.s_addr == rx->src.s_addr &&
		       hsrp_md5_verify(rx->buf, m, &c->md5);
	/* Text configured: an MD5 message is a mismatch too (as IOS). */
	return !m->has_md5 && m->has_text &&
	       !CRYPTO_memcmp(m->text, c->text, sizeof(c->text));
}

static struct hsrp_group *group_for(struct hsrp *h, uint32_t ifindex,
				    uint8_t version, uint16_t group)
{
	size_t i;

	for (i = 0; i < h->n_groups; i++) {
		struct hsrp_group *g = &h->groups[i];

		if (!g->leader && g->link.ifindex == ifindex &&
		    g->cfg->version == version && g->cfg->group == group)
			return g;
	}
	return NULL;
}

static void on_rx(void *data, const struct hsrp_io_rx *rx)
{
	struct hsrp *h = data;
	bool v2 = ntohl(rx->dst.s_addr) == HSRP_V2_MCAST;
	struct hsrp_group *g;
	struct hsrp_msg m;
	int ret;

	ret = v2 ? hsrp_v2_decode(rx->buf, rx->len, &m) :
		   hsrp_v1_decode(rx->buf, rx->len, &m);
	if (ret == -ENOMSG)
		return;
	if (ret) {
		h->malformed++;
		log_ratelimited(LOG_WARNING,
				"standby: malformed HSRP from %s: %s",
				inet_ntoa(rx->src), strerror(-ret));
		return;
	}
	g = group_for(h, rx->ifindex, m.version, m.group);
	if (!g) {
		h->unknown_group++;
		log_debug(LOG_STANDBY,
			  "standby: v%u group %u from %s: not ours", m.version,
			  m.group, inet_ntoa(rx->src));
		return;
	}
	if (m.ip_version != 4) {
		g->stats.not_ipv4++;
		return;
	}
	if (!authentic(g, rx, &m)) {
		g->stats.auth_failures++;
		log_ratelimited(LOG_WARNING,
				"standby %s: %s from %s fails authentication",
				g->cfg->name, hsrp_opcode_str(m.opcode),
				inet_ntoa(rx->src));
		return;
	}
	log_debug(LOG_STANDBY, "standby %s: %s from %s (%s, priority %u)",
		  g->cfg->name, hsrp_opcode_str(m.opcode), inet_ntoa(rx->src),
		  hsrp_state_str(m.state), m.priority);
	hsrp_fsm_receive(&g->fsm, &m, rx->src, loop_now_ms());
	rearm(g);
}

/* ---- interfaces and tracking ----------------------------------------- */

static uint32_t tracked_priority(const struct hsrp_group *g)
{
	uint32_t prio = g->cfg->priority, down = 0;
	size_t i;

	for (i = 0; i < g->cfg->n_tracks; i++) {
		struct link_state s;

		link_watch_state(g->cfg->tracks[i].ifname,
				 (struct in_addr){ 0 }, &s);
		if (!s.up)
			down += g->cfg->tracks[i].decrement;
	}
	return down >= prio ? 0 : prio - down;
}

static void fsm_params(const struct hsrp_group *g, struct hsrp_fsm_params *p)
{
	const struct config_standby_group *c = g->cfg;

	*p = (struct hsrp_fsm_params){
		.version = c->version,
		.group = c->group,
		.vip = c->vip,
		.addr = g->link.addr,
		.hello_ms = c->hello_ms,
		.hold_ms = c->hold_ms,
		.priority = tracked_priority(g),
		.preempt = c->preempt,
		.preempt_min_ms = c->preempt_min_ms,
		.preempt_reload_ms = c->preempt_reload_ms,
		.preempt_sync_ms = c->preempt_sync_ms,
	};
}

/* The interface as it is now: join, leave, enable, disable, track. */
static void group_refresh(struct hsrp_group *g)
{
	struct hsrp *h = g->h;
	struct hsrp_fsm_params p;
	struct link_state was = g->link;
	uint64_t now = loop_now_ms();
	bool usable;

	link_watch_state(g->cfg->ifname,
			 g->cfg->use_bia ? group_vip(g) : (struct in_addr){ 0 },
			 &g->link);
	if (was.ifindex != g->link.ifindex && g->owning) {
		/* Re-created: the macvlan went with the old interface. */
		g->owning = false;
		g->proxy_arp = false;
	}
	if (g->leader) {
		/* Its own interface may have come or gone: follow again. */
		if (g->follow_state == HSRP_STATE_ACTIVE && !g->owning)
			own(g);
		return;
	}
	if (g->joined_ifindex && g->joined_ifindex != g->link.ifindex) {
		hsrp_io_leave(h->io, g->joined_ifindex,
			      mcast_of(g->cfg->version));
		g->joined_ifindex = 0;
	}
	if (g->link.ifindex && !g->joined_ifindex) {
		int ret = hsrp_io_join(h->io, g->link.ifindex,
				       mcast_of(g->cfg->version));

		if (!ret)
			g->joined_ifindex = g->link.ifindex;
		else
			log_ratelimited(LOG_ERR,
					"standby %s: joining the group on %s: "
					"%s",
					g->cfg->name, g->cfg->ifname,
					strerror(-ret));
	}
	usable = g->link.up && g->link.addr.s_addr && g->joined_ifindex &&
		 !g->admin_down && now >= g->hold_down_until;
	if (g->fsm.state != HSRP_STATE_INITIAL &&
	    (!usable || was.addr.s_addr != g->link.addr.s_addr ||
	     was.ifindex != g->link.ifindex))
		hsrp_fsm_disable(&g->fsm, now,
				 g->admin_down ?
					 "resigned by the operator" :
				 now < g->hold_down_until ?
					 "cannot own the virtual address" :
				 !g->link.up ? "interface down" :
					       "interface address changed");
	if (now < g->hold_down_until)
		loop_timer_arm_at(h->loop, &g->retry, g->hold_down_until);
	fsm_params(g, &p);
	hsrp_fsm_set_params(&g->fsm, &p, now);
	if (usable)
		hsrp_fsm_enable(&g->fsm, now);
	rearm(g);
}

static void on_links(void *data)
{
	struct hsrp *h = data;
	size_t i;

	for (i = 0; i < h->n_groups; i++)
		group_refresh(&h->groups[i]);
}

/* ---- setup ------------------------------------------------------------ */

static void vmac_spec(struct hsrp_group *g)
{
	const struct config_standby_group *c = g->cfg;

	memset(&g->vmac, 0, sizeof(g->vmac));
	g->vmac.plen = 32;
	g->vmac.use_bia = c->use_bia;
	if (c->has_mac)
		memcpy(g->vmac.mac, c->mac, sizeof(g->vmac.mac));
	else
		hsrp_virtual_mac(c->version, c->group, g->vmac.mac);
}

static void on_retry(struct loop_timer *t)
{
	group_refresh(t->data);
}

static int group_init(struct hsrp *h, struct hsrp_group *g,
		      const struct config_standby_group *c, unsigned int index)
{
	struct hsrp_fsm_params p;
	int ret;

	g->h = h;
	g->cfg = c;
	g->index = index;
	loop_timer_init(&g->timer, on_timer, g);
	loop_timer_init(&g->retry, on_retry, g);
	vmac_spec(g);
	if (c->notify) {
		ret = notify_new(&g->notify, h->loop, c->notify,
				 NOTIFY_TIMEOUT_MS, 1);
		if (ret)
			return ret;
	}
	fsm_params(g, &p);
	hsrp_fsm_init(&g->fsm, &p, &fsm_ops, g);
	return 0;
}

static int groups_init(struct hsrp *h)
{
	const struct config_standby *sb = config_standby(h->cfg);
	size_t i, j;
	int ret;

	h->groups = calloc(sb->n_groups ? sb->n_groups : 1, sizeof(*h->groups));
	if (!h->groups)
		return -ENOMEM;
	for (i = 0; i < sb->n_groups; i++) {
		ret = group_init(h, &h->groups[i], &sb->groups[i],
				 (unsigned int)i);
		h->n_groups++;
		if (ret)
			return ret;
	}
	for (i = 0; i < h->n_groups; i++) {
		if (!h->groups[i].cfg->follow)
			continue;
		for (j = 0; j < h->n_groups; j++)
			if (!strcmp(h->groups[j].cfg->name,
				    h->groups[i].cfg->follow))
				h->groups[i].leader = &h->groups[j];
	}
	return 0;
}

/*
 * What a daemon killed while active left: no second owner after a restart.
 * In the order of leaving Active: the home link's proxy ARP first, then
 * the macvlans and addresses. Run whether or not groups are configured now
 * (HSRP removed from the configuration after a crash leaves them too).
 */
static void clean_up_after_crash(struct hsrp *h)
{
	size_t i;
	int n;

	for (i = 0; i < h->n_groups; i++) {
		struct hsrp_group *g = &h->groups[i];

		g->proxy_arp = true; /* unknown: switch it off */
		link_watch_state(g->cfg->ifname, (struct in_addr){ 0 },
				 &g->link);
		proxy_arp_set(g, false);
		g->proxy_arp = false;
	}
	n = hsrp_vmac_cleanup(h->vm);
	if (n > 0)
		log_notice("standby: removed %d virtual address%s left by a "
			   "previous run",
			   n, n == 1 ? "" : "es");
}

static void on_start(struct loop_timer *t)
{
	on_links(t->data);
}

int hsrp_new(struct hsrp **hp, struct loop *l, const struct config *cfg)
{
	struct hsrp *h;
	int ret;

	*hp = NULL;
	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	h->loop = l;
	h->cfg = cfg;
	loop_timer_init(&h->start, on_start, h);
	ret = groups_init(h);
	if (!ret)
		ret = hsrp_vmac_open(&h->vm);
	if (ret)
		goto err;
	*hp = h;
	if (!h->n_groups) {
		clean_up_after_crash(h);
		return 0;
	}
	ret = kernel_open(&h->ks, 0);
	if (!ret)
		ret = hsrp_io_open(&h->io, l, on_rx, h);
	if (!ret)
		ret = link_watch_open(&h->lw, l, on_links, h);
	if (ret)
		goto err;
	clean_up_after_crash(h);
	loop_timer_arm(l, &h->start, 0);
	return 0;
err:
	*hp = NULL;
	hsrp_free(h);
	return ret;
}

void hsrp_free(struct hsrp *h)
{
	size_t i;

	if (!h)
		return;
	for (i = 0; i < h->n_groups; i++) {
		struct hsrp_group *g = &h->groups[i];

		if (!g->leader && h->io)
			hsrp_fsm_disable(&g->fsm, loop_now_ms(), "shutdown");
	}
	for (i = 0; i < h->n_groups; i++) {
		struct hsrp_group *g = &h->groups[i];

		if (h->vm)
			disown(g);
		loop_timer_cancel(h->loop, &g->timer);
		loop_timer_cancel(h->loop, &g->retry);
		notify_free(g->notify);
	}
	loop_timer_cancel(h->loop, &h->start);
	link_watch_close(h->lw);
	hsrp_io_close(h->io);
	kernel_close(h->ks);
	hsrp_vmac_close(h->vm);
	free(h->groups);
	free(h);
}

static bool same_str(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

void hsrp_set_config(struct hsrp *h, const struct config *cfg)
{
	size_t i;

	h->cfg = cfg;
	for (i = 0; i < h->n_groups; i++) {
		struct hsrp_group *g = &h->groups[i];
		const struct config_standby_group *c =
			config_standby_by_name(cfg, g->cfg->name);

		/* config_diff() refused additions and removals. */
		if (!c)
			continue;
		if (!same_str(c->notify, g->cfg->notify)) {
			notify_free(g->notify);
			g->notify = NULL;
			if (c->notify &&
			    notify_new(&g->notify, h->loop, c->notify,
				       NOTIFY_TIMEOUT_MS, 1))
				log_err("standby %s: notify hook %s: cannot "
					"start",
					c->name, c->notify);
		}
		g->cfg = c;
	}
	on_links(h);
	/* proxy-arp of the home link may have changed: follow it. */
	for (i = 0; i < h->n_groups; i++) {
		struct hsrp_group *g = &h->groups[i];

		if (g->proxy_arp) {
			proxy_arp_set(g, false);
			if (g->owning)
				proxy_arp_set(g, true);
		} else if (g->owning) {
			proxy_arp_set(g, true);
		}
	}
}

void hsrp_set_event_fn(struct hsrp *h, hsrp_event_fn fn, void *data)
{
	if (!h)
		return;
	h->event_fn = fn;
	h->event_data = data;
}

/* Router r, another, at addr, its hold time not over (Learn keeps it). */
static bool heard_at(const struct hsrp_router *r, struct in_addr addr,
		     uint64_t now)
{
	return r->known && !r->local && r->addr.s_addr == addr.s_addr &&
	       r->expires_ms > now;
}

bool hsrp_hears(const struct hsrp *h, struct in_addr addr)
{
	uint64_t now;
	size_t i;

	if (!h)
		return false;
	now = loop_now_ms();
	for (i = 0; i < h->n_groups; i++) {
		const struct hsrp_fsm *f = &h->groups[i].fsm;

		if (h->groups[i].leader)
			continue; /* a follow group elects nothing */
		if (heard_at(&f->active, addr, now) ||
		    heard_at(&f->standby, addr, now))
			return true;
	}
	return false;
}

bool hsrp_addr_served(void *data, struct in_addr addr)
{
	const struct hsrp *h = data;
	size_t i;

	for (i = 0; h && i < h->n_groups; i++) {
		const struct hsrp_group *g = &h->groups[i];

		if (group_vip(g).s_addr == addr.s_addr)
			return group_state(g) == HSRP_STATE_ACTIVE;
	}
	return true;
}

static struct hsrp_group *by_name(struct hsrp *h, const char *name)
{
	size_t i;

	for (i = 0; h && i < h->n_groups; i++)
		if (!strcmp(h->groups[i].cfg->name, name))
			return &h->groups[i];
	return NULL;
}

int hsrp_resign(struct hsrp *h, const char *name)
{
	struct hsrp_group *g = by_name(h, name);

	if (!g)
		return -ENOENT;
	if (g->leader)
		return -EINVAL;
	g->admin_down = true;
	group_refresh(g);
	return 0;
}

int hsrp_resume(struct hsrp *h, const char *name)
{
	struct hsrp_group *g = by_name(h, name);

	if (!g)
		return -ENOENT;
	if (g->leader)
		return -EINVAL;
	g->admin_down = false;
	group_refresh(g);
	return 0;
}

int hsrp_sync_done(struct hsrp *h, const char *name)
{
	struct hsrp_group *g = by_name(h, name);

	if (!g)
		return -ENOENT;
	if (g->leader)
		return -EINVAL;
	hsrp_fsm_sync_done(&g->fsm, loop_now_ms());
	rearm(g);
	return 0;
}

/* ---- views ------------------------------------------------------------ */

static json_t *router_json(const struct hsrp_router *r, uint64_t now)
{
	char a[INET_ADDRSTRLEN];

	if (!r->known)
		return json_null();
	inet_ntop(AF_INET, &r->addr, a, sizeof(a));
	return json_pack("{s:s,s:b,s:I,s:I}", "address", a, "local", r->local,
			 "priority", (json_int_t)r->priority, "expires_ms",
			 (json_int_t)(r->local || r->expires_ms < now ?
					      0 :
					      r->expires_ms - now));
}

static json_t *group_json(const struct hsrp_group *g)
{
	const struct config_standby_group *c = g->cfg;
	const struct hsrp_fsm *f = g->leader ? &g->leader->fsm : &g->fsm;
	struct in_addr vip = group_vip(g);
	char vip_s[INET_ADDRSTRLEN], mac[18], when[32];
	const uint8_t *m = c->use_bia ? g->link.mac : g->vmac.mac;
	uint64_t now = loop_now_ms();
	struct tm tm;

	inet_ntop(AF_INET, &vip, vip_s, sizeof(vip_s));
	snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1],
		 m[2], m[3], m[4], m[5]);
	gmtime_r(&g->changed.tv_sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return json_pack(
		"{s:s,s:s,s:i,s:i,s:s,s:s,s:s,s:b,s:I,s:I,s:{s:b,s:I,s:I,s:I},"
		"s:{s:I,s:I},s:{s:I,s:I},s:o,s:o,s:s*,s:{s:s,s:I,s:s,s:s},"
		"s:{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I},s:b,s:b,s:I}",
		"name", c->name, "interface", c->ifname, "group", c->group,
		"version", c->version, "state", hsrp_state_str(group_state(g)),
		"virtual_ip", vip_s, "virtual_mac", mac, "use_bia", c->use_bia,
		"priority", (json_int_t)f->p.priority, "configured_priority",
		(json_int_t)c->priority, "preempt", "enabled", c->preempt,
		"delay_minimum_ms", (json_int_t)c->preempt_min_ms,
		"delay_reload_ms", (json_int_t)c->preempt_reload_ms,
		"delay_sync_ms", (json_int_t)c->preempt_sync_ms, "timers",
		"hello_ms", (json_int_t)hsrp_fsm_hello_ms(f), "hold_ms",
		(json_int_t)hsrp_fsm_hold_ms(f), "configured_timers",
		"hello_ms", (json_int_t)c->hello_ms, "hold_ms",
		(json_int_t)c->hold_ms, "active_router",
		router_json(&f->active, now), "standby_router",
		router_json(&f->standby, now), "follow", c->follow,
		"last_change", "time", g->changed.tv_sec ? when : "never",
		"monotonic_ms", (json_int_t)f->changed_ms, "from",
		hsrp_state_str(f->prev_state), "reason",
		f->reason ? f->reason : "", "counters", "hellos_sent",
		(json_int_t)f->stats.hellos_sent, "hellos_received",
		(json_int_t)f->stats.hellos_received, "coups_sent",
		(json_int_t)f->stats.coups_sent, "coups_received",
		(json_int_t)f->stats.coups_received, "resigns_sent",
		(json_int_t)f->stats.resigns_sent, "resigns_received",
		(json_int_t)f->stats.resigns_received, "state_changes",
		(json_int_t)f->stats.state_changes, "auth_failures",
		(json_int_t)g->stats.auth_failures, "own_errors",
		(json_int_t)g->stats.own_errors, "owning", g->owning,
		"resigned", g->admin_down, "clock_ms", (json_int_t)now);
}

json_t *hsrp_stats_json(const struct hsrp *h)
{
	static const struct hsrp_io_stats none;
	const struct hsrp_io_stats *s = h && h->io ? hsrp_io_get_stats(h->io) :
						     &none;

	return json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "received",
			 (json_int_t)s->received, "sent", (json_int_t)s->sent,
			 "send_errors", (json_int_t)s->send_errors,
			 "not_multicast", (json_int_t)s->not_multicast,
			 "bad_ttl", (json_int_t)s->bad_ttl, "bad_source",
			 (json_int_t)s->bad_source, "truncated",
			 (json_int_t)s->truncated, "malformed",
			 (json_int_t)(h ? h->malformed : 0), "unknown_group",
			 (json_int_t)(h ? h->unknown_group : 0));
}

json_t *hsrp_json(const struct hsrp *h, const char *name)
{
	json_t *a = json_array();
	size_t i;

	if (!a)
		return NULL;
	for (i = 0; h && i < h->n_groups; i++) {
		const struct hsrp_group *g = &h->groups[i];

		if (name && strcmp(g->cfg->name, name))
			continue;
		json_array_append_new(a, group_json(g));
	}
	if (name && !json_array_size(a)) {
		json_decref(a);
		return NULL;
	}
	return a;
}
