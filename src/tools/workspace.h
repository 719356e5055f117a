/* src/tools/workspace.h: confining paths to the workspace (issue 5, being written).
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_TOOLS_WORKSPACE_H
#define HERMES_TOOLS_WORKSPACE_H

#endif
