# network connect / disconnect (issue 4): containers on several networks,
# running or stopped, across celld restarts and a net-helper kill -9;
# who may connect what; rm leaving nothing; and a hostile container root
# during a connect; where the default route goes when its network is
# disconnected.  The test's own net namespace is "the host"; EXT, a
# namespace of its own linked to it by a veth, is "another host" (as in
# 60-network.sh).  Traffic goes only to the containers and EXT.
. tests/lib.sh
trap 'del_users; cleanup' EXIT
. tests/userlib.sh

add_user UA && add_user UB || exit 1
write_conf "policy group \"cell\" { max containers 5 }
policy user \"root\" { admin }"
start_celld || exit 1
cellctl network create na --subnet 10.210.0.0/24 >/dev/null &&
    cellctl network create nb --subnet 10.211.0.0/24 >/dev/null &&
    cellctl network create ng --subnet 10.213.0.0/24 >/dev/null &&
    cellctl network create --internal ni --subnet 10.214.0.0/24 \
    >/dev/null || exit 1

# EXT: 192.168.77.2 and 2001:db8:77::2; the host .1 and ::1 on its side
# of the link.  It answers "ext PEER" to anyone on port 9000, both
# families; what the containers send it is masqueraded by the host.
unshare --net sleep 100000 &
EXT=$!
sleep 0.2
ext() { nsenter -t "$EXT" -n "$@"; }
ip link add vhost type veth peer name vext netns /proc/$EXT/ns/net &&
    ip addr add 192.168.77.1/24 dev vhost &&
    ip -6 addr add 2001:db8:77::1/64 dev vhost nodad &&
    ip link set vhost up || exit 1
ext ip addr add 192.168.77.2/24 dev vext &&
    ext ip -6 addr add 2001:db8:77::2/64 dev vext nodad &&
    ext ip link set vext up && ext ip link set lo up || exit 1
ext python3 -c '
import socket
s = socket.socket(socket.AF_INET6)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.bind(("::", 9000)); s.listen(16)
while True:
	c, a = s.accept(); c.sendall(("ext " + a[0] + "\n").encode()); c.close()
' &

# a web server answering "hi-NAME" on port 80: serve NAME [run flags]
serve() {
	_n=$1
	shift
	cellctl run -d --name "$_n" "$@" busybox sh -c "mkdir -p /www &&
	    echo hi-$_n > /www/index.html && exec httpd -f -p 80 -h /www" \
	    >/dev/null
}

# the IPv4 address of a container's interface, seen from inside
addr_of() {	# container [ifname]
	cellctl exec "$1" ip -4 -o addr show "${2:-eth0}" 2>/dev/null |
	    sed -n 's/.* inet \([0-9.]*\)\/.*/\1/p'
}

# GET / from inside container c to address a: the body, or nothing
fetch() {	# container address
	cellctl exec "$1" sh -c "printf 'GET / HTTP/1.0\r\n\r\n' |
	    nc -w 1 $2 80 | tail -1" 2>/dev/null
}

id_of() {
	cellctl inspect "$1" | sed -n 's/.*"Id": "\([0-9a-f]*\)".*/\1/p'
}

leases() {	# network id: how many leases id holds there
	grep -c " $2\$" "$T/lib/networks/$1.leases"
}

# a hot connect to a dual-stack network brings its IPv6 address too, and
# the container reaches a peer there over v6; disconnect gives both back
t_connect_to_a_dual_stack_network_brings_v6() {
	cellctl network create n6 --ipv6 --subnet 10.212.0.0/24 \
	    --subnet fd00:212::/64 >/dev/null || return 1
	serve w6 --network n6 || return 1
	cellctl run -d --name c6 --network na busybox sleep 1000 \
	    >/dev/null || return 1
	cellctl network connect n6 c6 || return 1
	a6=$(cellctl exec c6 ip -6 -o addr show eth1 scope global |
	    sed -n 's/.* inet6 \([0-9a-f:]*\)\/64.*/\1/p')
	w=$(cellctl exec w6 ip -6 -o addr show eth0 scope global |
	    sed -n 's/.* inet6 \([0-9a-f:]*\)\/64.*/\1/p')
	body=$(cellctl exec c6 sh -c "printf 'GET / HTTP/1.0\r\n\r\n' |
	    nc -w 2 $w 80 | tail -1" 2>/dev/null)
	cellctl network disconnect n6 c6 || return 1
	left=$(grep -c " $(id_of c6)\$" "$T/lib/networks/n6.leases6")
	cellctl rm -f c6 w6 >/dev/null
	cellctl network rm n6 >/dev/null
	echo "c6 eth1: $a6; w6: $w; over v6: $body; leases6 left: $left"
	case "$a6" in fd00:212::*) ;; *) return 1 ;; esac
	[ "$body" = hi-w6 ] && [ "$left" = 0 ]
}

