/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Claims about the system call filter (spawn/seccomp*.c) and the capability options (spawn/caps.c): the group
 * table, the built-in program against a fresh compile, when a start compiles, and what a process under the
 * filter can and cannot do (each probe runs in a forked child that installs the filter). */
#include <errno.h>
#include <linux/capability.h>
#include <linux/io_uring.h>
#include <linux/keyctl.h>
#include <linux/netlink.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "caps.h"
#include "macro.h"
#include "seccomp-build.h"
#include "seccomp-default.h"
#include "seccomp.h"
#include "strutil.h"
#include "settings.h"
#include "tap.h"

static unsigned unknown_members;
static void count_unknown(const char *name, void *userdata) {
        if (seccomp_syscall_resolve_name(name) == __NR_SCMP_ERROR) {
                diag("%s: '%s' is not a system call libseccomp knows", (const char *) userdata, name);
                unknown_members++;
        }
}

typedef enum Probe {
        PROBE_GETPID,
        PROBE_KEYCTL,
        PROBE_KEXEC,
        PROBE_INIT_MODULE,
        PROBE_OPEN_BY_HANDLE,
        PROBE_BPF,
        PROBE_PERF,
        PROBE_AUDIT_SOCKET,
        PROBE_UNIX_SOCKET,
        PROBE_UNKNOWN_NR,
        PROBE_TIOCSTI_HIGH_BITS,
        PROBE_SETTIMEOFDAY_NOOP,
        PROBE_CLOCK_ADJTIME_NULL,
        PROBE_SWAPOFF,
        PROBE_IO_URING_SETUP,
        PROBE_IO_URING_ENTER_BADF,
        PROBE_IO_URING_REGISTER_BADF,
        PROBE_IO_SETUP_BAD, /* the older AIO calls: EINVAL once past the filter */
} Probe;

/* A ring of one entry, closed again: 0 or -1 with errno. */
static long io_uring_setup_once(void) {
        struct io_uring_params p = {};
        long fd = syscall(SYS_io_uring_setup, 1, &p);

        if (fd < 0)
                return -1;
        close((int) fd);
        return 0;
}

/* Returns the call's errno (0: it succeeded), as the child's exit status. */
static int run_probe(const SeccompPlan *plan, Probe probe) {
        pid_t pid = fork();
        int status;

        if (pid < 0)
                return -1;
        if (pid == 0) {
                long r = 0;
                int fd;

                (void) prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); /* so that this also runs unprivileged */
                if (seccomp_apply(plan) < 0)
                        _exit(200);
                errno = 0;
                switch (probe) {
                case PROBE_GETPID:
                        r = syscall(SYS_getpid);
                        break;
                case PROBE_KEYCTL:
                        r = syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0);
                        break;
                case PROBE_KEXEC:
                        r = syscall(SYS_kexec_load, 0, 0, NULL, 0);
                        break;
                case PROBE_INIT_MODULE:
                        r = syscall(SYS_init_module, NULL, 0, "");
                        break;
                case PROBE_OPEN_BY_HANDLE:
                        r = syscall(SYS_open_by_handle_at, -1, NULL, 0);
                        break;
                case PROBE_BPF:
                        r = syscall(SYS_bpf, 0, NULL, 0);
                        break;
                case PROBE_PERF:
                        r = syscall(SYS_perf_event_open, NULL, 0, -1, -1, 0);
                        break;
                case PROBE_AUDIT_SOCKET:
                        r = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT);
                        break;
                case PROBE_UNIX_SOCKET:
                        r = fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
                        break;
                case PROBE_UNKNOWN_NR:
                        r = syscall(1000);
                        break;
                case PROBE_TIOCSTI_HIGH_BITS:
                        r = syscall(SYS_ioctl, 0, (1UL << 32) | TIOCSTI, "x");
                        break;
                case PROBE_SETTIMEOFDAY_NOOP: /* NULL, NULL: changes nothing, but passes the filter or not */
                        r = syscall(SYS_settimeofday, NULL, NULL);
                        break;
                case PROBE_CLOCK_ADJTIME_NULL: /* EFAULT once past the filter, before any capability check */
                        r = syscall(SYS_clock_adjtime, CLOCK_REALTIME, NULL);
                        break;
                case PROBE_SWAPOFF:
                        r = syscall(SYS_swapoff, "/nonexistent");
                        break;
                case PROBE_IO_URING_SETUP:
                        r = io_uring_setup_once();
                        break;
                case PROBE_IO_URING_ENTER_BADF:
                        r = syscall(SYS_io_uring_enter, -1, 0, 0, 0, NULL, 0);
                        break;
                case PROBE_IO_URING_REGISTER_BADF:
                        r = syscall(SYS_io_uring_register, -1, 0, NULL, 0);
                        break;
                case PROBE_IO_SETUP_BAD: { /* no events: EINVAL */
                        unsigned long ctx = 0;
                        r = syscall(SYS_io_setup, 0, &ctx);
                        break;
                }
                }
                _exit(r < 0 ? (errno & 0xff) : 0);
        }
        if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
                return -1;
        return WEXITSTATUS(status);
}

