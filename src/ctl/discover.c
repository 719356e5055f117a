/* src/ctl/discover.c: probing loopback for local model servers and
 * writing what answered into config.yaml.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "ctl/discover.h"

#include "util/lazy_curl.h"
#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/buf.h"
#include "util/cfg.h"
#include "util/fileio.h"
#include "util/jsonx.h"
#include "util/str.h"

#define PROBE_MAX 16
#define IDS_PER_SERVER 16
#define BODY_MAX (256 * 1024)
#define YAML_MAX (1024 * 1024 + 64 * 1024)

struct probe {
	char label[64];   /* for people */
	char slug[64];    /* for entry names */
	long port;
};

/* The usual ports; llama.cpp's server and LocalAI share 8080. */
static const struct probe defaults[] = {
	{ "Ollama", "ollama", 11434 },
	{ "llama.cpp server / LocalAI", "llamacpp", 8080 },
	{ "LM Studio", "lmstudio", 1234 },
	{ "vLLM", "vllm", 8000 },
};

/* HERMES_DISCOVER_PORTS, else the defaults. Entries that are not a port
 * (or name:port) are skipped with a word on msg. */
static size_t probe_list(struct probe *out, FILE *msg)
{
	const char *env = getenv("HERMES_DISCOVER_PORTS");
	size_t n = 0;

	if(!env || !*env) {
		memcpy(out, defaults, sizeof(defaults));
		return sizeof(defaults) / sizeof(defaults[0]);
	}
	while(*env && n < PROBE_MAX) {
		size_t len = strcspn(env, ",");
		char item[64], *colon, *end;
		const char *num;
		long port;

		snprintf(item, sizeof(item), "%.*s", (int)(len < 63 ? len : 63), env);
		env += len + (env[len] == ',');
		colon = strrchr(item, ':');
		num = colon ? colon + 1 : item;
		errno = 0;
		port = strtol(num, &end, 10);
		if(!*num || *end || errno || port < 1 || port > 65535 ||
		   (colon && (colon == item || strpbrk(item, "./[]@")))) {
			fprintf(msg, "discovery: ignoring '%s' in HERMES_DISCOVER_PORTS (want port or "
				"name:port; only 127.0.0.1 is probed)\n", item);
			continue;
		}
		if(colon)
			*colon = '\0';
		snprintf(out[n].slug, sizeof(out[n].slug), "%s", colon ? item : "local");
		snprintf(out[n].label, sizeof(out[n].label), "%s", colon ? item : "server");
		out[n].port = port;
		n++;
	}
	return n;
}

static size_t collect(char *p, size_t size, size_t n, void *ud)
{
	return buf_add(ud, p, size * n) ? 0 : size * n;
}

/* GET http://127.0.0.1:port/v1/models: the model ids (new array), or NULL
 * when nothing usable answered. */
static struct json_object *probe_one(long port)
{
	CURL *c = curl_easy_init();
	struct buf body;
	char url[64];
	long status = 0;
	struct json_object *j = NULL, *data, *ids = NULL;

	buf_init(&body, BODY_MAX);
	snprintf(url, sizeof(url), "http://127.0.0.1:%ld/v1/models", port);
	if(!c) {
		buf_release(&body);
		return NULL;
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROXY, "");
	curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 700L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 2500L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
	if(curl_easy_perform(c) == CURLE_OK &&
	   curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status) == CURLE_OK && status == 200 &&
	   (j = json_tokener_parse(buf_str(&body))) &&
	   json_object_object_get_ex(j, "data", &data) && json_object_is_type(data, json_type_array)) {
		ids = json_object_new_array();
		for(size_t i = 0; i < json_object_array_length(data); i++) {
			const char *id = jsonx_get_str(json_object_array_get_idx(data, i), "id");

			if(id && *id && strlen(id) <= 128 && !strpbrk(id, "\n\r\"\\") &&
			   json_object_array_length(ids) < IDS_PER_SERVER)
				json_object_array_add(ids, json_object_new_string(id));
		}
		if(!json_object_array_length(ids)) {
			json_object_put(ids);
			ids = NULL;
		}
	}
	curl_easy_cleanup(c);
	json_object_put(j);
	buf_release(&body);
	return ids;
}

/* Has name been given to an entry written so far? */
static bool name_taken(struct json_object *names, const char *name)
{
	for(size_t i = 0; i < json_object_array_length(names); i++)
		if(strcmp(json_object_get_string(json_object_array_get_idx(names, i)), name) == 0)
			return true;
	return false;
}

/* s as a double-quoted YAML scalar (JSON string syntax). Borrowed from tmp:
 * valid until the next call with the same tmp. */
static const char *quoted(struct json_object *tmp, const char *s)
{
	json_object_set_string(tmp, s);
	return json_object_to_json_string_ext(tmp, JSON_C_TO_STRING_NOSLASHESCAPE);
}

/* One models: entry per id of one server. */
static enum herr yaml_entries(struct buf *y, const struct probe *p, struct json_object *ids,
			      struct json_object *names)
{
	struct json_object *tmp = json_object_new_string("");
	char url[64], name[200];
	enum herr rc = HERR_OK;

