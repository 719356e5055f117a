#!/bin/bash
# tests/integration/t0110-config.sh: where settings come from (environment >
# $HERMES_HOME/.env > $HERMES_HOME/config.yaml) and what a broken file does
# (500 config_error naming file and line, a log line saying the same).
# Observed through the advertised model name of GET /v1/models, as CGI.
# SPDX-License-Identifier: MIT
. "$top_srcdir/tests/integration/lib.sh"

need "$HERMES_FCGI" "$PYTHON"

AUTH="HTTP_AUTHORIZATION=Bearer $TEST_KEY"
home=$T/home
mk_home "$home"
CGI_HOME=$home
: > "$T/stderr.all"

# model_name [VAR=VALUE...]: the id /v1/models advertises.
model_name() {
	cgi PATH_INFO=/v1/models "$AUTH" "$@"
	cat "$CGI_ERR" >> "$T/stderr.all"
	if [ "$RESP_STATUS" = 200 ]; then
		jget 'j["data"][0]["id"]'
	else
		echo "status $RESP_STATUS: $(head -c 300 "$RESP_BODY")"
	fi
}

write_yaml() {
	cat > "$home/config.yaml" <<EOF
# test config
model:
  default: some-upstream-model
  base_url: http://127.0.0.1:9/v1
platforms:
  api_server:
    enabled: true
    extra:
      model_name: $1
EOF
	chmod 0600 "$home/config.yaml"
}

write_env() { # KEY=VALUE lines after the API key
	(
		umask 077
		printf 'API_SERVER_KEY=%s\n' "$TEST_KEY"
		for l in "$@"; do printf '%s\n' "$l"; done
	) > "$home/.env"
}

# ---- precedence -----------------------------------------------------------------
is "$(model_name)" hermes-agent "no setting anywhere: hermes-agent"

write_yaml yaml-model
is "$(model_name)" yaml-model "config.yaml platforms.api_server.extra.model_name is used"

write_env 'API_SERVER_MODEL_NAME=dotenv-model'
is "$(model_name)" dotenv-model ".env API_SERVER_MODEL_NAME wins over config.yaml"

is "$(model_name API_SERVER_MODEL_NAME=env-model)" env-model \
	"environment API_SERVER_MODEL_NAME wins over .env and config.yaml"

write_env '# a comment' '' 'export API_SERVER_MODEL_NAME="quoted model"  # trailing comment'
is "$(model_name)" "quoted model" ".env: comments, blank lines, export, double quotes"

write_env "API_SERVER_MODEL_NAME='single # not a comment'"
is "$(model_name)" "single # not a comment" ".env: single quotes keep # inside"

write_env
rm -f "$home/config.yaml"
cat > "$home/config.yaml" <<'EOF'
platforms:
  api_server:
    extra:
      model_name: "yaml quoted"
      cors_origins:
        - https://a.example
        - https://b.example
EOF
is "$(model_name)" "yaml quoted" "config.yaml: a quoted scalar"
cgi PATH_INFO=/v1/models "$AUTH" HTTP_ORIGIN=https://b.example
is "$RESP_STATUS $(hdr Access-Control-Allow-Origin)" "200 https://b.example" \
	"config.yaml: cors_origins as a YAML list"

# The key itself from the environment beats the one in .env.
cgi PATH_INFO=/v1/models "HTTP_AUTHORIZATION=Bearer $WRONG_KEY" API_SERVER_KEY=$WRONG_KEY
is "$RESP_STATUS" 200 "API_SERVER_KEY in the environment wins over .env"
cgi PATH_INFO=/v1/models "$AUTH" API_SERVER_KEY=$WRONG_KEY
is "$RESP_STATUS" 401 "... and the .env key is then refused"

# Key from config.yaml when neither environment nor .env has one.
printf '# no key here\n' > "$home/.env"
cat > "$home/config.yaml" <<EOF
platforms:
  api_server:
    extra:
      key: $WRONG_KEY
EOF
cgi PATH_INFO=/v1/models "HTTP_AUTHORIZATION=Bearer $WRONG_KEY"
is "$RESP_STATUS" 200 "platforms.api_server.extra.key in config.yaml is the key when .env has none"
cgi PATH_INFO=/v1/models
is "$RESP_STATUS" 401 "... and it is enforced"

