#!/usr/bin/env python3
"""Build image archives for the tests, honest or hostile.

usage: mkarchive.py KIND OUT [NAME:TAG]
KIND: docker, oci, multi (two layers, whiteouts, an opaque dir), rootfs,
      and hostile ones: abs, dotdot, symlink, hardlink, device, setuid,
      bomb, dup, badjson, digest, missing, manyentries
"""
import gzip, hashlib, io, json, os, sys, tarfile

def ti(name, data=b"", mode=0o644, kind=tarfile.REGTYPE, link="", uid=0):
    t = tarfile.TarInfo(name)
    t.type = kind
    t.mode = mode
    t.uid = t.gid = uid
    t.linkname = link
    t.size = len(data) if kind == tarfile.REGTYPE else 0
    t.mtime = 1700000000
    return t, data

def tarbytes(entries):
    b = io.BytesIO()
    with tarfile.open(fileobj=b, mode="w", format=tarfile.GNU_FORMAT) as t:
        for info, data in entries:
            t.addfile(info, io.BytesIO(data) if info.size else None)
    return b.getvalue()

def busybox():
    if os.environ.get("MKARCHIVE_SMALL"):	# the fuzz corpus: no binary
        bb = b"#!/bin/sh\n"
    else:
        with open("/bin/busybox", "rb") as f:
            bb = f.read()
    e = [ti("bin/busybox", bb, mode=0o755)]
    for a in ("sh", "cat", "ls", "env", "pwd", "id", "stat", "test",
              "echo", "getfattr", "find", "wc", "sleep"):
        e.append(ti("bin/" + a, kind=tarfile.SYMTYPE, link="busybox"))
    return e

def base_layer():
    return [ti("bin", kind=tarfile.DIRTYPE, mode=0o755)] + busybox() + [
            ti("bin/hello", b"#!/bin/sh\necho hello from the image\n",
               mode=0o755),
            ti("etc", kind=tarfile.DIRTYPE, mode=0o755),
            ti("etc/gone", b"whited out\n"),
            ti("etc/kept", b"kept\n"),
            ti("opq", kind=tarfile.DIRTYPE, mode=0o755),
            ti("opq/old", b"old\n"),
            ti("data", kind=tarfile.DIRTYPE, mode=0o755),
            ti("data/file", b"layer one\n")]

def top_layer():
    return [ti("etc", kind=tarfile.DIRTYPE, mode=0o755),
            ti("etc/.wh.gone"),
            ti("opq", kind=tarfile.DIRTYPE, mode=0o755),
            ti("opq/.wh..wh..opq"),
            ti("opq/new", b"new\n"),
            ti("data/file2", b"layer two\n")]

def config(diffs, cmd=None, env=None, wd=None):
    c = {"Cmd": cmd or ["/bin/hello"],
         "Env": env or ["PATH=/bin:/usr/bin", "IMG=yes"],
         "WorkingDir": wd or "/data", "Labels": {"t": "1"},
         "StopSignal": "SIGTERM", "ExposedPorts": {"80/tcp": {}}}
    return json.dumps({"architecture": "amd64", "os": "linux", "config": c,
                       "rootfs": {"type": "layers",
                                  "diff_ids": ["sha256:" + d
                                               for d in diffs]}}).encode()

def sha(b):
    return hashlib.sha256(b).hexdigest()

def docker(layers, tags, cfgmut=None, manmut=None, extra=()):
    diffs = [sha(l) for l in layers]
    cfg = config(diffs)
    if cfgmut:
        cfg = cfgmut(cfg)
    files = []
    names = []
    for i, l in enumerate(layers):
        n = "l%d/layer.tar" % i
        names.append(n)
        files.append(ti("l%d" % i, kind=tarfile.DIRTYPE, mode=0o755))
        files.append(ti(n, l))
    files.append(ti(sha(cfg) + ".json", cfg))
    man = [{"Config": sha(cfg) + ".json", "RepoTags": tags,
            "Layers": names}]
    man = json.dumps(man).encode()
    if manmut:
        man = manmut(man)
    files.append(ti("manifest.json", man))
    files.extend(extra)
    return tarbytes(files)

def oci(layers, ref):
    blobs = []
    descs = []
    for l in layers:
        g = gzip.compress(l, mtime=0)
        blobs.append(g)
        descs.append({"mediaType":
                      "application/vnd.oci.image.layer.v1.tar+gzip",
                      "digest": "sha256:" + sha(g), "size": len(g)})
    cfg = config([sha(l) for l in layers], cmd=["/bin/hello", "oci"])
    blobs.append(cfg)
    man = json.dumps({"schemaVersion": 2, "mediaType":
                      "application/vnd.oci.image.manifest.v1+json",
                      "config": {"mediaType":
                                 "application/vnd.oci.image.config.v1+json",
                                 "digest": "sha256:" + sha(cfg),
                                 "size": len(cfg)},
                      "layers": descs}).encode()
    blobs.append(man)
    idx = json.dumps({"schemaVersion": 2, "manifests": [
        {"mediaType": "application/vnd.oci.image.manifest.v1+json",
         "digest": "sha256:" + sha(man), "size": len(man),
         "annotations": {"org.opencontainers.image.ref.name": ref}}]})
    files = [ti("oci-layout", b'{"imageLayoutVersion":"1.0.0"}'),
             ti("index.json", idx.encode()),
             ti("blobs", kind=tarfile.DIRTYPE, mode=0o755),
             ti("blobs/sha256", kind=tarfile.DIRTYPE, mode=0o755)]
    seen = set()
    for b in blobs:
        if sha(b) not in seen:
            seen.add(sha(b))
            files.append(ti("blobs/sha256/" + sha(b), b))
    return tarbytes(files)

