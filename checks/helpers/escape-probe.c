/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tries, as root inside a container, the ways out of it that root has on a plain host, and prints one line per
 * attempt: "ATTEMPT<TAB>RESULT<TAB>blocked|ESCAPED". Exits 1 when any attempt escaped. Static, without sanitizers:
 * it runs inside the container, under its system call filter (checks/integration/90-escape.sh runs it).
 *
 * Every attempt that would change something if it got through is made with arguments the kernel refuses once
 * it gets past its permission check (a bad fd, bad flags, the value that is already set): "reached the kernel"
 * is then the escape, and nothing on the host changes even when the protection under test is broken.
 *
 *   escape-probe [--outsider=STOREPATH] [--store-path=STOREPATH] [--host-pid=PID] [--host-marker=PATH]
 *                [--bind=DIR] [--host-key=KEYID] [--host-lacks=PATH...]
 *   escape-probe --missing-here   (on the host) prints "--host-lacks=PATH" for each kernel file the attempts use
 *                that this host does not have. An attempt whose file the host lacks, and that finds it missing
 *                inside, is a skip ("ATTEMPT<TAB>REASON<TAB>skipped"), not a refusal: there was nothing to refuse.
 *                A file the host has must be refused inside, not missing: an ENOENT then fails the attempt.
 *   escape-probe --host-keyring -- COMMAND...   (on the host) runs COMMAND in a new session keyring holding one
 *                key; "@HOSTKEY@" (or --host-key=@HOSTKEY@) in COMMAND becomes its id. Prints the keyring's id
 *                and its key count before and after.
 *   escape-probe --host-key=KEYID --keyring-isolation   (inside, keyring calls allowed) prints its session
 *                keyring's id, whether it can read the host's key, whether it can add a key.
 *   escape-probe --io-uring   (inside or on the host) prints "io_uring_setup<TAB>set up" or the error: the test
 *                compares the host's answer with the container's, with and without --system-call-filter=@io_uring. */
#include <errno.h>
#include <fcntl.h>
#include <linux/io_uring.h>
#include <linux/keyctl.h>
#include <linux/netlink.h>
#include <linux/perf_event.h>
#include <linux/bpf.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *outsider, *store_path, *host_marker, *bind_dir;
static long host_pid = -1, host_key = -1;
static unsigned escapes, attempts, skips;

/* The kernel files the attempts below use: which of them a kernel has depends on its configuration. */
#define SYSRQ_TRIGGER "/proc/sysrq-trigger"
#define UEVENT_HELPER "/sys/kernel/uevent_helper"
#define MODPROBE "/proc/sys/kernel/modprobe"
#define CORE_PATTERN "/proc/sys/kernel/core_pattern"
#define DROP_CACHES "/proc/sys/vm/drop_caches"
static const char *const proc_masks[] = { "/proc/kallsyms", "/proc/kcore", "/proc/keys", "/proc/timer_list",
                                          SYSRQ_TRIGGER };
static const char *const kernel_files[] = { SYSRQ_TRIGGER, UEVENT_HELPER, MODPROBE, CORE_PATTERN, DROP_CACHES,
                                            "/proc/kallsyms", "/proc/kcore", "/proc/keys", "/proc/timer_list" };
static const char *host_lacks[sizeof kernel_files / sizeof kernel_files[0]];
static size_t n_host_lacks;

