/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Benchmark helper: the CPU time of a command's whole process tree, as the kernel's cgroup accounting has it.
 *
 *   cgcpu CGROUP2-MOUNT LABEL -- COMMAND...
 *
 * Makes a fresh cgroup <mount>/cgcpu-<pid>, forks; the child moves itself into it, unshares a cgroup and a mount
 * namespace, replaces the cgroup2 mount with one rooted at the new cgroup (so a launcher that makes
 * <cgroup2 mount>/nixos-nspawn/NAME makes it under ours) and execs COMMAND, its output to /dev/null. Once the
 * child is reaped and the cgroup is empty, prints "LABEL<TAB>usage_usec<TAB>user_usec<TAB>system_usec" of the
 * cgroup's cpu.stat: every process that ran in it or below, reaped by whom ever, and the cgroups removed below
 * it. rusage (RUSAGE_CHILDREN) and perf's inherited counters both lose a process that its parent does not wait
 * for; this does not. The harness's own work (fork, unshare, mounts, exec) is measured the same way with `true`
 * as the command, for the caller to subtract; in C it is small next to a start, which a shell harness was not. */
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

static int write_str(const char *path, const char *s) {
        int fd = open(path, O_WRONLY | O_CLOEXEC);
        ssize_t n;

        if (fd < 0)
                return -errno;
        n = write(fd, s, strlen(s));
        close(fd);
        return n < 0 ? -errno : 0;
}

static int populated(const char *cg) {
        char path[4200], line[256];
        FILE *f;
        int r = -1;

        snprintf(path, sizeof path, "%s/cgroup.events", cg);
        f = fopen(path, "re");
        if (!f)
                return -1;
        while (fgets(line, sizeof line, f))
                if (sscanf(line, "populated %d", &r) == 1)
                        break;
        fclose(f);
        return r;
}

/* The launcher removes its own cgroups; whatever it left (it should leave nothing) goes, deepest first. */
static void remove_tree(const char *cg) {
        char cmd[4200];

        snprintf(cmd, sizeof cmd, "find '%s' -depth -type d -exec rmdir {} + 2>/dev/null", cg);
        if (system(cmd) != 0 && rmdir(cg) < 0 && errno != ENOENT)
                fprintf(stderr, "cgcpu: cannot remove %s: %m\n", cg);
}

int main(int argc, char **argv) {
        char cg[4096], path[4200], line[256];
        unsigned long long usage = 0, user = 0, sys = 0, v;
        int status, devnull;
        pid_t pid;
        FILE *f;

        if (argc < 5 || strcmp(argv[3], "--") != 0) {
                fprintf(stderr, "usage: cgcpu CGROUP2-MOUNT LABEL -- COMMAND...\n");
                return 2;
        }
        snprintf(cg, sizeof cg, "%s/cgcpu-%d", argv[1], (int) getpid());
        if (mkdir(cg, 0755) < 0) {
                fprintf(stderr, "cgcpu: mkdir %s: %m\n", cg);
                return 1;
        }
        pid = fork();
        if (pid < 0) {
                fprintf(stderr, "cgcpu: fork: %m\n");
                rmdir(cg);
                return 1;
        }
        if (pid == 0) {
                snprintf(path, sizeof path, "%s/cgroup.procs", cg);
                if (write_str(path, "0") < 0 || unshare(CLONE_NEWCGROUP | CLONE_NEWNS) < 0 ||
                    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 || umount2(argv[1], MNT_DETACH) < 0 ||
                    mount("cgroup2", argv[1], "cgroup2", 0, NULL) < 0) {
                        fprintf(stderr, "cgcpu: cannot set up the cgroup namespace: %m\n");
                        _exit(127);
                }
                devnull = open("/dev/null", O_WRONLY);
                if (devnull >= 0)
                        dup2(devnull, STDOUT_FILENO);
                execvp(argv[4], argv + 4);
                fprintf(stderr, "cgcpu: exec %s: %m\n", argv[4]);
                _exit(127);
        }
        if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                fprintf(stderr, "cgcpu: %s failed (status 0x%x)\n", argv[2], (unsigned) status);
                remove_tree(cg);
                return 1;
        }
        /* What the command left running is still its CPU: wait (at most 5 s) until the cgroup is empty. */
        for (int i = 0; i < 500 && populated(cg) > 0; i++)
                nanosleep(&(struct timespec) { .tv_nsec = 10 * 1000 * 1000 }, NULL);
        snprintf(path, sizeof path, "%s/cpu.stat", cg);
        f = fopen(path, "re");
        if (!f) {
                fprintf(stderr, "cgcpu: %s: %m\n", path);
                remove_tree(cg);
                return 1;
        }
        while (fgets(line, sizeof line, f)) {
                if (sscanf(line, "usage_usec %llu", &v) == 1)
                        usage = v;
                else if (sscanf(line, "user_usec %llu", &v) == 1)
                        user = v;
                else if (sscanf(line, "system_usec %llu", &v) == 1)
                        sys = v;
        }
        fclose(f);
        remove_tree(cg);
        printf("%s\t%llu\t%llu\t%llu\n", argv[2], usage, user, sys);
        return 0;
}
