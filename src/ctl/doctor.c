/* src/ctl/doctor.c: installation checks with a fix for each problem.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "ctl/doctor.h"

#include "util/lazy_curl.h"
#include <errno.h>
#include <json-c/json.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <sys/stat.h>

#include "ctl/ownership.h"
#include "runner/runner.h"
#include "store/store.h"
#include "tools/confine.h"
#include "util/auth.h"
#include "util/buf.h"
#include "util/cfg.h"
#include "util/jsonx.h"

#define DOCTOR_TIMEOUT_S 10L
#define DOCTOR_BODY_MAX (1024 * 1024)

struct tally {
	FILE *out;
	int fails;
};

static void ok(struct tally *t, const char *check, const char *what)
{
	fprintf(t->out, "ok %s: %s\n", check, what);
}

static void warn(struct tally *t, const char *check, const char *problem, const char *fix)
{
	fprintf(t->out, "warn %s: %s fix: %s\n", check, problem, fix);
}

static void fail(struct tally *t, const char *check, const char *problem, const char *fix)
{
	fprintf(t->out, "FAIL %s: %s fix: %s\n", check, problem, fix);
	t->fails++;
}

static void check_mode(struct tally *t, const char *check, const char *path, mode_t want,
		       int required)
{
	struct stat st;
	char problem[600], fix[600];

	if(stat(path, &st) != 0) {
		snprintf(problem, sizeof(problem), "%s: %s.", path, strerror(errno));
		if(required)
			fail(t, check, problem, "run 'hermesctl init' (as the user the web server runs "
			     "hermes-fcgi as) or set HERMES_HOME to the right directory.");
		else
			ok(t, check, "not present (optional)");
		return;
	}
	if(st.st_mode & 077 & ~want) {
		snprintf(problem, sizeof(problem), "%s is mode %04o; others can read secrets.", path,
			 (unsigned)(st.st_mode & 07777));
		snprintf(fix, sizeof(fix), "chmod %04o %s", (unsigned)want, path);
		warn(t, check, problem, fix);
		return;
	}
	snprintf(problem, sizeof(problem), "%s (mode %04o)", path, (unsigned)(st.st_mode & 07777));
	ok(t, check, problem);
}

static const char *user_name(uid_t uid, char *out, size_t cap)
{
	struct passwd *pw = getpwuid(uid);

	if(pw && pw->pw_name)
		snprintf(out, cap, "%s", pw->pw_name);
	else
		snprintf(out, cap, "uid %lu", (unsigned long)uid);
	return out;
}

/* Every file under HERMES_HOME should belong to the responders' user, the
 * owner of HERMES_HOME: one left by root (hermesctl under sudo, a responder
 * started as root) breaks later turns. */
