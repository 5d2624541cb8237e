// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of sync, the service: two home agents in one process, on
 * 127.0.0.1 and 127.0.0.2 over real TLS, each with its own binding store
 * and a kernel adapter that holds (no kernel here). What one's store
 * holds, the other's must hold: after a bulk download, with changes
 * during it, after a broken connection that resumes, and never with a
 * peer that holds another key.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <cmocka.h>
#include <jansson.h>

#include "binding_store.h"
#include "config.h"
#include "kernel.h"
#include "kernel_adapter.h"
#include "loop.h"
#include "pool.h"
#include "replay_cache.h"
#include "sync.h"

#define KEY  "00112233445566778899aabbccddeeff"
#define KEY2 "ffeeddccbbaa99887766554433221100"

struct ha {
	struct config *cfg;
	struct pool_set *pools;
	struct binding_store *st;
	struct kadapter *ka;
	struct sync *sync;
	struct sync_host host;
	struct in_addr local;
	int bulks_done;
};

struct fix {
	struct loop *l;
	struct ha a, b;
	uint16_t port;
};

static int no_expire(void *ctx, const struct binding_rec *rec)
{
	(void)ctx;
	(void)rec;
	return 0;
}

static int io_batch(void *ctx, struct kernel_batch *batch,
		    kernel_batch_err_cb cb, void *data)
{
	(void)ctx;
	(void)batch;
	(void)cb;
	(void)data;
	return 0;
}

static const struct kadapter_io hold_io = { .batch_send = io_batch };

static void bulk_done(void *ctx)
{
	((struct ha *)ctx)->bulks_done++;
}

/*
 * @peer: the peer's address, or several separated by spaces (one peer on
 * several paths, named by redundancy paths: each a secure-home-agent with
 * the same SPI and key).
 */
static void ha_config_pool(struct ha *h, const char *peer, const char *key,
			   uint16_t port, const char *extra, const char *range)
{
	char text[2048], err[512], sas[512] = "", addrs[128], *a, *save;
	char paths[160] = "";
	int n;

	if (strchr(peer, ' '))
		snprintf(paths, sizeof(paths), " paths = { \"%s\" }\n", peer);
	snprintf(addrs, sizeof(addrs), "%s", peer);
	for (a = strtok_r(addrs, " ", &save); a; a = strtok_r(NULL, " ", &save))
		snprintf(sas + strlen(sas), sizeof(sas) - strlen(sas),
			 "secure-home-agent \"%s\" {\n spi = 0x200\n"
			 " key = \"%s\"\n}\n",
			 a, key);
	n = snprintf(
		text, sizeof(text),
		"home-agent {\n address = 10.20.0.1\n redundancy = yes\n}\n"
		"pool \"p\" {\n range = { \"%s\" }\n}\n"
		"virtual-network \"10.30.0.0 255.255.0.0\" {}\n"
		"host \"nai @example.net\" {\n pool = p\n"
		" virtual-network = \"10.30.0.0 255.255.0.0\"\n}\n"
		"secure-host \"nai @example.net\" {\n spi = 0x100\n"
		" key = \"%s\"\n}\n"
		"%s"
		"redundancy {\n port = %u\n keepalive = 200\n dead = 1000\n"
		"%s%s}\n",
		range, KEY, sas, port, paths, extra);
	assert_true(n > 0 && (size_t)n < sizeof(text));
	if (config_parse_text("sync.conf", text, (size_t)n, &h->cfg, err,
			      sizeof(err)))
		fail_msg("%s", err);
}

static void ha_config(struct ha *h, const char *peer, const char *key,
		      uint16_t port, const char *extra)
{
	ha_config_pool(h, peer, key, port, extra, "10.30.0.1 10.30.3.255");
}

static void ha_start(struct fix *f, struct ha *h, const char *local)
{
	const struct binding_store_ops ops = { .expire = no_expire };
	struct sync_host host = {
		.loop = f->l,
		.bulk_done = bulk_done,
		.ctx = h,
	};
	struct in_addr a;

	h->pools = pool_set_new(h->cfg);
	assert_non_null(h->pools);
	assert_int_equal(
		binding_store_new(&h->st, f->l, h->pools, 1024, &ops, NULL), 0);
	h->ka = kadapter_new_io(&hold_io, NULL,
				kernel_batch_alloc(1, 65536, 64), f->l);
	assert_non_null(h->ka);
	/*
	 * INSTALL, as a standby runs: completions at a flush, after the
	 * frame's later entries were decoded (the kernel here accepts all)
	 */
	kadapter_set_mode(h->ka, KADAPTER_INSTALL);
	host.store = h->st;
	host.ka = h->ka;
	inet_pton(AF_INET, local, &a);
	h->host = host;
	h->local = a;
}

static void ha_sync(struct ha *h)
{
	assert_int_equal(sync_new(&h->sync, &h->host, h->cfg, h->local, 0), 0);
}

static void ha_stop(struct ha *h)
{
	sync_free(h->sync);
	h->sync = NULL;
	kadapter_free(h->ka);
	binding_store_free(h->st);
	pool_set_free(h->pools);
	config_free(h->cfg);
}

