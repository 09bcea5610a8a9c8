#!/usr/bin/env bash
# The dry run is exact: for a plan touching every owned file (sysctl.d with a coupled pair, udev,
# tmpfiles, limits.d with byte and count limits, unit drop-ins named bare and with .service,
# system.conf.d), the content `skytune apply --dry-run --persist` predicts for each file is, byte for
# byte, what skytune-helper then writes (the dry run's unified diffs applied to the tree as it was);
# and the live values it predicts are the ones set.
set -euo pipefail
source "$(dirname "$0")/lib-helper-bus.sh"
bus_setup "$1" "$2"

# An administrator's earlier lines stay, and an earlier skytune line of the coupled partner goes.
mkdir -p "$ROOT/etc/sysctl.d" "$ROOT/etc/systemd/system.conf.d"
printf '# Written by skytune-helper; skytune rollback restores or removes this file.\nvm.dirty_ratio = 15\n' \
        >"$ROOT/etc/sysctl.d/90-skytune.conf"
plan=$(make_plan true <<'P'
sysctl vm.swappiness 10
sysctl vm.dirty_bytes 268435456
sysctl net.ipv4.tcp_rmem 4096 262144 16777216
io_scheduler vda kyber
read_ahead_kb vda 4096
cpu_governor policy0 performance
ulimit login:*:nofile 65536:131072
ulimit login:@db:memlock 8388608:unlimited
ulimit unit:nginx:nofile 16384
ulimit unit:postgresql.service:memlock 65536:infinity
ulimit default:*:nproc 15000
P
)
echo "$plan" >"$BUS_TMP/plan.json"
"$SKYTUNE" apply --dry-run --persist --plan "$BUS_TMP/plan.json" --sysroot "$ROOT" --json >"$BUS_TMP/dry.json" ||
        bus_fail "dry run: $(cat "$BUS_TMP/dry.json")"
jq -e '.dry_run.files | length >= 6' "$BUS_TMP/dry.json" >/dev/null || bus_fail "dry run files: $(jq -c .dry_run.files "$BUS_TMP/dry.json")"
mkdir "$BUS_TMP/pred"
cp -a "$ROOT/etc" "$BUS_TMP/pred/"
jq -r '.dry_run.files[] | .diff // empty' "$BUS_TMP/dry.json" >"$BUS_TMP/dry.diff"
(cd "$BUS_TMP/pred" && git apply --unsafe-paths -p1 "$BUS_TMP/dry.diff") || bus_fail "the dry run's diff does not apply: $(cat "$BUS_TMP/dry.diff")"
"$SKYTUNE" apply --persist --plan "$BUS_TMP/plan.json" --sysroot "$ROOT" --yes >"$BUS_TMP/apply.txt" 2>&1 ||
        bus_fail "apply: $(cat "$BUS_TMP/apply.txt")"

n=0
for path in $(jq -r '.dry_run.files[].path | ltrimstr("/")' "$BUS_TMP/dry.json"); do
        [[ -e $ROOT/$path ]] || bus_fail "the dry run predicts $path; the helper did not write it (wrote: $(cd "$ROOT" && find etc -name '90-skytune*'))"
        cmp -s "$BUS_TMP/pred/$path" "$ROOT/$path" ||
                bus_fail "$path differs from the dry run: $(diff "$BUS_TMP/pred/$path" "$ROOT/$path")"
        n=$((n + 1))
done
# ... and nothing else was written.
written=$(cd "$ROOT" && find etc -name '90-skytune*' -type f | wc -l)
[[ $written == "$n" ]] || bus_fail "the helper wrote $written owned files, the dry run predicted $n"

# Live values predicted (status change) are the live values now, and nothing drifted.
"$SKYTUNE" status --json >"$BUS_TMP/status.json" || bus_fail "status after apply: $(jq -c . "$BUS_TMP/status.json")"
live=0
while IFS=$'\t' read -r kind key to; do
        live=$((live + 1))
        got=$(jq -r --arg k "$key" --arg kind "$kind" \
                '.items[] | select(.kind == $kind and .key == $k) | .live' "$BUS_TMP/status.json")
        [[ $got == "$to" ]] || bus_fail "$kind $key: the dry run said $to, live is '$got'"
done < <(jq -r '.dry_run.live[] | select(.status == "change") | [.kind, .key, .to] | @tsv' "$BUS_TMP/dry.json")
(( live >= 6 )) || bus_fail "the dry run predicted only $live live changes: $(jq -c .dry_run.live "$BUS_TMP/dry.json")"
"$SKYTUNE" rollback --last >/dev/null || bus_fail "rollback"
echo "ok: $n owned files and $live live values exactly as the dry run showed them"
