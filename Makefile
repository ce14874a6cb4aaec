# celld: a container manager whose daemon holds no privilege.
# "make" builds, "make check" installs missing dependencies and runs every
# test, "make demo" shows a container on a fresh Debian 12 machine.

PREFIX		?= /usr/local
DESTDIR		?=
SBINDIR		 = $(PREFIX)/sbin
BINDIR		 = $(PREFIX)/bin
LIBEXECDIR	 = $(PREFIX)/libexec/celld
MANDIR		 = $(PREFIX)/share/man
B		?= build
O		 = $(B)/obj

CC		?= cc
PKGS		 = libevent libbsd libcap libseccomp jansson
PKG_CFLAGS	:= $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS	:= $(shell pkg-config --libs $(PKGS) 2>/dev/null)
# format-truncation: every path is built from storage and rundir, which
# celld refuses when longer than STORE_PATHMAX (parent/celld.c)
WARN		 = -Wall -Wextra -Werror -Wno-format-truncation \
		   -Wno-unknown-warning-option
CFLAGS		?= -O2 -g
XCFLAGS		 = -std=gnu11 $(WARN) -D_GNU_SOURCE -I. $(PKG_CFLAGS) \
		   -DLIBEXECDIR=\"$(LIBEXECDIR)\" -fstack-protector-strong \
		   -D_FORTIFY_SOURCE=2 -fPIE
XLDFLAGS	 = -pie -Wl,-z,relro,-z,now
YACC		 = byacc

IMSG_OBJ	 = $(O)/imsg/imsg.o $(O)/imsg/msg.o $(O)/imsg/spec.o
PRIVSEP_OBJ	 = $(O)/privsep/log.o $(O)/privsep/drop.o \
		   $(O)/privsep/sandbox.o $(O)/privsep/proc.o \
		   $(O)/privsep/subid.o $(O)/privsep/cgroupfs.o
PARENT_OBJ	 = $(O)/parent/celld.o $(O)/parent/control.o \
		   $(O)/parent/helpers.o $(O)/parent/request.o \
		   $(O)/parent/conf.o $(O)/parent/conf_build.o \
		   $(O)/parent/parse.o \
		   $(O)/parent/cell.o $(O)/parent/state.o $(O)/parent/image.o \
		   $(O)/parent/ctl_cell.o $(O)/parent/run.o $(O)/parent/monconn.o \
		   $(O)/parent/delegate.o $(O)/parent/ctl_more.o \
		   $(O)/parent/ctl_exec.o $(O)/parent/volume.o $(O)/parent/audit.o \
		   $(O)/parent/seccomp_json.o $(O)/parent/ctl_seccomp.o \
		   $(O)/parent/image_store.o $(O)/parent/image_load.o \
		   $(O)/parent/image_change.o \
		   $(O)/parent/ipam.o $(O)/parent/ipam6.o $(O)/parent/lease.o \
		   $(O)/parent/network.o \
		   $(O)/parent/netrun.o $(O)/parent/ctl_network.o \
		   $(O)/parent/netfiles.o $(O)/parent/netconn.o \
		   $(O)/parent/netgw.o \
		   $(O)/privsep/launch.o
HELPER_OBJ	 = $(O)/privsep/helper.o
NET_OBJ		 = $(O)/net-helper/net.o $(O)/net-helper/link.o \
		   $(O)/net-helper/nft.o
# only celld-net links libnl and libnftnl
NET_PKGS	 = libnl-route-3.0 libnftnl libmnl
NET_CFLAGS	:= $(shell pkg-config --cflags $(NET_PKGS) 2>/dev/null)
NET_LIBS	:= $(shell pkg-config --libs $(NET_PKGS) 2>/dev/null)
FS_OBJ		 = $(O)/fs-helper/fs.o $(O)/fs-helper/rootfs.o \
		   $(O)/fs-helper/stage.o $(O)/fs-helper/disk.o \
		   $(O)/fs-helper/diskmnt.o $(O)/fs-helper/mkfs.o
