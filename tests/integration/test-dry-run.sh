#!/usr/bin/env bash
# skytune plan / apply --dry-run / policy on fixture trees: exit codes (0/3/1/2), the JSON contract,
# idempotence, file:line errors of bad policies, and a dry run that leaves the tree byte-identical
# (contents, modes, mtimes, no new file or directory) when run without privilege.
set -euo pipefail
build=$1 src=$2
skytune=${SKYTUNE:-$build/cli/skytune}
export SKYTUNE_POLICY_PATH=$src/policies
unset SKYTUNE_SYSROOT
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"
fail() { echo "FAIL: $*" >&2; exit 1; }
profiles=$src/tests/fixtures/profiles
root=$tmp/root
cp -a "$src/tests/fixtures/opt-host" "$root"
chmod -R a+rX "$tmp"

# Run a command and check its exit code; output in $tmp/out, $tmp/err.
expect() {
        local want=$1; shift
        local rc=0
        "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
        [[ $rc == "$want" ]] || { cat "$tmp/err" >&2; fail "exit $rc, want $want: $*"; }
}

# Without privilege when we have it to drop.
unpriv=()
if [[ $(id -u) == 0 ]] && command -v setpriv >/dev/null; then
        unpriv=(setpriv --reuid=65534 --regid=65534 --clear-groups --)
        # The clone may sit in a directory nobody cannot enter (/root, a mktemp -d): the unprivileged
        # runs use copies of the binary, the policies and the profiles in the world-readable $tmp.
        mkdir -p "$tmp/pub"
        cp "$skytune" "$tmp/pub/skytune"
        cp -r "$src/policies" "$src/tests/fixtures/profiles" "$tmp/pub/"
        chmod -R a+rX "$tmp/pub"
fi
pub_skytune=${unpriv:+$tmp/pub/skytune} pub_policies=${unpriv:+$tmp/pub/policies} pub_profiles=${unpriv:+$tmp/pub/profiles}

snapshot() { (cd "$root" && find . -printf '%p %y %m %s %T@ %l\n' | sort && find . -type f -exec sha256sum {} + | sort); }
snapshot >"$tmp/before"

# 1. A busy profile: changes pending -> 3 with --detailed-exitcode, 0 without.
expect 3 "${unpriv[@]}" env SKYTUNE_POLICY_PATH="${pub_policies:-$SKYTUNE_POLICY_PATH}" "${pub_skytune:-$skytune}" apply \
        --dry-run --detailed-exitcode --profile "${pub_profiles:-$profiles}/busy-web.json" --sysroot "$root" --persist \
        --target nginx --json
cp "$tmp/out" "$tmp/busy.json"
jq -e '.schema == "skytune.plan/1" and .changed == true and .persist == true' "$tmp/busy.json" >/dev/null || fail "plan header"
jq -e '.changes | length > 10' "$tmp/busy.json" >/dev/null || fail "expected many changes"
jq -e 'all(.changes[]; has("kind") and has("key") and has("current") and has("proposed") and has("rule") and has("reason")
        and has("evidence") and has("expected_effect") and has("risk") and has("mechanism") and has("persist_file"))' \
        "$tmp/busy.json" >/dev/null || fail "a change lacks a documented field"
jq -e '.changes[] | select(.key == "net.core.somaxconn") | .current == "128" and .proposed == "4096"
        and .evidence["network.tcp.listen_overflows_per_s.max"] == 12.5' "$tmp/busy.json" >/dev/null || fail "somaxconn change"
jq -e '.dry_run.live[] | select(.key == "net.core.somaxconn") | .from == "128" and .to == "4096" and .status == "change"' \
        "$tmp/busy.json" >/dev/null || fail "live effect of somaxconn"
jq -e '.dry_run.files[] | select(.path == "/etc/sysctl.d/90-skytune.conf") | .diff | contains("+net.core.somaxconn = 4096")' \
        "$tmp/busy.json" >/dev/null || fail "sysctl.d diff"
jq -e '.dry_run.files[] | select(.path == "/etc/udev/rules.d/90-skytune.rules") | .exists == false' \
        "$tmp/busy.json" >/dev/null || fail "udev rule diff"
