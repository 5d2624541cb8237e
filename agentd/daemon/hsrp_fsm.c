// SPDX-License-Identifier: GPL-2.0
/*
 * hsrp_fsm: RFC 2281 section 5's state table, one function per event; the
 * table's actions are the helpers below it:
 *	A start_active()   B start_standby()   C stop_active()
 *	D stop_standby()   E learn()           F send(HELLO)
 *	G send(COUP)       H send(RESIGN)
 * and the state number after a "/" is set_state().
 */
#include <string.h>

#include "hsrp_fsm.h"

uint32_t hsrp_fsm_hello_ms(const struct hsrp_fsm *f)
{
	if (f->p.hello_ms)
		return f->p.hello_ms;
	return f->learned_hello_ms ?: HSRP_HELLO_DEFAULT_MS;
}

uint32_t hsrp_fsm_hold_ms(const struct hsrp_fsm *f)
{
	if (f->p.hold_ms)
		return f->p.hold_ms;
	return f->learned_hold_ms ?: HSRP_HOLD_DEFAULT_MS;
}

/* A hold time as received is used only if it is one we could send. */
static bool hold_usable(uint32_t hold_ms)
{
	return hold_ms >= HSRP_HELLO_MIN_MS && hold_ms <= HSRP_HOLD_MAX_MS;
}

/* RFC 2281 5.1: priority, then the higher IP address. */
static bool higher_than_us(const struct hsrp_fsm *f, uint32_t prio,
			   struct in_addr addr)
{
	if (prio != f->p.priority)
		return prio > f->p.priority;
	return ntohl(addr.s_addr) > ntohl(f->p.addr.s_addr);
}

static void send_msg(struct hsrp_fsm *f, uint8_t opcode)
{
	switch (opcode) {
	case HSRP_OP_HELLO:
		f->stats.hellos_sent++;
		break;
	case HSRP_OP_COUP:
		f->stats.coups_sent++;
		break;
	case HSRP_OP_RESIGN:
		f->stats.resigns_sent++;
		break;
	}
	f->ops->send(f, opcode);
}

static void set_state(struct hsrp_fsm *f, uint8_t state, uint64_t now,
		      const char *reason)
{
	uint8_t old = f->state;

	if (old == state)
		return;
	f->state = state;
	f->prev_state = old;
	f->changed_ms = now;
	f->reason = reason;
	f->stats.state_changes++;
	if (state == HSRP_STATE_ACTIVE) {
		f->active = (struct hsrp_router){
			.known = true,
			.local = true,
			.addr = f->p.addr,
			.priority = f->p.priority,
		};
		f->preempt_timer = 0;
		f->sync_deadline = 0;
	} else if (old == HSRP_STATE_ACTIVE) {
		f->active.known = false;
		/* Another router holds the bindings now: a later preempt
		 * waits for a fresh download from it. */
		f->sync_done = false;
	}
	if (state == HSRP_STATE_STANDBY)
		f->standby = (struct hsrp_router){
			.known = true,
			.local = true,
			.addr = f->p.addr,
			.priority = f->p.priority,
		};
	else if (old == HSRP_STATE_STANDBY)
		f->standby.known = false;
	if (state == HSRP_STATE_INITIAL) {
		f->active.known = false;
		f->standby.known = false;
	}
	f->ops->state_change(f, old, reason);
	/* The others learn our new state from a hello, not the timer. */
	if (f->state == state &&
	    (state == HSRP_STATE_SPEAK || state == HSRP_STATE_STANDBY ||
	     state == HSRP_STATE_ACTIVE))
		send_msg(f, HSRP_OP_HELLO);
}

/* A: with the hold time of the active's hello, else ours. */
static void start_active(struct hsrp_fsm *f, uint64_t now, uint32_t hold_ms)
{
	f->active_timer = now + (hold_ms ?: hsrp_fsm_hold_ms(f));
}

/* B */
static void start_standby(struct hsrp_fsm *f, uint64_t now, uint32_t hold_ms)
{
	f->standby_timer = now + (hold_ms ?: hsrp_fsm_hold_ms(f));
}

/* C */
static void stop_active(struct hsrp_fsm *f)
{
	f->active_timer = 0;
	if (!f->active.local)
		f->active.known = false;
}

/* D */
static void stop_standby(struct hsrp_fsm *f)
{
	f->standby_timer = 0;
	if (!f->standby.local)
		f->standby.known = false;
}

/* A virtual IP worth learning: a unicast address not our own (the
 * active's message could name any address, and we would claim it). */
static bool vip_usable(const struct hsrp_fsm *f, struct in_addr a)
{
	uint32_t h = ntohl(a.s_addr);

	return h >> 24 != 0 && h >> 24 != 127 && h < 0xe0000000u &&
	       a.s_addr != f->p.addr.s_addr;
}

