// SPDX-License-Identifier: GPL-2.0
/*
 * config_pool: pool "NAME" { range = ... priority group threshold } (IOS
 * "ip local pool"): the address pools NAI hosts are given addresses from.
 *
 * Reload: pools and ranges added, priorities, groups and thresholds are
 * live (the daemon builds a new pool set and moves every allocation into
 * it, pool_set_transfer()). A pool or a range removed (or changed, which
 * removes the old one) needs a restart: its addresses may be bound, and
 * a binding must never hold an address no pool accounts for (README,
 * "Configuration"). The bindings are not touched either way.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_kit.h"

static cfg_opt_t pool_opts[] = {
	CONFIG_OPT_LIST("range"),
	CONFIG_OPT("priority"),
	CONFIG_OPT("group"),
	CONFIG_OPT_LIST("threshold"),
	CFG_END(),
};

static cfg_opt_t top_opts[] = {
	CFG_SEC("pool", pool_opts, CONFIG_MULTI),
	CFG_END(),
};

static bool pool_name_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (!n || n > CONFIG_POOL_NAME_MAX)
		return false;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("._-", s[i]))
			return false;
	return true;
}

/* "A [B] [priority P]" */
static const char *parse_pool_range(const char *v, uint8_t defprio,
				    struct config_pool_range *r)
{
	char buf[128], *w[5];
	size_t n;
	uint32_t prio = defprio;
	const char *msg;

	if (strlen(v) >= sizeof(buf))
		return "expected FIRST [LAST] [priority 1-255]";
	strcpy(buf, v);
	n = config_split_words(buf, w, 4);
	if (n > 4)
		return "expected FIRST [LAST] [priority 1-255]";
	if (n >= 2 && !strcmp(w[n - 2], "priority")) {
		if (!config_parse_u32(w[n - 1], 1, 255, &prio))
			return "priority must be 1-255";
		n -= 2;
	}
	if (n < 1 || n > 2)
		return "expected FIRST [LAST] [priority 1-255]";
	msg = config_parse_range_words(w, n, &r->range);
	if (msg)
		return msg;
	/* Bounds the allocator's memory (two bits per address). */
	if (r->range.last - r->range.first >= CONFIG_POOL_RANGE_MAX)
		return "more than 16777216 addresses (a /8) in one range";
	r->priority = prio;
	return NULL;
}

