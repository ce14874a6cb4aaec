#!/bin/sh
# tests/vm/guest.sh: PID 1 of the VM that tests/vm/run.sh boots.  It sets
# up a pure cgroup v2 host (the kernel runs with cgroup_no_v1=all, so no
# v1 hierarchy can exist; cgroup2 alone at /sys/fs/cgroup, with memory,
# cpu and pids enabled below the root, as systemd does), runs the test
# suite as root, prints its result and "celld-vm: exit N", and powers
# off.  The root filesystem is the host's, read-only under a tmpfs
# overlay (tests/vm/init): what the tests write dies with the VM.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root TERM=dumb LC_ALL=C

# report, power off; PID 1 must never return (the kernel would panic)
off() {
	echo "celld-vm: exit $1"
	sync
	busybox poweroff -f
	echo o > /proc/sysrq-trigger
	while :; do
		read -r _ < /dev/zero
	done
}

mount -t proc proc /proc
mount -t sysfs sys /sys
dir= pat= b=build ps=
set -f	# the pattern is no glob
for a in $(cat /proc/cmdline 2>/dev/null); do
	case "$a" in
	celldvm.dir=*) dir=${a#*=} ;;
	celldvm.pat=*) pat=${a#*=} ;;
	celldvm.b=*) b=${a#*=} ;;
	celldvm.ps=*) ps=${a#*=} ;;
	esac
done
set +f
mount -t devtmpfs dev /dev
mkdir -p /dev/pts /dev/shm /dev/mqueue
mount -t devpts -o mode=0620,ptmxmode=0666 devpts /dev/pts
mount -t tmpfs -o mode=1777 shm /dev/shm
mount -t mqueue mqueue /dev/mqueue
# The tests' storage must take idmapped mounts (fs-helper idmaps image
# layers): tmpfs does from Linux 6.3 only, ext4 does on 6.1.  So /tmp is
# ext4 on the scratch disk tests/vm/run.sh gives us, and tests/lib.sh
# keeps its test dirs there rather than on a tmpfs of their own.
if [ "$(uname -r | awk -F. '{ print $1 * 1000 + $2 }')" -lt 6003 ]; then
	mkfs.ext4 -q -F /dev/vda && mount -t ext4 /dev/vda /tmp &&
	    chmod 1777 /tmp || off 125
	export CELLD_TEST_TMPFS=0
else
	mount -t tmpfs -o mode=1777 tmp /tmp
fi
mount -t tmpfs -o mode=0755 run /run
mount -t cgroup2 -o nsdelegate cgroup2 /sys/fs/cgroup || off 125
for c in memory cpu pids; do
	echo "+$c" > /sys/fs/cgroup/cgroup.subtree_control || off 125
done
hostname celld-vm
# our output to a file the host reads (tests/vm/run.sh says why), the
# kernel's to the serial console; no test gets a terminal for stdin
mkdir -p /run/celld-vm
mount -t 9p -o trans=virtio,version=9p2000.L celldout /run/celld-vm ||
    off 125
exec > /run/celld-vm/log 2>&1 < /dev/null
ip link set lo up

echo "celld-vm: kernel $(uname -r), $(nproc) cpus, $(free -m |
    awk '$1 == "Mem:" { print $2 }') MiB"
echo "celld-vm: cgroup mounts: $(awk '$3 ~ /^cgroup/ { printf "%s %s; ", $3, $2 }' \
    /proc/self/mounts)"
echo "celld-vm: root cgroup.subtree_control: $(cat \
    /sys/fs/cgroup/cgroup.subtree_control)"
echo "celld-vm: /proc/self/cgroup: $(cat /proc/self/cgroup)"

cd "$dir" || off 125
sh tests/users.sh || off 125
echo "celld-vm: sh tests/run.sh $b ${pat:-(all)}"
# CELLD_VM_PS=N (celldvm.ps=N): every N seconds, what runs (a hang?)
if [ -n "$ps" ]; then
	while sleep "$ps"; do
		# comm, not args: reading a process's args takes its mmap
		# lock, which a hung fork holds
		echo "celld-vm: ps"
		ps -eo pid,ppid,stat,etime,time,wchan:24,comm | grep -v ' \['
		# the kernel's stacks of blocked tasks, to the serial console
		echo w > /proc/sysrq-trigger
	done &
fi
# with the failures' diagnostics: the console is all we get
VERBOSE=1 sh tests/run.sh "$b" "$pat"
rc=$?
# nothing of celld's may be left in the hierarchy after the suite
left=$(find /sys/fs/cgroup -mindepth 1 -type d -name 'cell*' 2>/dev/null)
if [ -n "$left" ]; then
	echo "celld-vm: cgroups left behind:"
	echo "$left" | sed 's/^/celld-vm:   /'
	[ $rc = 0 ] && rc=1
fi
off $rc
