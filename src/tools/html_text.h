/* src/tools/html_text.h: HTML to readable text with libxml2 (issue 5, being written).
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_TOOLS_HTML_TEXT_H
#define HERMES_TOOLS_HTML_TEXT_H

#endif
