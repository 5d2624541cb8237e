// SPDX-License-Identifier: GPL-2.0
/*
 * mipha-agentd: the Mobile IPv4 home agent daemon.
 *
 *	mipha-agentd [-f] [-c FILE] [-d SUBSYS,...] [--flush-on-exit]
 *	mipha-agentd --check FILE
 *
 * Start: load and validate the configuration (refuse to start on any
 * error), open the kernel, rebuild the binding table from the kernel's
 * (agent cookies), install the virtual networks' routes, listen on UDP 434
 * and on the control socket. SIGHUP reloads what can change live and
 * refuses the rest with a reason. SIGTERM/SIGINT: stop, and leave the
 * kernel's bindings and the virtual networks' routes in place (they keep
 * forwarding and the bindings expire on their own), unless
 * --flush-on-exit: then both go.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <jansson.h>

#include "config.h"
#include "ctlsock_server.h"
#include "hsrp.h"
#include "switchover.h"
#include "sync.h"
#include "ipsp.h"
#include "socket_commands.h"
#include "kernel.h"
#include "log.h"
#include "loop.h"
#include "pool.h"
#include "reg.h"
#include "vnet.h"

struct agentd {
	const char *config_path;
	bool debug_from_cmdline;
	unsigned int debug_mask;
	bool flush_on_exit;
	bool foreground;
	bool detached; /* daemon() done: stderr is gone */
	struct config *cfg;
	struct pool_set *pools;
	struct loop *loop;
	struct reg *reg;
	struct hsrp *hsrp;
	struct sync *sync; /* NULL without home-agent redundancy */
	struct ipsp *ipsp; /* NULL without an ipsp section */
	struct switchover_service switchover;
	struct vnet *vnet;
	struct ctlsock *ctl;
	char reload_msg[768];
	unsigned long reloads, reload_refusals;
	bool stopping; /* the loop ended: what runs now tears down */
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: mipha-agentd [-f] [-c FILE] [-d SUBSYS,...] "
		"[--flush-on-exit]\n"
		"       mipha-agentd --check FILE\n"
		"  -f, --foreground     stay in the foreground, log to stderr\n"
		"  -c, --config FILE    configuration (default %s)\n"
		"  -d, --debug LIST     debug subsystems: registration, pool,\n"
		"                       kernel, ctl, config, standby, all\n"
		"      --flush-on-exit  remove every binding from the kernel "
		"on exit\n"
		"      --check FILE     validate FILE and exit (0: valid)\n",
		CONFIG_DEFAULT_PATH);
}

