/* src/tools/sandbox.h: the child-process sandbox: environment scrub, process group, timeout, capped output (issue 5, being written).
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_TOOLS_SANDBOX_H
#define HERMES_TOOLS_SANDBOX_H

#endif
