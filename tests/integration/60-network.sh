# Bridged networking (issue 4): addresses, reachability, isolation, NAT,
# published ports, leases across restarts, cleanup, helper crashes, and
# who may use whose network.  Each isolation test attacks the property
# and fails if the attack works.  The test's own net namespace is "the
# host"; EXT, a namespace of its own linked to it by a veth, is "another
# host" for NAT and published ports.  Traffic goes nowhere else.
. tests/lib.sh
trap 'del_users; cleanup' EXIT
. tests/userlib.sh

add_user UA && add_user UB || exit 1
write_conf "policy group \"cell\" { max containers 5 }
policy user \"root\" { admin }"
start_celld || exit 1

# EXT: 192.168.77.2, the host 192.168.77.1 on its side of the link
unshare --net sleep 100000 &
EXT=$!
sleep 0.2
ip link add vhost type veth peer name vext netns /proc/$EXT/ns/net &&
    ip addr add 192.168.77.1/24 dev vhost && ip link set vhost up &&
    ext ip addr add 192.168.77.2/24 dev vext 2>/dev/null
ext() { nsenter -t "$EXT" -n "$@"; }
ext ip addr add 192.168.77.2/24 dev vext
ext ip link set vext up
ext ip link set lo up

ipof() {	# container: its address, from inspect
	cellctl inspect "$1" |
	    sed -n 's/.*"IPAddress": "\([0-9.]*\)".*/\1/p' | head -1
}

# a web server answering "hi-NAME" on port 80: serve NAME [run flags]
serve() {
	_n=$1
	shift
	cellctl run -d --name "$_n" "$@" busybox sh -c "mkdir -p /www &&
	    echo hi-$_n > /www/index.html && exec httpd -f -p 80 -h /www" \
	    >/dev/null
}

# fetch URL from the host, a few tries while the server comes up
get() {	# url [tries]
	_i=0
	while [ $_i -lt "${2:-20}" ]; do
		wget -q -T 1 -O - "$1" 2>/dev/null && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}

# fetch / from inside a fresh container on a network (busybox-static's
# wget needs NSS; nc speaks HTTP well enough)
get_from() {	# network address
	cellctl run --rm --network "$1" busybox sh -c "printf 'GET / \
HTTP/1.0\r\n\r\n' | nc -w 2 $2 80 | tail -1" 2>&1
}

