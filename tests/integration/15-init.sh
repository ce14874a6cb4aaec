# Container init (spawn-helper/init.c, mounts.c, seccomp_profile.c), run
# through $B/tests/test_init without the rest of celld: what a container
# sees, and attacks on its setup that must fail.  Each attack test names
# the attack on its first line and fails if the attack works.
. tests/lib.sh

TI="$B/tests/test_init"
PROBE="$B/tests/probe"	# tests/probe/probe.c, static
BASE=1000000		# test_init's default TI_BASE
ROOT="$T/rootfs"
HOSTDIR="$T/hostdir"	# a host directory images try to redirect mounts to
DOCKER_CAPS=a80425fb
export CELLD_SECRET=1	# a host variable that must not reach a container

[ -x "$TI" ] || { echo "not ok - ${0##*/}: $TI not built"; exit 1; }
[ -x "$PROBE" ] || { echo "not ok - ${0##*/}: $PROBE not built"; exit 1; }

# a busybox rootfs owned by container root, as fs-helper's idmapped
# mounts would show it; no /dev, /proc or /sys: init makes them
mkrootfs() {	# dir
	mkdir -p "$1/bin" "$1/etc" "$1/tmp" "$1/root" "$1/mnt" "$1/home/alice"
	cp /bin/busybox "$1/bin/"
	for a in $(/bin/busybox --list); do
		[ -e "$1/bin/$a" ] || ln -s busybox "$1/bin/$a"
	done
	cp "$PROBE" "$1/bin/probe"
	printf 'not a program\n' > "$1/bin/garbage"
	chmod 0755 "$1/bin/garbage"
	cat > "$1/etc/passwd" <<-EOF
	root:x:0:0:root:/root:/bin/sh
	alice:x:1000:1000::/home/alice:/bin/sh
	EOF
	cat > "$1/etc/group" <<-EOF
	root:x:0:
	alice:x:1000:
	wheel:x:10:alice
	audio:x:29:bob,alice
	EOF
	chmod 1777 "$1/tmp"
	chown -R $BASE:$BASE "$1"
	chown $((BASE + 1000)):$((BASE + 1000)) "$1/home/alice"
}

# a copy of the rootfs whose $2 is a symlink to $HOSTDIR on the host
evil_rootfs() {	# dir path-in-rootfs
	cp -a "$ROOT" "$1"
	rm -rf "${1:?}/$2"
	mkdir -p "$(dirname "$1/$2")"
	ln -s "$HOSTDIR" "$1/$2"
}

mkrootfs "$ROOT"
mkdir -p "$HOSTDIR"
chmod 1777 "$HOSTDIR"	# so only init's care keeps container root out

run_c() { "$TI" "$ROOT" -- "$@"; }

# one field of /proc/self/status, as the container sees it
c_status() {	# field [env...]
	f=$1; shift
	env "$@" "$TI" "$ROOT" -- awk -v f="$f:" '$1 == f { print $2 }' \
	    /proc/self/status
}

expect_status() {	# want command...
	want=$1; shift
	"$@"; got=$?
	echo "exit status $got, want $want"
	[ "$got" = "$want" ]
}

nothing_in_hostdir() {
	ls -A "$HOSTDIR"
	[ -z "$(ls -A "$HOSTDIR")" ] &&
	    ! grep -q " $HOSTDIR " /proc/self/mountinfo
}

t_command_runs_as_container_root() {
	out=$(run_c id) || return 1
	echo "$out"
	[ "$out" = "uid=0(root) gid=0(root)" ]
}

# attack: a host fd (a directory, a socket) leaks into the container;
# fd 3 is ls's own, on the directory it lists
t_only_stdio_is_open() {
	out=$(run_c ls /proc/self/fd | tr '\n' ' ') || return 1
	echo "$out"
	[ "$out" = "0 1 2 3 " ]
}

