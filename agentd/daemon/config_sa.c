// SPDX-License-Identifier: GPL-2.0
/*
 * config_sa: the security associations (IOS "ip mobile secure host |
 * foreign-agent | home-agent"): secure-host (MN-HA), secure-foreign-agent
 * (FA-HA) and secure-home-agent (HA-HA) "MATCH" { spi key | key-ascii |
 * key-file algorithm mode replay replay-window }. One module for the
 * three: they share options, validation and lookups.
 *
 * Keys: the bytes live in struct auth_key; every array of SAs is cleansed
 * before it is freed, key files are read through a buffer cleansed after
 * use, and libconfuse's copies of key text are cleansed by the loader
 * (config_cleanse_keys()).
 *
 * Reload: live. The next request is authenticated with the new keys; the
 * bindings in place keep their replay state.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "config_kit.h"
#include "sort.h"

static cfg_opt_t sa_opts[] = {
	CONFIG_OPT("spi"),
	CONFIG_OPT("key"),
	CONFIG_OPT("key-ascii"),
	CONFIG_OPT("key-file"),
	CONFIG_OPT("algorithm"),
	CONFIG_OPT("mode"),
	CONFIG_OPT("replay"),
	CONFIG_OPT("replay-window"),
	CFG_END(),
};

/* key-file is a path; the key read from it never enters the tree. */
static const char *const secrets[] = { "key", "key-ascii", NULL };

static cfg_opt_t top_opts[] = {
	CFG_SEC("secure-host", sa_opts, CONFIG_MULTI),
	CFG_SEC("secure-foreign-agent", sa_opts, CONFIG_MULTI),
	CFG_SEC("secure-home-agent", sa_opts, CONFIG_MULTI),
	CFG_END(),
};

struct sa_ent {
	struct config_range r;
	const struct config_sa *sa;
};

struct sa_index {
	struct sa_ent *addr; /* sorted by first, then spi */
	size_t n_addr;
	struct config_nai_ent *nai; /* exact NAIs, sorted by (nai, spi) */
	size_t n_nai;
	struct config_nai_ent *realm; /* "@realm", sorted by (realm, spi) */
	size_t n_realm;
};

/* The three kinds, indexed at load. */
struct sa_indexes {
	struct sa_index mn_ha, fa_ha, ha_ha;
};

static int load_sa(struct config_load *l, cfg_t *s, const char *what,
		   struct config_sa *sa)
{
	struct config *c = l->cfg;
	const char *msg, *key = config_str(s, "key"),
			 *ascii = config_str(s, "key-ascii"),
			 *file = config_str(s, "key-file"),
			 *alg = config_str(s, "algorithm"),
			 *mode = config_str(s, "mode"),
			 *rp = config_str(s, "replay");
	uint32_t spi;
	int err, nkeys = !!key + !!ascii + !!file;

	sa->line = config_sec_line(l, s);
	msg = config_parse_match(cfg_title(s), &sa->match, &sa->range,
				 &sa->nai);
	if (msg)
		return config_fail(l, sa->line, "%s \"%s\": %s", what,
				   cfg_title(s), msg);
	if (sa->match != CONFIG_MATCH_ADDR && strcmp(what, "secure-host"))
		return config_fail(l, sa->line,
				   "%s \"%s\": agents are named by address",
				   what, cfg_title(s));
	if (!config_str(s, "spi"))
		return config_fail(l, sa->line, "%s \"%s\": no spi", what,
				   cfg_title(s));
	/* IOS takes the SPI in hex: "spi 100" is 0x100. */
	if (!config_parse_u32(config_str(s, "spi"), 0, UINT32_MAX, &spi))
		return config_fail(l, config_opt_line(l, s, "spi", 0),
				   "spi: '%s' is not a 32-bit number",
				   config_str(s, "spi"));
	if (spi < 256)
		return config_fail(
			l, config_opt_line(l, s, "spi", 0),
			"spi %u is reserved (0-255, RFC 5944); IOS SPIs "
			"are hexadecimal: write spi = 0x%u",
			spi, spi);
	sa->key.spi = spi;

