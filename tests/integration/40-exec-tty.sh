# Exec and terminals, and the verbs that act on a running container:
# stats, top, pause, unpause, update, rename, inspect.  Terminals come
# from util-linux script(1), which gives cellctl a pty of its own.
. tests/lib.sh
start_celld || exit 1

NS="pid mnt uts ipc net cgroup user"

# a running container NAME, with run flags before the image
up() {	# name [flags...]
	_n=$1
	shift
	cellctl run -d --name "$_n" "$@" busybox sleep 1000 >/dev/null
}

# the JSON on stdin is well formed (when python3 is there to say so)
json_ok() {
	if command -v python3 >/dev/null; then
		python3 -c 'import json, sys; json.load(sys.stdin)'
	else
		cat >/dev/null
	fi
}

host_pid() {	# name: the host pid of the container's process 1
	cellctl inspect "$1" | jfield Pid
}

# cmd in a pty of script's; its exit status is cmd's
in_pty() {	# "shell command"
	timeout 30 script -qec "$1" /dev/null
}

# pid of the cellctl whose command line begins with the words given
cellctl_pid() {	# words
	for _p in $(test_pids); do
		{ tr '\0' ' ' < "/proc/$_p/cmdline"; } 2>/dev/null |
		    grep -q "^$CELLCTL $1" && { echo "$_p"; return 0; }
	done
	return 1
}

# a command that fails says so in one line and exits 125 (helpers name
# their variables _x: the tests' own are theirs)
fails_125() {	# command...
	"$@" > "$T/f.out" 2> "$T/f.err"
	_s=$?
	cat "$T/f.out" "$T/f.err"
	echo "status $_s"
	[ $_s = 125 ] && [ ! -s "$T/f.out" ] &&
	    [ "$(wc -l < "$T/f.err")" = 1 ]
}

# a counter the container keeps writing, read from the host side in the
# container's upper dir: an exec would freeze with a frozen container
counter() {	# id
	_i=0
	while [ $_i -lt 20 ]; do
		_v=$(cat "$T/lib/containers/$1/upper/tmp/c" 2>/dev/null)
		[ -n "$_v" ] && { echo "$_v"; return 0; }
		sleep 0.05
		_i=$((_i + 1))
	done
	echo 0
}

t_exec_joins_every_namespace_of_the_container() {
	up ns || return 1
	pid=$(host_pid ns)
	r=0
	for ns in $NS; do
		e=$(cellctl exec ns readlink /proc/self/ns/$ns)
		i=$(cellctl exec ns readlink /proc/1/ns/$ns)
		h=$(readlink /proc/$pid/ns/$ns)
		echo "$ns: exec $e init $i host view $h"
		[ -n "$e" ] && [ "$e" = "$i" ] && [ "$e" = "$h" ] || r=1
	done
	cellctl rm -f ns >/dev/null
	return $r
}

t_exec_status_is_the_commands() {
	up st || return 1
	cellctl exec st sh -c 'exit 7'
	a=$?
	cellctl exec st /no/such/cmd 2>/dev/null
	b=$?
	cellctl exec st nosuchcmd 2>/dev/null
	c=$?
	cellctl exec st /etc/passwd 2>/dev/null
	d=$?
	cellctl exec st sh -c 'kill -9 $$'
	e=$?
	cellctl rm -f st >/dev/null
	echo "exit 7: $a, not found: $b $c, not executable: $d, killed: $e"
	[ $a = 7 ] && [ $b = 127 ] && [ $c = 127 ] && [ $d = 126 ] &&
	    [ $e = 137 ]
}

t_exec_user_workdir_and_environment() {
	up env -e FROM_RUN=yes || return 1
	out=$(cellctl exec -u 1000 -w /tmp -e K=V env sh -c \
	    'echo $(id -u) $(pwd) $K $FROM_RUN')
	cellctl rm -f env >/dev/null
	echo "$out"
	[ "$out" = "1000 /tmp V yes" ]
}

