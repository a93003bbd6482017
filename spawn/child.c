/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The children. Numbered sync points (SYNC n) match those in spawn.c; sync.h lists them. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/keyctl.h>

#include "apifs.h"
#include "caps.h"
#include "child.h"
#include "mount-table.h"
#include "runhost.h"
#include "fileio.h"
#include "strutil.h"
#include "sync.h"
#include "syscalls.h"

static const char *const step_names[_STEP_MAX] = {
        [STEP_JOIN_TASKS_LIMIT] = "join the tasks limit's cgroup",
        [STEP_JOIN_NETNS] = "join the network namespace",
        [STEP_RESET_LOGINUID] = "reset the login UID",
        [STEP_MOUNT_STAGING] = "set up the staging mount",
        [STEP_MOUNT_ROOT] = "mount the root file system",
        [STEP_MOUNT_STORE] = "mount the store closure",
        [STEP_MOUNT_API] = "mount the API file systems",
        [STEP_POPULATE_API] = "create /dev's links and the mount points",
        [STEP_FILL_RUN_HOST] = "set up /run/host",
        [STEP_MOUNT_CREDENTIALS] = "mount the credentials",
        [STEP_MOUNT_BINDS] = "mount the bind mounts",
        [STEP_MOUNT_TMPFS] = "mount the tmpfs mounts",
        [STEP_PIVOT_ROOT] = "switch to the new root",
        [STEP_START_PROC_HELPER] = "start the helper that mounts /proc",
        [STEP_JOIN_PID1_NAMESPACES] = "join PID 1's PID and network namespaces",
        [STEP_ENTER_USERNS] = "enter the container's user namespace",
        [STEP_UNSHARE_NAMESPACES] = "create the container's namespaces",
        [STEP_CLONE_PID1] = "start the container's PID 1",
        [STEP_OPEN_ROOT] = "open the container's root",
        [STEP_SET_HOSTNAME] = "set the hostname",
        [STEP_LOOPBACK_UP] = "bring up the loopback interface",
        [STEP_SHARE_PROPAGATION] = "make the root's mount propagation shared",
        [STEP_UNSHARE_CGROUPNS] = "create the container's cgroup namespace",
        [STEP_NEW_SESSION] = "start a new session",
        [STEP_ATTACH_CONSOLE] = "attach to the console",
        [STEP_DROP_CAPS] = "drop capabilities",
        [STEP_NEW_KEYRING] = "create a session keyring",
        [STEP_LOAD_SECCOMP] = "load the system call filter",
        [STEP_EXEC] = "execute",
};

const char *step_name(int step) {
        return step > 0 && step < _STEP_MAX && step_names[step] ? step_names[step] : "?";
}

_noreturn_ static void child_fail(int sync_fd, ChildStep step, int r, int64_t arg) {
        (void) report_failure(sync_fd, step, r, arg);
        _exit(EXIT_FAILURE);
}

/* A failure while the monitor does its part (between SYNC 3 and 4): we stay until it is done, so that it reads
 * our failure rather than trips over our namespaces vanishing under its work. */
_noreturn_ static void child_fail_after_ready(int sync_fd, ChildStep step, int r) {
        Report m;

        (void) report_failure(sync_fd, step, r, -1);
        (void) report_recv(sync_fd, &m);
        _exit(EXIT_FAILURE);
}

static int loopback_up(void) {
        struct ifreq ifr = { .ifr_name = "lo" };
        int fd, r = 0;

        fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
                r = -errno;
        else if (!(ifr.ifr_flags & IFF_UP)) {
                ifr.ifr_flags |= IFF_UP;
                if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
                        r = -errno;
        }
        safe_close(fd);
        return r;
}

static int set_rlimits(void) {
        struct rlimit rl;

        /* The monitor may run with a raised open-file limit; the container starts with the kernel's soft default
         * and may raise it up to the hard limit, as on a freshly booted host. */
        if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
                return -errno;
        rl.rlim_cur = rl.rlim_max < 1024 ? rl.rlim_max : 1024;
        return setrlimit(RLIMIT_NOFILE, &rl) < 0 ? -errno : 0;
}

