/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* System call groups and the filter compiler. The group names are systemd's (users write the same
 * --system-call-filter= for us as for systemd-nspawn); the members are ours, kept current with the kernel. */
#include <errno.h>
#include <linux/capability.h>
#include <linux/netlink.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macro.h"
#include "bpf-compact.h"
#include "seccomp-build.h"
#include "strutil.h"

typedef struct SyscallGroup {
        const char *name;
        const char *members; /* space-separated system calls and @groups */
} SyscallGroup;

static const SyscallGroup groups[] = {
        { "@default", "clock_getres clock_getres_time64 clock_gettime clock_gettime64 clock_nanosleep "
                      "clock_nanosleep_time64 execve exit exit_group futex futex_time64 futex_waitv futex_wake "
                      "futex_wait futex_requeue get_robust_list get_thread_area getegid getegid32 geteuid geteuid32 "
                      "getgid getgid32 getgroups getgroups32 getpgid getpgrp getpid getppid getresgid getresgid32 "
                      "getresuid getresuid32 getrlimit getsid gettid gettimeofday getuid getuid32 map_shadow_stack "
                      "membarrier nanosleep pause prlimit64 restart_syscall rseq rt_sigreturn sched_yield "
                      "set_robust_list set_thread_area set_tid_address set_tls sigreturn time ugetrlimit" },
        /* @aio holds @io_uring as systemd's does, so "@aio" and "~@aio" mean what they mean in a unit; the
         * container's default allow list takes @io_uring out again (container_refuse below). */
        { "@aio", "io_cancel io_destroy io_getevents io_pgetevents io_pgetevents_time64 io_setup io_submit "
                  "@io_uring" },
        { "@io_uring", "io_uring_enter io_uring_register io_uring_setup" },
        { "@basic-io", "_llseek close close_range dup dup2 dup3 lseek pread64 preadv preadv2 pwrite64 pwritev "
                       "pwritev2 read readv write writev" },
        { "@chown", "chown chown32 fchown fchown32 fchownat lchown lchown32" },
        { "@clock", "adjtimex clock_adjtime clock_adjtime64 clock_settime clock_settime64 settimeofday stime" },
        { "@cpu-emulation", "modify_ldt subpage_prot switch_endian vm86 vm86old" },
        { "@debug", "lookup_dcookie perf_event_open pidfd_getfd ptrace rtas sys_debug_setcontext" },
        { "@file-system", "access cachestat chdir chmod close creat faccessat faccessat2 fallocate fchdir fchmod "
                          "fchmodat fchmodat2 fcntl fcntl64 fgetxattr flistxattr fremovexattr fsetxattr fstat fstat64 "
                          "fstatat64 fstatfs fstatfs64 ftruncate ftruncate64 futimesat getcwd getdents getdents64 "
                          "getxattr inotify_add_watch inotify_init inotify_init1 inotify_rm_watch lgetxattr link "
                          "linkat listxattr llistxattr lremovexattr lsetxattr lstat lstat64 mkdir mkdirat mknod "
                          "mknodat mmap mmap2 munmap newfstatat oldfstat oldlstat oldstat open openat openat2 "
                          "readlink readlinkat removexattr rename renameat renameat2 rmdir setxattr stat stat64 "
                          "statfs statfs64 statx symlink symlinkat truncate truncate64 unlink unlinkat utime "
                          "utimensat utimensat_time64 utimes" },
        { "@io-event", "_newselect epoll_create epoll_create1 epoll_ctl epoll_ctl_old epoll_pwait epoll_pwait2 "
                       "epoll_wait epoll_wait_old eventfd eventfd2 poll ppoll ppoll_time64 pselect6 "
                       "pselect6_time64 select" },
        { "@ipc", "ipc memfd_create mq_getsetattr mq_notify mq_open mq_timedreceive mq_timedreceive_time64 "
                  "mq_timedsend mq_timedsend_time64 mq_unlink msgctl msgget msgrcv msgsnd pipe pipe2 semctl semget "
                  "semop semtimedop semtimedop_time64 shmat shmctl shmdt shmget" },
        /* The kernel's keyrings are not namespaced: a container must neither read nor add keys the host sees. */
        { "@keyring", "add_key keyctl request_key" },
        { "@memlock", "mlock mlock2 mlockall munlock munlockall" },
        { "@module", "delete_module finit_module init_module" },
        { "@mount", "chroot fsconfig fsmount fsopen fspick mount mount_setattr move_mount open_tree pivot_root "
                    "umount umount2" },
        { "@network-io", "accept accept4 bind connect getpeername getsockname getsockopt listen recv recvfrom "
                         "recvmmsg recvmmsg_time64 recvmsg send sendmmsg sendmsg sendto setsockopt shutdown socket "
                         "socketcall socketpair" },
        { "@obsolete", "_sysctl afs_syscall bdflush break create_module ftime get_kernel_syms getpmsg gtty idle "
                       "lock mpx prof profil putpmsg query_module security sgetmask ssetmask stty sysfs tuxcall "
                       "ulimit uselib ustat vserver" },
        { "@pkey", "pkey_alloc pkey_free pkey_mprotect" },
        { "@privileged", "@chown @clock @module @raw-io @reboot @swap _sysctl acct bpf capset chroot fanotify_init "
                         "fanotify_mark nfsservctl open_by_handle_at pivot_root quotactl quotactl_fd setdomainname "
                         "setfsuid setfsuid32 setgroups setgroups32 sethostname setresuid setresuid32 setreuid "
                         "setreuid32 setuid setuid32 vhangup" },
        { "@process", "arch_prctl capget clone clone3 execveat fork getrusage kill pidfd_open pidfd_send_signal "
                      "prctl process_mrelease rt_sigqueueinfo rt_tgsigqueueinfo setns swapcontext tgkill times tkill "
                      "unshare vfork wait4 waitid waitpid" },
        { "@raw-io", "ioperm iopl pciconfig_iobase pciconfig_read pciconfig_write s390_pci_mmio_read "
                     "s390_pci_mmio_write" },
        { "@reboot", "kexec_file_load kexec_load reboot" },
        { "@resources", "ioprio_set mbind migrate_pages move_pages nice process_madvise sched_setaffinity "
                        "sched_setattr sched_setparam sched_setscheduler set_mempolicy set_mempolicy_home_node "
                        "setpriority setrlimit" },
        { "@sandbox", "landlock_add_rule landlock_create_ruleset landlock_restrict_self seccomp" },
        { "@setuid", "setgid setgid32 setgroups setgroups32 setregid setregid32 setresgid setresgid32 setresuid "
                     "setresuid32 setreuid setreuid32 setuid setuid32" },
        { "@signal", "rt_sigaction rt_sigpending rt_sigprocmask rt_sigsuspend rt_sigtimedwait "
                     "rt_sigtimedwait_time64 sigaction sigaltstack signal signalfd signalfd4 sigpending sigprocmask "
                     "sigsuspend" },
        { "@swap", "swapoff swapon" },
        { "@sync", "fdatasync fsync msync sync sync_file_range sync_file_range2 syncfs" },
        { "@timer", "alarm getitimer setitimer timer_create timer_delete timer_getoverrun timer_gettime "
                    "timer_gettime64 timer_settime timer_settime64 timerfd_create timerfd_gettime timerfd_gettime64 "
                    "timerfd_settime timerfd_settime64 times" },
        /* What a container's services commonly need beyond the groups. */
        { "@basic-extra", "arm_fadvise64_64 brk capget capset copy_file_range fadvise64 fadvise64_64 flock "
                          "get_mempolicy getcpu getpriority getrandom ioctl ioprio_get kcmp madvise mincore mprotect "
                          "mremap name_to_handle_at oldolduname olduname personality readahead readdir "
                          "remap_file_pages sched_get_priority_max sched_get_priority_min sched_getaffinity "
                          "sched_getattr sched_getparam sched_getscheduler sched_rr_get_interval "
                          "sched_rr_get_interval_time64 sched_yield sendfile sendfile64 setdomainname setfsgid "
                          "setfsgid32 setfsuid setfsuid32 sethostname setpgid setsid splice sysinfo tee umask uname "
                          "userfaultfd vmsplice" },
        { "@system-service", "@aio @basic-io @chown @default @file-system @io-event @ipc @keyring @memlock "
                             "@network-io @process @resources @setuid @signal @sync @timer @basic-extra" },
};

