// SPDX-License-Identifier: GPL-2.0
/*
 * config_ipsp: the ipsp { } section, IP Pool Sharing (config_ipsp.h has
 * the StarOS mapping and the rules).
 *
 * Loaded after home-agent, the pools and the security associations (the
 * table in config.c): its check needs our addresses and the peer's
 * secure-home-agent.
 *
 * The pool digests (what a HELLO carries, compared by the peer) are
 * SHA-256 over this encoding, big endian, every pool in configuration
 * order:
 *
 *	pool:	"mipha-ipsp-pool-1" (17 bytes, no NUL)
 *		1 name length, the name
 *		1 group length (0: none), the group
 *		4 number of ranges, then per range in configuration order:
 *		  4 first address, 4 last address, 1 priority
 *	pools:	"mipha-ipsp-pools-1" (18 bytes, no NUL)
 *		4 number of pools, then per pool its 32-byte pool digest
 *
 * Thresholds, the order of options in the file, comments and other
 * sections do not count: two home agents whose pools are the same have
 * the same digests whatever else differs.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include <openssl/evp.h>

#include "config_ipsp.h"
#include "config_kit.h"
#include "config_redundancy.h"

static cfg_opt_t ipsp_opts[] = {
	CONFIG_OPT("primary"), CONFIG_OPT("secondary"),
	CONFIG_OPT("mode"),    CONFIG_OPT("dead-interval"),
	CONFIG_OPT("port"),    CONFIG_OPT("block"),
	CONFIG_OPT("local"),   CONFIG_OPT("notify"),
	CFG_END(),
};

static cfg_opt_t top_opts[] = {
	CFG_SEC("ipsp", ipsp_opts, CFGF_NODEFAULT),
	CFG_END(),
};

extern const struct config_section config_ipsp_section;

static struct config_ipsp **slot(struct config *c)
{
	return (struct config_ipsp **)config_section_data(c,
							  &config_ipsp_section);
}

const struct config_ipsp *config_ipsp(const struct config *c)
{
	return *slot((struct config *)c);
}

/* The option naming the peer: its role. */
static const char *role_opt(uint8_t role)
{
	return role == IPSP_ROLE_PRIMARY ? "primary" : "secondary";
}

static int mode_parse(struct config_load *l, cfg_t *s, uint8_t *mode)
{
	const char *v = config_str(s, "mode");

	if (!v)
		return 0;
	if (!strcmp(v, "active"))
		*mode = IPSP_MODE_ACTIVE;
	else if (!strcmp(v, "inactive"))
		*mode = IPSP_MODE_INACTIVE;
	else if (!strcmp(v, "check-config"))
		*mode = IPSP_MODE_CHECK_CONFIG;
	else
		return config_fail(l, config_opt_line(l, s, "mode", 0),
				   "ipsp mode \"%s\": active, inactive or "
				   "check-config",
				   v);
	return 0;
}

/*
 * libconfuse reads a second "ipsp { }" into the first: its values are
 * recorded with the line of the second's brace. One per home agent.
 */
static int one_section(struct config_load *l, cfg_t *s, int line)
{
	size_t i;

	for (i = 0; i < l->n_recs; i++)
		if (l->recs[i].sec == s && l->recs[i].sec_line != line)
			return config_fail(l, l->recs[i].sec_line,
					   "a second ipsp section (the first "
					   "at line %d): one per home agent",
					   line);
	return 0;
}

static int ipsp_load(struct config_load *l)
{
	cfg_t *s = cfg_getsec(l->top, "ipsp");
	struct config_ipsp *p;
	bool pri, sec;
	uint32_t v;
	int err;

	if (!s)
		return 0;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	*slot(l->cfg) = p;
	p->line = config_sec_line(l, s);
	err = one_section(l, s, p->line);
	if (err)
		return err;
	p->mode = IPSP_MODE_ACTIVE;
	p->dead_interval = CONFIG_IPSP_DEAD_S;
	p->port = CONFIG_IPSP_PORT;
	p->block = CONFIG_IPSP_BLOCK;

	pri = config_str(s, "primary") != NULL;
	sec = config_str(s, "secondary") != NULL;
	if (pri && sec) {
		int a = config_opt_line(l, s, "primary", 0),
		    b = config_opt_line(l, s, "secondary", 0);

		return config_fail(l, a > b ? a : b,
				   "ipsp: both primary (line %d) and "
				   "secondary (line %d): name the peer once, "
				   "by its role",
				   a, b);
	}
	if (!pri && !sec)
		return config_fail(l, p->line,
				   "ipsp: no peer: primary = ADDRESS (the "
				   "peer is the primary) or secondary = "
				   "ADDRESS (it is the secondary)");
	p->peer_role = pri ? IPSP_ROLE_PRIMARY : IPSP_ROLE_SECONDARY;
	err = config_get_addr(l, s, role_opt(p->peer_role), 0, &p->peer);
	if (!err)
		err = mode_parse(l, s, &p->mode);
	if (!err)
		err = config_get_u32(l, s, "dead-interval", 1, IPSP_DEAD_MAX,
				     &p->dead_interval);
	v = p->port;
	if (!err)
		err = config_get_u32(l, s, "port", 1, 65535, &v);
	p->port = (uint16_t)v;
	if (!err)
		err = config_get_u32(l, s, "block", 1, IPSP_BLOCK_MAX,
				     &p->block);
	if (!err && config_str(s, "local"))
		err = config_get_addr(l, s, "local", 0, &p->local);
	if (!err)
		err = config_get_hook(l, s, "notify", &p->notify);
	return err;
}

