#!/bin/sh
# Image load throughput: cellctl image load next to a plain tar -x of the
# same layers and next to podman load of the same archive, in one run.
# Sourced by bench/run.sh (inside its namespaces, celld started), or run
# alone as root: sh bench/images.sh BUILDDIR
#	BENCH_IMG_RUNS	repetitions of each				(3)
#	BENCH_IMG_DIRS	dirs that become the layers, one each
#			(/usr/share/doc /usr/lib/x86_64-linux-gnu/perl-base /usr/share/locale)
if [ -z "${CELLD_BENCH_INNER:-}" ]; then
	B=${1:-build}
	case "$B" in /*) ;; *) B="$(pwd)/$B" ;; esac
	CELLD_BENCH_INNER=1 BENCH_IMG_ALONE=1 exec unshare --mount --net \
	    --pid --fork --mount-proc --propagation private sh "$0" "$B"
fi
if [ -n "${BENCH_IMG_ALONE:-}" ]; then
	B=$1
	export B
	. tests/lib.sh
	start_celld || exit 1
	out() { printf '%s\n' "$*"; }
fi
IRUNS=${BENCH_IMG_RUNS:-3}
IDIRS=${BENCH_IMG_DIRS:-/usr/share/doc /usr/lib/x86_64-linux-gnu/perl-base /usr/share/locale}
IW=$T/imgbench
mkdir -p "$IW"

# the archive: one uncompressed layer per dir, Docker format
python3 - "$IW/img.tar" $IDIRS <<'PY'
import hashlib, io, json, os, sys, tarfile
out, dirs = sys.argv[1], sys.argv[2:]
layers = []
for i, d in enumerate(dirs):
    b = io.BytesIO()
    with tarfile.open(fileobj=b, mode="w", format=tarfile.PAX_FORMAT) as t:
        t.add(d, arcname=os.path.basename(d) + str(i))
    layers.append(b.getvalue())
diff = [hashlib.sha256(l).hexdigest() for l in layers]
cfg = json.dumps({"config": {"Cmd": ["sh"]}, "rootfs": {"type": "layers",
      "diff_ids": ["sha256:" + d for d in diff]}}).encode()
man = json.dumps([{"Config": hashlib.sha256(cfg).hexdigest() + ".json",
      "RepoTags": ["bench:1"], "Layers": [d + "/layer.tar" for d in diff]}])
with tarfile.open(out, "w") as t:
    def add(name, data):
        ti = tarfile.TarInfo(name); ti.size = len(data)
        t.addfile(ti, io.BytesIO(data))
    for d, l in zip(diff, layers):
        add(d + "/layer.tar", l)
    add(hashlib.sha256(cfg).hexdigest() + ".json", cfg)
    add("manifest.json", man.encode())
PY
mkdir -p "$IW/layers"
(cd "$IW/layers" && tar -xf "$IW/img.tar")
ISIZE=$(stat -c %s "$IW/img.tar")
NFILES=$(for l in "$IW"/layers/*/layer.tar; do tar -tf "$l"; done | wc -l)

now_ms() { date +%s%3N; }
# median of the numbers on stdin
med() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
mbs() { awk -v b="$ISIZE" -v ms="$1" 'BEGIN { printf "%.1f", b / 1048576 / (ms / 1000) }'; }

: > "$IW/celld.ms"; : > "$IW/tar.ms"; : > "$IW/podman.ms"
i=0
while [ $i -lt "$IRUNS" ]; do
	# celld: every layer extracted again (removed and pruned in between)
	t0=$(now_ms)
	cellctl image load -q -i "$IW/img.tar" >/dev/null || echo "# celld load failed" >&2
	echo $(( $(now_ms) - t0 )) >> "$IW/celld.ms"
	cellctl image rm bench:1 >/dev/null && cellctl image prune >/dev/null
	# tar -x of the same layers, one after the other, into fresh dirs
	rm -rf "$IW/x"; mkdir -p "$IW/x"; sync
	t0=$(now_ms)
	for l in "$IW"/layers/*/layer.tar; do
		d="$IW/x/$(basename "$(dirname "$l")")"
		mkdir "$d" && tar -C "$d" -xpf "$l"
	done
	echo $(( $(now_ms) - t0 )) >> "$IW/tar.ms"
	rm -rf "$IW/x"
	if command -v podman >/dev/null; then
		P="podman --root $IW/podman/root --runroot $IW/podman/run \
		    --tmpdir $IW/podman/tmp --storage-driver overlay \
		    --events-backend none --cgroup-manager cgroupfs"
		mkdir -p "$IW/podman/tmp"
		t0=$(now_ms)
		TMPDIR=$IW/podman/tmp $P load -q -i "$IW/img.tar" >/dev/null 2>"$IW/podman.err" ||
		    echo "# podman load failed: $(tail -1 "$IW/podman.err")" >&2
		echo $(( $(now_ms) - t0 )) >> "$IW/podman.ms"
		TMPDIR=$IW/podman/tmp $P rmi -a -f >/dev/null 2>&1
	fi
	i=$((i + 1))
done
c=$(med < "$IW/celld.ms"); t=$(med < "$IW/tar.ms")
out ""
out "== image load: $(awk -v b="$ISIZE" 'BEGIN { printf "%.0f", b / 1048576 }') MB Docker archive, $(echo $IDIRS | wc -w) layers, $NFILES entries; median of $IRUNS"
out "$(printf '%-34s %10s %8s %10s' how ms MB/s 'vs celld')"
out "$(printf '%-34s %10s %8s %10s' 'celld: cellctl image load' "$c" "$(mbs "$c")" 1.00)"
out "$(printf '%-34s %10s %8s %10s' 'tar -xpf of each layer (as root)' "$t" "$(mbs "$t")" "$(awk -v a="$c" -v b="$t" 'BEGIN { printf "%.2f", a / b }')")"
if [ -s "$IW/podman.ms" ]; then
	p=$(med < "$IW/podman.ms")
	out "$(printf '%-34s %10s %8s %10s' 'podman load' "$p" "$(mbs "$p")" "$(awk -v a="$c" -v b="$p" 'BEGIN { printf "%.2f", a / b }')")"
fi
out "   'vs celld' = celld's time / that time: above 1 means celld is slower."
out "   celld spools the archive, hashes every blob and every layer's"
out "   uncompressed stream, extracts through an idmapped mount in its"
out "   sandbox and commits by rename; tar -x does only the extraction."
rm -rf "$IW"
