/* tests/unit/test_cfg.c: configuration sources and their precedence; the
 * models list (the implicit entry, picking by name, the refusals). */
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

/* ---- models: (util/cfg_models.c) ---------------------------------------------- */

static const char two[] =
	"models:\n"
	"  - name: local\n"
	"    base_url: http://127.0.0.1:11434/v1\n"
	"    model: llama3.2\n"
	"    api_key_env: OLLAMA_KEY\n"
	"    context_length: 8192\n"
	"    temperature: 0.5\n"
	"  - name: remote\n"
	"    base_url: https://openrouter.ai/api/v1\n"
	"    model: anthropic/claude-sonnet-4\n"
	"    api_key: sk-remote\n"
	"    max_tokens: 1000\n"
	"    reasoning_effort: high\n"
	"    default: true\n";

/* A list that must be refused, with a message containing want. */
static void refused(const char *yaml, const char *want, const char *desc)
{
	struct cfg c;

	put("config.yaml", yaml);
	is_int(cfg_load(&c, NULL, NULL), HERR_CONFIG, desc);
	ok(strstr(c.err.msg, want) != NULL, "… says '%s': %s", want, c.err.msg);
	cfg_release(&c);
}

static void implicit(void)
{
	struct cfg c;

	setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1", 1);
	setenv("HERMES_MODEL", "m1", 1);
	is_int(cfg_load(&c, NULL, NULL), HERR_OK, "no models: list loads");
	is_int((long long)c.models.n, 1, "one implicit entry");
	ok(!c.models.listed && !c.models.strict, "not listed, forgiving");
	is_str(c.models.v[0].name, "hermes-agent", "named after the alias");
	is_str(c.models.v[0].base_url, "http://127.0.0.1:9/v1", "OPENAI_BASE_URL");
	is_str(c.models.v[0].model, "m1", "HERMES_MODEL");
	ok(cfg_models_pick(&c.models, "gpt-4o", "hermes-agent") == &c.models.v[0],
	   "any name picks it");
	cfg_release(&c);
	setenv("HERMES_MODEL_STRICT", "true", 1);
	is_int(cfg_load(&c, NULL, NULL), HERR_OK, "HERMES_MODEL_STRICT=true loads");
	ok(cfg_models_pick(&c.models, "gpt-4o", "hermes-agent") == NULL, "then unknown names fail");
	ok(cfg_models_pick(&c.models, "hermes-agent", "hermes-agent") != NULL, "the alias does not");
	cfg_release(&c);
	setenv("HERMES_MODEL_STRICT", "maybe", 1);
	is_int(cfg_load(&c, NULL, NULL), HERR_CONFIG, "a strict that is no boolean is refused");
	cfg_release(&c);
	unsetenv("HERMES_MODEL_STRICT");
	unsetenv("OPENAI_BASE_URL");
	unsetenv("HERMES_MODEL");
}

static void listed(void)
{
	struct cfg c;
	const struct cfg_model *m;

	put(".env", "OLLAMA_KEY=from-dotenv\n");
	put("config.yaml", two);
	is_int(cfg_load(&c, NULL, NULL), HERR_OK, "a two-model list loads");
	ok(c.models.listed && c.models.strict, "listed, strict by default");
	is_int((long long)c.models.def, 1, "default: true marks the default");
	m = cfg_models_pick(&c.models, "local", "hermes-agent");
	is_str(m ? m->model : NULL, "llama3.2", "local picks llama3.2");
	is_str(m ? m->api_key : NULL, "from-dotenv", "api_key_env read from .env");
	ok(m && m->context_length == 8192 && m->temperature_set && m->temperature == 0.5,
	   "context_length and temperature");
	m = cfg_models_pick(&c.models, NULL, "hermes-agent");
	is_str(m ? m->name : NULL, "remote", "no name picks the default");
	ok(m && m->max_tokens == 1000 && !m->temperature_set, "the default's max_tokens");
	is_str(m ? m->reasoning_effort : NULL, "high", "… and reasoning_effort");
	is_str(cfg_models_pick(&c.models, "hermes-agent", "hermes-agent")->name, "remote",
	       "the alias picks the default");
	ok(cfg_models_pick(&c.models, "gpt-4o", "hermes-agent") == NULL, "unknown: NULL (strict)");
	is_str(cfg_models_named(&c.models, "gone")->name, "remote",
	       "a run's name that is gone runs on the default");
	cfg_release(&c);

	setenv("OLLAMA_KEY", "from-env", 1);
	put("config.yaml", "model:\n  strict: false\n");
	{
		char y[2048];

		snprintf(y, sizeof(y), "model:\n  strict: false\n%s", two);
		put("config.yaml", y);
	}
	is_int(cfg_load(&c, NULL, NULL), HERR_OK, "model.strict: false loads");
	is_str(cfg_models_pick(&c.models, "gpt-4o", "hermes-agent")->name, "remote",
	       "unknown names pick the default");
	is_str(c.models.v[0].api_key, "from-env", "the environment beats .env for api_key_env");
	cfg_release(&c);
	unsetenv("OLLAMA_KEY");
	put(".env", NULL);

	put("config.yaml", "models:\n  - name: a\n    base_url: http://x/v1\n");
	is_int(cfg_load(&c, NULL, NULL), HERR_OK, "one entry without default: true");
	is_int((long long)c.models.def, 0, "the first is the default");
	ok(c.models.v[0].api_key == NULL && c.models.v[0].model == NULL, "no key, no model id");
	cfg_release(&c);
}

