# -*- coding: utf-8 -*-
# SPDX-License-Identifier: MIT
"""skysentinel.skytune.apply: apply a skytune policy, plan or sysctl values, or roll back."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: apply
short_description: Apply a skytune policy, plan or sysctl values through skytune-helper, or roll back
version_added: "0.1.0"
description:
  - Runs the C(skytune) command on the managed host with C(--json) and reports what it did.
  - Changes are made by skytune-helper (D-Bus activated, polkit authorized), which journals the previous
    value of every setting first, so each run is one transaction that C(state=rolled_back) undoes.
  - In check mode it runs C(skytune apply --dry-run), which writes nothing and needs no privilege.
  - With C(--diff) it shows before and after of every live value (one entry per key) and the unified
    diff of every file skytune owns (C(/etc/sysctl.d/90-skytune.conf) and the like, with C(persist)).
  - C(changed) is true only when a value or an owned file changed; a second run with the same input
    reports C(changed=false).
  - Failures report the message skytune printed.
options:
  policy:
    description:
      - A policy name (C(skytune policy list)) or the path of a policy file on the managed host.
      - The default, when neither I(plan) nor I(sysctl) is given, is skytune's default policy (balanced).
    type: str
  plan:
    description: The path of a saved plan (C(skytune plan --out FILE)) on the managed host.
    type: path
  sysctl:
    description:
      - Sysctl values to set, as a mapping of key to value. Values are strings or numbers; a list is
        joined with spaces (C(net.ipv4.tcp_rmem), three numbers).
      - YAML booleans (yes, no, on, off, true, false unquoted) are refused, since the kernel wants a
        number or a word; quote the value (C("1")).
    type: dict
  persist:
    description: Also write the persistent forms (C(/etc/sysctl.d/90-skytune.conf), udev rules, limits.d, systemd drop-ins).
    type: bool
    default: false
  allow_risk:
    description: Also propose changes up to this risk (policies only).
    type: str
    choices: [low, medium, high]
  targets:
    description: Processes or units whose resource limits the plan checks (policies only).
    type: list
    elements: str
    default: []
  profile:
    description: Plan from a saved profile (C(skytune profile --out FILE)) instead of profiling now (policies only).
    type: path
  duration:
    description: Seconds of profiling before planning (policies only; skytune's default is 10). Not with I(profile).
    type: float
  verify:
    description:
      - Measure with skytune's probes before and after (C(skytune apply --verify)). When a primary
        metric regressed the transaction is rolled back and the task fails, so a rolling update stops.
    type: bool
    default: false
  verify_probes:
    description: Probes for I(verify), comma-separated (skytune's default is net,sched).
    type: str
  verify_rounds:
    description: Rounds per side for I(verify).
    type: int
  state:
    description:
      - C(applied) applies; C(rolled_back) undoes I(transaction) (default the last applied one).
    type: str
    choices: [applied, rolled_back]
    default: applied
  transaction:
    description: With C(state=rolled_back), the transaction id to undo (C(skytune history)).
    type: str
  force:
    description: With C(state=rolled_back), also restore values someone else changed since.
    type: bool
    default: false
  sysroot:
    description: Read /proc, /sys and /etc below this directory (tests; the helper has its own).
    type: path
  executable:
    description: The skytune program.
    type: path
    default: skytune
notes:
  - Needs the skytune package on the managed host. The helper asks polkit; run the task with
    C(become) or give the connecting user the polkit actions io.skysentinel.skytune.apply and .rollback.
  - Supports check mode and diff mode.
author:
  - SkySentinel skytune maintainers
"""

EXAMPLES = r"""
- name: Tune the web servers with the web-server policy, persistently
  skysentinel.skytune.apply:
    policy: web-server
    persist: true
  become: true

- name: Set two sysctls through skytune (journaled, undoable)
  skysentinel.skytune.apply:
    sysctl:
      net.core.somaxconn: 8192
      net.ipv4.tcp_syncookies: "1"
  become: true

- name: Apply, measure, and undo when it made things worse
  skysentinel.skytune.apply:
    policy: network-latency
    verify: true
  become: true

- name: Undo the last skytune transaction
  skysentinel.skytune.apply:
    state: rolled_back
  become: true
"""

