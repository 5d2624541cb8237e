// SPDX-License-Identifier: GPL-2.0
/*
 * kernel_live: kernel.c against the real mipha module, TAP output. It needs
 * mipha.ko loaded and CAP_NET_ADMIN, and flushes the table of the network
 * namespace it runs in, so run it in a fresh one:
 *
 *	unshare -n agentd/build/tests/kernel_live
 *
 * It covers what miphactl does not use: non-blocking sockets, the
 * notification socket drained from epoll, dump abort and restart hooks,
 * batch error mapping with the kernel's own answers.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/epoll.h>

#include "kernel.h"

static int test_no, failures;

static void ok(bool cond, const char *fmt, ...)
{
	va_list ap;

	test_no++;
	printf("%sok %d - ", cond ? "" : "not ", test_no);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (!cond)
		failures++;
	fflush(stdout);
}

static struct in_addr ip(const char *s)
{
	struct in_addr a;

	inet_pton(AF_INET, s, &a);
	return a;
}

static struct kernel_binding nth(int i)
{
	struct kernel_binding b = {
		.home_addr = { htonl(0x0a400000 + i) },
		.coa = { htonl(0xc6120000 + i % 7) },
		.ha_addr = ip("192.0.2.1"),
	};

	return b;
}

static struct kernel_binding got;
static int got_count;

static int save_cb(const struct kernel_binding *b, void *data)
{
	(void)data;
	got = *b;
	got.cookie = NULL;
	got_count++;
	return 0;
}

struct dump_count {
	int n;
	int restarts;
	int abort_after; /* return -ECANCELED after this many, if > 0 */
};

static int count_cb(const struct kernel_binding *b, void *data)
{
	struct dump_count *dc = data;

	(void)b;
	if (dc->abort_after && dc->n >= dc->abort_after)
		return -ECANCELED;
	dc->n++;
	return 0;
}

static void count_restart(void *data)
{
	struct dump_count *dc = data;

	dc->n = 0;
	dc->restarts++;
}

static const struct kernel_dump_ops count_ops = {
	.binding = count_cb,
	.restart = count_restart,
};

struct batch_errors {
	uint64_t tags[8];
	int errors[8];
	int attrs[8];
	char what[8][64];
	int n;
};

static void batch_cb(uint64_t tag, const struct nlmsghdr *req,
		     const struct kernel_error *err, void *data)
{
	struct batch_errors *be = data;

	if (be->n < 8) {
		be->tags[be->n] = tag;
		be->errors[be->n] = err->error;
		be->attrs[be->n] = err->attr;
		kernel_request_str(req, be->what[be->n],
				   sizeof(be->what[be->n]));
	}
	be->n++;
}

static int events[MIPHA_EVENT_FLUSHED + 1];
static uint32_t flushed_count;

/* Counts each event into the array it is given (one per socket). */
static int notify_cb(const struct kernel_notification *n, void *data)
{
	int *counts = data;

	if (n->event <= MIPHA_EVENT_FLUSHED)
		counts[n->event]++;
	if (n->event == MIPHA_EVENT_FLUSHED)
		flushed_count = n->flush_count;
	return 0;
}

/* Drain a notification socket the way the daemon's loop will. */
static int drain(struct kernel_sock *ns, int ep, int *counts)
{
	struct epoll_event ev;
	int total = 0, ret;

	while (epoll_wait(ep, &ev, 1, 200) == 1) {
		ret = kernel_notify_read(ns, notify_cb, counts);
		if (ret == -EAGAIN)
			continue;
		if (ret < 0)
			return ret;
		total += ret;
	}
	return total;
}

