// SPDX-License-Identifier: GPL-2.0
/*
 * mn_node: one mobile node's registration state machine.
 *
 *	IDLE --start--> QUEUED --pacer--> WAIT --accepted--> BOUND
 *	                  ^                |  \--denied/timeout--> IDLE (done)
 *	                  |                +--timer: retransmit (backoff)
 *	                  +---renewal timer (renew_pct % of the lifetime)--BOUND
 *
 * A transaction is one request and its retransmissions. Each transmission
 * carries a new Identification (a retransmission with the old one would be
 * a replay once the first copy got through); a reply to any transmission of
 * the transaction ends it. Latency runs from the first transmission.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mn.h"

#define NODE_OF(t) \
	((struct mn_node *)((char *)(t)-offsetof(struct mn_node, timer)))

static void node_timer(struct loop_timer *t);

static uint32_t idx_of(const struct mn_ctx *c, const struct mn_node *n)
{
	return (uint32_t)(n - c->nodes);
}

static uint32_t run_us(const struct mn_ctx *c)
{
	return (uint32_t)(mn_now_us() - c->t0_us);
}

void mn_node_nai(const struct mn_ctx *c, uint32_t idx, char *buf, size_t size,
		 uint8_t *len)
{
	int n;

	*len = 0;
	if (!c->opts->nai_fmt)
		return;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	n = snprintf(buf, size, c->opts->nai_fmt, c->opts->nai_start + idx);
#pragma GCC diagnostic pop
	if (n > 0 && (size_t)n < size && n <= MN_NAI_MAX)
		*len = (uint8_t)n;
}

int mn_nodes_init(struct mn_ctx *c)
{
	const struct mn_opts *o = c->opts;
	uint32_t i;

	c->nodes = calloc(o->count, sizeof(*c->nodes));
	if (!c->nodes)
		return -ENOMEM;
	for (i = 0; i < o->count; i++) {
		struct mn_node *n = &c->nodes[i];

		loop_timer_init(&n->timer, node_timer, c);
		if (o->home_start.s_addr)
			n->home.s_addr = htonl(ntohl(o->home_start.s_addr) + i);
		n->next = UINT32_MAX;
		n->last_code = 255;
		n->sock = (uint8_t)(i % c->n_socks);
		/* Sequences start where a previous run of this program
		 * likely left off: NTP fractions of a fresh run must not go
		 * below those the HA saw a moment ago in the same second. */
		n->seq = (uint16_t)(mn_now_us() / 1000 & MN_SEQ_MASK);
	}
	c->q_head = c->q_tail = UINT32_MAX;
	return 0;
}

/* The Identification of the next transmission (see mn.h). */
static uint64_t next_id(struct mn_ctx *c, struct mn_node *n)
{
	const struct mn_opts *o = c->opts;
	uint64_t low, secs;

	n->seq = (n->seq + 1) & MN_SEQ_MASK;
	if (o->fixed_id)
		return o->id;
	low = (uint64_t)n->seq << MN_IDX_BITS | idx_of(c, n);
	if (o->replay == REPLAY_NONCE)
		return (uint64_t)n->ha_nonce << 32 | low;
	secs = (replay_ntp_now() >> 32) + (uint64_t)c->clock_offset_s;
	return (secs & 0xffffffffULL) << 32 | low;
}

