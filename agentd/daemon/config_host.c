// SPDX-License-Identifier: GPL-2.0
/*
 * config_host: host "A [B]" | "nai USER@REALM" | "nai @REALM" { ... }
 * (IOS "ip mobile host"): the mobile nodes we serve, their home network
 * (a virtual network or a home link), their addresses (a range, static
 * addresses or a pool) and their limits. Indexed at load for O(log n)
 * lookups by home address and by NAI.
 *
 * Reload: live. The next registration sees the new hosts; a binding in
 * place keeps what it was granted until it is renewed or expires.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config_kit.h"
#include "sort.h"

static cfg_opt_t host_opts[] = {
	CONFIG_OPT("virtual-network"),
	CONFIG_OPT("interface"),
	CONFIG_OPT_LIST("static-address"),
	CONFIG_OPT("pool"),
	CONFIG_OPT("lifetime"),
	CONFIG_OPT("reverse-tunnel"),
	CONFIG_OPT("encapsulation"),
	CFG_END(),
};

static cfg_opt_t top_opts[] = {
	CFG_SEC("host", host_opts, CONFIG_MULTI),
	CFG_END(),
};

struct addr_ent {
	struct config_range r;
	const struct config_host *host;
};

struct host_index {
	struct addr_ent *addr; /* hosts by home address, disjoint, sorted */
	size_t n_addr;
	struct config_nai_ent *nai; /* NAI hosts, sorted */
	size_t n_nai;
	struct config_nai_ent *realm; /* realm hosts, sorted */
	size_t n_realm;
};

static int load_host(struct config_load *l, cfg_t *s, struct config_host *h)
{
	struct config *c = l->cfg;
	enum config_match_kind k;
	const char *msg, *v, *vn = config_str(s, "virtual-network"),
			     *ifn = config_str(s, "interface");
	unsigned int i, ns = cfg_size(s, "static-address");
	int err;

	h->line = config_sec_line(l, s);
	msg = config_parse_match(cfg_title(s), &k, &h->range, &h->nai);
	if (msg)
		return config_fail(l, h->line, "host \"%s\": %s", cfg_title(s),
				   msg);
	h->kind = k == CONFIG_MATCH_ADDR ? CONFIG_HOST_ADDR :
		  k == CONFIG_MATCH_NAI	 ? CONFIG_HOST_NAI :
					   CONFIG_HOST_REALM;
	if (!vn == !ifn)
		return config_fail(
			l, h->line,
			"host \"%s\": needs either virtual-network or "
			"interface (its home network)",
			cfg_title(s));
	if (vn) {
		struct in_addr net;
		uint8_t plen;

		msg = config_parse_prefix(vn, &net, &plen);
		if (msg)
			return config_fail(
				l, config_opt_line(l, s, "virtual-network", 0),
				"virtual-network \"%s\": %s", vn, msg);
		h->vnet = config_find_vnet(c, net, plen);
		if (!h->vnet)
			return config_fail(
				l, config_opt_line(l, s, "virtual-network", 0),
				"virtual-network \"%s\" is not defined", vn);
	} else {
		h->link = config_link_by_name(c, ifn);
		if (!h->link)
			return config_fail(
				l, config_opt_line(l, s, "interface", 0),
				"interface \"%s\" is not a home-link", ifn);
	}
	h->lifetime = c->lifetime;
	err = config_get_u32(l, s, "lifetime", 1, c->max_lifetime,
			     &h->lifetime);
	if (err)
		return err;
	h->reverse_tunnel = c->reverse_tunnel;
	err = config_get_rt(l, s, &h->reverse_tunnel);
	if (err)
		return err;
	h->encap = c->encap;
	err = config_get_encap(l, s, &h->encap);
	if (err)
		return err;

	v = config_str(s, "pool");
	if (h->kind == CONFIG_HOST_ADDR) {
		if (ns || v)
			return config_fail(
				l,
				config_opt_line(l, s,
						ns ? "static-address" : "pool",
						0),
				"host \"%s\": static-address and pool are "
				"for NAI hosts (host \"nai ...\")",
				cfg_title(s));
		if (h->vnet && (!config_in_vnet(h->vnet, h->range.first) ||
				!config_in_vnet(h->vnet, h->range.last)))
			return config_fail(
				l, h->line,
				"host \"%s\": outside its virtual-network "
				"\"%s\"",
				cfg_title(s), vn);
		return 0;
	}
	if (!ns == !v)
		return config_fail(
			l, h->line,
			"host \"%s\": needs either static-address or pool",
			cfg_title(s));
	if (h->kind == CONFIG_HOST_REALM && ns)
		return config_fail(l,
				   config_opt_line(l, s, "static-address", 0),
				   "host \"%s\": a realm shares a pool; "
				   "static addresses belong to one NAI",
				   cfg_title(s));
	if (v) {
		const struct config_pool *p = config_pool_by_name(c, v);

		if (!p)
			return config_fail(l, config_opt_line(l, s, "pool", 0),
					   "pool \"%s\" is not defined", v);
		h->pool = p->name;
		return 0;
	}
	h->static_addrs = calloc(ns, sizeof(*h->static_addrs));
	if (!h->static_addrs)
		return -ENOMEM;
	for (i = 0; i < ns; i++) {
		struct in_addr a;

		err = config_get_addr(l, s, "static-address", i, &a);
		if (err)
			return err;
		if (h->vnet && !config_in_vnet(h->vnet, ntohl(a.s_addr)))
			return config_fail(
				l, config_opt_line(l, s, "static-address", i),
				"static-address %s is outside "
				"virtual-network \"%s\"",
				inet_ntoa(a), vn);
		h->static_addrs[h->n_static++] = a;
	}
	return 0;
}