# attack: exec regains what the container was denied (caps, seccomp, nnp)
t_exec_has_the_containers_privileges_and_no_more() {
	up caps || return 1
	up nocaps --cap-drop ALL || return 1
	r=0
	for c in caps nocaps; do
		e=$(cellctl exec $c cat /proc/self/status)
		i=$(cellctl exec $c cat /proc/1/status)
		for f in CapBnd CapEff CapPrm CapInh CapAmb; do
			a=$(echo "$e" | awk -v f="$f:" '$1 == f { print $2 }')
			b=$(echo "$i" | awk -v f="$f:" '$1 == f { print $2 }')
			echo "$c $f: exec $a init $b"
			[ -n "$a" ] && [ "$a" = "$b" ] || r=1
		done
		echo "$e" | grep -q '^NoNewPrivs:	1$' ||
		    { echo "nnp"; r=1; }
		echo "$e" | grep -q '^Seccomp:	2$' || { echo "seccomp"; r=1; }
	done
	bnd=$(cellctl exec nocaps grep CapBnd /proc/self/status)
	echo "$bnd"
	[ "$bnd" = "CapBnd:	0000000000000000" ] || r=1
	cellctl exec nocaps chown 1 /tmp 2>/dev/null && r=1
	cellctl rm -f caps nocaps >/dev/null
	return $r
}

# attack: an fd of celld's (a cgroup dir, a socket) reaching the command
t_exec_gets_fds_0_1_2_only() {
	up fds || return 1
	out=$(cellctl exec fds ls /proc/self/fd | tr '\n' ' ')
	ti=$(cellctl exec -i fds ls /proc/self/fd < /dev/null | tr '\n' ' ')
	cellctl rm -f fds >/dev/null
	echo "exec: $out; exec -i: $ti"
	[ "$out" = "0 1 2 3 " ] && [ "$ti" = "0 1 2 3 " ]
}

# attack: CVE-2024-21626, a working directory outside the container's
# root: -w /proc/self/fd/N names an fd that spawn-helper still holds while
# it changes directory; from there ".." climbs to the host's root
t_exec_cwd_is_always_inside_the_container() {
	up cwd || return 1
	up_to_root='d=.; i=0; while [ $i -lt 40 ]; do d=$d/..; i=$((i+1)); done
	    c=$(readlink /proc/self/cwd)
	    [ "$(stat -c %d:%i "$d")" = "$(stat -c %d:%i /)" ] && echo "$c" ||
	    { echo "$c, where .. climbs out of the container"; exit 1; }'
	r=0
	out=$(cd /tmp && cellctl exec cwd sh -c "$up_to_root")
	echo "no -w: $out"
	[ "$out" = / ] || r=1
	out=$(cellctl exec -w /tmp cwd sh -c "$up_to_root")
	echo "-w /tmp: $out"
	[ "$out" = /tmp ] || r=1
	for n in 3 4 5 6 7 8 9 10 11 12 13 14 15 16; do
		for how in exec run; do
			if [ $how = exec ]; then
				out=$(cellctl exec -w /proc/self/fd/$n cwd \
				    sh -c "$up_to_root" 2>/dev/null)
			else
				out=$(cellctl run --rm -w /proc/self/fd/$n \
				    busybox sh -c "$up_to_root" 2>/dev/null)
			fi
			s=$?
			# refused (125), or run inside the container
			[ $s = 125 ] && continue
			[ $s = 0 ] && continue
			echo "$how -w /proc/self/fd/$n: status $s, cwd $out"
			r=1
		done
	done
	cellctl rm -f cwd >/dev/null
	return $r
}

t_exec_into_a_stopped_container_fails() {
	up stopped || return 1
	cellctl stop -t 1 stopped >/dev/null || return 1
	fails_125 cellctl exec stopped true
	r=$?
	cellctl rm -f stopped >/dev/null
	[ $r = 0 ] && fails_125 cellctl exec nosuchcontainer true
}

# attack: an exec'd process escapes stop (it must be in the cgroup)
t_stop_kills_exec_processes() {
	up killexec || return 1
	base=$(cellctl inspect killexec | jfield HostBase)
	cellctl exec -d killexec sleep 1000 || return 1
	cellctl exec -d -u 1000 killexec sh -c \
	    '(setsid sleep 1000 &); sleep 1000' || return 1
	sleep 0.5
	inside() {
		ps -e -o uid= | awk -v b="$base" \
		    '$1 >= b && $1 < b + 65536' | wc -l
	}
	before=$(inside)
	top=$(cellctl top killexec)
	echo "$top"
	cellctl stop -t 1 killexec >/dev/null || return 1
	sleep 0.2
	after=$(inside)
	cellctl rm killexec >/dev/null
	echo "base $base: $before processes before stop, $after after"
	[ "$before" -ge 4 ] && [ "$after" = 0 ] &&
	    [ "$(echo "$top" | grep -c 'sleep 1000')" -ge 4 ]
}

