// SPDX-License-Identifier: GPL-2.0
/*
 * notify: hooks run by posix_spawn(), watched through pidfds (see notify.h
 * for what the child gets and why).
 *
 * A run is a job (its argv in one allocation) until it starts, then a child
 * that keeps the job for its log lines. The children of one hook are a
 * list; the jobs waiting for a slot a FIFO. The queue is drained whenever a
 * slot frees, so a job waits only while all max_running slots are taken.
 *
 * Signals go to a child's pid and to its process group only before it is
 * reaped: until then its pid (and so the group id, which is the same
 * number) cannot be given to another process, so a signal cannot hit a
 * stranger.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "log.h"
#include "notify.h"

/* How much of a run's arguments a log line shows. */
#define NOTIFY_LOG_ARGS 160

struct notify_job {
	struct notify_job *next;
	/* argv[0] is the hook's path, NULL-terminated; the strings follow. */
	char *argv[];
};

struct notify_child {
	struct notify *n;
	struct notify_child *prev, *next;
	struct notify_job *job;
	pid_t pid;
	bool terminating;	 /* past its deadline: SIGTERM sent */
	struct loop_io io;	 /* the pidfd: readable once the child exited */
	struct loop_timer timer; /* deadline, then the SIGKILL grace */
};

struct notify {
	struct loop *loop;
	char *path;
	uint32_t timeout_ms;
	unsigned int max_running;
	/* What every child gets; built once, posix_spawn() only reads them. */
	posix_spawnattr_t attr;
	posix_spawn_file_actions_t actions;

	struct notify_child *children;
	unsigned int running;
	struct notify_job *head, **tail;
	unsigned int queued;
	struct notify_stats stats; /* counters; the gauges are filled on read */
};

static char notify_env_path[] = NOTIFY_ENV_PATH;
static char *const notify_env[] = { notify_env_path, NULL };

