// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of hsrp_fsm.c.
 *
 * First every event of RFC 2281 5.4 in every state of 5.3 (72 cases, one
 * table): the state after it and what was sent. Then groups of two and
 * three routers on a simulated LAN (every message a router sends reaches
 * the others within one 10 ms tick, unless the test cuts the router off):
 * election by priority and by address, a lone router, a third in Listen,
 * resign, a silent active, preempt with and without its delays, tracking,
 * learning times and the virtual IP.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include "hsrp_fsm.h"

#define ADDR(d) ((struct in_addr){ htonl(0x0a000000u | (d)) })
#define VIP	ADDR(1)

/* ---- one router, events by hand ---------------------------------------- */

struct probe {
	unsigned int sent[4]; /* by op code */
	unsigned int changes;
};

static void probe_send(struct hsrp_fsm *f, uint8_t opcode)
{
	struct probe *p = f->data;
	struct hsrp_msg m;
	uint8_t buf[128];

	/* Whatever we send must encode. */
	hsrp_fsm_fill_msg(f, opcode, &m);
	assert_true(hsrp_encode(buf, sizeof(buf), &m, NULL) > 0);
	p->sent[opcode]++;
}

static void probe_change(struct hsrp_fsm *f, uint8_t old, const char *why)
{
	struct probe *p = f->data;

	assert_int_not_equal(old, f->state);
	assert_non_null(why);
	p->changes++;
}

static const struct hsrp_fsm_ops probe_ops = {
	.send = probe_send,
	.state_change = probe_change,
};

static struct hsrp_fsm_params params(uint32_t prio, uint8_t addr)
{
	return (struct hsrp_fsm_params){
		.version = HSRP_V1,
		.group = 1,
		.vip = VIP,
		.addr = ADDR(addr),
		.hello_ms = 1000,
		.hold_ms = 3000,
		.priority = prio,
	};
}

enum ev {
	EV_A,
	EV_B,
	EV_C,
	EV_D,
	EV_E,
	EV_F,
	EV_G,
	EV_H,
	EV_I,
	EV_J,
	EV_K,
	EV_L,
	EV_N
};

#define T0 100000

/* Puts f in state s as the protocol would have left it at T0. */
static void put_in_state(struct hsrp_fsm *f, struct probe *p, uint8_t s)
{
	struct hsrp_fsm_params pp = params(100, 5);

	pp.preempt = true;
	if (s == HSRP_STATE_LEARN)
		pp.vip.s_addr = 0;
	hsrp_fsm_init(f, &pp, &probe_ops, p);
	if (s != HSRP_STATE_INITIAL) {
		hsrp_fsm_enable(f, T0 - 10);
		f->state = s;
		f->active_timer = T0 + 2000;
		f->standby_timer = T0 + 2000;
	}
	if (s == HSRP_STATE_ACTIVE) {
		f->active = (struct hsrp_router){ .known = true,
						  .local = true,
						  .addr = f->p.addr,
						  .priority = 100 };
		f->active_timer = 0;
	} else if (s != HSRP_STATE_INITIAL && s != HSRP_STATE_LEARN) {
		f->active = (struct hsrp_router){ .known = true,
						  .addr = ADDR(9),
						  .priority = 100 };
	}
	memset(p, 0, sizeof(*p));
}

static struct hsrp_msg msg(uint8_t opcode, uint8_t state, uint32_t prio)
{
	return (struct hsrp_msg){
		.version = HSRP_V1,
		.opcode = opcode,
		.state = state,
		.group = 1,
		.priority = prio,
		.hello_ms = 1000,
		.hold_ms = 3000,
		.ip_version = 4,
		.vip.v4 = VIP,
	};
}

