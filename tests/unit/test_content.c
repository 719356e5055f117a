/* tests/unit/test_content.c: message content normalisation: string
 * passthrough, text parts joined, limits cut, images kept, files and other
 * unsupported parts rejected with the right param, text and log summary. */
#include "config.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "agent/content.h"
#include "tap.h"
#include "util/buf.h"
#include "util/jsonx.h"
#include "util/utf8.h"

static struct json_object *parse(const char *text)
{
	struct json_object *o = NULL;
	struct herror err;

	herr_clear(&err);
	if(jsonx_parse(text, strlen(text), JSONX_MAX_DEPTH, &o, &err))
		printf("# bad test JSON: %s\n", err.msg);
	return o;
}

/* Characters (code points) of valid UTF-8 s; -1 if s is not valid UTF-8. */
static long utf8_chars(const char *s, size_t len)
{
	long n = 0;

	for(size_t i = 0; i < len; n++) {
		unsigned char c = (unsigned char)s[i];
		size_t k = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 :
			(c & 0xf8) == 0xf0 ? 4 : 0;

		if(!k || i + k > len)
			return -1;
		for(size_t j = 1; j < k; j++)
			if(((unsigned char)s[i + j] & 0xc0) != 0x80)
				return -1;
		i += k;
	}
	return n;
}

/* Normalise a JSON text as role at "messages[2].content"; returns rc, sets
 * *out (caller puts) and *payload. */
static enum herr norm(const char *json, const char *role, struct json_object **out, bool *payload,
		      struct herror *err)
{
	struct json_object *c = parse(json);
	enum herr rc;

	herr_clear(err);
	rc = agent_content_normalize(c, role, "messages[2].content", out, payload, err);
	json_object_put(c);
	return rc;
}

/* Normalise json as a user and return its compact serialisation (static copy). */
static const char *norm_text(const char *json, bool *payload)
{
	static char text[4096];
	struct json_object *out = NULL;
	struct herror err;

	if(norm(json, "user", &out, payload, &err)) {
		snprintf(text, sizeof(text), "ERROR %s %s: %s", err.code, err.param, err.msg);
		return text;
	}
	snprintf(text, sizeof(text), "%s", jsonx_text(out, NULL));
	json_object_put(out);
	return text;
}

static void test_strings(void)
{
	struct json_object *c = json_object_new_string("describe this"), *out = NULL;
	struct herror err;
	bool payload = false;

	herr_clear(&err);
	is_int(agent_content_normalize(c, "user", "messages[0].content", &out, &payload, &err), HERR_OK,
	       "plain string accepted");
	ok(out == c, "plain string returned as the same object (prompt caching)");
	is_str(json_object_get_string(out), "describe this", "same text");
	ok(payload, "text has a payload");
	json_object_put(out);
	json_object_put(c);

	/* json-c represents a json null as NULL */
	is_int(agent_content_normalize(NULL, "assistant", "messages[1].content", &out, &payload, &err),
	       HERR_OK, "NULL content accepted");
	is_str(json_object_get_string(out), "", "NULL content → empty string");
	json_object_put(out);
	is_str(norm_text("\" \\n\\t \"", &payload), "\" \\n\\t \"", "white space string passes");
	ok(!payload, "white-space-only string has no payload");
	is_str(norm_text("[{\"type\":\"text\",\"text\":\"  \\n\"}]", &payload), "\"  \\n\"",
	       "white-space-only part");
	ok(!payload, "white-space-only part has no payload");
	is_str(norm_text("[]", &payload), "\"\"", "empty list → empty string");
	ok(!payload, "empty list has no payload");
}

static void test_join(void)
{
	bool payload = false;

	is_str(norm_text("[{\"type\":\"text\",\"text\":\"a\"},{\"type\":\"input_text\",\"text\":\"b\"},"
			 "{\"type\":\"output_text\",\"text\":\"c\"},\"d\",{\"type\":\"text\",\"text\":\"\"},"
			 "{\"type\":\" Text \",\"text\":\"e\"},{\"type\":\"text\"},{\"type\":\"text\",\"text\":null}]",
			 &payload),
	       "\"a\\nb\\nc\\nd\\ne\"", "text, input_text, output_text and bare strings joined with \\n");
	ok(payload, "joined text has a payload");
	is_str(norm_text("[{\"type\":\"text\",\"text\":\"only\"}]", &payload), "\"only\"", "one part → its text");
	is_str(norm_text("[\"a\",[\"b\",[\"c\"]],\"d\"]", &payload), "\"a\\nb\\nc\\nd\"",
	       "nested lists flattened in order");
}