	if (nkeys != 1)
		return config_fail(
			l, sa->line,
			"%s \"%s\": needs exactly one of key, key-ascii, "
			"key-file",
			what, cfg_title(s));
	if (key) {
		msg = config_parse_hex_key(key, strlen(key), sa->key.key,
					   &sa->key.key_len);
		if (msg)
			return config_fail(l, config_opt_line(l, s, "key", 0),
					   "key: %s", msg);
	} else if (ascii) {
		size_t n = strlen(ascii);

		if (!n || n > AUTH_KEY_MAX)
			return config_fail(
				l, config_opt_line(l, s, "key-ascii", 0),
				"key-ascii: must be 1-%d characters",
				AUTH_KEY_MAX);
		memcpy(sa->key.key, ascii, n);
		sa->key.key_len = n;
	} else {
		err = config_read_key_file(l,
					   config_opt_line(l, s, "key-file", 0),
					   file, sa->key.key, &sa->key.key_len);
		if (err)
			return err;
	}

	/* IOS's default: algorithm md5 mode prefix-suffix. */
	sa->key.algo = AUTH_PREFIX_SUFFIX_MD5;
	if (alg && !strcmp(alg, "hmac-md5")) {
		sa->key.algo = AUTH_HMAC_MD5;
		if (mode)
			return config_fail(l, config_opt_line(l, s, "mode", 0),
					   "mode: only with algorithm md5");
	} else if (alg && strcmp(alg, "md5")) {
		return config_fail(l, config_opt_line(l, s, "algorithm", 0),
				   "algorithm: '%s' is not md5 or hmac-md5",
				   alg);
	}
	if (mode && strcmp(mode, "prefix-suffix"))
		return config_fail(l, config_opt_line(l, s, "mode", 0),
				   "mode: '%s' is not prefix-suffix", mode);

	sa->replay = REPLAY_TIMESTAMP;
	if (rp && !strcmp(rp, "nonce"))
		sa->replay = REPLAY_NONCE;
	else if (rp && strcmp(rp, "timestamp"))
		return config_fail(l, config_opt_line(l, s, "replay", 0),
				   "replay: '%s' is not timestamp or nonce",
				   rp);
	sa->replay_window = c->replay_window;
	return config_get_u32(l, s, "replay-window", 1, 3600,
			      &sa->replay_window);
}

static int load_sas(struct config_load *l, const char *what,
		    struct config_sa **out, size_t *count)
{
	unsigned int n = cfg_size(l->top, what), i;
	int err;

	*out = calloc(n ? n : 1, sizeof(**out));
	if (!*out)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		(*count)++;
		err = load_sa(l, cfg_getnsec(l->top, what, i), what,
			      &(*out)[i]);
		if (err)
			return err;
	}
	return 0;
}

static int sa_load(struct config_load *l)
{
	struct config *c = l->cfg;
	int err;

	err = load_sas(l, "secure-host", &c->mn_ha, &c->n_mn_ha);
	if (!err)
		err = load_sas(l, "secure-foreign-agent", &c->fa_ha,
			       &c->n_fa_ha);
	if (!err)
		err = load_sas(l, "secure-home-agent", &c->ha_ha, &c->n_ha_ha);
	return err;
}

static int sa_nai_cmp(const void *a, const void *b)
{
	const struct config_nai_ent *x = a, *y = b;
	const struct config_sa *p = x->item, *q = y->item;
	int c = strcmp(x->nai, y->nai);

	if (c)
		return c;
	return p->key.spi < q->key.spi ? -1 : p->key.spi > q->key.spi;
}