static void apply(struct hsrp_fsm *f, enum ev e)
{
	struct hsrp_msg m;

	switch (e) {
	case EV_A:
		hsrp_fsm_enable(f, T0);
		return;
	case EV_B:
		hsrp_fsm_disable(f, T0, "test");
		return;
	case EV_C:
		if (f->active_timer)
			f->active_timer = T0;
		hsrp_fsm_run_timers(f, T0);
		return;
	case EV_D:
		if (f->standby_timer)
			f->standby_timer = T0;
		hsrp_fsm_run_timers(f, T0);
		return;
	case EV_E:
		if (f->hello_timer)
			f->hello_timer = T0;
		hsrp_fsm_run_timers(f, T0);
		return;
	case EV_F:
		m = msg(HSRP_OP_HELLO, HSRP_STATE_SPEAK, 200);
		break;
	case EV_G:
		m = msg(HSRP_OP_HELLO, HSRP_STATE_ACTIVE, 200);
		break;
	case EV_H:
		m = msg(HSRP_OP_HELLO, HSRP_STATE_ACTIVE, 50);
		break;
	case EV_I:
		m = msg(HSRP_OP_RESIGN, HSRP_STATE_ACTIVE, 100);
		break;
	case EV_J:
		m = msg(HSRP_OP_COUP, HSRP_STATE_SPEAK, 200);
		break;
	case EV_K:
		m = msg(HSRP_OP_HELLO, HSRP_STATE_STANDBY, 200);
		break;
	case EV_L:
		m = msg(HSRP_OP_HELLO, HSRP_STATE_STANDBY, 50);
		break;
	default:
		fail();
	}
	hsrp_fsm_receive(f, &m, ADDR(9), T0);
}

/* What one event does in one state. */
struct cell {
	uint8_t next;
	uint8_t hello, coup, resign; /* messages sent */
};

#define I  HSRP_STATE_INITIAL
#define LN HSRP_STATE_LEARN
#define LS HSRP_STATE_LISTEN
#define SP HSRP_STATE_SPEAK
#define SB HSRP_STATE_STANDBY
#define AC HSRP_STATE_ACTIVE
#define STAY(s)            \
	{                  \
		s, 0, 0, 0 \
	}
#define TO(s)              \
	{                  \
		s, 1, 0, 0 \
	} /* a state that speaks says hello at once */

/* Rows: events a-l; columns: Initial Learn Listen Speak Standby Active.
 * RFC 2281 5.5's table, with the hello sent on entering a speaking
 * state and the preempt of h (preempt on, no delay). */
static const struct cell table[EV_N][6] = {
	/* a */ { { LS, 0, 0, 0 },
		  STAY(LN),
		  STAY(LS),
		  STAY(SP),
		  STAY(SB),
		  STAY(AC) },
	/* b */ { STAY(I), STAY(I), STAY(I), STAY(I), STAY(I), { I, 0, 0, 1 } },
	/* c */ { STAY(I), STAY(LN), TO(SP), STAY(SP), TO(AC), STAY(AC) },
	/* d */ { STAY(I), STAY(LN), TO(SP), TO(SB), STAY(SB), STAY(AC) },
	/* e */
	{ STAY(I),
	  STAY(LN),
	  STAY(LS),
	  { SP, 1, 0, 0 },
	  { SB, 1, 0, 0 },
	  { AC, 1, 0, 0 } },
	/* f */ { STAY(I), STAY(LN), STAY(LS), STAY(LS), STAY(LS), STAY(AC) },
	/* g */ { STAY(I), STAY(LS), STAY(LS), STAY(SP), STAY(SB), TO(SP) },
	/* h */
	{ STAY(I),
	  STAY(LS),
	  { AC, 1, 1, 0 },
	  { AC, 1, 1, 0 },
	  { AC, 1, 1, 0 },
	  { AC, 0, 1, 0 } },
	/* i */ { STAY(I), STAY(LN), TO(SP), STAY(SP), TO(AC), STAY(AC) },
	/* j */
	{ STAY(I), STAY(LN), STAY(LS), STAY(SP), STAY(SB), { SP, 1, 0, 1 } },
	/* k */ { STAY(I), STAY(LN), STAY(LS), STAY(LS), STAY(LS), STAY(AC) },
	/* l */ { STAY(I), STAY(LN), TO(SP), TO(SB), STAY(SB), STAY(AC) },
};

