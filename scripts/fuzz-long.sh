#!/usr/bin/env bash
# A long fuzzing campaign: every Fuzz target in the module for FUZZTIME
# (default 3m) each, FUZZJOBS targets at a time (default 1), each with
# FUZZWORKERS workers (default 1). After each target it copies the new
# interesting inputs the fuzzer kept in Go's fuzz cache into the package's
# testdata/fuzz/<FuzzName>/, so that they are committed and replayed by every
# later `go test`; at most CORPUS_MAX per target and run (default 24), the
# largest first, since the small ones are what the seeds already reach.
#
# A failing input is written to testdata/fuzz by `go test` itself; the
# campaign goes on with the other targets and fails at the end. FUZZ_TARGETS
# (a regular expression, default all) picks targets by name. A summary of
# how long each target ran, what it found and how many inputs were copied is
# printed and kept in FUZZLOG (default fuzz-long.log in a temporary folder).
set -uo pipefail
GO=${GO:-go}
FUZZTIME=${FUZZTIME:-3m}
FUZZJOBS=${FUZZJOBS:-1}
FUZZWORKERS=${FUZZWORKERS:-1}
CORPUS_MAX=${CORPUS_MAX:-24}
FUZZ_TARGETS=${FUZZ_TARGETS:-.}
cd "$(dirname "$0")/.."
logdir=$(mktemp -d)
FUZZLOG=${FUZZLOG:-$logdir/fuzz-long.log}
cache=$($GO env GOCACHE)/fuzz

# fuzz_one runs one target and copies its new corpus; it prints one summary
# line: package, target, seconds, result, inputs copied.
fuzz_one() {
	local pkg=$1 dir=$2 target=$3
	local out=$logdir/${target}.out start end status copied=0
	start=$(date +%s)
	if $GO test -run '^$' -fuzz "^${target}\$" -fuzztime "$FUZZTIME" -parallel "$FUZZWORKERS" "$pkg" >"$out" 2>&1; then
		status=ok
	else
		status="FAIL (see $out)"
	fi
	end=$(date +%s)
	local from=$cache/$pkg/$target to=$dir/testdata/fuzz/$target
	if [ -d "$from" ]; then
		mkdir -p "$to"
		# Largest first; names are content hashes, so a file already
		# committed is skipped.
		while read -r f; do
			[ -n "$f" ] || continue
			[ -e "$to/$(basename "$f")" ] && continue
			cp "$f" "$to/"
			copied=$((copied + 1))
			[ "$copied" -ge "$CORPUS_MAX" ] && break
		done < <(ls -S "$from" | sed "s|^|$from/|")
		rmdir "$to" 2>/dev/null || true
	fi
	printf '%s %s %ss %s copied=%d\n' "$pkg" "$target" "$((end - start))" "$status" "$copied"
}

targets=()
for pkg in $($GO list ./...); do
	dir=$($GO list -f '{{.Dir}}' "$pkg")
	grep -qs '^func Fuzz' "$dir"/*_test.go || continue
	for target in $($GO test -list '^Fuzz' "$pkg" | grep '^Fuzz' | grep -E "$FUZZ_TARGETS" || true); do
		targets+=("$pkg $dir $target")
	done
done
echo "fuzz-long: ${#targets[@]} targets, $FUZZTIME each, $FUZZJOBS at a time; log $FUZZLOG"

: >"$FUZZLOG"
running=0
for t in "${targets[@]}"; do
	# shellcheck disable=SC2086 # three words on purpose
	fuzz_one $t | tee -a "$FUZZLOG" &
	running=$((running + 1))
	if [ "$running" -ge "$FUZZJOBS" ]; then
		wait -n
		running=$((running - 1))
	fi
done
wait
if grep -q ' FAIL' "$FUZZLOG"; then
	echo "fuzz-long: failures found; the failing inputs are in testdata/fuzz"
	exit 1
fi
echo "fuzz-long: ${#targets[@]} targets ran, no failure"
