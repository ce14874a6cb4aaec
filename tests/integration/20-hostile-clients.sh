# Hostile clients on the control socket (tests/probe/ctlraw): each gets an
# error reply or is dropped, and celld keeps serving everyone else.
. tests/lib.sh
RAW="$B/tests/ctlraw"
S="$CELLD_SOCK"
trap 'del_users; cleanup' EXIT	# del_users: tests that died half way
start_celld || exit 1
PARENT=$(proc_pid parent) || exit 1

# what a successful ping answers: the parent's line, one per helper, done
PING_OK="msg ctl-proc
msg ctl-proc
msg ctl-proc
msg ctl-proc
done 0 "

# celld is the same process and answers another client's ping
still_serving() {
	kill -0 "$CELLD_PID" 2>/dev/null ||
	    { echo "celld died"; return 1; }
	{ tr '\0' ' ' < "/proc/$PARENT/cmdline"; } 2>/dev/null |
	    grep -q "^celld: parent" || { echo "parent changed"; return 1; }
	cellctl ping >/dev/null ||
	    { echo "ping from another client failed"; return 1; }
}

# celld forgot every hostile client: only the asking one is left
clients_settle() {
	i=0
	while [ $i -lt 40 ]; do
		n=$(cellctl info | awk '$1 == "clients:" { print $2 }')
		[ "$n" = 1 ] && return 0
		sleep 0.05
		i=$((i + 1))
	done
	echo "clients still held: $n"
	return 1
}

nfds() { ls "/proc/$PARENT/fd" | wc -l; }

# one reply, then a ping answered on the same connection
answered_then_usable() {	# "done ERR MSG" modes...
	want="$1
$PING_OK"
	shift
	out=$("$RAW" "$S" "$@" ping)
	echo "$out"
	[ "$out" = "$want" ] && still_serving
}

# a throwaway user: add_user VAR [groups]; removed when the test ends
add_user() {
	u=celldt$(od -An -N4 -tx4 /dev/urandom | tr -d ' ')
	i=0
	until useradd --no-create-home --home-dir /nonexistent \
	    --shell /usr/sbin/nologin --user-group ${2:+--groups "$2"} "$u"; do
		i=$((i + 1))	# another run may hold the passwd lock
		[ $i -lt 20 ] || return 1
		sleep 0.1
	done
	echo "$u" >> "$T/users"
	trap 'del_users' EXIT
	eval "$1=$u"
}

del_users() {
	[ -f "$T/users" ] || return 0
	left=""
	for u in $(cat "$T/users"); do
		i=0
		until userdel -f "$u" 2>/dev/null || ! id "$u" >/dev/null 2>&1
		do
			i=$((i + 1))	# another run may hold the lock
			[ $i -lt 20 ] || { left="$left $u"; break; }
			sleep 0.1
		done
	done
	rm -f "$T/users"
	for u in $left; do echo "$u" >> "$T/users"; done
}

as_user() {	# user command...: in place of this shell
	u=$1
	shift
	exec setpriv --reuid="$(id -u "$u")" --regid="$(id -g "$u")" \
	    --init-groups "$@"
}

# attack: 64 bytes of garbage instead of a frame
t_garbage_bytes_drop_only_that_client() {
	out=$("$RAW" "$S" garbage)
	echo "$out"
	[ "$out" = eof ] && still_serving && clients_settle
}

# attack: a header promising 100 bytes, 2 bytes, then EOF
t_truncated_frame_then_eof_is_dropped() {
	out=$("$RAW" "$S" truncated)
	echo "$out"
	[ "$out" = eof ] && still_serving && clients_settle
}

# attack: a 2 GB length field (celld must not wait for, or allocate, it)
t_oversized_length_dropped_at_once() {
	t0=$(date +%s%N)
	out=$("$RAW" "$S" oversize)
	ms=$((($(date +%s%N) - t0) / 1000000))
	echo "$out after $ms ms"
	[ "$out" = eof ] && [ "$ms" -lt 1000 ] && still_serving &&
	    clients_settle
}

# attack: a header with the fd flag and no fd
t_fd_flag_without_fd_is_dropped() {
	out=$("$RAW" "$S" nofd)
	echo "$out"
	[ "$out" = eof ] && still_serving && clients_settle
}

# attack: an unknown message type
t_unknown_type_answered_connection_usable() {
	answered_then_usable "done 38 unknown request" unknown
}

# attack: a known type with a payload of the wrong size
t_wrong_payload_size_answered_connection_usable() {
	answered_then_usable "done 74 malformed request" badsize
}

# attack: a client sends MSG_PING, a type only the parent may send
t_parent_only_type_refused() {
	answered_then_usable "done 1 malformed request" wrongsender
}

# attack: 50 fds sent on a type that takes none, to fill celld's fd table
t_fd_on_fdless_type_refused_and_closed() {
	before=$(nfds)
	set --
	for i in $(seq 50); do set -- "$@" fdtype; done
	out=$("$RAW" "$S" "$@" ping)
	echo "$out" | sort | uniq -c
	after=$(nfds)
	echo "parent fds: $before before, $after after"
	[ "$(echo "$out" | grep -c '^done 74 malformed request$')" = 50 ] &&
	    [ "$(echo "$out" | tail -1)" = "done 0 " ] &&
	    [ "$after" -le "$before" ] && still_serving
}

