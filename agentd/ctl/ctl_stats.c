// SPDX-License-Identifier: GPL-2.0
/*
 * miphactl kernel stats
 * miphactl kernel config max-bindings N
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

int kconfig_parse_args(struct ctl *c, int argc, char **argv,
		       uint32_t *max_bindings)
{
	if (argc < 1)
		return ctl_fail(c, CTL_USAGE,
				"kernel config: max-bindings N expected");
	if (!ctl_matches(argv[0], "max-bindings"))
		return ctl_fail(c, CTL_USAGE,
				"kernel config: unknown word \"%.32s\"",
				argv[0]);
	if (argc < 2)
		return ctl_fail(c, CTL_USAGE,
				"kernel config max-bindings: N expected");
	if (!parse_u32(argv[1], max_bindings))
		return ctl_fail(
			c, CTL_USAGE,
			"kernel config max-bindings: invalid number \"%.32s\"",
			argv[1]);
	if (argc > 2)
		return ctl_fail(c, CTL_USAGE,
				"kernel config: unknown word \"%.32s\"",
				argv[2]);
	return CTL_OK;
}

/* The limit shows in "kernel stats" as max_bindings. */
int do_kernel_config(struct ctl *c, int argc, char **argv)
{
	uint32_t max_bindings;
	int ret;

	ret = kconfig_parse_args(c, argc, argv, &max_bindings);
	if (ret || c->dry_run)
		return ret;
	ret = ctl_kernel(c) ?: ctl_sync(c);
	if (ret)
		return ret;
	ret = kernel_config_set(c->ks, max_bindings);
	if (ret)
		return ctl_kernel_fail(c, "kernel config max-bindings", ret);
	return CTL_OK;
}
