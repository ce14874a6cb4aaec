# IPv6 dual-stack networks: addresses, reachability, isolation, NAT,
# published ports, leases across restarts and cleanup, over IPv6.  Each
# isolation test attacks the property and fails if the attack works.
# The test's own net namespace is "the host"; EXT, a namespace of its own
# linked to it by a veth (2001:db8:77::1 here, 2001:db8:77::2 there), is
# "another host".  Traffic goes nowhere else.
. tests/lib.sh
trap 'cleanup' EXIT

# c6, c7: dual-stack networks of celld.conf's (subnet6 and an IPv6
# gateway; ipv6 alone)
write_conf "network \"cell0\" { bridge \"cell0\" subnet 10.88.0.0/16 nat }
network \"c6\" { bridge \"cell6\" subnet 10.220.0.0/24 subnet6 fd00:220::/64
    gateway fd00:220::fe nat }
network \"c7\" { bridge \"cell7\" subnet 10.221.0.0/24 ipv6 nat }
policy user \"root\" { admin }"
start_celld || exit 1

unshare --net sleep 100000 &
EXT=$!
sleep 0.2
ext() { nsenter -t "$EXT" -n "$@"; }
ip link add vhost type veth peer name vext netns /proc/$EXT/ns/net
ip -6 addr add 2001:db8:77::1/64 dev vhost nodad
ip link set vhost up
ext ip -6 addr add 2001:db8:77::2/64 dev vext nodad
ext ip link set vext up
ext ip link set lo up
ext ip -6 route add default via 2001:db8:77::1

ip6of() {	# container: its v6 address, from inspect
	cellctl inspect "$1" |
	    sed -n 's/.*"GlobalIPv6Address": "\([0-9a-f:]*\)".*/\1/p' | head -1
}

# a web server answering "hi-NAME" on port 80 (v4 and v6)
serve() {	# name [run flags]
	_n=$1
	shift
	cellctl run -d --name "$_n" "$@" busybox sh -c "mkdir -p /www &&
	    echo hi-$_n > /www/index.html && exec httpd -f -p 80 -h /www" \
	    >/dev/null
}

# fetch / from a fresh container on a network, over whatever addr is
get_from() {	# network address
	cellctl run --rm --network "$1" busybox sh -c "printf 'GET / \
HTTP/1.0\r\n\r\n' | nc -w 2 $2 80 | tail -1" 2>&1
}

# fetch http://[ADDR]:PORT/ from a namespace (python3: no busybox needed)
fetch6() {	# addr port [ext]
	_py='
import socket, sys, time
for i in range(30):
	try:
		s = socket.create_connection((sys.argv[1], int(sys.argv[2])), 1)
		s.sendall(b"GET / HTTP/1.0\r\n\r\n")
		print(s.makefile().read().split("\n")[-2]); sys.exit(0)
	except OSError:
		time.sleep(0.1)
sys.exit(1)'
	if [ "${3:-}" = ext ]; then
		ext python3 -c "$_py" "$1" "$2" 2>/dev/null
	else
		python3 -c "$_py" "$1" "$2" 2>/dev/null
	fi
}

t_dual_stack_container_has_v6_address_and_route() {
	cellctl network create d6 --ipv6 --subnet 10.210.0.0/24 \
	    --subnet fd00:210::/64 >/dev/null || return 1
	out=$(cellctl run --rm --network d6 busybox sh -c \
	    'ip -6 -o addr show dev eth0 scope global; ip -6 route') ||
	    return 1
	br=$(cellctl network inspect d6 |
	    sed -n 's/.*"Bridge": "\(.*\)".*/\1/p')
	bra=$(ip -6 -o addr show dev "$br" scope global)
	cellctl network rm d6 >/dev/null
	echo "$out"; echo "bridge: $bra"
	echo "$out" | grep -q 'inet6 fd00:210::2/64' &&
	    ! echo "$out" | grep -q tentative &&
	    echo "$out" | grep -q '^default via fd00:210::1 dev eth0' &&
	    echo "$bra" | grep -q 'inet6 fd00:210::1/64' &&
	    ! echo "$bra" | grep -q tentative
}

