/*
 * msg.h: the message catalogue.  Every message type that crosses a process
 * boundary is listed here with its payload struct and who may send it.
 * imsg/msg.c holds the same facts as a table and msg_check() enforces them:
 * a known type, an allowed sender, the exact size, and an fd present if and
 * only if the type declares one.
 */
#ifndef CELLD_MSG_H
#define CELLD_MSG_H

#include <stdint.h>

#include <linux/filter.h>

#include "imsg.h"

#define CELLD_VERSION	"0.1.0"

/* Processes, used as sender ids in the catalogue. */
enum proc_id {
	PROC_CLIENT = 0,	/* cellctl, over the control socket */
	PROC_PARENT,
	PROC_NET,
	PROC_FS,
	PROC_SPAWN,
	PROC_LAUNCH,		/* the launcher that starts helpers */
	PROC_MONITOR,
	PROC_MAX
};
#define FROM(p)		(1u << (p))

#define CELL_NAMEMAX	128	/* names: [a-zA-Z0-9][a-zA-Z0-9_.-]{0,127} */
#define CELL_NAMELEN	(CELL_NAMEMAX + 1)
#define CELL_MSGLEN	256	/* error text in replies */
#define CELL_TITLELEN	32

enum msg_type {
	MSG_NONE = 0,
	/* client <-> parent */
	MSG_CTL_PING,		/* C->P  empty */
	MSG_CTL_VERSION,	/* C->P  empty */
	MSG_CTL_INFO,		/* C->P  empty */
	MSG_CTL_PROC,		/* P->C  msg_procinfo, one per process */
	MSG_CTL_KV,		/* P->C  msg_kv, one per info/version field */
	MSG_CTL_DONE,		/* P->C  msg_result, ends every reply */
	/* parent <-> helpers */
	MSG_PING,		/* P->H  msg_ping */
	MSG_PONG,		/* H->P  msg_procinfo */
	MSG_RESULT,		/* H->P  msg_result */
	/* parent <-> launcher */
	MSG_LAUNCH,		/* P->L  msg_launch */
	MSG_LAUNCHED,		/* L->P  msg_launch + fd: the helper's channel */
	/* containers: client <-> parent */
	MSG_CTL_CREATE,		/* C->P  cell_spec; done.msg = id */
	MSG_CTL_START,		/* C->P  msg_ctl_target */
	MSG_CTL_STDIO,		/* C->P  msg_stdio + fd, before START -a */
	MSG_CTL_KILL,		/* C->P  msg_ctl_target (sig, timeout) */
	MSG_CTL_RM,		/* C->P  msg_ctl_target (force) */
	MSG_CTL_WAIT,		/* C->P  msg_ctl_target; done.status */
	MSG_CTL_PS,		/* C->P  msg_ctl_target (all) */
	MSG_CTL_CELL,		/* P->C  msg_cell, one per container */
	MSG_CTL_LOGS,		/* C->P  msg_ctl_target; reply: log fd */
	MSG_CTL_FD,		/* P->C  msg_stdio + fd */
	/* containers: parent <-> spawn-helper */
	MSG_SPAWN_CREATE,	/* P->S  msg_spawn; reply MSG_SPAWN_CREATED */
	MSG_SPAWN_CREATED,	/* S->P  msg_spawn_created + userns fd */
	MSG_SPAWN_EXEC,		/* P->S  msg_spawn_id + rootfs mount fd */
	MSG_SPAWN_STDIO,	/* P->S  msg_stdio + fd, before EXEC */
	MSG_SPAWN_KILL,		/* P->S  msg_spawn_kill */
	MSG_SPAWN_CLEANUP,	/* P->S  msg_spawn_id: remove cgroups */
	/* containers: parent <-> fs-helper */
	MSG_FS_ROOTFS,		/* P->F  msg_fs_rootfs + userns fd */
	MSG_FS_ROOTFS_FD,	/* F->P  msg_spawn_id + detached rootfs fd */
	MSG_FS_REMOVE,		/* P->F  msg_spawn_id: remove the cell dir */
	/* more container verbs: client <-> parent */
	MSG_CTL_INSPECT,	/* C->P  msg_ctl_target; reply MSG_CTL_JSON */
	MSG_CTL_JSON,		/* P->C  msg_json */
	MSG_CTL_RENAME,		/* C->P  msg_ctl_rename */
	MSG_CTL_PAUSE,		/* C->P  msg_ctl_target (sig 1 pause, 0 not) */
	MSG_CTL_STATS,		/* C->P  msg_ctl_target; MSG_CTL_STAT each */
	MSG_CTL_STAT,		/* P->C  msg_stat */
	MSG_CTL_UPDATE,		/* C->P  msg_ctl_update */
	MSG_CTL_TOP,		/* C->P  msg_ctl_target; MSG_CTL_PROCLINE each */
	MSG_CTL_PROCLINE,	/* P->C  msg_procline */
	/* parent <-> spawn-helper, for those */
	MSG_SPAWN_FREEZE,	/* P->S  msg_spawn_kill (sig: 1 freeze, 0 thaw) */
	MSG_SPAWN_STATS,	/* P->S  msg_spawn_id; reply MSG_SPAWN_STAT */
	MSG_SPAWN_STAT,		/* S->P  msg_stat */
	MSG_SPAWN_UPDATE,	/* P->S  msg_spawn_update */
	MSG_SPAWN_TOP,		/* P->S  msg_spawn_id; MSG_SPAWN_PROC each */
	MSG_SPAWN_PROC,		/* S->P  msg_procline */
	/* exec and ttys */
	MSG_CTL_EXEC,		/* C->P  cell_spec: name = the container;
				 * done.status = the command's */
	MSG_CTL_RESIZE,		/* C->P  msg_ctl_resize */
	MSG_SPAWN_EXECIN,	/* P->S  msg_spawn_exec; result at its exit */
	MSG_MON_RESIZE,		/* P->M  msg_ctl_resize */
	/* volumes: the client's fd, checked, cloned by spawn-helper */
	MSG_CTL_VOLUME,		/* C->P  msg_volume + fd, before CREATE */
	MSG_SPAWN_VOLUME,	/* P->S  msg_volume + the fd, before EXEC */
	/* parent <-> monitor */
	MSG_MON_STATE,		/* M->P  msg_mon_state */
	/*
	 * seccomp=FILE: the client's profile as a sealed memfd; the parent
	 * compiles it, spawn-helper hands the program to C.  Appended here:
	 * monitors outlive a celld upgrade, so older numbers stay put.
	 */
	MSG_CTL_SECCOMP,	/* C->P  msg_seccomp + fd, before CREATE */
	MSG_SPAWN_BPF,		/* P->S  msg_spawn_bpf, before CREATE or
				 * EXECIN (id is then the exec's id) */
	/*
	 * volumes across celld restarts: spawn-helper keeps a clone of each
	 * container's volumes under RUNDIR/pins until rm
	 */
	MSG_SPAWN_VOLPIN,	/* P->S  msg_volume: use the kept clone */
	MSG_SPAWN_UNPIN,	/* P->S  msg_spawn_id: drop them, at rm */
	/* images: load and import (see docs/images.md) */
	MSG_CTL_IMAGE_LOAD,	/* C->P  msg_image_load + the archive's fd */
	MSG_CTL_IMAGE_LS,	/* C->P  msg_ctl_target; MSG_CTL_JSON each */
	MSG_CTL_IMAGE_RM,	/* C->P  msg_ctl_target (force) */
	MSG_CTL_IMAGE_INSPECT,	/* C->P  msg_ctl_target; MSG_CTL_JSON */
	MSG_CTL_IMAGE_TAG,	/* C->P  msg_ctl_rename: name -> newname */
	MSG_CTL_IMAGE_PRUNE,	/* C->P  msg_ctl_target; done.msg = count */
	MSG_SPAWN_UNPACK,	/* P->S  msg_unpack + input fd */
	MSG_SPAWN_UNPACK_NS,	/* S->P  msg_spawn_id + the userns fd */
	MSG_SPAWN_UNPACK_GO,	/* P->S  msg_spawn_id + staging mount fd */
	MSG_SPAWN_UNPACK_OUT,	/* S->P  msg_spawn_id + the unpacker's
				 * report, a pipe */
	MSG_FS_STAGE,		/* P->F  msg_spawn_id + userns fd */
	MSG_FS_STAGED,		/* F->P  msg_spawn_id + idmapped staging fd */
	MSG_FS_COMMIT,		/* P->F  msg_fs_layer: staged -> the store */
	MSG_FS_UNSTAGE,		/* P->F  msg_spawn_id: remove staging */
	MSG_FS_LAYER_RM,	/* P->F  msg_fs_layer (id unused): prune */
	MSG_CTL_IMAGE_SAVE,	/* C->P  msg_ctl_target + the file's fd */
	MSG_FS_SAVE_TREE,	/* P->F  msg_fs_rootfs (the layers) + userns
				 * fd; reply MSG_FS_STAGED */
	/* networking */
	MSG_SPAWN_NETNS,	/* S->P  msg_spawn_id + C's netns fd, just
				 * before MSG_SPAWN_CREATED */
	MSG_SPAWN_NETCFG,	/* P->S  msg_net_cfg, before EXEC: what C
				 * sets on its ethN, one per network */
	MSG_NET_BRIDGE,		/* P->N  msg_net_bridge: make or adopt */
	MSG_NET_BRIDGE_DEL,	/* P->N  msg_net_bridge */
	MSG_NET_VETH,		/* P->N  msg_net_veth + C's netns fd */
	MSG_NET_VETH_DEL,	/* P->N  msg_net_veth */
	MSG_NET_PORT,		/* P->N  msg_net_port: publish */
	MSG_NET_PORT_DEL,	/* P->N  msg_net_port */
	MSG_CTL_NETWORK,	/* C->P  msg_ctl_network: create, rm, ls,
				 * inspect, connect, disconnect */
	MSG_CTL_NETINFO,	/* P->C  msg_netinfo, one per network */
	/* network connect of a running container (docs/network.md) */
	MSG_SPAWN_NETNS_ASK,	/* P->S  msg_spawn_netif; reply
				 * MSG_SPAWN_NETNS, or MSG_RESULT */
	MSG_SPAWN_NETIF,	/* P->S  msg_spawn_netif: configure
				 * cfg.ifname in C's netns, from a child */
	MSG_SPAWN_NETROUTE,	/* P->S  msg_spawn_netif: the default
				 * route(s) via cfg.ifname, after a
				 * disconnect took the old one away */
	MSG_TYPE_MAX
};

