#!/usr/bin/env bash
# skytune-monitor's notifications against real receivers on loopback: a webhook sink that answers
# 500 and 429 (Retry-After honoured, nothing lost, order kept), that is down while an alert fires
# and resolves and the daemon is killed -9 (both arrive, in order, once each, when it is back), a
# Slack-style body, an email through an SMTP sink, a command fed the body, and a real Alertmanager
# that receives, groups and resolves skytune's alerts (checked through its own API and the webhook
# it forwards to). Secret files others may read are refused at file:line. The events are in the
# store's history (skytune alerts --history).
set -euo pipefail
build=$(realpath "$1") src=$(realpath "$2")
fail() { echo "FAIL: $*" >&2; exit 1; }
mon=${SKYTUNE_MONITOR:-$build/monitor/skytune-monitor}
sky=${SKYTUNE:-$build/cli/skytune}
sink=$src/tests/integration/notify-sink.py
fx=$src/tests/fixtures/captured-vm
tmp=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done; rm -rf "$tmp"' EXIT
cd "$tmp"

# wait_for FILE TEXT [SECONDS]: TEXT in FILE.
wait_for() {
        for _ in $(seq $((${3:-10} * 10))); do grep -q -- "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
        fail "no '$2' in $1 after ${3:-10} s: $(cat "$1" 2>/dev/null)"
}
# start_sink KIND NAME [ARGS...]: a sink in the background, $sink_pid; its port in NAME.port, its
# requests in NAME.log.
start_sink() {
        local kind=$1 name=$2; shift 2
        rm -f "$name.port"
        python3 "$sink" "$kind" "$name.port" "$name.log" "$@" &
        sink_pid=$!; pids+=($sink_pid)
        for _ in $(seq 50); do [ -s "$name.port" ] && break; sleep 0.1; done
        [ -s "$name.port" ] || fail "the $kind sink $name did not start"
}
secret() { printf '%s\n' "$2" >"$1"; chmod 600 "$1"; }
# The fixture's memory.used_pct is 1.95: warn 1 and crit 1.9 fire at once; 5 and 9 resolve it.
mkdir alerts
rules() {
        printf 'rules = ({ name = "FixtureMemory"; expr = "memory.used_pct"; warn = %s; crit = %s;
  labels = { team = "ops"; }; annotations = { summary = "used {{ value }} %%"; }; });\n' "$1" "$2" >alerts/t.conf
}
# run NAME CONF: the daemon in the background ($pid), its log in NAME.daemon, its store NAME.db.
run() {
        "$mon" --config "$2" --sysroot "$fx" --store "$tmp/$1.db" --interval 0.2 --alerts alerts 2>>"$1.daemon" &
        pid=$!; pids+=($pid)
}

# --- a webhook that answers 500, then 429 with Retry-After: 2, then 200
rules 1 1.9
start_sink http hook --answers 500,429:2
secret hook-url "http://127.0.0.1:$(cat hook.port)/alerts"
printf 'listen = "off";\nnotifiers = ( { name = "hook"; type = "webhook"; url_file = "hook-url"; } );\n' >hook.conf
run hook hook.conf
wait_for hook.log '"status": 200' 15
python3 - hook.log <<'PY' || fail "the webhook's requests: $(cat hook.log)"
import json, sys
reqs = [json.loads(l) for l in open(sys.argv[1])]
assert [r["status"] for r in reqs] == [500, 429, 200], [r["status"] for r in reqs]
assert all(r["path"] == "/alerts" for r in reqs)
assert 0.8 <= reqs[1]["time"] - reqs[0]["time"] < 3, "backoff after the 500: %.2f s" % (reqs[1]["time"] - reqs[0]["time"])
assert reqs[2]["time"] - reqs[1]["time"] >= 1.9, "Retry-After 2 not honoured: %.2f s" % (reqs[2]["time"] - reqs[1]["time"])
assert reqs[0]["body"] == reqs[2]["body"], "a retry is not the same notification"
b = json.loads(reqs[2]["body"])
assert b["version"] == "4" and b["status"] == "firing" and b["receiver"] == "hook", b
a = b["alerts"][0]
assert a["labels"]["alertname"] == "FixtureMemory" and a["labels"]["severity"] == "critical", a
assert a["labels"]["team"] == "ops" and a["annotations"]["summary"] == "used 1.953 %", a
assert a["endsAt"] == "0001-01-01T00:00:00Z" and len(a["fingerprint"]) == 16, a
assert reqs[2]["headers"]["Content-Type"] == "application/json"
assert reqs[2]["headers"]["User-Agent"].startswith("skytune-monitor/")
PY
grep -q "notifier hook: cannot deliver (HTTP 500" hook.daemon || fail "the 500 was not logged: $(cat hook.daemon)"
grep -q "notifier hook: delivers again" hook.daemon || fail "the recovery was not logged: $(cat hook.daemon)"
kill -TERM $pid; wait $pid || fail "the webhook run: exit $?"