static void test_every_event_in_every_state(void **state)
{
	static const char *const evname = "abcdefghijkl";
	unsigned int e, s;

	(void)state;
	for (e = 0; e < EV_N; e++) {
		for (s = 0; s < 6; s++) {
			const struct cell *c = &table[e][s];
			struct hsrp_fsm f;
			struct probe p;

			put_in_state(&f, &p, (uint8_t)s);
			apply(&f, (enum ev)e);
			if (f.state != c->next || p.sent[0] != c->hello ||
			    p.sent[1] != c->coup || p.sent[2] != c->resign)
				fail_msg("event %c in %s: now %s, sent "
					 "hello %u coup %u resign %u; want "
					 "%s, %u %u %u",
					 evname[e], hsrp_state_str((uint8_t)s),
					 hsrp_state_str(f.state), p.sent[0],
					 p.sent[1], p.sent[2],
					 hsrp_state_str(c->next), c->hello,
					 c->coup, c->resign);
			assert_int_equal(p.changes, c->next != s);
			if (c->next == I)
				assert_int_equal(hsrp_fsm_next_deadline(&f), 0);
			else
				assert_true(hsrp_fsm_next_deadline(&f) > 0);
		}
	}
}

/* Without preempt, a lower priority active is only believed. */
static void test_no_preempt_keeps_active(void **state)
{
	struct hsrp_fsm f;
	struct probe p;
	uint8_t s;

	(void)state;
	for (s = HSRP_STATE_LISTEN; s <= HSRP_STATE_STANDBY; s++) {
		put_in_state(&f, &p, s);
		f.p.preempt = false;
		apply(&f, EV_H);
		assert_int_equal(f.state, s);
		assert_int_equal(p.sent[HSRP_OP_COUP], 0);
		assert_true(f.active.known);
		assert_int_equal(f.active.priority, 50);
		assert_int_equal(f.active_timer, T0 + 3000);
	}
}

/* Our own messages, looped back, and messages in Initial change nothing;
 * unknown op codes are not counted as anything. */
static void test_ignored(void **state)
{
	struct hsrp_msg m = msg(HSRP_OP_HELLO, HSRP_STATE_ACTIVE, 200);
	struct hsrp_fsm f;
	struct probe p;

	(void)state;
	put_in_state(&f, &p, HSRP_STATE_STANDBY);
	hsrp_fsm_receive(&f, &m, ADDR(5), T0);
	assert_int_equal(f.stats.hellos_received, 0);
	assert_int_equal(f.state, HSRP_STATE_STANDBY);
	m.opcode = HSRP_OP_ADVERTISE;
	hsrp_fsm_receive(&f, &m, ADDR(9), T0);
	assert_int_equal(f.state, HSRP_STATE_STANDBY);
	put_in_state(&f, &p, HSRP_STATE_INITIAL);
	m.opcode = HSRP_OP_COUP;
	hsrp_fsm_receive(&f, &m, ADDR(9), T0);
	assert_int_equal(f.stats.coups_received, 1);
	assert_int_equal(f.state, HSRP_STATE_INITIAL);
	assert_int_equal(p.sent[0] + p.sent[1] + p.sent[2], 0);
}

/* Equal priority: the higher address is the higher router. */
static void test_tie_by_address(void **state)
{
	struct hsrp_msg m = msg(HSRP_OP_HELLO, HSRP_STATE_ACTIVE, 100);
	struct hsrp_fsm f;
	struct probe p;

	(void)state;
	put_in_state(&f, &p, HSRP_STATE_ACTIVE);
	hsrp_fsm_receive(&f, &m, ADDR(4), T0); /* lower address */
	assert_int_equal(f.state, HSRP_STATE_ACTIVE);
	assert_int_equal(p.sent[HSRP_OP_COUP], 1);
	hsrp_fsm_receive(&f, &m, ADDR(6), T0); /* higher address */
	assert_int_equal(f.state, HSRP_STATE_SPEAK);
}

