/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "fileio.h"
#include "process.h"
#include "syscalls.h"

/* fds lo..hi closed. close_range() is one call however many there are; where the kernel lacks it (before 5.9),
 * every number up to the hard limit: a limit lowered after an fd was opened leaves that fd above it, but only
 * below the hard limit the caller could never raise again. */
static int close_between(unsigned lo, unsigned hi) {
        struct rlimit rl;

        if (lo > hi)
                return 0;
        if (syscall(SYS_close_range, lo, hi, 0) >= 0)
                return 0;
        if (errno != ENOSYS)
                return -errno;
        if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
                return -errno;
        for (unsigned fd = lo; fd <= hi && (rlim_t) fd < rl.rlim_max; fd++)
                (void) close((int) fd);
        return 0;
}

/* Every fd above stdio but keep[] and report_fd. No allocation: we are a freshly forked child. */
static int close_all_but(const int *keep, size_t n_keep, int report_fd) {
        int fds[FORK_KEEP_MAX + 1];
        size_t n = 0;
        unsigned lo = 3;
        int r;

        for (size_t i = 0; i <= n_keep; i++) {
                int fd = i < n_keep ? keep[i] : report_fd;
                size_t j = n;

                if (fd < 3)
                        continue;
                for (; j > 0 && fds[j - 1] > fd; j--)
                        fds[j] = fds[j - 1];
                fds[j] = fd;
                n++;
        }
        for (size_t i = 0; i < n; i++) {
                if ((unsigned) fds[i] < lo)
                        continue; /* named twice */
                r = close_between(lo, (unsigned) fds[i] - 1);
                if (r < 0)
                        return r;
                lo = (unsigned) fds[i] + 1;
        }
        return close_between(lo, ~0U);
}

static int child_setup(const ForkSpec *spec, pid_t parent, int report_fd) {
        int tmp[3] = { -EBADF, -EBADF, -EBADF };
        sigset_t none;

        if (spec->new_session && setsid() < 0)
                return -errno;
        if (spec->death_signal > 0) {
                if (prctl(PR_SET_PDEATHSIG, spec->death_signal, 0, 0, 0) < 0)
                        return -errno;
                /* the parent died before the signal was set: it will never come */
                if (getppid() != parent)
                        (void) raise(spec->death_signal);
        }
        /* moved above stdio first, so that one of 0-2 given as the source of another is not overwritten before it
         * is used; the copies are closed below with the rest */
        for (int i = 0; i < 3; i++)
                if (spec->stdio[i] >= 0 && (tmp[i] = fcntl(spec->stdio[i], F_DUPFD_CLOEXEC, 3)) < 0)
                        return -errno;
        for (int i = 0; i < 3; i++)
                if (tmp[i] >= 0 && dup2(tmp[i], i) < 0)
                        return -errno;
        sigemptyset(&none);
        if (sigprocmask(SIG_SETMASK, &none, NULL) < 0)
                return -errno;
        return close_all_but(spec->keep_fds, spec->n_keep_fds, report_fd);
}

int process_fork(const ForkSpec *spec, int *ret_report) {
        pid_t parent = getpid(), pid;
        int pair[2], r;

        if (spec->n_keep_fds > FORK_KEEP_MAX)
                return -E2BIG;
        r = report_pair(pair);
        if (r < 0)
                return r;
        /* what stdio holds would be written twice: by us and by a child that calls exit() */
        (void) fflush(stdout);
        (void) fflush(stderr);
        pid = spec->clone_flags ? raw_clone(spec->clone_flags | SIGCHLD) : fork();
        if (pid < 0) {
                r = -errno;
                safe_close(pair[0]);
                safe_close(pair[1]);
                return r;
        }
        if (pid == 0) {
                safe_close(pair[0]);
                r = child_setup(spec, parent, pair[1]);
                if (r < 0)
                        process_fail(pair[1], PROCESS_STEP_SETUP, r, -1);
                *ret_report = pair[1];
                return 0;
        }
        safe_close(pair[1]);
        *ret_report = pair[0];
        return pid;
}

_noreturn_ void process_fail(int report_fd, int step, int error, int64_t index) {
        (void) report_failure(report_fd, step, error, index);
        _exit(EXIT_FAILURE);
}

_noreturn_ void process_exec(int report_fd, char *const argv[], char *const env[]) {
        if (env)
                execvpe(argv[0], argv, env);
        else
                execvp(argv[0], argv);
        process_fail(report_fd, PROCESS_STEP_EXEC, -errno, -1);
}

/* Waits until the channel has something (or EOF) or the deadline (0: none) passed: 1, 0 when it passed. */
static int wait_readable(int fd, uint64_t deadline) {
        struct pollfd p = { .fd = fd, .events = POLLIN };
        int r;

        if (deadline == 0)
                return 1;
        do
                r = poll(&p, 1, msec_left(deadline));
        while (r < 0 && errno == EINTR);
        return r < 0 ? -errno : r > 0;
}