# --- the repeat clock survives a restart: when the receiver was last told is kept in the store. Set
# back 10 min, a restart with repeat = 1m tells the (restored, still firing) alert again at once.
python3 - "$tmp/hook.db" <<'PY' || fail "the time the webhook was told is not kept in the store"
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1])
(t,) = db.execute("select value from state where key = 'notify.told.hook'").fetchone()
assert time.time() - 60 < int(t) / 1000 <= time.time(), t
db.execute("update state set value = ? where key = 'notify.told.hook'", (str(int((time.time() - 600) * 1000)),))
db.commit()
PY
printf 'listen = "off";\nnotifiers = ( { name = "hook"; type = "webhook"; url_file = "hook-url"; repeat = "1m"; } );\n' \
        >repeat.conf
run hook repeat.conf
for _ in $(seq 100); do [ "$(wc -l <hook.log)" -ge 4 ] && break; sleep 0.1; done
python3 - hook.log <<'PY' || fail "no repeat after the restart: $(cat hook.log)"
import json, sys
reqs = [json.loads(l) for l in open(sys.argv[1])]
assert len(reqs) == 4 and json.loads(reqs[3]["body"])["status"] == "firing", [r["status"] for r in reqs]
PY
kill -TERM $pid; wait $pid || fail "the repeat run: exit $?"

# --- a silence holds the firing alert's notification back (the alert still fires and is logged);
# when `alerts unsilence` ends it, the daemon reads the change and tells the alert at once.
"$sky" alerts silence alertname=FixtureMemory 'severity=~crit.*' --for 1h --comment test --store "$tmp/sil.db" \
        >sil.out || fail "alerts silence: $(cat sil.out)"
id=$(sed -n 's/^silence \([0-9a-f]\{16\}\): .*/\1/p' sil.out)
[ -n "$id" ] || fail "no silence id: $(cat sil.out)"
run sil hook.conf
wait_for sil.daemon "1 silence read"
wait_for sil.daemon "alert FixtureMemory firing"
sleep 1.5
[ "$(wc -l <hook.log)" = 4 ] || fail "a silenced alert was notified: $(tail -1 hook.log)"
"$sky" alerts unsilence "$id" --store "$tmp/sil.db" >/dev/null || fail "alerts unsilence"
for _ in $(seq 100); do [ "$(wc -l <hook.log)" -ge 5 ] && break; sleep 0.1; done
python3 - hook.log <<'PY' || fail "the alert was not told when its silence ended: $(cat hook.log)"
import json, sys
reqs = [json.loads(l) for l in open(sys.argv[1])]
assert len(reqs) == 5, len(reqs)
b = json.loads(reqs[4]["body"])
assert b["status"] == "firing" and b["alerts"][0]["labels"]["alertname"] == "FixtureMemory", b
PY
kill -TERM $pid; wait $pid || fail "the silence run: exit $?"
# Held when the daemon stops, the silence ended while it was down: told after the restart.
"$sky" alerts silence alertname=FixtureMemory --store "$tmp/sil2.db" >sil2.out || fail "alerts silence: $(cat sil2.out)"
run sil2 hook.conf
wait_for sil2.daemon "held back by silence"
kill -TERM $pid; wait $pid || fail "the second silence run: exit $?"
"$sky" alerts unsilence "$(sed -n 's/^silence \([0-9a-f]\{16\}\): .*/\1/p' sil2.out)" --store "$tmp/sil2.db" >/dev/null ||
        fail "alerts unsilence"
run sil2 hook.conf
for _ in $(seq 100); do [ "$(wc -l <hook.log)" -ge 6 ] && break; sleep 0.1; done
[ "$(wc -l <hook.log)" = 6 ] || fail "an alert held when the daemon stopped was not told after the restart: $(cat sil2.daemon)"
kill -TERM $pid; wait $pid || fail "the restart after the silence: exit $?"
# A file in the directory that is no silence: logged with its path, the rest still read.
echo '{"schema": "skytune.silence/1"}' >"$tmp/silences/00000000000000aa.json"
"$mon" --config hook.conf --sysroot "$fx" --store "$tmp/sil.db" --interval 0.2 --duration 0.5 --alerts alerts \
        2>bad-silence.daemon || fail "a bad silence file: exit $?"
