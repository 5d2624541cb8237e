// SPDX-License-Identifier: GPL-2.0
/*
 * binding_kernel: see binding_kernel.h.
 */
#include <errno.h>
#include <string.h>
#include <linux/mipha.h>

#include "binding_kernel.h"

int binding_rec_to_kernel(const struct binding_rec *rec, uint64_t now_ms,
			  uint8_t *cookie, size_t size,
			  struct kernel_binding *kb)
{
	struct reg_cookie c;
	size_t pool_len = rec->pool ? strlen(rec->pool) : 0;
	int len;

	if (pool_len > REG_POOL_NAME_MAX || (rec->nai_len && !rec->nai))
		return -EINVAL;
	memset(&c, 0, sizeof(c));
	c.req_flags = rec->req_flags;
	c.replay_method = (enum replay_method)rec->replay_method;
	c.replay = rec->replay;
	c.spi = rec->spi;
	c.granted = rec->granted;
	c.reg_time_ms = rec->reg_time_ms;
	c.src = rec->src;
	c.nai_len = rec->nai_len;
	if (rec->nai_len)
		memcpy(c.nai, rec->nai, rec->nai_len);
	c.pool_len = (uint8_t)pool_len;
	if (pool_len)
		memcpy(c.pool, rec->pool, pool_len);
	len = reg_cookie_encode(&c, cookie, size);
	if (len < 0)
		return len;

	memset(kb, 0, sizeof(*kb));
	kb->home_addr = rec->home_addr;
	kb->coa = rec->coa;
	kb->ha_addr = rec->ha_addr;
	kb->encap = rec->encap;
	kb->flags = rec->kflags;
	kb->link = rec->link;
	if (rec->expires_ms) {
		uint64_t left =
			rec->expires_ms > now_ms ? rec->expires_ms - now_ms : 0;
		uint64_t s = (left + 999) / 1000;

		kb->lifetime = !s		      ? 1 :
			       s > MIPHA_LIFETIME_MAX ? MIPHA_LIFETIME_MAX :
							(uint32_t)s;
	}
	kb->cookie = cookie;
	kb->cookie_len = (uint16_t)len;
	return 0;
}

void binding_rec_from_kernel(const struct kernel_binding *kb,
			     const struct reg_cookie *c, uint64_t now_ms,
			     enum binding_origin origin,
			     struct binding_rec *rec)
{
	*rec = (struct binding_rec){
		.home_addr = kb->home_addr,
		.coa = kb->coa,
		.ha_addr = kb->ha_addr,
		.src = c->src,
		.replay = c->replay,
		.reg_time_ms = c->reg_time_ms,
		/* 0 is "never": a binding due now expires in 1 ms. */
		.expires_ms = kb->has_expires ? now_ms + kb->expires_ms +
							!kb->expires_ms :
						0,
		.spi = c->spi,
		.granted = c->granted,
		.link = kb->link,
		.kflags = kb->flags,
		.req_flags = c->req_flags,
		.replay_method = (uint8_t)c->replay_method,
		.encap = kb->encap ?: MIPHA_ENCAP_IPIP,
		.origin = (uint8_t)origin,
		.nai_len = c->nai_len,
		.nai = c->nai_len ? c->nai : NULL,
		.pool = c->pool_len ? c->pool : NULL,
	};
}