const char *const syscall_group_names[] = {
        "@default", "@aio", "@io_uring", "@basic-io", "@chown", "@clock", "@cpu-emulation", "@debug",
        "@file-system", "@io-event", "@ipc", "@keyring", "@memlock", "@module", "@mount", "@network-io",
        "@obsolete", "@pkey", "@privileged", "@process", "@raw-io", "@reboot", "@resources", "@sandbox", "@setuid",
        "@signal", "@swap", "@sync", "@timer", "@basic-extra", "@system-service", "@known", NULL,
};

/* What a container may do, nspawn's choice: everything a system's services need, and the groups that act on the
 * kernel as a whole only with the capability that would let root do it. Left out entirely, with the reason:
 *   @keyring                keys are not namespaced (the host's keys, keys other containers see)
 *   @swap, quotactl(_fd)    host-wide storage settings
 *   @cpu-emulation @obsolete @pkey   old or unneeded kernel surface
 *   bpf                     programs in the host kernel; bpffs is not namespaced
 *   perf_event_open lookup_dcookie   host-wide tracing, kernel addresses
 *   open_by_handle_at       opens any inode by its handle, past the mount tree ("shocker")
 *   kexec_load kexec_file_load        replace the host kernel
 *   fanotify_init nfsservctl memfd_secret
 * The memberships below by capability: a container given CAP_SYS_TIME may set the clock, and so on. */