/* After home-agent and the SAs: the peer is another box, with a key. */
static int ipsp_check(struct config_load *l)
{
	const struct config *c = l->cfg;
	const struct config_ipsp *p = config_ipsp(c);
	cfg_t *s = cfg_getsec(l->top, "ipsp");
	const char *opt;
	uint32_t a;
	size_t i, found = 0;
	int line;

	if (!p || !s)
		return 0;
	opt = role_opt(p->peer_role);
	line = config_opt_line(l, s, opt, 0);
	a = ntohl(p->peer.s_addr);
	if (config_is_ha_addr(c, p->peer))
		return config_fail(l, line,
				   "ipsp: %s %s is one of our home-agent "
				   "addresses (the peer is the other home "
				   "agent)",
				   opt, inet_ntoa(p->peer));
	/*
	 * Every secure-home-agent covering the peer (SA ranges are equal or
	 * disjoint: one range, one key per SPI) may key its TLS channel.
	 */
	for (i = 0; i < c->n_ha_ha; i++) {
		const struct config_sa *sa = &c->ha_ha[i];

		if (sa->match != CONFIG_MATCH_ADDR || sa->range.first > a ||
		    sa->range.last < a)
			continue;
		if (sa->key.key_len < CONFIG_SYNC_PSK_MIN)
			return config_fail(
				l, sa->line,
				"secure-home-agent: a key of %u bytes; IPSP "
				"with %s (TLS 1.3 PSK) needs %d or more",
				sa->key.key_len, inet_ntoa(p->peer),
				CONFIG_SYNC_PSK_MIN);
		found++;
	}
	if (!found)
		return config_fail(l, line,
				   "ipsp: %s %s has no secure-home-agent (the "
				   "key of the IPSP channel, %d bytes or "
				   "more)",
				   opt, inet_ntoa(p->peer),
				   CONFIG_SYNC_PSK_MIN);
	/* a HELLO names each pool shared: at most IPSP_POOLS_MAX of them */
	if (c->n_pools > IPSP_POOLS_MAX)
		return config_fail(l, p->line,
				   "ipsp: %zu pools; IPSP shares at most %d",
				   c->n_pools, IPSP_POOLS_MAX);
	/* No pool setting is incompatible with IPSP today (StarOS: busyout,
	 * which mipha has not). */
	return 0;
}

static void ipsp_free(struct config *c)
{
	struct config_ipsp **p = slot(c);

	if (*p)
		free((*p)->notify);
	free(*p);
	*p = NULL;
}

/* ---- digests ---------------------------------------------------------- */

static void be32(uint8_t *b, uint32_t v)
{
	b[0] = v >> 24;
	b[1] = v >> 16;
	b[2] = v >> 8;
	b[3] = v;
}

static int put_name(EVP_MD_CTX *md, const char *s)
{
	uint8_t n = s ? (uint8_t)strlen(s) : 0; /* names <= 63 (config) */

	if (!EVP_DigestUpdate(md, &n, 1))
		return -1;
	return n && !EVP_DigestUpdate(md, s, n) ? -1 : 0;
}

static int pool_digest(EVP_MD_CTX *md, const struct config_pool *p,
		       uint8_t out[IPSP_DIGEST_LEN])
{
	static const char tag[] = "mipha-ipsp-pool-1";
	uint8_t b[9];
	size_t i;

	if (!EVP_DigestInit_ex(md, EVP_sha256(), NULL) ||
	    !EVP_DigestUpdate(md, tag, sizeof(tag) - 1) ||
	    put_name(md, p->name) || put_name(md, p->group))
		return -1;
	be32(b, (uint32_t)p->n_ranges);
	if (!EVP_DigestUpdate(md, b, 4))
		return -1;
	for (i = 0; i < p->n_ranges; i++) {
		be32(b, p->ranges[i].range.first);
		be32(b + 4, p->ranges[i].range.last);
		b[8] = p->ranges[i].priority;
		if (!EVP_DigestUpdate(md, b, sizeof(b)))
			return -1;
	}
	return EVP_DigestFinal_ex(md, out, NULL) ? 0 : -1;
}

