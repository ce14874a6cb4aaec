# --security-opt seccomp=FILE (Docker's JSON profiles) and --init.
# A non-admin user's profile is stacked on the default one, so it can
# only take away; an admin's replaces it.  celld-init runs as pid 1 from
# a sealed memfd, forwards signals, reaps zombies and passes the status.
. tests/lib.sh
trap 'del_users; cleanup' EXIT
. tests/userlib.sh

P="$T/profiles"
mkdir -p "$P"
cp tests/unit/seccomp/*.json "$P/"
printf '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [' > "$P/bad.json"
cat > "$P/trace.json" <<'EOF'
{"defaultAction": "SCMP_ACT_ALLOW",
 "syscalls": [{"names": ["ptrace"], "action": "SCMP_ACT_TRACE"}]}
EOF
{ cat "$P/allow-all.json"; head -c 1048576 /dev/zero | tr '\0' ' '; } \
    > "$P/big.json"
cp "$P/allow-all.json" "$P/private.json"
chmod 0755 "$P"
chmod 0644 "$P"/*.json
chmod 0600 "$P/private.json"
add_user UA || exit 1
write_conf 'policy user "root" { admin }'
start_celld || exit 1

deny="--security-opt seccomp=$P/deny-mkdir.json"

# stop whichever celld runs (a test's subshell may have started it), and
# start it again with the current celld.conf
restart_celld() {
	_p=$(proc_pid parent) && kill "$_p"
	_i=0
	while [ -n "$_p" ] && kill -0 "$_p" 2>/dev/null && [ $_i -lt 100 ]
	do
		sleep 0.05
		_i=$((_i + 1))
	done
	start_celld
}

# a request refused with one line on stderr and status 125
refused() {	# want-in-message command...
	_w=$1
	shift
	"$@" >"$T/r.out" 2>"$T/r.err"
	_s=$?
	cat "$T/r.err"
	[ $_s = 125 ] && [ "$(wc -l < "$T/r.err")" = 1 ] &&
	    grep -q -- "$_w" "$T/r.err"
}

t_profile_denying_mkdir_fails_mkdir() {
	out=$(cellctl run --rm $deny busybox sh -c 'mkdir /x' 2>&1)
	s=$?
	echo "status $s: $out"
	[ $s != 0 ] && echo "$out" | grep -q 'Operation not permitted'
}

t_profile_denying_mkdir_lets_the_rest_work() {
	out=$(cellctl run --rm $deny busybox sh -c \
	    'echo hi > /tmp/f && cat /tmp/f && rm /tmp/f && ls /proc/1 |
	    grep -c "^status$"') || return 1
	echo "$out"
	[ "$out" = "hi
1" ]
}

t_profile_binds_exec_too() {
	id=$(cellctl run -d $deny busybox sleep 100) || return 1
	cellctl exec "$id" mkdir /x 2>&1
	s=$?
	out=$(cellctl exec "$id" echo fine)
	cellctl rm -f "$id" >/dev/null
	echo "mkdir status $s, echo: $out"
	[ $s != 0 ] && [ "$out" = fine ]
}

t_profile_survives_a_celld_restart() {
	id=$(cellctl create $deny busybox mkdir /x) || return 1
	restart_celld || return 1
	cellctl start -a "$id" 2>&1
	s=$?
	cellctl rm "$id" >/dev/null
	echo "status $s"
	[ $s = 1 ]
}

# attack: a user's allow-everything profile lifts the default profile
t_non_admin_allow_all_is_stacked_on_the_default() {
	out=$(ctl_as "$UA" run --rm --security-opt \
	    seccomp="$P/allow-all.json" busybox unshare -U true 2>&1)
	s=$?
	echo "status $s: $out"
	[ $s != 0 ] && echo "$out" | grep -q 'Operation not permitted'
}

t_non_admin_profile_still_takes_away() {
	ctl_as "$UA" run --rm $deny busybox mkdir /x 2>&1
	s=$?
	out=$(ctl_as "$UA" run --rm $deny busybox echo ok) || return 1
	echo "status $s, $out"
	[ $s = 1 ] && [ "$out" = ok ]
}

t_admin_allow_all_replaces_the_default() {
	out=$(cellctl run --rm --security-opt seccomp="$P/allow-all.json" \
	    busybox unshare -U true 2>&1)
	s=$?
	echo "status $s: $out"
	[ $s = 0 ]
}

t_unconfined_users_profile_replaces_the_default() {
	write_conf "policy user \"root\" { admin }
policy user \"$UA\" { allow seccomp-unconfined }"
	restart_celld || return 1
	out=$(ctl_as "$UA" run --rm --security-opt \
	    seccomp="$P/allow-all.json" busybox unshare -U true 2>&1)
	s=$?
	write_conf 'policy user "root" { admin }'
	restart_celld || return 1
	echo "status $s: $out"
	[ $s = 0 ]
}

t_malformed_profile_is_refused() {
	n=$(cellctl ps -a -q | wc -l)
	refused 'seccomp profile: line' cellctl run --rm --security-opt \
	    seccomp="$P/bad.json" busybox true || return 1
	[ "$(cellctl ps -a -q | wc -l)" = "$n" ]
}

t_oversized_profile_is_refused() {
	n=$(cellctl ps -a -q | wc -l)
	refused 'larger than 1 MiB' cellctl run --rm --security-opt \
	    seccomp="$P/big.json" busybox true || return 1
	[ "$(cellctl ps -a -q | wc -l)" = "$n" ]
}

t_trace_action_is_refused() {
	refused 'SCMP_ACT_TRACE is not supported' cellctl run --rm \
	    --security-opt seccomp="$P/trace.json" busybox true
}

# attack: make celld read a file the user can't (a confused deputy)
t_unreadable_profile_is_refused_by_cellctl() {
	n=$(cellctl ps -a -q | wc -l)
	refused "seccomp=$P/private.json: Permission denied" ctl_as "$UA" \
	    run --rm --security-opt seccomp="$P/private.json" busybox true ||
	    return 1
	[ "$(cellctl ps -a -q | wc -l)" = "$n" ]
}

t_init_is_pid_1() {
	out=$(cellctl run --rm --init busybox cat /proc/1/cmdline |
	    tr '\0' ' ') || return 1
	echo "$out"
	case "$out" in "celld-init -- "*) ;; *) return 1 ;; esac
}

t_init_runs_the_command_as_its_child() {
	out=$(cellctl run --rm --init busybox sh -c 'echo $$ $PPID') ||
	    return 1
	echo "$out"
	[ "$out" = "2 1" ]
}

t_init_forwards_sigint() {
	id=$(cellctl run -d --init busybox sleep 100) || return 1
	sleep 0.2
	cellctl kill -s INT "$id" >/dev/null || return 1
	s=$(cellctl wait "$id")
	cellctl rm "$id" >/dev/null
	echo "status $s"
	[ "$s" = 130 ]
}

t_without_init_sleep_as_pid_1_ignores_sigint() {
	id=$(cellctl run -d busybox sleep 100) || return 1
	sleep 0.2
	cellctl kill -s INT "$id" >/dev/null || return 1
	sleep 0.5
	running=$(cellctl ps -q | grep -c "^${id%"${id#????????????}"}")
	cellctl rm -f "$id" >/dev/null
	echo "running: $running"
	[ "$running" = 1 ]
}

# an orphan's zombie, seen from an exec once pid 1 has become sleep (which
# never waits) or, with --init, sleeps under celld-init
zombies() {	# run flags...
	_id=$(cellctl run -d "$@" busybox sh -c \
	    '(sleep 0.1 &); exec sleep 100') || return 1
	sleep 0.6
	cellctl exec "$_id" ps -o stat | grep -c Z
	cellctl rm -f "$_id" >/dev/null
}

t_init_reaps_zombies() {
	a=$(zombies --init)
	b=$(zombies)	# the check can see one
	echo "with --init $a, without $b"
	[ "$a" = 0 ] && [ "$b" = 1 ]
}

# attack: overwrite the binary that runs as pid 1 (CVE-2019-5736)
t_init_binary_is_a_sealed_memfd() {
	out=$(cellctl run --rm --init busybox sh -c \
	    'readlink /proc/1/exe; echo x > /proc/1/exe && echo WROTE;
	    echo x >> /proc/1/exe && echo APPENDED' 2>&1)
	echo "$out"
	echo "$out" | grep -q '^/memfd:celld-init' &&
	    ! echo "$out" | grep -q 'WROTE\|APPENDED'
}

t_init_passes_the_exit_status() {
	cellctl run --rm --init busybox sh -c 'exit 7'
	[ $? = 7 ]
}

t_init_not_found_is_127_and_not_executable_126() {
	cellctl run --rm --init busybox /no/such 2>/dev/null
	a=$?
	cellctl run --rm --init busybox /etc/passwd 2>/dev/null
	b=$?
	echo "$a $b"
	[ $a = 127 ] && [ $b = 126 ]
}

t_init_with_a_profile() {
	out=$(cellctl run --rm --init $deny busybox sh -c \
	    'mkdir /x || echo denied' 2>&1)
	echo "$out"
	echo "$out" | grep -q denied
}

run_tests
