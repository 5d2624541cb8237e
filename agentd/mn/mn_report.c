// SPDX-License-Identifier: GPL-2.0
/*
 * mn_report: mipha-mn's counters and its report, as text or JSON: accepted
 * and denied per kind of request, denials by reply code, latency
 * percentiles (nearest rank) over every transaction that got a reply, and
 * the rate of acceptances between the first request and the last reply.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "mn.h"
#include "sort.h"

uint64_t mn_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

const char *mn_txn_name(enum mn_txn t)
{
	static const char *const names[] = {
		[MN_TXN_REG] = "registration",
		[MN_TXN_RENEW] = "renewal",
		[MN_TXN_DEREG] = "deregistration",
	};

	return t < MN_TXN_MAX ? names[t] : "?";
}

/* Plural names, as keys of the JSON report. */
static const char *const txn_key[MN_TXN_MAX] = {
	[MN_TXN_REG] = "registrations",
	[MN_TXN_RENEW] = "renewals",
	[MN_TXN_DEREG] = "deregistrations",
};

void mn_stats_latency(struct mn_stats *s, uint32_t us)
{
	if (s->n_lat == s->lat_size) {
		size_t size = s->lat_size ? s->lat_size * 2 : 4096;
		uint32_t *p = realloc(s->lat_us, size * sizeof(*p));

		if (!p)
			return; /* the report covers fewer samples */
		s->lat_us = p;
		s->lat_size = size;
	}
	s->lat_us[s->n_lat++] = us;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

struct pcts {
	double p50, p90, p99, max; /* ms */
	size_t n;
};

/* Nearest-rank percentiles of a sorted copy. */
static void percentiles(const struct mn_stats *s, struct pcts *p)
{
	static const double q[] = { 0.50, 0.90, 0.99 };
	double *out[] = { &p->p50, &p->p90, &p->p99 };
	uint32_t *v;
	size_t i;

	memset(p, 0, sizeof(*p));
	if (!s->n_lat)
		return;
	v = malloc(s->n_lat * sizeof(*v));
	if (!v)
		return;
	memcpy(v, s->lat_us, s->n_lat * sizeof(*v));
	sort_array(v, s->n_lat, sizeof(*v), cmp_u32);
	for (i = 0; i < 3; i++) {
		size_t rank = (size_t)(q[i] * (double)s->n_lat + 0.999999);

		if (rank < 1)
			rank = 1;
		*out[i] = v[rank - 1] / 1000.0;
	}
	p->max = v[s->n_lat - 1] / 1000.0;
	p->n = s->n_lat;
	free(v);
}

static uint64_t total(const uint64_t *a)
{
	uint64_t t = 0;
	int i;

	for (i = 0; i < MN_TXN_MAX; i++)
		t += a[i];
	return t;
}

static double rate(const struct mn_stats *s, double *secs)
{
	*secs = 0;
	if (!s->first_send_us || s->last_reply_us <= s->first_send_us)
		return 0;
	*secs = (double)(s->last_reply_us - s->first_send_us) / 1e6;
	return (double)total(s->accepted) / *secs;
}

static const char *addr(struct in_addr a, char *buf)
{
	return inet_ntop(AF_INET, &a, buf, INET_ADDRSTRLEN);
}

static json_t *node_json(const struct mn_ctx *c, uint32_t i)
{
	const struct mn_node *n = &c->nodes[i];
	char a[INET_ADDRSTRLEN], nai[MN_NAI_MAX + 1];
	uint8_t len;
	json_t *o = json_object();

	mn_node_nai(c, i, nai, sizeof(nai), &len);
	json_object_set_new(o, "index", json_integer(i));
	if (len)
		json_object_set_new(o, "nai", json_stringn(nai, len));
	json_object_set_new(o, "home", json_string(addr(n->home, a)));
	json_object_set_new(o, "coa",
			    json_string(addr(c->opts->coas[n->sock], a)));
	if (n->last_code != 255)
		json_object_set_new(o, "code", json_integer(n->last_code));
	else
		json_object_set_new(o, "code", json_null());
	json_object_set_new(o, "lifetime", json_integer(n->granted));
	json_object_set_new(o, "registered", json_boolean(n->registered));
	return o;
}

static void report_json(const struct mn_ctx *c, FILE *f)
{
	const struct mn_stats *s = &c->stats;
	json_t *r = json_object(), *codes = json_object(), *lat, *list;
	char a[INET_ADDRSTRLEN], key[8];
	struct pcts p;
	double secs, rt = rate(s, &secs);
	int i;

	json_object_set_new(r, "nodes", json_integer(c->opts->count));
	json_object_set_new(r, "ha", json_string(addr(c->opts->ha, a)));
	json_object_set_new(r, "mode",
			    json_string(c->opts->fa_mode ? "foreign-agent" :
							   "co-located"));
	for (i = 0; i < MN_TXN_MAX; i++) {
		json_t *t = json_object();

		json_object_set_new(t, "sent", json_integer(s->sent[i]));
		json_object_set_new(t, "accepted",
				    json_integer(s->accepted[i]));
		json_object_set_new(t, "denied", json_integer(s->denied[i]));
		json_object_set_new(t, "timeouts",
				    json_integer(s->timeouts[i]));
		json_object_set_new(r, txn_key[i], t);
	}
	json_object_set_new(r, "accepted", json_integer(total(s->accepted)));
	json_object_set_new(r, "denied", json_integer(total(s->denied)));
	json_object_set_new(r, "timeouts", json_integer(total(s->timeouts)));
	for (i = 0; i < 256; i++) {
		if (!s->by_code[i])
			continue;
		snprintf(key, sizeof(key), "%d", i);
		json_object_set_new(codes, key, json_integer(s->by_code[i]));
	}
	json_object_set_new(r, "codes", codes);
	json_object_set_new(r, "transmissions", json_integer(s->transmissions));
	json_object_set_new(r, "retransmissions",
			    json_integer(s->retransmissions));
	json_object_set_new(r, "replies", json_integer(s->replies));
	json_object_set_new(r, "resyncs", json_integer(s->resyncs));
	json_object_set_new(r, "unverified", json_integer(s->unverified));
	json_object_set_new(r, "bad_auth", json_integer(s->bad_auth));
	json_object_set_new(r, "unmatched", json_integer(s->unmatched));
	json_object_set_new(r, "malformed", json_integer(s->malformed));
	json_object_set_new(r, "send_errors", json_integer(s->send_errors));
	percentiles(s, &p);
	lat = json_object();
	json_object_set_new(lat, "samples", json_integer((json_int_t)p.n));
	json_object_set_new(lat, "p50", json_real(p.p50));
	json_object_set_new(lat, "p90", json_real(p.p90));
	json_object_set_new(lat, "p99", json_real(p.p99));
	json_object_set_new(lat, "max", json_real(p.max));
	json_object_set_new(r, "latency_ms", lat);
	json_object_set_new(r, "seconds", json_real(secs));
	json_object_set_new(r, "accepted_per_s", json_real(rt));
	if (c->opts->list) {
		uint32_t n;

		list = json_array();
		for (n = 0; n < c->opts->count; n++)
			json_array_append_new(list, node_json(c, n));
		json_object_set_new(r, "list", list);
	}
	json_dumpf(r, f,
		   JSON_INDENT(2) | JSON_PRESERVE_ORDER |
			   JSON_REAL_PRECISION(6));
	fputc('\n', f);
	json_decref(r);
}

static void report_list(const struct mn_ctx *c, FILE *f)
{
	char h[INET_ADDRSTRLEN], co[INET_ADDRSTRLEN], nai[MN_NAI_MAX + 1];
	uint32_t i;
	uint8_t len;

	fprintf(f, "  %-7s %-24s %-15s %-15s %-5s %s\n", "node", "nai", "home",
		"care-of", "code", "lifetime");
	for (i = 0; i < c->opts->count; i++) {
		const struct mn_node *n = &c->nodes[i];
		char code[8] = "-";

		mn_node_nai(c, i, nai, sizeof(nai), &len);
		if (n->last_code != 255)
			snprintf(code, sizeof(code), "%u", n->last_code);
		fprintf(f, "  %-7u %-24s %-15s %-15s %-5s %u%s\n", i,
			len ? nai : "-", addr(n->home, h),
			addr(c->opts->coas[n->sock], co), code, n->granted,
			n->registered ? " registered" : "");
	}
}

void mn_report(const struct mn_ctx *c, FILE *f)
{
	const struct mn_stats *s = &c->stats;
	char a[INET_ADDRSTRLEN];
	struct pcts p;
	double secs, rt;
	int i;

	if (c->opts->json) {
		report_json(c, f);
		return;
	}
	rt = rate(s, &secs);
	fprintf(f, "mipha-mn: %u mobile node%s, home agent %s, %s\n",
		c->opts->count, c->opts->count == 1 ? "" : "s",
		addr(c->opts->ha, a),
		c->opts->fa_mode ? "behind an emulated foreign agent" :
				   "co-located care-of address");
	for (i = 0; i < MN_TXN_MAX; i++) {
		if (!s->sent[i])
			continue;
		fprintf(f,
			"  %-16s sent %llu, accepted %llu, denied %llu, no reply %llu\n",
			txn_key[i], (unsigned long long)s->sent[i],
			(unsigned long long)s->accepted[i],
			(unsigned long long)s->denied[i],
			(unsigned long long)s->timeouts[i]);
	}
	fprintf(f,
		"  transmissions %llu (retransmissions %llu), replies %llu, resyncs %llu\n",
		(unsigned long long)s->transmissions,
		(unsigned long long)s->retransmissions,
		(unsigned long long)s->replies, (unsigned long long)s->resyncs);
	for (i = 0; i < 256; i++) {
		if (s->by_code[i] && !reg_code_accepted((uint8_t)i))
			fprintf(f, "  denied %3d %s: %llu\n", i,
				reg_code_str((uint8_t)i),
				(unsigned long long)s->by_code[i]);
	}
	if (s->unverified || s->bad_auth || s->unmatched || s->malformed ||
	    s->send_errors)
		fprintf(f,
			"  denials not authenticated %llu, acceptances failing authentication %llu (ignored), unmatched replies %llu, malformed replies %llu, send errors %llu\n",
			(unsigned long long)s->unverified,
			(unsigned long long)s->bad_auth,
			(unsigned long long)s->unmatched,
			(unsigned long long)s->malformed,
			(unsigned long long)s->send_errors);
	percentiles(s, &p);
	if (p.n)
		fprintf(f,
			"  latency p50 %.3f ms, p90 %.3f ms, p99 %.3f ms, max %.3f ms (%zu replies)\n",
			p.p50, p.p90, p.p99, p.max, p.n);
	/* A rate means something for a burst, not for nodes that held. */
	if (secs > 0 && c->opts->action != MN_ACT_HOLD)
		fprintf(f, "  rate %.1f accepted/s over %.3f s\n", rt, secs);
	if (c->opts->list)
		report_list(c, f);
}
