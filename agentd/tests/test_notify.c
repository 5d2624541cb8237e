// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of notify: real hooks (small /bin/sh scripts in a temporary
 * directory) run by a real loop. The hook sees exactly its arguments, no
 * shell in between; exit statuses are counted; a hook past its deadline is
 * stopped by SIGTERM, or SIGKILL if it ignores that, and what it started
 * gets the same, while the loop keeps turning (no round waits for a hook);
 * a full queue drops the newest and counts it; queued runs start in order
 * and never more than max_running at once; the child (/bin/sleep, looked
 * at through /proc) gets a clean environment, an empty signal mask, default
 * signal actions, /dev/null for stdio, none of the daemon's fds, / and its
 * own process group; notify_free() leaves no zombie.
 *
 * Nothing here depends on how fast the machine is (CI shares its cores
 * with VMs): the tests assert on counters, on order and on how a process
 * ended, and wait for a condition with a deadline only a real hang
 * reaches. The only times compared are lower bounds (a deadline is not
 * early), which load cannot break. The test process is a child subreaper,
 * so what a hook leaves behind becomes our child: a test reaps it to learn
 * which signal killed it, and the teardown after every test kills and
 * reaps whatever is left, so that one failing test cannot leave processes
 * (or fds, its cwd, signal mask, environment) to the next.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdbool.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <dirent.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "loop.h"
#include "notify.h"

/* The timeout of loop_run_once() in the tests' loop rounds. */
#define TICK_MS 20
/*
 * How long a wait for a condition may go without progress: only a hang
 * gets there. The hooks' own sleeps (30 s) are shorter, so a wrong
 * implementation that waits for one fails an assertion instead of hanging.
 */
#define DEADLINE_MS 60000
/* Timeout of a hook that is meant to finish (never reached). */
#define HOOK_TIMEOUT_MS 60000
/*
 * Timeout of a hook that is meant to be stopped: long enough that even on
 * a busy machine the hook is ready (its trap set, its child started) well
 * before its deadline, which the test cannot otherwise wait for.
 */
#define SHORT_TIMEOUT_MS 3000

static char dir[] = "/tmp/mipha-notify-XXXXXX";
static char start_cwd[256];
static sigset_t start_mask;
/* The fds open before the first test (a failed test leaks its own). */
#define MAX_FD 1024
static bool start_fds[MAX_FD];

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Marks the open fds in open_fds; false on failure. */
static bool list_fds(bool *open_fds)
{
	struct dirent *d;
	DIR *fds;

	memset(open_fds, 0, MAX_FD * sizeof(*open_fds));
	fds = opendir("/proc/self/fd");
	if (!fds)
		return false;
	while ((d = readdir(fds))) {
		int fd = atoi(d->d_name);

		if (d->d_name[0] != '.' && fd != dirfd(fds) && fd < MAX_FD)
			open_fds[fd] = true;
	}
	closedir(fds);
	return true;
}

static int setup(void **state)
{
	(void)state;
	if (!list_fds(start_fds))
		return -1;
	if (!getcwd(start_cwd, sizeof(start_cwd)) ||
	    sigprocmask(SIG_BLOCK, NULL, &start_mask))
		return -1;
	/* Orphans of our hooks come to us (see the top of the file). */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0))
		return -1;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Our children now (hooks a failed test left, orphans), up to max. */
static unsigned int list_children(pid_t *pids, unsigned int max)
{
	char path[64], buf[512], *p;
	unsigned int n = 0;
	struct dirent *d;
	DIR *proc;

	proc = opendir("/proc");
	if (!proc)
		return 0;
	while (n < max && (d = readdir(proc))) {
		int ppid = 0;
		FILE *f;

		if (d->d_name[0] < '1' || d->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/stat", atoi(d->d_name));
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(buf, sizeof(buf), f) && (p = strrchr(buf, ')')) &&
		    sscanf(p + 2, "%*c %d", &ppid) == 1 && ppid == getpid())
			pids[n++] = atoi(d->d_name);
		fclose(f);
	}
	closedir(proc);
	return n;
}

/*
 * After every test, passed or failed: kill (with their process groups) and
 * reap all our children, including the orphans that come to us as their
 * parents die, close the fds it leaked, and undo what test_child_environment
 * changes in the process.
 */
