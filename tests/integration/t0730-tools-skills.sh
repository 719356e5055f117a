#!/bin/bash
# tests/integration/t0730-tools-skills.sh: skills_list and skill_view through
# the agent loop (`hermesctl chat` against the scripted upstream), with a
# skills directory holding two valid skills in categories, one without a
# category and one broken SKILL.md. Checked: the list the upstream receives,
# the warning naming the broken file, skill_view's text and sibling files,
# file_path confinement, and a skill's required_environment_variables: the
# set one reaches execute_code's child in the same turn (and not in the
# next), the missing one is reported as "setup needed".
# SPDX-License-Identifier: MIT
. "$top_srcdir/tests/integration/tap.sh"
tap_tmpdir
. "$top_srcdir/tests/integration/upstream.sh"
start_upstream
agent_env
export API_SERVER_TOOLSETS=web,skills,memory,code_execution
unset HERMES_WEB_ALLOW_PRIVATE MISSING_SKILL_VAR
export MY_SKILL_VAR=from-the-server

# ---- the skills directory -------------------------------------------------------
S="$HERMES_HOME/skills"
mkdir -p "$S/devops/deploy/references" "$S/devops/deploy/scripts" "$S/notes/scratchpad" \
	"$S/broken/bad" "$S/standalone"
cat >"$S/devops/deploy/SKILL.md" <<'EOF'
---
name: deploy
description: Deploy the app to staging.
version: 1.2.0
required_environment_variables:
  - MY_SKILL_VAR
  - name: MISSING_SKILL_VAR
    prompt: the missing one
---
# Deploy

Run scripts/deploy.sh, then check the DEPLOY_BODY_MARKER list.
EOF
printf 'checklist: CHECKLIST_MARKER\n' >"$S/devops/deploy/references/checklist.md"
printf '#!/bin/sh\necho deploying\n' >"$S/devops/deploy/scripts/deploy.sh"
cat >"$S/notes/scratchpad/SKILL.md" <<'EOF'
# Scratchpad

Keep running notes in a file.
EOF
printf -- '---\nname: solo\ndescription: A skill without a category.\n---\nSolo.\n' \
	>"$S/standalone/SKILL.md"
printf -- '---\nname: bad\ndescription: [never closed\n---\nbody\n' >"$S/broken/bad/SKILL.md"
printf 'outside\n' >"$TAP_TMP/outside.txt"
ln -s "$TAP_TMP/outside.txt" "$S/devops/deploy/link.md"

# ---- skills_list ----------------------------------------------------------------------
script_upstream "[$(call l1 skills_list '{}'), {\"reply\":\"listed\"}]"
chat "what skills are there?"
tap_is $? 0 "a turn with skills_list completes"
tap_is "$(cat "$TAP_TMP/out")" "listed" "final answer printed"
r=$(tool_result 1 l1)
tap_like "$r" "^3 skills\." "three skills listed (the broken one left out)"
tap_is "$(printf '%s\n' "$r" | grep '^- ')" "$(printf '%s\n' \
	'- solo: A skill without a category.' \
	'- deploy [devops]: Deploy the app to staging.' \
	'- scratchpad [notes]: Keep running notes in a file.')" \
	"names, categories and descriptions, sorted by (category, name)"
tap_like "$(cat "$TAP_TMP/err")" "WARNING .*skipping broken $S/broken/bad/SKILL.md" \
	"a warning in stderr names the broken file"
tap_like "$(upstream_requests | jq_py '[t["function"]["name"] for t in d[0]["body"]["tools"]]')" \
	"'skills_list', 'skill_view'" "both skill tools are offered"

# ---- skill_view, then execute_code sees the skill's variable ---------------------------
script_upstream "[$(call v1 skill_view '{"name":"deploy"}'),
 $(call x1 execute_code '{"language":"sh","code":"echo \"V=${MY_SKILL_VAR:-unset} M=${MISSING_SKILL_VAR:-unset}\""}'),
 {\"reply\":\"viewed\"}]"
chat "use the deploy skill"
tap_is $? 0 "a turn with skill_view and execute_code completes"
r=$(tool_result 1 v1)
tap_like "$r" "^Skill: deploy \(category devops\)" "skill_view names the skill"
tap_like "$r" "DEPLOY_BODY_MARKER" "skill_view returns the SKILL.md text"
tap_like "$r" "required_environment_variables" "the front matter is part of the text"
tap_like "$r" "- references/checklist\.md" "sibling files listed: references/"
tap_like "$r" "- scripts/deploy\.sh" "sibling files listed: scripts/"
tap_like "$r" "- link\.md" "a symlink in the folder is listed"
tap_like "$r" "MY_SKILL_VAR: available" "the set variable is reported available"
tap_like "$r" "setup needed: MISSING_SKILL_VAR" "the missing variable: setup needed"
r=$(tool_result 2 x1)
tap_like "$r" "V=from-the-server M=unset" "execute_code's child sees the registered variable"

script_upstream "[$(call x2 execute_code '{"language":"sh","code":"echo \"V=${MY_SKILL_VAR:-unset}\""}'),
 {\"reply\":\"again\"}]"
chat "run it again without the skill"
tap_like "$(tool_result 1 x2)" "V=unset" "the registration lasts one turn: without skill_view the variable is scrubbed"

# ---- skill_view file_path, and its limits ------------------------------------------
script_upstream "[$(call f1 skill_view '{"name":"deploy","file_path":"references/checklist.md"}'),
 $(call f2 skill_view '{"name":"deploy","file_path":"../../notes/scratchpad/SKILL.md"}'),
 $(call f3 skill_view '{"name":"deploy","file_path":"link.md"}'),
 $(call f4 skill_view '{"name":"bad"}'),
 {\"reply\":\"files\"}]"
chat "read the checklist"
tap_like "$(tool_result 1 f1)" "CHECKLIST_MARKER" "file_path returns a sibling file"
tap_like "$(tool_result 2 f2)" "^Error: file_path must be a path inside the skill's folder" "'..' is refused"
tap_like "$(tool_result 3 f3)" "^Error: 'link.md' leads outside the skill's folder" \
	"a symlink leading out of the folder is refused"
tap_like "$(tool_result 4 f4)" "^Error: there is no skill named 'bad'" "the broken skill cannot be viewed"
tap_end
