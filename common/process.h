/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "macro.h"
#include "report.h"

/* The tree's one way to make a child process (as systemd's safe_fork_full): what stays open in it is named, every
 * other fd above stdio is closed (close_range, however high), a death signal is set, the signal mask is emptied,
 * and a report channel (report.h) tells the parent how far the child got. */
typedef struct ForkSpec {
        const int *keep_fds;       /* stay open in the child, at the same numbers (their O_CLOEXEC unchanged) */
        size_t n_keep_fds;
        int stdio[3];              /* put on 0, 1, 2 in the child (without O_CLOEXEC); -EBADF: ours stay */
        int death_signal;          /* sent to the child when we die; 0: none (a detached child) */
        unsigned long clone_flags; /* namespaces for the child (CLONE_NEWUSER…); 0: a plain fork */
        bool new_session;          /* setsid(): no controlling terminal, its own process group */
} ForkSpec;

#define FORK_SPEC_INIT { .stdio = { -EBADF, -EBADF, -EBADF }, .death_signal = SIGKILL }

/* Steps of the helper's own (the callers' steps are theirs: keep them below these). */
enum {
        PROCESS_STEP_SETUP = 1000, /* stdio, closing fds, death signal: before the caller's code ran */
        PROCESS_STEP_EXEC,         /* execve(): -ENOENT is "not found" */
        PROCESS_STEP_TIMEOUT,      /* process_wait(): the child did not get to exec in time (error -ETIMEDOUT) */
};

/* Most fds a ForkSpec keeps (the child sorts them without allocating). */
#define FORK_KEEP_MAX 8

/* Forks. In the parent: returns the child's pid, *ret_report is the parent's end of the report channel. In the
 * child: returns 0, *ret_report is the child's end (O_CLOEXEC: exec closes it). -errno (nothing left open) when
 * the channel or the child cannot be made. The child must report failures with process_fail() and end with
 * process_exec() or _exit(): it never returns into the caller's code past its own branch. */
int process_fork(const ForkSpec *spec, int *ret_report);

/* Child side: reports (step, error, index) and _exits. */
_noreturn_ void process_fail(int report_fd, int step, int error, int64_t index);
/* Child side: execs argv (searched in our PATH) with env (NULL: ours); on failure reports PROCESS_STEP_EXEC. */
_noreturn_ void process_exec(int report_fd, char *const argv[], char *const env[]);

/* What became of a child: a failure it reported before exec (failed, with step, error, index), or the exit status
 * of what it ran (the command's own: any value; 128+N when killed by signal N). */
typedef struct ProcessResult {
        bool failed;
        int step;
        int error;
        int64_t index;
        int status;
} ProcessResult;

/* Reads the report channel until a failure or EOF; timeout_msec (0: none) bounds that wait, after which the
 * child is SIGKILLed and the result is a failure at PROCESS_STEP_TIMEOUT with -ETIMEDOUT. Messages of other
 * kinds are passed over. Closes *report_fd. Returns 1 with a failure in *ret, 0 at EOF, or -errno. */
int process_read_report(int *report_fd, pid_t pid, unsigned timeout_msec, ProcessResult *ret);
/* Waits for pid (through EINTR) and returns its status as a shell says it (128+N when killed), or -errno. */
int process_reap(pid_t pid);
/* process_reap() by a deadline (now_msec() based; 0: none). When it passes, pid is SIGKILLed and reaped, and the
 * result is -ETIMEDOUT. */
int process_reap_until(pid_t pid, uint64_t deadline);
/* process_read_report() then process_reap(): a failure reported is a failure, whatever the exit status. */
int process_wait(pid_t pid, int *report_fd, unsigned timeout_msec, ProcessResult *ret);

/* Runs argv (searched in PATH) with our stdin, its stderr on stderr_fd (-EBADF: ours). With ret_stdout its stdout
 * is read to EOF (NUL-terminated, at most READ_FULL_MAX: -EFBIG beyond), else it goes to stdout_fd (-EBADF: ours).
 * Returns the command's exit status (>= 0), or -errno when it could not run it (-ENOENT: not found). Logs nothing:
 * the caller knows what the command was for. */
int process_run(char *const argv[], int stdout_fd, int stderr_fd, char **ret_stdout);
/* The same with fn(userdata) run in the child instead of a command (keep_fds open for it), its stdout read into
 * *ret_stdout; its return value is the exit status. For work whose side effects (NSS modules, setns()) must not
 * reach us. */
int process_call(int (*fn)(void *userdata), void *userdata, const int *keep_fds, size_t n_keep_fds,
                 char **ret_stdout);
