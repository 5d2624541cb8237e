// SPDX-License-Identifier: GPL-2.0
/*
 * config_redundancy: see config_redundancy.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "config_kit.h"
#include "config_redundancy.h"

#include <openssl/crypto.h>

static cfg_opt_t redundancy_opts[] = {
	CONFIG_OPT("mode"),   CONFIG_OPT("port"),
	CONFIG_OPT("rate"),   CONFIG_OPT("node-id"),
	CONFIG_OPT("retain"), CONFIG_OPT("keepalive"),
	CONFIG_OPT("dead"),   CONFIG_OPT_LIST("paths"),
	CFG_END(),
};

static cfg_opt_t top_opts[] = {
	CFG_SEC("redundancy", redundancy_opts, CFGF_NONE),
	CFG_END(),
};

extern const struct config_section config_redundancy_section;

static const struct config_redundancy defaults = {
	.mode = CONFIG_SYNC_PHYSICAL,
	.port = CONFIG_SYNC_PORT,
	.retain_kib = CONFIG_SYNC_RETAIN_KIB,
	.keepalive_ms = CONFIG_SYNC_KEEPALIVE_MS,
	.dead_ms = CONFIG_SYNC_DEAD_MS,
};

static struct config_redundancy **slot(struct config *c)
{
	return (struct config_redundancy **)config_section_data(
		c, &config_redundancy_section);
}

const struct config_redundancy *config_redundancy(const struct config *c)
{
	struct config_redundancy *r = *slot((struct config *)c);

	return r ? r : &defaults;
}

const struct config_sync_paths *
config_redundancy_paths_of(const struct config_redundancy *r, struct in_addr a)
{
	size_t i;
	unsigned int j;

	for (i = 0; i < r->n_paths; i++)
		for (j = 0; j < r->paths[i].n; j++)
			if (r->paths[i].addrs[j].s_addr == a.s_addr)
				return &r->paths[i];
	return NULL;
}

/* paths = { "A1 A2 ...", ... }: each string one peer's addresses. */
static int paths_load(struct config_load *l, cfg_t *s,
		      struct config_redundancy *r)
{
	unsigned int n = cfg_size(s, "paths"), i;

	if (!n)
		return 0;
	r->paths = calloc(n, sizeof(*r->paths));
	if (!r->paths)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		struct config_sync_paths *g = &r->paths[i];
		int line = config_opt_line(l, s, "paths", i);
		char buf[256], *w, *save;

		snprintf(buf, sizeof(buf), "%s", cfg_getnstr(s, "paths", i));
		g->line = line;
		for (w = strtok_r(buf, " \t", &save); w;
		     w = strtok_r(NULL, " \t", &save)) {
			struct in_addr a;

			if (!config_parse_addr(w, &a) || !config_addr_unicast(a))
				return config_fail(l, line,
						   "paths: \"%s\" is not a "
						   "unicast address",
						   w);
			if (config_redundancy_paths_of(r, a))
				return config_fail(l, line,
						   "paths: %s is named "
						   "twice",
						   w);
			if (g->n == CONFIG_SYNC_PATHS_MAX)
				return config_fail(l, line,
						   "paths: more than %d "
						   "addresses for one peer",
						   CONFIG_SYNC_PATHS_MAX);
			g->addrs[g->n++] = a;
			r->n_paths = i + 1; /* (for the lookup above) */
		}
		if (g->n < 2)
			return config_fail(l, line,
					   "paths: \"%s\": a peer on several "
					   "links has two addresses or more",
					   cfg_getnstr(s, "paths", i));
	}
	r->n_paths = n;
	return 0;
}

static int redundancy_load(struct config_load *l)
{
	cfg_t *s = cfg_getsec(l->top, "redundancy");
	struct config_redundancy *r;
	uint32_t port = CONFIG_SYNC_PORT;
	const char *mode;
	int err;

	if (!s)
		return 0;
	r = malloc(sizeof(*r));
	if (!r)
		return -ENOMEM;
	*r = defaults;
	*slot(l->cfg) = r;
	mode = config_str(s, "mode");
	if (mode && !strcmp(mode, "virtual"))
		r->mode = CONFIG_SYNC_VIRTUAL;
	else if (mode && strcmp(mode, "physical"))
		return config_fail(l, config_opt_line(l, s, "mode", 0),
				   "mode \"%s\": physical or virtual", mode);
	err = config_get_u32(l, s, "port", 1, 65535, &port);
	if (err)
		return err;
	r->port = (uint16_t)port;
	err = config_get_u32(l, s, "rate", 0, 10000000, &r->rate);
	if (!err)
		err = config_get_u32(l, s, "node-id", 1, UINT32_MAX,
				     &r->node_id);
	if (!err)
		err = config_get_u32(l, s, "retain", 0, 1024 * 1024,
				     &r->retain_kib);
	if (!err)
		err = config_get_u32(l, s, "keepalive", 100, 60000,
				     &r->keepalive_ms);
	if (!err)
		err = config_get_u32(l, s, "dead", 300, 600000, &r->dead_ms);
	if (err)
		return err;
	if (r->dead_ms < 2 * r->keepalive_ms)
		return config_fail(l, config_opt_line(l, s, "dead", 0),
				   "dead %u ms: at least twice keepalive "
				   "(%u ms), or one lost HELLO ends the "
				   "connection",
				   r->dead_ms, r->keepalive_ms);
	return paths_load(l, s, r);
}

