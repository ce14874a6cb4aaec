# Containers: run, lifecycle and isolation.  Each isolation test tries to
# break the property and fails if the attack works.
. tests/lib.sh
start_celld || exit 1

# Docker's default capability set, as /proc prints it
DOCKER_CAPS=00000000a80425fb

runq() { cellctl run --rm busybox "$@"; }

t_run_echo_hello() {
	out=$(runq echo hello) && [ "$out" = hello ]
}

t_exit_status_is_the_containers() {
	runq sh -c 'exit 7'; [ $? = 7 ]
}

t_command_not_found_is_127() {
	runq /no/such/cmd 2>/dev/null; [ $? = 127 ]
}

t_not_executable_is_126() {
	runq /etc/passwd 2>/dev/null; [ $? = 126 ]
}

t_death_by_signal_is_128_plus_n() {
	id=$(cellctl run -d busybox sleep 100) || return 1
	cellctl kill -s KILL "$id" >/dev/null || return 1
	s=$(cellctl wait "$id")
	cellctl rm "$id" >/dev/null
	echo "status $s"
	[ "$s" = 137 ]
}

# attack: container root is host root (the user namespace must map it away)
t_container_root_maps_to_unprivileged_range() {
	map=$(runq cat /proc/self/uid_map) || return 1
	echo "$map"
	set -- $map
	[ "$1" = 0 ] && [ "$2" -ge 65536 ] && [ "$3" = 65536 ]
}

# attack: two containers share host ids (one could then reach the other)
t_each_container_gets_its_own_range() {
	cellctl run -d --name r1 busybox sleep 30 >/dev/null || return 1
	cellctl run -d --name r2 busybox sleep 30 >/dev/null || return 1
	a=$(cellctl ps --json | grep -c '"state": "running"')
	p1=$(cellctl ps --json | awk -F': ' '/"pid"/ { gsub(/,/, "", $2); print $2 }' | head -1)
	p2=$(cellctl ps --json | awk -F': ' '/"pid"/ { gsub(/,/, "", $2); print $2 }' | tail -1)
	u1=$(status_field "$p1" Uid); u2=$(status_field "$p2" Uid)
	echo "running=$a uids $u1 $u2"
	cellctl rm -f r1 r2 >/dev/null
	[ "$a" = 2 ] && [ "$u1" != 0 ] && [ "$u2" != 0 ] && [ "$u1" != "$u2" ]
}

t_every_namespace_is_new() {
	for ns in pid mnt uts ipc net cgroup user; do
		h=$(readlink /proc/self/ns/$ns)
		c=$(runq readlink /proc/self/ns/$ns) || return 1
		[ "$h" != "$c" ] || { echo "$ns shared: $h"; return 1; }
	done
}

t_network_none_has_loopback_only() {
	out=$(cellctl run --rm --network none busybox cat /proc/net/dev) ||
	    return 1
	echo "$out" | tail -n +3 | awk '{ print $1 }' | grep -v '^lo:$' &&
	    return 1
	echo "$out" | grep -q 'lo:'
}

t_pid_1_is_the_command_and_host_pids_are_hidden() {
	out=$(runq sh -c 'echo $$; ls /proc | grep -c "^[0-9]"') || return 1
	set -- $out
	[ "$1" = 1 ] && [ "$2" -le 3 ]
}

# attack: read host kernel memory and keys through /proc
t_proc_masked_paths_reveal_nothing() {
	n=$(runq sh -c 'cat /proc/kcore /proc/keys /proc/timer_list 2>/dev/null | wc -c')
	[ "$n" = 0 ]
}

# attack: write host kernel settings through /proc/sys and sysrq
t_proc_sys_and_sysrq_are_read_only() {
	runq sh -c 'echo x > /proc/sys/kernel/hostname' 2>/dev/null && return 1
	runq sh -c 'echo h > /proc/sysrq-trigger' 2>/dev/null && return 1
	return 0
}

t_sys_is_read_only() {
	runq sh -c 'mkdir /sys/x || touch /sys/kernel/x' 2>/dev/null && return 1
	return 0
}

# attack: reach a host device
t_dev_is_minimal_and_no_host_device_gets_in() {
	out=$(runq ls /dev | tr '\n' ' ') || return 1
	echo "$out"
	for d in null zero full random urandom tty pts shm mqueue ptmx; do
		echo " $out " | grep -q " $d " || { echo "missing $d"; return 1; }
	done
	for d in sda vda nvme0 mem kmsg loop0 fuse; do
		echo " $out " | grep -q " $d " && { echo "host $d"; return 1; }
	done
	runq mknod /tmp/sda b 8 0 2>/dev/null && return 1
	return 0
}

