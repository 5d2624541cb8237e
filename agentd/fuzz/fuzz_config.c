// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness: the configuration loader. The input is the text of an
 * agentd.conf; it goes through comment stripping, libconfuse and every
 * semantic check. What loads is then used the way the daemon uses it:
 * every lookup on addresses and NAIs taken from the configuration itself,
 * a reload diff against the previous input that loaded, and (if its pools
 * are small) a pool set with a few allocations and releases.
 *
 * Key files named in an input are opened like any other (only regular
 * files of mode 0600 are read); nothing is written.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "config.h"
#include "pool.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct config *prev;

static void use_lookups(const struct config *c)
{
	size_t i, j;

	for (i = 0; i < c->n_hosts; i++) {
		const struct config_host *h = &c->hosts[i];
		struct in_addr a = { htonl(h->range.first) };

		if (h->kind == CONFIG_HOST_ADDR) {
			if (config_host_by_addr(c, a) != h)
				abort();
			a.s_addr = htonl(h->range.last);
			if (config_host_by_addr(c, a) != h)
				abort();
			(void)config_has_mn_ha_sa(c, a, NULL, 0);
		} else {
			if (config_host_by_nai(c, (const uint8_t *)h->nai,
					       strlen(h->nai)) != h &&
			    h->kind == CONFIG_HOST_NAI)
				abort();
			for (j = 0; j < h->n_static; j++)
				if (config_host_by_addr(
					    c, h->static_addrs[j]) != h)
					abort();
		}
	}
	for (i = 0; i < c->n_mn_ha; i++) {
		const struct config_sa *sa = &c->mn_ha[i];
		struct in_addr a = { htonl(sa->range.first) };

		if (sa->match == CONFIG_MATCH_ADDR) {
			if (config_mn_ha_sa(c, a, NULL, 0, sa->key.spi) != sa)
				abort();
		} else if (sa->match == CONFIG_MATCH_NAI &&
			   config_mn_ha_sa(c, (struct in_addr){ 0 },
					   (const uint8_t *)sa->nai,
					   strlen(sa->nai),
					   sa->key.spi) != sa) {
			abort();
		}
	}
	for (i = 0; i < c->n_fa_ha; i++) {
		struct in_addr a = { htonl(c->fa_ha[i].range.last) };

		if (!config_fa_ha_sa(c, a, c->fa_ha[i].key.spi, true))
			abort();
	}
	for (i = 0; i < c->n_ha_addrs; i++)
		if (!config_is_ha_addr(c, c->ha_addrs[i]))
			abort();
	for (i = 0; i < c->n_vnets; i++)
		if (!config_vnet_by_addr(c, c->vnets[i].net))
			abort();
}

static void use_pools(const struct config *c)
{
	uint64_t total = 0;
	struct pool_set *ps;
	struct in_addr a;
	size_t i;
	int k;

	for (i = 0; i < c->n_pools; i++)
		total += c->pools[i].size;
	if (total > (1 << 16))
		return; /* bitmaps of huge pools only cost memory here */
	ps = pool_set_new(c);
	if (!ps)
		return;
	for (i = 0; i < c->n_pools; i++) {
		for (k = 0; k < 3; k++) {
			if (pool_alloc(ps, c->pools[i].name, &a))
				break;
			if (!pool_in_use(ps, a) || !pool_owner(ps, a))
				abort();
		}
		if (k && pool_release(ps, a))
			abort();
	}
	pool_set_free(ps);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config *c;
	char err[512];
	char *text = malloc(size + 1);

	if (!text)
		return 0;
	memcpy(text, data, size);
	if (config_parse_text("fuzz.conf", text, size, &c, err, sizeof(err)) ==
	    0) {
		struct config_diff d;

		use_lookups(c);
		use_pools(c);
		if (prev) {
			config_diff(prev, c, &d);
			config_free(prev);
		}
		prev = c;
	} else if (strncmp(err, "fuzz.conf", 9)) {
		abort(); /* every error names the file */
	}
	free(text);
	return 0;
}
