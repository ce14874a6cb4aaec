# A hostile parent asking fs-helper for container disks (ROOTFS with a
# disk size, --storage-opt size): fs-helper must refuse every size that
# is negative, not a multiple of 4 KiB, under 8 MiB or over 16 TiB
# before it makes anything, as if the parent were compromised.
. tests/lib.sh
RAW="$B/tests/ctlraw"
ID=$(printf 'a%.0s' $(seq 64))
mkdir -p "$T/lib/containers/$ID" "$T/run"
FS_CAPS=+sys_admin,+chown,+fowner,+dac_override,+setpcap
# the first slot of _celld's subordinate ids: a valid id base
BASE=$(awk -F: '$1 == "_celld" { print $2; exit }' /etc/subuid)

# fs: modes...: a fresh fs-helper, as the launcher starts it
fs() {
	"$RAW" -h "$@" -- env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
	    setpriv --reuid="$(id -u _celld_fs)" --regid="$(id -g _celld_fs)" \
	    --init-groups --no-new-privs --bounding-set=-all,$FS_CAPS \
	    --inh-caps=-all,$FS_CAPS --ambient-caps=-all,$FS_CAPS \
	    "$T/libexec/celld-fs" -d -s "$T/lib" -r "$T/run" \
	    ${FS_IDS-"-i $SUBIDS"} 2> "$T/fs.err"
}

# size is refused with EINVAL, nothing is made, and fs-helper lives on
refused_size() {	# size
	out=$(fs "rootfs:$BASE:$1" ping)
	echo "$1: $(echo "$out" | tr '\n' '|')"
	echo "$out" | head -1 | grep -q "^done 22 .*disk size" &&
	    echo "$out" | grep -q "^msg pong" || return 1
	ls -A "$T/lib/containers/$ID" | grep . && return 1
	return 0
}

# attack: no size at all, or less than nothing
t_negative_sizes_are_refused() {
	refused_size -4096 && refused_size -9223372036854775808
}

# attack: sizes the loop device and mke2fs would round
t_sizes_not_a_multiple_of_4k_are_refused() {
	refused_size 16777217 && refused_size 16781312000001
}

# attack: a file system too small to hold ext4's own tables
t_sizes_under_8m_are_refused() {
	refused_size 4096 && refused_size 8384512
}

# attack: an absurd sparse image, past ext4's 16 TiB
t_sizes_over_16t_are_refused() {
	refused_size 17592186048512 && refused_size 9223372036854771712
}

# the control: a good size does make the image (the layer is absent, so
# the rootfs fails after), so the refusals above are the checks' doing
t_a_good_size_makes_the_image() {
	out=$(fs "rootfs:$BASE:16777216" ping)
	echo "$out"
	cat "$T/fs.err"
	r=0
	[ "$(stat -c %s "$T/lib/containers/$ID/disk.img")" = 16777216 ] || r=1
	# and fs-helper left no loop device on it
	grep -l "$ID" /sys/block/loop*/loop/backing_file 2>/dev/null &&
	    r=1
	rm -rf "${T:?}/lib/containers/$ID"/*
	return $r
}

run_tests
