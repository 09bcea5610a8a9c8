# Sourced by the integration tests' libraries (after `build=$1 src=$2`): $tmp, removed at exit with
# every pid in $pids killed; fail MESSAGE; within VALUE LO HI (exit status: LO <= VALUE <= HI).
tmp=$(mktemp -d)
pids=()
cleanup() {
        for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
        rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
within() { awk -v v="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(v >= lo && v <= hi) }'; }
