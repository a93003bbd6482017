/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "caps.h"
#include "macro.h"

/* The set systemd-nspawn keeps by default. Inside a user namespace most of the others mean nothing anyway; with
 * -U no they would be real host powers (loading modules, raw I/O, changing the clock), so they go. */
static const uint64_t container_caps =
        (1ULL << CAP_AUDIT_CONTROL) | (1ULL << CAP_AUDIT_WRITE) | (1ULL << CAP_CHOWN) |
        (1ULL << CAP_DAC_OVERRIDE) | (1ULL << CAP_DAC_READ_SEARCH) | (1ULL << CAP_FOWNER) | (1ULL << CAP_FSETID) |
        (1ULL << CAP_IPC_OWNER) | (1ULL << CAP_KILL) | (1ULL << CAP_LEASE) | (1ULL << CAP_LINUX_IMMUTABLE) |
        (1ULL << CAP_MKNOD) | (1ULL << CAP_NET_BIND_SERVICE) | (1ULL << CAP_NET_BROADCAST) | (1ULL << CAP_NET_RAW) |
        (1ULL << CAP_SETFCAP) | (1ULL << CAP_SETGID) | (1ULL << CAP_SETPCAP) | (1ULL << CAP_SETUID) |
        (1ULL << CAP_SYS_ADMIN) | (1ULL << CAP_SYS_BOOT) | (1ULL << CAP_SYS_CHROOT) | (1ULL << CAP_SYS_NICE) |
        (1ULL << CAP_SYS_PTRACE) | (1ULL << CAP_SYS_RESOURCE) | (1ULL << CAP_SYS_TTY_CONFIG);

static const struct {
        int cap;
        const char *name;
} launcher_caps[] = {
        { CAP_SYS_ADMIN, "CAP_SYS_ADMIN" },   { CAP_SETUID, "CAP_SETUID" },   { CAP_SETGID, "CAP_SETGID" },
        { CAP_CHOWN, "CAP_CHOWN" },           { CAP_FOWNER, "CAP_FOWNER" },   { CAP_DAC_OVERRIDE, "CAP_DAC_OVERRIDE" },
        { CAP_MKNOD, "CAP_MKNOD" },           { CAP_KILL, "CAP_KILL" },       { CAP_SYS_CHROOT, "CAP_SYS_CHROOT" },
};

int caps_check_launcher(char *ret_missing, size_t size) {
        struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
        struct __user_cap_data_struct d[2] = {};
        uint64_t eff;
        int missing = 0;

        if (syscall(SYS_capget, &h, d) < 0)
                return -errno;
        eff = (uint64_t) d[0].effective | (uint64_t) d[1].effective << 32;
        ret_missing[0] = 0;
        for (size_t i = 0; i < ELEMENTSOF(launcher_caps); i++)
                if (!(eff & (1ULL << launcher_caps[i].cap))) {
                        size_t len = strlen(ret_missing);
                        snprintf(ret_missing + len, size - len, "%s%s", missing++ ? ", " : "", launcher_caps[i].name);
                }
        return missing;
}

/* Names as in capabilities(7), by number. */
static const char *const cap_names[] = {
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
        "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE",
        "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE",
        "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT",
        "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
        "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG",
        "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
};

const char *capability_to_name(int cap) {
        return cap >= 0 && (size_t) cap < ELEMENTSOF(cap_names) ? cap_names[cap] : NULL;
}

/* As systemd-nspawn takes them: the name in any case ("cap_net_admin"), or the number. */
int capability_from_name(const char *name) {
        size_t n = 0;

        for (size_t i = 0; i < ELEMENTSOF(cap_names); i++)
                if (strcasecmp(name, cap_names[i]) == 0)
                        return (int) i;
        /* (by hand: the seccomp generator links this file alone) */
        for (const char *p = name; isdigit((unsigned char) *p) && n < ELEMENTSOF(cap_names); p++)
                n = n * 10 + (size_t) (*p - '0');
        if (isdigit((unsigned char) name[0]) && name[strspn(name, "0123456789")] == 0 && n < ELEMENTSOF(cap_names) &&
            (name[0] != '0' || name[1] == 0))
                return (int) n;
        return -EINVAL;
}

int parse_capability_list(const char *arg, uint64_t *ret, const char **ret_bad, size_t *ret_bad_len) {
        uint64_t m = 0;

        /* "all": every capability we have a name for, as nspawn */
        if (strcasecmp(arg, "all") == 0) {
                *ret = (1ULL << ELEMENTSOF(cap_names)) - 1;
                return 0;
        }
        for (const char *p = arg;;) {
                size_t n = strcspn(p, ",");
                char name[32];
                int cap = -EINVAL;

                if (n > 0 && n < sizeof name) {
                        memcpy(name, p, n);
                        name[n] = 0;
                        cap = capability_from_name(name);
                }
                if (cap < 0) {
                        *ret_bad = p;
                        *ret_bad_len = n;
                        return -EINVAL;
                }
                m |= 1ULL << cap;
                if (!p[n])
                        break;
                p += n + 1;
        }
        *ret = m;
        return 0;
}

uint64_t caps_container_default(void) {
        return container_caps;
}

uint64_t caps_container(bool private_network, uint64_t add, uint64_t drop) {
        /* CAP_NET_ADMIN only over a network namespace of the container's own: over the host's it would be the
         * host's routing and firewall */
        return ((container_caps | (private_network ? 1ULL << CAP_NET_ADMIN : 0)) | add) & ~drop;
}

int caps_drop_bounding(uint64_t keep) {
        /* Walk all 64 bits rather than our headers' CAP_LAST_CAP: the running kernel may know more. Bits it
         * does not know give EINVAL. */
        for (int c = 0; c < 64; c++)
                if (!(keep & (1ULL << c)) && prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL)
                        return -errno;
        /* What our caller put in the ambient set would survive exec for non-root processes: none of it. */
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
                return -errno;
        return 0;
}
