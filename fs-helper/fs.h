/*
 * fs.h: fs-helper's internal interfaces.
 */
#ifndef CELLD_FS_H
#define CELLD_FS_H

#include "../privsep/privsep.h"

struct fs_env {
	int		 storefd;	/* the storage dir */
	uint32_t	 id_start;	/* _celld's subordinate ids */
	uint32_t	 id_count;
	int		 mkfs;		/* socket to the formatter, mkfs.c */
	int		 mnt;		/* socket to the mounter, diskmnt.c */
};

extern struct fs_env	fsenv;

int	fs_store(void);

/* rootfs.c */
struct rootfs_done {		/* rootfs_finish()'s, after the answer */
	int		dfd;
	int		rfd;
	uint32_t	nlayers;	/* of ours to detach */
	int		disk;
};
int	rootfs_make(const struct msg_fs_rootfs *, int, struct rootfs_done *);
void	rootfs_finish(struct rootfs_done *);
int	rootfs_remove(const char *);
int	rmtree(int, const char *, int);
int	layer_attach(int, int, const char *, int, int);
void	layers_detach(uint32_t);

/* disk.c: --storage-opt size */
void	disk_setup(int, char **);
int	disk_attach(int, const struct msg_fs_rootfs *);
void	disk_detach(int);

/* diskmnt.c: the mounter */
int	diskmnt_start(int, char **);
int	diskmnt_mount(int, int, const char *);

/* mkfs.c: the formatter, and fd passing to it and the mounter */
int	mkfs_start(int, char **);
void	mkfs_lockdown(void);
int	mkfs_format(int, int, uint32_t);
int	fd_send(int, const void *, size_t, int);
int	fd_recv(int, void *, size_t, int *);

/* stage.c: images */
int	stage_make(const char *, int);
int	stage_commit(const char *, const char *);
int	stage_remove(const char *);
int	stage_layer_rm(const char *);
void	stage_gc(void);
int	stage_save_tree(const struct msg_fs_rootfs *, int);

#endif
