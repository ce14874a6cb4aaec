# Each process's real privilege table, applied by the real drop code, then
# attacked from inside (tests/security/sbx_probe.c).  Each test is one
# attack, checked against all four processes.
. tests/lib.sh
PROBE="$B/tests/sbx_probe"
PROCS="parent net fs spawn fsmnt mkfs"
USER_parent=_celld
USER_net=_celld_net
USER_fs=_celld_fs
USER_spawn=_celld_spawn
USER_fsmnt=_celld_fs
USER_mkfs=_celld_fs

# What a process may do because its table says so; every other attempt
# must be denied.  spawn-helper builds containers: it has no Landlock
# domain (see spawn.c), may mount, exec, trace itself, open sockets and,
# with CAP_KILL, signal any process, and with CAP_SETUID become any uid,
# 0 included (it writes containers' id maps): it is as trusted as root,
# which is why it is small and checks every request (docs/security.md).
# fs-helper lives in a jail whose root is the storage dir: the host's
# files are absent there (ENOENT counts as denied for it), and it makes no
# file system instance (no fsopen).  write_storage is the positive
# control: the probe isn't just broken.  The parent compiles seccomp=FILE
# profiles into a memfd and never loads a filter; the helpers may narrow
# themselves further (prctl is in every helper's base set), which takes
# nothing from anyone.
ALLOW_parent="write_storage memfd"
ALLOW_net="seccomp_load"
ALLOW_fs="write_storage seccomp_load"
ALLOW_spawn="read_outside write_storage mount fsmount socket_inet"
ALLOW_spawn="$ALLOW_spawn ptrace_traceme execve kill_pid1 setuid0 memfd"
ALLOW_spawn="$ALLOW_spawn seccomp_load userns clone_newuser"
# fs-mounter (fs-helper/diskmnt.c) makes ext4 instances for container
# disks: it may fsopen and fsmount, but attach nothing (no move_mount),
# and Landlock keeps it to /dev, so the probe's fsmount stays denied
ALLOW_fsmnt="seccomp_load"
# fs-mkfs (fs-helper/mkfs.c) keeps the host's view of the files, read as
# _celld_fs without a capability, and execs mke2fs; nothing else
ALLOW_mkfs="read_outside execve"
ATTEMPTS="read_shadow read_outside write_outside write_storage mount fsmount
socket_inet ptrace_traceme ptrace_attach setuid0 init_module finit_module
kexec_load bpf keyctl perf_event_open kill_pid1 memfd seccomp_load userns
clone_newuser execve"

# a world-readable file of root's, outside every table's paths
mkdir -p "$T/outside" "$T/mnt"
echo probe > "$T/outside/file"
chmod 0755 "$T/outside"
chmod 0644 "$T/outside/file"

# run each probe once; the tests read what it printed
for p in $PROCS; do
	eval "u=\$USER_$p"
	mkdir -p "$T/storage-$p" "$T/run-$p"
	chown "$u:" "$T/storage-$p" "$T/run-$p"
	chmod 0700 "$T/storage-$p" "$T/run-$p"
	"$PROBE" -m "$T/mnt" -o "$T/outside/file" $p "$T/storage-$p" \
	    "$T/run-$p" > "$T/probe.$p" 2>&1
	echo $? >> "$T/probe.$p.rc"
done

line() {	# proc word -> the rest of the probe's line
	awk -v w="$2" '$1 == w { $1 = ""; sub(/^ /, ""); print; exit }' \
	    "$T/probe.$1"
}

# every proc named printed "denied ATTEMPT"
denied() {	# attempt procs...
	a=$1
	shift
	r=0
	for p in "$@"; do
		grep -q "^denied $a\( \|$\)" "$T/probe.$p" && continue
		echo "$p: $(grep " $a\( \|$\)" "$T/probe.$p" ||
		    echo "no $a line")"
		r=1
	done
	return $r
}

allowed() {	# attempt procs...
	a=$1
	shift
	r=0
	for p in "$@"; do
		grep -q "^ALLOWED $a\( \|$\)" "$T/probe.$p" && continue
		echo "$p: $(grep " $a\( \|$\)" "$T/probe.$p" ||
		    echo "no $a line")"
		r=1
	done
	return $r
}

cap_mask() {	# capability numbers -> hex as /proc prints it
	m=0
	for c in "$@"; do m=$((m | (1 << c))); done
	printf '%016x' $m
}