t_default_capabilities_are_dockers() {
	out=$(runq cat /proc/self/status) || return 1
	for f in CapEff CapPrm CapBnd; do
		echo "$out" | grep -q "^$f:	$DOCKER_CAPS" || { echo "$f"; return 1; }
	done
	echo "$out" | grep -q '^CapInh:	0000000000000000' &&
	echo "$out" | grep -q '^CapAmb:	0000000000000000' &&
	echo "$out" | grep -q '^NoNewPrivs:	1' &&
	echo "$out" | grep -q '^Seccomp:	2'
}

# attack: use a capability that was dropped
t_cap_drop_all_leaves_nothing() {
	out=$(cellctl run --rm --cap-drop ALL busybox grep CapBnd /proc/self/status)
	[ "$out" = "CapBnd:	0000000000000000" ] || return 1
	cellctl run --rm --cap-drop ALL busybox chown 1 /tmp 2>/dev/null &&
	    return 1
	return 0
}

# attack: mount, new user namespaces, keyrings from a default container
t_seccomp_refuses_mount_and_new_userns() {
	runq mount -t tmpfs x /mnt 2>/dev/null && return 1
	runq unshare -U true 2>/dev/null && return 1
	runq unshare -m true 2>/dev/null && return 1
	return 0
}

# attack: --privileged reaching past the user namespace
t_privileged_stays_inside_its_user_namespace() {
	cellctl run --rm --privileged busybox mount -t tmpfs x /tmp ||
	    { echo "privileged could not mount in its own ns"; return 1; }
	cellctl run --rm --privileged busybox sh -c \
	    'echo h > /proc/sysrq-trigger' 2>/dev/null && return 1
	map=$(cellctl run --rm --privileged busybox cat /proc/self/uid_map)
	set -- $map
	[ "$2" != 0 ]
}

t_read_only_root_and_tmpfs() {
	cellctl run --rm --read-only busybox touch /x 2>/dev/null && return 1
	cellctl run --rm --read-only --tmpfs /scratch busybox \
	    sh -c 'touch /scratch/y && mount -o remount,rw / 2>/dev/null; touch /x' \
	    2>/dev/null && return 1
	cellctl run --rm --read-only --tmpfs /scratch busybox touch /scratch/y
}

t_only_fds_0_1_2_reach_the_container() {
	out=$(runq ls /proc/self/fd | tr '\n' ' ')
	echo "$out"
	[ "$out" = "0 1 2 3 " ]
}

