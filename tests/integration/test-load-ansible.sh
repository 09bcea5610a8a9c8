#!/usr/bin/env bash
# Distributed load through Ansible (packaging/ansible/.../playbooks/load.yml), for real: three network
# namespaces this test makes (two agents and one nginx, each agent's veth on a bridge in the
# server's), the playbook against the two agents (local connections, each agent's skytune under
# `ip netns exec`), each sending its segment of one 400/s load (--segment i/2) from a common start,
# then `skytune load merge` on the controller. The merged run has every request of both agents, the
# whole rate, and its percentiles are those of one histogram of all requests: HdrHistogram's own
# Java library adds the agents' histograms and gets the same p50, p99 and max. A threshold the
# merged run fails fails the play, naming it. Needs root, nginx and ansible-playbook; about 40 s.
set -euo pipefail
build=$(realpath "$1") src=$(realpath "$2")
[[ $(id -u) -eq 0 ]] || { echo "SKIP: needs root for network namespaces"; exit 77; }
for c in ansible-playbook nginx jq ip; do
        command -v "$c" >/dev/null || { echo "SKIP: no $c"; exit 77; }
done
source "$src/tests/integration/lib-test.sh"
chmod 0755 "$tmp"
skytune=${SKYTUNE:-$build/cli/skytune}
id=$$
srv=skyt-srv-$id a0=skyt-a0-$id a1=skyt-a1-$id
teardown() {
        [[ -s $tmp/nginx.pid ]] && kill "$(cat "$tmp/nginx.pid")" 2>/dev/null || true
        cleanup
        for n in "$srv" "$a0" "$a1"; do ip netns del "$n" 2>/dev/null || true; done
}
trap teardown EXIT
ip netns add "$srv" || { echo "SKIP: cannot make network namespaces here"; exit 77; }
ip netns add "$a0"
ip netns add "$a1"
# Each agent's veth to a bridge in the server's namespace: nginx on 10.213.0.1, agent k on .2+k.
ip -n "$srv" link add "skbr-$id" type bridge
ip -n "$srv" addr add 10.213.0.1/24 dev "skbr-$id"
ip -n "$srv" link set "skbr-$id" up
for k in 0 1; do
        ns=$a0
        [[ $k -eq 1 ]] && ns=$a1
        ip link add "sk$k-$id" type veth peer name "sks$k-$id"
        ip link set "sk$k-$id" netns "$ns"
        ip link set "sks$k-$id" netns "$srv"
        ip -n "$ns" addr add "10.213.0.$((k + 2))/24" dev "sk$k-$id"
        ip -n "$srv" link set "sks$k-$id" master "skbr-$id"
        ip -n "$ns" link set "sk$k-$id" up
        ip -n "$srv" link set "sks$k-$id" up
        ip -n "$ns" link set lo up
done
ip -n "$srv" link set lo up

cat >"$tmp/nginx.conf" <<CONF
worker_processes 1;
pid $tmp/nginx.pid;
error_log $tmp/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $tmp/body; proxy_temp_path $tmp/proxy; fastcgi_temp_path $tmp/fcgi;
  uwsgi_temp_path $tmp/uwsgi; scgi_temp_path $tmp/scgi;
  server { listen 10.213.0.1:8080; location / { return 200 "ok\n"; } }
}
CONF
ip netns exec "$srv" nginx -c "$tmp/nginx.conf" -p "$tmp" -g 'daemon on;' || fail "nginx did not start in $srv"
for _ in $(seq 50); do [[ -s $tmp/nginx.pid ]] && break; sleep 0.1; done
ip netns exec "$a1" curl -sf --retry 5 --retry-delay 1 --retry-connrefused http://10.213.0.1:8080/ >/dev/null || fail "agent 1's namespace cannot reach nginx"