/* One attempt's verdict. blocked: the error the protection gives; anything else reached what it protects. */
static void report(const char *attempt, bool escaped, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void report(const char *attempt, bool escaped, const char *fmt, ...) {
        char result[256];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(result, sizeof result, fmt, ap);
        va_end(ap);
        printf("%s\t%s\t%s\n", attempt, result, escaped ? "ESCAPED" : "blocked");
        fflush(stdout);
        attempts++;
        escapes += escaped;
}

/* An attempt on path failed with err. ENOENT is no refusal: when the host's kernel lacks the file as well, the
 * attempt had nothing to try (a counted skip, with the reason); when the host has it, our mask or read-only mount
 * must refuse it, so a missing file inside is not what protects the host, and the attempt fails. Returns whether
 * it reported. */
static bool report_missing(const char *attempt, const char *path, int err) {
        bool lacks = false;

        if (err != ENOENT)
                return false;
        for (size_t i = 0; i < n_host_lacks; i++)
                lacks = lacks || strcmp(host_lacks[i], path) == 0;
        if (!lacks) {
                report(attempt, true, "ENOENT, though the host has %s (not refused: missing)", path);
                return true;
        }
        printf("%s\tthis kernel has no %s\tskipped\n", attempt, path);
        fflush(stdout);
        skips++;
        return true;
}

static int missing_here(void) {
        for (size_t i = 0; i < sizeof kernel_files / sizeof kernel_files[0]; i++)
                if (access(kernel_files[i], F_OK) < 0 && errno == ENOENT)
                        printf("--host-lacks=%s\n", kernel_files[i]);
        return 0;
}

/* The call r (with errno) must fail with one of the errors in ok (0-terminated). */
static void expect_errno(const char *attempt, long r, int err, const int *ok) {
        if (r >= 0) {
                report(attempt, true, "succeeded (%ld)", r);
                return;
        }
        for (const int *e = ok; *e; e++)
                if (err == *e) {
                        report(attempt, false, "%s", strerrorname_np(err) ?: "?");
                        return;
                }
        report(attempt, true, "reached the kernel: %s", strerrorname_np(err) ?: "?");
}
#define EXPECT(attempt, call, ...)                                                  \
        do {                                                                        \
                long _r;                                                            \
                errno = 0;                                                          \
                _r = (long) (call);                                                 \
                expect_errno(attempt, _r, errno, (const int[]) { __VA_ARGS__, 0 }); \
        } while (0)

/* A file's content must be unreadable or empty. */
static void expect_no_content(const char *attempt, const char *path) {
        char buf[64];
        int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
        ssize_t n;

        if (fd < 0) {
                if (!report_missing(attempt, path, errno))
                        report(attempt, false, "open: %s", strerrorname_np(errno) ?: "?");
                return;
        }
        n = read(fd, buf, sizeof buf);
        close(fd);
        if (n > 0)
                report(attempt, true, "read %zd bytes", n);
        else
                report(attempt, false, n == 0 ? "empty" : "read: %s", strerrorname_np(errno) ?: "?");
}

/* Writes a sysctl its own current value: a protection that fails changes nothing. */
static void expect_unwritable_same(const char *attempt, const char *path) {
        char buf[512];
        ssize_t n;
        int fd;

        fd = open(path, O_RDONLY | O_CLOEXEC);
        n = fd < 0 ? -1 : read(fd, buf, sizeof buf);
        if (fd >= 0)
                close(fd);
        if (n <= 0) {
                if (!report_missing(attempt, path, errno))
                        report(attempt, false, "unreadable: %s", strerrorname_np(errno) ?: "?");
                return;
        }
        fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0) {
                report(attempt, false, "%s", strerrorname_np(errno) ?: "?");
                return;
        }
        n = write(fd, buf, (size_t) n);
        close(fd);
        if (n < 0)
                report(attempt, false, "write: %s", strerrorname_np(errno) ?: "?");
        else
                report(attempt, true, "written");
}

/* Opening for writing is already the escape (nothing is written). */
static void expect_no_write_open(const char *attempt, const char *path) {
        int fd = open(path, O_WRONLY | O_CLOEXEC | O_NONBLOCK);

        if (fd >= 0) {
                close(fd);
                report(attempt, true, "opened for writing");
        } else if (!report_missing(attempt, path, errno))
                report(attempt, false, "%s", strerrorname_np(errno) ?: "?");
}

/* Runs f in a child (for attempts that change our own process: chroot, namespaces); its exit status is 0 for
 * blocked, 1 for escaped, and it prints the result itself to a pipe. */
static void in_child(const char *attempt, int (*f)(char *result, size_t size)) {
        char result[200] = "";
        int p[2], status;
        pid_t pid;

        if (pipe(p) < 0) {
                report(attempt, true, "pipe: %m");
                return;
        }
        pid = fork();
        if (pid == 0) {
                int r;
                close(p[0]);
                r = f(result, sizeof result);
                (void) !write(p[1], result, strlen(result));
                _exit(r);
        }
        close(p[1]);
        ssize_t n = read(p[0], result, sizeof result - 1);
        result[n > 0 ? n : 0] = 0;
        close(p[0]);
        if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
                report(attempt, true, "child died");
        else
                report(attempt, WEXITSTATUS(status) != 0, "%s", result);
}

