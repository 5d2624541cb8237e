// SPDX-License-Identifier: GPL-2.0
/*
 * config_vnet: virtual-network "NET MASK" { address A } (IOS "ip mobile
 * virtual-network"): home networks with no link, whose prefixes the
 * daemon routes (vnet.c). Their addresses join the home-agent addresses.
 *
 * Reload: live. The daemon makes its routes exactly the new set
 * (vnet_sync()): a virtual network removed loses its route, one added
 * gets it. An address changed is a home-agent address change, which the
 * home-agent section refuses.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>

#include "config_kit.h"

static cfg_opt_t vnet_opts[] = {
	CONFIG_OPT("address"),
	CFG_END(),
};

static cfg_opt_t top_opts[] = {
	CFG_SEC("virtual-network", vnet_opts, CONFIG_MULTI),
	CFG_END(),
};

static int vnet_load(struct config_load *l)
{
	struct config *c = l->cfg;
	unsigned int n = cfg_size(l->top, "virtual-network"), i, j;
	int err;

	c->vnets = calloc(n ? n : 1, sizeof(*c->vnets));
	if (!c->vnets)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		cfg_t *s = cfg_getnsec(l->top, "virtual-network", i);
		struct config_vnet *v = &c->vnets[i];
		const char *msg;

		v->line = config_sec_line(l, s);
		msg = config_parse_prefix(cfg_title(s), &v->net, &v->plen);
		if (msg)
			return config_fail(l, v->line,
					   "virtual-network \"%s\": %s",
					   cfg_title(s), msg);
		if (config_str(s, "address")) {
			err = config_get_addr(l, s, "address", 0, &v->ha_addr);
			if (err)
				return err;
			err = config_add_ha_addr(c, v->ha_addr);
			if (err)
				return err;
		}
		for (j = 0; j < i; j++) {
			const struct config_vnet *o = &c->vnets[j];
			uint32_t m = config_plen_mask(
				o->plen < v->plen ? o->plen : v->plen);

			if ((ntohl(o->net.s_addr) & m) ==
			    (ntohl(v->net.s_addr) & m))
				return config_fail(
					l, v->line,
					"virtual-network \"%s\" overlaps "
					"the one at line %d",
					cfg_title(s), o->line);
		}
		c->n_vnets++;
	}
	return 0;
}

static void vnet_free(struct config *c)
{
	free(c->vnets);
}

static void vnet_diff(const struct config *o, const struct config *n,
		      struct config_diff *d)
{
	size_t i;

	for (i = 0; i < o->n_vnets && o->n_vnets == n->n_vnets; i++)
		if (o->vnets[i].net.s_addr != n->vnets[i].net.s_addr ||
		    o->vnets[i].plen != n->vnets[i].plen ||
		    o->vnets[i].ha_addr.s_addr != n->vnets[i].ha_addr.s_addr)
			break;
	if (o->n_vnets != n->n_vnets || i < o->n_vnets)
		config_diff_live(d, CONFIG_CHG_VNETS, "virtual networks");
}

const struct config_section config_vnet_section = {
	.name = "virtual-network",
	.opts = top_opts,
	.load = vnet_load,
	.free = vnet_free,
	.diff = vnet_diff,
};

/* ---- lookups ---------------------------------------------------------- */

const struct config_vnet *config_find_vnet(const struct config *c,
					   struct in_addr net, uint8_t plen)
{
	size_t i;

	for (i = 0; i < c->n_vnets; i++)
		if (c->vnets[i].net.s_addr == net.s_addr &&
		    c->vnets[i].plen == plen)
			return &c->vnets[i];
	return NULL;
}

bool config_in_vnet(const struct config_vnet *v, uint32_t a)
{
	uint32_t m = config_plen_mask(v->plen);

	return (a & m) == ntohl(v->net.s_addr);
}

const struct config_vnet *config_vnet_by_addr(const struct config *c,
					      struct in_addr addr)
{
	const struct config_vnet *best = NULL;
	size_t i;

	for (i = 0; i < c->n_vnets; i++)
		if (config_in_vnet(&c->vnets[i], ntohl(addr.s_addr)) &&
		    (!best || c->vnets[i].plen > best->plen))
			best = &c->vnets[i];
	return best;
}