static ssize_t build(struct mn_ctx *c, struct mn_node *n, uint8_t *buf,
		     size_t size)
{
	const struct mn_opts *o = c->opts;
	struct reg_request r;
	char nai[MN_NAI_MAX + 1];
	ssize_t len;

	memset(&r, 0, sizeof(r));
	r.flags = o->flags;
	if (!o->fa_mode)
		r.flags |= REG_F_D; /* we decapsulate ourselves */
	r.lifetime = n->txn == MN_TXN_DEREG ? 0 : o->lifetime;
	r.home_addr = n->home;
	r.ha_addr = o->ha_field;
	r.coa = o->coas[n->sock];
	if (n->txn == MN_TXN_DEREG && o->dereg_all)
		r.coa = n->home;
	r.id = next_id(c, n);
	mn_node_nai(c, idx_of(c, n), nai, sizeof(nai), &r.nai_len);
	r.nai = (const uint8_t *)nai;
	len = reg_request_build(buf, size, &r, &o->mn_ha,
				o->has_fa_ha ? &o->fa_ha : NULL);
	if (len < 0 || !o->malformed)
		return len;
	/* A skippable extension whose Length runs 40 bytes past the end:
	 * readable fixed part, broken extensions -> 134. */
	if ((size_t)len + 6 > size)
		return -ENOSPC;
	buf[len] = 200;
	buf[len + 1] = 44;
	memset(buf + len + 2, 0, 4);
	return len + 6;
}

static unsigned int backoff_ms(const struct mn_opts *o, unsigned int tries)
{
	uint64_t t = (uint64_t)o->timeout_ms << (tries > 1 ? tries - 1 : 0);

	return t > o->max_timeout_ms ? o->max_timeout_ms : (unsigned int)t;
}

/* One transmission of the current transaction. */
static int transmit(struct mn_ctx *c, struct mn_node *n)
{
	uint8_t buf[1024];
	ssize_t len;
	int ret;

	len = build(c, n, buf, sizeof(buf));
	if (len < 0) {
		fprintf(stderr, "mipha-mn: cannot build a request: %s\n",
			strerror((int)-len));
		return (int)len;
	}
	ret = mn_io_send(c, n->sock, buf, (size_t)len);
	if (ret == -EAGAIN)
		return ret;
	n->tries++;
	c->stats.transmissions++;
	if (ret)
		c->stats.send_errors++; /* as if lost: the timer resends */
	loop_timer_arm(c->loop, &n->timer, backoff_ms(c->opts, n->tries));
	return 0;
}

/* Called by the pacer: the first transmission of a queued transaction. */
int mn_node_send(struct mn_ctx *c, uint32_t idx)
{
	struct mn_node *n = &c->nodes[idx];
	uint32_t start = run_us(c);
	int ret;

	n->tries = 0;
	n->resyncs = 0;
	n->seq0 = (n->seq + 1) & MN_SEQ_MASK;
	ret = transmit(c, n);
	if (ret == -EAGAIN)
		return ret;
	if (ret)
		return ret;
	n->state = MN_S_WAIT;
	n->txn_start_us = start;
	c->inflight++;
	c->stats.sent[n->txn]++;
	if (!c->stats.first_send_us)
		c->stats.first_send_us = mn_now_us();
	return 0;
}

static void start_txn(struct mn_ctx *c, struct mn_node *n, enum mn_txn txn)
{
	n->txn = (uint8_t)txn;
	mn_io_enqueue(c, idx_of(c, n), false);
}

static void node_done(struct mn_ctx *c, struct mn_node *n)
{
	if (n->done)
		return;
	n->done = true;
	n->state = MN_S_IDLE;
	loop_timer_cancel(c->loop, &n->timer);
	if (c->unfinished && !--c->unfinished &&
	    (c->opts->action != MN_ACT_HOLD || c->finishing)) {
		c->stop = true;
		loop_stop(c->loop);
	}
}

void mn_nodes_start(struct mn_ctx *c)
{
	uint32_t i;

	c->unfinished = c->opts->count;
	for (i = 0; i < c->opts->count; i++)
		start_txn(c, &c->nodes[i],
			  c->opts->action == MN_ACT_DEREG ? MN_TXN_DEREG :
							    MN_TXN_REG);
	mn_io_pump(c);
}

/*
 * Hold mode's way out: every node that may have a binding deregisters;
 * transactions in flight are abandoned (a late reply finds no match).
 */