t_connect_running_reaches_both_then_disconnect_frees_the_lease() {
	serve wa --network na && serve wb --network nb || return 1
	cellctl run -d --name c1 --network na busybox sleep 1000 \
	    >/dev/null || return 1
	ipa=$(addr_of wa) ipb=$(addr_of wb)
	before=$(fetch c1 "$ipb")
	cellctl network connect nb c1 || return 1
	eth1=$(addr_of c1 eth1)
	viaa=$(fetch c1 "$ipa") viab=$(fetch c1 "$ipb")
	route=$(cellctl exec c1 ip route)
	# inspect's MacAddress is the interface's: 02:42 and its address
	mac=$(cellctl exec c1 cat /sys/class/net/eth1/address)
	imac=$(cellctl inspect c1 | grep -c "\"MacAddress\": \"$mac\"")
	nets=$(cellctl inspect c1 | grep -c '"NetworkID": "n[ab]"')
	members=$(cellctl network inspect nb | grep -c '"Name": "c1"')
	cellctl network disconnect nb c1 || return 1
	after=$(fetch c1 "$ipb") still=$(fetch c1 "$ipa")
	gone=$(cellctl exec c1 cat /sys/class/net/eth1/operstate 2>&1)
	id=$(id_of c1) left=$(leases nb "$(id_of c1)")
	# the freed address goes to a new container that asks for it
	new=$(cellctl run --rm --network nb --ip "$eth1" busybox \
	    ip -4 -o addr show eth0 2>&1)
	cellctl rm -f wa wb c1 >/dev/null
	echo "wa $ipa wb $ipb; before '$before'; eth1 $eth1: '$viaa' '$viab'"
	echo "route: $route; mac $mac, in inspect $imac"
	echo "inspect networks $nets, members $members; after '$after'"
	echo "'$still'; eth1: $gone; leases of $id on nb: $left; new: $new"
	[ -z "$before" ] && [ "$viaa" = hi-wa ] && [ "$viab" = hi-wb ] &&
	    echo "$eth1" | grep -q '^10\.211\.0\.' &&
	    echo "$route" | grep -q '^default via 10.210.0.1 dev eth0' &&
	    ! echo "$route" | grep -q 'default.*eth1' &&
	    [ "$nets" = 2 ] && [ "$members" = 1 ] && [ -z "$after" ] &&
	    echo "$mac" | grep -q '^02:42:0a:d3:00:' && [ "$imac" = 1 ] &&
	    [ "$still" = hi-wa ] && echo "$gone" | grep -q 'No such file' &&
	    [ "$left" = 0 ] && echo "$new" | grep -q "inet $eth1/24"
}

t_connect_with_ip_and_its_clear_errors() {
	cellctl run -d --name c2 --network na busybox sleep 1000 \
	    >/dev/null || return 1
	cellctl network connect --ip 10.211.0.77 nb c2 || return 1
	a=$(addr_of c2 eth1)
	twice=$(cellctl network connect nb c2 2>&1); rc1=$?
	taken=$(cellctl run --rm --network nb --ip 10.211.0.77 busybox true \
	    2>&1); rc2=$?
	outside=$(cellctl create --name c3 busybox true >/dev/null &&
	    cellctl network connect --ip 10.1.2.3 nb c3 2>&1); rc3=$?
	notthere=$(cellctl network disconnect nb c3 2>&1); rc4=$?
	nosuch=$(cellctl network connect nb nosuch 2>&1); rc5=$?
	cellctl rm -f c2 c3 >/dev/null
	echo "eth1 $a; twice $rc1 $twice; taken $rc2 $taken"
	echo "outside $rc3 $outside; not there $rc4 $notthere; $rc5 $nosuch"
	[ "$a" = 10.211.0.77 ] && [ $rc1 = 125 ] && [ $rc2 = 125 ] &&
	    [ $rc3 = 125 ] && [ $rc4 = 125 ] && [ $rc5 = 125 ] &&
	    echo "$twice" | grep -q 'already on that network' &&
	    echo "$taken" | grep -q 'already in use' &&
	    echo "$outside" | grep -q 'not an address of the network' &&
	    echo "$notthere" | grep -q 'not on that network' &&
	    echo "$nosuch" | grep -q 'no such container' &&
	    [ "$(echo "$twice" | wc -l)" = 1 ]
}

