# Images (issue 5): load, import, run from them, and the verbs on them.
# The archives are made here, by tests/images/mkarchive.py, with layers
# that hold a busybox, whiteouts and an opaque dir.
. tests/lib.sh
start_celld || exit 1
MK="python3 tests/images/mkarchive.py"

layers_used() {	# name:tag -> its layer digests
	cellctl image inspect "$1" | python3 -c \
	    'import json,sys; print(" ".join(json.load(sys.stdin)[0]["layers"]))'
}

t_docker_archive_loads_with_every_tag() {
	$MK docker "$T/d.tar" dock:1 || return 1
	out=$(cellctl image load -i "$T/d.tar") || return 1
	echo "$out"
	echo "$out" | grep -q "dock:1" && echo "$out" | grep -q "dock:second" &&
	    cellctl images | grep -q '^dock  *1 ' &&
	    cellctl images | grep -q '^dock  *second '
}

t_run_applies_cmd_env_workdir() {
	$MK multi "$T/m.tar" multi:1 && cellctl image load -q -i "$T/m.tar" ||
	    return 1
	out=$(cellctl run --rm multi:1) && [ "$out" = "hello from the image" ] ||
	    return 1
	out=$(cellctl run --rm multi:1 sh -c 'echo $IMG $(pwd)') || return 1
	echo "$out"
	[ "$out" = "yes /data" ] || return 1
	# flags override the image: -e, -w, --entrypoint
	out=$(cellctl run --rm -e IMG=no -w /etc multi:1 sh -c \
	    'echo $IMG $(pwd)') && [ "$out" = "no /etc" ]
}