/* A number past a 32-bit long (armhf) is refused, never cut short (it was
 * read as 1024 there); a 64-bit long keeps it. */
static void past_long(void)
{
	struct cfg c;
	enum herr rc;

	put("config.yaml", "models:\n  - name: a\n    base_url: http://x/v1\n"
	    "    context_length: 4294968320\n    max_tokens: 4294967297\n");
	rc = cfg_load(&c, NULL, NULL);
	ok(rc == HERR_CONFIG ||
	   (rc == HERR_OK && (long long)c.models.v[0].context_length == 4294968320LL &&
	    (long long)c.models.v[0].max_tokens == 4294967297LL),
	   "context_length 2^32 + 1024 and max_tokens 2^32 + 1: refused or kept whole (%d)", (int)rc);
	cfg_release(&c);
}

/* The models list (util/cfg_models.h). */
static void models(void)
{
	unsetenv("API_SERVER_MODEL_NAME");
	unsetenv("HERMES_MODEL_STRICT");
	implicit();
	listed();
	refused("models: local\n", "models must be a list", "models: as a scalar");
	refused("models: []\n", "1 to 64", "an empty list");
	refused("models:\n  - name: a\n    base_url: http://x/v1\n  - name: a\n    base_url: http://y/v1\n",
		"used twice", "a name used twice");
	refused("models:\n  - name: a\n    base_url: http://x/v1\n    default: true\n"
		"  - name: b\n    base_url: http://y/v1\n    default: true\n",
		"only one entry", "two defaults");
	refused("models:\n  - name: a\n", "base_url is required", "no base_url");
	refused("models:\n  - name: a\n    base_url: ftp://x/\n", "http:// or https://", "ftp base_url");
	refused("models:\n  - base_url: http://x/v1\n", "name is required", "no name");
	refused("models:\n  - name: a\n    base_url: http://x/v1\n    api_key: k\n    api_key_env: K\n",
		"not both", "api_key and api_key_env");
	refused("models:\n  - name: a\n    base_url: http://x/v1\n    temperature: 3\n",
		"temperature", "temperature 3");
	refused("models:\n  - name: a\n    base_url: http://x/v1\n    context_length: big\n",
		"context_length", "context_length not a number");
	refused("models:\n  - just a string\n", "must be a mapping", "an entry that is no mapping");
	past_long();
	refused("x: 1\nmodels:\n  - name: a\n    base_url: http://x/v1\n  - name: [b]\n",
		"line 5", "the message names the entry's line");
	put("config.yaml", NULL);
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
	cfg_load(&c, NULL, NULL);
	is_int(c.runner_mode, CFG_RUNNER_DAEMON, "runner.mode defaults to daemon");
	is_str(c.runner_mode_name, "daemon", "named daemon");
	cfg_release(&c);
	put("config.yaml", "runner:\n  mode: cron\n");
	is_int(cfg_load(&c, NULL, NULL), HERR_OK, "runner.mode cron loads");
	is_int(c.runner_mode, CFG_RUNNER_CRON, "and is cron");
	cfg_release(&c);
	setenv("HERMES_RUNNER_MODE", "inline", 1);
	cfg_load(&c, NULL, NULL);
	is_int(c.runner_mode, CFG_RUNNER_INLINE, "HERMES_RUNNER_MODE beats config.yaml");
	is_int(c.runner_inline_seconds, 120, "runner.inline_seconds defaults to 120");
	cfg_release(&c);
	unsetenv("HERMES_RUNNER_MODE");
	put("config.yaml", "runner:\n  mode: sometimes\n");
	is_int(cfg_load(&c, NULL, NULL), HERR_CONFIG, "an unknown runner.mode is refused");
	ok(strstr(c.err.msg, "line 2: key runner.mode must be daemon, cron or inline, not "
		  "'sometimes'") != NULL, "names line, key and the words: %s", c.err.msg);
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
	models();
	rmdir(home);
	return tap_done();
}