static int chroot_climb(char *result, size_t size) {
        (void) mkdir("/tmp/.probe-chroot", 0700);
        if (chroot("/tmp/.probe-chroot") < 0) {
                snprintf(result, size, "chroot: %s", strerrorname_np(errno));
                return 0;
        }
        for (int i = 0; i < 64; i++)
                (void) chdir("..");
        (void) chroot(".");
        if (host_marker && access(host_marker, F_OK) == 0) {
                snprintf(result, size, "host file %s visible", host_marker);
                return 1;
        }
        snprintf(result, size, "still in the container's root");
        return 0;
}

static int nested_userns_unmask(char *result, size_t size) {
        if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0) {
                snprintf(result, size, "unshare: %s", strerrorname_np(errno));
                return 0;
        }
        if (umount2("/proc/kallsyms", MNT_DETACH) == 0) {
                snprintf(result, size, "mask unmounted in a nested namespace");
                return 1;
        }
        snprintf(result, size, "umount: %s", strerrorname_np(errno));
        return 0;
}

static void try_tiocsti(const char *attempt, int fd) {
        char c = ' ';

        EXPECT(attempt, ioctl(fd, TIOCSTI, &c), EPERM, EIO);
}

static void try_tiocsti_path(const char *attempt, const char *path) {
        int fd = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);

        if (fd < 0) {
                report(attempt, false, "open: %s", strerrorname_np(errno) ?: "?");
                return;
        }
        try_tiocsti(attempt, fd);
        close(fd);
}

static void probe_kernel(void) {
        static const int eperm[] = { EPERM, 0 };
        struct perf_event_attr pe = {
                .type = PERF_TYPE_SOFTWARE, .size = sizeof pe, .config = PERF_COUNT_SW_CPU_CLOCK, .disabled = 1,
        };
        union bpf_attr ba = { .map_type = BPF_MAP_TYPE_ARRAY, .key_size = 4, .value_size = 4, .max_entries = 1 };

        EXPECT("load a kernel module (init_module)", syscall(SYS_init_module, NULL, 0, ""), EPERM);
        EXPECT("load a kernel module (finit_module)", syscall(SYS_finit_module, -1, "", 0), EPERM);
        EXPECT("unload a kernel module", syscall(SYS_delete_module, "probe_nonexistent", 0), EPERM);
        EXPECT("kexec_load a new kernel", syscall(SYS_kexec_load, 0, 0, NULL, 0xdead0000UL), EPERM);
        EXPECT("kexec_file_load a new kernel", syscall(SYS_kexec_file_load, -1, -1, 0, "", 0), EPERM);
        EXPECT("bpf: create a map", syscall(SYS_bpf, BPF_MAP_CREATE, &ba, sizeof ba), EPERM);
        EXPECT("perf_event_open", syscall(SYS_perf_event_open, &pe, 0, -1, -1, 0), EPERM, EACCES);
        EXPECT("swapon", syscall(SYS_swapon, "/nonexistent-probe", 0), EPERM);
        EXPECT("quotactl", syscall(SYS_quotactl, 0x800001 /* Q_SYNC, USRQUOTA */, NULL, 0, NULL), EPERM);
        EXPECT("set the clock (settimeofday)", syscall(SYS_settimeofday, NULL, NULL), EPERM);
        EXPECT("I/O port access (iopl)", syscall(SYS_iopl, 3), EPERM);
        EXPECT("process accounting (acct)", syscall(SYS_acct, NULL), EPERM);
        EXPECT("read the kernel log (syslog)", syscall(SYS_syslog, 10 /* SIZE_BUFFER */, NULL, 0), EPERM);
        EXPECT("fanotify_init", syscall(SYS_fanotify_init, 0, 0), EPERM);
        EXPECT("audit netlink socket", socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT), EAFNOSUPPORT);
        (void) eperm;
}

