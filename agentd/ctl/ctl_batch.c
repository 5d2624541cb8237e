// SPDX-License-Identifier: GPL-2.0
/*
 * miphactl -b FILE: one command a line, as "ip -batch" reads them.
 *
 * Binding changes (add, replace, del) are queued and sent many per
 * sendmsg(); other commands first send what is queued, so their output
 * follows every earlier line. Errors are reported as FILE:LINE in line
 * order. Because the kernel runs a whole sendmsg() before answering, the
 * lines queued behind a failing one in the same batch have run too when
 * the error is seen; without -force the batch stops after that batch.
 */
#include <errno.h>
#include <string.h>
#include <stdlib.h>

#include "ctl.h"

/*
 * Split a line into words, in place. Words are separated by blanks; a
 * word may be quoted with ' or " (to hold blanks or #); a # that starts a
 * word starts a comment. Returns 0, -E2BIG for more than max words, or
 * -EINVAL for an unterminated quote.
 */
int ctl_split_line(char *line, char **argv, int max, int *argc)
{
	static const char blanks[] = " \t\r\n\v\f";
	char *rd = line, *wr;
	char quote;

	*argc = 0;
	for (;;) {
		rd += strspn(rd, blanks);
		if (!*rd || *rd == '#')
			break;
		if (*argc >= max)
			return -E2BIG;
		argv[(*argc)++] = wr = rd;
		quote = 0;
		for (; *rd; rd++) {
			if (quote && *rd == quote) {
				quote = 0;
			} else if (!quote && (*rd == '\'' || *rd == '"')) {
				quote = *rd;
			} else if (!quote && strchr(blanks, *rd)) {
				break;
			} else {
				*wr++ = *rd;
			}
		}
		if (quote)
			return -EINVAL;
		if (*rd)
			rd++;
		*wr = '\0';
	}
	argv[*argc] = NULL;
	return 0;
}

/*
 * A line failed. Send what earlier lines queued first, so their errors
 * come out before this one; then report it.
 */
static void line_failed(struct ctl *c)
{
	unsigned long line = c->line;
	char msg[sizeof(c->err)];

	if (c->err[0]) {
		memcpy(msg, c->err, sizeof(msg));
		ctl_sync(c);
		ctl_report(c, line, msg);
		c->failed++;
	}
	if (!c->force)
		c->stop = true;
}

static int run_line(struct ctl *c, char *line, size_t len)
{
	char *argv[CTL_ARGS_MAX + 1];
	int argc, ret;

	if (len > CTL_LINE_MAX)
		return ctl_fail(c, CTL_ERR, "line longer than %d bytes",
				CTL_LINE_MAX);
	if (memchr(line, '\0', len))
		return ctl_fail(c, CTL_ERR, "NUL byte in line");
	ret = ctl_split_line(line, argv, CTL_ARGS_MAX, &argc);
	if (ret == -E2BIG)
		return ctl_fail(c, CTL_ERR, "more than %d words", CTL_ARGS_MAX);
	if (ret)
		return ctl_fail(c, CTL_ERR, "unterminated quote");
	if (!argc)
		return CTL_OK;
	return ctl_run(c, argc, argv);
}

int ctl_batch_stream(struct ctl *c, FILE *f, const char *name)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;

	c->file = name;
	c->line = 0;
	while (!c->stop && (len = getline(&line, &cap, f)) >= 0) {
		c->line++;
		c->err[0] = '\0';
		if (run_line(c, line, len))
			line_failed(c);
	}
	if (!c->stop && ferror(f)) {
		ctl_fail(c, CTL_ERR, "read error: %s", strerror(errno));
		line_failed(c);
	}
	if (!c->stop)
		ctl_sync(c);
	free(line);
	return c->failed ? CTL_ERR : CTL_OK;
}

int ctl_batch_file(struct ctl *c, const char *name)
{
	FILE *f = stdin;
	int ret;

	if (strcmp(name, "-")) {
		f = fopen(name, "re");
		if (!f) {
			fprintf(c->errf, "miphactl: %s: %s\n", name,
				strerror(errno));
			return CTL_ERR;
		}
	}
	ret = ctl_batch_stream(c, f, f == stdin ? "<stdin>" : name);
	if (f != stdin)
		fclose(f);
	return ret;
}