static const struct {
        int cap; /* -1: always */
        const char *item;
} container_allow[] = {
        { -1, "@default" },          { -1, "@aio" },             { -1, "@basic-io" },     { -1, "@chown" },
        { -1, "@file-system" },      { -1, "@io-event" },        { -1, "@ipc" },          { -1, "@mount" },
        { -1, "@network-io" },       { -1, "@process" },         { -1, "@resources" },    { -1, "@setuid" },
        { -1, "@signal" },           { -1, "@sync" },            { -1, "@timer" },        { -1, "@sandbox" },
        { -1, "@basic-extra" },
        { CAP_SYS_TIME, "@clock" },  { CAP_SYS_MODULE, "@module" }, { CAP_SYS_RAWIO, "@raw-io" },
        { CAP_IPC_LOCK, "@memlock" }, { CAP_SYS_PACCT, "acct" },   { CAP_SYS_PTRACE, "ptrace" },
        { CAP_SYS_PTRACE, "process_vm_readv" }, { CAP_SYS_PTRACE, "process_vm_writev" },
        { CAP_SYS_PTRACE, "pidfd_getfd" }, { CAP_SYS_BOOT, "reboot" }, { CAP_SYSLOG, "syslog" },
        { CAP_SYS_TTY_CONFIG, "vhangup" },
};

/* Taken out of the allow list above before --system-call-filter= adds to it, so that naming them there opts in.
 *   @io_uring   the kernel's io_uring has been the largest single source of local privilege escalations of the last
 *               years (a second way to reach most of the kernel, through code much younger than the calls it
 *               stands in for), and container runtimes' default seccomp profiles have refused it since 2023.
 *               What a service does with it, it can do with the plain calls. */
static const char *const container_refuse[] = { "@io_uring" };

/* Refused calls get EPERM, except these: ENOSYS, "this kernel has no io_uring", which every io_uring user must
 * expect (kernels without CONFIG_IO_URING, older than 5.1) and answers by taking its plain-call path: liburing's
 * users, libuv, QEMU and the like probe io_uring_setup() and fall back quietly on ENOSYS, while EPERM some of them
 * report as an error. */
static const char *const refuse_with_enosys[] = { "@io_uring" };

uint64_t seccomp_relevant_caps(void) {
        uint64_t m = 0;

        for (size_t i = 0; i < ELEMENTSOF(container_allow); i++)
                if (container_allow[i].cap >= 0)
                        m |= 1ULL << container_allow[i].cap;
        return m;
}

static const SyscallGroup *group_find(const char *name) {
        for (size_t i = 0; i < ELEMENTSOF(groups); i++)
                if (streq(groups[i].name, name))
                        return &groups[i];
        return NULL;
}