/* ---- a LAN of routers -------------------------------------------------- */

#define MAXR 4
#define TICK 10

struct lan;

struct router {
	struct hsrp_fsm f;
	struct lan *lan;
	bool cut; /* what it sends is lost (killed, cable pulled) */
	char trail[256];
};

struct lan {
	struct router r[MAXR];
	unsigned int n;
	uint64_t now;
	struct {
		unsigned int from;
		struct hsrp_msg m;
	} q[64];
	unsigned int nq;
};

static void lan_send(struct hsrp_fsm *f, uint8_t opcode)
{
	struct router *r = f->data;
	struct lan *lan = r->lan;
	uint8_t buf[128];
	ssize_t len;

	if (r->cut)
		return;
	assert_true(lan->nq < 64);
	hsrp_fsm_fill_msg(f, opcode, &lan->q[lan->nq].m);
	/* Through the codec, as on the wire. */
	len = hsrp_encode(buf, sizeof(buf), &lan->q[lan->nq].m, NULL);
	assert_true(len > 0);
	assert_int_equal(hsrp_decode(buf, (size_t)len, &lan->q[lan->nq].m), 0);
	lan->q[lan->nq++].from = (unsigned int)(r - lan->r);
}

static void lan_change(struct hsrp_fsm *f, uint8_t old, const char *why)
{
	struct router *r = f->data;
	size_t len = strlen(r->trail);

	(void)old, (void)why;
	snprintf(r->trail + len, sizeof(r->trail) - len, "%s%s", len ? " " : "",
		 hsrp_state_str(f->state));
}

static const struct hsrp_fsm_ops lan_ops = {
	.send = lan_send,
	.state_change = lan_change,
};

static void lan_add(struct lan *lan, uint32_t prio, uint8_t addr, bool preempt)
{
	struct router *r = &lan->r[lan->n++];
	struct hsrp_fsm_params p = params(prio, addr);

	p.preempt = preempt;
	memset(r, 0, sizeof(*r));
	r->lan = lan;
	hsrp_fsm_init(&r->f, &p, &lan_ops, r);
	hsrp_fsm_enable(&r->f, lan->now);
}

static void lan_run(struct lan *lan, uint64_t ms)
{
	uint64_t end = lan->now + ms;
	unsigned int i, j;

	while (lan->now < end) {
		lan->now += TICK;
		for (j = 0; j < lan->nq; j++) {
			for (i = 0; i < lan->n; i++) {
				if (i == lan->q[j].from)
					continue;
				hsrp_fsm_receive(
					&lan->r[i].f, &lan->q[j].m,
					lan->r[lan->q[j].from].f.p.addr,
					lan->now);
			}
		}
		lan->nq = 0;
		for (i = 0; i < lan->n; i++)
			hsrp_fsm_run_timers(&lan->r[i].f, lan->now);
	}
}

static uint8_t st(struct lan *lan, unsigned int i)
{
	return lan->r[i].f.state;
}

static void test_lone_router_becomes_active(void **state)
{
	struct lan lan = { .now = 1000 };

	(void)state;
	lan_add(&lan, 100, 2, false);
	lan_run(&lan, 5900); /* two hold times less a bit */
	assert_int_not_equal(st(&lan, 0), HSRP_STATE_ACTIVE);
	lan_run(&lan, 200);
	assert_int_equal(st(&lan, 0), HSRP_STATE_ACTIVE);
	assert_string_equal(lan.r[0].trail, "listen speak active");
}