static void probe_handles(void) {
        /* "Shocker": inode 2 (a file system's root) by handle, through an fd on a mount of the host's file system
         * (a store path): would open the host's root directory past every mount. */
        struct {
                unsigned int handle_bytes;
                int handle_type;
                unsigned char f_handle[8];
        } h = { .handle_bytes = 8, .handle_type = 1, .f_handle = { 2, 0, 0, 0, 0, 0, 0, 0 } };
        int dfd = open(store_path ?: "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

        EXPECT("open_by_handle_at (shocker) on a host file system", syscall(SYS_open_by_handle_at, dfd, &h, O_RDONLY),
               EPERM);
        if (dfd >= 0)
                close(dfd);
}

static void probe_keyrings(void) {
        char buf[64];

        EXPECT("keyring: add a key to the session keyring",
               syscall(SYS_add_key, "user", "nixos-nspawn-probe", "x", 1, KEY_SPEC_SESSION_KEYRING), EPERM);
        EXPECT("keyring: request_key", syscall(SYS_request_key, "user", "nixos-nspawn-probe-none", NULL, 0), EPERM);
        EXPECT("keyring: keyctl on the session keyring",
               syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0), EPERM);
        if (host_key >= 0)
                EXPECT("keyring: read the host's key by its id", syscall(SYS_keyctl, KEYCTL_READ, host_key, buf, sizeof buf),
                       EPERM, EACCES, ENOKEY);
}

static void probe_proc_sys(void) {
        const char *const *masks = proc_masks;
        char attempt[128];
        long r;

        expect_unwritable_same("write " CORE_PATTERN " (host-wide)", CORE_PATTERN);
        expect_unwritable_same("write " MODPROBE " (host-wide)", MODPROBE);
        expect_no_write_open("open " DROP_CACHES " for writing", DROP_CACHES);
        expect_no_write_open("open " SYSRQ_TRIGGER " for writing", SYSRQ_TRIGGER);
        expect_no_write_open("open " UEVENT_HELPER " for writing", UEVENT_HELPER);
        for (size_t i = 0; i < sizeof proc_masks / sizeof proc_masks[0]; i++) {
                snprintf(attempt, sizeof attempt, "read %s", masks[i]);
                expect_no_content(attempt, masks[i]);
        }
        for (size_t i = 0; i < sizeof proc_masks / sizeof proc_masks[0]; i++) {
                snprintf(attempt, sizeof attempt, "unmount the mask on %s", masks[i]);
                errno = 0;
                r = umount2(masks[i], MNT_DETACH);
                if (r < 0 && report_missing(attempt, masks[i], errno))
                        continue;
                expect_errno(attempt, r, errno, (const int[]) { EINVAL, EPERM, 0 });
        }
        EXPECT("unmount /proc/sys (read-only cover)", umount2("/proc/sys", MNT_DETACH), EINVAL, EPERM);
        EXPECT("unmount /proc (lazily, masks and all)", umount2("/proc", MNT_DETACH), EINVAL, EPERM);
        EXPECT("remount /proc/sys read-write", mount(NULL, "/proc/sys", NULL, MS_REMOUNT | MS_BIND, NULL), EPERM);
        EXPECT("remount /sys read-write (mount)", mount(NULL, "/sys", NULL, MS_REMOUNT | MS_BIND, NULL), EPERM);
        if (mount(NULL, "/sys", NULL, MS_REMOUNT, NULL) == 0) { /* the superblock; the mount stays read-only */
                errno = 0;
                r = open(UEVENT_HELPER, O_WRONLY | O_CLOEXEC);
                if (r >= 0)
                        close((int) r);
                if (r >= 0 || !report_missing("remount /sys read-write (superblock), then write", UEVENT_HELPER, errno))
                        expect_errno("remount /sys read-write (superblock), then write", r, errno,
                                     (const int[]) { EROFS, EACCES, 0 });
        } else
                report("remount /sys read-write (superblock), then write", false, "%s", strerrorname_np(errno));
        (void) mkdir("/tmp/.probe-proc", 0700);
        EXPECT("mount a fresh, unmasked proc", mount("proc", "/tmp/.probe-proc", "proc", 0, NULL), EPERM);
        EXPECT("mount a fresh, writable sysfs", mount("sysfs", "/tmp/.probe-proc", "sysfs", 0, NULL), EPERM);
        in_child("unmount a mask from a nested user namespace", nested_userns_unmask);
}

