/* tests/unit/test_cfg_models.c: the models list of config.yaml, the
 * implicit single entry, picking by name and the refusals of a bad list. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tap.h"
#include "util/cfg.h"

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

int main(void)
{
	snprintf(home, sizeof(home), "%s/hermes-test-cfgm-%ld",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (long)getpid());
	mkdir(home, 0700);
	setenv("HERMES_HOME", home, 1);
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
	refused("x: 1\nmodels:\n  - name: a\n    base_url: http://x/v1\n  - name: [b]\n",
		"line 5", "the message names the entry's line");
	put("config.yaml", NULL);
	rmdir(home);
	return tap_done();
}