static int setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	assert_int_equal(loop_new(&f->l), 0);
	/* a port of our own per run: tests may run side by side */
	f->port = (uint16_t)(20000 + getpid() % 20000);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;

	if (f->a.st)
		ha_stop(&f->a);
	if (f->b.st)
		ha_stop(&f->b);
	loop_free(f->l);
	free(f);
	return 0;
}

/*
 * Puts NAI n in h's store with cause (a pool address); every third node
 * has two AAA attributes, as a RADIUS server's Class and Filter-Id would
 * give it (same_tables() compares them: every test carries some).
 */
static void register_as(struct ha *h, int n, const char *coa,
			enum binding_cause cause)
{
	char nai[64], class[32];
	struct binding_aaa aaa[2];
	struct binding_rec r = { 0 };
	struct in_addr home;

	snprintf(nai, sizeof(nai), "mn%d@example.net", n);
	assert_int_equal(binding_store_pool_alloc(h->st, "p", &home), 0);
	r.home_addr = home;
	inet_pton(AF_INET, coa, &r.coa);
	inet_pton(AF_INET, "10.20.0.1", &r.ha_addr);
	r.src = r.coa;
	r.replay.seen = true;
	r.replay.last_id = 0xe000000000000000ULL + (uint64_t)n;
	r.expires_ms = loop_now_ms() + 600000;
	r.granted = 600;
	r.spi = 0x100;
	r.encap = 1;
	r.nai = (const uint8_t *)nai;
	r.nai_len = (uint8_t)strlen(nai);
	r.pool = "p";
	if (n % 3 == 0) {
		snprintf(class, sizeof(class), "class-%d", n);
		aaa[0] = (struct binding_aaa){ 25, (uint8_t)strlen(class),
					       (const uint8_t *)class };
		aaa[1] = (struct binding_aaa){ 11, 4, (const uint8_t *)"gold" };
		r.aaa = aaa;
		r.n_aaa = 2;
	}
	assert_int_equal(binding_store_upsert(h->st, &r, cause), 0);
}

static bool same_aaa(const struct reg_binding *a, const struct reg_binding *b)
{
	unsigned int i;

	if (a->n_aaa != b->n_aaa)
		return false;
	for (i = 0; i < a->n_aaa; i++)
		if (a->aaa[i].type != b->aaa[i].type ||
		    a->aaa[i].len != b->aaa[i].len ||
		    memcmp(a->aaa[i].value, b->aaa[i].value, a->aaa[i].len))
			return false;
	return true;
}

/* Registers NAI n at h's store, as registration would. */
static void register_n(struct ha *h, int n, const char *coa)
{
	register_as(h, n, coa, BINDING_CAUSE_REGISTER);
}

/* Both tables, binding by binding (CoA, replay, NAI, pool, AAA). */
static bool same_tables(struct ha *x, struct ha *y)
{
	const struct binding_table *t = binding_store_table(x->st);
	size_t i;

	if (binding_store_count(x->st) != binding_store_count(y->st))
		return false;
	for (i = 0; i < binding_table_buckets(t); i++) {
		const struct reg_binding *b, *o;

		for (b = binding_table_bucket(t, i); b; b = b->next_addr) {
			o = binding_store_find_addr(y->st, b->home_addr);
			if (!o || o->coa.s_addr != b->coa.s_addr ||
			    o->replay.last_id != b->replay.last_id ||
			    o->nai_len != b->nai_len ||
			    memcmp(o->nai, b->nai, b->nai_len) ||
			    (!o->pool) != (!b->pool) ||
			    (o->pool && strcmp(o->pool, b->pool)) ||
			    !same_aaa(o, b))
				return false;
		}
	}
	return true;
}

/* A number of h's only peer, as miphactl redundancy shows it. */
static long long peer_num(struct ha *h, const char *field)
{
	json_t *o = sync_json(h->sync), *p;
	long long v;

	assert_non_null(o);
	p = json_array_get(json_object_get(o, "peers"), 0);
	v = json_is_true(json_object_get(p, field)) ?
		    1 :
		    (long long)json_integer_value(json_object_get(p, field));
	json_decref(o);
	return v;
}

static char *peer_str(struct ha *h, const char *field)
{
	json_t *o = sync_json(h->sync), *p;
	char *v;

	assert_non_null(o);
	p = json_array_get(json_object_get(o, "peers"), 0);
	v = strdup(json_string_value(json_object_get(p, field)) ?: "");
	json_decref(o);
	return v;
}

static bool run_until(struct fix *f, bool (*cond)(struct fix *), int ms)
{
	uint64_t end = loop_now_ms() + (uint64_t)ms;

	while (!cond(f)) {
		if (loop_now_ms() >= end)
			return false;
		assert_int_equal(loop_run_once(f->l, 10), 0);
	}
	return true;
}

static bool both_up(struct fix *f)
{
	struct sync_totals ta, tb;

	sync_totals(f->a.sync, &ta);
	sync_totals(f->b.sync, &tb);
	return ta.connected == 1 && tb.connected == 1;
}

static bool tables_equal(struct fix *f)
{
	struct sync_totals t;

	sync_totals(f->a.sync, &t);
	return t.lag == 0 && same_tables(&f->a, &f->b);
}

/* The two home agents, their stores empty, not syncing yet. */
static void two(struct fix *f, const char *key_b)
{
	ha_config(&f->a, "127.0.0.2", KEY, f->port, "");
	ha_config(&f->b, "127.0.0.1", key_b, f->port, "");
	ha_start(f, &f->a, "127.0.0.1");
	ha_start(f, &f->b, "127.0.0.2");
}

