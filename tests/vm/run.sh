#!/bin/sh
# tests/vm/run.sh: run the test suite on a pure cgroup v2 host, in a KVM
# VM (make check-v2).  The VM boots Debian's kernel (linux-image-amd64)
# with cgroup_no_v1=all and a busybox initramfs (tests/vm/init) that
# mounts this host's root filesystem read-only over virtio-9p under a
# tmpfs overlay; tests/vm/guest.sh then runs "tests/run.sh BUILDDIR
# [pattern]" as root from this worktree, with the binaries built here.
# Exits 0 only if the VM reported that every test passed.
# usage: tests/vm/run.sh [pattern]	(root, /dev/kvm; B=builddir)
set -u
PAT=${1:-}
cd "$(dirname "$0")/../.." || exit 1
TOP=$(pwd -P)
B=${B:-build}
MEM=${CELLD_VM_MEM:-4096}
TIMEOUT=${CELLD_VM_TIMEOUT:-3600}
MODS="virtio_pci 9pnet_virtio 9p overlay virtio_blk ext4 loop"
# KVM, unless this host's KVM is PVM (kvm_pvm: a nested-virtualization
# flavour that runs only guests built for it, so Debian's kernel hangs in
# its decompressor); then qemu emulates (TCG, one thread per vcpu),
# some ten times slower.  CELLD_VM_ACCEL=kvm|tcg overrides.
ACCEL=${CELLD_VM_ACCEL:-kvm}
[ -z "${CELLD_VM_ACCEL:-}" ] && [ -d /sys/module/kvm_pvm ] && ACCEL=tcg

fail() { echo "check-v2: $*" >&2; exit 1; }

# the kernel command line carries these: no blanks, nothing odd
for v in "$TOP" "$B"; do
	case "$v" in *[!A-Za-z0-9_./-]*) fail "$v: unusable in a path" ;; esac
done
case "$PAT" in *[!A-Za-z0-9_./\|\[\]^$*-]*) fail "$PAT: unusable pattern" ;; esac
[ "$(id -u)" = 0 ] || fail "needs root (qemu exports / with its owners)"
[ "$ACCEL" = tcg ] || [ -c /dev/kvm ] || fail "no /dev/kvm"
[ -x "$B/celld" ] && [ -x "$B/tests/test_cgroup" ] ||
    fail "$B: not built (make tests)"

kernel() {	# newest Debian kernel in /boot with its modules
	for k in $(ls -v /boot/vmlinuz-* 2>/dev/null | sort -rV); do
		v=${k#/boot/vmlinuz-}
		[ -f "/lib/modules/$v/modules.dep" ] && { echo "$v"; return; }
	done
}
if [ -z "$(kernel)" ] || ! command -v qemu-system-x86_64 >/dev/null; then
	echo "check-v2: installing qemu-system-x86 linux-image-amd64"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >/dev/null
	apt-get install -y -q qemu-system-x86 linux-image-amd64 \
	    busybox-static >/dev/null || fail "apt-get install failed"
fi
KVER=$(kernel)
[ -n "$KVER" ] || fail "no kernel in /boot"
MD=/lib/modules/$KVER
BB=$(command -v busybox) || fail "no busybox (busybox-static)"
file -L "$BB" 2>/dev/null | grep -q 'static' ||
    ldd "$BB" 2>&1 | grep -q 'not a dynamic' || fail "$BB: not static"

W=$(mktemp -d /tmp/celld-vm.XXXXXX) || exit 1
QPID=
cleanup() {
	[ -n "$QPID" ] && kill "$QPID" 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# the initramfs: busybox, /init and the modules MODS need, in load order
mkdir -p "$W/out" "$W/rd/bin" "$W/rd/modules" "$W/rd/proc" "$W/rd/sys" "$W/rd/dev"
cp "$BB" "$W/rd/bin/busybox"
cp tests/vm/init "$W/rd/init"
modpath() {	# module name -> its path in modules.dep, or nothing if built in
	awk -F: -v m="$1" '{ n = $1; sub(/.*\//, "", n); sub(/\.ko.*/, "", n);
	    gsub(/-/, "_", n); if (n == m) { print $1; exit } }' "$MD/modules.dep"
}
moddeps() {	# path -> the paths it depends on
	awk -F: -v p="$1" '$1 == p { print $2; exit }' "$MD/modules.dep"
}
addmod() {	# path: its dependencies first, then itself
	grep -qxF "$(basename "$1")" "$W/rd/modules/list" 2>/dev/null && return
	for d in $(moddeps "$1"); do
		addmod "$d"
	done
	case "$1" in
	*.ko) cp "$MD/$1" "$W/rd/modules/" ;;
	*.ko.xz) xz -dc "$MD/$1" > "$W/rd/modules/$(basename "$1" .xz)" ;;
	*.ko.zst) zstd -qdc "$MD/$1" > "$W/rd/modules/$(basename "$1" .zst)" ;;
	*) fail "$1: unknown module format" ;;
	esac
	basename "${1%.xz}" | sed 's/\.zst$//' >> "$W/rd/modules/list"
}
: > "$W/rd/modules/list"
for m in $MODS; do
	p=$(modpath "$m")
	if [ -n "$p" ]; then
		addmod "$p"
	elif ! grep -q "/$m.ko" "$MD/modules.builtin" 2>/dev/null &&
	    ! grep -q "/$(echo "$m" | tr _ -).ko" "$MD/modules.builtin"; then
		fail "$KVER: no module $m"
	fi
