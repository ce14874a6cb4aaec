#!/bin/sh
# Install every build and run dependency that is missing (Debian 12, root).
PKGS="gcc make pkg-config byacc clang libclang-rt-14-dev libevent-dev
libbsd-dev libcap-dev libseccomp-dev libjansson-dev libnl-3-dev
libnl-route-3-dev libnftnl-dev libmnl-dev libarchive-dev libmd-dev
busybox-static uidmap libsubid-dev iproute2 util-linux mandoc cppcheck
e2fsprogs"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
	    missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "deps: missing:$missing (run as root to install)" >&2
	exit 1
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null && apt-get install -y -q $missing >/dev/null ||
    { echo "deps: apt-get install failed" >&2; exit 1; }
