# --network host (issue 6): the container keeps its user, mount, pid,
# uts, ipc and cgroup namespaces and shares the host's network one.  The
# test's own net namespace is "the host".  Only admins and users whose
# policy says "allow host-network" may ask; root in such a container,
# even --privileged, has no capability over the host's network (its
# user namespace doesn't own it): each attack fails if it works.
. tests/lib.sh
trap 'del_users; cleanup' EXIT
. tests/userlib.sh

add_user UA && add_user UH || exit 1
write_conf "policy group \"cell\" { max containers 5 }
policy user \"$UH\" { max containers 5 allow host-network }
policy user \"root\" { admin }"
start_celld || exit 1
# an address of the host's that only the host has
ip addr add 192.0.2.1/32 dev lo

# the host's interfaces and addresses, as "ip -o" prints them
host_view() {
	ip -o link | awk -F': ' '{ print $2 }' | sort
}

# attack: an ordinary user asks for the host's network
t_user_without_policy_is_refused_host_network() {
	r=0
	for v in run create; do
		ctl_refused "$UA" $v --rm --network host busybox true || r=1
		grep -q "cellctl: --network host is not allowed by policy" \
		    "$T/r.err" || { echo "the policy is not named"; r=1; }
	done
	audited "$UA" create "refused: --network host is not allowed" ||
	    { echo "no audit line"; r=1; }
	[ -z "$(ctl_as "$UA" ps -aq)" ] || r=1
	return $r
}

# attack: a raw client sends what cellctl never would: the host network
# without SPEC_NONET (celld would set up a veth for it), or with ports,
# or asks for it without the policy
t_raw_host_network_specs_are_refused() {
	raw="$B/tests/ctlraw"
	a=$("$raw" "$CELLD_SOCK" spec:4000:0: spec:4040:1: spec:6040:0:)
	b=$(as "$UA" "$raw" "$CELLD_SOCK" spec:4040:0:)
	echo "$a"; echo "$b"
	[ "$(echo "$a" | sed -n 1p)" = "done 22 create: malformed container spec" ] &&
	    [ "$(echo "$a" | sed -n 2p)" = "done 22 create: -p, -P: a container on the host network publishes no ports" ] &&
	    [ "$(echo "$a" | sed -n 3p)" = "done 22 create: -p, -P: a container on the host network publishes no ports" ] &&
	    [ "$b" = "done 1 --network host is not allowed by policy" ] &&
	    [ -z "$(cellctl ps -aq)" ]
}

t_user_with_allow_host_network_may() {
	out=$(ctl_as "$UH" run --rm --network host busybox ip -o addr) ||
	    return 1
	echo "$out"
	echo "$out" | grep -q 'inet 192.0.2.1/32'
}

t_admin_may_and_sees_the_hosts_interfaces() {
	out=$(cellctl run --rm --network host busybox sh -c \
	    'ls /sys/class/net; ip -o addr') || return 1
	echo "$out"
	for l in $(host_view); do
		echo "$out" | grep -qx "$l" || { echo "no $l"; return 1; }
	done
	echo "$out" | grep -q 'inet 192.0.2.1/32'
}

t_reaches_a_listener_on_the_hosts_loopback() {
	port=$((20000 + $$ % 10000))
	# the host's side stays open a while after its line: at its stdin's
	# end nc shuts its writing half, and the container's nc, seeing
	# that, used to leave before the monitor had relayed its own line
	# (under make asan)
	(echo hi-from-host; sleep 3) | timeout 10 busybox nc -l -p "$port" \
	    > "$T/got" &
	l=$!
	sleep 0.3
	out=$(echo hi-from-cell | cellctl run --rm -i --network host busybox \
	    nc -w 2 127.0.0.1 "$port")
	wait $l
	echo "container got: $out; host got: $(cat "$T/got")"
	[ "$out" = hi-from-host ] && grep -qx hi-from-cell "$T/got"
}

