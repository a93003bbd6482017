/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Entering a running container, done the way its own processes were made: all of its namespaces at once
 * (setns() on a pidfd), its user namespace included, in PID 1's cgroup, as its root, with its bounding set.
 *
 * Security: the process that enters holds nothing of the host by then. It closes every fd but stdio before, it
 * makes itself non-dumpable (so container root, whose UID it takes, cannot ptrace it or open its /proc/PID/exe,
 * the host's binary: non-dumpable processes need CAP_SYS_PTRACE in the user namespace they were exec'd in, the
 * host's), and the command runs in a new session: without a controlling terminal, TIOCSTI on a host terminal
 * given as stdin needs CAP_SYS_ADMIN in the host's user namespace, so nothing can be typed into the caller's
 * shell. For `login` the terminal is a pty of the container's own devpts and we relay it. */
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/keyctl.h>
#include <sys/wait.h>
#include <grp.h>
#include <unistd.h>

#include "caps.h"
#include "console.h"
#include "clock.h"
#include "enter.h"
#include "enter-cgroup.h"
#include "pids.h"
#include "escape.h"
#include "fileio.h"
#include "log.h"
#include "options.h"
#include "process.h"
#include "seccomp.h"
#include "settings.h"
#include "strutil.h"

#define CONTAINER_PATH "/run/wrappers/bin:/run/current-system/sw/bin:/nix/var/nix/profiles/default/bin:" \
                       "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

void leader_done(Leader *l) {
        l->pidfd = safe_close(l->pidfd);
        l->pid = 0;
}

/* "PPid" and the last "NSpid" field of /proc/PID/status */
static int proc_status(pid_t pid, pid_t *ret_ppid, pid_t *ret_nspid) {
        _cleanup_free_ char *path = strprintf("/proc/%d/status", (int) pid), *text = NULL;
        const char *p;
        size_t size;
        int r;

        if (!path)
                return -ENOMEM;
        r = read_full_file(path, &text, &size);
        if (r < 0)
                return r;
        p = strstr(text, "\nPPid:");
        if (!p)
                return -EIO;
        *ret_ppid = (pid_t) strtol(p + 6, NULL, 10);
        p = strstr(text, "\nNSpid:");
        if (!p)
                return -EIO;
        p += 7;
        *ret_nspid = 0;
        for (const char *end = strchrnul(p, '\n'); p < end;) {
                char *e;
                long v = strtol(p, &e, 10);

                if (e == p)
                        break;
                *ret_nspid = (pid_t) v;
                p = e;
        }
        return 0;
}

int leader_of_launcher(pid_t launcher, Leader *ret) {
        _cleanup_free_ char *path = strprintf("/proc/%d/task/%d/children", (int) launcher, (int) launcher),
                            *text = NULL;
        size_t size;
        int r;

        if (!path)
                return log_oom();
        r = read_full_file(path, &text, &size);
        if (r < 0)
                return log_error_errno(r, "Failed to read the children of the launcher (PID %d): %m", (int) launcher);
        for (char *p = text, *e; *p; p = e) {
                long pid = strtol(p, &e, 10);
                pid_t ppid, nspid;
                int fd;

                if (e == p)
                        break;
                fd = (int) syscall(SYS_pidfd_open, (pid_t) pid, 0);
                if (fd < 0)
                        continue;
                /* checked after the pidfd is held: what it names is what we looked at, or dead */
                if (proc_status((pid_t) pid, &ppid, &nspid) >= 0 && ppid == launcher && nspid == 1 && pid != 1) {
                        *ret = (Leader) { .pid = (pid_t) pid, .pidfd = fd };
                        return 0;
                }
                safe_close(fd);
        }
        return log_error_errno(-ESRCH, "The launcher (PID %d) has no container PID 1 (yet).", (int) launcher);
}

static bool leader_alive(const Leader *l) {
        return syscall(SYS_pidfd_send_signal, l->pidfd, 0, NULL, 0) >= 0;
}

/* The container's root on the host: the first line of its uid_map. */
int leader_uid_base(const Leader *l, uid_t *ret) {
        _cleanup_free_ char *path = strprintf("/proc/%d/uid_map", (int) l->pid), *map = NULL;
        unsigned long inside, outside;

        if (!path)
                return log_oom();
        if (read_full_file(path, &map, NULL) < 0 || sscanf(map, "%lu %lu", &inside, &outside) != 2 || inside != 0)
                return log_error_errno(-EIO, "Failed to read the container's UID map.");
        *ret = (uid_t) outside;
        return 0;
}

int leader_userns_fd(const Leader *l, int *ret_fd) {
        _cleanup_free_ char *path = strprintf("/proc/%d/ns/user", (int) l->pid);
        int fd;

        if (!path)
                return log_oom();
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return log_error_errno(negative_errno(), "Failed to open the container's user namespace: %m");
        /* opened while PID 1 still lived: the namespace is its */
        if (!leader_alive(l)) {
                safe_close(fd);
                return log_error_errno(-ESRCH, "The container's PID 1 exited.");
        }
        *ret_fd = fd;
        return 0;
}

static bool same_ns(pid_t pid, const char *ns) {
        char a[64], b[64];
        struct stat x, y;

        snprintf(a, sizeof a, "/proc/%d/ns/%s", (int) pid, ns);
        snprintf(b, sizeof b, "/proc/self/ns/%s", ns);
        return stat(a, &x) >= 0 && stat(b, &y) >= 0 && x.st_ino == y.st_ino && x.st_dev == y.st_dev;
}

static int send_fd(int sock, int fd) {
        char cbuf[CMSG_SPACE(sizeof(int))] = {};
        char byte = 0;
        struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf };
        struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);

        cm->cmsg_level = SOL_SOCKET;
        cm->cmsg_type = SCM_RIGHTS;
        cm->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(cm), &fd, sizeof(int));
        return sendmsg(sock, &mh, MSG_NOSIGNAL) < 0 ? -errno : 0;
}

