/*
 * tap.h: the few macros every unit test uses.  Each check prints a TAP
 * line, "ok - name" or "not ok - name (file:line)" followed by "# " notes
 * on what was seen, and the checks are counted.  main() ends with
 * "return tap_done();", which prints the plan and "N passed, N failed"
 * and returns nonzero if any check failed.
 *
 *	T_OK(expr, fmt, ...)		expr is true
 *	T_EQ(got, want, fmt, ...)	integers, compared as long long
 *	T_ERRNO(expr, err, fmt, ...)	expr is -1 and errno is err; errno
 *					is zeroed first, so expr must be the
 *					call itself, not a saved result
 *	T_DIAG(fmt, ...)		a "# " note
 *
 * The checks are expressions worth 1 on success, 0 on failure, so a test
 * can stop early: if (!T_OK(p != NULL, "alloc")) return;
 */
#ifndef CELLD_TAP_H
#define CELLD_TAP_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define TAP_UNUSED	__attribute__((unused))
static int		 tap_npass TAP_UNUSED;
static int		 tap_nfail TAP_UNUSED;
static long long	 tap_got TAP_UNUSED;	/* T_ERRNO's scratch */
static int		 tap_errno_got TAP_UNUSED;

#define T_OK(expr, ...)							\
	tap_ok(!!(expr), __FILE__, __LINE__, __VA_ARGS__)
#define T_EQ(got, want, ...)						\
	tap_eq((long long)(got), (long long)(want), __FILE__, __LINE__,	\
	    __VA_ARGS__)
#define T_ERRNO(expr, err, ...)						\
	(errno = 0, tap_got = (long long)(expr), tap_errno_got = errno,	\
	    tap_errnochk(tap_got, tap_errno_got, (err), __FILE__,	\
	    __LINE__, __VA_ARGS__))
#define T_DIAG(...)	tap_diag(__VA_ARGS__)

static inline void __attribute__((format(printf, 1, 2)))
tap_diag(const char *fmt, ...)
{
	va_list	ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static inline int
tap_vok(int ok, const char *file, int line, const char *fmt, va_list ap)
{
	printf("%s - ", ok ? "ok" : "not ok");
	vprintf(fmt, ap);
	if (!ok)
		printf(" (%s:%d)", file, line);
	printf("\n");
	fflush(stdout);
	if (ok)
		tap_npass++;
	else
		tap_nfail++;
	return ok;
}

static inline int __attribute__((format(printf, 4, 5)))
tap_ok(int ok, const char *file, int line, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	ok = tap_vok(ok, file, line, fmt, ap);
	va_end(ap);
	return ok;
}

static inline int __attribute__((format(printf, 5, 6)))
tap_eq(long long got, long long want, const char *file, int line,
    const char *fmt, ...)
{
	va_list	ap;
	int	ok;

	va_start(ap, fmt);
	ok = tap_vok(got == want, file, line, fmt, ap);
	va_end(ap);
	if (!ok)
		tap_diag("got %lld, want %lld", got, want);
	return ok;
}

static inline int __attribute__((format(printf, 6, 7)))
tap_errnochk(long long got, int err, int want, const char *file, int line,
    const char *fmt, ...)
{
	va_list	ap;
	int	ok;

	va_start(ap, fmt);
	ok = tap_vok(got == -1 && err == want, file, line, fmt, ap);
	va_end(ap);
	if (!ok)
		tap_diag("got %lld errno %d (%s), want -1 errno %d (%s)",
		    got, err, strerror(err), want, strerror(want));
	return ok;
}

static inline int
tap_done(void)
{
	printf("1..%d\n", tap_npass + tap_nfail);
	printf("%d passed, %d failed\n", tap_npass, tap_nfail);
	fflush(stdout);
	return tap_nfail != 0;
}

#endif
