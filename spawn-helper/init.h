/*
 * init.h: what init.c, mounts.c and seccomp_profile.c share.  They run
 * only in C, the container's first process, between clone and exec.
 */
#ifndef CELLD_INIT_H
#define CELLD_INIT_H

#include <stddef.h>

#include "spawn.h"

/* init.c: fill err with "what: strerror(errno)" (or just "what"); -1 */
int	init_fail(char *, size_t, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
int	init_failx(char *, size_t, const char *, ...)
	    __attribute__((format(printf, 3, 4)));

/* mounts.c */
int	mnt_path_ok(const char *);
int	mnt_setup(const struct cell_init *, char *, size_t);

/* overlay.c */
int	cell_overlay(int, const char *const *, int *, char *, size_t);

#endif