static int recv_fd(int sock) {
        char cbuf[CMSG_SPACE(sizeof(int))] = {};
        char byte;
        struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf };
        struct cmsghdr *cm;
        int fd;

        if (recvmsg(sock, &mh, MSG_CMSG_CLOEXEC) <= 0)
                return -EIO;
        cm = CMSG_FIRSTHDR(&mh);
        if (!cm || cm->cmsg_type != SCM_RIGHTS || cm->cmsg_len != CMSG_LEN(sizeof(int)))
                return -EIO;
        memcpy(&fd, CMSG_DATA(cm), sizeof(int));
        return fd;
}

/* What the entering child reports when a step fails (report.h): step, errno. */
typedef enum EnterStep {
        ENTER_STEP_CGROUP = 1,
        ENTER_STEP_SETNS,
        ENTER_STEP_IDS,
        ENTER_STEP_CAPS,
        ENTER_STEP_SECCOMP,
        ENTER_STEP_FORK,
        ENTER_STEP_PTY,
        ENTER_STEP_CHDIR,
        _ENTER_STEP_MAX,
} EnterStep;

static const char *const enter_step_what[_ENTER_STEP_MAX] = {
        [ENTER_STEP_CGROUP] = "join the container's cgroup",
        [ENTER_STEP_SETNS] = "enter the container's namespaces",
        [ENTER_STEP_IDS] = "become the container's root",
        [ENTER_STEP_CAPS] = "drop capabilities",
        [ENTER_STEP_SECCOMP] = "load the system call filter",
        [ENTER_STEP_FORK] = "fork in the container",
        [ENTER_STEP_PTY] = "open a terminal in the container",
        [ENTER_STEP_CHDIR] = "change into the container's /root or /",
};

/* PID 1's bounding set, as the kernel reports it (whatever --capability= and --drop-capability= made of it). */
static int leader_caps(pid_t pid, uint64_t *ret) {
        _cleanup_free_ char *path = strprintf("/proc/%d/status", (int) pid), *text = NULL;
        const char *p;
        size_t size;
        int r;

        if (!path)
                return -ENOMEM;
        r = read_full_file(path, &text, &size);
        if (r < 0)
                return r;
        p = strstr(text, "\nCapBnd:");
        if (!p)
                return -EIO;
        *ret = strtoull(p + 8, NULL, 16);
        return 0;
}