static int reap_all(void **state)
{
	bool open_fds[MAX_FD];
	pid_t pids[64];
	unsigned int i, n;
	int fd;

	(void)state;
	for (;;) {
		n = list_children(pids, 64);
		for (i = 0; i < n; i++) {
			kill(-pids[i], SIGKILL);
			kill(pids[i], SIGKILL);
		}
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		if (waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD)
			break;
		usleep(1000);
	}
	/* A failed test leaks its loop and notify: their epoll, signalfd
	 * and pidfds would otherwise stay, and collide with fd 77 below. */
	if (!list_fds(open_fds))
		return -1;
	for (fd = 0; fd < MAX_FD; fd++) {
		if (open_fds[fd] && !start_fds[fd])
			close(fd);
	}
	signal(SIGPIPE, SIG_DFL);
	unsetenv("MIPHA_SECRET");
	if (chdir(start_cwd) || sigprocmask(SIG_SETMASK, &start_mask, NULL))
		return -1;
	return 0;
}

static void path_in_dir(char *buf, size_t len, const char *name)
{
	assert_true((size_t)snprintf(buf, len, "%s/%s", dir, name) < len);
}

/* A /bin/sh script in dir; %1$s in the body is dir. */
static void write_script(char *path, size_t len, const char *name,
			 const char *body, mode_t mode)
{
	FILE *f;

	path_in_dir(path, len, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("#!/bin/sh\n", f);
	fprintf(f, body, dir);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, mode), 0);
}

