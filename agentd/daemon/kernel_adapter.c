// SPDX-License-Identifier: GPL-2.0
/*
 * kernel_adapter: operations on mipha.ko in netlink batches, each with a
 * completion (kernel_adapter.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kernel_adapter.h"
#include "log.h"
#include "loop.h"

struct kadapter_op {
	enum kernel_op op;
	struct kernel_binding kb; /* kb.cookie is NULL: the bytes are in
				   * cookie below (ops[] moves on growth) */
	kadapter_done_fn done;
	void *ctx;
	int err; /* the kernel's answer */
	uint8_t cookie[MIPHA_COOKIE_MAX];
};

struct kadapter {
	struct kadapter_io io;
	void *io_ctx;
	struct kernel_sock *ks; /* kadapter_new(): the default transport */
	struct kernel_batch *batch;
	struct loop *loop;
	struct loop_timer flush_timer; /* kadapter_flush_soon() */
	enum kadapter_mode mode;
	/* queued operations; the batch tag of ops[i] is i */
	struct kadapter_op *ops;
	unsigned int n, cap;
	/* the array of the previous flush, reused */
	struct kadapter_op *spare;
	unsigned int spare_cap;
};

/* ---- the default transport: kernel.c ----------------------------------- */

static int sock_batch_send(void *ctx, struct kernel_batch *batch,
			   kernel_batch_err_cb cb, void *data)
{
	struct kernel_sock *ks = ctx;
	char why[512];
	int ret;

	ret = kernel_batch_send(ks, batch, cb, data);
	if (ret < 0)
		log_ratelimited(LOG_ERR, "kernel batch unanswered: %s",
				kernel_error_str(kernel_last_error(ks), why,
						 sizeof(why)));
	return ret;
}

static int sock_get(void *ctx, struct in_addr home, kernel_binding_cb cb,
		    void *data)
{
	return kernel_binding_get(ctx, home, cb, data);
}

static int sock_dump(void *ctx, const struct kernel_dump_ops *ops, void *data)
{
	return kernel_binding_dump(ctx, NULL, ops, data);
}

static const struct kadapter_io sock_io = {
	.batch_send = sock_batch_send,
	.get = sock_get,
	.dump = sock_dump,
};

/* ---- life --------------------------------------------------------------- */

static void flush_timer_cb(struct loop_timer *t)
{
	kadapter_flush(t->data);
}

struct kadapter *kadapter_new_io(const struct kadapter_io *io, void *io_ctx,
				 struct kernel_batch *batch, struct loop *l)
{
	struct kadapter *ka = calloc(1, sizeof(*ka));

	if (!ka)
		return NULL;
	ka->io = *io;
	ka->io_ctx = io_ctx;
	ka->batch = batch;
	ka->loop = l;
	loop_timer_init(&ka->flush_timer, flush_timer_cb, ka);
	return ka;
}

struct kadapter *kadapter_new(struct kernel_sock *ks, struct loop *l)
{
	struct kernel_batch *batch = kernel_batch_new(ks);
	struct kadapter *ka;

	if (!batch)
		return NULL;
	ka = kadapter_new_io(&sock_io, ks, batch, l);
	if (!ka) {
		kernel_batch_free(batch);
		return NULL;
	}
	ka->ks = ks;
	return ka;
}

void kadapter_free(struct kadapter *ka)
{
	const struct kadapter_result res = { .err = -ECANCELED };
	unsigned int i;

	if (!ka)
		return;
	if (ka->loop)
		loop_timer_cancel(ka->loop, &ka->flush_timer);
	for (i = 0; i < ka->n; i++)
		ka->ops[i].done(ka->ops[i].ctx, &res);
	kernel_batch_free(ka->batch);
	free(ka->ops);
	free(ka->spare);
	free(ka);
}

void kadapter_set_mode(struct kadapter *ka, enum kadapter_mode mode)
{
	ka->mode = mode;
}

enum kadapter_mode kadapter_mode(const struct kadapter *ka)
{
	return ka->mode;
}

/* ---- operations --------------------------------------------------------- */

int kadapter_submit(struct kadapter *ka, enum kernel_op op,
		    const struct kernel_binding *kb, kadapter_done_fn done,
		    void *ctx)
{
	struct kadapter_op *o;
	int ret;

	if (kb->cookie_len > MIPHA_COOKIE_MAX)
		return -EINVAL;
	if (ka->mode == KADAPTER_HOLD) {
		const struct kadapter_result res = { 0 };

		done(ctx, &res);
		return 0;
	}
	if (ka->n == ka->cap) {
		unsigned int cap = ka->cap ? 2 * ka->cap : 64;

		o = realloc(ka->ops, cap * sizeof(*o));
		if (!o)
			return -ENOMEM;
		ka->ops = o;
		ka->cap = cap;
	}
	ret = kernel_batch_add(ka->batch, op, kb, ka->n);
	if (ret)
		return ret;
	o = &ka->ops[ka->n++];
	o->op = op;
	o->kb = *kb;
	if (kb->cookie_len)
		memcpy(o->cookie, kb->cookie, kb->cookie_len);
	o->kb.cookie = NULL;
	o->done = done;
	o->ctx = ctx;
	o->err = 0;
	return 0;
}

