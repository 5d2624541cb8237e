// SPDX-License-Identifier: GPL-2.0
/*
 * mipha: Mobile IPv4 home agent fast path.
 *
 * Module init and exit: a linear ladder, unwound in reverse.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <net/genetlink.h>
#include <uapi/linux/mipha.h>

#include "binding.h"
#include "coa.h"
#include "gro.h"
#include "link.h"
#include "netlink.h"
#include "netns.h"
#include "route.h"

static int __init mipha_init(void)
{
	int err;

	err = mipha_binding_cache_init();
	if (err)
		goto err_cache;
	err = mipha_coa_cache_init();
	if (err)
		goto err_coa_cache;
	err = mipha_gro_init();
	if (err)
		goto err_gro;
	err = mipha_netns_init();
	if (err)
		goto err_netns;
	err = mipha_link_notifier_init();
	if (err)
		goto err_notifier;
	err = mipha_route_notifier_init();
	if (err)
		goto err_route;
	err = mipha_nl_init();
	if (err)
		goto err_nl;
	pr_info("Mobile IPv4 home agent fast path, netlink family %s v%d\n",
		MIPHA_GENL_NAME, MIPHA_GENL_VERSION);
	return 0;

err_nl:
	mipha_route_notifier_exit();
err_route:
	mipha_link_notifier_exit();
err_notifier:
	mipha_netns_exit();
err_netns:
	mipha_gro_exit();
err_gro:
	mipha_coa_cache_exit();
err_coa_cache:
	mipha_binding_cache_exit();
err_cache:
	return err;
}

static void __exit mipha_exit(void)
{
	/* No new requests, and none in flight, once the family is gone. */
	mipha_nl_exit();
	mipha_route_notifier_exit();
	mipha_link_notifier_exit();
	mipha_netns_exit();
	mipha_gro_exit();
	mipha_coa_cache_exit();
	mipha_binding_cache_exit();
}

module_init(mipha_init);
module_exit(mipha_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Mobile IPv4 home agent fast path");
MODULE_AUTHOR("The mipha authors");
MODULE_ALIAS_GENL_FAMILY(MIPHA_GENL_NAME);
