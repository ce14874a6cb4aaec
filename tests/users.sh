#!/bin/sh
# Create celld's users and group, and give _celld subordinate id ranges.
# Idempotent; run by make install, make check and make demo.
set -e
getent group cell >/dev/null || groupadd --system cell
for u in _celld _celld_net _celld_fs _celld_spawn; do
	getent passwd $u >/dev/null ||
	    useradd --system --no-create-home --home-dir /nonexistent \
	    --shell /usr/sbin/nologin --user-group $u
done
# 1024 containers of 65536 ids each, above anything useradd hands out
for f in /etc/subuid /etc/subgid; do
	touch $f
	grep -q '^_celld:' $f || echo "_celld:1073741824:67108864" >> $f
done