/* The filter the launcher gives PID 1 for these launcher options: read by the launcher's own option table
 * (spawn/options.h), so "--system-call-filter VALUE" or a bundle counts as the launcher counts it. */
static int plan_seccomp(char *const *launcher_args, uint64_t caps, SeccompPlan *ret) {
        size_t n = strv_length((char **) launcher_args);
        _cleanup_free_ char **argv = calloc(n + 2, sizeof(char *));
        _cleanup_free_ char *error = NULL;
        OptionsAction action;
        Settings s;
        int r;

        if (!argv)
                return -ENOMEM;
        argv[0] = (char *) "nixos-nspawn";
        memcpy(argv + 1, launcher_args, n * sizeof(char *));
        settings_init(&s);
        r = options_parse(&s, (int) n + 1, argv, &action, &error);
        if (r >= 0)
                r = seccomp_plan(ret, caps, s.syscall_allow, s.syscall_deny);
        settings_done(&s);
        return r;
}

/* A terminal of the container's devpts as our stdio and controlling terminal; its master goes to the caller. */
static int open_pty(int pty_sock) {
        _cleanup_close_ int master = -EBADF, slave = -EBADF;
        char name[64];
        int unlock = 0;

        master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (master < 0 || ioctl(master, TIOCSPTLCK, &unlock) < 0 || ptsname_r(master, name, sizeof name) != 0)
                return negative_errno();
        slave = open(name, O_RDWR | O_CLOEXEC);
        if (slave < 0 || ioctl(slave, TIOCSCTTY, 0) < 0)
                return negative_errno();
        if (send_fd(pty_sock, master) < 0 || dup2(slave, 0) < 0 || dup2(slave, 1) < 0 || dup2(slave, 2) < 0)
                return negative_errno();
        return 0;
}

/* The command's process, PID 2 or later of the container's PID namespace. report's EOF at exec tells the caller
 * the command runs. */
static _noreturn_ void exec_in_container(char *const argv[], int pty_sock, char **env, int report) {
        int r;

        (void) prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
        (void) setsid();
        if (pty_sock >= 0) {
                r = open_pty(pty_sock);
                if (r < 0)
                        process_fail(report, ENTER_STEP_PTY, r, -1);
                safe_close(pty_sock);
        }
        if (chdir("/root") < 0 && chdir("/") < 0)
                process_fail(report, ENTER_STEP_CHDIR, -errno, -1);
        /* execvpe() searches the PATH of our environment, not of env */
        if (setenv("PATH", CONTAINER_PATH, 1) < 0)
                process_fail(report, PROCESS_STEP_EXEC, -errno, -1);
        process_exec(report, argv, env);
}

/* The entering child (process_fork() left it stdio, the pidfd and the pty socket). It stays outside the container's
 * PID namespace, waits for the command and exits with its status, whatever that is: every failure of its own is
 * reported, never an exit status. */
static _noreturn_ void run_in_container(const Leader *l, uint64_t caps, const SeccompPlan *seccomp,
                                        char *const argv[], int pty_sock, char **env, const char *cgroup_procs,
                                        const char *pids_procs, int report) {
        int flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWCGROUP;
        int r;
        pid_t pid;

        (void) prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
        r = write_string_at(AT_FDCWD, cgroup_procs, "0");
        /* on a host whose pids controller is cgroup v1's, the container's tasks limit is there (spawn/pids.h) */
        if (r >= 0 && pids_procs)
                r = write_string_at(AT_FDCWD, pids_procs, "0");
        if (r < 0)
                process_fail(report, ENTER_STEP_CGROUP, r, -1);
        /* With -U no the container shares our user namespace, and setns() refuses to enter one's own. */
        if (!same_ns(l->pid, "user"))
                flags |= CLONE_NEWUSER;
        if (setns(l->pidfd, flags) < 0)
                process_fail(report, ENTER_STEP_SETNS, -errno, -1);
        if (setgroups(0, NULL) < 0 || setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
                process_fail(report, ENTER_STEP_IDS, -errno, -1);
        /* our session keyring is the host's (keyctl() is filtered below, this is what PID 1 does too) */
        (void) syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL, 0, 0, 0);
        r = caps_drop_bounding(caps);
        if (r < 0)
                process_fail(report, ENTER_STEP_CAPS, r, -1);
        /* Without it root inside could ptrace what we start and make it call what PID 1's processes may not. */
        r = seccomp_apply(seccomp);
        if (r < 0)
                process_fail(report, ENTER_STEP_SECCOMP, r, -1);
        /* A new PID namespace takes effect for children only: the command is our child, on the same report
         * channel (process_fork() would make another), with its own death signal. */
        pid = fork();
        if (pid < 0)
                process_fail(report, ENTER_STEP_FORK, -errno, -1);
        if (pid == 0)
                exec_in_container(argv, pty_sock, env, report);
        safe_close(report); /* the caller's EOF now comes when the command exec'd */
        safe_close(pty_sock);
        r = process_reap(pid);
        _exit(r < 0 ? 255 : r);
}

