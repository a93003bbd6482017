/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Benchmark helper: plays the service manager for one container monitor and times it.
 *
 *   readyclock [--timeout=SEC] [--hold=SEC | --hold-signal] [--ready-file=F] [--smaps=F] [--log=F] -- COMMAND...
 *
 * Runs COMMAND with NOTIFY_SOCKET pointing at a private socket and measures:
 *   ready_s  COMMAND started → READY=1 received;
 *   rss/pss  of COMMAND's process (the monitor) from /proc/PID/smaps_rollup, taken just before the stop;
 *   stop_s   SIGTERM sent to COMMAND → COMMAND reaped (SIGCHLD through a signalfd, no polling interval).
 * After READY=1 it holds for --hold seconds (default 1), or with --hold-signal until it gets SIGUSR1, then stops
 * COMMAND with SIGTERM. --ready-file=F is written ("SECONDS LEADER_PID") when READY=1 arrives, for callers
 * that start several at once. --smaps=F saves /proc/PID/smaps of COMMAND for a per-mapping breakdown. --log=F
 * sends COMMAND's stdout and stderr to F (appended).
 *
 * Prints one line: "ready_s=… stop_s=… rss_kb=… pss_kb=… exit=… leader=… leader_s=…" (nan for what did not come);
 * leader_s is when the first X_NSPAWN_LEADER_PID= arrived: systemd-nspawn sends it as soon as PID 1 runs, ours
 * only with READY=1.
 * Exit status 0 when READY=1 came and COMMAND exited 0 after the stop; 124 on a readiness timeout; 1 otherwise.
 * A SIGTERM or SIGINT to readyclock itself is passed on to COMMAND (a second one kills it).
 *
 * Why not checks/helpers/nsnotify: it notices COMMAND's exit only on its 100 ms poll tick, which would put a
 * 0–100 ms quantum into every stop time measured. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
        struct timespec t;

        clock_gettime(CLOCK_MONOTONIC, &t);
        return (double) t.tv_sec + (double) t.tv_nsec / 1e9;
}

static void read_rollup(pid_t pid, long *rss, long *pss) {
        char path[64], line[256];
        FILE *f;

        snprintf(path, sizeof path, "/proc/%d/smaps_rollup", (int) pid);
        f = fopen(path, "re");
        if (!f)
                return;
        while (fgets(line, sizeof line, f)) {
                if (strncmp(line, "Rss:", 4) == 0)
                        *rss = strtol(line + 4, NULL, 10);
                else if (strncmp(line, "Pss:", 4) == 0)
                        *pss = strtol(line + 4, NULL, 10);
        }
        fclose(f);
}

static void copy_file(const char *from, const char *to) {
        char buf[65536];
        ssize_t n;
        int in = open(from, O_RDONLY | O_CLOEXEC), out;

        if (in < 0)
                return;
        out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (out >= 0) {
                while ((n = read(in, buf, sizeof buf)) > 0)
                        if (write(out, buf, (size_t) n) != n)
                                break;
                close(out);
        }
        close(in);
}

static void write_ready_file(const char *file, double secs, const char *leader) {
        char tmp[4096];
        FILE *f;

        snprintf(tmp, sizeof tmp, "%s.tmp", file);
        f = fopen(tmp, "we");
        if (!f)
                return;
        fprintf(f, "%.4f %s\n", secs, leader);
        fclose(f);
        (void) rename(tmp, file);
}

