/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Without systemd we are the service manager: `start` forks a detached supervisor (its own session, stdio on
 * LOG_DIR/NAME.log) that runs the launcher with NOTIFY_SOCKET pointing at itself, tells the caller when READY=1
 * came, restarts the launcher after a reboot inside (exit 133, as RestartForceExitStatus=133 does for the unit)
 * and, as the unit's Restart=on-failure does, after a failure (a non-zero exit, a signal) that no stop asked for,
 * and passes stop requests on. It holds RUN_DIR/NAME.lock for its life: that lock held means the container runs;
 * RUN_DIR/NAME.state says who is who; RUN_DIR/NAME.failed, the reason it gave up (the start limit). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "conf.h"
#include "fileio.h"
#include "lockfile.h"
#include "log.h"
#include "logfile.h"
#include "loglines.h"
#include "notify.h"
#include "process.h"
#include "launcher.h"
#include "supervise.h"
#include "strutil.h"

#define REBOOT_STATUS 133
/* the unit's RestartSec= and StartLimitBurst=/StartLimitIntervalSec= (units/nixos-nspawn@.service.in), so that
 * a container behaves the same with and without systemd */
#define RESTART_DELAY_MSEC 1000ULL
#define START_LIMIT_BURST 5
#define START_LIMIT_INTERVAL_MSEC 60000ULL

static int supervise_stop(const char *name, bool kill_now, unsigned timeout_sec);

static char *run_file(const char *name, const char *suffix) {
        return strprintf(RUN_DIR "/%s.%s", name, suffix);
}

/* KEY=number from RUN_DIR/NAME.state */
static int state_get(const char *name, const char *key, pid_t *ret) {
        _cleanup_free_ char *path = run_file(name, "state"), *text = NULL, *needle = strprintf("\n%s=", key);
        const char *p;
        unsigned v;
        size_t size;
        char num[16];

        if (!path || !needle)
                return -ENOMEM;
        if (read_full_file(path, &text, &size) < 0)
                return -ESRCH;
        p = strstr(text, needle);
        if (!p)
                return -ESRCH;
        p += strlen(needle);
        snprintf(num, sizeof num, "%.*s", (int) strcspn(p, "\n"), p);
        if (safe_atou32(num, &v) < 0 || v == 0)
                return -ESRCH;
        *ret = (pid_t) v;
        return 0;
}

/* STOPPING=1 from the moment a stop was asked for, before anyone is signalled: an update whose switch fails
 * because of the stop must see it, not restart the container. */
static void state_write(const char *name, pid_t launcher, pid_t leader, bool stopping) {
        _cleanup_free_ char *path = run_file(name, "state"),
                            *text = strprintf("\nSUPERVISOR=%d\nLAUNCHER=%d\nLEADER=%d\nSTOPPING=%d\n", (int) getpid(),
                                              (int) launcher, (int) leader, stopping);

        if (path && text && write_file_atomic(path, text, 0600) < 0)
                fprintf(stderr, "nixos-nspawnctl: failed to write %s: %m\n", path);
}

/* Whether the supervisor of name runs. Its lock is held for good by the supervisor, and for a moment by a taker
 * or a sweeper: lock_is_held() asks a refusal again for ~10 ms so that a moment's holder does not read as a running
 * container, which cost every question about a running one those 10 ms (a live switch asked twice: 22 of its 85 ms).
 * The supervisor writes its PID into the state file while it holds the lock and removes the file before it lets
 * go, so a held lock with a live supervisor PID there is answered at once; anything else (starting, a stale file)
 * is asked the patient way. */
static bool supervisor_lock_held(const char *name) {
        _cleanup_free_ char *lock = run_file(name, "lock");
        pid_t pid;

        if (!lock || !lock_is_held_now(lock))
                return false;
        if (state_get(name, "SUPERVISOR", &pid) >= 0 && pid > 0 && (kill(pid, 0) >= 0 || errno == EPERM))
                return true;
        return lock_is_held(lock);
}

/* NAME.failed: why the supervisor gave up restarting, one line, kept after it ended (as a unit's "failed") until
 * the next start or a stop; RUN_DIR is a tmpfs, so a boot forgets it too. */
static void failed_write(const char *name, const char *reason) {
        _cleanup_free_ char *path = run_file(name, "failed"), *text = strprintf("%s\n", reason);

        if (path && text && write_file_atomic(path, text, 0600) < 0)
                fprintf(stderr, "nixos-nspawnctl: failed to write %s: %m\n", path);
}