RETURN = r"""
changes:
  description: Every live value the run changes (or would change in check mode).
  returned: always
  type: list
  elements: dict
  sample: [{"kind": "sysctl", "key": "net.core.somaxconn", "before": "4096", "after": "8192"}]
files:
  description: Owned files the run writes (or would write), each with its unified diff.
  returned: always
  type: list
  elements: dict
transaction_id:
  description: The id of the transaction applied or rolled back (C(skytune history)).
  returned: when the helper made a transaction
  type: str
transaction:
  description: The transaction document (C(skytune.tx/1)).
  returned: when the helper made a transaction
  type: dict
verify:
  description: The verdicts of C(verify) (C(skytune.verify/1)).
  returned: with verify
  type: dict
regressed:
  description: A primary metric regressed under I(verify).
  returned: with verify
  type: bool
warnings_skytune:
  description: The plan's warnings (conflicting files, keys the host lacks).
  returned: always
  type: list
"""

import json
import os
import tempfile

from ansible.module_utils.basic import AnsibleModule

POLICY_ONLY = ("policy", "allow_risk", "profile", "duration")


def sysctl_plan(module, values, persist):
    """A skytune.plan/1 document from key: value pairs; YAML booleans are refused by name."""
    changes = []
    for key, value in sorted(values.items()):
        if isinstance(value, bool):
            module.fail_json(
                msg="sysctl %s: the value is the YAML boolean %s (unquoted yes/no/on/off/true/false are booleans "
                    "in YAML), not a value the kernel takes: write the number or word it wants, quoted, "
                    "for example %s: \"%d\"" % (key, value, key, int(value)))
        if isinstance(value, (list, tuple)):
            if any(isinstance(v, bool) for v in value):
                module.fail_json(msg="sysctl %s: a YAML boolean in the list %r: quote each value" % (key, value))
            value = " ".join(str(v) for v in value)
        elif isinstance(value, float) and value.is_integer():
            value = int(value)
        if value is None or isinstance(value, dict) or str(value).strip() == "":
            module.fail_json(msg="sysctl %s: no value given: write the value after the key, for example %s: \"1\"" % (key, key))
        changes.append({"kind": "sysctl", "key": str(key), "proposed": str(value).strip(),
                        "rule": "ansible", "reason": "set by the skysentinel.skytune.apply Ansible module"})
    return {"schema": "skytune.plan/1", "policy": {"name": "ansible"}, "persist": persist, "changes": changes}


