// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of kernel_adapter.c over a fake kernel: the batch is sealed
 * and answered as mipha.ko would (an error message per failed request, an
 * ACK for the last one) and fed back through kernel_batch_recv(), so the
 * tags that route each answer to its completion are the real ones.
 * Completion on success, on a per-message error, on a failed exchange
 * (answers lost: each outcome looked up, unknown when the lookup fails
 * too), a full batch, hold mode, cancellation, and a resync dump.
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
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <cmocka.h>

#include "kernel_adapter.h"

#define FAMILY 0x1234

static struct in_addr A(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a;
}

/* ---- the fake kernel ---------------------------------------------------- */

struct fake_binding {
	bool used;
	struct in_addr home, coa;
	uint8_t cookie[64];
	uint16_t cookie_len;
};

struct fake {
	struct fake_binding tab[8];
	struct in_addr fail_home; /* its request fails with fail_err */
	int fail_err;
	int exchange_err; /* answers lost (after the requests were made) */
	struct in_addr not_made;  /* ... and this one was not made */
	int get_err;	  /* lookups fail too */
	unsigned int sends, msgs;
};

static struct fake_binding *fake_find(struct fake *f, struct in_addr home)
{
	size_t i;

	for (i = 0; i < 8; i++)
		if (f->tab[i].used && f->tab[i].home.s_addr == home.s_addr)
			return &f->tab[i];
	return NULL;
}

/* Apply one request to the table; returns the kernel's answer. */
static int fake_apply(struct fake *f, const struct nlmsghdr *nlh)
{
	const struct genlmsghdr *genl = mnl_nlmsg_get_payload(nlh);
	struct kernel_binding kb;
	struct fake_binding *b;
	size_t i;

	assert_int_equal(kernel_binding_parse(nlh, &kb), 0);
	if (kb.home_addr.s_addr == f->fail_home.s_addr)
		return f->fail_err;
	if (f->exchange_err && kb.home_addr.s_addr == f->not_made.s_addr)
		return 0;
	b = fake_find(f, kb.home_addr);
	if (genl->cmd == MIPHA_CMD_BINDING_DEL) {
		if (!b)
			return -ENOENT;
		b->used = false;
		return 0;
	}
	for (i = 0; !b && i < 8; i++)
		if (!f->tab[i].used)
			b = &f->tab[i];
	assert_non_null(b);
	assert_true(kb.cookie_len <= sizeof(b->cookie));
	b->used = true;
	b->home = kb.home_addr;
	b->coa = kb.coa;
	if (kb.cookie_len)
		memcpy(b->cookie, kb.cookie, kb.cookie_len);
	b->cookie_len = kb.cookie_len;
	return 0;
}

static size_t put_answer(char *buf, const struct nlmsghdr *req, int err)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	struct nlmsgerr *e;

	memset(buf, 0, NLMSG_LENGTH(sizeof(*e)));
	nlh->nlmsg_len = NLMSG_LENGTH(sizeof(*e));
	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_flags = NLM_F_CAPPED;
	nlh->nlmsg_seq = req->nlmsg_seq;
	e = NLMSG_DATA(nlh);
	e->error = err;
	e->msg = *req;
	return NLMSG_ALIGN(nlh->nlmsg_len);
}

static int fake_batch_send(void *ctx, struct kernel_batch *batch,
			   kernel_batch_err_cb cb, void *data)
{
	struct fake *f = ctx;
	const struct nlmsghdr *nlh;
	static char rbuf[16384];
	unsigned int failed = 0;
	const void *buf;
	size_t len, off = 0;
	int rem, err, ret;

	f->sends++;
	len = kernel_batch_seal(batch, 100, &buf);
	nlh = buf;
	rem = (int)len;
	while (mnl_nlmsg_ok(nlh, rem)) {
		const struct nlmsghdr *next = mnl_nlmsg_next(nlh, &rem);

		f->msgs++;
		err = fake_apply(f, nlh);
		/* errors always; the ACK of the last request */
		if (err || !mnl_nlmsg_ok(next, rem))
			off += put_answer(rbuf + off, nlh, err);
		nlh = next;
	}
	if (f->exchange_err)
		return f->exchange_err;
	ret = kernel_batch_recv(batch, rbuf, off, cb, data, &failed);
	assert_int_equal(ret, 1);
	return (int)failed;
}

