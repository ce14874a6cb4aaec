# The image unpacker (issue 5), measured from /proc while it runs on a
# real load, and attacked from inside by unpack_probe, which applies the
# unpacker's own table with its own code.
. tests/lib.sh
start_celld || exit 1
MK="python3 tests/images/mkarchive.py"
PROBE="$B/tests/unpack_probe"

unpacker_pid() {
	for _p in $(test_pids); do
		tr '\0' ' ' 2>/dev/null < "/proc/$_p/cmdline" |
		    grep -q "^celld-unpack " && { echo "$_p"; return 0; }
	done
	return 1
}

# hold a load open on a fifo, measure the unpacker, let it finish
$MK multi "$T/m.tar" held:1
mkfifo "$T/fifo"
cellctl image load -q -i "$T/fifo" > "$T/held.out" 2>&1 &
LOADER=$!
exec 7> "$T/fifo"
head -c 4096 "$T/m.tar" >&7
i=0
while ! UP=$(unpacker_pid); do
	i=$((i + 1)); [ $i -lt 100 ] || break; sleep 0.05
done
# until it is locked down and spooling: its root has blobs/ in it
i=0
while [ ! -d "/proc/$UP/root/blobs" ]; do
	i=$((i + 1)); [ $i -lt 200 ] || break; sleep 0.05
done
cp "/proc/$UP/status" "$T/status" 2>/dev/null
cp "/proc/$UP/uid_map" "$T/uid_map" 2>/dev/null
cp "/proc/$UP/gid_map" "$T/gid_map" 2>/dev/null
ls "/proc/$UP/root/" > "$T/root" 2>/dev/null
for n in user mnt pid net ipc uts; do
	[ "$(readlink /proc/$UP/ns/$n)" = "$(readlink /proc/self/ns/$n)" ] &&
	    echo "$n" >> "$T/sharedns"
done
ls -l "/proc/$UP/fd" > "$T/fds" 2>/dev/null
tail -c +4097 "$T/m.tar" >&7
exec 7>&-
wait $LOADER
LOADRC=$?

# the probe: the unpacker's table, applied by its own code, attacked
PBASE=$((1073741824 + 67108864 - 65536))
mkdir -p "$T/pstage"
chown "$PBASE:$PBASE" "$T/pstage"
"$PROBE" "$T/pstage" "$PBASE" > "$T/probe" 2>&1
echo $? > "$T/probe.rc"
ALLOWED="write_staging chown_in_range opaque_xattr whiteout"

field() { awk -v f="$1:" '$1 == f { print $2 }' "$T/status"; }

t_the_held_load_completed() {
	cat "$T/held.out"
	[ $LOADRC = 0 ] && cellctl run --rm held:1 >/dev/null
}

# attack: the unpacker as a host uid that means something
t_runs_as_the_image_id_slot_not_a_host_user() {
	cat "$T/uid_map" "$T/gid_map"
	set -- $(cat "$T/uid_map")
	[ "$1" = 0 ] && [ "$3" = 65536 ] && [ "$2" -ge 1073741824 ] || return 1
	[ "$(field Uid)" = "$2" ] && [ "$(cat "$T/gid_map")" = "$(cat "$T/uid_map")" ]
	# and no container gets that slot: it is the range's last
	[ "$2" = $((1073741824 + 67108864 - 65536)) ]
}

t_no_capability_outside_its_namespace_and_only_four_inside() {
	grep -E '^(Cap|NoNewPrivs|Seccomp)' "$T/status"
	# chown, dac_override, fowner, fsetid in its own namespace only;
	# sys_chroot only in the bounding set, dropped after the chroot
	[ "$(field CapEff)" = 000000000000001b ] &&
	    [ "$(field CapPrm)" = 000000000000001b ] &&
	    [ "$(field CapInh)" = 0000000000000000 ] &&
	    [ "$(field CapAmb)" = 0000000000000000 ] &&
	    [ "$(field NoNewPrivs)" = 1 ] && [ "$(field Seccomp)" = 2 ]
}

t_own_namespaces_and_a_chroot() {
	cat "$T/sharedns" 2>/dev/null
	[ ! -s "$T/sharedns" ] || return 1
	# its root is the staging dir: what it made, nothing of the host's
	cat "$T/root"
	[ "$(cat "$T/root" | tr '\n' ' ')" = "blobs layers " ]
}

# attack: an fd of spawn-helper's (the parent's channel, another load's
# archive, the binary) left open in the unpacker
t_only_the_archive_the_report_and_stderr() {
	cat "$T/fds"
	# 0, 1, 2, and files it is writing in its staging dir (its own root)
	awk '/ -> / && $9 > 2 && $11 !~ /^\/(blobs|layers)\// { bad = 1 }
	    END { exit bad }' "$T/fds" &&
	    [ "$(awk '/ -> / && $9 <= 2' "$T/fds" | wc -l)" = 3 ]
}

t_probe_ran_to_the_end() {
	cat "$T/probe"
	[ "$(tail -1 "$T/probe")" = end ] && [ "$(cat "$T/probe.rc")" = 42 ]
}

# the positive controls: what unpacking needs works
t_probe_may_write_chown_and_make_whiteouts_in_staging() {
	for a in $ALLOWED; do
		grep -qx "ALLOWED $a" "$T/probe" || { echo "$a denied"; return 1; }
	done
}

# attack: everything else, each must be refused
t_probe_everything_else_is_denied() {
	r=0
	for a in $(awk '{print $2}' "$T/probe" | grep -v '^$'); do
		case " $ALLOWED " in *" $a "*) continue ;; esac
		if grep -qx "ALLOWED $a" "$T/probe"; then
			echo "ALLOWED $a"; r=1
		fi
	done
	[ $(grep -c '^denied' "$T/probe") -ge 17 ] && return $r
}

# the host's files are not there at all
t_probe_no_way_out_of_the_staging_dir() {
	grep -q '^denied read_outside (No such file' "$T/probe" &&
	    [ ! -e /probe ] && [ -f "$T/pstage/probe" ]
}

run_tests