# both interfaces up after start, a celld restart, a net-helper kill -9
# (replayed) and a restart of the container
both_up() {	# container
	_a=$(addr_of "$1" eth0) _b=$(addr_of "$1" eth1)
	echo "$1: eth0 $_a eth1 $_b"
	echo "$_a" | grep -q '^10\.210\.0\.' && [ "$_b" = 10.211.0.60 ] &&
	    [ "$(fetch "$1" "$(addr_of wb2)")" = hi-wb2 ]
}

t_connect_stopped_survives_start_celld_restart_and_net_helper_kill() {
	serve wb2 --network nb || return 1
	cellctl create --name s1 --network na busybox sleep 1000 \
	    >/dev/null || return 1
	cellctl network connect --ip 10.211.0.60 nb s1 || return 1
	cellctl start s1 >/dev/null || return 1
	both_up s1 || return 1
	id=$(id_of s1)
	stop_celld
	start_celld || return 1
	both_up s1 || return 1
	la=$(leases na "$id") lb=$(leases nb "$id")
	old=$(proc_pid net-helper)
	kill -9 "$old"
	i=0
	while [ $i -lt 50 ]; do
		new=$(proc_pid net-helper) && [ "$new" != "$old" ] && break
		sleep 0.1
		i=$((i + 1))
	done
	sleep 0.3
	both_up s1 || return 1
	cellctl restart s1 >/dev/null || return 1
	both_up s1 || return 1
	cellctl stop s1 >/dev/null
	cellctl start s1 >/dev/null || return 1
	both_up s1 || return 1
	cellctl rm -f s1 wb2 >/dev/null
	echo "leases after the restart: na $la nb $lb; net-helper $old $new"
	[ "$la" = 1 ] && [ "$lb" = 1 ] && [ "$new" != "$old" ]
}

# attack: B connects A's container, and B's container to A's network
t_user_b_cannot_connect_user_as_container_or_network() {
	ctl_as "$UA" run -d --name ua1 --network none busybox sleep 1000 \
	    >/dev/null || return 1
	ctl_as "$UA" network create apriv >/dev/null || return 1
	ctl_as "$UB" run -d --name ub1 --network none busybox sleep 1000 \
	    >/dev/null || return 1
	c1=$(ctl_as "$UB" network connect na ua1 2>&1); rc1=$?
	c2=$(ctl_as "$UB" network connect apriv ub1 2>&1); rc2=$?
	d1=$(ctl_as "$UB" network disconnect na ua1 2>&1); rc3=$?
	own=$(ctl_as "$UA" network connect apriv ua1 2>&1); rc4=$?
	ifs=$(ctl_as "$UA" exec ua1 ls /sys/class/net | tr '\n' ' ')
	# its first network: the default route
	route=$(ctl_as "$UA" exec ua1 ip route | grep -c '^default via 10\.')
	audit=$(grep -c '"verb":"network-connect"' "$T/lib/audit.log")
	ctl_as "$UA" rm -f ua1 >/dev/null
	ctl_as "$UB" rm -f ub1 >/dev/null
	ctl_as "$UA" network rm apriv >/dev/null
	echo "B->A's: $rc1 $c1 / B->apriv: $rc2 $c2 / B disc: $rc3 $d1"
	echo "A's own: $rc4 $own; ua1 has: $ifs, default $route;"
	echo "audit lines $audit"
	[ $rc1 = 125 ] && [ $rc2 = 125 ] && [ $rc3 = 125 ] && [ $rc4 = 0 ] &&
	    echo "$c1" | grep -q 'no such container' &&
	    echo "$c2" | grep -q 'another user' &&
	    echo "$d1" | grep -q 'no such container' &&
	    [ "$ifs" = "eth0 lo " ] && [ "$route" = 1 ] && [ "$audit" -ge 3 ]
}