#define CELL_IDLEN	64		/* hex sha256-sized id */
#define SPEC_ARGMAX	8192		/* argv, NUL separated */
#define SPEC_ENVMAX	16384		/* environment, NUL separated */
#define SPEC_MAXTMPFS	8
#define SPEC_MAXVOLS	16
#define SPEC_PATHLEN	256
#define SPEC_MAXPORTS	16

/*
 * --storage-opt size: the container's upper dir in a file system of its
 * own.  0 is none; otherwise a multiple of 4 KiB between these (mke2fs
 * wants a few MiB for its journal and tables; 16 TiB is ext4's limit
 * with 4 KiB blocks and no 64bit feature, and far past any real use).
 */
#define SPEC_DISK_MIN	(8LL << 20)
#define SPEC_DISK_MAX	(16LL << 40)

#define SPEC_DETACH	0x0001
#define SPEC_INTERACTIVE 0x0002
#define SPEC_TTY	0x0004
#define SPEC_RM		0x0008
#define SPEC_READONLY	0x0010
#define SPEC_PRIVILEGED	0x0020
#define SPEC_NONET	0x0040		/* --network none */
#define SPEC_INIT	0x0080
#define SPEC_NNP	0x0100		/* always set by the parent */
#define SPEC_UNCONFINED	0x0200		/* seccomp=unconfined */
#define SPEC_CAPDROPALL	0x0400
#define SPEC_SECCOMP	0x0800		/* seccomp=FILE: a profile was sent */
#define SPEC_SCREPLACE	0x1000		/* parent only: the profile replaces
					 * the default instead of stacking */