# celld.conf's subnet6 and IPv6 gateway, and ipv6 alone; the default
# network stays v4 only
t_conf_networks_are_dual_stack() {
	serve c1 --network c6 || return 1
	a=$(ip6of c1)
	c=$(get_from c6 "$a")
	r=$(cellctl exec c1 ip -6 route show default)
	d=$(cellctl run --rm busybox ip -6 -o addr show dev eth0 scope global)
	e=$(cellctl run --rm --network c7 busybox ip -6 -o addr show dev eth0 \
	    scope global)
	ls=$(cellctl network ls)
	cellctl rm -f c1 >/dev/null
	echo "c1 at $a: $c, $r; cell0's v6: $d; c7's: $e"; echo "$ls"
	[ "$a" = fd00:220::1 ] && [ "$c" = hi-c1 ] && [ -z "$d" ] &&
	    echo "$r" | grep -q '^default via fd00:220::fe dev eth0' &&
	    echo "$ls" | grep -q '^c6 .*fd00:220::/64' &&
	    echo "$ls" | grep -q '^c7 .* fd[0-9a-f:]*::/64' &&
	    echo "$e" | grep -q 'inet6 fd[0-9a-f:]*::2/64'
}

t_same_network_reachable_over_v6() {
	cellctl network create r6 --ipv6 --subnet fd00:211::/64 >/dev/null ||
	    return 1
	serve w6 --network r6 || return 1
	a=$(ip6of w6)
	c=$(get_from r6 "$a")
	h=$(fetch6 "$a" 80)
	p=$(cellctl run --rm --network r6 busybox ping -6 -c 1 -W 2 "$a" 2>&1 |
	    grep -c '1 packets received')
	cellctl rm -f w6 >/dev/null
	cellctl network rm r6 >/dev/null
	echo "w6 at $a: from a container: $c; from the host: $h; ping $p"
	[ "$c" = hi-w6 ] && [ "$h" = hi-w6 ] && [ "$p" = 1 ]
}

# attack: reach a container on another network over v6, both ways
t_networks_are_isolated_over_v6_both_ways() {
	cellctl network create i6a --ipv6 >/dev/null &&
	    cellctl network create i6b --ipv6 >/dev/null || return 1
	serve sa --network i6a && serve sb --network i6b || return 1
	a=$(ip6of sa) b=$(ip6of sb)
	ok_a=$(get_from i6a "$a") ok_b=$(get_from i6b "$b")
	x_ab=$(get_from i6a "$b") x_ba=$(get_from i6b "$a")
	cellctl rm -f sa sb >/dev/null
	cellctl network rm i6a i6b >/dev/null
	echo "a $a b $b: a->a $ok_a b->b $ok_b a->b $x_ab b->a $x_ba"
	[ -n "$a" ] && [ -n "$b" ] && [ "$ok_a" = hi-sa ] &&
	    [ "$ok_b" = hi-sb ] && ! echo "$x_ab" | grep -q hi- &&
	    ! echo "$x_ba" | grep -q hi-
}

# EXT listens on [2001:db8:77::2]:9000 and writes who connected into $1
ext_listen6() {	# file
	ext python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET6)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("2001:db8:77::2", 9000)); s.listen(1); s.settimeout(8)
try:
	c, a = s.accept(); open(sys.argv[1], "w").write(a[0]); c.close()
except socket.timeout:
	pass
' "$1" &
	# listening before anyone calls: python starts slowly in a VM
	for _i in $(seq 100); do
		ext ss -Hltn 'sport = :9000' | grep -q . && return 0
		sleep 0.05
	done
}