/* E: RFC 2281 5.2, from the active router's hello only. */
static void learn(struct hsrp_fsm *f, const struct hsrp_msg *m)
{
	if (m->vip.v4.s_addr) {
		if (!f->vip.s_addr && vip_usable(f, m->vip.v4))
			f->vip = m->vip.v4;
		else if (f->vip.s_addr != m->vip.v4.s_addr)
			f->stats.vip_mismatches++;
	}
	if (m->hello_ms >= HSRP_HELLO_MIN_MS && hold_usable(m->hold_ms) &&
	    m->hold_ms > m->hello_ms) {
		f->learned_hello_ms = m->hello_ms;
		f->learned_hold_ms = m->hold_ms;
	} else {
		f->stats.bad_times++;
	}
}

/* The hold time a hello asks us to believe it for, if usable. */
static uint32_t msg_hold(const struct hsrp_msg *m)
{
	return hold_usable(m->hold_ms) ? m->hold_ms : 0;
}

static void note_router(struct hsrp_router *r, const struct hsrp_msg *m,
			struct in_addr src, uint64_t expires)
{
	*r = (struct hsrp_router){
		.known = true,
		.addr = src,
		.priority = m->priority,
		.expires_ms = expires,
	};
}

static void become_active(struct hsrp_fsm *f, uint64_t now, const char *reason)
{
	stop_active(f);
	set_state(f, HSRP_STATE_ACTIVE, now, reason);
}

/*
 * Preempt the active router, which has a lower priority than ours, once
 * the delays allow it (IOS standby preempt delay minimum/reload/sync).
 * Until then the preempt timer says when to look again.
 */
static void try_preempt(struct hsrp_fsm *f, uint64_t now)
{
	if (!f->p.preempt || !f->active.known || f->active.local ||
	    higher_than_us(f, f->active.priority, f->active.addr))
		return;
	if (f->state != HSRP_STATE_LISTEN && f->state != HSRP_STATE_SPEAK &&
	    f->state != HSRP_STATE_STANDBY)
		return;
	if (now < f->no_preempt_before) {
		f->preempt_timer = f->no_preempt_before;
		return;
	}
	if (f->p.preempt_sync_ms && !f->sync_done) {
		if (!f->sync_deadline)
			f->sync_deadline = now + f->p.preempt_sync_ms;
		if (now < f->sync_deadline) {
			f->preempt_timer = f->sync_deadline;
			return;
		}
	}
	f->preempt_timer = 0;
	send_msg(f, HSRP_OP_COUP);
	start_standby(f, now, 0);
	become_active(f, now, "preempt");
}

/* ---- events ----------------------------------------------------------- */

void hsrp_fsm_init(struct hsrp_fsm *f, const struct hsrp_fsm_params *p,
		   const struct hsrp_fsm_ops *ops, void *data)
{
	memset(f, 0, sizeof(*f));
	f->p = *p;
	f->ops = ops;
	f->data = data;
	f->state = HSRP_STATE_INITIAL;
	f->prev_state = HSRP_STATE_INITIAL;
}

void hsrp_fsm_set_params(struct hsrp_fsm *f, const struct hsrp_fsm_params *p,
			 uint64_t now)
{
	uint32_t old_prio = f->p.priority;

	f->p = *p;
	if (f->p.vip.s_addr)
		f->vip = f->p.vip;
	if (f->active.local)
		f->active.priority = p->priority;
	if (f->standby.local)
		f->standby.priority = p->priority;
	if (!f->p.preempt)
		f->preempt_timer = 0;
	if (f->state == HSRP_STATE_INITIAL)
		return;
	if (p->priority != old_prio &&
	    (f->state == HSRP_STATE_SPEAK || f->state == HSRP_STATE_STANDBY ||
	     f->state == HSRP_STATE_ACTIVE))
		send_msg(f, HSRP_OP_HELLO);
	try_preempt(f, now);
}

/* a */
void hsrp_fsm_enable(struct hsrp_fsm *f, uint64_t now)
{
	uint32_t delay;

	if (f->state != HSRP_STATE_INITIAL)
		return;
	delay = !f->started && f->p.preempt_reload_ms ? f->p.preempt_reload_ms :
							f->p.preempt_min_ms;
	f->started = true;
	f->no_preempt_before = now + delay;
	f->sync_deadline = 0;
	f->sync_done = false;
	f->vip = f->p.vip;
	start_active(f, now, 0);
	start_standby(f, now, 0);
	f->hello_timer = now + hsrp_fsm_hello_ms(f);
	set_state(f, f->vip.s_addr ? HSRP_STATE_LISTEN : HSRP_STATE_LEARN, now,
		  "enabled");
}