#define SPEC_PUBLISHALL	0x2000		/* -P: every exposed port */
#define SPEC_HOSTNET	0x4000		/* --network host: the host's netns;
					 * always with SPEC_NONET (no network
					 * work for celld at all) */
#define SPEC_MAXDNS	3		/* resolv.conf reads three */
#define SPEC_MAXHOSTS	16
#define SPEC_HOSTLEN	64
#define SPEC_LABELMAX	4096		/* labels, "K=V" NUL separated */
#define SPEC_MAXEXPOSE	32

#define SECCOMP_JSONMAX	(1024 * 1024)	/* a profile's JSON, in bytes */

/* What to run.  Client sends it; the parent resolves and fills the rest. */
struct cell_spec {
	char		name[CELL_NAMELEN];
	char		image[CELL_NAMELEN];
	char		hostname[64];
	char		user[64];	/* "uid[:gid]" or a name */
	char		workdir[SPEC_PATHLEN];
	char		entrypoint[SPEC_PATHLEN];
	uint32_t	flags;
	uint32_t	argc;
	uint32_t	envc;
	uint32_t	ntmpfs;
	uint32_t	stopsig;	/* stop's signal: --stop-signal, the
					 * image's StopSignal, 0 for SIGTERM */
	uint16_t	rows;		/* the pty's size with SPEC_TTY */
	uint16_t	cols;
	int64_t		memory;		/* bytes, 0 = none */
	int64_t		cpus_milli;	/* 0 = none */
	int64_t		pids;		/* 0 = none */
	uint64_t	cap_add;	/* masks of CAP_* */
	uint64_t	cap_drop;
	uint64_t	caps;		/* final set, computed by the parent */
	char		tmpfs[SPEC_MAXTMPFS][SPEC_PATHLEN];
	uint32_t	nvols;		/* -v, in the order their fds came */
	struct {
		char		dst[SPEC_PATHLEN];
		uint32_t	ro;
	}		vols[SPEC_MAXVOLS];
	char		network[CELL_NAMELEN];	/* "": celld.conf's default */
	uint32_t	ip;			/* --ip, network order; 0 any */
	uint32_t	nports;			/* -p */
	struct cell_port {
		uint32_t	hostip;		/* 0: every local address */
		uint16_t	hport;
		uint16_t	cport;
		uint32_t	proto;		/* IPPROTO_TCP or _UDP */
	}		ports[SPEC_MAXPORTS];
	uint32_t	portsrand;		/* bit i: ports[i].hport is
						 * celld's pick at each start */
	uint32_t	ndns;			/* --dns */
	uint32_t	dns[SPEC_MAXDNS];
	uint32_t	nhosts;			/* --add-host */
	struct {
		char		name[SPEC_HOSTLEN];
		uint32_t	addr;
	}		hosts[SPEC_MAXHOSTS];
	uint32_t	nexpose;		/* --expose, the image's */
	struct cell_expose {
		uint16_t	port;
		uint16_t	proto;		/* IPPROTO_TCP or _UDP */
	}		expose[SPEC_MAXEXPOSE];
	uint32_t	nlabels;		/* --label, the image's */
	char		labels[SPEC_LABELMAX];
	char		args[SPEC_ARGMAX];
	char		env[SPEC_ENVMAX];
	int64_t		disk;		/* bytes, 0 = none: --storage-opt size,
					 * or the policy's default disk */
	/* IPv6 (dual-stack networks), at the end for merges */
	uint8_t		ip6[16];		/* --ip6; all zero: any */
	struct cell_port6 {
		uint32_t	family;		/* 0: v4 and v6 (any address),
						 * AF_INET: hostip only,
						 * AF_INET6: hostip6 only */
		uint8_t		hostip6[16];	/* :: every v6 address */
	}		ports6[SPEC_MAXPORTS];	/* pairs with ports[] */
	char		userns[CELL_NAMELEN];	/* --userns container:NAME;
						 * the parent turns it into
						 * the id that keys the
						 * shared id range */
};