SPAWN_OBJ	 = $(O)/spawn-helper/spawn.o $(O)/spawn-helper/cell.o \
		   $(O)/spawn-helper/cellfd.o $(O)/spawn-helper/init.o \
		   $(O)/spawn-helper/mounts.o $(O)/spawn-helper/seccomp_profile.o \
		   $(O)/spawn-helper/cgroup.o $(O)/spawn-helper/cgkill.o \
		   $(O)/spawn-helper/more.o \
		   $(O)/spawn-helper/overlay.o $(O)/spawn-helper/exec.o \
		   $(O)/spawn-helper/volume.o $(O)/spawn-helper/bpf.o \
		   $(O)/spawn-helper/initbin.o $(O)/spawn-helper/unpack.o \
		   $(O)/spawn-helper/netcfg.o $(O)/spawn-helper/netif.o
UNPACK_OBJ	 = $(O)/unpack/unpack.o $(O)/unpack/spool.o \
		   $(O)/unpack/manifest.o $(O)/unpack/layer.o $(O)/unpack/load.o \
		   $(O)/unpack/sha.o $(O)/unpack/save.o
CELLCTL_OBJ	 = $(patsubst %.c,$(O)/%.o,$(wildcard cellctl/*.c))
MONITOR_OBJ	 = $(patsubst %.c,$(O)/%.o,$(wildcard monitor/*.c))

PROGS		 = $(B)/celld $(B)/celld-net $(B)/celld-fs $(B)/celld-spawn \
		   $(B)/celld-monitor $(B)/cellctl $(B)/celld-init \
		   $(B)/celld-unpack
UNIT		 = $(B)/tests/test_imsg $(B)/tests/test_msg \
		   $(B)/tests/test_conf $(B)/tests/test_cellctl_args \
		   $(B)/tests/test_init $(B)/tests/probe $(B)/tests/test_cgroup \
		   $(B)/tests/test_monitor $(B)/tests/test_seccomp_json \
		   $(B)/tests/test_ipam
SECURITY	 = $(B)/tests/sbx_probe $(B)/tests/ctlraw $(B)/tests/unpack_probe

all: $(PROGS)

$(O)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(XCFLAGS) $(XWARN) -MMD -MP -c -o $@ $<

-include $(shell find $(O) -name '*.d' 2>/dev/null)

$(O)/parent/parse.c: parent/parse.y
	@mkdir -p $(dir $@)
	$(YACC) -o $@ $<

$(O)/parent/parse.o: $(O)/parent/parse.c
	$(CC) $(CFLAGS) $(XCFLAGS) $(XWARN) -Iparent -Wno-unused-but-set-variable \
	    -Wno-sign-compare -c -o $@ $<

# only celld reads /etc/subuid (libsubid): privsep/subid_read.c
$(B)/celld: $(PARENT_OBJ) $(IMSG_OBJ) $(PRIVSEP_OBJ) $(O)/privsep/subid_read.o
	$(CC) $(LDFLAGS) $(XLDFLAGS) -o $@ $^ $(PKG_LIBS) -lsubid

$(B)/celld-net: $(NET_OBJ) $(HELPER_OBJ) $(IMSG_OBJ) $(PRIVSEP_OBJ)
	$(CC) $(LDFLAGS) $(XLDFLAGS) -o $@ $^ $(PKG_LIBS) $(NET_LIBS)

$(O)/net-helper/%.o: net-helper/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(XCFLAGS) $(NET_CFLAGS) $(XWARN) -MMD -MP -c -o $@ $<

$(B)/celld-fs: $(FS_OBJ) $(HELPER_OBJ) $(IMSG_OBJ) $(PRIVSEP_OBJ)
	$(CC) $(LDFLAGS) $(XLDFLAGS) -o $@ $^ $(PKG_LIBS)

# spawn-helper forks R and R clones C for each container: static, it has
# a fifth of the mappings each fork copies and each exec tears down
$(B)/celld-spawn: $(SPAWN_OBJ) $(HELPER_OBJ) $(IMSG_OBJ) \
    $(PRIVSEP_OBJ)
	$(CC) $(LDFLAGS) $(XLDFLAGS) $(STATIC) -o $@ $^ -Wl,-Bstatic \
	    $(PKG_LIBS) -lmd $(if $(STATIC),,-Wl,-Bdynamic)

# the monitor runs once per container: only what it uses, statically, so
# that its private memory stays small (see monitor/monitor.c)
# the monitor and cellctl are exec'd once per container: as static PIEs
# they skip the dynamic loader, about 0.5 ms of CPU per exec here; the
# sanitizer build can't link statically (make asan sets STATIC=)
STATIC		?= -static-pie
$(B)/celld-monitor: $(MONITOR_OBJ) $(IMSG_OBJ) $(O)/privsep/log.o \
    $(O)/privsep/drop.o $(O)/privsep/sandbox.o
	$(CC) $(LDFLAGS) $(XLDFLAGS) $(STATIC) -o $@ $^ -Wl,-Bstatic -ljansson \
	    -lseccomp -lcap -lbsd -lmd $(if $(STATIC),,-Wl,-Bdynamic)

# the image unpacker: the only program that links libarchive
$(B)/celld-unpack: $(UNPACK_OBJ) $(O)/privsep/log.o $(O)/privsep/drop.o \
    $(O)/privsep/sandbox.o $(IMSG_OBJ)
	$(CC) $(LDFLAGS) $(XLDFLAGS) -o $@ $^ -larchive -lcrypto -ljansson \
	    -lseccomp -lcap -lbsd

$(B)/cellctl: $(CELLCTL_OBJ) $(IMSG_OBJ)
	$(CC) $(LDFLAGS) $(XLDFLAGS) $(STATIC) -o $@ $^ -Wl,-Bstatic -ljansson \
	    -lcap -lbsd -lmd $(if $(STATIC),,-Wl,-Bdynamic)

# unit tests
$(B)/tests/test_imsg: $(O)/tests/unit/test_imsg.o $(IMSG_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $(XLDFLAGS) -o $@ $^ $(PKG_LIBS)

$(B)/tests/test_msg: $(O)/tests/unit/test_msg.o $(IMSG_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $(XLDFLAGS) -o $@ $^ $(PKG_LIBS)

$(B)/tests/test_conf: $(O)/tests/unit/test_conf_main.o $(O)/parent/conf.o \
    $(O)/parent/conf_build.o $(O)/parent/parse.o
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $(XLDFLAGS) -o $@ $^ $(PKG_LIBS)

$(B)/tests/ctlraw: $(O)/tests/probe/ctlraw.o $(O)/tests/probe/ctlraw_net.o \
    $(IMSG_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $(XLDFLAGS) -o $@ $^ $(PKG_LIBS)

$(B)/tests/test_cellctl_args: $(O)/tests/unit/test_cellctl_args.o \
    $(O)/cellctl/cmd_run.o $(O)/cellctl/spec.o $(O)/cellctl/client.o \
    $(O)/cellctl/tty.o \
    $(O)/cellctl/seccomp.o $(O)/cellctl/netopts.o \
    $(IMSG_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $(XLDFLAGS) -o $@ $^ $(PKG_LIBS)

$(B)/tests/test_init: $(O)/tests/unit/test_init.o $(O)/spawn-helper/init.o \
    $(O)/spawn-helper/mounts.o $(O)/spawn-helper/seccomp_profile.o \
    $(O)/spawn-helper/overlay.o
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $(XLDFLAGS) -o $@ $^ $(PKG_LIBS)

$(O)/tests/cgroup_test.o: spawn-helper/cgroup.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(XCFLAGS) $(XWARN) -DCGROUP_TEST -c -o $@ $<

$(B)/tests/test_cgroup: $(O)/tests/unit/test_cgroup.o $(O)/tests/cgroup_test.o \
    $(O)/spawn-helper/cgkill.o \
    $(O)/parent/delegate.o $(O)/privsep/cgroupfs.o $(O)/privsep/log.o
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $(XLDFLAGS) -o $@ $^ $(PKG_LIBS)

$(B)/tests/test_monitor: $(O)/tests/unit/test_monitor.o \
    $(O)/tests/unit/monitor_harness.o $(IMSG_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $(XLDFLAGS) -o $@ $^ -ljansson -lbsd

# --init's pid 1, static with libc alone: it runs inside containers, and
# is exec'd from a sealed memfd (spawn-helper/initbin.c)
$(B)/celld-init: spawn-helper/cinit.c
	@mkdir -p $(dir $@)
	$(CC) -static -O2 -Wall -Wextra -Werror -D_GNU_SOURCE -o $@ \
	    spawn-helper/cinit.c

$(B)/tests/test_seccomp_json: $(O)/tests/unit/test_seccomp_json.o \
    $(O)/parent/seccomp_json.o
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $(XLDFLAGS) -o $@ $^ $(PKG_LIBS)

$(B)/tests/test_ipam: $(O)/tests/unit/test_ipam.o $(O)/parent/ipam.o \
    $(O)/parent/ipam6.o $(O)/parent/lease.o $(IMSG_OBJ) $(O)/privsep/log.o
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $(XLDFLAGS) -o $@ $^ $(PKG_LIBS)

# a static probe, run inside containers and sandboxes
$(B)/tests/probe: tests/probe/probe.c
	@mkdir -p $(dir $@)
	$(CC) -static -O2 -Wall -Wextra -Werror -o $@ tests/probe/probe.c

# the sandbox probe links each process's real table and real drop code:
# each main file rebuilt with -DSBX_PROBE, plus the rest of its program
SBX_OBJ		 = $(O)/tests/sbx/net.o $(O)/tests/sbx/fs.o \
		   $(O)/tests/sbx/spawn.o $(O)/tests/sbx/celld.o \
		   $(filter-out $(O)/net-helper/net.o,$(NET_OBJ)) \
		   $(filter-out $(O)/fs-helper/fs.o,$(FS_OBJ)) \
		   $(filter-out $(O)/spawn-helper/spawn.o,$(SPAWN_OBJ)) \
		   $(filter-out $(O)/parent/celld.o,$(PARENT_OBJ))
$(B)/tests/sbx_probe: $(O)/tests/security/sbx_probe.o $(SBX_OBJ) \
    $(HELPER_OBJ) $(IMSG_OBJ) $(PRIVSEP_OBJ) $(O)/privsep/subid_read.o
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $(XLDFLAGS) -o $@ $^ $(PKG_LIBS) $(NET_LIBS) -lsubid

# the unpacker's table and lock-down, attacked from inside
$(O)/tests/sbx/unpack.o: unpack/unpack.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(XCFLAGS) $(XWARN) -MMD -MP -DSBX_PROBE -Dmain=unpack_main -c -o $@ $<
$(B)/tests/unpack_probe: $(O)/tests/security/unpack_probe.o \
    $(O)/tests/sbx/unpack.o $(filter-out $(O)/unpack/unpack.o,$(UNPACK_OBJ)) \
    $(O)/privsep/log.o $(O)/privsep/drop.o $(O)/privsep/sandbox.o $(IMSG_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $(XLDFLAGS) -o $@ $^ -larchive -lcrypto -ljansson \
	    -lseccomp -lcap -lbsd

$(O)/tests/sbx/%.o: net-helper/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(XCFLAGS) $(NET_CFLAGS) $(XWARN) -MMD -MP -DSBX_PROBE -Dmain=net_main -c -o $@ $<
$(O)/tests/sbx/%.o: fs-helper/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(XCFLAGS) $(XWARN) -MMD -MP -DSBX_PROBE -Dmain=fs_main -c -o $@ $<
$(O)/tests/sbx/%.o: spawn-helper/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(XCFLAGS) $(XWARN) -MMD -MP -DSBX_PROBE -Dmain=spawn_main -c -o $@ $<
$(O)/tests/sbx/%.o: parent/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(XCFLAGS) $(XWARN) -MMD -MP -DSBX_PROBE -Dmain=parent_main -c -o $@ $<

tests: all $(UNIT) $(SECURITY)

deps:
	@sh tests/deps.sh

users:
	@sh tests/users.sh

check: deps
	$(MAKE) tests
	@sh tests/users.sh
	@sh tests/run.sh $(B)

# the suite again on a pure cgroup v2 host, in a VM (tests/vm/run.sh):
# slow and needs root and qemu (KVM if it can), so not part of check
check-v2: deps
	$(MAKE) tests
	@B=$(B) sh tests/vm/run.sh $(PAT)

asan: deps
	$(MAKE) B=build-asan CC=clang STATIC= \
	    CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
	    XWARN="-Wno-missing-field-initializers" \
	    LDFLAGS="-fsanitize=address,undefined" tests
	@sh tests/users.sh
	@CELLD_ASAN=1 ASAN_OPTIONS=detect_leaks=0 sh tests/run.sh build-asan

FUZZ_TIME	?= 60
# each target runs FUZZ_TIME seconds; a crash or leak fails the target,
# and every target runs even when an earlier one failed
fuzz: deps
	@mkdir -p $(B)/fuzz/corpus-imsg $(B)/fuzz/corpus-seccomp-json
	clang -g -O1 -std=gnu11 -D_GNU_SOURCE -I. -fsanitize=fuzzer,address,undefined \
	    -o $(B)/fuzz/fuzz_imsg imsg/imsg.c fuzz/fuzz_imsg.c
	clang -g -O1 -std=gnu11 -D_GNU_SOURCE -I. $(PKG_CFLAGS) \
	    -fsanitize=fuzzer,address,undefined \
	    -o $(B)/fuzz/fuzz_seccomp_json parent/seccomp_json.c \
	    fuzz/fuzz_seccomp_json.c $(PKG_LIBS)
	cp -n tests/unit/seccomp/*.json $(B)/fuzz/corpus-seccomp-json/
	@mkdir -p $(B)/fuzz/corpus-image-json $(B)/fuzz/corpus-image-tar
	clang -g -O1 -std=gnu11 -D_GNU_SOURCE -I. $(PKG_CFLAGS) \
	    -fsanitize=fuzzer,address,undefined -o $(B)/fuzz/fuzz_image_json \
	    unpack/manifest.c fuzz/fuzz_image_json.c -ljansson
	clang -g -O1 -std=gnu11 -D_GNU_SOURCE -I. $(PKG_CFLAGS) \
	    -fsanitize=fuzzer,address,undefined -o $(B)/fuzz/fuzz_image_tar \
	    unpack/spool.c unpack/manifest.c unpack/layer.c unpack/load.c \
	    unpack/sha.c privsep/log.c fuzz/fuzz_image_tar.c -larchive -lcrypto \
	    -ljansson -lbsd
	cp -n fuzz/corpus-image-json/* $(B)/fuzz/corpus-image-json/
	for k in docker oci multi rootfs abs symlink hardlink dup digest; do \
		[ -f $(B)/fuzz/corpus-image-tar/$$k ] || MKARCHIVE_SMALL=1 python3 \
		    tests/images/mkarchive.py $$k $(B)/fuzz/corpus-image-tar/$$k \
		    x:1 || exit 1; \
	done
	@fail=; for t in imsg seccomp_json image_json image_tar; do \
		c=$$(echo $$t | tr _ -); \
		echo "fuzz_$$t: $(FUZZ_TIME) s"; \
		$(B)/fuzz/fuzz_$$t -max_total_time=$(FUZZ_TIME) \
		    -print_final_stats=1 -artifact_prefix=$(B)/fuzz/ \
		    $(B)/fuzz/corpus-$$c > $(B)/fuzz/$$t.log 2>&1; rc=$$?; \
		tail -4 $(B)/fuzz/$$t.log; \
		[ $$rc = 0 ] || { echo "fuzz_$$t: FAILED"; fail="$$fail $$t"; }; \
	done; [ -z "$$fail" ] || { echo "failed:$$fail"; exit 1; }

bench: all
	@sh bench/run.sh $(B)

demo: deps all
	@sh tests/users.sh
	@sh tests/demo.sh $(B)

install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR) \
	    $(DESTDIR)$(LIBEXECDIR) $(DESTDIR)$(MANDIR)/man8 \
	    $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)/etc/systemd/system
	install -m 0755 $(B)/celld $(DESTDIR)$(SBINDIR)/celld
	install -m 0755 $(B)/cellctl $(DESTDIR)$(BINDIR)/cellctl
	install -m 0755 $(B)/celld-net $(B)/celld-fs $(B)/celld-spawn \
	    $(B)/celld-monitor $(B)/celld-unpack \
	    $(wildcard $(B)/celld-init) \
	    $(DESTDIR)$(LIBEXECDIR)/
	install -m 0644 parent/celld.8 cellctl/cellctl.8 $(DESTDIR)$(MANDIR)/man8/
	install -m 0644 parent/celld.conf.5 $(DESTDIR)$(MANDIR)/man5/
	sed 's,@SBINDIR@,$(SBINDIR),' celld.service > \
	    $(DESTDIR)/etc/systemd/system/celld.service
	test -n "$(DESTDIR)" || sh tests/users.sh
	sh tests/mkimage.sh $(DESTDIR)/var/lib/celld
	test -e $(DESTDIR)/etc/celld.conf || install -m 0644 celld.conf \
	    $(DESTDIR)/etc/celld.conf

lint:
	cppcheck --quiet --error-exitcode=1 --std=c11 -I. imsg privsep parent \
	    net-helper fs-helper spawn-helper monitor cellctl
	mandoc -Tlint -W warning parent/celld.8 cellctl/cellctl.8 parent/celld.conf.5

format:
	clang-format -i */*.c */*.h

clean:
	rm -rf build build-asan

.PHONY: all tests deps users check check-v2 asan fuzz bench demo install lint format clean
