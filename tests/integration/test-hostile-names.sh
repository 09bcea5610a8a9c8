#!/usr/bin/env bash
# Names and files a local user controls never break the profile or reach the terminal raw (issue 12,
# points 11-13): a process whose comm is not UTF-8 and carries an escape sequence, near its fd limit;
# an interface and a block device with such names; FIFOs where the profiler reads files. The profile
# must succeed, show every such byte as \xNN in text and JSON, and never wait on a FIFO.
set -euo pipefail
build=$1 src=$2
skytune=${SKYTUNE:-$build/cli/skytune}
unset SKYTUNE_SYSROOT
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
root=$tmp/root
cp -a "$src/tests/fixtures/captured-vm" "$root"

# A process at 19 of its 20 files, named ESC [31m (red) between two bytes that are not UTF-8.
comm=$'\xff\e[31mevil\xfe'
mkdir -p "$root/proc/6666/fd"
printf '%s\n' "$comm" >"$root/proc/6666/comm"
cp "$src/tests/fixtures/files-basic/proc/4242/limits" "$root/proc/6666/limits"
for i in $(seq 0 18); do : >"$root/proc/6666/fd/$i"; done
# An interface and a disk named with a terminal title sequence (OSC ... BEL) and a lone 0xff.
ifname=$'ev\xff\e]0;pwned\a'
disk=$'dk\xff\e[2J'
iface=$(ls "$root/sys/class/net" | head -n1)
cp -a "$root/sys/class/net/$iface" "$root/sys/class/net/$ifname"
printf '%s: 1000 10 0 0 0 0 0 0 2000 20 0 0 0 0 0 0\n' "$ifname" >>"$root/proc/net/dev"
cp -a "$root/sys/block/vda" "$root/sys/block/$disk"
printf ' 253 16 %s 10 0 80 5 20 0 160 10 0 0 20 15 0 0 0 0 0\n' "$disk" >>"$root/proc/diskstats"

# Wide enough that no message wraps (the greps below read whole messages).
run() { COLUMNS=1000 timeout 30 "$skytune" profile --sysroot "$root" "$@"; }
rc=0
run --duration 0 >"$tmp/text" 2>"$tmp/err" || rc=$?
[[ $rc == 0 ]] || { cat "$tmp/err" >&2; fail "text profile exit $rc (main: 'Cannot allocate memory', exit 1)"; }
grep -q 'Cannot allocate memory' "$tmp/err" && fail "an encoding failure reported as out of memory"
# Nothing but printable text, newlines and no escape character reaches the terminal.
LC_ALL=C grep -q $'\e' "$tmp/text" && fail "an escape character reached the text output"
LC_ALL=C grep -q $'\xff' "$tmp/text" && fail "a raw 0xff byte reached the text output"
grep -qF 'process 6666 (\xff\x1b[31mevil\xfe) has 19 files open' "$tmp/text" || fail "the process is not shown escaped"

rc=0
run --duration 0 --json >"$tmp/json" 2>"$tmp/err" || rc=$?
[[ $rc == 0 ]] || { cat "$tmp/err" >&2; fail "JSON profile exit $rc"; }
jq -e '.resources.files.top_processes[] | select(.pid == 6666) | .comm == "\\xff\\x1b[31mevil\\xfe"' "$tmp/json" >/dev/null ||
        fail "comm not escaped in the JSON"
jq -e '.resources.network.interfaces | has("ev\\xff\\x1b]0;pwned\\x07")' "$tmp/json" >/dev/null || fail "interface not escaped"
jq -e '.resources.disk.devices | has("dk\\xff\\x1b[2J")' "$tmp/json" >/dev/null || fail "disk not escaped"
# No string or key of the document holds a control character.
jq -e '[.. | strings, (objects | keys[])] | map(test("[\u0000-\u001f\u007f-\u009f]")) | any | not' "$tmp/json" >/dev/null ||
        fail "a control character in the JSON document"

# A FIFO where a file is read (a fixture tree, or a hostile --sysroot) is reported, never waited on:
# on main the profile blocks in open(2) until the timeout kills it.
rm "$root/proc/loadavg" "$root/sys/block/vda/queue/scheduler"
mkfifo "$root/proc/loadavg" "$root/sys/block/vda/queue/scheduler"
rc=0
run --duration 1 --interval 0.5 --json >"$tmp/json" 2>"$tmp/err" || rc=$?
[[ $rc == 0 ]] || { cat "$tmp/err" >&2; fail "profile with FIFOs exit $rc (124: it hung)"; }
grep -rq 'not a regular file' "$tmp/json" || fail "the FIFO is not reported as unavailable"
echo "ok: hostile names escaped, FIFOs reported"