struct msg_ctl_target {
	char		name[CELL_NAMELEN];	/* name or id prefix */
	int32_t		sig;
	int32_t		timeout;
	uint32_t	flags;			/* CTL_* */
};
#define CTL_ALL		0x01		/* ps -a */
#define CTL_FORCE	0x02		/* rm -f */
#define CTL_ATTACH	0x04		/* start -a */
#define CTL_FOLLOW	0x08		/* logs -f */

struct msg_cell {
	char		id[CELL_IDLEN + 1];
	char		name[CELL_NAMELEN];
	char		image[CELL_NAMELEN];
	char		command[128];
	char		state[16];		/* created running exited */
	int32_t		pid;
	int32_t		exit_status;
	int64_t		created;
	int64_t		started;
	int64_t		finished;
	uint32_t	owner;
};

struct msg_stdio {
	char		id[CELL_IDLEN + 1];
	int32_t		which;			/* 0, 1 or 2 */
};

struct msg_spawn_id {
	char		id[CELL_IDLEN + 1];
};

struct msg_spawn {
	char		id[CELL_IDLEN + 1];
	uint32_t	uid_base;		/* host id of container 0 */
	uint32_t	uid_count;
	int64_t		log_max;		/* bytes, before rotation */
	struct cell_spec spec;
};

