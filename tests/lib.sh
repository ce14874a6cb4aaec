# tests/lib.sh: shared by the integration, proto and security tests.
# Each test file runs inside "unshare --mount --net" (see run.sh), starts
# its own celld with a temporary state dir and socket, and removes every
# trace on exit.
set -u
. tests/cgroup.sh
B=${B:-$(pwd)/build}
T=$(mktemp -d /tmp/celld-test.XXXXXX)
chmod 0711 "$T"
CG="celld-test.${T##*.}"
# a tmpfs of our own, unless CELLD_TEST_TMPFS=0: the kernel can't idmap
# tmpfs before 6.3 (tests/vm/guest.sh), then $T stays on /tmp's fs
[ "${CELLD_TEST_TMPFS:-1}" = 0 ] ||
    mount -t tmpfs -o mode=0711 celld-test "$T"
mkdir -p "$T/libexec" "$T/etc"
cp "$B/celld-net" "$B/celld-fs" "$B/celld-spawn" "$T/libexec/"
[ -x "$B/celld-monitor" ] && cp "$B/celld-monitor" "$T/libexec/"
[ -x "$B/celld-init" ] && cp "$B/celld-init" "$T/libexec/"
[ -x "$B/celld-unpack" ] && cp "$B/celld-unpack" "$T/libexec/"
chmod 0755 "$T/libexec" "$T"/libexec/*
export CELLD_SOCK="$T/celld.sock"
CELLCTL="$B/cellctl"
CELLD_PID=
ip link set lo up 2>/dev/null

cellctl() { "$CELLCTL" "$@"; }

# the range the launcher passes a helper as "-i START:COUNT": _celld's
# first in /etc/subuid, whole 65536-id slots (privsep/subid_read.c)
SUBIDS=$(awk -F: '$1 == "_celld" { print $2 ":" ($3 - $3 % 65536); exit }' \
    /etc/subuid 2>/dev/null)

write_conf() {
	cat > "$T/etc/celld.conf" <<CONF
socket "$T/celld.sock"
storage "$T/lib"
rundir "$T/run"
${1:-}
CONF
	chmod 0644 "$T/etc/celld.conf"
}

start_celld() {
	[ -f "$T/etc/celld.conf" ] || write_conf
	[ -d "$T/lib/images" ] || sh tests/mkimage.sh "$T/lib" >/dev/null
	# in a cgroup of this test's own: see tests/cgroup.sh
	# its own session: a terminal test tearing down its group spares it
	cgroup_exec "$CG" setsid "$B/celld" -d -v -f "$T/etc/celld.conf" \
	    -x "$T/libexec" >>"$T/celld.log" 2>&1 &
	CELLD_PID=$!
	wait_ready
}

# wait until ping answers through every helper
wait_ready() {
	i=0
	while [ $i -lt 100 ]; do
		cellctl ping >/dev/null 2>&1 && return 0
		sleep 0.05
		i=$((i + 1))
	done
	echo "# celld did not become ready; log:" >&2
	sed 's/^/#   /' "$T/celld.log" >&2
	return 1
}

stop_celld() {
	# the running parent, found by its title: a test that restarted
	# celld in its own subshell left CELLD_PID naming a dead one
	_p=$(proc_pid parent 2>/dev/null)
	for _k in $CELLD_PID $_p; do
		kill "$_k" 2>/dev/null
	done
	[ -n "$CELLD_PID" ] && wait "$CELLD_PID" 2>/dev/null
	# celld may not be our child (a test's subshell): wait returns at
	# once then, and a celld started now would race the old one
	_i=0
	while [ $_i -lt 200 ]; do
		_alive=
		for _k in $CELLD_PID $_p; do	# a zombie is gone too
			[ -r "/proc/$_k/stat" ] && [ "$(cut -d' ' -f3 \
			    "/proc/$_k/stat" 2>/dev/null)" != Z ] && _alive=1
		done
		[ -z "$_alive" ] && break
		sleep 0.05
		_i=$((_i + 1))
	done
	CELLD_PID=
}

# every process in this test's pid namespace but us
test_pids() {
	for p in /proc/[0-9]*; do
		p=${p#/proc/}
		[ "$p" = 1 ] || [ "$p" = $$ ] || echo "$p"
	done
}

cleanup() {
	stop_celld
	# monitors and containers live on by design: end them all here
	for p in $(test_pids); do kill -9 "$p" 2>/dev/null; done
	sleep 0.1
	cgroup_cleanup -k "$CG"
	umount -R "$T" 2>/dev/null
	[ "${CELLD_TEST_TMPFS:-1}" = 0 ] && rm -rf "$T"
	rmdir "$T" 2>/dev/null
}
trap cleanup EXIT

# run each t_* function named on the command line, or all of them
# (a test that returns 77 is a skip; its last line of output says why)
run_tests() {
	for t in $(grep -o '^t_[a-z0-9_]*' "$0"); do
		( $t ) >"$T/out.$t" 2>&1
		rc=$?
		if [ $rc = 0 ]; then
			echo "ok - ${0##*/}: ${t#t_}"
		elif [ $rc = 77 ]; then
			echo "skip - ${0##*/}: ${t#t_} ($(tail -1 "$T/out.$t"))"
		else
			echo "not ok - ${0##*/}: ${t#t_}"
			sed 's/^/#   /' "$T/out.$t" | tail -20
		fi
	done
}

# the value of the first "key": in JSON on stdin, without , or quotes
jfield() {	# key
	awk -v k="\"$1\":" '$1 == k { v = $2; gsub(/[",]/, "", v); print v;
	    exit }'
}

# the /proc/PID/status field of a process
status_field() {	# pid field
	awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"
}

# pid of the process whose title is "celld: NAME" in this test
proc_pid() {
	for p in $(test_pids); do
		tr '\0' ' ' < "/proc/$p/cmdline" 2>/dev/null |
		    grep -q "^celld: $1" && { echo "$p"; return 0; }
	done
	return 1
}