t_rm_of_a_multi_network_container_leaves_nothing() {
	serve m1 --network na -p 8095:80 || return 1
	cellctl network connect nb m1 || return 1
	cellctl network create nc --subnet 10.212.0.0/24 >/dev/null &&
	    cellctl network connect nc m1 || return 1
	id=$(id_of m1) id12=$(id_of m1 | cut -c1-12)
	before=$(ip -o link | grep -c " cv$id12")
	rules=$(nft list table inet celld | grep -c 'dport 8095')
	cellctl rm -f m1 >/dev/null
	sleep 0.3
	veths=$(ip -o link | grep -c " cv$id12")
	left=$(nft list table inet celld | grep -c 'dport 8095')
	l=$(cat "$T/lib/networks/"*.leases | grep -c "$id")
	cellctl network rm nc >/dev/null
	echo "veths $before then $veths; port rules $rules then $left; leases $l"
	[ "$before" = 3 ] && [ "$veths" = 0 ] && [ "$rules" = 2 ] &&
	    [ "$left" = 0 ] && [ "$l" = 0 ]
}

# ports belong to the network they were published on: its disconnect
# drops them; the last disconnect leaves lo alone
t_disconnect_drops_ports_and_the_last_leaves_lo() {
	serve p1 --network na -p 8096:80 || return 1
	cellctl network connect nb p1 || return 1
	cellctl network disconnect na p1 || return 1
	rules=$(nft list table inet celld | grep -c 'dport 8096')
	port=$(cellctl port p1)
	ifs1=$(cellctl exec p1 ls /sys/class/net | tr '\n' ' ')
	cellctl network disconnect nb p1 || return 1
	ifs2=$(cellctl exec p1 ls /sys/class/net | tr '\n' ' ')
	net=$(cellctl inspect p1 | grep -c '"Network": "none"')
	cellctl stop p1 >/dev/null && cellctl start p1 >/dev/null || return 1
	ifs3=$(cellctl exec p1 ls /sys/class/net | tr '\n' ' ')
	cellctl rm -f p1 >/dev/null
	echo "rules $rules port '$port'; $ifs1 / $ifs2 / $ifs3; none $net"
	[ "$rules" = 0 ] && [ -z "$port" ] && [ "$ifs1" = "eth1 lo " ] &&
	    [ "$ifs2" = "lo " ] && [ "$ifs3" = "lo " ] && [ "$net" = 1 ]
}

# hostile: the container root holds eth1 already (takes the name): the
# connect fails, nothing leaks, the container and its eth0 are fine
t_container_holding_eth1_gets_a_failed_connect_only() {
	serve h1 --network na --cap-add NET_ADMIN || return 1
	cellctl exec h1 ip link add eth1 type bridge || return 1
	id=$(id_of h1) id12=$(id_of h1 | cut -c1-12)
	out=$(cellctl network connect nb h1 2>&1); rc=$?
	veth=$(ip -o link | grep -c " cv${id12}1")
	l=$(leases nb "$id")
	st=$(cellctl inspect h1 | grep -c '"Running": true')
	e0=$(fetch h1 10.210.0.1 >/dev/null; addr_of h1 eth0)
	# others still connect
	cellctl run -d --name h2 --network na busybox sleep 100 >/dev/null &&
	    cellctl network connect nb h2 || return 1
	ok=$(addr_of h2 eth1)
	cellctl rm -f h1 h2 >/dev/null
	echo "connect: $rc $out; veth $veth lease $l running $st eth0 $e0"
	echo "h2 eth1: $ok"
	[ $rc = 125 ] && [ "$(echo "$out" | wc -l)" = 1 ] &&
	    echo "$out" | grep -q 'network connect' && [ "$veth" = 0 ] &&
	    [ "$l" = 0 ] && [ "$st" = 1 ] && [ -n "$e0" ] && [ -n "$ok" ]
}

