// SPDX-License-Identifier: GPL-2.0
/*
 * miphactl kernel stats
 */
#include "ctl.h"

void stats_print(struct ctl *c, const struct kernel_stats *st)
{
	json_t *o = c->json ? json_object() : NULL;
	const char *name;
	int i;

	for (i = 1; i <= MIPHA_STATS_A_MAX; i++) {
		name = kernel_stats_name(i);
		if (!name || !(st->present & 1U << i))
			continue;
		if (o)
			json_object_set_new(o, name,
					    json_integer((json_int_t)st->v[i]));
		else
			fprintf(c->out, "%s %llu\n", name,
				(unsigned long long)st->v[i]);
	}
	if (o)
		ctl_json_print(c, o);
}

int do_stats(struct ctl *c, int argc, char **argv)
{
	struct kernel_stats st;
	int ret;

	if (argc)
		return ctl_fail(c, CTL_USAGE,
				"kernel stats: unknown word \"%s\"", argv[0]);
	if (c->dry_run)
		return CTL_OK;
	ret = ctl_kernel(c) ?: ctl_sync(c);
	if (ret)
		return ret;
	ret = kernel_stats_get(c->ks, &st);
	if (ret)
		return ctl_kernel_fail(c, "kernel stats", ret);
	stats_print(c, &st);
	return CTL_OK;
}
