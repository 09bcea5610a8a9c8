#!/usr/bin/env bash
# skytune get, recommend and diff on the fixture hosts and saved documents, with their exit codes,
# and diff fed hostile JSON (a fuzz-like run of mutated documents): never a crash, never a
# sanitizer report, only exit 0 or 1.
set -euo pipefail
BUILD=$1 SRC=$2
S=${SKYTUNE:-$BUILD/cli/skytune}
F=$SRC/tests/fixtures
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
rc() { local r=0; "$@" >"$T/out" 2>"$T/err" || r=$?; echo $r; }

# get: every form of a name, any kind, --all, --json, the nearest name for a typo.
$S get vm.swappiness vm/dirty_ratio /proc/sys/net/core/somaxconn io_scheduler:vda --sysroot "$F/opt-host" >"$T/g"
diff -u - "$T/g" <<'G' || fail "get values"
vm.swappiness = 60
vm.dirty_ratio = 20
net.core.somaxconn = 128
io_scheduler:vda = bfq
G
[[ $(rc $S get vm.swapiness --sysroot "$F/opt-host") == 1 ]] && grep -q "did you mean 'vm.swappiness'" "$T/err" ||
        fail "get of a typo: $(cat "$T/err")"
[[ $(rc $S get io_schedular:vda) == 1 ]] && grep -q "did you mean 'io_scheduler:'" "$T/err" || fail "get of a bad kind"
[[ $(rc $S get io_scheduler:nodev vm.swappiness --sysroot "$F/opt-host") == 1 ]] && grep -qx 'vm.swappiness = 60' "$T/out" &&
        grep -q '/sys/block/nodev/queue/scheduler does not exist' "$T/err" || fail "get of a missing device"
[[ $(rc $S get --all vm.swappiness) == 2 && $(rc $S get) == 2 ]] || fail "get usage errors"
mkdir "$T/bare"
[[ $(rc $S get --all --sysroot "$T/bare") == 1 && ! -s $T/out ]] && grep -q "no tunable could be read below $T/bare" "$T/err" ||
        fail "get --all reading nothing: $(cat "$T/err")"
$S get --all --sysroot "$F/captured-vm" >"$T/all"
grep -qx 'read_ahead_kb:vda = 8192' "$T/all" && grep -qx 'fs.file-max = 2466174' "$T/all" &&
        ! grep -q 'cpu_governor' "$T/all" || fail "get --all: $(head -5 "$T/all")"
$S get ulimit:process:nginx:nofile --json --sysroot "$F/opt-host" |
        jq -e '.schema == "skytune.get/1" and .tunables[0].kind == "ulimit" and (.tunables[0].value | test("^12"))' >/dev/null ||
        fail "get --json of a ulimit"

# recommend: the role each fixture host shows, and ports/connections read from a live sysroot.
$S recommend --sysroot "$F/opt-host" --duration 0 >"$T/r"
grep -q '^Recommended policy: database' "$T/r" && grep -q 'process postgres (pid 200)' "$T/r" && grep -q '^  web-server' "$T/r" ||
        fail "recommend opt-host: $(cat "$T/r")"
$S recommend --sysroot "$F/captured-vm" --duration 0 | grep -q '^Recommended policy: virtual-guest' || fail "recommend VM"
$S recommend --sysroot "$F/helper-host" --duration 0 | grep -q '^Recommended policy: balanced (no evidence)$' ||
        fail "recommend nothing"
# No data at all (an empty sysroot: no cpufreq, no virtualization): no evidence, not "virtual-guest".
mkdir "$T/empty"
[[ $(rc $S recommend --sysroot "$T/empty" --duration 0) == 0 ]] && grep -q '^Recommended policy: balanced (no evidence)$' "$T/out" &&
        ! grep -q virtual "$T/out" || fail "recommend on no data: $(cat "$T/out")"
$S recommend --sysroot "$T/empty" --duration 0 --json | jq -e '.recommended == "balanced" and .candidates == []' >/dev/null ||
        fail "recommend --json on no data"
# No cpufreq counts with a hypervisor named, not without.
jq '.host.cpufreq = {unavailable: "no cpufreq"} | .host.virtualization = "none"' "$F/profiles/idle.json" >"$T/nofreq.json"
$S recommend --profile "$T/nofreq.json" | grep -q '^Recommended policy: balanced (no evidence)$' || fail "no cpufreq alone"
jq '.host.virtualization = "kvm"' "$T/nofreq.json" >"$T/kvm.json"
$S recommend --profile "$T/kvm.json" --json | jq -e '.recommended == "virtual-guest" and .candidates[0].score == 3' >/dev/null ||
        fail "no cpufreq on a VM"
