// SPDX-License-Identifier: GPL-2.0
/*
 * reg_pipeline: a registration request as a transaction, from its decision
 * to its reply (reg_pipeline.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <openssl/crypto.h>

#include "binding_store.h"
#include "kernel_adapter.h"
#include "log.h"
#include "reg_pipeline.h"

/* install_begin(): the address comes later, the request is parked. */
#define REG_PARKED 256

/* ---- the local pools as an allocator ------------------------------------ */

static int pool_alloc_cb(void *ctx, struct reg_txn *t, struct in_addr *out)
{
	return binding_store_pool_alloc(ctx, t->d.host.pool, out);
}

static int pool_wait_cb(void *ctx, struct reg_txn *t)
{
	(void)ctx;
	(void)t;
	return -EOPNOTSUPP; /* the pools always answer at once */
}

static void pool_release_cb(void *ctx, struct in_addr a)
{
	binding_store_pool_unreserve(ctx, a);
}

static void pool_cancel_cb(void *ctx, struct reg_txn *t)
{
	(void)ctx;
	(void)t;
}

static const struct reg_allocator_ops pool_allocator_ops = {
	.alloc = pool_alloc_cb,
	.wait = pool_wait_cb,
	.release = pool_release_cb,
	.cancel = pool_cancel_cb,
};

void reg_pool_allocator(struct reg_allocator *a, struct binding_store *store)
{
	a->ops = &pool_allocator_ops;
	a->ctx = store;
}

/* Is a request of this node parked? Then that one answers it. */
static bool parked_conflict(const struct reg_pipeline *p,
			    const struct reg_txn *t)
{
	const struct reg_txn *o;

	for (o = p->parked; o && t->rkey_len; o = o->next_parked)
		if (t->rkey_len == o->rkey_len &&
		    !memcmp(t->rkey, o->rkey, t->rkey_len))
			return true;
	return false;
}


static void kernel_done(void *ctx, const struct kadapter_result *res)
{
	struct reg_txn *t = ctx;
	struct reg_pipeline *p = t->p;

	t->kerr = res->err;
	if (res->verified)
		p->stats->installs_verified++;
	if (!res->unknown || t->dereg)
		return;
	/*
	 * An install of unknown outcome: denied, but its address is not
	 * given back (the kernel may forward for it), and the table is
	 * rebuilt from the kernel's.
	 */
	t->unknown = true;
	p->resync_pending = true;
	if (!t->allocated)
		return;
	if (p->n_unknown < sizeof(p->unknown_addrs) / sizeof(p->unknown_addrs[0]))
		p->unknown_addrs[p->n_unknown++] = t->d.home_addr;
	else
		log_ratelimited(LOG_WARNING,
				"install of unknown outcome: %s stays reserved "
				"until a restart",
				inet_ntoa(t->d.home_addr));
}

/*
 * Queue the transaction's kernel change; a full batch is sent (and its requests
 * finished) first. The transaction is pending until reg_pipeline_flush().
 */
static int kernel_queue(struct reg_pipeline *p, struct reg_txn *t, enum kernel_op op,
			const struct kernel_binding *kb)
{
	int ret;

	t->kerr = 0;
	t->p = p;
	ret = kadapter_submit(p->ka, op, kb, kernel_done, t);
	if (ret == -ENOSPC) {
		reg_pipeline_flush(p);
		ret = kadapter_submit(p->ka, op, kb, kernel_done, t);
	}
	if (ret)
		return ret;
	p->pending[p->n_pending++] = t;
	return 0;
}

static int alloc_denied(struct reg_txn *t, int err)
{
	t->d.why = err == -ENOSPC ? "pool exhausted" :
		   err == -EAGAIN ? "no address approved by the IPSP primary" :
		   err == -EACCES ? "the address is another node's (IPSP)" :
		   err == -ENOMEM ? "out of memory" :
				    "no such pool";
	return REG_CODE_RESOURCES;
}

static int install_queue(struct reg_pipeline *p, struct reg_txn *t);

/*
 * The first half of a registration: the address (from the allocator if the
 * node asked for one: REG_PARKED if its answer comes later), then
 * install_queue(). Returns 0 with the transaction pending, REG_PARKED, or
 * the code of a denial.
 */
