#!/bin/sh
# bench/net.sh: the network figures of make bench, in one run: TCP
# throughput (iperf3) and round-trip time (ping) container<->container on
# cell0 (and over IPv6 on a dual-stack network) next to a hand-made
# veth+bridge between two namespaces; host to a
# published port (kernel DNAT) next to host to the container's address;
# and what the network adds to a start (--network cell0 vs none).
#
# bench/run.sh sources this and calls net_bench; alone, as root:
#	sh bench/net.sh BUILDDIR
# Knobs: BENCH_NET_S seconds per iperf3 run (5), BENCH_NET_RUNS start runs
# per network mode (100).
NET_S=${BENCH_NET_S:-5}
NET_RUNS=${BENCH_NET_RUNS:-100}

# "Gbit/s" of a TCP stream: iperf3 client args, in a net namespace
net_iperf() {	# nsenter-prefix server-ip port
	_p=$1 _ip=$2 _port=$3
	$_p iperf3 -c "$_ip" -p "$_port" -t "$NET_S" -f g 2>/dev/null |
	    awk '/receiver/ { for (i = 1; i < NF; i++)
		if ($(i + 1) == "Gbits/sec") print $i }'
}

# average rtt in ms of 50 pings (busybox's: "round-trip min/avg/max = ")
net_ping() {	# nsenter-prefix ip
	$1 busybox ping -c 50 -i 0.01 -q "$2" 2>/dev/null |
	    awk -F/ '/^round-trip/ { print $4 }'
}

# a namespace (a sleeping process) for the hand-made pair
net_ns() {
	unshare --net sleep 100000 >/dev/null 2>&1 &
	echo $!
}