done
(cd "$W/rd" && find . | cpio -o -H newc --quiet | gzip -1) > "$W/initrd" ||
    fail "cpio"
cp "/boot/vmlinuz-$KVER" "$W/vmlinuz"
# the VM's /tmp: ext4, which 6.1 can idmap (tmpfs needs 6.3; guest.sh)
truncate -s 8G "$W/scratch" || fail "scratch disk"

case "$ACCEL" in
kvm)	QACCEL="-enable-kvm -cpu host" ;;
tcg)	QACCEL="-accel tcg,thread=multi -cpu max"
	[ -d /sys/module/kvm_pvm ] &&
	    echo "check-v2: KVM here is PVM, which can't boot $KVER: emulating"
	TIMEOUT=${CELLD_VM_TIMEOUT:-10800} ;;
*)	fail "CELLD_VM_ACCEL=$ACCEL: kvm or tcg" ;;
esac
echo "check-v2: booting $KVER (pure cgroup v2, $ACCEL), tests of $TOP/$B" \
    "${PAT:+matching $PAT}"
APPEND="console=ttyS0 panic=-1 loglevel=4 cgroup_no_v1=all"
APPEND="$APPEND systemd.unified_cgroup_hierarchy=1"
APPEND="$APPEND celldvm.dir=$TOP celldvm.b=$B${PAT:+ celldvm.pat=$PAT}"
PS=${CELLD_VM_PS:-}
case "$PS" in *[!0-9]*) fail "CELLD_VM_PS=$PS: seconds" ;; esac
APPEND="$APPEND${PS:+ celldvm.ps=$PS}"
# shellcheck disable=SC2086	# QACCEL: words
timeout -k 10 "$TIMEOUT" qemu-system-x86_64 $QACCEL -smp 2 \
    -m "$MEM" -nographic -no-reboot -nic none \
    -kernel "$W/vmlinuz" -initrd "$W/initrd" -append "$APPEND" \
    -virtfs "local,path=/,mount_tag=hostroot,security_model=passthrough,readonly=on,multidevs=remap" \
    -virtfs "local,path=$W/out,mount_tag=celldout,security_model=none" \
    -drive "file=$W/scratch,format=raw,if=virtio,cache=unsafe" \
    < /dev/null > "$W/console" 2>&1 &
QPID=$!
# The suite writes to a file in the writable share $W/out, not to a
# terminal: the VM's console, serial or virtio, fell silent for good
# part-way, and every test writing to it hung.  The serial console keeps
# the kernel's messages, shown when something went wrong.
tail -F --pid=$QPID -n +1 "$W/out/log" 2>/dev/null
wait $QPID
qrc=$?
QPID=
# (before guest.sh has its log, it reports on the serial console)
rc=$(cat "$W/console" "$W/out/log" 2>/dev/null | tr -d '\r' |
    sed -n 's/^celld-vm: exit \([0-9]*\)$/\1/p' | tail -1)
if [ -z "$rc" ] || grep -q -e 'Kernel panic' -e 'BUG:' "$W/console"; then
	echo "check-v2: the kernel's console:"
	tr -d '\r' < "$W/console" | grep -v '^$' | tail -40
fi
if [ -z "$rc" ]; then
	echo "check-v2: the VM ended without a result (qemu status $qrc)"
	exit 1
fi
echo "check-v2: the VM's suite exited $rc"
[ "$rc" = 0 ]