static void test_election_by_priority_and_address(void **state)
{
	struct lan lan = { .now = 1000 };

	(void)state;
	lan_add(&lan, 100, 9, false);
	lan_add(&lan, 110, 2, false);
	lan_add(&lan, 100, 3, false);
	lan_run(&lan, 20000);
	assert_int_equal(st(&lan, 1), HSRP_STATE_ACTIVE);
	assert_int_equal(st(&lan, 0), HSRP_STATE_STANDBY); /* 9 > 3 */
	assert_int_equal(st(&lan, 2), HSRP_STATE_LISTEN);
	/* Everyone agrees who is who. */
	assert_true(lan.r[2].f.active.known);
	assert_int_equal(lan.r[2].f.active.addr.s_addr, ADDR(2).s_addr);
	assert_int_equal(lan.r[2].f.standby.addr.s_addr, ADDR(9).s_addr);
	assert_int_equal(lan.r[1].f.standby.addr.s_addr, ADDR(9).s_addr);
}

static void settle_pair(struct lan *lan, bool preempt)
{
	lan_add(lan, 110, 2, preempt);
	lan_add(lan, 100, 3, preempt);
	lan_run(lan, 20000);
	assert_int_equal(st(lan, 0), HSRP_STATE_ACTIVE);
	assert_int_equal(st(lan, 1), HSRP_STATE_STANDBY);
}

/* A resign: the standby takes over at once, not after the hold time. */
static void test_resign_gives_immediate_takeover(void **state)
{
	struct lan lan = { .now = 1000 };

	(void)state;
	settle_pair(&lan, false);
	hsrp_fsm_disable(&lan.r[0].f, lan.now, "shutdown");
	lan_run(&lan, TICK);
	assert_int_equal(st(&lan, 1), HSRP_STATE_ACTIVE);
	assert_int_equal(st(&lan, 0), HSRP_STATE_INITIAL);
}

/* A silent active: the standby takes over once the hold time passes. */
static void test_silent_active_times_out(void **state)
{
	struct lan lan = { .now = 1000 };
	uint64_t cut;

	(void)state;
	settle_pair(&lan, false);
	lan.r[0].cut = true;
	cut = lan.now;
	lan_run(&lan, 1900); /* the last hello may be a hello time old */
	assert_int_equal(st(&lan, 1), HSRP_STATE_STANDBY);
	while (st(&lan, 1) != HSRP_STATE_ACTIVE && lan.now < cut + 5000)
		lan_run(&lan, TICK);
	assert_int_equal(st(&lan, 1), HSRP_STATE_ACTIVE);
	assert_true(lan.now <= cut + 3000 + TICK);
	/* Restarted, without preempt, it is not active again. */
	hsrp_fsm_disable(&lan.r[0].f, lan.now, "killed");
	lan.r[0].cut = false;
	hsrp_fsm_enable(&lan.r[0].f, lan.now);
	lan_run(&lan, 20000);
	assert_int_equal(st(&lan, 0), HSRP_STATE_STANDBY);
	assert_int_equal(st(&lan, 1), HSRP_STATE_ACTIVE);
	assert_int_not_equal(st(&lan, 0), HSRP_STATE_ACTIVE);
}

/* A partition healed: two active routers; the higher one stays. */
static void test_partition_heals_to_one_active(void **state)
{
	struct lan lan = { .now = 1000 };

	(void)state;
	settle_pair(&lan, false);
	lan.r[0].cut = true;
	lan_run(&lan, 5000);
	assert_int_equal(st(&lan, 1), HSRP_STATE_ACTIVE);
	assert_int_equal(st(&lan, 0), HSRP_STATE_ACTIVE);
	lan.r[0].cut = false;
	lan_run(&lan, 20000);
	assert_int_equal(st(&lan, 0), HSRP_STATE_ACTIVE);
	assert_int_equal(st(&lan, 1), HSRP_STATE_STANDBY);
}

