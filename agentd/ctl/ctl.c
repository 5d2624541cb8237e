// SPDX-License-Identifier: GPL-2.0
/*
 * miphactl: global options, command dispatch, error reporting and the
 * kernel connection shared by all commands.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"

void ctl_usage(FILE *f)
{
	fprintf(f,
		"Usage: miphactl [OPTIONS] OBJECT { COMMAND | help }\n"
		"       miphactl [OPTIONS] -b FILE\n"
		"where  OBJECT := { kernel binding | kernel link | kernel announce |\n"
		"                   kernel stats | kernel config | monitor |\n"
		"                   binding | pool | stats | config | events | ipsp }\n"
		"       OPTIONS := { -j[son] | -b[atch] FILE | -f[orce] |\n"
		"                    -s[ocket] PATH | -h[elp] }\n"
		"\n"
		"       miphactl kernel stats\n"
		"       miphactl kernel config max-bindings N\n"
		"       miphactl monitor\n");
	binding_usage(f);
	link_usage(f);
	daemon_usage(f);
	fprintf(f,
		"       miphactl ipsp [show]\n"
		"\n"
		"binding, pool, stats, config reload, events and ipsp ask mipha-agentd\n"
		"over its control socket (-socket PATH, $MIPHA_AGENTD_SOCK, default\n"
		"/run/mipha/agentd.sock); \"kernel ...\" talks to the kernel.\n"
		"events follows the daemon's events (those whose name starts with\n"
		"one of the PREFIXes, if given), one line each, until it stops.\n"
		"\n"
		"-b FILE runs one command a line from FILE (- for stdin), written\n"
		"as on the command line without \"miphactl\"; # starts a comment.\n"
		"Binding changes are sent many per netlink message; the first\n"
		"error stops the batch, except with -force.\n");
}

void ctl_init(struct ctl *c)
{
	memset(c, 0, sizeof(*c));
	c->out = stdout;
	c->errf = stderr;
}

void ctl_fini(struct ctl *c)
{
	kernel_batch_free(c->batch);
	c->batch = NULL;
	kernel_close(c->ks);
	c->ks = NULL;
}

/* True if word is a non-empty prefix of name ("del" for "delete"). */
bool ctl_matches(const char *word, const char *name)
{
	size_t len = strlen(word);

	return len && !strncmp(word, name, len);
}

int ctl_fail(struct ctl *c, int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
	return status;
}

/* "binding add 10.0.0.1: File exists (kernel: ...)" */
int ctl_kernel_fail(struct ctl *c, const char *what, int ret)
{
	struct kernel_error err = { .offs = -1, .attr = -1, .miss_type = -1 };
	char buf[512], esc[FMT_ESCAPED_LEN(512)];

	if (c->ks && kernel_last_error(c->ks)->error == ret)
		err = *kernel_last_error(c->ks);
	err.error = ret;
	/* The extack message is the kernel's text: escaped like the rest. */
	kernel_error_str(&err, buf, sizeof(buf));
	return ctl_fail(c, CTL_ERR, "%s: %s", what,
			fmt_escaped(esc, sizeof(esc), buf, strlen(buf)));
}

/* Print an error; in batch mode prefixed with the file and line. */
void ctl_report(struct ctl *c, unsigned long line, const char *msg)
{
	if (c->file)
		fprintf(c->errf, "miphactl: %s:%lu: %s\n", c->file, line, msg);
	else
		fprintf(c->errf, "miphactl: %s\n", msg);
	fflush(c->errf);
}

int ctl_kernel(struct ctl *c)
{
	int ret;

	if (c->ks)
		return CTL_OK;
	ret = kernel_open(&c->ks, 0);
	if (ret == -ENOENT)
		return ctl_fail(c, CTL_ERR,
				"kernel: no generic netlink family \"%s\" "
				"(is mipha.ko loaded?)",
				MIPHA_GENL_NAME);
	if (ret)
		return ctl_fail(c, CTL_ERR, "kernel: %s", strerror(-ret));
	return CTL_OK;
}

