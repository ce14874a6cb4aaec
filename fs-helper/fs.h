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
	int		 loopctl;	/* /dev/loop-control */
	int		 devfd;		/* /dev, O_PATH: loop devices */
};

extern struct fs_env	fsenv;

int	fs_store(void);

/* rootfs.c */
int	rootfs_make(const struct msg_fs_rootfs *, int);
int	rootfs_remove(const char *);
int	rmtree(int, const char *, int);
int	layer_attach(int, const char *, int, int);
void	layers_detach(uint32_t);

/* disk.c: --storage-opt size */
void	disk_setup(void);
int	disk_attach(int, const struct msg_fs_rootfs *);
void	disk_detach(int);

/* mkfs.c: the formatter */
int	mkfs_start(void);
int	mkfs_format(int, int, uint32_t);

/* stage.c: images */
int	stage_make(const char *, int);
int	stage_commit(const char *, const char *);
int	stage_remove(const char *);
int	stage_layer_rm(const char *);
void	stage_gc(void);
int	stage_save_tree(const struct msg_fs_rootfs *, int);

#endif