/* b */
void hsrp_fsm_disable(struct hsrp_fsm *f, uint64_t now, const char *reason)
{
	if (f->state == HSRP_STATE_INITIAL)
		return;
	if (f->state == HSRP_STATE_ACTIVE)
		send_msg(f, HSRP_OP_RESIGN);
	stop_active(f);
	stop_standby(f);
	f->hello_timer = 0;
	f->preempt_timer = 0;
	f->sync_deadline = 0;
	set_state(f, HSRP_STATE_INITIAL, now, reason);
}

void hsrp_fsm_sync_done(struct hsrp_fsm *f, uint64_t now)
{
	f->sync_done = true;
	if (f->preempt_timer)
		try_preempt(f, now);
}

/* c */
static void active_expired(struct hsrp_fsm *f, uint64_t now)
{
	switch (f->state) {
	case HSRP_STATE_LISTEN:
		f->active.known = false;
		start_active(f, now, 0);
		start_standby(f, now, 0);
		set_state(f, HSRP_STATE_SPEAK, now, "active timer expired");
		break;
	case HSRP_STATE_SPEAK:
		stop_active(f);
		break;
	case HSRP_STATE_STANDBY:
		stop_standby(f);
		become_active(f, now, "active timer expired");
		break;
	default:
		f->active_timer = 0;
		break;
	}
}

/* d */
static void standby_expired(struct hsrp_fsm *f, uint64_t now)
{
	switch (f->state) {
	case HSRP_STATE_LISTEN:
		f->standby.known = false;
		start_standby(f, now, 0);
		set_state(f, HSRP_STATE_SPEAK, now, "standby timer expired");
		break;
	case HSRP_STATE_SPEAK:
		stop_standby(f);
		if (!f->active_timer) {
			/* No active router: the standby takes over. */
			become_active(f, now, "no active router");
			break;
		}
		set_state(f, HSRP_STATE_STANDBY, now, "standby timer expired");
		break;
	default:
		stop_standby(f);
		break;
	}
}

/* e */
static void hello_expired(struct hsrp_fsm *f, uint64_t now)
{
	f->hello_timer = now + hsrp_fsm_hello_ms(f);
	if (f->state == HSRP_STATE_SPEAK || f->state == HSRP_STATE_STANDBY ||
	    f->state == HSRP_STATE_ACTIVE)
		send_msg(f, HSRP_OP_HELLO);
}

void hsrp_fsm_run_timers(struct hsrp_fsm *f, uint64_t now)
{
	if (f->active_timer && f->active_timer <= now)
		active_expired(f, now);
	if (f->standby_timer && f->standby_timer <= now)
		standby_expired(f, now);
	if (f->preempt_timer && f->preempt_timer <= now) {
		f->preempt_timer = 0;
		try_preempt(f, now);
	}
	if (f->hello_timer && f->hello_timer <= now)
		hello_expired(f, now);
}

uint64_t hsrp_fsm_next_deadline(const struct hsrp_fsm *f)
{
	const uint64_t t[] = { f->active_timer, f->standby_timer,
			       f->hello_timer, f->preempt_timer };
	uint64_t next = 0;
	unsigned int i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (t[i] && (!next || t[i] < next))
			next = t[i];
	return next;
}

/* f: a higher priority router speaks: it, not we, will be standby. */
static void hello_speak_higher(struct hsrp_fsm *f, uint64_t now)
{
	if (f->state != HSRP_STATE_SPEAK && f->state != HSRP_STATE_STANDBY)
		return;
	start_standby(f, now, 0);
	set_state(f, HSRP_STATE_LISTEN, now, "higher priority speaker");
}

/* g and h: a hello from the active router. */
static void hello_active(struct hsrp_fsm *f, const struct hsrp_msg *m,
			 struct in_addr src, bool higher, uint64_t now)
{
	uint32_t hold = msg_hold(m);

	switch (f->state) {
	case HSRP_STATE_LEARN:
		learn(f, m);
		start_active(f, now, hold);
		note_router(&f->active, m, src, f->active_timer);
		start_standby(f, now, 0);
		if (f->vip.s_addr)
			set_state(f, HSRP_STATE_LISTEN, now,
				  "virtual IP learned");
		break;
	case HSRP_STATE_LISTEN:
	case HSRP_STATE_SPEAK:
	case HSRP_STATE_STANDBY:
		learn(f, m);
		start_active(f, now, hold);
		note_router(&f->active, m, src, f->active_timer);
		if (f->standby.known && !f->standby.local &&
		    f->standby.addr.s_addr == src.s_addr)
			f->standby.known = false; /* it moved up */
		if (!higher)
			try_preempt(f, now);
		break;
	case HSRP_STATE_ACTIVE:
		if (higher) {
			/* Two active routers: the lower one steps down. */
			start_active(f, now, hold);
			start_standby(f, now, 0);
			set_state(f, HSRP_STATE_SPEAK, now,
				  "higher priority active router");
			note_router(&f->active, m, src, f->active_timer);
		} else {
			send_msg(f, HSRP_OP_COUP);
		}
		break;
	}
}

