/* src/tools/sandbox.c: the child-process sandbox: environment scrub, process group, timeout, capped output (issue 5, being written).
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "tools/sandbox.h"
