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
	MSG_TYPE_MAX
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

int		 msg_check(struct imsg *, enum proc_id);
const char	*msg_name(uint32_t);
const char	*proc_name(enum proc_id);
int		 msg_name_ok(const char *, size_t);
int		 msg_str_ok(const char *, size_t);

#endif