# attack: an fd sent with a frame that does not claim it
t_stray_fd_drops_client_and_is_closed() {
	before=$(nfds)
	out=$("$RAW" "$S" fdstray)
	echo "$out"
	clients_settle || return 1
	after=$(nfds)
	echo "parent fds: $before before, $after after"
	[ "$out" = eof ] && [ "$after" -le "$before" ] && still_serving
}

# attack: a client hangs up in the middle of a message
t_disconnect_mid_message() {
	out=$("$RAW" "$S" midmsg)
	echo "$out"
	[ "$out" = closed ] && still_serving && clients_settle
}

# attack: 1000 connections that never say a word
t_1000_idle_connections_dont_block_others() {
	"$RAW" "$S" idle:1000 > "$T/idle.out" 2>&1 &
	idler=$!
	i=0
	until grep -q "^held 1000" "$T/idle.out"; do
		i=$((i + 1))
		[ $i -lt 200 ] && kill -0 $idler 2>/dev/null ||
		    { cat "$T/idle.out"; kill $idler; return 1; }
		sleep 0.05
	done
	t0=$(date +%s)
	timeout 5 "$CELLCTL" ping >/dev/null
	r=$?
	echo "ping: status $r after $(($(date +%s) - t0)) s"
	kill $idler
	wait $idler 2>/dev/null
	[ $r = 0 ] && still_serving && clients_settle
}

# attack: one user opens 1000 connections to lock every other user out
t_one_user_cannot_take_every_connection() {
	add_user hog cell && add_user other cell || return 1
	(as_user "$hog" "$RAW" "$S" idle:1000) > "$T/hog.out" 2>&1 &
	idler=$!
	i=0
	until grep -q "^held 1000" "$T/hog.out"; do
		i=$((i + 1))
		[ $i -lt 200 ] && kill -0 $idler 2>/dev/null ||
		    { cat "$T/hog.out"; kill $idler; return 1; }
		sleep 0.05
	done
	sleep 0.5	# let celld accept (and refuse) the lot
	held=$(cellctl info | awk '$1 == "clients:" { print $2 }')
	echo "celld holds $held clients"
	(as_user "$other" timeout 5 "$CELLCTL" ping) >/dev/null
	r=$?
	kill $idler
	wait $idler 2>/dev/null
	[ $r = 0 ] && [ "$held" -le 513 ] && still_serving && clients_settle
}

# attack: flood pings and never read a reply, to make celld buffer forever
# (VmData, not VmRSS: reusing the heap that earlier tests' 1000 clients
# left behind makes RSS climb up to it, though nothing new is allocated)
t_flood_without_reading_is_bounded() {
	before=$(status_field "$PARENT" VmData)
	# 16 MB; AddressSanitizer's quarantine holds freed memory back
	# and at least 5 pings answered meanwhile; ASan is slower: 1
	limit=16384 min=5
	[ -n "${CELLD_ASAN:-}" ] && limit=1048576 min=1
	peak=$before
	"$RAW" "$S" flood:3 > "$T/flood.out" 2>&1 &
	flooder=$!
	n=0
	sleep 0.1
	while kill -0 $flooder 2>/dev/null; do
		if ! timeout 5 "$CELLCTL" ping >/dev/null; then
			echo "ping failed during the flood"
			kill $flooder
			wait $flooder
			return 1
		fi
		n=$((n + 1))
		d=$(status_field "$PARENT" VmData)
		[ "$d" -gt "$peak" ] && peak=$d
		sleep 0.2
	done
	wait $flooder
	cat "$T/flood.out"
	echo "$n pings answered during the flood"
	echo "parent VmData before: $before kB, peak: $peak kB"
	[ $n -ge $min ] && grep -q "^dropped [1-9]" "$T/flood.out" &&
	    [ $((peak - before)) -lt $limit ] && still_serving && clients_settle
}

# attack: a user outside the socket's group runs cellctl
t_no_socket_access_is_one_line_and_125() {
	add_user nobody_ || return 1
	ls -l "$S"
	(as_user "$nobody_" "$CELLCTL" ping) > "$T/denied.out" \
	    2> "$T/denied.err"
	r=$?
	cat "$T/denied.out" "$T/denied.err"
	echo "status $r"
	[ $r = 125 ] && [ ! -s "$T/denied.out" ] &&
	    [ "$(wc -l < "$T/denied.err")" = 1 ] &&
	    grep -q "permission denied" "$T/denied.err"
}

not_running() {	# socket
	CELLD_SOCK=$1 "$CELLCTL" ping > "$T/nr.out" 2> "$T/nr.err"
	r=$?
	cat "$T/nr.out" "$T/nr.err"
	echo "status $r"
	[ $r = 125 ] && [ ! -s "$T/nr.out" ] &&
	    [ "$(wc -l < "$T/nr.err")" = 1 ] &&
	    grep -q "celld is not running" "$T/nr.err"
}

# attack: cellctl with no socket at all (must say so in one line, not hang)
t_celld_not_running_no_socket() {
	not_running "$T/nosuch.sock"
}

# attack: cellctl on a socket file a dead celld left behind
t_celld_not_running_stale_socket() {
	"$RAW" "$T/stale.sock" stale || return 1
	not_running "$T/stale.sock"
}

run_tests
