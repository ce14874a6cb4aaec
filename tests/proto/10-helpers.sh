# A hostile parent speaking straight to each helper on its fd 3.  Each
# helper is started the way the launcher starts it (privsep/launch.c,
# launch_exec): its own uid, its capability ceiling plus CAP_SETPCAP in
# the bounding, inheritable and ambient sets, no_new_privs, a bare
# environment, and "-d -s STORAGE -r RUNDIR".  ctlraw holds the other end
# of the socketpair, speaks, hangs up and reports how the helper ended.
. tests/lib.sh
RAW="$B/tests/ctlraw"
mkdir -p "$T/lib" "$T/run/pins"
chown _celld_spawn: "$T/run/pins"	# celld makes it so (parent/celld.c)
HELPERS="net fs spawn"

# spawn-helper starts only inside the cgroups celld delegates to it
# (parent/delegate.c): it must be in X/celld-supervisor, and X/celld-cells
# must be its own.  Make that layout in a cgroup of this test's, with
# tests/cgroup.sh's view of the hierarchies, and remove it at the end.
CG=celld-proto$(od -An -N4 -tx4 /dev/urandom | tr -d ' ')
trap 'cgroup_cleanup -k "$CG"; cleanup' EXIT
_cg_hiers | while read -r mnt own; do
	d=$(_cg_base "$mnt" "$own")/$CG
	mkdir -p "$d/celld-supervisor" "$d/celld-cells" &&
	    chown _celld_spawn: "$d/celld-cells" || exit 1
done || { echo "# cannot delegate cgroups to spawn-helper"; exit 1; }

in_supervisor() {	# command...: exec it in $CG/celld-supervisor
	read -r self _ < /proc/self/stat
	_cg_hiers | while read -r mnt own; do
		d=$(_cg_base "$mnt" "$own")/$CG/celld-supervisor
		echo "$self" > "$d/cgroup.procs" || exit 1
	done || exit 1
	exec "$@"
}

# as launch.c: who each helper runs as, and its ceiling
USER_net=_celld_net
USER_fs=_celld_fs
USER_spawn=_celld_spawn
CEIL_net=net_admin
CEIL_fs=sys_admin,chown,fowner,dac_override
CEIL_spawn=setuid,setgid,sys_admin,kill

# speak: helper modes...: start a fresh helper, run ctlraw's modes on it
speak() {
	h=$1
	shift
	eval "u=\$USER_$h c=\$CEIL_$h"
	caps=$(echo "$c,setpcap" | sed 's/[a-z_]*/+&/g')
	(in_supervisor "$RAW" -h "$@" -- \
	    env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
	    setpriv --reuid="$(id -u "$u")" --regid="$(id -g "$u")" \
	    --init-groups --no-new-privs --bounding-set=-all,"$caps" \
	    --inh-caps=-all,"$caps" --ambient-caps=-all,"$caps" \
	    "$T/libexec/celld-$h" -d -s "$T/lib" -r "$T/run" -i "$SUBIDS") \
	    2> "$T/helper.$h.err"
}

# every helper answers: modes, then exactly the lines in want
each_helper() {	# want modes...
	want=$1
	shift
	r=0
	for h in $HELPERS; do
		out=$(speak $h "$@")
		if [ "$out" != "$want" ]; then
			echo "$h-helper answered:"
			echo "$out" | sed 's/^/  /'
			echo "want:"
			echo "$want" | sed 's/^/  /'
			sed 's/^/  log: /' "$T/helper.$h.err" | tail -5
			r=1
		fi
	done
	return $r
}