static int pool_load(struct config_load *l)
{
	struct config *c = l->cfg;
	unsigned int n = cfg_size(l->top, "pool"), i, j;
	int err;

	c->pools = calloc(n ? n : 1, sizeof(*c->pools));
	if (!c->pools)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		cfg_t *s = cfg_getnsec(l->top, "pool", i);
		struct config_pool *p = &c->pools[c->n_pools];
		unsigned int nr = cfg_size(s, "range");
		uint32_t prio = CONFIG_PRIORITY_DEFAULT, th;
		const char *g;

		p->line = config_sec_line(l, s);
		if (!pool_name_ok(cfg_title(s)))
			return config_fail(
				l, p->line,
				"pool \"%s\": a name is 1-%d letters, "
				"digits, '.', '_' or '-'",
				cfg_title(s), CONFIG_POOL_NAME_MAX);
		strcpy(p->name, cfg_title(s));
		c->n_pools++;
		err = config_get_u32(l, s, "priority", 1, 255, &prio);
		if (err)
			return err;
		g = config_str(s, "group");
		if (g) {
			if (!pool_name_ok(g))
				return config_fail(
					l, config_opt_line(l, s, "group", 0),
					"group: a name is 1-%d letters, "
					"digits, '.', '_' or '-'",
					CONFIG_POOL_NAME_MAX);
			p->group = strdup(g);
			if (!p->group)
				return -ENOMEM;
		}
		if (cfg_size(s, "threshold")) {
			uint32_t lo, hi;

			if (cfg_size(s, "threshold") != 2)
				return config_fail(
					l,
					config_opt_line(l, s, "threshold", 0),
					"threshold: expected {LOW, HIGH} "
					"in percent");
			for (j = 0; j < 2; j++) {
				const char *v = cfg_getnstr(s, "threshold", j);

				if (!config_parse_u32(v, 0, 100, &th))
					return config_fail(
						l,
						config_opt_line(l, s,
								"threshold", j),
						"threshold: '%s' is not a "
						"percentage (0-100)",
						v);
				if (j)
					hi = th;
				else
					lo = th;
			}
			if (lo >= hi)
				return config_fail(
					l,
					config_opt_line(l, s, "threshold", 0),
					"threshold: low %u%% must be below "
					"high %u%%",
					lo, hi);
			p->threshold_low = lo;
			p->threshold_high = hi;
		}
		if (!nr)
			return config_fail(l, p->line, "pool \"%s\": no range",
					   p->name);
		p->ranges = calloc(nr, sizeof(*p->ranges));
		if (!p->ranges)
			return -ENOMEM;
		for (j = 0; j < nr; j++) {
			struct config_pool_range *r = &p->ranges[j];
			const char *msg;

			r->line = config_opt_line(l, s, "range", j);
			msg = parse_pool_range(cfg_getnstr(s, "range", j), prio,
					       r);
			if (msg)
				return config_fail(l, r->line,
						   "range \"%s\": %s",
						   cfg_getnstr(s, "range", j),
						   msg);
			p->size += (uint64_t)r->range.last - r->range.first + 1;
			p->n_ranges++;
		}
	}
	return 0;
}

static void pool_free(struct config *c)
{
	size_t i;

	for (i = 0; i < c->n_pools; i++) {
		free(c->pools[i].ranges);
		free(c->pools[i].group);
	}
	free(c->pools);
}

/* Is every range of old pool p still in new, in a pool of the same name? */
static bool pool_kept(const struct config_pool *p, const struct config *n,
		      bool *changed)
{
	const struct config_pool *q = config_pool_by_name(n, p->name);
	size_t i, j;

	if (!q)
		return false;
	if (p->n_ranges != q->n_ranges || !config_str_eq(p->group, q->group) ||
	    p->threshold_low != q->threshold_low ||
	    p->threshold_high != q->threshold_high)
		*changed = true;
	for (i = 0; i < p->n_ranges; i++) {
		for (j = 0; j < q->n_ranges; j++)
			if (p->ranges[i].range.first ==
				    q->ranges[j].range.first &&
			    p->ranges[i].range.last == q->ranges[j].range.last)
				break;
		if (j == q->n_ranges)
			return false;
		if (p->ranges[i].priority != q->ranges[j].priority)
			*changed = true;
	}
	return true;
}

static void pool_diff(const struct config *o, const struct config *n,
		      struct config_diff *d)
{
	bool changed = false;
	size_t i;

	for (i = 0; i < o->n_pools; i++) {
		if (!pool_kept(&o->pools[i], n, &changed)) {
			char why[160];

			snprintf(why, sizeof(why),
				 "pool %s or one of its ranges removed "
				 "(addresses may be in use)",
				 o->pools[i].name);
			config_diff_restart(d, CONFIG_CHG_POOL_REMOVED, why);
		}
	}
	if (changed || o->n_pools != n->n_pools)
		config_diff_live(d, CONFIG_CHG_POOLS, "pools");
}

const struct config_section config_pool_section = {
	.name = "pool",
	.opts = top_opts,
	.load = pool_load,
	.free = pool_free,
	.diff = pool_diff,
};

/* ---- lookups ---------------------------------------------------------- */

const struct config_pool *config_pool_by_name(const struct config *c,
					      const char *name)
{
	size_t i;

	for (i = 0; i < c->n_pools; i++)
		if (!strcmp(c->pools[i].name, name))
			return &c->pools[i];
	return NULL;
}
