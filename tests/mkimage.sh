#!/bin/sh
# Put the default image "busybox" into a celld store, from Debian's
# busybox-static: one content-addressed layer (sha256 of its tar stream)
# under layers/sha256/, and the image record under images/.  Run as root
# before celld starts (make install, make demo, the tests); image load and
# import, which take any archive through a sandboxed unpacker, are the job
# of the images issue.
# usage: tests/mkimage.sh STORAGE
set -eu
S=${1:?usage: mkimage.sh STORAGE}
BB=/bin/busybox
[ -x $BB ] || { echo "mkimage: $BB missing (apt-get install busybox-static)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
r=$work/rootfs
mkdir -p $r/bin $r/sbin $r/usr/bin $r/usr/sbin $r/etc $r/root $r/tmp \
    $r/proc $r/sys $r/dev $r/var/tmp $r/home
cp $BB $r/bin/busybox
for a in $($BB --list-full); do
	[ "$a" = bin/busybox ] && continue
	mkdir -p "$r/$(dirname "$a")"
	ln -sf /bin/busybox "$r/$a"
done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' > $r/etc/passwd
printf 'root:x:0:\ntty:x:5:\nnogroup:x:65534:\n' > $r/etc/group
chmod 1777 $r/tmp $r/var/tmp
chmod 0700 $r/root
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner \
    -C $r -cf $work/layer.tar .
d=$(sha256sum $work/layer.tar | cut -d' ' -f1)
mkdir -p "$S/layers/sha256" "$S/images"
if [ ! -d "$S/layers/sha256/$d" ]; then
	mkdir "$S/layers/sha256/.tmp-$d"
	tar -C "$S/layers/sha256/.tmp-$d" --numeric-owner -xpf $work/layer.tar
	chmod 0755 "$S/layers/sha256/.tmp-$d"
	mv "$S/layers/sha256/.tmp-$d" "$S/layers/sha256/$d"
fi
cat > "$S/images/.busybox_latest.json" <<JSON
{"name":"busybox","tag":"latest","layers":["$d"],
 "config":{"Cmd":["sh"],"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"WorkingDir":"","User":""}}
JSON
mv "$S/images/.busybox_latest.json" "$S/images/busybox_latest.json"
echo "busybox: layer sha256:$d"