cp -a "$F/helper-host" "$T/db" && mkdir -p "$T/db/proc/net"
cat >"$T/db/proc/net/tcp" <<'TCP'
  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000:1538 00000000:0000 0A 00000000:00000000 00:00000000 00000000   113        0 1 1
   1: 0100007F:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2 1
   x: garbage line
   2: 0100007F:ZZZZ 00000000:0000 0A
   3: 0100007F:0000 00000000:0000 0A
TCP
$S recommend --sysroot "$T/db" --duration 0 --json >"$T/rj"
jq -e '.schema == "skytune.recommend/1" and .recommended == "database" and .live and
        (.candidates[0].evidence | index("TCP port 5432 is listening (/proc/net/tcp)"))' "$T/rj" >/dev/null || fail "recommend ports: $(cat "$T/rj")"
{ echo header; for i in $(seq 1 150); do printf '%4d: 0A00000A:0050 0B00000A:%04X 01 00000000:00000000 00:00000000 00000000     0        0 %d 1\n' "$i" $((30000 + i)) "$i"; done; } \
        >"$T/db/proc/net/tcp"
for p in $(jq -r '.recommended, .candidates[].policy' "$T/rj"); do
        [[ -f $SRC/policies/$p.conf ]] || fail "recommend names '$p', which is not a shipped policy"
done
$S recommend --sysroot "$T/db" --duration 0 >"$T/r"
grep -q '^Recommended policy: web-server' "$T/r" && grep -q '150 established connections on port 80/443' "$T/r" ||
        fail "recommend connections: $(cat "$T/r")"
$S recommend --profile "$F/profiles/nofile-near-limit.json" | grep -q '^Recommended policy: web-server' || fail "recommend --profile"
$S plan --profile "$F/profiles/idle.json" --sysroot "$F/opt-host" --out "$T/plan-a.json" 2>/dev/null
[[ $(rc $S recommend --profile "$T/plan-a.json") == 1 ]] && grep -q 'not "skytune.profile/1"' "$T/err" || fail "recommend --profile PLAN"
[[ $(rc $S recommend --profile x --duration 1) == 2 ]] || fail "recommend --profile with --duration"

# diff: profiles, plans, probe runs; --json, --detailed-exitcode, the live side; refusals.
$S diff "$F/profiles/idle.json" "$F/profiles/busy-web.json" >"$T/d"
grep -q '^Metrics: 23 of 77 changed, 22 beyond their spread' "$T/d" &&
        grep -q '^  network.tcp.listen_overflows_per_s$' "$T/d" && grep -q '^  files.used_pct  .* 1.5 %  *91 %  *+89.5 %$' "$T/d" &&
        grep -q 'hostname  *fixture-idle -> fixture-busy-web' "$T/d" || fail "diff of profiles: $(cat "$T/d")"
$S diff "$F/profiles/idle.json" "$F/profiles/busy-web.json" --json |
        jq -e '.schema == "skytune.diff/1" and .kind == "profile" and .differ and .metrics_changed == 23 and
                (.metrics[] | select(.path == "memory.swap_in_per_s") | .a == 0 and .b == 35 and .spread == "beyond")' >/dev/null ||
        fail "diff --json"
[[ $(rc $S diff "$F/profiles/idle.json" "$F/profiles/busy-web.json" --detailed-exitcode) == 3 ]] || fail "diff --detailed-exitcode, differ"
[[ $(rc $S diff "$F/profiles/idle.json" "$F/profiles/idle.json" --detailed-exitcode) == 0 ]] && grep -q '^No differences.$' "$T/out" ||
        fail "diff of a file with itself"
$S diff "$F/probes/net-before.json" "$F/probes/net-after.json" --json |
        jq -e '[.metrics[] | {(.path): .spread}] | add | .["net.rr_transactions_per_s"] == "beyond" and
                .["net.connect_per_s"] == "within"' >/dev/null || fail "diff of probe runs"
$S plan --policy web-server --profile "$F/profiles/idle.json" --sysroot "$F/opt-host" --out "$T/plan-b.json" 2>/dev/null
$S diff "$T/plan-a.json" "$T/plan-b.json" >"$T/d"
grep -q 'ulimit:unit:nginx.service:nofile  *(absent) -> 65536:65536' "$T/d" && grep -q 'policy  *balanced -> web-server' "$T/d" ||
        fail "diff of plans: $(cat "$T/d")"
$S diff "$F/profiles/idle.json" --sysroot "$F/captured-vm" --duration 0 --json |
        jq -e '.b.name == "(taken now)" and (.facts[] | select(.name == "kernel") | .b == "6.18.44-fc-v782")' >/dev/null ||
        fail "diff with the host now"
