/* src/ctl/init.c: creating HERMES_HOME, .env and config.yaml.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "ctl/init.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/auth.h"
#include "util/buf.h"
#include "util/dotenv.h"
#include "util/fileio.h"
#include "util/jsonx.h"
#include "util/rand.h"
#include "util/str.h"
#include "util/xalloc.h"

#define INIT_FILE_MAX (1024 * 1024)

static const char config_template[] =
	"# config.yaml for hermes-fcgi (Hermes-compatible). Environment variables\n"
	"# and .env override what is set here. See docs/configuration.md.\n"
	"#\n"
	"# model:\n"
	"#   default: gpt-4o-mini          # model name sent upstream (HERMES_MODEL)\n"
	"#   provider: openai              # HERMES_PROVIDER\n"
	"#   base_url: http://127.0.0.1:8080/v1   # OpenAI-compatible upstream (OPENAI_BASE_URL)\n"
	"#   api_key: sk-...               # upstream key (OPENAI_API_KEY); better kept in .env\n"
	"#\n"
	"# models:                         # several upstreams, picked by the request's\n"
	"#   - name: local                 # \"model\" (docs/models.md); replaces the\n"
	"#     base_url: http://127.0.0.1:11434/v1   # model: settings above\n"
	"#     model: llama3.2\n"
	"#   - name: remote\n"
	"#     base_url: https://openrouter.ai/api/v1\n"
	"#     model: anthropic/claude-sonnet-4\n"
	"#     api_key_env: OPENROUTER_API_KEY\n"
	"#     default: true\n"
	"#\n"
	"# platforms:\n"
	"#   api_server:\n"
	"#     extra:\n"
	"#       model_name: hermes-agent  # advertised in /v1/models (API_SERVER_MODEL_NAME)\n"
	"#       cors_origins: []          # browser origins allowed (API_SERVER_CORS_ORIGINS)\n"
	"#\n"
	"# logging:\n"
	"#   level: info                   # debug, info, warning, error (HERMES_LOG_LEVEL)\n";

/* mkdir -p with mode for the last component. */
static int make_dirs(const char *path, mode_t mode)
{
	char *p = xstrdup(path);
	int rc = 0;

	for(char *s = p + 1; *s; s++) {
		if(*s != '/')
			continue;
		*s = '\0';
		if(mkdir(p, 0755) != 0 && errno != EEXIST)
			rc = errno;
		*s = '/';
		if(rc)
			break;
	}
	if(!rc && mkdir(p, mode) != 0 && errno != EEXIST)
		rc = errno;
	free(p);
	return rc;
}

/* The .env text with every API_SERVER_KEY line removed. */
static enum herr without_key_lines(const char *text, struct buf *out)
{
	const char *p = text;

	while(*p) {
		size_t len = strcspn(p, "\n");
		size_t tl;
		const char *t = str_trim(p, len, &tl);
		bool is_key = (tl >= 15 && strncmp(t, "API_SERVER_KEY=", 15) == 0) ||
			      (tl >= 22 && strncmp(t, "export API_SERVER_KEY=", 22) == 0);

		if(!is_key && (buf_add(out, p, len) || buf_adds(out, "\n")))
			return HERR_TOO_LARGE;
		p += len;
		if(*p == '\n')
			p++;
	}
	return HERR_OK;
}

static int write_env(const char *env_path, FILE *out, FILE *msg, bool force)
{
	struct buf old, text;
	struct json_object *parsed = NULL;
	struct herror err;
	const char *existing = NULL;
	char key[65];
	int e;

	buf_init(&old, INIT_FILE_MAX);
	buf_init(&text, INIT_FILE_MAX + 128);
	herr_clear(&err);
	e = buf_read_file(&old, env_path);
	if(e && e != ENOENT) {
		fprintf(msg, "cannot read %s: %s\n", env_path, strerror(e));
		goto fail;
	}
	if(!e) {
		if(dotenv_parse(buf_str(&old), buf_len(&old), env_path, &parsed, &err)) {
			fprintf(msg, "%s\nfix the line, or move the file away and run init again\n",
				err.msg);
			goto fail;
		}
		existing = jsonx_get_str(parsed, "API_SERVER_KEY");
		if(existing && auth_key_state(existing) == AUTH_KEY_OK && !force) {
			fprintf(msg, "API_SERVER_KEY already set in %s; keeping it "
				"(use --force to replace it)\n", env_path);
			json_object_put(parsed);
			buf_release(&old);
			return 0;
		}
		if(existing && auth_key_state(existing) != AUTH_KEY_OK)
			fprintf(msg, "replacing the weak API_SERVER_KEY in %s\n", env_path);
	}
	if(rand_hex(key, sizeof(key), 32)) {
		fprintf(msg, "cannot generate a random key (OpenSSL RAND_bytes failed)\n");
		goto fail;
	}
	if(without_key_lines(buf_str(&old), &text) ||
	   (buf_len(&text) == 0 &&
	    buf_adds(&text, "# hermes-fcgi secrets. Keep this file mode 0600.\n")) ||
	   buf_addf(&text, "API_SERVER_KEY=%s\n", key)) {
		fprintf(msg, "%s is too large\n", env_path);
		goto fail;
	}
	e = fileio_atomic_write(env_path, buf_str(&text), buf_len(&text), 0600, 0);
	if(e) {
		fprintf(msg, "cannot write %s: %s\n", env_path, strerror(e));
		goto fail;
	}
	fprintf(msg, "wrote a new API key to %s (shown once below)\n", env_path);
	fprintf(out, "API_SERVER_KEY=%s\n", key);
	json_object_put(parsed);
	buf_release(&old);
	buf_release(&text);
	return 0;
fail:
	json_object_put(parsed);
	buf_release(&old);
	buf_release(&text);
	return 1;
}

int ctl_init(const char *home, bool force, FILE *out, FILE *msg)
{
	struct buf env_path, yaml_path;
	struct stat st;
	int e, rc = 1;

	buf_init(&env_path, 8192);
	buf_init(&yaml_path, 8192);
	e = make_dirs(home, 0700);
	if(e) {
		fprintf(msg, "cannot create %s: %s\n", home, strerror(e));
		goto out;
	}
	if(stat(home, &st) != 0 || !S_ISDIR(st.st_mode)) {
		fprintf(msg, "%s is not a directory\n", home);
		goto out;
	}
	if((st.st_mode & 077) && chmod(home, 0700) == 0)
		fprintf(msg, "tightened %s to mode 0700\n", home);
	if(buf_addf(&env_path, "%s/.env", home) || buf_addf(&yaml_path, "%s/config.yaml", home)) {
		fprintf(msg, "HERMES_HOME path too long\n");
		goto out;
	}
	if(write_env(buf_str(&env_path), out, msg, force))
		goto out;
	if(stat(buf_str(&yaml_path), &st) != 0) {
		e = fileio_atomic_write(buf_str(&yaml_path), config_template,
					sizeof(config_template) - 1, 0600, 0);
		if(e) {
			fprintf(msg, "cannot write %s: %s\n", buf_str(&yaml_path), strerror(e));
			goto out;
		}
		fprintf(msg, "wrote %s (all settings commented out)\n", buf_str(&yaml_path));
	}
	rc = 0;
out:
	buf_release(&env_path);
	buf_release(&yaml_path);
	return rc;
}
