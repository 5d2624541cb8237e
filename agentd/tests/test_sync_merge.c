// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of sync_merge: the newer registration wins the same way on
 * both sides — by Identification for timestamps, by version and then node
 * id otherwise — and never by the home agents' clocks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "sync_merge.h"

static struct binding_rec rec(enum replay_method m, uint64_t id,
			      uint64_t version, uint64_t reg_time)
{
	struct binding_rec r;

	memset(&r, 0, sizeof(r));
	r.replay_method = (uint8_t)m;
	r.replay.seen = true;
	r.replay.last_id = id;
	r.version = version;
	r.reg_time_ms = reg_time;
	return r;
}

/* Both sides must reach the same verdict about the same two records. */
static void agree(const struct binding_rec *a, uint32_t a_by,
		  const struct binding_rec *b, uint32_t b_by,
		  enum sync_merge want_at_a)
{
	enum sync_merge at_b =
		want_at_a == SYNC_MERGE_THEIRS ? SYNC_MERGE_OURS :
		want_at_a == SYNC_MERGE_OURS   ? SYNC_MERGE_THEIRS :
						 SYNC_MERGE_SAME;

	assert_int_equal(sync_merge(a, a_by, b, b_by), want_at_a);
	assert_int_equal(sync_merge(b, b_by, a, a_by), at_b);
}

static void test_timestamps(void **state)
{
	/* The peer's registration carries the later Identification. */
	struct binding_rec ours = rec(REPLAY_TIMESTAMP, 1000, 9, 5000);
	struct binding_rec theirs = rec(REPLAY_TIMESTAMP, 1001, 2, 1000);

	(void)state;
	/* Its lower version and its home agent's slow clock do not matter. */
	agree(&ours, 1, &theirs, 2, SYNC_MERGE_THEIRS);
	theirs.replay.last_id = 999;
	agree(&ours, 1, &theirs, 2, SYNC_MERGE_OURS);
}

static void test_nonces(void **state)
{
	/* Nonce Identifications have no order: versions decide. */
	struct binding_rec ours =
		rec(REPLAY_NONCE, 0xffffffff00000000ULL, 5, 9000);
	struct binding_rec theirs = rec(REPLAY_NONCE, 1, 6, 1);

	(void)state;
	agree(&ours, 1, &theirs, 2, SYNC_MERGE_THEIRS);
	theirs.version = 4;
	agree(&ours, 1, &theirs, 2, SYNC_MERGE_OURS);
	/* A tie between two home agents: the higher node id, on both. */
	theirs.version = 5;
	agree(&ours, 1, &theirs, 2, SYNC_MERGE_THEIRS);
	agree(&ours, 7, &theirs, 2, SYNC_MERGE_OURS);
}

static void test_mixed_and_unseen(void **state)
{
	struct binding_rec ours = rec(REPLAY_TIMESTAMP, 5000, 3, 0);
	struct binding_rec theirs = rec(REPLAY_NONCE, 1, 4, 0);

	(void)state;
	/* One side's key moved to nonces: no common clock, versions. */
	agree(&ours, 1, &theirs, 2, SYNC_MERGE_THEIRS);
	/* A record that accepted nothing yet has no Identification. */
	theirs = rec(REPLAY_TIMESTAMP, 0, 2, 0);
	theirs.replay.seen = false;
	agree(&ours, 1, &theirs, 2, SYNC_MERGE_OURS);
}

static void test_same(void **state)
{
	struct binding_rec a = rec(REPLAY_TIMESTAMP, 77, 3, 10);
	struct binding_rec b = a;

	(void)state;
	/* A synced copy (same origin): nothing to do. */
	agree(&a, 4, &b, 4, SYNC_MERGE_SAME);
	/* The clock of the copy is never compared. */
	b.reg_time_ms = 99999;
	agree(&a, 4, &b, 4, SYNC_MERGE_SAME);
	/* One retransmitted request accepted by both: one wins, agreed. */
	agree(&a, 4, &b, 5, SYNC_MERGE_THEIRS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_timestamps),
		cmocka_unit_test(test_nonces),
		cmocka_unit_test(test_mixed_and_unseen),
		cmocka_unit_test(test_same),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