class Skytune(object):
    def __init__(self, module):
        self.module = module
        self.p = module.params
        self.exe = self.p["executable"]
        if "/" not in self.exe:
            self.exe = module.get_bin_path(self.exe, required=True)
        self.tmpdir = tempfile.mkdtemp(prefix="skytune-ansible-")

    def cleanup(self):
        for name in os.listdir(self.tmpdir):
            os.unlink(os.path.join(self.tmpdir, name))
        os.rmdir(self.tmpdir)

    def fail(self, msg, **extra):
        self.cleanup()
        self.module.fail_json(msg=msg, **extra)

    def failed_command(self, cmd, rc, out, err):
        message = err.strip() or out.strip() or "no message"
        self.fail("%s failed (exit %d): %s" % (" ".join(cmd[:3]), rc, message), rc=rc, cmd=cmd, stdout=out, stderr=err)

    def run(self, args, ok_codes=(0,)):
        """Runs skytune; returns (rc, parsed JSON or None, stderr). A failure reports skytune's own message."""
        cmd = [self.exe] + args
        rc, out, err = self.module.run_command(cmd)
        if rc not in ok_codes:
            self.failed_command(cmd, rc, out, err)
        doc = None
        if out.strip():
            try:
                doc = json.loads(out)
            except ValueError as e:
                if rc != 0:
                    self.failed_command(cmd, rc, out, err)
                self.fail("%s printed no JSON (%s); is this skytune too old for --json?" % (" ".join(cmd[:3]), e),
                          cmd=cmd, stdout=out, stderr=err)
        return rc, doc, err

    def sysroot_args(self):
        return ["--sysroot", self.p["sysroot"]] if self.p["sysroot"] else []

    def plan_file(self):
        """The plan this run applies: given, made from sysctl values, or planned now from a policy."""
        if self.p["plan"]:
            return self.p["plan"]
        path = os.path.join(self.tmpdir, "plan.json")
        if self.p["sysctl"] is not None:
            with open(path, "w") as f:
                json.dump(sysctl_plan(self.module, self.p["sysctl"], self.p["persist"]), f)
            return path
        args = ["plan", "--json", "--out", path] + self.sysroot_args()
        if self.p["policy"]:
            args += ["--policy", self.p["policy"]]
        if self.p["allow_risk"]:
            args += ["--allow-risk", self.p["allow_risk"]]
        if self.p["profile"]:
            args += ["--profile", self.p["profile"]]
        if self.p["duration"] is not None:
            args += ["--duration", "%g" % self.p["duration"]]
        for t in self.p["targets"]:
            args += ["--target", t]
        if self.p["persist"]:
            args += ["--persist"]
        self.run(args)
        return path

    def apply_args(self, plan):
        args = ["--json", "--plan", plan] + self.sysroot_args()
        if self.p["persist"]:
            args.append("--persist")
        return args


def diff_of(dry_run):
    """Ansible diff entries: one per live value, one per owned file (its unified diff)."""
    diffs = []
    for c in dry_run.get("live", []):
        if c.get("status") != "change":
            continue
        name = "%s %s" % (c.get("kind"), c.get("key"))
        diffs.append({"before_header": "%s (live)" % name, "after_header": "%s (live)" % name,
                      "before": "%s\n" % c.get("from"), "after": "%s\n" % c.get("to")})
    for f in dry_run.get("files", []):
        if f.get("changed"):
            diffs.append({"prepared": f.get("diff", "")})
    return diffs


def changes_of(dry_run):
    return [{"kind": c.get("kind"), "key": c.get("key"), "before": c.get("from"), "after": c.get("to"),
             "mechanism": c.get("mechanism")}
            for c in dry_run.get("live", []) if c.get("status") == "change"]


def files_of(dry_run):
    return [{"path": f.get("path"), "exists": f.get("exists"), "diff": f.get("diff")}
            for f in dry_run.get("files", []) if f.get("changed")]


def do_apply(st, module):
    p = module.params
    plan = st.plan_file()
    _, dry, _ = st.run(["apply", "--dry-run"] + st.apply_args(plan))
    dry_run = (dry or {}).get("dry_run", {})
    pending = int(dry_run.get("pending", 0))
    result = {"changed": pending > 0, "changes": changes_of(dry_run), "files": files_of(dry_run),
              "warnings_skytune": [w.get("message") for w in (dry or {}).get("warnings", [])],
              "diff": diff_of(dry_run)}
    if module.check_mode or pending == 0:
        return result

    args = ["apply", "--yes"] + st.apply_args(plan)
    if p["verify"]:
        args.append("--verify")
        args.append("--rollback-on-regression")
        if p["verify_probes"]:
            args += ["--probes", p["verify_probes"]]
        if p["verify_rounds"]:
            args += ["--rounds", str(p["verify_rounds"])]
    # With --verify, exit 1 also means "a primary metric regressed" (the JSON says so).
    rc, out, err = st.run(args, ok_codes=(0, 1) if p["verify"] else (0,))
    out = out or {}
    if rc != 0 and not (out.get("verify") or {}).get("primary_regressed"):
        st.failed_command([st.exe] + args, rc, "", err)
    tx = out.get("transaction") or out.get("tx") or {}
    result["transaction"] = tx
    if tx.get("id"):
        result["transaction_id"] = tx.get("id")
    # The helper found everything in place after all (someone else changed it meanwhile).
    result["changed"] = tx.get("state") not in (None, "unchanged")
    if p["verify"]:
        verify = out.get("verify") or {}
        regressed = bool(verify.get("primary_regressed"))
        result["verify"] = verify
        result["regressed"] = regressed
        if regressed:
            rolled_back = bool(out.get("rolled_back"))
            st.fail("skytune apply --verify: a primary metric regressed; %s" % (
                    "the transaction was rolled back and this host keeps its previous values" if rolled_back else
                    "the change is still applied (undo it with state=rolled_back)"),
                    **dict(result, rolled_back=rolled_back))
    return result