/* (Out of memory: all zeroes, which no configuration hashes to.) */
void config_ipsp_pool_digest(const struct config_pool *p,
			     uint8_t out[IPSP_DIGEST_LEN])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();

	if (!md || pool_digest(md, p, out))
		memset(out, 0, IPSP_DIGEST_LEN);
	EVP_MD_CTX_free(md);
}

void config_ipsp_pools_digest(const struct config *c,
			      uint8_t out[IPSP_DIGEST_LEN])
{
	static const char tag[] = "mipha-ipsp-pools-1";
	EVP_MD_CTX *md = EVP_MD_CTX_new(), *all = EVP_MD_CTX_new();
	uint8_t d[IPSP_DIGEST_LEN], n[4];
	size_t i;
	int err = !md || !all || !EVP_DigestInit_ex(all, EVP_sha256(), NULL) ||
		  !EVP_DigestUpdate(all, tag, sizeof(tag) - 1);

	be32(n, (uint32_t)c->n_pools);
	if (!err && !EVP_DigestUpdate(all, n, sizeof(n)))
		err = 1;
	for (i = 0; i < c->n_pools && !err; i++)
		err = pool_digest(md, &c->pools[i], d) ||
		      !EVP_DigestUpdate(all, d, sizeof(d));
	if (!err && !EVP_DigestFinal_ex(all, out, NULL))
		err = 1;
	if (err)
		memset(out, 0, IPSP_DIGEST_LEN);
	EVP_MD_CTX_free(md);
	EVP_MD_CTX_free(all);
}

/* ---- reload ----------------------------------------------------------- */

/*
 * Configured, in any mode: the state machine's book of the pools is built
 * at start (an inactive IPSP turned active by a reload must find the
 * pools it was built for).
 */
static bool enabled(const struct config_ipsp *p)
{
	return p;
}

/* The pools alike in every setting, thresholds included, in order. */
static bool pools_same(const struct config *o, const struct config *n)
{
	size_t i, j;

	if (o->n_pools != n->n_pools)
		return false;
	for (i = 0; i < o->n_pools; i++) {
		const struct config_pool *a = &o->pools[i], *b = &n->pools[i];

		if (strcmp(a->name, b->name) ||
		    !config_str_eq(a->group, b->group) ||
		    a->threshold_low != b->threshold_low ||
		    a->threshold_high != b->threshold_high ||
		    a->n_ranges != b->n_ranges)
			return false;
		for (j = 0; j < a->n_ranges; j++)
			if (a->ranges[j].range.first !=
				    b->ranges[j].range.first ||
			    a->ranges[j].range.last !=
				    b->ranges[j].range.last ||
			    a->ranges[j].priority != b->ranges[j].priority)
				return false;
	}
	return true;
}

static void add_word(char *buf, size_t size, const char *w)
{
	size_t n = strlen(buf);

	snprintf(buf + n, size - n, "%s%s", n ? ", " : "", w);
}

static void ipsp_diff(const struct config *o, const struct config *n,
		      struct config_diff *d)
{
	const struct config_ipsp *a = config_ipsp(o), *b = config_ipsp(n);
	char what[96] = "", why[192];

	if ((enabled(a) || enabled(b)) && !pools_same(o, n))
		config_diff_restart(d, 0,
				    "pools cannot change while IPSP is "
				    "enabled (seed 004)");
	if (!a && !b)
		return;
	if (!a || !b) {
		snprintf(why, sizeof(why),
			 "ipsp section %s (IPSP is set up at start; "
			 "mode = inactive turns it off live)",
			 a ? "removed" : "added");
		config_diff_restart(d, 0, why);
		return;
	}
	if (a->peer_role != b->peer_role)
		add_word(what, sizeof(what), "peer role");
	if (a->peer.s_addr != b->peer.s_addr)
		add_word(what, sizeof(what), "peer address");
	if (a->port != b->port)
		add_word(what, sizeof(what), "port");
	if (a->block != b->block)
		add_word(what, sizeof(what), "block");
	if (a->local.s_addr != b->local.s_addr)
		add_word(what, sizeof(what), "local");
	if (!config_str_eq(a->notify, b->notify))
		add_word(what, sizeof(what), "notify");
	if (what[0]) {
		snprintf(why, sizeof(why),
			 "ipsp %s changed (the IPSP channel is set up at "
			 "start)",
			 what);
		config_diff_restart(d, 0, why);
	}
	if (a->mode != b->mode || a->dead_interval != b->dead_interval)
		config_diff_live(d, 0, "ipsp");
}

const struct config_section config_ipsp_section = {
	.name = "ipsp",
	.opts = top_opts,
	.load = ipsp_load,
	.check = ipsp_check,
	.free = ipsp_free,
	.diff = ipsp_diff,
};
