/*
 * msg.c: the catalogue of msg.h as a table, and the gate every dispatcher
 * runs before it looks at a message.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>

#include "msg.h"

#define FD_NO	0
#define FD_YES	1

struct msg_def {
	const char	*name;
	uint32_t	 from;		/* FROM() mask of allowed senders */
	size_t		 size;		/* exact payload size */
	int		 fd;
};

#define HELPERS	(FROM(PROC_NET) | FROM(PROC_FS) | FROM(PROC_SPAWN))

static const struct msg_def msg_defs[MSG_TYPE_MAX] = {
	[MSG_CTL_PING] = { "ctl-ping", FROM(PROC_CLIENT), 0, FD_NO },
	[MSG_CTL_VERSION] = { "ctl-version", FROM(PROC_CLIENT), 0, FD_NO },
	[MSG_CTL_INFO] = { "ctl-info", FROM(PROC_CLIENT), 0, FD_NO },
	[MSG_CTL_PROC] = { "ctl-proc", FROM(PROC_PARENT),
	    sizeof(struct msg_procinfo), FD_NO },
	[MSG_CTL_KV] = { "ctl-kv", FROM(PROC_PARENT),
	    sizeof(struct msg_kv), FD_NO },
	[MSG_CTL_DONE] = { "ctl-done", FROM(PROC_PARENT),
	    sizeof(struct msg_result), FD_NO },
	[MSG_PING] = { "ping", FROM(PROC_PARENT),
	    sizeof(struct msg_ping), FD_NO },
	[MSG_PONG] = { "pong", HELPERS, sizeof(struct msg_procinfo), FD_NO },
	[MSG_RESULT] = { "result", HELPERS,
	    sizeof(struct msg_result), FD_NO },
	[MSG_LAUNCH] = { "launch", FROM(PROC_PARENT),
	    sizeof(struct msg_launch), FD_NO },
	[MSG_LAUNCHED] = { "launched", FROM(PROC_LAUNCH),
	    sizeof(struct msg_launch), FD_YES },
	[MSG_CTL_CREATE] = { "ctl-create", FROM(PROC_CLIENT),
	    sizeof(struct cell_spec), FD_NO },
	[MSG_CTL_START] = { "ctl-start", FROM(PROC_CLIENT),
	    sizeof(struct msg_ctl_target), FD_NO },
	[MSG_CTL_STDIO] = { "ctl-stdio", FROM(PROC_CLIENT),
	    sizeof(struct msg_stdio), FD_YES },
	[MSG_CTL_KILL] = { "ctl-kill", FROM(PROC_CLIENT),
	    sizeof(struct msg_ctl_target), FD_NO },
	[MSG_CTL_RM] = { "ctl-rm", FROM(PROC_CLIENT),
	    sizeof(struct msg_ctl_target), FD_NO },
	[MSG_CTL_WAIT] = { "ctl-wait", FROM(PROC_CLIENT),
	    sizeof(struct msg_ctl_target), FD_NO },
	[MSG_CTL_PS] = { "ctl-ps", FROM(PROC_CLIENT),
	    sizeof(struct msg_ctl_target), FD_NO },
	[MSG_CTL_CELL] = { "ctl-cell", FROM(PROC_PARENT),
	    sizeof(struct msg_cell), FD_NO },
	[MSG_CTL_LOGS] = { "ctl-logs", FROM(PROC_CLIENT),
	    sizeof(struct msg_ctl_target), FD_NO },
	[MSG_CTL_FD] = { "ctl-fd", FROM(PROC_PARENT),
	    sizeof(struct msg_stdio), FD_YES },
	[MSG_SPAWN_CREATE] = { "spawn-create", FROM(PROC_PARENT),
	    sizeof(struct msg_spawn), FD_NO },
	[MSG_SPAWN_CREATED] = { "spawn-created", FROM(PROC_SPAWN),
	    sizeof(struct msg_spawn_created), FD_YES },
	[MSG_SPAWN_EXEC] = { "spawn-exec", FROM(PROC_PARENT),
	    sizeof(struct msg_spawn_id), FD_YES },
	[MSG_SPAWN_STDIO] = { "spawn-stdio", FROM(PROC_PARENT),
	    sizeof(struct msg_stdio), FD_YES },
	[MSG_SPAWN_KILL] = { "spawn-kill", FROM(PROC_PARENT),
	    sizeof(struct msg_spawn_kill), FD_NO },
	[MSG_SPAWN_CLEANUP] = { "spawn-cleanup", FROM(PROC_PARENT),
	    sizeof(struct msg_spawn_id), FD_NO },
	[MSG_FS_ROOTFS] = { "fs-rootfs", FROM(PROC_PARENT),
	    sizeof(struct msg_fs_rootfs), FD_YES },
	[MSG_FS_ROOTFS_FD] = { "fs-rootfs-fd", FROM(PROC_FS),
	    sizeof(struct msg_spawn_id), FD_YES },
	[MSG_FS_REMOVE] = { "fs-remove", FROM(PROC_PARENT),
	    sizeof(struct msg_spawn_id), FD_NO },
	[MSG_CTL_INSPECT] = { "ctl-inspect", FROM(PROC_CLIENT),
	    sizeof(struct msg_ctl_target), FD_NO },
	[MSG_CTL_JSON] = { "ctl-json", FROM(PROC_PARENT),
	    sizeof(struct msg_json), FD_NO },
	[MSG_CTL_RENAME] = { "ctl-rename", FROM(PROC_CLIENT),
	    sizeof(struct msg_ctl_rename), FD_NO },
	[MSG_CTL_PAUSE] = { "ctl-pause", FROM(PROC_CLIENT),
	    sizeof(struct msg_ctl_target), FD_NO },
	[MSG_CTL_STATS] = { "ctl-stats", FROM(PROC_CLIENT),
	    sizeof(struct msg_ctl_target), FD_NO },
	[MSG_CTL_STAT] = { "ctl-stat", FROM(PROC_PARENT),
	    sizeof(struct msg_stat), FD_NO },
	[MSG_CTL_UPDATE] = { "ctl-update", FROM(PROC_CLIENT),
	    sizeof(struct msg_ctl_update), FD_NO },
	[MSG_CTL_TOP] = { "ctl-top", FROM(PROC_CLIENT),
	    sizeof(struct msg_ctl_target), FD_NO },
	[MSG_CTL_PROCLINE] = { "ctl-procline", FROM(PROC_PARENT),
	    sizeof(struct msg_procline), FD_NO },
	[MSG_SPAWN_FREEZE] = { "spawn-freeze", FROM(PROC_PARENT),
	    sizeof(struct msg_spawn_kill), FD_NO },
	[MSG_SPAWN_STATS] = { "spawn-stats", FROM(PROC_PARENT),
	    sizeof(struct msg_spawn_id), FD_NO },
	[MSG_SPAWN_STAT] = { "spawn-stat", FROM(PROC_SPAWN),
	    sizeof(struct msg_stat), FD_NO },
	[MSG_SPAWN_UPDATE] = { "spawn-update", FROM(PROC_PARENT),
	    sizeof(struct msg_spawn_update), FD_NO },
	[MSG_SPAWN_TOP] = { "spawn-top", FROM(PROC_PARENT),
	    sizeof(struct msg_spawn_id), FD_NO },
	[MSG_SPAWN_PROC] = { "spawn-proc", FROM(PROC_SPAWN),
	    sizeof(struct msg_procline), FD_NO },
	[MSG_CTL_EXEC] = { "ctl-exec", FROM(PROC_CLIENT),
	    sizeof(struct cell_spec), FD_NO },
	[MSG_CTL_RESIZE] = { "ctl-resize", FROM(PROC_CLIENT),
	    sizeof(struct msg_ctl_resize), FD_NO },
	[MSG_SPAWN_EXECIN] = { "spawn-execin", FROM(PROC_PARENT),
	    sizeof(struct msg_spawn_exec), FD_NO },
	[MSG_MON_RESIZE] = { "mon-resize", FROM(PROC_PARENT),
	    sizeof(struct msg_ctl_resize), FD_NO },
	[MSG_CTL_VOLUME] = { "ctl-volume", FROM(PROC_CLIENT),
	    sizeof(struct msg_volume), FD_YES },
	[MSG_SPAWN_VOLUME] = { "spawn-volume", FROM(PROC_PARENT),
	    sizeof(struct msg_volume), FD_YES },
	[MSG_MON_STATE] = { "mon-state", FROM(PROC_MONITOR),
	    sizeof(struct msg_mon_state), FD_NO },
	[MSG_CTL_SECCOMP] = { "ctl-seccomp", FROM(PROC_CLIENT),
	    sizeof(struct msg_seccomp), FD_YES },
	[MSG_SPAWN_BPF] = { "spawn-bpf", FROM(PROC_PARENT),
	    sizeof(struct msg_spawn_bpf), FD_NO },
	[MSG_SPAWN_VOLPIN] = { "spawn-volpin", FROM(PROC_PARENT),
	    sizeof(struct msg_volume), FD_NO },
	[MSG_SPAWN_UNPIN] = { "spawn-unpin", FROM(PROC_PARENT),
	    sizeof(struct msg_spawn_id), FD_NO },
	/* images */
	[MSG_CTL_IMAGE_LOAD] = { "ctl-image-load", FROM(PROC_CLIENT),
	    sizeof(struct msg_image_load), FD_YES },
	[MSG_CTL_IMAGE_LS] = { "ctl-image-ls", FROM(PROC_CLIENT),
	    sizeof(struct msg_ctl_target), FD_NO },
	[MSG_CTL_IMAGE_RM] = { "ctl-image-rm", FROM(PROC_CLIENT),
	    sizeof(struct msg_ctl_target), FD_NO },
	[MSG_CTL_IMAGE_INSPECT] = { "ctl-image-inspect", FROM(PROC_CLIENT),
	    sizeof(struct msg_ctl_target), FD_NO },
	[MSG_CTL_IMAGE_TAG] = { "ctl-image-tag", FROM(PROC_CLIENT),
	    sizeof(struct msg_ctl_rename), FD_NO },
	[MSG_CTL_IMAGE_PRUNE] = { "ctl-image-prune", FROM(PROC_CLIENT),
	    sizeof(struct msg_ctl_target), FD_NO },
	[MSG_SPAWN_UNPACK] = { "spawn-unpack", FROM(PROC_PARENT),
	    sizeof(struct msg_unpack), FD_YES },
	[MSG_SPAWN_UNPACK_NS] = { "spawn-unpack-ns", FROM(PROC_SPAWN),
	    sizeof(struct msg_spawn_id), FD_YES },
	[MSG_SPAWN_UNPACK_GO] = { "spawn-unpack-go", FROM(PROC_PARENT),
	    sizeof(struct msg_spawn_id), FD_YES },
	[MSG_SPAWN_UNPACK_OUT] = { "spawn-unpack-out", FROM(PROC_SPAWN),
	    sizeof(struct msg_spawn_id), FD_YES },
	[MSG_FS_STAGE] = { "fs-stage", FROM(PROC_PARENT),
	    sizeof(struct msg_spawn_id), FD_YES },
	[MSG_FS_STAGED] = { "fs-staged", FROM(PROC_FS),
	    sizeof(struct msg_spawn_id), FD_YES },
	[MSG_FS_COMMIT] = { "fs-commit", FROM(PROC_PARENT),
	    sizeof(struct msg_fs_layer), FD_NO },
	[MSG_FS_UNSTAGE] = { "fs-unstage", FROM(PROC_PARENT),
	    sizeof(struct msg_spawn_id), FD_NO },
	[MSG_FS_LAYER_RM] = { "fs-layer-rm", FROM(PROC_PARENT),
	    sizeof(struct msg_fs_layer), FD_NO },
	[MSG_CTL_IMAGE_SAVE] = { "ctl-image-save", FROM(PROC_CLIENT),
	    sizeof(struct msg_ctl_target), FD_YES },
	[MSG_FS_SAVE_TREE] = { "fs-save-tree", FROM(PROC_PARENT),
	    sizeof(struct msg_fs_rootfs), FD_YES },
	/* networking */
	[MSG_SPAWN_NETNS] = { "spawn-netns", FROM(PROC_SPAWN),
	    sizeof(struct msg_spawn_id), FD_YES },
	[MSG_SPAWN_NETCFG] = { "spawn-netcfg", FROM(PROC_PARENT),
	    sizeof(struct msg_net_cfg), FD_NO },
	[MSG_NET_BRIDGE] = { "net-bridge", FROM(PROC_PARENT),
	    sizeof(struct msg_net_bridge), FD_NO },
	[MSG_NET_BRIDGE_DEL] = { "net-bridge-del", FROM(PROC_PARENT),
	    sizeof(struct msg_net_bridge), FD_NO },
	[MSG_NET_VETH] = { "net-veth", FROM(PROC_PARENT),
	    sizeof(struct msg_net_veth), FD_YES },
	[MSG_NET_VETH_DEL] = { "net-veth-del", FROM(PROC_PARENT),
	    sizeof(struct msg_net_veth), FD_NO },
	[MSG_NET_PORT] = { "net-port", FROM(PROC_PARENT),
	    sizeof(struct msg_net_port), FD_NO },
	[MSG_NET_PORT_DEL] = { "net-port-del", FROM(PROC_PARENT),
	    sizeof(struct msg_net_port), FD_NO },
	[MSG_CTL_NETWORK] = { "ctl-network", FROM(PROC_CLIENT),
	    sizeof(struct msg_ctl_network), FD_NO },
	[MSG_CTL_NETINFO] = { "ctl-netinfo", FROM(PROC_PARENT),
	    sizeof(struct msg_netinfo), FD_NO },
	[MSG_SPAWN_NETNS_ASK] = { "spawn-netns-ask", FROM(PROC_PARENT),
	    sizeof(struct msg_spawn_netif), FD_NO },
	[MSG_SPAWN_NETIF] = { "spawn-netif", FROM(PROC_PARENT),
	    sizeof(struct msg_spawn_netif), FD_NO },
	[MSG_SPAWN_NETROUTE] = { "spawn-netroute", FROM(PROC_PARENT),
	    sizeof(struct msg_spawn_netif), FD_NO },
};

