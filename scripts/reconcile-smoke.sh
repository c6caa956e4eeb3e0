#!/usr/bin/env bash
# Smoke test of the operator's tool, as a new user first runs it
# (`go run ./cmd/instore reconcile --simulate`): its report on the
# simulated day must name every class of discrepancy the day is seeded
# with, and its exit status must be 3, "discrepancies found". The tool is
# built rather than run with `go run`, which turns every non-zero exit
# status into 1.
set -uo pipefail
GO=${GO:-go}
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
out="$tmp/report.txt"

fail() {
	echo "reconcile-smoke: $1" >&2
	[ -s "$out" ] && cat "$out" >&2
	exit 1
}
$GO build -o "$tmp/instore" ./cmd/instore || fail "build failed"
"$tmp/instore" reconcile --simulate >"$out"
status=$?
[ "$status" -eq 3 ] || fail "exit status $status, want 3 (discrepancies found)"
# One line per discrepancy, starting with its class.
for class in "state differs" "unresolved" "missing at the acquirer" "orphan at the acquirer" "taken outside instore"; do
	grep -q "^$class  " "$out" || fail "the report names no '$class'"
done
grep -q "^5 discrepancies found$" "$out" || fail "want 5 discrepancies, one of each class"
echo "reconcile-smoke: every seeded class found, exit status 3"
