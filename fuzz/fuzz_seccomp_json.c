/*
 * fuzz_seccomp_json.c: libFuzzer target for the seccomp profile compiler
 * (parent/seccomp_json.c), which reads a client's JSON in the parent.
 *
 * The last byte picks the container's capabilities (none, Docker's
 * default set, or all), the rest is the profile (so a seed file ending
 * in a newline is a profile as it is).  A profile must compile
 * to a program of 1 to BPF_MAXINSNS instructions or be refused with a
 * one-line reason; memory leaks are the sanitizers' to find, and an fd
 * leak aborts here (the lowest free fd must be the same after a run).
 * The corpus starts from tests/unit/seccomp/.
 *
 *	clang -g -fsanitize=fuzzer,address,undefined -I. \
 *	    parent/seccomp_json.c fuzz/fuzz_seccomp_json.c \
 *	    -ljansson -lseccomp -lcap -o fuzz_seccomp_json
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parent/parent.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint64_t	 caps[] = { 0, 0x00000000a80425fbULL,
	    (1ULL << 41) - 1 };
	struct seccomp_bpf	*b;
	char			 err[CELL_MSGLEN];
	int			 fd, lowest;

	if (size < 1)
		return 0;
	/* the lowest free fd now, not at the first run: libFuzzer's own
	 * files come and go between runs */
	if ((lowest = open("/dev/null", O_RDONLY | O_CLOEXEC)) == -1)
		abort();
	close(lowest);
	err[0] = '\0';
	b = seccomp_json_compile((const char *)data, size - 1,
	    caps[data[size - 1] % 3], err, sizeof(err));
	if (b == NULL && (err[0] == '\0' || strchr(err, '\n') != NULL))
		abort();	/* a refusal must say why, on one line */
	if (b != NULL && (b->n < 1 || b->n > BPF_MAXINSNS))
		abort();
	free(b);
	/* the compiler's memfd must be gone: the lowest free fd stays */
	if ((fd = open("/dev/null", O_RDONLY | O_CLOEXEC)) == -1)
		abort();
	close(fd);
	if (fd != lowest)
		abort();
	return 0;
}