static void test_depth(void)
{
	struct json_object *root = json_object_new_array(), *cur = root, *out = NULL, *next;
	struct herror err;
	bool payload;
	char label[16];

	/* root holds "L0" and a list holding "L1" and a list ... down to "L12". */
	for(int i = 0; i <= 12; i++) {
		snprintf(label, sizeof(label), "L%d", i);
		json_object_array_add(cur, json_object_new_string(label));
		if(i < 12) {
			next = json_object_new_array();
			json_object_array_add(cur, next);
			cur = next;
		}
	}
	herr_clear(&err);
	is_int(agent_content_normalize(root, "user", "messages[0].content", &out, &payload, &err), HERR_OK,
	       "deep nesting is not an error");
	is_str(json_object_get_string(out), "L0\nL1\nL2\nL3\nL4\nL5\nL6\nL7\nL8\nL9\nL10",
	       "lists nested deeper than 10 levels are cut");
	json_object_put(out);
	json_object_put(root);
}

static void test_parts_limit(void)
{
	struct json_object *list = json_object_new_array(), *out = NULL, *f;
	struct herror err;
	bool payload;
	char s[16];
	const char *t;

	for(int i = 0; i < 1001; i++) {
		snprintf(s, sizeof(s), "p%d", i);
		json_object_array_add(list, json_object_new_string(s));
	}
	f = json_object_new_object();
	jsonx_add_str(f, "type", "file");
	json_object_array_add(list, f);  /* part 1,002: past the limit, never looked at */
	herr_clear(&err);
	is_int(agent_content_normalize(list, "user", "messages[0].content", &out, &payload, &err), HERR_OK,
	       "1,002 parts: not an error, the file part past the limit is ignored");
	t = json_object_get_string(out);
	ok(t && strncmp(t, "p0\np1\n", 6) == 0, "first parts kept");
	ok(t && strlen(t) >= 5 && strcmp(t + strlen(t) - 5, "\np999") == 0, "part 1,000 (p999) is the last kept");
	ok(t && !strstr(t, "p1000"), "part 1,001 dropped");
	json_object_put(out);
	json_object_put(list);
}

/* n copies of the UTF-8 character ch. */
static char *repeat(const char *ch, size_t n)
{
	size_t k = strlen(ch);
	char *s = malloc(k * n + 1);

	for(size_t i = 0; i < n; i++)
		memcpy(s + i * k, ch, k);
	s[k * n] = '\0';
	return s;
}

static void check_cut(struct json_object *content, size_t want_bytes, const char *desc)
{
	struct json_object *out = NULL;
	struct herror err;
	bool payload;
	const char *t;
	size_t len;

	herr_clear(&err);
	if(!ok(agent_content_normalize(content, "user", "messages[0].content", &out, &payload, &err) == HERR_OK,
	       "%s: accepted", desc))
		return;
	t = json_object_get_string(out);
	len = (size_t)json_object_get_string_len(out);
	is_int(utf8_chars(t, len), AGENT_CONTENT_MAX_CHARS, desc);
	is_int(len, want_bytes, "cut at a character boundary");
	ok(out != content, "a cut string is a new object");
	json_object_put(out);
}

/* Normalise content as a user; the result is text of want characters. */
static void check_text(struct json_object *content, long want, const char *desc)
{
	struct json_object *out = NULL;
	struct herror err;
	bool payload;

	herr_clear(&err);
	if(agent_content_normalize(content, "user", "messages[0].content", &out, &payload, &err) == HERR_OK)
		is_int(utf8_chars(json_object_get_string(out), (size_t)json_object_get_string_len(out)), want, desc);
	else
		ok(0, "%s: %s", desc, err.msg);
	json_object_put(out);
}

static void test_text_limit(void)
{
	char *e = repeat("\xc3\xa9", 70000), *emoji = repeat("\xf0\x9f\x98\x80", 70000), *half = repeat("ab", 20000);
	struct json_object *c, *list, *part;

	c = json_object_new_string(e);
	check_cut(c, 2 * AGENT_CONTENT_MAX_CHARS, "70,000 two-byte characters as a string cut to 65,536 characters");
	json_object_put(c);

	list = json_object_new_array();
	json_object_array_add(list, json_object_new_string("a"));
	part = json_object_new_object();
	jsonx_add_str(part, "type", "text");
	jsonx_add_str(part, "text", emoji);
	json_object_array_add(list, part);
	json_object_array_add(list, json_object_new_string("never reached"));
	/* "a" + "\n" + 65,534 four-byte characters */
	check_cut(list, 2 + 4 * (AGENT_CONTENT_MAX_CHARS - 2), "parts with 70,000 four-byte characters cut to 65,536 characters");
	json_object_put(list);

	list = json_object_new_array();
	json_object_array_add(list, json_object_new_string(half));
	json_object_array_add(list, json_object_new_string(half + 20000));
	check_text(list, 40000 + 1 + 20000, "parts under the limit are joined whole");
	json_object_array_add(list, json_object_new_string(half));
	check_text(list, AGENT_CONTENT_MAX_CHARS, "a part past the limit is cut: total 65,536 characters");
	json_object_put(list);
	free(e);
	free(emoji);
	free(half);
}

