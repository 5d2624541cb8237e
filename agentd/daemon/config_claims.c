// SPDX-License-Identifier: GPL-2.0
/*
 * config_claims: a check across sections. Every home address is handed out
 * by exactly one item - an address host, an NAI's static address or a pool
 * range - and none of them is one of our own addresses. Run by the host
 * section's check, when hosts, pools and the home-agent addresses are all
 * loaded.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>

#include "config_kit.h"
#include "sort.h"

/* An address range owned by a configuration item, for overlap checks. */
struct claim {
	struct config_range r;
	int line;
	const char *what; /* "host", "pool range", ... */
	const void *owner;
};

static int claim_cmp(const void *a, const void *b)
{
	const struct claim *x = a, *y = b;

	if (x->r.first != y->r.first)
		return x->r.first < y->r.first ? -1 : 1;
	return x->line - y->line;
}

/*
 * Home addresses are handed out by exactly one item: an address host, an
 * NAI's static address or a pool range; none of them may be one of our
 * own addresses. Sorted by first address, each claim is compared with the
 * one reaching furthest before it (ranges may nest): O(n log n).
 */
static int check_claims(struct config_load *l, struct claim *cl, size_t n)
{
	size_t i, widest = 0;
	char a[40], b[40];

	sort_array(cl, n, sizeof(*cl), claim_cmp);
	for (i = 1; i < n; i++) {
		const struct claim *p = &cl[widest], *q = &cl[i];

		if (q->r.first <= p->r.last) {
			if (p->line > q->line) {
				const struct claim *t = p;

				p = q;
				q = t;
			}
			config_fmt_range(a, sizeof(a), &q->r);
			config_fmt_range(b, sizeof(b), &p->r);
			if (!p->line) /* our own address: no line of its own */
				return config_fail(l, q->line,
						   "%s %s holds %s %s", q->what,
						   a, p->what, b);
			return config_fail(l, q->line,
					   "%s %s overlaps %s %s (line %d)",
					   q->what, a, p->what, b, p->line);
		}
		if (cl[i].r.last > cl[widest].r.last)
			widest = i;
	}
	return 0;
}

int config_check_claims(struct config_load *l)
{
	const struct config *c = l->cfg;
	struct claim *cl;
	size_t n_cl = 0, cap = c->n_ha_addrs, i, j;
	int err;

	for (i = 0; i < c->n_hosts; i++)
		cap += c->hosts[i].kind == CONFIG_HOST_ADDR ?
			       1 :
			       c->hosts[i].n_static;
	for (i = 0; i < c->n_pools; i++)
		cap += c->pools[i].n_ranges;
	cl = calloc(cap ? cap : 1, sizeof(*cl));
	if (!cl)
		return -ENOMEM;
	for (i = 0; i < c->n_hosts; i++) {
		const struct config_host *h = &c->hosts[i];

		if (h->kind == CONFIG_HOST_ADDR) {
			cl[n_cl++] =
				(struct claim){ h->range, h->line, "host", h };
			continue;
		}
		for (j = 0; j < h->n_static; j++) {
			uint32_t a = ntohl(h->static_addrs[j].s_addr);
			struct config_range r = { a, a };

			cl[n_cl++] = (struct claim){ r, h->line,
						     "static-address", h };
		}
	}
	for (i = 0; i < c->n_pools; i++)
		for (j = 0; j < c->pools[i].n_ranges; j++)
			cl[n_cl++] =
				(struct claim){ c->pools[i].ranges[j].range,
						c->pools[i].ranges[j].line,
						"pool range", &c->pools[i] };
	/* Our addresses carry line 0: an overlap is reported at the line
	 * of the other item. */
	for (i = 0; i < c->n_ha_addrs; i++) {
		uint32_t a = ntohl(c->ha_addrs[i].s_addr);

		cl[n_cl++] = (struct claim){
			{ a, a }, 0, "home-agent address", NULL
		};
	}
	err = check_claims(l, cl, n_cl);
	free(cl);
	return err;
}
