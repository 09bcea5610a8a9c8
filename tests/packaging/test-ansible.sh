#!/usr/bin/env bash
# The Ansible collection (packaging/ansible, skysentinel.skytune) with Debian's ansible-core against
# localhost, on a copy of the helper's fixture sysroot (tests/fixtures/helper-host):
#  1. without the helper: check mode reports the change with a per-key and per-file diff and
#     writes nothing; YAML booleans as sysctl values are refused with a clear message; the rollout
#     playbook passes --syntax-check and runs in check mode;
#  2. through a private bus (tests/integration/lib-helper-bus.sh: a dbus-daemon that activates the
#     built helper on the fixture, and polkitd): apply changes values and reports the transaction, a
#     second run reports changed=false, a bad value fails with skytune's message, state=rolled_back
#     restores every value, and a second rollback reports changed=false.
# Usage: tests/packaging/test-ansible.sh BUILD_DIR SRC_DIR
set -euo pipefail
build=$(realpath "$1") src=$(realpath "$2")
skytune=${SKYTUNE:-$build/cli/skytune}
fail() { echo "FAIL: $*" >&2; exit 1; }
command -v ansible-playbook >/dev/null || fail "ansible-playbook missing: apt-get install ansible-core (scripts/install-deps.sh --test)"
[[ -x $skytune ]] || fail "no skytune at $skytune: build first"

tmp=$(mktemp -d /tmp/skytune-ansible.XXXXXX)
chmod 0755 "$tmp"
trap 'rm -rf "$tmp"' EXIT
export ANSIBLE_COLLECTIONS_PATH=$src/packaging/ansible ANSIBLE_HOME=$tmp/ansible-home ANSIBLE_LOCAL_TEMP=$tmp/ansible-tmp
export ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=0 ANSIBLE_PYTHON_INTERPRETER=/usr/bin/python3
export ANSIBLE_DEPRECATION_WARNINGS=0 ANSIBLE_LOCALHOST_WARNING=0 ANSIBLE_INVENTORY_UNPARSED_WARNING=0
play() { ansible-playbook -i localhost, -c local "$@"; }
rollout=$src/packaging/ansible/ansible_collections/skysentinel/skytune/playbooks/rollout.yml

# --- 1. no helper needed -------------------------------------------------------------------------
root=$tmp/root
cp -a "$src/tests/fixtures/helper-host" "$root"
snapshot() { (cd "$1" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum); }
snapshot "$root" >"$tmp/before"
cat >"$tmp/check.yml" <<EOF
- hosts: localhost
  gather_facts: false
  tasks:
    - name: check mode and diff
      skysentinel.skytune.apply:
        sysctl: { net.core.somaxconn: 8192, vm.swappiness: "10", net.ipv4.tcp_rmem: [4096, 262144, 16777216] }
        persist: true
        sysroot: $root
        executable: $skytune
      check_mode: true
      diff: true
      register: r
    - assert:
        that:
          - r is changed
          - r.changes | selectattr('key', 'equalto', 'net.core.somaxconn') | map(attribute='before') | first == '4096'
          - r.changes | selectattr('key', 'equalto', 'net.core.somaxconn') | map(attribute='after') | first == '8192'
          - r.changes | selectattr('key', 'equalto', 'net.ipv4.tcp_rmem') | map(attribute='after') | first == '4096 262144 16777216'
          - r.files | map(attribute='path') | list == ['/etc/sysctl.d/90-skytune.conf']
          - "'+net.core.somaxconn = 8192' in r.files[0].diff"
    - name: a YAML boolean is refused
      skysentinel.skytune.apply:
        sysctl: { net.ipv4.tcp_syncookies: yes }
        sysroot: $root
        executable: $skytune
      check_mode: true
      register: b
      ignore_errors: true
    - assert:
        that:
          - b is failed
          - "'YAML boolean' in b.msg and 'net.ipv4.tcp_syncookies' in b.msg and '\"1\"' in b.msg"
    - name: a value outside the allowlist fails with skytune's message
      skysentinel.skytune.apply:
        sysctl: { vm.swappiness: 300 }
        sysroot: $root
        executable: $skytune
      check_mode: true
      register: bad
      ignore_errors: true
    - assert:
        that:
          - bad is failed
          - "'vm.swappiness' in bad.msg"
    - name: nothing to change is not a change
      skysentinel.skytune.apply:
        sysctl: { net.core.somaxconn: 4096 }
        sysroot: $root
        executable: $skytune
      check_mode: true
      register: same
    - assert:
        that:
          - same is not changed
EOF
play --diff "$tmp/check.yml" >"$tmp/check.log" 2>&1 || { cat "$tmp/check.log" >&2; fail "check-mode playbook (log above)"; }
sed 's/^/ansible: /' "$tmp/check.log"
snapshot "$root" | cmp -s - "$tmp/before" || fail "check mode changed the fixture tree"
grep -q -- '+++ after: sysctl net.core.somaxconn (live)' "$tmp/check.log" || fail "no per-key diff in the --diff output"
grep -q -- '+++ b/etc/sysctl.d/90-skytune.conf' "$tmp/check.log" || fail "no owned-file diff in the --diff output"