static int fake_get(void *ctx, struct in_addr home, kernel_binding_cb cb,
		    void *data)
{
	struct fake *f = ctx;
	struct fake_binding *b;
	struct kernel_binding kb = { 0 };

	if (f->get_err)
		return f->get_err;
	b = fake_find(f, home);
	if (!b)
		return -ENOENT;
	kb.home_addr = b->home;
	kb.coa = b->coa;
	kb.cookie = b->cookie;
	kb.cookie_len = b->cookie_len;
	return cb(&kb, data);
}

static int fake_dump(void *ctx, const struct kernel_dump_ops *ops, void *data)
{
	struct fake *f = ctx;
	size_t i;
	int ret;

	for (i = 0; i < 8; i++) {
		struct kernel_binding kb = { .home_addr = f->tab[i].home,
					     .coa = f->tab[i].coa };

		if (!f->tab[i].used)
			continue;
		ret = ops->binding(&kb, data);
		if (ret)
			return ret;
	}
	return 0;
}

static const struct kadapter_io fake_io = {
	.batch_send = fake_batch_send,
	.get = fake_get,
	.dump = fake_dump,
};

/* ---- completions ---------------------------------------------------------- */

struct done {
	unsigned int calls;
	unsigned int order; /* the global call number of the last call */
	struct kadapter_result res;
};

static unsigned int done_seq;

static void done_cb(void *ctx, const struct kadapter_result *res)
{
	struct done *d = ctx;

	d->calls++;
	d->order = ++done_seq;
	d->res = *res;
}

struct fix {
	struct fake fake;
	struct kadapter *ka;
};

static int setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->ka = kadapter_new_io(&fake_io, &f->fake,
				kernel_batch_alloc(FAMILY, 65536, 4), NULL);
	assert_non_null(f->ka);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;

	kadapter_free(f->ka);
	free(f);
	return 0;
}

static struct kernel_binding kb_of(const char *home, const char *coa,
				   const char *cookie)
{
	return (struct kernel_binding){
		.home_addr = A(home),
		.coa = A(coa),
		.ha_addr = A("192.0.2.1"),
		.lifetime = 60,
		.cookie = (const uint8_t *)cookie,
		.cookie_len = cookie ? (uint16_t)strlen(cookie) : 0,
	};
}

static void submit(struct fix *f, enum kernel_op op,
		   const struct kernel_binding *kb, struct done *d)
{
	assert_int_equal(kadapter_submit(f->ka, op, kb, done_cb, d), 0);
}

static void test_success(void **state)
{
	struct fix *f = *state;
	struct kernel_binding a = kb_of("10.0.0.1", "1.1.1.1", "aa");
	struct kernel_binding b = kb_of("10.0.0.2", "1.1.1.1", "bb");
	struct done da = { 0 }, db = { 0 }, dd = { 0 };

	submit(f, KERNEL_OP_REPLACE, &a, &da);
	submit(f, KERNEL_OP_ADD, &b, &db);
	submit(f, KERNEL_OP_DEL, &a, &dd);
	assert_int_equal(kadapter_pending(f->ka), 3);
	assert_int_equal(da.calls + db.calls + dd.calls, 0);
	assert_int_equal(kadapter_flush(f->ka), 0);
	/* one batch, every completion once, in submission order */
	assert_int_equal(f->fake.sends, 1);
	assert_int_equal(f->fake.msgs, 3);
	assert_int_equal(da.calls, 1);
	assert_int_equal(db.calls, 1);
	assert_int_equal(dd.calls, 1);
	assert_true(da.order < db.order && db.order < dd.order);
	assert_int_equal(da.res.err, 0);
	assert_int_equal(db.res.err, 0);
	assert_int_equal(dd.res.err, 0);
	assert_false(da.res.verified || db.res.verified || dd.res.verified);
	assert_null(fake_find(&f->fake, A("10.0.0.1")));
	assert_non_null(fake_find(&f->fake, A("10.0.0.2")));
	assert_int_equal(kadapter_pending(f->ka), 0);
	/* nothing queued: nothing sent */
	assert_int_equal(kadapter_flush(f->ka), 0);
	assert_int_equal(f->fake.sends, 1);
}

