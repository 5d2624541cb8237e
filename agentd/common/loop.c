// SPDX-License-Identifier: GPL-2.0
/*
 * loop: epoll, a timer heap over one timerfd, signalfd.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>

#include "loop.h"

#define LOOP_EVENTS 64

struct loop {
	int epfd;
	bool stop;

	/* Events of the current epoll_wait(), for loop_io_del() to clear. */
	struct epoll_event events[LOOP_EVENTS];
	int nevents;
	int cur;

	/* Timers: min-heap on expires_ms. */
	struct loop_timer **heap;
	size_t nheap;
	size_t heap_size;
	struct loop_io timer_io;
	uint64_t timerfd_at; /* what the timerfd is set to; 0: disarmed */
	bool running;	     /* inside loop_timers_run() */
	uint64_t run_now;    /* its now */

	struct loop_io signal_io;
	loop_signal_cb signal_cb;
	void *signal_data;
};

uint64_t loop_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void timer_io_cb(struct loop_io *io, uint32_t events);

int loop_new(struct loop **lp)
{
	struct loop *l;
	int fd, ret;

	*lp = NULL;
	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0) {
		ret = -errno;
		goto err_free;
	}
	fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		goto err_epoll;
	}
	ret = loop_io_add(l, &l->timer_io, fd, EPOLLIN, timer_io_cb, l);
	if (ret) {
		close(fd);
		goto err_epoll;
	}
	l->signal_io.fd = -1;
	*lp = l;
	return 0;

err_epoll:
	close(l->epfd);
err_free:
	free(l);
	return ret;
}

void loop_free(struct loop *l)
{
	if (!l)
		return;
	close(l->timer_io.fd);
	if (l->signal_io.fd >= 0)
		close(l->signal_io.fd);
	close(l->epfd);
	free(l->heap);
	free(l);
}

int loop_io_add(struct loop *l, struct loop_io *io, int fd, uint32_t events,
		loop_io_cb cb, void *data)
{
	struct epoll_event ev = { .events = events, .data.ptr = io };

	io->fd = fd;
	io->events = events;
	io->cb = cb;
	io->data = data;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev))
		return -errno;
	return 0;
}

int loop_io_mod(struct loop *l, struct loop_io *io, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = io };

	if (io->events == events)
		return 0;
	if (epoll_ctl(l->epfd, EPOLL_CTL_MOD, io->fd, &ev))
		return -errno;
	io->events = events;
	return 0;
}

/*
 * The owner may free io as soon as this returns, so events already fetched
 * for it in this round must not be delivered.
 */
void loop_io_del(struct loop *l, struct loop_io *io)
{
	int i;

	epoll_ctl(l->epfd, EPOLL_CTL_DEL, io->fd, NULL);
	for (i = l->cur; i < l->nevents; i++) {
		if (l->events[i].data.ptr == io)
			l->events[i].data.ptr = NULL;
	}
}

/* ---- timers ----------------------------------------------------------- */

void loop_timer_init(struct loop_timer *t, loop_timer_cb cb, void *data)
{
	t->expires_ms = 0;
	t->heap_idx = SIZE_MAX;
	t->cb = cb;
	t->data = data;
}

static bool heap_less(const struct loop_timer *a, const struct loop_timer *b)
{
	return a->expires_ms < b->expires_ms;
}

static void heap_set(struct loop *l, size_t i, struct loop_timer *t)
{
	l->heap[i] = t;
	t->heap_idx = i;
}

static void heap_up(struct loop *l, size_t i)
{
	struct loop_timer *t = l->heap[i];

	while (i) {
		size_t parent = (i - 1) / 2;

		if (!heap_less(t, l->heap[parent]))
			break;
		heap_set(l, i, l->heap[parent]);
		i = parent;
	}
	heap_set(l, i, t);
}

static void heap_down(struct loop *l, size_t i)
{
	struct loop_timer *t = l->heap[i];

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= l->nheap)
			break;
		if (c + 1 < l->nheap && heap_less(l->heap[c + 1], l->heap[c]))
			c++;
		if (!heap_less(l->heap[c], t))
			break;
		heap_set(l, i, l->heap[c]);
		i = c;
	}
	heap_set(l, i, t);
}

static void heap_remove(struct loop *l, struct loop_timer *t)
{
	size_t i = t->heap_idx;
	struct loop_timer *last = l->heap[--l->nheap];

	t->heap_idx = SIZE_MAX;
	if (last == t)
		return;
	heap_set(l, i, last);
	if (i && heap_less(last, l->heap[(i - 1) / 2]))
		heap_up(l, i);
	else
		heap_down(l, i);
}