int main(void) {
        SeccompPlan plan = SECCOMP_PLAN_NULL;
        struct sock_filter *f = NULL;
        size_t n = 0;
        uint64_t def = caps_container(false, 0, 0), m;
        const char *bad;
        size_t bad_len;
        int r;

        /* The table */
        for (const char *const *g = syscall_group_names; *g; g++)
                if (!streq(*g, "@known"))
                        ok(syscall_group_foreach(*g, count_unknown, (void *) *g) >= 0, "group %s expands", *g);
        is_int(unknown_members, 0, "every group member is a system call libseccomp knows (no typos)");
        ok(syscall_group_foreach("@nope", count_unknown, NULL) == -EINVAL, "an unknown group is refused");
        ok(syscall_filter_item_is_valid("@system-service"), "@system-service is a filter item");
        ok(syscall_filter_item_is_valid("keyctl"), "keyctl is a filter item");
        ok(!syscall_filter_item_is_valid("keyctI"), "a misspelt call is not");
        ok(!syscall_filter_item_is_valid("@nope"), "nor an unknown group");

        /* Build time and run time agree */
        r = seccomp_compile_main(SECCOMP_DEFAULT_CAPS, NULL, NULL, &f, &n);
        is_int(r, 0, "the default filter compiles");
        ok(r >= 0 && n == ELEMENTSOF(seccomp_default_main) && memcmp(f, seccomp_default_main, n * sizeof *f) == 0,
           "the built-in program is what a compile now gives (%zu instructions)", n);
        free(f);
        is_int((long long) SECCOMP_DEFAULT_CAPS, (long long) caps_container_default(),
               "it was compiled for the default capability set");

        /* When a start compiles */
        ok(seccomp_plan(&plan, def, NULL, NULL) >= 0 && seccomp_plan_is_builtin(&plan), "defaults: built-in");
        seccomp_plan_done(&plan);
        ok(seccomp_plan(&plan, caps_container(true, 0, 0), NULL, NULL) >= 0 && seccomp_plan_is_builtin(&plan),
           "a private network (CAP_NET_ADMIN) does not change the filter: built-in");
        seccomp_plan_done(&plan);
        ok(seccomp_plan(&plan, caps_container(false, 1ULL << CAP_SYS_TIME, 0), NULL, NULL) >= 0 &&
           !seccomp_plan_is_builtin(&plan), "--capability=CAP_SYS_TIME: compiled");
        is_int(run_probe(&plan, PROBE_CLOCK_ADJTIME_NULL), EFAULT, "with CAP_SYS_TIME, clock_adjtime() passes the filter");
        seccomp_plan_done(&plan);

        /* What the default filter allows and refuses */
        ok(seccomp_plan(&plan, def, NULL, NULL) >= 0, "default plan");
        is_int(run_probe(&plan, PROBE_GETPID), 0, "getpid() works");
        is_int(run_probe(&plan, PROBE_UNIX_SOCKET), 0, "an AF_UNIX socket works");
        is_int(run_probe(&plan, PROBE_KEYCTL), EPERM, "keyctl() is refused");
        is_int(run_probe(&plan, PROBE_KEXEC), EPERM, "kexec_load() is refused");
        is_int(run_probe(&plan, PROBE_INIT_MODULE), EPERM, "init_module() is refused");
        is_int(run_probe(&plan, PROBE_OPEN_BY_HANDLE), EPERM, "open_by_handle_at() is refused");
        is_int(run_probe(&plan, PROBE_BPF), EPERM, "bpf() is refused");
        is_int(run_probe(&plan, PROBE_PERF), EPERM, "perf_event_open() is refused");
        is_int(run_probe(&plan, PROBE_SWAPOFF), EPERM, "swapoff() is refused");
        is_int(run_probe(&plan, PROBE_SETTIMEOFDAY_NOOP), EPERM, "settimeofday() is refused");
        is_int(run_probe(&plan, PROBE_CLOCK_ADJTIME_NULL), EPERM, "clock_adjtime() is refused");
        is_int(run_probe(&plan, PROBE_AUDIT_SOCKET), EAFNOSUPPORT, "an audit netlink socket: EAFNOSUPPORT");
        is_int(run_probe(&plan, PROBE_UNKNOWN_NR), ENOSYS, "a call nobody knows: ENOSYS (programs fall back)");
        is_int(run_probe(&plan, PROBE_TIOCSTI_HIGH_BITS), EPERM, "TIOCSTI is refused, high bits or not");
        seccomp_plan_done(&plan);

        {
                char *deny[] = { (char *) "@network-io", NULL }, *allow[] = { (char *) "socket", NULL };

                ok(seccomp_plan(&plan, def, allow, deny) >= 0 && !seccomp_plan_is_builtin(&plan),
                   "~@network-io: compiled");
                is_int(run_probe(&plan, PROBE_UNIX_SOCKET), EPERM, "~@network-io wins over allowing socket");
                is_int(run_probe(&plan, PROBE_GETPID), 0, "and getpid() still works");
                seccomp_plan_done(&plan);
        }
        /* io_uring: refused with ENOSYS unless asked for (seccomp-build.c, container_refuse) */
        ok(seccomp_plan(&plan, def, NULL, NULL) >= 0, "default plan");
        is_int(run_probe(&plan, PROBE_IO_URING_SETUP), ENOSYS, "io_uring_setup() is refused with ENOSYS");
        is_int(run_probe(&plan, PROBE_IO_URING_ENTER_BADF), ENOSYS, "io_uring_enter() too");
        is_int(run_probe(&plan, PROBE_IO_URING_REGISTER_BADF), ENOSYS, "io_uring_register() too");
        is_int(run_probe(&plan, PROBE_IO_SETUP_BAD), EINVAL, "the older AIO calls (io_setup) stay allowed");
        seccomp_plan_done(&plan);
        {
                char *io_uring[] = { (char *) "@io_uring", NULL }, *aio[] = { (char *) "@aio", NULL };
                int host = io_uring_setup_once() < 0 ? errno : 0;

                ok(seccomp_plan(&plan, def, io_uring, NULL) >= 0 && !seccomp_plan_is_builtin(&plan),
                   "--system-call-filter=@io_uring: compiled");
                is_int(run_probe(&plan, PROBE_IO_URING_ENTER_BADF), EBADF, "io_uring_enter() passes the filter then");
                if (host == 0)
                        is_int(run_probe(&plan, PROBE_IO_URING_SETUP), 0, "and a ring can be set up");
                else
                        skip("a ring can be set up with @io_uring: this host's io_uring_setup() fails: %s",
                             strerrorname_np(host) ?: "?");
                seccomp_plan_done(&plan);
                ok(seccomp_plan(&plan, def, aio, NULL) >= 0, "--system-call-filter=@aio: compiled");
                is_int(run_probe(&plan, PROBE_IO_URING_ENTER_BADF), EBADF,
                       "@aio holds @io_uring (as systemd's): io_uring_enter() passes");
                seccomp_plan_done(&plan);
                ok(seccomp_plan(&plan, def, io_uring, io_uring) >= 0, "@io_uring allowed and denied: compiled");
                is_int(run_probe(&plan, PROBE_IO_URING_ENTER_BADF), ENOSYS, "the deny wins, still ENOSYS");
                seccomp_plan_done(&plan);
        }
        {
                char *allow[] = { (char *) "@keyring", NULL };

                ok(seccomp_plan(&plan, def, allow, NULL) >= 0, "@keyring allowed: compiled");
                ok(run_probe(&plan, PROBE_KEYCTL) != EPERM, "keyctl() passes the filter then");
                seccomp_plan_done(&plan);
        }

        /* --system-call-filter= parsing */
        {
                Settings s;

                settings_init(&s);
                is_int(settings_add_syscall_filter(&s, "@clock  sethostname", &bad, &bad_len), 0, "a list parses");
                is_int(settings_add_syscall_filter(&s, "~@keyring", &bad, &bad_len), 0, "a ~list parses");
                ok(strv_length(s.syscall_allow) == 2 && streq(s.syscall_allow[1], "sethostname") &&
                   strv_length(s.syscall_deny) == 1 && streq(s.syscall_deny[0], "@keyring"),
                   "into the allow and the deny list");
                is_int(settings_add_syscall_filter(&s, "read @bogus write", &bad, &bad_len), -EINVAL,
                       "an unknown group is refused");
                ok(bad_len == 6 && strncmp(bad, "@bogus", 6) == 0, "and named");
                ok(strv_length(s.syscall_allow) == 2, "and nothing of that list was taken");
                is_int(settings_add_syscall_filter(&s, "~", &bad, &bad_len), -EINVAL, "an empty list is refused");
                settings_done(&s);
        }

        /* Capabilities */
        is_int(parse_capability_list("CAP_SYS_TIME,cap_ipc_lock", &m, &bad, &bad_len), 0, "a capability list parses");
        ok(m == ((1ULL << CAP_SYS_TIME) | (1ULL << CAP_IPC_LOCK)), "into its bits");
        is_int(parse_capability_list("CAP_SYS_TIME,CAP_NOPE", &m, &bad, &bad_len), -EINVAL, "an unknown one is refused");
        ok(bad_len == 8 && strncmp(bad, "CAP_NOPE", 8) == 0, "and named");
        is_int(parse_capability_list("CAP_CHOWN,", &m, &bad, &bad_len), -EINVAL, "an empty entry is refused");
        ok(parse_capability_list("all", &m, &bad, &bad_len) == 0 && (m & (1ULL << CAP_SYS_MODULE)), "all");
        ok(!(def & (1ULL << CAP_SYS_MODULE)) && !(def & (1ULL << CAP_NET_ADMIN)) && (def & (1ULL << CAP_SYS_ADMIN)),
           "the default set: no CAP_SYS_MODULE, no CAP_NET_ADMIN, CAP_SYS_ADMIN (nspawn's)");
        ok(caps_container(true, 0, 0) & (1ULL << CAP_NET_ADMIN), "CAP_NET_ADMIN with a network of its own");
        ok(!(caps_container(false, 1ULL << CAP_SYS_TIME, 1ULL << CAP_SYS_TIME) & (1ULL << CAP_SYS_TIME)),
           "--drop-capability= wins over --capability=");
        return tap_done();
}
