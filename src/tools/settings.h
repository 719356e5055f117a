/* src/tools/settings.h: the tools' settings from the configuration.
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_TOOLS_SETTINGS_H
#define HERMES_TOOLS_SETTINGS_H

#include "tools/registry.h"

struct cfg;

/* Resolve tc from c: workspace (created 0700 if absent), skills dir,
 * enabled toolsets (unknown names are a config error naming them),
 * approvals mode (deny|off|ask), the never-passed secret names. Running
 * as a shared web user (privs_shared_web_user) without
 * security.allow_shared_user_exec, the terminal and code_execution
 * toolsets are left out and tc->exec_disabled says why. */
enum herr tool_config_init(struct tool_config *tc, const struct cfg *c, struct herror *err)
	__attribute__((warn_unused_result));
void tool_config_release(struct tool_config *tc);

/* A variable's value for tools: the process environment, else
 * $HERMES_HOME/.env (tc may be NULL: environment only). Borrowed or NULL. */
const char *tool_config_getenv(const struct tool_config *tc, const char *name);

#endif