static int install_begin(struct reg_pipeline *p, struct reg_txn *t)
{
	struct reg_decision *d = &t->d;
	int ret;

	t->allocated = false;
	if (d->need_addr) {
		ret = p->alloc.ops->alloc(p->alloc.ctx, t, &d->home_addr);
		if (ret == -EINPROGRESS)
			return REG_PARKED;
		if (ret)
			return alloc_denied(t, ret);
		t->allocated = true;
	}
	return install_queue(p, t);
}

/*
 * The agent cookie, and the install queued in the adapter. Returns 0 with
 * the transaction pending, or the code of a denial.
 */
static int install_queue(struct reg_pipeline *p, struct reg_txn *t)
{
	struct reg_decision *d = &t->d;
	const struct reg_binding *b = t->b, *holder;
	struct reg_cookie *cookie = &t->cookie;
	struct kernel_binding kb = { 0 };
	uint8_t cbuf[REG_COOKIE_MAX];
	char pool[REG_POOL_NAME_MAX + 1] = "";
	int clen, ret;

	if (t->allocated) {
		snprintf(pool, sizeof(pool), "%s", d->host.pool);
	} else if (b && b->pool && b->home_addr.s_addr == d->home_addr.s_addr) {
		snprintf(pool, sizeof(pool), "%s", b->pool);
	}
	/*
	 * One binding per home address: an address bound to another mobile
	 * node (another NAI, or an address host's address held by an NAI)
	 * is refused before anything reaches the kernel, and that binding
	 * is left exactly as it is.
	 */
	holder = binding_store_find_addr(p->store, d->home_addr);
	if (holder && holder != b) {
		p->stats->address_conflicts++;
		log_ratelimited(LOG_WARNING,
				"registration from %s: home address %s is "
				"bound to another mobile node",
				inet_ntoa(t->in.src), inet_ntoa(d->home_addr));
		d->why = "home address bound to another mobile node";
		return REG_CODE_PROHIBITED;
	}

	kb.home_addr = d->home_addr;
	kb.coa = d->req.coa;
	kb.ha_addr = d->ha_addr;
	kb.encap = d->encap;
	kb.flags = d->kflags;
	kb.link = d->host.link;
	kb.lifetime = d->lifetime;

	memset(cookie, 0, sizeof(*cookie));
	cookie->req_flags = d->req.flags;
	cookie->replay_method = d->sa.replay;
	cookie->replay = d->replay;
	cookie->spi = d->sa.key.spi;
	cookie->granted = d->lifetime;
	cookie->reg_time_ms = t->now_unix_ms;
	cookie->src = t->in.src;
	cookie->nai_len = t->ident_len;
	memcpy(cookie->nai, t->ident, t->ident_len);
	cookie->pool_len = (uint8_t)strlen(pool);
	memcpy(cookie->pool, pool, cookie->pool_len);
	clen = reg_cookie_encode(cookie, cbuf, sizeof(cbuf));
	if (clen < 0) {
		d->why = "cookie too long";
		ret = REG_CODE_UNSPECIFIED;
		goto err_release;
	}
	kb.cookie = cbuf;
	kb.cookie_len = (uint16_t)clen;
	t->unknown = false;
	t->dereg = false;
	ret = kernel_queue(p, t, KERNEL_OP_REPLACE, &kb);
	if (ret) {
		log_ratelimited(LOG_ERR, "queueing a kernel install: %s",
				strerror(-ret));
		d->why = "kernel install failed";
		ret = REG_CODE_UNSPECIFIED;
		goto err_release;
	}
	return 0;

err_release:
	if (t->allocated)
		p->alloc.ops->release(p->alloc.ctx, d->home_addr);
	t->allocated = false;
	return ret;
}

static void remove_now_done(void *ctx, const struct kadapter_result *res)
{
	/* an unknown outcome is a failure: the address stays reserved */
	*(int *)ctx = res->err ?: (res->unknown ? -EIO : 0);
}

/*
 * A delete answered before this returns (a batch of its own): the old
 * binding of a node that moved, found once the batch that installed the
 * new one was answered.
 */
