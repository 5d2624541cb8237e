// SPDX-License-Identifier: GPL-2.0
/*
 * binding_store: the one owner of the daemon's bindings (binding_store.h).
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "binding_store.h"
#include "log.h"
#include "loop.h"
#include "pool.h"

struct binding_observer {
	binding_observer_fn fn;
	void *ctx;
};

/*
 * A pool name the bindings of that pool share: a copy each cost a download
 * a malloc and a free a binding. Counted; freed with its last binding.
 */
struct pool_name {
	struct pool_name *next;
	size_t refs;
	char name[];
};

#define POOL_NAME_BUCKETS 64

struct binding_store {
	struct loop *loop;
	struct pool_set *pools;
	struct pool_name *names[POOL_NAME_BUCKETS];
	struct binding_table table; /* by home address and by NAI */
	struct replay_cache *replay;
	struct binding_store_ops ops;
	void *ctx;
	struct binding_observer *obs;
	size_t n_obs;
};

static const char *const cause_names[BINDING_CAUSE_MAX] = {
	[BINDING_CAUSE_REGISTER] = "registered",
	[BINDING_CAUSE_RENEW] = "renewed",
	[BINDING_CAUSE_DEREGISTER] = "deregistered",
	[BINDING_CAUSE_EXPIRED] = "expired",
	[BINDING_CAUSE_DELETED_OUTSIDE] = "deleted outside agentd",
	[BINDING_CAUSE_FLUSHED] = "flushed",
	[BINDING_CAUSE_RECOVERED] = "recovered",
	[BINDING_CAUSE_PEER] = "peer update",
	[BINDING_CAUSE_TAKEN_OVER] = "taken over",
};

const char *binding_cause_str(enum binding_cause cause)
{
	return (unsigned int)cause < BINDING_CAUSE_MAX ? cause_names[cause] :
							 "?";
}

/* ---- records ---------------------------------------------------------- */

void binding_store_rec(const struct reg_binding *b, struct binding_rec *rec)
{
	*rec = (struct binding_rec){
		.home_addr = b->home_addr,
		.coa = b->coa,
		.ha_addr = b->ha_addr,
		.src = b->src,
		.replay = b->replay,
		.reg_time_ms = b->reg_time_ms,
		.expires_ms = b->expires_ms,
		.version = b->version,
		.spi = b->spi,
		.granted = b->granted,
		.link = b->link,
		.kflags = b->kflags,
		.req_flags = b->req_flags,
		.replay_method = b->replay_method,
		.encap = b->encap,
		.origin = b->origin,
		.nai_len = b->nai_len,
		.nai = b->nai,
		.pool = b->pool,
		.n_aaa = b->n_aaa,
		.aaa = b->aaa,
	};
}

/*
 * A copy of a record's AAA attributes in one allocation (the array, then the
 * values); NULL with *err 0 when there are none. -EINVAL: more than
 * BINDING_AAA_MAX, or a value too long or missing.
 */
static struct binding_aaa *aaa_copy(const struct binding_rec *rec, int *err)
{
	struct binding_aaa *a;
	size_t size = rec->n_aaa * sizeof(*a);
	uint8_t *v;
	unsigned int i;

	*err = 0;
	if (!rec->n_aaa)
		return NULL;
	if (rec->n_aaa > BINDING_AAA_MAX || !rec->aaa) {
		*err = -EINVAL;
		return NULL;
	}
	for (i = 0; i < rec->n_aaa; i++) {
		if (rec->aaa[i].len > BINDING_AAA_VALUE_MAX ||
		    (rec->aaa[i].len && !rec->aaa[i].value)) {
			*err = -EINVAL;
			return NULL;
		}
		size += rec->aaa[i].len;
	}
	a = malloc(size);
	if (!a) {
		*err = -ENOMEM;
		return NULL;
	}
	v = (uint8_t *)(a + rec->n_aaa);
	for (i = 0; i < rec->n_aaa; i++) {
		a[i] = (struct binding_aaa){ .type = rec->aaa[i].type,
					     .len = rec->aaa[i].len,
					     .value = v };
		if (rec->aaa[i].len)
			memcpy(v, rec->aaa[i].value, rec->aaa[i].len);
		v += rec->aaa[i].len;
	}
	return a;
}