# attack: pid 1 inherits a host fd (CVE-2024-21626 leaked one)
t_pid1_has_only_stdio() {
	out=$(run_c sh -c 'ls /proc/1/fd; true' | tr '\n' ' ') || return 1
	echo "$out"
	[ "$out" = "0 1 2 " ]
}

# attack: the cwd is a host directory (CVE-2024-21626)
t_cwd_is_inside_the_new_root() {
	out=$(run_c readlink /proc/1/cwd) || return 1
	echo "$out"
	[ "$out" = / ]
}

# attack: /proc/self/exe still leads to the host binary (CVE-2019-5736)
t_pid1_exe_is_the_command() {
	out=$(run_c readlink /proc/1/exe) || return 1
	echo "$out"
	[ "$out" = /bin/busybox ]
}

# attack: a host mount (the old root) is still reachable
t_only_container_mounts_remain() {
	out=$(run_c awk '{ print $5 }' /proc/self/mountinfo) || return 1
	echo "$out"
	bad=$(echo "$out" | grep -Ev '^/$|^/(dev|proc|sys)(/|$)')
	[ -z "$bad" ]
}

# attack: a mount event crosses between host and container (the rootfs
# is a clone of a shared mount: test_init makes it one, as systemd would)
t_no_mount_is_shared_with_the_host() {
	out=$(run_c cat /proc/self/mountinfo) || return 1
	echo "$out"
	! echo "$out" | grep -Eq ' (shared|master|propagate_from):[0-9]+ '
}

t_umask_is_dockers() {
	out=$(umask 077; run_c sh -c umask) || return 1
	echo "$out"
	[ "$out" = 0022 ]
}

t_uid_and_gid_maps_are_the_range() {
	out=$(run_c cat /proc/self/uid_map /proc/self/gid_map) || return 1
	echo "$out"
	[ "$(echo "$out" | awk '{ print $1, $2, $3 }' | sort -u)" = \
	    "0 $BASE 65536" ]
}

t_cgroup_namespace_root_is_own_cgroup() {
	out=$(run_c cat /proc/self/cgroup) || return 1
	echo "$out"
	echo "$out" | grep -qx '0::/'
}

t_root_has_exactly_the_requested_caps() {
	want=$(printf '%016x' 0x$DOCKER_CAPS)
	for f in CapBnd CapEff CapPrm; do
		v=$(c_status $f TI_CAPS=$DOCKER_CAPS)
		echo "$f $v"
		[ "$v" = "$want" ] || return 1
	done
	for f in CapInh CapAmb; do
		v=$(c_status $f TI_CAPS=$DOCKER_CAPS)
		echo "$f $v"
		[ "$v" = 0000000000000000 ] || return 1
	done
}

t_cap_add_shows_in_the_bounding_set() {
	v=$(c_status CapBnd TI_CAPS=a80435fb)	# + CAP_NET_ADMIN (12)
	echo "$v"
	[ "$v" = 00000000a80435fb ]
}

# attack: a non-root user keeps capabilities to use against the kernel
t_nonroot_user_has_no_effective_caps() {
	for f in CapEff CapPrm; do
		v=$(c_status $f TI_USER=1000:1000)
		echo "$f $v"
		[ "$v" = 0000000000000000 ] || return 1
	done
	v=$(c_status CapBnd TI_USER=1000:1000)
	echo "CapBnd $v"
	[ "$v" = 00000000$DOCKER_CAPS ]
}

t_no_new_privs_is_set() {
	v=$(c_status NoNewPrivs)
	echo "$v"
	[ "$v" = 1 ]
}

t_seccomp_filter_is_in_force() {
	v=$(c_status Seccomp)
	echo "$v"
	[ "$v" = 2 ]
}

t_unconfined_has_no_filter() {
	v=$(c_status Seccomp TI_UNCONFINED=1)
	echo "$v"
	[ "$v" = 0 ]
}

