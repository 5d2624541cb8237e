// SPDX-License-Identifier: GPL-2.0
/*
 * Binding objects: allocation and freeing.
 *
 * Bindings come from their own slab cache, aligned to the cache line (the
 * packet path reads the first line only: binding.h), 128 bytes, 32 to a
 * page, and visible as such in /proc/slabinfo. The cache is accounted to
 * memory cgroups.
 */
#include <linux/slab.h>
#include <linux/string.h>

#include "binding.h"

static struct kmem_cache *binding_cache;

int mipha_binding_cache_init(void)
{
	/*
	 * Any user may own a table (user namespaces): charge its memcg.
	 * Named after the module: the table test module has a cache of its
	 * own, and two caches of one name collide in sysfs.
	 */
	binding_cache = kmem_cache_create(KBUILD_MODNAME "_binding",
					  sizeof(struct mipha_binding),
					  __alignof__(struct mipha_binding),
					  SLAB_ACCOUNT, NULL);
	return binding_cache ? 0 : -ENOMEM;
}

void mipha_binding_cache_exit(void)
{
	/* Bindings freed by call_rcu() must be back before the cache goes. */
	rcu_barrier();
	kmem_cache_destroy(binding_cache);
}

struct mipha_binding *mipha_binding_alloc(gfp_t gfp)
{
	return kmem_cache_zalloc(binding_cache, gfp);
}

int mipha_binding_set_cookie(struct mipha_binding *b, const void *data,
			     u16 len, gfp_t gfp)
{
	u8 *cookie = NULL;

	if (len) {
		cookie = kmemdup(data, len, gfp);
		if (!cookie)
			return -ENOMEM;
	}
	kfree(b->cookie);
	b->cookie = cookie;
	b->cookie_len = len;
	return 0;
}

void mipha_binding_free(struct mipha_binding *b)
{
	if (!b)
		return;
	kfree(b->cookie);
	kmem_cache_free(binding_cache, b);
}

static void binding_free_rcu(struct rcu_head *head)
{
	mipha_binding_free(container_of(head, struct mipha_binding, rcu));
}

void mipha_binding_free_rcu(struct mipha_binding *b)
{
	call_rcu(&b->rcu, binding_free_rcu);
}
