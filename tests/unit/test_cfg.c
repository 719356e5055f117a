/* tests/unit/test_cfg.c: configuration sources and their precedence. */
#include "config.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tap.h"
#include "util/cfg.h"
#include "util/dotenv.h"
#include "util/yamlcfg.h"

static char home[256];

static void put(const char *name, const char *text)
{
	char p[512];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", home, name);
	if(!text) {
		unlink(p);
		return;
	}
	f = fopen(p, "w");
	fputs(text, f);
	fclose(f);
}

static const char *extra(void *ctx, const char *name)
{
	(void)ctx;
	if(strcmp(name, "API_SERVER_MODEL_NAME") == 0)
		return "from-params";
	if(strcmp(name, "PATH") == 0)
		return "/should/not/be/used";
	return NULL;
}

int main(void)
{
	struct cfg c;
	struct herror err;
	struct json_object *o = NULL, *t = NULL, *l = NULL;
	const char *vars[] = { "API_SERVER_KEY", "API_SERVER_MODEL_NAME", "API_SERVER_CORS_ORIGINS",
			       "OPENAI_BASE_URL", "OPENAI_API_KEY", "HERMES_MODEL", "HERMES_PROVIDER",
			       "HERMES_LOG_LEVEL", "API_SERVER_BASE_PATH" };
	const char *envtext = "# c\nexport A=1\nB='x y'\nC=\"q\\n\"\nD=v # comment\n";

	for(size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		unsetenv(vars[i]);
	snprintf(home, sizeof(home), "%s/hermes-test-cfg-%ld",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (long)getpid());
	mkdir(home, 0700);
	setenv("HERMES_HOME", home, 1);

	/* dotenv */
	herr_clear(&err);
	is_int(dotenv_parse(envtext, strlen(envtext), ".env", &o, &err), HERR_OK, ".env parses");
	is_str(json_object_get_string(json_object_object_get(o, "A")), "1", "export prefix");
	is_str(json_object_get_string(json_object_object_get(o, "B")), "x y", "single quotes");
	is_str(json_object_get_string(json_object_object_get(o, "C")), "q\n", "escapes");
	is_str(json_object_get_string(json_object_object_get(o, "D")), "v", "inline comment");
	json_object_put(o);
	o = NULL;
	is_int(dotenv_parse("A=1\nnot a line\n", 16, ".env", &o, &err), HERR_CONFIG, "bad line");
	ok(strstr(err.msg, ".env line 2") != NULL, "message names the line: %s", err.msg);

	/* yaml */
	{
		const char *y = "model:\n  default: m1\n  base_url: http://u/v1\nlist:\n  - a\n  - b\n";
		is_int(yamlcfg_parse(y, strlen(y), "config.yaml", &t, &l, &err), HERR_OK, "yaml parses");
		is_int(json_object_get_int(json_object_object_get(l, "model.base_url")), 3,
		       "line of model.base_url");
		json_object_put(t);
		json_object_put(l);
		y = "model:\n  default: [unclosed\n";
		is_int(yamlcfg_parse(y, strlen(y), "config.yaml", &t, &l, &err), HERR_CONFIG,
		       "broken yaml fails");
		ok(strstr(err.msg, "config.yaml line") != NULL, "names the line: %s", err.msg);
	}

	/* defaults */
	is_int(cfg_load(&c, NULL, NULL), HERR_OK, "empty home loads");
	is_str(c.model_name, "hermes-agent", "default model name");
	ok(c.api_key == NULL, "no key by default");
	is_int(c.store_cache_kb, 512, "store.cache_kb defaults to 512 KiB");
	cfg_release(&c);

	/* precedence */
	put("config.yaml", "platforms:\n  api_server:\n    extra:\n      model_name: from-yaml\n"
	    "      key: yamlkey-0123456789abcdef\n      cors_origins: [http://a, http://b]\n"
	    "model:\n  default: gpt-x\n  base_url: http://127.0.0.1:9/v1\n");
	is_int(cfg_load(&c, NULL, NULL), HERR_OK, "yaml loads");
	is_str(c.model_name, "from-yaml", "yaml model name");
	is_str(c.api_key, "yamlkey-0123456789abcdef", "yaml key");
	is_str(c.cors_origins, "http://a,http://b", "yaml list joined");
	is_str(c.model, "gpt-x", "model.default");
	is_str(c.base_url, "http://127.0.0.1:9/v1", "model.base_url");
	cfg_release(&c);

	put(".env", "API_SERVER_MODEL_NAME=from-env-file\n");
	cfg_load(&c, NULL, NULL);
	is_str(c.model_name, "from-env-file", ".env beats config.yaml");
	cfg_release(&c);

	cfg_load(&c, extra, NULL);
	is_str(c.model_name, "from-params", "FastCGI params beat .env");
	cfg_release(&c);

	setenv("API_SERVER_MODEL_NAME", "from-process", 1);
	cfg_load(&c, extra, NULL);
	is_str(c.model_name, "from-process", "process env beats all");
	cfg_release(&c);
	unsetenv("API_SERVER_MODEL_NAME");

	put("config.yaml", "model: shorthand-model\n");
	cfg_load(&c, NULL, NULL);
	is_str(c.model, "shorthand-model", "model: string shorthand");
	cfg_release(&c);

	put("config.yaml", "platforms:\n  api_server: 5\n");
	is_int(cfg_load(&c, NULL, NULL), HERR_CONFIG, "scalar where a mapping belongs");
	ok(strstr(c.err.msg, "line 2") && strstr(c.err.msg, "platforms.api_server"),
	   "names line and key: %s", c.err.msg);
	cfg_release(&c);

	put("config.yaml", "agent:\n  max_turns: lots\n");
	is_int(cfg_load(&c, NULL, NULL), HERR_CONFIG, "a number setting that is not a number");
	ok(strstr(c.err.msg, "line 2: key agent.max_turns must be a whole number") != NULL,
	   "names file, line and key: %s", c.err.msg);
	cfg_release(&c);
	put("config.yaml", "model:\n  stream: maybe\n");
	is_int(cfg_load(&c, NULL, NULL), HERR_CONFIG, "a switch that is not true/false");
	cfg_release(&c);
	put("config.yaml", "compression:\n  threshold: 0.3\nagent:\n  max_turns: 5\n");
	is_int(cfg_load(&c, NULL, NULL), HERR_OK, "valid numbers load");
	ok(c.max_turns == 5 && c.compression_threshold > 0.29 && c.compression_threshold < 0.31,
	   "and are used");
	cfg_release(&c);
	setenv("HERMES_LLM_IDLE_TIMEOUT", "0", 1);
	is_int(cfg_load(&c, NULL, NULL), HERR_CONFIG, "out of range from the environment");
	ok(strstr(c.err.msg, "environment variable HERMES_LLM_IDLE_TIMEOUT") != NULL,
	   "names the variable: %s", c.err.msg);
	cfg_release(&c);
	unsetenv("HERMES_LLM_IDLE_TIMEOUT");
	put("config.yaml", "store:\n  cache_kb: 256\n");
	is_int(cfg_load(&c, NULL, NULL), HERR_OK, "store.cache_kb loads");
	is_int(c.store_cache_kb, 256, "and is used");
	cfg_release(&c);
	setenv("HERMES_STORE_CACHE_KB", "8", 1);
	is_int(cfg_load(&c, NULL, NULL), HERR_CONFIG, "a page cache below 16 KiB is refused");
	cfg_release(&c);
	unsetenv("HERMES_STORE_CACHE_KB");

	put("config.yaml", NULL);
	put(".env", "API_SERVER_KEY=abc\nbroken\n");
	is_int(cfg_load(&c, NULL, NULL), HERR_CONFIG, "broken .env");
	ok(strstr(c.err.msg, ".env line 2") != NULL, "names the .env line: %s", c.err.msg);
	is_str(c.err.code, "config_error", "code config_error");
	cfg_release(&c);
	put(".env", NULL);
	rmdir(home);
	return tap_done();
}
