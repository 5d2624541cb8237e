/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hsrp_fsm: the state machine of one HSRP standby group, RFC 2281
 * section 5 (the same for version 2, whose messages carry the same
 * states, op codes and timers).
 *
 * Pure, as hsrp_msg: no socket, no clock, no allocation. Every entry point
 * takes the time (monotonic milliseconds); what the group does is told
 * through ops (send a message, the state changed), and when it next needs
 * to run is hsrp_fsm_next_deadline(). hsrp.c owns the sockets and the
 * timer; the unit test drives this with its own clock.
 *
 * The events and actions are RFC 2281 5.4 and 5.5:
 *	a  HSRP enabled (hsrp_fsm_enable)
 *	b  HSRP disabled, interface down, shutdown (hsrp_fsm_disable)
 *	c  Active timer expiry      d  Standby timer expiry
 *	e  Hello timer expiry       (hsrp_fsm_run_timers)
 *	f  Hello of higher priority from a router in Speak state
 *	g  Hello of higher priority from the active router
 *	h  Hello of lower priority from the active router
 *	i  Resign from the active router
 *	j  Coup from a higher priority router
 *	k  Hello of higher priority from the standby router
 *	l  Hello of lower priority from the standby router
 *	                            (hsrp_fsm_receive)
 * "Higher priority" is a higher priority, or an equal one from a higher
 * IP address (RFC 2281 5.1). Beyond the RFC's table, as IOS does:
 *  - preempt (the RFC's "preemption capability") waits for the delays of
 *    "standby preempt delay minimum M reload R sync S": no coup within M
 *    (R the first time the group comes up after the daemon started) of
 *    the group coming up, and then until the binding download from the
 *    active has finished (hsrp_fsm_sync_done) or S has passed;
 *  - a router in Speak whose standby timer expires with no active router
 *    known (its active timer expired and was stopped) becomes active
 *    rather than standby: a lone router otherwise never would;
 *  - a resign is acted on only from the active router we know (or, when
 *    we know none, from one claiming to be active);
 *  - a hello is sent at once on entering Speak, Standby or Active, and
 *    when the priority changes, so the others learn it without waiting
 *    for the hello timer.
 *
 * Hello and hold times not configured (0) are learned from the active
 * router's hellos (RFC 2281 5.2), else the defaults 3 s and 10 s; so is a
 * virtual IP not configured (the Learn state).
 *
 * The caller authenticates a message and checks its group, version and
 * address family before hsrp_fsm_receive(): what reaches the state machine
 * is genuine, for this group.
 */
#ifndef MIPHA_HSRP_FSM_H
#define MIPHA_HSRP_FSM_H

#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>

#include "hsrp_msg.h"

#define HSRP_HELLO_DEFAULT_MS 3000  /* RFC 2281 5.2 */
#define HSRP_HOLD_DEFAULT_MS  10000 /* RFC 2281 5.2 */
#define HSRP_PRIORITY_DEFAULT 100   /* IOS standby priority */
/* Learned or received times outside these are not used (a hold time of 0
 * would make every router active at once; days would freeze a failover). */
#define HSRP_HELLO_MIN_MS 20
#define HSRP_HOLD_MAX_MS  (255 * 1000)

/* What the configuration says; hsrp_fsm_set_params() changes it live. */
struct hsrp_fsm_params {
	uint8_t version;     /* HSRP_V1 or HSRP_V2 */
	uint16_t group;	     /* 0-255 (v1), 0-4095 (v2) */
	struct in_addr vip;  /* virtual IP; 0.0.0.0: learn it (Learn) */
	struct in_addr addr; /* our address on the interface: the tie
			      * break, and the sender we ignore as us */
	uint32_t hello_ms;   /* 0: learn from the active, else default */
	uint32_t hold_ms;    /* 0: learn from the active, else default */
	uint32_t priority;   /* effective: configured less tracking, 0-255
			      * (v1) or 0-2^32-1 (v2) */
	bool preempt;
	uint32_t preempt_min_ms;    /* delay minimum */
	uint32_t preempt_reload_ms; /* delay reload: minimum the first time
				     * the group comes up after start */
	uint32_t preempt_sync_ms;   /* delay sync: the most to wait for the
				     * binding download to finish */
};

/* The active or standby router as this router sees it. */
struct hsrp_router {
	bool known;
	bool local;	     /* it is us */
	struct in_addr addr; /* its interface address */
	uint32_t priority;
	uint64_t expires_ms; /* when we stop believing in it (its hold
			       * time); 0 when local */
};

struct hsrp_fsm;

struct hsrp_fsm_ops {
	/* Send a message of this op code now: the caller encodes
	 * hsrp_fsm_fill_msg() and multicasts it. */
	void (*send)(struct hsrp_fsm *f, uint8_t opcode);
	/* The state changed (f->state is the new one); reason is static
	 * text ("active timer expired", "preempt", ...). */
	void (*state_change)(struct hsrp_fsm *f, uint8_t old_state,
			     const char *reason);
};

struct hsrp_fsm_stats {
	uint64_t hellos_sent, coups_sent, resigns_sent;
	uint64_t hellos_received, coups_received, resigns_received;
	uint64_t state_changes;
	uint64_t vip_mismatches; /* hellos naming another virtual IP */
	uint64_t bad_times;	 /* hellos with times we would not use */
};

struct hsrp_fsm {
	struct hsrp_fsm_params p;
	const struct hsrp_fsm_ops *ops;
	void *data; /* the caller's */

	uint8_t state;	    /* enum hsrp_state */
	struct in_addr vip; /* configured or learned; 0 in Learn */
	uint32_t learned_hello_ms, learned_hold_ms; /* 0: none */

	/* Timers as deadlines (monotonic ms); 0: stopped. */
	uint64_t active_timer, standby_timer, hello_timer, preempt_timer;

	struct hsrp_router active, standby;

	bool started;		    /* enabled once since hsrp_fsm_init() */
	uint64_t no_preempt_before; /* delay minimum / reload */
	uint64_t sync_deadline;	    /* delay sync; 0: not waiting */
	bool sync_done;		    /* binding download finished */

	/* The last state change. */
	uint64_t changed_ms;
	uint8_t prev_state;
	const char *reason;

	struct hsrp_fsm_stats stats;
};

void hsrp_fsm_init(struct hsrp_fsm *f, const struct hsrp_fsm_params *p,
		   const struct hsrp_fsm_ops *ops, void *data);
/*
 * Reload, tracking: new parameters. Group, version and a configured
 * virtual IP are the caller's to keep (hsrp.c refuses a reload changing
 * them); priority, preempt and its delays, timers change here. A lower
 * priority is announced at once (the standby may preempt); a higher one
 * may preempt the active now.
 */
void hsrp_fsm_set_params(struct hsrp_fsm *f, const struct hsrp_fsm_params *p,
			 uint64_t now);

/* Event a: the interface is up and HSRP on it (Initial -> Learn/Listen). */
void hsrp_fsm_enable(struct hsrp_fsm *f, uint64_t now);
/* Event b: interface down, group removed, shutdown or resign by the
 * operator: a resign if active, then Initial. */
void hsrp_fsm_disable(struct hsrp_fsm *f, uint64_t now, const char *reason);
/* A genuine message of this group from src (events f-l). */
void hsrp_fsm_receive(struct hsrp_fsm *f, const struct hsrp_msg *m,
		      struct in_addr src, uint64_t now);
/* The binding download from the active finished: "delay sync" ends. */
void hsrp_fsm_sync_done(struct hsrp_fsm *f, uint64_t now);
/* Events c, d, e and the preempt delay, for every deadline <= now. */
void hsrp_fsm_run_timers(struct hsrp_fsm *f, uint64_t now);
/* The earliest running timer, or 0 if none (Initial). */
uint64_t hsrp_fsm_next_deadline(const struct hsrp_fsm *f);

/* What we send: a message of this op code with our state, priority,
 * times and virtual IP (authentication is the caller's). */
void hsrp_fsm_fill_msg(const struct hsrp_fsm *f, uint8_t opcode,
		       struct hsrp_msg *m);
/* The hello and hold times in use: configured, else learned, else the
 * defaults. */
uint32_t hsrp_fsm_hello_ms(const struct hsrp_fsm *f);
uint32_t hsrp_fsm_hold_ms(const struct hsrp_fsm *f);

#endif /* MIPHA_HSRP_FSM_H */