/* The file's contents, or NULL if it does not exist. */
static char *slurp(const char *name)
{
	char path[256], *buf;
	FILE *f;
	size_t n;

	path_in_dir(path, sizeof(path), name);
	f = fopen(path, "r");
	if (!f)
		return NULL;
	buf = calloc(1, 4096);
	assert_non_null(buf);
	n = fread(buf, 1, 4095, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* One loop round. */
static void tick(struct loop *l)
{
	assert_int_equal(loop_run_once(l, TICK_MS), 0);
}

static uint64_t ended(const struct notify_stats *s)
{
	return s->succeeded + s->failed + s->timed_out;
}

/*
 * Runs the loop until `want` runs ended. The deadline restarts whenever
 * one more run ends: a long queue on a slow machine is progress, not a
 * hang.
 */
static void wait_ended(struct loop *l, struct notify *n, uint64_t want)
{
	uint64_t t0 = loop_now_ms(), last = 0;
	struct notify_stats s;

	for (;;) {
		notify_get_stats(n, &s);
		if (ended(&s) >= want)
			break;
		if (ended(&s) != last) {
			last = ended(&s);
			t0 = loop_now_ms();
		}
		assert_true(loop_now_ms() - t0 < DEADLINE_MS);
		tick(l);
	}
	assert_int_equal(ended(&s), want);
}

/* Runs the loop until the file holds a whole line; returns it as a pid. */
static pid_t wait_pid_file(struct loop *l, const char *name)
{
	uint64_t t0 = loop_now_ms();
	char *s;
	pid_t pid;

	while (!(s = slurp(name)) || !strchr(s, '\n')) {
		free(s);
		assert_true(loop_now_ms() - t0 < DEADLINE_MS);
		tick(l);
	}
	pid = atoi(s);
	free(s);
	assert_true(pid > 1);
	return pid;
}

/* Whether the file holds a whole line. */
static bool has_line(const char *name)
{
	char *s = slurp(name);
	bool ret = s && strchr(s, '\n');

	free(s);
	return ret;
}

/* Gone, or a zombie waiting for whoever adopted it: not running. */
static bool dead(pid_t pid)
{
	char path[64], buf[256], *p;
	bool ret = true;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return true;
	if (fgets(buf, sizeof(buf), f)) {
		p = strrchr(buf, ')');
		ret = p && p[1] == ' ' && (p[2] == 'Z' || p[2] == 'X');
	}
	fclose(f);
	return ret;
}

static void wait_dead(pid_t pid)
{
	uint64_t t0 = loop_now_ms();

	while (!dead(pid)) {
		assert_true(loop_now_ms() - t0 < DEADLINE_MS);
		usleep(10000);
	}
}

/*
 * pid, an orphan that came to us, once it ended: the signal that killed
 * it, or 0 if it exited.
 */
static int reap_orphan(pid_t pid)
{
	uint64_t t0 = loop_now_ms();
	siginfo_t si;

	for (;;) {
		memset(&si, 0, sizeof(si));
		assert_int_equal(waitid(P_PID, (id_t)pid, &si,
					WEXITED | WNOHANG),
				 0);
		if (si.si_pid == pid)
			break;
		assert_true(loop_now_ms() - t0 < DEADLINE_MS);
		usleep(10000);
	}
	return si.si_code == CLD_EXITED ? 0 : si.si_status;
}

static struct notify *new_notify(struct loop *l, const char *path,
				 uint32_t timeout_ms, unsigned int max_running)
{
	struct notify *n;

	assert_int_equal(notify_new(&n, l, path, timeout_ms, max_running), 0);
	return n;
}

static void test_new_invalid(void **state)
{
	const char *null_arg[] = { "a", NULL };
	struct notify *n;
	struct loop *l;

	(void)state;
	assert_int_equal(loop_new(&l), 0);
	assert_int_equal(notify_new(&n, l, "hook.sh", 1000, 1), -EINVAL);
	assert_null(n);
	assert_int_equal(notify_new(&n, l, NULL, 1000, 1), -EINVAL);
	assert_int_equal(notify_new(&n, l, "/bin/true", 0, 1), -EINVAL);
	assert_int_equal(notify_new(&n, l, "/bin/true", 1000, 0), -EINVAL);
	n = new_notify(l, "/bin/true", HOOK_TIMEOUT_MS, 1);
	assert_int_equal(notify_run(n, null_arg, 2), -EINVAL);
	assert_int_equal(notify_run(n, NULL, 1), -EINVAL);
	/* No arguments at all is a run. */
	assert_int_equal(notify_run(n, NULL, 0), 0);
	wait_ended(l, n, 1);
	notify_free(n);
	loop_free(l);
}

/* Every argument arrives as one word, as given: no shell saw it. */
static void test_args(void **state)
{
	char path[256], pwn[256], expect[512], *out;
	const char *args[] = { "group 1",    "",   pwn,		"*",
			       "a'b\"c;d|e", "-n", "tab\there", "line\nbreak" };
	struct notify_stats s;
	struct notify *n;
	struct loop *l;

	(void)state;
	snprintf(pwn, sizeof(pwn), "$(touch %s/pwned)", dir);
	write_script(path, sizeof(path), "args.sh",
		     "{ printf '%%s|%%s\\n' \"$0\" \"$#\"\n"
		     "for a in \"$@\"; do printf '[%%s]' \"$a\"; done\n"
		     "} > %1$s/args.out\n",
		     0755);
	assert_int_equal(loop_new(&l), 0);
	n = new_notify(l, path, HOOK_TIMEOUT_MS, 1);
	assert_int_equal(notify_run(n, args, 8), 0);
	wait_ended(l, n, 1);
	notify_get_stats(n, &s);
	assert_int_equal(s.started, 1);
	assert_int_equal(s.succeeded, 1);

	out = slurp("args.out");
	assert_non_null(out);
	assert_true(!strncmp(out, path, strlen(path)));
	snprintf(expect, sizeof(expect),
		 "|8\n[group 1][][%s][*][a'b\"c;d|e][-n][tab\there]"
		 "[line\nbreak]",
		 pwn);
	assert_string_equal(out + strlen(path), expect);
	free(out);
	assert_null(slurp("pwned"));
	notify_free(n);
	loop_free(l);
}

/* Exit 0 succeeds; another status or a signal fails. */
static void test_exit_status(void **state)
{
	const char *codes[] = { "0", "3", "sig", "0", "255" };
	struct notify_stats s;
	struct notify *n;
	struct loop *l;
	char path[256];
	unsigned int i;

	(void)state;
	write_script(path, sizeof(path), "exit.sh",
		     "[ \"$1\" = sig ] && kill -USR1 $$\nexit \"$1\"\n", 0755);
	assert_int_equal(loop_new(&l), 0);
	n = new_notify(l, path, HOOK_TIMEOUT_MS, 5);
	for (i = 0; i < 5; i++)
		assert_int_equal(notify_run(n, &codes[i], 1), 0);
	notify_get_stats(n, &s);
	assert_int_equal(s.running, 5);
	wait_ended(l, n, 5);
	notify_get_stats(n, &s);
	assert_int_equal(s.started, 5);
	assert_int_equal(s.succeeded, 2);
	assert_int_equal(s.failed, 3);
	assert_int_equal(s.timed_out, 0);
	assert_int_equal(s.running, 0);
	notify_free(n);
	loop_free(l);
}

/*
 * Past its deadline a hook gets SIGTERM, and so does what it started; the
 * loop keeps turning meanwhile. The hook's child is an orphan of a subshell
 * (so ours, see the top): how it ended is the kernel's record, SIGTERM if
 * it got that before any SIGKILL, whenever the machine lets it run. A hook
 * that exits 0 after its deadline (its trap) still timed out; on a machine
 * too busy to run the trap within the grace, SIGKILL ends it instead, and
 * that too is a timeout.
 */
static void test_timeout_term(void **state)
{
	struct notify_stats s;
	struct notify *n;
	struct loop *l;
	char path[256];
	uint64_t t0, took;
	pid_t sleeper;

	(void)state;
	write_script(path, sizeof(path), "slow.sh",
		     "trap 'exit 0' TERM\n"
		     "(sleep 30 & echo $! > %1$s/slow.pid)\n"
		     "sleep 30 &\nwait\nexit 3\n",
		     0755);
	assert_int_equal(loop_new(&l), 0);
	n = new_notify(l, path, SHORT_TIMEOUT_MS, 1);
	t0 = loop_now_ms();
	assert_int_equal(notify_run(n, NULL, 0), 0);
	/* notify_run() did not wait for the hook, which waits for us. */
	notify_get_stats(n, &s);
	assert_int_equal(s.running, 1);
	assert_int_equal(ended(&s), 0);
	sleeper = wait_pid_file(l, "slow.pid");
	wait_ended(l, n, 1);
	took = loop_now_ms() - t0;
	/* Not before its deadline. */
	assert_true(took >= SHORT_TIMEOUT_MS);
	notify_get_stats(n, &s);
	assert_int_equal(s.started, 1);
	assert_int_equal(s.timed_out, 1);
	assert_int_equal(s.succeeded + s.failed, 0);
	assert_int_equal(s.running, 0);
	/* SIGTERM reached the hook's group: not SIGKILL, not nothing. */
	assert_int_equal(reap_orphan(sleeper), SIGTERM);
	notify_free(n);
	loop_free(l);
}

/*
 * A hook that ignores SIGTERM gets SIGKILL after the grace period: not
 * before it, and not never (it would then end on its own once its child's
 * sleep is over, and say so).
 */
static void test_timeout_kill(void **state)
{
	struct notify_stats s;
	struct notify *n;
	struct loop *l;
	char path[256];
	uint64_t t0, took;
	pid_t sleeper;

	(void)state;
	write_script(path, sizeof(path), "stubborn.sh",
		     "trap '' TERM\nsleep 30 &\necho $! > %1$s/stubborn.pid\n"
		     "wait\necho done > %1$s/stubborn.done\n",
		     0755);
	assert_int_equal(loop_new(&l), 0);
	n = new_notify(l, path, SHORT_TIMEOUT_MS, 1);
	t0 = loop_now_ms();
	assert_int_equal(notify_run(n, NULL, 0), 0);
	sleeper = wait_pid_file(l, "stubborn.pid");
	wait_ended(l, n, 1);
	took = loop_now_ms() - t0;
	assert_true(took >= SHORT_TIMEOUT_MS + NOTIFY_KILL_GRACE_MS);
	assert_null(slurp("stubborn.done"));
	notify_get_stats(n, &s);
	assert_int_equal(s.timed_out, 1);
	assert_int_equal(s.succeeded + s.failed, 0);
	wait_dead(sleeper);
	notify_free(n);
	loop_free(l);
}

/*
 * A hook that dies at SIGTERM but leaves a child that ignores it: the
 * child is killed when the hook is reaped, not left to run (a hook that
 * ended in time may leave helpers behind; one stopped at its deadline may
 * not). The child, orphaned when the hook died, is ours: it was SIGKILLed
 * rather than left to exit after its sleep.
 */
static void test_timeout_straggler(void **state)
{
	struct notify_stats s;
	struct notify *n;
	struct loop *l;
	char path[256];
	pid_t sleeper;

	(void)state;
	write_script(path, sizeof(path), "straggler.sh",
		     "(trap '' TERM; exec sleep 30) &\n"
		     "echo $! > %1$s/straggler.pid\nwait\n",
		     0755);
	assert_int_equal(loop_new(&l), 0);
	n = new_notify(l, path, SHORT_TIMEOUT_MS, 1);
	assert_int_equal(notify_run(n, NULL, 0), 0);
	sleeper = wait_pid_file(l, "straggler.pid");
	wait_ended(l, n, 1);
	notify_get_stats(n, &s);
	assert_int_equal(s.timed_out, 1);
	assert_int_equal(reap_orphan(sleeper), SIGKILL);
	notify_free(n);
	loop_free(l);
}

/*
 * One slot: the first run starts, NOTIFY_QUEUE_MAX wait, the next are
 * dropped (the newest: -ENOBUFS to their caller). All accepted runs
 * happen, in the order they were queued.
 */
static void test_queue_limit(void **state)
{
	char path[256], arg[16], *out, *p;
	const char *args[] = { arg };
	struct notify_stats s;
	struct notify *n;
	struct loop *l;
	unsigned int i;

	(void)state;
	write_script(path, sizeof(path), "order.sh",
		     "echo \"$1\" >> %1$s/order.out\n", 0755);
	assert_int_equal(loop_new(&l), 0);
	n = new_notify(l, path, HOOK_TIMEOUT_MS, 1);
	for (i = 0; i < 1 + NOTIFY_QUEUE_MAX; i++) {
		snprintf(arg, sizeof(arg), "%u", i);
		assert_int_equal(notify_run(n, args, 1), 0);
	}
	notify_get_stats(n, &s);
	assert_int_equal(s.running, 1);
	assert_int_equal(s.queued, NOTIFY_QUEUE_MAX);
	assert_int_equal(notify_run(n, args, 1), -ENOBUFS);
	assert_int_equal(notify_run(n, args, 1), -ENOBUFS);
	notify_get_stats(n, &s);
	assert_int_equal(s.dropped, 2);
	assert_int_equal(s.queued, NOTIFY_QUEUE_MAX);

	wait_ended(l, n, 1 + NOTIFY_QUEUE_MAX);
	notify_get_stats(n, &s);
	assert_int_equal(s.started, 1 + NOTIFY_QUEUE_MAX);
	assert_int_equal(s.succeeded, 1 + NOTIFY_QUEUE_MAX);
	assert_int_equal(s.queued, 0);
	out = slurp("order.out");
	assert_non_null(out);
	for (i = 0, p = out; i < 1 + NOTIFY_QUEUE_MAX; i++) {
		char *end;

		assert_int_equal(strtoul(p, &end, 10), i);
		assert_int_equal(*end, '\n');
		p = end + 1;
	}
	assert_int_equal(*p, '\0');
	free(out);
	/* Room again. */
	assert_int_equal(notify_run(n, args, 1), 0);
	notify_free(n);
	loop_free(l);
}

struct span_event {
	uint64_t ns;
	int delta; /* +1 start, -1 end */
};

static int span_cmp(const void *a, const void *b)
{
	const struct span_event *x = a, *y = b;

	if (x->ns != y->ns)
		return x->ns < y->ns ? -1 : 1;
	return x->delta - y->delta; /* an end before a start */
}

/*
 * Hooks record when they start and end: never more than 2 overlap. The
 * first two wait for a go that the test gives only once both have started,
 * so two do overlap however the machine schedules them (they give up after
 * 30 s, so that a notify_run() that waited for its hook fails, not hangs).
 */
static void test_max_running(void **state)
{
	struct span_event ev[2 * 6];
	char path[256], arg[16], name[32], *out;
	const char *args[] = { arg };
	struct notify_stats s;
	struct notify *n;
	struct loop *l;
	unsigned int i;
	int cur = 0, peak = 0;
	uint64_t t0, go;

	(void)state;
	write_script(path, sizeof(path), "span.sh",
		     "echo \"$(date +%%s%%N)\" > %1$s/span.$1.tmp\n"
		     "i=0\nwhile [ ! -e %1$s/go ] && [ $i -lt 3000 ]; do\n"
		     "sleep 0.01; i=$((i + 1))\ndone\n"
		     "sleep 0.2\n"
		     "echo \"$(date +%%s%%N)\" >> %1$s/span.$1.tmp\n"
		     "mv %1$s/span.$1.tmp %1$s/span.$1\n",
		     0755);
	assert_int_equal(loop_new(&l), 0);
	n = new_notify(l, path, HOOK_TIMEOUT_MS, 2);
	t0 = loop_now_ms();
	for (i = 0; i < 6; i++) {
		snprintf(arg, sizeof(arg), "%u", i);
		assert_int_equal(notify_run(n, args, 1), 0);
	}
	notify_get_stats(n, &s);
	assert_int_equal(s.running, 2);
	assert_int_equal(s.queued, 4);
	/* Both started (no third can: neither ended), then go. */
	while (!has_line("span.0.tmp") || !has_line("span.1.tmp")) {
		assert_true(loop_now_ms() - t0 < DEADLINE_MS);
		tick(l);
		notify_get_stats(n, &s);
		assert_int_equal(s.running, 2);
		assert_int_equal(ended(&s), 0);
	}
	path_in_dir(name, sizeof(name), "go");
	go = t0 = loop_now_ms();
	assert_int_equal(mknod(name, S_IFREG | 0600, 0), 0);
	while (ended(&s) < 6) {
		uint64_t before = ended(&s);

		tick(l);
		notify_get_stats(n, &s);
		assert_true(s.running <= 2);
		if (ended(&s) != before)
			t0 = loop_now_ms();
		assert_true(loop_now_ms() - t0 < DEADLINE_MS);
	}
	/* Three rounds of two, each at least its sleep after the go: a lower
	 * bound, which load cannot break. */
	assert_true(loop_now_ms() - go >= 3 * 200);
	assert_int_equal(s.succeeded, 6);

	for (i = 0; i < 6; i++) {
		unsigned long long a, b;

		snprintf(name, sizeof(name), "span.%u", i);
		out = slurp(name);
		assert_non_null(out);
		assert_int_equal(sscanf(out, "%llu\n%llu", &a, &b), 2);
		free(out);
		ev[2 * i] = (struct span_event){ a, 1 };
		ev[2 * i + 1] = (struct span_event){ b, -1 };
	}
	qsort(ev, 12, sizeof(ev[0]), span_cmp);
	for (i = 0; i < 12; i++) {
		cur += ev[i].delta;
		if (cur > peak)
			peak = cur;
	}
	assert_int_equal(peak, 2);
	notify_free(n);
	loop_free(l);
}

/*
 * Our one child, once it exists: the tests run no other process, and the
 * teardown reaped what earlier tests left.
 */
static pid_t find_child(struct loop *l)
{
	uint64_t t0 = loop_now_ms();
	pid_t pids[2];
	unsigned int n;

	while (!(n = list_children(pids, 2))) {
		assert_true(loop_now_ms() - t0 < DEADLINE_MS);
		tick(l);
	}
	assert_int_equal(n, 1);
	return pids[0];
}

static void wait_asleep(struct loop *l, pid_t pid)
{
	uint64_t t0 = loop_now_ms();
	char path[64], buf[512], *p;
	bool asleep = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	while (!asleep) {
		assert_true(loop_now_ms() - t0 < DEADLINE_MS);
		f = fopen(path, "r");
		assert_non_null(f);
		if (fgets(buf, sizeof(buf), f)) {
			p = strrchr(buf, ')');
			asleep = p && p[1] == ' ' && p[2] == 'S';
		}
		fclose(f);
		if (!asleep)
			tick(l);
	}
}

static char *proc_read(pid_t pid, const char *what, size_t *len)
{
	char path[64], *buf;
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, what);
	f = fopen(path, "r");
	assert_non_null(f);
	buf = calloc(1, 8192);
	assert_non_null(buf);
	n = fread(buf, 1, 8191, f);
	fclose(f);
	if (len)
		*len = n;
	return buf;
}

static char *proc_link(pid_t pid, const char *what, char *buf, size_t len)
{
	char path[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, what);
	n = readlink(path, buf, len - 1);
	assert_true(n > 0);
	buf[n] = '\0';
	return buf;
}

/*
 * As /proc's SigIgn mask: the signals between the classic ones and
 * SIGRTMIN, which the C library keeps for itself (sigaction() refuses them).
 */
static unsigned long long libc_internal_signals(void)
{
	unsigned long long mask = 0;
	int sig;

	for (sig = 32; sig < SIGRTMIN; sig++) {
		assert_int_equal(sigaction(sig, NULL, NULL), -1);
		mask |= 1ULL << (sig - 1);
	}
	return mask;
}

/*
 * The daemon's state must not leak into a hook: a secret in its
 * environment, its signalfd's blocked signals, SIGPIPE ignored, fds without
 * O_CLOEXEC, its working directory, its process group. The hook is
 * /bin/sleep, looked at from outside through /proc: a shell would reset
 * some of this itself (dash clears its signal mask) and hide a leak.
 */
static void test_child_environment(void **state)
{
	static const int sigs[] = { SIGHUP, SIGINT, SIGTERM };
	const char *args[] = { "30" };
	unsigned long long blk, ign;
	char cwd[256], buf[256], *text, *p;
	sigset_t old_mask;
	struct notify *n;
	struct loop *l;
	struct dirent *d;
	unsigned int nfd = 0;
	int fd, sock, pgrp;
	size_t len;
	DIR *fds;
	pid_t pid;

	(void)state;
	assert_int_equal(sigprocmask(SIG_BLOCK, NULL, &old_mask), 0);
	assert_int_equal(loop_new(&l), 0);
	assert_int_equal(loop_signals(l, sigs, 3, NULL, NULL), 0);
	signal(SIGPIPE, SIG_IGN);
	assert_int_equal(setenv("MIPHA_SECRET", "hunter2", 1), 0);
	path_in_dir(buf, sizeof(buf), "leaked-fd");
	fd = open(buf, O_WRONLY | O_CREAT, 0600); /* no O_CLOEXEC */
	assert_true(fd >= 0);
	assert_int_equal(dup2(fd, 77), 77);
	close(fd);
	sock = socket(AF_UNIX, SOCK_DGRAM, 0);
	assert_true(sock >= 0);
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(dir), 0);

	n = new_notify(l, "/bin/sleep", 60000, 1);
	assert_int_equal(notify_run(n, args, 1), 0);
	pid = find_child(l);
	/* posix_spawn() returns once execve() is past its point of no
	 * return; the new image is still being built and the dynamic loader
	 * still opening libraries. Asleep, it is sleep(1) proper. */
	wait_asleep(l, pid);

	text = proc_read(pid, "cmdline", &len);
	assert_int_equal(len, sizeof("/bin/sleep\0"
				     "30"));
	assert_memory_equal(text,
			    "/bin/sleep\0"
			    "30",
			    len);
	free(text);
	text = proc_read(pid, "environ", &len);
	assert_int_equal(len, sizeof(NOTIFY_ENV_PATH));
	assert_memory_equal(text, NOTIFY_ENV_PATH, len);
	free(text);

	text = proc_read(pid, "status", NULL);
	p = strstr(text, "SigBlk:");
	assert_non_null(p);
	assert_int_equal(sscanf(p, "SigBlk: %llx SigIgn: %llx", &blk, &ign), 2);
	assert_int_equal(blk, 0);
	/* glibc's posix_spawn() leaves its own internal signals ignored;
	 * the ones a program can set are all at their default. */
	assert_int_equal(ign & ~libc_internal_signals(), 0);
	free(text);

	/* Exactly 0, 1, 2, all /dev/null. */
	snprintf(buf, sizeof(buf), "/proc/%d/fd", (int)pid);
	fds = opendir(buf);
	assert_non_null(fds);
	while ((d = readdir(fds))) {
		char what[32];

		if (d->d_name[0] == '.')
			continue;
		assert_true(atoi(d->d_name) <= 2);
		snprintf(what, sizeof(what), "fd/%d", atoi(d->d_name));
		assert_string_equal(proc_link(pid, what, buf, sizeof(buf)),
				    "/dev/null");
		nfd++;
	}
	closedir(fds);
	assert_int_equal(nfd, 3);

	assert_string_equal(proc_link(pid, "cwd", buf, sizeof(buf)), "/");
	text = proc_read(pid, "stat", NULL);
	p = strrchr(text, ')');
	assert_non_null(p);
	assert_int_equal(sscanf(p + 2, "%*c %*d %d", &pgrp), 1);
	assert_int_equal(pgrp, pid); /* its own process group */
	free(text);

	notify_free(n);
	assert_int_equal(chdir(cwd), 0);
	close(sock);
	close(77);
	unsetenv("MIPHA_SECRET");
	signal(SIGPIPE, SIG_DFL);
	loop_free(l);
	assert_int_equal(sigprocmask(SIG_SETMASK, &old_mask, NULL), 0);
}