struct msg_spawn_created {
	char		id[CELL_IDLEN + 1];
	int32_t		pid;			/* container init, host pid */
	int32_t		monitor;		/* the monitor's pid */
};

struct msg_spawn_kill {
	char		id[CELL_IDLEN + 1];
	int32_t		pid;
	int32_t		sig;
	uint32_t	all;			/* every process: cgroup kill */
};

#define FS_MAXLAYERS	64
struct msg_fs_rootfs {
	char		id[CELL_IDLEN + 1];
	uint32_t	uid_base;
	uint32_t	nlayers;
	uint32_t	readonly;
	char		layers[FS_MAXLAYERS][CELL_IDLEN + 1];	/* sha256 hex,
							 * lowest first */
	int64_t		disk;		/* rootfs: upper dir's file system
					 * size in bytes, 0 = none */
};

#define JSON_MAX	32768
struct msg_json {
	uint32_t	len;
	char		data[JSON_MAX];		/* not NUL terminated */
};

struct msg_ctl_rename {
	char		name[CELL_NAMELEN];	/* name or id prefix */
	char		newname[CELL_NAMELEN];
};

struct msg_ctl_update {
	char		name[CELL_NAMELEN];
	int64_t		memory;			/* -1: leave as is */
	int64_t		cpus_milli;
	int64_t		pids;
};

struct msg_spawn_update {
	char		id[CELL_IDLEN + 1];
	int64_t		memory;			/* 0: no limit */
	int64_t		cpus_milli;
	int64_t		pids;
};

struct msg_stat {
	char		id[CELL_IDLEN + 1];
	char		name[CELL_NAMELEN];
	uint64_t	mem_usage;
	uint64_t	mem_limit;
	uint64_t	cpu_usage_ns;
	uint64_t	pids;
	uint64_t	pids_limit;
	int64_t		when_ns;		/* CLOCK_MONOTONIC of the read */
};

struct msg_procline {
	char		id[CELL_IDLEN + 1];
	int32_t		pid;			/* host pid */
	int32_t		ppid;
	uint32_t	uid;			/* host uid */
	uint64_t	start_ticks;
	uint64_t	cpu_ticks;
	char		cmd[256];
};

struct msg_volume {
	char		id[CELL_IDLEN + 1];	/* the container (P->S) */
	uint32_t	index;			/* into spec.vols */
	uint32_t	ro;
	char		dst[SPEC_PATHLEN];	/* C->P only */
};

struct msg_seccomp {
	uint32_t	size;			/* what the client wrote */
};

/* a classic BPF program for C, compiled by the parent (seccomp_json.c) */
struct msg_spawn_bpf {
	char		id[CELL_IDLEN + 1];	/* container or exec id */
	uint32_t	replace;		/* 1: instead of the default */
	uint32_t	n;			/* 1..BPF_MAXINSNS */
	struct sock_filter insns[BPF_MAXINSNS];
};

struct msg_ctl_resize {
	char		name[CELL_NAMELEN];
	uint16_t	rows;
	uint16_t	cols;
};

/* exec: execid names the stdio sent before it (MSG_SPAWN_STDIO) */
struct msg_spawn_exec {
	char		id[CELL_IDLEN + 1];
	char		execid[CELL_IDLEN + 1];
	int32_t		pid;			/* the container's init */
	uint32_t	uid_base;
	struct cell_spec spec;			/* caps, flags, argv, env, ... */
};