t_container_has_address_route_and_mtu() {
	out=$(cellctl run --rm busybox sh -c 'ip -4 -o addr show eth0;
	    ip route; cat /sys/class/net/eth0/mtu;
	    cat /sys/class/net/lo/operstate') || return 1
	echo "$out"
	echo "$out" | grep -q 'inet 10\.88\.[0-9.]*/16' &&
	    echo "$out" | grep -q '^default via 10.88.0.1 dev eth0' &&
	    echo "$out" | grep -qx 1500 &&
	    ip -o -4 addr show cell0 | grep -q '10.88.0.1/16'
}

t_network_none_has_loopback_up_only() {
	out=$(cellctl run --rm --network none busybox cat /proc/net/dev) ||
	    return 1
	echo "$out" | tail -n +3 | awk '{ print $1 }' | grep -v '^lo:$' &&
	    return 1
	cellctl run --rm --network none busybox ping -c 1 -W 1 127.0.0.1
}

t_veth_peer_is_born_in_the_container() {
	serve born || return 1
	pid=$(cellctl inspect born | sed -n 's/.*"Pid": \([0-9]*\).*/\1/p')
	host=$(ip -o link show master cell0 | awk -F': ' '{ print $2 }')
	echo "host end: $host pid $pid"
	inside=$(nsenter -t "$pid" -n ip -o link show eth0)
	cellctl rm -f born >/dev/null
	echo "$host" | grep -q '^cv' && echo "$inside" | grep -q eth0
}

t_same_network_reachable() {
	serve s1 || return 1
	ip=$(ipof s1)
	h=$(get "http://$ip/")
	out=$(get_from cell0 "$ip")
	cellctl rm -f s1 >/dev/null
	echo "from a container: $out; from the host: $h"
	[ "$out" = hi-s1 ] && [ "$h" = hi-s1 ]
}

# names on a user-defined network: /etc/hosts lists the others and follows
# them as they come and go; the files are the parent's and read-only
t_names_resolve_on_a_user_network() {
	cellctl network create nn --subnet 10.203.0.0/24 >/dev/null || return 1
	serve first --network nn && serve second --network nn \
	    --hostname second-host || return 1
	a=$(get_from nn first) b=$(get_from nn second-host)
	# the earlier one learns of the later one
	c=$(cellctl exec first sh -c 'printf "GET / HTTP/1.0\r\n\r\n" |
	    nc -w 2 second 80 | tail -1')
	h=$(cellctl exec second cat /etc/hostname)
	w=$(cellctl exec first sh -c 'echo 6.6.6.6 evil >> /etc/hosts' 2>&1)
	cellctl rm -f second >/dev/null
	gone=$(cellctl exec first grep -c second /etc/hosts)
	d=$(cellctl run --rm busybox grep -c first /etc/hosts)	# cell0
	cellctl rm -f first >/dev/null
	cellctl network rm nn >/dev/null
	echo "first: $a, second-host: $b, first->second: $c, hostname $h,"
	echo "write: $w, after rm: $gone, seen from cell0: $d"
	[ "$a" = hi-first ] && [ "$b" = hi-second ] && [ "$c" = hi-second ] &&
	    [ "$h" = second-host ] &&
	    echo "$w" | grep -q 'Permission denied\|Read-only' &&
	    [ "$gone" = 0 ] && [ "$d" = 0 ]
}

# attack: on a network two users share, B's container reads its
# /etc/hosts to learn what A runs: only B's own containers are listed
t_hosts_on_a_shared_network_list_only_the_owners() {
	cellctl network create shn --subnet 10.204.0.0/24 >/dev/null ||
	    return 1
	ctl_as "$UA" run -d --name a1 --network shn busybox sleep 1000 \
	    >/dev/null && ctl_as "$UA" run -d --name a2 --network shn \
	    busybox sleep 1000 >/dev/null && ctl_as "$UB" run -d --name b1 \
	    --network shn busybox sleep 1000 >/dev/null || return 1
	sleep 0.3
	b=$(ctl_as "$UB" exec b1 cat /etc/hosts)
	a=$(ctl_as "$UA" exec a2 cat /etc/hosts)
	for id in $(cellctl ps -q); do cellctl rm -f "$id" >/dev/null; done
	cellctl network rm shn >/dev/null
	echo "b1 sees: $b"
	echo "a2 sees: $a"
	echo "$a" | grep -q 'a1$' && ! echo "$b" | grep -q 'a[12]$'
}

# attack: reach a container on another network, both ways
t_networks_are_isolated_both_ways() {
	cellctl network create na --subnet 10.201.0.0/24 >/dev/null &&
	    cellctl network create nb --subnet 10.202.0.0/24 >/dev/null ||
	    return 1
	serve sa --network na && serve sb --network nb || return 1
	a=$(ipof sa) b=$(ipof sb)
	get "http://$a/" >/dev/null && get "http://$b/" >/dev/null || return 1
	ok_a=$(get_from na "$a") ok_b=$(get_from nb "$b")
	x_ab=$(get_from na "$b") x_ba=$(get_from nb "$a")
	x_0a=$(get_from cell0 "$a")
	cellctl rm -f sa sb >/dev/null
	cellctl network rm na nb >/dev/null
	echo "na->na $ok_a nb->nb $ok_b na->nb $x_ab nb->na $x_ba cell0->na $x_0a"
	[ "$ok_a" = hi-sa ] && [ "$ok_b" = hi-sb ] &&
	    ! echo "$x_ab" | grep -q hi- && ! echo "$x_ba" | grep -q hi- &&
	    ! echo "$x_0a" | grep -q hi-
}

# EXT listens on 9000 and writes who connected into $1
ext_listen() {	# file
	ext python3 -c '
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("192.168.77.2", 9000)); s.listen(1); s.settimeout(8)
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

t_outbound_is_masqueraded() {
	ext_listen "$T/peer"
	cellctl run --rm busybox sh -c 'echo x | nc 192.168.77.2 9000'
	wait $!
	peer=$(cat "$T/peer" 2>/dev/null)
	echo "EXT saw $peer"
	[ "$peer" = 192.168.77.1 ]
}

# attack: leave an internal network, to EXT, to the host's other side
t_internal_network_has_no_way_out() {
	cellctl network create --internal ni >/dev/null || return 1
	ext_listen "$T/peer2"
	out=$(cellctl run --rm --network ni busybox sh -c \
	    'echo x | nc -w 2 192.168.77.2 9000; ip route' 2>&1)
	wait $!
	ext ip route add 10.89.0.0/16 via 192.168.77.1
	serve si --network ni
	in=$(ext wget -q -t 1 -T 2 -O - "http://$(ipof si)/" 2>&1)
	ext ip route del 10.89.0.0/16 via 192.168.77.1
	cellctl rm -f si >/dev/null
	cellctl network rm ni >/dev/null
	echo "out: $out; in: $in; peer: $(cat "$T/peer2" 2>/dev/null)"
	[ ! -s "$T/peer2" ] && ! echo "$in" | grep -q hi-
}

t_published_port_from_another_host_and_loopback() {
	serve web -p 8080:80 || return 1
	e=$(ext sh -c 'i=0; while [ $i -lt 20 ]; do
	    wget -q -T 1 -O - http://192.168.77.1:8080/ && exit 0
	    sleep 0.1; i=$((i + 1)); done; exit 1')
	l=$(get http://127.0.0.1:8080/)
	p=$(cellctl port web)
	cellctl rm -f web >/dev/null
	echo "from EXT: $e; from 127.0.0.1: $l; port: $p"
	[ "$e" = hi-web ] && [ "$l" = hi-web ] &&
	    [ "$p" = "80/tcp -> 0.0.0.0:8080" ] &&
	    ! pgrep -f 'celld.*proxy' >/dev/null
}

t_port_conflict_is_a_clear_error() {
	cellctl run -d --name web -p 8080:80 busybox sleep 100 >/dev/null ||
	    return 1
	err=$(cellctl run -d --name web2 -p 8080:80 busybox sleep 100 2>&1)
	rc=$?
	echo "rc $rc: $err"
	cellctl rm -f web2 web >/dev/null 2>&1
	[ $rc = 125 ] && echo "$err" | grep -q 'port already published by web' &&
	    [ "$(echo "$err" | wc -l)" = 1 ]
}

# attack: an ordinary user binds a privileged port on the host
t_low_port_refused_for_a_user() {
	err=$(ctl_as "$UA" run -d -p 80:80 busybox sleep 100 2>&1)
	rc=$?
	echo "rc $rc: $err"
	ok=$(ctl_as "$UA" run --rm -p 18080:80 busybox true 2>&1; echo $?)
	echo "high port: $ok"
	[ $rc = 125 ] && echo "$err" | grep -q 'below 1024' && [ "$ok" = 0 ]
}

# attack: B removes, connects to, or runs on A's network
t_user_b_cannot_touch_user_as_network() {
	ctl_as "$UA" network create anet >/dev/null || return 1
	rm=$(ctl_as "$UB" network rm anet 2>&1); rc1=$?
	cn=$(ctl_as "$UB" network connect anet x 2>&1); rc2=$?
	run=$(ctl_as "$UB" run --rm --network anet busybox true 2>&1); rc3=$?
	echo "rm $rc1 $rm / connect $rc2 $cn / run $rc3 $run"
	ls=$(cellctl network ls | grep -c '^anet ')
	own=$(ctl_as "$UA" network rm anet 2>&1)
	audit=$(grep -c '"verb":"network-rm","target":"anet"' \
	    "$T/lib/audit.log")
	echo "audit lines: $audit"
	[ $rc1 = 125 ] && [ $rc2 = 125 ] && [ $rc3 = 125 ] &&
	    echo "$rm" | grep -q 'another user' &&
	    echo "$cn" | grep -q 'another user' &&
	    echo "$run" | grep -q 'another user' && [ "$ls" = 1 ] &&
	    [ "$own" = anet ] && [ "$audit" = 2 ]
}

t_network_ls_inspect_json() {
	cellctl network create --subnet 10.203.0.0/24 --gateway 10.203.0.254 \
	    nj >/dev/null || return 1
	j=$(cellctl network inspect nj)
	l=$(cellctl network ls --json)
	bad=$(cellctl network create nk --subnet 10.203.0.128/25 2>&1)
	cellctl network rm nj >/dev/null
	echo "$j"; echo "$bad"
	echo "$j" | grep -q '"Gateway": "10.203.0.254"' &&
	    echo "$l" | grep -q '"Name": "nj"' &&
	    echo "$bad" | grep -q overlaps
}

t_leases_persist_across_restart_never_twice() {
	cellctl run -d --name p1 busybox sleep 1000 >/dev/null || return 1
	a=$(ipof p1)
	stop_celld
	start_celld || return 1
	b=$(ipof p1)
	cellctl run -d --name p2 busybox sleep 1000 >/dev/null || return 1
	c=$(ipof p2)
	st=$(cellctl inspect p1 | grep -c '"Running": true')
	br=$(ip -o link show type bridge | grep -c ' cell0:')
	masq=$(nft list table inet celld | grep -c 'ip saddr 10.88.0.0/16 masquerade')
	echo "p1 $a then $b, p2 $c; running $st bridges $br masq $masq"
	cat "$T/lib/networks/cell0.leases"
	cellctl rm -f p1 p2 >/dev/null
	[ -n "$a" ] && [ "$a" = "$b" ] && [ -n "$c" ] && [ "$c" != "$a" ] &&
	    [ "$st" = 1 ] && [ "$br" = 1 ] && [ "$masq" = 1 ]
}

t_net_helper_kill_9_recovers() {
	serve kweb -p 8081:80 || return 1
	old=$(proc_pid net-helper)
	kill -9 "$old"
	i=0
	while [ $i -lt 50 ]; do
		new=$(proc_pid net-helper) && [ "$new" != "$old" ] && break
		sleep 0.1
		i=$((i + 1))
	done
	sleep 0.3
	l=$(get http://127.0.0.1:8081/)
	out=$(cellctl run --rm busybox ip -4 -o addr show eth0)
	n=$(nft list table inet celld | grep -c 'dport 8081')
	cellctl rm -f kweb >/dev/null
	echo "net-helper $old -> $new; port: $l; rules $n; new: $out"
	[ "$new" != "$old" ] && [ "$l" = hi-kweb ] && [ "$n" = 2 ] &&
	    echo "$out" | grep -q 'inet 10\.88\.'
}

t_rm_and_network_rm_leave_nothing() {
	cellctl network create nr --subnet 10.204.0.0/24 >/dev/null || return 1
	serve r1 --network nr -p 8082:80 || return 1
	br=$(cellctl network inspect nr | sed -n 's/.*"Bridge": "\(.*\)".*/\1/p')
	before=$(ip -o link show master "$br" | grep -c ' cv')
	cellctl rm -f r1 >/dev/null
	sleep 0.3
	veths=$(ip -o link show master "$br" | grep -c ' cv')
	ports=$(nft list table inet celld | grep -c 'dport 8082')
	cellctl network rm nr >/dev/null || return 1
	left=$(ip -o link | grep -c " $br")
	rules=$(nft list table inet celld | grep -c "$br")
	lease=$(ls "$T/lib/networks")
	echo "bridge $br: veths $before then $veths ports $ports links $left rules $rules"
	echo "files: $lease"
	[ "$before" = 1 ] && [ "$veths" = 0 ] && [ "$ports" = 0 ] && [ "$left" = 0 ] &&
	    [ "$rules" = 0 ] && ! echo "$lease" | grep -q '^nr\.'
}

# -P publishes every exposed port (the image's and --expose) on a host
# port celld picks, -p PORT one; both reach the container from EXT
t_publish_all_and_random_ports() {
	serve pa -P --expose 80 --expose 81/udp || return 1
	serve pb -p 80 || return 1
	pa=$(cellctl port pa)
	pb=$(cellctl port pb)
	echo "pa: $pa; pb: $pb"
	a=$(echo "$pa" | sed -n 's|^80/tcp -> 0.0.0.0:||p')
	b=$(echo "$pb" | sed -n 's|^80/tcp -> 0.0.0.0:||p')
	u=$(echo "$pa" | grep -c '^81/udp -> 0.0.0.0:[0-9]*$')
	e=$(ext sh -c "i=0; while [ \$i -lt 20 ]; do
	    wget -q -T 1 -O - http://192.168.77.1:$a/ && exit 0
	    sleep 0.1; i=\$((i + 1)); done; exit 1")
	f=$(get "http://127.0.0.1:$b/")
	cellctl rm -f pa pb >/dev/null
	echo "ports $a $b udp $u; from EXT: $e; from lo: $f"
	[ "$a" -ge 32768 ] && [ "$a" -le 60999 ] && [ "$b" -ge 32768 ] &&
	    [ "$b" -le 60999 ] && [ "$a" != "$b" ] && [ "$u" = 1 ] &&
	    [ "$e" = hi-pa ] && [ "$f" = hi-pb ]
}

t_dns_and_add_host_in_the_container() {
	out=$(cellctl run --rm --dns 192.0.2.53 --dns 192.0.2.54 \
	    --add-host db.example:192.0.2.7 --add-host cache:192.0.2.8 \
	    busybox sh -c 'cat /etc/resolv.conf /etc/hosts;
	    echo 6.6.6.6 evil >> /etc/hosts && echo WROTE; true') || return 1
	echo "$out"
	echo "$out" | grep -qx 'nameserver 192.0.2.53' &&
	    echo "$out" | grep -qx 'nameserver 192.0.2.54' &&
	    [ "$(echo "$out" | grep -c '^nameserver')" = 2 ] &&
	    echo "$out" | grep -q '^192.0.2.7[[:space:]]db.example$' &&
	    echo "$out" | grep -q '^192.0.2.8[[:space:]]cache$' &&
	    ! echo "$out" | grep -q WROTE
}

t_bad_network_flags_are_clear_errors() {
	for f in "--dns nope" "--dns 1.2.3.4 --dns 1.2.3.5 --dns 1.2.3.6 --dns 1.2.3.7" \
	    "--add-host noip" "--add-host bad_name!:1.2.3.4" \
	    "--add-host h:999.1.1.1" "--expose 0" "--expose 80/sctp" \
	    "-p 70000" "--label =x"; do
		# shellcheck disable=SC2086
		err=$(cellctl run --rm $f busybox true 2>&1)
		rc=$?
		echo "$f -> $rc: $err"
		[ $rc = 125 ] && [ "$(echo "$err" | wc -l)" = 1 ] || return 1
	done
}

# last: celld stops with no container running and takes everything along
t_clean_shutdown_removes_bridges_and_table() {
	# celld may have been restarted by an earlier test's subshell
	pid=$(proc_pid parent) || return 1
	kill "$pid"
	i=0
	while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	sleep 0.2
	links=$(ip -o link | grep -E ' (cell0|cb-|cv)')
	tbl=$(nft list tables | grep celld)
	echo "links: $links; tables: $tbl"
	[ -z "$links" ] && [ -z "$tbl" ]
}

run_tests "$@"
