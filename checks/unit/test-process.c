/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* common/process.c: the one fork helper and its report channel. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "process.h"
#include "tap.h"

static int run_sh(const char *script, char **ret_out) {
        char *argv[] = { (char *) "sh", (char *) "-c", (char *) script, NULL };
        int null = open("/dev/null", O_WRONLY | O_CLOEXEC), r;

        r = process_run(argv, -EBADF, null, ret_out); /* its stderr not in our TAP */
        close(null);
        return r;
}

static int say_and_return(void *userdata) {
        printf("%s", (const char *) userdata);
        return 3;
}

/* A child that keeps keep[0] and must have lost other: exit 0 when so. */
static void check_fds(int keep, int other) {
        ForkSpec spec = FORK_SPEC_INIT;
        ProcessResult res = {};
        int report = -EBADF, kept[] = { keep };
        pid_t pid;

        spec.keep_fds = kept;
        spec.n_keep_fds = 1;
        pid = process_fork(&spec, &report);
        if (pid == 0)
                _exit(fcntl(keep, F_GETFD) >= 0 && fcntl(other, F_GETFD) < 0 && errno == EBADF ? 0 : 1);
        ok(pid > 0 && process_wait(pid, &report, 0, &res) == 0 && !res.failed && res.status == 0,
           "the child keeps the fd it names (%d) and has none of the others (%d), however high", keep, other);
}

static void check_death_signal(void) {
        int p[2], status = 0;
        pid_t middle, child = 0;

        /* the grandchild comes to us when the middle one dies, so that we can see how it ended */
        if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0 || pipe(p) < 0) {
                skip("no subreaper here");
                return;
        }
        middle = fork();
        if (middle == 0) {
                ForkSpec spec = FORK_SPEC_INIT;
                int report;
                pid_t pid = process_fork(&spec, &report);

                if (pid == 0) {
                        pause();
                        _exit(0);
                }
                if (write(p[1], &pid, sizeof pid) < 0)
                        _exit(1);
                _exit(0); /* without waiting: the death signal ends the child */
        }
        close(p[1]);
        if (read(p[0], &child, sizeof child) != sizeof child)
                child = 0;
        close(p[0]);
        (void) waitpid(middle, NULL, 0);
        alarm(10);
        ok(child > 0 && waitpid(child, &status, 0) == child && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
           "a child dies with SIGKILL when its parent dies");
        alarm(0);
}

int main(void) {
        ProcessResult res = {};
        ForkSpec spec = FORK_SPEC_INIT;
        struct rlimit rl = { 4096, 4096 };
        char *out = NULL;
        int report = -EBADF, high, low;
        pid_t pid;

        is_int(run_sh("exit 241", NULL), 241, "a command's exit status passes whatever it is (241)");
        is_int(run_sh("exit 127", NULL), 127, "127 too: the command's own, not 'not found'");
        is_int(run_sh("exit 126", NULL), 126, "126 too");
        is_int(run_sh("kill -9 $$", NULL), 128 + SIGKILL, "killed by a signal: 128+N");
        {
                char *argv[] = { (char *) "no-such-command-here", NULL };
                is_int(process_run(argv, -EBADF, -EBADF, NULL), -ENOENT, "a command that is not there: -ENOENT");
        }
        is_int(run_sh("echo out; echo err >&2", &out), 0, "stdout is read");
        is_str(out, "out\n", "and only stdout");
        free(out);
        out = NULL;
        is_int(process_call(say_and_return, (void *) "from the child", NULL, 0, &out), 3, "a function's return is the status");
        is_str(out, "from the child", "and what it printed is read");
        free(out);

        pid = process_fork(&spec, &report);
        if (pid == 0)
                process_fail(report, 7, -EPERM, 42);
        ok(pid > 0 && process_wait(pid, &report, 0, &res) == 0, "a child that reports a failure is waited for");
        ok(res.failed && res.step == 7 && res.error == -EPERM && res.index == 42,
           "its step, errno and index arrive (%d %d %lld)", res.step, res.error, (long long) res.index);
        ok(report < 0, "the report channel is closed");

        pid = process_fork(&spec, &report);
        if (pid == 0) {
                char *argv[] = { (char *) "/nonexistent/command", NULL };
                process_exec(report, argv, NULL);
        }
        ok(pid > 0 && process_wait(pid, &report, 0, &res) == 0 && res.failed && res.step == PROCESS_STEP_EXEC &&
           res.error == -ENOENT, "an exec that fails is reported as PROCESS_STEP_EXEC with its errno");

        pid = process_fork(&spec, &report);
        if (pid == 0) {
                pause();
                _exit(0);
        }
        alarm(10);
        ok(pid > 0 && process_wait(pid, &report, 200, &res) == 0 && res.failed && res.step == PROCESS_STEP_TIMEOUT &&
           res.error == -ETIMEDOUT && res.status == 128 + SIGKILL,
           "a child that never gets to exec is killed at the deadline, and that is the failure");
        alarm(0);

        /* fds past 1024, where a loop to 1024 stops */
        if (setrlimit(RLIMIT_NOFILE, &rl) < 0) {
                skip("cannot raise RLIMIT_NOFILE");
        } else {
                low = fcntl(STDERR_FILENO, F_DUPFD, 1100);
                high = fcntl(STDERR_FILENO, F_DUPFD, 1600);
                check_fds(low, high);
                check_fds(high, low);
                close(low);
                close(high);
        }
        check_death_signal();
        return tap_done();
}
