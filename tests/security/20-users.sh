# Users (issue 6): A and B are ordinary users of group "cell", C is
# blocked, L works under limits.  Each test is an attack by one of them,
# on another user's containers or past its policy, and fails if it works.
. tests/lib.sh
RAW="$B/tests/ctlraw"
trap 'del_users; cleanup' EXIT
USER_HOMES="$T/share"
. tests/userlib.sh

mkdir -p "$T/share/ok" "$T/share-not"
chmod 0755 "$T/share" "$T/share-not"
chmod 0777 "$T/share/ok"
add_user UA && add_user UB && add_user UC && add_user UL || exit 1
# A's home: private, and beneath the volume prefix, so only A's own
# permissions keep B out of it
mkdir -m 0700 "$T/share/home-$UA"
echo "secret of A" > "$T/share/home-$UA/secret"
chown -R "$UA:" "$T/share/home-$UA"
write_conf "policy group \"cell\" { max containers 3 volumes { \"$T/share\" } }
policy user \"$UC\" { block }
policy user \"$UL\" { max containers 3 max memory 64M max pids 100
    max connections 3 }
policy user \"root\" { admin }"
start_celld || exit 1
# ctl_refused: inspect answers a refused name with an empty array
REFUSED_STDOUT='[]'

# A's container NAME, running, with a line in its log; prints its id
a_up() {	# name [run flags...]
	_n=$1
	shift
	ctl_as "$UA" run -d --name "$_n" "$@" busybox sh -c \
	    "echo log-of-$_n; echo a-secret > /tmp/secret; sleep 1000"
}

# what root sees of a container: it must not change under B's attempts
snap() {	# name
	cellctl inspect "$1" 2>&1
}

# an id prefix of the same length that no container has
no_such_prefix() {	# prefix
	_p=$1
	_ids=$(cellctl ps -a --json | awk -F'"' '$2 == "id" { print $4 }')
	for _i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15; do
		_p=$(echo "$_p" | tr '0-9a-f' '1-9a-f0')
		echo "$_ids" | grep -q "^$_p" || { echo "$_p"; return 0; }
	done
	return 1
}

# B addresses A's container as what, with every verb; each is refused
# as for a container that does not exist, and A's container is unchanged
b_tries_every_verb() {	# name what nonexistent
	name=$1 what=$2 none=$3
	before=$(snap "$name")
	r=0
	for v in "inspect X" "logs X" "logs -f X" "exec X true" \
	    "exec -d X sleep 5" "stop -t 1 X" "kill X" "kill -s TERM X" \
	    "rm X" "rm -f X" "wait X" "pause X" "unpause X" "rename X bs" \
	    "update -m 32m X" "update --pids-limit 1 X" "top X" "start X" \
	    "start -a X" "restart -t 1 X" "stats --no-stream X"; do
		set -- $(echo "$v" | sed "s/X/$what/")
		ctl_refused "$UB" "$@" || r=1
		grep -q "log-of\|a-secret" "$T/r.out" "$T/r.err" &&
		    { echo "A's output shown to B"; r=1; }
		# cellctl may shorten an id to 12 digits
		e1=$(sed "s/$what/X/g; s/$(echo "$what" | cut -c1-12)/X/g" \
		    "$T/r.err")
		set -- $(echo "$v" | sed "s/X/$none/")
		as "$UB" timeout 10 "$CELLCTL" "$@" > /dev/null 2> "$T/n.err"
		e2=$(sed "s/$none/X/g; s/$(echo "$none" | cut -c1-12)/X/g" \
		    "$T/n.err")
		[ "$e1" = "$e2" ] ||
		    { echo "reads apart: '$e1' vs '$e2'"; r=1; }
	done
	after=$(snap "$name")
	[ "$before" = "$after" ] ||
	    { echo "changed:"; echo "$before"; echo "$after"; r=1; }
	echo "$after" | grep -q '"Running": true' ||
	    { echo "not running"; r=1; }
	echo "$after" | grep -q '"Paused": false' || { echo "paused"; r=1; }
	ctl_as "$UA" exec "$name" cat /tmp/secret | grep -q a-secret ||
	    { echo "A lost its container"; r=1; }
	return $r
}

t_a_non_root_user_can_run_a_container() {
	out=$(ctl_as "$UA" run --rm busybox echo hello) || return 1
	echo "$out"
	[ "$out" = hello ]
}

