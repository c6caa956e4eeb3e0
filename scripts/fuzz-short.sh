#!/usr/bin/env bash
# Runs every Fuzz target in the module for FUZZTIME (default 4s) each. Go
# fuzzes one target per invocation, so targets are listed per package first.
#
# A target's output is kept quiet unless it fails; then it is printed, with
# the failing input the fuzzer wrote to testdata/fuzz, so that a failure on a
# CI machine can be reproduced from its log alone (`go test -run
# 'FuzzX/<name>'` once the file is copied back).
set -euo pipefail
GO=${GO:-go}
FUZZTIME=${FUZZTIME:-4s}
# The budget of a target's second run (see below): about FUZZTIME's worth
# for the slowest targets, the simulators, on a loaded 2-core machine.
RETRYEXECS=${RETRYEXECS:-20000x}
cd "$(dirname "$0")/.."
log=$(mktemp)
trap 'rm -f "$log"' EXIT
found=0

# fuzz runs target of pkg for budget (a -fuzztime), its output in $log.
fuzz() {
	$GO test -run '^$' -fuzz "^${2}\$" -fuzztime "$3" "$1" >"$log" 2>&1
}

# report prints a failed run's output and the input it wrote, if any, and
# says whether there was one.
report() {
	echo "fuzz-short: $1 $2 failed:"
	cat "$log"
	local input
	input=$(sed -n 's/.*Failing input written to \(testdata\/fuzz\/[^ ]*\).*/\1/p' "$log" | head -n 1)
	[ -n "$input" ] && [ -f "$3/$input" ] || return 1
	echo "--- $3/$input"
	cat "$3/$input"
	echo "---"
}

for pkg in $($GO list ./...); do
	dir=$($GO list -f '{{.Dir}}' "$pkg")
	grep -qs '^func Fuzz' "$dir"/*_test.go || continue
	for target in $($GO test -list '^Fuzz' "$pkg" | grep '^Fuzz' || true); do
		found=$((found + 1))
		echo "fuzz $pkg $target ($FUZZTIME)"
		if fuzz "$pkg" "$target" "$FUZZTIME"; then
			continue
		fi
		if report "$pkg" "$target" "$dir"; then
			exit 1
		fi
		# No input was written: the fuzzing engine itself failed, not the
		# code under test. Go before 1.27 reports "context deadline
		# exceeded" when -fuzztime ends while a worker is still busy, as on
		# a loaded machine (go.dev/issue/75804). Once more with a budget
		# counted in executions, which has no deadline to race: it fails
		# only on a finding, or on a hang (then at go test's -timeout).
		echo "fuzz-short: no failing input was written; running $target again for $RETRYEXECS executions"
		if ! fuzz "$pkg" "$target" "$RETRYEXECS"; then
			report "$pkg" "$target" "$dir" || true
			exit 1
		fi
	done
done
echo "fuzz-short: $found targets ran"
