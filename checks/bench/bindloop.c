/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Benchmark comparator: the plain way to put a closure in place, one store path at a time.
 *
 *   bindloop [--runs=R] CLOSURE-FILE
 *
 * For each run, a child enters a private mount namespace, mounts a tmpfs and, for every store path listed in
 * CLOSURE-FILE, creates a mount point and does `mount --bind PATH TARGET` + `mount -o remount,bind,ro,nosuid,nodev
 * TARGET` (two mount(2) calls, by path, as a shell loop would, without its fork/exec). It then tells the parent it
 * is done and exits; its namespace, the only reference to those mounts, dies with it.
 *
 * Prints one line per run: "paths=N setup_us=S teardown_us=T" where setup is fork → all mounts made and
 * teardown is the child's exit → waitpid() returned (namespace teardown happens in the exiting task). */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_us(void) {
        struct timespec t;

        clock_gettime(CLOCK_MONOTONIC, &t);
        return (double) t.tv_sec * 1e6 + (double) t.tv_nsec / 1e3;
}

static int read_paths(const char *file, char ***ret, size_t *ret_n) {
        char **paths = NULL, *line = NULL;
        size_t n = 0, alloc = 0, len = 0;
        ssize_t k;
        FILE *f = fopen(file, "re");

        if (!f)
                return -errno;
        while ((k = getline(&line, &len, f)) > 0) {
                if (line[k - 1] == '\n')
                        line[--k] = 0;
                if (k == 0)
                        continue;
                if (n == alloc) {
                        char **p;

                        alloc = alloc ? alloc * 2 : 256;
                        p = realloc(paths, alloc * sizeof *paths);
                        if (!p)
                                return -ENOMEM;
                        paths = p;
                }
                paths[n] = strdup(line);
                if (!paths[n])
                        return -ENOMEM;
                n++;
        }
        free(line);
        fclose(f);
        *ret = paths;
        *ret_n = n;
        return 0;
}

/* Child: never returns. Writes one byte to done_fd after the last mount. */
static void build(char **paths, size_t n, const char *staging, int done_fd) {
        char target[4096];

        if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
            mount("bindloop", staging, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") < 0) {
                perror("bindloop: namespace");
                _exit(1);
        }
        for (size_t i = 0; i < n; i++) {
                const char *base = strrchr(paths[i], '/');

                snprintf(target, sizeof target, "%s/%s", staging, base ? base + 1 : paths[i]);
                if (mkdir(target, 0555) < 0 || mount(paths[i], target, NULL, MS_BIND, NULL) < 0 ||
                    mount(NULL, target, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL) < 0) {
                        fprintf(stderr, "bindloop: %s: %m\n", paths[i]);
                        _exit(1);
                }
        }
        if (write(done_fd, "x", 1) != 1)
                _exit(1);
        _exit(0);
}

int main(int argc, char *argv[]) {
        char staging[] = "/tmp/bindloop.XXXXXX", **paths = NULL;
        const char *file = NULL;
        size_t n = 0;
        int runs = 1, r, rc = 0;

        for (int i = 1; i < argc; i++) {
                if (strncmp(argv[i], "--runs=", 7) == 0) {
                        char *end;
                        long v = strtol(argv[i] + 7, &end, 10);

                        if (*end || v < 1 || v > 1000) {
                                fprintf(stderr, "bindloop: bad --runs\n");
                                return 2;
                        }
                        runs = (int) v;
                } else
                        file = argv[i];
        }
        if (!file) {
                fprintf(stderr, "usage: bindloop [--runs=R] CLOSURE-FILE\n");
                return 2;
        }
        r = read_paths(file, &paths, &n);
        if (r < 0) {
                fprintf(stderr, "bindloop: %s: %s\n", file, strerror(-r));
                return 1;
        }
        if (!mkdtemp(staging)) {
                perror("bindloop: mkdtemp");
                return 1;
        }

        for (int run = 0; run < runs && rc == 0; run++) {
                double t0, t1, t2;
                int pipefd[2], status;
                char c;
                pid_t pid;

                if (pipe2(pipefd, O_CLOEXEC) < 0) {
                        perror("bindloop: pipe");
                        rc = 1;
                        break;
                }
                t0 = now_us();
                pid = fork();
                if (pid < 0) {
                        perror("bindloop: fork");
                        rc = 1;
                        break;
                }
                if (pid == 0) {
                        close(pipefd[0]);
                        build(paths, n, staging, pipefd[1]);
                }
                close(pipefd[1]);
                if (read(pipefd[0], &c, 1) != 1) {
                        fprintf(stderr, "bindloop: the child failed\n");
                        rc = 1;
                }
                t1 = now_us();
                (void) waitpid(pid, &status, 0);
                t2 = now_us();
                close(pipefd[0]);
                if (rc == 0)
                        printf("paths=%zu setup_us=%.0f teardown_us=%.0f\n", n, t1 - t0, t2 - t1);
        }
        rmdir(staging);
        for (size_t i = 0; i < n; i++)
                free(paths[i]);
        free(paths);
        return rc;
}