	snprintf(url, sizeof(url), "http://127.0.0.1:%ld/v1", p->port);
	for(size_t i = 0; i < json_object_array_length(ids) && !rc; i++) {
		const char *id = json_object_get_string(json_object_array_get_idx(ids, i));

		snprintf(name, sizeof(name), "%s", id);
		if(name_taken(names, name))
			snprintf(name, sizeof(name), "%s-%ld-%s", p->slug, p->port, id);
		if(name_taken(names, name))
			continue;
		rc = buf_addf(y, "  - name: %s\n", quoted(tmp, name));
		if(!rc)
			rc = buf_addf(y, "    base_url: %s\n", quoted(tmp, url));
		if(!rc)
			rc = buf_addf(y, "    model: %s\n", quoted(tmp, id));
		if(!rc && json_object_array_length(names) == 0)
			rc = buf_adds(y, "    default: true\n");
		json_object_array_add(names, json_object_new_string(name));
	}
	json_object_put(tmp);
	return rc;
}

/* Append the models: block to config.yaml (created 0600 if absent). */
static int write_yaml(const struct cfg *cfg, const struct buf *block, FILE *msg)
{
	struct buf text;
	int e;

	buf_init(&text, YAML_MAX);
	e = buf_read_file(&text, cfg->yaml_path);
	if(e && e != ENOENT) {
		fprintf(msg, "discovery: cannot read %s: %s\n", cfg->yaml_path, strerror(e));
		buf_release(&text);
		return 1;
	}
	if((buf_len(&text) && buf_str(&text)[buf_len(&text) - 1] != '\n' && buf_adds(&text, "\n")) ||
	   buf_add(&text, buf_str(block), buf_len(block))) {
		fprintf(msg, "discovery: %s is too large\n", cfg->yaml_path);
		buf_release(&text);
		return 1;
	}
	e = fileio_atomic_write(cfg->yaml_path, buf_str(&text), buf_len(&text), 0600, 0);
	buf_release(&text);
	if(e) {
		fprintf(msg, "discovery: cannot write %s: %s\n", cfg->yaml_path, strerror(e));
		return 1;
	}
	return 0;
}

/* Probe every port; found servers' entries go to y. Returns how many answered. */
static size_t probe_all(FILE *msg, struct buf *y)
{
	struct probe list[PROBE_MAX];
	size_t n = probe_list(list, msg), found = 0;
	struct json_object *names = json_object_new_array();

	for(size_t i = 0; i < n; i++) {
		struct json_object *ids = probe_one(list[i].port);
		size_t k = ids ? json_object_array_length(ids) : 0;

		if(!ids) {
			fprintf(msg, "discovery: nothing on 127.0.0.1:%ld (%s)\n", list[i].port,
				list[i].label);
			continue;
		}
		found++;
		fprintf(msg, "discovery: found %s on 127.0.0.1:%ld with %zu model%s, first %s\n",
			list[i].label, list[i].port, k, k == 1 ? "" : "s",
			json_object_get_string(json_object_array_get_idx(ids, 0)));
		if(yaml_entries(y, &list[i], ids, names))
			fprintf(msg, "discovery: too many models; some left out\n");
		json_object_put(ids);
	}
	json_object_put(names);
	return found;
}

int ctl_discover(FILE *msg)
{
	struct cfg cfg;
	struct buf y;
	struct herror lib_err = { 0 };
	size_t found;
	char when[32];
	time_t now = time(NULL);
	struct tm tm;
	int rc = 0;

	if(getenv("HERMES_DISCOVER_PORTS") && strcmp(getenv("HERMES_DISCOVER_PORTS"), "off") == 0) {
		fprintf(msg, "discovery: off (HERMES_DISCOVER_PORTS=off)\n");
		return 0;
	}
	cfg_load(&cfg, NULL, NULL);
	buf_init(&y, YAML_MAX / 2);
	if(lazy_curl_load(&lib_err)) {
		fprintf(msg, "discovery: skipped (%s)\n", lib_err.msg);
		goto out;
	}
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M UTC", &tm);
	if(buf_addf(&y, "\n# Local model servers found by hermesctl on %s (see docs/models.md).\n"
		 "models:\n", when))
		goto out;
	found = probe_all(msg, &y);
	if(!found) {
		fprintf(msg, "discovery: no local model server answered on 127.0.0.1.\n"
			"No upstream LLM configured: set OPENAI_BASE_URL and OPENAI_API_KEY in %s "
			"(or model.base_url or a models: list in config.yaml) and restart\n",
			cfg.env_path);
	} else if(cfg.err.rc) {
		fprintf(msg, "discovery: not written: %s\n", cfg.err.msg);
	} else if(cfg.models.listed) {
		fprintf(msg, "discovery: not written: %s already has a models: list\n",
			cfg.yaml_path);
	} else if(cfg.base_url && *cfg.base_url) {
		fprintf(msg, "discovery: not written: an upstream is configured already (%s)\n",
			cfg.base_url);
	} else if(!(rc = write_yaml(&cfg, &y, msg))) {
		fprintf(msg, "discovery: wrote %zu server%s to %s as models: (the first is the "
			"default)\n", found, found == 1 ? "" : "s", cfg.yaml_path);
	}
out:
	buf_release(&y);
	cfg_release(&cfg);
	return rc;
}
