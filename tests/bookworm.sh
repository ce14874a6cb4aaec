#!/bin/sh
# A real distribution through image load, outside make check (it needs
# the Debian mirror and a few minutes): debootstrap a bookworm rootfs,
# turn it into an image with podman import, save it as a docker-archive
# and as an oci-archive, load both into celld and run apt-get in each.
# usage (root, from the source tree): sh tests/bookworm.sh [BUILDDIR]
# The debootstrap tree is kept as $BOOKWORM_CACHE (default
# /var/tmp/celld-bookworm.tar) for the next run.
set -u
B=${1:-build}
case "$B" in /*) ;; *) B="$(pwd)/$B" ;; esac
CACHE=${BOOKWORM_CACHE:-/var/tmp/celld-bookworm.tar}
MIRROR=${BOOKWORM_MIRROR:-http://deb.debian.org/debian}
if [ -z "${CELLD_BOOKWORM_INNER:-}" ]; then
	if [ ! -s "$CACHE" ]; then
		w=$(mktemp -d /var/tmp/celld-bookworm.XXXXXX)
		echo "# debootstrap bookworm into $w (a few minutes)"
		debootstrap --variant=minbase bookworm "$w/rootfs" "$MIRROR" \
		    > "$w.log" 2>&1 || { tail "$w.log"; exit 1; }
		tar --numeric-owner -C "$w/rootfs" -cf "$CACHE.tmp" . &&
		    mv "$CACHE.tmp" "$CACHE" || exit 1
		rm -rf "$w" "$w.log"
	fi
	CELLD_BOOKWORM_INNER=1 exec unshare --mount --net --pid --fork \
	    --mount-proc --propagation private sh "$0" "$B"
fi
export B
. tests/lib.sh
start_celld || exit 1
pod() {
	podman --root "$T/podman/root" --runroot "$T/podman/run" \
	    --tmpdir "$T/podman/tmp" --storage-driver overlay \
	    --events-backend none --cgroup-manager cgroupfs "$@"
}
mkdir -p "$T/podman/tmp"
export TMPDIR=$T/podman/tmp
fail=0
step() {	# what command...
	_w=$1; shift
	if "$@"; then echo "ok - bookworm: $_w"
	else echo "not ok - bookworm: $_w"; fail=1; fi
}
step "podman import" pod import -q "$CACHE" localhost/bookworm:12
step "podman tag" pod tag localhost/bookworm:12 localhost/bookworm:oci
step "podman save docker-archive" pod save -q --format docker-archive \
    -o "$T/bw-docker.tar" localhost/bookworm:12
step "podman save oci-archive" pod save -q --format oci-archive \
    -o "$T/bw-oci.tar" localhost/bookworm:oci
ls -l "$T"/bw-*.tar
step "load docker-archive" cellctl image load -i "$T/bw-docker.tar"
step "load oci-archive" cellctl image load -i "$T/bw-oci.tar"
cellctl images
for t in 12 oci; do
	out=$(cellctl run --rm "bookworm:$t" apt-get --version 2>&1)
	echo "$out" | head -1
	step "run bookworm:$t apt-get --version" \
	    sh -c "echo '$out' | grep -q '^apt [0-9]'"
done
out=$(cellctl run --rm bookworm:12 sh -c 'id -u; ls -ld /usr/bin/su; cat /etc/debian_version' 2>&1)
echo "$out"
step "setuid su kept, root inside" sh -c "echo '$out' | head -1 | grep -qx 0 &&
    echo '$out' | grep -q '^-rwsr-xr-x'"
step "busybox shares the store" cellctl run --rm busybox true
exit $fail