/* k and l: a hello from the standby router. */
static void hello_standby(struct hsrp_fsm *f, const struct hsrp_msg *m,
			  struct in_addr src, bool higher, uint64_t now)
{
	uint32_t hold = msg_hold(m);

	switch (f->state) {
	case HSRP_STATE_LISTEN:
		start_standby(f, now, hold);
		note_router(&f->standby, m, src, f->standby_timer);
		if (!higher)
			set_state(f, HSRP_STATE_SPEAK, now,
				  "lower priority standby router");
		break;
	case HSRP_STATE_SPEAK:
		start_standby(f, now, hold);
		note_router(&f->standby, m, src, f->standby_timer);
		if (higher) {
			set_state(f, HSRP_STATE_LISTEN, now,
				  "higher priority standby router");
		} else {
			stop_standby(f);
			set_state(f, HSRP_STATE_STANDBY, now,
				  "lower priority standby router");
		}
		break;
	case HSRP_STATE_STANDBY:
		if (higher) {
			start_standby(f, now, hold);
			set_state(f, HSRP_STATE_LISTEN, now,
				  "higher priority standby router");
			note_router(&f->standby, m, src, f->standby_timer);
		}
		break;
	case HSRP_STATE_ACTIVE:
		start_standby(f, now, hold);
		note_router(&f->standby, m, src, f->standby_timer);
		break;
	}
}

/* i */
static void resign_active(struct hsrp_fsm *f, uint64_t now)
{
	switch (f->state) {
	case HSRP_STATE_LISTEN:
		f->active.known = false;
		start_active(f, now, 0);
		start_standby(f, now, 0);
		set_state(f, HSRP_STATE_SPEAK, now, "active router resigned");
		break;
	case HSRP_STATE_SPEAK:
		f->active.known = false;
		start_active(f, now, 0);
		break;
	case HSRP_STATE_STANDBY:
		become_active(f, now, "active router resigned");
		break;
	}
}

/* j */
static void coup_higher(struct hsrp_fsm *f, uint64_t now)
{
	if (f->state != HSRP_STATE_ACTIVE)
		return;
	start_active(f, now, 0);
	start_standby(f, now, 0);
	send_msg(f, HSRP_OP_RESIGN);
	set_state(f, HSRP_STATE_SPEAK, now, "coup from higher priority");
}

void hsrp_fsm_receive(struct hsrp_fsm *f, const struct hsrp_msg *m,
		      struct in_addr src, uint64_t now)
{
	bool higher;

	if (src.s_addr == f->p.addr.s_addr)
		return; /* our own, looped back */
	switch (m->opcode) {
	case HSRP_OP_HELLO:
		f->stats.hellos_received++;
		break;
	case HSRP_OP_COUP:
		f->stats.coups_received++;
		break;
	case HSRP_OP_RESIGN:
		f->stats.resigns_received++;
		break;
	default:
		return;
	}
	if (f->state == HSRP_STATE_INITIAL)
		return;
	higher = higher_than_us(f, m->priority, src);
	switch (m->opcode) {
	case HSRP_OP_HELLO:
		if (m->state == HSRP_STATE_ACTIVE)
			hello_active(f, m, src, higher, now);
		else if (m->state == HSRP_STATE_STANDBY)
			hello_standby(f, m, src, higher, now);
		else if (m->state == HSRP_STATE_SPEAK && higher)
			hello_speak_higher(f, now);
		break;
	case HSRP_OP_COUP:
		if (higher)
			coup_higher(f, now);
		break;
	case HSRP_OP_RESIGN:
		/* From the active router we know, or from one claiming to
		 * be active when we know none: never a third party's resign
		 * for the active it is not. */
		if (f->active.known && !f->active.local ?
			    f->active.addr.s_addr == src.s_addr :
			    m->state == HSRP_STATE_ACTIVE && !f->active.known)
			resign_active(f, now);
		break;
	}
}

void hsrp_fsm_fill_msg(const struct hsrp_fsm *f, uint8_t opcode,
		       struct hsrp_msg *m)
{
	memset(m, 0, sizeof(*m));
	m->version = f->p.version;
	m->opcode = opcode;
	m->state = f->state;
	m->group = f->p.group;
	m->priority = f->p.priority;
	m->hello_ms = hsrp_fsm_hello_ms(f);
	m->hold_ms = hsrp_fsm_hold_ms(f);
	m->ip_version = 4;
	m->vip.v4 = f->vip;
}
