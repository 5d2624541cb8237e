// SPDX-License-Identifier: GPL-2.0
/*
 * mipha-mn: Mobile IPv4 mobile-node / foreign-agent emulator and
 * registration load generator. See mn.h for the layout, --help for use.
 *
 * Signals: SIGINT/SIGTERM end the run (hold mode deregisters first; a
 * second one ends it at once), SIGUSR1 prints the report so far (stderr).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "mn.h"

static void on_signal(struct loop *l, int signo, void *data)
{
	struct mn_ctx *c = data;

	(void)l;
	if (signo == SIGUSR1) {
		mn_report(c, stderr);
		return;
	}
	mn_nodes_finish(c);
}

static void end_timer(struct loop_timer *t)
{
	mn_nodes_finish(t->data);
}

/* 0 when every node's last transaction was accepted. */
static int status(const struct mn_ctx *c)
{
	uint32_t i;

	for (i = 0; i < c->opts->count; i++)
		if (!c->nodes[i].ok)
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGUSR1 };
	struct mn_opts o;
	struct mn_ctx c;
	int ret, st = 2;

	setvbuf(stderr, NULL, _IOLBF, 0);
	if (mn_opts_parse(&o, argc, argv))
		return 2;
	if (o.reflector) {
		ret = mn_reflector_run(&o);
		OPENSSL_cleanse(&o.mn_ha, sizeof(o.mn_ha));
		return ret ? 2 : 0;
	}
	memset(&c, 0, sizeof(c));
	c.opts = &o;
	c.clock_offset_s = o.clock_offset_s;
	loop_timer_init(&c.pace_timer, NULL, &c);
	loop_timer_init(&c.end_timer, end_timer, &c);
	ret = loop_new(&c.loop);
	if (ret)
		goto err;
	ret = loop_signals(c.loop, sigs, 3, on_signal, &c);
	if (ret)
		goto err_loop;
	ret = mn_io_open(&c);
	if (ret)
		goto err_io;
	ret = mn_nodes_init(&c);
	if (ret)
		goto err_io;
	if (o.setup_tunnel) {
		ret = mn_tunnel_open(&c);
		if (ret)
			goto err_nodes;
	}
	c.t0_us = mn_now_us();
	if (o.action == MN_ACT_HOLD && o.duration > 0)
		loop_timer_arm(c.loop, &c.end_timer,
			       (uint64_t)(o.duration * 1000));
	mn_nodes_start(&c);
	while (!c.stop) {
		ret = loop_run_once(c.loop, -1);
		if (ret && ret != -EINTR) {
			fprintf(stderr, "mipha-mn: event loop: %s\n",
				strerror(-ret));
			break;
		}
	}
	loop_timer_cancel(c.loop, &c.end_timer);
	mn_report(&c, stdout);
	fflush(stdout);
	st = status(&c);
	mn_tunnel_close(&c);
err_nodes:
	if (c.nodes) {
		uint32_t i;

		for (i = 0; i < o.count; i++)
			loop_timer_cancel(c.loop, &c.nodes[i].timer);
	}
	free(c.nodes);
	free(c.stats.lat_us);
err_io:
	mn_io_close(&c);
err_loop:
	loop_free(c.loop);
err:
	if (ret && st == 2)
		fprintf(stderr, "mipha-mn: %s\n", strerror(-ret));
	OPENSSL_cleanse(&o.mn_ha, sizeof(o.mn_ha));
	OPENSSL_cleanse(&o.fa_ha, sizeof(o.fa_ha));
	return st;
}