static int remove_now(struct reg_pipeline *p, struct in_addr home)
{
	struct kernel_binding kb = { .home_addr = home };
	int err = -EINPROGRESS, ret;

	ret = kadapter_submit(p->ka, KERNEL_OP_DEL, &kb, remove_now_done, &err);
	if (ret == -ENOSPC) {
		kadapter_flush(p->ka);
		ret = kadapter_submit(p->ka, KERNEL_OP_DEL, &kb,
				      remove_now_done, &err);
	}
	if (ret)
		return ret;
	kadapter_flush(p->ka);
	return err;
}

/* The binding a registration's decision makes. */
static void decision_rec(const struct reg_txn *t, struct binding_rec *rec)
{
	const struct reg_decision *d = &t->d;
	const struct reg_cookie *cookie = &t->cookie;

	*rec = (struct binding_rec){
		.home_addr = d->home_addr,
		.coa = d->req.coa,
		.ha_addr = d->ha_addr,
		.src = t->in.src,
		.replay = d->replay,
		.reg_time_ms = cookie->reg_time_ms,
		.spi = d->sa.key.spi,
		.granted = d->lifetime,
		.link = d->host.link,
		.kflags = d->kflags,
		.req_flags = d->req.flags,
		.replay_method = (uint8_t)d->sa.replay,
		.encap = d->encap,
		.origin = BINDING_ORIGIN_LOCAL,
		.nai_len = cookie->nai_len,
		.nai = cookie->nai,
		.pool = cookie->pool_len ? cookie->pool : NULL,
	};
}

/*
 * The second half, once the kernel answered: on success the binding is
 * ours (new, or updated in place), on failure the registration is denied.
 * Returns 0 or the code of the denial.
 */
static int install_finish(struct reg_pipeline *p, struct reg_txn *t)
{
	struct reg_decision *d = &t->d;
	const struct reg_binding *b = t->b;
	struct binding_rec rec;
	int ret;

	if (t->kerr) {
		p->stats->kernel_errors++;
		d->why = "kernel install failed";
		if (t->allocated && !t->unknown)
			p->alloc.ops->release(p->alloc.ctx, d->home_addr);
		return t->kerr == -ENOMEM || t->kerr == -ENOSPC ?
			       REG_CODE_RESOURCES :
			       REG_CODE_UNSPECIFIED;
	}
	if (b && b->home_addr.s_addr != d->home_addr.s_addr) {
		/*
		 * The node moved to another home address (its NAI's static
		 * address changed on reload): the old binding goes.
		 */
		unsigned int flags = 0;

		ret = remove_now(p, b->home_addr);
		if (ret && ret != -ENOENT) {
			/*
			 * The kernel may still forward for the old address:
			 * it does not go back to its pool.
			 */
			p->stats->kernel_errors++;
			log_warn("removing the previous binding: %s; "
				 "its address stays reserved",
				 strerror(-ret));
			flags = BINDING_KEEP_ADDR;
		}
		binding_store_remove(p->store, b->home_addr,
				     BINDING_CAUSE_REGISTER, flags);
		b = NULL;
	}
	decision_rec(t, &rec);
	if (b) {
		/*
		 * A renewal keeps the AAA attributes the node's binding has
		 * (a record is the binding's whole state; no AAA client
		 * answers a renewal with new ones yet). The store copies
		 * them before it frees the old.
		 */
		rec.aaa = b->aaa;
		rec.n_aaa = b->n_aaa;
	}
	rec.expires_ms = t->now_mono_ms + (uint64_t)d->lifetime * 1000;
	ret = binding_store_upsert(p->store, &rec,
				   b ? BINDING_CAUSE_RENEW :
				       BINDING_CAUSE_REGISTER);
	if (ret) {
		/*
		 * The kernel has it and expires it; we cannot track.
		 * (EEXIST cannot happen: install_begin() checked the address,
		 * and a node's requests are serialised.)
		 */
		log_err("binding kept by the kernel only: %s", strerror(-ret));
		t->b = NULL;
		return 0;
	}
	t->b = binding_store_find_addr(p->store, d->home_addr);
	return 0;
}