# attack: B controls, reads or probes A's container, named by its name
t_b_cant_reach_as_container_by_name() {
	a_up aname >/dev/null || return 1
	b_tries_every_verb aname aname nosuchname
	r=$?
	cellctl rm -f aname >/dev/null
	return $r
}

# attack: B probes for the names A uses by taking them.  Names are per
# user, so B's "create --name aweb" just works, tells nothing, and B's
# verbs on "aweb" reach B's own container, never A's
t_b_learns_nothing_from_as_names() {
	a_up aweb >/dev/null || return 1
	aid=$(cellctl inspect aweb | jfield Id)
	bid=$(ctl_as "$UB" create --name aweb busybox true)
	rc=$?
	bi=$(ctl_as "$UB" inspect aweb | jfield Id)
	ctl_as "$UB" rm aweb >/dev/null 2>&1
	ar=$(cellctl inspect "$aid" | jfield Running)
	dup=$(ctl_as "$UA" create --name aweb busybox true 2>&1)
	drc=$?
	cellctl rm -f "$aid" >/dev/null
	echo "B create: $rc $bid; B's aweb: $bi; A's still running: $ar"
	echo "A again: $drc $dup"
	[ $rc = 0 ] && [ "$bi" = "$bid" ] && [ "$bi" != "$aid" ] &&
	    [ "$ar" = true ] && [ $drc = 125 ] &&
	    echo "$dup" | grep -q 'aweb: name already in use'
}

# an admin naming a name two users have is told to give the id
t_admin_is_told_when_a_name_is_ambiguous() {
	a_up twin >/dev/null || return 1
	ctl_as "$UB" run -d --name twin busybox sleep 1000 >/dev/null ||
	    return 1
	err=$(cellctl stop twin 2>&1)
	rc=$?
	n=$(cellctl ps -q | wc -l)
	for id in $(cellctl ps -q); do cellctl rm -f "$id" >/dev/null; done
	echo "rc $rc: $err; running: $n"
	[ $rc = 125 ] && echo "$err" | grep -q 'twin: ambiguous' && [ "$n" = 2 ]
}

# attack: B controls, reads or probes A's container, named by its id
t_b_cant_reach_as_container_by_id_or_prefix() {
	id=$(a_up aid) || return 1
	p=$(echo "$id" | cut -c1-12)
	np=$(no_such_prefix "$p") && nid=$(no_such_prefix "$id") &&
	    b_tries_every_verb aid "$p" "$np" &&
	    b_tries_every_verb aid "$id" "$nid"
	r=$?
	cellctl rm -f aid >/dev/null
	return $r
}

# attack: B lists A's containers (and learns names, images, commands)
t_b_doesnt_see_as_containers_root_does() {
	id=$(a_up alist) || return 1
	p=$(echo "$id" | cut -c1-12)
	b=$(ctl_as "$UB" ps -a; ctl_as "$UB" ps -a --json
	    ctl_as "$UB" stats --no-stream --json)
	a=$(ctl_as "$UA" ps -a)
	root=$(cellctl ps -a --json)
	cellctl rm -f alist >/dev/null
	echo "B: $b"
	echo "A: $a"
	echo "root: $root"
	! echo "$b" | grep -q "$p\|alist" && echo "$a" | grep -q alist &&
	    echo "$root" | grep -q "\"$id\"" &&
	    echo "$root" | grep -q "\"owner\": $(id -u "$UA")"
}

# attack: B reads A's container's log, files or sockets from the storage
# and run dirs directly.  B knows the id: anyone can read it in
# /proc/PID/cgroup of A's container's processes.
t_b_cant_read_as_container_from_the_host() {
	id=$(a_up afiles) || return 1
	i=0
	until [ -f "$T/lib/containers/$id/upper/tmp/secret" ] || [ $i = 40 ]
	do
		sleep 0.05
		i=$((i + 1))
	done
	r=0
	seen=$(as "$UB" cat /proc/[0-9]*/cgroup 2>/dev/null |
	    grep -o "cell-$id" | head -1)
	echo "B finds the id in /proc/*/cgroup: ${seen:-no}"
	for f in "$T/lib/containers/$id/log" "$T/lib/containers/$id/upper" \
	    "$T/lib/containers/$id/config.json" "$T/run/monitors" \
	    "$T/lib/audit.log"; do
		[ -e "$f" ] || { echo "$f: no such path here"; continue; }
		if [ -d "$f" ]; then
			as "$UB" ls -R "$f" >/dev/null 2>&1 &&
			    { echo "B lists $f"; r=1; }
		else
			as "$UB" cat "$f" >/dev/null 2>&1 &&
			    { echo "B reads $f"; r=1; }
		fi
	done
	as "$UB" cat "$T/lib/containers/$id/upper/tmp/secret" 2>/dev/null &&
	    r=1
	cellctl rm -f afiles >/dev/null
	return $r
}

