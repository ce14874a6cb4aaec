# Disk quotas (--storage-opt size): a container's writable layer is an
# ext4 file system of that size, in an image on a loop device that only
# the container's overlay holds (fs-helper/disk.c).  What a container
# that fills it or goes looking for it can do, and what rm leaves.
. tests/lib.sh
start_celld || exit 1

# the value of "key" in the JSON on stdin (cellctl prints one per line)
jstr() {	# key
	awk -v k="\"$1\":" '$1 == k { v = $2; gsub(/[",]/, "", v); print v;
	    exit }'
}

# the loop devices whose backing file is in the container id's dir
loops_of() {	# id
	grep -l "containers/$1/" /sys/block/loop*/loop/backing_file \
	    2>/dev/null
}

# every mount in this test's processes' tables of id's dir or a loop
# device (the storage is a tmpfs, the host's file systems aren't loops)
mounts_of() {	# id
	cat /proc/[0-9]*/mountinfo 2>/dev/null |
	    grep -e "containers/$1" -e " - ext4 /dev/loop"
}

# attack: fill the disk past its size; the write stops at the quota
t_writing_past_the_size_fails_with_enospc() {
	cellctl run -d --name full --storage-opt size=16M busybox \
	    sleep 1000 >/dev/null || return 1
	out=$(cellctl exec full dd if=/dev/zero of=/big bs=1M count=32 2>&1)
	echo "$out"
	echo "$out" | grep -q "No space left on device" || return 1
	used=$(cellctl exec full du -m /big | cut -f1)
	echo "written: ${used}M"
	[ "$used" -lt 16 ]
}

# a full quota is the container's alone: another container and the
# host's storage still write
t_another_container_and_the_host_are_unaffected() {
	cellctl exec full sh -c 'dd if=/dev/zero of=/more bs=1M count=4' \
	    2>/dev/null && { echo "full container wrote more"; return 1; }
	cellctl run --rm --name other --storage-opt size=16M busybox \
	    dd if=/dev/zero of=/f bs=1M count=8 || return 1
	cellctl run --rm --name free busybox \
	    dd if=/dev/zero of=/f bs=1M count=32 || return 1
	dd if=/dev/zero of="$T/lib/host-file" bs=1M count=32 || return 1
	rm -f "$T/lib/host-file"
}

# stop and start keep what the container wrote: the image stays
t_stop_start_keeps_the_files() {
	cellctl run -d --name keep --storage-opt size=16M busybox sh -c \
	    'echo kept > /data; sleep 1000' >/dev/null || return 1
	sleep 0.3
	cellctl stop -t 1 keep >/dev/null || return 1
	cellctl start keep >/dev/null || return 1
	[ "$(cellctl exec keep cat /data)" = kept ] || return 1
	# and the disk is the same size: still 16M, not the storage's
	cellctl exec keep df -k / | awk 'NR == 2 { print; exit $2 > 16384 }'
}

# rm leaves no loop device, no mount in any table, no image file
t_rm_leaves_no_loop_device_mount_or_image() {
	id=$(cellctl run -d --name gone --storage-opt size=16M busybox \
	    sleep 1000) || return 1
	[ -f "$T/lib/containers/$id/disk.img" ] || { echo "no image"; return 1; }
	# while it runs, the overlay holds exactly one loop device
	[ "$(loops_of "$id" | wc -l)" = 1 ] ||
	    { echo "loop devices: $(loops_of "$id")"; return 1; }
	# fs-helper detached its own mount: no host-side table shows it
	mounts_of "$id" && { echo "mounted somewhere"; return 1; }
	cellctl rm -f gone >/dev/null || return 1
	i=0
	while [ -n "$(loops_of "$id")" ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	r=0
	loops_of "$id" && { echo "a loop device is left"; r=1; }
	losetup -a | grep "$id" && r=1
	mounts_of "$id" && r=1
	[ -e "$T/lib/containers/$id" ] && { ls -la "$T/lib/containers/$id"; r=1; }
	return $r
}

# attack: reach the loop device or the image from inside, even with
# CAP_MKNOD: a device node made in the container's user namespace
# can't be opened, and no loop device or image is in its tree
t_the_container_cannot_reach_the_loop_device_or_image() {
	id=$(cellctl run -d --name look --cap-add MKNOD --storage-opt \
	    size=16M busybox sleep 1000) || return 1
	n=$(loops_of "$id" | awk -F/ '{ print $4; exit }')
	minor=${n#loop}
	echo "its disk is $n"
	case $minor in ''|*[!0-9]*) echo "no loop device found"; return 1 ;; esac
	r=0
	cellctl exec look sh -c 'ls /dev/loop* /dev/loop-control' 2>&1 |
	    grep -v "No such file" && { echo "a loop device is in /dev"; r=1; }
	for f in /dev/$n /dev/loop-control; do
		cellctl exec look sh -c "head -c 1 $f" >/dev/null 2>&1 &&
		    { echo "opened $f"; r=1; }
	done
	out=$(cellctl exec look sh -c "mknod /tmp/l b 7 $minor &&
	    head -c 1024 /tmp/l | wc -c" 2>&1)
	echo "mknod: $out"
	echo "$out" | grep -qx "1024" && { echo "read the disk"; r=1; }
	cellctl exec look sh -c "mknod /tmp/c c 10 237 && head -c 1 /tmp/c" \
	    >/dev/null 2>&1 && { echo "opened loop-control"; r=1; }
	cellctl exec look find / -xdev -name 'disk.img*' | grep . && r=1
	cellctl rm -f look >/dev/null
	return $r
}

# the disk survives a celld kill -9: the running container keeps it, and
# the next start after the restart mounts the same image, still 16M
t_disk_survives_a_celld_restart() {
	cellctl run -d --name rs --storage-opt size=16M busybox sh -c \
	    'echo before > /data; sleep 1000' >/dev/null || return 1
	sleep 0.3
	p=$(proc_pid parent) || return 1
	kill -9 "$p"; wait "$p" 2>/dev/null
	sleep 0.3
	start_celld || return 1
	[ "$(cellctl exec rs cat /data)" = before ] || return 1
	cellctl stop -t 1 rs >/dev/null && cellctl start rs >/dev/null ||
	    return 1
	[ "$(cellctl exec rs cat /data)" = before ] || return 1
	cellctl exec rs df -k / | awk 'NR == 2 { print; exit $2 > 16384 }' ||
	    return 1
	cellctl rm -f rs >/dev/null
}

t_inspect_shows_the_size() {
	cellctl create --name insp --storage-opt size=32m busybox true \
	    >/dev/null || return 1
	v=$(cellctl inspect insp | jstr size)
	cellctl create --name nosize busybox true >/dev/null || return 1
	cellctl inspect nosize | grep -q '"StorageOpt": null' || return 1
	cellctl rm insp nosize >/dev/null
	echo "size: $v"
	[ "$v" = 33554432 ]
}

# bad input: one line, status 125, nothing made
t_bad_storage_opts_are_refused() {
	before=$(cellctl ps -aq | wc -l)
	r=0
	for o in "foo=bar" "size=abc" "size=1k" "size=17t" "size"; do
		cellctl create --storage-opt "$o" busybox true > "$T/o" 2>&1
		s=$?
		cat "$T/o"
		[ $s = 125 ] && [ "$(wc -l < "$T/o")" = 1 ] || r=1
	done
	cellctl create --storage-opt foo=bar busybox true 2>&1 |
	    grep -q "only size=SIZE" || r=1
	[ "$(cellctl ps -aq | wc -l)" = "$before" ] || r=1
	return $r
}

run_tests