# a refusal (any error), then a pong: the helper lives on, then exits 0
refused_then_alive() {	# mode
	r=0
	for h in $HELPERS; do
		out=$(speak $h "$1" ping)
		echo "$h: $(echo "$out" | tr '\n' '|')"
		echo "$out" | head -1 | grep -q '^done [1-9][0-9]* ' &&
		    [ "$(echo "$out" | sed -n 2,3p)" = "msg pong
exit 0" ] && [ "$(echo "$out" | wc -l)" = 3 ] || r=1
	done
	return $r
}

# alive (a pong) until mode, then it must end the stream: hang up and
# exit 1, not die by a signal
ends_cleanly() {	# mode
	each_helper "msg pong
eof
exit 1" ping "$1"
}

# attack: none, the baseline: a ping is answered, a hangup ends the helper
t_ping_answered_then_hangup_exits_0() {
	each_helper "msg pong
exit 0" ping
}

# attack: an unknown message type
t_unknown_type_refused_helper_lives() {
	each_helper "done 38 refused
msg pong
exit 0" unknown ping
}

# attack: a ping with a payload of the wrong size
t_wrong_payload_size_refused_helper_lives() {
	each_helper "done 74 refused
msg pong
exit 0" badsize ping
}

# attack: MSG_CTL_PING, a type only a client may send
t_client_only_type_refused_helper_lives() {
	each_helper "done 1 refused
msg pong
exit 0" wrongsender ping
}

# attack: MSG_LAUNCH, the parent's type for the launcher, not for helpers
t_other_process_type_refused_helper_lives() {
	refused_then_alive launch
}

# attack: an fd on a type that takes none
t_fd_on_fdless_type_refused_helper_lives() {
	each_helper "done 74 refused
msg pong
exit 0" fdtype ping
}

# attack: 64 bytes of garbage instead of a frame
t_garbage_ends_helper_without_crash() {
	ends_cleanly garbage
}

# attack: a 2 GB length field
t_oversized_length_ends_helper_without_crash() {
	ends_cleanly oversize
}

# attack: the fd flag with no fd
t_fd_flag_without_fd_ends_helper_without_crash() {
	ends_cleanly nofd
}

# attack: an fd that no frame claims
t_stray_fd_ends_helper_without_crash() {
	ends_cleanly fdstray
}

# attack: half a frame, then the parent hangs up
t_truncated_frame_then_eof_exits_0() {
	each_helper "msg pong
eof
exit 0" ping truncated
}

# attack: network connect's messages for a container spawn-helper does
# not hold (a process of the host's, pid 1, a name other than ethN):
# refused, and nothing of the host's network changes
t_spawn_netif_and_netns_for_a_foreign_process_refused() {
	before=$(ip -o addr)
	out=$(speak spawn "netif,x,$$,eth1" "netnsask,x,$$" "netnsask,x,1" \
	    "netif,x,1,lo" ping)
	echo "$out"
	[ "$(echo "$out" | grep -c '^done 3 .*not a container of spawn-')" = 3 ] &&
	    [ "$(echo "$out" | grep -c '^done 22 .*netif: bad interface')" = 1 ] &&
	    [ "$(echo "$out" | tail -2)" = "msg pong
exit 0" ] && [ "$(ip -o addr)" = "$before" ]
}

# attack: network disconnect's default route move, as a parent that lies:
# a gateway outside the interface's subnet, the container's own address,
# the subnet's network and broadcast addresses, an interface not ethN,
# then a well-formed one for a container spawn-helper does not hold.
# Each refused with its reason, and the host's routes do not change
t_spawn_netroute_bad_gateway_interface_or_container_refused() {
	before=$(ip route; ip -6 route)
	out=$(speak spawn "route,x,$$,eth1,192.168.77.1" \
	    "route,x,$$,eth1,10.99.0.2" "route,x,$$,eth1,10.99.0.0" \
	    "route,x,$$,eth1,10.99.0.255" "route,x,$$,lo,10.99.0.1" \
	    "route,x,$$,eth1,10.99.0.1" "route,x,1,eth0,10.99.0.1" \
	    "route,x,$$,eth0,10.99.0.1,0" "route,x,$$,eth0,10.99.0.1,2" \
	    "route,x,$$,eth0,10.99.0.1,4" "route,x,$$,eth0,10.99.0.1,0x103" \
	    ping)
	echo "$out"
	# no route asked, a v6 one without a v6 subnet, an unknown flag
	[ "$(echo "$out" | grep -c '^done 22 .*gateway outside its subnet')" = 9 ] &&
	    [ "$(echo "$out" | grep -c '^done 3 .*netroute: not a container of spawn-')" = 2 ] &&
	    [ "$(echo "$out" | tail -2)" = "msg pong
exit 0" ] && [ "$(ip route; ip -6 route)" = "$before" ]
}

run_tests
