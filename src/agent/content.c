/* src/agent/content.c: message content normalisation (contract in content.h).
 * A walk over the part list gathers canonical parts into one json array that
 * the walk owns until it is handed out (or joined into a string). Limits are
 * counted as the reference counts them: depth of nested lists, parts per
 * list, characters (not bytes) of kept text; past them content is dropped.
 * SPEC: hermes-chat-responses "Chat Completions → Input"; openai-wire §5.5, §6.4.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "agent/content.h"

#include <ctype.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/buf.h"
#include "util/jsonx.h"
#include "util/str.h"
#include "util/utf8.h"

#define SUMMARY_CHARS 60
#define JOIN_MAX ((size_t)4 * AGENT_CONTENT_MAX_CHARS + 16)  /* 4 bytes per character at most */
#define SUPPORTED "Supported parts are text, input_text and output_text, and in user messages " \
	"image_url and input_image with an http(s) or data:image/* URL."

struct walk {
	const char *role;             /* borrowed, for messages */
	bool images_ok;               /* only user messages may hold images */
	bool assistant;               /* refusal parts count as text */
	struct json_object *parts;    /* owned: canonical parts so far */
	size_t chars;                 /* characters of text kept, "\n" joins included */
	size_t n_text, n_images;
	bool payload;                 /* non-blank text or an image seen */
	struct herror *err;
};

/* s[0..len) starts with prefix, ASCII case-insensitively. */
static bool prefix_ieq(const char *s, size_t len, const char *prefix)
{
	size_t i;

	for(i = 0; prefix[i]; i++)
		if(i >= len || tolower((unsigned char)s[i]) != prefix[i])
			return false;
	return true;
}

/* The part type trimmed and lowercased into buf; "" when it does not fit. */
static const char *norm_type(const char *raw, char *buf, size_t cap)
{
	size_t len, i;
	const char *t = str_trim(raw, strlen(raw), &len);

	if(len >= cap)
		len = 0;
	for(i = 0; i < len; i++)
		buf[i] = (char)tolower((unsigned char)t[i]);
	buf[len] = '\0';
	return buf;
}

static const char *type_desc(struct json_object *v)
{
	switch(json_object_get_type(v)) {
	case json_type_null: return "null";
	case json_type_boolean: return "a boolean";
	case json_type_int:
	case json_type_double: return "a number";
	case json_type_object: return "an object";
	case json_type_array: return "an array";
	case json_type_string: return "a string";
	}
	return "a value of unknown type";
}