static char *failed_read(const char *name) {
        _cleanup_free_ char *path = run_file(name, "failed");
        char *text = NULL;
        size_t size;

        if (!path || read_full_file(path, &text, &size) < 0)
                return NULL;
        text[strcspn(text, "\n")] = 0;
        return text;
}

static void failed_clear(const char *name) {
        _cleanup_free_ char *path = run_file(name, "failed");

        if (path)
                (void) unlink(path);
}

static int supervise_state(const char *name, RunState *ret) {
        _cleanup_free_ char *failed = NULL;
        pid_t pid;

        if (!supervisor_lock_held(name))
                *ret = (failed = failed_read(name)) ? RUN_FAILED : RUN_STOPPED;
        else if (state_get(name, "STOPPING", &pid) >= 0)
                *ret = RUN_STOPPING;
        else
                *ret = state_get(name, "LEADER", &pid) >= 0 ? RUN_RUNNING : RUN_STARTING;
        return 0;
}

static int supervise_launcher(const char *name, pid_t *ret) {
        if (!supervisor_lock_held(name))
                return -ESRCH;
        return state_get(name, "LAUNCHER", ret);
}

/* The supervisor tells the caller of start (report.h): SUPERVISE_READY with the leader's PID at the first READY=1,
 * SUPERVISE_EXITED with the launcher's exit status when it ended before that, or a failure of its own set-up. */
enum {
        SUPERVISE_READY = REPORT_KIND_USER,
        SUPERVISE_EXITED,
};

typedef enum SuperviseStep {
        SUPERVISE_STEP_LOCK = 1,
        SUPERVISE_STEP_LOG,
        SUPERVISE_STEP_SIGNALS,
        SUPERVISE_STEP_NOTIFY,
        SUPERVISE_STEP_LAUNCH,
        _SUPERVISE_STEP_MAX,
} SuperviseStep;

static const char *const supervise_step_what[_SUPERVISE_STEP_MAX] = {
        [SUPERVISE_STEP_LOCK] = "take the container's lock",
        [SUPERVISE_STEP_LOG] = "open the log",
        [SUPERVISE_STEP_SIGNALS] = "set up signal handling",
        [SUPERVISE_STEP_NOTIFY] = "open the notification socket",
        [SUPERVISE_STEP_LAUNCH] = "execute the launcher",
};

static void report(int fd, int kind, int64_t value) {
        if (fd >= 0)
                (void) report_send(fd, kind, value); /* the caller gave up waiting: nothing to tell */
}

/* The launcher's NOTIFY_SOCKET: a datagram socket (notify.h) bound at path. */
static int notify_socket_open(const char *path) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        int fd, r;

        if (strlen(path) >= sizeof sa.sun_path)
                return -ENAMETOOLONG;
        strcpy(sa.sun_path, path);
        r = notify_socket_new(&fd);
        if (r < 0)
                return r;
        (void) unlink(path);
        if (bind(fd, (struct sockaddr *) &sa, sizeof sa) < 0) {
                r = -errno;
                safe_close(fd);
                return r;
        }
        return fd;
}

/* READY=1 and X_NSPAWN_LEADER_PID= from the launcher (notify.c believes nobody else). */
static void notify_read(int fd, pid_t launcher, bool *ready, pid_t *leader) {
        char buf[4096];

        if (notify_recv_from(fd, launcher, buf, sizeof buf) <= 0)
                return;
        for (char *l = buf, *next; l && *l; l = next) {
                const char *v;
                unsigned pid;

                next = strchr(l, '\n');
                if (next)
                        *next++ = 0;
                if (streq(l, "READY=1"))
                        *ready = true;
                else if ((v = startswith(l, "X_NSPAWN_LEADER_PID=")) && safe_atou32(v, &pid) >= 0)
                        *leader = (pid_t) pid;
        }
}

/* The launcher, our child. It dies with us (SIGKILL): a supervisor killed leaves no container running that
 * nobody watches and whose lock nobody holds; what the killed launcher leaves behind the next start sweeps. Returns
 * its pid once it exec'd, or -errno (logged to our log). */
