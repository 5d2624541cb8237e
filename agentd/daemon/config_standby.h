/* SPDX-License-Identifier: GPL-2.0 */
/*
 * config_standby: standby "NAME" { ... }, one HSRP group each (IOS
 * "standby [GROUP] ..." interface commands, "standby name NAME"):
 *
 *	standby version {1|2}                  version = 1
 *	standby G ip A                         group = G  ip = A
 *	standby G priority P                   priority = P
 *	standby G preempt [delay minimum M     preempt = true
 *	    reload R sync S]                   preempt-delay-minimum = M ...
 *	standby G timers [msec] H [msec] D     timers = "[msec] H [msec] D"
 *	standby G authentication TEXT          authentication = TEXT
 *	standby G authentication md5           authentication-md5 = KEY
 *	    key-string KEY                      (or authentication-md5-key-file)
 *	standby G track IF DECREMENT           track = { "IF DECREMENT" }
 *	standby G follow NAME                  follow = NAME
 *	standby G mac-address MAC / use-bia    mac-address = MAC  use-bia
 *	(keepalived's notify)                  notify = /path/to/hook
 * with the interface as "interface = IF". home-agent { standby = NAME }
 * makes the group's virtual IP the home agent's address.
 */
#ifndef MIPHA_CONFIG_STANDBY_H
#define MIPHA_CONFIG_STANDBY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#include "config.h"
#include "hsrp_msg.h"

#define CONFIG_TRACK_DECREMENT_DEFAULT 10  /* IOS standby track */
#define CONFIG_STANDBY_PRIORITY	       100 /* IOS standby priority */

struct config_standby_track {
	char ifname[16];
	uint32_t decrement; /* from the priority while IF is down */
};

struct config_standby_group {
	int line;
	char *name;	    /* the section's title (IOS standby name) */
	char ifname[16];    /* the home LAN the group runs on */
	uint8_t version;    /* HSRP_V1 (default) or HSRP_V2 */
	uint16_t group;	    /* 0-255 (v1), 0-4095 (v2); default 0 */
	struct in_addr vip; /* 0.0.0.0: learned from the active */
	uint32_t priority;  /* 1-255, default 100 */
	bool preempt;
	uint32_t preempt_min_ms, preempt_reload_ms, preempt_sync_ms;
	uint32_t hello_ms, hold_ms;  /* 0: learned (RFC 2281 5.2) */
	bool has_md5;		     /* MD5 authentication, else text */
	uint8_t text[HSRP_TEXT_LEN]; /* "cisco" by default, NUL-padded */
	struct hsrp_md5_key md5;
	uint32_t md5_key_id;
	struct config_standby_track *tracks;
	size_t n_tracks;
	char *follow; /* NAME of the group whose state this one takes;
			   * NULL: none */
	bool use_bia; /* the interface's own MAC, no virtual MAC */
	bool has_mac; /* mac-address: a virtual MAC of our choice */
	uint8_t mac[6];
	char *notify; /* hook run on every state change; NULL */
};

struct config_standby {
	struct config_standby_group *groups; /* in configuration order */
	size_t n_groups;
};

/* The standby groups (never NULL; n_groups may be 0). */
const struct config_standby *config_standby(const struct config *c);
const struct config_standby_group *
config_standby_by_name(const struct config *c, const char *name);

/* Does the home agent's standby group (home-agent standby) run on the
 * interface ifname? Then HSRP owns its proxy ARP: on, with the group's
 * virtual MAC, only while the group is active here. */
bool config_standby_on_link(const struct config *c, const char *ifname);

#endif /* MIPHA_CONFIG_STANDBY_H */