static void test_images(void)
{
	bool payload = false;

	is_str(norm_text("[{\"type\":\"text\",\"text\":\"describe this\"},"
			 "{\"type\":\"image_url\",\"image_url\":{\"url\":\"http://example.com/a.png\",\"detail\":\"high\"}}]",
			 &payload),
	       "[{\"type\":\"text\",\"text\":\"describe this\"},"
	       "{\"type\":\"image_url\",\"image_url\":{\"url\":\"http://example.com/a.png\",\"detail\":\"high\"}}]",
	       "http image with detail kept in the canonical list");
	is_str(norm_text("[{\"type\":\"image_url\",\"image_url\":\" https://example.com/b.jpg \",\"detail\":\"LOW\"}]",
			 &payload),
	       "[{\"type\":\"image_url\",\"image_url\":{\"url\":\"https://example.com/b.jpg\",\"detail\":\"low\"}}]",
	       "https bare-string image_url, url trimmed, detail lowercased");
	ok(payload, "image-only user turn has a payload");
	is_str(norm_text("[{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/png;base64,iVBORw0KGgo=\","
			 "\"detail\":\"ultra\"}},\"x\"]", &payload),
	       "[{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/png;base64,iVBORw0KGgo=\"}},"
	       "{\"type\":\"text\",\"text\":\"x\"}]",
	       "data:image URL kept, unknown detail dropped, order kept");
	is_str(norm_text("[{\"type\":\"input_text\",\"text\":\"what\"},"
			 "{\"type\":\"input_image\",\"image_url\":\"HTTPS://example.com/c.webp\",\"detail\":\"auto\"}]",
			 &payload),
	       "[{\"type\":\"text\",\"text\":\"what\"},"
	       "{\"type\":\"image_url\",\"image_url\":{\"url\":\"HTTPS://example.com/c.webp\",\"detail\":\"auto\"}}]",
	       "Responses input_image converted to the canonical shape");
	is_str(norm_text("[{\"type\":\"text\",\"text\":\"  \"},{\"type\":\"image_url\",\"image_url\":{\"url\":"
			 "\"https://e.com/d.png\"}}]", &payload),
	       "[{\"type\":\"text\",\"text\":\"  \"},{\"type\":\"image_url\",\"image_url\":{\"url\":\"https://e.com/d.png\"}}]",
	       "blank text and an image");
	ok(payload, "blank text plus image has a payload");
}

static void check_error(const char *json, const char *role, const char *code, const char *param,
			const char *desc)
{
	struct json_object *out = (struct json_object *)1;
	struct herror err;
	bool payload = true;
	enum herr rc = norm(json, role, &out, &payload, &err);

	is_int(rc, HERR_BAD_REQUEST, desc);
	ok(err.status == 400 && err.type && strcmp(err.type, "invalid_request_error") == 0,
	   "%s: 400 invalid_request_error", desc);
	is_str(err.code, code, "code");
	is_str(err.param, param, "param names the part");
	ok(out == NULL && !payload, "nothing handed out on error");
	ok(strstr(err.msg, param) != NULL, "message names the part: %s", err.msg);
}

