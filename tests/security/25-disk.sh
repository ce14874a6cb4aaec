# Disk budgets (max disk, issue 6): L may have containers whose disks add
# up to 64M, A has no max disk, root is an admin.  Each test is an attempt
# past the budget, refused with one line, status 125 and an audit line.
. tests/lib.sh
trap 'del_users; cleanup' EXIT
. tests/userlib.sh

add_user UL && add_user UA || exit 1
write_conf "default disk 32M
policy user \"$UL\" { max disk 64M }
policy user \"root\" { admin max disk 64M }"
start_celld || exit 1
REFUSED_TIMEOUT=30

# attack: a second 48M container on a 64M budget
t_second_disk_past_max_disk_is_refused() {
	ctl_as "$UL" create --name l1 --storage-opt size=48M busybox true \
	    >/dev/null || { echo "the first 48M was refused"; return 1; }
	r=0
	ctl_refused "$UL" create --name l2 --storage-opt size=48M busybox \
	    true || r=1
	grep -q "disk: 48M asked, 16M left of 64M (max disk)" "$T/r.err" ||
	    { echo "the budget is not named"; r=1; }
	audited "$UL" create "16M left of 64M" ||
	    { echo "no audit line"; r=1; }
	# after rm of the first, the second fits
	ctl_as "$UL" rm l1 >/dev/null || r=1
	ctl_as "$UL" create --name l2 --storage-opt size=48M busybox true \
	    >/dev/null || { echo "refused after rm"; r=1; }
	ctl_as "$UL" rm l2 >/dev/null
	return $r
}

# attack: no --storage-opt, to get a container with no quota at all; it
# gets default disk (32M) instead, then what is left, then nothing
t_no_size_gets_the_default_then_what_is_left() {
	ctl_as "$UL" create --name d1 busybox true >/dev/null || return 1
	ctl_as "$UL" create --name d2 --storage-opt size=16M busybox true \
	    >/dev/null || return 1
	ctl_as "$UL" create --name d3 busybox true >/dev/null || return 1
	r=0
	for n in d1 d3; do
		s=$(cellctl inspect $n | awk '$1 == "\"size\":" { print $2 }')
		echo "$n: $s"
		eval "s_$n=\$s"
	done
	[ "$s_d1" = '"33554432"' ] && [ "$s_d3" = '"16777216"' ] || r=1
	ctl_refused "$UL" create --name d4 busybox true || r=1
	grep -q "disk: 0 left of 64M (max disk)" "$T/r.err" || r=1
	ctl_as "$UL" rm d1 d2 d3 >/dev/null
	return $r
}

# the quota is real for a budgeted user's default disk too
t_default_disk_is_enforced() {
	out=$(ctl_as "$UL" run --rm busybox dd if=/dev/zero of=/f bs=1M \
	    count=48 2>&1)
	echo "$out"
	echo "$out" | grep -q "No space left on device"
}

# admins and users without max disk are not limited
t_admin_and_unbudgeted_users_are_not_limited() {
	r=0
	cellctl create --name r1 --storage-opt size=48M busybox true \
	    >/dev/null || r=1
	cellctl create --name r2 --storage-opt size=48M busybox true \
	    >/dev/null || r=1
	ctl_as "$UA" create --name a1 --storage-opt size=48M busybox true \
	    >/dev/null || r=1
	ctl_as "$UA" create --name a2 --storage-opt size=48M busybox true \
	    >/dev/null || r=1
	# without a size they get no file system of their own
	ctl_as "$UA" create --name a3 busybox true >/dev/null || r=1
	cellctl inspect a3 | grep -q '"StorageOpt": null' || r=1
	cellctl rm r1 r2 a1 a2 a3 >/dev/null
	return $r
}

# attack: read or write a container's disk image from the host, as its
# owner or as another user (the image holds everything it wrote)
t_the_image_is_closed_to_host_users() {
	id=$(ctl_as "$UL" run -d --name img --storage-opt size=16M busybox \
	    sh -c 'echo l-secret > /s; sleep 1000') || return 1
	img=$T/lib/containers/$id/disk.img
	[ -f "$img" ] || { echo "no image at $img"; return 1; }
	r=0
	for u in "$UL" "$UA"; do
		as "$u" cat "$img" >/dev/null 2>&1 && { echo "$u reads it"; r=1; }
		as "$u" sh -c "echo x >> '$img'" 2>/dev/null &&
		    { echo "$u writes it"; r=1; }
	done
	ctl_as "$UL" rm -f img >/dev/null
	return $r
}

# attack: another user's containers don't count against L, nor L's
# against them
t_budgets_are_per_user() {
	ctl_as "$UA" create --name b1 --storage-opt size=1G busybox true \
	    >/dev/null || return 1
	r=0
	ctl_as "$UL" create --name b2 --storage-opt size=64M busybox true \
	    >/dev/null || { echo "A's disk counted against L"; r=1; }
	ctl_as "$UL" rm b2 >/dev/null
	ctl_as "$UA" rm b1 >/dev/null
	return $r
}

run_tests