ansible-doc skysentinel.skytune.apply >"$tmp/doc.log" 2>&1 && grep -q 'YAML booleans' "$tmp/doc.log" ||
        { cat "$tmp/doc.log" >&2; fail "ansible-doc cannot read the module's documentation"; }
ansible-playbook --syntax-check -i localhost, "$rollout" >"$tmp/syntax.log" 2>&1 || { cat "$tmp/syntax.log" >&2; fail "rollout.yml --syntax-check"; }
play --check "$rollout" -e skytune_hosts=localhost -e skytune_sysroot="$root" -e skytune_profile_duration=0 -e skytune_executable="$skytune" \
        -e skytune_persist=false -e ansible_become=false >"$tmp/rollout.log" 2>&1 ||
        { cat "$tmp/rollout.log" >&2; fail "rollout.yml in check mode (log above)"; }
echo "test-ansible: check mode, diff, YAML booleans, failures and the rollout playbook (check mode): ok"

# --- 2. through the helper on a private bus ------------------------------------------------------
if [[ $(id -u) -ne 0 ]]; then
        echo "SKIP (apply part): needs root for the private bus, polkitd and the helper"
        echo "test-ansible: 1 passed, 0 failed, 1 skipped"
        exit 0
fi
lib=$src/tests/integration/lib-helper-bus.sh
[[ -f $lib ]] || fail "$lib is missing: the apply part uses its private bus"
(
        set -euo pipefail
        source "$lib"
        bus_setup "$build" "$src"
        cat >"$tmp/apply.yml" <<EOF
- hosts: localhost
  gather_facts: false
  environment:
    DBUS_SYSTEM_BUS_ADDRESS: "$DBUS_SYSTEM_BUS_ADDRESS"
  vars:
    values: { net.core.somaxconn: 8192, vm.swappiness: "10" }
  tasks:
    - name: apply
      skysentinel.skytune.apply: { sysctl: "{{ values }}", persist: true, sysroot: "$ROOT", executable: "$skytune" }
      diff: true
      register: first
    - assert:
        that:
          - first is changed
          - first.transaction_id is defined
          - first.transaction.state == 'applied'
          - lookup('file', '$ROOT/proc/sys/net/core/somaxconn') == '8192'
          - lookup('file', '$ROOT/proc/sys/vm/swappiness') == '10'
          - "'net.core.somaxconn = 8192' in lookup('file', '$ROOT/etc/sysctl.d/90-skytune.conf')"
    - name: apply again
      skysentinel.skytune.apply: { sysctl: "{{ values }}", persist: true, sysroot: "$ROOT", executable: "$skytune" }
      register: second
    - assert:
        that:
          - second is not changed
          - second.transaction is not defined
    - name: a value the helper refuses
      skysentinel.skytune.apply: { sysctl: { kernel.numa_balancing: "1" }, sysroot: "$ROOT", executable: "$skytune" }
      register: refused
      ignore_errors: true
    - assert:
        that:
          - refused is failed
          - "'numa_balancing' in refused.msg"
    - name: roll back (check mode)
      skysentinel.skytune.apply: { state: rolled_back, sysroot: "$ROOT", executable: "$skytune" }
      check_mode: true
      register: rb_check
    - assert:
        that:
          - rb_check is changed
          - rb_check.transaction_id == first.transaction_id
          - lookup('file', '$ROOT/proc/sys/net/core/somaxconn') == '8192'
    - name: roll back
      skysentinel.skytune.apply: { state: rolled_back, sysroot: "$ROOT", executable: "$skytune" }
      diff: true
      register: rb
    - assert:
        that:
          - rb is changed
          - rb.transaction.state == 'rolled-back'
          - rb.diff | selectattr('after_header', 'defined') | map(attribute='after_header') | select('search', '90-skytune.conf \\(removed\\)') | list | length == 1
          - lookup('file', '$ROOT/proc/sys/net/core/somaxconn') == '4096'
          - lookup('file', '$ROOT/proc/sys/vm/swappiness') == '60'
    - name: roll back again
      skysentinel.skytune.apply: { state: rolled_back, sysroot: "$ROOT", executable: "$skytune" }
      register: rb2
    - assert:
        that:
          - rb2 is not changed
EOF
        ansible-playbook -i localhost, -c local --diff "$tmp/apply.yml" >"$tmp/apply.log" 2>&1 ||
                { cat "$tmp/apply.log" >&2; bus_fail "apply playbook through the private bus (log above)"; }
        sed 's/^/ansible: /' "$tmp/apply.log"
        [[ ! -e $ROOT/etc/sysctl.d/90-skytune.conf ]] || bus_fail "rollback left etc/sysctl.d/90-skytune.conf"
)
echo "test-ansible: apply, idempotence, failures and rollback through skytune-helper: ok"
echo "test-ansible: 2 passed, 0 failed"