/* Two single-address SAs of one peer: one address, or one paths string. */
static bool same_peer(const struct config_redundancy *r,
		      const struct config_sa *x, const struct config_sa *y)
{
	struct in_addr a = { htonl(x->range.first) },
		       b = { htonl(y->range.first) };
	const struct config_sync_paths *g = config_redundancy_paths_of(r, a);

	if (x->match != CONFIG_MATCH_ADDR || y->match != CONFIG_MATCH_ADDR ||
	    x->range.first != x->range.last || y->range.first != y->range.last)
		return false;
	return a.s_addr == b.s_addr ||
	       (g && g == config_redundancy_paths_of(r, b));
}

static bool same_key(const struct config_sa *x, const struct config_sa *y)
{
	return x->key.key_len == y->key.key_len &&
	       !CRYPTO_memcmp(x->key.key, y->key.key, y->key.key_len);
}

/* After the SAs: redundancy needs a peer, and keys TLS can use. */
static int redundancy_check(struct config_load *l)
{
	const struct config *c = l->cfg;
	const struct config_redundancy *r = config_redundancy(c);
	cfg_t *ha = cfg_getsec(l->top, "home-agent");
	size_t i;

	/* every address of paths is a peer's: a secure-home-agent of its own */
	for (i = 0; i < r->n_paths; i++) {
		unsigned int k;

		for (k = 0; k < r->paths[i].n; k++) {
			uint32_t a = ntohl(r->paths[i].addrs[k].s_addr);
			size_t j;

			for (j = 0; j < c->n_ha_ha; j++)
				if (c->ha_ha[j].match == CONFIG_MATCH_ADDR &&
				    c->ha_ha[j].range.first == a &&
				    c->ha_ha[j].range.last == a)
					break;
			if (j == c->n_ha_ha)
				return config_fail(
					l, r->paths[i].line,
					"paths: %s has no secure-home-agent "
					"of its own (its key)",
					inet_ntoa(r->paths[i].addrs[k]));
		}
	}
	for (i = 0; c->redundancy && i < c->n_ha_ha; i++)
		if (c->ha_ha[i].key.key_len < CONFIG_SYNC_PSK_MIN)
			return config_fail(
				l, c->ha_ha[i].line,
				"secure-home-agent: a key of %u bytes; peer "
				"sync (TLS 1.3 PSK) needs %d or more",
				c->ha_ha[i].key.key_len, CONFIG_SYNC_PSK_MIN);
	for (i = 0; c->redundancy && i < c->n_ha_ha; i++) {
		size_t j;

		/*
		 * An SPI names one peer's key: it may be repeated only by
		 * the addresses of one peer (redundancy paths), with the
		 * same key. Peers sharing a key could not be told apart.
		 */
		for (j = 0; j < i; j++)
			if (c->ha_ha[j].key.spi == c->ha_ha[i].key.spi &&
			    !(same_peer(r, &c->ha_ha[j], &c->ha_ha[i]) &&
			      same_key(&c->ha_ha[j], &c->ha_ha[i])))
				return config_fail(
					l, c->ha_ha[i].line,
					"secure-home-agent: SPI 0x%x is also "
					"line %d's; peer sync tells peers' "
					"keys apart by their SPI (one peer's "
					"addresses, named together in "
					"redundancy paths, may share one SPI "
					"and key)",
					c->ha_ha[i].key.spi, c->ha_ha[j].line);
	}
	if (c->redundancy && !c->n_ha_ha)
		return config_fail(l, config_opt_line(l, ha, "redundancy", 0),
				   "redundancy: no secure-home-agent (the "
				   "peers and their keys)");
	return 0;
}

static void redundancy_free(struct config *c)
{
	struct config_redundancy **r = slot(c);

	if (*r)
		free((*r)->paths);
	free(*r);
	*r = NULL;
}

static bool same_peers(const struct config *o, const struct config *n)
{
	size_t i;

	if (o->n_ha_ha != n->n_ha_ha)
		return false;
	for (i = 0; i < n->n_ha_ha; i++) {
		const struct config_sa *x = &o->ha_ha[i], *y = &n->ha_ha[i];

		if (x->match != y->match || x->range.first != y->range.first ||
		    x->range.last != y->range.last ||
		    x->key.spi != y->key.spi ||
		    x->key.key_len != y->key.key_len ||
		    CRYPTO_memcmp(x->key.key, y->key.key, y->key.key_len))
			return false;
	}
	return true;
}

static bool same_paths(const struct config_redundancy *a,
		       const struct config_redundancy *b)
{
	size_t i;

	if (a->n_paths != b->n_paths)
		return false;
	for (i = 0; i < a->n_paths; i++)
		if (a->paths[i].n != b->paths[i].n ||
		    memcmp(a->paths[i].addrs, b->paths[i].addrs,
			   a->paths[i].n * sizeof(a->paths[i].addrs[0])))
			return false;
	return true;
}

static void redundancy_diff(const struct config *o, const struct config *n,
			    struct config_diff *d)
{
	const struct config_redundancy *a = config_redundancy(o),
				       *b = config_redundancy(n);

	if (a->mode != b->mode || a->port != b->port ||
	    a->node_id != b->node_id || a->retain_kib != b->retain_kib)
		config_diff_restart(d, 0,
				    "redundancy mode, port, node-id or "
				    "retain changed");
	if (n->redundancy && (!same_peers(o, n) || !same_paths(a, b)))
		config_diff_restart(
			d, 0,
			"secure-home-agent or redundancy paths changed "
			"while redundancy is on (peer sync reads its "
			"peers and keys at start)");
	if (a->rate != b->rate || a->keepalive_ms != b->keepalive_ms ||
	    a->dead_ms != b->dead_ms)
		config_diff_live(d, 0, "redundancy rate and timers");
}

const struct config_section config_redundancy_section = {
	.name = "redundancy",
	.opts = top_opts,
	.load = redundancy_load,
	.check = redundancy_check,
	.free = redundancy_free,
	.diff = redundancy_diff,
};
