#!/usr/bin/env bash
# Runs every Fuzz target in the module for FUZZTIME (default 4s) each. Go
# fuzzes one target per invocation, so targets are listed per package first.
set -euo pipefail
GO=${GO:-go}
FUZZTIME=${FUZZTIME:-4s}
cd "$(dirname "$0")/.."
found=0
for pkg in $($GO list ./...); do
	dir=$($GO list -f '{{.Dir}}' "$pkg")
	grep -qs '^func Fuzz' "$dir"/*_test.go || continue
	for target in $($GO test -list '^Fuzz' "$pkg" | grep '^Fuzz' || true); do
		found=$((found + 1))
		echo "fuzz $pkg $target ($FUZZTIME)"
		$GO test -run '^$' -fuzz "^${target}\$" -fuzztime "$FUZZTIME" "$pkg" >/dev/null
	done
done
echo "fuzz-short: $found targets ran"