struct msg_mon_state {
	char		id[CELL_IDLEN + 1];
	int32_t		pid;
	int32_t		running;
	int32_t		exit_status;		/* 128+N for signal N */
	int64_t		started;
	int64_t		finished;
};

/* images */
#define IMAGE_LOAD	0		/* Docker or OCI archive */
#define IMAGE_IMPORT	1		/* a root filesystem tar */
#define IMAGE_SAVE	2		/* to an OCI archive */
#define IMAGE_CHANGEMAX	4096		/* --change lines, NUL separated */
struct msg_image_load {
	char		ref[CELL_NAMELEN * 2];	/* import: name[:tag] */
	uint32_t	mode;			/* IMAGE_LOAD or IMAGE_IMPORT */
	uint32_t	nchanges;
	char		changes[IMAGE_CHANGEMAX];
};

struct msg_unpack {
	char		id[CELL_IDLEN + 1];	/* the staging dir */
	uint32_t	mode;
	int64_t		max_archive;		/* bytes */
	int64_t		max_layer;		/* bytes, uncompressed */
	int64_t		max_entries;
	int64_t		max_layers;
	/* save: what the archive says the image is */
	char		ref[CELL_NAMELEN * 2];	/* name:tag */
	uint32_t	nlayers;
	uint32_t	configlen;
	char		config[JSON_MAX];	/* JSON, not NUL terminated */
};

struct msg_fs_layer {
	char		id[CELL_IDLEN + 1];	/* staging; LAYER_RM: unused */
	char		digest[CELL_IDLEN + 1];
};

struct msg_result {
	int32_t		err;		/* 0 or an errno value */
	int32_t		status;		/* command specific, e.g. exit status */
	char		msg[CELL_MSGLEN];
};

struct msg_ping {
	uint64_t	seq;
};

struct msg_procinfo {
	char		title[CELL_TITLELEN];
	int32_t		pid;
	uint32_t	uid;
	uint32_t	gid;
	uint32_t	nnp;
	uint32_t	seccomp;	/* 0 none, 1 strict, 2 filter */
	uint32_t	landlock;	/* 1 if a Landlock domain is enforced */
	uint64_t	cap_eff;
	uint64_t	cap_prm;
	uint64_t	cap_inh;
	uint64_t	cap_bnd;
	uint64_t	cap_amb;
	uint64_t	seq;
};

struct msg_kv {
	char		key[32];
	char		val[CELL_MSGLEN];
};

struct msg_launch {
	int32_t		proc;		/* PROC_NET, PROC_FS or PROC_SPAWN */
};

/*
 * networking: IPv4 addresses are uint32_t in network byte order, IPv6
 * ones uint8_t[16] (network order too); a v6 prefix of 0 means "no v6".
 */
#define NET_IFNAMELEN	16		/* IFNAMSIZ */
#define NETF_NAT	0x01		/* masquerade what leaves */
#define NETF_INTERNAL	0x02		/* nothing leaves or enters */
#define NETF_IPV6	0x04		/* msg_ctl_network only: --ipv6 */
#define NET_PREFIX6_MIN	48		/* a v6 subnet: /48 to /120 */
#define NET_PREFIX6_MAX	120

struct msg_net_bridge {
	char		name[NET_IFNAMELEN];
	uint32_t	subnet;
	uint32_t	prefix;			/* 8..30 */
	uint32_t	gateway;		/* the bridge's own address */
	uint32_t	mtu;			/* 0: the kernel's */
	uint32_t	flags;			/* NETF_* */
	uint8_t		subnet6[16];
	uint32_t	prefix6;		/* 0: v4 only, else 48..120 */
	uint8_t		gateway6[16];		/* the bridge's v6 address */
};

struct msg_net_veth {
	char		id[CELL_IDLEN + 1];
	char		bridge[NET_IFNAMELEN];
	char		host[NET_IFNAMELEN];	/* NET_VETHPFX + 12 of id
						 * (+ N for ethN, N > 0) */
	uint32_t	mtu;
	char		peer[NET_IFNAMELEN];	/* eth0..eth7 in C; the host
						 * name ends in N for ethN */
	uint8_t		mac[6];			/* the peer's: 02:42 and its
						 * address; 0: the kernel's */
};
#define NET_VETHPFX	"cv"
#define NET_MAXIFS	8		/* networks of one container */