static pid_t launch(const Conf *c, const char *notify_path, int output_fd) {
        _cleanup_free_ char *machine = strprintf("--machine=%s", c->name);
        _cleanup_free_ char **argv = NULL;
        ForkSpec spec = FORK_SPEC_INIT;
        ProcessResult res;
        size_t n = strv_length(c->args);
        int report_fd = -EBADF, r;
        pid_t pid;

        argv = calloc(n + 4, sizeof(char *));
        if (!machine || !argv)
                return -ENOMEM;
        argv[0] = (char *) launcher_binary();
        argv[1] = (char *) "--quiet";
        argv[2] = machine;
        memcpy(argv + 3, c->args, n * sizeof(char *));
        /* its output (and with --console=pipe the container's) through us into the capped log (logfile.h) */
        spec.stdio[1] = spec.stdio[2] = output_fd;
        pid = process_fork(&spec, &report_fd);
        if (pid < 0)
                return pid;
        if (pid == 0) {
                if (setenv("NOTIFY_SOCKET", notify_path, 1) < 0)
                        process_fail(report_fd, PROCESS_STEP_SETUP, -errno, -1);
                process_exec(report_fd, argv, NULL);
        }
        r = process_read_report(&report_fd, pid, 0, &res);
        if (r == 0)
                return pid;
        (void) process_reap(pid);
        r = r < 0 ? r : res.error;
        fprintf(stderr, "nixos-nspawnctl: failed to execute %s: %s\n", argv[0], strerror(-r));
        return r;
}

/* Moves what the launcher wrote into the log, escaped (loglines.h); closes *fd at EOF. Non-blocking: returns when
 * the pipe is empty, or after a bounded round (1 MiB), so that a container flooding its console cannot keep us
 * from signals and notifications. */
static void pump_output(int *fd, LogLines *lines, LogFile *lf) {
        char buf[65536];

        for (int round = 0; *fd >= 0 && round < 16;) {
                ssize_t n = read(*fd, buf, sizeof buf);

                if (n > 0) {
                        log_lines_feed(lines, lf, buf, (size_t) n);
                        round++;
                        continue;
                }
                if (n < 0 && (errno == EINTR))
                        continue;
                if (n == 0 || errno != EAGAIN)
                        *fd = safe_close(*fd);
                return;
        }
}

/* The state, the notify socket, the live record (what was switched to live ends with this run), then the lock:
 * the state file goes before the lock, so a PID read while the lock is held is the supervisor's. */
static void release(const char *name, const char *lock, int lock_fd) {
        static const char *const files[] = { "state", "notify", "live" };

        for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                _cleanup_free_ char *path = run_file(name, files[i]);

                if (path)
                        (void) unlink(path);
        }
        (void) unlock_file(lock, lock_fd);
}

/* A failure of our own set-up once the lock is ours: the lock dropped (and its file removed) before the caller
 * hears of it. Left to our exit, the start that was told would return while the lock was still held, and a `state`
 * right after it read "starting" (the lock held, no state file yet). */
static _noreturn_ void setup_failed(const char *name, const char *lock, int lock_fd, int ready_fd, int step, int r) {
        release(name, lock, lock_fd);
        process_fail(ready_fd, step, r, -1);
}

/* SIGCHLD, and stop (SIGTERM, SIGINT) and terminate (SIGUSR1) requests, as an fd. */
static int signals_open(void) {
        sigset_t mask;
        int fd;

        sigemptyset(&mask);
        sigaddset(&mask, SIGCHLD);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGUSR1);
        (void) sigprocmask(SIG_BLOCK, &mask, NULL);
        fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
        return fd < 0 ? -errno : fd;
}

/* Stop and terminate requests passed on; "stopping" is in the state file before anyone is signalled. */
static void handle_signals(int sigfd, const char *name, pid_t launcher, pid_t leader, bool *stopping) {
        struct signalfd_siginfo si;

        while (read(sigfd, &si, sizeof si) == sizeof si) {
                if (si.ssi_signo != SIGTERM && si.ssi_signo != SIGINT && si.ssi_signo != SIGUSR1)
                        continue;
                *stopping = true;
                state_write(name, launcher, leader, true);
                if (si.ssi_signo != SIGUSR1)
                        (void) kill(launcher, SIGTERM);
                else /* terminate: PID 1 dies now; the launcher cleans up after it */
                        (void) kill(leader > 0 ? leader : launcher, SIGKILL);
        }
}

