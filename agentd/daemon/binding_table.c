// SPDX-License-Identifier: GPL-2.0
/*
 * binding_table: two chained hash tables over the same bindings, growing by
 * doubling so that a lookup stays O(1) at 500,000 bindings.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "binding_table.h"

size_t binding_hash_addr(struct in_addr a)
{
	uint32_t x = ntohl(a.s_addr);

	x ^= x >> 16;
	x *= 0x7feb352d;
	x ^= x >> 15;
	x *= 0x846ca68b;
	x ^= x >> 16;
	return x;
}

size_t binding_hash_nai(const uint8_t *p, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	while (len--) {
		h ^= *p++;
		h *= 0x100000001b3ULL;
	}
	return (size_t)(h ^ (h >> 32));
}

/*
 * A linked binding's NAI hash is the one binding_table_insert() kept: a
 * table that doubles rehashes every binding, and hashing a NAI is a loop
 * over its bytes.
 */
static size_t binding_hash(const struct reg_binding *b, bool nai)
{
	return nai ? b->nai_hash : binding_hash_addr(b->home_addr);
}

static struct reg_binding **chain_next(struct reg_binding *b, bool nai)
{
	return nai ? &b->next_nai : &b->next_addr;
}

static int htab_grow(struct binding_htab *t, bool nai)
{
	size_t size = t->size ? t->size * 2 : 1024, i;
	struct reg_binding **nb = calloc(size, sizeof(*nb));

	if (!nb)
		return -ENOMEM;
	for (i = 0; i < t->size; i++) {
		struct reg_binding *b = t->b[i], *next;

		for (; b; b = next) {
			size_t h = binding_hash(b, nai) & (size - 1);

			next = *chain_next(b, nai);
			*chain_next(b, nai) = nb[h];
			nb[h] = b;
		}
	}
	free(t->b);
	t->b = nb;
	t->size = size;
	return 0;
}

static int htab_insert(struct binding_htab *t, struct reg_binding *b, bool nai)
{
	size_t h;

	if (t->n >= t->size) {
		int ret = htab_grow(t, nai);

		/* A full table still works, only with longer chains. */
		if (ret && !t->size)
			return ret;
	}
	h = binding_hash(b, nai) & (t->size - 1);
	*chain_next(b, nai) = t->b[h];
	t->b[h] = b;
	t->n++;
	return 0;
}

static void htab_remove(struct binding_htab *t, struct reg_binding *b, bool nai)
{
	struct reg_binding **pp;

	if (!t->size)
		return;
	pp = &t->b[binding_hash(b, nai) & (t->size - 1)];
	for (; *pp; pp = chain_next(*pp, nai)) {
		if (*pp == b) {
			*pp = *chain_next(b, nai);
			t->n--;
			return;
		}
	}
}

struct reg_binding *binding_table_find_addr(const struct binding_table *t,
					    struct in_addr a)
{
	struct reg_binding *b;

	if (!t->by_addr.size)
		return NULL;
	b = t->by_addr.b[binding_hash_addr(a) & (t->by_addr.size - 1)];
	for (; b; b = b->next_addr) {
		if (b->home_addr.s_addr == a.s_addr)
			return b;
	}
	return NULL;
}

static struct reg_binding *find_nai(const struct binding_table *t,
				    const uint8_t *nai, size_t len, uint32_t h)
{
	struct reg_binding *b;

	if (!t->by_nai.size || !len)
		return NULL;
	b = t->by_nai.b[h & (t->by_nai.size - 1)];
	for (; b; b = b->next_nai) {
		if (b->nai_len == len && !memcmp(b->nai, nai, len))
			return b;
	}
	return NULL;
}

struct reg_binding *binding_table_find_nai(const struct binding_table *t,
					   const uint8_t *nai, size_t len)
{
	return find_nai(t, nai, len, (uint32_t)binding_hash_nai(nai, len));
}

int binding_table_insert(struct binding_table *t, struct reg_binding *b)
{
	int ret;

	if (b->nai_len)
		b->nai_hash = (uint32_t)binding_hash_nai(b->nai, b->nai_len);
	if (binding_table_find_addr(t, b->home_addr) ||
	    (b->nai_len && find_nai(t, b->nai, b->nai_len, b->nai_hash)))
		return -EEXIST;
	ret = htab_insert(&t->by_addr, b, false);
	if (ret)
		return ret;
	if (b->nai_len) {
		ret = htab_insert(&t->by_nai, b, true);
		if (ret) {
			htab_remove(&t->by_addr, b, false);
			return ret;
		}
	}
	return 0;
}

void binding_table_remove(struct binding_table *t, struct reg_binding *b)
{
	htab_remove(&t->by_addr, b, false);
	if (b->nai_len)
		htab_remove(&t->by_nai, b, true);
}

size_t binding_table_count(const struct binding_table *t)
{
	return t->by_addr.n;
}

size_t binding_table_buckets(const struct binding_table *t)
{
	return t->by_addr.size;
}

struct reg_binding *binding_table_bucket(const struct binding_table *t,
					 size_t i)
{
	return i < t->by_addr.size ? t->by_addr.b[i] : NULL;
}

void binding_table_destroy(struct binding_table *t)
{
	free(t->by_addr.b);
	free(t->by_nai.b);
	memset(t, 0, sizeof(*t));
}