# two namespaces on a bridge of our own: what celld's path should match
net_handmade() {
	NA=$(net_ns) NB=$(net_ns)
	sleep 0.1
	ip link add hbr0 type bridge && ip link set hbr0 up || return 1
	for x in a:$NA:2 b:$NB:3; do
		n=${x%%:*} p=$(echo "$x" | cut -d: -f2) o=${x##*:}
		ip link add hv$n type veth peer name eth0 netns "/proc/$p/ns/net" &&
		    ip link set hv$n master hbr0 up &&
		    nsenter -t "$p" -n ip addr add 10.250.0.$o/24 dev eth0 &&
		    nsenter -t "$p" -n ip link set eth0 up &&
		    nsenter -t "$p" -n ip link set lo up || return 1
	done
	nsenter -t "$NB" -n iperf3 -s -D -p 5201 || return 1
	sleep 0.3
	hm_tp=$(net_iperf "nsenter -t $NA -n" 10.250.0.3 5201)
	hm_rtt=$(net_ping "nsenter -t $NA -n" 10.250.0.3)
	kill "$NA" "$NB"
	ip link del hbr0
}

net_pid() {	# container: its host pid
	cellctl inspect "$1" | sed -n 's/.*"Pid": \([0-9]*\).*/\1/p'
}

net_ip() {
	cellctl inspect "$1" |
	    sed -n 's/.*"IPAddress": "\([0-9.]*\)".*/\1/p' | head -1
}

# iperf3 runs in the containers' net namespaces (nsenter -n only: the
# host's binary, the container's network path)
net_celld() {
	cellctl run -d --name nb1 -p 15201:5201 busybox sleep 100000 \
	    >/dev/null && cellctl run -d --name nb2 busybox sleep 100000 \
	    >/dev/null || return 1
	p1=$(net_pid nb1) p2=$(net_pid nb2) ip1=$(net_ip nb1)
	nsenter -t "$p1" -n iperf3 -s -D -p 5201 || return 1
	sleep 0.3
	c_tp=$(net_iperf "nsenter -t $p2 -n" "$ip1" 5201)
	c_rtt=$(net_ping "nsenter -t $p2 -n" "$ip1")
	h_tp=$(net_iperf "" "$ip1" 5201)
	pub_tp=$(net_iperf "" 127.0.0.1 15201)
	cellctl rm -f nb1 nb2 >/dev/null
}

net_ip6() {
	cellctl inspect "$1" |
	    sed -n 's/.*"GlobalIPv6Address": "\([0-9a-f:]\{1,\}\)".*/\1/p' |
	    head -1
}

# the same container <-> container path over IPv6, on a dual-stack network
net_celld6() {
	cellctl network create nbv6 --ipv6 >/dev/null &&
	    cellctl run -d --name nb3 --network nbv6 busybox sleep 100000 \
	    >/dev/null && cellctl run -d --name nb4 --network nbv6 busybox \
	    sleep 100000 >/dev/null || return 1
	p3=$(net_pid nb3) p4=$(net_pid nb4) ip3=$(net_ip6 nb3)
	nsenter -t "$p3" -n iperf3 -s -D -p 5201 || return 1
	sleep 0.3
	c6_tp=$(net_iperf "nsenter -t $p4 -n" "$ip3" 5201)
	c6_rtt=$(net_ping "nsenter -t $p4 -n" "$ip3")
	cellctl rm -f nb3 nb4 >/dev/null
	cellctl network rm nbv6 >/dev/null
}

net_bench() {
	note "network: iperf3 ${NET_S}s per path, $NET_RUNS starts per mode"
	# a path that fails leaves its cells "-"
	hm_tp=- hm_rtt=- c_tp=- c_rtt=- c6_tp=- c6_rtt=- h_tp=- pub_tp=-
	net_handmade || note "network: hand-made pair failed"
	net_celld || note "network: celld containers failed"
	net_celld6 || note "network: celld IPv6 containers failed"
	bench lat_netnone -n "$NET_RUNS" -w 5 -- \
	    $CELLCTL run --rm --network none busybox true
	bench lat_netcell0 -n "$NET_RUNS" -w 5 -- \
	    $CELLCTL run --rm --network cell0 busybox true
	echo "net hm_tp=$hm_tp hm_rtt=$hm_rtt c_tp=$c_tp c_rtt=$c_rtt" \
	    "c6_tp=$c6_tp c6_rtt=$c6_rtt h_tp=$h_tp pub_tp=$pub_tp" >> "$R"
	out ""
	out "== network: TCP throughput (iperf3, Gbit/s, one stream, ${NET_S}s) and rtt (ping, ms)"
	out "$(printf '%-44s %9s %9s %10s' path Gbit/s rtt_ms 'vs hand')"
	out "$(printf '%-44s %9s %9s %10s' 'hand-made veth+bridge, ns <-> ns' \
	    "$hm_tp" "$hm_rtt" 1.00)"
	out "$(printf '%-44s %9s %9s %10s' 'celld cell0, container <-> container' \
	    "$c_tp" "$c_rtt" "$(ratio "$c_tp" "$hm_tp")")"
	out "$(printf '%-44s %9s %9s %10s' 'celld dual-stack, the same over IPv6' \
	    "$c6_tp" "$c6_rtt" "$(ratio "$c6_tp" "$hm_tp")")"
	out "$(printf '%-44s %9s %9s %10s' 'host -> container address' \
	    "$h_tp" - -)"
	out "$(printf '%-44s %9s %9s %10s' 'host -> 127.0.0.1:15201 published (DNAT)' \
	    "$pub_tp" - "$(ratio "$pub_tp" "$h_tp") (vs host->addr)")"
	out ""
	out "== network setup in a start: cellctl run --rm busybox true (ms)"
	out "$(printf '%-22s %5s %9s %9s' network runs median p95)"
	for k in netnone netcell0; do
		out "$(printf '%-22s %5s %9s %9s' "${k#net}" \
		    "$(get lat_$k runs)" "$(get lat_$k median_ms)" \
		    "$(get lat_$k p95_ms)")"
	done
	out "   added by the network: $(awk -v a="$(get lat_netcell0 \
	    median_ms)" -v b="$(get lat_netnone median_ms)" \
	    'BEGIN { printf "%.2f", a - b }') ms (median)"
}

# ------------------------------------------------------------ standalone
if [ -z "${CELLD_BENCH_INNER:-}" ]; then
	B=${1:-build}
	cd "$(dirname "$0")/.." || exit 1
	case "$B" in /*) ;; *) B="$(pwd)/$B" ;; esac
	[ "$(id -u)" = 0 ] || { echo "bench: run as root" >&2; exit 1; }
	mkdir -p "$B/bench" && cc -O2 -Wall -Wextra -D_GNU_SOURCE \
	    bench/cmdbench.c -lpthread -o "$B/bench/cmdbench" || exit 1
	CELLD_BENCH_INNER=1 NET_ALONE=1 exec unshare --mount --net --pid \
	    --fork --mount-proc --propagation private sh "$0" "$B"
fi
if [ -n "${NET_ALONE:-}" ]; then
	export B
	. tests/lib.sh
	BB=$B/bench R=$BB/net-results.txt RAW=$BB/raw
	mkdir -p "$RAW"
	: > "$R"
	out() { printf '%s\n' "$*" | tee -a "$R"; }
	note() { printf '# %s\n' "$*" >&2; }
	get() {
		grep "^$1 " "$R" | tail -1 | tr ' ' '\n' | sed -n "s/^$2=//p"
	}
	bench() {
		_n=$1; shift
		echo "$_n $("$BB/cmdbench" -o "$RAW/$_n.txt" -e "$RAW/$_n.err" \
		    "$@")" >> "$R"
	}
	ratio() {
		awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" ||
		    b + 0 == 0) print "-"; else printf "%.2f\n", a / b }'
	}
	start_celld || exit 1
	net_bench
fi