jq -e '.changes[] | select(.key == "unit:nginx.service:nofile") | .mechanism == "systemd-dropin"' "$tmp/busy.json" >/dev/null ||
        fail "unit drop-in mechanism"
jq -e '.changes[] | select(.key == "process:nginx:nofile") | .mechanism == "prlimit" and .persist_file == null' \
        "$tmp/busy.json" >/dev/null || fail "prlimit mechanism"
jq -e '.warnings | any(.message | contains("99-sysctl.conf:2"))' "$tmp/busy.json" >/dev/null || fail "conflict warning"
jq -e '.held_back | any(.key == "net.ipv4.tcp_tw_reuse")' "$tmp/busy.json" >/dev/null || fail "tw_reuse not held back"
expect 0 "$skytune" apply --dry-run --profile "$profiles/busy-web.json" --sysroot "$root"

# Human output explains each change.
expect 0 "$skytune" apply --dry-run --persist --profile "$profiles/busy-web.json" --sysroot "$root"
for word in "net.core.somaxconn: 128 -> 4096" "rule       net.somaxconn" "evidence   network.tcp.listen_overflows_per_s.max = 12.5" \
            "risk       low" "mechanism  sysctl" "Dry run: nothing was written" "+++ b/etc/sysctl.d/90-skytune.conf"; do
        grep -qF -- "$word" "$tmp/out" || fail "human output lacks '$word'"
done

# 2. The tree is byte-identical: no file, directory, mode or mtime changed.
snapshot >"$tmp/after"
diff -u "$tmp/before" "$tmp/after" || fail "the dry run changed the fixture tree"

# 3. An idle profile on this tree: nothing to do -> 0 with --detailed-exitcode.
expect 0 "$skytune" apply --dry-run --detailed-exitcode --profile "$profiles/idle.json" --sysroot "$root" --json
jq -e '.changed == false and (.changes | length) == 0 and .dry_run.pending == 0' "$tmp/out" >/dev/null || fail "idle plan not empty"

# 4. A saved plan applied later: the same changes, read again from the tree.
expect 0 "$skytune" plan --profile "$profiles/busy-web.json" --sysroot "$root" --out "$tmp/plan.json"
jq -e '.changes | length > 10' "$tmp/plan.json" >/dev/null || fail "saved plan"
expect 3 "$skytune" apply --dry-run --detailed-exitcode --plan "$tmp/plan.json" --sysroot "$root" --json
jq -e '.dry_run.live | length > 10' "$tmp/out" >/dev/null || fail "effects of a saved plan"

# Idempotence: a tree that already has every proposed value gives an empty plan.
done_root=$tmp/done
cp -a "$root" "$done_root"
jq -r '.changes[] | select(.kind == "sysctl") | "\(.key)\t\(.proposed)"' "$tmp/plan.json" | while IFS=$'\t' read -r key value; do
        printf '%s\n' "$value" >"$done_root/proc/sys/${key//.//}"
done
jq -r '.changes[] | select(.kind == "io_scheduler") | "\(.key)\t\(.proposed)"' "$tmp/plan.json" | while IFS=$'\t' read -r dev value; do
        printf 'kyber [%s] bfq\n' "$value" >"$done_root/sys/block/$dev/queue/scheduler"
done
jq -r '.changes[] | select(.kind == "read_ahead_kb") | "\(.key)\t\(.proposed)"' "$tmp/plan.json" | while IFS=$'\t' read -r dev value; do
        printf '%s\n' "$value" >"$done_root/sys/block/$dev/queue/read_ahead_kb"
done
expect 0 "$skytune" apply --dry-run --detailed-exitcode --plan "$tmp/plan.json" --sysroot "$done_root" --json
jq -e '.dry_run.pending == 0 and all(.dry_run.live[]; .status == "unchanged")' "$tmp/out" >/dev/null ||
        fail "a host that matches still has pending changes"

