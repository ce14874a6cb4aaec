# tests/cgroup.sh: cgroups for tests, sourced (needs root).
#
# celld delegates in every hierarchy it uses (parent/delegate.c): it makes
# OWN/celld-supervisor and OWN/celld-cells, where OWN is the cgroup it was
# started in, or /celld when that is the root.  Nothing removes them when
# it exits, and on pure v2 it can't share OWN with other processes (the
# no-internal-process rule), so a test starts celld in a fresh cgroup of
# its own, and removes it at the end:
#
#	cgroup_exec NAME cmd [args]	run cmd in BASE/NAME (NAME is celld-*)
#	cgroup_enter NAME PID		move PID into BASE/NAME, made if need be
#	cgroup_cleanup [-k] [NAME]	remove BASE/NAME, or every BASE/celld-*,
#					deepest first; processes still inside
#					are moved to OWN, or with -k killed
#
# where OWN is this shell's cgroup and BASE is OWN, or /celld when OWN is
# the root.  Each returns nonzero if any step failed.

# "MOUNTPOINT OWN" for every hierarchy celld uses
_cg_hiers() {
	while IFS=: read -r _id _ctrl _path; do
		case ",$_ctrl," in
		,,)
			_mnt=$(awk '$3 == "cgroup2" { print $2; exit }' \
			    /proc/self/mounts) ;;
		*,memory,*|*,cpu,*|*,cpuacct,*|*,pids,*|*,freezer,*)
			_mnt=$(awk -v c="${_ctrl%%,*}" '$3 == "cgroup" &&
			    index("," $4 ",", "," c ",") { print $2; exit }' \
			    /proc/self/mounts) ;;
		*)
			continue ;;
		esac
		[ -n "$_mnt" ] && echo "$_mnt $_path"
	done < /proc/self/cgroup
}

_cg_base() {	# MOUNTPOINT OWN
	if [ "$2" = / ]; then echo "$1/celld"; else echo "$1$2"; fi
}

cgroup_enter() {	# NAME PID
	_cg_hiers | while read -r _mnt _own; do
		_d=$(_cg_base "$_mnt" "$_own")/$1
		mkdir -p "$_d" && echo "$2" > "$_d/cgroup.procs" || exit 1
	done
}

cgroup_exec() {		# NAME cmd [args]
	(
		# /proc/self, opened by the builtin read, is this subshell
		read -r _self _ < /proc/self/stat
		_name=$1
		shift
		cgroup_enter "$_name" "$_self" && exec "$@"
	)
}

# Empty one cgroup dir (thawed first: v1 frozen tasks sleep through
# SIGKILL), then remove it.  DIR TOP KILL
_cg_empty() {
	[ -f "$1/freezer.state" ] && echo THAWED > "$1/freezer.state"
	[ -f "$1/cgroup.freeze" ] && echo 0 > "$1/cgroup.freeze"
	if [ "$3" = 1 ]; then
		if [ -f "$1/cgroup.kill" ]; then
			echo 1 > "$1/cgroup.kill"
		else
			while read -r _p; do
				kill -9 "$_p" 2>/dev/null
			done < "$1/cgroup.procs"
		fi
	fi
	_i=0
	while [ $_i -lt 50 ]; do
		# the dying are still listed for a moment; movers are not
		[ "$3" = 1 ] && read -r _p < "$1/cgroup.procs" && {
			sleep 0.05; _i=$((_i + 1)); continue; }
		while read -r _p; do
			echo "$_p" > "$2/cgroup.procs" 2>/dev/null
		done < "$1/cgroup.procs"
		rmdir "$1" 2>/dev/null && return 0
		[ -d "$1" ] || return 0
		sleep 0.05
		_i=$((_i + 1))
	done
	echo "cgroup_cleanup: $1: cannot remove" >&2
	return 1
}

cgroup_cleanup() {	# [-k] [NAME]
	_kill=0
	[ "${1:-}" = -k ] && { _kill=1; shift; }
	_pat=${1:-celld-*}
	_rc=0
	_cg_hiers | {
		while read -r _mnt _own; do
			_base=$(_cg_base "$_mnt" "$_own")
			for _top in "$_base"/$_pat; do
				[ -d "$_top" ] || continue
				for _d in $(find "$_top" -depth -type d); do
					_cg_empty "$_d" "$_mnt$_own" $_kill ||
					    _rc=1
				done
			done
			[ "$_own" = / ] && rmdir "$_base" 2>/dev/null
		done
		exit $_rc
	}
}