t_cwd_and_root_are_inside_the_rootfs() {
	out=$(runq sh -c 'readlink /proc/1/cwd; readlink /proc/1/root')
	[ "$out" = "/
/" ]
}

# attack: the daemon's environment leaking into containers
t_no_host_environment_gets_in() {
	out=$(runq env) || return 1
	echo "$out" | grep -q CELLD_SOCK && return 1
	echo "$out" | grep -q '^PATH=' && echo "$out" | grep -q '^HOSTNAME='
}

t_env_and_workdir_and_user_flags() {
	out=$(cellctl run --rm -e A=1 -w /tmp -u 1000:1000 busybox \
	    sh -c 'echo $A $(pwd) $(id -u) $(id -g)')
	[ "$out" = "1 /tmp 1000 1000" ]
}

t_logs_keep_stdout_and_stderr() {
	id=$(cellctl run -d busybox sh -c 'echo out; echo err >&2') || return 1
	cellctl wait "$id" >/dev/null
	cellctl logs "$id" 2>&1 | grep -q '^out$' || return 1
	cellctl logs "$id" 2>&1 >/dev/null | grep -q '^err$' || return 1
	cellctl rm "$id" >/dev/null
}

t_ps_stop_start_rm() {
	cellctl run -d --name life busybox sleep 100 >/dev/null || return 1
	cellctl ps | grep -q life || return 1
	cellctl stop -t 1 life >/dev/null || return 1
	cellctl ps | grep -q life && return 1
	cellctl ps -a | grep -q 'Exited' || return 1
	cellctl start life >/dev/null || return 1
	cellctl ps | grep -q life || return 1
	cellctl rm life 2>/dev/null && return 1	# running: refused
	cellctl rm -f life >/dev/null || return 1
	cellctl ps -a | grep -q life && return 1
	return 0
}

# attack: escape stop by a new session and a double fork
t_stop_kills_every_process() {
	id=$(cellctl run -d busybox sh -c \
	    '(setsid sh -c "sleep 1000 & sleep 1000" &) ; trap "" TERM; sleep 1000') ||
	    return 1
	sleep 0.5
	pid=$(cellctl ps --json | awk -F': ' '/"pid"/ { gsub(/,/, "", $2); print $2 }')
	uid=$(status_field "$pid" Uid)
	cellctl stop -t 1 "$id" >/dev/null || return 1
	sleep 0.2
	left=$(ps -e -o uid= | grep -c "^ *$uid$")
	echo "uid $uid left $left"
	cellctl rm "$id" >/dev/null
	[ "$left" = 0 ]
}

t_rm_leaves_nothing_behind() {
	id=$(cellctl run -d busybox sleep 100) || return 1
	cellctl rm -f "$id" >/dev/null || return 1
	[ -e "$T/lib/containers/$id" ] && { echo "state dir"; return 1; }
	grep -q "$id" /proc/self/mountinfo && { echo "mount"; return 1; }
	find /sys/fs/cgroup -name "cell-$id" 2>/dev/null | grep -q . &&
	    { echo "cgroup"; return 1; }
	[ -e "$T/run/monitors/$id.sock" ] && { echo "socket"; return 1; }
	return 0
}

# rm -f at once after run -d: the kill may end the container before the
# parent ever reached its monitor; rm must still see the exit (it used to
# wait until the 120 s idle drop)
t_rm_f_right_after_start() {
	i=0
	while [ $i -lt 25 ]; do
		id=$(cellctl run -d busybox sleep 100) || return 1
		timeout 20 "$CELLCTL" rm -f "$id" >/dev/null || {
			echo "rm -f $id hung or failed (round $i)"; return 1; }
		i=$((i + 1))
	done
}

# attack: use more memory than the limit
t_memory_limit_is_enforced() {
	cellctl run --rm -m 32m busybox sh -c 'head -c 200m /dev/zero | tail'
	s=$?
	echo "status $s"
	[ $s = 137 ]
}

# attack: fork past the pids limit
t_pids_limit_is_enforced() {
	out=$(cellctl run --rm --pids-limit 8 busybox sh -c \
	    'for i in 1 2 3 4 5 6 7 8 9 10 11 12; do sleep 5 & done 2>&1; wait' 2>&1)
	echo "$out" | grep -qi "resource\|fork\|again"
}

t_containers_survive_celld_kill_9() {
	id=$(cellctl run -d busybox sleep 100) || return 1
	p=$(proc_pid parent) || return 1
	kill -9 "$p"; wait "$p" 2>/dev/null
	sleep 0.3
	start_celld || return 1
	cellctl ps | grep -q "${id%"${id#????????????}"}" || return 1
	cellctl rm -f "$id" >/dev/null
}

t_exit_while_celld_was_down_is_reported() {
	id=$(cellctl run -d busybox sh -c 'sleep 1; exit 3') || return 1
	stop_celld
	sleep 2
	start_celld || return 1
	s=$(cellctl wait "$id")
	cellctl rm "$id" >/dev/null
	[ "$s" = 3 ]
}

# the client's volume fds die with celld; spawn-helper's kept clones
# serve the next start, and rm leaves none of them mounted
t_volumes_survive_a_celld_restart() {
	mkdir -p "$T/vol" && echo kept > "$T/vol/f" && echo one > "$T/file" ||
	    return 1
	id=$(cellctl create -v "$T/vol:/v:ro" -v "$T/file:/f" busybox \
	    sh -c 'cat /v/f /f; touch /v/x 2>/dev/null && echo WROTE; true') ||
	    return 1
	out1=$(cellctl start -a "$id") || return 1
	stop_celld
	sleep 0.2
	start_celld || return 1
	out2=$(cellctl start -a "$id")
	s=$?
	echo "first: $out1; after restart ($s): $out2"
	n=$(grep -c "/pins/$id/" /proc/self/mountinfo)
	cellctl rm "$id" >/dev/null || return 1
	left=$(grep -c "/pins/" /proc/self/mountinfo)
	echo "pins while created: $n, after rm: $left"
	[ $s = 0 ] && [ "$out2" = "kept
one" ] && [ "$out1" = "$out2" ] && [ "$n" = 2 ] && [ "$left" = 0 ] &&
	    [ ! -e "$T/run/pins/$id" ]
}

run_tests
