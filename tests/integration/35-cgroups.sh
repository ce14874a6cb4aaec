# Cgroups: where celld makes them, and what the limits do to a container
# that attacks them.  The same tests run on v1/hybrid hosts (make check)
# and on pure v2 (make check-v2, tests/vm/run.sh).
. tests/lib.sh
start_celld || exit 1

# the value of "key" in the JSON on stdin (cellctl prints one per line)
jnum() {	# key
	awk -v k="\"$1\":" '$1 == k { v = $2; gsub(/[",]/, "", v); print v;
	    exit }'
}

# pid of the container's init, as the host sees it
cpid() {	# name
	cellctl inspect "$1" | jnum Pid
}

# every pid whose uid is uid (in this test's pid namespace)
uid_pids() {	# uid
	ps -e -o pid= -o uid= | awk -v u="$1" '$2 == u { print $1 }'
}

# cell-<id> is beneath OWN in every hierarchy celld uses, OWN being the
# cgroup celld started in; celld-cells is spawn-helper's, celld sits in
# celld-supervisor, and nothing of ours is at a hierarchy's root
t_cgroups_are_a_delegated_subtree_beneath_celld_own() {
	id=$(cellctl run -d --name sub busybox sleep 1000) || return 1
	pid=$(cpid sub)
	parent=$(proc_pid parent)
	_cg_hiers | {
		r=0 n=0
		while read -r mnt own; do
			n=$((n + 1))
			base=$(_cg_base "$mnt" "$own")/$CG
			cells=$base/celld-cells
			grep -qx "$pid" "$cells/cell-$id/cgroup.procs" ||
			    { echo "$mnt: $pid not in $cells/cell-$id"; r=1; }
			grep -qx "$parent" "$base/celld-supervisor/cgroup.procs" ||
			    { echo "$mnt: celld not in its supervisor"; r=1; }
			o=$(stat -c %U "$cells")
			[ "$o" = _celld_spawn ] ||
			    { echo "$cells: owned by $o"; r=1; }
			ls -d "$mnt"/cell-* "$mnt"/celld-cells \
			    "$mnt"/celld-supervisor 2>/dev/null | grep . && r=1
		done
		echo "$n hierarchies"
		[ $n -gt 0 ] && exit $r
	}
	r=$?
	cellctl rm -f sub >/dev/null || return 1
	find /sys/fs/cgroup -name "cell-$id" | grep . && return 1
	return $r
}

# attack: a fork bomb; the pids limit holds it and rm -f ends all of it
t_fork_bomb_stops_at_the_pids_limit() {
	# every process forks two more and waits; a shell whose fork the
	# limit refuses says so and exits, so how many stay depends on
	# timing: what must hold is that forks were refused and that no
	# sample ever saw more than the limit.  pid 1 starts the bomb and
	# becomes sleep: were it a bomb shell too, a refused fork of its own
	# would end the container (seen under load)
	cellctl run -d --name bomb --pids-limit 24 busybox sh -c \
	    'b() { b & b & sleep 1000; }; b & exec sleep 1000' >/dev/null ||
	    return 1
	pid=$(cpid bomb)
	uid=$(status_field "$pid" Uid)
	max=0
	for i in $(seq 15); do
		sleep 0.2
		n=$(uid_pids "$uid" | wc -l)
		[ "$n" -gt $max ] && max=$n
	done
	lim=$(cellctl stats --no-stream --json bomb | jnum pids_limit)
	refused=$(cellctl logs bomb 2>&1 | grep -c "can't fork")
	cellctl rm -f bomb >/dev/null || return 1
	# the killed tasks are gone once their zombies are reaped
	for i in $(seq 30); do
		left=$(uid_pids "$uid" | wc -l)
		[ "$left" = 0 ] && break
		sleep 0.1
	done
	echo "at most $max processes, limit $lim, $refused forks refused," \
	    "$left left after rm -f"
	[ "$max" -ge 4 ] && [ "$max" -le 24 ] && [ "$lim" = 24 ] &&
	    [ "$refused" -ge 1 ] && [ "$left" = 0 ]
}

t_stats_show_limits_and_usage() {
	cellctl run -d --name st -m 48m --pids-limit 30 busybox sh -c \
	    'i=0; while [ $i -lt 20000 ]; do i=$((i + 1)); done; sleep 1000' \
	    >/dev/null || return 1
	sleep 1
	out=$(cellctl stats --no-stream --json st)
	cellctl rm -f st >/dev/null
	echo "$out"
	[ "$(echo "$out" | jnum mem_limit)" = 50331648 ] &&
	    [ "$(echo "$out" | jnum pids_limit)" = 30 ] &&
	    [ "$(echo "$out" | jnum mem_usage)" -gt 0 ] &&
	    [ "$(echo "$out" | jnum pids)" -ge 1 ] &&
	    [ "$(echo "$out" | jnum cpu_usage_ns)" -gt 0 ]
}

# cpu time used in 2 s of wall time, in ms
cpu_ms_in_2s() {	# name
	a=$(cellctl stats --no-stream --json "$1" | jnum cpu_usage_ns)
	sleep 2
	b=$(cellctl stats --no-stream --json "$1" | jnum cpu_usage_ns)
	echo $(((b - a) / 1000000))
}

# attack: spin on all cpus after the quota was lowered
t_update_cpu_quota_applies_at_once() {
	cellctl run -d --name spin busybox sh -c \
	    'while :; do :; done & while :; do :; done' >/dev/null ||
	    return 1
	a=$(cpu_ms_in_2s spin)
	cellctl update --cpus 0.1 spin >/dev/null || return 1
	sleep 0.3	# the period that was running when we changed it
	b=$(cpu_ms_in_2s spin)
	cellctl rm -f spin >/dev/null
	echo "cpu ms in 2 s: $a unlimited, $b at 0.1 cpu"
	[ "$a" -gt 1000 ] && [ "$b" -lt 500 ]
}

run_tests
