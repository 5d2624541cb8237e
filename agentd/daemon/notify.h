/* SPDX-License-Identifier: GPL-2.0 */
/*
 * notify: run an operator's hook (an executable) for an event, as
 * keepalived's notify scripts are run: no shell, a clean environment, a
 * deadline, and never a wait that blocks the event loop.
 *
 * One struct notify per configured hook. notify_run() queues one run with
 * its arguments; at most max_running runs are alive at once, the rest wait
 * in a FIFO and start in the order they were queued. A child is watched
 * through a pidfd registered with the loop (readable when it exits) and
 * reaped with waitid(WNOHANG) from there: there is no SIGCHLD handler, so
 * the daemon must leave SIGCHLD at its default (SIG_IGN would reap the
 * children behind our back) and no other part of it may wait for "any
 * child".
 *
 * The child: argv[0] the path, then the arguments as given (never seen by
 * a shell); environment exactly NOTIFY_ENV_PATH; stdin, stdout and stderr
 * /dev/null; no other file descriptor; every signal at its default action
 * and none blocked (the daemon blocks SIGHUP, SIGINT and SIGTERM for its
 * signalfd and ignores SIGPIPE; glibc's posix_spawn() still leaves its two
 * internal signals, 32 and 33, ignored, which only a C library's own
 * handlers use); working directory /; its own process group, so that a
 * timeout reaches whatever the hook started as well.
 *
 * Output goes to /dev/null rather than to the daemon's log: a chatty or
 * hostile hook can then neither flood the log nor stall on a pipe the
 * daemon would have to drain, and the daemon logs what it knows for sure
 * (a failure, a timeout, the exit status). A hook that wants to say more
 * calls logger(1).
 *
 * Timeout: a run still alive timeout_ms after it started gets SIGTERM (its
 * process group and itself), then SIGKILL after NOTIFY_KILL_GRACE_MS.
 *
 * Counters: every run notify_run() accepts ends as exactly one of started
 * (then succeeded, failed or timed_out once reaped) or spawn_errors; a run
 * it refuses because the queue is full is dropped. Runs cut short by
 * notify_free() are not counted.
 *
 * Single-threaded, like the loop.
 */
#ifndef MIPHA_NOTIFY_H
#define MIPHA_NOTIFY_H

#include <stddef.h>
#include <stdint.h>

#include "loop.h"

/* The child's whole environment. */
#define NOTIFY_ENV_PATH "PATH=/usr/sbin:/usr/bin:/sbin:/bin"
/* Runs waiting for a free slot, per hook. */
#define NOTIFY_QUEUE_MAX 64
/* From SIGTERM to SIGKILL for a run past its deadline. */
#define NOTIFY_KILL_GRACE_MS 1000

struct notify;

struct notify_stats {
	uint64_t started;      /* children spawned */
	uint64_t succeeded;    /* exited 0 */
	uint64_t failed;       /* non-zero exit, or killed by a signal */
	uint64_t timed_out;    /* still running at the deadline (then killed) */
	uint64_t dropped;      /* refused: queue full (-ENOBUFS) */
	uint64_t spawn_errors; /* could not be started (path gone, no memory) */
	uint32_t running;      /* children alive now */
	uint32_t queued;       /* runs waiting for a slot now */
};

/*
 * path: absolute path of the executable (the caller checked it when the
 * configuration was loaded; if it is gone by the time a run starts, that
 * run is a spawn error). timeout_ms > 0; max_running > 0. Returns 0,
 * -EINVAL, -ENOMEM, or -ENOSYS if the kernel has no pidfd_open() (< 5.3).
 */
int notify_new(struct notify **np, struct loop *l, const char *path,
	       uint32_t timeout_ms, unsigned int max_running);
/*
 * Kills the children still running (SIGKILL, to their process groups),
 * reaps them (this waits, but only for processes already sent SIGKILL),
 * and drops the queued runs.
 */
void notify_free(struct notify *n);
/*
 * Runs the hook with these arguments (copied): at once if fewer than
 * max_running runs are alive, else after those queued before it.
 * Returns 0; -ENOBUFS if NOTIFY_QUEUE_MAX runs are already waiting (this
 * one is dropped and counted: the newest is dropped, so the caller learns
 * which event its hook will not see, and every run already accepted still
 * happens in order); -EINVAL for a NULL argument; -ENOMEM; or, if the run
 * was to start at once and could not, the spawn's -errno (counted in
 * spawn_errors, e.g. -ENOENT if the executable vanished).
 */
int notify_run(struct notify *n, const char *const *args, size_t n_args);
void notify_get_stats(const struct notify *n, struct notify_stats *s);

#endif /* MIPHA_NOTIFY_H */