static void check_ownership(struct tally *t, const struct cfg *cfg, const struct stat *home)
{
	struct ownership_scan scan;
	struct passwd *pw = getpwuid(home->st_uid);
	gid_t gid = pw ? pw->pw_gid : 0;   /* copied: user_name() reuses pw's storage */
	struct group *gr;
	char owner[64], who[64], problem[1400], fix[600];
	size_t used;

	user_name(home->st_uid, owner, sizeof(owner));
	if(home->st_uid == 0 && !cfg->allow_root) {
		snprintf(problem, sizeof(problem), "%s is owned by root; hermes-fcgi refuses to run "
			 "as root (security.allow_root), so its responders cannot own it.", cfg->home);
		snprintf(fix, sizeof(fix), "chown -R hermes:hermes %s and run the responders as "
			 "hermes (docs/security.md).", cfg->home);
		warn(t, "ownership", problem, fix);
		return;
	}
	scan.want = home->st_uid;
	ctl_ownership_scan(cfg->home, &scan);
	if(!scan.foreign) {
		snprintf(problem, sizeof(problem), "%zu entries under %s, all owned by %s%s", scan.seen,
			 cfg->home, owner, scan.truncated ? " (walk stopped at its bound)" : "");
		ok(t, "ownership", problem);
		return;
	}
	used = (size_t)snprintf(problem, sizeof(problem), "%zu of %zu entries under %s are not "
				"owned by %s, the owner of HERMES_HOME and so the responders' user:",
				scan.foreign, scan.seen, cfg->home, owner);
	for(size_t i = 0; i < scan.foreign && i < OWNERSHIP_SHOWN && used < sizeof(problem); i++)
		used += (size_t)snprintf(problem + used, sizeof(problem) - used, " %s (%s)%s",
					 scan.shown[i], user_name(scan.shown_uid[i], who, sizeof(who)),
					 i + 1 < scan.foreign ? "," : ".");
	if(scan.foreign > OWNERSHIP_SHOWN && used < sizeof(problem))
		snprintf(problem + used, sizeof(problem) - used, " ...");
	if(pw && (gr = getgrgid(gid)) != NULL)
		snprintf(fix, sizeof(fix), "chown -R %s:%s %s (hermesctl run as root switches to "
			 "%s by itself; for other tools use runuser -u %s -- ...)", owner, gr->gr_name,
			 cfg->home, owner, owner);
	else
		snprintf(fix, sizeof(fix), "chown -R %lu %s", (unsigned long)home->st_uid, cfg->home);
	fail(t, "ownership", problem, fix);
}

static size_t collect(char *p, size_t size, size_t n, void *ud)
{
	struct buf *b = ud;

	if(buf_add(b, p, size * n))
		return 0;
	return size * n;
}

static void check_upstream(struct tally *t, const char *check, const char *base_url,
			   const char *key)
{
	CURL *c;
	CURLcode cc;
	struct curl_slist *hdr = NULL;
	struct buf url, body, auth;
	char problem[1024];
	long status = 0;
	struct herror lib_err = { 0 };

	if(!base_url || !*base_url) {
		warn(t, check, "no upstream LLM is configured, so agent endpoints cannot answer.",
		     "set OPENAI_BASE_URL (and OPENAI_API_KEY) in $HERMES_HOME/.env, or model.base_url "
		     "in config.yaml, then restart the web server.");
		return;
	}
	buf_init(&url, 8192);
	buf_init(&body, DOCTOR_BODY_MAX);
	buf_init(&auth, 8192);
	if(buf_addf(&url, "%s%smodels", base_url,
		    base_url[strlen(base_url) - 1] == '/' ? "" : "/")) {
		fail(t, check, "base_url is too long.", "shorten OPENAI_BASE_URL.");
		goto out;
	}
	c = lazy_curl_load(&lib_err) ? NULL : curl_easy_init();
	if(!c) {
		fail(t, check, lib_err.rc ? lib_err.msg : "libcurl could not start.", "check the libcurl installation.");
		goto out;
	}
	if(key && *key &&
	   !buf_addf(&auth, "Authorization: Bearer %s", key))
		hdr = curl_slist_append(hdr, buf_str(&auth));
	curl_easy_setopt(c, CURLOPT_URL, buf_str(&url));
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, DOCTOR_TIMEOUT_S);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 5L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
	cc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	if(cc != CURLE_OK) {
		snprintf(problem, sizeof(problem), "GET %s failed: %s.", buf_str(&url),
			 curl_easy_strerror(cc));
		fail(t, check, problem, "start the upstream server or correct OPENAI_BASE_URL "
		     "(it should end in /v1 for OpenAI-compatible servers).");
	} else if(status == 401 || status == 403) {
		snprintf(problem, sizeof(problem), "GET %s answered %ld: the upstream rejected the key.",
			 buf_str(&url), status);
		fail(t, check, problem, "set OPENAI_API_KEY (or model.api_key) to a valid key.");
	} else if(status != 200) {
		snprintf(problem, sizeof(problem), "GET %s answered HTTP %ld.", buf_str(&url), status);
		fail(t, check, problem, "check OPENAI_BASE_URL: it should be the API root "
		     "that serves /models (often ending in /v1).");
	} else {
		struct json_object *j = json_tokener_parse(buf_str(&body));
		struct json_object *data = NULL;
		size_t models = 0;

		if(j && json_object_object_get_ex(j, "data", &data) &&
		   json_object_is_type(data, json_type_array))
			models = json_object_array_length(data);
		snprintf(problem, sizeof(problem), "GET %s answered 200 (%zu models)", buf_str(&url),
			 models);
		ok(t, check, problem);
		json_object_put(j);
	}
	curl_slist_free_all(hdr);
	curl_easy_cleanup(c);
