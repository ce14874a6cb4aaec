# A hostile parent speaking straight to fs-helper's image messages
# (STAGE, COMMIT, UNSTAGE, LAYER_RM).  fs-helper must check every field
# as if the parent were compromised: digests and staging ids are 64 hex
# digits, staged layers are plain dirs of its own staging dirs, and it
# never follows a symlink planted in the store.
. tests/lib.sh
RAW="$B/tests/ctlraw"
mkdir -p "$T/lib/layers/sha256" "$T/lib/layers/tmp" "$T/run" "$T/victim"
echo precious > "$T/victim/file"
ID=$(printf 'a%.0s' $(seq 64))
D=$(printf 'b%.0s' $(seq 64))
FS_CAPS=+sys_admin,+chown,+fowner,+dac_override,+setpcap

# fs: modes...: a fresh fs-helper, as the launcher starts it
fs() {
	"$RAW" -h "$@" -- env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
	    setpriv --reuid="$(id -u _celld_fs)" --regid="$(id -g _celld_fs)" \
	    --init-groups --no-new-privs --bounding-set=-all,$FS_CAPS \
	    --inh-caps=-all,$FS_CAPS --ambient-caps=-all,$FS_CAPS \
	    "$T/libexec/celld-fs" -d -s "$T/lib" -r "$T/run" \
	    ${FS_IDS-"-i $SUBIDS"} 2> "$T/fs.err"
}

refused() {	# mode want-err
	out=$(fs "$1" ping)
	echo "$out"
	echo "$out" | head -1 | grep -q "^done $2 " &&
	    echo "$out" | grep -q "^msg pong"
}

t_commit_digest_with_a_path_is_refused() {
	refused "commit:$ID:../../../../etc" 22
}

t_commit_staging_id_with_a_path_is_refused() {
	refused "commit:../../../etc:$D" 22
}

t_commit_of_a_foreign_staging_id_makes_nothing() {
	refused "commit:$ID:$D" 2 && [ ! -e "$T/lib/layers/sha256/$D" ]
}

# plant: commands run once fs-helper's first message (its start-up
# clean-up of layers/tmp) is done; then modes go on
planted() {	# "plant commands" modes...
	rm -f "$T/go"
	_p=$1
	shift
	fs "unstage:$(printf 'c%.0s' $(seq 64))" "wait:$T/go" "$@" > "$T/out" &
	sleep 0.3
	eval "$_p"
	touch "$T/go"
	wait $!
	cat "$T/out"
	sed 's/^/log: /' "$T/fs.err" | tail -3
}

t_commit_of_a_staged_symlink_is_refused() {
	out=$(planted "mkdir -p $T/lib/layers/tmp/$ID/layers &&
	    ln -s $T/victim $T/lib/layers/tmp/$ID/layers/$D" "commit:$ID:$D")
	echo "$out"
	echo "$out" | sed -n 2p | grep -q '^done [1-9]' || return 1
	[ ! -e "$T/lib/layers/sha256/$D" ] && [ -f "$T/victim/file" ]
}

t_commit_never_replaces_an_existing_layer() {
	rm -rf "$T/lib/layers/sha256/$D"
	out=$(planted "mkdir -p $T/lib/layers/tmp/$ID/layers/$D \
	    $T/lib/layers/sha256/$D && echo new > $T/lib/layers/tmp/$ID/layers/$D/f &&
	    echo old > $T/lib/layers/sha256/$D/f" "commit:$ID:$D")
	echo "$out"
	echo "$out" | sed -n 2p | grep -q '^done 0 ' &&
	    [ "$(cat "$T/lib/layers/sha256/$D/f")" = old ]
}

t_layer_rm_of_a_path_is_refused() {
	refused "layerrm:../../victim" 22 && [ -f "$T/victim/file" ]
}

t_layer_rm_of_a_planted_symlink_spares_its_target() {
	rm -rf "$T/lib/layers/sha256/$D"
	ln -s "$T/victim" "$T/lib/layers/sha256/$D"
	out=$(fs "layerrm:$D")
	echo "$out"
	cat "$T/fs.err"
	[ -f "$T/victim/file" ] && [ ! -L "$T/lib/layers/sha256/$D" ]
}

t_unstage_of_a_path_is_refused() {
	refused "unstage:../../victim" 22 && [ -f "$T/victim/file" ]
}

t_stage_with_a_fd_that_is_no_user_namespace_fails_clean() {
	E=$(printf 'e%.0s' $(seq 64))
	out=$(fs "stage:$E" ping)
	echo "$out"
	echo "$out" | head -1 | grep -q '^done [1-9]' &&
	    [ ! -e "$T/lib/layers/tmp/$E" ]
}

t_stage_id_with_a_path_is_refused() {
	refused "stage:../../victim" 22
}

# the id range comes from the launcher; one a helper can't use is fatal
t_id_range_below_the_host_ids_or_not_whole_slots_is_refused() {
	for r in "0:131072" "65536:1000" "65536:x" "4294901760:131072" ""; do
		FS_IDS="-i $r" fs ping > "$T/out" 2>&1 &&
		    grep -q "^msg pong" "$T/out" && { echo "took $r"; return 1; }
		grep -q "usage" "$T/fs.err" || { cat "$T/fs.err"; return 1; }
	done
	FS_IDS="" fs ping > "$T/out" 2>&1 && grep -q "^msg pong" "$T/out" &&
	    { echo "ran without a range"; return 1; }
	grep -q "no subordinate ids" "$T/fs.err"
}

run_tests