const char *
msg_name(uint32_t type)
{
	if (type == MSG_NONE || type >= MSG_TYPE_MAX ||
	    msg_defs[type].name == NULL)
		return "unknown";
	return msg_defs[type].name;
}

const char *
proc_name(enum proc_id p)
{
	static const char *names[PROC_MAX] = {
		"client", "parent", "net-helper", "fs-helper",
		"spawn-helper", "launcher", "monitor"
	};

	if ((int)p < 0 || p >= PROC_MAX)
		return "unknown";
	return names[p];
}

/*
 * The gate.  On refusal errno says why: ENOSYS an unknown type, EPERM a
 * sender that may not send it, EBADMSG a wrong size or fd.  A stray fd is
 * closed here so no handler ever has to think about it.
 */
int
msg_check(struct imsg *imsg, enum proc_id from)
{
	uint32_t		 type = imsg_get_type(imsg);
	const struct msg_def	*d;
	int			 hasfd = imsg->fd != -1;

	if (type == MSG_NONE || type >= MSG_TYPE_MAX ||
	    msg_defs[type].name == NULL) {
		errno = ENOSYS;
		goto refuse;
	}
	d = &msg_defs[type];
	if ((d->from & FROM(from)) == 0) {
		errno = EPERM;
		goto refuse;
	}
	if (imsg->datalen != d->size || hasfd != d->fd) {
		errno = EBADMSG;
		goto refuse;
	}
	return 0;
refuse:
	if (hasfd) {
		int saved = errno;
		int fd = imsg_get_fd(imsg);

		close(fd);
		errno = saved;
	}
	return -1;
}

/* A bounded string field: NUL inside the buffer, printable ASCII only. */
int
msg_str_ok(const char *s, size_t size)
{
	size_t	i;

	for (i = 0; i < size; i++) {
		if (s[i] == '\0')
			return 1;
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			return 0;
	}
	return 0;
}

/* Names of containers, images, networks: [a-zA-Z0-9][a-zA-Z0-9_.-]{0,127} */
int
msg_name_ok(const char *s, size_t size)
{
	size_t	i;

	if (size == 0 || !msg_str_ok(s, size) || s[0] == '\0')
		return 0;
	for (i = 0; s[i] != '\0'; i++) {
		if (i >= CELL_NAMEMAX)
			return 0;
		if ((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9'))
			continue;
		if (i > 0 && (s[i] == '_' || s[i] == '.' || s[i] == '-'))
			continue;
		return 0;
	}
	return 1;
}