/* A higher priority router joining later takes over only with preempt. */
static void join_higher(bool preempt, uint32_t min_ms, uint64_t *took)
{
	struct lan lan = { .now = 1000 };
	struct hsrp_fsm_params p;
	uint64_t joined;

	lan_add(&lan, 100, 3, false);
	lan_run(&lan, 10000);
	assert_int_equal(st(&lan, 0), HSRP_STATE_ACTIVE);
	joined = lan.now;
	lan_add(&lan, 150, 2, preempt);
	p = lan.r[1].f.p;
	p.preempt_min_ms = min_ms;
	lan.r[1].f.no_preempt_before = joined + min_ms;
	hsrp_fsm_set_params(&lan.r[1].f, &p, lan.now);
	*took = 0;
	while (lan.now < joined + 30000) {
		lan_run(&lan, TICK);
		if (!*took && st(&lan, 1) == HSRP_STATE_ACTIVE)
			*took = lan.now - joined;
	}
	if (preempt) {
		assert_int_equal(st(&lan, 1), HSRP_STATE_ACTIVE);
		assert_int_equal(st(&lan, 0), HSRP_STATE_STANDBY);
		assert_true(lan.r[1].f.stats.coups_sent >= 1);
		assert_true(lan.r[0].f.stats.resigns_sent >= 1);
	} else {
		assert_int_equal(st(&lan, 0), HSRP_STATE_ACTIVE);
		assert_int_equal(st(&lan, 1), HSRP_STATE_STANDBY);
		assert_int_equal(lan.r[1].f.stats.coups_sent, 0);
	}
}

static void test_preempt(void **state)
{
	uint64_t took;

	(void)state;
	join_higher(false, 0, &took);
	assert_int_equal(took, 0);
	join_higher(true, 0, &took);
	/* At the first hello of the active it hears. */
	assert_true(took > 0 && took <= 1000 + 2 * TICK);
	join_higher(true, 7000, &took);
	assert_true(took >= 7000 && took <= 7000 + 2 * TICK);
}

/* delay reload applies to the first enable only; minimum after that. */
static void test_preempt_delay_reload(void **state)
{
	struct hsrp_fsm_params p = params(100, 2);
	struct hsrp_fsm f;
	struct probe pr;

	(void)state;
	p.preempt = true;
	p.preempt_min_ms = 1000;
	p.preempt_reload_ms = 60000;
	hsrp_fsm_init(&f, &p, &probe_ops, &pr);
	hsrp_fsm_enable(&f, 5000);
	assert_int_equal(f.no_preempt_before, 65000);
	hsrp_fsm_disable(&f, 6000, "interface down");
	hsrp_fsm_enable(&f, 7000);
	assert_int_equal(f.no_preempt_before, 8000);
}

/* delay sync: the coup waits for the binding download, or the delay. */
static void sync_case(bool signal, uint64_t *took)
{
	struct lan lan = { .now = 1000 };
	struct hsrp_fsm_params p;
	uint64_t joined;

	lan_add(&lan, 100, 3, false);
	lan_run(&lan, 10000);
	joined = lan.now;
	lan_add(&lan, 150, 2, true);
	p = lan.r[1].f.p;
	p.preempt_sync_ms = 8000;
	hsrp_fsm_set_params(&lan.r[1].f, &p, lan.now);
	*took = 0;
	while (lan.now < joined + 20000) {
		lan_run(&lan, TICK);
		if (signal && lan.now == joined + 4000)
			hsrp_fsm_sync_done(&lan.r[1].f, lan.now);
		if (!*took && st(&lan, 1) == HSRP_STATE_ACTIVE)
			*took = lan.now - joined;
	}
	assert_int_equal(st(&lan, 1), HSRP_STATE_ACTIVE);
}

static void test_preempt_delay_sync(void **state)
{
	uint64_t took;

	(void)state;
	sync_case(true, &took);
	assert_true(took >= 4000 && took <= 4000 + 2 * TICK);
	/* No signal: the delay ends it (first hello + 8 s). */
	sync_case(false, &took);
	assert_true(took >= 8000 && took <= 9000 + 2 * TICK);
}

