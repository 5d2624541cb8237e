// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of miphactl -b: splitting lines into words, comments and
 * blank lines, and errors that name FILE:LINE, stop the batch, or (with
 * -force) let it go on. The batch runs dry: parsed, not sent.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ctl.h"

static int split(const char *s, char **argv, char *line, int *argc)
{
	strcpy(line, s);
	return ctl_split_line(line, argv, CTL_ARGS_MAX, argc);
}

static void test_split_words(void **state)
{
	char line[256], *argv[CTL_ARGS_MAX + 1];
	int argc;

	(void)state;
	assert_int_equal(
		split("kernel binding add 10.0.0.1\n", argv, line, &argc), 0);
	assert_int_equal(argc, 4);
	assert_string_equal(argv[0], "kernel");
	assert_string_equal(argv[3], "10.0.0.1");
	assert_null(argv[4]);

	assert_int_equal(split(" \t kernel\tstats  \r\n", argv, line, &argc),
			 0);
	assert_int_equal(argc, 2);
	assert_string_equal(argv[1], "stats");

	assert_int_equal(split("", argv, line, &argc), 0);
	assert_int_equal(argc, 0);
	assert_int_equal(split("   \n", argv, line, &argc), 0);
	assert_int_equal(argc, 0);
}

static void test_split_comments_quotes(void **state)
{
	char line[256], *argv[CTL_ARGS_MAX + 1];
	int argc;

	(void)state;
	assert_int_equal(split("# a comment\n", argv, line, &argc), 0);
	assert_int_equal(argc, 0);
	assert_int_equal(split("   #indented comment", argv, line, &argc), 0);
	assert_int_equal(argc, 0);
	assert_int_equal(split("kernel stats # why", argv, line, &argc), 0);
	assert_int_equal(argc, 2);
	/* A # inside a word is part of it. */
	assert_int_equal(split("a#b c", argv, line, &argc), 0);
	assert_int_equal(argc, 2);
	assert_string_equal(argv[0], "a#b");

	assert_int_equal(split("'a b' \"c # d\" e'f g'h", argv, line, &argc),
			 0);
	assert_int_equal(argc, 3);
	assert_string_equal(argv[0], "a b");
	assert_string_equal(argv[1], "c # d");
	assert_string_equal(argv[2], "ef gh");
	assert_int_equal(split("''", argv, line, &argc), 0);
	assert_int_equal(argc, 1);
	assert_string_equal(argv[0], "");

	assert_int_equal(split("a 'b c", argv, line, &argc), -EINVAL);
}

static void test_split_too_many(void **state)
{
	char line[1024], *argv[CTL_ARGS_MAX + 1];
	char *p = line;
	int argc, i;

	(void)state;
	for (i = 0; i < CTL_ARGS_MAX; i++)
		p += sprintf(p, "w ");
	assert_int_equal(ctl_split_line(line, argv, CTL_ARGS_MAX, &argc), 0);
	assert_int_equal(argc, CTL_ARGS_MAX);
	p = line;
	for (i = 0; i <= CTL_ARGS_MAX; i++)
		p += sprintf(p, "w ");
	assert_int_equal(ctl_split_line(line, argv, CTL_ARGS_MAX, &argc),
			 -E2BIG);
}

/* Run a batch from a string; stderr and stdout captured. */
struct result {
	int status;
	unsigned int failed;
	unsigned long lines;
	char *out;
	char *err;
};

static struct result run_batch(const char *text, bool force)
{
	struct result r = {};
	size_t out_len, err_len;
	struct ctl c;
	FILE *in;

	ctl_init(&c);
	c.dry_run = true;
	c.force = force;
	c.out = open_memstream(&r.out, &out_len);
	c.errf = open_memstream(&r.err, &err_len);
	in = fmemopen((void *)text, strlen(text), "r");
	r.status = ctl_batch_stream(&c, in, "t.batch");
	r.failed = c.failed;
	r.lines = c.line;
	fclose(in);
	fclose(c.out);
	fclose(c.errf);
	ctl_fini(&c);
	return r;
}

static void free_result(struct result *r)
{
	free(r->out);
	free(r->err);
}

static void test_batch_good(void **state)
{
	struct result r;

	(void)state;
	r = run_batch(
		"# install two bindings\n"
		"\n"
		"kernel binding add 10.0.0.1 coa 192.0.2.1 ha 198.51.100.1\n"
		"   \t\n"
		"kernel binding add 10.0.0.2 coa 192.0.2.1 ha 198.51.100.1 "
		"encap gre key 5 # with a key\n"
		"kernel binding del 10.0.0.1\n"
		"kernel binding list\n"
		"kernel stats\n"
		"kernel binding add 10.0.0.3 coa 192.0.2.1 ha 198.51.100.1",
		false);
	assert_int_equal(r.status, CTL_OK);
	assert_int_equal(r.failed, 0);
	assert_int_equal(r.lines, 9); /* the last line has no newline */
	assert_string_equal(r.err, "");
	free_result(&r);
}

