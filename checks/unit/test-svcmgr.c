/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the launcher does itself instead of linking libsystemd and libmount: machine UUIDs, sd_notify() messages to
 * the service manager, and finding the cgroup2 mount in mountinfo. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "id128.h"
#include "mountinfo.h"
#include "svcmgr.h"
#include "tap.h"

static void test_id128(void) {
        sd_id128_t a, b;
        char buf[SD_ID128_STRING_MAX];

        is_int(id128_from_string("0123456789abcdef0123456789ABCDEF", &a), 0, "32 hex digits, either case");
        is_str(id128_to_string(a, buf), "0123456789abcdef0123456789abcdef", "printed as 32 lowercase digits");
        is_int(id128_from_string("01234567-89ab-cdef-0123-456789abcdef", &b), 0, "the dashed UUID form");
        ok(sd_id128_equal(a, b), "…is the same ID");
        is_int(id128_from_string("0123456789-abcdef0123456789abcdef", &b), -EINVAL, "a dash elsewhere is refused");
        is_int(id128_from_string("0123456789abcdef0123456789abcdeg", &b), -EINVAL, "a non-hex digit is refused");
        is_int(id128_from_string("0123456789abcdef0123456789abcde", &b), -EINVAL, "31 digits are refused");
        is_int(id128_from_string("01234567-89ab-cdef-0123-456789abcdefx", &b), -EINVAL, "a trailing byte is refused");
        is_int(id128_from_string("", &b), -EINVAL, "the empty string is refused");
        is_int(id128_randomize(&a), 0, "a random ID");
        is_int(a.bytes[6] >> 4, 4, "…is a version-4 UUID");
        is_int(a.bytes[8] >> 6, 2, "…of the RFC 4122 variant");
        (void) id128_randomize(&b);
        ok(!sd_id128_equal(a, b), "two random IDs differ");
}

static void test_id128_names(void) {
        static const uint8_t k1[16] = { 1 }, k2[16] = { 2 };
        char ubuf[ID128_UUID_STRING_MAX];
        sd_id128_t a, b;

        is_str(id128_to_uuid_string(SD_ID128_MAKE(01, 23, 45, 67, 89, ab, cd, ef, 01, 23, 45, 67, 89, ab, cd, ef), ubuf),
               "01234567-89ab-cdef-0123-456789abcdef", "the dashed UUID form out");
        a = id128_from_keyed_name(k1, "web");
        b = id128_from_keyed_name(k1, "web");
        ok(sd_id128_equal(a, b), "a name's ID is the same every time (a restart keeps its journal directory)");
        ok(!sd_id128_is_null(a) && a.bytes[6] >> 4 == 4 && a.bytes[8] >> 6 == 2, "…formatted as a version-4 UUID");
        b = id128_from_keyed_name(k1, "web2");
        ok(!sd_id128_equal(a, b), "another name, another ID");
        b = id128_from_keyed_name(k2, "web");
        ok(!sd_id128_equal(a, b), "another host (key), another ID for the same name");
        ok(memcmp(a.bytes, k1, 8) != 0 && memcmp(a.bytes + 8, k1 + 8, 8) != 0, "…and the key is not in it");
}

static void test_mountinfo(void) {
        const char *mi =
                "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
                "23 22 0:21 / /sys/fs/cgroup rw shared:2 master:3 - tmpfs tmpfs ro\n"
                "24 23 0:22 / /sys/fs/cgroup/uni\\040fied\\134x rw - cgroup2 cgroup2 rw,nsdelegate\n"
                "25 23 0:23 / /sys/fs/cgroup/other rw - cgroup2 cgroup2 rw\n";
        _cleanup_free_ char *t = NULL;

        is_int(mountinfo_find_fstype(mi, "cgroup2", &t), 0, "a cgroup2 mount is found");
        is_str(t, "/sys/fs/cgroup/uni fied\\x", "…the first one, its mount point unescaped");
        is_int(mountinfo_find_fstype(mi, "cgroup", &t), -ENOENT, "a type is matched whole, not as a prefix");
        is_int(mountinfo_find_fstype("22 1 8:1 / /x rw - cgroup2x a b\n", "cgroup2", &t), -ENOENT,
               "…nor as the prefix of a longer type");
        is_int(mountinfo_find_fstype("22 1 8:1 / /x rw shared:1 ext4 /dev/sda1 rw\n", "ext4", &t), -EINVAL,
               "a line without the separator is refused");
        is_int(mountinfo_find_fstype("22 1\n", "ext4", &t), -EINVAL, "a short line is refused");
        is_int(mountinfo_find_fstype("", "ext4", &t), -ENOENT, "an empty table has nothing");
}