/* Tracking lowers the active's priority: a preempting standby takes
 * over; restored, the first takes it back (it preempts too). */
static void test_tracking_moves_active(void **state)
{
	struct lan lan = { .now = 1000 };
	struct hsrp_fsm_params p;

	(void)state;
	settle_pair(&lan, true);
	p = lan.r[0].f.p;
	p.priority = 90; /* 110 less a tracked interface's 20 */
	hsrp_fsm_set_params(&lan.r[0].f, &p, lan.now);
	lan_run(&lan, 100);
	assert_int_equal(st(&lan, 1), HSRP_STATE_ACTIVE);
	lan_run(&lan, 10000);
	assert_int_equal(st(&lan, 0), HSRP_STATE_STANDBY);
	p.priority = 110;
	hsrp_fsm_set_params(&lan.r[0].f, &p, lan.now);
	lan_run(&lan, 2000);
	assert_int_equal(st(&lan, 0), HSRP_STATE_ACTIVE);
	lan_run(&lan, 10000);
	assert_int_equal(st(&lan, 1), HSRP_STATE_STANDBY);
}

/* A router without a virtual IP or times learns them from the active. */
static void test_learns_vip_and_times(void **state)
{
	struct lan lan = { .now = 1000 };
	struct hsrp_fsm_params p = params(50, 7);

	(void)state;
	settle_pair(&lan, false);
	p.vip.s_addr = 0;
	p.hello_ms = 0;
	p.hold_ms = 0;
	lan.r[2].lan = &lan;
	hsrp_fsm_init(&lan.r[2].f, &p, &lan_ops, &lan.r[2]);
	lan.n = 3;
	hsrp_fsm_enable(&lan.r[2].f, lan.now);
	assert_int_equal(st(&lan, 2), HSRP_STATE_LEARN);
	lan_run(&lan, 1100);
	assert_int_equal(st(&lan, 2), HSRP_STATE_LISTEN);
	assert_int_equal(lan.r[2].f.vip.s_addr, VIP.s_addr);
	assert_int_equal(hsrp_fsm_hello_ms(&lan.r[2].f), 1000);
	assert_int_equal(hsrp_fsm_hold_ms(&lan.r[2].f), 3000);
}

/* Times we would never send are neither learned nor used for a timer. */
static void test_bad_times_ignored(void **state)
{
	struct hsrp_msg m = msg(HSRP_OP_HELLO, HSRP_STATE_ACTIVE, 200);
	struct hsrp_fsm f;
	struct probe p;

	(void)state;
	put_in_state(&f, &p, HSRP_STATE_LISTEN);
	f.p.hello_ms = 0;
	f.p.hold_ms = 0;
	m.hello_ms = 0;
	m.hold_ms = 0;
	hsrp_fsm_receive(&f, &m, ADDR(9), T0);
	assert_int_equal(f.stats.bad_times, 1);
	assert_int_equal(hsrp_fsm_hold_ms(&f), HSRP_HOLD_DEFAULT_MS);
	assert_int_equal(f.active_timer, T0 + HSRP_HOLD_DEFAULT_MS);
	m.hello_ms = 3000;
	m.hold_ms = 49 * 24 * 3600 * 1000u;
	hsrp_fsm_receive(&f, &m, ADDR(9), T0);
	assert_int_equal(f.stats.bad_times, 2);
	assert_int_equal(f.active_timer, T0 + HSRP_HOLD_DEFAULT_MS);
	/* A virtual IP no router may claim is not learned. */
	put_in_state(&f, &p, HSRP_STATE_LEARN);
	m.hello_ms = 1000;
	m.hold_ms = 3000;
	m.vip.v4.s_addr = htonl(0xe0000001u);
	hsrp_fsm_receive(&f, &m, ADDR(9), T0);
	assert_int_equal(f.vip.s_addr, 0);
	assert_int_equal(f.state, HSRP_STATE_LEARN);
	m.vip.v4 = ADDR(5); /* our own address */
	hsrp_fsm_receive(&f, &m, ADDR(9), T0);
	assert_int_equal(f.vip.s_addr, 0);
	put_in_state(&f, &p, HSRP_STATE_LISTEN);
	f.p.hello_ms = 0;
	f.p.hold_ms = 0;
	/* A virtual IP other than ours is counted, ours kept. */
	m.vip.v4 = ADDR(77);
	hsrp_fsm_receive(&f, &m, ADDR(9), T0);
	assert_int_equal(f.stats.vip_mismatches, 1);
	assert_int_equal(f.vip.s_addr, VIP.s_addr);
}

