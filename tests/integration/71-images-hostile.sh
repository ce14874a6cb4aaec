# Hostile archives (issue 5).  Each must fail with a clear one-line error
# and leave the store exactly as it was: the listing of images/ and
# layers/ before and after must match, nothing may be left in layers/tmp,
# and no file may appear outside the staging dir.
. tests/lib.sh
write_conf "image max-layer 32M max-image 64M max-entries 2000 max-layers 8"
start_celld || exit 1
MK="python3 tests/images/mkarchive.py"

unpacker_pid() {
	for _p in $(test_pids); do
		tr '\0' ' ' 2>/dev/null < "/proc/$_p/cmdline" |
		    grep -q "^celld-unpack " && { echo "$_p"; return 0; }
	done
	return 1
}

# layers/tmp itself comes and goes; what is in it must not stay
store() {
	(cd "$T/lib" && find images layers \( -type d -printf '%p %m %u\n' \) \
	    -o -printf '%p %m %u %s\n' |
	    grep -v '^layers/tmp ' | sort)
}

# hostile KIND EXPECTED-ERROR-REGEX
hostile() {
	$MK "$1" "$T/h.tar" "evil:$1" || return 1
	store > "$T/before"
	err=$(cellctl image load -i "$T/h.tar" 2>&1 </dev/null); rc=$?
	echo "rc $rc: $err"
	store > "$T/after"
	diff "$T/before" "$T/after" || return 1
	[ -z "$(ls -A "$T/lib/layers/tmp")" ] || return 1
	find / -xdev -name evil 2>/dev/null | grep . && return 1
	[ $rc = 125 ] && [ "$(echo "$err" | wc -l)" = 1 ] &&
	    echo "$err" | grep -Eq "$2"
}

t_absolute_path() { hostile abs "unsafe path /etc/evil"; }
t_dotdot() { hostile dotdot "unsafe path a/../../evil"; }
t_write_through_a_planted_symlink() { hostile symlink "lnk/evil"; }
t_whiteout_through_a_planted_symlink() { hostile symlink2 "lnk/.wh.evil"; }
t_hardlink_out_of_the_layer() { hostile hardlink "unsafe path hl"; }
t_hardlink_through_a_planted_symlink() {
	hostile hardlink2 "hardlink h: target outside the layer"
}
t_decompression_bomb() { hostile bomb "larger than the limit"; }
t_too_many_entries() { hostile manyentries "more than 2000 entries"; }
t_duplicate_entries() { hostile dup "duplicate entry manifest.json"; }
t_malformed_json() { hostile badjson "manifest.json: bad JSON"; }
t_config_digest_mismatch() { hostile digest "digest mismatch: config"; }
t_layer_diff_id_mismatch() { hostile diffid "layer 1: digest mismatch"; }
t_missing_layer() { hostile missing "missing layer l9/layer.tar"; }
t_owner_beyond_the_id_range() { hostile bigid "owner beyond 65535"; }

t_archive_over_max_image() {
	$MK big "$T/big" || return 1
	store > "$T/before"
	err=$(cellctl image load -i "$T/big" 2>&1); rc=$?
	echo "$err"
	store > "$T/after"
	diff "$T/before" "$T/after" && [ $rc = 125 ] &&
	    echo "$err" | grep -q "larger than the limit"
}

t_not_an_archive() {
	echo "hello" > "$T/txt"
	err=$(cellctl image load -i "$T/txt" 2>&1); rc=$?
	echo "$err"
	[ $rc = 125 ] && echo "$err" | grep -q "archive"
}

# kept, by design (docs/images.md): device nodes skipped, setuid kept
t_device_nodes_are_skipped() {
	$MK device "$T/h.tar" dev:1 && cellctl image load -q -i "$T/h.tar" ||
	    return 1
	out=$(cellctl run --rm dev:1 sh -c 'cat /ok; ls /dev/sda' 2>&1)
	echo "$out"
	! find "$T/lib/layers" -type b | grep . &&
	    echo "$out" | grep -q "^ok$"
}

t_setuid_bits_are_kept_inside_the_user_namespace() {
	$MK setuid "$T/h.tar" suid:1 && cellctl image load -q -i "$T/h.tar" ||
	    return 1
	f=$(find "$T/lib/layers/sha256" -path '*/bin/su' | head -1)
	[ "$(stat -c %a "$f")" = 4755 ] || return 1
	# not reachable by a host user: layers/ is celld's alone
	[ "$(stat -c %a "$T/lib/layers")" = 700 ]
}

# a load killed at any point leaves nothing, and the next one works
t_unpacker_killed_mid_load() {
	$MK multi "$T/k.tar" kill:1 || return 1
	store > "$T/before"
	mkfifo "$T/fifo"
	cellctl image load -q -i "$T/fifo" > "$T/k.out" 2>&1 &
	lp=$!
	exec 7> "$T/fifo"
	head -c 20000 "$T/k.tar" >&7
	i=0
	while ! pid=$(unpacker_pid); do
		i=$((i + 1)); [ $i -lt 100 ] || return 1; sleep 0.05
	done
	kill -9 "$pid"
	exec 7>&-
	wait $lp && return 1
	cat "$T/k.out"
	store > "$T/after"
	diff "$T/before" "$T/after" && [ -z "$(ls -A "$T/lib/layers/tmp")" ] &&
	    cellctl image load -q -i "$T/k.tar" >/dev/null &&
	    cellctl run --rm kill:1 >/dev/null
}

t_celld_killed_mid_load() {
	$MK multi "$T/k.tar" kill:2 || return 1
	store > "$T/before"
	rm -f "$T/fifo"; mkfifo "$T/fifo"
	cellctl image load -q -i "$T/fifo" > "$T/k.out" 2>&1 &
	lp=$!
	exec 7> "$T/fifo"
	head -c 20000 "$T/k.tar" >&7
	i=0
	while ! unpacker_pid >/dev/null; do
		i=$((i + 1)); [ $i -lt 100 ] || return 1; sleep 0.05
	done
	kill -9 "$CELLD_PID"
	wait "$CELLD_PID"
	exec 7>&-
	wait $lp
	# the unpacker dies with its helpers; staging is left for the next start
	i=0
	while unpacker_pid >/dev/null; do
		i=$((i + 1)); [ $i -lt 100 ] || return 1; sleep 0.05
	done
	grep -v '^layers/tmp' "$T/before" > "$T/b2"
	store | grep -v '^layers/tmp' > "$T/a2"
	diff "$T/b2" "$T/a2" || return 1
	CELLD_PID=
	start_celld || return 1
	cellctl image load -q -i "$T/k.tar" >/dev/null &&
	    cellctl run --rm kill:2 >/dev/null &&
	    [ -z "$(ls -A "$T/lib/layers/tmp")" ]
}

run_tests
