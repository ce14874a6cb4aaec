#!/bin/sh
#
# Configuration parser tests.  Usage: run.sh /path/to/test_conf
#
#   NN.conf	valid; stdout must equal NN.ok (the canonical form), and
#		that output must parse again to itself (idempotence)
#   NN.args	optional extra arguments, e.g. "-D name=value"
#   bad-NN.conf	invalid; must exit 1 with stderr equal to bad-NN.err
#
# Prints "ok - NAME" or "not ok - NAME" per test, then a summary.

if [ $# -ne 1 ] || [ ! -x "$1" ]; then
	echo "usage: $0 /path/to/test_conf" >&2
	exit 2
fi
case $1 in
/*)	bin=$1 ;;
*)	bin=$(pwd)/$1 ;;
esac
cd "$(dirname "$0")" || exit 2
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0

result() {
	if [ "$1" -eq 0 ]; then
		echo "ok - $2"
		pass=$((pass + 1))
	else
		echo "not ok - $2"
		fail=$((fail + 1))
	fi
}

for conf in [0-9]*.conf; do
	n=${conf%.conf}
	args=
	[ -f "$n.args" ] && args=$(cat "$n.args")
	# shellcheck disable=SC2086
	"$bin" $args "$conf" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	cmp -s "$tmp/out" "$n.ok" && [ $rc -eq 0 ] && [ ! -s "$tmp/err" ]
	r=$?
	if [ $r -ne 0 ]; then
		diff -u "$n.ok" "$tmp/out" | sed 's/^/# /'
		sed 's/^/# /' "$tmp/err"
	fi
	result $r "$n"
	"$bin" "$tmp/out" >"$tmp/out2" 2>&1
	[ -s "$tmp/out" ] && cmp -s "$tmp/out" "$tmp/out2"
	result $? "$n idempotent"
done

for conf in bad-*.conf; do
	n=${conf%.conf}
	"$bin" "$conf" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	cmp -s "$tmp/err" "$n.err" && [ $rc -eq 1 ] && [ ! -s "$tmp/out" ]
	r=$?
	[ $r -ne 0 ] && diff -u "$n.err" "$tmp/err" | sed 's/^/# /'
	result $r "$n"
done

# check_perms: a group- or world-writable file is refused.
cp 01.conf "$tmp/perm.conf"
chmod 0644 "$tmp/perm.conf"
if [ "$(id -u)" -eq 0 ]; then
	"$bin" -p "$tmp/perm.conf" >/dev/null 2>&1
	result $? "perms 0644 root-owned accepted"
fi
chmod 0664 "$tmp/perm.conf"
"$bin" -p "$tmp/perm.conf" >/dev/null 2>"$tmp/err"
[ $? -eq 1 ] && grep -q "perm.conf: bad owner or mode" "$tmp/err"
result $? "perms 0664 refused"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