/* The time between a failure and the next start (RestartSec=): stop requests still count. False when one came. */
static bool restart_delay(int sigfd, const char *name, bool *stopping) {
        uint64_t deadline = now_msec() + RESTART_DELAY_MSEC;
        struct pollfd p = { .fd = sigfd, .events = POLLIN };
        struct signalfd_siginfo si;

        while (now_msec() < deadline) {
                if (poll(&p, 1, msec_left(deadline)) <= 0)
                        continue;
                while (read(sigfd, &si, sizeof si) == sizeof si)
                        if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT || si.ssi_signo == SIGUSR1) {
                                /* nobody to signal: no launcher runs between two starts */
                                *stopping = true;
                                state_write(name, 0, 0, true);
                                return false;
                        }
        }
        return true;
}

/* Whether the policy restarts after a launcher's status (exit code, or 128 + signal). A reboot inside (133) is a
 * fresh start under every policy, as RestartForceExitStatus=133 makes it for the unit. */
static bool restart_wanted(RestartPolicy policy, int status) {
        if (status == REBOOT_STATUS || policy == RESTART_ALWAYS)
                return true;
        return policy == RESTART_ON_FAILURE && status != 0;
}

/* The start limit (StartLimitBurst= starts within StartLimitIntervalSec=): starts holds the last
 * START_LIMIT_BURST start times, n how many there were in all. */
static bool start_limit_hit(const uint64_t starts[static START_LIMIT_BURST], unsigned n) {
        return n >= START_LIMIT_BURST && now_msec() - starts[n % START_LIMIT_BURST] < START_LIMIT_INTERVAL_MSEC;
}

/* The supervisor's life. ready_fd gets SUPERVISE_READY at the first READY=1, or SUPERVISE_EXITED when the launcher
 * ended before that, or a failure (report.h). */
static _noreturn_ void supervise(const Conf *c, int ready_fd) {
        _cleanup_free_ char *lock = run_file(c->name, "lock"), *notify = run_file(c->name, "notify"),
                            *log = strprintf(LOG_DIR "/%s.log", c->name);
        int lock_fd = -EBADF, notify_fd, sigfd, nullfd, status = 0, launch_error = 0, r;
        LogFile lf = LOG_FILE_NULL;
        LogLines lines = {};
        bool stopping = false, ever_ready = false;
        uint64_t starts[START_LIMIT_BURST] = {};
        unsigned n_starts = 0;

        if (!lock || !notify || !log)
                process_fail(ready_fd, SUPERVISE_STEP_LOCK, -ENOMEM, -1);
        r = lock_file(lock, &lock_fd);
        if (r < 0) /* -EWOULDBLOCK: another start won */
                process_fail(ready_fd, SUPERVISE_STEP_LOCK, r, -1);
        nullfd = open("/dev/null", O_RDWR | O_CLOEXEC);
        if (nullfd < 0 || dup2(nullfd, STDIN_FILENO) < 0)
                setup_failed(c->name, lock, lock_fd, ready_fd, SUPERVISE_STEP_LOG, -errno);
        r = log_file_open(&lf, log);
        if (r < 0)
                setup_failed(c->name, lock, lock_fd, ready_fd, SUPERVISE_STEP_LOG, r);
        sigfd = signals_open();
        if (sigfd < 0)
                setup_failed(c->name, lock, lock_fd, ready_fd, SUPERVISE_STEP_SIGNALS, sigfd);
        notify_fd = notify_socket_open(notify);
        if (notify_fd < 0)
                setup_failed(c->name, lock, lock_fd, ready_fd, SUPERVISE_STEP_NOTIFY, notify_fd);
        failed_clear(c->name); /* a new start: the last one's failure is history */
        for (;;) {
                bool ready = false;
                pid_t leader = 0, launcher;
                int out[2] = { -EBADF, -EBADF };

                if (pipe2(out, O_CLOEXEC) < 0) {
                        launch_error = -errno;
                        break;
                }
                starts[n_starts++ % START_LIMIT_BURST] = now_msec();
                launcher = launch(c, notify, out[1]);
                out[1] = safe_close(out[1]);
                (void) fcntl(out[0], F_SETFL, O_NONBLOCK);
                if (launcher < 0) {
                        safe_close(out[0]);
                        launch_error = launcher;
                        break;
                }
                state_write(c->name, launcher, 0, stopping);
                for (bool exited = false; !exited;) {
                        struct pollfd p[3] = { { .fd = sigfd, .events = POLLIN }, { .fd = notify_fd, .events = POLLIN },
                                               { .fd = out[0], .events = POLLIN } };

                        if (poll(p, 3, -1) < 0)
                                continue;
                        if (p[2].revents & (POLLIN | POLLHUP | POLLERR))
                                pump_output(&out[0], &lines, &lf);
                        if (p[1].revents & POLLIN) {
                                bool was_ready = ready;

                                notify_read(notify_fd, launcher, &ready, &leader);
                                if (ready && !was_ready) {
                                        state_write(c->name, launcher, leader, stopping);
                                        report(ready_fd, SUPERVISE_READY, leader);
                                        ready_fd = safe_close(ready_fd);
                                }
                        }
                        handle_signals(sigfd, c->name, launcher, leader, &stopping);
                        if (waitpid(launcher, &status, WNOHANG) == launcher)
                                exited = true;
                }
                pump_output(&out[0], &lines, &lf); /* what it wrote last; nothing of it waits for more */
                log_lines_flush(&lines, &lf);
                out[0] = safe_close(out[0]);
                status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
                ever_ready = ever_ready || ready;
                /* the first start's failure is its caller's to report; a stop is never followed by a start */
                if (!ever_ready || stopping || !restart_wanted(c->restart, status)) {
                        fprintf(stderr, "nixos-nspawnctl: the launcher of %s exited with status %d\n", c->name,
                                status);
                        break;
                }
                if (start_limit_hit(starts, n_starts)) {
                        _cleanup_free_ char *why = strprintf(
                                "start limit hit: %d starts within %llu s, the last launcher exited with status %d; "
                                "not restarting it",
                                START_LIMIT_BURST, START_LIMIT_INTERVAL_MSEC / 1000, status);

                        fprintf(stderr, "nixos-nspawnctl: %s: %s\n", c->name, why ?: "start limit hit");
                        failed_write(c->name, why ?: "start limit hit");
                        break;
                }
                fprintf(stderr, "nixos-nspawnctl: the launcher of %s exited with status %d%s\n", c->name, status,
                        status == REBOOT_STATUS ? ", a reboot: starting it again"
                                                : ": a failure, starting it again in 1 s (restart policy)");
                state_write(c->name, 0, 0, false);
                if (status != REBOOT_STATUS && !restart_delay(sigfd, c->name, &stopping))
                        break;
        }
        release(c->name, lock, lock_fd);
        /* a start still waiting learns of the end only now, so that the state it reads then says "stopped" */
        if (launch_error < 0 && ready_fd >= 0)
                (void) report_failure(ready_fd, SUPERVISE_STEP_LAUNCH, launch_error, -1);
        else
                report(ready_fd, SUPERVISE_EXITED, status);
        _exit(status == 0 ? 0 : 1);
}

