/* SPDX-License-Identifier: GPL-2.0 */
/*
 * binding_table: the daemon's bindings, hashed by home address and by NAI,
 * holding at most one binding per home address and one per NAI. That rule
 * lives here, where bindings are stored, so that no path that adds a
 * binding (a registration, restart recovery, later a peer's update) can
 * give one node's address or identity to another.
 *
 * The table links the bindings; it does not own their memory (binding_store.c
 * allocates and frees them). Single-threaded, like the rest of the daemon.
 */
#ifndef MIPHA_BINDING_TABLE_H
#define MIPHA_BINDING_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#include "loop.h"
#include "replay.h"

struct binding_store;

/*
 * An AAA attribute of a binding: a type, a length and a value, as a RADIUS
 * client's Access-Accept gives them (none is produced yet). The daemon keeps
 * and syncs them as they are and never reads them; a takeover hands them on.
 */
#define BINDING_AAA_MAX	      16
#define BINDING_AAA_VALUE_MAX 253 /* a sync TLV's 255 less the type */
struct binding_aaa {
	uint16_t type;
	uint8_t len;
	const uint8_t *value;
};

/*
 * One mobile node's binding: the kernel's fields and what only we know. The
 * binding store's entry (its value type is struct binding_rec).
 */
struct reg_binding {
	struct reg_binding *next_addr; /* hash chain by home address */
	struct reg_binding *next_nai;  /* hash chain by NAI */
	struct binding_store *store;
	struct loop_timer timer; /* expiry */
	struct in_addr home_addr, coa, ha_addr, src;
	struct replay_state replay;
	uint64_t reg_time_ms; /* Unix ms of the registration */
	uint64_t expires_ms;  /* monotonic; 0: never */
	uint64_t version;     /* changes so far (or a peer's count) */
	uint32_t spi;
	uint32_t granted; /* seconds */
	uint32_t link;
	uint32_t kflags;
	uint32_t nai_hash; /* binding_hash_nai(nai): set by binding_table_insert */
	uint8_t req_flags;
	uint8_t replay_method;
	uint8_t encap;
	uint8_t nai_len; /* 0: the node's identity is its home address */
	uint8_t origin;	 /* enum binding_origin */
	bool stale;	 /* marked for a bulk download's sweep */
	uint8_t n_aaa;
	char *pool;	 /* pool the address came from, or NULL */
	uint8_t *nai;
	struct binding_aaa *aaa; /* n_aaa, their values after them */
};

struct binding_htab {
	struct reg_binding **b;
	size_t size; /* buckets, a power of two (0 before the first insert) */
	size_t n;
};

struct binding_table {
	struct binding_htab by_addr;
	struct binding_htab by_nai;
};

/*
 * Links b (home_addr, nai and nai_len set) into the table. 0; -EEXIST if
 * its home address or its NAI is bound already (nothing changes: the caller
 * decides which binding stays); -ENOMEM.
 */
int binding_table_insert(struct binding_table *t, struct reg_binding *b);
void binding_table_remove(struct binding_table *t, struct reg_binding *b);
struct reg_binding *binding_table_find_addr(const struct binding_table *t,
					    struct in_addr home);
struct reg_binding *binding_table_find_nai(const struct binding_table *t,
					   const uint8_t *nai, size_t len);
size_t binding_table_count(const struct binding_table *t);
/*
 * Walking the table: the chain of bucket i (by home address) for i below
 * binding_table_buckets(). A walker may remove the head it is given.
 */
size_t binding_table_buckets(const struct binding_table *t);
struct reg_binding *binding_table_bucket(const struct binding_table *t,
					 size_t i);
/* Frees the buckets (not the bindings); the table is empty after. */
void binding_table_destroy(struct binding_table *t);

/* The hashes, also the keys of the replay cache of nodes without one. */
size_t binding_hash_addr(struct in_addr a);
size_t binding_hash_nai(const uint8_t *nai, size_t len);

#endif /* MIPHA_BINDING_TABLE_H */
