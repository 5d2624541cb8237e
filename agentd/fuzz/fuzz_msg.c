// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness: everything kernel.c parses from the kernel. The input
 * is one receive buffer (a run of netlink messages); each message goes
 * through every parser that could meet it, and what parses is formatted as
 * miphactl would print it. The buffer is also fed to a batch's answer
 * processing, as if it answered four queued requests.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "ctl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *null;

static void err_cb(uint64_t tag, const struct nlmsghdr *req,
		   const struct kernel_error *err, void *data)
{
	char what[64], why[512];

	(void)data;
	fprintf(null, "%llu %s %s\n", (unsigned long long)tag,
		kernel_request_str(req, what, sizeof(what)),
		kernel_error_str(err, why, sizeof(why)));
}

static void one_message(struct ctl *c, const struct nlmsghdr *nlh,
			const struct nlmsghdr *req)
{
	struct kernel_notification n;
	struct kernel_binding b;
	struct kernel_stats st;
	struct kernel_link l;
	struct kernel_error err;
	uint16_t family;
	struct kernel_family_info groups;
	char buf[512];

	if (!kernel_binding_parse(nlh, &b)) {
		binding_print(c, &b);
		binding_print_line(c, &b);
		binding_json_print(null, &b, "added");
	}
	if (!kernel_notification_parse(nlh, &n))
		notification_print(c, &n);
	if (!kernel_stats_parse(nlh, &st))
		stats_print(c, &st);
	if (!kernel_link_parse(nlh, &l)) {
		link_print(c, &l);
		json_decref(link_json(&l));
	}
	if (!kernel_error_parse(nlh, &err)) {
		kernel_error_resolve(&err, req);
		kernel_error_resolve(&err, nlh);
		fputs(kernel_error_str(&err, buf, sizeof(buf)), null);
	}
	kernel_family_parse(nlh, &family, &groups);
	kernel_request_str(nlh, buf, sizeof(buf));
}

/*
 * A sealed part is a run of whole messages of our family, as
 * netlink_rcv_skb() walks it: a gap would end the kernel's walk early.
 */
static void part_check(const void *out, size_t len)
{
	const struct nlmsghdr *nlh = out;
	size_t rem = len;

	for (; rem; nlh = kernel_msg_next(nlh, &rem))
		if (!kernel_msg_ok(nlh, rem) || nlh->nlmsg_type != 0x1d)
			abort();
}

static void batch_answers(const void *data, size_t size)
{
	size_t len;
	static uint8_t big[6000];
	struct kernel_batch *batch = kernel_batch_alloc(0x1d, 8192, 8);
	struct kernel_binding b = { .home_addr.s_addr = htonl(0x0a000001) };
	unsigned int failed = 0;
	const void *out;
	int i;

	for (i = 0; i < 4; i++)
		kernel_batch_add(batch, i == 3 ? KERNEL_OP_DEL : KERNEL_OP_ADD,
				 &b, i);
	/* The fuzzer's answers are numbered from 0: meet them there. */
	kernel_batch_seal(batch, 0, &out);
	kernel_batch_recv(batch, data, size, err_cb, NULL, &failed);
	kernel_batch_free(batch);

	/*
	 * Bulk: three adds and a replace in two BINDING_NEW_BULK messages, a
	 * delete; the answers (offsets anywhere) decide which entries failed
	 * and which are sealed again. Big cookies: an entry longer than the
	 * callback's view of it.
	 */
	batch = kernel_batch_alloc(0x1d, 32768, 8);
	kernel_batch_set_bulk(batch, true);
	for (i = 0; i < 5; i++) {
		b.home_addr.s_addr = htonl(0x0a000001 + i);
		b.cookie = big;
		b.cookie_len = i == 1 ? sizeof(big) : 0;
		kernel_batch_add(batch,
				 i == 4 ? KERNEL_OP_DEL :
				 i == 3 ? KERNEL_OP_REPLACE :
					  KERNEL_OP_ADD,
				 &b, i);
	}
	/* part by part, each answered from 0; at most 8 parts */
	for (i = 0; i < 8 && (len = kernel_batch_seal(batch, 0, &out)); i++) {
		part_check(out, len);
		kernel_batch_recv(batch, data, size, err_cb, NULL, &failed);
	}
	kernel_batch_free(batch);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct nlmsghdr *nlh, *req;
	struct ctl c;
	void *buf;
	size_t rem = size;

	if (!null)
		null = fopen("/dev/null", "w");
	/* An exact-size copy, so any read past the end is caught. */
	buf = malloc(size ? size : 1);
	memcpy(buf, data, size);
	ctl_init(&c);
	c.out = null;
	c.errf = null;
	req = buf;
	for (nlh = buf; kernel_msg_ok(nlh, rem);
	     nlh = kernel_msg_next(nlh, &rem)) {
		c.json = nlh->nlmsg_seq & 1;
		one_message(&c, nlh, kernel_msg_ok(req, size) ? req : NULL);
	}
	batch_answers(buf, size);
	ctl_fini(&c);
	free(buf);
	return 0;
}