static void pair(struct fix *f)
{
	ha_sync(&f->a);
	ha_sync(&f->b);
	/* physical network: a is the active, b its standby */
	sync_set_role(f->a.sync, 3);
	sync_set_role(f->b.sync, 2);
}

/* How many AAA attributes h's binding of nai has, its first value being v. */
static int nai_aaa(struct ha *h, const char *nai, const char *v)
{
	const struct reg_binding *b = binding_store_find_nai(
		h->st, (const uint8_t *)nai, strlen(nai));

	assert_non_null(b);
	assert_true(b->n_aaa >= 1);
	assert_int_equal(b->aaa[0].len, strlen(v));
	assert_memory_equal(b->aaa[0].value, v, strlen(v));
	return b->n_aaa;
}

static void test_bulk_then_changes(void **state)
{
	struct fix *f = *state;
	struct sync_totals t;
	int i;

	two(f, KEY);
	for (i = 0; i < 300; i++)
		register_n(&f->a, i, "10.40.0.1");
	pair(f);
	assert_true(run_until(f, both_up, 5000));
	assert_true(run_until(f, tables_equal, 5000));
	assert_int_equal(binding_store_count(f->b.st), 300);
	assert_int_equal(f->b.bulks_done, 1);
	/* the download carried the AAA attributes */
	assert_int_equal(nai_aaa(&f->b, "mn3@example.net", "class-3"), 2);
	/* changes after the download: new, moved, gone */
	register_n(&f->a, 1000, "10.40.0.9");
	assert_true(run_until(f, tables_equal, 5000));
	assert_int_equal(binding_store_count(f->b.st), 301);
	{
		/* a renewal whose attributes changed: B has the new ones */
		const struct reg_binding *b = binding_store_find_nai(
			f->a.st, (const uint8_t *)"mn6@example.net", 15);
		const struct binding_aaa plat = { 25, 8,
						  (const uint8_t *)"platinum" };
		struct binding_rec r;

		assert_non_null(b);
		binding_store_rec(b, &r);
		r.replay.last_id++;
		r.version = 0;
		r.aaa = &plat;
		r.n_aaa = 1;
		assert_int_equal(binding_store_upsert(f->a.st, &r,
						      BINDING_CAUSE_RENEW),
				 0);
		assert_true(run_until(f, tables_equal, 5000));
		assert_int_equal(nai_aaa(&f->b, "mn6@example.net", "platinum"),
				 1);
	}
	{
		const struct reg_binding *b = binding_store_find_nai(
			f->a.st, (const uint8_t *)"mn7@example.net", 15);
		struct binding_rec r;

		assert_non_null(b);
		binding_store_rec(b, &r);
		inet_pton(AF_INET, "10.40.0.7", &r.coa);
		r.replay.last_id++;
		r.version = 0;
		assert_int_equal(binding_store_upsert(f->a.st, &r,
						      BINDING_CAUSE_RENEW),
				 0);
		assert_int_equal(binding_store_remove(f->a.st, r.home_addr,
						      BINDING_CAUSE_DEREGISTER,
						      0),
				 0);
	}
	assert_true(run_until(f, tables_equal, 5000));
	assert_int_equal(binding_store_count(f->b.st), 300);
	sync_totals(f->a.sync, &t);
	assert_int_equal(t.resyncs, 1); /* the first download */
	sync_totals(f->b.sync, &t);
	assert_int_equal(t.refused, 0);
}

static void test_wrong_key(void **state)
{
	struct fix *f = *state;
	struct sync_totals t;
	int i;

	two(f, KEY2);
	for (i = 0; i < 10; i++)
		register_n(&f->a, i, "10.40.0.1");
	pair(f);
	/* a second of trying: never up, nothing applied */
	run_until(f, both_up, 1000);
	sync_totals(f->b.sync, &t);
	assert_int_equal(t.connected, 0);
	assert_int_equal(t.received, 0);
	assert_int_equal(binding_store_count(f->b.st), 0);
}

static bool never(struct fix *f)
{
	(void)f;
	return false;
}

static bool b_down(struct fix *f)
{
	struct sync_totals t;

	sync_totals(f->b.sync, &t);
	return t.connected == 0;
}

/* A broken connection resumes the stream: what changed meanwhile, no bulk. */
static void test_resume_without_bulk(void **state)
{
	struct fix *f = *state;
	int i;

	two(f, KEY);
	for (i = 0; i < 50; i++)
		register_n(&f->a, i, "10.40.0.1");
	pair(f);
	assert_true(run_until(f, both_up, 5000));
	assert_true(run_until(f, tables_equal, 5000));
	assert_int_equal(peer_num(&f->b, "bulks_received"), 1);
	sync_reconnect(f->a.sync);
	assert_true(run_until(f, b_down, 2000) || true);
	/* while it is down (or coming back): more registrations */
	for (i = 50; i < 60; i++)
		register_n(&f->a, i, "10.40.0.2");
	assert_true(run_until(f, both_up, 5000));
	assert_true(run_until(f, tables_equal, 5000));
	assert_int_equal(binding_store_count(f->b.st), 60);
	/* resumed: no second download, no resync */
	assert_int_equal(peer_num(&f->b, "bulks_received"), 1);
	assert_int_equal(peer_num(&f->a, "bulks_sent"), 1);
	assert_int_equal(peer_num(&f->a, "resyncs"), 1);
}