def do_rollback(st, module):
    p = module.params
    _, listing, _ = st.run(["history", "--json"])
    txs = (listing or {}).get("transactions", [])
    if p["transaction"]:
        match = [t for t in txs if t.get("id") == p["transaction"]]
        if not match:
            st.fail("transaction %s is not in skytune history on this host: run 'skytune history' for the ids"
                    % p["transaction"])
        target = match[0]
    else:
        applied = [t for t in txs if t.get("state") == "applied"]
        target = applied[-1] if applied else None
    if target is None or target.get("state") != "applied":
        return {"changed": False, "msg": "nothing to roll back: no applied transaction"
                if target is None else "transaction %s is %s" % (target.get("id"), target.get("state"))}
    result = {"changed": True, "transaction_id": target.get("id")}
    if module.check_mode:
        return result
    args = ["rollback", target["id"], "--json"]
    if p["force"]:
        args.append("--force")
    _, tx, _ = st.run(args)
    tx = tx or {}
    result["transaction"] = tx
    result["changed"] = tx.get("state") == "rolled-back"
    diffs = []
    for c in tx.get("changes", []):
        if c.get("rollback") == "restored" or c.get("status") == "rolled-back":
            name = "%s %s" % (c.get("kind"), c.get("key"))
            diffs.append({"before_header": "%s (live)" % name, "after_header": "%s (live)" % name,
                          "before": "%s\n" % c.get("new"), "after": "%s\n" % c.get("old")})
    # Owned files: from what skytune had written back to the earlier content, or removed.
    for f in tx.get("files", []):
        if f.get("rollback") not in ("restored", "forced"):
            continue
        path = "/" + f.get("path", "").lstrip("/")
        removed = f.get("old_content") is None
        diffs.append({"before_header": path, "after_header": path + (" (removed)" if removed else ""),
                      "before": f.get("new_content") or "", "after": f.get("old_content") or ""})
    result["diff"] = diffs
    return result


def main():
    module = AnsibleModule(
        argument_spec=dict(
            policy=dict(type="str"),
            plan=dict(type="path"),
            sysctl=dict(type="dict"),
            persist=dict(type="bool", default=False),
            allow_risk=dict(type="str", choices=["low", "medium", "high"]),
            targets=dict(type="list", elements="str", default=[]),
            profile=dict(type="path"),
            duration=dict(type="float"),
            verify=dict(type="bool", default=False),
            verify_probes=dict(type="str"),
            verify_rounds=dict(type="int"),
            state=dict(type="str", choices=["applied", "rolled_back"], default="applied"),
            transaction=dict(type="str"),
            force=dict(type="bool", default=False),
            sysroot=dict(type="path"),
            executable=dict(type="path", default="skytune"),
        ),
        # profile and duration: skytune refuses --profile with --duration (a saved profile has its own).
        mutually_exclusive=[("policy", "plan", "sysctl"), ("profile", "duration")],
        supports_check_mode=True,
    )
    p = module.params
    if (p["plan"] or p["sysctl"] is not None) and (any(p[k] for k in POLICY_ONLY if k != "policy") or p["targets"]):
        module.fail_json(msg="allow_risk, profile, duration and targets only go with policy: a plan or sysctl values "
                             "already say what changes")
    st = Skytune(module)
    try:
        result = do_rollback(st, module) if p["state"] == "rolled_back" else do_apply(st, module)
    finally:
        if os.path.isdir(st.tmpdir):
            st.cleanup()
    module.exit_json(**result)


if __name__ == "__main__":
    main()
