#!/bin/sh
# make bench: celld against unshare, crun, runc and podman, in one run.
# Every measurement is repeated; tables give medians and tail percentiles
# and ratios, never a lone absolute time.  See bench/README.md.
#
# usage: bench/run.sh BUILDDIR		(as root, from the source tree)
#
# Like the tests, it runs in its own mount, network and pid namespaces
# with celld's state on a tmpfs; crun, runc and podman keep their state
# under the same tmpfs, so nothing outlives the run.  Knobs (environment):
#	BENCH_RUNS	start-to-exit runs per runtime		(200)
#	BENCH_PODMAN_RUNS  the same for podman			(100)
#	BENCH_CHURN_S	seconds per churn measurement		(10)
#	BENCH_IDLE	idle celld containers for the memory table	(50)
#	BENCH_PODMAN_IDLE idle podman containers (conmon)	(10)
#	BENCH_PS	containers present for the ps table	(500)
#	BENCH_PODMAN	0 skips podman				(1)
#	BENCH_NET_S, BENCH_NET_RUNS: see bench/net.sh
B=${1:-build}
cd "$(dirname "$0")/.." || exit 1
case "$B" in /*) ;; *) B="$(pwd)/$B" ;; esac
[ "$(id -u)" = 0 ] || { echo "bench: run as root" >&2; exit 1; }

if [ -z "${CELLD_BENCH_INNER:-}" ]; then
	need=""
	for c in crun:crun runc:runc podman:podman nsenter:util-linux \
	    /bin/busybox:busybox-static cc:gcc iperf3:iperf3; do
		command -v "${c%%:*}" >/dev/null 2>&1 || need="$need ${c#*:}"
	done
	if [ -n "$need" ]; then
		echo "bench: installing$need"
		export DEBIAN_FRONTEND=noninteractive
		{ apt-get update -q && apt-get install -y -q $need; } \
		    >/dev/null || { echo "bench: apt-get failed" >&2; exit 1; }
	fi
	for p in celld celld-net celld-fs celld-spawn celld-monitor cellctl; do
		[ -x "$B/$p" ] || { echo "bench: $B/$p missing (make)" >&2
		    exit 1; }
	done
	sh tests/users.sh || exit 1
	mkdir -p "$B/bench" || exit 1
	cc -O2 -Wall -Wextra -D_GNU_SOURCE -I. bench/pingbench.c \
	    imsg/imsg.c imsg/msg.c imsg/spec.c -lpthread \
	    -o "$B/bench/pingbench" || exit 1
	cc -O2 -Wall -Wextra -D_GNU_SOURCE bench/cmdbench.c -lpthread \
	    -o "$B/bench/cmdbench" || exit 1
	# podman writes /var/lib/containers/cache and /run/containers even
	# with --root/--runroot: the inner run hides both under tmpfs, and
	# mount points it had to make are removed afterwards
	made=""
	if command -v podman >/dev/null; then
		for d in /var/lib/containers /run/containers; do
			[ -d $d ] || { mkdir -p $d && made="$made $d"; }
		done
	fi
	# podman's cgroupfs manager leaves libpod_parent/conmon behind
	podcg=""
	for h in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do
		[ -f "${h}cgroup.procs" ] && [ ! -d "${h}libpod_parent" ] &&
		    podcg="$podcg ${h}libpod_parent"
	done
	CELLD_BENCH_INNER=1 unshare --mount --net --pid --fork --mount-proc \
	    --propagation private sh "$0" "$B"
	rc=$?
	for d in $made; do rmdir $d 2>/dev/null; done
	for d in $podcg; do
		[ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} + \
		    2>/dev/null
	done
	exit $rc
fi

# ---------------------------------------------------------------- inner
export B
. tests/lib.sh
BB=$B/bench
RAW=$BB/raw
R=$BB/results.txt
RUNS=${BENCH_RUNS:-200}
PRUNS=${BENCH_PODMAN_RUNS:-100}
CHURN_S=${BENCH_CHURN_S:-10}
IDLE=${BENCH_IDLE:-50}
PIDLE=${BENCH_PODMAN_IDLE:-10}
NPS=${BENCH_PS:-500}
PODMAN=${BENCH_PODMAN:-1}
command -v podman >/dev/null || PODMAN=0
rm -rf "$RAW"
mkdir -p "$RAW"
: > "$R"
NSPID=

for d in /var/lib/containers /run/containers; do
	[ -d $d ] && mount -t tmpfs -o mode=0700 bench $d
done

# everything printed goes to results.txt too
out() { printf '%s\n' "$*" | tee -a "$R"; }
note() { printf '# %s\n' "$*" >&2; }
# "NAME key=value ..." lines in results.txt; get NAME KEY
get() {
	grep "^$1 " "$R" | tail -1 | tr ' ' '\n' | sed -n "s/^$2=//p"
}
# cmdbench under a name, its line kept in results.txt; nsbench runs
# cmdbench in the runtimes' namespace (below), so no nsenter is timed
bench() {	# NAME cmdbench-args...
	_n=$1; shift
	_l=$($_pre "$BB/cmdbench" -o "$RAW/$_n.txt" -e "$RAW/$_n.err" "$@")
	echo "$_n $_l" >> "$R"
	_f=$(echo "$_l" | sed -n 's/.* fails=\([0-9]*\) .*/\1/p')
	[ "${_f:-0}" = 0 ] || note "$_n: $_f runs failed, see $RAW/$_n.err"
}
_pre=
nsbench() { _pre="nsenter -t $NSPID -m --"; bench "$@"; _pre=; }
# runs that took more than 1 s
slow() { awk '$1 > 1000 { n++ } END { print n + 0 }' "$RAW/$1.txt"; }
# containers/s if no run had taken over 1 s: WORKERS * those runs / time
# spent in the runs that didn't
fastrate() {	# NAME WORKERS
	awk -v w="$2" '$1 <= 1000 { n++; s += $1 }
	    END { if (s > 0) printf "%.2f\n", w * n / (s / 1000); else print "-" }' \
	    "$RAW/$1.txt"
}
# a / b, or "-"
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b + 0 == 0)
	    print "-"; else printf "%.2f\n", a / b }'
}
# "median p95 count" of the numbers on stdin, nearest rank
rawstats() {
	sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) { print "- - 0"; exit }
	    m = int(NR * 0.5 + 0.999999); p = int(NR * 0.95 + 0.999999)
	    print v[m], v[p], NR }'
}
# "rss pss uss" in KiB of one process
memof() {
	awk '/^Rss:/ { r = $2 } /^Pss:/ { p = $2 }
	    /^Private_(Clean|Dirty):/ { u += $2 }
	    END { print r + 0, p + 0, u + 0 }' "/proc/$1/smaps_rollup"
}
# mean and median of column COL of a file: "mean median"
colstats() {	# FILE COL
	sort -n -k"$2,$2" "$1" | awk -v c="$2" '{ v[NR] = $c; s += $c }
	    END { if (NR == 0) { print "- -"; exit }
	    m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
	    printf "%.0f %.0f\n", s / NR, m }'
}
# pids whose command line begins with $1
pids_of() {
	for p in /proc/[0-9]*; do
		p=${p#/proc/}
		tr '\0' ' ' 2>/dev/null < "/proc/$p/cmdline" |
		    grep -q "^$1" && echo "$p"
	done
}

# crun, runc and podman: in a mount namespace of their own.  crun refuses
# hybrid cgroup hosts ("cgroups in hybrid mode not supported"), so there
# the v2 tree at /sys/fs/cgroup/unified is unmounted; runc and podman run
# in the same namespace so all three see the same cgroups.  celld keeps
# the full view.
ns_start() {
	unshare --mount --propagation private sh -c '
	    if awk '\''$2 == "/sys/fs/cgroup/unified" && $3 == "cgroup2" {
		f = 1 } END { exit !f }'\'' /proc/self/mounts; then
		umount /sys/fs/cgroup/unified || exit 1
	    fi
	    exec sleep 100000' &
	NSPID=$!
	i=0
	while [ $i -lt 100 ]; do
		grep -q '^sleep' "/proc/$NSPID/comm" 2>/dev/null && return 0
		sleep 0.02
		i=$((i + 1))
	done
	return 1
}
ns() { nsenter -t "$NSPID" -m -- "$@"; }
crunc() { ns crun --root "$T/crun" "$@"; }
runcc() { ns runc --root "$T/runc" "$@"; }
PODDIR=$T/podman
pod() {
	TMPDIR=$PODDIR/tmp ns podman --root "$PODDIR/root" \
	    --runroot "$PODDIR/run" --tmpdir "$PODDIR/tmp" \
	    --network-config-dir "$PODDIR/net" --cgroup-manager cgroupfs \
	    --events-backend none --storage-driver overlay "$@"
}

bench_cleanup() {
	trap - EXIT INT TERM
	if [ -n "$CELLD_PID" ]; then
		ids=$(cellctl ps -a -q 2>/dev/null)
		[ -n "$ids" ] && cellctl rm -f $ids >/dev/null 2>&1
	fi
	if [ -n "$NSPID" ]; then
		[ "$PODMAN" = 1 ] && { pod rm -a -f -t 0; pod system reset -f; } \
		    >/dev/null 2>&1
		for r in crunc runcc; do
			for c in $($r list -q 2>/dev/null); do
				$r delete -f "$c" >/dev/null 2>&1
			done
		done
		kill "$NSPID" 2>/dev/null
		wait "$NSPID" 2>/dev/null
	fi
	cleanup		# tests/lib.sh: celld, stray processes, cgroups, $T
	for d in /var/lib/containers /run/containers; do
		umount $d 2>/dev/null
	done
}
trap bench_cleanup EXIT
trap 'exit 1' INT TERM

note "starting celld (state in $T)"
start_celld || exit 1
cellctl run --rm --network none busybox true ||
    { note "celld cannot run a container"; exit 1; }
ns_start || { note "cannot set up the runtimes' namespace"; exit 1; }

# an OCI bundle over a copy of celld's busybox layer: user namespace
# (0 -> 200000, 65536 ids) and every namespace celld makes, network
# included (loopback only, as --network none)
layer=$(ls -d "$T"/lib/layers/sha256/*/ | head -1)
mkdir -p "$T/bundle" "$T/crun" "$T/runc" "$PODDIR/tmp" "$PODDIR/net"
cp -a "$layer" "$T/bundle/rootfs"
chmod 0755 "$T/bundle"
oci_config() {	# args as a JSON list
	cat <<JSON
{
  "ociVersion": "1.0.0",
  "process": {
    "terminal": false, "user": { "uid": 0, "gid": 0 },
    "args": $1,
    "env": [ "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" ],
    "cwd": "/",
    "capabilities": {
      "bounding": [ "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE" ],
      "effective": [ "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE" ],
      "permitted": [ "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE" ]
    },
    "rlimits": [ { "type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024 } ],
    "noNewPrivileges": true
  },
  "root": { "path": "$T/bundle/rootfs", "readonly": false },
  "hostname": "bench",
  "mounts": [
    { "destination": "/proc", "type": "proc", "source": "proc" },
    { "destination": "/dev", "type": "tmpfs", "source": "tmpfs",
      "options": [ "nosuid", "strictatime", "mode=755", "size=65536k" ] },
    { "destination": "/dev/pts", "type": "devpts", "source": "devpts",
      "options": [ "nosuid", "noexec", "newinstance", "ptmxmode=0666",
                   "mode=0620" ] },
    { "destination": "/dev/shm", "type": "tmpfs", "source": "shm",
      "options": [ "nosuid", "noexec", "nodev", "mode=1777",
                   "size=65536k" ] },
    { "destination": "/sys", "type": "sysfs", "source": "sysfs",
      "options": [ "nosuid", "noexec", "nodev", "ro" ] }
  ],
  "linux": {
    "uidMappings": [ { "containerID": 0, "hostID": 200000, "size": 65536 } ],
    "gidMappings": [ { "containerID": 0, "hostID": 200000, "size": 65536 } ],
    "resources": { "devices": [ { "allow": false, "access": "rwm" } ] },
    "namespaces": [ { "type": "pid" }, { "type": "network" },
      { "type": "ipc" }, { "type": "uts" }, { "type": "mount" },
      { "type": "user" }, { "type": "cgroup" } ],
    "maskedPaths": [ "/proc/kcore", "/proc/keys", "/proc/timer_list",
      "/sys/firmware" ],
    "readonlyPaths": [ "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
      "/proc/sysrq-trigger" ]
  }
}
JSON
}
oci_config '[ "/bin/true" ]' > "$T/bundle/config.json"
crunc run -b "$T/bundle" bench-check >/dev/null ||
    { note "crun cannot run the bundle"; exit 1; }
runcc run -b "$T/bundle" bench-check >/dev/null ||
    { note "runc cannot run the bundle"; exit 1; }
if [ "$PODMAN" = 1 ]; then
	tar -C "$T/bundle/rootfs" -c . | pod import - bbench >/dev/null &&
	    pod run --rm --network none bbench /bin/true >/dev/null ||
	    { note "podman cannot run the image; skipping podman"
	      PODMAN=0; }
fi

CELLCTL_RUN="$CELLCTL run --rm --network none busybox true"
CRUN_RUN="crun --root $T/crun run -b $T/bundle b%n"
RUNC_RUN="runc --root $T/runc run -b $T/bundle b%n"
POD_RUN="env TMPDIR=$PODDIR/tmp podman --root $PODDIR/root --runroot $PODDIR/run --tmpdir $PODDIR/tmp --network-config-dir $PODDIR/net --cgroup-manager cgroupfs --events-backend none --storage-driver overlay run --rm --network none bbench /bin/true"

out "celld benchmarks, $(date -u '+%Y-%m-%d %H:%M UTC'), $(uname -r), $(nproc) cpus"
out "crun $(crun --version | head -1 | awk '{ print $3 }'), runc $(runc --version | head -1 | awk '{ print $3 }'), podman $( [ "$PODMAN" = 1 ] && podman --version | awk '{ print $3 }' || echo skipped)"

# ------------------------------------------------------------------ ping
note "ping: 1 and 10 clients over persistent connections"
l1=$("$BB/pingbench" -s "$CELLD_SOCK" -c 1 -n 5000 -w 200 -o "$RAW/ping1.txt")
echo "ping1 $l1" >> "$R"
l10=$("$BB/pingbench" -s "$CELLD_SOCK" -c 10 -n 1000 -w 50 -o "$RAW/ping10.txt")
echo "ping10 $l10" >> "$R"
bench pingcmd -n 300 -w 10 -- "$CELLCTL" ping

out ""
out "== ping: client -> parent -> net, fs, spawn helpers -> parent -> client"
out "   (latency in us per round trip; rate in pings/s; ratio = this / 1 client)"
out "$(printf '%-34s %7s %9s %9s %9s %9s %8s' mode pings median p95 p99 rate ratio)"
for m in ping1:"1 client, persistent conn" ping10:"10 clients, persistent conns"; do
	k=${m%%:*}
	out "$(printf '%-34s %7s %9s %9s %9s %9s %8s' "${m#*:}" \
	    "$(get $k pings)" "$(get $k median_us)" "$(get $k p95_us)" \
	    "$(get $k p99_us)" "$(get $k rate)" \
	    "$(ratio "$(get $k rate)" "$(get ping1 rate)")")"
done
ms2us() { awk -v v="$1" 'BEGIN { printf "%.1f\n", v * 1000 }'; }
out "$(printf '%-34s %7s %9s %9s %9s %9s %8s' "cellctl ping (a process each)" \
    "$(get pingcmd runs)" "$(ms2us "$(get pingcmd median_ms)")" \
    "$(ms2us "$(get pingcmd p95_ms)")" "$(ms2us "$(get pingcmd p99_ms)")" \
    "$(get pingcmd rate)" "$(ratio "$(get pingcmd rate)" "$(get ping1 rate)")")"

# --------------------------------------------------------------------- ps
note "ps: $NPS created containers"
ppid=$(proc_pid parent 2>/dev/null)
prss() { awk '/^VmRSS:/ { print $2 }' "/proc/$ppid/status"; }
: > "$RAW/parent_rss.txt"
echo "0 $(prss) $(memof "$ppid")" >> "$RAW/parent_rss.txt"
bench ps_celld_0 -n 50 -w 3 -- "$CELLCTL" ps -a
have=0
for want in 100 250 "$NPS"; do
	[ "$want" -gt "$have" ] && [ "$want" -le "$NPS" ] || continue
	bench create_celld_$want -n $((want - have)) -w 0 -- \
	    "$CELLCTL" create --network none busybox true
	have=$want
	echo "$have $(prss) $(memof "$ppid")" >> "$RAW/parent_rss.txt"
done
ncells=$(cellctl ps -a -q | wc -l)
bench ps_celld -n 50 -w 3 -- "$CELLCTL" ps -a
bench ps_celld_json -n 50 -w 3 -- "$CELLCTL" --json ps -a
# crun: as many created (not started) containers; crun list
oci_config '[ "/bin/true" ]' > "$T/bundle/config.json"
nsbench create_crun -n "$NPS" -w 0 -- crun \
    --root "$T/crun" create -b "$T/bundle" p%n
ncrun=$(crunc list -q | wc -l)
nsbench ps_crun -n 50 -w 3 -- crun --root "$T/crun" list
ns sh -c 'for c in $(crun --root "$1" list -q); do
	crun --root "$1" delete -f "$c"; done' sh "$T/crun" >/dev/null 2>&1

out ""
out "== ps: listing with many containers present (ms per command, 50 runs each)"
out "   celld: cellctl ps -a; crun: crun list (created, not started)"
out "$(printf '%-26s %6s %9s %9s %9s %11s %10s' command present median p95 p99 'celld/this' 'this/crun')"
for k in celld_0:"cellctl ps -a":0 celld:"cellctl ps -a":$ncells \
    celld_json:"cellctl --json ps -a":$ncells crun:"crun list":$ncrun; do
	n=${k%%:*}; rest=${k#*:}
	out "$(printf '%-26s %6s %9s %9s %9s %11s %10s' "${rest%:*}" "${rest##*:}" \
	    "$(get ps_$n median_ms)" "$(get ps_$n p95_ms)" "$(get ps_$n p99_ms)" \
	    "$(ratio "$(get ps_celld median_ms)" "$(get ps_$n median_ms)")" \
	    "$(ratio "$(get ps_$n median_ms)" "$(get ps_crun median_ms)")")"
done
set -- $(cat "$RAW"/create_celld_*.txt | rawstats)
out "   create: cellctl create median $1 ms, p95 $2 ms ($3 runs); crun create median $(get create_crun median_ms) ms, p95 $(get create_crun p95_ms) ms"

out ""
out "== celld parent memory against containers present (KiB; growth per container"
out "   over each step: equal steps mean linear growth)"
out "$(printf '%-12s %8s %8s %8s %14s %14s' containers VmRSS Pss USS 'RSS/cont step' 'PSS/cont step')"
awk '{ if (NR > 1) { d = $1 - n; r = sprintf("%.2f", ($2 - rss) / d)
	p = sprintf("%.2f", ($4 - pss) / d) } else { r = "-"; p = "-" }
    printf "%-12s %8s %8s %8s %14s %14s\n", $1, $2, $4, $5, r, p
    n = $1; rss = $2; pss = $4 }' "$RAW/parent_rss.txt" | tee -a "$R"
ids=$(cellctl ps -a -q)
[ -n "$ids" ] && bench rm_celld -n 1 -w 0 -- "$CELLCTL" rm -f $ids
out "   rm -f of all $ncells in one command: $(get rm_celld median_ms) ms"

# ---------------------------------------------------------- start-to-exit
note "start-to-exit: $RUNS runs each"
bench lat_celld -n "$RUNS" -w 5 -- $CELLCTL_RUN
bench lat_unshare -n "$RUNS" -w 5 -- unshare -Urmpfiu true
nsbench lat_crun -n "$RUNS" -w 5 -- $CRUN_RUN
nsbench lat_runc -n "$RUNS" -w 5 -- $RUNC_RUN
[ "$PODMAN" = 1 ] && nsbench lat_podman -n "$PRUNS" -w 3 -- $POD_RUN

out ""
out "== start-to-exit: run a busybox container whose command is true (ms, wall clock)"
out "   celld: cellctl run --rm --network none busybox true; crun/runc: run of an"
out "   OCI bundle, userns + netns; podman: run --rm --network none (overlay)"
out "   celld/this < 1: celld is faster; this/crun: relative to crun"
out "$(printf '%-22s %5s %9s %9s %9s %5s %11s %10s' runtime runs median p95 p99 '>1s' 'celld/this' 'this/crun')"
for k in celld unshare crun runc podman; do
	[ -f "$RAW/lat_$k.txt" ] || continue
	case $k in
	unshare) name="unshare -Urmpfiu true" ;;
	*) name=$k ;;
	esac
	out "$(printf '%-22s %5s %9s %9s %9s %5s %11s %10s' "$name" \
	    "$(get lat_$k runs)" "$(get lat_$k median_ms)" \
	    "$(get lat_$k p95_ms)" "$(get lat_$k p99_ms)" "$(slow lat_$k)" \
	    "$(ratio "$(get lat_celld median_ms)" "$(get lat_$k median_ms)")" \
	    "$(ratio "$(get lat_$k median_ms)" "$(get lat_crun median_ms)")")"
done

# ------------------------------------------------------------------ churn
note "churn: ${CHURN_S}s per runtime and client count"
for c in 1 2; do
	bench churn_celld_$c -c $c -n 0 -t "$CHURN_S" -w 1 -- $CELLCTL_RUN
	nsbench churn_crun_$c -c $c -n 0 -t "$CHURN_S" -w 1 -- $CRUN_RUN
	nsbench churn_runc_$c -c $c -n 0 -t "$CHURN_S" -w 1 -- $RUNC_RUN
	[ "$PODMAN" = 1 ] &&
	    nsbench churn_podman_$c -c $c -n 0 -t "$CHURN_S" -w 1 -- $POD_RUN
done

out ""
out "== churn: containers started and exited per second, clients looping ${CHURN_S}s each"
out "   (per-run latency in ms; celld/this > 1: celld is faster; this/crun: relative to crun)"
out "   w/o>1s: the rate if no run had taken over 1 s (workers x those runs / their time)"
out "$(printf '%-8s %7s %6s %9s %9s %9s %9s %5s %9s %11s %10s' runtime clients runs 'cont/s' median p95 p99 '>1s' 'w/o>1s' 'celld/this' 'this/crun')"
for c in 1 2; do
	for k in celld crun runc podman; do
		[ -f "$RAW/churn_${k}_$c.txt" ] || continue
		n=churn_${k}_$c
		out "$(printf '%-8s %7s %6s %9s %9s %9s %9s %5s %9s %11s %10s' \
		    $k $c "$(get $n runs)" "$(get $n rate)" \
		    "$(get $n median_ms)" "$(get $n p95_ms)" "$(get $n p99_ms)" \
		    "$(slow $n)" "$(fastrate $n $c)" \
		    "$(ratio "$(get churn_celld_$c rate)" "$(get $n rate)")" \
		    "$(ratio "$(get $n rate)" "$(get churn_crun_$c rate)")")"
	done
done
for k in celld crun runc podman; do
	[ -f "$RAW/churn_${k}_2.txt" ] || continue
	out "$(printf '   %s: 2 clients / 1 client = %s' $k \
	    "$(ratio "$(get churn_${k}_2 rate)" "$(get churn_${k}_1 rate)")")"
done

# ----------------------------------------------------------------- memory
note "memory: $IDLE idle celld containers, $PIDLE idle podman containers"
bench detach_celld -n "$IDLE" -w 0 -- "$CELLCTL" run -d --network none \
    busybox sleep 600
sleep 1
: > "$RAW/mem_monitor.txt"
caps=""; uids=""
for p in $(pids_of "celld: monitor "); do
	echo "$p $(memof "$p")" >> "$RAW/mem_monitor.txt"
	caps="$caps $(status_field "$p" CapEff)"
	uids="$uids $(status_field "$p" Uid)"
done
nmon=$(wc -l < "$RAW/mem_monitor.txt")
mon_caps=$(echo $caps | tr ' ' '\n' | sort -u | tr '\n' ' ')
mon_uids=$(echo $uids | tr ' ' '\n' | sort -u | tr '\n' ' ')
# celld's own processes, once for any number of containers
: > "$RAW/mem_daemon.txt"
for n in parent launcher net-helper fs-helper spawn-helper; do
	p=$(proc_pid $n 2>/dev/null) && echo "$n $p $(memof "$p")" >> "$RAW/mem_daemon.txt"
done
npod=0
if [ "$PODMAN" = 1 ]; then
	nsbench detach_podman -n "$PIDLE" -w 0 -- env TMPDIR="$PODDIR/tmp" podman --root "$PODDIR/root" \
	    --runroot "$PODDIR/run" --tmpdir "$PODDIR/tmp" \
	    --network-config-dir "$PODDIR/net" --cgroup-manager cgroupfs \
	    --events-backend none --storage-driver overlay run -d \
	    --network none bbench /bin/sleep 600
	sleep 1
	: > "$RAW/mem_conmon.txt"
	caps=""; uids=""
	for p in $(pids_of "/usr/bin/conmon "); do
		echo "$p $(memof "$p")" >> "$RAW/mem_conmon.txt"
		caps="$caps $(status_field "$p" CapEff)"
		uids="$uids $(status_field "$p" Uid)"
	done
	npod=$(wc -l < "$RAW/mem_conmon.txt")
	con_caps=$(echo $caps | tr ' ' '\n' | sort -u | tr '\n' ' ')
	con_uids=$(echo $uids | tr ' ' '\n' | sort -u | tr '\n' ' ')
fi
{
	echo "mem_monitor n=$nmon capeff=$(echo $mon_caps | tr ' ' ,) uid=$(echo $mon_uids | tr ' ' ,)"
	[ "$npod" -gt 0 ] && echo "mem_conmon n=$npod capeff=$(echo $con_caps | tr ' ' ,) uid=$(echo $con_uids | tr ' ' ,)"
} >> "$R"

out ""
out "== memory: host-side supervisor per idle running container (KiB, from smaps_rollup)"
out "   celld: $nmon x 'celld: monitor' for run -d sleep 600; podman: $npod x conmon"
out "   USS = Private_Clean + Private_Dirty (what one more container costs);"
out "   PSS shares libraries among all mappers, so it depends on the count"
out "$(printf '%-16s %4s %10s %10s %10s %10s %10s %10s %11s' supervisor n 'USS mean' 'USS med' 'PSS mean' 'PSS med' 'RSS mean' 'RSS med' 'celld/this')"
for k in monitor conmon; do
	f=$RAW/mem_$k.txt
	[ -s "$f" ] || continue
	set -- $(colstats "$f" 4) $(colstats "$f" 3) $(colstats "$f" 2)
	eval "u_$k=$2"
	out "$(printf '%-16s %4s %10s %10s %10s %10s %10s %10s %11s' \
	    "$k" "$(wc -l < "$f")" $1 $2 $3 $4 $5 $6 \
	    "$(ratio "${u_monitor:-}" "$2") (USS)")"
done
out "   monitor: CapEff $mon_caps Uid $mon_uids"
[ "$npod" -gt 0 ] && out "   conmon:  CapEff $con_caps Uid $con_uids"
out "   celld's fixed processes (once per host, KiB rss/pss/uss):"
while read -r n p r s u; do
	out "$(printf '     %-14s %6s %6s %6s' "$n" "$r" "$s" "$u")"
done < "$RAW/mem_daemon.txt"
out "   detached start, celld run -d: median $(get detach_celld median_ms) ms, p95 $(get detach_celld p95_ms) ms"
[ "$npod" -gt 0 ] && out "   detached start, podman run -d: median $(get detach_podman median_ms) ms, p95 $(get detach_podman p95_ms) ms"

ids=$(cellctl ps -a -q)
[ -n "$ids" ] && cellctl rm -f $ids >/dev/null
[ "$PODMAN" = 1 ] && pod rm -a -f -t 0 >/dev/null 2>&1

# image load throughput (bench/images.sh), in this same run
. bench/images.sh
# ---------------------------------------------------------------- network
. bench/net.sh
net_bench

out ""
out "raw samples: $RAW/*.txt (one time a line), summaries: $R"