/* The session keyring is inherited, and with it possession of every key in it: a container started from a login
 * session or a unit with KeyringMode=shared could read its caller's keys and add keys its caller (and later
 * containers of that session) would see. A new anonymous one cuts that. A kernel without keyrings has nothing to
 * share; neither has a launcher that runs inside a container whose filter refuses keyring calls with EPERM (ours
 * does, and so does systemd-nspawn's): nothing below it can reach a keyring either. */
static int new_session_keyring(void) {
        if (syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL, 0, 0, 0) < 0 && errno != ENOSYS && errno != EPERM)
                return -errno;
        return 0;
}

static void reset_signals(void) {
        sigset_t all;

        for (int sig = 1; sig < _NSIG; sig++)
                if (sig != SIGKILL && sig != SIGSTOP)
                        (void) signal(sig, SIG_DFL);
        sigemptyset(&all);
        (void) sigprocmask(SIG_SETMASK, &all, NULL);
}

/* execvpe() without allocation: search PATH from the container's environment for a bare command name. */
static void exec_command(char *const *argv, char **envp) {
        const char *path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
        char buf[4096];
        int err = ENOENT;

        if (strchr(argv[0], '/')) {
                execve(argv[0], argv, envp);
                return;
        }
        for (char **e = envp; *e; e++)
                if (startswith(*e, "PATH="))
                        path = *e + 5;
        for (const char *p = path; *p;) {
                const char *end = strchrnul(p, ':');

                if ((size_t) (end - p) + strlen(argv[0]) + 2 <= sizeof buf) {
                        snprintf(buf, sizeof buf, "%.*s/%s", (int) (end - p), p, argv[0]);
                        execve(buf, argv, envp);
                        if (errno != ENOENT)
                                err = errno;
                }
                p = *end ? end + 1 : end;
        }
        errno = err;
}