unsigned int kadapter_pending(const struct kadapter *ka)
{
	return ka->n;
}

static void batch_err_cb(uint64_t tag, const struct nlmsghdr *req,
			 const struct kernel_error *err, void *data)
{
	struct kadapter *ka = data;
	char why[512];

	(void)req;
	if (tag >= ka->n)
		return;
	ka->ops[tag].err = err->error;
	/* a delete of what is gone already (expired meanwhile) is no news */
	if (ka->ops[tag].op == KERNEL_OP_DEL && err->error == -ENOENT)
		return;
	log_ratelimited(LOG_ERR, "kernel %s failed: %s",
			ka->ops[tag].op == KERNEL_OP_DEL ? "delete" : "install",
			kernel_error_str(err, why, sizeof(why)));
}

static int present_cb(const struct kernel_binding *kb, void *data)
{
	(void)kb;
	(void)data;
	return 0;
}

/* kadapter_io.get callback: does the kernel hold this install as sent? */
static int install_seen_cb(const struct kernel_binding *kb, void *data)
{
	struct kadapter_op *o = data;

	/*
	 * The cookie carries the registration's time and identification:
	 * an older binding of the same node does not match.
	 */
	if (kb->home_addr.s_addr == o->kb.home_addr.s_addr &&
	    kb->coa.s_addr == o->kb.coa.s_addr &&
	    kb->cookie_len == o->kb.cookie_len &&
	    (!kb->cookie_len || !memcmp(kb->cookie, o->cookie, kb->cookie_len)))
		o->err = 0;
	return 0;
}

/*
 * The batch's answers were lost: ask the kernel, for every operation not
 * known to have failed, whether it was made.
 */
static void verify(struct kadapter *ka, struct kadapter_op *o, int err,
		   struct kadapter_result *res)
{
	int ret;

	res->verified = true;
	o->err = err;
	if (o->op == KERNEL_OP_DEL) {
		ret = ka->io.get(ka->io_ctx, o->kb.home_addr, present_cb,
				 NULL);
		if (ret == -ENOENT)
			o->err = 0; /* gone: the delete was made */
	} else {
		ret = ka->io.get(ka->io_ctx, o->kb.home_addr, install_seen_cb,
				 o);
	}
	if (ret && ret != -ENOENT) {
		log_ratelimited(LOG_ERR, "looking up a kernel operation: %s",
				strerror(-ret));
		res->unknown = true;
	}
}

int kadapter_flush(struct kadapter *ka)
{
	struct kadapter_op *v;
	unsigned int i, n, cap, failed = 0;
	int ret;

	if (ka->loop)
		loop_timer_cancel(ka->loop, &ka->flush_timer);
	if (!ka->n)
		return 0;
	ret = ka->io.batch_send(ka->io_ctx, ka->batch, batch_err_cb, ka);
	/* the batch is empty again whatever happened */
	kernel_batch_reset(ka->batch);
	/*
	 * Completions may submit again: they get a fresh array (the spare of
	 * the previous flush), this one is the spare afterwards.
	 */
	v = ka->ops;
	n = ka->n;
	cap = ka->cap;
	ka->ops = ka->spare;
	ka->cap = ka->spare_cap;
	ka->n = 0;
	ka->spare = NULL;
	ka->spare_cap = 0;
	for (i = 0; i < n; i++) {
		struct kadapter_result res = { 0 };

		if (ret < 0 && !v[i].err)
			verify(ka, &v[i], ret, &res);
		res.err = v[i].err;
		failed += res.err != 0;
		v[i].done(v[i].ctx, &res);
	}
	if (!ka->spare) {
		ka->spare = v;
		ka->spare_cap = cap;
	} else {
		free(v);
	}
	return ret < 0 ? ret : (int)failed;
}

void kadapter_flush_soon(struct kadapter *ka)
{
	if (!ka->loop) {
		kadapter_flush(ka);
		return;
	}
	if (!loop_timer_armed(&ka->flush_timer) &&
	    loop_timer_arm(ka->loop, &ka->flush_timer, 0))
		kadapter_flush(ka); /* no memory for the timer: now */
}

int kadapter_resync(struct kadapter *ka, const struct kernel_dump_ops *ops,
		    void *data)
{
	return ka->io.dump(ka->io_ctx, ops, data);
}