static enum herr unsupported(struct walk *w, const char *p, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static enum herr unsupported(struct walk *w, const char *p, const char *fmt, ...)
{
	char what[HERR_MSG_MAX / 2];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return herr_set(w->err, HERR_BAD_REQUEST, "unsupported_content_type", p,
			"Content part %s: %s " SUPPORTED, p, what);
}

/* Add one text part, cut to the characters still allowed. Text that is not
 * valid UTF-8 is repaired (U+FFFD) first: nothing invalid goes upstream. */
static void add_text(struct walk *w, const char *s, size_t len)
{
	size_t sep = w->n_text ? 1 : 0, n, cut, tl;
	struct json_object *part;
	struct buf fixed;

	if(!len || w->chars + sep >= AGENT_CONTENT_MAX_CHARS)
		return;
	buf_init(&fixed, 3 * JOIN_MAX);
	if(!utf8_valid(s, len)) {
		if(utf8_sanitize(&fixed, s, len < JOIN_MAX ? len : JOIN_MAX, false))
			return;
		s = buf_str(&fixed);
		len = buf_len(&fixed);
	}
	cut = utf8_prefix_chars(s, len, AGENT_CONTENT_MAX_CHARS - w->chars - sep, &n);
	part = json_object_new_object();
	jsonx_add_str(part, "type", "text");
	jsonx_add_owned(part, "text", json_object_new_string_len(s, (int)cut));
	json_object_array_add(w->parts, part);
	w->chars += sep + n;
	w->n_text++;
	str_trim(s, cut, &tl);
	if(tl)
		w->payload = true;
	buf_release(&fixed);
}

/* "auto", "low" or "high" when d is one of them (any case, trimmed), else NULL. */
static const char *image_detail(struct json_object *d)
{
	static const char *const known[] = { "auto", "low", "high" };
	char buf[8];

	if(!json_object_is_type(d, json_type_string))
		return NULL;
	norm_type(json_object_get_string(d), buf, sizeof(buf));
	for(size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if(strcmp(buf, known[i]) == 0)
			return known[i];
	return NULL;
}

static enum herr check_url(struct walk *w, const char *url, size_t len, const char *p)
{
	char media[48];
	size_t n = 0;

	if(prefix_ieq(url, len, "data:")) {
		if(!prefix_ieq(url, len, "data:image/")) {
			while(5 + n < len && n + 1 < sizeof(media) && url[5 + n] != ';' && url[5 + n] != ',')
				n++;
			snprintf(media, sizeof(media), "%.*s", (int)n, url + 5);
			str_sanitize(media, sizeof(media), media);
			media[utf8_trim_end(media, strlen(media))] = '\0';
			return unsupported(w, p, "only image data URLs (data:image/...) are supported, "
					   "not '%s'; files and documents cannot be sent.", media);
		}
		if(!memchr(url, ',', len))
			return herr_set(w->err, HERR_BAD_REQUEST, "invalid_image_url", p,
					"Content part %s: the data URL has no ',' before its data; "
					"use data:image/<type>;base64,<data>.", p);
		return HERR_OK;
	}
	if(prefix_ieq(url, len, "http://") || prefix_ieq(url, len, "https://"))
		return HERR_OK;
	return herr_set(w->err, HERR_BAD_REQUEST, "invalid_image_url", p,
			"Content part %s: image URLs must start with http://, https:// or data:image/.", p);
}

/* The image URL of an image_url/input_image part (trimmed, borrowed), or
 * NULL; *detail gets the detail member that applies. */
static const char *image_ref(struct json_object *part, size_t *len, struct json_object **detail,
			     bool *by_file_id)
{
	struct json_object *ref = json_object_object_get(part, "image_url"), *d;

	*detail = json_object_object_get(part, "detail");
	*by_file_id = json_object_object_get(part, "file_id") != NULL;
	if(json_object_is_type(ref, json_type_object)) {
		if(json_object_object_get_ex(ref, "detail", &d))
			*detail = d;
		*by_file_id = *by_file_id || json_object_object_get(ref, "file_id");
		ref = json_object_object_get(ref, "url");
	}
	if(!json_object_is_type(ref, json_type_string))
		return NULL;
	return str_trim(json_object_get_string(ref), (size_t)json_object_get_string_len(ref), len);
}

static enum herr walk_image(struct walk *w, struct json_object *part, const char *p)
{
	struct json_object *d, *img, *out;
	const char *url, *detail;
	size_t len = 0;
	bool by_file_id;
	enum herr rc;

	if(!w->images_ok)
		return herr_set(w->err, HERR_BAD_REQUEST, "unsupported_content_type", p,
				"Content part %s: images are only supported in user messages, not in "
				"%.20s messages; those take text parts (text, input_text, output_text) only.",
				p, w->role);
	url = image_ref(part, &len, &d, &by_file_id);
	if((!url || !len) && by_file_id)
		return unsupported(w, p, "images given by file_id (uploaded files) are not "
				   "supported; send the image as a URL.");
	if(!url || !len)
		return herr_set(w->err, HERR_BAD_REQUEST, "invalid_image_url", p,
				"Content part %s has no image URL; give \"image_url\": {\"url\": "
				"\"https://...\"} or a data:image/* URL.", p);
	rc = check_url(w, url, len, p);
	if(rc)
		return rc;
	img = json_object_new_object();
	jsonx_add_owned(img, "url", json_object_new_string_len(url, (int)len));
	detail = image_detail(d);
	if(detail)
		jsonx_add_str(img, "detail", detail);
	out = json_object_new_object();
	jsonx_add_str(out, "type", "image_url");
	jsonx_add_owned(out, "image_url", img);
	json_object_array_add(w->parts, out);
	w->n_images++;
	w->payload = true;
	return HERR_OK;
}

static enum herr walk_textpart(struct walk *w, struct json_object *part, const char *key,
			       const char *p)
{
	struct json_object *tv = json_object_object_get(part, key);
	char tp[HERR_PARAM_MAX];

	if(!tv)
		return HERR_OK;
	if(!json_object_is_type(tv, json_type_string)) {
		snprintf(tp, sizeof(tp), "%s.%s", p, key);
		return herr_set(w->err, HERR_BAD_REQUEST, "invalid_content_part", tp,
				"%s must be a string, not %s.", tp, type_desc(tv));
	}
	add_text(w, json_object_get_string(tv), (size_t)json_object_get_string_len(tv));
	return HERR_OK;
}

static enum herr walk_part(struct walk *w, struct json_object *part, const char *p)
{
	const char *raw = jsonx_get_str(part, "type");
	char type[24], shown[41];

	norm_type(raw ? raw : "", type, sizeof(type));
	if(!strcmp(type, "text") || !strcmp(type, "input_text") || !strcmp(type, "output_text"))
		return walk_textpart(w, part, "text", p);
	if(w->assistant && !strcmp(type, "refusal"))
		return walk_textpart(w, part, "refusal", p);
	if(!strcmp(type, "image_url") || !strcmp(type, "input_image"))
		return walk_image(w, part, p);
	if(!strcmp(type, "file") || !strcmp(type, "input_file") || !strcmp(type, "file_id"))
		return unsupported(w, p, "uploaded files and documents (type '%s') are not supported; "
				   "send the text itself, or images as URLs.", type);
	if(!strcmp(type, "input_audio"))
		return unsupported(w, p, "audio input (type 'input_audio') is not supported.");
	if(!raw || !raw[0])
		return unsupported(w, p, "the part has no \"type\".");
	str_sanitize(shown, sizeof(shown), raw);
	shown[utf8_trim_end(shown, strlen(shown))] = '\0';
	return unsupported(w, p, "type '%s' is not supported.", shown);
}

static enum herr walk_list(struct walk *w, struct json_object *list, int depth, const char *param)
{
	size_t n = json_object_array_length(list);
	char p[HERR_PARAM_MAX];
	enum herr rc = HERR_OK;

	if(n > AGENT_CONTENT_MAX_PARTS)
		n = AGENT_CONTENT_MAX_PARTS;
	for(size_t i = 0; i < n && !rc; i++) {
		struct json_object *it = json_object_array_get_idx(list, i);

		snprintf(p, sizeof(p), "%s[%zu]", param, i);
		switch(json_object_get_type(it)) {
		case json_type_string:
			add_text(w, json_object_get_string(it), (size_t)json_object_get_string_len(it));
			break;
		case json_type_array:
			if(depth < AGENT_CONTENT_MAX_DEPTH)
				rc = walk_list(w, it, depth + 1, p);
			break;
		case json_type_object:
			rc = walk_part(w, it, p);
			break;
		default:
			rc = unsupported(w, p, "the part is %s, not an object.", type_desc(it));
			break;
		}
	}
	return rc;
}

/* Text-only result: the single text, or the texts joined with "\n". */
static enum herr join_texts(struct json_object *parts, struct json_object **out)
{
	struct buf b;
	enum herr rc;

	if(json_object_array_length(parts) == 1) {
		*out = json_object_get(json_object_object_get(json_object_array_get_idx(parts, 0), "text"));
		return HERR_OK;
	}
	buf_init(&b, JOIN_MAX);
	rc = agent_content_text(parts, &b);
	if(!rc)
		*out = json_object_new_string_len(buf_str(&b), (int)buf_len(&b));
	buf_release(&b);
	return rc;
}

static void norm_string(struct json_object *s, struct json_object **out, bool *has_payload)
{
	const char *t = json_object_get_string(s);
	size_t len = (size_t)json_object_get_string_len(s), n, cut, tl;
	struct buf fixed;

	/* SPEC: a plain string passes unchanged (prompt caching upstream);
	 * one that is not valid UTF-8 is repaired, so it is never sent as is. */
	buf_init(&fixed, 3 * JOIN_MAX);
	if(!utf8_valid(t, len) &&
	   !utf8_sanitize(&fixed, t, len < JOIN_MAX ? len : JOIN_MAX, false)) {
		t = buf_str(&fixed);
		len = buf_len(&fixed);
	}
	cut = utf8_prefix_chars(t, len, AGENT_CONTENT_MAX_CHARS, &n);
	*out = cut == (size_t)json_object_get_string_len(s) && t == json_object_get_string(s) ?
	       json_object_get(s) : json_object_new_string_len(t, (int)cut);
	str_trim(t, cut, &tl);
	*has_payload = tl > 0;
	buf_release(&fixed);
}

enum herr agent_content_normalize(struct json_object *content, const char *role, const char *param,
				  struct json_object **out, bool *has_payload, struct herror *err)
{
	struct walk w;
	enum herr rc;

	*out = NULL;
	*has_payload = false;
	switch(json_object_get_type(content)) {
	case json_type_null:
		*out = json_object_new_string("");
		return HERR_OK;
	case json_type_string:
		norm_string(content, out, has_payload);
		return HERR_OK;
	case json_type_array:
		break;
	default:
		return herr_set(err, HERR_BAD_REQUEST, "invalid_type", param,
				"%s must be a string or an array of content parts, not %s.",
				param, type_desc(content));
	}
	memset(&w, 0, sizeof(w));
	w.role = role ? role : "this";
	w.images_ok = role && !strcmp(role, "user");
	w.assistant = role && !strcmp(role, "assistant");
	w.parts = json_object_new_array();
	w.err = err;
	rc = walk_list(&w, content, 0, param);
	if(!rc && w.n_images) {
		*out = w.parts;
		w.parts = NULL;
	} else if(!rc) {
		rc = join_texts(w.parts, out);
	}
	if(!rc)
		*has_payload = w.payload;
	json_object_put(w.parts);
	return rc;
}

/* The text of one canonical part (or bare string), or NULL. */
static struct json_object *part_text(struct json_object *part)
{
	const char *type;

	if(json_object_is_type(part, json_type_string))
		return part;
	type = jsonx_get_str(part, "type");
	if(!type || strcmp(type, "text") != 0)
		return NULL;
	part = json_object_object_get(part, "text");
	return json_object_is_type(part, json_type_string) ? part : NULL;
}

enum herr agent_content_text(struct json_object *normalised, struct buf *b)
{
	struct json_object *t;
	enum herr rc = HERR_OK;
	bool first = true;

	if(json_object_is_type(normalised, json_type_string))
		return buf_add(b, json_object_get_string(normalised),
			       (size_t)json_object_get_string_len(normalised));
	if(!json_object_is_type(normalised, json_type_array))
		return HERR_OK;
	for(size_t i = 0; i < json_object_array_length(normalised) && !rc; i++) {
		t = part_text(json_object_array_get_idx(normalised, i));
		if(!t)
			continue;
		if(!first)
			rc = buf_add(b, "\n", 1);
		if(!rc)
			rc = buf_add(b, json_object_get_string(t), (size_t)json_object_get_string_len(t));
		first = false;
	}
	return rc;
}

struct summary {
	char text[SUMMARY_CHARS * 4 + 1];
	size_t len, chars;
	bool space;   /* a space is due before the next visible character */
	bool more;    /* text was cut */
};

/* Add text, folding runs of white space and control characters into one
 * space and dropping leading ones, up to SUMMARY_CHARS characters. */
static void summary_add(struct summary *s, const char *t, size_t len)
{
	size_t i = 0, n;

	if(s->len)
		s->space = true;
	while(i < len && !s->more) {
		n = utf8_char_len(t + i, len - i);
		if(n == 1 && ((unsigned char)t[i] <= 0x20 || t[i] == 0x7f)) {
			s->space = s->space || s->len;
			i++;
			continue;
		}
		if(s->chars + (s->space ? 2 : 1) > SUMMARY_CHARS) {
			s->more = true;
			break;
		}
		if(s->space) {
			s->text[s->len++] = ' ';
			s->chars++;
			s->space = false;
		}
		memcpy(s->text + s->len, t + i, n);
		s->len += n;
		s->chars++;
		i += n;
	}
}

void agent_content_summary(struct json_object *normalised, char *out, size_t cap)
{
	struct summary s;
	struct json_object *part, *t;
	char full[sizeof(s.text) + 48];
	size_t images = 0, len;

	if(!cap)
		return;
	memset(&s, 0, sizeof(s));
	if(json_object_is_type(normalised, json_type_string))
		summary_add(&s, json_object_get_string(normalised), (size_t)json_object_get_string_len(normalised));
	for(size_t i = 0; json_object_is_type(normalised, json_type_array) &&
	    i < json_object_array_length(normalised); i++) {
		part = json_object_array_get_idx(normalised, i);
		t = part_text(part);
		if(t)
			summary_add(&s, json_object_get_string(t), (size_t)json_object_get_string_len(t));
		else if(json_object_object_get(part, "image_url"))
			images++;
	}
	s.text[s.len] = '\0';
	if(images)
		snprintf(full, sizeof(full), "[%zu image%s]%s%s%s", images, images == 1 ? "" : "s",
			 s.len ? " " : "", s.text, s.more ? "..." : "");
	else
		snprintf(full, sizeof(full), "%s%s", s.text, s.more ? "..." : "");
	len = strlen(full);
	if(len >= cap)   /* cut at a UTF-8 boundary */
		len = utf8_trim_end(full, cap - 1);
	memcpy(out, full, len);
	out[len] = '\0';
}