static void probe_store(void) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        int fd;

        if (store_path) {
                EXPECT("remount a store path read-write", mount(NULL, store_path, NULL, MS_REMOUNT | MS_BIND, NULL),
                       EPERM);
                EXPECT("unmount a store path", umount2(store_path, MNT_DETACH), EINVAL, EPERM);
                (void) mkdir("/tmp/.probe-move", 0700);
                EXPECT("move a store path's mount", mount(store_path, "/tmp/.probe-move", NULL, MS_MOVE, NULL), EINVAL,
                       EPERM);
        }
        EXPECT("remount /nix/store read-write (to add paths)", mount(NULL, "/nix/store", NULL, MS_REMOUNT | MS_BIND,
                                                                       NULL),
               EPERM);
        EXPECT("write into /nix/store", mkdir("/nix/store/probe-new", 0755), EROFS, EACCES, EPERM);
        if (outsider)
                EXPECT("reach a store path outside the closure", access(outsider, F_OK), ENOENT);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        snprintf(sa.sun_path, sizeof sa.sun_path, "/nix/var/nix/daemon-socket/socket");
        EXPECT("connect to the nix-daemon socket", connect(fd, (struct sockaddr *) &sa, sizeof sa), ENOENT);
        close(fd);
}

static void probe_processes(void) {
        if (host_pid > 0) {
                EXPECT("signal a host process (kill)", kill((pid_t) host_pid, 0), ESRCH);
                EXPECT("ptrace a host process", ptrace(PTRACE_ATTACH, (pid_t) host_pid, NULL, NULL), ESRCH);
                EXPECT("open a host process's pidfd", syscall(SYS_pidfd_open, (pid_t) host_pid, 0), ESRCH);
        }
}

static void probe_devices(void) {
        (void) mkdir("/tmp/.probe-dev", 0700);
        EXPECT("mknod a block device (the host's disk)", mknod("/tmp/.probe-dev/sda", S_IFBLK | 0600, makedev(8, 0)),
               EPERM);
        EXPECT("mknod /dev/mem", mknod("/tmp/.probe-dev/mem", S_IFCHR | 0600, makedev(1, 1)), EPERM);
        try_tiocsti_path("TIOCSTI on /dev/console", "/dev/console");
        for (int fd = 0; fd <= 2; fd++)
                if (isatty(fd)) {
                        char attempt[64];
                        snprintf(attempt, sizeof attempt, "TIOCSTI on our fd %d (a terminal)", fd);
                        try_tiocsti(attempt, fd);
                }
        in_child("chroot climbing to the host's root", chroot_climb);
}

static void probe_caps(void) {
        static const int host_caps[] = { 16 /* SYS_MODULE */, 17 /* SYS_RAWIO */, 25 /* SYS_TIME */,
                                         33 /* MAC_ADMIN */, 32 /* MAC_OVERRIDE */, 34 /* SYSLOG */, 39 /* BPF */,
                                         38 /* PERFMON */ };
        unsigned long long bnd = 0;
        char line[256];
        FILE *f = fopen("/proc/self/status", "re");
        bool found = false;

        while (f && fgets(line, sizeof line, f))
                if (sscanf(line, "CapBnd: %llx", &bnd) == 1)
                        found = true;
        if (f)
                fclose(f);
        for (size_t i = 0; i < sizeof host_caps / sizeof host_caps[0]; i++)
                if (!found || (bnd & (1ULL << host_caps[i]))) {
                        report("keep a capability outside nspawn's set", true, "CapBnd %llx has bit %d", bnd,
                               host_caps[i]);
                        return;
                }
        report("keep a capability outside nspawn's set", false, "CapBnd %llx", bnd);
}

static void probe_bind(void) {
        char path[4096];
        int fd;

        if (!bind_dir)
                return;
        /* The host judges this one (it looks at the file's owner and mode on disk): we only make it. */
        snprintf(path, sizeof path, "%s/probe-setuid", bind_dir);
        (void) unlink(path);
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0755);
        if (fd < 0 || fchown(fd, 0, 0) < 0 || fchmod(fd, 04755) < 0)
                printf("# setuid file in the bind: %m\n");
        if (fd >= 0)
                close(fd);
}

/* With the keyring calls allowed (--system-call-filter=@keyring): what the fresh session keyring alone keeps out.
 * Prints facts; the test judges them against the host's. */