/* The record's fields but the keys (home address, NAI) and the pool. */
static void entry_set(struct reg_binding *b, const struct binding_rec *rec)
{
	b->coa = rec->coa;
	b->ha_addr = rec->ha_addr;
	b->src = rec->src;
	b->replay = rec->replay;
	b->reg_time_ms = rec->reg_time_ms;
	b->expires_ms = rec->expires_ms;
	b->version = rec->version ?: b->version + 1;
	b->spi = rec->spi;
	b->granted = rec->granted;
	b->link = rec->link;
	b->kflags = rec->kflags;
	b->req_flags = rec->req_flags;
	b->replay_method = rec->replay_method;
	b->encap = rec->encap;
	b->origin = rec->origin;
	b->stale = false;
}

static void notify(struct binding_store *s, enum binding_cause cause,
		   const struct binding_rec *old, const struct binding_rec *new)
{
	size_t i;

	for (i = 0; i < s->n_obs; i++)
		s->obs[i].fn(s->obs[i].ctx, cause, old, new);
}

/* ---- expiry ----------------------------------------------------------- */

static void expiry_cb(struct loop_timer *t)
{
	struct reg_binding *b = t->data;
	struct binding_store *s = b->store;
	struct binding_rec rec;
	int ret = 0;

	binding_store_rec(b, &rec);
	if (s->ops.expire)
		ret = s->ops.expire(s->ctx, &rec);
	if (!ret) {
		binding_store_remove(s, rec.home_addr, BINDING_CAUSE_EXPIRED,
				     0);
		return;
	}
	/*
	 * The callback may have removed it already (a delete that completes
	 * at once), or replaced it: b may be gone. Only the same binding,
	 * still here, is asked again.
	 */
	b = binding_table_find_addr(&s->table, rec.home_addr);
	if (!b || b->reg_time_ms != rec.reg_time_ms)
		return;
	/*
	 * The kernel may still forward for it: the address is not free
	 * until it is gone. Ask again in a while, also after -EINPROGRESS:
	 * a delete whose answer says it failed leaves the binding here.
	 */
	if (loop_timer_arm_at(s->loop, &b->timer,
			      loop_now_ms() + BINDING_EXPIRY_GRACE_MS))
		log_err("out of memory arming an expiry timer");
}

static void entry_arm(struct binding_store *s, struct reg_binding *b)
{
	/*
	 * The kernel expires the binding itself at the same moment and tells
	 * us; the timer (a little later) covers a lost notification.
	 */
	if (!b->expires_ms) {
		loop_timer_cancel(s->loop, &b->timer);
		return;
	}
	if (loop_timer_arm_at(s->loop, &b->timer,
			      b->expires_ms + BINDING_EXPIRY_GRACE_MS))
		log_err("out of memory arming an expiry timer");
}

/* ---- shared pool names ----------------------------------------------- */

static struct pool_name **name_bucket(struct binding_store *s, const char *name)
{
	return &s->names[binding_hash_nai((const uint8_t *)name, strlen(name)) %
			 POOL_NAME_BUCKETS];
}

/* The shared copy of name, one more reference to it; NULL: no memory. */
static char *name_get(struct binding_store *s, const char *name)
{
	struct pool_name **head = name_bucket(s, name), *n;
	size_t len;

	for (n = *head; n; n = n->next) {
		if (!strcmp(n->name, name)) {
			n->refs++;
			return n->name;
		}
	}
	len = strlen(name);
	n = malloc(sizeof(*n) + len + 1);
	if (!n)
		return NULL;
	memcpy(n->name, name, len + 1);
	n->refs = 1;
	n->next = *head;
	*head = n;
	return n->name;
}

/* Drops a reference name_get() gave (NULL: none). */
static void name_put(struct binding_store *s, char *name)
{
	struct pool_name **pp, *n;

	if (!name)
		return;
	n = (struct pool_name *)(name - offsetof(struct pool_name, name));
	if (--n->refs)
		return;
	for (pp = name_bucket(s, name); *pp != n; pp = &(*pp)->next)
		;
	*pp = n->next;
	free(n);
}