/* A request the kernel refuses fails alone; the others are made. */
static void test_per_message_error(void **state)
{
	struct fix *f = *state;
	struct kernel_binding a = kb_of("10.0.0.1", "1.1.1.1", "aa");
	struct kernel_binding b = kb_of("10.0.0.2", "1.1.1.1", "bb");
	struct kernel_binding c = kb_of("10.0.0.3", "1.1.1.1", "cc");
	struct kernel_binding gone = kb_of("10.0.0.9", "1.1.1.1", NULL);
	struct done da = { 0 }, db = { 0 }, dc = { 0 }, dg = { 0 };

	f->fake.fail_home = A("10.0.0.2");
	f->fake.fail_err = -EINVAL;
	submit(f, KERNEL_OP_REPLACE, &a, &da);
	submit(f, KERNEL_OP_REPLACE, &b, &db);
	submit(f, KERNEL_OP_REPLACE, &c, &dc);
	submit(f, KERNEL_OP_DEL, &gone, &dg);
	assert_int_equal(kadapter_flush(f->ka), 2);
	assert_int_equal(da.res.err, 0);
	assert_int_equal(db.res.err, -EINVAL);
	assert_int_equal(dc.res.err, 0);
	assert_int_equal(dg.res.err, -ENOENT); /* the last one fails too */
	assert_false(db.res.verified || db.res.unknown);
	assert_int_equal(da.calls + db.calls + dc.calls + dg.calls, 4);
}

/*
 * The answers are lost: each outcome is looked up. An install the kernel
 * holds as sent succeeded, one it does not hold (or holds with another
 * cookie: an older registration) failed; a delete whose binding is gone
 * succeeded.
 */
static void test_failed_exchange(void **state)
{
	struct fix *f = *state;
	struct kernel_binding a = kb_of("10.0.0.1", "1.1.1.1", "new-a");
	struct kernel_binding b = kb_of("10.0.0.2", "1.1.1.1", "new-b");
	struct kernel_binding old_b = kb_of("10.0.0.2", "1.1.1.1", "old-b");
	struct kernel_binding c = kb_of("10.0.0.3", "1.1.1.1", "cc");
	struct done da = { 0 }, db = { 0 }, dc = { 0 }, dx = { 0 };

	/* an older registration of b, and c, are in the kernel */
	submit(f, KERNEL_OP_ADD, &old_b, &dx);
	submit(f, KERNEL_OP_ADD, &c, &dx);
	assert_int_equal(kadapter_flush(f->ka), 0);

	f->fake.exchange_err = -ENOBUFS;
	f->fake.not_made = A("10.0.0.2");
	submit(f, KERNEL_OP_REPLACE, &a, &da);
	submit(f, KERNEL_OP_REPLACE, &b, &db);
	submit(f, KERNEL_OP_DEL, &c, &dc);
	assert_int_equal(kadapter_flush(f->ka), -ENOBUFS);
	assert_int_equal(da.calls + db.calls + dc.calls, 3);
	assert_true(da.res.verified && db.res.verified && dc.res.verified);
	assert_false(da.res.unknown || db.res.unknown || dc.res.unknown);
	assert_int_equal(da.res.err, 0);
	assert_int_equal(db.res.err, -ENOBUFS); /* old-b is not this one */
	assert_int_equal(dc.res.err, 0);
}

/* ... and when the lookup fails too, the outcome is unknown. */
static void test_failed_exchange_unknown(void **state)
{
	struct fix *f = *state;
	struct kernel_binding a = kb_of("10.0.0.1", "1.1.1.1", "aa");
	struct kernel_binding b = kb_of("10.0.0.2", "1.1.1.1", "bb");
	struct done da = { 0 }, db = { 0 };

	f->fake.exchange_err = -ETIMEDOUT;
	f->fake.get_err = -EIO;
	f->fake.fail_home = A("10.0.0.2");
	f->fake.fail_err = -EINVAL;
	submit(f, KERNEL_OP_REPLACE, &a, &da);
	submit(f, KERNEL_OP_DEL, &b, &db);
	assert_int_equal(kadapter_flush(f->ka), -ETIMEDOUT);
	assert_int_equal(da.res.err, -ETIMEDOUT);
	assert_true(da.res.verified);
	assert_true(da.res.unknown);
	assert_int_equal(db.res.err, -ETIMEDOUT);
	assert_true(db.res.unknown);
	/* the fake made a: an unknown outcome may well have been made */
	assert_non_null(fake_find(&f->fake, A("10.0.0.1")));
}

static void resubmit_cb(void *ctx, const struct kadapter_result *res)
{
	struct fix *f = ctx;
	struct kernel_binding c = kb_of("10.0.0.3", "1.1.1.1", NULL);
	static struct done dc;

	(void)res;
	/* a completion may queue the next change */
	assert_int_equal(kadapter_submit(f->ka, KERNEL_OP_ADD, &c, done_cb,
					 &dc),
			 0);
}

