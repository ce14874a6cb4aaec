# A hostile parent speaking straight to net-helper (see 10-helpers.sh for
# how a helper is started).  Each request would touch a link, an address
# or a rule celld did not make, or is malformed; net-helper must refuse it
# with a reason, change nothing, and live on.
. tests/lib.sh
RAW="$B/tests/ctlraw"
mkdir -p "$T/lib" "$T/run"
ID=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef

net() {	# modes...
	"$RAW" -h "$@" -- env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
	    setpriv --reuid="$(id -u _celld_net)" \
	    --regid="$(id -g _celld_net)" --init-groups --no-new-privs \
	    --bounding-set=-all,+net_admin,+setpcap \
	    --inh-caps=-all,+net_admin,+setpcap \
	    --ambient-caps=-all,+net_admin,+setpcap \
	    "$T/libexec/celld-net" -d -s "$T/lib" -r "$T/run" 2>>"$T/net.err"
}

# refused: the first answer is an error with that reason, then a pong
refused() {	# reason mode [mode...]: the last mode is the attack
	want=$1
	shift
	out=$(net "$@" ping)
	echo "$out"
	last=$(echo "$out" | tail -3 | head -1)
	echo "$last" | grep -q "^done [1-9][0-9]* .*$want" &&
	    [ "$(echo "$out" | tail -2)" = "msg pong
exit 0" ]
}

OK_BR="bridge,cell9,10.99.0.0/24,10.99.0.1"

t_bridge_eth0_refused() {
	refused "bridge name must be cell" bridge,eth0,10.99.0.0/24,10.99.0.1
	r=$?
	ip link show eth0 2>/dev/null && return 1
	return $r
}

t_bridge_lo_refused_and_lo_untouched() {
	before=$(ip -o addr show lo)
	refused "bridge name must be cell" bridge,lo,10.99.0.0/24,10.99.0.1 ||
	    return 1
	[ "$(ip -o addr show lo)" = "$before" ]
}

t_delete_lo_refused() {
	refused "bridge name must be cell" bridgedel,lo &&
	    ip link show lo >/dev/null
}

# a bridge someone else made, with a celld-like name
t_foreign_bridge_refused() {
	ip link add cellforeign type bridge || return 1
	refused "not celld's bridge" bridge,cellforeign,10.98.0.0/24,10.98.0.1
	r=$?
	addrs=$(ip -o -4 addr show cellforeign)
	echo "addresses: $addrs"
	[ -z "$addrs" ] || r=1
	refused "not celld's" bridgedel,cellforeign || r=1
	ip link show cellforeign >/dev/null || r=1
	ip link del cellforeign
	return $r
}

t_bad_cidrs_refused() {
	refused "bad subnet" bridge,cell9,10.99.0.1/24,10.99.0.1 &&
	    refused "bad subnet" bridge,cell9,10.99.0.0/31,10.99.0.1 &&
	    refused "bad subnet" bridge,cell9,127.0.0.0/8,127.0.0.1 &&
	    refused "bad subnet" bridge,cell9,224.0.0.0/24,224.0.0.1 &&
	    refused "bad subnet" bridge,cell9,10.0.0.0/4,10.0.0.1 &&
	    refused "gateway outside" bridge,cell9,10.99.0.0/24,10.98.0.1 &&
	    refused "gateway outside" bridge,cell9,10.99.0.0/24,10.99.0.255 &&
	    ! ip link show cell9 2>/dev/null
}

t_overlapping_subnet_refused() {
	refused "overlaps" "$OK_BR" bridge,cell8,10.99.0.128/25,10.99.0.129
}

t_veth_with_a_file_not_a_netns_refused() {
	refused "not a container's network namespace" "$OK_BR" \
	    "veth,$ID,cell9,cv0123456789ab,null"
}

# our own (the host's) namespace: the peer would land on the host
t_veth_into_the_hosts_netns_refused() {
	refused "not a container's network namespace" "$OK_BR" \
	    "veth,$ID,cell9,cv0123456789ab,self"
	r=$?
	ip link show eth0 2>/dev/null && r=1
	return $r
}

t_veth_with_a_user_ns_fd_refused() {
	refused "not a container's network namespace" "$OK_BR" \
	    "veth,$ID,cell9,cv0123456789ab,user"
}

t_veth_named_eth0_refused() {
	refused "veth name must be" "$OK_BR" "veth,$ID,cell9,eth0,self"
}

t_veth_on_undeclared_bridge_refused() {
	refused "not a network of celld's" "veth,$ID,cell7,cv0123456789ab,self"
}

t_veth_delete_of_a_foreign_link_refused() {
	ip link add cv0123456789ab type bridge || return 1
	refused "not celld's veth" "$OK_BR" "vethdel,$ID,cell9,cv0123456789ab"
	r=$?
	ip link show cv0123456789ab >/dev/null || r=1
	ip link del cv0123456789ab
	return $r
}

t_port_0_refused() {
	refused "bad port" "$OK_BR" "port,x,cell9,10.99.0.2,0,80,6"
}

t_port_bad_protocol_refused() {
	refused "bad port or protocol" "$OK_BR" "port,x,cell9,10.99.0.2,80,80,1"
}

t_port_to_an_address_outside_refused() {
	refused "address outside" "$OK_BR" "port,x,cell9,192.168.1.1,80,80,6"
}

t_port_on_undeclared_bridge_refused() {
	refused "not a network of celld's" "port,x,cell9,10.99.0.2,80,80,6"
}

# one port, two containers
t_port_taken_refused() {
	refused "already published" "$OK_BR" "port,x,cell9,10.99.0.2,80,80,6" \
	    "port,fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210,cell9,10.99.0.3,80,80,6"
}

# IPv6: a dual-stack bridge, then hostile v6 bridges and ports
OK_BR6="bridge6,cell9,10.99.0.0/24,10.99.0.1,fd00:99::/64,fd00:99::1"
P6="port6,x,cell9"

t_bad_v6_prefixes_refused() {
	net bridgedel,cell9 >/dev/null	# an earlier test's
	refused "bad IPv6 subnet" \
	    bridge6,cell9,10.99.0.0/24,10.99.0.1,fd00:99::/32,fd00:99::1 &&
	    refused "bad IPv6 subnet" \
	    bridge6,cell9,10.99.0.0/24,10.99.0.1,fd00:99::/124,fd00:99::1 &&
	    refused "bad IPv6 subnet" \
	    bridge6,cell9,10.99.0.0/24,10.99.0.1,fd00:99::1/64,fd00:99::1 &&
	    refused "bad IPv6 subnet" \
	    bridge6,cell9,10.99.0.0/24,10.99.0.1,ff02::/64,ff02::1 &&
	    refused "bad IPv6 subnet" \
	    bridge6,cell9,10.99.0.0/24,10.99.0.1,fe80::/64,fe80::1 &&
	    refused "bad IPv6 subnet" \
	    bridge6,cell9,10.99.0.0/24,10.99.0.1,::/64,::1 &&
	    refused "bad IPv6 subnet" \
	    bridge6,cell9,10.99.0.0/24,10.99.0.1,::ffff:0:0/96,::ffff:0:1 &&
	    ! ip link show cell9 2>/dev/null
}

t_v6_gateway_outside_refused() {
	net bridgedel,cell9 >/dev/null
	refused "IPv6 gateway outside" \
	    bridge6,cell9,10.99.0.0/24,10.99.0.1,fd00:99::/64,fd00:98::1 &&
	    refused "IPv6 gateway outside" \
	    bridge6,cell9,10.99.0.0/24,10.99.0.1,fd00:99::/64,fd00:99:: &&
	    ! ip link show cell9 2>/dev/null
}

# a v6 address on the host's lo, through a "bridge" that is lo
t_v6_bridge_named_lo_refused_and_lo_untouched() {
	before=$(ip -o addr show lo)
	refused "bridge name must be cell" \
	    bridge6,lo,10.99.0.0/24,10.99.0.1,fd00:99::/64,fd00:99::1 &&
	    [ "$(ip -o addr show lo)" = "$before" ]
}

# a foreign bridge gets no v6 address either
t_v6_foreign_bridge_refused() {
	ip link add cellforeign type bridge || return 1
	refused "not celld's bridge" \
	    bridge6,cellforeign,10.98.0.0/24,10.98.0.1,fd00:98::/64,fd00:98::1
	r=$?
	addrs=$(ip -o -6 addr show cellforeign scope global)
	echo "addresses: $addrs"
	[ -z "$addrs" ] || r=1
	ip link del cellforeign
	return $r
}

t_overlapping_v6_subnet_refused() {
	refused "IPv6 subnet overlaps" "$OK_BR6" \
	    bridge6,cell8,10.98.0.0/24,10.98.0.1,fd00:99::/48,fd00:99::1
}

t_v6_port_to_an_address_outside_refused() {
	refused "address outside" "$OK_BR6" "$P6,fd00:98::2,80,80,6,::" &&
	    refused "address outside" "$OK_BR6" "$P6,fd00:99::1,80,80,6,::" &&
	    refused "address outside" "$OK_BR6" "$P6,fd00:99::,80,80,6,::"
}

# a v4-only bridge: no v6 port may point into it
t_v6_port_on_a_v4_only_bridge_refused() {
	refused "address outside" "$OK_BR" "$P6,fd00:99::2,80,80,6,::"
}

t_v6_port_on_undeclared_bridge_refused() {
	refused "not a network of celld's" "$P6,fd00:99::2,80,80,6,::"
}

# ::1 can't be DNATed (no route_localnet for IPv6); nor multicast
t_v6_port_on_loopback_or_multicast_refused() {
	refused "bad host address" "$OK_BR6" "$P6,fd00:99::2,80,80,6,::1" &&
	    refused "bad host address" "$OK_BR6" \
	    "$P6,fd00:99::2,80,80,6,ff02::1"
}

t_v6_port_taken_refused() {
	refused "already published" "$OK_BR6" "$P6,fd00:99::2,80,80,6,::" \
	    "port6,fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210,cell9,fd00:99::3,80,80,6,::"
}

t_v6_bridge_gets_its_address_and_rules() {
	out=$(net "$OK_BR6" "$P6,fd00:99::2,80,80,6,::")
	echo "$out"
	a=$(ip -o -6 addr show cell9 scope global)
	rules=$(nft list table inet celld)
	net bridgedel,cell9 >/dev/null
	echo "$a"; echo "$rules"
	echo "$a" | grep -q 'fd00:99::1/64' &&
	    echo "$rules" | grep -q 'ip6 saddr fd00:99::/64 masquerade' &&
	    echo "$rules" | grep -q 'dnat ip6 to \[fd00:99::2\]:80' &&
	    ! ip link show cell9 2>/dev/null
}

# other tables are not ours: a table of the host's survives everything
t_other_nft_tables_untouched() {
	nft add table inet hostfw && nft add chain inet hostfw c || return 1
	before=$(nft list table inet hostfw)
	out=$(net "$OK_BR" "port,x,cell9,10.99.0.2,80,80,6" bridgedel,cell9)
	echo "$out"
	after=$(nft list table inet hostfw)
	nft delete table inet hostfw
	[ "$before" = "$after" ] && ! nft list table inet celld 2>/dev/null
}

# network connect: the peer's name in the container is eth0..eth7 and
# nothing else (never lo, never a name the host end could collide with)
t_veth_peer_named_lo_refused_and_lo_untouched() {
	before=$(ip -o link show lo)
	refused "peer name must be eth0..eth7" "$OK_BR" \
	    "veth,$ID,cell9,cv0123456789ab,self,lo" || return 1
	[ "$(ip -o link show lo)" = "$before" ] && ! ip link show cv0123456789ab \
	    2>/dev/null
}

t_veth_peer_names_outside_eth0_to_eth7_refused() {
	for p in eth8 eth01 eth1x veth1 eth Eth1; do
		refused "peer name must be eth0..eth7" "$OK_BR" \
		    "veth,$ID,cell9,cv0123456789ab1,self,$p" || return 1
	done
}

# ethN's host end is cv + 12 of the id + N: no other link of the host's
t_veth_host_name_not_matching_the_peer_refused() {
	refused "veth name must be" "$OK_BR" \
	    "veth,$ID,cell9,cv0123456789ab,self,eth1" &&
	    refused "veth name must be" "$OK_BR" \
	    "veth,$ID,cell9,cv0123456789ab2,self,eth1" &&
	    refused "veth name must be" "$OK_BR" \
	    "vethdel,$ID,cell9,cv0123456789ab,eth3"
}

# the peer's MAC: none (the kernel's) or unicast, locally administered;
# never a multicast or a vendor's (a host NIC's) address
t_veth_peer_mac_multicast_or_global_refused() {
	refused "bad mac address" "$OK_BR" \
	    "veth,$ID,cell9,cv0123456789ab,self,eth0,01:00:5e:00:00:01" &&
	    refused "bad mac address" "$OK_BR" \
	    "veth,$ID,cell9,cv0123456789ab,self,eth0,00:1b:21:aa:bb:cc"
}

run_tests