int main(void)
{
	static uint8_t big[MIPHA_COOKIE_MAX + 1];
	struct kernel_sock *ks, *ns, *rs, *fs;
	int removals[MIPHA_EVENT_FLUSHED + 1] = {}, rep;
	int filtered[MIPHA_EVENT_FLUSHED + 1] = {}, fep;
	struct kernel_batch *batch;
	struct kernel_binding a = {
		.home_addr = ip("10.9.0.1"),
		.coa = ip("198.51.100.7"),
		.ha_addr = ip("192.0.2.1"),
		.encap = MIPHA_ENCAP_GRE,
		.has_gre_key = true,
		.gre_key = 4242,
		.flags = MIPHA_F_REVERSE_TUNNEL | MIPHA_F_BROADCAST,
		.link = 1,
		.lifetime = 3600,
		.cookie = (const uint8_t *)"\xde\xad",
		.cookie_len = 2,
	};
	struct kernel_dump_filter filter = {};
	struct kernel_stats st;
	struct batch_errors be = {};
	struct dump_count dc = {};
	struct epoll_event ev = { .events = EPOLLIN };
	uint32_t count = 0;
	int ret, i, ep;

	printf("TAP version 13\n");
	ret = kernel_open(&ks, KERNEL_F_NONBLOCK);
	ok(!ret, "open a non-blocking request socket (%d)", ret);
	if (ret)
		return 1;
	ret = kernel_open(&ns, KERNEL_F_NONBLOCK | KERNEL_F_NOTIFY);
	ok(!ret && kernel_mcgrp(ns), "open a notification socket (%d)", ret);
	if (ret)
		return 1;
	ep = epoll_create1(EPOLL_CLOEXEC);
	epoll_ctl(ep, EPOLL_CTL_ADD, kernel_fd(ns), &ev);
	/* the daemon's kind: the group of removals */
	ret = kernel_open(&rs, KERNEL_F_NONBLOCK | KERNEL_F_NOTIFY |
				       KERNEL_F_REMOVALS);
	ok(!ret && kernel_joined_group(rs) &&
		   kernel_joined_group(rs) != kernel_mcgrp(rs),
	   "open a notification socket of removals only: it joins the "
	   "\"removals\" group (%d, group %u)",
	   ret, ret ? 0 : kernel_joined_group(rs));
	if (ret)
		return 1;
	rep = epoll_create1(EPOLL_CLOEXEC);
	epoll_ctl(rep, EPOLL_CTL_ADD, kernel_fd(rs), &ev);
	/* a module without that group: "bindings" and a socket filter */
	ret = kernel_open(&fs, KERNEL_F_NONBLOCK | KERNEL_F_NOTIFY |
				       KERNEL_F_REMOVALS |
				       KERNEL_F_REMOVALS_FILTER);
	ok(!ret && kernel_joined_group(fs) == kernel_mcgrp(fs),
	   "open one of removals by the socket filter: it joins \"bindings\" "
	   "(%d)", ret);
	if (ret)
		return 1;
	fep = epoll_create1(EPOLL_CLOEXEC);
	epoll_ctl(fep, EPOLL_CTL_ADD, kernel_fd(fs), &ev);
	ret = kernel_binding_flush(ks, &count);
	ok(!ret, "flush to start empty (%d)", ret);
	drain(ns, ep, events);
	drain(rs, rep, removals);
	drain(fs, fep, filtered);
	memset(removals, 0, sizeof(removals));
	memset(filtered, 0, sizeof(filtered));
	memset(events, 0, sizeof(events));

	ret = kernel_binding_add(ks, &a, false);
	ok(!ret, "add a binding with every field (%d)", ret);
	ret = kernel_binding_get(ks, a.home_addr, save_cb, NULL);
	ok(!ret && got_count == 1 && got.coa.s_addr == a.coa.s_addr &&
		   got.encap == MIPHA_ENCAP_GRE && got.has_gre_key &&
		   got.gre_key == 4242 && got.flags == a.flags &&
		   got.link == 1 && got.cookie_len == 2,
	   "get returns every field (%d)", ret);
	ok(got.has_expires && got.expires_ms <= 3600000 &&
		   got.expires_ms > 3500000,
	   "expires_ms counts down from the lifetime (%llu)",
	   (unsigned long long)got.expires_ms);

	ret = kernel_binding_add(ks, &a, false);
	ok(ret == -EEXIST && kernel_last_error(ks)->msg[0] &&
		   kernel_last_error(ks)->attr == MIPHA_A_HOME_ADDR,
	   "duplicate add: -EEXIST with extack naming home_addr (%d, \"%s\")",
	   ret, kernel_last_error(ks)->msg);
	a.coa = ip("203.0.113.5");
	ret = kernel_binding_add(ks, &a, true);
	ok(!ret, "replace (%d)", ret);

	a.home_addr = ip("10.9.0.2");
	a.cookie = big;
	a.cookie_len = sizeof(big);
	ret = kernel_binding_add(ks, &a, false);
	ok(ret < 0 && kernel_last_error(ks)->attr == MIPHA_A_COOKIE,
	   "a cookie over %d bytes is refused, naming the cookie (%d, \"%s\")",
	   MIPHA_COOKIE_MAX, ret, kernel_last_error(ks)->msg);
	a.home_addr = ip("224.0.0.1");
	a.cookie_len = 0;
	ret = kernel_binding_add(ks, &a, false);
	ok(ret == -EINVAL && kernel_last_error(ks)->attr == MIPHA_A_HOME_ADDR,
	   "a multicast home address is refused (%d, \"%s\")", ret,
	   kernel_last_error(ks)->msg);

	/* 1000 adds, a duplicate at 500 and an unknown delete at 700. */
	batch = kernel_batch_new(ks);
	ok(batch != NULL, "batch sized from the socket");
	for (i = 0; i < 1000; i++) {
		struct kernel_binding b = nth(i);

		if (i == 500)
			b.home_addr = ip("10.9.0.1");
		if (i == 700)
			ret = kernel_batch_add(batch, KERNEL_OP_DEL, &b, i);
		else
			ret = kernel_batch_add(batch, KERNEL_OP_ADD, &b, i);
		if (ret)
			break;
	}
	ok(i == 1000 && kernel_batch_count(batch) == 1000,
	   "1000 requests fit one batch (%d)", ret);
	ret = kernel_batch_send(ks, batch, batch_cb, &be);
	ok(ret == 2 && be.n == 2 && be.tags[0] == 500 &&
		   be.errors[0] == -EEXIST && be.tags[1] == 700 &&
		   be.errors[1] == -ENOENT,
	   "batch: the two failures come back tagged 500 and 700 (%d)", ret);
	ok(kernel_batch_count(batch) == 0, "batch empty after sending");

	ret = kernel_binding_dump(ks, NULL, &count_ops, &dc);
	ok(!ret && dc.n == 999, "dump: 998 from the batch + 10.9.0.1 (%d, %d)",
	   ret, dc.n);
	filter.coa = nth(3).coa;
	dc = (struct dump_count){};
	ret = kernel_binding_dump(ks, &filter, &count_ops, &dc);
	ok(!ret && dc.n == 142, "dump filtered by care-of address (%d, %d)",
	   ret, dc.n);
	dc = (struct dump_count){ .abort_after = 10 };
	ret = kernel_binding_dump(ks, NULL, &count_ops, &dc);
	ok(ret == -ECANCELED, "a consumer can abort a dump (%d)", ret);
	ret = kernel_stats_get(ks, &st);
	ok(!ret && st.v[MIPHA_STATS_A_BINDINGS] == 999,
	   "the socket works after an aborted dump (%d, %llu bindings)", ret,
	   (unsigned long long)st.v[MIPHA_STATS_A_BINDINGS]);

	ret = drain(ns, ep, events);
	ok(ret == 1000, "epoll + kernel_notify_read: 1000 notifications (%d)",
	   ret);
	ok(events[MIPHA_EVENT_ADDED] == 999 &&
		   events[MIPHA_EVENT_REPLACED] == 1 &&
		   events[MIPHA_EVENT_DELETED] == 0,
	   "notifications: 999 added, 1 replaced (%d, %d)",
	   events[MIPHA_EVENT_ADDED], events[MIPHA_EVENT_REPLACED]);
	ok(kernel_notify_read(ns, notify_cb, events) == -EAGAIN,
	   "an empty notification socket says -EAGAIN");

	ret = kernel_binding_del(ks, ip("10.9.0.1"));
	ok(!ret, "delete (%d)", ret);
	ret = kernel_binding_del(ks, ip("10.9.0.1"));
	ok(ret == -ENOENT && kernel_last_error(ks)->msg[0],
	   "delete again: -ENOENT with a message (%d)", ret);
	ret = kernel_binding_flush(ks, &count);
	ok(!ret && count == 998, "flush removes the 998 left (%d, %u)", ret,
	   count);
	drain(ns, ep, events);
	ok(events[MIPHA_EVENT_DELETED] == 1 &&
		   events[MIPHA_EVENT_FLUSHED] == 1 && flushed_count == 998,
	   "notifications: 1 deleted, 1 flushed with its count");
	drain(rs, rep, removals);
	ok(removals[MIPHA_EVENT_ADDED] == 0 &&
		   removals[MIPHA_EVENT_REPLACED] == 0 &&
		   removals[MIPHA_EVENT_DELETED] == 1 &&
		   removals[MIPHA_EVENT_FLUSHED] == 1,
	   "the socket of removals saw 1 deleted and 1 flushed, none of the "
	   "1000 added or replaced (%d, %d, %d, %d)",
	   removals[MIPHA_EVENT_ADDED], removals[MIPHA_EVENT_REPLACED],
	   removals[MIPHA_EVENT_DELETED], removals[MIPHA_EVENT_FLUSHED]);
	drain(fs, fep, filtered);
	ok(filtered[MIPHA_EVENT_ADDED] == 0 &&
		   filtered[MIPHA_EVENT_REPLACED] == 0 &&
		   filtered[MIPHA_EVENT_DELETED] == 1 &&
		   filtered[MIPHA_EVENT_FLUSHED] == 1,
	   "so did the socket of the filter (%d, %d, %d, %d)",
	   filtered[MIPHA_EVENT_ADDED], filtered[MIPHA_EVENT_REPLACED],
	   filtered[MIPHA_EVENT_DELETED], filtered[MIPHA_EVENT_FLUSHED]);

	/*
	 * Installs go as BINDING_NEW_BULK: two bad entries in one message of
	 * 100, each reported as its own request (errno, attribute, what it
	 * asked), every other entry installed, none twice.
	 */
	memset(&be, 0, sizeof(be));
	for (i = 0; i < 100; i++) {
		struct kernel_binding b = nth(2000 + i);

		if (i == 50)
			b.home_addr = ip("224.0.0.50");
		if (i == 60)
			b.link = 999999;
		ret = kernel_batch_add(batch, KERNEL_OP_ADD, &b, i);
		if (ret)
			break;
	}
	ret = kernel_batch_send(ks, batch, batch_cb, &be);
	ok(ret == 2 && be.n == 2 && be.tags[0] == 50 &&
		   be.errors[0] == -EINVAL &&
		   be.attrs[0] == MIPHA_A_HOME_ADDR &&
		   !strcmp(be.what[0], "binding add 224.0.0.50") &&
		   be.tags[1] == 60 && be.errors[1] == -ENODEV &&
		   be.attrs[1] == MIPHA_A_LINK,
	   "bulk: entries 50 and 60 fail as themselves (%d: %llu %d %d "
	   "\"%s\", %llu %d %d)",
	   ret, (unsigned long long)be.tags[0], be.errors[0], be.attrs[0],
	   be.what[0], (unsigned long long)be.tags[1], be.errors[1],
	   be.attrs[1]);
	ret = kernel_stats_get(ks, &st);
	ok(!ret && st.v[MIPHA_STATS_A_BINDINGS] == 98 &&
		   st.v[MIPHA_STATS_A_ADDS] >= 98,
	   "bulk: the 98 others are installed, after each failure too (%d, "
	   "%llu)",
	   ret, (unsigned long long)st.v[MIPHA_STATS_A_BINDINGS]);

	/*
	 * Order: a failed entry's untried rest goes before what was queued
	 * behind it. An invalid add, an add of X in the same bulk message,
	 * then a delete of X: X is gone at the end, and only the invalid add
	 * failed (the delete found X).
	 */
	memset(&be, 0, sizeof(be));
	{
		struct kernel_binding bad = nth(3000), x = nth(3001);

		bad.home_addr = ip("224.0.0.51");
		kernel_batch_add(batch, KERNEL_OP_ADD, &bad, 1);
		kernel_batch_add(batch, KERNEL_OP_ADD, &x, 2);
		kernel_batch_add(batch, KERNEL_OP_DEL, &x, 3);
		ret = kernel_batch_send(ks, batch, batch_cb, &be);
		ok(ret == 1 && be.n == 1 && be.tags[0] == 1 &&
			   kernel_binding_get(ks, x.home_addr, save_cb,
					      NULL) == -ENOENT,
		   "bulk: the rest of a failed message runs before what "
		   "follows it (%d failed, first tag %llu)",
		   ret, (unsigned long long)be.tags[0]);
	}

	kernel_batch_free(batch);
	kernel_close(fs);
	kernel_close(rs);
	kernel_close(ns);
	kernel_close(ks);
	printf("1..%d\n", test_no);
	return failures ? 1 : 0;
}