static int sa_ent_cmp(const void *a, const void *b)
{
	const struct sa_ent *x = a, *y = b;

	if (x->r.first != y->r.first)
		return x->r.first < y->r.first ? -1 : 1;
	if (x->r.last != y->r.last)
		return x->r.last < y->r.last ? -1 : 1;
	return x->sa->key.spi < y->sa->key.spi ?
		       -1 :
		       x->sa->key.spi > y->sa->key.spi;
}

/*
 * SAs of one kind: address ranges must be identical (several SPIs for the
 * same nodes, e.g. during a key change) or disjoint; an (item, SPI) pair
 * must be unique.
 */

static int build_sa_index(struct config_load *l, const char *what,
			  const struct config_sa *sas, size_t n,
			  struct sa_index *ix)
{
	size_t i;
	char a[40], b[40];

	ix->addr = calloc(n ? n : 1, sizeof(*ix->addr));
	ix->nai = calloc(n ? n : 1, sizeof(*ix->nai));
	ix->realm = calloc(n ? n : 1, sizeof(*ix->realm));
	if (!ix->addr || !ix->nai || !ix->realm)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		const struct config_sa *sa = &sas[i];

		if (sa->match == CONFIG_MATCH_ADDR)
			ix->addr[ix->n_addr++] =
				(struct sa_ent){ sa->range, sa };
		else if (sa->match == CONFIG_MATCH_NAI)
			ix->nai[ix->n_nai++] =
				(struct config_nai_ent){ sa->nai, sa };
		else
			ix->realm[ix->n_realm++] =
				(struct config_nai_ent){ sa->nai, sa };
	}
	sort_array(ix->addr, ix->n_addr, sizeof(*ix->addr), sa_ent_cmp);
	sort_array(ix->nai, ix->n_nai, sizeof(*ix->nai), sa_nai_cmp);
	sort_array(ix->realm, ix->n_realm, sizeof(*ix->realm), sa_nai_cmp);

	for (i = 1; i < ix->n_addr; i++) {
		const struct config_sa *x = ix->addr[i - 1].sa,
				       *y = ix->addr[i].sa;

		if (sa_ent_cmp(&ix->addr[i - 1], &ix->addr[i]))
			continue;
		if (x->line > y->line) {
			x = ix->addr[i].sa;
			y = ix->addr[i - 1].sa;
		}
		config_fmt_range(a, sizeof(a), &y->range);
		return config_fail(l, y->line,
				   "%s: duplicate SPI 0x%x for %s (line %d)",
				   what, y->key.spi, a, x->line);
	}
	/* Disjoint unless identical: compare each with the widest before. */
	if (ix->n_addr) {
		size_t w = 0;

		for (i = 1; i < ix->n_addr; i++) {
			const struct sa_ent *p = &ix->addr[w],
					    *q = &ix->addr[i];
			const struct config_sa *x = p->sa, *y = q->sa;

			if (p->r.first == q->r.first && p->r.last == q->r.last)
				continue;
			if (q->r.first <= p->r.last) {
				if (x->line > y->line) {
					x = q->sa;
					y = p->sa;
				}
				config_fmt_range(a, sizeof(a), &y->range);
				config_fmt_range(b, sizeof(b), &x->range);
				return config_fail(
					l, y->line,
					"%s %s partly overlaps %s (line "
					"%d): ranges must be equal or "
					"disjoint",
					what, a, b, x->line);
			}
			if (q->r.last > p->r.last)
				w = i;
		}
	}
	for (i = 1; i < ix->n_nai; i++)
		if (!sa_nai_cmp(&ix->nai[i - 1], &ix->nai[i])) {
			const struct config_sa *x = ix->nai[i - 1].item,
					       *y = ix->nai[i].item;

			if (x->line > y->line) {
				const struct config_sa *t = x;

				x = y;
				y = t;
			}
			return config_fail(
				l, y->line,
				"%s: duplicate SPI 0x%x for NAI %s (line "
				"%d)",
				what, y->key.spi, y->nai, x->line);
		}
	for (i = 1; i < ix->n_realm; i++)
		if (!sa_nai_cmp(&ix->realm[i - 1], &ix->realm[i])) {
			const struct config_sa *x = ix->realm[i - 1].item,
					       *y = ix->realm[i].item;

			if (x->line > y->line) {
				const struct config_sa *t = x;

				x = y;
				y = t;
			}
			return config_fail(
				l, y->line,
				"%s: duplicate SPI 0x%x for realm %s (line "
				"%d)",
				what, y->key.spi, y->nai, x->line);
		}
	return 0;
}

