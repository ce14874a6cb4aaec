#!/bin/sh
# Run every test and end with "N passed, N failed".  Shell tests run in
# their own mount, network and pid namespaces: when one ends, the kernel
# kills every process it left, and its mounts and links vanish with it.
# usage: tests/run.sh BUILDDIR [pattern]
# VERBOSE=1 also shows the "#" lines: a failing test's diagnostics.
B=${1:-build}
PAT=${2:-}
case "$B" in /*) ;; *) B="$(pwd)/$B" ;; esac
export B
out=$(mktemp)
trap 'rm -f "$out"' EXIT

run() {	# name command...
	name=$1; shift
	if [ -n "$PAT" ] && ! echo "$name" | grep -q -- "$PAT"; then
		return
	fi
	echo "# $name"
	# everything goes to $out, which is what is counted below; the grep
	# only echoes result lines, and finding none is not a failure
	"$@" 2>&1 | tee -a "$out" |
	    grep --line-buffered -E "^(ok|not ok|skip${VERBOSE:+|#})" || true
}

for t in "$B"/tests/test_*; do
	run "unit/$(basename "$t")" "$t"
done
run config sh tests/config/run.sh "$B/tests/test_conf"
for t in tests/proto/*.sh tests/integration/*.sh tests/security/*.sh; do
	[ -f "$t" ] || continue
	run "$t" unshare --mount --net --pid --fork --mount-proc \
	    --propagation private sh "$t"
done

pass=$(grep -c '^ok' "$out")
fail=$(grep -c '^not ok' "$out")
skip=$(grep -c '^skip' "$out")
[ "$skip" -gt 0 ] && grep '^skip' "$out"
# each failure with its diagnostics ("#   " lines), so that a log of a
# run without VERBOSE (CI's) still says why.  The awk only chooses what
# to print: a "not ok" line starts a block of its "#   " lines, the next
# result line ("ok" or "skip") ends it.  Nothing is skipped or dropped
# here; the counts above and the exit status below come from $out as is.
[ "$fail" -gt 0 ] && { echo "# failures:"; awk '/^not ok/ { p = 1; print;
    next } /^(ok|skip)/ { p = 0 } p && /^#   /' "$out"; }
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