/*
 * A deregistration: the node's binding goes in the next batch. 0 with the
 * transaction pending, or the error of the queueing.
 */
static int dereg_begin(struct reg_pipeline *p, struct reg_txn *t)
{
	struct kernel_binding kb = { .home_addr = t->b->home_addr };
	int ret;

	t->dereg = true;
	t->unknown = false;
	ret = kernel_queue(p, t, KERNEL_OP_DEL, &kb);
	if (ret) {
		p->stats->kernel_errors++;
		log_ratelimited(LOG_ERR, "queueing a kernel delete: %s",
				strerror(-ret));
		t->d.why = "kernel delete failed";
	}
	return ret;
}

static void deny_installed(struct reg_pipeline *p, struct reg_txn *t, uint8_t code);

/* A deregistration without a binding, or whose binding went. */
static void dereg_done(struct reg_pipeline *p, struct reg_txn *t)
{
	p->stats->deregistrations++;
	/* The next registration must still be fresh. */
	binding_store_replay_note(p->store, NULL, t->rkey, t->rkey_len,
				  &t->d.replay, t->d.sa.replay,
				  t->in.now_ntp);
}

/*
 * Once the kernel answered: 0, or its error, and then the binding stays
 * (the kernel may still forward for it, so its address is not free) and
 * the deregistration is denied.
 */
static void dereg_finish(struct reg_pipeline *p, struct reg_txn *t)
{
	struct reg_decision *d = &t->d;

	if (t->kerr && t->kerr != -ENOENT) {
		p->stats->kernel_errors++;
		d->why = "kernel delete failed";
		deny_installed(p, t, REG_CODE_UNSPECIFIED);
		return;
	}
	d->home_addr = t->b->home_addr;
	binding_store_remove(p->store, t->b->home_addr,
			     BINDING_CAUSE_DEREGISTER, 0);
	t->b = NULL; /* gone */
	dereg_done(p, t);
}

static void log_decision(const struct reg_decision *d, struct in_addr src)
{
	char s[INET_ADDRSTRLEN], h[INET_ADDRSTRLEN], c[INET_ADDRSTRLEN];

	if (!log_debug_on(LOG_REGISTRATION))
		return;
	inet_ntop(AF_INET, &src, s, sizeof(s));
	inet_ntop(AF_INET, &d->home_addr, h, sizeof(h));
	inet_ntop(AF_INET, &d->req.coa, c, sizeof(c));
	if (d->action == REG_ACT_DISCARD)
		log_debug_msg(LOG_REGISTRATION, "from %s: discarded: %s", s,
			      d->why);
	else
		log_debug_msg(LOG_REGISTRATION,
			      "from %s: home %s coa %s lifetime %u -> %u: "
			      "%u %s%s%s",
			      s, h, c, d->req.lifetime, d->lifetime, d->code,
			      reg_code_str(d->code), d->why ? ": " : "",
			      d->why ?: "");
}

/* The end of a request: log, reply, forget the keys. */
static void request_done(struct reg_pipeline *p, struct reg_txn *t)
{
	log_decision(&t->d, t->in.src);
	p->ops->reply(p->ctx, t);
	reg_decision_clear(&t->d);
}

/*
 * A denial still moves the replay state the reply announces (a new nonce;
 * after a late denial such as 130, the identification it accepted): keep
 * it, in the node's own binding or, without one, in the replay cache.
 * Only an authenticated request's state: an unauthenticated one changes
 * nothing.
 */
static void keep_replay(struct reg_pipeline *p, struct reg_txn *t)
{
	if (!t->d.sign_mn_ha)
		return;
	binding_store_replay_note(p->store, t->b, t->rkey, t->rkey_len,
				  &t->d.replay, t->d.sa.replay,
				  t->in.now_ntp);
}

static void deny_installed(struct reg_pipeline *p, struct reg_txn *t, uint8_t code)
{
	t->d.action = REG_ACT_DENY;
	t->d.code = code;
	t->d.lifetime = 0;
	keep_replay(p, t);
}

/*
 * Send the pending kernel changes (one batch) and finish their
 * registrations and deregistrations.
 */