grep -q "$tmp/silences/00000000000000aa.json: not a silence, left out: 'id' must be" bad-silence.daemon ||
        fail "the bad silence file was not named: $(cat bad-silence.daemon)"

# --- the receiver is down while the alert fires and resolves, and the daemon is killed -9 in
# between: when both are back, the firing and the resolved notification arrive, in that order, once.
port=$(cat hook.port)
kill $sink_pid; wait $sink_pid 2>/dev/null || true
rm -f hook.log
run down hook.conf
wait_for down.daemon "alert FixtureMemory firing"
wait_for down.daemon "notifier hook: cannot deliver"
rules 5 9
kill -HUP $pid
wait_for down.daemon "alert FixtureMemory resolved"
sleep 1
kill -9 $pid; wait $pid 2>/dev/null || true
start_sink http hook --port "$port"
run down hook.conf
wait_for hook.log '\\"resolved' 20
sleep 1
kill -TERM $pid; wait $pid || fail "the run after kill -9: exit $?"
python3 - hook.log <<'PY' || fail "after the receiver came back: $(cat hook.log)"
import json, sys
reqs = [json.loads(json.loads(l)["body"]) for l in open(sys.argv[1])]
assert [r["alerts"][0]["status"] for r in reqs] == ["firing", "resolved"], [r["alerts"] for r in reqs]
assert reqs[1]["alerts"][0]["endsAt"] != "0001-01-01T00:00:00Z"
PY
# The same events in the store's history, also across the kill -9.
"$sky" alerts --history --store "$tmp/down.db" --since 1h --json >hist.json || fail "alerts --history"
python3 - hist.json <<'PY' || fail "alerts --history: $(cat hist.json)"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["schema"] == "skytune.alert-history/1", d
assert [(e["alert"], e["event"], e["level"]) for e in d["events"]] == \
    [("FixtureMemory", "firing", "crit"), ("FixtureMemory", "resolved", "crit")], d["events"]
assert abs(d["events"][0]["value"] - 1.95336) < 1e-4, d["events"][0]
PY
"$sky" alerts --history --store "$tmp/down.db" --alert Nope >hist.txt || fail "alerts --history --alert"
grep -q "^0 alert events since" hist.txt || fail "an alert without events: $(cat hist.txt)"
rc=0; "$sky" alerts --store "$tmp/down.db" --since 1h 2>hist.err || rc=$?
[ $rc = 2 ] && grep -q "belongs to --history" hist.err || fail "--since without --history: exit $rc"

# --- Slack, email and a command, from one daemon
rules 1 1.9
start_sink http slack
start_sink smtp mail
secret slack-url "http://127.0.0.1:$(cat slack.port)/services/T0/B0/x"
cat >many.conf <<CONF
listen = "off";
notifiers = (
  { name = "chat"; type = "slack"; url_file = "$tmp/slack-url"; },
  { name = "mail"; type = "email"; url = "smtp://127.0.0.1:$(cat mail.port)"; from = "monitor@example.org";
    to = [ "ops@example.org", "oncall@example.org" ]; },
  { name = "script"; type = "exec"; command = [ "/bin/sh", "-c",
    "grep SigBlk /proc/self/status >$tmp/exec.sigblk; cat >$tmp/exec.\$SKYTUNE_NOTIFIER.json; exec ls -l /proc/self/fd >$tmp/exec.fds" ]; }
);
CONF
"$mon" --config many.conf --check >check.out 2>&1 || fail "--check: $(cat check.out)"
grep -q "notifier chat: slack;" check.out && ! grep -q "services/T0" check.out ||
        fail "--check: the Slack notifier, without its secret URL: $(cat check.out)"
run many many.conf
wait_for slack.log '"status": 200' 15
wait_for mail.log 'Subject' 15
for _ in $(seq 50); do [ -s exec.fds ] && break; sleep 0.1; done
kill -TERM $pid; wait $pid || fail "the Slack/email/exec run: exit $?"
# The command starts clean: no signal blocked (the daemon blocks those sd-event handles), no
# descriptor of the daemon's but 0, 1 and 2.
grep -q "^SigBlk:[[:space:]]*0*$" exec.sigblk || fail "the command started with blocked signals: $(cat exec.sigblk)"
# (ls's own descriptor 3 is the directory it lists.)
[ "$(awk '$9 ~ /^[0-9]+$/ && !($9 == 3 && $11 ~ /^\/proc\//) { print $9 }' exec.fds | sort -n | tr '\n' ' ')" = "0 1 2 " ] ||
        fail "the command inherited descriptors: $(cat exec.fds)"
