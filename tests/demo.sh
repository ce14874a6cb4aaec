#!/bin/sh
# make demo: celld in a scratch environment, one container that shows
# what it sees, then everything is cleaned up.  Runs as root, in its own
# mount, network and pid namespaces, so nothing outlives it.
# usage: tests/demo.sh BUILDDIR
B=${1:-build}
case "$B" in /*) ;; *) B="$(pwd)/$B" ;; esac
[ "$(id -u)" = 0 ] || { echo "demo: run as root" >&2; exit 1; }
if [ -z "${CELLD_DEMO_INNER:-}" ]; then
	CELLD_DEMO_INNER=1 B=$B exec unshare --mount --net --pid --fork \
	    --mount-proc --propagation private sh "$0" "$B"
fi
export B
. tests/lib.sh
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "starting celld (state in $T)"
start_celld || exit 1
say "cellctl ping: every process of celld, as the kernel sees it"
cellctl ping
say "cellctl run --rm busybox: what the container sees"
cellctl run --rm --hostname demo busybox sh -c '
echo "hostname:   $(hostname)"
echo "id:         $(id)"
echo "uid_map:    $(cat /proc/self/uid_map)"
grep -E "^(CapEff|CapBnd|NoNewPrivs|Seccomp):" /proc/self/status |
    sed "s/^/status:     /"
echo "processes:  $(ls /proc | grep -c "^[0-9]") visible"
echo "network:    $(tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " " | tr "\n" " ")"
echo "/dev:       $(ls /dev | tr "\n" " ")"
# both are meant to fail: the demo prints the refusal, not a status
echo "mount:      $(mount -t tmpfs x /tmp 2>&1 || true)"
echo "unshare -U: $(unshare -U true 2>&1 || true)"
for ns in user pid mnt net uts ipc cgroup; do
	echo "ns/$ns: $(readlink /proc/self/ns/$ns)"
done'
say "the host's view of the same kind of container"
id=$(cellctl run -d busybox sleep 30)
cellctl ps
pid=$(cellctl inspect "$id" | awk -F': ' '/"Pid"/ { gsub(/,/, "", $2); print $2 }')
echo "container init: host pid $pid, host uid $(awk '/^Uid:/ { print $2 }' /proc/$pid/status)"
cellctl rm -f "$id" >/dev/null
say "cleaning up"
