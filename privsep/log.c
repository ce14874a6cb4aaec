/*
 * log.c: logging for every celld process.  With -d it goes to stderr,
 * otherwise to syslog.  Messages are lower case and begin with the object.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "privsep.h"

static int		 log_debug_mode;
static int		 log_verbose;
static const char	*log_title = "celld";

void
log_init(int debug, int verbose, const char *title)
{
	log_debug_mode = debug;
	log_verbose = verbose;
	log_title = title;
	if (!debug)
		openlog("celld", LOG_PID | LOG_NDELAY, LOG_DAEMON);
	tzset();
}

void
log_setverbose(int v)
{
	log_verbose = v;
}

void
log_procname(const char *title)
{
	log_title = title;
}

static void
vlog(int pri, const char *fmt, va_list ap, int err)
{
	char	buf[1024];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	if (log_debug_mode) {
		if (err)
			fprintf(stderr, "%s: %s: %s\n", log_title, buf,
			    strerror(err));
		else
			fprintf(stderr, "%s: %s\n", log_title, buf);
		fflush(stderr);
		return;
	}
	if (err)
		syslog(pri, "%s: %s: %s", log_title, buf, strerror(err));
	else
		syslog(pri, "%s: %s", log_title, buf);
}

void
log_warn(const char *fmt, ...)
{
	va_list	ap;
	int	saved = errno;

	va_start(ap, fmt);
	vlog(LOG_ERR, fmt, ap, saved);
	va_end(ap);
	errno = saved;
}

void
log_warnx(const char *fmt, ...)
{
	va_list	ap;
	int	saved = errno;

	va_start(ap, fmt);
	vlog(LOG_ERR, fmt, ap, 0);
	va_end(ap);
	errno = saved;
}

void
log_info(const char *fmt, ...)
{
	va_list	ap;
	int	saved = errno;

	va_start(ap, fmt);
	vlog(LOG_INFO, fmt, ap, 0);
	va_end(ap);
	errno = saved;
}

void
log_debug(const char *fmt, ...)
{
	va_list	ap;
	int	saved = errno;

	if (log_verbose < 1)
		return;
	va_start(ap, fmt);
	vlog(LOG_DEBUG, fmt, ap, 0);
	va_end(ap);
	errno = saved;
}

void
fatal(const char *fmt, ...)
{
	va_list	ap;
	int	saved = errno;

	va_start(ap, fmt);
	vlog(LOG_CRIT, fmt, ap, saved);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vlog(LOG_CRIT, fmt, ap, 0);
	va_end(ap);
	exit(1);
}

/*
 * Under AddressSanitizer (make asan), leak checking at exit is off for
 * every daemon: LeakSanitizer inspects the process with ptrace and
 * /proc, which our own seccomp and Landlock rules forbid.  Helpers are
 * exec'd with an empty environment, so this can't be left to ASAN_OPTIONS.
 */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
const char	*__asan_default_options(void);

const char *
__asan_default_options(void)
{
	return "detect_leaks=0";
}
#endif
#endif