/* The launcher's own last word in the log: what went wrong, for the one line start prints. */
static char *last_launcher_line(const char *log) {
        _cleanup_free_ char *text = NULL;
        size_t size;
        char *line = NULL;

        if (read_full_file(log, &text, &size) < 0)
                return NULL;
        for (char *p = text, *next; p && *p; p = next) {
                next = strchr(p, '\n');
                if (next)
                        *next++ = 0;
                if (*p && !startswith(p, "nixos-nspawnctl:"))
                        line = p;
        }
        return line ? strdup(line) : NULL;
}

/* The supervisor's first word, by the deadline: 1 with it, 0 at EOF (it died without one), -ETIMEDOUT. */
static int supervisor_first_word(int fd, unsigned timeout_sec, Report *ret) {
        uint64_t deadline = now_msec() + timeout_sec * 1000ULL;
        struct pollfd p = { .fd = fd, .events = POLLIN };
        int r;

        for (;;) {
                r = poll(&p, 1, msec_left(deadline));
                if (r < 0 && errno == EINTR)
                        continue;
                if (r < 0)
                        return -errno;
                if (r == 0)
                        return -ETIMEDOUT;
                return report_recv(fd, ret);
        }
}

static int supervise_start(const Conf *c, unsigned timeout_sec) {
        _cleanup_free_ char *log = strprintf(LOG_DIR "/%s.log", c->name);
        _cleanup_close_ int report_fd = -EBADF;
        ForkSpec spec = FORK_SPEC_INIT;
        Report m;
        int r;
        pid_t pid;

        if (!log)
                return log_oom();
        if (supervisor_lock_held(c->name)) {
                log_info("Container '%s' is running already.", c->name);
                return 0;
        }
        r = mkdir_p(RUN_DIR, 0700);
        if (r >= 0)
                r = mkdir_p(LOG_DIR, 0750);
        if (r < 0)
                return log_error_errno(r, "Failed to create '%s' or '%s': %m", RUN_DIR, LOG_DIR);
        /* detached: a session of its own, no death signal, nothing of ours open but the report channel (a pipe of
         * the caller's left open would never see EOF while the container runs) */
        spec.new_session = true;
        spec.death_signal = 0;
        pid = process_fork(&spec, &report_fd);
        if (pid < 0)
                return log_error_errno(pid, "Failed to fork: %m");
        if (pid == 0) {
                if (chdir("/") < 0)
                        process_fail(report_fd, SUPERVISE_STEP_LOG, -errno, -1);
                supervise(c, report_fd);
        }
        r = supervisor_first_word(report_fd, timeout_sec, &m);
        if (r > 0 && m.kind == SUPERVISE_READY)
                return 0;
        if (r > 0 && m.kind == REPORT_FAILED && m.step == SUPERVISE_STEP_LOCK && m.error == -EWOULDBLOCK) {
                log_info("Container '%s' is running already (started by another caller just now).", c->name);
                return 0;
        }
        if (r > 0 && m.kind == REPORT_FAILED && m.step > 0 && m.step < _SUPERVISE_STEP_MAX)
                return log_error_errno(m.error, "Container '%s' failed to start: could not %s: %m; see %s.", c->name,
                                       supervise_step_what[m.step], log);
        if (r > 0 && m.kind == SUPERVISE_EXITED) {
                _cleanup_free_ char *why = last_launcher_line(log);

                return log_error_errno(-EIO, "Container '%s' failed to start (launcher exit status %d%s%s); see %s.",
                                       c->name, (int) m.arg, why ? ": " : "", why ?: "", log);
        }
        if (r != -ETIMEDOUT && !supervisor_lock_held(c->name))
                return log_error_errno(-EIO, "Container '%s' failed to start; see %s.", c->name, log);
        (void) supervise_stop(c->name, true, 10);
        return log_error_errno(-ETIMEDOUT, "Container '%s' was not ready within %u s, stopped it; see %s.", c->name,
                               timeout_sec, log);
}