/* Every call libseccomp knows on the native architecture. */
static void foreach_known(void (*f)(const char *name, void *userdata), void *userdata) {
        uint32_t arch = seccomp_arch_native();
        uint32_t base = arch == SCMP_ARCH_X32 ? 0x40000000U : 0;

        for (uint32_t nr = 0; nr < 1024; nr++) {
                char *name = seccomp_syscall_resolve_num_arch(arch, (int) (base + nr));

                if (name) {
                        f(name, userdata);
                        free(name);
                }
        }
}

static int foreach_member(const SyscallGroup *g, void (*f)(const char *name, void *userdata), void *userdata,
                          unsigned depth) {
        char name[64];

        if (depth > 4) /* groups nest once (@system-service, @privileged); more is a mistake in the table */
                return -ELOOP;
        for (const char *p = g->members; *p;) {
                size_t n = strcspn(p, " ");

                if (n >= sizeof name)
                        return -ENAMETOOLONG;
                memcpy(name, p, n);
                name[n] = 0;
                if (name[0] == '@') {
                        const SyscallGroup *sub = group_find(name);
                        int r;

                        if (!sub)
                                return -EINVAL;
                        r = foreach_member(sub, f, userdata, depth + 1);
                        if (r < 0)
                                return r;
                } else
                        f(name, userdata);
                p += n;
                p += strspn(p, " ");
        }
        return 0;
}

int syscall_group_foreach(const char *group, void (*f)(const char *name, void *userdata), void *userdata) {
        const SyscallGroup *g;

        if (streq(group, "@known")) {
                foreach_known(f, userdata);
                return 0;
        }
        g = group_find(group);
        if (!g)
                return -EINVAL;
        return foreach_member(g, f, userdata, 0);
}

bool syscall_filter_item_is_valid(const char *item) {
        if (isempty(item))
                return false;
        if (item[0] == '@')
                return streq(item, "@known") || group_find(item);
        return seccomp_syscall_resolve_name(item) != __NR_SCMP_ERROR;
}

/* A set of system call numbers (libseccomp's native numbering, pseudo numbers for calls other architectures
 * have are negative). Small and short-lived: a sorted array would buy nothing. */
typedef struct SyscallSet {
        int *nr;
        size_t n, allocated;
        int error;
} SyscallSet;

static bool set_contains(const SyscallSet *s, int nr) {
        for (size_t i = 0; i < s->n; i++)
                if (s->nr[i] == nr)
                        return true;
        return false;
}

static void set_add_name(const char *name, void *userdata) {
        SyscallSet *s = userdata;
        int nr = seccomp_syscall_resolve_name(name);

        if (nr == __NR_SCMP_ERROR || set_contains(s, nr)) /* in no architecture libseccomp knows: nothing to do */
                return;
        if (s->n == s->allocated) {
                size_t a = s->allocated ? s->allocated * 2 : 256;
                int *p = realloc(s->nr, a * sizeof(int));

                if (!p) {
                        s->error = -ENOMEM;
                        return;
                }
                s->nr = p;
                s->allocated = a;
        }
        s->nr[s->n++] = nr;
}

static int set_add_item(SyscallSet *s, const char *item) {
        int r;

        if (item[0] != '@') {
                set_add_name(item, s);
                return s->error;
        }
        r = syscall_group_foreach(item, set_add_name, s);
        return r < 0 ? r : s->error;
}

static void set_done(SyscallSet *s) {
        free(s->nr);
        *s = (SyscallSet) {};
}

/* The build's native architecture last, as the kernel offers the others as compat ABIs. */
static const uint32_t local_archs[] = {
#if defined(__x86_64__) && !defined(__ILP32__)
        SCMP_ARCH_X86, SCMP_ARCH_X32,
#elif defined(__aarch64__)
        SCMP_ARCH_ARM,
#elif defined(__powerpc64__) && __BYTE_ORDER == __LITTLE_ENDIAN
        SCMP_ARCH_PPC64,
#elif defined(__s390x__)
        SCMP_ARCH_S390,
#endif
        SCMP_ARCH_NATIVE,
};