# attack: a user without a policy that allows it asks for privilege
t_non_admin_cant_ask_for_privilege() {
	r=0
	for f in --privileged "--cap-add SYS_ADMIN" "--cap-add ALL" \
	    "--cap-add NET_ADMIN" "--security-opt seccomp=unconfined"; do
		for v in run create; do
			ctl_refused "$UB" $v --rm $f busybox true || r=1
			grep -q "policy" "$T/r.err" ||
			    { echo "the policy is not named"; r=1; }
		done
	done
	left=$(ctl_as "$UB" ps -aq)
	[ -z "$left" ] || { echo "left: $left"; r=1; }
	# and within policy it works
	ctl_as "$UB" run --rm --cap-drop ALL --cap-add CHOWN busybox true ||
	    r=1
	return $r
}

# attack: more containers than the policy's max containers
t_max_containers() {
	r=0
	for n in 1 2 3; do
		ctl_as "$UB" create --name "bmax$n" busybox true >/dev/null ||
		    { echo "create $n failed"; r=1; }
	done
	ctl_refused "$UB" create --name bmax4 busybox true || r=1
	ctl_refused "$UB" run --rm busybox true || r=1
	grep -q "limit" "$T/r.err" || { echo "the limit is not named"; r=1; }
	# A is not counted against B, nor B against A
	ctl_as "$UA" run --rm busybox true || { echo "A refused"; r=1; }
	ctl_as "$UB" rm bmax1 >/dev/null || r=1
	ctl_as "$UB" create --name bmax4 busybox true >/dev/null ||
	    { echo "refused after a rm"; r=1; }
	ctl_as "$UB" rm bmax2 bmax3 bmax4 >/dev/null
	left=$(ctl_as "$UB" ps -aq)
	[ -z "$left" ] || { echo "left: $left"; r=1; }
	return $r
}

# attack: limits above the policy's maximum
# Under a max memory or max pids, a request without that limit is
# refused: on purpose not Docker's behaviour (which has no policies), so
# a user under a cap always states a limit and never gets a surprise one.
t_limits_above_the_policy_are_refused() {
	r=0
	ctl_refused "$UL" run --rm -m 1g --pids-limit 50 busybox true || r=1
	grep -q "polic" "$T/r.err" || r=1
	ctl_refused "$UL" run --rm -m 65m --pids-limit 50 busybox true || r=1
	ctl_refused "$UL" run --rm -m 32m --pids-limit 101 busybox true || r=1
	ctl_refused "$UL" run --rm -m 32m --pids-limit 0 busybox true || r=1
	ctl_refused "$UL" run --rm -m 0 --pids-limit 50 busybox true || r=1
	ctl_refused "$UL" run --rm --pids-limit 50 busybox true || r=1
	ctl_refused "$UL" run --rm -m 32m busybox true || r=1
	out=$(ctl_as "$UL" run --rm -m 64m --pids-limit 100 busybox echo ok)
	[ "$out" = ok ] || { echo "at the maximum: '$out'"; r=1; }
	left=$(ctl_as "$UL" ps -aq)
	[ -z "$left" ] || { echo "left: $left"; r=1; }
	return $r
}

# attack: run within the limits, then raise them with update
t_update_cant_raise_limits_past_the_policy() {
	ctl_as "$UL" run -d --name lim -m 32m --pids-limit 50 busybox \
	    sleep 1000 >/dev/null || return 1
	r=0
	ctl_refused "$UL" update -m 1g lim || r=1
	ctl_refused "$UL" update -m 0 lim || r=1
	ctl_refused "$UL" update --pids-limit 1000 lim || r=1
	ctl_refused "$UL" update --pids-limit 0 lim || r=1
	ctl_as "$UL" update -m 48m --pids-limit 60 lim >/dev/null ||
	    { echo "update within the policy refused"; r=1; }
	out=$(cellctl inspect lim)
	echo "$out" | grep -q '"Memory": 50331648,' || r=1
	echo "$out" | grep -q '"PidsLimit": 60,' || r=1
	echo "$out" | grep '"Memory"\|"PidsLimit"'
	cellctl rm -f lim >/dev/null
	return $r
}