static int supervise_stop(const char *name, bool kill_now, unsigned timeout_sec) {
        uint64_t deadline = now_msec() + timeout_sec * 1000ULL;
        pid_t supervisor;

        failed_clear(name); /* a stop of a failed container acknowledges it: state says "stopped" */
        if (!supervisor_lock_held(name))
                return 0;
        if (state_get(name, "SUPERVISOR", &supervisor) < 0)
                return log_error_errno(-ESRCH, "Container '%s' runs but its state file is unreadable.", name);
        /* the state file is removed before the lock is dropped: the lock still held, the PID is the supervisor */
        if (kill(supervisor, kill_now ? SIGUSR1 : SIGTERM) < 0 && errno != ESRCH)
                return log_error_errno(negative_errno(), "Failed to signal the supervisor of '%s': %m", name);
        while (supervisor_lock_held(name)) {
                if (now_msec() > deadline) {
                        if (kill_now)
                                return log_error_errno(-ETIMEDOUT, "Container '%s' did not stop.", name);
                        log_warning("Container '%s' did not power off within %u s: killing it.", name, timeout_sec);
                        (void) kill(supervisor, SIGUSR1);
                        deadline = now_msec() + 10000ULL;
                        kill_now = true;
                }
                (void) nanosleep(&(struct timespec) { .tv_nsec = 20 * 1000 * 1000 }, NULL);
        }
        return 0;
}

static int supervise_restart(const Conf *c, unsigned timeout_sec) {
        int r = supervise_stop(c->name, false, timeout_sec);

        return r < 0 ? r : supervise_start(c, timeout_sec);
}

static int supervise_describe(const char *name, char **ret) {
        _cleanup_free_ char *failed = supervisor_lock_held(name) ? NULL : failed_read(name);

        *ret = strprintf("supervised by nixos-nspawnctl, log " LOG_DIR "/%s.log%s%s", name,
                         failed ? "\n  failed: " : "", failed ?: "");
        return *ret ? 0 : log_oom();
}

const Runner supervisor_runner = {
        .start = supervise_start,
        .stop = supervise_stop,
        .restart = supervise_restart,
        .state = supervise_state,
        .launcher = supervise_launcher,
        .describe = supervise_describe,
};