# hostile: the container root renames and deletes every ethN it sees,
# in a loop, while a connect runs.  The connect fails (or, if it won the
# race, gave a working eth1); either way nothing leaks, celld lives, and
# disconnect and rm clean up whatever the container did to the name.
t_container_renaming_eth1_during_connect_breaks_only_itself() {
	cellctl run -d --name r1 --network na --cap-add NET_ADMIN busybox \
	    sh -c 'while :; do ip link set eth1 name evil 2>/dev/null;
	    ip link del evil 2>/dev/null; done' >/dev/null || return 1
	id=$(id_of r1) id12=$(id_of r1 | cut -c1-12)
	out=$(cellctl network connect nb r1 2>&1); rc=$?
	sleep 0.2
	if [ $rc = 0 ]; then
		cellctl network disconnect nb r1 2>&1 || return 1
	fi
	veth=$(ip -o link | grep -c " cv${id12}1")
	l=$(leases nb "$id")
	alive=$(cellctl ping >/dev/null && echo yes)
	cellctl run -d --name r2 --network na busybox sleep 100 >/dev/null &&
	    cellctl network connect nb r2 || return 1
	ok=$(addr_of r2 eth1)
	cellctl rm -f r1 r2 >/dev/null
	echo "connect: $rc $out; veth $veth lease $l celld $alive r2 $ok"
	{ [ $rc = 0 ] || { [ $rc = 125 ] &&
	    echo "$out" | grep -q 'network connect'; }; } &&
	    [ "$veth" = 0 ] && [ "$l" = 0 ] && [ "$alive" = yes ] &&
	    echo "$ok" | grep -q '^10\.211\.0\.'
}

# a renamed ethN still goes with its disconnect: the host end is ours
t_disconnect_after_the_container_renamed_eth1() {
	cellctl run -d --name q1 --network na --cap-add NET_ADMIN busybox \
	    sleep 1000 >/dev/null || return 1
	cellctl network connect nb q1 || return 1
	cellctl exec q1 sh -c 'ip link set eth1 down &&
	    ip link set eth1 name other' || return 1
	id12=$(id_of q1 | cut -c1-12)
	cellctl network disconnect nb q1 || return 1
	veth=$(ip -o link | grep -c " cv${id12}1")
	ifs=$(cellctl exec q1 ls /sys/class/net | tr '\n' ' ')
	cellctl rm -f q1 >/dev/null
	echo "veth $veth; q1 has $ifs"
	[ "$veth" = 0 ] && [ "$ifs" = "eth0 lo " ]
}

# a config.json written before network connect has no "networks": the
# container is read as on its create's network, and starts on it
t_state_saved_before_connect_still_loads() {
	cellctl create --name o1 --network na busybox sleep 1000 \
	    >/dev/null || return 1
	cellctl create --name o2 --network none busybox sleep 1000 \
	    >/dev/null || return 1
	i1=$(id_of o1) i2=$(id_of o2)
	stop_celld
	for i in $i1 $i2; do
		sed -i 's/,"networks":\[[^]]*\]//' \
		    "$T/lib/containers/$i/config.json" || return 1
	done
	left=$(cat "$T/lib/containers/$i1/config.json" \
	    "$T/lib/containers/$i2/config.json" | grep -c '"networks"')
	start_celld || return 1
	cellctl start o1 o2 >/dev/null || return 1
	a=$(addr_of o1) n1=$(cellctl inspect o1 | grep -c '"NetworkID": "na"')
	ifs=$(cellctl exec o2 ls /sys/class/net | tr '\n' ' ')
	cellctl rm -f o1 o2 >/dev/null
	echo "left $left; o1 $a ($n1 in inspect); o2 has $ifs"
	[ "$left" = 0 ] && echo "$a" | grep -q '^10\.210\.0\.' &&
	    [ "$n1" = 1 ] && [ "$ifs" = "lo " ]
}

# what a container reaches of EXT on port 9000: "ext PEER", or nothing
reach() {	# container [address]
	cellctl exec "$1" sh -c "echo x | nc -w 2 ${2:-192.168.77.2} 9000" \
	    2>/dev/null
}

# a container's default routes, "GATEWAY DEV;" each, from inside
defroute() {	# container [-6]
	cellctl exec "$1" ip ${2:-} route 2>/dev/null |
	    sed -n 's/^default via \([0-9a-f.:]*\) dev \(eth[0-9]\).*/\1 \2;/p' |
	    tr -d '\n'
}