int main(int argc, char *argv[]) {
        const char *ready_file = NULL, *smaps_file = NULL, *log_file = NULL;
        double timeout = 120, hold = 1, start, ready_at = NAN, stop_at = NAN, hold_until = 0, t_stop = NAN,
               leader_at = NAN;
        bool hold_signal = false, ready = false, stopping = false, outside_stop = false;
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        char leader[32] = "0";
        long rss = -1, pss = -1;
        int i, fd, sfd, status = 0, exit_code = -1;
        sigset_t mask;
        pid_t child;

        for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
                if (strncmp(argv[i], "--timeout=", 10) == 0)
                        timeout = strtod(argv[i] + 10, NULL);
                else if (strncmp(argv[i], "--hold=", 7) == 0)
                        hold = strtod(argv[i] + 7, NULL);
                else if (strcmp(argv[i], "--hold-signal") == 0)
                        hold_signal = true;
                else if (strncmp(argv[i], "--ready-file=", 13) == 0)
                        ready_file = argv[i] + 13;
                else if (strncmp(argv[i], "--smaps=", 8) == 0)
                        smaps_file = argv[i] + 8;
                else if (strncmp(argv[i], "--log=", 6) == 0)
                        log_file = argv[i] + 6;
                else {
                        fprintf(stderr, "readyclock: unknown option '%s'\n", argv[i]);
                        return 2;
                }
        }
        if (i + 1 >= argc) {
                fprintf(stderr, "usage: readyclock [--timeout=S] [--hold=S|--hold-signal] [--ready-file=F] "
                                "[--smaps=F] [--log=F] -- COMMAND...\n");
                return 2;
        }

        fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        snprintf(sa.sun_path, sizeof sa.sun_path, "/run/readyclock-%d.sock", (int) getpid());
        unlink(sa.sun_path);
        if (fd < 0 || bind(fd, (struct sockaddr *) &sa, sizeof sa) < 0) {
                perror("readyclock: socket");
                return 2;
        }
        setenv("NOTIFY_SOCKET", sa.sun_path, 1);

        sigemptyset(&mask);
        sigaddset(&mask, SIGCHLD);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGUSR1);
        sigprocmask(SIG_BLOCK, &mask, NULL);
        sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
        if (sfd < 0) {
                perror("readyclock: signalfd");
                return 2;
        }

        start = now();
        child = fork();
        if (child < 0) {
                perror("readyclock: fork");
                return 2;
        }
        if (child == 0) {
                sigprocmask(SIG_UNBLOCK, &mask, NULL);
                if (log_file) {
                        int lfd = open(log_file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);

                        if (lfd < 0 || dup2(lfd, STDOUT_FILENO) < 0 || dup2(lfd, STDERR_FILENO) < 0)
                                _exit(126);
                }
                execvp(argv[i + 1], argv + i + 1);
                perror("readyclock: exec");
                _exit(127);
        }

        while (exit_code < 0) {
                struct pollfd p[2] = { { .fd = fd, .events = POLLIN }, { .fd = sfd, .events = POLLIN } };
                double t = now(), deadline = INFINITY;
                int wait_ms = -1;

                if (stopping)
                        deadline = t_stop + 60;
                else if (!ready)
                        deadline = start + timeout;
                else if (!hold_signal)
                        deadline = hold_until;
                if (!isinf(deadline))
                        wait_ms = deadline <= t ? 0 : (int) ((deadline - t) * 1000) + 1;

                if (poll(p, 2, wait_ms) < 0 && errno != EINTR) {
                        perror("readyclock: poll");
                        break;
                }
                t = now();

                if (p[0].revents & POLLIN) {
                        char buf[4096];
                        ssize_t n;

                        while ((n = recv(fd, buf, sizeof buf - 1, 0)) > 0) {
                                buf[n] = 0;
                                for (char *l = strtok(buf, "\n"); l; l = strtok(NULL, "\n")) {
                                        if (strncmp(l, "X_NSPAWN_LEADER_PID=", 20) == 0) {
                                                snprintf(leader, sizeof leader, "%s", l + 20);
                                                if (isnan(leader_at))
                                                        leader_at = t - start;
                                        }
                                        if (strcmp(l, "READY=1") == 0 && !ready) {
                                                ready = true;
                                                ready_at = t - start;
                                                hold_until = t + hold;
                                        }
                                }
                        }
                        if (ready && ready_file) {
                                write_ready_file(ready_file, ready_at, leader);
                                ready_file = NULL; /* once */
                        }
                }

                if (p[1].revents & POLLIN) {
                        struct signalfd_siginfo si;

                        while (read(sfd, &si, sizeof si) == sizeof si) {
                                if (si.ssi_signo == SIGCHLD) {
                                        if (waitpid(child, &status, WNOHANG) == child) {
                                                stop_at = now();
                                                exit_code = WIFEXITED(status) ? WEXITSTATUS(status)
                                                                              : 128 + WTERMSIG(status);
                                        }
                                } else if (si.ssi_signo == SIGUSR1) {
                                        hold_until = t; /* end the hold now */
                                        hold_signal = false;
                                } else if (!stopping) { /* SIGTERM/SIGINT from outside */
                                        outside_stop = true;
                                        stopping = true;
                                        t_stop = now();
                                        kill(child, SIGTERM);
                                } else
                                        kill(child, SIGKILL);
                        }
                }
                if (exit_code >= 0)
                        break;

                t = now();
                if (!ready && !stopping && t - start > timeout) {
                        fprintf(stderr, "readyclock: no READY=1 within %.0f s\n", timeout);
                        outside_stop = true;
                        stopping = true;
                        t_stop = t;
                        kill(child, SIGTERM);
                } else if (ready && !stopping && !hold_signal && t >= hold_until) {
                        read_rollup(child, &rss, &pss);
                        if (smaps_file) {
                                char path[64];

                                snprintf(path, sizeof path, "/proc/%d/smaps", (int) child);
                                copy_file(path, smaps_file);
                        }
                        stopping = true;
                        t_stop = now();
                        kill(child, SIGTERM);
                } else if (stopping && t - t_stop > 60) {
                        kill(child, SIGKILL);
                        t_stop = t; /* another 60 s for the kill */
                }
        }
        unlink(sa.sun_path);

        printf("ready_s=%.4f stop_s=%.4f rss_kb=%ld pss_kb=%ld exit=%d leader=%s leader_s=%.4f\n",
               ready ? ready_at : NAN, !outside_stop && !isnan(t_stop) && !isnan(stop_at) ? stop_at - t_stop : NAN,
               rss, pss, exit_code, leader, leader_at);
        if (!ready)
                return outside_stop ? 124 : 1;
        return exit_code == 0 && !outside_stop ? 0 : 1;
}
