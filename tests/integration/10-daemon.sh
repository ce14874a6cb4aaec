# celld with its helpers: privileges as measured, ping, restart, load.
. tests/lib.sh
start_celld || exit 1

cap_mask() {	# names... -> hex mask as /proc prints it
	m=0
	for c in "$@"; do m=$((m | (1 << c))); done
	printf '%016x' $m
}
# capability numbers: chown 0, dac_override 1, fowner 3, kill 5,
# setgid 6, setuid 7, setpcap 8, net_admin 12, sys_admin 21
WANT_parent=$(cap_mask)
WANT_net=$(cap_mask 12)
WANT_fs=$(cap_mask 0 1 3 21)
WANT_spawn=$(cap_mask 5 6 7 8 21)

check_proc() {	# title wantmask wantuser
	p=$(proc_pid "$1") || { echo "$1: no such process"; return 1; }
	uid=$(status_field "$p" Uid)
	[ "$uid" != 0 ] || { echo "$1: runs as root"; return 1; }
	[ "$uid" = "$(id -u "$3")" ] || { echo "$1: uid $uid, want $3"; return 1; }
	for f in CapEff CapPrm CapBnd; do
		v=$(status_field "$p" $f)
		[ "$v" = "$2" ] || { echo "$1: $f=$v want $2"; return 1; }
	done
	for f in CapInh CapAmb; do
		v=$(status_field "$p" $f)
		[ "$v" = 0000000000000000 ] || { echo "$1: $f=$v"; return 1; }
	done
	[ "$(status_field "$p" NoNewPrivs)" = 1 ] || { echo "$1: nnp"; return 1; }
	[ "$(status_field "$p" Seccomp)" = 2 ] || { echo "$1: seccomp"; return 1; }
}

t_parent_has_no_privilege() { check_proc parent "$WANT_parent" _celld; }
t_net_helper_holds_only_net_admin() { check_proc net-helper "$WANT_net" _celld_net; }
t_fs_helper_holds_only_its_caps() { check_proc fs-helper "$WANT_fs" _celld_fs; }
# fs-helper's children (fs-helper/diskmnt.c, mkfs.c): the mounter keeps
# sys_admin and dac_override, the formatter nothing at all
t_fs_mounter_holds_only_its_caps() { check_proc fs-mounter "$(cap_mask 1 21)" _celld_fs; }
t_fs_formatter_holds_no_capability() { check_proc fs-mkfs "$(cap_mask)" _celld_fs; }
t_spawn_helper_holds_only_its_caps() { check_proc spawn-helper "$WANT_spawn" _celld_spawn; }

t_ping_answers_through_every_helper() {
	out=$(cellctl ping) || return 1
	echo "$out"
	for n in parent net-helper fs-helper spawn-helper; do
		echo "$out" | grep -q "^$n " || return 1
	done
}

t_ping_json_reports_kernel_view() {
	out=$(cellctl ping --json) || return 1
	echo "$out" | grep -q '"process": "net-helper"' &&
	echo "$out" | grep -q '"seccomp": "filter"' &&
	echo "$out" | grep -q '"capabilities": "net_admin"'
}

t_version_and_info() {
	cellctl version | grep -q "version: " &&
	cellctl info | grep -q "helpers: 3/3 up" &&
	cellctl info --json | grep -q '"storage"'
}

# attack: kill -9 a helper; celld must restart it and keep serving
t_killed_helper_is_restarted() {
	old=$(proc_pid net-helper) || return 1
	kill -9 "$old"
	i=0
	while [ $i -lt 100 ]; do
		new=$(proc_pid net-helper) && [ "$new" != "$old" ] &&
		    cellctl ping >/dev/null 2>&1 && break
		sleep 0.1; i=$((i + 1))
	done
	[ "$new" != "$old" ] && cellctl ping | grep -q "^net-helper " &&
	grep -q "net-helper: died" "$T/celld.log"
}

t_1000_pings_from_10_clients_none_lost() {
	for c in 0 1 2 3 4 5 6 7 8 9; do
		( n=0; for i in $(seq 100); do
			cellctl ping >/dev/null 2>&1 && n=$((n + 1))
		  done; echo $n > "$T/pings.$c" ) &
	done
	wait
	total=$(cat "$T"/pings.* | awk '{ s += $1 } END { print s }')
	echo "answered: $total"
	[ "$total" = 1000 ]
}

t_stopping_celld_stops_helpers() {
	stop_celld
	sleep 0.3
	for n in net-helper fs-helper fs-mounter fs-mkfs spawn-helper \
	    launcher; do
		proc_pid $n >/dev/null && { echo "$n still running"; return 1; }
	done
	return 0
}

run_tests