static int arch_ctx(uint32_t arch, uint32_t default_action, scmp_filter_ctx *ret) {
        scmp_filter_ctx ctx = seccomp_init(default_action);
        int r;

        if (!ctx)
                return -ENOMEM;
        if (arch != SCMP_ARCH_NATIVE) {
                r = seccomp_arch_remove(ctx, seccomp_arch_native());
                if (r >= 0)
                        r = seccomp_arch_add(ctx, arch);
                if (r < 0)
                        goto fail;
        }
        /* We cover every ABI this kernel can offer a process of the build's architecture; anything else is not
         * a container process we know how to judge. Our own PID 1 may load it without no_new_privs: it has
         * CAP_SYS_ADMIN in its namespace, and no_new_privs would break setuid programs inside. */
        r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
        if (r >= 0)
                r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
        if (r >= 0) /* a binary tree of the ~350 calls: a few compares per call instead of hundreds */
                r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
        if (r < 0)
                goto fail;
        *ret = ctx;
        return 0;
fail:
        seccomp_release(ctx);
        return r;
}

/* Per architecture: the allowed calls, then EPERM for every other call libseccomp knows there (ENOSYS for those
 * in nosys). */
static int fill_arch(scmp_filter_ctx ctx, uint32_t arch, const SyscallSet *allowed, const SyscallSet *nosys) {
        uint32_t a = arch == SCMP_ARCH_NATIVE ? seccomp_arch_native() : arch;
        uint32_t base = a == SCMP_ARCH_X32 ? 0x40000000U : 0;
        int r;

        for (size_t i = 0; i < allowed->n; i++) {
                r = seccomp_rule_add_exact(ctx, SCMP_ACT_ALLOW, allowed->nr[i], 0);
                if (r < 0 && r != -EDOM && r != -EEXIST) /* EDOM: no such call on this architecture */
                        return r;
        }
        for (uint32_t nr = 0; nr < 1024; nr++) {
                _cleanup_free_ char *name = seccomp_syscall_resolve_num_arch(a, (int) (base + nr));
                int id;

                if (!name)
                        continue;
                id = seccomp_syscall_resolve_name(name);
                /* (a call in nosys gets no rule: the default action is ENOSYS already, and libseccomp refuses a
                 * rule that repeats it) */
                if (id == __NR_SCMP_ERROR || set_contains(allowed, id) || set_contains(nosys, id))
                        continue;
                r = seccomp_rule_add_exact(ctx, SCMP_ACT_ERRNO(EPERM), id, 0);
                if (r < 0 && r != -EDOM && r != -EEXIST)
                        return r;
        }
        return 0;
}

/* libseccomp 2.5 has no export to memory: through a memfd. */
static int export_bpf(scmp_filter_ctx ctx, struct sock_filter **ret, size_t *ret_n) {
        _cleanup_close_ int fd = -EBADF;
        _cleanup_free_ struct sock_filter *buf = NULL;
        struct stat st;
        int r;

        fd = memfd_create("seccomp-bpf", MFD_CLOEXEC);
        if (fd < 0)
                return -errno;
        r = seccomp_export_bpf(ctx, fd);
        if (r < 0)
                return r;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (st.st_size <= 0 || st.st_size % sizeof(struct sock_filter) != 0 ||
            st.st_size / sizeof(struct sock_filter) > BPF_MAXINSNS)
                return -E2BIG;
        buf = malloc((size_t) st.st_size);
        if (!buf)
                return -ENOMEM;
        if (pread(fd, buf, (size_t) st.st_size, 0) != st.st_size)
                return -EIO;
        *ret = TAKE_PTR(buf);
        *ret_n = (size_t) st.st_size / sizeof(struct sock_filter);
        return 0;
}

static int compile_per_arch(const SyscallSet *allowed, const SyscallSet *nosys, struct sock_filter **ret,
                            size_t *ret_n);

/* s minus the calls in t. */
static void set_subtract(SyscallSet *s, const SyscallSet *t) {
        size_t j = 0;

        for (size_t i = 0; i < s->n; i++)
                if (!set_contains(t, s->nr[i]))
                        s->nr[j++] = s->nr[i];
        s->n = j;
}