static size_t peers_of(struct ha *h)
{
	json_t *o = sync_json(h->sync);
	size_t n;

	assert_non_null(o);
	n = json_array_size(json_object_get(o, "peers"));
	json_decref(o);
	return n;
}

/*
 * a (127.0.0.1) names b on the paths given, with b's key key_b; b
 * (127.0.0.2, listening there only) names a; n nodes registered at a;
 * paired, a active.
 */
static void two_paths(struct fix *f, const char *paths, const char *key_b,
		      int n)
{
	int i;

	ha_config(&f->a, paths, KEY, f->port, "");
	ha_config(&f->b, "127.0.0.1", key_b, f->port, "");
	ha_start(f, &f->a, "127.0.0.1");
	ha_start(f, &f->b, "127.0.0.2");
	for (i = 0; i < n; i++)
		register_n(&f->a, i, "10.40.0.1");
	pair(f);
}

static void assert_path(struct ha *h, const char *want)
{
	char *addr = peer_str(h, "address");

	assert_string_equal(addr, want);
	free(addr);
}

/*
 * One peer on two paths (seed 001): the first refuses (nothing listens
 * there), so the caller moves to the second at once, without a backoff.
 */
static void test_second_path(void **state)
{
	struct fix *f = *state;

	two_paths(f, "127.0.0.9 127.0.0.2", KEY, 20);
	assert_int_equal(peers_of(&f->a), 1);
	assert_true(run_until(f, both_up, 5000));
	assert_true(run_until(f, tables_equal, 5000));
	assert_path(&f->a, "127.0.0.2");
	/* the first connection up: no move (the refused call was a try) */
	assert_int_equal(peer_num(&f->a, "path_changes"), 0);
	assert_int_equal(peer_num(&f->a, "connections"), 2);
}

/*
 * a calls b (at 127.0.0.2 only) on "127.0.0.9 127.0.0.2", HSRP hearing the
 * peer where @hears says, with 20 bindings to send.
 */
static void heard_pair(struct fix *f, bool (*hears)(void *, struct in_addr))
{
	int i;

	ha_config(&f->a, "127.0.0.9 127.0.0.2", KEY, f->port, "");
	ha_config(&f->b, "127.0.0.1", KEY, f->port, "");
	ha_start(f, &f->a, "127.0.0.1");
	ha_start(f, &f->b, "127.0.0.2");
	f->a.host.hears = hears;
	for (i = 0; i < 20; i++)
		register_n(&f->a, i, "10.40.0.1");
	pair(f);
}

/* HSRP hears the peer at 127.0.0.2 only. */
static bool hears_2(void *ctx, struct in_addr addr)
{
	(void)ctx;
	return addr.s_addr == htonl(0x7f000002);
}

/*
 * The same peer, where HSRP hears it on the second path only (the group
 * on the first link lost it): the first call goes there, none is wasted
 * on the first path.
 */
static void test_path_heard_first(void **state)
{
	struct fix *f = *state;

	heard_pair(f, hears_2);
	assert_true(run_until(f, both_up, 5000));
	assert_true(run_until(f, tables_equal, 5000));
	assert_path(&f->a, "127.0.0.2");
	assert_int_equal(peer_num(&f->a, "path_changes"), 0);
	assert_int_equal(peer_num(&f->a, "connections"), 1);
	{
		json_t *o = sync_json(f->a.sync);
		json_t *h = json_object_get(
			json_array_get(json_object_get(o, "peers"), 0),
			"heard");

		assert_int_equal(json_array_size(h), 1);
		assert_string_equal(json_string_value(json_array_get(h, 0)),
				    "127.0.0.2");
		json_decref(o);
	}
}

/* HSRP hears the peer at 127.0.0.9 only, where nothing listens. */
static bool hears_9(void *ctx, struct in_addr addr)
{
	(void)ctx;
	return addr.s_addr == htonl(0x7f000009);
}

/*
 * HSRP hears the peer on a path where sync does not get through (a
 * filter, the MTU): the round starts there, and the failed call moves the
 * caller on to the path that works, where it stays (a review found the
 * choice made again before every call: never connected).
 */
static void test_path_heard_dead(void **state)
{
	struct fix *f = *state;

	heard_pair(f, hears_9);
	assert_true(run_until(f, both_up, 5000));
	assert_true(run_until(f, tables_equal, 5000));
	assert_path(&f->a, "127.0.0.2");
	assert_int_equal(peer_num(&f->a, "connections"), 2);
	/* a reconnect keeps the path that works */
	sync_reconnect(f->a.sync);
	assert_true(run_until(f, both_up, 5000));
	assert_path(&f->a, "127.0.0.2");
	assert_int_equal(peer_num(&f->a, "connections"), 3);
}

/*
 * The attack beside it: the peer on a path holds another key. Refused on
 * every path, counted, nothing applied; the caller keeps rotating and
 * backing off.
 */