/*
 * The loop does not wait for a hook: round after round returns while the
 * hook (which sleeps 30 s, its deadline a minute away) still runs. Then
 * notify_free() with the hook running: it and its child are gone, reaped,
 * killed rather than waited for (the hook would say it ended on its own).
 */
static void test_free_running(void **state)
{
	struct notify_stats s;
	struct notify *n;
	struct loop *l;
	char path[256];
	pid_t hook, sleeper;
	siginfo_t si;
	unsigned int i;

	(void)state;
	write_script(path, sizeof(path), "busy.sh",
		     "echo $$ > %1$s/busy.pid\nsleep 30 &\n"
		     "echo $! > %1$s/busy-child.pid\nwait\n"
		     "echo done > %1$s/busy.done\n",
		     0755);
	assert_int_equal(loop_new(&l), 0);
	n = new_notify(l, path, HOOK_TIMEOUT_MS, 1);
	assert_int_equal(notify_run(n, NULL, 0), 0);
	sleeper = wait_pid_file(l, "busy-child.pid");
	hook = wait_pid_file(l, "busy.pid");
	for (i = 0; i < 10; i++) {
		tick(l);
		assert_false(dead(hook));
		assert_false(dead(sleeper));
		notify_get_stats(n, &s);
		assert_int_equal(s.running, 1);
		assert_int_equal(ended(&s), 0);
	}
	notify_free(n);
	assert_null(slurp("busy.done"));
	/* Not our child any more: reaped, no zombie left. */
	assert_int_equal(waitid(P_PID, (id_t)hook, &si, WEXITED | WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
	assert_true(dead(hook));
	wait_dead(sleeper);
	loop_free(l);
}

/* A hook that cannot run is a spawn error, now or when its turn comes. */
static void test_spawn_errors(void **state)
{
	char path[256], plain[256], gone[256];
	struct notify_stats s;
	struct notify *n;
	struct loop *l;

	(void)state;
	assert_int_equal(loop_new(&l), 0);
	path_in_dir(path, sizeof(path), "missing.sh");
	n = new_notify(l, path, 1000, 1);
	assert_int_equal(notify_run(n, NULL, 0), -ENOENT);
	notify_get_stats(n, &s);
	assert_int_equal(s.spawn_errors, 1);
	assert_int_equal(s.started, 0);
	assert_int_equal(s.running, 0);
	notify_free(n);

	write_script(plain, sizeof(plain), "plain.sh", "exit 0\n", 0644);
	n = new_notify(l, plain, 1000, 1);
	assert_int_equal(notify_run(n, NULL, 0), -EACCES);
	notify_free(n);

	/* Vanishes while a run waits for its turn. */
	write_script(gone, sizeof(gone), "gone.sh",
		     "echo $$ > %1$s/gone.pid\nsleep 0.2\n", 0755);
	n = new_notify(l, gone, HOOK_TIMEOUT_MS, 1);
	assert_int_equal(notify_run(n, NULL, 0), 0);
	assert_int_equal(notify_run(n, NULL, 0), 0);
	/* Once the first has read its script. */
	wait_pid_file(l, "gone.pid");
	assert_int_equal(unlink(gone), 0);
	wait_ended(l, n, 1);
	notify_get_stats(n, &s);
	assert_int_equal(s.started, 1);
	assert_int_equal(s.succeeded, 1);
	assert_int_equal(s.spawn_errors, 1);
	assert_int_equal(s.queued, 0);
	assert_int_equal(s.running, 0);
	notify_free(n);
	loop_free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_new_invalid, reap_all),
		cmocka_unit_test_teardown(test_args, reap_all),
		cmocka_unit_test_teardown(test_exit_status, reap_all),
		cmocka_unit_test_teardown(test_timeout_term, reap_all),
		cmocka_unit_test_teardown(test_timeout_kill, reap_all),
		cmocka_unit_test_teardown(test_timeout_straggler, reap_all),
		cmocka_unit_test_teardown(test_queue_limit, reap_all),
		cmocka_unit_test_teardown(test_max_running, reap_all),
		cmocka_unit_test_teardown(test_child_environment, reap_all),
		cmocka_unit_test_teardown(test_free_running, reap_all),
		cmocka_unit_test_teardown(test_spawn_errors, reap_all),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
