/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the system call filter costs, from the launcher's own code (spawn/seccomp*.c):
 *   install   installing the built-in programs in a fresh process (what PID 1 pays at every start)
 *   compile   compiling the same filter at run time with libseccomp (what --system-call-filter= pays, and what
 *             systemd-nspawn pays at every start for its own)
 *   syscall   a cheap system call (getppid) under the filter and without it, ns per call
 * Prints TSV lines: KEY<TAB>median<TAB>min<TAB>max (µs, or ns for syscall) and the program sizes.
 *   seccompcost [RUNS] */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "caps.h"
#include "seccomp-build.h"
#include "seccomp.h"

static double now_us(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b) {
        double x = *(const double *) a, y = *(const double *) b;
        return x < y ? -1 : x > y;
}

static void print(const char *key, double *v, int n) {
        qsort(v, (size_t) n, sizeof *v, cmp);
        printf("%s\t%.2f\t%.2f\t%.2f\n", key, v[n / 2], v[0], v[n - 1]);
}

/* In a child: the time seccomp_apply() takes, or the time per getppid() with or without the filter. */
static double in_child(const SeccompPlan *plan, int what) {
        int p[2], status;
        double r = -1;
        pid_t pid;

        if (pipe(p) < 0)
                return -1;
        pid = fork();
        if (pid == 0) {
                double t0, v;
                (void) prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
                if (what == 0) {
                        t0 = now_us();
                        if (seccomp_apply(plan) < 0)
                                _exit(1);
                        v = now_us() - t0;
                } else {
                        if (what == 2 && seccomp_apply(plan) < 0)
                                _exit(1);
                        t0 = now_us();
                        for (int i = 0; i < 200000; i++)
                                (void) syscall(SYS_getppid);
                        v = (now_us() - t0) * 1000.0 / 200000; /* ns per call */
                }
                (void) !write(p[1], &v, sizeof v);
                _exit(0);
        }
        close(p[1]);
        if (pid > 0 && read(p[0], &r, sizeof r) != sizeof r)
                r = -1;
        close(p[0]);
        if (pid > 0)
                (void) waitpid(pid, &status, 0);
        return r;
}

int main(int argc, char **argv) {
        int runs = argc > 1 ? atoi(argv[1]) : 50;
        double *v = calloc((size_t) runs, sizeof(double));
        SeccompPlan plan;
        uint64_t caps = caps_container(true, 0, 0);

        if (!v || runs < 3 || seccomp_plan(&plan, caps, NULL, NULL) < 0 || !seccomp_plan_is_builtin(&plan))
                return 1;
        printf("insns_main\t%zu\ninsns_args\t%zu\n", plan.n_main, plan.n_args);

        for (int i = 0; i < runs; i++)
                v[i] = in_child(&plan, 0);
        print("install_us", v, runs);

        for (int i = 0; i < runs; i++) {
                struct sock_filter *f = NULL, *a = NULL;
                size_t nf, na;
                double t0 = now_us();
                if (seccomp_compile_main(caps, NULL, NULL, &f, &nf) < 0 || seccomp_compile_args(&a, &na) < 0)
                        return 1;
                v[i] = now_us() - t0;
                free(f);
                free(a);
        }
        print("compile_us", v, runs);

        for (int i = 0; i < runs; i++)
                v[i] = in_child(&plan, 1);
        print("getppid_ns_unfiltered", v, runs);
        for (int i = 0; i < runs; i++)
                v[i] = in_child(&plan, 2);
        print("getppid_ns_filtered", v, runs);
        seccomp_plan_done(&plan);
        free(v);
        return 0;
}