static void test_paths_wrong_key(void **state)
{
	struct fix *f = *state;
	struct sync_totals t;

	two_paths(f, "127.0.0.9 127.0.0.2", KEY2, 10);
	run_until(f, both_up, 1500);
	sync_totals(f->b.sync, &t);
	assert_int_equal(t.connected, 0);
	assert_int_equal(t.received, 0);
	assert_int_equal(binding_store_count(f->b.st), 0);
	assert_true(peer_num(&f->a, "auth_failures") +
			    peer_num(&f->b, "auth_failures") >=
		    1);
	assert_int_equal(peer_num(&f->a, "path_changes"), 0);
}

/*
 * An operator's reconnect (or a protocol error) is not the path's fault:
 * the caller comes back on the same path, the stream resumes (what changed
 * meanwhile, no second download), no move is counted. (Moving to another
 * path and resuming there, which needs the peer listening on two
 * addresses, is agentd-sync-paths.sh's, in the VM.)
 */
static void test_reconnect_keeps_path(void **state)
{
	struct fix *f = *state;
	int i;

	two_paths(f, "127.0.0.2 127.0.0.3", KEY, 50);
	assert_true(run_until(f, both_up, 5000));
	assert_true(run_until(f, tables_equal, 5000));
	sync_reconnect(f->a.sync);
	for (i = 50; i < 60; i++)
		register_n(&f->a, i, "10.40.0.2");
	assert_true(run_until(f, both_up, 5000));
	assert_true(run_until(f, tables_equal, 5000));
	assert_path(&f->a, "127.0.0.2");
	assert_int_equal(binding_store_count(f->b.st), 60);
	assert_int_equal(peer_num(&f->a, "path_changes"), 0);
	/* one call after the reconnect (a try of the other path: 3) */
	assert_int_equal(peer_num(&f->a, "connections"), 2);
	/* resumed: no second download */
	assert_int_equal(peer_num(&f->b, "bulks_received"), 1);
}

/* The replay mark h keeps for NAI n, a node without a binding there. */
static struct replay_state replay_of(struct ha *h, int n)
{
	char nai[64];
	uint8_t key[REPLAY_KEY_MAX];
	struct in_addr none = { 0 };
	struct replay_state st;
	uint16_t len;

	snprintf(nai, sizeof(nai), "mn%d@example.net", n);
	len = binding_replay_key(key, (const uint8_t *)nai,
				 (uint8_t)strlen(nai), none);
	binding_store_replay_get(h->st, key, len, &st);
	return st;
}

/*
 * Nodes that deregistered before the standby connected: their marks reach
 * it in the download (a replay of their last request, sent to it after a
 * takeover, must still be refused), and a node bound at the standby keeps
 * its binding's own.
 */
/* Registers NAIs [from, to) at h. */
static void register_range(struct ha *h, int from, int to)
{
	int i;

	for (i = from; i < to; i++)
		register_n(h, i, "10.40.0.1");
}

/* Deregisters NAIs [from, to) at h. */
static void deregister_range(struct ha *h, int from, int to)
{
	int i;

	for (i = from; i < to; i++) {
		const struct reg_binding *b;
		char nai[32];

		snprintf(nai, sizeof(nai), "mn%d@example.net", i);
		b = binding_store_find_nai(h->st, (const uint8_t *)nai,
					   strlen(nai));
		assert_non_null(b);
		assert_int_equal(binding_store_remove(h->st, b->home_addr,
						      BINDING_CAUSE_DEREGISTER,
						      0),
				 0);
	}
}

static void test_bulk_carries_replay_marks(void **state)
{
	struct fix *f = *state;
	struct replay_state st;
	int i;

	two(f, KEY);
	for (i = 0; i < 40; i++)
		register_n(&f->a, i, "10.40.0.1");
	/* 10 leave before b is there: only a's replay cache has them */
	for (i = 0; i < 10; i++) {
		const struct reg_binding *b;
		char nai[32];

		snprintf(nai, sizeof(nai), "mn%d@example.net", i);
		b = binding_store_find_nai(f->a.st, (const uint8_t *)nai,
					   strlen(nai));
		assert_non_null(b);
		assert_int_equal(binding_store_remove(f->a.st, b->home_addr,
						      BINDING_CAUSE_DEREGISTER,
						      0),
				 0);
	}
	st = replay_of(&f->b, 3);
	assert_false(st.seen);
	pair(f);
	assert_true(run_until(f, both_up, 5000));
	assert_true(run_until(f, tables_equal, 5000));
	assert_int_equal(binding_store_count(f->b.st), 30);
	for (i = 0; i < 10; i++) {
		st = replay_of(&f->b, i);
		assert_true(st.seen);
		assert_true(st.last_id == 0xe000000000000000ULL + (uint64_t)i);
	}
	assert_int_equal(peer_num(&f->a, "replay_sent"), 10);
	assert_int_equal(peer_num(&f->b, "replay_received"), 10);
	assert_int_equal(peer_num(&f->a, "features"), SYNC_FEATURES);
}

/*
 * A peer of a version that predates replay entries (its HELLO announces
 * no features) gets downloads without them: its decoder would call the
 * frame malformed and close the connection, every download, for good.
 */