# which network inspect says holds the default route ("name name..");
# with 6, the IPv6 one
gwnet() {	# container [6]
	cellctl inspect "$1" | awk -F'"' -v k="DefaultRoute${2:-}" '
	    /"NetworkID":/ { n = $4 }
	    $2 == k && /: true/ { printf "%s ", n }'
}

# the network of eth0 (na) holds the default route and is disconnected:
# the route moves to the remaining network that is not internal with
# the lowest ethN (nb, eth1: connected last, so not the first in the
# list, which is ng's eth2), and real traffic reaches EXT through it.
# A celld restart keeps the choice (a connect after it takes nothing),
# and so does a restart of the container, which numbers the interfaces
# again (ng eth0, nb eth1, na eth2)
t_disconnect_of_the_default_route_network_moves_it_to_the_lowest_eth() {
	cellctl run -d --name g1 --network na busybox sleep 1000 \
	    >/dev/null || return 1
	cellctl network connect nb g1 && cellctl network connect ng g1 &&
	    cellctl network disconnect nb g1 &&
	    cellctl network connect nb g1 || return 1
	r0=$(defroute g1) x0=$(reach g1) n0=$(gwnet g1)
	cellctl network disconnect na g1 || return 1
	r1=$(defroute g1) x1=$(reach g1) n1=$(gwnet g1)
	ifs=$(cellctl exec g1 ls /sys/class/net | tr '\n' ' ')
	stop_celld
	start_celld || return 1
	r2=$(defroute g1)
	cellctl network connect na g1 || return 1
	r3=$(defroute g1) x3=$(reach g1)
	cellctl restart g1 >/dev/null || return 1
	r4=$(defroute g1) x4=$(reach g1) n4=$(gwnet g1)
	cellctl stop g1 >/dev/null && cellctl start g1 >/dev/null || return 1
	r5=$(defroute g1)
	cellctl rm -f g1 >/dev/null
	echo "before: $r0 $x0 ($n0); after: $r1 $x1 ($ifs, $n1)"
	echo "celld restarted: $r2, connect na: $r3 $x3"
	echo "container restarted: $r4 $x4 ($n4), stop/start: $r5"
	[ "$n0" = "na " ] && [ "$n1" = "nb " ] && [ "$n4" = "nb " ] &&
	    [ "$r0" = "10.210.0.1 eth0;" ] && [ "$ifs" = "eth1 eth2 lo " ] &&
	    [ "$r1" = "10.211.0.1 eth1;" ] && [ "$r2" = "$r1" ] &&
	    [ "$r3" = "$r1" ] && [ "$r4" = "10.211.0.1 eth1;" ] &&
	    [ "$r5" = "$r4" ] && echo "$x0 $x1 $x3 $x4" |
	    grep -q '^ext [^ ]* ext [^ ]* ext [^ ]* ext [^ ]*$'
}

# attack: a container on na and ni (internal) leaves na: ni must give
# no way out, so no default route is left and EXT is out of reach; its
# root (NET_ADMIN) adding a default route via ni's gateway itself still
# gets nowhere (the forward rules).  A connect to nb then gives a way
# out again (replacing the root's route), kept across a restart
t_internal_network_left_alone_gives_no_way_out_until_a_normal_connect() {
	cellctl run -d --name i1 --network na --cap-add NET_ADMIN busybox \
	    sleep 1000 >/dev/null || return 1
	cellctl network connect ni i1 || return 1
	x0=$(reach i1)
	cellctl network disconnect na i1 || return 1
	r1=$(defroute i1) x1=$(reach i1)
	host=$(cellctl exec i1 sh -c 'echo x | nc -w 2 192.168.77.1 9000' \
	    2>&1)
	cellctl exec i1 ip route add default via 10.214.0.1 || return 1
	x2=$(reach i1)
	cellctl network connect nb i1 || return 1
	r3=$(defroute i1) x3=$(reach i1)
	cellctl stop i1 >/dev/null && cellctl start i1 >/dev/null || return 1
	r4=$(defroute i1) x4=$(reach i1)
	cellctl rm -f i1 >/dev/null
	echo "on na+ni: $x0; ni alone: '$r1' '$x1' host: $host"
	echo "root's own route: '$x2'; connect nb: $r3 $x3; restart: $r4 $x4"
	echo "$x0" | grep -q '^ext ' && [ -z "$r1" ] && [ -z "$x1" ] &&
	    [ -z "$x2" ] && [ "$r3" = "10.211.0.1 eth0;" ] &&
	    echo "$x3" | grep -q '^ext ' && [ "$r4" = "10.211.0.1 eth1;" ] &&
	    echo "$x4" | grep -q '^ext '
}