/* ---- the two changes -------------------------------------------------- */

/* A binding and its NAI, which never changes, in one allocation. */
static struct reg_binding *entry_new(struct binding_store *s,
				     const struct binding_rec *rec)
{
	struct reg_binding *b = calloc(1, sizeof(*b) + rec->nai_len);

	if (!b)
		return NULL;
	b->store = s;
	b->home_addr = rec->home_addr;
	loop_timer_init(&b->timer, expiry_cb, b);
	if (rec->nai_len) {
		b->nai = (uint8_t *)(b + 1);
		memcpy(b->nai, rec->nai, rec->nai_len);
		b->nai_len = rec->nai_len;
	}
	if (rec->pool) {
		b->pool = name_get(s, rec->pool);
		if (!b->pool) {
			free(b);
			return NULL;
		}
	}
	return b;
}

static void entry_free(struct binding_store *s, struct reg_binding *b)
{
	loop_timer_cancel(s->loop, &b->timer);
	binding_table_remove(&s->table, b);
	free(b->aaa);
	name_put(s, b->pool);
	free(b);
}

static bool same_identity(const struct reg_binding *b,
			  const struct binding_rec *rec)
{
	return b->nai_len == rec->nai_len &&
	       (!rec->nai_len || !memcmp(b->nai, rec->nai, rec->nai_len));
}

static void log_change(const struct reg_binding *b, enum binding_cause cause,
		       const char *what)
{
	char a[INET_ADDRSTRLEN];

	if (!log_debug_on(LOG_REGISTRATION))
		return;
	inet_ntop(AF_INET, &b->home_addr, a, sizeof(a));
	log_debug_msg(LOG_REGISTRATION, "binding %s %s: %s", a, what,
		      binding_cause_str(cause));
}

int binding_store_upsert(struct binding_store *s, const struct binding_rec *rec,
			 enum binding_cause cause)
{
	struct reg_binding *b =
		binding_table_find_addr(&s->table, rec->home_addr);
	struct binding_rec old, new;
	char *pool = NULL, *old_pool;
	struct binding_aaa *aaa, *old_aaa;
	int ret;

	aaa = aaa_copy(rec, &ret);
	if (ret)
		return ret;
	if (!b) {
		b = entry_new(s, rec);
		if (!b) {
			free(aaa);
			return -ENOMEM;
		}
		/* -EEXIST: the NAI is bound at another address */
		ret = binding_table_insert(&s->table, b);
		if (ret) {
			free(aaa);
			name_put(s, b->pool);
			free(b);
			return ret;
		}
		b->aaa = aaa;
		b->n_aaa = aaa ? rec->n_aaa : 0;
		entry_set(b, rec);
		entry_arm(s, b);
		log_change(b, cause, "added");
		binding_store_rec(b, &new);
		notify(s, cause, NULL, &new);
		return 0;
	}
	/* Never one node's binding changed by another's record. */
	if (!same_identity(b, rec)) {
		free(aaa);
		return -EEXIST;
	}
	if (rec->pool && (!b->pool || strcmp(rec->pool, b->pool))) {
		pool = name_get(s, rec->pool);
		if (!pool) {
			free(aaa);
			return -ENOMEM;
		}
	}
	binding_store_rec(b, &old);
	old_pool = b->pool;
	/* (the old record's attributes stay valid until the observers saw it) */
	old_aaa = b->aaa;
	b->aaa = aaa;
	b->n_aaa = aaa ? rec->n_aaa : 0;
	/*
	 * A record without a pool leaves the one the binding holds: the
	 * address stays reserved where it is (a static address adopted by a
	 * pool after a reload keeps its pool).
	 */
	if (pool)
		b->pool = pool;
	entry_set(b, rec);
	entry_arm(s, b);
	log_change(b, cause, "updated");
	binding_store_rec(b, &new);
	notify(s, cause, &old, &new);
	if (pool)
		name_put(s, old_pool);
	free(old_aaa);
	return 0;
}