static void test_no_replay_marks_to_older_peer(void **state)
{
	struct fix *f = *state;

	two(f, KEY);
	register_range(&f->a, 0, 40);
	deregister_range(&f->a, 0, 10);
	ha_sync(&f->a);
	ha_sync(&f->b);
	sync_set_features(f->b.sync, 0);
	sync_set_role(f->a.sync, 3);
	sync_set_role(f->b.sync, 2);
	assert_true(run_until(f, both_up, 5000));
	assert_true(run_until(f, tables_equal, 5000));
	assert_int_equal(binding_store_count(f->b.st), 30);
	assert_int_equal(f->b.bulks_done, 1);
	assert_int_equal(peer_num(&f->a, "features"), 0);
	assert_int_equal(peer_num(&f->a, "replay_sent"), 0);
	assert_int_equal(peer_num(&f->b, "replay_received"), 0);
	assert_false(replay_of(&f->b, 3).seen);
	/* the other way, b's HELLO still reads a's features */
	assert_int_equal(peer_num(&f->b, "features"), SYNC_FEATURES);
}


static uint64_t floor_of(struct ha *h)
{
	return replay_cache_floor(binding_store_replay(h->st));
}

/* A floor of h's peer in miphactl's JSON: hex, "0" for none. */
static uint64_t peer_floor(struct ha *h, const char *field)
{
	char *v = peer_str(h, field);
	uint64_t x = strtoull(v, NULL, 16);

	free(v);
	return x;
}

/*
 * b's floor is at least a's: b may have forgotten others of its own (its
 * cache holds what the stream gave it, in another order), never less.
 */
static bool floor_reached(struct fix *f)
{
	return peer_floor(&f->b, "replay_floor_received") == floor_of(&f->a) &&
	       (int64_t)(floor_of(&f->b) - floor_of(&f->a)) >= 0;
}

/*
 * The replay cache's floor (what it forgot when full) travels: at the end
 * of a download, and when it rises later. A node whose state the active
 * evicted is refused at or below it on the standby too.
 */
static void test_replay_floor_travels(void **state)
{
	struct fix *f = *state;
	struct replay_state st;
	uint64_t first;

	ha_config_pool(&f->a, "127.0.0.2", KEY, f->port, "",
		       "10.30.0.1 10.30.7.255");
	ha_config_pool(&f->b, "127.0.0.1", KEY, f->port, "",
		       "10.30.0.1 10.30.7.255");
	ha_start(f, &f->a, "127.0.0.1");
	ha_start(f, &f->b, "127.0.0.2");
	register_range(&f->a, 0, 1100);
	/* 1050 leave: 26 more than the cache's 1024 are forgotten */
	deregister_range(&f->a, 0, 1050);
	first = floor_of(&f->a);
	assert_true(first != 0);
	assert_true(floor_of(&f->b) == 0);
	pair(f);
	assert_true(run_until(f, both_up, 5000));
	assert_true(run_until(f, tables_equal, 5000));
	assert_true(floor_of(&f->b) == first);
	assert_true(peer_floor(&f->b, "replay_floor_received") == first);
	/* a forgotten node's state at b: the floor, so older is refused */
	st = replay_of(&f->b, 0);
	assert_true(st.seen);
	assert_true(st.last_id == first);
	/* the rest leave: more evictions, a higher floor, sent on a tick */
	deregister_range(&f->a, 1050, 1100);
	assert_true(floor_of(&f->a) != first);
	assert_true(run_until(f, floor_reached, 5000));
	assert_true(peer_floor(&f->a, "replay_floor_sent") == floor_of(&f->a));
}

/*
 * The first floor may come after the download (none then): a tick sends
 * it all the same.
 */
static void test_replay_floor_first_after_download(void **state)
{
	struct fix *f = *state;

	ha_config_pool(&f->a, "127.0.0.2", KEY, f->port, "",
		       "10.30.0.1 10.30.7.255");
	ha_config_pool(&f->b, "127.0.0.1", KEY, f->port, "",
		       "10.30.0.1 10.30.7.255");
	ha_start(f, &f->a, "127.0.0.1");
	ha_start(f, &f->b, "127.0.0.2");
	register_range(&f->a, 0, 1100);
	pair(f);
	assert_true(run_until(f, both_up, 5000));
	assert_true(run_until(f, tables_equal, 5000));
	assert_true(floor_of(&f->a) == 0);
	assert_true(peer_floor(&f->a, "replay_floor_sent") == 0);
	deregister_range(&f->a, 0, 1100);
	assert_true(floor_of(&f->a) != 0);
	assert_true(run_until(f, floor_reached, 5000));
}

/*
 * A node bound at the standby by a stale binding (missed on the stream:
 * here, registered on both before they meet) that renewed and left at the
 * active: the download's replay entry raises the stale binding's mark, so
 * the sweep leaves the newer one in the cache, not the stale one's.
 */
static void test_stale_binding_mark(void **state)
{
	struct fix *f = *state;
	struct replay_state st;
	const struct reg_binding *b;
	struct binding_rec r;
	int i;

	two(f, KEY);
	for (i = 0; i < 10; i++) {
		register_n(&f->a, i, "10.40.0.1");
		register_n(&f->b, i, "10.40.0.1");
	}
	b = binding_store_find_nai(f->a.st, (const uint8_t *)"mn3@example.net",
				   15);
	assert_non_null(b);
	binding_store_rec(b, &r);
	r.replay.last_id += 100;
	r.version = 0;
	assert_int_equal(binding_store_upsert(f->a.st, &r, BINDING_CAUSE_RENEW),
			 0);
	assert_int_equal(binding_store_remove(f->a.st, r.home_addr,
					      BINDING_CAUSE_DEREGISTER, 0),
			 0);
	pair(f);
	assert_true(run_until(f, both_up, 5000));
	assert_true(run_until(f, tables_equal, 5000));
	assert_int_equal(binding_store_count(f->b.st), 9);
	st = replay_of(&f->b, 3);
	assert_true(st.seen);
	assert_true(st.last_id == 0xe000000000000003ULL + 100);
}