t_whiteouts_and_opaque_dirs_hide_lower_files() {
	$MK multi "$T/m.tar" multi:2 && cellctl image load -q -i "$T/m.tar" ||
	    return 1
	# /etc/hostname, hosts and resolv.conf are celld's, bound on top
	out=$(cellctl run --rm multi:2 sh -c 'ls /etc |
	    grep -vx "hostname\|hosts\|resolv.conf"; echo --; ls /opq; echo --;
	    cat /data/file /data/file2') || return 1
	echo "$out"
	[ "$out" = "kept
--
new
--
layer one
layer two" ]
}

t_layers_are_owned_by_container_root_on_disk() {
	$MK multi "$T/m.tar" multi:3 && cellctl image load -q -i "$T/m.tar" ||
	    return 1
	for d in $(layers_used multi:3); do
		s=$(stat -c '%u:%g %a' "$T/lib/layers/sha256/$d") || return 1
		echo "$d $s"
		[ "$s" = "0:0 755" ] || return 1
		o=$(find "$T/lib/layers/sha256/$d" ! -uid 0 | head -1)
		[ -z "$o" ] || { echo "not 0: $o"; return 1; }
	done
	# and the whiteout is overlay's 0/0 character device
	stat -c '%F %t %T' "$T/lib/layers/sha256/"*/etc/gone | grep -q \
	    'character special file 0 0'
}

t_oci_archive_gzip_layers_load_and_run() {
	$MK oci "$T/o.tar" ocimg:7 || return 1
	cellctl image load -q < "$T/o.tar" || return 1
	out=$(cellctl run --rm ocimg:7 sh -c 'ls /opq; cat /data/file2') &&
	    [ "$out" = "new
layer two" ]
}

t_same_layers_are_stored_once() {
	$MK multi "$T/m.tar" once:a && cellctl image load -q -i "$T/m.tar" &&
	    $MK multi "$T/m2.tar" once:b &&
	    cellctl image load -q -i "$T/m2.tar" || return 1
	[ "$(layers_used once:a)" = "$(layers_used once:b)" ] || return 1
	n=$(ls "$T/lib/layers/sha256" | wc -l)
	$MK multi "$T/m3.tar" once:c && cellctl image load -q -i "$T/m3.tar" ||
	    return 1
	[ "$(ls "$T/lib/layers/sha256" | wc -l)" = "$n" ] &&
	    [ -z "$(ls "$T/lib/layers/tmp")" ]
}

t_import_with_changes() {
	$MK rootfs "$T/r.tgz" || return 1
	cellctl image import "$T/r.tgz" imported:1 \
	    --change 'CMD ["/bin/sh","-c","echo $A $(pwd)"]' \
	    --change 'WORKDIR /etc' --change 'ENV A=b' \
	    --change 'LABEL k=v' --change 'EXPOSE 8080' >/dev/null || return 1
	out=$(cellctl run --rm imported:1) && [ "$out" = "b /etc" ] || return 1
	cellctl image inspect imported:1 | grep -q '"8080/tcp"'
}

# the image's Labels and ExposedPorts reach the container; --label wins
# over the image's, --expose adds
t_image_labels_and_exposed_ports_apply() {
	$MK rootfs "$T/r.tgz" || return 1
	cellctl image import "$T/r.tgz" meta:1 --change 'LABEL k=image' \
	    --change 'LABEL keep=1' --change 'EXPOSE 8080' \
	    --change 'EXPOSE 53/udp' --change 'CMD ["true"]' >/dev/null ||
	    return 1
	id=$(cellctl create --label k=mine --label new --expose 9090 \
	    meta:1) || return 1
	out=$(cellctl inspect "$id" | python3 -c 'import json,sys
c = json.load(sys.stdin)[0]["Config"]
print(json.dumps(c["Labels"], sort_keys=True))
print(" ".join(sorted(c["ExposedPorts"])))')
	cellctl rm "$id" >/dev/null
	echo "$out"
	[ "$out" = '{"k": "mine", "keep": "1", "new": ""}
53/udp 8080/tcp 9090/tcp' ]
}

# on a terminal, load shows bytes, then layer K of N; -q and a pipe
# show nothing
t_progress_on_a_terminal_only() {
	$MK multi "$T/p.tar" prog:1 || return 1
	tty=$(timeout 60 script -qec "$CELLCTL image load -i $T/p.tar" \
	    /dev/null | tr '\r' '\n') || return 1
	q=$(timeout 60 script -qec "$CELLCTL image load -q -i $T/p.tar" \
	    /dev/null | tr '\r' '\n') || return 1
	pipe=$(cellctl image load -i "$T/p.tar" 2>&1) || return 1
	n=$(cellctl image inspect prog:1 | python3 -c \
	    'import json,sys; print(len(json.load(sys.stdin)[0]["layers"]))')
	echo "tty: $tty"
	echo "quiet: $q"
	echo "pipe: $pipe"
	echo "$tty" | grep -q '^loading: [0-9]* of [0-9]* MB' &&
	    echo "$tty" | grep -q "^unpacking: layer 1 of [0-9]" &&
	    echo "$tty" | grep -q "^unpacking: layer $n of $n" || return 1
	for o in "$q" "$pipe"; do
		echo "$o" | grep -q 'loading\|unpacking' && return 1
	done
	return 0
}

# stop sends the image's STOPSIGNAL, and --stop-signal beats it; pid 1
# ignores what it has no handler for, so a wrong signal ends in SIGKILL
t_stop_signal_from_the_image_and_the_flag() {
	$MK rootfs "$T/r.tgz" || return 1
	cellctl image import "$T/r.tgz" stopsig:1 \
	    --change 'STOPSIGNAL SIGUSR1' >/dev/null || return 1
	loop='trap "exit 42" USR1; trap "exit 43" USR2; while :; do sleep 0.1; done'
	a=$(cellctl run -d stopsig:1 sh -c "$loop") || return 1
	b=$(cellctl run -d --stop-signal usr2 stopsig:1 sh -c "$loop") ||
	    return 1
	sleep 0.5
	cellctl stop -t 5 "$a" "$b" >/dev/null
	s1=$(cellctl wait "$a")
	s2=$(cellctl wait "$b")
	cellctl rm "$a" "$b" >/dev/null
	echo "image's USR1: $s1, --stop-signal usr2: $s2"
	[ "$s1" = 42 ] && [ "$s2" = 43 ] || return 1
	! cellctl run --rm --stop-signal NOPE busybox true 2>/dev/null
}

t_import_from_stdin_and_shell_form_cmd() {
	$MK rootfs "$T/r.tgz" || return 1
	cellctl image import - imported:2 --change 'CMD echo shell form' \
	    < "$T/r.tgz" >/dev/null || return 1
	out=$(cellctl run --rm imported:2) && [ "$out" = "shell form" ]
}

t_import_bad_change_is_refused() {
	$MK rootfs "$T/r.tgz" || return 1
	err=$(cellctl image import "$T/r.tgz" bad:1 --change 'FROB x' 2>&1)
	rc=$?
	echo "$err"
	[ $rc = 125 ] && echo "$err" | grep -q "cannot apply" &&
	    ! cellctl image inspect bad:1 >/dev/null 2>&1
}

t_tag_inspect_rm() {
	$MK docker "$T/d.tar" tagme:1 && cellctl image load -q -i "$T/d.tar" ||
	    return 1
	cellctl image tag tagme:1 other:9 || return 1
	[ "$(layers_used tagme:1)" = "$(layers_used other:9)" ] || return 1
	cellctl image inspect other:9 | grep -q '"Env"' || return 1
	cellctl image rm other:9 >/dev/null || return 1
	! cellctl image inspect other:9 >/dev/null 2>&1 &&
	    cellctl image inspect tagme:1 >/dev/null
}

t_ls_json() {
	cellctl images --json | python3 -c '
import json, sys
l = json.load(sys.stdin)
assert any(i["name"] == "busybox" for i in l), l'
}

t_rm_of_an_image_in_use_needs_force_and_spares_the_container() {
	$MK multi "$T/m.tar" inuse:1 && cellctl image load -q -i "$T/m.tar" ||
	    return 1
	id=$(cellctl run -d inuse:1 sleep 100) || return 1
	err=$(cellctl image rm inuse:1 2>&1); rc=$?
	echo "$err"
	[ $rc = 125 ] && echo "$err" | grep -q "used by a container" || return 1
	cellctl image rm -f inuse:1 >/dev/null || return 1
	cellctl image prune >/dev/null || return 1
	# the layers stay: the container still runs on them
	cellctl exec "$id" cat /data/file | grep -q "layer one" || return 1
	cellctl rm -f "$id" >/dev/null
}

t_prune_removes_only_unused_layers() {
	$MK unique "$T/u.tar" prune:1 && cellctl image load -q -i "$T/u.tar" ||
	    return 1
	set -- $(layers_used prune:1)
	base=$1 top=$3
	cellctl image tag prune:1 prune:2 || return 1
	cellctl image rm prune:1 >/dev/null && cellctl image prune >/dev/null ||
	    return 1
	[ -d "$T/lib/layers/sha256/$top" ] || return 1
	cellctl image rm prune:2 >/dev/null || return 1
	out=$(cellctl image prune) || return 1
	echo "$out"
	# the unique top layer goes; the base stays while others use it
	[ ! -e "$T/lib/layers/sha256/$top" ] || return 1
	if cellctl images --json | grep -q "$base"; then
		[ -d "$T/lib/layers/sha256/$base" ] || return 1
	fi
	cellctl run --rm busybox true
}

t_save_and_load_again_round_trip() {
	$MK unique "$T/u.tar" rt:1 && cellctl image load -q -i "$T/u.tar" ||
	    return 1
	want=$(cellctl run --rm rt:1 sh -c 'ls /etc /opq; cat /unique /data/file2; echo $IMG')
	cellctl image save rt:1 -o "$T/saved.tar" || return 1
	# a valid OCI layout: every blob hashes to its name, the index's
	# manifest is there and names the config and layers
	python3 - "$T/saved.tar" <<'PY' || return 1
import hashlib, json, sys, tarfile
t = tarfile.open(sys.argv[1])
f = {m.name: t.extractfile(m).read() for m in t.getmembers() if m.isfile()}
for n, d in f.items():
    if n.startswith("blobs/sha256/"):
        assert hashlib.sha256(d).hexdigest() == n[13:], n
idx = json.loads(f["index.json"])
m = idx["manifests"][0]
assert m["annotations"]["org.opencontainers.image.ref.name"] == "rt:1"
man = json.loads(f["blobs/sha256/" + m["digest"][7:]])
cfg = json.loads(f["blobs/sha256/" + man["config"]["digest"][7:]])
assert len(man["layers"]) == 3 == len(cfg["rootfs"]["diff_ids"])
assert cfg["config"]["Env"][-1] == "IMG=yes", cfg
names = tarfile.open(fileobj=__import__("io").BytesIO(
    f["blobs/sha256/" + man["layers"][1]["digest"][7:]])).getnames()
assert "etc/.wh.gone" in names and "opq/.wh..wh..opq" in names, names
PY
	cellctl image rm rt:1 >/dev/null && cellctl image prune >/dev/null ||
	    return 1
	cellctl image load -q -i "$T/saved.tar" >/dev/null || return 1
	got=$(cellctl run --rm rt:1 sh -c 'ls /etc /opq; cat /unique /data/file2; echo $IMG')
	echo "$got"
	[ -n "$want" ] && [ "$got" = "$want" ]
}

t_save_of_a_missing_image_leaves_no_file() {
	cellctl image save nosuch:1 -o "$T/none.tar" 2>/dev/null && return 1
	[ ! -e "$T/none.tar" ]
}

t_two_loads_at_once_share_layers_consistently() {
	$MK multi "$T/c1.tar" conc:1 && $MK multi "$T/c2.tar" conc:2 || return 1
	cellctl image load -q -i "$T/c1.tar" > "$T/c1.out" 2>&1 &
	p1=$!
	cellctl image load -q -i "$T/c2.tar" > "$T/c2.out" 2>&1 &
	p2=$!
	wait $p1 || { cat "$T/c1.out"; return 1; }
	wait $p2 || { cat "$T/c2.out"; return 1; }
	cellctl run --rm conc:1 cat /data/file2 | grep -q "layer two" &&
	    cellctl run --rm conc:2 cat /data/file2 | grep -q "layer two" &&
	    [ -z "$(ls "$T/lib/layers/tmp")" ]
}

run_tests