# attack: a blocked user uses celld at all
t_blocked_user_is_refused_everything() {
	id=$(a_up ablock) || return 1
	r=0
	# version prints cellctl's own version first, as Docker's does
	as "$UC" "$CELLCTL" version > "$T/v.out" 2> "$T/v.err"
	s=$?
	cat "$T/v.out" "$T/v.err"
	[ $s = 125 ] && [ "$(wc -l < "$T/v.err")" = 1 ] || r=1
	for v in ping info ps "ps -a" "stats --no-stream" \
	    "run --rm busybox true" "create busybox true" "inspect ablock" \
	    "rm -f ablock" "stop ablock" "exec ablock true" "kill $id"; do
		ctl_refused "$UC" $v || r=1
	done
	out=$("$RAW" "$CELLD_SOCK" ping 2>&1 | tail -1)
	[ "$out" = "done 0 " ] || { echo "celld after C: $out"; r=1; }
	snap ablock | grep -q '"Running": true' || { echo "A's died"; r=1; }
	cellctl rm -f ablock >/dev/null
	left=$(cellctl ps -a --json | grep -c "\"owner\": $(id -u "$UC")")
	[ "$left" = 0 ] || { echo "C has $left containers"; r=1; }
	return $r
}

# attack: B writes the rm frame itself (no cellctl), for A's container by
# name, prefix and full id; C, blocked, tries it too
t_forged_rm_frame_leaves_as_container() {
	id=$(a_up aforge) || return 1
	before=$(snap aforge)
	p=$(echo "$id" | cut -c1-12)
	out=$(as "$UB" "$RAW" "$CELLD_SOCK" rm:aforge "rm:$p" "rm:$id" ping)
	echo "B: $out"
	outc=$(as "$UC" "$RAW" "$CELLD_SOCK" "rm:$id")
	echo "C: $outc"
	after=$(snap aforge)
	cellctl rm -f aforge >/dev/null
	[ "$(echo "$out" | grep -c '^done 2 .*no such container')" = 3 ] &&
	    [ "$(echo "$out" | tail -1)" = "done 0 " ] &&
	    [ "$before" = "$after" ] &&
	    echo "$after" | grep -q '"Running": true'
}

# Volumes: the tests below need -v to work for a user of group cell at
# all; without it every refusal would prove nothing.
volumes_work() {
	_o=$(ctl_as "$UB" run --rm -v "$T/share/ok:/data" busybox true 2>&1)
	_s=$?
	[ $_s = 0 ] && return 0
	echo "-v $T/share/ok: B of group cell, volumes { $T/share }:" \
	    "status $_s: $_o"
	return 1
}

t_volume_beneath_the_prefix_works_and_ro_is_read_only() {
	volumes_work || return 1
	r=0
	ctl_as "$UB" run --rm -v "$T/share/ok:/data" busybox touch /data/rw ||
	    r=1
	[ -f "$T/share/ok/rw" ] || { echo "rw: nothing written"; r=1; }
	ctl_as "$UB" run --rm -v "$T/share/ok:/data:ro" busybox sh -c \
	    'touch /data/ro || rm /data/rw' 2>/dev/null && r=1
	[ -e "$T/share/ok/ro" ] && { echo "ro: written"; r=1; }
	[ -f "$T/share/ok/rw" ] || { echo "ro: removed a file"; r=1; }
	rm -f "$T/share/ok/rw" "$T/share/ok/ro"
	return $r
}