/* Pools that differ: connected, the part named on both sides. */
static void test_config_mismatch(void **state)
{
	struct fix *f = *state;
	char *parts;

	ha_config(&f->a, "127.0.0.2", KEY, f->port, "");
	ha_config_pool(&f->b, "127.0.0.1", KEY, f->port, "",
		       "10.30.0.1 10.30.3.254");
	ha_start(f, &f->a, "127.0.0.1");
	ha_start(f, &f->b, "127.0.0.2");
	pair(f);
	assert_true(run_until(f, both_up, 5000));
	assert_int_equal(peer_num(&f->a, "config_mismatch"), 1);
	assert_int_equal(peer_num(&f->b, "config_mismatch"), 1);
	parts = peer_str(&f->b, "config_differs");
	assert_string_equal(parts, "pool");
	free(parts);
}

/*
 * Virtual networks: both accept registrations. One node registered at
 * both during a partition (each side its own copy): after they connect,
 * both hold the newer registration (the later Identification).
 */
static void test_virtual_newer_wins(void **state)
{
	struct fix *f = *state;
	const struct reg_binding *x, *y;
	struct binding_rec r;

	ha_config(&f->a, "127.0.0.2", KEY, f->port, " mode = virtual\n");
	ha_config(&f->b, "127.0.0.1", KEY, f->port, " mode = virtual\n");
	ha_start(f, &f->a, "127.0.0.1");
	ha_start(f, &f->b, "127.0.0.2");
	register_n(&f->a, 1, "10.40.0.1");
	x = binding_store_find_nai(f->a.st, (const uint8_t *)"mn1@example.net",
				   15);
	assert_non_null(x);
	/* b: the same node at the same address, registered later */
	binding_store_rec(x, &r);
	r.coa.s_addr = htonl(0x0a280063); /* 10.40.0.99 */
	r.replay.last_id += 10;
	r.version = 0;
	r.pool = NULL;
	assert_non_null(binding_store_pool_reserve(f->b.st, "p", r.home_addr));
	r.pool = "p";
	assert_int_equal(
		binding_store_upsert(f->b.st, &r, BINDING_CAUSE_REGISTER), 0);
	/* a: another node only it has */
	register_n(&f->a, 2, "10.40.0.2");
	ha_sync(&f->a);
	ha_sync(&f->b);
	assert_true(run_until(f, both_up, 5000));
	assert_true(run_until(f, tables_equal, 5000));
	x = binding_store_find_nai(f->a.st, (const uint8_t *)"mn1@example.net",
				   15);
	y = binding_store_find_nai(f->b.st, (const uint8_t *)"mn1@example.net",
				   15);
	assert_non_null(x);
	assert_non_null(y);
	assert_int_equal(ntohl(x->coa.s_addr), 0x0a280063);
	assert_int_equal(ntohl(y->coa.s_addr), 0x0a280063);
	/* nothing dropped: each side's other nodes are on both */
	assert_int_equal(binding_store_count(f->a.st), 2);
	assert_int_equal(binding_store_count(f->b.st), 2);
}

static bool b_empty(struct fix *f)
{
	struct sync_totals t;

	sync_totals(f->a.sync, &t);
	return t.lag == 0 && binding_store_count(f->b.st) == 0;
}

/*
 * A physical standby follows the active's word even against a record of
 * its own that the agreed order calls newer: one it accepted when it was
 * active (or recovered from its kernel), with the same Identification and
 * version as the active's, its node id higher. The active's removal of it
 * must remove it (the churn test's round 3 found it kept).
 */
static void test_standby_follows_active(void **state)
{
	struct fix *f = *state;
	const struct reg_binding *x;
	struct binding_rec r;

	two(f, KEY);
	register_n(&f->a, 1, "10.40.0.1");
	x = binding_store_find_nai(f->a.st, (const uint8_t *)"mn1@example.net",
				   15);
	assert_non_null(x);
	binding_store_rec(x, &r); /* the same registration, accepted by b */
	r.pool = NULL;
	assert_non_null(binding_store_pool_reserve(f->b.st, "p", r.home_addr));
	r.pool = "p";
	assert_int_equal(
		binding_store_upsert(f->b.st, &r, BINDING_CAUSE_RECOVERED), 0);
	pair(f);
	assert_true(run_until(f, both_up, 5000));
	assert_true(run_until(f, tables_equal, 5000));
	assert_int_equal(binding_store_remove(f->a.st, r.home_addr,
					      BINDING_CAUSE_DEREGISTER, 0),
			 0);
	assert_true(run_until(f, b_empty, 5000));
}

static bool settle(struct fix *f)
{
	(void)f;
	return false;
}

static bool a_has_10(struct fix *f)
{
	return binding_store_count(f->a.st) == 10 &&
	       peer_num(&f->a, "bulks_received") >= 1;
}