static int host_load(struct config_load *l)
{
	struct config *c = l->cfg;
	unsigned int n = cfg_size(l->top, "host"), i;
	int err;

	c->hosts = calloc(n ? n : 1, sizeof(*c->hosts));
	if (!c->hosts)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		/* Counted first: config_free() frees what was started. */
		c->n_hosts++;
		err = load_host(l, cfg_getnsec(l->top, "host", i),
				&c->hosts[i]);
		if (err)
			return err;
	}
	return 0;
}

static int addr_ent_cmp(const void *a, const void *b)
{
	const struct addr_ent *x = a, *y = b;

	return x->r.first < y->r.first ? -1 : x->r.first > y->r.first;
}

static int nai_ent_cmp(const void *a, const void *b)
{
	const struct config_nai_ent *x = a, *y = b;

	return strcmp(x->nai, y->nai);
}

static int dup_nai(struct config_load *l, const struct config_nai_ent *v,
		   size_t n)
{
	size_t i;

	for (i = 1; i < n; i++)
		if (!strcmp(v[i - 1].nai, v[i].nai)) {
			const struct config_host *x = v[i - 1].item,
						 *y = v[i].item;

			return config_fail(
				l, x->line > y->line ? x->line : y->line,
				"host \"nai %s\" defined twice (line %d)",
				y->nai, x->line > y->line ? y->line : x->line);
		}
	return 0;
}

/* After the claims check: addresses of hosts are then disjoint. */
static int host_check(struct config_load *l)
{
	struct config *c = l->cfg;
	struct host_index *ix;
	size_t cap = 0, i, j;
	int err;

	ix = calloc(1, sizeof(*ix));
	if (!ix)
		return -ENOMEM;
	c->host_index = ix;
	for (i = 0; i < c->n_hosts; i++)
		cap += c->hosts[i].kind == CONFIG_HOST_ADDR ?
			       1 :
			       c->hosts[i].n_static;
	ix->addr = calloc(cap ? cap : 1, sizeof(*ix->addr));
	ix->nai = calloc(c->n_hosts ? c->n_hosts : 1, sizeof(*ix->nai));
	ix->realm = calloc(c->n_hosts ? c->n_hosts : 1, sizeof(*ix->realm));
	if (!ix->addr || !ix->nai || !ix->realm)
		return -ENOMEM;
	err = config_check_claims(l);
	if (err)
		return err;
	for (i = 0; i < c->n_hosts; i++) {
		const struct config_host *h = &c->hosts[i];

		if (h->kind == CONFIG_HOST_ADDR) {
			ix->addr[ix->n_addr++] =
				(struct addr_ent){ h->range, h };
			continue;
		}
		for (j = 0; j < h->n_static; j++) {
			uint32_t a = ntohl(h->static_addrs[j].s_addr);
			struct config_range r = { a, a };

			ix->addr[ix->n_addr++] = (struct addr_ent){ r, h };
		}
		if (h->kind == CONFIG_HOST_NAI)
			ix->nai[ix->n_nai++] =
				(struct config_nai_ent){ h->nai, h };
		else
			ix->realm[ix->n_realm++] =
				(struct config_nai_ent){ h->nai, h };
	}
	sort_array(ix->addr, ix->n_addr, sizeof(*ix->addr), addr_ent_cmp);
	sort_array(ix->nai, ix->n_nai, sizeof(*ix->nai), nai_ent_cmp);
	sort_array(ix->realm, ix->n_realm, sizeof(*ix->realm), nai_ent_cmp);
	err = dup_nai(l, ix->nai, ix->n_nai);
	return err ? err : dup_nai(l, ix->realm, ix->n_realm);
}

