/* SPDX-License-Identifier: GPL-2.0 */
/*
 * loop: the daemon's one event loop. epoll over file descriptors, one
 * timerfd for every timer, one signalfd for the signals the daemon handles.
 *
 * File descriptors and timers are owned by the objects that use them: an
 * object embeds a struct loop_io or struct loop_timer and registers it. The
 * loop keeps only pointers, so an object must unregister (loop_io_del,
 * loop_timer_cancel) before it is freed; both are safe from inside any
 * callback, including the object's own.
 *
 * Timers are a binary min-heap ordered by expiry (CLOCK_MONOTONIC, ms), so
 * arming and cancelling cost O(log n) and 500k timers (one per binding) are
 * cheap; the timerfd is always set to the earliest expiry.
 */
#ifndef MIPHA_LOOP_H
#define MIPHA_LOOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <signal.h>

struct loop;
struct loop_io;
struct loop_timer;

typedef void (*loop_io_cb)(struct loop_io *io, uint32_t events);
typedef void (*loop_timer_cb)(struct loop_timer *t);
typedef void (*loop_signal_cb)(struct loop *l, int signo, void *data);

struct loop_io {
	int fd;
	uint32_t events; /* EPOLLIN, EPOLLOUT, ... as registered */
	loop_io_cb cb;
	void *data; /* for the owner; the loop does not touch it */
};

struct loop_timer {
	uint64_t expires_ms; /* monotonic; valid while armed */
	size_t heap_idx;     /* position in the heap; SIZE_MAX: not armed */
	loop_timer_cb cb;
	void *data; /* for the owner */
};

#define LOOP_MS_PER_S 1000ULL

int loop_new(struct loop **lp);
/* Closes the loop's own fds; the owners' fds and timers are theirs. */
void loop_free(struct loop *l);

/* Monotonic milliseconds, as timers use them. */
uint64_t loop_now_ms(void);

/* File descriptors (must be non-blocking). */
int loop_io_add(struct loop *l, struct loop_io *io, int fd, uint32_t events,
		loop_io_cb cb, void *data);
int loop_io_mod(struct loop *l, struct loop_io *io, uint32_t events);
void loop_io_del(struct loop *l, struct loop_io *io);

/* Timers. */
void loop_timer_init(struct loop_timer *t, loop_timer_cb cb, void *data);
static inline bool loop_timer_armed(const struct loop_timer *t)
{
	return t->heap_idx != SIZE_MAX;
}

/* (Re)arm to fire delay_ms from now, or at the monotonic time at_ms. */
int loop_timer_arm(struct loop *l, struct loop_timer *t, uint64_t delay_ms);
int loop_timer_arm_at(struct loop *l, struct loop_timer *t, uint64_t at_ms);
void loop_timer_cancel(struct loop *l, struct loop_timer *t);
size_t loop_timer_count(const struct loop *l);
/* Earliest expiry, or UINT64_MAX if no timer is armed. */
uint64_t loop_timer_next(const struct loop *l);
/*
 * Run the timers due at now_ms, earliest first; returns how many ran. A
 * timer armed by a callback for now or earlier runs in the next round,
 * never in this one, so a callback that re-arms itself with delay 0
 * cannot starve the loop. The loop calls this itself; it is exported for
 * tests, which pass their own clock.
 */
unsigned int loop_timers_run(struct loop *l, uint64_t now_ms);

/*
 * Handle these signals through the loop: they are blocked and read from a
 * signalfd. Call once, before other threads or children exist.
 */
int loop_signals(struct loop *l, const int *signals, unsigned int n,
		 loop_signal_cb cb, void *data);

/* Wait up to timeout_ms (-1: forever) and dispatch; 0 or negative errno. */
int loop_run_once(struct loop *l, int timeout_ms);
/* Dispatch until loop_stop(); 0, or negative errno if epoll failed. */
int loop_run(struct loop *l);
void loop_stop(struct loop *l);

#endif /* MIPHA_LOOP_H */
