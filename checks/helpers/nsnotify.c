/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Test helper: plays the service manager's part of sd_notify for one command.
 *
 *   nsnotify [--ready-file=F] [--timeout=SEC] -- COMMAND...
 *
 * Runs COMMAND with NOTIFY_SOCKET pointing at a private socket, logs each message with the time since start,
 * and on READY=1 writes "SECONDS LEADER_PID" to F (LEADER_PID from X_NSPAWN_LEADER_PID=, else 0). Without a
 * READY=1 within SEC seconds (default 120) it sends COMMAND SIGTERM and exits 124. Otherwise it exits with
 * COMMAND's status. SIGTERM and SIGINT are passed on to COMMAND. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static pid_t child;

/* A service manager's stop reaches the command, not us. */
static void forward(int sig) {
        if (child > 0)
                kill(child, sig);
}

static double now(void) {
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        return (double) t.tv_sec + (double) t.tv_nsec / 1e9;
}

int main(int argc, char *argv[]) {
        const char *ready_file = NULL;
        double timeout = 120, start = now();
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        int i, fd, status, ready = 0;
        pid_t pid;

        for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
                if (strncmp(argv[i], "--ready-file=", 13) == 0)
                        ready_file = argv[i] + 13;
                else if (strncmp(argv[i], "--timeout=", 10) == 0)
                        timeout = atof(argv[i] + 10);
                else {
                        fprintf(stderr, "nsnotify: unknown option '%s'\n", argv[i]);
                        return 2;
                }
        }
        if (i + 1 >= argc) {
                fprintf(stderr, "usage: nsnotify [--ready-file=F] [--timeout=SEC] -- COMMAND...\n");
                return 2;
        }

        fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        snprintf(sa.sun_path, sizeof sa.sun_path, "/tmp/nsnotify-%d.sock", (int) getpid());
        unlink(sa.sun_path);
        if (fd < 0 || bind(fd, (struct sockaddr *) &sa, sizeof sa) < 0) {
                perror("nsnotify: socket");
                return 2;
        }
        setenv("NOTIFY_SOCKET", sa.sun_path, 1);

        signal(SIGTERM, forward);
        signal(SIGINT, forward);
        pid = child = fork();
        if (pid == 0) {
                signal(SIGTERM, SIG_DFL);
                signal(SIGINT, SIG_DFL);
                execvp(argv[i + 1], argv + i + 1);
                perror("nsnotify: exec");
                _exit(127);
        }

        for (;;) {
                struct pollfd p = { .fd = fd, .events = POLLIN };
                char buf[4096];
                ssize_t n;

                if (waitpid(pid, &status, WNOHANG) == pid)
                        break;
                if (!ready && now() - start > timeout) {
                        fprintf(stderr, "nsnotify: no READY=1 within %.0f s\n", timeout);
                        kill(pid, SIGTERM);
                        waitpid(pid, &status, 0);
                        unlink(sa.sun_path);
                        return 124;
                }
                if (poll(&p, 1, 100) <= 0)
                        continue;
                n = recv(fd, buf, sizeof buf - 1, 0);
                if (n <= 0)
                        continue;
                buf[n] = 0;
                for (char *l = strtok(buf, "\n"); l; l = strtok(NULL, "\n")) {
                        fprintf(stderr, "nsnotify: +%.3fs %s\n", now() - start, l);
                        if (strcmp(l, "READY=1") == 0)
                                ready = 1;
                        else if (strncmp(l, "X_NSPAWN_LEADER_PID=", 20) == 0)
                                ready = ready ? ready : 0, setenv("NSNOTIFY_LEADER", l + 20, 1);
                }
                if (ready == 1 && ready_file) {
                        char tmp[4096];
                        FILE *f;

                        snprintf(tmp, sizeof tmp, "%s.tmp", ready_file);
                        f = fopen(tmp, "we");
                        if (f) {
                                fprintf(f, "%.3f %s\n", now() - start, getenv("NSNOTIFY_LEADER") ?: "0");
                                fclose(f);
                                rename(tmp, ready_file);
                        }
                        ready = 2;
                }
        }
        unlink(sa.sun_path);
        if (WIFEXITED(status))
                return WEXITSTATUS(status);
        return 128 + WTERMSIG(status);
}