int seccomp_compile_main(uint64_t caps, char *const *allow, char *const *deny, struct sock_filter **ret,
                         size_t *ret_n) {
        SyscallSet allowed = {}, refused = {}, denied = {}, nosys = {};
        int r = 0;

        for (size_t i = 0; i < ELEMENTSOF(container_allow) && r >= 0; i++)
                if (container_allow[i].cap < 0 || (caps & (1ULL << container_allow[i].cap)))
                        r = set_add_item(&allowed, container_allow[i].item);
        for (size_t i = 0; i < ELEMENTSOF(container_refuse) && r >= 0; i++)
                r = set_add_item(&refused, container_refuse[i]);
        for (size_t i = 0; i < ELEMENTSOF(refuse_with_enosys) && r >= 0; i++)
                r = set_add_item(&nosys, refuse_with_enosys[i]);
        if (r >= 0)
                set_subtract(&allowed, &refused);
        for (char *const *p = allow; p && *p && r >= 0; p++)
                r = set_add_item(&allowed, *p);
        for (char *const *p = deny; p && *p && r >= 0; p++)
                r = set_add_item(&denied, *p);
        if (r >= 0) { /* deny wins: nspawn's rule when both lists name a call */
                set_subtract(&allowed, &denied);
                r = compile_per_arch(&allowed, &nosys, ret, ret_n);
        }
        set_done(&allowed);
        set_done(&refused);
        set_done(&denied);
        set_done(&nosys);
        return r;
}

int seccomp_compile_args(struct sock_filter **ret, size_t *ret_n) {
        return compile_per_arch(NULL, NULL, ret, ret_n);
}

static int add_arg_rules(scmp_filter_ctx ctx) {
        int r;

        /* Audit does not work in a container; EAFNOSUPPORT is what audit userspace takes for "no audit in this
         * kernel", so it stays quiet instead of failing. Compared on the low 32 bits: the kernel takes int. On
         * i386 socket() may go through socketcall(), whose arguments a filter cannot see: not added there. */
        r = seccomp_rule_add_exact(ctx, SCMP_ACT_ERRNO(EAFNOSUPPORT), SCMP_SYS(socket), 2,
                                   SCMP_A0(SCMP_CMP_MASKED_EQ, 0xffffffffULL, AF_NETLINK),
                                   SCMP_A2(SCMP_CMP_MASKED_EQ, 0xffffffffULL, NETLINK_AUDIT));
        if (r < 0 && r != -EINVAL && r != -EDOM)
                return r;
        /* TIOCSTI pushes input into a terminal: on a terminal the container shares with the host (its console
         * with --console=pipe), that input would be read by the host's shell. The request number is an unsigned
         * int to the kernel: the high 32 bits must not hide it. */
        r = seccomp_rule_add_exact(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(ioctl), 1,
                                   SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffULL, TIOCSTI));
        if (r < 0 && r != -EDOM)
                return r;
        return 0;
}

/* The allow list as ranges (bpf-compact.h): each start loads it, and the kernel's load is in proportion to its
 * length. Where the rewrite does not apply, or cannot prove itself equal, libseccomp's program stays. */
static int compact(struct sock_filter **prog, size_t *n) {
        struct sock_filter *small = NULL;
        size_t n_small = 0;
        int r;

        r = bpf_compact(*prog, *n, &small, &n_small);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return 0;
        free(*prog);
        *prog = small;
        *n = n_small;
        return 0;
}

/* allowed NULL: the argument program. */
static int compile_per_arch(const SyscallSet *allowed, const SyscallSet *nosys, struct sock_filter **ret,
                            size_t *ret_n) {
        bool args = !allowed;
        scmp_filter_ctx all = NULL;
        int r = 0;

        for (size_t i = 0; i < ELEMENTSOF(local_archs) && r >= 0; i++) {
                scmp_filter_ctx ctx;

                r = arch_ctx(local_archs[i], args ? SCMP_ACT_ALLOW : SCMP_ACT_ERRNO(ENOSYS), &ctx);
                if (r < 0)
                        break;
                r = args ? add_arg_rules(ctx) : fill_arch(ctx, local_archs[i], allowed, nosys);
                if (r >= 0 && all)
                        r = seccomp_merge(all, ctx); /* takes ctx on success */
                else if (r >= 0)
                        all = ctx;
                if (r < 0)
                        seccomp_release(ctx);
        }
        if (r >= 0)
                r = export_bpf(all, ret, ret_n);
        seccomp_release(all);
        if (r >= 0 && !args)
                r = compact(ret, ret_n);
        return r;
}
