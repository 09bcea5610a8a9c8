#!/usr/bin/env bash
# What a rollback writes back must deserve it (issue 12 points 4 and 9):
# - a journal whose old value or owned-file line fails the allowlist (edited or corrupted on disk) is
#   not written back: that change is "refused" with the reason, the rest is restored;
# - an owned file that is a symbolic link, or lies below a linked directory under /etc, is refused at
#   apply with a message naming it, and nothing is written (the link and its target stay as they are).
set -euo pipefail
source "$(dirname "$0")/lib-helper-bus.sh"
bus_setup "$1" "$2"

edit_journal() { local id=$1 f=$STATE/tx/$1.json; shift; jq "$@" "$f" >"$f.new" && mv "$f.new" "$f"; }

# 1. Live values: vm.swappiness's old value is no number, the coupled partner's key is replaced by
#    another sysctl; somaxconn is intact and comes back.
plan=$(make_plan <<'P'
sysctl vm.swappiness 10
sysctl vm.dirty_ratio 30
sysctl net.core.somaxconn 8192
P
)
id=$(hjson Apply st "$plan" 0 | jq -r .id)
helper_stop
pid_max=$(cat "$ROOT/proc/sys/kernel/pid_max")
edit_journal "$id" '(.changes[] | select(.key == "vm.swappiness")) |= (.old = "60; reboot" | del(.old_raw))
        | (.changes[] | select(.key == "vm.dirty_ratio") | .pair) |= {key: "kernel.pid_max", old: "4194304"}'
rb=$(hjson Rollback s "$id")
jq -e '.state == "partially-rolled-back" and .failures == 2 and
        (.changes[] | select(.key == "vm.swappiness") | .rollback == "refused" and (.rollback_error | length > 0)) and
        (.changes[] | select(.key == "vm.dirty_ratio") | .rollback == "refused" and (.rollback_error | test("partner"))) and
        (.changes[] | select(.key == "net.core.somaxconn") | .rollback == "restored")' <<<"$rb" >/dev/null ||
        bus_fail "tampered live values: $(jq -c '{state, failures, changes: [.changes[] | {key, rollback, rollback_error}]}' <<<"$rb")"
[[ $(cat "$ROOT/proc/sys/vm/swappiness") == 10 ]] || bus_fail "the refused old value was written"
[[ $(cat "$ROOT/proc/sys/kernel/pid_max") == "$pid_max" ]] || bus_fail "the tampered partner key was written"
[[ $(cat "$ROOT/proc/sys/net/core/somaxconn") == 4096 ]] || bus_fail "the intact change was not restored"
grep -q 'vm.swappiness: not restored' "$BUS_TMP/bus.log" || bus_fail "refusal not logged"
echo 60 >"$ROOT/proc/sys/vm/swappiness"
echo 20 >"$ROOT/proc/sys/vm/dirty_ratio"

# 2. An owned file's old content with a udev line that runs a program: the entry is refused, the
#    other file's entries are restored.
plan=$(make_plan true <<'P'
read_ahead_kb vda 1024
sysctl vm.swappiness 10
P
)
id=$(hjson Apply st "$plan" 0 | jq -r .id)
helper_stop
hdr='# Written by skytune-helper; skytune rollback restores or removes this file.'
bad="$hdr"$'\nACTION=="add|change", SUBSYSTEM=="block", KERNEL=="vda", ATTR{queue/read_ahead_kb}="128", RUN+="/bin/sh -c id"\n'
edit_journal "$id" --arg bad "$bad" '(.files[] | select(.path == "etc/udev/rules.d/90-skytune.rules")) |= (.existed = true | .old_content = $bad)'
rb=$(hjson Rollback s "$id")
jq -e '.failures == 1 and (.files[] | select(.path == "etc/udev/rules.d/90-skytune.rules") | .rollback == "refused" and
        .entries["vda read_ahead_kb"].rollback == "refused") and
        (.files[] | select(.path == "etc/sysctl.d/90-skytune.conf") | .rollback == "restored")' <<<"$rb" >/dev/null ||
        bus_fail "tampered file content: $(jq -c '{failures, files: [.files[] | {path, rollback, entries}]}' <<<"$rb")"
! grep -rq 'RUN+=' "$ROOT/etc" || bus_fail "the journal's RUN+= line was written: $(grep -r 'RUN+=' "$ROOT/etc")"
[[ ! -e $ROOT/etc/sysctl.d/90-skytune.conf ]] || bus_fail "the intact owned file was not removed"
rm -rf "$ROOT/etc/udev"
echo 128 >"$ROOT/sys/block/vda/queue/read_ahead_kb"

# 3. Symbolic links: the owned file itself, and a directory on its path below /etc.
mkdir -p "$ROOT/srv"
printf 'vm.max_map_count = 65530\n' >"$ROOT/srv/target.conf"
ln -s ../../srv/target.conf "$ROOT/etc/sysctl.d/90-skytune.conf"
before=$(tree_state; ls -l "$ROOT/etc/sysctl.d" | awk '{print $1, $9, $10, $11}')
out=$(must_fail hcall Apply st "$(make_plan true <<<'sysctl vm.swappiness 10')" 0) || bus_fail "apply through a linked owned file succeeded"
grep -q '/etc/sysctl.d/90-skytune.conf.*symbolic link' <<<"$out" || bus_fail "message for the linked file: $out"
after=$(tree_state; ls -l "$ROOT/etc/sysctl.d" | awk '{print $1, $9, $10, $11}')
[[ $before == "$after" && $(cat "$ROOT/proc/sys/vm/swappiness") == 60 ]] || bus_fail "something was written: $(diff <(echo "$before") <(echo "$after"))"
[[ -L $ROOT/etc/sysctl.d/90-skytune.conf ]] || bus_fail "the link is gone"
rm "$ROOT/etc/sysctl.d/90-skytune.conf"
mkdir -p "$ROOT/srv/rules" "$ROOT/etc/udev"
ln -s ../../srv/rules "$ROOT/etc/udev/rules.d"
out=$(must_fail hcall Apply st "$(make_plan true <<<'read_ahead_kb vda 1024')" 0) || bus_fail "apply below a linked directory succeeded"
grep -q '/etc/udev/rules.d/90-skytune.rules.*symbolic link' <<<"$out" || bus_fail "message for the linked directory: $out"
[[ -z $(ls -A "$ROOT/srv/rules") && $(cat "$ROOT/sys/block/vda/queue/read_ahead_kb") == 128 ]] || bus_fail "written through the linked directory"
[[ $(journal_count) == 2 ]] || bus_fail "a refused apply left a journal"
echo "ok: journal values and lines that fail the allowlist are not written back; owned paths through links are refused"