static bool sa_covers(const struct sa_index *ix, struct config_range r)
{
	uint64_t next = r.first;
	size_t i;

	/* Sorted by first: walk the ranges, extending the covered prefix. */
	for (i = 0; i < ix->n_addr && next <= r.last; i++) {
		if (ix->addr[i].r.first > next)
			break;
		if ((uint64_t)ix->addr[i].r.last + 1 > next)
			next = (uint64_t)ix->addr[i].r.last + 1;
	}
	return next > r.last;
}

static bool realm_has_sa(const struct sa_index *ix, const char *realm)
{
	size_t i, rl = strlen(realm);

	for (i = 0; i < ix->n_realm; i++)
		if (!strcmp(ix->realm[i].nai, realm))
			return true;
	/* or some user of the realm has one */
	for (i = 0; i < ix->n_nai; i++) {
		const char *n = ix->nai[i].nai;
		size_t nl = strlen(n);

		if (nl > rl && !strcmp(n + nl - rl, realm))
			return true;
	}
	return false;
}

/*
 * mipha has no AAA server to fetch security associations from (IOS
 * "aaa"): a host without an MN-HA SA could never register. Refuse it at
 * load rather than answer 131 to every request.
 */
static int check_host_sas(struct config_load *l)
{
	const struct config *c = l->cfg;
	const struct sa_indexes *ix = c->sa_index;
	size_t i, j;

	for (i = 0; i < c->n_hosts; i++) {
		const struct config_host *h = &c->hosts[i];
		bool ok;

		switch (h->kind) {
		case CONFIG_HOST_ADDR:
			ok = sa_covers(&ix->mn_ha, h->range);
			break;
		case CONFIG_HOST_NAI:
			ok = config_has_mn_ha_sa(c, (struct in_addr){ 0 },
						 (const uint8_t *)h->nai,
						 strlen(h->nai));
			/* by the rule registration uses (mn_sa()) */
			for (j = 0; !ok && j < h->n_static; j++)
				ok = config_has_mn_ha_sa(
					c, h->static_addrs[j],
					(const uint8_t *)h->nai,
					strlen(h->nai));
			break;
		default:
			ok = realm_has_sa(&ix->mn_ha, h->nai);
			break;
		}
		if (!ok)
			return config_fail(
				l, h->line,
				"host has no MN-HA security association "
				"(secure-host) for all its addresses");
	}
	return 0;
}

static int sa_check(struct config_load *l)
{
	struct config *c = l->cfg;
	struct sa_indexes *ix;
	int err;

	ix = calloc(1, sizeof(*ix));
	if (!ix)
		return -ENOMEM;
	c->sa_index = ix;
	err = build_sa_index(l, "secure-host", c->mn_ha, c->n_mn_ha,
			     &ix->mn_ha);
	if (!err)
		err = build_sa_index(l, "secure-foreign-agent", c->fa_ha,
				     c->n_fa_ha, &ix->fa_ha);
	if (!err)
		err = build_sa_index(l, "secure-home-agent", c->ha_ha,
				     c->n_ha_ha, &ix->ha_ha);
	return err ? err : check_host_sas(l);
}

static void free_sa_index(struct sa_index *ix)
{
	free(ix->addr);
	free(ix->nai);
	free(ix->realm);
}

static void free_sas(struct config_sa *sas, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(sas[i].nai);
	if (sas)
		OPENSSL_cleanse(sas, n * sizeof(*sas));
	free(sas);
}