# 5. Errors: 1 for a bad policy, plan or profile; 2 for usage.
printf 'name = "x";\nrules = (\n{ id = "r"; kind = "sysctl"; key = "vm.swappiness"; value = "300";\n  when = "memory.swap_in_per_s > 0"; reason = "a"; effect = "b"; }\n);\n' >"$tmp/range.conf"
expect 1 "$skytune" apply --dry-run --detailed-exitcode --policy "$tmp/range.conf" --profile "$profiles/idle.json" --sysroot "$root"
grep -q "range.conf:3: value '300' for sysctl vm.swappiness: value is out of the allowed range" "$tmp/err" || fail "range message: $(cat "$tmp/err")"
[[ ! -s $tmp/out ]] || fail "a bad policy printed a partial plan"
printf 'include = [ "loop2" ];\n' >"$tmp/loop1.conf"
printf 'include = [ "loop1" ];\n' >"$tmp/loop2.conf"
expect 1 env SKYTUNE_POLICY_PATH="$tmp" "$skytune" policy check "$tmp/loop1.conf"
grep -q "include loop" "$tmp/err" || fail "include loop message"
printf 'name = "x";\nbogus "y";\nz = 1;\n' >"$tmp/syntax.conf"
expect 1 "$skytune" policy check "$tmp/syntax.conf"
grep -q "syntax.conf:2: syntax error" "$tmp/err" || fail "syntax message: $(cat "$tmp/err")"
printf 'name = "x";\nflavour = "y";\n' >"$tmp/unknown.conf"
expect 1 "$skytune" policy check "$tmp/unknown.conf"
grep -q "unknown.conf:2: unknown setting 'flavour'" "$tmp/err" || fail "unknown key message"
printf 'include = [ "nowhere" ];\n' >"$tmp/missing.conf"
expect 1 "$skytune" policy check "$tmp/missing.conf"
grep -q "missing.conf:1: included policy 'nowhere' not found" "$tmp/err" || fail "missing include message"
printf 'settings = ( { id = "a"; kind = "sysctl_"; key = "vm.swappiness"; value = "1"; reason = "a"; effect = "b"; } );\n' >"$tmp/kind.conf"
expect 1 "$skytune" policy check "$tmp/kind.conf"
grep -q "kind.conf:1: unknown kind 'sysctl_'" "$tmp/err" || fail "unknown kind message"
echo '{"schema": "skytune.plan/1", "changes": [{"kind": "sysctl", "key": "kernel.modprobe", "proposed": "/tmp/x"}]}' >"$tmp/evil.json"
expect 1 "$skytune" apply --dry-run --detailed-exitcode --plan "$tmp/evil.json" --sysroot "$root"
grep -q "allowlist" "$tmp/err" || fail "evil plan message"
echo 'not json' >"$tmp/bad.json"
expect 1 "$skytune" plan --profile "$tmp/bad.json" --sysroot "$root"
expect 1 "$skytune" plan --profile "$profiles/idle.json" --policy no-such-policy --sysroot "$root"
expect 2 "$skytune" apply --dry-run --detailed-exitcode --bogus
expect 2 "$skytune" plan --allow-risk extreme
expect 2 "$skytune" apply --dry-run --plan "$tmp/plan.json" --policy balanced
expect 2 "$skytune" policy frobnicate
for verb in plan apply policy; do expect 0 "$skytune" "$verb" --help; done

# 6. Every shipped policy passes check, and list shows them.
expect 0 "$skytune" policy check "$src"/policies/*.conf
[[ $(grep -c ': OK' "$tmp/out") == $(ls "$src"/policies/*.conf | wc -l) ]] || fail "policy check output"
expect 0 "$skytune" policy list --json
cp "$tmp/out" "$tmp/list.json"
for p in balanced throughput-performance latency-performance network-throughput network-latency database web-server \
         virtual-guest powersave; do
        jq -e --arg p "$p" '.policies | any(.name == $p and .error == null)' "$tmp/list.json" >/dev/null || fail "policy $p not listed"
        expect 0 "$skytune" plan --policy "$p" --profile "$profiles/idle.json" --sysroot "$root" --json
done
expect 0 "$skytune" policy show database
grep -q 'disable\|vm.dirty_bytes' "$tmp/out" || fail "policy show"

snapshot >"$tmp/after"
diff -u "$tmp/before" "$tmp/after" || fail "a command changed the fixture tree"
echo "ok"
