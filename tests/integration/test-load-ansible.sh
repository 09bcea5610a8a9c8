#!/usr/bin/env bash
# Distributed load through Ansible (packaging/ansible/.../playbooks/load.yml): two agents, each its
# segment of one 400/s load (--segment i/2) from a common start, against the injecting test server,
# all inside a network namespace this test makes (loopback only there), then `skytune load merge` on
# the controller. The merged run has every request of both agents, twice one agent's rate, one
# latency distribution, and the agents started together; a threshold the merged run fails fails the
# play. Needs root (the namespace) and ansible-playbook; about 30 s.
set -euo pipefail
build=$(realpath "$1") src=$(realpath "$2")
[[ $(id -u) -eq 0 ]] || { echo "SKIP: needs root for a network namespace"; exit 77; }
command -v ansible-playbook >/dev/null || { echo "SKIP: no ansible-playbook (apt-get install ansible-core)"; exit 77; }
command -v jq >/dev/null || { echo "SKIP: jq is not installed"; exit 77; }
source "$src/tests/integration/lib-test.sh"
skytune=${SKYTUNE:-$build/cli/skytune}
server=${SKYTUNE_TESTSERVER:-$build/tests/skytune-testserver}
ns=skytune-load-$$
ip netns add "$ns" || { echo "SKIP: cannot make a network namespace here"; exit 77; }
trap 'cleanup; ip netns del "$ns" 2>/dev/null || true' EXIT
ip netns exec "$ns" ip link set lo up

ip netns exec "$ns" "$server" --lifetime 120 --delay-ms 5 >"$tmp/port" &
pids+=($!)
for _ in $(seq 100); do [[ -s $tmp/port ]] && break; sleep 0.05; done
port=$(head -1 "$tmp/port")
[[ -n $port ]] || fail "the test server did not start in $ns"

export ANSIBLE_COLLECTIONS_PATH=$src/packaging/ansible ANSIBLE_HOME=$tmp/ansible-home ANSIBLE_LOCAL_TEMP=$tmp/ansible-tmp
export ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=0 ANSIBLE_PYTHON_INTERPRETER=/usr/bin/python3
export ANSIBLE_DEPRECATION_WARNINGS=0 ANSIBLE_LOCALHOST_WARNING=0 ANSIBLE_INVENTORY_UNPARSED_WARNING=0
playbook=$src/packaging/ansible/ansible_collections/skysentinel/skytune/playbooks/load.yml
ansible-playbook --syntax-check -i agent0,agent1, "$playbook" >/dev/null || fail "load.yml: syntax"
play() {   # play DIR EXTRA-VARS-JSON: the two agents, local connections, commands in the namespace
        ansible-playbook -i agent0,agent1, -c local "$playbook" -e "skytune_load_dir=$1" -e "$2" \
                -e "skytune_executable=$skytune" -e "skytune_exec_prefix='ip netns exec $ns'" \
                -e "skytune_load_url=http://127.0.0.1:$port/" -e skytune_load_start_delay=4 >"$1.log" 2>&1
}

play "$tmp/ok" '{"skytune_load_rate": 400, "skytune_load_duration": 5, "skytune_load_thresholds": ["error_rate < 1%"]}' ||
        fail "the play failed: $(tail -30 "$tmp/ok.log")"
m=$tmp/ok/merged.json
[[ -s $tmp/ok/agent0.json && -s $tmp/ok/agent1.json && -s $m ]] || fail "the documents were not brought back and merged"
a0=$(jq .total.completed "$tmp/ok/agent0.json") a1=$(jq .total.completed "$tmp/ok/agent1.json")
[[ $(jq .total.completed "$m") -eq $((a0 + a1)) ]] || fail "merged completed $(jq .total.completed "$m") != $a0 + $a1"
within "$a0" 900 1100 || fail "agent 0 completed $a0, want its half of 400/s for 5 s"
within "$(jq .total.completed_per_s "$m")" 360 440 || fail "merged rate $(jq .total.completed_per_s "$m")/s, want 400"
[[ $(jq -r '[.[] .client.segment.index] | sort | join(",")' <(jq -s . "$tmp/ok/agent0.json" "$tmp/ok/agent1.json")) == 0,1 ]] ||
        fail "the agents were not segments 0 and 1 of 2"
# One common start: the agents' first intervals began within a second of each other.
s0=$(jq -r .started "$tmp/ok/agent0.json") s1=$(jq -r .started "$tmp/ok/agent1.json")
d=$(( $(date -d "$s0" +%s) - $(date -d "$s1" +%s) ))
within "${d#-}" 0 1 || fail "the agents started $d s apart ($s0, $s1)"
[[ $(jq -r '.thresholds[0].passed' "$m") == true ]] || fail "the merged threshold did not pass"

# A threshold the merged run fails fails the play, saying so.
rc=0
play "$tmp/bad" '{"skytune_load_rate": 100, "skytune_load_duration": 2, "skytune_load_thresholds": ["p99 < 1ms"]}' || rc=$?
[[ $rc -ne 0 ]] || fail "a failed threshold did not fail the play"
grep -q 'p99 < 1ms' "$tmp/bad.log" || fail "the failed play does not name the threshold: $(tail -20 "$tmp/bad.log")"
echo "ok: two agents through Ansible in $ns, merged: $((a0 + a1)) requests, $(jq .total.completed_per_s "$m")/s"