/* One line for what the entering child reported: -errno; for a command that is not there 0 with *ret_status 127, as
 * a shell says it. */
static int enter_failed(const ProcessResult *res, const char *command, unsigned timeout_sec, int *ret_status) {
        if (res->step == PROCESS_STEP_EXEC && res->error == -ENOENT) {
                log_error("'%s' not found in the container.", command);
                *ret_status = 127;
                return 0;
        }
        if (res->step == PROCESS_STEP_EXEC)
                return log_error_errno(res->error, "Failed to execute '%s' in the container: %m", command);
        if (res->step == PROCESS_STEP_TIMEOUT)
                return log_error_errno(res->error, "Could not start '%s' in the container within %u s.", command,
                                       timeout_sec);
        if (res->step > 0 && res->step < _ENTER_STEP_MAX)
                return log_error_errno(res->error, "Failed to %s: %m", enter_step_what[res->step]);
        return log_error_errno(res->error, "Failed to set up the process entering the container: %m");
}

static int relay(int master, pid_t child) {
        Console c = CONSOLE_NULL;
        int status = 0, r;

        c.mode = CONSOLE_INTERACTIVE;
        c.master = master;
        (void) fcntl(master, F_SETFL, O_NONBLOCK);
        r = console_start(&c);
        if (r < 0)
                log_warning_errno(r, "Failed to make the terminal raw, ignoring: %m");
        for (;;) {
                struct pollfd p[2] = { { .fd = master, .events = POLLIN }, { .fd = STDIN_FILENO, .events = POLLIN } };

                if (poll(p, c.stdin_eof ? 1 : 2, 200) < 0 && errno != EINTR)
                        break;
                if (p[0].revents & POLLIN)
                        (void) console_pump_output(&c);
                else if (p[0].revents & (POLLHUP | POLLERR))
                        break;
                if (!c.stdin_eof && (p[1].revents & (POLLIN | POLLHUP)) && console_pump_input(&c) > 0)
                        (void) kill(child, SIGKILL);
                if (waitpid(child, &status, WNOHANG) == child) {
                        while (console_pump_output(&c) > 0)
                                ;
                        child = 0;
                        break;
                }
        }
        console_close(&c);
        if (child > 0)
                (void) waitpid(child, &status, 0);
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Our stdin, stdout and stderr go into the container as they are, and root inside can use them as it likes: an fd
 * of a directory (or an O_PATH fd of anything) would let it openat() its way through the host's file system, read
 * and create files there. So only what carries a stream passes: a terminal or another character device, a pipe, a
 * socket, a regular file. A closed one is refused too: the next fd we open (the pidfd of PID 1, say) would take
 * its number and go in; verb_run() therefore checks before it opens anything, and we check again here. */
int enter_stdio_check(void) {
        static const char *const names[] = { "stdin", "stdout", "stderr" };

        for (int fd = 0; fd < 3; fd++) {
                struct stat st;
                int flags = fcntl(fd, F_GETFL);

                if (flags < 0 || fstat(fd, &st) < 0)
                        return log_error_errno(-EBADF, "Cannot run a command in the container with %s closed: give "
                                               "it /dev/null instead.", names[fd]);
                if (flags & O_PATH)
                        return log_error_errno(-EBADF, "Cannot pass %s to the container: it is an O_PATH file "
                                               "descriptor, which would let root inside reach the host's files.",
                                               names[fd]);
                if (!S_ISCHR(st.st_mode) && !S_ISFIFO(st.st_mode) && !S_ISSOCK(st.st_mode) && !S_ISREG(st.st_mode))
                        return log_error_errno(-EBADF, "Cannot pass %s to the container: it is %s, which would let "
                                               "root inside reach the host's files; only terminals, pipes, sockets "
                                               "and regular files go in.", names[fd],
                                               S_ISDIR(st.st_mode) ? "a directory" : S_ISBLK(st.st_mode) ?
                                               "a block device" : "not a stream");
        }
        return 0;
}

/* What we hold of one entering: the child, its report channel, the pty socket, the cgroup leaf. */
typedef struct Entering {
        pid_t pid;
        int report;
        int pty_sock;
        char *cgroup;
} Entering;

#define ENTERING_NULL { .report = -EBADF, .pty_sock = -EBADF }

static void entering_done(Entering *e) {
        e->report = safe_close(e->report);
        e->pty_sock = safe_close(e->pty_sock);
        enter_cgroup_remove(TAKE_PTR(e->cgroup));
}

/* Forks the entering child (run_in_container()); everything it needs is made here, before. Logs. */
static int enter_spawn(const Leader *l, char *const *launcher_args, char *const argv[], bool pty, Entering *e) {
        _cleanup_free_ char *term = NULL, *procs = NULL, *pids_procs = NULL;
        SeccompPlan seccomp = SECCOMP_PLAN_NULL;
        ForkSpec spec = FORK_SPEC_INIT;
        uint64_t caps;
        char *env[] = { (char *) "PATH=" CONTAINER_PATH, (char *) "HOME=/root", (char *) "USER=root",
                        (char *) "LOGNAME=root", NULL, NULL };
        int socks[2] = { -EBADF, -EBADF }, keep[2], r;

        if (getenv("TERM")) {
                term = strprintf("TERM=%s", getenv("TERM"));
                if (!term)
                        return log_oom();
                env[4] = term;
        }
        r = leader_caps(l->pid, &caps);
        if (r < 0)
                return log_error_errno(r, "Failed to read the capabilities of the container's PID 1: %m");
        r = enter_cgroup_make(l->pid, &e->cgroup);
        if (r < 0)
                return log_error_errno(r, "Failed to make a cgroup next to the container's: %m");
        procs = strprintf("%s/cgroup.procs", e->cgroup);
        if (!procs)
                return log_oom();
        r = pids_v1_procs_of(l->pid, &pids_procs);
        if (r < 0 && r != -ENOENT)
                return log_error_errno(r, "Failed to find the container's tasks limit cgroup: %m");
        if (pty && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, socks) < 0)
                return log_error_errno(negative_errno(), "Failed to create a socket pair: %m");
        e->pty_sock = socks[0];
        r = plan_seccomp(launcher_args, caps, &seccomp);
        if (r < 0) {
                safe_close(socks[1]);
                return log_error_errno(r, "Failed to plan the container's system call filter: %m");
        }
        /* nothing of ours but stdio, the pidfd (and the pty socket) goes in */
        keep[0] = l->pidfd;
        keep[1] = socks[1];
        spec.keep_fds = keep;
        spec.n_keep_fds = pty ? 2 : 1;
        e->pid = process_fork(&spec, &e->report);
        if (e->pid == 0)
                run_in_container(l, caps, &seccomp, argv, socks[1], env, procs, pids_procs, e->report);
        seccomp_plan_done(&seccomp);
        safe_close(socks[1]);
        return e->pid < 0 ? log_error_errno(e->pid, "Failed to fork: %m") : 0;
}