static void test_batch_error_stops(void **state)
{
	struct result r;

	(void)state;
	r = run_batch(
		"# comment\n"
		"kernel binding add 10.0.0.1 coa 192.0.2.1 ha 198.51.100.1\n"
		"\n"
		"kernel binding add 10.0.0.2 coa 192.0.2.x ha 198.51.100.1\n"
		"kernel binding add 10.0.0.3 coa 192.0.2.1 ha 198.51.100.1\n"
		"kernel frob\n",
		false);
	assert_int_equal(r.status, CTL_ERR);
	assert_int_equal(r.failed, 1);
	assert_int_equal(r.lines, 4); /* stopped at the bad line */
	assert_string_equal(r.err,
			    "miphactl: t.batch:4: binding add: invalid care-of "
			    "address \"192.0.2.x\"\n");
	free_result(&r);
}

static void test_batch_force_continues(void **state)
{
	struct result r;

	(void)state;
	r = run_batch(
		"kernel binding add 10.0.0.2 coa 192.0.2.x ha 198.51.100.1\n"
		"kernel binding add 10.0.0.3 coa 192.0.2.1 ha 198.51.100.1\n"
		"# a comment\n"
		"kernel frob\n"
		"kernel binding add 10.0.0.4 coa 192.0.2.1 ha 198.51.100.1 "
		"'unterminated\n"
		"miphactl kernel stats\n"
		"kernel binding flush\n",
		true);
	assert_int_equal(r.status, CTL_ERR); /* exit 1 since some failed */
	assert_int_equal(r.failed, 4);
	assert_int_equal(r.lines, 7);
	assert_string_equal(
		r.err,
		"miphactl: t.batch:1: binding add: invalid care-of address "
		"\"192.0.2.x\"\n"
		"miphactl: t.batch:4: kernel: unknown word \"frob\"\n"
		"miphactl: t.batch:5: unterminated quote\n"
		"miphactl: t.batch:6: unknown word \"miphactl\"\n");
	free_result(&r);
}

static void test_batch_bad_lines(void **state)
{
	char *text = malloc(CTL_LINE_MAX + 100);
	static const char nul[] = "kernel stats\nkernel\0 stats\n";
	struct result r;
	size_t out_len, err_len;
	struct ctl c;
	FILE *in;

	(void)state;
	/* A line longer than the maximum. */
	strcpy(text, "kernel stats\n");
	memset(text + 13, 'x', CTL_LINE_MAX + 1);
	strcpy(text + 13 + CTL_LINE_MAX + 1, "\n");
	r = run_batch(text, false);
	assert_int_equal(r.status, CTL_ERR);
	assert_string_equal(
		r.err, "miphactl: t.batch:2: line longer than 8192 bytes\n");
	free_result(&r);
	free(text);

	/* A NUL byte (binary junk) in a line. */
	memset(&r, 0, sizeof(r));
	ctl_init(&c);
	c.dry_run = true;
	c.out = open_memstream(&r.out, &out_len);
	c.errf = open_memstream(&r.err, &err_len);
	in = fmemopen((void *)nul, sizeof(nul) - 1, "r");
	assert_int_equal(ctl_batch_stream(&c, in, "bin"), CTL_ERR);
	fclose(in);
	fclose(c.out);
	fclose(c.errf);
	ctl_fini(&c);
	assert_string_equal(r.err, "miphactl: bin:2: NUL byte in line\n");
	free_result(&r);
}

static void test_batch_file_missing(void **state)
{
	struct ctl c;
	char *err;
	size_t len;

	(void)state;
	ctl_init(&c);
	c.dry_run = true;
	c.errf = open_memstream(&err, &len);
	assert_int_equal(ctl_batch_file(&c, "/nonexistent/batch"), CTL_ERR);
	fclose(c.errf);
	assert_string_equal(err, "miphactl: /nonexistent/batch: No such file "
				 "or directory\n");
	free(err);
	ctl_fini(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split_words),
		cmocka_unit_test(test_split_comments_quotes),
		cmocka_unit_test(test_split_too_many),
		cmocka_unit_test(test_batch_good),
		cmocka_unit_test(test_batch_error_stops),
		cmocka_unit_test(test_batch_force_continues),
		cmocka_unit_test(test_batch_bad_lines),
		cmocka_unit_test(test_batch_file_missing),
	};

	return cmocka_run_group_tests_name("batch", tests, NULL, NULL);
}
