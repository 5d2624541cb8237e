// SPDX-License-Identifier: GPL-2.0
/*
 * reg_config: the configuration seen through struct reg_env.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>

#include "log.h"
#include "reg_config.h"

static bool env_is_ha_addr(void *ctx, struct in_addr a)
{
	struct reg_config_env *e = ctx;

	return config_is_ha_addr(e->cfg, a);
}

static struct in_addr env_primary(void *ctx)
{
	struct reg_config_env *e = ctx;

	return config_primary_ha_addr(e->cfg);
}

static enum reg_rt_policy rt_policy(enum config_rt_policy p)
{
	switch (p) {
	case CONFIG_RT_OFF:
		return REG_RT_OFF;
	case CONFIG_RT_REQUIRED:
		return REG_RT_REQUIRED;
	default:
		return REG_RT_ALLOWED;
	}
}

static enum reg_encap_policy encap_policy(enum config_encap e)
{
	switch (e) {
	case CONFIG_ENCAP_IPIP:
		return REG_ENCAP_IPIP;
	case CONFIG_ENCAP_GRE:
		return REG_ENCAP_GRE;
	default:
		return REG_ENCAP_ANY;
	}
}

/* The static address of an NAI host: the one asked for if allowed. */
static struct in_addr nai_static(const struct config_host *h,
				 struct in_addr asked)
{
	struct in_addr none = { 0 };
	size_t i;

	for (i = 0; i < h->n_static; i++) {
		if (h->static_addrs[i].s_addr == asked.s_addr)
			return asked;
	}
	return h->n_static ? h->static_addrs[0] : none;
}

static int env_host(void *ctx, struct in_addr home, const uint8_t *nai,
		    uint8_t nai_len, struct reg_host *out)
{
	struct reg_config_env *e = ctx;
	const struct config *cfg = e->cfg;
	const struct config_host *h = NULL;

	memset(out, 0, sizeof(*out));
	/* The identity selects the host: an unknown NAI is no address. */
	if (nai_len) {
		h = config_host_by_nai(cfg, nai, nai_len);
	} else if (home.s_addr) {
		/* An NAI's static address is that NAI's: not without it. */
		h = config_host_by_addr(cfg, home);
		if (h && h->kind != CONFIG_HOST_ADDR)
			h = NULL;
	}
	if (!h)
		return -ENOENT;
	if (h->kind == CONFIG_HOST_ADDR) {
		out->home_addr = home;
	} else {
		out->home_addr = nai_static(h, home);
		if (!out->home_addr.s_addr) {
			if (!h->pool)
				return -ENOENT;
			out->pool = h->pool;
		}
	}
	if (h->vnet && h->vnet->ha_addr.s_addr)
		out->ha_addr = h->vnet->ha_addr;
	else
		out->ha_addr = cfg->dynamic_addr;
	if (h->link) {
		size_t i = (size_t)(h->link - cfg->links);

		out->link = e->ifindex ? e->ifindex[i] : 0;
		if (!out->link)
			return -ENOENT; /* the home link is not there */
	}
	out->lifetime_limit = h->lifetime;
	if (cfg->max_lifetime && out->lifetime_limit > cfg->max_lifetime)
		out->lifetime_limit = cfg->max_lifetime;
	out->rt = rt_policy(h->reverse_tunnel);
	out->encap = encap_policy(h->encap);
	return 0;
}

static int env_mn_ha_sa(void *ctx, struct in_addr home, const uint8_t *nai,
			uint8_t nai_len, uint32_t spi, struct reg_mn_sa *out)
{
	struct reg_config_env *e = ctx;
	const struct config_sa *sa;

	sa = config_mn_ha_sa(e->cfg, home, nai, nai_len, spi);
	if (!sa)
		return -ENOENT;
	out->key = sa->key;
	out->replay = sa->replay;
	out->window_s = sa->replay_window;
	return 0;
}

static int env_fa_ha_sa(void *ctx, struct in_addr fa, uint32_t spi,
			struct auth_key *out)
{
	struct reg_config_env *e = ctx;
	const struct config_sa *sa;

	if (!config_fa_ha_sa(e->cfg, fa, 0, false))
		return -ENOENT;
	/* Several SAs with one FA (a key rollover): the request's SPI. */
	sa = config_fa_ha_sa(e->cfg, fa, spi, true);
	if (!sa)
		return -ENOKEY;
	*out = sa->key;
	return 0;
}

void reg_config_env_free(struct reg_config_env *data)
{
	free(data->ifindex);
	data->ifindex = NULL;
}

int reg_config_env(struct reg_env *env, struct reg_config_env *data,
		   const struct config *cfg)
{
	uint32_t *ifx = NULL;
	size_t i;

	if (cfg->n_links) {
		ifx = calloc(cfg->n_links, sizeof(*ifx));
		if (!ifx)
			return -ENOMEM;
	}
	for (i = 0; i < cfg->n_links; i++) {
		ifx[i] = if_nametoindex(cfg->links[i].ifname);
		if (!ifx[i])
			log_warn("home link %s: no such interface; its hosts "
				 "are refused until a reload finds it",
				 cfg->links[i].ifname);
	}
	free(data->ifindex);
	data->ifindex = ifx;
	data->cfg = cfg;
	env->ctx = data;
	env->is_ha_addr = env_is_ha_addr;
	env->primary_ha_addr = env_primary;
	env->host = env_host;
	env->mn_ha_sa = env_mn_ha_sa;
	env->fa_ha_sa = env_fa_ha_sa;
	return 0;
}