def hostile(kind, tags):
    L = lambda e: docker([tarbytes(e)], tags)
    if kind == "abs":
        return L([ti("/etc/evil", b"x")])
    if kind == "dotdot":
        return L([ti("a/../../evil", b"x")])
    if kind == "symlink":
        return L([ti("lnk", kind=tarfile.SYMTYPE, link="/"),
                  ti("lnk/evil", b"x")])
    if kind == "symlink2":
        return L([ti("lnk", kind=tarfile.SYMTYPE, link="../../.."),
                  ti("lnk/.wh.evil")])
    if kind == "hardlink":
        return L([ti("hl", kind=tarfile.LNKTYPE, link="../../blobs/0")])
    if kind == "hardlink2":
        # a hardlink whose target walks through a symlink planted first
        return L([ti("s", kind=tarfile.SYMTYPE, link="/etc"),
                  ti("h", kind=tarfile.LNKTYPE, link="s/passwd")])
    if kind == "device":
        t, d = ti("dev/sda", kind=tarfile.BLKTYPE)
        t.devmajor, t.devminor = 8, 0
        return L(base_layer() + [ti("dev", kind=tarfile.DIRTYPE,
                                    mode=0o755), (t, d), ti("ok", b"ok\n")])
    if kind == "setuid":
        return L(base_layer() + [ti("bin/su", b"#!/bin/sh\nid -u\n",
                                    mode=0o4755)])
    if kind == "bomb":
        big = [ti("zeros", b"\0" * (64 << 20))]
        raw = tarbytes(big)
        lay = gzip.compress(raw, 9, mtime=0)
        return docker_gz(raw, lay, tags)
    if kind == "dup":
        return docker([tarbytes(base_layer())], tags,
                      extra=[ti("manifest.json", b"[]")])
    if kind == "badjson":
        return docker([tarbytes(base_layer())], tags,
                      manmut=lambda m: m[:-3])
    if kind == "digest":
        # the config's bytes change after its name (its hash) was given
        return docker([tarbytes(base_layer())], tags).replace(
            b'"IMG=yes"', b'"IMG=no!"')
    if kind == "diffid":
        lay = tarbytes(base_layer())
        a = docker([lay], tags)
        return a.replace(b"layer one\n", b"layer 1!!\n")
    if kind == "missing":
        return docker([tarbytes(base_layer())], tags,
                      manmut=lambda m: m.replace(b"l0/layer.tar",
                                                 b"l9/layer.tar"))
    if kind == "big":
        return tarbytes([ti("blob", b"x" * (70 << 20))])
    if kind == "manyentries":
        return L([ti("f%d" % i, b"") for i in range(3000)])
    if kind == "bigid":
        return L([ti("x", b"x", uid=70000)])
    raise SystemExit("unknown kind " + kind)

def docker_gz(raw, gz, tags):
    d = sha(raw)
    cfg = config([d])
    files = [ti("l0", kind=tarfile.DIRTYPE, mode=0o755), ti("l0/layer.tar", gz),
             ti(sha(cfg) + ".json", cfg),
             ti("manifest.json", json.dumps([{"Config": sha(cfg) + ".json",
                "RepoTags": tags, "Layers": ["l0/layer.tar"]}]).encode())]
    return tarbytes(files)

def main():
    kind, out = sys.argv[1], sys.argv[2]
    ref = sys.argv[3] if len(sys.argv) > 3 else "test:latest"
    if kind == "docker":
        data = docker([tarbytes(base_layer())], [ref, ref.split(":")[0] +
                                                 ":second"])
    elif kind == "multi":
        data = docker([tarbytes(base_layer()), tarbytes(top_layer())], [ref])
    elif kind == "oci":
        data = oci([tarbytes(base_layer()), tarbytes(top_layer())], ref)
    elif kind == "unique":
        data = docker([tarbytes(base_layer()), tarbytes(top_layer()),
                       tarbytes([ti("unique", os.urandom(32).hex().encode())])],
                      [ref])
    elif kind == "rootfs":
        data = gzip.compress(tarbytes(base_layer()), mtime=0)
    else:
        data = hostile(kind, [ref])
    with open(out, "wb") as f:
        f.write(data)

main()