_noreturn_ static void inner_child(const ChildPlan *c, int sync_fd, ApiFsHelper *apifs) {
        const MountPlan *plan = c->mounts;
        const Settings *s = c->settings;
        size_t index = 0;
        Report m;
        int root_fd, r;

        /* The monitor is our parent (CLONE_PARENT): if it dies, so do we. */
        (void) prctl(PR_SET_PDEATHSIG, SIGKILL);

        /* /proc and /sys are mounted by the proc helper (apifs.c); when it failed, it has said why. Then our mount
         * namespace, a copy in which every mount made with host privileges is locked. */
        if (apifs_wait(apifs) < 0)
                _exit(EXIT_FAILURE);
        if (unshare(CLONE_NEWNS) < 0)
                child_fail(sync_fd, STEP_UNSHARE_NAMESPACES, -errno, -1);

        /* An fd from the outer child would point into its mount namespace; take the one in ours. */
        root_fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (root_fd < 0)
                child_fail(sync_fd, STEP_OPEN_ROOT, -errno, -1);

        r = mount_api(plan, root_fd, MOUNT_BY_PID1, &index);
        if (r < 0)
                child_fail(sync_fd, STEP_MOUNT_API, r, (int64_t) index);
        if (sethostname(s->hostname, strlen(s->hostname)) < 0)
                child_fail(sync_fd, STEP_SET_HOSTNAME, -errno, -1);
        if (s->private_network) {
                r = loopback_up();
                if (r < 0)
                        child_fail(sync_fd, STEP_LOOPBACK_UP, r, -1);
        }
        /* Shared propagation, as on a booted host (systemd sets it up itself only when not in a container): new
         * mounts in / reach services' mount namespaces, which systemd's credential set-up relies on. These peer
         * groups are the container's own; nothing propagates to or from the host. */
        if (mount(NULL, "/", NULL, MS_REC | MS_SHARED, NULL) < 0)
                child_fail(sync_fd, STEP_SHARE_PROPAGATION, -errno, -1);
        safe_close(root_fd);

        /* SYNC 3: our part before the monitor's is done. The monitor waits for this, so that a failure above is
         * what it reports, not what its own work then trips over. */
        (void) report_send(sync_fd, SYNC_PID1_READY, 0);

        /* While the monitor does its part: a fresh session keyring (before the filter, which refuses keyctl()),
         * then the system call filter. Installing it is the filter's whole cost at start (the kernel checks and
         * JIT-compiles ~530 instructions): done here, it overlaps the monitor's work instead of adding to it.
         * Nothing after this needs a call the container may not make. Loaded without no_new_privs (PID 1 has
         * CAP_SYS_ADMIN in its own namespace), so setuid programs inside keep working. */
        r = new_session_keyring();
        if (r < 0)
                child_fail_after_ready(sync_fd, STEP_NEW_KEYRING, r);
        r = seccomp_apply(c->seccomp);
        if (r < 0)
                child_fail_after_ready(sync_fd, STEP_LOAD_SECCOMP, r);

        /* SYNC 4: the monitor has done its part (cgroup, links, registration); go or die. */
        r = report_recv(sync_fd, &m);
        if (r <= 0 || m.kind != SYNC_GO)
                _exit(EXIT_FAILURE);

        /* The monitor has moved us into the container's cgroup: make it the root of our view. */
        if (unshare(CLONE_NEWCGROUP) < 0)
                child_fail(sync_fd, STEP_UNSHARE_CGROUPNS, -errno, -1);
        root_fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (root_fd < 0)
                child_fail(sync_fd, STEP_OPEN_ROOT, -errno, -1);
        r = mount_api(plan, root_fd, MOUNT_BY_PID1_AFTER_GO, &index);
        if (r < 0)
                child_fail(sync_fd, STEP_MOUNT_API, r, (int64_t) index);
        safe_close(root_fd);

        if (setsid() < 0)
                child_fail(sync_fd, STEP_NEW_SESSION, -errno, -1);
        if (s->console != CONSOLE_PIPE) {
                int fd = open("/dev/console", O_RDWR | O_NOCTTY);

                if (fd < 0 || ioctl(fd, TIOCSCTTY, 0) < 0 || dup2(fd, STDIN_FILENO) < 0 ||
                    dup2(fd, STDOUT_FILENO) < 0 || dup2(fd, STDERR_FILENO) < 0)
                        child_fail(sync_fd, STEP_ATTACH_CONSOLE, -errno, -1);
                if (fd > STDERR_FILENO)
                        safe_close(fd);
        }
        (void) set_rlimits();
        r = caps_drop_bounding(c->caps);
        if (r < 0)
                child_fail(sync_fd, STEP_DROP_CAPS, r, -1);
        reset_signals();

        /* SYNC 5: exec closes sync_fd (CLOEXEC): the monitor reads EOF and knows we are running. */
        exec_command(c->argv, c->env);
        child_fail(sync_fd, STEP_EXEC, -errno, -1);
}

