# --userns container:NAME (issue 6): the new container gets the host id
# range of NAME, so the files they share through a volume have the same
# owners.  Only admins and users whose policy says "allow userns" may
# ask, and only for containers they may see; --userns host (no user
# namespace) is refused for everyone.  A shared range is held while any
# container of the group runs, and kept across a restart of celld.
. tests/lib.sh
trap 'del_users; cleanup' EXIT
. tests/userlib.sh

add_user UA && add_user UN || exit 1
mkdir -p "$T/vol"
chmod 0777 "$T/vol"
write_conf "policy group \"cell\" { max containers 5 }
policy user \"$UN\" { max containers 5 allow userns }
policy user \"root\" { admin }"
start_celld || exit 1

# the host id a container's root is, from its own uid_map
base() {	# [user] container
	if [ $# = 2 ]; then
		ctl_as "$1" exec "$2" cat /proc/self/uid_map
	else
		cellctl exec "$1" cat /proc/self/uid_map
	fi | awk '$1 == 0 { print $2 }'
}

up() {	# name [run flags...]
	_n=$1
	shift
	cellctl run -d --name "$_n" "$@" busybox sleep 1000 >/dev/null
}

# attack: an ordinary user asks to share a range
t_user_without_policy_is_refused_userns() {
	ctl_as "$UA" run -d --name ua1 busybox sleep 1000 >/dev/null ||
	    return 1
	r=0
	for v in run create; do
		ctl_refused "$UA" $v --rm --userns container:ua1 busybox true ||
		    r=1
		grep -q "cellctl: --userns is not allowed by policy" \
		    "$T/r.err" || { echo "the policy is not named"; r=1; }
	done
	audited "$UA" create "refused: --userns is not allowed" ||
	    { echo "no audit line"; r=1; }
	[ "$(ctl_as "$UA" ps -aq | wc -l)" = 1 ] || r=1
	ctl_as "$UA" rm -f ua1 >/dev/null
	return $r
}

# celld never runs a container without a user namespace, not for root
t_userns_host_is_refused_for_everyone() {
	r=0
	for u in root "$UN" "$UA"; do
		ctl_refused "$u" run --rm --userns host busybox true || r=1
		grep -q "never runs a container without a user namespace" \
		    "$T/r.err" || r=1
	done
	ctl_refused root run --rm --userns private busybox true || r=1
	return $r
}

t_user_with_allow_userns_shares_their_own() {
	ctl_as "$UN" run -d --name un1 busybox sleep 1000 >/dev/null &&
	    ctl_as "$UN" run -d --name un2 --userns container:un1 busybox \
	    sleep 1000 >/dev/null || return 1
	a=$(base "$UN" un1)
	b=$(base "$UN" un2)
	ctl_as "$UN" rm -f un1 un2 >/dev/null
	echo "un1 $a, un2 $b"
	[ -n "$a" ] && [ "$a" = "$b" ]
}

# attack: share the range of another user's container, by name or by id
# prefix; the answer is the one for a container that doesn't exist
t_user_cannot_share_another_users_range() {
	ctl_as "$UA" run -d --name theirs busybox sleep 1000 >/dev/null ||
	    return 1
	id=$(cellctl inspect theirs | sed -n 's/.*"Id": "\([0-9a-f]*\)".*/\1/p')
	r=0
	for n in theirs "$(echo "$id" | cut -c1-12)" "$id"; do
		ctl_refused "$UN" run --rm --userns "container:$n" busybox \
		    true || r=1
		sed "s/$n/NAME/" "$T/r.err" > "$T/theirs.err"
		ctl_refused "$UN" run --rm --userns container:nosuch busybox \
		    true || r=1
		sed "s/nosuch/NAME/" "$T/r.err" > "$T/nosuch.err"
		cmp "$T/theirs.err" "$T/nosuch.err" || r=1
	done
	# and from a raw client, the whole id as the key
	out=$(as "$UN" "$B/tests/ctlraw" "$CELLD_SOCK" "spec:0:0:$id")
	echo "raw: $out"
	[ "$out" = "done 2 --userns: $id: no such container" ] || r=1
	[ -z "$(ctl_as "$UN" ps -aq)" ] || r=1
	ctl_as "$UA" rm -f theirs >/dev/null
	return $r
}

t_admin_may_share_another_users_range() {
	ctl_as "$UA" run -d --name uaw busybox sleep 1000 >/dev/null &&
	    up adm1 --userns container:uaw || return 1
	a=$(base "$UA" uaw)
	b=$(base adm1)
	cellctl rm -f adm1 uaw >/dev/null
	echo "uaw $a, adm1 $b"
	[ -n "$a" ] && [ "$a" = "$b" ]
}

# two containers of one range: same uid_map, a file one writes in a
# shared volume belongs to the same host uid, the other may change it;
# a third, of its own range, sees it as nobody's and may not
t_shared_range_shares_volume_files() {
	up va -v "$T/vol:/v" && up vb --userns container:va -v "$T/vol:/v" &&
	    up vc -v "$T/vol:/v" || return 1
	ma=$(cellctl exec va cat /proc/self/uid_map)
	mb=$(cellctl exec vb cat /proc/self/uid_map)
	mc=$(cellctl exec vc cat /proc/self/uid_map)
	echo "va: $ma; vb: $mb; vc: $mc"
	cellctl exec va sh -c 'echo from-a > /v/f && chmod 0600 /v/f' ||
	    return 1
	owner=$(stat -c %u "$T/vol/f")
	b=$(cellctl exec vb sh -c 'cat /v/f && echo from-b >> /v/f &&
	    chown 7:7 /v/f && echo CHOWNED')
	c=$(cellctl exec vc sh -c 'cat /v/f || echo DENIED' 2>&1)
	echo "owner $owner, base $(base va); b: $b; c: $c"
	cellctl rm -f va vb vc >/dev/null
	[ "$ma" = "$mb" ] && [ "$ma" != "$mc" ] &&
	    [ "$owner" = "$(echo "$ma" | awk '{ print $2 }')" ] &&
	    echo "$b" | grep -q from-a && echo "$b" | grep -q CHOWNED &&
	    echo "$c" | grep -q DENIED && ! echo "$c" | grep -q from-
}

# the range belongs to the group: it doesn't matter who starts first
t_sharing_holds_whoever_starts_first() {
	cellctl create --name sa busybox sleep 1000 >/dev/null &&
	    up sb --userns container:sa && cellctl start sa >/dev/null ||
	    return 1
	a=$(base sa)
	b=$(base sb)
	cellctl rm -f sa sb >/dev/null
	echo "sa $a, sb $b"
	[ -n "$a" ] && [ "$a" = "$b" ]
}

# rm of the first: the second runs on, its range held until it goes too
t_rm_of_the_first_keeps_the_range_for_the_second() {
	cellctl rm -f $(cellctl ps -aq) >/dev/null 2>&1
	up ra && up rb --userns container:ra || return 1
	shared=$(base rb)
	cellctl rm -f ra >/dev/null || return 1
	rb=$(base rb)
	up rc && up rd || return 1
	c=$(base rc)
	d=$(base rd)
	echo "shared $shared, rb now $rb, new ones $c $d"
	[ -n "$shared" ] && [ "$rb" = "$shared" ] && [ "$c" != "$shared" ] &&
	    [ "$d" != "$shared" ] || return 1
	# with the last of the group gone the range is free again (the
	# first free one is handed out first)
	cellctl rm -f rb rc rd >/dev/null
	up re || return 1
	e=$(base re)
	cellctl rm -f re >/dev/null
	echo "after: $e"
	[ "$e" = "$shared" ]
}

# a share of a share is a share of the same range, even after the first
# is gone; and restarting celld keeps every range where it was
t_restart_keeps_the_sharing() {
	up ka && up kb --userns container:ka && up kc || return 1
	cellctl rm -f ka >/dev/null
	up kd --userns container:kb || return 1
	b=$(base kb)
	c=$(base kc)
	d=$(base kd)
	stop_celld
	start_celld || return 1
	up ke --userns container:kd && up kf || return 1
	b2=$(base kb)
	c2=$(base kc)
	d2=$(base kd)
	e=$(base ke)
	f=$(base kf)
	echo "before: kb $b kc $c kd $d; after: kb $b2 kc $c2 kd $d2," \
	    "ke $e, kf $f"
	cellctl inspect kd | grep UsernsMode
	cellctl rm -f kb kc kd ke kf >/dev/null
	[ "$b" = "$d" ] && [ "$b" != "$c" ] && [ "$b2" = "$b" ] &&
	    [ "$c2" = "$c" ] && [ "$d2" = "$d" ] && [ "$e" = "$b" ] &&
	    [ "$f" != "$b" ] && [ "$f" != "$c" ]
}

run_tests "$@"
