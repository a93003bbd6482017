/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Benchmark comparator: two ways to put a new process into a cgroup, timed without any tracer attached (a
 * tracer stretches the RCU grace period that the first way waits for).
 *
 *   cgmove CGROUP2-MOUNT [RUNS [GAP-MS]]
 *
 * write:  fork(), then the parent writes the child's PID to <cg>/cgroup.procs (a migration: the kernel takes
 *         cgroup_threadgroup_rwsem for writing, which waits for an RCU grace period unless the hierarchy is
 *         mounted with favordynmods);
 * clone3: clone3(CLONE_INTO_CGROUP) with an fd of <cg>: the child starts there, nothing migrates.
 * Runs are GAP-MS apart (default 50): the kernel keeps the rwsem in its slow mode for a grace period after a
 * writer, so back-to-back migrations are cheaper than a launcher's one-off migration.
 * Both create and remove a fresh cgroup <mount>/cgmove-<pid> around the runs. Prints, per method, the median
 * and minimum in microseconds of the move (write) or of the whole clone3 call, and of a plain fork() for scale:
 *   "write_us=M/MIN clone3_us=M/MIN fork_us=M/MIN" */
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_RUNS 1000

static double now_us(void) {
        struct timespec t;

        clock_gettime(CLOCK_MONOTONIC, &t);
        return (double) t.tv_sec * 1e6 + (double) t.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b) {
        double x = *(const double *) a, y = *(const double *) b;

        return x < y ? -1 : x > y;
}

static void report(const char *name, double *v, int n) {
        qsort(v, (size_t) n, sizeof *v, cmp_double);
        printf("%s_us=%.0f/%.0f", name, v[n / 2], v[0]);
}

/* A child that waits to be killed; returns its pid. */
static pid_t idle_child(void) {
        pid_t pid = fork();

        if (pid == 0) {
                pause();
                _exit(0);
        }
        return pid;
}

int main(int argc, char *argv[]) {
        static double t_write[MAX_RUNS], t_clone3[MAX_RUNS], t_fork[MAX_RUNS];
        char cg[4096], procs[4200], buf[32];
        int runs = argc > 2 ? atoi(argv[2]) : 30, gap_ms = argc > 3 ? atoi(argv[3]) : 50, cgfd, procsfd, rc = 0;

        if (argc < 2 || runs < 1 || runs > MAX_RUNS || gap_ms < 0) {
                fprintf(stderr, "usage: cgmove CGROUP2-MOUNT [RUNS ≤ %d [GAP-MS]]\n", MAX_RUNS);
                return 2;
        }
        snprintf(cg, sizeof cg, "%s/cgmove-%d", argv[1], (int) getpid());
        snprintf(procs, sizeof procs, "%s/cgroup.procs", cg);
        if (mkdir(cg, 0755) < 0) {
                perror("cgmove: mkdir");
                return 1;
        }
        cgfd = open(cg, O_PATH | O_DIRECTORY | O_CLOEXEC);
        procsfd = open(procs, O_WRONLY | O_CLOEXEC);
        if (cgfd < 0 || procsfd < 0) {
                perror("cgmove: open");
                rmdir(cg);
                return 1;
        }

        for (int i = 0; i < runs && rc == 0; i++) {
                struct clone_args args = {
                        .flags = CLONE_INTO_CGROUP,
                        .exit_signal = SIGCHLD,
                        .cgroup = (uint64_t) cgfd,
                };
                double t0, t1;
                pid_t pid;
                int len;

                /* fork, then migrate */
                t0 = now_us();
                pid = idle_child();
                t1 = now_us();
                t_fork[i] = t1 - t0;
                len = snprintf(buf, sizeof buf, "%d", (int) pid);
                t0 = now_us();
                if (write(procsfd, buf, (size_t) len) != len) {
                        perror("cgmove: write");
                        rc = 1;
                }
                t_write[i] = now_us() - t0;
                kill(pid, SIGKILL);
                waitpid(pid, NULL, 0);
                usleep((useconds_t) gap_ms * 1000);

                /* born in the cgroup */
                t0 = now_us();
                pid = (pid_t) syscall(SYS_clone3, &args, sizeof args);
                if (pid == 0) {
                        pause();
                        _exit(0);
                }
                t_clone3[i] = now_us() - t0;
                if (pid < 0) {
                        perror("cgmove: clone3");
                        rc = 1;
                        break;
                }
                kill(pid, SIGKILL);
                waitpid(pid, NULL, 0);
                usleep((useconds_t) gap_ms * 1000);
        }
        close(procsfd);
        close(cgfd);
        for (int i = 0; i < 200 && rmdir(cg) < 0 && errno == EBUSY; i++)
                usleep(5000);
        if (rc == 0) {
                report("write", t_write, runs);
                putchar(' ');
                report("clone3", t_clone3, runs);
                putchar(' ');
                report("fork", t_fork, runs);
                putchar('\n');
        }
        return rc;
}