/* A binding leaves its replay state behind when it goes. */
static void keep_replay(struct binding_store *s, const struct reg_binding *b)
{
	uint8_t key[REPLAY_KEY_MAX];
	struct replay_state cached;
	uint16_t len;

	if (!b->replay.seen && !b->replay.has_nonce)
		return;
	len = binding_replay_key(key, b->nai, b->nai_len, b->home_addr);
	/*
	 * Never backwards: a newer timestamp mark the cache holds (a peer's
	 * download brought it while this binding was stale) stays.
	 */
	if (b->replay_method == REPLAY_TIMESTAMP &&
	    replay_cache_get(s->replay, key, len, &cached) && cached.seen &&
	    b->replay.seen &&
	    (int64_t)(cached.last_id - b->replay.last_id) > 0)
		return;
	if (replay_cache_put(s->replay, key, len, &b->replay,
			     (enum replay_method)b->replay_method,
			     replay_ntp_now()))
		log_ratelimited(LOG_ERR, "out of memory keeping replay state");
}

/*
 * Whatever ended the binding (expiry, a delete from outside, a flush), a
 * request it already accepted must not be accepted again, even within the
 * replay window: its high-water mark stays in the replay cache.
 */
static void entry_remove(struct binding_store *s, struct reg_binding *b,
			 enum binding_cause cause, unsigned int flags)
{
	struct binding_rec old;
	char a[INET_ADDRSTRLEN];

	keep_replay(s, b);
	if (b->pool && !(flags & BINDING_KEEP_ADDR)) {
		pool_release(s->pools, b->home_addr);
		if (log_debug_on(LOG_POOL)) {
			inet_ntop(AF_INET, &b->home_addr, a, sizeof(a));
			log_debug_msg(LOG_POOL, "%s released to pool %s (%s)",
				      a, b->pool, binding_cause_str(cause));
		}
	}
	log_change(b, cause, "removed");
	binding_store_rec(b, &old);
	notify(s, cause, &old, NULL);
	entry_free(s, b);
}

int binding_store_remove(struct binding_store *s, struct in_addr home,
			 enum binding_cause cause, unsigned int flags)
{
	struct reg_binding *b = binding_table_find_addr(&s->table, home);

	if (!b)
		return -ENOENT;
	entry_remove(s, b, cause, flags);
	return 0;
}

void binding_store_remove_all(struct binding_store *s, enum binding_cause cause)
{
	struct reg_binding *b;
	size_t i;

	for (i = 0; i < binding_table_buckets(&s->table); i++) {
		while ((b = binding_table_bucket(&s->table, i)))
			entry_remove(s, b, cause, 0);
	}
}

static void set_stale(struct binding_store *s, bool stale)
{
	struct reg_binding *b;
	size_t i;

	for (i = 0; i < binding_table_buckets(&s->table); i++)
		for (b = binding_table_bucket(&s->table, i); b;
		     b = b->next_addr)
			b->stale = stale;
}

void binding_store_mark_stale(struct binding_store *s)
{
	set_stale(s, true);
}

void binding_store_unmark_stale(struct binding_store *s)
{
	set_stale(s, false);
}

void binding_store_keep(struct binding_store *s, struct in_addr home)
{
	struct reg_binding *b = binding_table_find_addr(&s->table, home);

	if (b)
		b->stale = false;
}

size_t binding_store_sweep_stale(struct binding_store *s,
				 enum binding_cause cause)
{
	struct reg_binding *b, *next;
	size_t i, n = 0;

	for (i = 0; i < binding_table_buckets(&s->table); i++) {
		for (b = binding_table_bucket(&s->table, i); b; b = next) {
			next = b->next_addr;
			if (!b->stale)
				continue;
			entry_remove(s, b, cause, 0);
			n++;
		}
	}
	return n;
}

/* ---- reading ---------------------------------------------------------- */

const struct reg_binding *binding_store_find_addr(const struct binding_store *s,
						  struct in_addr home)
{
	return binding_table_find_addr(&s->table, home);
}

