/* src/tools/danger.h: dangerous-command patterns and the approvals decision (issue 5, being written).
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_TOOLS_DANGER_H
#define HERMES_TOOLS_DANGER_H

#endif