static void test_errors(void)
{
	const char *u = "unsupported_content_type";

	check_error("[{\"type\":\"text\",\"text\":\"hi\"},{\"type\":\"file\",\"file\":{\"file_data\":"
		    "\"data:application/pdf;base64,JVBER\",\"filename\":\"a.pdf\"}}]",
		    "user", u, "messages[2].content[1]", "file part");
	check_error("[{\"type\":\"input_file\",\"file_id\":\"file-1\"}]", "user", u, "messages[2].content[0]",
		    "input_file part");
	check_error("[\"a\",\"b\",{\"type\":\"file_id\",\"file_id\":\"file-1\"}]", "user", u,
		    "messages[2].content[2]", "file_id part");
	check_error("[{\"type\":\"input_image\",\"file_id\":\"file-1\"}]", "user", u, "messages[2].content[0]",
		    "input_image by file_id");
	check_error("[{\"type\":\"input_audio\",\"input_audio\":{\"data\":\"AAA\",\"format\":\"wav\"}}]", "user", u,
		    "messages[2].content[0]", "input_audio part");
	check_error("[{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:application/pdf;base64,JVBER\"}}]",
		    "user", u, "messages[2].content[0]", "non-image data URL");
	check_error("[{\"type\":\"input_image\",\"image_url\":\"DATA:text/plain,hello\"}]", "user", u,
		    "messages[2].content[0]", "non-image data URL (upper case scheme)");
	check_error("[{\"type\":\"video\",\"url\":\"x\"}]", "user", u, "messages[2].content[0]", "unknown type");
	check_error("[{\"text\":\"no type\"}]", "user", u, "messages[2].content[0]", "part without type");
	check_error("[\"a\",42]", "user", u, "messages[2].content[1]", "a number part");
	check_error("[null]", "user", u, "messages[2].content[0]", "a null part");
	check_error("[\"a\",[\"b\",{\"type\":\"file\"}]]", "user", u, "messages[2].content[1][1]",
		    "nested file part");
	check_error("[{\"type\":\"image_url\",\"image_url\":{\"url\":\"https://e.com/a.png\"}}]", "system", u,
		    "messages[2].content[0]", "image in a system message");
	check_error("[\"x\",{\"type\":\"input_image\",\"image_url\":\"https://e.com/a.png\"}]", "developer", u,
		    "messages[2].content[1]", "image in a developer message");
	check_error("[{\"type\":\"image_url\",\"image_url\":\"https://e.com/a.png\"}]", "assistant", u,
		    "messages[2].content[0]", "image in an assistant message");
	check_error("[{\"type\":\"image_url\",\"image_url\":\"https://e.com/a.png\"}]", "tool", u,
		    "messages[2].content[0]", "image in a tool message");
	check_error("[{\"type\":\"refusal\",\"refusal\":\"no\"}]", "user", u, "messages[2].content[0]",
		    "refusal part outside assistant messages");
	check_error("[{\"type\":\"image_url\",\"image_url\":{\"url\":\"ftp://e.com/a.png\"}}]", "user",
		    "invalid_image_url", "messages[2].content[0]", "ftp image URL");
	check_error("[{\"type\":\"image_url\",\"image_url\":{}}]", "user", "invalid_image_url",
		    "messages[2].content[0]", "image without URL");
	check_error("[{\"type\":\"image_url\",\"image_url\":\"data:image/png;base64\"}]", "user",
		    "invalid_image_url", "messages[2].content[0]", "data:image URL without data");
	check_error("[{\"type\":\"text\",\"text\":5}]", "user", "invalid_content_part",
		    "messages[2].content[0].text", "text that is not a string");
	check_error("{\"type\":\"text\",\"text\":\"x\"}", "user", "invalid_type", "messages[2].content",
		    "content that is an object");
	check_error("[true]", "user", u, "messages[2].content[0]", "a boolean part");
	check_error("12 ", "user", "invalid_type", "messages[2].content", "content that is a number");
}

static void test_roles(void)
{
	struct json_object *out = NULL;
	struct herror err;
	bool payload;

	is_int(norm("[{\"type\":\"text\",\"text\":\"be brief\"}]", "system", &out, &payload, &err), HERR_OK,
	       "text parts in a system message");
	is_str(json_object_get_string(out), "be brief", "system text");
	json_object_put(out);
	is_int(norm("[{\"type\":\"output_text\",\"text\":\"sure\"},{\"type\":\"refusal\",\"refusal\":\"not that\"}]",
		    "assistant", &out, &payload, &err), HERR_OK, "assistant output_text and refusal");
	is_str(json_object_get_string(out), "sure\nnot that", "refusal kept as text");
	json_object_put(out);
}