/* Until the command exec'd (by the start deadline), then until it ends (by the whole deadline, if any). */
static int enter_wait(Entering *e, const char *command, const EnterOptions *o, int *ret_status) {
        uint64_t deadline = o->timeout_sec > 0 ? now_msec() + o->timeout_sec * 1000ULL : 0;
        _cleanup_close_ int master = -EBADF;
        ProcessResult res;
        struct stat st;
        int r;

        /* EOF: the command exec'd (a terminal's master was sent before that) */
        r = process_read_report(&e->report, e->pid, o->start_timeout_sec * 1000U, &res);
        if (r > 0)
                r = enter_failed(&res, command, o->start_timeout_sec, ret_status) ?: 1;
        else if (r < 0)
                r = log_error_errno(r, "Failed to read what the entering process reported: %m");
        else if (e->pty_sock >= 0) {
                master = recv_fd(e->pty_sock);
                if (master < 0 || fstat(master, &st) < 0 || !S_ISCHR(st.st_mode))
                        r = log_error_errno(-EIO, "Got no terminal from the container.");
        }
        if (r != 0) {
                (void) kill(e->pid, SIGKILL);
                (void) process_reap(e->pid);
                return r > 0 ? 0 : r; /* 1: not found, *ret_status says so */
        }
        if (master >= 0) {
                *ret_status = relay(TAKE_FD(master), e->pid);
                return 0;
        }
        r = process_reap_until(e->pid, deadline);
        if (r == -ETIMEDOUT)
                return log_error_errno(r, "'%s' did not end within %u s in the container: killed it.", command,
                                       o->timeout_sec);
        if (r < 0)
                return log_error_errno(r, "Failed to wait for the command: %m");
        *ret_status = r;
        return 0;
}