python3 - slack.log mail.log exec.script.json <<'PY' || fail "Slack, email or exec"
import json, sys
s = json.loads(json.loads(open(sys.argv[1]).readline())["body"])
assert s["text"].startswith("[FIRING] FixtureMemory (critical) on "), s
assert s["blocks"][0]["type"] == "section" and "used 1.953 %" in s["blocks"][0]["text"]["text"], s
m = json.loads(open(sys.argv[2]).readline())
assert m["from"] == "<monitor@example.org>" and m["to"] == ["<ops@example.org>", "<oncall@example.org>"], m
head, _, body = m["data"].partition("\r\n\r\n")
head = head.replace("\r\n ", " ")  # unfolded
assert "Subject: [skytune] [FIRING] FixtureMemory (critical)" in head, head
assert "To: ops@example.org, oncall@example.org" in head and "From: monitor@example.org" in head, head
assert "used 1.953 %" in body, body
e = json.load(open(sys.argv[3]))
assert e["version"] == "4" and e["receiver"] == "script" and e["alerts"][0]["status"] == "firing", e
PY

# --- a secret file others may read is refused, at file:line
chmod 644 hook-url
rc=0; "$mon" --config hook.conf --check >bad.out 2>&1 || rc=$?
[ $rc = 1 ] && grep -q "hook.conf:2: 'url_file': the secret file .*hook-url has mode 0644, so others may read it: .*chmod 600" bad.out ||
        fail "a world-readable secret: exit $rc: $(cat bad.out)"
chmod 600 hook-url
printf 'notifiers = ( { name = "x"; type = "slack"; url = "http://127.0.0.1/"; } );\n' >inline.conf
rc=0; "$mon" --config inline.conf --check >bad.out 2>&1 || rc=$?
[ $rc = 1 ] && grep -q "inline.conf:1: unknown .*'url'" bad.out || fail "a Slack URL in the file: exit $rc: $(cat bad.out)"

# --- a real Alertmanager: it receives skytune's alert, shows it through its API, forwards it to
# its own webhook (grouped by alertname), and resolves it when skytune does
am=$(command -v prometheus-alertmanager || command -v alertmanager || true)
if [ -z "$am" ]; then
        [ -n "${CI:-}" ] && fail "prometheus-alertmanager is not installed (scripts/install-deps.sh --test)"
        echo "SKIP: Alertmanager: prometheus-alertmanager is not installed"; exit 0
fi
start_sink http amhook
amport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >am.yml <<YML
route:
  receiver: sink
  group_by: [alertname]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: sink
    webhook_configs:
      - url: http://127.0.0.1:$(cat amhook.port)/am
        send_resolved: true
YML
"$am" --config.file=am.yml --storage.path="$tmp/am-data" --web.listen-address="127.0.0.1:$amport" \
        --cluster.listen-address= --log.level=warn >am.log 2>&1 &
pids+=($!)
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$amport/-/ready" >/dev/null && break; sleep 0.1; done
curl -fs "http://127.0.0.1:$amport/-/ready" >/dev/null || fail "Alertmanager did not start: $(cat am.log)"
printf 'listen = "off";\nnotifiers = ( { name = "am"; type = "alertmanager"; url = "http://127.0.0.1:%s"; } );\n' "$amport" >am.conf
rules 1 1.9
run am am.conf
wait_for amhook.log 'status\\":\\"firing' 20
curl -fs "http://127.0.0.1:$amport/api/v2/alerts" >am-alerts.json
python3 - am-alerts.json <<'PY' || fail "Alertmanager's API: $(cat am-alerts.json)"
import json, sys
alerts = json.load(open(sys.argv[1]))
a = [x for x in alerts if x["labels"].get("alertname") == "FixtureMemory"]
assert len(a) == 1 and a[0]["status"]["state"] == "active", alerts
assert a[0]["labels"]["severity"] == "critical" and a[0]["labels"]["team"] == "ops", a
assert a[0]["annotations"]["summary"] == "used 1.953 %", a
PY
rules 5 9
kill -HUP $pid
wait_for amhook.log 'status\\":\\"resolved' 20
kill -TERM $pid; wait $pid || fail "the Alertmanager run: exit $?"
python3 - amhook.log <<'PY' || fail "Alertmanager's webhook: $(cat amhook.log)"
import json, sys
reqs = [json.loads(json.loads(l)["body"]) for l in open(sys.argv[1])]
assert reqs[0]["status"] == "firing" and reqs[0]["groupLabels"] == {"alertname": "FixtureMemory"}, reqs[0]
assert reqs[-1]["status"] == "resolved" and reqs[-1]["alerts"][0]["labels"]["alertname"] == "FixtureMemory", reqs[-1]
PY
echo "ok: notifications"
