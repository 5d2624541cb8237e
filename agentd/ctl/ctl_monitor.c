// SPDX-License-Identifier: GPL-2.0
/*
 * miphactl monitor: every change of the binding table, live, one line (or
 * one JSON object) per notification, flushed as it comes so a pipe reader
 * sees it at once.
 */
#include <errno.h>
#include <string.h>

#include "ctl.h"

void notification_print(struct ctl *c, const struct kernel_notification *n)
{
	const char *event = kernel_event_name(n->event);

	if (c->json) {
		if (n->has_binding)
			binding_json_print(c->out, &n->binding, event);
		else if (event)
			fprintf(c->out, "{\"event\":\"%s\"", event);
		else
			fprintf(c->out, "{\"event\":%u", n->event);
		if (!n->has_binding && n->event == MIPHA_EVENT_FLUSHED)
			fprintf(c->out, ",\"flush_count\":%u", n->flush_count);
		if (!n->has_binding)
			fputc('}', c->out);
		fputc('\n', c->out);
		return;
	}
	if (event)
		fprintf(c->out, "%s", event);
	else
		fprintf(c->out, "event %u", n->event);
	if (n->event == MIPHA_EVENT_FLUSHED)
		fprintf(c->out, " %u binding%s", n->flush_count,
			n->flush_count == 1 ? "" : "s");
	if (n->has_binding) {
		fputc(' ', c->out);
		binding_print_line(c, &n->binding);
	}
	fputc('\n', c->out);
}

static int monitor_cb(const struct kernel_notification *n, void *data)
{
	struct ctl *c = data;

	notification_print(c, n);
	if (fflush(c->out))
		return -errno;
	return 0;
}

int do_monitor(struct ctl *c, int argc, char **argv)
{
	struct kernel_sock *ks;
	int ret;

	if (argc)
		return ctl_fail(c, CTL_USAGE, "monitor: unknown word \"%s\"",
				argv[0]);
	if (c->dry_run)
		return CTL_OK;
	ret = ctl_sync(c);
	if (ret)
		return ret;
	ret = kernel_open(&ks, KERNEL_F_NOTIFY);
	if (ret == -ENOENT)
		return ctl_fail(c, CTL_ERR,
				"monitor: no generic netlink family \"%s\" "
				"(is mipha.ko loaded?)",
				MIPHA_GENL_NAME);
	if (ret)
		return ctl_fail(c, CTL_ERR, "monitor: %s", strerror(-ret));
	for (;;) {
		ret = kernel_notify_read(ks, monitor_cb, c);
		if (ret == -ENOBUFS) {
			/* The kernel dropped some: say so, keep following. */
			fprintf(c->errf,
				"miphactl: monitor: notifications lost "
				"(socket receive buffer full)\n");
			continue;
		}
		if (ret < 0 && ret != -EAGAIN)
			break;
	}
	kernel_close(ks);
	return ctl_fail(c, CTL_ERR, "monitor: %s", strerror(-ret));
}
