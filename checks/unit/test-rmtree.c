/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ctl/rmtree.c: deleting a container's state by fd, never through a symlink, never into another mount (a bind of
 * the same file system included). The mount checks need root and a private mount namespace of our own. */
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../ctl/rmtree.c"
#include "tap.h"

static char base[] = "/tmp/test-rmtree-XXXXXX";

static char *at(const char *rel) {
        static char buf[4][512];
        static int i;

        i = (i + 1) % 4;
        snprintf(buf[i], sizeof buf[i], "%s/%s", base, rel);
        return buf[i];
}

static void make(const char *rel, const char *text) {
        if (write_file_atomic(at(rel), text, 0644) < 0)
                diag("cannot write %s: %m", rel);
}

static void test_walk(void) {
        (void) mkdir(at("host"), 0755);
        make("host/key", "host only");
        (void) mkdir(at("host2"), 0755);
        make("host2/keep", "bound in");
        (void) mkdir(at("state"), 0755);
        (void) mkdir(at("state/a"), 0755);
        (void) mkdir(at("state/a/b"), 0755);
        make("state/a/b/f", "x");
        (void) mkfifo(at("state/a/fifo"), 0644);
        if (symlink(at("host"), at("state/link")) < 0 || symlink(at("host"), at("state/a/dirlink")) < 0)
                diag("symlink: %m");
        (void) mkdir(at("state/sub"), 0755);
        (void) mkdir(at("state/sub/bind"), 0755);
        make("state/sub/x", "x");
        if (mount(at("host2"), at("state/sub/bind"), NULL, MS_BIND, NULL) < 0) {
                skip("cannot bind-mount here: %m");
                return;
        }
        is_int(refuse_mounts_below(at("state")), -EBUSY, "a bind mount below the state is seen in mountinfo");
        is_int(refuse_mounts_below(at("host")), 0, "nothing is mounted below another directory");
        is_int(rm_tree_one_mount(at("state")), -EBUSY, "the walk stops at the bind mount (same file system)");
        ok(access(at("host2/keep"), F_OK) == 0, "the bound host directory keeps its file");
        ok(access(at("state/sub/bind"), F_OK) == 0, "its mount point and parent stay");
        ok(access(at("host/key"), F_OK) == 0, "a symlink to a host directory was not followed");
        ok(faccessat(AT_FDCWD, at("state/link"), F_OK, AT_SYMLINK_NOFOLLOW) < 0, "…it was removed");
        ok(access(at("state/a"), F_OK) < 0 && access(at("state/sub/x"), F_OK) < 0,
           "everything else is gone (a FIFO and a nested symlink included)");
        (void) umount2(at("state/sub/bind"), MNT_DETACH);
        is_int(rm_tree_one_mount(at("state")), 0, "unmounted, the rest goes");
        ok(access(at("state"), F_OK) < 0, "…the state directory too");
        is_int(rm_tree_one_mount(at("state")), -ENOENT, "nothing there: -ENOENT");
        if (symlink(at("host"), at("state")) < 0)
                diag("symlink: %m");
        is_int(rm_tree_one_mount(at("state")), 0, "a state that is a symlink is removed");
        ok(access(at("host/key"), F_OK) == 0, "…not followed");
}

int main(void) {
        if (geteuid() != 0)
                skip("rm_tree_one_mount: needs root for bind mounts");
        else if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
                skip("rm_tree_one_mount: no private mount namespace here: %m");
        else if (!mkdtemp(base))
                skip("rm_tree_one_mount: cannot make a temporary directory: %m");
        else {
                test_walk();
                (void) umount2(at("state/sub/bind"), MNT_DETACH);
                (void) rm_tree_one_mount(base);
        }
        return tap_done();
}