/* A full batch: -ENOSPC, flush, submit again; completions may submit. */
static void test_full_and_reentry(void **state)
{
	struct fix *f = *state;
	struct done d[5] = { 0 };
	char home[16];
	int i;

	for (i = 0; i < 4; i++) {
		struct kernel_binding kb;

		snprintf(home, sizeof(home), "10.0.1.%d", i + 1);
		kb = kb_of(home, "1.1.1.1", NULL);
		submit(f, KERNEL_OP_ADD, &kb, &d[i]);
	}
	{
		struct kernel_binding kb = kb_of("10.0.1.9", "1.1.1.1", NULL);

		assert_int_equal(kadapter_submit(f->ka, KERNEL_OP_ADD, &kb,
						 done_cb, &d[4]),
				 -ENOSPC);
		assert_int_equal(kadapter_flush(f->ka), 0);
		submit(f, KERNEL_OP_ADD, &kb, &d[4]);
	}
	for (i = 0; i < 4; i++)
		assert_int_equal(d[i].calls, 1);
	assert_int_equal(d[4].calls, 0);
	{
		struct kernel_binding kb = kb_of("10.0.1.10", "1.1.1.1", NULL);

		assert_int_equal(kadapter_submit(f->ka, KERNEL_OP_ADD, &kb,
						 resubmit_cb, f),
				 0);
	}
	assert_int_equal(kadapter_flush(f->ka), 0);
	assert_int_equal(d[4].calls, 1);
	assert_int_equal(kadapter_pending(f->ka), 1);
	assert_int_equal(kadapter_flush(f->ka), 0);
	assert_non_null(fake_find(&f->fake, A("10.0.0.3")));
}

/* Hold: records kept without forwarding, the kernel untouched. */
static void test_hold(void **state)
{
	struct fix *f = *state;
	struct kernel_binding a = kb_of("10.0.0.1", "1.1.1.1", "aa");
	struct done da = { 0 };

	assert_int_equal(kadapter_mode(f->ka), KADAPTER_INSTALL);
	kadapter_set_mode(f->ka, KADAPTER_HOLD);
	submit(f, KERNEL_OP_REPLACE, &a, &da);
	assert_int_equal(da.calls, 1);
	assert_int_equal(da.res.err, 0);
	assert_int_equal(kadapter_pending(f->ka), 0);
	assert_int_equal(kadapter_flush(f->ka), 0);
	assert_int_equal(f->fake.sends, 0);
	assert_null(fake_find(&f->fake, A("10.0.0.1")));
	kadapter_set_mode(f->ka, KADAPTER_INSTALL);
	submit(f, KERNEL_OP_REPLACE, &a, &da);
	assert_int_equal(kadapter_flush(f->ka), 0);
	assert_non_null(fake_find(&f->fake, A("10.0.0.1")));
}

static int count_cb(const struct kernel_binding *kb, void *data)
{
	(void)kb;
	(*(unsigned int *)data)++;
	return 0;
}

/* Unflushed operations are cancelled with the adapter; resync dumps. */
static void test_cancel_and_resync(void **state)
{
	struct fix *f = *state;
	struct kernel_binding a = kb_of("10.0.0.1", "1.1.1.1", "aa");
	struct kernel_binding b = kb_of("10.0.0.2", "1.1.1.1", "bb");
	const struct kernel_dump_ops ops = { .binding = count_cb };
	struct done da = { 0 }, db = { 0 };
	unsigned int n = 0;

	submit(f, KERNEL_OP_ADD, &a, &da);
	assert_int_equal(kadapter_flush(f->ka), 0);
	assert_int_equal(kadapter_resync(f->ka, &ops, &n), 0);
	assert_int_equal(n, 1);
	submit(f, KERNEL_OP_ADD, &b, &db);
	kadapter_free(f->ka);
	f->ka = NULL;
	assert_int_equal(db.calls, 1);
	assert_int_equal(db.res.err, -ECANCELED);
	assert_null(fake_find(&f->fake, A("10.0.0.2")));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(t) cmocka_unit_test_setup_teardown(t, setup, teardown)
		T(test_success),
		T(test_per_message_error),
		T(test_failed_exchange),
		T(test_failed_exchange_unknown),
		T(test_full_and_reentry),
		T(test_hold),
		T(test_cancel_and_resync),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