static int check_only(const char *path)
{
	char err[512];
	struct config *cfg;
	int ret;

	ret = config_load(path, &cfg, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	printf("%s: configuration valid: %zu hosts, %zu pools, "
	       "%zu virtual networks\n",
	       path, cfg->n_hosts, cfg->n_pools, cfg->n_vnets);
	config_free(cfg);
	return 0;
}

/* Debug switches (-d wins over the file), target and facility. */
static void apply_log(struct agentd *a, const struct config *cfg)
{
	/*
	 * In the foreground stderr, unless the configuration says syslog;
	 * in the background syslog, once detached (start-up errors still
	 * reach the terminal).
	 */
	log_open("mipha-agentd",
		 (a->foreground && cfg->log_target != CONFIG_LOG_SYSLOG) ||
				 (!a->foreground && !a->detached) ?
			 LOG_TO_STDERR :
			 LOG_TO_SYSLOG,
		 cfg->log_facility);
	log_set_debug(a->debug_from_cmdline ? a->debug_mask : cfg->debug_mask);
}

static void pool_event(void *ctx, const struct pool_event *ev)
{
	(void)ctx;
	/* The pool logs the line itself; this is where hooks will go. */
	log_debug(LOG_POOL, "pool %s: %s threshold %u%% (%llu of %llu used)",
		  ev->pool, ev->kind == POOL_EVENT_HIGH ? "high" : "low",
		  ev->threshold, (unsigned long long)ev->used,
		  (unsigned long long)ev->size);
}

static int vnet_apply(struct agentd *a, const struct config *cfg)
{
	struct vnet_prefix p[cfg->n_vnets + 1];
	size_t i;

	for (i = 0; i < cfg->n_vnets; i++) {
		p[i].addr = cfg->vnets[i].net;
		p[i].len = cfg->vnets[i].plen;
	}
	return vnet_sync(a->vnet, p, cfg->n_vnets, NULL, NULL);
}

/*
 * A reload undoes in the kernel what the new configuration no longer
 * asks for. reg_set_config() sets the proxy ARP of the links configured;
 * a home link that left the configuration keeps the kernel's setting
 * unless it is switched off here, and mipha.ko would go on answering ARP
 * for home addresses on a link we no longer serve. Only what we switched
 * on (the old configuration's proxy-arp) is switched off; an interface
 * gone took its setting with it.
 */
static void links_retire(const struct config *old, const struct config *cfg)
{
	struct kernel_sock *ks = NULL;
	size_t i;
	int ret;

	for (i = 0; i < old->n_links; i++) {
		const struct config_link *cl = &old->links[i];
		struct kernel_link kl = { 0 };
		uint32_t ifx;

		if (!config_link_gone(old, cfg, i) || !cl->proxy_arp)
			continue;
		ifx = if_nametoindex(cl->ifname);
		if (!ifx)
			continue;
		if (!ks) {
			ret = kernel_open(&ks, 0);
			if (ret) {
				log_err("home link %s removed: kernel: %s",
					cl->ifname, strerror(-ret));
				return;
			}
		}
		ret = kernel_link_get(ks, ifx, &kl);
		if (!ret && !(kl.has_proxy_arp && kl.proxy_arp))
			continue;
		memset(&kl, 0, sizeof(kl));
		kl.ifindex = ifx;
		kl.has_proxy_arp = true;
		kl.proxy_arp = false;
		ret = kernel_link_set(ks, &kl);
		if (ret)
			log_err("home link %s removed: proxy ARP off: %s",
				cl->ifname, strerror(-ret));
		else
			log_info("home link %s removed: proxy ARP off",
				 cl->ifname);
	}
	kernel_close(ks);
}

/*
 * A home link removed, or its proxy ARP switched off, while bindings use
 * it is refused: mipha.ko answers ARP on the link for them only while its
 * proxy ARP is on, so switching it off would cut every away node bound
 * there from the home link until it expires. Once they have gone
 * (deregistered, expired), the reload is live.
 */
static bool links_in_use(const struct agentd *a, const struct config *cfg,
			 char *msg, size_t len)
{
	size_t i, n;

	for (i = 0; i < a->cfg->n_links; i++) {
		const struct config_link *cl = &a->cfg->links[i];
		const struct config_link *nl = config_link_by_name(cfg, cl->ifname);

		if (!cl->proxy_arp || (nl && nl->proxy_arp))
			continue;
		n = reg_bindings_on_link(a->reg, if_nametoindex(cl->ifname));
		if (!n)
			continue;
		snprintf(msg, len,
			 "reload refused: home link %s %s while %zu "
			 "binding%s use it (it can go once they deregister "
			 "or expire)",
			 cl->ifname, nl ? "loses its proxy ARP" : "removed", n,
			 n == 1 ? "" : "s");
		return true;
	}
	return false;
}

/*
 * Followers of the control socket's events see every reload, refused or
 * not, however it was asked for (SIGHUP, miphactl config reload).
 */
static void reload_publish(struct agentd *a, bool ok, const char *msg)
{
	ctlsock_publish(a->ctl, "reload",
			json_pack("{s:b, s:s}", "ok", ok, "message", msg));
}

/* Returns 0 if the new configuration runs; else msg says why not. */
static int reload(struct agentd *a, char *msg, size_t len)
{
	struct config *cfg;
	struct pool_set *pools;
	struct config_diff diff;
	struct in_addr missing;
	char err[512];
	int ret;

	ret = config_load(a->config_path, &cfg, err, sizeof(err));
	if (ret) {
		snprintf(msg, len, "reload refused: %s", err);
		goto refused;
	}
	config_diff(a->cfg, cfg, &diff);
	if (!diff.live_ok) {
		snprintf(msg, len, "reload refused (needs a restart): %s",
			 diff.reason);
		config_free(cfg);
		goto refused;
	}
	if (links_in_use(a, cfg, msg, len)) {
		config_free(cfg);
		goto refused;
	}
	pools = pool_set_new(cfg);
	if (!pools) {
		snprintf(msg, len, "reload refused: %s", strerror(errno));
		config_free(cfg);
		goto refused;
	}
	pool_set_event_fn(pools, pool_event, a);
	ret = pool_set_transfer(a->pools, pools, &missing);
	if (ret) {
		snprintf(msg, len,
			 "reload refused: address %s in use has no "
			 "pool in the new configuration",
			 inet_ntoa(missing));
		pool_set_free(pools);
		config_free(cfg);
		goto refused;
	}
	ret = reg_set_config(a->reg, cfg, pools);
	if (ret) {
		snprintf(msg, len, "reload refused: %s", strerror(-ret));
		pool_set_free(pools);
		config_free(cfg);
		goto refused;
	}
	links_retire(a->cfg, cfg);
	hsrp_set_config(a->hsrp, cfg);
	if (a->sync)
		sync_set_config(a->sync, cfg);
	if (a->ipsp)
		ipsp_set_config(a->ipsp, cfg, pools);
	pool_set_free(a->pools);
	config_free(a->cfg);
	a->cfg = cfg;
	a->pools = pools;
	apply_log(a, cfg);
	if (diff.changes & CONFIG_CHG_VNETS)
		vnet_apply(a, cfg);
	a->reloads++;
	if (diff.live[0])
		log_info("reload: changed live: %s", diff.live);
	snprintf(msg, len, "configuration reloaded from %s (change mask 0x%x)",
		 a->config_path, diff.changes);
	log_notice("%s", msg);
	reload_publish(a, true, msg);
	return 0;

refused:
	a->reload_refusals++;
	log_err("%s", msg);
	reload_publish(a, false, msg);
	return -EINVAL;
}

static void on_signal(struct loop *l, int signo, void *data)
{
	struct agentd *a = data;

	switch (signo) {
	case SIGHUP:
		/* stopping (IPSP drains its connection): nothing reloads */
		if (!a->stopping)
			reload(a, a->reload_msg, sizeof(a->reload_msg));
		break;
	case SIGTERM:
	case SIGINT:
		log_notice("signal %d: stopping", signo);
		loop_stop(l);
		break;
	}
}

/* ---- control socket commands ------------------------------------------ */

static json_t *cmd_stats(void *data, const char *cmd, json_t *req,
			 struct ctlsock_stream *stream, const char **err)
{
	struct agentd *a = data;
	json_t *o = reg_stats_json(a->reg);
	struct ctlsock_event_counts ev;

	(void)cmd, (void)req, (void)stream, (void)err;
	if (o) {
		ctlsock_event_counts(a->ctl, &ev);
		json_object_set_new(o, "reloads",
				    json_integer((json_int_t)a->reloads));
		json_object_set_new(
			o, "reload_refusals",
			json_integer((json_int_t)a->reload_refusals));
		json_object_set_new(o, "standby", hsrp_stats_json(a->hsrp));
		json_object_set_new(o, "event_subscribers",
				    json_integer(ev.subscribers));
		json_object_set_new(o, "events_lost",
				    json_integer((json_int_t)ev.lost));
	}
	return o;
}

static json_t *cmd_config_reload(void *data, const char *cmd, json_t *req,
				 struct ctlsock_stream *stream,
				 const char **err)
{
	static char msg[768];
	struct agentd *a = data;

	(void)cmd, (void)req, (void)stream;
	if (reload(a, msg, sizeof(msg))) {
		*err = msg;
		return NULL;
	}
	return json_pack("{s:s}", "message", msg);
}

/* The daemon's own commands; registration and pools register theirs. */
static const struct ctlsock_command agentd_commands[] = {
	{ "stats", cmd_stats },
	{ "config reload", cmd_config_reload },
	{ NULL }
};

/*
 * Standby state changes: for the control socket's followers, and the
 * home agent's group (home-agent standby NAME) is peer sync's role.
 */
static void hsrp_event(void *data, const char *event, json_t *fields)
{
	struct agentd *a = data;
	const char *name = json_string_value(json_object_get(fields, "name"));
	const char *state = json_string_value(json_object_get(fields, "state"));

	if (a->sync && name && state && a->cfg->standby_group &&
	    !strcmp(name, a->cfg->standby_group))
		sync_set_role(a->sync,
			      !strcmp(state, "active")	? SYNC_ROLE_ACTIVE :
			      !strcmp(state, "standby") ? SYNC_ROLE_STANDBY :
							  SYNC_ROLE_LISTEN);
	ctlsock_publish(a->ctl, event, json_incref(fields));
}

/* ---- peer sync's view of the rest ------------------------------------ */

static const char *sync_link_name(void *ctx, uint32_t ifindex)
{
	static char name[IF_NAMESIZE];

	(void)ctx;
	return if_indextoname(ifindex, name);
}

/* Only a configured home link: a peer's record names no other interface. */
static uint32_t sync_link_index(void *ctx, const char *name)
{
	struct agentd *a = ctx;

	if (!config_link_by_name(a->cfg, name))
		return 0;
	return if_nametoindex(name);
}

/* A complete download from the active: preempt delay sync may end. */
static void sync_bulk_done(void *ctx)
{
	struct agentd *a = ctx;

	if (a->cfg->standby_group)
		hsrp_sync_done(a->hsrp, a->cfg->standby_group);
}

/* A partition healed and we stay active: our bindings announced again. */
static void sync_healed(void *ctx)
{
	struct agentd *a = ctx;

	log_notice("redundancy: announcing the bindings of %u home links",
		   reg_announce_all(a->reg));
}

/* Peer sync's events, for the control socket's followers. */
static void sync_event(void *ctx, json_t *fields)
{
	struct agentd *a = ctx;

	if (a->ctl)
		ctlsock_publish(a->ctl, "redundancy", json_incref(fields));
}

/* miphactl redundancy switchover: is everything acknowledged? */
static int switchover_ready(void *ctx, uint64_t since_ms, const char **why)
{
	struct agentd *a = ctx;

	if (!a->cfg->standby_group) {
		*why = "home-agent has no standby group: there is no role to "
		       "hand over";
		return -EOPNOTSUPP;
	}
	return sync_handover_ready(a->sync, since_ms, why);
}

/* ... it is: our group resigns, and the standby takes over at once. */
static int switchover_hand_over(void *ctx, const char **why)
{
	struct agentd *a = ctx;
	int ret = hsrp_resign(a->hsrp, a->cfg->standby_group);

	if (ret)
		*why = "the standby group cannot resign (a follow group?)";
	return ret;
}

/* Peer sync's choice of path: a peer our HSRP groups hear there. */
static bool sync_hears(void *ctx, struct in_addr addr)
{
	struct agentd *a = ctx;

	return hsrp_hears(a->hsrp, addr);
}

static int sync_start(struct agentd *a)
{
	struct switchover_host sw_host = {
		.ready = switchover_ready,
		.hand_over = switchover_hand_over,
		.event = sync_event,
		.ctx = a,
	};
	struct sync_host host = {
		.loop = a->loop,
		.store = reg_store(a->reg),
		.ka = reg_kadapter(a->reg),
		.link_name = sync_link_name,
		.link_index = sync_link_index,
		.bulk_done = sync_bulk_done,
		.healed = sync_healed,
		.event = sync_event,
		.hears = sync_hears,
		.ctx = a,
	};
	struct in_addr any = { INADDR_ANY };
	int ret;

	if (!a->cfg->redundancy)
		return 0;
	ret = sync_new(&a->sync, &host, a->cfg, any, 0);
	if (ret)
		return ret;
	switchover_service_init(&a->switchover, a->loop, &sw_host);
	/* without a standby group nothing elects: we serve, so we lead */
	sync_set_role(a->sync, a->cfg->standby_group ? SYNC_ROLE_LISTEN :
						       SYNC_ROLE_ACTIVE);
	return 0;
}

static void ipsp_event(void *data, json_t *fields);

static int commands_register(struct agentd *a)
{
	int ret;

	ret = ctlsock_register(a->ctl, agentd_commands, a);
	if (!ret)
		ret = reg_commands_register(a->ctl, a->reg);
	if (!ret)
		ret = pool_commands_register(a->ctl, &a->pools);
	if (!ret)
		ret = hsrp_commands_register(a->ctl, a->hsrp);
	if (!ret && a->sync)
		ret = sync_commands_register(a->ctl, a->sync);
	if (!ret && a->sync)
		ret = switchover_commands_register(a->ctl, &a->switchover);
	if (!ret)
		ret = ipsp_commands_register(a->ctl, a->ipsp);
	if (!ret)
		hsrp_set_event_fn(a->hsrp, hsrp_event, a);
	if (!ret && a->ipsp)
		ipsp_set_event_fn(a->ipsp, ipsp_event, a);
	return ret;
}

/* ---- main ------------------------------------------------------------- */

/* IPSP's events, for the control socket's followers. */
static void ipsp_event(void *data, json_t *fields)
{
	struct agentd *a = data;

	if (a->ctl)
		ctlsock_publish(a->ctl, "ipsp", json_incref(fields));
}


static int run(struct agentd *a, bool foreground)
{
	static const int signals[] = { SIGHUP, SIGTERM, SIGINT };
	char err[512];
	int ret, status = 1;

	ret = config_load(a->config_path, &a->cfg, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "mipha-agentd: %s\n", err);
		return 1;
	}
	apply_log(a, a->cfg);
	if (loop_new(&a->loop)) {
		log_err("event loop: %s", strerror(errno));
		goto out_cfg;
	}
	ret = loop_signals(a->loop, signals, 3, on_signal, a);
	if (ret) {
		log_err("signals: %s", strerror(-ret));
		goto out_loop;
	}
	signal(SIGPIPE, SIG_IGN);
	a->pools = pool_set_new(a->cfg);
	if (!a->pools) {
		log_err("pools: %s", strerror(errno));
		goto out_loop;
	}
	pool_set_event_fn(a->pools, pool_event, a);
	ret = reg_new(&a->reg, a->loop, a->cfg, a->pools, NULL);
	if (ret)
		goto out_pools;
	ret = hsrp_new(&a->hsrp, a->loop, a->cfg);
	if (ret) {
		log_err("standby groups: %s", strerror(-ret));
		goto out_reg;
	}
	reg_set_addr_gate(a->reg, hsrp_addr_served, a->hsrp);
	ret = sync_start(a);
	if (ret) {
		log_err("redundancy (peer sync): %s", strerror(-ret));
		goto out_hsrp;
	}
	ret = ipsp_new(&a->ipsp, a->loop, a->cfg, a->pools, a->reg);
	if (ret) {
		log_err("ipsp (pool sharing): %s", strerror(-ret));
		goto out_hsrp;
	}
	ret = vnet_open(&a->vnet);
	if (ret) {
		log_err("rtnetlink: %s", strerror(-ret));
		goto out_hsrp;
	}
	if (vnet_apply(a, a->cfg))
		log_warn("some virtual network routes are missing");
	ret = ctlsock_open(&a->ctl, a->loop, a->cfg->control_socket);
	if (!ret) {
		ret = commands_register(a);
		if (ret) {
			ctlsock_close(a->ctl);
			a->ctl = NULL;
		}
	}
	if (ret) {
		log_err("control socket %s: %s", a->cfg->control_socket,
			strerror(-ret));
		goto out_vnet;
	}
	if (!foreground) {
		if (daemon(0, 0)) {
			log_err("daemon: %s", strerror(errno));
			goto out_ctl;
		}
		a->detached = true;
		apply_log(a, a->cfg);
	}
	log_notice("running: %zu bindings, %zu hosts, %zu HA addresses",
		   reg_binding_count(a->reg), a->cfg->n_hosts,
		   a->cfg->n_ha_addrs);
	ret = loop_run(a->loop);
	a->stopping = true;
	status = ret ? 1 : 0;
	if (ret)
		log_err("event loop: %s", strerror(-ret));
out_ctl:
	/* The groups' last events (their resigns) find no socket. */
	hsrp_set_event_fn(a->hsrp, NULL, NULL);
	ctlsock_close(a->ctl);
	a->ctl = NULL; /* (peer sync's last events find no socket either) */
out_vnet:
	/*
	 * The routes announce what the kernel's bindings serve: they stay
	 * while the bindings do (a restart must not make routing daemons
	 * withdraw the prefix) and go with them.
	 */
	if (a->flush_on_exit)
		vnet_sync(a->vnet, NULL, 0, NULL, NULL);
	vnet_close(a->vnet);
	a->vnet = NULL;
out_hsrp:
	/* A stop on purpose tells the IPSP peer (graceful termination). */
	ipsp_free(a->ipsp, status == 0);
	a->ipsp = NULL;
	/* Active groups resign: a standby takes over at once. */
	reg_set_addr_gate(a->reg, NULL, NULL);
	hsrp_free(a->hsrp);
	if (a->sync)
		switchover_service_stop(&a->switchover);
	sync_free(a->sync);
	a->sync = NULL;
out_reg:
	log_notice("%zu bindings %s", reg_binding_count(a->reg),
		   a->flush_on_exit ? "flushed" : "left in the kernel");
	reg_free(a->reg, a->flush_on_exit);
out_pools:
	pool_set_free(a->pools);
out_loop:
	loop_free(a->loop);
out_cfg:
	config_free(a->cfg);
	log_close();
	return status;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "foreground", no_argument, NULL, 'f' },
		{ "config", required_argument, NULL, 'c' },
		{ "debug", required_argument, NULL, 'd' },
		{ "check", required_argument, NULL, 'C' },
		{ "flush-on-exit", no_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct agentd a = { .config_path = CONFIG_DEFAULT_PATH };
	bool foreground = false;
	char bad[64];
	int c;

	while ((c = getopt_long(argc, argv, "fc:d:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			foreground = true;
			break;
		case 'c':
			a.config_path = optarg;
			break;
		case 'd':
			if (log_parse_debug(optarg, &a.debug_mask, bad,
					    sizeof(bad))) {
				fprintf(stderr,
					"mipha-agentd: -d: unknown subsystem "
					"\"%s\"\n",
					bad);
				return 2;
			}
			a.debug_from_cmdline = true;
			break;
		case 'C':
			return check_only(optarg);
		case 'F':
			a.flush_on_exit = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "mipha-agentd: unexpected \"%s\"\n",
			argv[optind]);
		usage(stderr);
		return 2;
	}
	a.foreground = foreground;
	return run(&a, foreground);
}