static void sa_free(struct config *c)
{
	struct sa_indexes *ix = c->sa_index;

	if (ix) {
		free_sa_index(&ix->mn_ha);
		free_sa_index(&ix->fa_ha);
		free_sa_index(&ix->ha_ha);
		free(ix);
	}
	free_sas(c->mn_ha, c->n_mn_ha);
	free_sas(c->fa_ha, c->n_fa_ha);
	free_sas(c->ha_ha, c->n_ha_ha);
}

static bool sas_eq(const struct config_sa *a, size_t na,
		   const struct config_sa *b, size_t nb)
{
	size_t i;

	if (na != nb)
		return false;
	for (i = 0; i < na; i++)
		if (a[i].match != b[i].match ||
		    a[i].range.first != b[i].range.first ||
		    a[i].range.last != b[i].range.last ||
		    !config_str_eq(a[i].nai, b[i].nai) ||
		    a[i].key.spi != b[i].key.spi ||
		    a[i].key.algo != b[i].key.algo ||
		    a[i].key.key_len != b[i].key.key_len ||
		    CRYPTO_memcmp(a[i].key.key, b[i].key.key,
				  a[i].key.key_len) ||
		    a[i].replay != b[i].replay ||
		    a[i].replay_window != b[i].replay_window)
			return false;
	return true;
}

static void sa_diff(const struct config *o, const struct config *n,
		    struct config_diff *d)
{
	if (!sas_eq(o->mn_ha, o->n_mn_ha, n->mn_ha, n->n_mn_ha) ||
	    !sas_eq(o->fa_ha, o->n_fa_ha, n->fa_ha, n->n_fa_ha) ||
	    !sas_eq(o->ha_ha, o->n_ha_ha, n->ha_ha, n->n_ha_ha))
		config_diff_live(d, CONFIG_CHG_SAS, "security associations");
}

const struct config_section config_sa_section = {
	.name = "security associations",
	.opts = top_opts,
	.secrets = secrets,
	.load = sa_load,
	.check = sa_check,
	.free = sa_free,
	.diff = sa_diff,
};

/* ---- lookups ---------------------------------------------------------- */

/* SA with spi among those for key, or any of them if !spi_valid. */
static const struct config_sa *sa_by_nai(const struct config_nai_ent *v,
					 size_t n, const char *key,
					 uint32_t spi, bool spi_valid)
{
	const struct config_nai_ent *e = config_nai_find(v, n, key);

	for (; e && e < v + n && !strcmp(e->nai, key); e++) {
		const struct config_sa *sa = e->item;

		if (!spi_valid || sa->key.spi == spi)
			return sa;
	}
	return NULL;
}

static const struct config_sa *sa_by_addr(const struct sa_index *ix,
					  struct in_addr addr, uint32_t spi,
					  bool spi_valid)
{
	uint32_t a = ntohl(addr.s_addr);
	size_t lo = 0, hi = ix->n_addr;
	const struct sa_ent *g, *e;

	if (!a)
		return NULL;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ix->addr[mid].r.first <= a)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return NULL;
	/*
	 * Ranges are equal or disjoint, sorted by (first, last, spi): only
	 * the group of equal ranges that starts last at or before a can
	 * hold it, and that group ends at lo - 1.
	 */
	g = &ix->addr[lo - 1];
	if (g->r.last < a)
		return NULL;
	for (e = g;; e--) {
		if (e->r.first != g->r.first)
			break;
		if (!spi_valid || e->sa->key.spi == spi)
			return e->sa;
		if (e == ix->addr)
			break;
	}
	return NULL;
}

/* Is addr one of the static addresses of NAI host h? */
static bool host_has_static(const struct config_host *h, struct in_addr addr)
{
	size_t i;

	for (i = 0; addr.s_addr && i < h->n_static; i++)
		if (h->static_addrs[i].s_addr == addr.s_addr)
			return true;
	return false;
}

