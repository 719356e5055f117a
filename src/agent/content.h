/* src/agent/content.h: message content normalisation. Turns one message's
 * `content` (string, array of typed parts, or null) into what the agent
 * passes upstream: the same string, a joined string, or the canonical
 * multimodal list [{type:"text",text}, {type:"image_url",image_url:{url,detail?}}].
 * Pure functions over json-c values; nothing here writes output.
 * SPEC: hermes-chat-responses "Chat Completions → Input"; openai-wire §5.5, §6.4.
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_AGENT_CONTENT_H
#define HERMES_AGENT_CONTENT_H

#include <stdbool.h>
#include <stddef.h>

#include "util/err.h"

struct json_object;
struct buf;

/* Defensive limits (reference constants); past them content is cut, never an error. */
#define AGENT_CONTENT_MAX_DEPTH 10     /* nested arrays deeper than this are ignored */
#define AGENT_CONTENT_MAX_PARTS 1000   /* parts after the first 1,000 of a list are ignored */
#define AGENT_CONTENT_MAX_CHARS 65536  /* characters (not bytes) of text kept, "\n" joins included */

/* Normalise one message's content.
 * content: IN, borrowed: a json string, an array of parts, or NULL / json null (→ "").
 * role:    IN: "user", "system", "developer", "assistant" or "tool"; only "user" may hold images.
 * param:   IN: JSON path of this content for error params, e.g. "messages[2].content".
 * out:     OUT: on success a NEW reference the caller puts with json_object_put():
 *          - text-only content → a json string. A string input of at most
 *            AGENT_CONTENT_MAX_CHARS characters is returned as the same object
 *            (reference taken), so upstream prompt caching keeps working; longer
 *            strings are cut at a UTF-8 boundary. Text parts (text, input_text,
 *            output_text; bare strings inside a list; refusal parts of assistant
 *            messages) are joined with "\n"; empty ones are skipped.
 *          - content with images → the canonical array, text and image parts in
 *            input order. image_url {url, detail?} (url may be a bare string) and
 *            input_image {image_url, detail?} are accepted with http(s) or
 *            data:image/... URLs; detail is kept (lowercased) only if auto|low|high.
 *          On error *out is NULL.
 * has_payload: OUT: true when there is non-whitespace text or at least one image.
 * err:     OUT: filled on error.
 * Returns HERR_OK, or HERR_BAD_REQUEST (400, invalid_request_error) with param
 * naming the offending part (e.g. "messages[2].content[1]") and code:
 *   unsupported_content_type: file, input_file, file_id, input_audio parts, images
 *     given by file_id, data: URLs that are not data:image/..., unknown part types, a
 *     part that is not an object, array or string, images outside user messages;
 *   invalid_image_url: an image part without a URL, or a scheme other than
 *     http, https, data:image;
 *   invalid_content_part: a text part whose text is not a string;
 *   invalid_type: content that is not a string, an array or null. */
enum herr agent_content_normalize(struct json_object *content, const char *role, const char *param,
				  struct json_object **out, bool *has_payload, struct herror *err)
	__attribute__((warn_unused_result));

/* Append the text of normalised content to b: a string as is, or the text
 * parts of a canonical array joined with "\n" (images are skipped). NULL adds
 * nothing. Returns HERR_OK, or HERR_TOO_LARGE when b's cap is passed (b is
 * then released, see util/buf.h). */
enum herr agent_content_text(struct json_object *normalised, struct buf *b)
	__attribute__((warn_unused_result));

/* A one-line summary of normalised content for logs, written into out (cap
 * bytes, always NUL-terminated, cut at a UTF-8 boundary): "[1 image] describe
 * this", "[2 images]", or just the text. Text parts are joined with " ",
 * control characters become spaces, surrounding white space is trimmed, and
 * text longer than 60 characters is cut to 60 and followed by "...". */
void agent_content_summary(struct json_object *normalised, char *out, size_t cap);

#endif