/* SYNC 1: the monitor cloned us. */
_noreturn_ void outer_child(const ChildPlan *c, pid_t monitor, int sync_fd) {
        const MountPlan *plan = c->mounts;
        const Settings *s = c->settings;
        ApiFsHelper apifs;
        unsigned long flags;
        size_t index = 0;
        int root_fd, r;
        pid_t pid;

        for (size_t i = 0; i < ELEMENTSOF(c->monitor_locks); i++)
                safe_close(c->monitor_locks[i]);
        (void) prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != monitor)
                _exit(EXIT_FAILURE);

        /* Into the tasks limit's v1 cgroup before we fork anything, so that PID 1 and all it forks are born there.
         * "0" written to "tasks" by the task itself moves one thread, which the kernel does without taking
         * cgroup_threadgroup_rwsem for writing; the monitor writing PID 1's PID to cgroup.procs took it, and with
         * it waited for an RCU grace period: 11-19 ms of every start on a hybrid host. Just cloned, we have one
         * thread, so it is the whole process. (cgroup2's own limit needs none of this: CLONE_INTO_CGROUP.) */
        if (c->pids_join_fd >= 0) {
                if (write(c->pids_join_fd, "0", 1) < 0)
                        child_fail(sync_fd, STEP_JOIN_TASKS_LIMIT, -errno, -1);
                safe_close(c->pids_join_fd);
        }

        /* Joined first, so that the sysfs we mount below shows its links. */
        if (c->netns_fd >= 0 && setns(c->netns_fd, CLONE_NEWNET) < 0)
                child_fail(sync_fd, STEP_JOIN_NETNS, -errno, -1);

        /* A container is a new login session root; only host root (CAP_AUDIT_CONTROL) may reset it. */
        r = write_string_at(AT_FDCWD, "/proc/self/loginuid", "4294967295");
        if (r < 0 && r != -ENOENT && r != -EPERM)
                child_fail(sync_fd, STEP_RESET_LOGINUID, r, -1);

        r = mount_staging(s);
        if (r < 0)
                child_fail(sync_fd, STEP_MOUNT_STAGING, r, -1);
        r = mount_root(plan, &root_fd);
        if (r < 0)
                child_fail(sync_fd, STEP_MOUNT_ROOT, r, -1);
        r = mount_store(plan, root_fd, &index);
        if (r < 0)
                child_fail(sync_fd, STEP_MOUNT_STORE, r, (int64_t) index);
        r = mount_api(plan, root_fd, MOUNT_BY_OUTER_CHILD, &index);
        if (r < 0)
                child_fail(sync_fd, STEP_MOUNT_API, r, (int64_t) index);
        r = mount_api_populate(plan, root_fd);
        if (r < 0)
                child_fail(sync_fd, STEP_POPULATE_API, r, -1);
        r = run_host_fill(plan, root_fd);
        if (r < 0)
                child_fail(sync_fd, STEP_FILL_RUN_HOST, r, -1);
        r = credentials_mount(plan->credentials, root_fd, plan->uid);
        if (r < 0)
                child_fail(sync_fd, STEP_MOUNT_CREDENTIALS, r, -1);
        /* After our own /dev, /run and /tmp, so that a bind below them is not hidden by them. */
        r = mount_binds(plan, root_fd, &index);
        if (r < 0)
                child_fail(sync_fd, STEP_MOUNT_BINDS, r, (int64_t) index);
        r = mount_tmpfs(plan, root_fd, &index);
        if (r < 0)
                child_fail(sync_fd, STEP_MOUNT_TMPFS, r, (int64_t) index);
        r = mount_api(plan, root_fd, MOUNT_BY_OUTER_CHILD_LAST, &index);
        if (r < 0)
                child_fail(sync_fd, STEP_MOUNT_API, r, (int64_t) index);

        /* Pivot while we still hold host privileges: a root that is already "/" when the mount table is copied
         * into the container's namespace needs no pivot there (where it would be refused: locked mounts), and
         * nothing of the host's tree is left in that copy to escape to. */
        r = mount_pivot_root(root_fd);
        if (r < 0)
                child_fail(sync_fd, STEP_PIVOT_ROOT, r, -1);
        safe_close(root_fd);

        /* While we still have host privileges: the helper that mounts the container's /proc and /sys so that
         * they arrive locked. */
        r = apifs_start(c, sync_fd, &apifs);
        if (r < 0)
                child_fail(sync_fd, STEP_START_PROC_HELPER, r, -1);

        if (plan->userns) {
                if (setns(c->userns_fd, CLONE_NEWUSER) < 0)
                        child_fail(sync_fd, STEP_ENTER_USERNS, -errno, -1);
                if (setgroups(0, NULL) < 0 || setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
                        child_fail(sync_fd, STEP_ENTER_USERNS, -errno, -1);
        }

        /* Not the cgroup namespace: PID 1 makes that once the monitor has put it in its cgroup. Nor the mount
         * namespace: PID 1 makes that once the proc helper has mounted its /proc (apifs.c). */
        flags = CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID | (s->private_network ? CLONE_NEWNET : 0);
        if (unshare((int) flags) < 0)
                child_fail(sync_fd, STEP_UNSHARE_NAMESPACES, -errno, -1);

        pid = raw_clone(CLONE_PARENT | SIGCHLD);
        if (pid < 0)
                child_fail(sync_fd, STEP_CLONE_PID1, -errno, -1);
        if (pid == 0)
                inner_child(c, sync_fd, &apifs);

        /* SYNC 2: tell the monitor who PID 1 is; once the proc helper is done, so is our work. */
        (void) report_send(sync_fd, SYNC_PID1_STARTED, pid);
        apifs_release(&apifs, pid);
        _exit(EXIT_SUCCESS);
}