/* Does every address of range r belong to NAI host h's static addresses? */
static bool range_within_statics(const struct config_host *h,
				 struct config_range r)
{
	uint64_t a;

	if ((uint64_t)r.last - r.first >= h->n_static)
		return false;
	for (a = r.first; a <= r.last; a++)
		if (!host_has_static(h, (struct in_addr){ htonl((uint32_t)a) }))
			return false;
	return true;
}

/*
 * Does NAI host h have an address SA of its own: one whose range holds only
 * its static addresses?
 */
static bool host_has_own_addr_sa(const struct sa_indexes *ix,
				 const struct config_host *h)
{
	const struct config_sa *sa;
	size_t i;

	for (i = 0; i < h->n_static; i++) {
		sa = sa_by_addr(&ix->mn_ha, h->static_addrs[i], 0, false);
		if (sa && range_within_statics(h, sa->range))
			return true;
	}
	return false;
}

/*
 * Identity first: a mobile node known by NAI is authenticated only by the
 * most specific SAs it has - its own NAI's SAs if there is any, else the
 * address SAs of its own static addresses (a range holding nothing else),
 * else its realm's. So a realm's shared key cannot act as a node that has
 * a key of its own, and an address key shared by a range cannot act as an
 * NAI. Without an NAI, by the SAs of its home address. An SPI of another
 * node's SA finds nothing here, which is a 131.
 */
static const struct config_sa *mn_sa(const struct config *c,
				     struct in_addr home, const uint8_t *nai,
				     size_t nai_len, uint32_t spi,
				     bool spi_valid)
{
	const struct sa_indexes *ix = c->sa_index;
	const struct config_host *h;
	const struct config_sa *sa;
	char buf[CONFIG_NAI_MAX + 1];
	const char *realm;

	if (!nai || !nai_len)
		return sa_by_addr(&ix->mn_ha, home, spi, spi_valid);
	if (!config_nai_normalize(nai, nai_len, buf, &realm))
		return NULL;
	if (config_nai_find(ix->mn_ha.nai, ix->mn_ha.n_nai, buf))
		return sa_by_nai(ix->mn_ha.nai, ix->mn_ha.n_nai, buf, spi,
				 spi_valid);
	h = config_host_by_nai(c, nai, nai_len);
	if (h && h->kind == CONFIG_HOST_NAI && host_has_own_addr_sa(ix, h)) {
		if (!host_has_static(h, home))
			return NULL;
		sa = sa_by_addr(&ix->mn_ha, home, spi, spi_valid);
		return sa && range_within_statics(h, sa->range) ? sa : NULL;
	}
	if (realm && config_nai_find(ix->mn_ha.realm, ix->mn_ha.n_realm, realm))
		return sa_by_nai(ix->mn_ha.realm, ix->mn_ha.n_realm, realm, spi,
				 spi_valid);
	return NULL;
}

const struct config_sa *config_mn_ha_sa(const struct config *c,
					struct in_addr home_addr,
					const uint8_t *nai, size_t nai_len,
					uint32_t spi)
{
	return mn_sa(c, home_addr, nai, nai_len, spi, true);
}

bool config_has_mn_ha_sa(const struct config *c, struct in_addr home_addr,
			 const uint8_t *nai, size_t nai_len)
{
	return mn_sa(c, home_addr, nai, nai_len, 0, false) != NULL;
}

const struct config_sa *config_fa_ha_sa(const struct config *c,
					struct in_addr fa, uint32_t spi,
					bool spi_valid)
{
	const struct sa_indexes *ix = c->sa_index;

	return sa_by_addr(&ix->fa_ha, fa, spi, spi_valid);
}

const struct config_sa *config_ha_ha_sa(const struct config *c,
					struct in_addr peer, uint32_t spi,
					bool spi_valid)
{
	const struct sa_indexes *ix = c->sa_index;

	return sa_by_addr(&ix->ha_ha, peer, spi, spi_valid);
}