t_listens_on_the_hosts_high_ports() {
	port=$((30000 + $$ % 10000))
	cellctl run -d --name hlisten --network host busybox sh -c "
	    mkdir -p /www && echo hi-from-cell > /www/index.html &&
	    exec httpd -f -p 127.0.0.1:$port -h /www" >/dev/null || return 1
	i=0
	out=
	while [ $i -lt 30 ] && [ -z "$out" ]; do
		out=$(wget -q -T 1 -O - "http://127.0.0.1:$port/" 2>/dev/null)
		[ -n "$out" ] || sleep 0.1
		i=$((i + 1))
	done
	cellctl rm -f hlisten >/dev/null
	echo "host got: $out"
	[ "$out" = hi-from-cell ]
}

# attack: root of a privileged host-network container reconfigures the
# host's network: new links, addresses, routes, a link down, a sysctl
t_privileged_root_cannot_configure_the_hosts_network() {
	before=$(ip -o addr; ip -o link; ip route)
	out=$(cellctl run --rm --network host --privileged busybox sh -c '
	    ip link add evil0 type dummy && echo WROTE-link
	    ip addr add 192.0.2.66/32 dev lo && echo WROTE-addr
	    ip route add 198.51.100.0/24 dev lo && echo WROTE-route
	    ip link set lo down && echo WROTE-down
	    echo 0 > /proc/sys/net/ipv4/ip_forward && echo WROTE-sysctl
	    grep -q "^CapEff:.*ffffffffff" /proc/self/status && echo ALLCAPS
	    true' 2>&1)
	after=$(ip -o addr; ip -o link; ip route)
	echo "$out"
	# the attacks ran with every capability, so they were real tries
	echo "$out" | grep -q ALLCAPS || return 1
	! echo "$out" | grep -q WROTE && [ "$before" = "$after" ]
}

# attack: bind a port below the kernel's ip_unprivileged_port_start (a
# port above it binds, in the same container: the try was a real one)
t_privileged_root_cannot_bind_low_ports() {
	lo=$(cat /proc/sys/net/ipv4/ip_unprivileged_port_start)
	[ "$lo" -gt 80 ] || { echo "unprivileged ports start at $lo"; \
	    return 77; }
	out=$(cellctl run --rm --network host --privileged busybox sh -c '
	    for p in 80 8080; do
		nc -l -p $p & k=$!; sleep 0.5
		kill -0 $k 2>/dev/null && echo BOUND-$p; kill $k 2>/dev/null
	    done; true' 2>&1)
	echo "$out"
	! echo "$out" | grep -qx BOUND-80 && echo "$out" | grep -qx BOUND-8080
}

# attack: make /sys writable.  C can't mount a sysfs of its own without
# its own netns: it gets a fresh one of the host's netns, read-only with
# the flag locked (R made it), so even privileged root can't remount it
t_sys_is_the_hosts_read_only_and_locked() {
	out=$(cellctl run --rm --network host --privileged busybox sh -c '
	    awk "\$2 ~ /^\/sys/ { print \$2, \$4 }" /proc/mounts
	    echo 1 > /sys/kernel/uevent_helper 2>/dev/null && echo WROTE
	    mount -o remount,rw /sys 2>/dev/null && echo REMOUNTED
	    mount -o remount,bind,rw /sys 2>/dev/null && echo REMOUNTED
	    awk "\$2 == \"/sys\" { print \$4 }" /proc/mounts
	    ls /sys/class/net' 2>&1)
	echo "$out"
	echo "$out" | grep -q '^/sys ro' && ! echo "$out" |
	    grep -E '^/sys' | grep -qv ' ro' &&
	    ! echo "$out" | grep -qE 'WROTE|REMOUNTED|^rw' &&
	    echo "$out" | grep -qx lo && echo "$out" | grep -qx cell0
}

# the other namespaces stay the container's own
t_keeps_its_other_namespaces() {
	for ns in user mnt pid uts ipc cgroup; do
		h=$(readlink /proc/self/ns/$ns)
		c=$(cellctl run --rm --network host busybox readlink \
		    /proc/self/ns/$ns) || return 1
		echo "$ns: host $h, container $c"
		[ "$h" != "$c" ] || return 1
	done
	h=$(readlink /proc/self/ns/net)
	c=$(cellctl run --rm --network host busybox readlink /proc/self/ns/net)
	echo "net: host $h, container $c"
	[ "$h" = "$c" ]
}

t_etc_files_and_hostname_are_its_own() {
	out=$(cellctl run --rm --network host --hostname hostbox busybox \
	    sh -c 'hostname; cat /etc/hostname /etc/hosts /etc/resolv.conf')
	echo "$out"
	echo "$out" | grep -qx hostbox &&
	    echo "$out" | grep -q '^127.0.0.1[[:space:]]localhost' &&
	    echo "$out" | grep -q 'hostbox' && [ "$(hostname)" != hostbox ]
}

t_exec_enters_a_host_network_container() {
	cellctl run -d --name hexec --network host busybox sleep 100 \
	    >/dev/null || return 1
	out=$(cellctl exec hexec sh -c 'readlink /proc/self/ns/net;
	    ip -o addr')
	cellctl rm -f hexec >/dev/null
	echo "$out"
	echo "$out" | grep -qxF "$(readlink /proc/self/ns/net)" &&
	    echo "$out" | grep -q 'inet 192.0.2.1/32'
}

t_publish_with_host_network_is_refused() {
	r=0
	for f in "-p 8080:80" "-p 80" "-P"; do
		# shellcheck disable=SC2086
		err=$(cellctl run --rm --network host $f busybox true 2>&1)
		rc=$?
		echo "$f -> $rc: $err"
		[ $rc = 125 ] && [ "$(echo "$err" | wc -l)" = 1 ] &&
		    echo "$err" | grep -q 'host network' || r=1
	done
	return $r
}

# a host-network container can't be put on a bridge as well
t_connect_of_a_host_network_container_is_refused() {
	cellctl network create hn --subnet 10.213.0.0/24 >/dev/null || return 1
	cellctl run -d --name hc --network host busybox sleep 1000 \
	    >/dev/null || return 1
	err=$(cellctl network connect hn hc 2>&1)
	rc=$?
	links=$(ip -o link | grep -c ' cv')
	cellctl rm -f hc >/dev/null
	cellctl network rm hn >/dev/null
	echo "rc $rc: $err; veths: $links"
	[ $rc = 125 ] && echo "$err" | grep -q "host's network" &&
	    [ "$links" = 0 ]
}

t_inspect_says_host_and_state_survives_a_restart() {
	cellctl run -d --name hpersist --network host busybox sleep 1000 \
	    >/dev/null || return 1
	cellctl inspect hpersist | grep -q '"NetworkMode": "host"' ||
	    return 1
	stop_celld
	start_celld || return 1
	out=$(cellctl inspect hpersist)
	echo "$out" | grep -E 'NetworkMode|"Network"|Running'
	echo "$out" | grep -q '"NetworkMode": "host"' &&
	    echo "$out" | grep -q '"Network": "host"' &&
	    echo "$out" | grep -q '"Running": true' &&
	    cellctl stop -t 1 hpersist >/dev/null &&
	    cellctl start hpersist >/dev/null &&
	    cellctl exec hpersist ip -o addr | grep -q 'inet 192.0.2.1/32'
}

t_rm_leaves_nothing_behind() {
	before=$(ip -o link; ip -o addr; nft list ruleset 2>/dev/null)
	cellctl run -d --name hgone --network host busybox sleep 1000 \
	    >/dev/null || return 1
	id=$(cellctl inspect hgone | sed -n 's/.*"Id": "\([0-9a-f]*\)".*/\1/p')
	cellctl rm -f hgone >/dev/null || return 1
	after=$(ip -o link; ip -o addr; nft list ruleset 2>/dev/null)
	left=$(ls "$T/lib/containers" | grep "$id")
	leases=$(grep -rl "$id" "$T/lib/networks" 2>/dev/null)
	echo "left: $left; leases: $leases"
	[ "$before" = "$after" ] && [ -z "$left" ] && [ -z "$leases" ]
}

run_tests "$@"