int process_read_report(int *report_fd, pid_t pid, unsigned timeout_msec, ProcessResult *ret) {
        uint64_t deadline = timeout_msec > 0 ? now_msec() + timeout_msec : 0;
        Report m;
        int r;

        *ret = (ProcessResult) { .index = -1 };
        for (;;) {
                r = wait_readable(*report_fd, deadline);
                if (r == 0) {
                        (void) kill(pid, SIGKILL);
                        *ret = (ProcessResult) { .failed = true, .step = PROCESS_STEP_TIMEOUT, .error = -ETIMEDOUT,
                                                 .index = -1 };
                        r = 1;
                        break;
                }
                if (r > 0)
                        r = report_recv(*report_fd, &m);
                if (r <= 0)
                        break;
                if (m.kind != REPORT_FAILED)
                        continue;
                *ret = (ProcessResult) { .failed = true, .step = m.step, .error = m.error < 0 ? m.error : -EIO,
                                         .index = m.arg };
                break;
        }
        *report_fd = safe_close(*report_fd);
        return r;
}

int process_reap(pid_t pid) {
        int status;

        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return -errno;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int process_reap_until(pid_t pid, uint64_t deadline) {
        int pidfd, r, status;

        if (deadline == 0)
                return process_reap(pid);
        pidfd = (int) syscall(SYS_pidfd_open, pid, 0);
        for (;;) {
                r = waitpid(pid, &status, WNOHANG);
                if (r < 0 && errno == EINTR)
                        continue;
                if (r != 0 || msec_left(deadline) == 0)
                        break;
                if (pidfd >= 0) /* readable when it ended */
                        (void) poll(&(struct pollfd) { .fd = pidfd, .events = POLLIN }, 1, msec_left(deadline));
                else /* a kernel without pidfds (before 5.3): look again soon */
                        (void) poll(NULL, 0, MIN(msec_left(deadline), 50));
        }
        safe_close(pidfd);
        if (r < 0)
                return -errno;
        if (r == 0) {
                (void) kill(pid, SIGKILL);
                (void) process_reap(pid);
                return -ETIMEDOUT;
        }
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int process_wait(pid_t pid, int *report_fd, unsigned timeout_msec, ProcessResult *ret) {
        ProcessResult res;
        int r, status;

        r = process_read_report(report_fd, pid, timeout_msec, &res);
        status = process_reap(pid);
        if (r < 0)
                return r;
        if (status < 0)
                return status;
        res.status = status;
        *ret = res;
        return 0;
}

static int run_capture(char *const argv[], int (*fn)(void *), void *userdata, const int *keep_fds, size_t n_keep_fds,
                       int stdout_fd, int stderr_fd, char **ret_stdout) {
        _cleanup_free_ char *out = NULL;
        _cleanup_close_ int report = -EBADF, output = -EBADF;
        ForkSpec spec = FORK_SPEC_INIT;
        ProcessResult res;
        int pipefd[2], r = 0;
        size_t size = 0;
        pid_t pid;

        if (ret_stdout) {
                if (pipe2(pipefd, O_CLOEXEC) < 0)
                        return -errno;
                output = pipefd[0];
                stdout_fd = pipefd[1];
        }
        spec.stdio[1] = stdout_fd;
        spec.stdio[2] = stderr_fd;
        spec.keep_fds = keep_fds;
        spec.n_keep_fds = n_keep_fds;
        pid = process_fork(&spec, &report);
        if (pid == 0) {
                if (fn) {
                        r = fn(userdata);
                        (void) fflush(stdout);
                        _exit(r);
                }
                process_exec(report, argv, NULL);
        }
        if (ret_stdout)
                safe_close(pipefd[1]);
        if (pid < 0)
                return pid;
        if (output >= 0) {
                r = read_full_fd(output, READ_FULL_MAX, &out, &size);
                if (r > 0)
                        r = -EFBIG;
                output = safe_close(output);
        }
        r = r < 0 ? r : process_wait(pid, &report, 0, &res);
        if (r < 0) {
                if (report >= 0) { /* the read failed: the child must not outlive us unseen */
                        (void) kill(pid, SIGKILL);
                        (void) process_reap(pid);
                }
                return r;
        }
        if (res.failed)
                return res.error;
        if (ret_stdout)
                *ret_stdout = TAKE_PTR(out);
        return res.status;
}

int process_run(char *const argv[], int stdout_fd, int stderr_fd, char **ret_stdout) {
        return run_capture(argv, NULL, NULL, NULL, 0, stdout_fd, stderr_fd, ret_stdout);
}

int process_call(int (*fn)(void *userdata), void *userdata, const int *keep_fds, size_t n_keep_fds,
                 char **ret_stdout) {
        return run_capture(NULL, fn, userdata, keep_fds, n_keep_fds, -EBADF, -EBADF, ret_stdout);
}
