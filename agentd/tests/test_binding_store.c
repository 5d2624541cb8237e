// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of binding_store.c: every cause reaches the observers with
 * the right old and new records; one binding per home address and per NAI
 * (another node's record changes nothing); a removed binding leaves its
 * replay state and gives its pool address back (not when the kernel may
 * still forward for it); expiry asks the client and retries; mark-stale /
 * sweep-stale for a bulk download.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include "binding_store.h"
#include "config.h"
#include "loop.h"
#include "pool.h"

static struct in_addr A(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a;
}

/* What the observer saw last, and how often it was called. */
struct seen {
	unsigned int calls;
	enum binding_cause cause;
	bool had_old, had_new;
	struct binding_rec old, new;
	char old_nai[256], new_nai[256];
	/* the records' AAA attributes: count, and the first value */
	char old_aaa0[256], new_aaa0[256];
	char old_pool[64], new_pool[64]; /* "": none */
	/* expiry */
	int expire_ret;
	unsigned int expire_calls;
	/* set: the expire callback removes the binding before it returns */
	struct binding_store *remove_from;
};

static void observe(void *ctx, enum binding_cause cause,
		    const struct binding_rec *old, const struct binding_rec *new)
{
	struct seen *s = ctx;

	s->calls++;
	s->cause = cause;
	s->had_old = old;
	s->had_new = new;
	/* the records are valid during the call only: copy the NAIs */
	if (old) {
		s->old = *old;
		if (old->nai_len)
			memcpy(s->old_nai, old->nai, old->nai_len);
		s->old_nai[old->nai_len] = '\0';
		s->old_aaa0[0] = '\0';
		snprintf(s->old_pool, sizeof(s->old_pool), "%s",
			 old->pool ? old->pool : "");
		if (old->n_aaa)
			snprintf(s->old_aaa0, sizeof(s->old_aaa0), "%.*s",
				 old->aaa[0].len,
				 (const char *)old->aaa[0].value);
	}
	if (new) {
		s->new = *new;
		if (new->nai_len)
			memcpy(s->new_nai, new->nai, new->nai_len);
		s->new_nai[new->nai_len] = '\0';
		s->new_aaa0[0] = '\0';
		snprintf(s->new_pool, sizeof(s->new_pool), "%s",
			 new->pool ? new->pool : "");
		if (new->n_aaa)
			snprintf(s->new_aaa0, sizeof(s->new_aaa0), "%.*s",
				 new->aaa[0].len,
				 (const char *)new->aaa[0].value);
	}
}

static int expire(void *ctx, const struct binding_rec *rec)
{
	struct seen *s = ctx;

	s->expire_calls++;
	if (s->remove_from)
		binding_store_remove(s->remove_from, rec->home_addr,
				     BINDING_CAUSE_EXPIRED, 0);
	return s->expire_ret;
}

struct fix {
	struct loop *l;
	struct config *cfg;
	struct pool_set *pools;
	struct binding_store *st;
	struct seen seen;
};

static int setup(void **state)
{
	char text[] =
		"home-agent { address = 192.168.0.1 }\n"
		"pool \"p\" { range = { \"10.0.0.1 10.0.0.3\" } }\n";
	struct fix *f = calloc(1, sizeof(*f));
	const struct binding_store_ops ops = { .expire = expire };
	char err[512];

	assert_non_null(f);
	assert_int_equal(loop_new(&f->l), 0);
	if (config_parse_text("store.conf", text, sizeof(text) - 1, &f->cfg,
			      err, sizeof(err)))
		fail_msg("%s", err);
	f->pools = pool_set_new(f->cfg);
	assert_non_null(f->pools);
	assert_int_equal(binding_store_new(&f->st, f->l, f->pools, 16, &ops,
					   &f->seen),
			 0);
	assert_int_equal(binding_store_observe(f->st, observe, &f->seen), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;

	binding_store_free(f->st);
	pool_set_free(f->pools);
	config_free(f->cfg);
	loop_free(f->l);
	free(f);
	return 0;
}

static struct binding_rec rec_of(const char *home, const char *nai,
				 const char *coa)
{
	return (struct binding_rec){
		.home_addr = A(home),
		.coa = A(coa),
		.ha_addr = A("192.168.0.1"),
		.reg_time_ms = 1000,
		.granted = 60,
		.nai = (const uint8_t *)nai,
		.nai_len = nai ? (uint8_t)strlen(nai) : 0,
	};
}

static void test_register_renew_deregister(void **state)
{
	struct fix *f = *state;
	struct binding_rec r = rec_of("20.0.0.7", "alice@example.com",
				      "1.1.1.1");
	const struct reg_binding *b;

	assert_int_equal(binding_store_upsert(f->st, &r,
					      BINDING_CAUSE_REGISTER),
			 0);
	assert_int_equal(f->seen.calls, 1);
	assert_int_equal(f->seen.cause, BINDING_CAUSE_REGISTER);
	assert_false(f->seen.had_old);
	assert_true(f->seen.had_new);
	assert_int_equal(f->seen.new.coa.s_addr, A("1.1.1.1").s_addr);
	assert_int_equal(f->seen.new.version, 1);
	assert_string_equal(f->seen.new_nai, "alice@example.com");

	r.coa = A("2.2.2.2");
	assert_int_equal(binding_store_upsert(f->st, &r, BINDING_CAUSE_RENEW),
			 0);
	assert_int_equal(f->seen.calls, 2);
	assert_int_equal(f->seen.cause, BINDING_CAUSE_RENEW);
	assert_true(f->seen.had_old && f->seen.had_new);
	assert_int_equal(f->seen.old.coa.s_addr, A("1.1.1.1").s_addr);
	assert_int_equal(f->seen.new.coa.s_addr, A("2.2.2.2").s_addr);
	assert_int_equal(f->seen.old.version, 1);
	assert_int_equal(f->seen.new.version, 2);
	b = binding_store_find_nai(f->st, (const uint8_t *)"alice@example.com",
				   17);
	assert_non_null(b);
	assert_int_equal(b->coa.s_addr, A("2.2.2.2").s_addr);

	assert_int_equal(binding_store_remove(f->st, A("20.0.0.7"),
					      BINDING_CAUSE_DEREGISTER, 0),
			 0);
	assert_int_equal(f->seen.calls, 3);
	assert_int_equal(f->seen.cause, BINDING_CAUSE_DEREGISTER);
	assert_true(f->seen.had_old);
	assert_false(f->seen.had_new);
	assert_int_equal(f->seen.old.coa.s_addr, A("2.2.2.2").s_addr);
	assert_string_equal(f->seen.old_nai, "alice@example.com");
	assert_int_equal(binding_store_count(f->st), 0);
	assert_int_equal(binding_store_remove(f->st, A("20.0.0.7"),
					      BINDING_CAUSE_DEREGISTER, 0),
			 -ENOENT);
	assert_int_equal(f->seen.calls, 3);
}

/*
 * AAA attributes: copied in (the maker's buffer may go), shown to the
 * observers with the old and the new record, replaced by the next record
 * (none: none), refused beyond BINDING_AAA_MAX or BINDING_AAA_VALUE_MAX.
 */
static void test_aaa_attributes(void **state)
{
	struct fix *f = *state;
	struct binding_rec r = rec_of("20.0.0.7", "alice@example.com",
				      "1.1.1.1");
	struct binding_aaa aaa[BINDING_AAA_MAX + 1];
	char gold[] = "gold", filter[] = "filter-7";
	uint8_t big[BINDING_AAA_VALUE_MAX + 1] = { 0 };
	const struct reg_binding *b;
	unsigned int i;

	aaa[0] = (struct binding_aaa){ 25, 4, (const uint8_t *)gold };
	aaa[1] = (struct binding_aaa){ 11, 8, (const uint8_t *)filter };
	r.aaa = aaa;
	r.n_aaa = 2;
	assert_int_equal(binding_store_upsert(f->st, &r,
					      BINDING_CAUSE_REGISTER),
			 0);
	memset(gold, 'x', 4);
	b = binding_store_find_addr(f->st, A("20.0.0.7"));
	assert_non_null(b);
	assert_int_equal(b->n_aaa, 2);
	assert_int_equal(b->aaa[0].type, 25);
	assert_memory_equal(b->aaa[0].value, "gold", 4);
	assert_int_equal(b->aaa[1].type, 11);
	assert_memory_equal(b->aaa[1].value, "filter-7", 8);
	assert_string_equal(f->seen.new_aaa0, "gold");

	/* the next record's replace them; the observers see both */
	aaa[0] = (struct binding_aaa){ 25, 6, (const uint8_t *)"silver" };
	r.n_aaa = 1;
	assert_int_equal(binding_store_upsert(f->st, &r, BINDING_CAUSE_RENEW),
			 0);
	assert_string_equal(f->seen.old_aaa0, "gold");
	assert_int_equal(f->seen.old.n_aaa, 2);
	assert_string_equal(f->seen.new_aaa0, "silver");
	assert_int_equal(b->n_aaa, 1);
	assert_memory_equal(b->aaa[0].value, "silver", 6);
	r.n_aaa = 0;
	r.aaa = NULL;
	assert_int_equal(binding_store_upsert(f->st, &r, BINDING_CAUSE_RENEW),
			 0);
	assert_int_equal(b->n_aaa, 0);
	assert_null(b->aaa);

	/* too many, too long, a value missing: refused, nothing changes */
	for (i = 0; i <= BINDING_AAA_MAX; i++)
		aaa[i] = (struct binding_aaa){ (uint16_t)i, 4,
					       (const uint8_t *)"gold" };
	r.aaa = aaa;
	r.n_aaa = BINDING_AAA_MAX + 1;
	assert_int_equal(binding_store_upsert(f->st, &r, BINDING_CAUSE_RENEW),
			 -EINVAL);
	r.n_aaa = 1;
	aaa[0] = (struct binding_aaa){ 1, BINDING_AAA_VALUE_MAX + 1, big };
	assert_int_equal(binding_store_upsert(f->st, &r, BINDING_CAUSE_RENEW),
			 -EINVAL);
	aaa[0] = (struct binding_aaa){ 1, 3, NULL };
	assert_int_equal(binding_store_upsert(f->st, &r, BINDING_CAUSE_RENEW),
			 -EINVAL);
	assert_int_equal(b->n_aaa, 0);
	/* the most: BINDING_AAA_MAX of the longest */
	for (i = 0; i < BINDING_AAA_MAX; i++)
		aaa[i] = (struct binding_aaa){ (uint16_t)i,
					       BINDING_AAA_VALUE_MAX, big };
	r.n_aaa = BINDING_AAA_MAX;
	assert_int_equal(binding_store_upsert(f->st, &r, BINDING_CAUSE_RENEW),
			 0);
	assert_int_equal(b->n_aaa, BINDING_AAA_MAX);
	assert_int_equal(b->aaa[BINDING_AAA_MAX - 1].len,
			 BINDING_AAA_VALUE_MAX);
	/* a new binding refused by its NAI leaks nothing (ASan) */
	r.home_addr = A("20.0.0.8");
	assert_int_equal(binding_store_upsert(f->st, &r,
					      BINDING_CAUSE_REGISTER),
			 -EEXIST);
}

/* Every cause reaches the observers as given, for an upsert and a removal. */
static void test_every_cause(void **state)
{
	struct fix *f = *state;
	struct binding_rec r = rec_of("20.0.0.9", NULL, "1.1.1.1");
	enum binding_cause c;

	for (c = 0; c < BINDING_CAUSE_MAX; c++) {
		unsigned int calls = f->seen.calls;

		assert_string_not_equal(binding_cause_str(c), "?");
		assert_int_equal(binding_store_upsert(f->st, &r, c), 0);
		assert_int_equal(f->seen.calls, calls + 1);
		assert_int_equal(f->seen.cause, c);
		assert_int_equal(binding_store_remove(f->st, r.home_addr, c, 0),
				 0);
		assert_int_equal(f->seen.calls, calls + 2);
		assert_int_equal(f->seen.cause, c);
		assert_false(f->seen.had_new);
	}
	assert_string_equal(binding_cause_str(BINDING_CAUSE_MAX), "?");
}

/* One node's record never changes or removes another's binding. */
static void test_one_per_address_and_nai(void **state)
{
	struct fix *f = *state;
	struct binding_rec alice = rec_of("20.0.0.7", "alice@example.com",
					  "1.1.1.1");
	struct binding_rec eve = rec_of("20.0.0.7", "eve@example.com",
					"6.6.6.6");
	struct binding_rec alice2 = rec_of("20.0.0.8", "alice@example.com",
					   "6.6.6.6");
	struct binding_rec host = rec_of("20.0.0.7", NULL, "6.6.6.6");
	const struct reg_binding *b;

	assert_int_equal(binding_store_upsert(f->st, &alice,
					      BINDING_CAUSE_REGISTER),
			 0);
	assert_int_equal(binding_store_upsert(f->st, &eve,
					      BINDING_CAUSE_REGISTER),
			 -EEXIST);
	assert_int_equal(binding_store_upsert(f->st, &alice2,
					      BINDING_CAUSE_REGISTER),
			 -EEXIST);
	assert_int_equal(binding_store_upsert(f->st, &host, BINDING_CAUSE_PEER),
			 -EEXIST);
	assert_int_equal(f->seen.calls, 1);
	assert_int_equal(binding_store_count(f->st), 1);
	b = binding_store_find_addr(f->st, A("20.0.0.7"));
	assert_non_null(b);
	assert_int_equal(b->coa.s_addr, A("1.1.1.1").s_addr);
	assert_int_equal(b->version, 1);
	assert_null(binding_store_find_addr(f->st, A("20.0.0.8")));
}

/*
 * The replay state survives the binding, whatever removed it; a denial's
 * note goes to the binding while there is one, to the cache after.
 */
static void test_replay_survives(void **state)
{
	struct fix *f = *state;
	struct binding_rec r = rec_of("20.0.0.7", "bob@example.com",
				      "1.1.1.1");
	struct replay_state st = { .seen = true, .last_id = 77 }, got;
	uint8_t key[REPLAY_KEY_MAX];
	uint16_t len = binding_replay_key(key, r.nai, r.nai_len, r.home_addr);
	const struct reg_binding *b;

	r.replay = st;
	r.replay_method = REPLAY_TIMESTAMP;
	assert_int_equal(binding_store_upsert(f->st, &r,
					      BINDING_CAUSE_REGISTER),
			 0);
	b = binding_store_find_addr(f->st, r.home_addr);
	st.last_id = 99;
	binding_store_replay_note(f->st, b, key, len, &st, REPLAY_TIMESTAMP,
				  0);
	assert_int_equal(b->replay.last_id, 99);
	assert_int_equal(binding_store_remove(f->st, r.home_addr,
					      BINDING_CAUSE_EXPIRED, 0),
			 0);
	binding_store_replay_get(f->st, key, len, &got);
	assert_true(got.seen);
	assert_int_equal(got.last_id, 99);

	/* a recovered record older than the cache takes the cache's mark */
	r.replay.last_id = 50;
	binding_store_replay_merge(f->st, &r);
	assert_int_equal(r.replay.last_id, 99);
}

/* Pool addresses: held by the binding, released when it goes, unless kept. */
static void test_pool_life(void **state)
{
	struct fix *f = *state;
	struct binding_rec r = rec_of("0.0.0.0", "carol@example.com",
				      "1.1.1.1");
	struct in_addr a, b2;

	assert_int_equal(binding_store_pool_alloc(f->st, "p", &a), 0);
	assert_int_equal(a.s_addr, A("10.0.0.1").s_addr);
	r.home_addr = a;
	r.pool = "p";
	assert_int_equal(binding_store_upsert(f->st, &r,
					      BINDING_CAUSE_REGISTER),
			 0);
	assert_true(pool_in_use(f->pools, a));
	assert_false(binding_store_addr_free(f->st, a));
	assert_int_equal(binding_store_remove(f->st, a,
					      BINDING_CAUSE_DEREGISTER, 0),
			 0);
	assert_false(pool_in_use(f->pools, a));

	/* the kernel may still forward: the address stays taken */
	assert_int_equal(binding_store_pool_alloc(f->st, "p", &b2), 0);
	r.home_addr = b2;
	assert_int_equal(binding_store_upsert(f->st, &r,
					      BINDING_CAUSE_REGISTER),
			 0);
	assert_int_equal(binding_store_remove(f->st, b2,
					      BINDING_CAUSE_REGISTER,
					      BINDING_KEEP_ADDR),
			 0);
	assert_true(pool_in_use(f->pools, b2));

	/* recovery reserves, by name or by whoever holds it now */
	assert_string_equal(binding_store_pool_reserve(f->st, "gone",
						       A("10.0.0.3")),
			    "p");
	assert_true(pool_in_use(f->pools, A("10.0.0.3")));
	assert_null(binding_store_pool_reserve(f->st, NULL, A("30.0.0.1")));
}

/*
 * A pool's bindings share one copy of its name, which outlives the record
 * it came from; a renewal into another pool takes that one's and leaves
 * the first to the others (ASan: each copy freed once, with its last).
 */
static void test_pool_names_shared(void **state)
{
	struct fix *f = *state;
	struct binding_rec r1 = rec_of("10.0.0.1", "a@x", "1.1.1.1");
	struct binding_rec r2 = rec_of("10.0.0.2", "b@x", "1.1.1.1");
	char p1[] = "p", p2[] = "p", q[] = "q";
	const struct reg_binding *b1, *b2;

	r1.pool = p1;
	r2.pool = p2;
	assert_int_equal(binding_store_upsert(f->st, &r1,
					      BINDING_CAUSE_REGISTER),
			 0);
	assert_int_equal(binding_store_upsert(f->st, &r2,
					      BINDING_CAUSE_REGISTER),
			 0);
	p1[0] = p2[0] = 'x'; /* the records' strings are not kept */
	b1 = binding_store_find_addr(f->st, A("10.0.0.1"));
	b2 = binding_store_find_addr(f->st, A("10.0.0.2"));
	assert_non_null(b1);
	assert_non_null(b2);
	assert_string_equal(b1->pool, "p");
	assert_ptr_equal(b1->pool, b2->pool);
	/* b1 renewed into q: b2 keeps p */
	r1.pool = q;
	r1.replay.last_id = 2;
	r1.replay.seen = true;
	assert_int_equal(binding_store_upsert(f->st, &r1, BINDING_CAUSE_RENEW),
			 0);
	b1 = binding_store_find_addr(f->st, A("10.0.0.1"));
	assert_string_equal(b1->pool, "q");
	assert_string_equal(b2->pool, "p");
	/* p's last binding goes: a new one of p gets a fresh, equal copy */
	assert_int_equal(binding_store_remove(f->st, A("10.0.0.2"),
					      BINDING_CAUSE_DEREGISTER,
					      BINDING_KEEP_ADDR),
			 0);
	r2.pool = "p";
	assert_int_equal(binding_store_upsert(f->st, &r2,
					      BINDING_CAUSE_REGISTER),
			 0);
	b2 = binding_store_find_addr(f->st, A("10.0.0.2"));
	assert_string_equal(b2->pool, "p");
	/*
	 * q's last binding renewed into p: the observers still read q in
	 * the old record (ASan: q freed only after them), and p after
	 */
	r1.pool = "p";
	r1.replay.last_id = 3;
	assert_int_equal(binding_store_upsert(f->st, &r1, BINDING_CAUSE_RENEW),
			 0);
	assert_string_equal(f->seen.old_pool, "q");
	assert_string_equal(f->seen.new_pool, "p");
	b1 = binding_store_find_addr(f->st, A("10.0.0.1"));
	assert_ptr_equal(b1->pool, b2->pool);
}

/* Expiry asks the client: 0 removes (EXPIRED), an error retries later. */
static void test_expiry(void **state)
{
	struct fix *f = *state;
	struct binding_rec r = rec_of("20.0.0.7", NULL, "1.1.1.1");
	uint64_t now = loop_now_ms();

	r.expires_ms = now + 10;
	assert_int_equal(binding_store_upsert(f->st, &r,
					      BINDING_CAUSE_REGISTER),
			 0);
	f->seen.expire_ret = -EIO;
	assert_int_equal(loop_timers_run(f->l, now + 10), 0);
	assert_int_equal(loop_timers_run(f->l,
					 now + 10 + BINDING_EXPIRY_GRACE_MS),
			 1);
	assert_int_equal(f->seen.expire_calls, 1);
	assert_int_equal(binding_store_count(f->st), 1);
	f->seen.expire_ret = 0;
	assert_int_equal(loop_timers_run(f->l, now + 10 +
						       3 * BINDING_EXPIRY_GRACE_MS),
			 1);
	assert_int_equal(f->seen.expire_calls, 2);
	assert_int_equal(binding_store_count(f->st), 0);
	assert_int_equal(f->seen.cause, BINDING_CAUSE_EXPIRED);
	assert_false(f->seen.had_new);

	/* a client that removes it itself later */
	r.expires_ms = now + 10;
	assert_int_equal(binding_store_upsert(f->st, &r,
					      BINDING_CAUSE_REGISTER),
			 0);
	f->seen.expire_ret = -EINPROGRESS;
	assert_int_equal(loop_timers_run(f->l, now + 10 +
						       5 * BINDING_EXPIRY_GRACE_MS),
			 1);
	assert_int_equal(binding_store_count(f->st), 1);
	/* asked again if the client's removal never came */
	assert_int_equal(loop_timer_count(f->l), 1);
	/* a removal cancels the timer; a record without expiry arms none */
	r.expires_ms = 0;
	assert_int_equal(binding_store_upsert(f->st, &r, BINDING_CAUSE_RENEW),
			 0);
	assert_int_equal(loop_timer_count(f->l), 0);
	r.expires_ms = now + 100;
	assert_int_equal(binding_store_upsert(f->st, &r, BINDING_CAUSE_RENEW),
			 0);
	assert_int_equal(loop_timer_count(f->l), 1);
	assert_int_equal(binding_store_remove(f->st, r.home_addr,
					      BINDING_CAUSE_EXPIRED, 0),
			 0);
	assert_int_equal(loop_timer_count(f->l), 0);

	/*
	 * A client whose delete completes at once removes the binding inside
	 * the callback: nothing is re-armed on the freed entry (ASAN).
	 */
	r.expires_ms = now + 10;
	assert_int_equal(binding_store_upsert(f->st, &r,
					      BINDING_CAUSE_REGISTER),
			 0);
	f->seen.remove_from = f->st;
	assert_int_equal(loop_timers_run(f->l, now + 10 +
						       7 * BINDING_EXPIRY_GRACE_MS),
			 1);
	f->seen.remove_from = NULL;
	assert_int_equal(binding_store_count(f->st), 0);
	assert_int_equal(loop_timer_count(f->l), 0);
}

/* Bulk download: what the download did not refresh goes. */
static void test_stale_sweep(void **state)
{
	struct fix *f = *state;
	struct binding_rec a = rec_of("20.0.0.1", "a@x.example", "1.1.1.1");
	struct binding_rec b = rec_of("20.0.0.2", "b@x.example", "1.1.1.1");
	struct binding_rec c = rec_of("20.0.0.3", NULL, "1.1.1.1");

	assert_int_equal(binding_store_upsert(f->st, &a, BINDING_CAUSE_PEER), 0);
	assert_int_equal(binding_store_upsert(f->st, &b, BINDING_CAUSE_PEER), 0);
	assert_int_equal(binding_store_upsert(f->st, &c, BINDING_CAUSE_PEER), 0);
	binding_store_mark_stale(f->st);
	b.coa = A("2.2.2.2");
	assert_int_equal(binding_store_upsert(f->st, &b, BINDING_CAUSE_PEER), 0);
	assert_int_equal(binding_store_sweep_stale(f->st, BINDING_CAUSE_PEER),
			 2);
	assert_int_equal(f->seen.cause, BINDING_CAUSE_PEER);
	assert_int_equal(binding_store_count(f->st), 1);
	assert_non_null(binding_store_find_addr(f->st, b.home_addr));
	assert_int_equal(binding_store_sweep_stale(f->st, BINDING_CAUSE_PEER),
			 0);

	binding_store_remove_all(f->st, BINDING_CAUSE_FLUSHED);
	assert_int_equal(binding_store_count(f->st), 0);
	assert_int_equal(f->seen.cause, BINDING_CAUSE_FLUSHED);
}

/* A peer's record keeps its version; the store counts from there. */
static void test_version_and_origin(void **state)
{
	struct fix *f = *state;
	struct binding_rec r = rec_of("20.0.0.7", NULL, "1.1.1.1");

	r.version = 41;
	r.origin = BINDING_ORIGIN_PEER;
	assert_int_equal(binding_store_upsert(f->st, &r, BINDING_CAUSE_PEER),
			 0);
	assert_int_equal(f->seen.new.version, 41);
	assert_int_equal(f->seen.new.origin, BINDING_ORIGIN_PEER);
	r.version = 0;
	r.origin = BINDING_ORIGIN_LOCAL;
	assert_int_equal(binding_store_upsert(f->st, &r,
					      BINDING_CAUSE_TAKEN_OVER),
			 0);
	assert_int_equal(f->seen.old.version, 41);
	assert_int_equal(f->seen.new.version, 42);
	assert_int_equal(f->seen.new.origin, BINDING_ORIGIN_LOCAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(t) cmocka_unit_test_setup_teardown(t, setup, teardown)
		T(test_register_renew_deregister),
		T(test_aaa_attributes),
		T(test_every_cause),
		T(test_one_per_address_and_nai),
		T(test_replay_survives),
		T(test_pool_life),
		T(test_pool_names_shared),
		T(test_expiry),
		T(test_stale_sweep),
		T(test_version_and_origin),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