void reg_pipeline_flush(struct reg_pipeline *p)
{
	unsigned int i;
	uint8_t code;

	if (!p->n_pending)
		return;
	kadapter_flush(p->ka);
	for (i = 0; i < p->n_pending; i++) {
		struct reg_txn *t = p->pending[i];

		if (t->dereg) {
			dereg_finish(p, t);
			request_done(p, t);
			continue;
		}
		code = (uint8_t)install_finish(p, t);
		if (code)
			deny_installed(p, t, code);
		else
			p->stats->registrations++;
		request_done(p, t);
	}
	p->n_pending = 0;
}

/*
 * Does this request concern a mobile node with a registration pending in
 * the burst? Then it must wait for that one's outcome.
 */
static bool pending_conflict(const struct reg_pipeline *p, const struct reg_txn *t,
			     struct in_addr req_home)
{
	unsigned int i;

	for (i = 0; i < p->n_pending; i++) {
		const struct reg_txn *o = p->pending[i];

		if ((t->rkey_len && t->rkey_len == o->rkey_len &&
		     !memcmp(t->rkey, o->rkey, t->rkey_len)) ||
		    (t->b && t->b == o->b) ||
		    /* the address a pending deregistration frees */
		    (o->dereg && req_home.s_addr == o->b->home_addr.s_addr) ||
		    (req_home.s_addr &&
		     req_home.s_addr == o->d.home_addr.s_addr) ||
		    (t->d.home_addr.s_addr &&
		     t->d.home_addr.s_addr == o->d.home_addr.s_addr))
			return true;
	}
	return false;
}

/*
 * Does the request name, in its Home Address field, an address bound to
 * another mobile node (another NAI, or an NAI's address asked for without
 * that NAI)? A mobile node may only ever ask for its own.
 */
static bool home_of_another(const struct reg_pipeline *p, const struct reg_txn *t,
			    struct in_addr req_home)
{
	const struct reg_binding *holder;

	if (!req_home.s_addr || req_home.s_addr == htonl(INADDR_BROADCAST))
		return false;
	holder = binding_store_find_addr(p->store, req_home);
	return holder && holder != t->b;
}

static void park(struct reg_pipeline *p, struct reg_txn *t);

