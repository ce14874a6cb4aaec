# tests/cgroup.sh: cgroups for tests, sourced (needs root).
#
# celld delegates in every hierarchy it uses (parent/delegate.c): it makes
# OWN/celld-supervisor and OWN/celld-cells, where OWN is the cgroup it was
# started in, or /celld when that is the root.  Nothing removes them when
# it exits.  Two celld started from one cgroup share that layout, and on
# pure v2 celld can't share OWN with other processes at all (the
# no-internal-process rule).  So a test starts celld in a fresh cgroup of
# its own, named celld-<something unique>, and removes it by name:
#
#	cgroup_exec NAME cmd [args]	exec cmd in BASE/NAME; it replaces
#					the shell, so call it with & or in
#					( ), and $! is cmd's pid
#	cgroup_enter NAME PID		move PID into BASE/NAME (made)
#	cgroup_cleanup [-k] [NAME]	remove BASE/NAME, or without NAME
#					BASE/celld-supervisor and
#					BASE/celld-cells, deepest first;
#					processes still inside are moved to
#					OWN, or with -k killed
#
# OWN is this shell's cgroup, BASE is OWN or /celld when OWN is the root,
# and NAME must begin with "celld-".  Each returns nonzero on failure.

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

_cg_name() {
	case "$1" in
	celld-*/*|celld-|celld-.*) ;;
	celld-*) return 0 ;;
	esac
	echo "cgroup.sh: $1: not a celld-* name" >&2
	return 1
}

# v2: the controllers celld enables for its children must be enabled
# for NAME, in BASE's subtree_control.  The kernel refuses that (EBUSY)
# while BASE holds processes, unless BASE is the root cgroup: so on a pure
# v2 host run the tests from the root cgroup, or from a leaf of a
# delegated subtree whose parent is BASE's (tests/vm/guest.sh does the
# former).  The hybrid's v2 tree has no controllers: nothing to do there.
_cg_controllers() {	# BASE
	[ -f "$1/cgroup.subtree_control" ] || return 0
	for _c in memory cpu pids; do
		grep -qw "$_c" "$1/cgroup.controllers" || continue
		grep -qw "$_c" "$1/cgroup.subtree_control" && continue
		echo "+$_c" 2>/dev/null > "$1/cgroup.subtree_control" && continue
		echo "cgroup.sh: $1: can't enable $_c for its children" \
		    "(processes of its own? see tests/cgroup.sh)" >&2
		return 1
	done
}

cgroup_enter() {	# NAME PID
	_cg_name "$1" || return 1
	_cg_hiers | while read -r _mnt _own; do
		_b=$(_cg_base "$_mnt" "$_own")
		mkdir -p "$_b/$1" && _cg_controllers "$_b" || exit 1
		_d=$_b/$1
		# A celld ran here and enabled controllers for its children:
		# v2 admits no process to NAME now, and a celld restarted
		# from its supervisor finds the same OWN (parent/delegate.c).
		_sc=
		[ -f "$_d/cgroup.subtree_control" ] &&
		    read -r _sc < "$_d/cgroup.subtree_control"
		[ -n "$_sc" ] && [ -d "$_d/celld-supervisor" ] &&
		    _d=$_d/celld-supervisor
		echo "$2" > "$_d/cgroup.procs" || exit 1
	done
}

cgroup_exec() {		# NAME cmd [args]
	# /proc/self, opened by the builtin read, is this very shell
	read -r _self _ < /proc/self/stat
	_name=$1
	shift
	cgroup_enter "$_name" "$_self" && exec "$@"
	exit 1
}

# Empty one cgroup dir, then remove it.  DIR OWNDIR KILL
_cg_empty() {
	[ -d "$1" ] || return 0
	{
		# thaw first: a v1-frozen task sleeps through SIGKILL
		[ -f "$1/freezer.state" ] && echo THAWED > "$1/freezer.state"
		[ -f "$1/cgroup.freeze" ] && echo 0 > "$1/cgroup.freeze"
		if [ "$3" = 0 ]; then
			:
		elif [ -f "$1/cgroup.kill" ]; then
			echo 1 > "$1/cgroup.kill"
		else
			while read -r _p; do
				kill -9 "$_p"
			done < "$1/cgroup.procs"
		fi
	} 2>/dev/null
	_i=0
	while [ $_i -lt 50 ] && [ -d "$1" ]; do
		_i=$((_i + 1))
		# the dying are listed for a moment yet; the living move out
		if [ "$3" = 1 ] && read -r _p 2>/dev/null < "$1/cgroup.procs"
		then
			sleep 0.05
			continue
		fi
		while read -r _p; do
			echo "$_p" > "$2/cgroup.procs"
		done 2>/dev/null < "$1/cgroup.procs"
		rmdir "$1" 2>/dev/null || sleep 0.05
	done
	[ -d "$1" ] || return 0
	echo "cgroup_cleanup: $1: cannot remove" >&2
	return 1
}

cgroup_cleanup() {	# [-k] [NAME]
	_kill=0
	[ "${1:-}" = -k ] && { _kill=1; shift; }
	_tops="celld-supervisor celld-cells"
	if [ -n "${1:-}" ]; then
		_cg_name "$1" || return 1
		_tops=$1
	fi
	_cg_hiers | {
		_rc=0
		while read -r _mnt _own; do
			_base=$(_cg_base "$_mnt" "$_own")
			for _top in $_tops; do
				[ -d "$_base/$_top" ] || continue
				# cgroup names hold no blanks: ours don't
				for _d in $(find "$_base/$_top" -depth -type d)
				do
					_cg_empty "$_d" "$_mnt$_own" $_kill ||
					    _rc=1
				done
			done
			[ "$_own" = / ] && rmdir "$_base" 2>/dev/null
		done
		exit $_rc
	}
}