# attack: a table that leaves uid 0, a capability, or no sandbox behind
t_kernel_confirms_every_table() {
	# chown 0, dac_override 1, fowner 3, kill 5, setgid 6, setuid 7,
	# setpcap 8, net_admin 12, sys_admin 21 (as 10-daemon.sh)
	want_parent=$(cap_mask)
	want_net=$(cap_mask 12)
	want_fs=$(cap_mask 0 1 3 21)
	want_spawn=$(cap_mask 5 6 7 8 21)
	want_fsmnt=$(cap_mask 1 21)
	want_mkfs=$(cap_mask)
	r=0
	for p in $PROCS; do
		eval "u=\$USER_$p w=\$want_$p"
		got="$(line $p uid) $(line $p capeff) $(line $p capprm)"
		got="$got $(line $p capbnd) $(line $p capinh) $(line $p capamb)"
		got="$got $(line $p nnp) $(line $p seccomp)"
		z=0000000000000000
		want="$(id -u $u) $w $w $w $z $z 1 2"
		[ "$got" = "$want" ] && continue
		echo "$p: uid caps(eff prm bnd inh amb) nnp seccomp"
		echo "  got  $got"
		echo "  want $want"
		r=1
	done
	return $r
}

# attack: anything the probe found allowed that no table grants
t_no_unexpected_allowed() {
	r=0
	for p in $PROCS; do
		eval "allow=\$ALLOW_$p"
		if [ "$(cat "$T/probe.$p.rc")" != 0 ] ||
		    [ "$(tail -1 "$T/probe.$p")" != end ]; then
			echo "$p: probe did not finish:"
			tail -3 "$T/probe.$p"
			r=1
		fi
		for a in $ATTEMPTS; do
			grep -q "^[a-zA-Z]* $a\( \|$\)" "$T/probe.$p" ||
			    { echo "$p: no line for $a"; r=1; }
		done
		grep '^ALLOWED ' "$T/probe.$p" | {
			bad=0
			while read -r _ a _; do
				case " $allow " in
				*" $a "*) ;;
				*) echo "$p: ALLOWED $a"; bad=1 ;;
				esac
			done
			exit $bad
		} || r=1
	done
	return $r
}

# attack: the positive control fails (the probe denies everything)
t_storage_dir_writable_where_granted() {
	allowed write_storage parent fs spawn &&
	    denied write_storage net fsmnt mkfs
}

# the parent's memfd_create, for seccomp=FILE (parent/seccomp_json.c)
t_parent_may_make_a_memfd() {
	allowed memfd parent && denied memfd net fs fsmnt mkfs
}

# attack: the parent loads a seccomp filter (it only compiles them)
t_parent_loads_no_seccomp_filter() {
	denied seccomp_load parent
}

# attack: read /etc/shadow
t_read_shadow() {
	denied read_shadow $PROCS
}

# attack: read a world-readable file outside the Landlock paths
t_read_outside_landlock_paths() {
	denied read_outside parent net fs fsmnt
}

# attack: open a file of root's (mode 0644) for writing
t_write_root_file() {
	denied write_outside $PROCS
}

# attack: mount a tmpfs
t_mount() {
	denied mount parent net fs fsmnt mkfs
}

# attack: mount a tmpfs with fsopen/fsmount/move_mount
t_new_mount_api() {
	denied fsmount parent net fs fsmnt mkfs
}

# attack: execve /bin/true
t_execve() {
	denied execve parent net fs fsmnt
}

# attack: open an AF_INET socket
t_socket_inet() {
	denied socket_inet parent net fs fsmnt mkfs
}

# attack: ptrace(PTRACE_TRACEME)
t_ptrace_traceme() {
	denied ptrace_traceme parent net fs fsmnt mkfs
}

# attack: a new user namespace, where every capability comes back, by
# unshare() and by clone() (fs-mkfs may clone(), but only fork()-shaped);
# spawn-helper makes every container's
t_new_user_namespace() {
	denied userns parent net fs fsmnt mkfs &&
	    denied clone_newuser parent net fs fsmnt mkfs &&
	    allowed userns spawn
}

# fs-mkfs reads the host's files as _celld_fs and execs mke2fs (the
# positive control for its allow-list; t_no_unexpected_allowed the rest)
t_formatter_may_only_read_and_exec() {
	allowed read_outside mkfs && allowed execve mkfs
}

# attack: ptrace(PTRACE_ATTACH) to pid 1, a root process
t_ptrace_attach_root_process() {
	denied ptrace_attach $PROCS
}

# attack: setuid(0) (spawn-helper can: CAP_SETUID, see above)
t_setuid_0() {
	denied setuid0 parent net fs fsmnt mkfs
}

# attack: load a kernel module
t_kernel_modules() {
	denied init_module $PROCS && denied finit_module $PROCS
}

# attack: kexec_load
t_kexec_load() {
	denied kexec_load $PROCS
}

# attack: bpf(BPF_MAP_CREATE)
t_bpf() {
	denied bpf $PROCS
}

# attack: keyctl on the session keyring
t_keyctl() {
	denied keyctl $PROCS
}

# attack: perf_event_open on itself
t_perf_event_open() {
	denied perf_event_open $PROCS
}

# attack: kill(1, SIGCONT), pid 1 of the test's pid namespace
t_signal_pid_1() {
	denied kill_pid1 parent net fs fsmnt mkfs
}

run_tests
