/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "lockfile.h"
#include "tap.h"

/* lockfile.c's pauses between asking again, counted (this definition takes the place of libc's in the test):
 * whether a probe waited is a count, not a time. */
static unsigned pauses;
int nanosleep(const struct timespec *req, struct timespec *rem) {
        (void) req;
        (void) rem;
        pauses++;
        return 0;
}

/* A probe must not look like a holder to another probe: `state` read a stopped container as "starting" whenever a
 * concurrent `list` probed the same lock file (both probed with an exclusive lock). Here a second open file
 * description stands for the other prober, holding the probe's lock while ours asks. */
int main(void) {
        char dir[] = "/tmp/test-lockfile-XXXXXX", path[64];
        int holder = -1, prober, fd;

        if (!mkdtemp(dir)) {
                printf("1..0 # SKIP no temporary directory\n");
                return 0;
        }
        snprintf(path, sizeof path, "%s/lock", dir);
        ok(!lock_is_held(path), "a missing lock file is not held");
        ok(!lock_is_held_now(path), "nor to lock_is_held_now");

        is_int(lock_file(path, &holder), 0, "lock_file takes a free lock");
        pauses = 0;
        ok(lock_is_held(path), "a taken lock is held");
        ok(pauses > 0, "lock_is_held asks a refusal again before calling it held");
        pauses = 0;
        ok(lock_is_held_now(path), "lock_is_held_now: a taken lock is held");
        /* the sweep asks this of every running machine, in each directory it looks at: a pause per ask was 11 ms
         * a start per running machine and directory */
        is_int((int) pauses, 0, "and it says so without pausing");
        fd = -1;
        is_int(lock_file(path, &fd), -EWOULDBLOCK, "a second taker is refused");
        holder = unlock_file(path, holder);
        ok(!lock_is_held(path), "an unlocked lock is not held");
        ok(access(path, F_OK) < 0, "and its file is gone");

        prober = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        ok(prober >= 0 && flock(prober, LOCK_SH | LOCK_NB) == 0, "another prober holds its probe's (shared) lock");
        ok(!lock_is_held(path), "a probe in progress elsewhere does not make the lock look held");
        ok(!lock_is_held_now(path), "nor to lock_is_held_now");
        close(prober);

        unlink(path);
        rmdir(dir);
        return tap_done();
}