void mn_nodes_finish(struct mn_ctx *c)
{
	const struct mn_opts *o = c->opts;
	uint32_t i;

	if (c->finishing || !o->dereg_at_exit || o->action != MN_ACT_HOLD) {
		c->stop = true;
		loop_stop(c->loop);
		return;
	}
	c->finishing = true;
	c->q_head = c->q_tail = UINT32_MAX;
	c->inflight = 0;
	c->unfinished = 0;
	for (i = 0; i < o->count; i++) {
		struct mn_node *n = &c->nodes[i];
		bool maybe = n->state == MN_S_WAIT && n->txn != MN_TXN_DEREG;

		loop_timer_cancel(c->loop, &n->timer);
		n->state = MN_S_IDLE;
		n->next = UINT32_MAX;
		if ((n->registered || maybe) && n->home.s_addr) {
			n->done = false;
			c->unfinished++;
			start_txn(c, n, MN_TXN_DEREG);
		} else {
			n->done = true;
		}
	}
	if (!c->unfinished) {
		c->stop = true;
		loop_stop(c->loop);
		return;
	}
	mn_io_pump(c);
}

/* The transaction is over: code is the final reply code, -1 a timeout. */
static void txn_end(struct mn_ctx *c, struct mn_node *n, int code)
{
	const struct mn_opts *o = c->opts;
	enum mn_txn txn = n->txn;

	loop_timer_cancel(c->loop, &n->timer);
	n->state = MN_S_IDLE;
	if (c->inflight)
		c->inflight--;
	if (code < 0) {
		c->stats.timeouts[txn]++;
		n->ok = false;
		if (o->action == MN_ACT_HOLD && !c->finishing) {
			/* Keep trying, at the slowest pace. */
			loop_timer_arm(c->loop, &n->timer, o->max_timeout_ms);
		} else {
			node_done(c, n);
		}
		goto out;
	}
	mn_stats_latency(&c->stats, run_us(c) - n->txn_start_us);
	c->stats.by_code[code]++;
	c->stats.last_reply_us = mn_now_us();
	n->last_code = (uint8_t)code;
	if (!reg_code_accepted((uint8_t)code)) {
		c->stats.denied[txn]++;
		n->ok = false;
		node_done(c, n);
		goto out;
	}
	c->stats.accepted[txn]++;
	n->ok = true;
	if (txn == MN_TXN_DEREG) {
		n->registered = false;
		node_done(c, n);
		goto out;
	}
	n->registered = true;
	n->state = MN_S_BOUND;
	if (o->setup_tunnel && !n->in_tunnel)
		mn_tunnel_add_home(c, idx_of(c, n));
	if (o->action != MN_ACT_HOLD) {
		node_done(c, n);
		n->state = MN_S_BOUND;
	} else if (n->granted && n->granted != 0xffff) {
		loop_timer_arm(c->loop, &n->timer,
			       (uint64_t)n->granted * 10 * o->renew_pct);
	}
out:
	mn_io_pump(c);
}

static void node_timer(struct loop_timer *t)
{
	struct mn_ctx *c = t->data;
	struct mn_node *n = NODE_OF(t);

	switch (n->state) {
	case MN_S_WAIT:
		if (n->tries > c->opts->retries) {
			txn_end(c, n, -1);
			return;
		}
		c->stats.retransmissions++;
		if (transmit(c, n) == -EAGAIN)
			loop_timer_arm(c->loop, &n->timer, 1);
		return;
	case MN_S_BOUND:
		start_txn(c, n, MN_TXN_RENEW);
		mn_io_pump(c);
		return;
	case MN_S_IDLE:
		/* hold mode, after a timeout: a new attempt */
		if (!n->done && !c->finishing) {
			start_txn(c, n,
				  n->registered ? MN_TXN_RENEW : MN_TXN_REG);
			mn_io_pump(c);
		}
		return;
	}
}