out:
	buf_release(&url);
	buf_release(&body);
	buf_release(&auth);
}

/* Runs queued with no runner alive wait forever: say so. */
static void check_runner(struct tally *t, const struct cfg *cfg)
{
	struct store_opts so;
	struct store *s = NULL;
	struct json_object *info;
	struct herror err;
	int64_t queued;
	char line[4200];
	struct stat st;

	herr_clear(&err);
	/* Never create state.db (nor HERMES_HOME) from the doctor. */
	snprintf(line, sizeof(line), "%s/state.db", cfg->home);
	if(stat(line, &st) != 0)
		return;
	store_opts_from_cfg(cfg, &so);
	if(store_open(&so, &s, &err))
		return; /* the store check of `hermesctl store check` says why */
	runner_info(cfg->home, s, &info);
	queued = json_object_get_int64(json_object_object_get(info, "queued"));
	if(json_object_get_boolean(json_object_object_get(info, "running"))) {
		snprintf(line, sizeof(line), "hermes-runner is running (pid %s), %lld run%s queued",
			 json_object_get_string(json_object_object_get(info, "pid")),
			 (long long)queued, queued == 1 ? "" : "s");
		ok(t, "runner", line);
	} else if(queued > 0 && cfg->runner_mode == CFG_RUNNER_INLINE) {
		snprintf(line, sizeof(line), "%lld run%s queued; runner.mode inline: a request that "
			 "reads a run's events works the queue", (long long)queued,
			 queued == 1 ? " is" : "s are");
		ok(t, "runner", line);
	} else if(queued > 0) {
		snprintf(line, sizeof(line), "%lld run%s queued and no hermes-runner is running; "
			 "the oldest has waited %s s.", (long long)queued, queued == 1 ? " is" : "s are",
			 json_object_get_string(json_object_object_get(info, "oldest_queued_age_s")));
		warn(t, "runner", line, cfg->runner_mode == CFG_RUNNER_CRON ?
		     "runner.mode is cron: check that the crontab line of docs/operations.md "
		     "(hermesctl runner run-once) is installed (crontab -l) and see "
		     "logs/runner-cron.log." :
		     "run 'hermesctl runner start' (a POST /v1/runs also starts "
		     "it), or install fcgi/hermes-runner.service, or set runner.mode: cron "
		     "(docs/operations.md) where background processes are killed.");
	} else {
		ok(t, "runner", cfg->runner_mode == CFG_RUNNER_DAEMON ?
		   "no run is queued (hermes-runner starts on the next POST /v1/runs)" :
		   cfg->runner_mode == CFG_RUNNER_CRON ?
		   "no run is queued (runner.mode cron: hermesctl runner run-once works them)" :
		   "no run is queued (runner.mode inline: a reader of a run's events works them)");
	}
	json_object_put(info);
	store_close(s);
}

