#!/usr/bin/env bash
# The documentation that installs: every man page under packaging/man renders with `man --warnings`
# without a warning and has a NAME line apropos can index; bash and zsh completion complete
# commands, options, option values and policy names against the built skytune.
# Usage: tests/packaging/test-docs.sh BUILD_DIR SRC_DIR
set -euo pipefail
build=$(realpath "$1") src=$(realpath "$2")
skytune=${SKYTUNE:-$build/cli/skytune}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
checks=0

# --- man pages -----------------------------------------------------------------------------------
command -v man >/dev/null || fail "man missing: apt-get install man-db groff-base"
pages=("$src"/packaging/man/*.[1-8])
[[ ${#pages[@]} -ge 4 ]] || fail "expected skytune.1, skytune-helper.8, skytune.conf.5 and skytune-policy.5 in packaging/man"
for page in "${pages[@]}"; do
        MANWIDTH=80 man --warnings -l "$page" >"$tmp/out" 2>"$tmp/err" || fail "man -l $page failed: $(cat "$tmp/err")"
        [[ ! -s $tmp/err ]] || fail "$(basename "$page") renders with warnings: $(cat "$tmp/err")"
        [[ $(wc -l <"$tmp/out") -gt 20 ]] || fail "$(basename "$page") renders to almost nothing"
        lexgrog "$page" >/dev/null 2>&1 || fail "$(basename "$page"): no NAME line that apropos can read (lexgrog)"
        checks=$((checks + 1))
done
# skytune(1) has a section for every command the program lists.
for cmd in $("$skytune" --help | awk '/^Commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 } on && /^$/ { exit }'); do
        grep -q "^\.SS $cmd\$" "$src/packaging/man/skytune.1" || fail "skytune.1 has no section for '$cmd'"
done
checks=$((checks + 1))

# --- bash completion -----------------------------------------------------------------------------
mkdir -p "$tmp/p/local" "$tmp/p/shipped" "$tmp/bin"
touch "$tmp/p/local/web-server.conf" "$tmp/p/shipped/balanced.conf" "$tmp/p/shipped/web-server.conf"
ln -s "$skytune" "$tmp/bin/skytune"
export SKYTUNE_POLICY_PATH=$tmp/p/local:$tmp/p/shipped
if [[ -f /usr/share/bash-completion/bash_completion ]]; then
        cat >"$tmp/bash-test" <<EOF
source /usr/share/bash-completion/bash_completion
source "$src/packaging/completions/skytune.bash"
c() { COMP_WORDS=("\$@"); COMP_CWORD=\$((\$# - 1)); COMP_LINE="\$*"; COMP_POINT=\${#COMP_LINE}; COMPREPLY=(); _skytune
      printf '%s\n' "\${COMPREPLY[*]}"; }
c skytune pro
c skytune profile --f
c skytune profile --format ""
c skytune plan --policy ""
c skytune policy show w
c skytune probe s
c skytune policy ""
c skytune apply --allow-risk m
c skytune db l
c skytune db load --bu
c skytune db load --builtin s
c skytune db p
c skytune db pool-sweep --sl
c skytune db advise --sw
c skytune load me
c skytune load merge --o
c skytune load --hdr
EOF
        PATH=$tmp/bin:$PATH bash "$tmp/bash-test" >"$tmp/bash-out" 2>&1 || fail "bash completion script failed: $(cat "$tmp/bash-out")"
        want=$'profile probe\n--format --from --full\ntext json prometheus\nbalanced web-server\nweb-server\nsched\nlist show check keys\nmedium\nload\n--builtin\nselect-only suite\npool-sweep\n--slo-p95\n--sweep\nmerge\n--out\n--hdr-log'
        [[ $(cat "$tmp/bash-out") == "$want" ]] || fail "bash completion: got"$'\n'"$(cat "$tmp/bash-out")"$'\n'"want"$'\n'"$want"
        checks=$((checks + 1))
else
        echo "SKIP (bash completion): /usr/share/bash-completion/bash_completion missing (apt-get install bash-completion)"
fi

# --- zsh completion, driven through a pseudo-terminal --------------------------------------------
if command -v zsh >/dev/null; then
        cat >"$tmp/zsh-test" <<'EOF'
zmodload zsh/zpty
zpty z zsh -f -i
zpty -w z "PATH=$1:\$PATH; fpath=($2 \$fpath); autoload -Uz compinit; compinit -u -D; PS1='%% '"
drain() { local chunk all=; sleep 0.7; while zpty -r -t z chunk; do all+=$chunk; done; print -r -- "$all" }
drain >/dev/null
# Type a line and TAB, print what the line became, then clear it (Ctrl-U).
try() { zpty -w -n z "$1"$'\t'; local out=$(drain); zpty -w -n z $'\C-u'; drain >/dev/null
        print -r -- "${${out//$'\e'\[[0-9;?]#[a-zA-Z]/}//[$'\r\b']/}" }
try 'skytune profi'
try 'skytune plan --allow-r'
try 'skytune profile --format prom'
try 'skytune plan --policy web'
try 'skytune probe sch'
try 'skytune policy ch'
try 'skytune db lo'
try 'skytune db poo'
try 'skytune load mer'
try 'skytune load --hdr-l'
zpty -d z
EOF
        zsh -f "$tmp/zsh-test" "$tmp/bin" "$src/packaging/completions" >"$tmp/zsh-out" 2>&1 || true
        for want in 'skytune profile ' 'skytune plan --allow-risk' 'skytune profile --format prometheus' \
                    'skytune plan --policy web-server' 'skytune probe sched' 'skytune policy check' \
                    'skytune db load' 'skytune db pool-sweep' 'skytune load merge' 'skytune load --hdr-log'; do
                grep -qF -- "$want" "$tmp/zsh-out" || fail "zsh completion did not produce '$want'; it printed: $(tr -d '\000-\011\013-\037' <"$tmp/zsh-out" | tail -n 20)"
        done
        checks=$((checks + 1))
else
        echo "SKIP (zsh completion): zsh missing (apt-get install zsh)"
fi
echo "test-docs: $checks passed, 0 failed"
