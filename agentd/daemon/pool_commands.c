// SPDX-License-Identifier: GPL-2.0
/*
 * The pools' control-socket command: each pool's usage and its ranges'.
 */
#include <arpa/inet.h>
#include <jansson.h>

#include "socket_commands.h"
#include "ctlsock_server.h"
#include "pool.h"

static json_t *cmd_pool_show(void *data, const char *cmd, json_t *req,
			     struct ctlsock_stream *stream, const char **err)
{
	/* Reload replaces the pool set: read the daemon's current one. */
	struct pool_set *const *pools = data;
	json_t *arr = json_array();
	size_t i, r;

	(void)cmd, (void)req, (void)stream, (void)err;
	for (i = 0; arr && i < pool_set_count(*pools); i++) {
		struct pool_stats ps;
		json_t *p, *ranges = json_array();

		if (pool_get_stats(*pools, i, &ps))
			break;
		for (r = 0; r < ps.n_ranges; r++) {
			struct pool_range_stats rs;
			struct in_addr f, l;
			char fs[INET_ADDRSTRLEN], ls[INET_ADDRSTRLEN];

			if (pool_get_range_stats(*pools, i, r, &rs))
				break;
			f.s_addr = htonl(rs.range.first);
			l.s_addr = htonl(rs.range.last);
			inet_ntop(AF_INET, &f, fs, sizeof(fs));
			inet_ntop(AF_INET, &l, ls, sizeof(ls));
			json_array_append_new(
				ranges, json_pack("{s:s, s:s, s:i, s:I, s:I}",
						  "first", fs, "last", ls,
						  "priority", rs.priority,
						  "size", (json_int_t)rs.size,
						  "used", (json_int_t)rs.used));
		}
		p = json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:i, s:i, "
			      "s:b, s:o}",
			      "name", ps.name, "size", (json_int_t)ps.size,
			      "used", (json_int_t)ps.used, "peak",
			      (json_int_t)ps.peak, "allocs",
			      (json_int_t)ps.allocs, "releases",
			      (json_int_t)ps.releases, "exhausted",
			      (json_int_t)ps.exhausted, "threshold_low",
			      ps.threshold_low, "threshold_high",
			      ps.threshold_high, "above_high", ps.above_high,
			      "ranges", ranges);
		if (p && ps.group)
			json_object_set_new(p, "group", json_string(ps.group));
		json_array_append_new(arr, p);
	}
	return json_pack("{s:o}", "pools", arr);
}

static const struct ctlsock_command pool_commands[] = {
	{ "pool show", cmd_pool_show },
	{ NULL }
};

int pool_commands_register(struct ctlsock *c, struct pool_set **pools)
{
	return ctlsock_register(c, pool_commands, pools);
}