t_named_user_gets_its_ids_groups_and_home() {
	out=$(TI_USER=alice run_c sh -c 'id -u; id -G; echo $HOME' |
	    tr '\n' ' ') || return 1
	echo "$out"
	[ "$out" = "1000 1000 10 29 /home/alice " ]
}

t_explicit_group_replaces_supplementary_groups() {
	out=$(TI_USER=alice:audio run_c id -G) || return 1
	echo "$out"
	[ "$out" = 29 ]
}

t_unknown_user_is_a_setup_error() {
	expect_status 125 env TI_USER=mallory "$TI" "$ROOT" -- true
}

t_workdir_is_made_and_entered() {
	out=$(TI_WORKDIR=/w/x run_c pwd) || return 1
	echo "$out"
	[ "$out" = /w/x ]
}

t_hostname_defaults_to_the_id_prefix() {
	out=$(run_c hostname) || return 1
	echo "$out"
	[ "$out" = 0123456789ab ]
}

t_environment_is_the_spec_plus_defaults() {
	out=$(TI_TTY=1 TI_ENV="FOO=bar HOME=/x" run_c env | sort |
	    tr '\n' ' ') || return 1
	echo "$out"
	path=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
	want="FOO=bar HOME=/x HOSTNAME=0123456789ab PATH=$path TERM=xterm"
	[ "$out" = "$want " ]
}

# attack: a host environment variable leaks into the container
t_host_environment_does_not_leak() {
	out=$(run_c env) || return 1
	echo "$out"
	! echo "$out" | grep -q CELLD_SECRET
}

t_command_not_found_is_127() {
	expect_status 127 run_c nosuchcmd
}

t_not_executable_is_126() {
	expect_status 126 run_c /etc/passwd
}

t_exec_format_error_is_126() {
	expect_status 126 run_c garbage
}

t_dev_holds_only_safe_nodes() {
	out=$(run_c ls /dev | tr '\n' ' ') || return 1
	echo "$out"
	want="fd full mqueue null ptmx pts random shm stderr stdin stdout tty"
	[ "$out" = "$want urandom zero " ]
}

t_devpts_is_a_new_instance() {
	out=$(run_c ls /dev/pts | tr '\n' ' ') || return 1
	echo "$out"
	[ "$out" = "ptmx " ]
}

t_tmpfs_paths_are_mounted() {
	out=$(TI_TMPFS=/data:/run/x run_c awk '$3 == "tmpfs" { print $2 }' \
	    /proc/mounts | tr '\n' ' ') || return 1
	echo "$out"
	echo "$out" | grep -q ' /data ' && echo "$out" | grep -q ' /run/x '
}

# attack: a tmpfs path climbs out of the rootfs
t_tmpfs_path_with_dotdot_is_refused() {
	expect_status 125 env TI_TMPFS=/../x "$TI" "$ROOT" -- true
}

# attack: mount a file system over part of the container
t_mount_is_refused() {
	! run_c mount -t tmpfs x /mnt
}

# attack: a new user namespace, to hold every capability again
t_unshare_user_is_refused() {
	! run_c unshare -U true
}

# attack: read what masked /proc and /sys files hold (kcore, keys, ...)
t_masked_paths_hide_their_content() {
	for p in /proc/acpi /proc/asound /proc/interrupts /proc/kcore \
	    /proc/keys /proc/latency_stats /proc/timer_list \
	    /proc/timer_stats /proc/sched_debug /proc/scsi /sys/firmware \
	    /sys/devices/virtual/powercap; do
		if [ ! -e "$p" ]; then
			echo "# $p: not on this kernel"
			continue
		fi
		if [ -d "$p" ]; then
			out=$(run_c sh -c "ls -A $p | wc -l; touch $p/x") &&
			    return 1
		else
			out=$(run_c sh -c "stat -c %t,%T $p; cat $p | wc -c")
		fi
		echo "$p: $out" | tr '\n' ' '
		echo
		case "$out" in
		"1,3"?"0"|"0") ;;
		*) return 1 ;;
		esac
	done
}