[[ $(rc $S diff "$T/plan-a.json" "$F/profiles/idle.json") == 1 ]] && grep -q 'is a plan and .* a profile' "$T/err" || fail "two kinds"
[[ $(rc $S diff "$T/plan-a.json") == 1 ]] && grep -q 'only a profile can be compared with the host now' "$T/err" || fail "plan, live"
[[ $(rc $S diff "$T/nonexistent.json" "$T/plan-a.json") == 1 ]] && grep -q 'nonexistent.json: cannot read' "$T/err" || fail "no file"
[[ $(rc $S diff "$T" "$T/plan-a.json") == 1 ]] && grep -q 'is a directory' "$T/err" || fail "a directory"
[[ $(rc $S diff a b c) == 2 && $(rc $S diff) == 2 && $(rc $S diff a b --duration 1) == 2 ]] || fail "diff usage errors"

# A finding whose severity changes (same metric and kind): shown, and a difference.
jq '.findings[0].severity = "warning"' "$F/profiles/busy-cpu.json" >"$T/warn.json"
[[ $(rc $S diff "$T/warn.json" "$F/profiles/busy-cpu.json" --detailed-exitcode) == 3 ]] &&
        grep -q '^Findings: 0 appeared (+), 0 went away (-), 1 changed severity (~):$' "$T/out" &&
        grep -q '^  ~ critical: 6.2 runnable tasks' "$T/out" && grep -q '(was warning)$' "$T/out" ||
        fail "diff of a severity change: $(cat "$T/out")"
$S diff "$T/warn.json" "$F/profiles/busy-cpu.json" --json |
        jq -e '.differ and .findings.changed == [{id: "cpu.run_queue saturation",
                a: "warning: 6.2 runnable tasks on average for 2 CPUs: tasks wait for a CPU",
                b: "critical: 6.2 runnable tasks on average for 2 CPUs: tasks wait for a CPU"}]' >/dev/null ||
        fail "diff --json of a severity change"

# Values whose difference overflows a double: no number, never "inf" in the JSON.
jq '.resources.cpu.utilization_pct = {unit: "percent", value: 1e308, min: -1e308, max: 1e308, n: 3}' \
        "$F/profiles/idle.json" >"$T/inf-a.json"
jq '.resources.cpu.utilization_pct.value = -1e308' "$T/inf-a.json" >"$T/inf-b.json"
$S diff "$T/inf-a.json" "$T/inf-b.json" --json | jq -e '.metrics[0] | .change == null and .spread == "within"' >/dev/null ||
        fail "diff of values that overflow"

# Hostile JSON: mutated documents (types swapped, members dropped, deep nesting, huge numbers, control
# characters, truncation) on either side. A fixed seed: a failure reproduces.
python3 - "$T" "$F/profiles/busy-web.json" "$F/probes/net-after.json" "$T/plan-b.json" <<'PY'
import json, random, sys
out, srcs = sys.argv[1], sys.argv[2:]
rnd = random.Random(20)
odd = [None, True, 0, -1, 1e308, -1e308, 2**63 - 1, "", "\u001b[2J\u0000x", [], {}, [[[]]], {"unit": 5, "value": "x"},
       {"value": 1, "unit": "bytes", "min": "a", "max": None, "n": []}]
def mutate(v, depth=0):
    if isinstance(v, dict):
        v = {k: mutate(x, depth + 1) for k, x in v.items() if rnd.random() > 0.1}
        if rnd.random() < 0.1: v[rnd.choice(["schema", "resources", "tunables", "findings", "probes", "changes", "x"])] = rnd.choice(odd)
        return v
    if isinstance(v, list):
        return [mutate(x, depth + 1) for x in v if rnd.random() > 0.1] + ([rnd.choice(odd)] if rnd.random() < 0.2 else [])
    return rnd.choice(odd) if rnd.random() < 0.15 else v
n = 0
for src in srcs:
    doc = json.load(open(src))
    for i in range(30):
        m = mutate(doc)
        if isinstance(m, dict) and rnd.random() < 0.8: m["schema"] = doc["schema"]
        text = json.dumps(m)
        if i % 10 == 9: text = text[: rnd.randrange(len(text))]
        if i % 10 == 8:
            deep = doc.copy(); deep["resources"] = deep["probes"] = deep["changes"] = json.loads("[" * 500 + "]" * 500)
            text = json.dumps(deep)
        open(f"{out}/fz-{n}.json", "w").write(text); n += 1
PY
for f in "$T"/fz-*.json; do
        for order in 0 1; do
                if ((order)); then set -- "$F/profiles/idle.json" "$f"; else set -- "$f" "$F/profiles/idle.json"; fi
                r=$(rc $S diff "$@" --all)
                [[ $r == 0 || $r == 1 ]] || fail "diff $* exited $r: $(head -c 600 "$T/err")"
                ! grep -q 'runtime error\|AddressSanitizer\|LeakSanitizer' "$T/err" || fail "sanitizer on $f: $(head -c 600 "$T/err")"
                r=$(rc $S diff "$f" "$f" --json)
                [[ $r == 0 || $r == 1 ]] || fail "diff $f $f exited $r"
        done
done
echo "ok: get, recommend, diff and $(ls "$T"/fz-*.json | wc -l) hostile documents"