# attack: bind the host's root, system dirs, celld's storage, run dir and
# socket, or a place beside the prefix, into B's container
t_volume_outside_the_policy_is_refused() {
	volumes_work || return 1
	id=$(a_up avol) || return 1
	c="$T/lib/containers/$id"
	i=0
	until [ -f "$c/upper/tmp/secret" ] || [ $i = 40 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	r=0
	# some B can't even open: cellctl says so; the others celld refuses
	for src in / /etc /root /proc /dev "$T" "$T/lib" "$T/run" \
	    "$T/lib/images" "$CELLD_SOCK" "$T/etc/celld.conf" "$T/share-not" \
	    "$T/share/../lib" /etc/passwd "$c/upper" "$c/lower" \
	    "$c/upper/tmp/secret"; do
		ctl_refused "$UB" run --rm -v "$src:/data" busybox ls /data ||
		    r=1
		grep -q "a-secret" "$T/r.out" && r=1
	done
	# nor A its own container's storage
	ctl_refused "$UA" run --rm -v "$c/upper:/data" busybox ls /data || r=1
	cellctl rm -f avol >/dev/null
	left=$(ctl_as "$UB" ps -aq)
	[ -z "$left" ] || { echo "left: $left"; r=1; }
	return $r
}

# attack: B binds A's private home, which lies beneath the prefix: only
# cellctl opening it with B's own permissions keeps B out
t_volume_of_another_users_home_is_refused() {
	volumes_work || return 1
	r=0
	for src in "$T/share/home-$UA" "$T/share/home-$UA/secret"; do
		ctl_refused "$UB" run --rm -v "$src:/data" busybox sh -c \
		    'cat /data /data/secret' || r=1
		grep -q "secret of A" "$T/r.out" && { echo "read it"; r=1; }
	done
	return $r
}

# attack: a symlink beneath the prefix that points out of it
t_volume_through_a_symlink_is_judged_by_its_target() {
	volumes_work || return 1
	ln -s /etc "$T/share/etc-link"
	ln -s ok "$T/share/ok-link"
	ctl_refused "$UB" run --rm -v "$T/share/etc-link:/data" busybox \
	    cat /data/passwd
	r=$?
	ctl_as "$UB" run --rm -v "$T/share/ok-link:/data" busybox true ||
	    { echo "a symlink to a place beneath the prefix refused"; r=1; }
	rm -f "$T/share/etc-link" "$T/share/ok-link"
	return $r
}

# attack: remount a read-only volume read-write from a privileged
# container (root's: admins may use --privileged)
t_ro_volume_stays_ro_even_privileged() {
	cellctl run --rm -v "$T/share/ok:/data" busybox true || return 1
	cellctl run --rm --privileged -v "$T/share/ok:/data:ro" busybox \
	    sh -c 'mount -o remount,rw /data; mount -o remount,bind,rw /data
	    touch /data/x' 2>&1
	s=$?
	echo "status $s"
	r=0
	[ $s = 0 ] && r=1
	[ -e "$T/share/ok/x" ] && { echo "written"; r=1; }
	rm -f "$T/share/ok/x"
	return $r
}

# attack: swap a volume's source for a symlink to /etc once the
# container runs, then again before it starts again
t_volume_source_swapped_for_a_symlink_changes_nothing() {
	volumes_work || return 1
	mkdir -p "$T/share/a/d"
	echo marker > "$T/share/a/d/marker"
	chown -R "$UA:" "$T/share/a"
	ctl_as "$UA" run -d --name aswap -v "$T/share/a/d:/data" busybox \
	    sleep 1000 >/dev/null || return 1
	as "$UA" sh -c "mv '$T/share/a/d' '$T/share/a/d.old' &&
	    ln -s /etc '$T/share/a/d'" || return 1
	r=0
	out=$(ctl_as "$UA" exec aswap ls /data | tr '\n' ' ')
	echo "running: $out"
	[ "$out" = "marker " ] || r=1
	ctl_as "$UA" stop -t 1 aswap >/dev/null
	if ctl_as "$UA" start aswap >/dev/null; then
		out=$(ctl_as "$UA" exec aswap ls /data | tr '\n' ' ')
		echo "started again: $out"
		[ "$out" = "marker " ] || r=1
	fi
	cellctl rm -f aswap >/dev/null
	rm -rf "$T/share/a"
	return $r
}

# attack: one user holds every connection it can, to starve the others
t_connections_are_limited_per_user() {
	setpriv --reuid="$UL" --regid="$UL" --init-groups \
	    "$RAW" "$CELLD_SOCK" idle:3 > "$T/idle.out" 2>&1 &
	idler=$!
	i=0
	while ! grep -q held "$T/idle.out" && [ $i -lt 50 ]; do
		sleep 0.1; i=$((i + 1))
	done
	out=$(ctl_as "$UL" ps 2>&1); s=$?
	echo "$out"
	ok=0
	[ $s = 125 ] && echo "$out" | grep -q "too many connections" || ok=1
	ctl_as "$UA" ps >/dev/null || { echo "other user starved"; ok=1; }
	kill $idler; wait $idler 2>/dev/null
	return $ok
}

run_tests