# Docker refuses to exec in a paused container; an exec must not hang
t_exec_into_a_paused_container_fails_at_once() {
	up frozen || return 1
	cellctl pause frozen >/dev/null || return 1
	fails_125 timeout 10 "$CELLCTL" exec frozen true
	r=$?
	cellctl unpause frozen >/dev/null
	cellctl rm -f frozen >/dev/null
	return $r
}

t_run_t_gets_the_terminal_size() {
	out=$(in_pty "stty rows 40 cols 100; $CELLCTL run -t --rm busybox \
	    stty size" < /dev/null | tr -d '\r')
	echo "$out"
	[ "$out" = "40 100" ]
}

t_exec_it_gets_the_terminal_size() {
	up size || return 1
	# script turns its stdin's EOF into a NUL that the pty echoes as ^@
	out=$(in_pty "stty rows 40 cols 100; $CELLCTL exec -it size \
	    stty size" < /dev/null | tr -d '\r' | sed 's/\^@//g')
	cellctl rm -f size >/dev/null
	echo "$out"
	[ "$out" = "40 100" ]
}

# ^C is a byte in raw mode; the container's pty makes it SIGINT
t_ctrl_c_reaches_the_container_through_its_pty() {
	{
		i=0	# until the trap is set: the sleep runs after it
		until cellctl top intr 2>/dev/null | grep -q 'sleep 100'; do
			i=$((i + 1))
			[ $i -lt 100 ] || break
			sleep 0.1
		done
		printf '\003'
		sleep 2
	} | in_pty "$CELLCTL run -it --rm --name intr busybox sh -c \
	    'trap \"exit 42\" INT; sleep 100 & wait'" >/dev/null
	s=$?
	echo "run -it: status $s"
	[ $s = 42 ] || return 1
	up intr2 || return 1
	{
		i=0
		until cellctl top intr2 2>/dev/null | grep -q 'sleep 99'; do
			i=$((i + 1))
			[ $i -lt 100 ] || break
			sleep 0.1
		done
		printf '\003'
		sleep 2
	} | in_pty "$CELLCTL exec -it intr2 sh -c \
	    'trap \"exit 43\" INT; sleep 99 & wait'" >/dev/null
	s=$?
	cellctl rm -f intr2 >/dev/null
	echo "exec -it: status $s"
	[ $s = 43 ]
}