const struct reg_binding *binding_store_find_nai(const struct binding_store *s,
						 const uint8_t *nai, size_t len)
{
	return binding_table_find_nai(&s->table, nai, len);
}

size_t binding_store_count_link(const struct binding_store *s, uint32_t link)
{
	const struct reg_binding *b;
	size_t i, n = 0;

	for (i = 0; i < binding_table_buckets(&s->table); i++)
		for (b = binding_table_bucket(&s->table, i); b;
		     b = b->next_addr)
			n += b->link == link;
	return n;
}

size_t binding_store_count(const struct binding_store *s)
{
	return binding_table_count(&s->table);
}

const struct binding_table *binding_store_table(const struct binding_store *s)
{
	return &s->table;
}

/* ---- pool addresses --------------------------------------------------- */

/*
 * The pool may hand out an address that a binding holds without the pool
 * knowing (a range added by a reload over bound addresses): that binding
 * adopts it, so it goes back to the pool when the binding goes, and the
 * pool is asked again.
 */
int binding_store_pool_alloc(struct binding_store *s, const char *pool,
			     struct in_addr *out)
{
	struct reg_binding *holder;
	int ret, tries;

	for (tries = 0; tries < 8; tries++) {
		ret = pool_alloc(s->pools, pool, out);
		if (ret)
			return ret;
		holder = binding_table_find_addr(&s->table, *out);
		if (!holder)
			return 0;
		log_warn("pool %s handed out %s, which a binding holds: "
			 "the binding keeps it",
			 pool, inet_ntoa(*out));
		if (!holder->pool) {
			holder->pool = name_get(
				s, pool_owner(s->pools, *out) ?: pool);
			if (!holder->pool) {
				pool_release(s->pools, *out);
				return -ENOMEM;
			}
		}
	}
	return -ENOSPC;
}

void binding_store_pool_unreserve(struct binding_store *s, struct in_addr a)
{
	pool_release(s->pools, a);
}

bool binding_store_pool_release_unbound(struct binding_store *s,
					struct in_addr a)
{
	if (!s->pools || binding_table_find_addr(&s->table, a) ||
	    !pool_in_use(s->pools, a))
		return false;
	pool_release(s->pools, a);
	return true;
}

bool binding_store_addr_free(const struct binding_store *s, struct in_addr a)
{
	return !binding_table_find_addr(&s->table, a);
}

/*
 * The pool address of a recovered binding is reserved again, so that it
 * is never both bound and free: in the pool its cookie names, else (the
 * pool was renamed across the restart) in whichever pool holds the address
 * now. An address no pool holds any more stays bound without a pool.
 */
const char *binding_store_pool_reserve(struct binding_store *s,
				       const char *pool, struct in_addr a)
{
	char as[INET_ADDRSTRLEN];
	const char *owner;
	int ret;

	/*
	 * Already in use in that pool (or its group): a binding the resync
	 * displaced kept it reserved; it is this binding's again.
	 */
	if (pool) {
		ret = pool_reserve(s->pools, pool, a);
		if (!ret || ret == -EEXIST)
			return pool;
	}
	owner = pool_owner(s->pools, a);
	if (!owner)
		return NULL;
	inet_ntop(AF_INET, &a, as, sizeof(as));
	ret = pool_reserve(s->pools, NULL, a);
	if (ret && ret != -EEXIST) {
		log_warn("binding %s: not reserved in pool %s: %s", as, owner,
			 strerror(-ret));
		return NULL;
	}
	if (pool && strcmp(owner, pool))
		log_notice("binding %s: pool %s is gone; the address is "
			   "reserved in pool %s",
			   as, pool, owner);
	return owner;
}

/* ---- replay high-water marks ------------------------------------------ */

uint16_t binding_replay_key(uint8_t *key, const uint8_t *nai, uint8_t nai_len,
			    struct in_addr home)
{
	if (nai_len) {
		key[0] = 1;
		memcpy(key + 1, nai, nai_len);
		return 1 + nai_len;
	}
	key[0] = 0;
	memcpy(key + 1, &home.s_addr, 4);
	return 1 + 4;
}