cat >"$tmp/inventory" <<INV
agent0 skytune_exec_prefix="ip netns exec $a0"
agent1 skytune_exec_prefix="ip netns exec $a1"
INV
export ANSIBLE_COLLECTIONS_PATH=$src/packaging/ansible ANSIBLE_HOME=$tmp/ansible-home ANSIBLE_LOCAL_TEMP=$tmp/ansible-tmp
export ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=0 ANSIBLE_PYTHON_INTERPRETER=/usr/bin/python3
export ANSIBLE_DEPRECATION_WARNINGS=0 ANSIBLE_LOCALHOST_WARNING=0
playbook=$src/packaging/ansible/ansible_collections/skysentinel/skytune/playbooks/load.yml
ansible-playbook --syntax-check -i "$tmp/inventory" "$playbook" >/dev/null || fail "load.yml: syntax"
play() {   # play DIR EXTRA-VARS-JSON
        ansible-playbook -i "$tmp/inventory" -c local "$playbook" -e "skytune_load_dir=$1" -e "$2" \
                -e "skytune_executable=$skytune" -e skytune_load_url=http://10.213.0.1:8080/ \
                -e skytune_load_start_delay=4 >"$1.log" 2>&1
}

play "$tmp/ok" '{"skytune_load_rate": 400, "skytune_load_duration": 5, "skytune_load_thresholds": ["error_rate < 1%"],
                 "skytune_load_args": ["--no-system"]}' || fail "the play failed: $(tail -30 "$tmp/ok.log")"
m=$tmp/ok/merged.json d0=$tmp/ok/agent0.json d1=$tmp/ok/agent1.json
[[ -s $d0 && -s $d1 && -s $m ]] || fail "the documents were not brought back and merged"
c0=$(jq .total.completed "$d0") c1=$(jq .total.completed "$d1")
[[ $(jq .total.completed "$m") -eq $((c0 + c1)) ]] || fail "merged completed $(jq .total.completed "$m") != $c0 + $c1"
within "$c0" 900 1100 || fail "agent 0 completed $c0, want its half of 400/s for 5 s"
within "$(jq .total.completed_per_s "$m")" 360 440 || fail "merged rate $(jq .total.completed_per_s "$m")/s, want 400"
[[ $(jq -rs 'map(.client.segment.index) | sort | join(",")' "$d0" "$d1") == 0,1 ]] || fail "the agents were not segments 0 and 1 of 2"
s0=$(date -d "$(jq -r .started "$d0")" +%s) s1=$(date -d "$(jq -r .started "$d1")" +%s)
within "$((s0 - s1))" -1 1 || fail "the agents started $((s0 - s1)) s apart"
[[ $(jq -r '.thresholds[0].passed' "$m") == true ]] || fail "the merged threshold did not pass"

# The merged percentiles are those of one histogram of every request (Java HdrHistogram adds them).
jar=/usr/share/java/hdrhistogram.jar
if command -v javac >/dev/null && [[ -r $jar ]]; then
        javac -d "$tmp" -cp "$jar" "$src/tests/integration/hdr/HdrCheck.java"
        read -r _ _ count p50 _ p99 _ max < <(java -cp "$jar:$tmp" HdrCheck merge "$(jq -r .total.hdr "$d0")" "$(jq -r .total.hdr "$d1")")
        [[ $count -eq $(jq .total.latency_us.count "$m") ]] || fail "Java's merged count $count != $(jq .total.latency_us.count "$m")"
        for q in "p50 $p50" "p99 $p99" "max $max"; do
                set -- $q
                v=$(jq ".total.latency_us.$1" "$m")
                # Same histogram: the same value to HdrHistogram's 3 significant digits.
                within "$v" "$(awk -v x="$2" 'BEGIN { print x * 0.998 }')" "$(awk -v x="$2" 'BEGIN { print x * 1.002 + 1 }')" ||
                        fail "merged $1 $v us, one histogram of all requests says $2 us"
        done
else
        echo "note: no javac or $jar: the merged percentiles are not checked against HdrHistogram's"
fi

# A threshold the merged run fails fails the play, saying which.
rc=0
play "$tmp/bad" '{"skytune_load_rate": 100, "skytune_load_duration": 2, "skytune_load_thresholds": ["p99 < 1us"],
                  "skytune_load_args": ["--no-system"]}' || rc=$?
[[ $rc -ne 0 ]] || fail "a failed threshold did not fail the play"
grep -q 'p99 < 1us' "$tmp/bad.log" || fail "the failed play does not name the threshold: $(tail -20 "$tmp/bad.log")"
echo "ok: two agents and nginx in three namespaces through Ansible, merged: $((c0 + c1)) requests, p99 as one histogram"