# a container started on an internal network only has no default route;
# its first connect to a network that is not internal gives one, a
# second connect takes nothing, and a disconnect of that network leaves
# none again
t_internal_only_container_gets_its_route_from_a_normal_connect() {
	cellctl run -d --name i2 --network ni busybox sleep 1000 \
	    >/dev/null || return 1
	r1=$(defroute i2) x1=$(reach i2)
	cellctl network connect nb i2 && cellctl network connect ng i2 ||
	    return 1
	r2=$(defroute i2) x2=$(reach i2)
	cellctl network disconnect ng i2 && cellctl network disconnect nb i2 ||
	    return 1
	r3=$(defroute i2) x3=$(reach i2)
	cellctl rm -f i2 >/dev/null
	echo "ni only: '$r1' '$x1'; +nb +ng: $r2 $x2; -ng -nb: '$r3' '$x3'"
	[ -z "$r1" ] && [ -z "$x1" ] && [ "$r2" = "10.211.0.1 eth1;" ] &&
	    echo "$x2" | grep -q '^ext ' && [ -z "$r3" ] && [ -z "$x3" ]
}

# hostile: the container root renames eth1 away before its default
# route's network (eth0's) is disconnected.  The disconnect is done and
# says the route did not move, in one line; the container has no
# default route meanwhile (nothing else got it), and its next start
# gives it through nb, the network recorded for it
t_route_move_failing_is_reported_and_the_next_start_fixes_it() {
	cellctl run -d --name f1 --network na --cap-add NET_ADMIN busybox \
	    sleep 1000 >/dev/null || return 1
	cellctl network connect nb f1 || return 1
	cellctl exec f1 sh -c 'ip link set eth1 down &&
	    ip link set eth1 name other' || return 1
	out=$(cellctl network disconnect na f1 2>&1); rc=$?
	on=$(cellctl inspect f1 | grep -c '"NetworkID": "na"')
	r1=$(defroute f1) alive=$(cellctl ping >/dev/null && echo yes)
	cellctl stop f1 >/dev/null && cellctl start f1 >/dev/null || return 1
	r2=$(defroute f1) x2=$(reach f1)
	cellctl rm -f f1 >/dev/null
	echo "disconnect: $rc $out; still on na: $on; route '$r1' celld $alive"
	echo "after a restart: $r2 $x2"
	[ $rc = 125 ] && [ "$(echo "$out" | wc -l)" = 1 ] &&
	    echo "$out" | grep -q 'default route did not move to eth1 (nb)' &&
	    [ "$on" = 0 ] && [ -z "$r1" ] && [ "$alive" = yes ] &&
	    [ "$r2" = "10.211.0.1 eth0;" ] && echo "$x2" | grep -q '^ext '
}

# dual-stack: the v6 default route moves with the v4 one, and v6
# traffic reaches EXT through the remaining network
t_disconnect_moves_the_v6_default_route_too() {
	cellctl network create d1 --ipv6 --subnet 10.215.0.0/24 \
	    --subnet fd00:215::/64 >/dev/null &&
	    cellctl network create d2 --ipv6 --subnet 10.216.0.0/24 \
	    --subnet fd00:216::/64 >/dev/null || return 1
	cellctl run -d --name v1 --network d1 busybox sleep 1000 \
	    >/dev/null || return 1
	cellctl network connect d2 v1 || return 1
	r0=$(defroute v1 -6)
	cellctl network disconnect d1 v1 || return 1
	r4=$(defroute v1) r6=$(defroute v1 -6)
	x4=$(reach v1) x6=$(reach v1 2001:db8:77::2)
	cellctl rm -f v1 >/dev/null
	cellctl network rm d1 d2 >/dev/null
	echo "v6 before: $r0; after: $r4 $r6; over v4: $x4; over v6: $x6"
	[ "$r0" = "fd00:215::1 eth0;" ] && [ "$r4" = "10.216.0.1 eth1;" ] &&
	    [ "$r6" = "fd00:216::1 eth1;" ] && echo "$x4" | grep -q '^ext ' &&
	    [ "$x6" = "ext 2001:db8:77::1" ]
}

