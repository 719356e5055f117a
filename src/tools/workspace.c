/* src/tools/workspace.c: confining paths to the workspace (issue 5, being written).
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "tools/workspace.h"