/* A resign counts only from the active router we know. */
static void test_resign_only_from_the_active(void **state)
{
	struct hsrp_msg m = msg(HSRP_OP_RESIGN, HSRP_STATE_ACTIVE, 100);
	struct hsrp_fsm f;
	struct probe p;

	(void)state;
	put_in_state(&f, &p, HSRP_STATE_STANDBY); /* active: 10.0.0.9 */
	hsrp_fsm_receive(&f, &m, ADDR(8), T0);
	assert_int_equal(f.state, HSRP_STATE_STANDBY);
	hsrp_fsm_receive(&f, &m, ADDR(9), T0);
	assert_int_equal(f.state, HSRP_STATE_ACTIVE);
}

/* Leaving Active forgets the download: the next preempt waits again. */
static void test_sync_done_forgotten_when_not_active(void **state)
{
	struct hsrp_msg hi = msg(HSRP_OP_HELLO, HSRP_STATE_ACTIVE, 200);
	struct hsrp_msg lo = msg(HSRP_OP_HELLO, HSRP_STATE_ACTIVE, 50);
	struct hsrp_fsm f;
	struct probe p;

	(void)state;
	put_in_state(&f, &p, HSRP_STATE_STANDBY);
	f.p.preempt_sync_ms = 10000;
	hsrp_fsm_receive(&f, &lo, ADDR(9), T0);
	assert_int_equal(f.state, HSRP_STATE_STANDBY); /* waits */
	hsrp_fsm_sync_done(&f, T0 + 1);
	assert_int_equal(f.state, HSRP_STATE_ACTIVE);
	hsrp_fsm_receive(&f, &hi, ADDR(9), T0 + 2); /* steps down */
	assert_int_equal(f.state, HSRP_STATE_SPEAK);
	assert_false(f.sync_done);
	f.state = HSRP_STATE_STANDBY;
	hsrp_fsm_receive(&f, &lo, ADDR(9), T0 + 3);
	assert_int_equal(f.state, HSRP_STATE_STANDBY); /* waits again */
	assert_int_equal(f.preempt_timer, T0 + 3 + 10000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_event_in_every_state),
		cmocka_unit_test(test_no_preempt_keeps_active),
		cmocka_unit_test(test_ignored),
		cmocka_unit_test(test_tie_by_address),
		cmocka_unit_test(test_lone_router_becomes_active),
		cmocka_unit_test(test_election_by_priority_and_address),
		cmocka_unit_test(test_resign_gives_immediate_takeover),
		cmocka_unit_test(test_silent_active_times_out),
		cmocka_unit_test(test_partition_heals_to_one_active),
		cmocka_unit_test(test_preempt),
		cmocka_unit_test(test_preempt_delay_reload),
		cmocka_unit_test(test_preempt_delay_sync),
		cmocka_unit_test(test_tracking_moves_active),
		cmocka_unit_test(test_learns_vip_and_times),
		cmocka_unit_test(test_bad_times_ignored),
		cmocka_unit_test(test_resign_only_from_the_active),
		cmocka_unit_test(test_sync_done_forgotten_when_not_active),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
