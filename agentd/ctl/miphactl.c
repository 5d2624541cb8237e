// SPDX-License-Identifier: GPL-2.0
/*
 * miphactl: command-line tool for mipha. For now it talks straight to the
 * kernel module over generic netlink; see ctl.c for the commands.
 */
#include "ctl.h"

int main(int argc, char **argv)
{
	return ctl_main(argc, argv);
}