struct msg_net_port {
	char		id[CELL_IDLEN + 1];
	char		bridge[NET_IFNAMELEN];
	uint32_t	hostip;			/* 0: every local address */
	uint32_t	addr;			/* the container's */
	uint16_t	hport;
	uint16_t	cport;
	uint32_t	proto;			/* IPPROTO_TCP or _UDP */
	uint32_t	family;			/* 0 or AF_INET: hostip, addr;
						 * AF_INET6: hostip6, addr6 */
	uint8_t		hostip6[16];		/* :: every local address */
	uint8_t		addr6[16];		/* the container's */
};

struct msg_net_cfg {
	char		id[CELL_IDLEN + 1];
	uint32_t	addr;
	uint32_t	prefix;
	uint32_t	gateway;
	uint32_t	mtu;
	char		ifname[NET_IFNAMELEN];	/* eth0..eth7 */
	uint32_t	flags;			/* NETCFG_* */
	uint8_t		addr6[16];		/* with prefix6 != 0 */
	uint32_t	prefix6;		/* 0: no v6 */
	uint8_t		gateway6[16];
};
#define NETCFG_DEFROUTE	0x01		/* the network that holds the
					 * default route (one, never an
					 * internal one); others: subnet */
#define NETCFG_DEFROUTE6 0x02		/* the same for IPv6 (prefix6 set) */

/* MSG_SPAWN_NETNS_ASK, MSG_SPAWN_NETIF and MSG_SPAWN_NETROUTE: pid is
 * C's init; NETROUTE's cfg has NETCFG_DEFROUTE, NETCFG_DEFROUTE6 or both,
 * and no other flag */
struct msg_spawn_netif {
	char		id[CELL_IDLEN + 1];
	int32_t		pid;
	struct msg_net_cfg cfg;			/* NETIF, NETROUTE */
};

#define NETCTL_CREATE		1
#define NETCTL_RM		2
#define NETCTL_LS		3
#define NETCTL_INSPECT		4
#define NETCTL_CONNECT		5
#define NETCTL_DISCONNECT	6
struct msg_ctl_network {
	uint32_t	op;			/* NETCTL_* */
	uint32_t	flags;			/* NETF_INTERNAL */
	char		name[CELL_NAMELEN];
	char		subnet[32];		/* "a.b.c.d/n" or "" */
	char		gateway[16];		/* "" or an address */
	char		cell[CELL_NAMELEN];	/* connect, disconnect */
	char		ip[16];			/* connect --ip, or "" */
	uint32_t	force;			/* disconnect -f */
	char		subnet6[48];		/* "prefix/n" or "" */
	char		gateway6[48];		/* "" or a v6 address */
};

struct msg_netinfo {
	char		name[CELL_NAMELEN];
	char		bridge[NET_IFNAMELEN];
	uint32_t	subnet;
	uint32_t	prefix;
	uint32_t	gateway;
	uint32_t	flags;
	uint32_t	owner;
	uint32_t	nleases;
	uint8_t		subnet6[16];
	uint32_t	prefix6;		/* 0: v4 only */
	uint8_t		gateway6[16];
};

int		 msg_check(struct imsg *, enum proc_id);
const char	*msg_name(uint32_t);
const char	*proc_name(enum proc_id);
int		 msg_name_ok(const char *, size_t);
int		 msg_str_ok(const char *, size_t);

/* spec.c */
int		 msg_id_ok(const char *, size_t);
int		 msg_path_ok(const char *, size_t, int);
int		 msg_spec_ok(const struct cell_spec *);
int		 msg_disk_ok(int64_t);
int		 msg_in6_match(const uint8_t *, const uint8_t *, uint32_t);
int		 msg_in6_subnet_ok(const uint8_t *, uint32_t);
int		 msg_in6_host_ok(const uint8_t *, const uint8_t *, uint32_t);
int		 msg_in6_hostip_ok(const uint8_t *);
int		 msg_signal(const char *);

#endif