static int pidfd_open(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

/* argv[1..] joined by spaces, cut short to fit buf, for a log line. */
static const char *job_args(const struct notify_job *j, char *buf, size_t len)
{
	size_t used = 0;
	char *const *a;

	buf[0] = '\0';
	for (a = &j->argv[1]; *a && used < len; a++) {
		int w = snprintf(buf + used, len - used, "%s%s",
				 used ? " " : "", *a);

		if (w < 0)
			break;
		used += (size_t)w;
	}
	if (used >= len && len > 4)
		memcpy(buf + len - 4, "...", 4);
	return buf;
}

static struct notify_job *job_new(const struct notify *n,
				  const char *const *args, size_t n_args)
{
	size_t i, size = sizeof(struct notify_job) +
			 (n_args + 2) * sizeof(char *);
	struct notify_job *j;
	char *p;

	for (i = 0; i < n_args; i++)
		size += strlen(args[i]) + 1;
	j = malloc(size);
	if (!j)
		return NULL;
	j->next = NULL;
	j->argv[0] = n->path;
	p = (char *)&j->argv[n_args + 2];
	for (i = 0; i < n_args; i++) {
		size_t l = strlen(args[i]) + 1;

		memcpy(p, args[i], l);
		j->argv[i + 1] = p;
		p += l;
	}
	j->argv[n_args + 1] = NULL;
	return j;
}

/*
 * Both the group (whatever the hook started) and the pid itself (in case
 * the hook moved to a group of its own). Only for a child not yet reaped.
 */
static void child_signal(const struct notify_child *c, int sig)
{
	kill(-c->pid, sig);
	kill(c->pid, sig);
}

/*
 * For a child that must go now (notify_free(), or one we cannot watch):
 * the wait blocks only on a process already sent SIGKILL.
 */
static void kill_and_reap(pid_t pid)
{
	siginfo_t si;

	kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
	while (waitid(P_PID, (id_t)pid, &si, WEXITED) < 0 && errno == EINTR)
		;
}

static void child_release(struct notify_child *c)
{
	struct notify *n = c->n;

	loop_io_del(n->loop, &c->io);
	close(c->io.fd);
	loop_timer_cancel(n->loop, &c->timer);
	if (c->prev)
		c->prev->next = c->next;
	else
		n->children = c->next;
	if (c->next)
		c->next->prev = c->prev;
	n->running--;
	free(c->job);
	free(c);
}

static void notify_drain(struct notify *n);

static void describe_exit(const siginfo_t *si, char *buf, size_t len)
{
	if (si->si_code == CLD_EXITED)
		snprintf(buf, len, "exit status %d", si->si_status);
	else
		snprintf(buf, len, "killed by signal %d (%s)", si->si_status,
			 strsignal(si->si_status));
}

static void child_exited(struct loop_io *io, uint32_t events)
{
	struct notify_child *c = io->data;
	struct notify *n = c->n;
	char args[NOTIFY_LOG_ARGS], how[64];
	siginfo_t si = { 0 };

	(void)events;
	/* Look first, so that a timed-out group can be killed while its id
	 * is still held by the zombie leader. */
	if (waitid(P_PID, (id_t)c->pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0) {
		int err = errno;

		if (err == EINTR)
			return;
		/* ECHILD: reaped behind our back (SIGCHLD set to SIG_IGN?) */
		n->stats.failed++;
		log_ratelimited(LOG_WARNING,
				"notify: %s (%s): pid %d reaped elsewhere: %s",
				n->path, job_args(c->job, args, sizeof(args)),
				(int)c->pid, strerror(err));
		goto release;
	}
	if (!si.si_pid)
		return; /* not exited after all */
	/* A hook that ended in time may leave helpers behind on purpose; one
	 * that was killed for its deadline may not. */
	if (c->terminating)
		kill(-c->pid, SIGKILL);
	waitid(P_PID, (id_t)c->pid, &si, WEXITED);

	describe_exit(&si, how, sizeof(how));
	if (c->terminating) {
		n->stats.timed_out++;
		log_ratelimited(LOG_WARNING,
				"notify: %s (%s): pid %d timed out (%u ms), %s",
				n->path, job_args(c->job, args, sizeof(args)),
				(int)c->pid, n->timeout_ms, how);
	} else if (si.si_code == CLD_EXITED && si.si_status == 0) {
		n->stats.succeeded++;
	} else {
		n->stats.failed++;
		log_ratelimited(LOG_WARNING,
				"notify: %s (%s): pid %d failed: %s", n->path,
				job_args(c->job, args, sizeof(args)),
				(int)c->pid, how);
	}
release:
	child_release(c);
	notify_drain(n);
}

/* The deadline: SIGTERM, then, NOTIFY_KILL_GRACE_MS later, SIGKILL. */
static void child_deadline(struct loop_timer *t)
{
	struct notify_child *c = t->data;

	if (c->terminating) {
		child_signal(c, SIGKILL);
		return;
	}
	c->terminating = true;
	child_signal(c, SIGTERM);
	/* The heap just gave this timer's slot back, so arming cannot fail
	 * for memory; if it does anyway, no grace. */
	if (loop_timer_arm(c->n->loop, &c->timer, NOTIFY_KILL_GRACE_MS))
		child_signal(c, SIGKILL);
}

/* Starts job; on success the child owns it. */
static int child_spawn(struct notify *n, struct notify_job *job)
{
	struct notify_child *c;
	pid_t pid;
	int fd, ret;

	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	ret = posix_spawn(&pid, n->path, &n->actions, &n->attr, job->argv,
			  notify_env);
	if (ret) {
		/* glibc reports exec's error here and reaps the child. */
		ret = -ret;
		goto err_free;
	}
	/* Not yet reaped, so the pid is still ours even if it exited. */
	fd = pidfd_open(pid);
	if (fd < 0) {
		ret = -errno;
		goto err_kill;
	}
	/* Never read, only polled: the pidfd need not be non-blocking. */
	ret = loop_io_add(n->loop, &c->io, fd, EPOLLIN, child_exited, c);
	if (ret)
		goto err_close;
	loop_timer_init(&c->timer, child_deadline, c);
	ret = loop_timer_arm(n->loop, &c->timer, n->timeout_ms);
	if (ret)
		goto err_del;

	c->n = n;
	c->job = job;
	c->pid = pid;
	c->next = n->children;
	if (c->next)
		c->next->prev = c;
	n->children = c;
	n->running++;
	n->stats.started++;
	return 0;

err_del:
	loop_io_del(n->loop, &c->io);
err_close:
	close(fd);
err_kill:
	kill_and_reap(pid);
err_free:
	free(c);
	return ret;
}

static int notify_start(struct notify *n, struct notify_job *job)
{
	char args[NOTIFY_LOG_ARGS];
	int ret;

	ret = child_spawn(n, job);
	if (!ret)
		return 0;
	n->stats.spawn_errors++;
	log_ratelimited(LOG_WARNING, "notify: %s (%s): cannot run: %s", n->path,
			job_args(job, args, sizeof(args)), strerror(-ret));
	free(job);
	return ret;
}

/* Start queued jobs while slots are free; a job that fails is dropped. */
static void notify_drain(struct notify *n)
{
	while (n->head && n->running < n->max_running) {
		struct notify_job *job = n->head;

		n->head = job->next;
		if (!n->head)
			n->tail = &n->head;
		n->queued--;
		notify_start(n, job);
	}
}

int notify_run(struct notify *n, const char *const *args, size_t n_args)
{
	struct notify_job *job;
	bool now = !n->head && n->running < n->max_running;
	size_t i;

	if (n_args && !args)
		return -EINVAL;
	for (i = 0; i < n_args; i++) {
		if (!args[i])
			return -EINVAL;
	}
	if (!now && n->queued >= NOTIFY_QUEUE_MAX) {
		n->stats.dropped++;
		log_ratelimited(LOG_WARNING,
				"notify: %s: %u runs waiting, newest dropped",
				n->path, n->queued);
		return -ENOBUFS;
	}
	job = job_new(n, args, n_args);
	if (!job)
		return -ENOMEM;
	if (now)
		return notify_start(n, job);
	*n->tail = job;
	n->tail = &job->next;
	n->queued++;
	return 0;
}

static int spawn_setup(struct notify *n)
{
	sigset_t none, all;
	int ret;

	sigemptyset(&none);
	sigfillset(&all);
	ret = posix_spawnattr_init(&n->attr);
	if (ret)
		return -ret;
	/* An empty mask and default actions: the daemon's blocked and
	 * ignored signals are its own business, not the hook's. */
	ret = posix_spawnattr_setflags(&n->attr, POSIX_SPAWN_SETSIGMASK |
							 POSIX_SPAWN_SETSIGDEF |
							 POSIX_SPAWN_SETPGROUP);
	if (!ret)
		ret = posix_spawnattr_setsigmask(&n->attr, &none);
	if (!ret)
		ret = posix_spawnattr_setsigdefault(&n->attr, &all);
	if (!ret)
		ret = posix_spawnattr_setpgroup(&n->attr, 0);
	if (ret)
		goto err_attr;

	ret = posix_spawn_file_actions_init(&n->actions);
	if (ret)
		goto err_attr;
	ret = posix_spawn_file_actions_addopen(&n->actions, 0, "/dev/null",
					       O_RDONLY, 0);
	if (!ret)
		ret = posix_spawn_file_actions_addopen(
			&n->actions, 1, "/dev/null", O_WRONLY, 0);
	if (!ret)
		ret = posix_spawn_file_actions_adddup2(&n->actions, 1, 2);
	/* The daemon's fds are O_CLOEXEC; this covers one that is not. */
	if (!ret)
		ret = posix_spawn_file_actions_addclosefrom_np(&n->actions, 3);
	/* Not the daemon's directory: a hook must not keep a mount busy. */
	if (!ret)
		ret = posix_spawn_file_actions_addchdir_np(&n->actions, "/");
	if (ret)
		goto err_actions;
	return 0;

err_actions:
	posix_spawn_file_actions_destroy(&n->actions);
err_attr:
	posix_spawnattr_destroy(&n->attr);
	return -ret;
}

int notify_new(struct notify **np, struct loop *l, const char *path,
	       uint32_t timeout_ms, unsigned int max_running)
{
	struct notify *n;
	int fd, ret;

	*np = NULL;
	if (!path || path[0] != '/' || !timeout_ms || !max_running)
		return -EINVAL;
	/* Refuse at configuration time, not at the first event. */
	fd = pidfd_open(getpid());
	if (fd < 0)
		return -errno;
	close(fd);

	n = calloc(1, sizeof(*n));
	if (!n)
		return -ENOMEM;
	n->path = strdup(path);
	if (!n->path) {
		ret = -ENOMEM;
		goto err_free;
	}
	ret = spawn_setup(n);
	if (ret)
		goto err_path;
	n->loop = l;
	n->timeout_ms = timeout_ms;
	n->max_running = max_running;
	n->tail = &n->head;
	*np = n;
	return 0;

err_path:
	free(n->path);
err_free:
	free(n);
	return ret;
}

void notify_free(struct notify *n)
{
	struct notify_job *job;

	if (!n)
		return;
	while (n->children) {
		kill_and_reap(n->children->pid);
		child_release(n->children);
	}
	while ((job = n->head)) {
		n->head = job->next;
		free(job);
	}
	posix_spawn_file_actions_destroy(&n->actions);
	posix_spawnattr_destroy(&n->attr);
	free(n->path);
	free(n);
}

void notify_get_stats(const struct notify *n, struct notify_stats *s)
{
	*s = n->stats;
	s->running = n->running;
	s->queued = n->queued;
}
