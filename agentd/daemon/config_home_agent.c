// SPDX-License-Identifier: GPL-2.0
/*
 * config_home_agent: the home-agent { } section (IOS "ip mobile
 * home-agent ..."): our addresses, the dynamic address, redundancy and
 * standby group, and the defaults hosts and SAs inherit (lifetime,
 * replay window, reverse tunnel, encapsulation).
 *
 * Reload: the addresses (every socket is bound to them at start), the
 * dynamic address (bindings in the kernel carry it as their tunnel source)
 * and redundancy need a restart; lifetimes and policies are live (they
 * apply to the next registration).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config_kit.h"
#include "config_standby.h"

static cfg_opt_t home_agent_opts[] = {
	CONFIG_OPT_LIST("address"),  CONFIG_OPT("dynamic-address"),
	CONFIG_OPT("redundancy"),    CONFIG_OPT("standby"),
	CONFIG_OPT("lifetime"),	     CONFIG_OPT("max-lifetime"),
	CONFIG_OPT("replay-window"), CONFIG_OPT("reverse-tunnel"),
	CONFIG_OPT("encapsulation"), CFG_END(),
};

static cfg_opt_t top_opts[] = {
	CFG_SEC("home-agent", home_agent_opts, CFGF_NONE),
	CFG_END(),
};

/* Virtual networks add theirs: the list is every address we answer on. */
int config_add_ha_addr(struct config *c, struct in_addr a)
{
	struct in_addr *n;
	size_t i;

	for (i = 0; i < c->n_ha_addrs; i++)
		if (c->ha_addrs[i].s_addr == a.s_addr)
			return 0;
	n = realloc(c->ha_addrs, (c->n_ha_addrs + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	n[c->n_ha_addrs++] = a;
	c->ha_addrs = n;
	return 0;
}

static int home_agent_load(struct config_load *l)
{
	struct config *c = l->cfg;
	cfg_t *s = cfg_getsec(l->top, "home-agent");
	unsigned int i, j;
	const char *v;
	int err;

	c->lifetime = CONFIG_DEFAULT_LIFETIME;
	c->max_lifetime = CONFIG_LIFETIME_MAX;
	c->replay_window = REPLAY_WINDOW_DEFAULT;
	c->reverse_tunnel = CONFIG_RT_ALLOWED;
	c->encap = CONFIG_ENCAP_ANY;
	if (!s)
		return 0;
	for (i = 0; i < cfg_size(s, "address"); i++) {
		struct in_addr a;

		err = config_get_addr(l, s, "address", i, &a);
		if (err)
			return err;
		for (j = 0; j < c->n_ha_addrs; j++)
			if (c->ha_addrs[j].s_addr == a.s_addr)
				return config_fail(
					l, config_opt_line(l, s, "address", i),
					"address %s listed twice",
					inet_ntoa(a));
		err = config_add_ha_addr(c, a);
		if (err)
			return err;
	}
	if (config_str(s, "dynamic-address")) {
		err = config_get_addr(l, s, "dynamic-address", 0,
				      &c->dynamic_addr);
		if (err)
			return err;
	}
	err = config_get_bool(l, s, "redundancy", &c->redundancy);
	if (err)
		return err;
	v = config_str(s, "standby");
	if (v) {
		if (!*v || strlen(v) > 255)
			return config_fail(l,
					   config_opt_line(l, s, "standby", 0),
					   "standby: group name must be 1-255 "
					   "characters");
		c->standby_group = strdup(v);
		if (!c->standby_group)
			return -ENOMEM;
	}
	err = config_get_u32(l, s, "max-lifetime", 1, CONFIG_LIFETIME_MAX,
			     &c->max_lifetime);
	if (err)
		return err;
	if (config_str(s, "lifetime")) {
		err = config_get_u32(l, s, "lifetime", 1, c->max_lifetime,
				     &c->lifetime);
		if (err)
			return err;
	} else if (c->lifetime > c->max_lifetime) {
		c->lifetime = c->max_lifetime;
	}
	err = config_get_u32(l, s, "replay-window", 1, 3600, &c->replay_window);
	if (err)
		return err;
	err = config_get_rt(l, s, &c->reverse_tunnel);
	if (err)
		return err;
	return config_get_encap(l, s, &c->encap);
}

/*
 * After the virtual networks added theirs. "standby NAME" makes the
 * group's virtual IP a home-agent address (IOS ip mobile home-agent
 * standby NAME): registrations to it are served while the group is active.
 */
static int home_agent_check(struct config_load *l)
{
	const struct config_standby_group *g;
	int err;

	if (l->cfg->standby_group) {
		cfg_t *s = cfg_getsec(l->top, "home-agent");

		g = config_standby_by_name(l->cfg, l->cfg->standby_group);
		if (!g || !g->vip.s_addr)
			return config_fail(l, config_opt_line(l, s, "standby", 0),
					   "home-agent standby \"%s\": no "
					   "standby group of that name with "
					   "an ip",
					   l->cfg->standby_group);
		err = config_add_ha_addr(l->cfg, g->vip);
		if (err)
			return err;
	}
	if (!l->cfg->n_ha_addrs)
		return config_fail(l, 0,
				   "no home-agent address: set home-agent { "
				   "address } or a virtual-network address");
	return 0;
}

static void home_agent_free(struct config *c)
{
	free(c->ha_addrs);
	free(c->standby_group);
}

static bool addrs_equal(const struct config *a, const struct config *b)
{
	size_t i;

	if (a->n_ha_addrs != b->n_ha_addrs)
		return false;
	for (i = 0; i < a->n_ha_addrs; i++)
		if (!config_is_ha_addr(b, a->ha_addrs[i]))
			return false;
	return true;
}

static void home_agent_diff(const struct config *o, const struct config *n,
			    struct config_diff *d)
{
	if (!addrs_equal(o, n))
		config_diff_restart(d, CONFIG_CHG_HA_ADDRS,
				    "home-agent addresses changed (the "
				    "registration sockets are bound at start)");
	if (o->dynamic_addr.s_addr != n->dynamic_addr.s_addr)
		config_diff_restart(d, CONFIG_CHG_DYNAMIC,
				    "dynamic-address changed (bindings in the "
				    "kernel carry it as their tunnel source)");
	if (o->redundancy != n->redundancy ||
	    !config_str_eq(o->standby_group, n->standby_group))
		config_diff_restart(d, CONFIG_CHG_REDUNDANCY,
				    "redundancy or standby group changed");
	if (o->lifetime != n->lifetime || o->max_lifetime != n->max_lifetime)
		config_diff_live(d, CONFIG_CHG_LIFETIME, "lifetimes");
	if (o->reverse_tunnel != n->reverse_tunnel || o->encap != n->encap ||
	    o->replay_window != n->replay_window)
		config_diff_live(d, CONFIG_CHG_POLICY, "policies");
}

const struct config_section config_home_agent_section = {
	.name = "home-agent",
	.opts = top_opts,
	.load = home_agent_load,
	.check = home_agent_check,
	.free = home_agent_free,
	.diff = home_agent_diff,
};

/* ---- lookups ---------------------------------------------------------- */

bool config_is_ha_addr(const struct config *c, struct in_addr addr)
{
	size_t i;

	if (c->dynamic_addr.s_addr && c->dynamic_addr.s_addr == addr.s_addr)
		return true;
	for (i = 0; i < c->n_ha_addrs; i++)
		if (c->ha_addrs[i].s_addr == addr.s_addr)
			return true;
	return false;
}

struct in_addr config_primary_ha_addr(const struct config *c)
{
	if (c->dynamic_addr.s_addr)
		return c->dynamic_addr;
	return c->n_ha_addrs ? c->ha_addrs[0] : (struct in_addr){ 0 };
}