static void batch_err_cb(uint64_t tag, const struct nlmsghdr *req,
			 const struct kernel_error *err, void *data)
{
	struct ctl *c = data;
	char what[64], why[512], esc[FMT_ESCAPED_LEN(512)], msg[640];

	/* Without -force one batch's worth is enough to read. */
	if (!c->force && c->shown >= CTL_BATCH_ERRORS_SHOWN) {
		c->hidden++;
		return;
	}
	c->shown++;
	kernel_error_str(err, why, sizeof(why));
	snprintf(msg, sizeof(msg), "%s: %s",
		 kernel_request_str(req, what, sizeof(what)),
		 fmt_escaped(esc, sizeof(esc), why, strnlen(why, sizeof(why))));
	ctl_report(c, tag, msg);
}

/*
 * Send what the batch holds. Errors are reported line by line as they come
 * back; without -force they end the batch, and since the kernel ran every
 * request of the batch, the operator is told which lines were sent.
 * Returns CTL_ERR (already reported) if the batch must stop.
 */
int ctl_sync(struct ctl *c)
{
	char why[512];
	int ret;

	if (!c->batch || !kernel_batch_count(c->batch))
		return CTL_OK;
	c->shown = 0;
	c->hidden = 0;
	ret = kernel_batch_send(c->ks, c->batch, batch_err_cb, c);
	if (ret < 0) {
		fprintf(c->errf, "miphactl: %s:%lu-%lu: %s\n", c->file,
			c->batch_first, c->batch_last,
			kernel_error_str(kernel_last_error(c->ks), why,
					 sizeof(why)));
		c->failed++;
		c->stop = true;
		c->err[0] = '\0';
		return CTL_ERR;
	}
	c->failed += ret;
	if (c->hidden)
		fprintf(c->errf,
			"miphactl: %s: %u more failures in lines up to %lu\n",
			c->file, c->hidden, c->batch_last);
	if (ret && !c->force) {
		fprintf(c->errf,
			"miphactl: %s: stopped; lines up to %lu were sent\n",
			c->file, c->batch_last);
		c->stop = true;
		c->err[0] = '\0';
		return CTL_ERR;
	}
	return CTL_OK;
}

/* Batch mode: queue a binding change, sending the batch when it is full. */
int ctl_batch_queue(struct ctl *c, enum kernel_op op,
		    const struct kernel_binding *b)
{
	int ret;

	if (!c->batch) {
		c->batch = kernel_batch_new(c->ks);
		if (!c->batch)
			return ctl_fail(c, CTL_ERR, "%s", strerror(ENOMEM));
	}
	ret = kernel_batch_add(c->batch, op, b, c->line);
	if (ret == -ENOSPC) {
		ret = ctl_sync(c);
		if (ret)
			return ret;
		ret = kernel_batch_add(c->batch, op, b, c->line);
	}
	if (ret)
		return ctl_fail(c, CTL_ERR, "%s", strerror(-ret));
	if (kernel_batch_count(c->batch) == 1)
		c->batch_first = c->line;
	c->batch_last = c->line;
	return CTL_OK;
}

void ctl_json_print(struct ctl *c, json_t *obj)
{
	if (!obj)
		return;
	/* ASCII only: no byte of a string can reach the terminal raw. */
	json_dumpf(obj, c->out, JSON_COMPACT | JSON_ENSURE_ASCII);
	fputc('\n', c->out);
	json_decref(obj);
}

int ctl_dispatch(struct ctl *c, const struct ctl_cmd *cmds, const char *ctx,
		 int argc, char **argv)
{
	const struct ctl_cmd *cmd;
	const char *sep = ctx ? ": " : "";

	ctx = ctx ?: "";
	if (argc < 1)
		return ctl_fail(c, CTL_USAGE, "%s%scommand expected", ctx, sep);
	for (cmd = cmds; cmd->name; cmd++) {
		if (ctl_matches(argv[0], cmd->name))
			return cmd->run(c, argc - 1, argv + 1);
	}
	return ctl_fail(c, CTL_USAGE, "%s%sunknown word \"%s\"", ctx, sep,
			argv[0]);
}

static int do_help(struct ctl *c, int argc, char **argv)
{
	if (argc)
		return ctl_fail(c, CTL_USAGE, "help: unexpected \"%s\"",
				argv[0]);
	ctl_usage(c->out);
	return CTL_OK;
}

