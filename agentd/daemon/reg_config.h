/* SPDX-License-Identifier: GPL-2.0 */
/*
 * reg_config: struct reg_env (what reg_decide() asks) answered from a
 * struct config. Home links are resolved to ifindexes when the
 * configuration is installed (reg_config_env()), not per request.
 */
#ifndef MIPHA_REG_CONFIG_H
#define MIPHA_REG_CONFIG_H

#include "config.h"
#include "reg.h"

struct reg_config_env {
	const struct config *cfg;
	uint32_t *ifindex; /* per cfg->links[i]; 0 if the link is missing */
};

/* Fill env from cfg; data must live as long as env is used. */
int reg_config_env(struct reg_env *env, struct reg_config_env *data,
		   const struct config *cfg);
void reg_config_env_free(struct reg_config_env *data);

#endif /* MIPHA_REG_CONFIG_H */
