/* src/tools/html_text.c: HTML to readable text with libxml2 (issue 5, being written).
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "tools/html_text.h"