void reg_pipeline_request(struct reg_pipeline *p, struct reg_txn *t)
{
	const uint8_t *buf = t->in.buf;
	size_t len = t->in.len;
	struct reg_prior prior;
	struct reg_request pre;
	struct in_addr req_home;
	int ret;

	p->stats->requests++;
	t->p = p;
	t->msg_copy = NULL;
	t->next_parked = NULL;
	goto decide;
again:
	p->ops->prepare(p->ctx, t);
decide:
	memset(&prior, 0, sizeof(prior));
	t->b = NULL;
	t->rkey_len = 0;
	t->ident_len = 0;
	req_home.s_addr = 0;
	/*
	 * Find what we know of this mobile node by its identity only: the
	 * covered NAI, else the home address (and then only a binding
	 * without an NAI). Another node's binding is never this one's.
	 */
	t->in.req = NULL;
	if (reg_request_parse(buf, len, &pre))
		goto prior_known;
	t->in.req = &pre; /* parsed once, for reg_decide() too */
	if (pre.has_mn_ha) {
		const uint8_t *nai = reg_request_identity(&pre, &t->ident_len);

		/*
		 * One identity whatever the case of the realm: the binding,
		 * the replay state and the cookie use the folded NAI.
		 */
		if (nai && reg_nai_valid(nai, t->ident_len)) {
			reg_nai_fold(nai, t->ident_len, t->ident);
			nai = t->ident;
		} else {
			t->ident_len = 0;
			nai = NULL;
		}
		if (nai) {
			t->b = binding_store_find_nai(p->store, nai,
						      t->ident_len);
		} else if (pre.home_addr.s_addr) {
			t->b = binding_store_find_addr(p->store,
						       pre.home_addr);
			if (t->b && t->b->nai_len)
				t->b = NULL;
		}
		if (nai || pre.home_addr.s_addr)
			t->rkey_len = binding_replay_key(
				t->rkey, nai, t->ident_len, pre.home_addr);
		req_home = pre.home_addr;
	}
prior_known:
	t->req_home = req_home;
	if (parked_conflict(p, t)) {
		/* its parked request answers */
		p->stats->discarded++;
		return;
	}
	if (t->b) {
		prior.bound = true;
		prior.home_addr = t->b->home_addr;
		prior.nai = t->b->nai;
		prior.nai_len = t->b->nai_len;
		prior.replay = t->b->replay;
	} else if (t->rkey_len) {
		binding_store_replay_get(p->store, t->rkey, t->rkey_len,
					 &prior.replay);
	}
	reg_decide(p->env, &t->in, &prior, &t->d);
	t->in.req = NULL; /* pre is gone when this returns */
	if (t->d.action != REG_ACT_DISCARD && p->n_pending &&
	    pending_conflict(p, t, req_home)) {
		/* Decide again on the state the pending one leaves. */
		reg_decision_clear(&t->d);
		reg_pipeline_flush(p);
		goto again;
	}
	/*
	 * A deregistration by a node without a binding of its own, naming an
	 * address bound to another node, is refused (a registration of such
	 * an address is refused where the address is taken, install_begin();
	 * a pool node that asked for it is given another one).
	 */
	if (t->d.action == REG_ACT_DEREGISTER && !t->b &&
	    home_of_another(p, t, req_home)) {
		/* Refused, and that binding is left exactly as it is. */
		p->stats->address_conflicts++;
		log_ratelimited(LOG_WARNING,
				"registration from %s: home address %s is "
				"bound to another mobile node",
				inet_ntoa(t->in.src), inet_ntoa(req_home));
		t->d.why = "home address bound to another mobile node";
		t->d.home_addr = req_home;
		deny_installed(p, t, REG_CODE_PROHIBITED);
		request_done(p, t);
		return;
	}
	switch (t->d.action) {
	case REG_ACT_DISCARD:
		p->stats->discarded++;
		log_decision(&t->d, t->in.src);
		reg_decision_clear(&t->d);
		return;
	case REG_ACT_REGISTER:
		ret = install_begin(p, t);
		if (!ret)
			return; /* finished by reg_pipeline_flush() */
		if (ret == REG_PARKED) {
			park(p, t);
			return; /* by reg_pipeline_alloc_done() */
		}
		deny_installed(p, t, (uint8_t)ret);
		break;
	case REG_ACT_DEREGISTER:
		if (!t->b) {
			dereg_done(p, t);
			break;
		}
		if (!dereg_begin(p, t))
			return; /* finished by reg_pipeline_flush() */
		deny_installed(p, t, REG_CODE_UNSPECIFIED);
		break;
	case REG_ACT_DENY:
		/* A denial still moves the nonce (replay_reject()). */
		keep_replay(p, t);
		if (t->d.code == REG_CODE_MN_AUTH)
			log_ratelimited(LOG_WARNING, "registration from %s: %s",
					inet_ntoa(t->in.src), t->d.why);
		break;
	}
	request_done(p, t);
}

/* ---- parking ------------------------------------------------------------ */

static const uint8_t *rebase(const uint8_t *ptr, const uint8_t *from,
			     const uint8_t *to)
{
	return ptr ? to + (ptr - from) : NULL;
}

static void unpark(struct reg_pipeline *p, struct reg_txn *t)
{
	struct reg_txn **pp;

	for (pp = &p->parked; *pp; pp = &(*pp)->next_parked) {
		if (*pp == t) {
			*pp = t->next_parked;
			p->n_parked--;
			break;
		}
	}
}

static void txn_free(struct reg_txn *t)
{
	free(t->msg_copy);
	OPENSSL_cleanse(t, sizeof(*t));
	free(t);
}

/*
 * The request waits for the allocator: a copy of it, off the burst (whose
 * buffers the next burst reuses), with its own copy of the message (the
 * parsed request points into it) and of the pool name (a reload may free
 * the configuration's). Its binding is looked up again when it resumes.
 */