int enter_run(const Leader *l, char *const *launcher_args, char *const argv[], const EnterOptions *o,
              int *ret_status) {
        Entering e = ENTERING_NULL;
        int r;

        if (!o->pty) {
                r = enter_stdio_check();
                if (r < 0)
                        return r;
        }
        r = enter_spawn(l, launcher_args, argv, o->pty, &e);
        if (r >= 0)
                r = enter_wait(&e, argv[0], o, ret_status);
        entering_done(&e);
        return r;
}

/* In a child, in the container's network namespace only (reading addresses needs nothing else of the
 * container): one address a line on stdout. */
static int print_addresses(void *userdata) {
        const Leader *l = userdata;
        struct ifaddrs *ifa = NULL;

        if (setns(l->pidfd, CLONE_NEWNET) < 0 || getifaddrs(&ifa) < 0)
                return EXIT_FAILURE;
        for (int family = AF_INET; family; family = family == AF_INET ? AF_INET6 : 0)
                for (struct ifaddrs *i = ifa; i; i = i->ifa_next) {
                        char buf[INET6_ADDRSTRLEN];
                        const void *a;

                        if (!i->ifa_addr || i->ifa_addr->sa_family != family || (i->ifa_flags & IFF_LOOPBACK))
                                continue;
                        a = family == AF_INET ? (const void *) &((struct sockaddr_in *) i->ifa_addr)->sin_addr
                                              : (const void *) &((struct sockaddr_in6 *) i->ifa_addr)->sin6_addr;
                        if (!inet_ntop(family, a, buf, sizeof buf))
                                continue;
                        if (family == AF_INET6 && IN6_IS_ADDR_LINKLOCAL(a)) {
                                /* root inside names its interfaces: a name may hold any byte but '/', ':' and
                                 * whitespace, escape sequences for the admin's terminal too */
                                char ifname[4 * IFNAMSIZ + 1];

                                escape_line(i->ifa_name, strlen(i->ifa_name), ifname, sizeof ifname);
                                printf("%s%%%s\n", buf, ifname);
                        } else
                                printf("%s\n", buf);
                }
        return fflush(stdout) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

int enter_addresses(const Leader *l, char **ret) {
        _cleanup_free_ char *out = NULL;
        int r;

        r = process_call(print_addresses, (void *) l, &l->pidfd, 1, &out);
        if (r < 0)
                return log_error_errno(r, "Failed to read the container's addresses: %m");
        if (r != 0)
                return log_error_errno(-EIO, "Failed to read the container's addresses.");
        *ret = TAKE_PTR(out);
        return 0;
}

int enter_show_ip(const Leader *l) {
        _cleanup_free_ char *out = NULL;
        int r, n = 0;

        r = enter_addresses(l, &out);
        if (r < 0)
                return r;
        (void) write_all(STDOUT_FILENO, out, strlen(out));
        for (const char *p = out; *p; p++)
                n += *p == '\n';
        return n;
}