static int keyring_isolation(void) {
        char buf[64];
        long r;

        printf("session_keyring\t%ld\n", syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0));
        r = syscall(SYS_keyctl, KEYCTL_READ, host_key, buf, sizeof buf);
        printf("read_host_key\t%s\n", r >= 0 ? "read" : strerrorname_np(errno));
        r = syscall(SYS_add_key, "user", "nixos-nspawn-probe-inside", "x", 1, KEY_SPEC_SESSION_KEYRING);
        printf("add_key\t%s\n", r >= 0 ? "added" : strerrorname_np(errno));
        return 0;
}

/* One ring of one entry, closed again at once. */
static int io_uring_probe(void) {
        struct io_uring_params p = {};
        long fd = syscall(SYS_io_uring_setup, 1, &p);

        if (fd < 0) {
                printf("io_uring_setup\t%s\n", strerrorname_np(errno) ?: "?");
                return 0;
        }
        close((int) fd);
        printf("io_uring_setup\tset up\n");
        return 0;
}

static int host_keyring(char **argv) {
        char id[32];
        long key, before, after;
        int status;
        pid_t pid;

        if (syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, "nixos-nspawn-probe") < 0) {
                perror("keyctl join");
                return 77;
        }
        key = syscall(SYS_add_key, "user", "nixos-nspawn-probe-secret", "host-secret", 11, KEY_SPEC_SESSION_KEYRING);
        if (key < 0) {
                perror("add_key");
                return 77;
        }
        before = syscall(SYS_keyctl, KEYCTL_READ, KEY_SPEC_SESSION_KEYRING, NULL, 0);
        printf("host_keyring\t%ld\n", syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0));
        fflush(stdout);
        snprintf(id, sizeof id, "%ld", key);
        for (char **a = argv; *a; a++)
                if (strcmp(*a, "@HOSTKEY@") == 0)
                        *a = id;
                else if (strncmp(*a, "--host-key=@HOSTKEY@", 20) == 0) {
                        static char opt[64];
                        snprintf(opt, sizeof opt, "--host-key=%s", id);
                        *a = opt;
                }
        pid = fork();
        if (pid == 0) {
                execv(argv[0], argv);
                _exit(127);
        }
        if (pid < 0 || waitpid(pid, &status, 0) < 0)
                return 1;
        after = syscall(SYS_keyctl, KEYCTL_READ, KEY_SPEC_SESSION_KEYRING, NULL, 0);
        /* KEYCTL_READ on a keyring: its size in bytes, 4 per key */
        printf("host_keys_before\t%ld\nhost_keys_after\t%ld\n", before / 4, after / 4);
        return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

int main(int argc, char **argv) {
        for (int i = 1; i < argc; i++) {
                const char *a = argv[i];

                if (strcmp(a, "--host-keyring") == 0 && i + 2 < argc && strcmp(argv[i + 1], "--") == 0)
                        return host_keyring(argv + i + 2);
                else if (strncmp(a, "--outsider=", 11) == 0)
                        outsider = a + 11;
                else if (strncmp(a, "--store-path=", 13) == 0)
                        store_path = a + 13;
                else if (strncmp(a, "--host-pid=", 11) == 0)
                        host_pid = strtol(a + 11, NULL, 10);
                else if (strncmp(a, "--host-marker=", 14) == 0)
                        host_marker = a + 14;
                else if (strncmp(a, "--bind=", 7) == 0)
                        bind_dir = a + 7;
                else if (strncmp(a, "--host-key=", 11) == 0)
                        host_key = strtol(a + 11, NULL, 10);
                else if (strcmp(a, "--keyring-isolation") == 0)
                        return keyring_isolation();
                else if (strcmp(a, "--io-uring") == 0)
                        return io_uring_probe();
                else if (strcmp(a, "--missing-here") == 0)
                        return missing_here();
                else if (strncmp(a, "--host-lacks=", 13) == 0 &&
                         n_host_lacks < sizeof host_lacks / sizeof host_lacks[0])
                        host_lacks[n_host_lacks++] = a + 13;
                else {
                        fprintf(stderr, "escape-probe: unknown argument '%s'\n", a);
                        return 2;
                }
        }
        probe_kernel();
        probe_handles();
        probe_keyrings();
        probe_proc_sys();
        probe_store();
        probe_processes();
        probe_devices();
        probe_caps();
        probe_bind();
        printf("# %u attempts, %u escaped, %u skipped (this kernel lacks the file)\n", attempts, escapes, skips);
        return escapes ? 1 : 0;
}