/* The confinement level of the exec tools and what the kernel offers. */
static void check_confinement(struct tally *t, const struct cfg *cfg)
{
	struct tool_confine tc;
	struct herror err;
	char line[800];

	herr_clear(&err);
	if(tool_confine_init(&tc, cfg, &err)) {
		fail(t, "confinement", err.msg, "set tools.confinement to strict, basic or off.");
		return;
	}
	snprintf(line, sizeof(line), "tools.confinement %s (%s backend), tools.network %s; kernel: "
		 "landlock ABI %d, user+PID namespace %s, pids cgroup %s%s%s",
		 tool_confine_level_name(tc.level), tc.bwrap[0] ? "bubblewrap" : "native",
		 tc.net == TOOL_NET_ANY ? "any" : tc.net == TOOL_NET_NONE ? "none" : "upstream-only",
		 tc.f.landlock_abi, tc.f.userns ? "yes" : "no", tc.f.cgroup_pids ? "yes" : "no",
		 tc.missing[0] ? "; lacks " : "", tc.missing);
	if(tc.level == TOOL_CONFINE_OFF)
		warn(t, "confinement", "tools.confinement is off: terminal and execute_code can read "
		     ".env, state.db and every file this user can.", "set tools.confinement: basic "
		     "(or strict) in config.yaml.");
	else if(tc.level == TOOL_CONFINE_STRICT && tc.missing[0])
		fail(t, "confinement", line, "terminal and execute_code refuse to run: use a kernel "
		     "with what is missing, or set tools.confinement: basic.");
	else if(tc.missing[0])
		warn(t, "confinement", line, "docs/security.md says what each missing feature "
		     "leaves open.");
	else
		ok(t, "confinement", line);
	tool_confine_release(&tc);
}

int ctl_doctor(FILE *out)
{
	struct tally t = { out, 0 };
	struct cfg cfg;
	struct stat st;
	enum auth_key_state ks;
	char line[600];

	cfg_load(&cfg, NULL, NULL);
	if(stat(cfg.home, &st) != 0 || !S_ISDIR(st.st_mode)) {
		snprintf(line, sizeof(line), "HERMES_HOME %s does not exist or is not a directory.",
			 cfg.home);
		fail(&t, "home", line, "run 'hermesctl init' as the user that runs hermes-fcgi, "
		     "or set HERMES_HOME.");
	} else {
		check_mode(&t, "home", cfg.home, 0700, 1);
		check_mode(&t, "env-file", cfg.env_path, 0600, 0);
		check_mode(&t, "config-file", cfg.yaml_path, 0600, 0);
		check_ownership(&t, &cfg, &st);
	}
	if(cfg.env_broken) {
		fail(&t, "env-file", cfg.err.msg, "edit that line of .env so it reads NAME=value "
		     "(quote a value with spaces or #). Do not run 'hermesctl init --force': it "
		     "writes a new .env with a new key.");
	} else if(cfg.err.rc) {
		fail(&t, "config", cfg.err.msg, "correct that line; hermes-fcgi answers 500 "
		     "config_error until it parses.");
	} else {
		ok(&t, "config", "the environment, .env and config.yaml parse");
	}
	ks = auth_key_state(cfg.api_key);
	if(cfg.env_broken)
		fail(&t, "api-key", "unknown: .env does not parse, so its API_SERVER_KEY cannot be "
		     "read.", "fix .env first (see env-file); the key in it stays valid.");
	else if(ks == AUTH_KEY_OK)
		ok(&t, "api-key", "API_SERVER_KEY is set and strong");
	else
		fail(&t, "api-key", auth_key_problem(ks), "run 'hermesctl init --force' to "
		     "generate a strong key.");
	if(!cfg.err.rc && cfg.models.listed) {
		for(size_t i = 0; i < cfg.models.n; i++) {
			snprintf(line, sizeof(line), "upstream %s", cfg.models.v[i].name);
			check_upstream(&t, line, cfg.models.v[i].base_url, cfg.models.v[i].api_key);
		}
	} else if(!cfg.err.rc) {
		check_upstream(&t, "upstream", cfg.base_url, cfg.upstream_key);
	}
	if(!cfg.err.rc)
		check_runner(&t, &cfg);
	if(!cfg.err.rc)
		check_confinement(&t, &cfg);
	cfg_release(&cfg);
	fprintf(out, "%s\n", t.fails ? "doctor: problems found" : "doctor: all checks passed");
	return t.fails ? 1 : 0;
}