# the pty must be the container's own, in its /dev/pts (as Docker's is),
# not one of the host's devpts that the container can't name
t_tty_in_a_t_container_is_its_dev_pts() {
	# the pty lives in the container's own devpts instance (spawn-helper
	# makes it, C attaches it): its name resolves inside, and root in
	# the container can neither remount it nor see a host pty there
	out=$(in_pty "$CELLCTL run -t --rm --privileged busybox sh -c 'tty; ls -1 /dev/pts;
	    mount -o remount,rw,mode=666 /dev/pts && echo REMOUNTED'" \
	    < /dev/null | tr -d '\r')
	echo "run -t: $out"
	echo "$out" | head -1 | grep -qx '/dev/pts/0' || return 1
	[ "$(echo "$out" | sed -n 2,3p | sort | tr '\n' ' ')" = "0 ptmx " ] ||
	    return 1
	! echo "$out" | grep -q REMOUNTED
}

# exec -t: the pty comes from the container's own /dev/pts too, so it has
# a name inside; a container that plants a fake ptmx there gets an exec
# that still works (on a pty of the host's, with no name) and nothing
# else: E checks that what X sends is a pty master
t_exec_t_pty_is_in_the_containers_dev_pts() {
	cellctl run -d --name ept busybox sleep 1000 >/dev/null || return 1
	cellctl run -d -t --name eptt busybox sleep 1000 >/dev/null ||
	    return 1
	a=$(in_pty "$CELLCTL exec -t ept sh -c 'tty; ls -l \$(tty)'" \
	    < /dev/null | tr -d '\r')
	b=$(in_pty "$CELLCTL exec -t eptt tty" < /dev/null | tr -d '\r')
	cellctl run -d --privileged --name evil busybox sh -c \
	    'mount -t tmpfs none /dev/pts && mkfifo /dev/pts/ptmx &&
	    exec sleep 1000' >/dev/null || return 1
	sleep 0.5
	c=$(in_pty "$CELLCTL exec -t evil sh -c 'tty; echo alive'" \
	    < /dev/null | tr -d '\r')
	rc=$?
	cellctl rm -f ept eptt evil >/dev/null
	echo "plain: $a"
	echo "-t: $b"
	echo "fake ptmx: rc $rc: $c"
	echo "$a" | head -1 | grep -qx '/dev/pts/[0-9]*' &&
	    echo "$a" | sed -n 2p | grep -q '^crw--w---- *1 root *tty ' &&
	    [ "$b" = /dev/pts/1 ] && [ $rc = 0 ] &&
	    echo "$c" | grep -qx alive
}

t_no_tty_without_t() {
	out=$(in_pty "$CELLCTL run --rm busybox tty" < /dev/null | tr -d '\r')
	echo "$out"
	[ "$out" = "not a tty" ] || return 1
	out=$(cellctl run --rm busybox tty)
	[ "$out" = "not a tty" ]
}

t_stdin_with_i() {
	out=$(echo hello | cellctl run -i --rm busybox cat) || return 1
	echo "$out"
	[ "$out" = hello ] || return 1
	up stdin || return 1
	out=$(echo hi | cellctl exec -i stdin cat)
	n=$(echo hi | cellctl exec stdin cat)	# no -i: /dev/null
	cellctl rm -f stdin >/dev/null
	echo "exec -i: $out, exec: '$n'"
	[ "$out" = hi ] && [ -z "$n" ]
}

# The size follows: a new size of script's pty (which signals cellctl,
# in its foreground group) reaches the container's pty and its SIGWINCH.
WINCH_SH='trap w=1 WINCH; i=0; while [ $i -lt 100 ]; do s=$(stty size)
	if [ -n "$w" ] && [ "$s" = "50 120" ]; then echo got $s; exit 0; fi
	sleep 0.1; i=$((i + 1)); done; echo last $s; exit 1'

# resize script's pty with "$@" once the container runs; 0 if the
# container saw 50 rows and 120 columns, and SIGWINCH
resize() {	# command to run with script's pty as stdin
	_cmd=${RESIZE_CMD:-run -it --rm --name winch busybox}
	{
		i=0
		until cellctl top winch 2>/dev/null | grep -q 'stty\|sleep'
		do
			i=$((i + 1))
			[ $i -lt 100 ] || break
			sleep 0.1
		done
		p=$(cellctl_pid "${_cmd%% busybox}") &&
		    "$@" < "$(readlink /proc/$p/fd/0)"
		sleep 5
	} | in_pty "stty rows 40 cols 100; $CELLCTL $_cmd \
	    sh -c '$WINCH_SH'" > "$T/winch.out"
	s=$?
	tr -d '\r' < "$T/winch.out"
	echo "status $s"
	[ $s = 0 ] && tr -d '\r' < "$T/winch.out" | grep -qx 'got 50 120'
}

t_window_size_follows() {
	resize sh -c 'stty rows 50; sleep 1; stty cols 120'
}

# exec -t: spawn-helper's E, which copies the pty, follows the client's
# terminal itself
t_exec_window_size_follows() {
	# not sleep: resize() waits for the exec's own sleep or stty in top
	cellctl run -d --name winch busybox tail -f /dev/null >/dev/null ||
	    return 1
	RESIZE_CMD="exec -it winch" resize sh -c 'stty rows 50; sleep 1
	    stty cols 120'
	r=$?
	cellctl rm -f winch >/dev/null
	return $r
}

# Two changes in quick succession, as a window being dragged makes: the
# last must win even when its SIGWINCH comes while cellctl still sends the
# first.  celld is stopped meanwhile, so that it comes then for sure.
t_window_size_follows_quick_changes() {
	parent=$(proc_pid parent 2>/dev/null) || return 1
	resize sh -c "kill -STOP $parent; stty rows 50; sleep 0.3
	    stty cols 120; sleep 0.3; kill -CONT $parent"
	r=$?
	kill -CONT "$parent"	# whatever became of the resize
	return $r
}

t_stats_shows_memory_and_pids() {
	up stats || return 1
	out=$(cellctl stats --no-stream --json stats)
	cellctl rm -f stats >/dev/null
	echo "$out"
	echo "$out" | json_ok || return 1
	mem=$(echo "$out" | jfield mem_usage)
	pids=$(echo "$out" | jfield pids)
	[ "${mem:-0}" -gt 0 ] && [ "${pids:-0}" -ge 1 ]
}

t_top_lists_the_process_with_its_host_uid() {
	up top || return 1
	out=$(cellctl top top)
	cellctl rm -f top >/dev/null
	echo "$out"
	echo "$out" | awk '/sleep 1000/ { found = 1; if ($1 < 65536) bad = 1 }
	    END { exit !(found && !bad) }'
}

# attack: a paused container keeps running
t_pause_freezes_and_unpause_thaws() {
	id=$(cellctl run -d --name cnt busybox sh -c \
	    'i=0; while :; do i=$((i+1)); echo $i > /tmp/c; done') || return 1
	a=$(counter "$id")
	sleep 0.3
	b=$(counter "$id")
	cellctl pause cnt >/dev/null || { cellctl rm -f cnt; return 1; }
	sleep 0.2
	c=$(cat "$T/lib/containers/$id/upper/tmp/c")
	sleep 0.5
	d=$(cat "$T/lib/containers/$id/upper/tmp/c")
	st=$(cellctl inspect cnt | jfield Paused)
	cellctl unpause cnt >/dev/null
	sleep 0.3
	e=$(counter "$id")
	st2=$(cellctl inspect cnt | jfield Paused)
	cellctl rm -f cnt >/dev/null
	echo "running $a $b, paused ($st) '$c' '$d', unpaused ($st2) $e"
	[ "$b" -gt "$a" ] && [ "$c" = "$d" ] && [ "$st" = true ] &&
	    [ "$st2" = false ] && [ "$e" -gt "${d:-0}" ]
}

# attack: allocate past a memory limit lowered while running
t_update_memory_limit_applies_at_once() {
	up mem || return 1
	cellctl exec mem sh -c 'head -c 100m /dev/zero | tail' >/dev/null
	a=$?
	cellctl update -m 32m mem >/dev/null || return 1
	lim=$(cellctl inspect mem | jfield Memory)
	cellctl exec mem sh -c 'head -c 100m /dev/zero | tail' >/dev/null
	b=$?
	cellctl rm -f mem >/dev/null
	echo "before update: $a, after: $b, Memory $lim"
	[ $a = 0 ] && [ $b = 137 ] && [ "$lim" = 33554432 ]
}

# attack: fork past a pids limit lowered while running
t_update_pids_limit_applies_at_once() {
	up pids || return 1
	cellctl update --pids-limit 5 pids >/dev/null || return 1
	out=$(cellctl exec pids sh -c \
	    'for i in 1 2 3 4 5 6 7 8; do sleep 5 & done 2>&1; wait' 2>&1)
	cellctl rm -f pids >/dev/null
	echo "$out"
	echo "$out" | grep -qi "resource\|fork\|again"
}

t_rename() {
	up oldname || return 1
	cellctl rename oldname newname || return 1
	out=$(cellctl ps)
	echo "$out"
	cellctl exec newname true || return 1
	fails_125 cellctl exec oldname true || return 1
	up other || return 1
	fails_125 cellctl rename other newname
	r=$?
	cellctl rm -f newname other >/dev/null
	[ $r = 0 ] && echo "$out" | grep -q ' newname$' &&
	    ! echo "$out" | grep -q oldname
}

t_inspect_is_json_with_state_and_pid() {
	up insp || return 1
	out=$(cellctl inspect insp)
	pspid=$(cellctl ps --json | jfield pid)
	echo "$out"
	run=$(echo "$out" | jfield Running)
	pid=$(echo "$out" | jfield Pid)
	comm=$(cat "/proc/$pid/cmdline" | tr '\0' ' ')
	cellctl rm -f insp >/dev/null
	echo "Running $run Pid $pid ($comm), ps says $pspid"
	echo "$out" | json_ok && [ "$run" = true ] && [ -n "$pid" ] &&
	    [ "$pid" = "$pspid" ] && [ "$comm" = "sleep 1000 " ]
}

run_tests