# an IPv4-only first network holds the v4 route; the v6 one comes from
# the dual-stack network connected next, and v6 traffic reaches EXT
# through it.  inspect says which holds which, a celld restart keeps
# both, and so does a restart of the container, which numbers the
# interfaces again
t_v6_default_route_comes_from_a_dual_stack_network() {
	cellctl network create d3 --ipv6 --subnet 10.217.0.0/24 \
	    --subnet fd00:217::/64 >/dev/null || return 1
	cellctl run -d --name w1 --network na busybox sleep 1000 \
	    >/dev/null || return 1
	n6=$(defroute w1 -6)
	cellctl network connect d3 w1 || return 1
	r4=$(defroute w1) r6=$(defroute w1 -6) x6=$(reach w1 2001:db8:77::2)
	g4=$(gwnet w1) g6=$(gwnet w1 6)
	stop_celld
	start_celld || return 1
	cellctl restart w1 >/dev/null || return 1
	s4=$(defroute w1) s6=$(defroute w1 -6) t4=$(gwnet w1) t6=$(gwnet w1 6)
	cellctl rm -f w1 >/dev/null
	cellctl network rm d3 >/dev/null
	echo "alone on na: v6 '$n6'; with d3: $r4 $r6 ($g4/$g6) $x6"
	echo "restarted: $s4 $s6 ($t4/$t6)"
	[ -z "$n6" ] && [ "$r4" = "10.210.0.1 eth0;" ] &&
	    [ "$r6" = "fd00:217::1 eth1;" ] && [ "$g4" = "na " ] &&
	    [ "$g6" = "d3 " ] && [ "$x6" = "ext 2001:db8:77::1" ] &&
	    [ "$s4" = "$r4" ] && [ "$s6" = "$r6" ] && [ "$t4" = "$g4" ] &&
	    [ "$t6" = "$g6" ]
}

# one dual-stack network held both routes and goes: the v4 route moves
# to the lowest ethN that may hold it (na, IPv4 only), the v6 one to the
# lowest dual-stack one (d5): two networks, two moves, both working
t_disconnect_splits_the_routes_between_two_networks() {
	cellctl network create d4 --ipv6 --subnet 10.218.0.0/24 \
	    --subnet fd00:218::/64 >/dev/null &&
	    cellctl network create d5 --ipv6 --subnet 10.219.0.0/24 \
	    --subnet fd00:219::/64 >/dev/null || return 1
	cellctl run -d --name w2 --network d4 busybox sleep 1000 \
	    >/dev/null || return 1
	cellctl network connect na w2 && cellctl network connect d5 w2 ||
	    return 1
	b4=$(defroute w2) b6=$(defroute w2 -6)
	cellctl network disconnect d4 w2 || return 1
	r4=$(defroute w2) r6=$(defroute w2 -6)
	x4=$(reach w2) x6=$(reach w2 2001:db8:77::2)
	g4=$(gwnet w2) g6=$(gwnet w2 6)
	cellctl network disconnect d5 w2 || return 1
	l6=$(defroute w2 -6) h6=$(gwnet w2 6) l4=$(defroute w2)
	cellctl rm -f w2 >/dev/null
	cellctl network rm d4 d5 >/dev/null
	echo "before: $b4 $b6; after: $r4 $r6 ($g4/$g6) $x4 $x6"
	echo "d5 gone too: v4 $l4, v6 '$l6' '$h6'"
	[ "$b4" = "10.218.0.1 eth0;" ] && [ "$b6" = "fd00:218::1 eth0;" ] &&
	    [ "$r4" = "10.210.0.1 eth1;" ] && [ "$r6" = "fd00:219::1 eth2;" ] &&
	    [ "$g4" = "na " ] && [ "$g6" = "d5 " ] &&
	    echo "$x4" | grep -q '^ext ' &&
	    [ "$x6" = "ext 2001:db8:77::1" ] && [ "$l4" = "$r4" ] &&
	    [ -z "$l6" ] && [ -z "$h6" ]
}

run_tests "$@"
