#!/usr/bin/env bash
# The read methods (GetTransaction, ListTransactions, ListTransactionsPage) hand the full journal
# record (owned files' old and new contents, caller uids) only to root and to callers polkit grants
# io.skysentinel.skytune.read (asked without interaction; the shipped rule grants it to sudo, adm
# and wheel); anyone else, a caller polkit only challenges included, gets the redacted view
# ("redacted": true, no old_content/new_content, no caller_uid or recorded_by_uid), which still
# carries what status and history need (states, keys, values, live values, drift). The CLI's status
# and history work for such a caller. Paging returns the older transactions page by page.
set -euo pipefail
source "$(dirname "$0")/lib-helper-bus.sh"
BUS_IDLE=30
bus_setup "$1" "$2"

as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups --reset-env env DBUS_SYSTEM_BUS_ADDRESS="$DBUS_SYSTEM_BUS_ADDRESS" "$@"; }
njson() { as_nobody busctl --system --timeout=30 --json=short call "$BUS_NAME" "$BUS_PATH" "$BUS_IFACE" "$@" | jq -r '.data[0]'; }

plan=$(make_plan true <<'P'
sysctl vm.swappiness 10
ulimit login:*:nofile 65536
P
)
# An owned file that exists before: its old content goes into the journal.
mkdir -p "$ROOT/etc/sysctl.d"
printf '# secret kept by the test\n' >"$ROOT/etc/sysctl.d/90-skytune.conf"
id=$(hjson Apply st "$plan" 0 | jq -r .id)
hjson AnnotateTransaction ss "$id" '{"schema":"skytune.verify/1","rounds":{"baseline":1,"candidate":1},"metrics":[],"primary_regressed":false,"decision":"kept"}' >/dev/null

full='(.files | length) > 0 and all(.files[]; (.new_content | type == "string") and (.new_content | length > 0))
        and any(.files[]; .old_content == "# secret kept by the test\n")
        and (.caller_uid == 0) and (.verification.recorded_by_uid == 0) and (has("redacted") | not)'
redacted='.redacted == true and (.files | length) > 0 and all(.files[]; (has("old_content") or has("new_content")) | not)
        and (has("caller_uid") | not) and (.verification | has("recorded_by_uid") | not)
        and (.changes[] | select(.key == "vm.swappiness") | .new == "10" and .live == "10" and .drift == false)'

# Root: the full record.
hjson GetTransaction s "$id" | jq -e "$full" >/dev/null || bus_fail "root's GetTransaction is not the full record: $(hjson GetTransaction s "$id")"
hjson ListTransactions | jq -e '.transactions[0].caller_uid == 0 and (.transactions[0] | has("redacted") | not)' >/dev/null ||
        bus_fail "root's ListTransactions: $(hjson ListTransactions)"

# nobody, no grant: the redacted view, by id and as "last", in the list and in a page.
for which in "$id" last; do
        out=$(njson GetTransaction s "$which") || bus_fail "nobody cannot read $which"
        jq -e "$redacted" <<<"$out" >/dev/null || bus_fail "nobody's GetTransaction $which is not redacted: $out"
        grep -q 'secret\|65536' <<<"$(jq -c .files <<<"$out")" && bus_fail "nobody sees the owned files' contents: $out"
done
njson ListTransactions | jq -e '.transactions[0] | .redacted == true and (has("caller_uid") | not) and
        (.verification | has("recorded_by_uid") | not) and .verification.decision == "kept"' >/dev/null ||
        bus_fail "nobody's ListTransactions is not redacted: $(njson ListTransactions)"
njson ListTransactionsPage su "" 10 | jq -e '.transactions[0] | .redacted == true and (has("caller_uid") | not)' >/dev/null ||
        bus_fail "nobody's ListTransactionsPage is not redacted"
# The CLI works on the redacted view.
as_nobody "$SKYTUNE" status >"$BUS_TMP/st" || bus_fail "status as nobody exited $?: $(cat "$BUS_TMP/st")"
grep -q "ok .*vm.swappiness .*set 10, now 10" "$BUS_TMP/st" && grep -q "ok .*file .*/etc/security/limits.d/90-skytune.conf" "$BUS_TMP/st" ||
        bus_fail "status as nobody: $(cat "$BUS_TMP/st")"
as_nobody "$SKYTUNE" history | grep -q "^$id .* applied " || bus_fail "history as nobody"