static void park(struct reg_pipeline *p, struct reg_txn *t)
{
	struct reg_txn *c = NULL;
	uint8_t *msg = NULL;
	const uint8_t *old = t->in.buf;

	if (p->n_parked >= REG_PARKED_MAX) {
		t->d.why = "too many requests waiting for an address";
		deny_installed(p, t, REG_CODE_RESOURCES);
		request_done(p, t);
		return;
	}
	c = malloc(sizeof(*c));
	msg = malloc(t->in.len ?: 1);
	if (!c || !msg)
		goto err;
	*c = *t;
	memcpy(msg, old, t->in.len);
	c->msg_copy = msg;
	c->in.buf = msg;
	c->d.req.nai = rebase(t->d.req.nai, old, msg);
	c->d.req.mn_ha.auth = rebase(t->d.req.mn_ha.auth, old, msg);
	c->d.req.mn_fa.auth = rebase(t->d.req.mn_fa.auth, old, msg);
	c->d.req.fa_ha.auth = rebase(t->d.req.fa_ha.auth, old, msg);
	snprintf(c->pool_copy, sizeof(c->pool_copy), "%s", t->d.host.pool);
	c->d.host.pool = c->pool_copy;
	c->b = NULL;
	c->next_parked = p->parked;
	p->parked = c;
	p->n_parked++;
	if (p->alloc.ops->wait(p->alloc.ctx, c)) {
		/* answered from the slot, which still holds everything */
		unpark(p, c);
		txn_free(c);
		deny_installed(p, t, (uint8_t)alloc_denied(t, -ENOENT));
		request_done(p, t);
		return;
	}
	reg_decision_clear(&t->d); /* the keys live on in c only */
	return;
err:
	free(c);
	free(msg);
	t->d.why = "out of memory";
	deny_installed(p, t, REG_CODE_RESOURCES);
	request_done(p, t);
}

void reg_pipeline_alloc_done(struct reg_txn *t, int err, struct in_addr addr)
{
	struct reg_pipeline *p = t->p;
	uint8_t code;

	unpark(p, t);
	/*
	 * What was queued while it waited (expiries, another request's
	 * install) is finished first, as a burst does: no completion of
	 * theirs may free the binding this one holds, nor delete in the
	 * kernel what this one installs.
	 */
	kadapter_flush(p->ka);
	reg_pipeline_flush(p);
	p->ops->prepare(p->ctx, t);
	/* Its binding now (it may have expired or moved while it waited). */
	t->b = t->ident_len ? binding_store_find_nai(p->store, t->ident,
						      t->ident_len) :
			      NULL;
	if (err) {
		code = (uint8_t)alloc_denied(t, err);
	} else {
		t->d.home_addr = addr;
		t->allocated = true;
		code = (uint8_t)install_queue(p, t);
	}
	if (code) {
		deny_installed(p, t, code);
		request_done(p, t);
	} else {
		reg_pipeline_flush(p);
	}
	p->ops->resumed(p->ctx, t);
	txn_free(t);
}

void reg_pipeline_set_allocator(struct reg_pipeline *p,
				const struct reg_allocator *a)
{
	p->alloc = *a;
}

size_t reg_pipeline_parked(const struct reg_pipeline *p)
{
	return p->n_parked;
}

void reg_pipeline_init(struct reg_pipeline *p, const struct reg_env *env,
		       struct binding_store *store, struct kadapter *ka,
		       const struct reg_allocator *alloc,
		       struct reg_stats *stats,
		       const struct reg_pipeline_ops *ops, void *ctx)
{
	memset(p, 0, sizeof(*p));
	p->env = env;
	p->store = store;
	p->ka = ka;
	p->alloc = *alloc;
	p->stats = stats;
	p->ops = ops;
	p->ctx = ctx;
}

unsigned int reg_pipeline_cancel_parked(struct reg_pipeline *p)
{
	unsigned int n = 0;
	struct reg_txn *t;

	while ((t = p->parked)) {
		p->parked = t->next_parked;
		p->alloc.ops->cancel(p->alloc.ctx, t);
		reg_decision_clear(&t->d);
		txn_free(t);
		n++;
	}
	p->n_parked = 0;
	return n;
}

void reg_pipeline_fini(struct reg_pipeline *p)
{
	reg_pipeline_cancel_parked(p);
}