static void verbose_line(struct mn_ctx *c, struct mn_node *n,
			 const struct reg_reply *rep, bool verified)
{
	char home[INET_ADDRSTRLEN], ha[INET_ADDRSTRLEN], nai[MN_NAI_MAX + 1];
	uint8_t nai_len;

	mn_node_nai(c, idx_of(c, n), nai, sizeof(nai), &nai_len);
	inet_ntop(AF_INET, &rep->home_addr, home, sizeof(home));
	inet_ntop(AF_INET, &rep->ha_addr, ha, sizeof(ha));
	fprintf(stderr,
		"mn %u%s%s home %s ha %s: %s %s (code %u%s) lifetime %u, %.3f ms\n",
		idx_of(c, n), nai_len ? " " : "", nai_len ? nai : "", home, ha,
		mn_txn_name(n->txn),
		reg_code_accepted(rep->code) ? "accepted" : "denied", rep->code,
		verified ? "" : ", reply not authenticated", rep->lifetime,
		(run_us(c) - n->txn_start_us) / 1000.0);
}

/* Which node a reply is for; NULL if none waits for it. */
static struct mn_node *match(struct mn_ctx *c, const struct reg_reply *rep)
{
	const struct mn_opts *o = c->opts;
	struct mn_node *n;
	uint32_t idx = o->fixed_id ? 0 : (uint32_t)(rep->id & MN_IDX_MASK);
	unsigned int seq = (unsigned int)(rep->id >> MN_IDX_BITS) & MN_SEQ_MASK;

	if (idx >= o->count)
		return NULL;
	n = &c->nodes[idx];
	if (n->state != MN_S_WAIT)
		return NULL;
	if (!o->fixed_id && ((seq - n->seq0) & MN_SEQ_MASK) >
				    ((n->seq - n->seq0) & MN_SEQ_MASK))
		return NULL;
	if (n->home.s_addr && rep->home_addr.s_addr != n->home.s_addr &&
	    rep->code != REG_CODE_POORLY_FORMED)
		return NULL;
	if (o->nai_fmt && rep->nai) {
		char nai[MN_NAI_MAX + 1];
		uint8_t len;

		mn_node_nai(c, idx, nai, sizeof(nai), &len);
		if (len != rep->nai_len || memcmp(nai, rep->nai, len))
			return NULL;
	}
	return n;
}

/* 133: adopt the HA's clock (timestamps) or nonce, and try again at once. */
static bool resync(struct mn_ctx *c, struct mn_node *n,
		   const struct reg_reply *rep)
{
	const struct mn_opts *o = c->opts;

	if (!o->resync || n->resyncs >= 2)
		return false;
	if (o->replay == REPLAY_TIMESTAMP)
		c->clock_offset_s = (int64_t)(rep->id >> 32) -
				    (int64_t)(replay_ntp_now() >> 32);
	n->resyncs++;
	c->stats.resyncs++;
	if (transmit(c, n) == -EAGAIN)
		loop_timer_arm(c->loop, &n->timer, 1);
	return true;
}

void mn_node_reply(struct mn_ctx *c, unsigned int sock, const uint8_t *buf,
		   size_t len, struct in_addr from)
{
	const struct mn_opts *o = c->opts;
	struct reg_reply rep;
	struct mn_node *n;
	bool verified;

	(void)sock;
	(void)from;
	if (reg_reply_parse(buf, len, &rep)) {
		c->stats.malformed++;
		return;
	}
	n = match(c, &rep);
	if (!n) {
		c->stats.unmatched++;
		return;
	}
	verified = rep.has_mn_ha &&
		   reg_auth_ext_verify(buf, &rep.mn_ha, &o->mn_ha);
	if (reg_code_accepted(rep.code) && !verified) {
		/* Never believe an acceptance we cannot authenticate. */
		c->stats.bad_auth++;
		return;
	}
	c->stats.replies++;
	if (o->verbose)
		verbose_line(c, n, &rep, verified);
	if (verified && o->replay == REPLAY_NONCE) {
		n->ha_nonce = (uint32_t)(rep.id >> 32);
		n->has_nonce = true;
	}
	if (rep.code == REG_CODE_ID_MISMATCH && verified && resync(c, n, &rep))
		return;
	if (!verified)
		c->stats.unverified++;
	if (reg_code_accepted(rep.code)) {
		if (!n->home.s_addr)
			n->home = rep.home_addr;
		n->granted = rep.lifetime;
	}
	txn_end(c, n, rep.code);
}