# attack: trigger sysrq (reboot, crash) from the container
t_sysrq_trigger_refuses_writes() {
	! run_c sh -c 'echo h > /proc/sysrq-trigger'
}

# attack: change a sysctl, here the kernel's hostname, through /proc/sys
t_proc_sys_is_read_only() {
	! run_c sh -c 'echo evil > /proc/sys/kernel/hostname'
}

# attack: write to sysfs
t_sys_is_read_only() {
	! run_c sh -c 'echo 1 > /sys/kernel/uevent_helper || touch /sys/x'
}

# attack: without a network namespace, sysfs falls back to the host's
t_host_sys_fallback_is_read_only() {
	out=$(TI_HOSTNET=1 run_c awk '$2 == "/sys" { print $4 }' \
	    /proc/mounts) || return 1
	echo "$out"
	case "$out" in ro,*) ;; *) return 1 ;; esac
	! TI_HOSTNET=1 run_c touch /sys/x
}

# attack: remount the read-only root read-write
t_readonly_root_cannot_be_remounted() {
	! TI_READONLY=1 run_c sh -c 'mount -o remount,rw /; touch /x'
}

t_readonly_root_keeps_tmpfs_writable() {
	TI_READONLY=1 run_c touch /dev/shm/ok
}

# attack: make a device node to reach a host disk
t_mknod_is_refused() {
	! run_c mknod /tmp/sda b 8 0
}

# attack: syscalls that reach shared kernel state (keys, bpf, modules...)
t_probe_denies_dangerous_syscalls() {
	run_c probe -d keyctl add_key request_key bpf perf_event_open \
	    kexec_load kexec_file_load init_module finit_module \
	    delete_module unshare_user unshare_mnt clone_user clone3 setns \
	    mount fsopen open_tree pivot_root reboot swapon acct \
	    clock_settime adjtimex userfaultfd open_by_handle_at iopl \
	    syslog vhangup io_uring_setup personality_bad
}

# the probes above that only the filter stops: without it they work
t_filter_is_what_denies_them() {
	TI_UNCONFINED=1 run_c probe -a keyctl add_key request_key \
	    unshare_user clone_user adjtimex userfaultfd io_uring_setup \
	    personality_bad
}

t_clone3_fails_with_enosys() {
	out=$(run_c probe clone3) || return 1
	echo "$out"
	[ "$out" = "clone3: denied (ENOSYS)" ]
}

t_filter_allows_ptrace_and_personality_query() {
	run_c probe -a getpid ptrace personality_query
}

t_sys_admin_unlocks_mount_but_never_userns() {
	TI_CAPS=a82425fb run_c probe -a mount fsopen open_tree setns \
	    unshare_mnt || return 1
	TI_CAPS=a82425fb run_c probe -d unshare_user clone_user clone3
}

# attack: the image's /dev is a symlink to a host directory
t_dev_symlink_does_not_redirect_mounts() {
	evil_rootfs "$T/evil-dev" dev
	expect_status 125 "$TI" "$T/evil-dev" -- true; s=$?
	nothing_in_hostdir && [ $s = 0 ]
}

# attack: the image's /proc is a symlink to a host directory
t_proc_symlink_does_not_redirect_mounts() {
	evil_rootfs "$T/evil-proc" proc
	expect_status 125 "$TI" "$T/evil-proc" -- true; s=$?
	nothing_in_hostdir && [ $s = 0 ]
}

# attack: a symlink in the middle of a tmpfs path
t_tmpfs_symlink_does_not_redirect_mounts() {
	evil_rootfs "$T/evil-tmpfs" data
	expect_status 125 env TI_TMPFS=/data/x "$TI" "$T/evil-tmpfs" -- \
	    true; s=$?
	nothing_in_hostdir && [ $s = 0 ]
}

run_tests