# The shipped rule (packaging/50-skytune-read.rules), with its group adm standing for a test group:
# polkit takes groups from the user database, so uucp's own group (uid 10's primary) is the one a
# member has on any host. A member reads in full, uid 9 (news, not one) gets the redacted view. A
# caller polkit only challenges (uid 13, a rule answering AUTH_ADMIN_KEEP; busctl allows
# interactive authorization) gets the redacted view, not an error, from the bus and from the CLI.
rule=$(sed 's/subject.isInGroup("adm")/subject.isInGroup("uucp")/' "$BUS_SRC/packaging/50-skytune-read.rules")
grep -q 'isInGroup("uucp")' <<<"$rule" || bus_fail "the shipped rule does not name adm any more: update this test"
polkit_rule "$rule" 40
polkit_rule 'polkit.addRule(function(action, subject) {
        if (action.id == "io.skysentinel.skytune.read" && subject.user == "proxy") return polkit.Result.AUTH_ADMIN_KEEP;
});' 41
ujson() {        # ujson UID METHOD ARGS...
        local uid=$1
        shift
        setpriv --reuid="$uid" --regid="$uid" --init-groups --reset-env env DBUS_SYSTEM_BUS_ADDRESS="$DBUS_SYSTEM_BUS_ADDRESS" \
                busctl --system --timeout=30 --allow-interactive-authorization=yes --json=short call "$BUS_NAME" "$BUS_PATH" "$BUS_IFACE" "$@" |
                jq -r '.data[0]'
}
out=$(ujson 10 GetTransaction s "$id") || bus_fail "uid 10 cannot read"
jq -e "$full" <<<"$out" >/dev/null || bus_fail "a member of the rule's group does not get the full record: $out"
out=$(ujson 9 GetTransaction s "$id") || bus_fail "uid 9 cannot read"
jq -e "$redacted" <<<"$out" >/dev/null || bus_fail "uid 9, in no group of the rule, is not redacted: $out"
out=$(ujson 13 GetTransaction s "$id") || bus_fail "a challenged caller got an error instead of the redacted view"
jq -e "$redacted" <<<"$out" >/dev/null || bus_fail "a challenged caller's GetTransaction is not redacted: $out"
setpriv --reuid=13 --regid=13 --init-groups --reset-env env DBUS_SYSTEM_BUS_ADDRESS="$DBUS_SYSTEM_BUS_ADDRESS" "$SKYTUNE" history "$id" --json \
        >"$BUS_TMP/ch.json" 2>"$BUS_TMP/ch.err" || bus_fail "history as a challenged caller exited $?: $(cat "$BUS_TMP/ch.err")"
jq -e '.redacted == true' "$BUS_TMP/ch.json" >/dev/null || bus_fail "history --json as a challenged caller: $(head -c 300 "$BUS_TMP/ch.json")"

# A polkit rule granting nobody the read action: the full record (the action file is installed).
grep -q 'id="io.skysentinel.skytune.read"' "$BUS_SRC/packaging/io.skysentinel.skytune.policy" || bus_fail "no read action in the policy file"
grep -q '^#define HELPER_ACTION_READ "io.skysentinel.skytune.read"$' "$BUS_SRC/common/helper-bus.h" || bus_fail "no HELPER_ACTION_READ in common/helper-bus.h"
polkit_rule 'polkit.addRule(function(action, subject) {
        if (action.id == "io.skysentinel.skytune.read" && subject.user == "nobody") return polkit.Result.YES;
});'
sleep 1
out=$(njson GetTransaction s "$id")
jq -e "$full" <<<"$out" >/dev/null || bus_fail "nobody with the read grant does not get the full record: $out"
njson ListTransactions | jq -e '.transactions[0].caller_uid == 0' >/dev/null || bus_fail "granted ListTransactions"

# Paging: 5 more transactions, pages of 2, newest first, each page oldest first.
for v in 11 12 13 14 15; do echo "sysctl vm.swappiness $v" | make_plan | { read -r -d '' p || true; hjson Apply st "$p" 0 >/dev/null; }; done
all=$(hjson ListTransactions | jq -c '[.transactions[].id]')
[[ $(jq length <<<"$all") == 6 ]] || bus_fail "6 transactions expected: $all"
got='[]' before=""
for _ in 1 2 3 4; do
        page=$(hjson ListTransactionsPage su "$before" 2)
        got=$(jq -c --argjson p "$(jq -c '[.transactions[].id]' <<<"$page")" '$p + .' <<<"$got")
        [[ $(jq '.transactions | length' <<<"$page") -le 2 ]] || bus_fail "page larger than asked: $page"
        jq -e '.more' <<<"$page" >/dev/null || break
        before=$(jq -r .next <<<"$page")
done
[[ $got == "$all" ]] || bus_fail "pages $got do not add up to the list $all"
for _ in 1 2 3 4 5 6; do hjson Rollback s last >/dev/null; done
[[ $(cat "$ROOT/etc/sysctl.d/90-skytune.conf") == "# secret kept by the test" ]] || bus_fail "owned file not restored"
echo "ok: full record for root and a polkit-granted caller, redacted view otherwise (status and history work on it), pages add up to the list"
