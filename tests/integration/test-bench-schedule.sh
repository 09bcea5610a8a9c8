#!/bin/bash
# bench schedule, bench list and suites by name, all in a temporary tree (--root, no systemctl):
# each place of the lookup and its shadowing, bench list (text and --json, runs from a history);
# the user's and the system's units as written pass systemd-analyze verify; a calendar systemd
# refuses is refused with its reason and writes nothing; --remove leaves the files as they were
# and another's file alone. A real `systemctl --user` is not exercised here (see docs/bench.md).
# Usage: test-bench-schedule.sh BUILD_DIR SOURCE_DIR
set -u
build=$(cd "$1" && pwd) src=$(cd "$2" && pwd)
S=${SKYTUNE:-$build/cli/skytune}
fail() { echo "FAIL: $*" >&2; exit 1; }
command -v systemd-analyze >/dev/null || { echo "SKIP: systemd-analyze missing"; exit 77; }
command -v jq >/dev/null || { echo "SKIP: jq missing"; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
R=$tmp/root
export HOME=/home/u LC_ALL=C
unset XDG_CONFIG_HOME XDG_STATE_HOME
suite() { # FILE NAME N: a suite of N `true` benchmarks
        mkdir -p "$(dirname "$1")"
        { echo "name = \"$2\"; repetitions = 2; warmup = 0; benchmarks = ("
          for i in $(seq "$3"); do echo "{ name = \"b$i\"; kind = \"command\"; command = \"true\"; metrics = [ \"wall_s\" ]; },"; done
          echo "{ name = \"last\"; kind = \"command\"; command = \"true\"; metrics = [ \"wall_s\" ]; } );"; } >"$1"
}
tree() { (cd "$R" && find . \( -type f -o -type l \) -printf '%p %m\n' | sort); }

# --- the places and their order ------------------------------------------------------------------
places=$("$S" bench list --root "$R" --json) || fail "bench list on an empty tree: $places"
user=$(jq -r '.places[0]' <<<"$places") etc=$(jq -r '.places[1]' <<<"$places") data=$(jq -r '.places[2]' <<<"$places")
[ "$user" = "$R/home/u/.config/skytune/suites" ] || fail "user place is $user"
[ "$etc" = "$R/etc/skytune/suites.d" ] || fail "etc place is $etc"
case $data in "$R"/*/share/skytune/suites) ;; *) fail "data place is $data" ;; esac
[ "$(jq '.suites | length' <<<"$places")" = 0 ] || fail "suites in an empty tree"
suite "$user/same.conf" same 0; suite "$etc/same.conf" same 1; suite "$data/same.conf" same 2
suite "$etc/etc-only.conf" etc-only 3; suite "$data/data-only.conf" data-only 4
echo 'name = "broken"; benchmarks = (' >"$data/broken.conf"
j=$("$S" bench list --root "$R" --json) || fail "bench list: $j"
[ "$(jq -c '[.suites[] | [.name, .place, .shadowed, .benchmarks]]' <<<"$j")" = \
  '[["broken",2,false,null],["data-only",2,false,5],["etc-only",1,false,4],["same",0,false,1],["same",1,true,2],["same",2,true,3]]' ] ||
        fail "bench list --json: $j"
jq -e '.suites[0].error | test("broken.conf:")' <<<"$j" >/dev/null || fail "a broken suite has no file:line error: $j"
t=$("$S" bench list --root "$R") || fail "bench list"
grep -q "^same .*suites.d/same.conf (shadowed)$" <<<"$t" || fail "shadowed not marked: $t"
grep -q "does not load: .*broken.conf:" <<<"$t" || fail "a broken suite is not shown: $t"

# Lookup in the host's places by a name (the user's place through XDG_CONFIG_HOME), used by run,
# check and trends; the history's runs show in bench list.
cfg=$tmp/cfg
suite "$cfg/skytune/suites/quick.conf" quick 0
out=$(XDG_CONFIG_HOME=$cfg "$S" bench check quick) || fail "bench check by name: $out"
grep -q "quick.conf" <<<"$out" || fail "bench check quick read another file: $out"
XDG_CONFIG_HOME=$cfg "$S" bench run quick --history "$tmp/h.db" >/dev/null 2>&1 || fail "bench run by name"
XDG_CONFIG_HOME=$cfg "$S" bench trends quick --history "$tmp/h.db" >/dev/null 2>&1 || fail "bench trends by name"
j=$(XDG_CONFIG_HOME=$cfg "$S" bench list --history "$tmp/h.db" --json) || fail "bench list with a history"
jq -e '.suites[] | select(.name == "quick") | .runs == 1 and .last_run_us > 0' <<<"$j" >/dev/null ||
        fail "bench list shows no run of quick: $j"
err=$(XDG_CONFIG_HOME=$cfg "$S" bench run nosuch 2>&1) && fail "bench run of a missing name succeeded"
grep -q "no nosuch.conf in $cfg/skytune/suites, /etc/skytune/suites.d and /.*/skytune/suites" <<<"$err" ||
        fail "the places are not listed: $err"

# As the system's service runs it (no HOME): /etc's place, then the data dir's.
err=$(env -i PATH="$PATH" LSAN_OPTIONS="${LSAN_OPTIONS:-}" "$S" bench check nosuch 2>&1) && fail "found nosuch"
grep -q "no nosuch.conf in /etc/skytune/suites.d and /[^,]*/skytune/suites (" <<<"$err" || fail "without HOME: $err"

# --- user: units verify, a bad calendar writes nothing, --remove restores -----------------------
udir=$R/home/u/.config/systemd/user
mkdir -p "$udir" && echo "[Timer]" >"$udir/other.timer"
before=$(tree)
err=$("$S" bench schedule same --on 'Mon *-*-* 25:00' --user --root "$R" 2>&1) && fail "a bad calendar was taken"
grep -q "refused by systemd-analyze: Failed to parse calendar" <<<"$err" || fail "no reason from systemd: $err"
[ "$(tree)" = "$before" ] || fail "a refused calendar wrote files"
err=$("$S" bench schedule nosuch --daily --user --root "$R" 2>&1) && fail "a missing suite was scheduled"
grep -q "no nosuch.conf in $user, $etc and $data" <<<"$err" || fail "missing suite: $err"
err=$("$S" bench schedule ./same.conf --daily --user --root "$R" 2>&1) && fail "a path was scheduled"
out=$("$S" bench schedule same --on 'Mon *-*-* 03:00' --user --root "$R") || fail "user schedule: $out"
grep -q "systemctl not run" <<<"$out" || fail "--root does not say systemctl was not run: $out"
"$S" bench schedule etc-only --daily --user --root "$R" >/dev/null || fail "a suite of /etc/skytune/suites.d"
"$S" bench schedule data-only --daily --user --root "$R" --history /srv/b.db >/dev/null ||
        fail "a suite of the data dir"
[ "$(stat -c %a "$udir/skytune-bench@same.timer")" = 644 ] || fail "timer is not 0644"
grep -qx 'OnCalendar=Mon \*-\*-\* 03:00' "$udir/skytune-bench@same.timer" || fail "timer calendar"
grep -qx 'Persistent=true' "$udir/skytune-bench@same.timer" || fail "timer not persistent"
grep -q "^ExecStart=$(readlink -f "$S") bench run %i --history /" "$udir/skytune-bench@.service" ||
        fail "user service: $(cat "$udir/skytune-bench@.service")"
grep -qx 'ExecStart=' "$udir/skytune-bench@data-only.service.d/skytune-schedule.conf" || fail "history drop-in"
v=$tmp/verify-user; cp -r "$udir" "$v"
ln -s skytune-bench@.service "$v/skytune-bench@same.service"
ln -s skytune-bench@.service "$v/skytune-bench@data-only.service"
out=$(cd "$v" && SYSTEMD_LOG_LEVEL=warning systemd-analyze verify --man=no ./skytune-bench@same.timer \
        ./skytune-bench@same.service ./skytune-bench@data-only.service 2>&1)
[ $? -eq 0 ] && ! grep -qi skytune-bench <<<"$out" || fail "user units do not verify: $out"
l=$("$S" bench schedule --list --json --user --root "$R") || fail "--list"
[ "$(jq -c '[.schedules[] | [.name, .calendar]] | sort' <<<"$l")" = \
  '[["data-only","daily"],["etc-only","daily"],["same","Mon *-*-* 03:00"]]' ] || fail "--list: $l"
echo "# mine" >"$udir/skytune-bench@quick.timer"
err=$("$S" bench schedule quick --daily --user --root "$R" 2>&1) && fail "another's timer was overwritten"
[ "$(cat "$udir/skytune-bench@quick.timer")" = "# mine" ] || fail "another's timer was changed"
rm "$udir/skytune-bench@quick.timer"
# The link `systemctl --user enable` makes goes with --remove (a manager that could not be reached
# has not removed it); another timer's link stays.
mkdir -p "$udir/timers.target.wants"
ln -s "/home/u/.config/systemd/user/skytune-bench@same.timer" "$udir/timers.target.wants/skytune-bench@same.timer"
ln -s /elsewhere/x.timer "$udir/timers.target.wants/x.timer"
before=$(printf '%s\n' "$before" "./home/u/.config/systemd/user/timers.target.wants/x.timer 777" | sort)
for s in same etc-only data-only; do
        "$S" bench schedule $s --remove --user --root "$R" >/dev/null || fail "--remove $s"
done
[ "$(tree)" = "$before" ] || fail "--remove left: $(diff <(echo "$before") <(tree))"
ls -d "$udir"/*.d 2>/dev/null && fail "drop-in directories left"
"$S" bench schedule same --remove --user --root "$R" 2>/dev/null && fail "removing nothing succeeded"

# Without --root and without a user manager (no XDG_RUNTIME_DIR: systemctl --user cannot reach
# one), the files are written, the exit is 1 and the message says what to run; --remove likewise.
h=$tmp/home; suite "$h/.config/skytune/suites/quick.conf" quick 0
out=$(env -u XDG_RUNTIME_DIR -u DBUS_SESSION_BUS_ADDRESS HOME="$h" "$S" bench schedule quick --daily --user 2>&1) &&
        fail "scheduled without a user manager, exit 0: $out"
grep -q "run: systemctl --user daemon-reload && systemctl --user enable --now skytune-bench@quick.timer" <<<"$out" ||
        fail "no instructions: $out"
[ -f "$h/.config/systemd/user/skytune-bench@quick.timer" ] || fail "timer not written: $out"
out=$(env -u XDG_RUNTIME_DIR -u DBUS_SESSION_BUS_ADDRESS HOME="$h" "$S" bench schedule quick --remove --user 2>&1) &&
        fail "removed without a user manager, exit 0: $out"
grep -q "run: systemctl --user stop skytune-bench@quick.timer" <<<"$out" || fail "no instructions: $out"
[ -z "$(find "$h/.config/systemd" -type f)" ] || fail "--remove left files"

# --- system: a drop-in for the packaged timer ------------------------------------------------------
err=$("$S" bench schedule same --daily --system --root "$R" 2>&1) && fail "system schedule without the units"
grep -q "skytune-bench@.timer is not installed" <<<"$err" || fail "no reason: $err"
suite "$user/mine.conf" mine 0 # the system's service has no HOME: the user's place is not its
err=$("$S" bench schedule mine --daily --system --root "$R" 2>&1) && fail "a user's suite scheduled for the system"
grep -q "no mine.conf in $etc and $data" <<<"$err" || fail "system lookup: $err"
sdir=$R/etc/systemd/system lib=$R/usr/lib/systemd/system
mkdir -p "$lib"
sed "s|^ExecStart=[^ ]*|ExecStart=$(readlink -f "$S")|" "$build/packaging/skytune-bench@.service" >"$lib/skytune-bench@.service"
cp "$src/packaging/skytune-bench@.timer" "$lib/"
before=$(tree)
"$S" bench schedule same --on weekly --system --root "$R" --history /srv/s.db >/dev/null || fail "system schedule"
d=$sdir/skytune-bench@same.timer.d/skytune-schedule.conf
[ "$(grep '^OnCalendar=' "$d" | tr '\n' ' ')" = "OnCalendar= OnCalendar=weekly " ] || fail "drop-in: $(cat "$d")"
[ "$(stat -c %a "$d")" = 644 ] || fail "drop-in is not 0644"
v=$tmp/verify-sys; mkdir "$v" && cp "$lib"/* "$v/" && cp -r "$sdir"/*.d "$v/"
ln -s skytune-bench@.service "$v/skytune-bench@same.service"; ln -s skytune-bench@.timer "$v/skytune-bench@same.timer"
out=$(cd "$v" && SYSTEMD_LOG_LEVEL=warning systemd-analyze verify --man=no ./skytune-bench@same.timer \
        ./skytune-bench@same.service 2>&1)
[ $? -eq 0 ] && ! grep -qi skytune-bench <<<"$out" || fail "system units with drop-ins do not verify: $out"
"$S" bench schedule --list --system --root "$R" | grep -q "^same  *weekly" || fail "system --list"
"$S" bench schedule same --remove --system --root "$R" >/dev/null || fail "system --remove"
[ "$(tree)" = "$before" ] || fail "system --remove left: $(diff <(echo "$before") <(tree))"
echo "ok: bench schedule, bench list, suites by name"