static int do_kernel_help(struct ctl *c, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(c->out,
		"Usage: miphactl kernel { binding | link | announce | stats | config } ...\n");
	binding_usage(c->out);
	link_usage(c->out);
	fprintf(c->out, "       miphactl kernel stats\n"
			"       miphactl kernel config max-bindings N\n");
	return CTL_OK;
}

static const struct ctl_cmd kernel_cmds[] = {
	{ "binding", do_binding },
	{ "link", do_link },
	{ "announce", do_announce },
	{ "stats", do_stats },
	{ "config", do_kernel_config },
	{ "help", do_kernel_help },
	{ NULL, NULL },
};

static int do_kernel(struct ctl *c, int argc, char **argv)
{
	return ctl_dispatch(c, kernel_cmds, "kernel", argc, argv);
}

static const struct ctl_cmd top_cmds[] = {
	{ "kernel", do_kernel },
	{ "monitor", do_monitor },
	{ "binding", do_daemon_binding },
	{ "pool", do_pool },
	{ "standby", do_standby },
	{ "redundancy", do_redundancy },
	{ "ipsp", do_ipsp },
	{ "stats", do_daemon_stats },
	{ "config", do_config },
	{ "events", do_events },
	{ "help", do_help },
	{ NULL, NULL },
};

/* Run one command (argv without "miphactl" and options). */
int ctl_run(struct ctl *c, int argc, char **argv)
{
	c->err[0] = '\0';
	return ctl_dispatch(c, top_cmds, NULL, argc, argv);
}

enum opt_result { OPT_RUN, OPT_EXIT_OK, OPT_USAGE };

/* iproute2-style options: one dash, any unambiguous abbreviation. */
static int parse_options(struct ctl *c, int *argc, char ***argv,
			 const char **batch)
{
	while (*argc > 0 && (*argv)[0][0] == '-' && (*argv)[0][1]) {
		const char *opt = (*argv)[0] + 1;

		if (opt[0] == '-')
			opt++;
		if (ctl_matches(opt, "json")) {
			c->json = true;
		} else if (ctl_matches(opt, "batch")) {
			if (*argc < 2) {
				ctl_fail(c, CTL_USAGE, "-batch: file expected");
				return OPT_USAGE;
			}
			(*argc)--;
			(*argv)++;
			*batch = (*argv)[0];
		} else if (ctl_matches(opt, "socket")) {
			if (*argc < 2) {
				ctl_fail(c, CTL_USAGE, "-socket: path expected");
				return OPT_USAGE;
			}
			(*argc)--;
			(*argv)++;
			c->sock_path = (*argv)[0];
		} else if (ctl_matches(opt, "force")) {
			c->force = true;
		} else if (ctl_matches(opt, "help")) {
			ctl_usage(c->out);
			return OPT_EXIT_OK;
		} else {
			ctl_fail(c, CTL_USAGE, "unknown option \"%s\"",
				 (*argv)[0]);
			return OPT_USAGE;
		}
		(*argc)--;
		(*argv)++;
	}
	return OPT_RUN;
}

int ctl_main(int argc, char **argv)
{
	const char *batch = NULL;
	struct ctl c;
	int ret;

	ctl_init(&c);
	argc--;
	argv++;
	ret = parse_options(&c, &argc, &argv, &batch);
	if (ret == OPT_EXIT_OK)
		return CTL_OK;
	if (ret == OPT_RUN && batch && argc) {
		ctl_fail(&c, CTL_USAGE, "-batch: unexpected \"%s\"", argv[0]);
		ret = OPT_USAGE;
	}
	if (ret == OPT_RUN && !batch && !argc) {
		ctl_usage(c.errf);
		return CTL_USAGE;
	}
	if (ret == OPT_USAGE) {
		ctl_report(&c, 0, c.err);
		fprintf(c.errf, "Try \"miphactl help\".\n");
		return CTL_USAGE;
	}
	if (batch) {
		ret = ctl_batch_file(&c, batch);
	} else {
		ret = ctl_run(&c, argc, argv);
		if (ret && c.err[0]) {
			ctl_report(&c, 0, c.err);
			if (ret == CTL_USAGE)
				fprintf(c.errf, "Try \"miphactl help\".\n");
		}
	}
	if (fflush(c.out) && !ret) {
		fprintf(c.errf, "miphactl: write error: %s\n", strerror(errno));
		ret = CTL_ERR;
	}
	ctl_fini(&c);
	return ret;
}
