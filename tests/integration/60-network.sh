# Bridged networking: addresses, reachability, isolation, NAT, published
# ports, leases, cleanup.  Each isolation test attacks the property and
# fails if the attack works.
. tests/lib.sh
start_celld || exit 1

t_smoke() {
	cellctl run --rm busybox ip addr
	cellctl run --rm busybox ip route
	ip link; nft list ruleset; cat $T/celld.log | tail -20; false
}

run_tests "$@"