static void test_text_and_summary(void)
{
	struct json_object *c = parse("[{\"type\":\"text\",\"text\":\"describe\\nthis\"},"
				      "{\"type\":\"image_url\",\"image_url\":{\"url\":\"https://e.com/a.png\"}},"
				      "{\"type\":\"text\",\"text\":\"please\"}]");
	struct json_object *s;
	struct buf b;
	char sum[128], small[8];
	char *longtext;

	buf_init(&b, 1024);
	ok(agent_content_text(c, &b) == HERR_OK, "text of a canonical list");
	is_str(buf_str(&b), "describe\nthis\nplease", "text parts joined with \\n, image skipped");
	buf_reset(&b);
	s = json_object_new_string("plain");
	ok(agent_content_text(s, &b) == HERR_OK && strcmp(buf_str(&b), "plain") == 0, "text of a string");
	ok(agent_content_text(NULL, &b) == HERR_OK && strcmp(buf_str(&b), "plain") == 0, "NULL adds nothing");
	buf_release(&b);
	buf_init(&b, 4);
	is_int(agent_content_text(c, &b), HERR_TOO_LARGE, "a full buffer reports HERR_TOO_LARGE");
	buf_release(&b);

	agent_content_summary(c, sum, sizeof(sum));
	is_str(sum, "[1 image] describe this please", "summary of text plus image");
	json_object_put(c);
	c = parse("[{\"type\":\"image_url\",\"image_url\":{\"url\":\"https://e.com/a.png\"}},"
		  "{\"type\":\"image_url\",\"image_url\":{\"url\":\"https://e.com/b.png\"}}]");
	agent_content_summary(c, sum, sizeof(sum));
	is_str(sum, "[2 images]", "summary of two images");
	json_object_put(c);
	agent_content_summary(s, sum, sizeof(sum));
	is_str(sum, "plain", "summary of a string");
	json_object_put(s);
	s = json_object_new_string("  a\x01\x1b[31m b\r\n\tc  ");
	agent_content_summary(s, sum, sizeof(sum));
	is_str(sum, "a [31m b c", "control characters replaced, white space folded and trimmed");
	json_object_put(s);
	longtext = repeat("\xc3\xa9", 100);
	s = json_object_new_string(longtext);
	agent_content_summary(s, sum, sizeof(sum));
	ok(utf8_chars(sum, strlen(sum)) == 63 && strcmp(sum + strlen(sum) - 3, "...") == 0,
	   "long text cut to 60 characters plus ...: %s", sum);
	agent_content_summary(s, small, sizeof(small));
	is_str(small, "\xc3\xa9\xc3\xa9\xc3\xa9", "small buffer cut at a UTF-8 boundary");
	json_object_put(s);
	free(longtext);
	agent_content_summary(NULL, sum, sizeof(sum));
	is_str(sum, "", "summary of NULL is empty");
}

/* Content that is not valid UTF-8 is repaired before it can go upstream,
 * and error texts quoting client input are never cut inside a character. */
static void test_utf8(void)
{
	struct json_object *c, *out = NULL;
	struct herror err;
	bool payload;
	char body[256], *e;

	c = json_object_new_string("caf\xe9 au lait");
	herr_clear(&err);
	is_int(agent_content_normalize(c, "user", "m", &out, &payload, &err), HERR_OK,
	       "a Latin-1 string is accepted");
	is_str(json_object_get_string(out), "caf\xef\xbf\xbd au lait", "  with the bad byte as U+FFFD");
	ok(out != c, "  in a new string");
	json_object_put(out);
	json_object_put(c);
	c = json_object_new_string("caf\xc3\xa9");
	is_int(agent_content_normalize(c, "user", "m", &out, &payload, &err), HERR_OK, "valid UTF-8");
	ok(out == c, "  passes as the same object (prompt caching)");
	json_object_put(out);
	json_object_put(c);
	is_str(norm_text("[{\"type\":\"text\",\"text\":\"a\"},\"\xff\xfe\"]", &payload),
	       "\"a\\n\xef\xbf\xbd\xef\xbf\xbd\"", "text parts are repaired too");

	/* "x" + 30 × "é": a 40-byte cut of the type would split a character. */
	e = body + snprintf(body, sizeof(body), "[{\"type\":\"x");
	for(int i = 0; i < 30; i++)
		e += snprintf(e, sizeof(body) - (size_t)(e - body), "\xc3\xa9");
	snprintf(e, sizeof(body) - (size_t)(e - body), "\"}]");
	is_int(norm(body, "user", &out, &payload, &err), HERR_BAD_REQUEST, "a long multibyte part type");
	ok(utf8_valid(err.msg, strlen(err.msg)), "  quoted whole characters only: %s", err.msg);
	e = body + snprintf(body, sizeof(body), "[{\"type\":\"image_url\",\"image_url\":\"data:x");
	for(int i = 0; i < 30; i++)
		e += snprintf(e, sizeof(body) - (size_t)(e - body), "\xc3\xa9");
	snprintf(e, sizeof(body) - (size_t)(e - body), ",AAA\"}]");
	is_int(norm(body, "user", &out, &payload, &err), HERR_BAD_REQUEST, "a long multibyte media type");
	ok(utf8_valid(err.msg, strlen(err.msg)), "  quoted whole characters only: %s", err.msg);
}

int main(void)
{
	test_utf8();
	test_strings();
	test_join();
	test_depth();
	test_parts_limit();
	test_text_limit();
	test_images();
	test_errors();
	test_roles();
	test_text_and_summary();
	return tap_done();
}