/*
 * b becomes the active and a follows it: a asks b for its table, whose
 * download removes what a holds and b does not (what the old active sent
 * one of them only) — whether the role changed while the two were
 * connected or apart (a resumed stream alone would not settle it).
 */
/* a active with 10 nodes, b its standby holding them too. */
static void pair_with_10(struct fix *f)
{
	int i;

	two(f, KEY);
	for (i = 0; i < 10; i++)
		register_n(&f->a, i, "10.40.0.1");
	pair(f);
	assert_true(run_until(f, both_up, 5000));
	assert_true(run_until(f, tables_equal, 5000));
}

static void new_active(struct fix *f, bool apart)
{
	pair_with_10(f);
	if (apart)
		sync_reconnect(f->a.sync);
	sync_set_role(f->a.sync, 2);
	/* one binding only a holds */
	register_n(&f->a, 99, "10.40.0.9");
	sync_set_role(f->b.sync, 3);
	assert_true(run_until(f, a_has_10, 5000));
	assert_int_equal(binding_store_count(f->b.st), 10);
}

static void test_new_active_connected(void **state)
{
	new_active(*state, false);
}

static void test_new_active_apart(void **state)
{
	new_active(*state, true);
}

static bool b_has_10(struct fix *f)
{
	return binding_store_count(f->b.st) == 10;
}

/*
 * Both active for a while (a partition), then b gives way: b asks a for
 * its table again (it asked when they connected, but it led meanwhile),
 * and a record only b had goes. a's BULK_REQUESTs are never answered by
 * an active, and a second one within a second of a download is ignored.
 */
static void test_dual_active_loser_follows(void **state)
{
	struct fix *f = *state;

	pair_with_10(f);
	sync_set_role(f->b.sync, 3); /* dual active */
	run_until(f, settle, 300);
	/* a record b holds and a never got (recovered: not sent) */
	register_as(&f->b, 99, "10.40.0.8", BINDING_CAUSE_RECOVERED);
	sync_set_role(f->b.sync, 2); /* a stays */
	assert_true(run_until(f, b_has_10, 5000));
	assert_int_equal(binding_store_count(f->a.st), 10);
}

/* A reload frees the configuration sync started with: nothing of it stays. */
static void test_reload(void **state)
{
	struct fix *f = *state;
	struct ha first = { 0 }, second = { 0 };

	two(f, KEY);
	/* a's sync on a configuration of its own, freed below */
	ha_config(&first, "127.0.0.2", KEY, f->port, "");
	assert_int_equal(
		sync_new(&f->a.sync, &f->a.host, first.cfg, f->a.local, 0), 0);
	ha_sync(&f->b);
	sync_set_role(f->a.sync, 3);
	sync_set_role(f->b.sync, 2);
	assert_true(run_until(f, both_up, 5000));
	ha_config(&second, "127.0.0.2", KEY, f->port, " rate = 100\n");
	sync_set_config(f->a.sync, second.cfg);
	config_free(first.cfg);
	/* new HELLOs (a role change, a reconnection) read what sync kept */
	sync_set_role(f->a.sync, 2);
	sync_set_role(f->a.sync, 3);
	sync_reconnect(f->a.sync);
	assert_true(run_until(f, both_up, 5000));
	config_free(second.cfg);
	sync_reconnect(f->a.sync);
	assert_true(run_until(f, both_up, 5000));
	assert_int_equal(peer_num(&f->b, "config_mismatch"), 0);
}

/*
 * A bare TCP call from the peer's address (anyone on that host) must not
 * end the authenticated connection: it waits for its own handshake.
 */
static void test_bare_call(void **state)
{
	struct fix *f = *state;
	struct sockaddr_in from = { .sin_family = AF_INET },
			   to = { .sin_family = AF_INET,
				  .sin_port = htons(f->port) };
	long long downs, resyncs;
	int fd, i;

	two(f, KEY);
	pair(f);
	assert_true(run_until(f, both_up, 5000));
	downs = peer_num(&f->b, "connections");
	resyncs = peer_num(&f->b, "resyncs");
	inet_pton(AF_INET, "127.0.0.1", &from.sin_addr);
	inet_pton(AF_INET, "127.0.0.2", &to.sin_addr);
	for (i = 0; i < 3; i++) {
		fd = socket(AF_INET, SOCK_STREAM, 0);
		assert_true(fd >= 0);
		assert_int_equal(
			bind(fd, (struct sockaddr *)&from, sizeof(from)), 0);
		assert_int_equal(
			connect(fd, (struct sockaddr *)&to, sizeof(to)), 0);
		run_until(f, never, 200);
		close(fd);
	}
	run_until(f, never, 300);
	assert_true(both_up(f));
	assert_int_equal(peer_num(&f->b, "connections"), downs);
	assert_int_equal(peer_num(&f->b, "resyncs"), resyncs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_bulk_then_changes, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_wrong_key, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_resume_without_bulk, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_replay_floor_travels, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_replay_floor_first_after_download, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_no_replay_marks_to_older_peer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bulk_carries_replay_marks,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_stale_binding_mark, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_second_path, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_path_heard_first, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_path_heard_dead, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_paths_wrong_key, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_reconnect_keeps_path,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_mismatch, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_virtual_newer_wins, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_standby_follows_active,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_new_active_connected,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_new_active_apart, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_dual_active_loser_follows,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_reload, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bare_call, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