static void test_mountinfo_below(void) {
        const char *mi = "22 1 8:1 / / rw - ext4 /dev/sda1 rw\n"
                         "30 22 8:1 /srv /var/lib/s-1x rw - ext4 /dev/sda1 rw\n"
                         "31 22 8:1 /srv /var/lib/s-1/d\\040ir/bind rw - ext4 /dev/sda1 rw\n";
        _cleanup_free_ char *t = NULL, *u = NULL;

        is_int(mountinfo_find_below(mi, "/var/lib/s-1", &t), 0, "a mount below a directory is found");
        is_str(t, "/var/lib/s-1/d ir/bind", "…that one, unescaped, not the sibling whose name only starts alike");
        is_int(mountinfo_find_below(mi, "/var/lib/s-1x", &u), 0, "a mount on the directory itself counts");
        is_int(mountinfo_find_below(mi, "/var/lib/s-2", &t), -ENOENT, "none below another directory");
        is_int(mountinfo_find_below("22 1 8:1 /\n", "/x", &t), -EINVAL, "a short line is refused");
}

static void test_notify(void) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        char path[] = "/tmp/test-svcmgr-XXXXXX", buf[256];
        int fd;
        ssize_t n;

        unsetenv("NOTIFY_SOCKET");
        is_int(svcmgr_notify("READY=1"), 0, "without NOTIFY_SOCKET there is nobody to tell");
        setenv("NOTIFY_SOCKET", "relative/path", 1);
        is_int(svcmgr_notify("READY=1"), -EINVAL, "a relative socket path is refused");

        ok(mkdtemp(path), "a directory for the socket");
        snprintf(sa.sun_path, sizeof sa.sun_path, "%s/notify", path);
        fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        ok(fd >= 0 && bind(fd, (struct sockaddr *) &sa, sizeof sa) == 0, "a notify socket");
        setenv("NOTIFY_SOCKET", sa.sun_path, 1);
        is_int(svcmgr_notifyf("READY=1\nSTATUS=Container %s started.", "x"), 1, "a message is sent");
        n = recv(fd, buf, sizeof buf - 1, MSG_DONTWAIT);
        buf[n > 0 ? n : 0] = '\0';
        is_str(buf, "READY=1\nSTATUS=Container x started.", "…and arrives whole");
        ok(getenv("NOTIFY_SOCKET"), "NOTIFY_SOCKET stays set for later messages");
        close(fd);
        unlink(sa.sun_path);
        rmdir(path);

        /* an abstract socket: "@name" */
        fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        snprintf(path, sizeof path, "@tsv%d", (int) getpid());
        memset(&sa.sun_path, 0, sizeof sa.sun_path);
        memcpy(sa.sun_path + 1, path + 1, strlen(path) - 1);
        ok(bind(fd, (struct sockaddr *) &sa, (socklen_t) (offsetof(struct sockaddr_un, sun_path) + strlen(path))) == 0,
           "an abstract notify socket");
        setenv("NOTIFY_SOCKET", path, 1);
        is_int(svcmgr_notify("STOPPING=1"), 1, "a message to an abstract socket is sent");
        n = recv(fd, buf, sizeof buf - 1, MSG_DONTWAIT);
        buf[n > 0 ? n : 0] = '\0';
        is_str(buf, "STOPPING=1", "…and arrives");
        close(fd);
        unsetenv("NOTIFY_SOCKET");
}

int main(void) {
        test_id128();
        test_id128_names();
        test_mountinfo();
        test_mountinfo_below();
        test_notify();
        return tap_done();
}