# HERMES_HOME from the environment: another home, another name.
other=$T/other
mk_home "$other"
printf 'API_SERVER_MODEL_NAME=other-home\n' >> "$other/.env"
is "$(model_name HERMES_HOME="$other")" other-home "HERMES_HOME selects the directory read"

# ---- broken files ------------------------------------------------------------------
write_env 'API_SERVER_MODEL_NAME=fine' 'this line is not valid'
rm -f "$home/config.yaml"
cgi PATH_INFO=/v1/models "$AUTH"
cat "$CGI_ERR" >> "$T/stderr.all"
check_envelope 500 config_error "a broken .env: 500 config_error"
msg=$(jget 'j["error"]["message"]')
# The key is in the broken file, so nobody can prove they hold it: the
# answer points to the log and doctor and names no file.
unlike "$msg" "$home|\.env line" "a request the broken .env cannot authenticate gets no path ($msg)"
like "$msg" "error log.*hermesctl doctor" "  it says where the detail is"
is "$(jget 'j["error"]["type"]')" server_error "error.type is server_error"
like "$(cat "$CGI_ERR")" '\.env line 3' "the log line names .env and the line"
check_security_headers "the 500 has the security headers"
cgi PATH_INFO=/health
is "$RESP_STATUS" 500 "a broken config answers 500 on /health too (never silently half-configured)"
unlike "$(cat "$RESP_BODY")" "$home|/|\.env" "  the unauthenticated /health names no path or file"
cgi PATH_INFO=/health/detailed "$AUTH" "API_SERVER_KEY=$TEST_KEY"
msg=$(jget 'j["error"]["message"]')
like "$msg" '\.env line 3' "with the key (from the environment) /health/detailed names .env and line 3 ($msg)"
cgi PATH_INFO=/health/detailed "HTTP_AUTHORIZATION=Bearer $WRONG_KEY" "API_SERVER_KEY=$TEST_KEY"
unlike "$(jget 'j["error"]["message"]')" '\.env line' "  a wrong key gets no detail"

write_env 'API_SERVER_MODEL_NAME="unterminated'
cgi PATH_INFO=/v1/models "$AUTH" "API_SERVER_KEY=$TEST_KEY"
check_envelope 500 config_error ".env with an unterminated quote: 500 config_error"
like "$(jget 'j["error"]["message"]')" '\.env line 2' "... naming line 2"

write_env
cat > "$home/config.yaml" <<'EOF'
model:
  default: x
platforms:
  api_server: [unclosed
    extra: 1
EOF
cgi PATH_INFO=/v1/models "$AUTH"
cat "$CGI_ERR" >> "$T/stderr.all"
check_envelope 500 config_error "a broken config.yaml: 500 config_error"
cgi PATH_INFO=/health
unlike "$(jget 'j["error"]["message"]')" 'config\.yaml' "  unauthenticated /health: no file named"
cgi PATH_INFO=/v1/models "$AUTH"
msg=$(jget 'j["error"]["message"]')
like "$msg" 'config\.yaml line [0-9]+' "the message names config.yaml and a line ($msg)"
like "$(cat "$CGI_ERR")" 'config\.yaml line [0-9]+' "the log line names config.yaml and the line"

cat > "$home/config.yaml" <<'EOF'
platforms:
  api_server:
    extra:
      model_name:
        nested: mapping
EOF
cgi PATH_INFO=/v1/models "$AUTH"
check_envelope 500 config_error "config.yaml with a mapping where a string belongs: 500 config_error"
msg=$(jget 'j["error"]["message"]')
like "$msg" 'config\.yaml line [0-9]+.*model_name' "... naming the file, line and key ($msg)"
rm -f "$home/config.yaml"

cgi PATH_INFO=/v1/models "$AUTH"
is "$RESP_STATUS" 200 "fixing the files fixes the next process"

# ---- secrets ------------------------------------------------------------------------
unlike "$(cat "$T/stderr.all")" "$TEST_KEY|$WRONG_KEY" "no key ever appears in stderr"

done_testing