bool binding_replay_identity(const uint8_t *key, size_t len,
			     struct binding_rec *rec)
{
	if (len >= 2 && len <= 1 + 255 && key[0] == 1) {
		rec->nai = key + 1;
		rec->nai_len = (uint8_t)(len - 1);
		return true;
	}
	if (len == 1 + 4 && key[0] == 0) {
		memcpy(&rec->home_addr.s_addr, key + 1, 4);
		return true;
	}
	return false;
}

void binding_store_replay_get(const struct binding_store *s, const uint8_t *key,
			      size_t len, struct replay_state *st)
{
	replay_cache_get(s->replay, key, len, st);
}

void binding_store_replay_note(struct binding_store *s,
			       const struct reg_binding *b, const uint8_t *key,
			       size_t len, const struct replay_state *st,
			       enum replay_method m, uint64_t now_ntp)
{
	if (b) {
		/* the store's own entry: callers only hold it const */
		((struct reg_binding *)b)->replay = *st;
		return;
	}
	if (len && replay_cache_put(s->replay, key, len, st, m, now_ntp))
		log_ratelimited(LOG_ERR, "out of memory keeping replay state");
}

void binding_store_replay_merge(const struct binding_store *s,
				struct binding_rec *rec)
{
	struct replay_state cached;
	uint8_t key[REPLAY_KEY_MAX];
	uint16_t len =
		binding_replay_key(key, rec->nai, rec->nai_len, rec->home_addr);

	if (!replay_cache_get(s->replay, key, len, &cached))
		return;
	if (cached.seen &&
	    (!rec->replay.seen ||
	     (int64_t)(cached.last_id - rec->replay.last_id) > 0)) {
		rec->replay.seen = true;
		rec->replay.last_id = cached.last_id;
	}
	if (cached.has_nonce) {
		rec->replay.has_nonce = true;
		rec->replay.ha_nonce = cached.ha_nonce;
	}
}

const struct replay_cache *binding_store_replay(const struct binding_store *s)
{
	return s->replay;
}

void binding_store_replay_floor(struct binding_store *s, uint64_t floor,
				uint64_t now_ntp)
{
	replay_cache_raise_floor(s->replay, floor, now_ntp);
}

/* ---- life ------------------------------------------------------------- */

int binding_store_new(struct binding_store **sp, struct loop *l,
		      struct pool_set *pools, size_t replay_capacity,
		      const struct binding_store_ops *ops, void *ctx)
{
	struct binding_store *s = calloc(1, sizeof(*s));

	*sp = NULL;
	if (!s)
		return -ENOMEM;
	s->replay = replay_cache_new(replay_capacity);
	if (!s->replay) {
		free(s);
		return -ENOMEM;
	}
	s->loop = l;
	s->pools = pools;
	if (ops)
		s->ops = *ops;
	s->ctx = ctx;
	*sp = s;
	return 0;
}

void binding_store_free(struct binding_store *s)
{
	struct reg_binding *b;
	size_t i;

	if (!s)
		return;
	for (i = 0; i < binding_table_buckets(&s->table); i++) {
		while ((b = binding_table_bucket(&s->table, i)))
			entry_free(s, b);
	}
	binding_table_destroy(&s->table);
	replay_cache_free(s->replay);
	free(s->obs);
	free(s);
}

void binding_store_set_pools(struct binding_store *s, struct pool_set *pools)
{
	s->pools = pools;
}

int binding_store_observe(struct binding_store *s, binding_observer_fn fn,
			  void *ctx)
{
	struct binding_observer *v;

	v = realloc(s->obs, (s->n_obs + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	v[s->n_obs++] = (struct binding_observer){ fn, ctx };
	s->obs = v;
	return 0;
}

void binding_store_unobserve(struct binding_store *s, binding_observer_fn fn,
			     void *ctx)
{
	size_t i;

	for (i = 0; i < s->n_obs; i++) {
		if (s->obs[i].fn != fn || s->obs[i].ctx != ctx)
			continue;
		memmove(&s->obs[i], &s->obs[i + 1],
			(s->n_obs - i - 1) * sizeof(*s->obs));
		s->n_obs--;
		return;
	}
}