t_outbound_v6_is_masqueraded() {
	cellctl network create m6 --ipv6 >/dev/null || return 1
	ext_listen6 "$T/peer6"
	cellctl run --rm --network m6 busybox sh -c \
	    'echo x | nc -w 2 2001:db8:77::2 9000'
	wait $!
	peer=$(cat "$T/peer6" 2>/dev/null)
	sub=$(cellctl network ls --json | python3 -c 'import json, sys
print([n["SubnetV6"] for n in json.load(sys.stdin) if n["Name"] == "m6"][0])')
	rule=$(nft list table inet celld | grep -c "ip6 saddr $sub masquerade")
	cellctl network rm m6 >/dev/null
	echo "EXT saw $peer; masquerade rules for $sub: $rule"
	[ "$peer" = 2001:db8:77::1 ] && [ "$rule" = 1 ]
}

# attack: leave an internal dual-stack network over v6, or come in
t_internal_network_has_no_v6_way_out() {
	cellctl network create --internal --ipv6 --subnet fd00:212::/64 \
	    n6i >/dev/null || return 1
	ext_listen6 "$T/peer7"
	out=$(cellctl run --rm --network n6i busybox sh -c \
	    'echo x | nc -w 2 2001:db8:77::2 9000' 2>&1)
	wait $!
	serve si --network n6i || return 1
	ext ip -6 route add fd00:212::/64 via 2001:db8:77::1
	in=$(fetch6 "$(ip6of si)" 80 ext)
	ext ip -6 route del fd00:212::/64 via 2001:db8:77::1
	masq=$(nft list table inet celld | grep -c 'fd00:212::/64.*masquerade')
	cellctl rm -f si >/dev/null
	cellctl network rm n6i >/dev/null
	echo "out: $out; in: $in; peer: $(cat "$T/peer7" 2>/dev/null);" \
	    "masquerade rules: $masq"
	[ ! -s "$T/peer7" ] && ! echo "$in" | grep -q hi- && [ "$masq" = 0 ]
}

t_published_port_reached_over_v6() {
	cellctl network create p6 --ipv6 >/dev/null || return 1
	serve pweb --network p6 -p 8090:80 || return 1
	e6=$(fetch6 2001:db8:77::1 8090 ext)
	p=$(cellctl port pweb)
	rules=$(nft list table inet celld | grep -c 'dport 8090 dnat ip6 to')
	# the host's own [::1] is not DNATed into a black hole: refused
	lo=$(python3 -c 'import socket
try:
	socket.create_connection(("::1", 8090), 2); print("connected")
except ConnectionRefusedError:
	print("refused")
except OSError as e:
	print(e)')
	cellctl rm -f pweb >/dev/null
	cellctl network rm p6 >/dev/null
	echo "from EXT over v6: $e6; port: $p; v6 dnat rules: $rules;" \
	    "host [::1]:8090: $lo"
	[ "$e6" = hi-pweb ] && [ "$rules" = 2 ] && [ "$lo" = refused ] &&
	    echo "$p" | grep -qx '80/tcp -> 0.0.0.0:8090' &&
	    echo "$p" | grep -qx '80/tcp -> \[::\]:8090'
}

t_published_on_a_v6_host_address_only() {
	cellctl network create p7 --ipv6 >/dev/null || return 1
	serve pw7 --network p7 -p '[2001:db8:77::1]:8091:80' || return 1
	e6=$(fetch6 2001:db8:77::1 8091 ext)
	v4=$(nft list table inet celld | grep 'dport 8091' | grep -c 'ip to')
	cellctl rm -f pw7 >/dev/null
	cellctl network rm p7 >/dev/null
	echo "from EXT: $e6; v4 rules $v4"
	[ "$e6" = hi-pw7 ] && [ "$v4" = 0 ]
}

# one host port, per family: v4-only and v6-only publications coexist, a
# third publishing on both clashes with them
t_port_conflicts_are_per_family() {
	cellctl network create pf --ipv6 >/dev/null || return 1
	serve pa --network pf -p '[::]:8095:80' &&
	    serve pb --network pf -p 127.0.0.1:8095:80 || return 1
	err=$(cellctl run -d --name pc --network pf -p 8095:80 busybox \
	    sleep 100 2>&1)
	rc=$?
	e6=$(fetch6 2001:db8:77::1 8095 ext)
	e4=$(python3 -c 'import socket
s = socket.create_connection(("127.0.0.1", 8095), 2)
s.sendall(b"GET / HTTP/1.0\r\n\r\n"); print(s.makefile().read().split("\n")[-2])')
	cellctl rm -f pa pb pc >/dev/null 2>&1
	cellctl network rm pf >/dev/null
	echo "pc: rc $rc $err; v6 -> $e6; 127.0.0.1 -> $e4"
	[ $rc = 125 ] && echo "$err" | grep -q 'port already published by p' &&
	    [ "$e6" = hi-pa ] && [ "$e4" = hi-pb ]
}

t_v6_loopback_port_is_a_clear_error() {
	err=$(cellctl run --rm -p '[::1]:8092:80' busybox true 2>&1)
	rc=$?
	echo "rc $rc: $err"
	[ $rc = 125 ] && echo "$err" | grep -q 'route_localnet' &&
	    [ "$(echo "$err" | wc -l)" = 1 ]
}

# attack: a client that is not cellctl asks for what cellctl refuses: a
# port on ::1 or a multicast address, a v6 subnet without --ipv6, a
# multicast or oversized v6 subnet, an unknown flag
t_forged_v6_requests_refused_by_the_parent() {
	out=$("$B/tests/ctlraw" "$T/celld.sock" spec6,::1 spec6,ff02::1 \
	    net6,fz1,0,fd00:230::/64 net6,fz2,4,ff02::/64 \
	    net6,fz3,4,fd00::/16 net6,fz4,0x14,fd00:231::/64 ping)
	echo "$out"
	n=$(echo "$out" | grep -c '^done 22 ')
	ls=$(cellctl network ls | grep -c '^fz')
	ps=$(cellctl ps -a -q | wc -l)
	echo "refusals $n, networks $ls, containers $ps"
	[ "$n" = 6 ] && [ "$ls" = 0 ] && [ "$ps" = 0 ] &&
	    echo "$out" | tail -1 | grep -q 'done 0'
}

t_bad_v6_options_are_clear_errors() {
	a=$(cellctl network create x1 --subnet fd00:213::/64 2>&1)
	b=$(cellctl network create x2 --ipv6 --subnet ff00::/64 2>&1)
	c=$(cellctl network create x3 --ipv6 --subnet fe80::/64 2>&1)
	d=$(cellctl network create x4 --ipv6 --subnet fd00:213::/32 2>&1)
	e=$(cellctl network create x5 --ipv6 --subnet ::ffff:0:0/96 2>&1)
	f=$(cellctl network create x6 --ipv6 --subnet fd00:213::/64 \
	    --gateway fd00:214::1 2>&1)
	g=$(cellctl run --rm --ip6 fd00:215::5 busybox true 2>&1)
	echo "$a / $b / $c / $d / $e / $f / $g"
	left=$(cellctl network ls | grep -c '^x[0-9]')
	echo "$a" | grep -q 'needs --ipv6' && echo "$b" | grep -q 48..120 &&
	    echo "$c" | grep -q 48..120 && echo "$d" | grep -q 48..120 &&
	    echo "$e" | grep -q 48..120 && echo "$f" | grep -q 'not a host' &&
	    echo "$g" | grep -q 'has no IPv6' && [ "$left" = 0 ]
}

# --ipv6 alone: a ULA /64 from the name, never one another network has
t_auto_ula_subnets_differ_and_never_overlap() {
	cellctl network create u1 --ipv6 >/dev/null &&
	    cellctl network create u2 --ipv6 >/dev/null || return 1
	s1=$(cellctl network ls --json | python3 -c 'import json,sys
print(" ".join(n["SubnetV6"] for n in json.load(sys.stdin)
    if n["Name"] in ("u1", "u2")))')
	# a network asking for u1's subnet by hand is refused
	taken=$(echo "$s1" | cut -d' ' -f1)
	dup=$(cellctl network create u3 --ipv6 --subnet "$taken" 2>&1)
	cellctl network rm u1 u2 >/dev/null
	echo "subnets: $s1; again: $dup"
	set -- $s1
	[ $# = 2 ] && [ "$1" != "$2" ] && echo "$1" | grep -q '^fd' &&
	    echo "$1" | grep -q '/64$' && echo "$dup" | grep -q overlaps
}

t_hosts_lists_v6_addresses() {
	cellctl network create h6 --ipv6 --subnet fd00:216::/64 >/dev/null ||
	    return 1
	serve ha --network h6 && serve hb --network h6 || return 1
	a=$(ip6of ha)
	hosts=$(cellctl exec hb cat /etc/hosts)
	byname=$(cellctl exec hb sh -c "printf 'GET / HTTP/1.0\r\n\r\n' |
	    nc -w 2 $a 80 | tail -1")
	cellctl rm -f ha hb >/dev/null
	cellctl network rm h6 >/dev/null
	echo "$hosts"; echo "ha by v6: $byname"
	echo "$hosts" | grep -q "^$a	[0-9a-f]* ha$" &&
	    echo "$hosts" | grep -q "^fd00:216::[0-9a-f]*	[0-9a-f]* hb$" &&
	    [ "$byname" = hi-ha ]
}

t_ip6_flag_and_inspect() {
	cellctl network create f6 --ipv6 --subnet fd00:217::/64 >/dev/null ||
	    return 1
	cellctl run -d --name f1 --network f6 --ip6 fd00:217::99 busybox \
	    sleep 100 >/dev/null || return 1
	j=$(cellctl inspect f1)
	dup=$(cellctl run -d --name f2 --network f6 --ip6 fd00:217::99 \
	    busybox sleep 100 2>&1)
	out=$(cellctl exec f1 ip -6 -o addr show dev eth0 scope global)
	ni=$(cellctl network inspect f6)
	cellctl rm -f f1 f2 >/dev/null 2>&1
	cellctl network rm f6 >/dev/null
	echo "$out; dup: $dup"
	echo "$j" | grep -q '"GlobalIPv6Address": "fd00:217::99"' &&
	    echo "$j" | grep -q '"GlobalIPv6PrefixLen": 64' &&
	    echo "$j" | grep -q '"IPv6Gateway": "fd00:217::1"' &&
	    echo "$out" | grep -q 'fd00:217::99/64' &&
	    echo "$dup" | grep -q 'address already in use' &&
	    echo "$ni" | grep -q '"IPv6Address": "fd00:217::99/64"' &&
	    echo "$ni" | grep -q '"EnableIPv6": true'
}

t_v6_leases_persist_across_restart_never_twice() {
	cellctl network create l6 --ipv6 --subnet fd00:218::/64 >/dev/null ||
	    return 1
	cellctl run -d --name q1 --network l6 busybox sleep 1000 >/dev/null ||
	    return 1
	a=$(ip6of q1)
	stop_celld
	start_celld || return 1
	b=$(ip6of q1)
	cellctl run -d --name q2 --network l6 busybox sleep 1000 >/dev/null ||
	    return 1
	c=$(ip6of q2)
	addrs=$(ip -6 -o addr show scope global | grep -c 'fd00:218::1/64')
	masq=$(nft list table inet celld | grep -c 'fd00:218::/64 .*masquerade')
	cat "$T/lib/networks/l6.leases6"
	n=$(grep -c '^fd00:218::' "$T/lib/networks/l6.leases6")
	cellctl rm -f q1 q2 >/dev/null
	n2=$(grep -c '^fd00:218::' "$T/lib/networks/l6.leases6")
	cellctl network rm l6 >/dev/null
	echo "q1 $a then $b, q2 $c; bridge addrs $addrs masq $masq leases $n then $n2"
	[ -n "$a" ] && [ "$a" = "$b" ] && [ -n "$c" ] && [ "$c" != "$a" ] &&
	    [ "$addrs" = 1 ] && [ "$masq" = 1 ] && [ "$n" = 2 ] && [ "$n2" = 0 ]
}

t_net_helper_kill_9_replays_v6() {
	cellctl network create k6 --ipv6 --subnet fd00:219::/64 >/dev/null ||
	    return 1
	serve kw --network k6 -p 8093:80 || return 1
	old=$(proc_pid net-helper)
	kill -9 "$old"
	i=0
	while [ $i -lt 50 ]; do
		new=$(proc_pid net-helper) && [ "$new" != "$old" ] && break
		sleep 0.1
		i=$((i + 1))
	done
	sleep 0.3
	e6=$(fetch6 2001:db8:77::1 8093 ext)
	n=$(nft list table inet celld | grep -c 'dport 8093 dnat ip6')
	m=$(nft list table inet celld | grep -c 'fd00:219::/64 .*masquerade')
	cellctl rm -f kw >/dev/null
	cellctl network rm k6 >/dev/null
	echo "net-helper $old -> $new; v6 port: $e6; v6 dnat $n masq $m"
	[ "$new" != "$old" ] && [ "$e6" = hi-kw ] && [ "$n" = 2 ] && [ "$m" = 1 ]
}

t_rm_and_network_rm_leave_no_v6() {
	cellctl network create z6 --ipv6 --subnet fd00:21a::/64 >/dev/null ||
	    return 1
	serve z1 --network z6 -p 8094:80 || return 1
	before=$(nft list table inet celld | grep -c 'fd00:21a')
	cellctl rm -f z1 >/dev/null
	sleep 0.3
	ports=$(nft list table inet celld | grep -c 'dport 8094')
	cellctl network rm z6 >/dev/null || return 1
	addrs=$(ip -6 -o addr | grep -c 'fd00:21a')
	rules=$(nft list table inet celld 2>/dev/null | grep -c 'fd00:21a')
	files=$(ls "$T/lib/networks")
	echo "rules before $before; ports $ports addrs $addrs rules $rules"
	echo "files: $files"
	[ "$before" -ge 2 ] && [ "$ports" = 0 ] && [ "$addrs" = 0 ] &&
	    [ "$rules" = 0 ] && ! echo "$files" | grep -q '^z6\.'
}

# last: celld stops with no container running and takes everything along
t_clean_shutdown_removes_v6_addresses_and_table() {
	cellctl network create s6 --ipv6 --subnet fd00:21b::/64 >/dev/null ||
	    return 1
	pid=$(proc_pid parent) || return 1
	kill "$pid"
	i=0
	while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	sleep 0.2
	addrs=$(ip -6 -o addr show scope global | grep -v ' vhost ')
	tbl=$(nft list tables | grep celld)
	echo "addresses: $addrs; tables: $tbl"
	[ -z "$addrs" ] && [ -z "$tbl" ]
}

run_tests "$@"