/* Point the timerfd at the earliest expiry (skipped inside a run). */
static void timerfd_update(struct loop *l)
{
	struct itimerspec its = { 0 };
	uint64_t at;

	if (l->running)
		return;
	at = l->nheap ? l->heap[0]->expires_ms : 0;
	if (at == l->timerfd_at)
		return;
	if (at) {
		its.it_value.tv_sec = at / 1000;
		its.it_value.tv_nsec = (at % 1000) * 1000000;
	}
	/* Cannot fail with a valid fd and a normalised time. */
	timerfd_settime(l->timer_io.fd, TFD_TIMER_ABSTIME, &its, NULL);
	l->timerfd_at = at;
}

int loop_timer_arm_at(struct loop *l, struct loop_timer *t, uint64_t at_ms)
{
	/* 0 means "disarmed" to the timerfd; and see loop_timers_run(). */
	if (!at_ms)
		at_ms = 1;
	if (l->running && at_ms <= l->run_now)
		at_ms = l->run_now + 1;
	if (loop_timer_armed(t)) {
		uint64_t old = t->expires_ms;

		t->expires_ms = at_ms;
		if (at_ms < old)
			heap_up(l, t->heap_idx);
		else
			heap_down(l, t->heap_idx);
		timerfd_update(l);
		return 0;
	}
	if (l->nheap == l->heap_size) {
		size_t n = l->heap_size ? l->heap_size * 2 : 64;
		struct loop_timer **h = realloc(l->heap, n * sizeof(*h));

		if (!h)
			return -ENOMEM;
		l->heap = h;
		l->heap_size = n;
	}
	t->expires_ms = at_ms;
	heap_set(l, l->nheap++, t);
	heap_up(l, t->heap_idx);
	timerfd_update(l);
	return 0;
}

int loop_timer_arm(struct loop *l, struct loop_timer *t, uint64_t delay_ms)
{
	return loop_timer_arm_at(l, t, loop_now_ms() + delay_ms);
}

void loop_timer_cancel(struct loop *l, struct loop_timer *t)
{
	if (!loop_timer_armed(t))
		return;
	heap_remove(l, t);
	timerfd_update(l);
}

size_t loop_timer_count(const struct loop *l)
{
	return l->nheap;
}

uint64_t loop_timer_next(const struct loop *l)
{
	return l->nheap ? l->heap[0]->expires_ms : UINT64_MAX;
}

unsigned int loop_timers_run(struct loop *l, uint64_t now_ms)
{
	unsigned int n = 0;

	l->running = true;
	l->run_now = now_ms;
	while (l->nheap && l->heap[0]->expires_ms <= now_ms) {
		struct loop_timer *t = l->heap[0];

		heap_remove(l, t);
		n++;
		/* t may be re-armed or freed by its owner from here on. */
		t->cb(t);
	}
	l->running = false;
	timerfd_update(l);
	return n;
}

static void timer_io_cb(struct loop_io *io, uint32_t events)
{
	struct loop *l = io->data;
	uint64_t ticks;

	(void)events;
	/* Drain; -EAGAIN just means a spurious wakeup. */
	if (read(io->fd, &ticks, sizeof(ticks)) < 0 && errno != EAGAIN)
		return;
	/* The timerfd is one-shot: it fired, so it is disarmed now. */
	l->timerfd_at = 0;
	loop_timers_run(l, loop_now_ms());
}

/* ---- signals ---------------------------------------------------------- */

static void signal_io_cb(struct loop_io *io, uint32_t events)
{
	struct loop *l = io->data;
	struct signalfd_siginfo si;

	(void)events;
	while (read(io->fd, &si, sizeof(si)) == sizeof(si))
		l->signal_cb(l, (int)si.ssi_signo, l->signal_data);
}

int loop_signals(struct loop *l, const int *signals, unsigned int n,
		 loop_signal_cb cb, void *data)
{
	sigset_t set;
	unsigned int i;
	int fd, ret;

	if (l->signal_io.fd >= 0)
		return -EBUSY;
	sigemptyset(&set);
	for (i = 0; i < n; i++)
		sigaddset(&set, signals[i]);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return -errno;
	fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	l->signal_cb = cb;
	l->signal_data = data;
	ret = loop_io_add(l, &l->signal_io, fd, EPOLLIN, signal_io_cb, l);
	if (ret) {
		close(fd);
		l->signal_io.fd = -1;
	}
	return ret;
}

/* ---- dispatch --------------------------------------------------------- */

int loop_run_once(struct loop *l, int timeout_ms)
{
	int n;

	n = epoll_wait(l->epfd, l->events, LOOP_EVENTS, timeout_ms);
	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	l->nevents = n;
	for (l->cur = 0; l->cur < l->nevents;) {
		struct epoll_event *ev = &l->events[l->cur++];
		struct loop_io *io = ev->data.ptr;

		if (io)
			io->cb(io, ev->events);
	}
	l->nevents = 0;
	l->cur = 0;
	return 0;
}

int loop_run(struct loop *l)
{
	int ret = 0;

	l->stop = false;
	while (!l->stop && !ret)
		ret = loop_run_once(l, -1);
	return ret;
}

void loop_stop(struct loop *l)
{
	l->stop = true;
}
