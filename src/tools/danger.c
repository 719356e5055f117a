/* src/tools/danger.c: dangerous-command patterns and the approvals decision (issue 5, being written).
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "tools/danger.h"