static void host_free(struct config *c)
{
	struct host_index *ix = c->host_index;
	size_t i;

	if (ix) {
		free(ix->addr);
		free(ix->nai);
		free(ix->realm);
		free(ix);
	}
	for (i = 0; i < c->n_hosts; i++) {
		free(c->hosts[i].nai);
		free(c->hosts[i].static_addrs);
	}
	free(c->hosts);
}

static bool host_eq(const struct config_host *a, const struct config_host *b)
{
	if (a->kind != b->kind || a->range.first != b->range.first ||
	    a->range.last != b->range.last || !config_str_eq(a->nai, b->nai) ||
	    a->n_static != b->n_static || !config_str_eq(a->pool, b->pool) ||
	    a->lifetime != b->lifetime ||
	    a->reverse_tunnel != b->reverse_tunnel || a->encap != b->encap ||
	    !a->vnet != !b->vnet || !a->link != !b->link)
		return false;
	if (a->n_static && memcmp(a->static_addrs, b->static_addrs,
				  a->n_static * sizeof(*a->static_addrs)))
		return false;
	if (a->vnet && (a->vnet->net.s_addr != b->vnet->net.s_addr ||
			a->vnet->plen != b->vnet->plen))
		return false;
	return !a->link || !strcmp(a->link->ifname, b->link->ifname);
}

static void host_diff(const struct config *o, const struct config *n,
		      struct config_diff *d)
{
	size_t i;

	for (i = 0; i < o->n_hosts && o->n_hosts == n->n_hosts; i++)
		if (!host_eq(&o->hosts[i], &n->hosts[i]))
			break;
	if (o->n_hosts != n->n_hosts || i < o->n_hosts)
		config_diff_live(d, CONFIG_CHG_HOSTS, "hosts");
}

const struct config_section config_host_section = {
	.name = "host",
	.opts = top_opts,
	.load = host_load,
	.check = host_check,
	.free = host_free,
	.diff = host_diff,
};

/* ---- lookups ---------------------------------------------------------- */

const struct config_host *config_host_by_addr(const struct config *c,
					      struct in_addr addr)
{
	const struct host_index *ix = c->host_index;
	uint32_t a = ntohl(addr.s_addr);
	size_t lo = 0, hi = ix->n_addr;

	/* Disjoint ranges sorted by first: the last one starting <= a. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ix->addr[mid].r.first <= a)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo && ix->addr[lo - 1].r.last >= a)
		return ix->addr[lo - 1].host;
	return NULL;
}

const struct config_host *config_host_by_nai(const struct config *c,
					     const uint8_t *nai, size_t len)
{
	const struct host_index *ix = c->host_index;
	char buf[CONFIG_NAI_MAX + 1];
	const struct config_nai_ent *e;
	const char *realm;

	if (!config_nai_normalize(nai, len, buf, &realm))
		return NULL;
	e = config_nai_find(ix->nai, ix->n_nai, buf);
	if (!e && realm)
		e = config_nai_find(ix->realm, ix->n_realm, realm);
	return e ? e->item : NULL;
}
