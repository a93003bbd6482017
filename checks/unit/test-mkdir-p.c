/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Claims about mkdir_p() (common/fileio.c): it makes every missing component, takes an existing directory as
 * done, and says why it cannot. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "tap.h"

int main(void) {
        char dir[] = "/tmp/test-mkdir-p-XXXXXX", path[128], file[128];
        struct stat st;

        if (!mkdtemp(dir)) {
                printf("1..0 # SKIP no temporary directory\n");
                return 0;
        }
        umask(022);
        snprintf(path, sizeof path, "%s/a/b/c", dir);
        is_int(mkdir_p(path, 0700), 0, "three missing components are made");
        ok(stat(path, &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 07777) == 0700, "the last one with the mode");
        snprintf(file, sizeof file, "%s/a/b", dir);
        ok(stat(file, &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 07777) == 0700, "and those above it too");
        is_int(mkdir_p(path, 0700), 0, "an existing directory is done");
        snprintf(path, sizeof path, "%s/a/b/d", dir);
        is_int(mkdir_p(path, 0755), 0, "one missing last component under existing ones is made");
        ok(stat(path, &st) == 0 && S_ISDIR(st.st_mode), "and is there");
        snprintf(file, sizeof file, "%s/f", dir);
        fclose(fopen(file, "w"));
        snprintf(path, sizeof path, "%s/f/x/y", dir);
        is_int(mkdir_p(path, 0755), -ENOTDIR, "a file in the way is ENOTDIR");

        snprintf(path, sizeof path, "rm -rf '%s'", dir);
        if (system(path) != 0)
                diag("could not remove %s", dir);
        return tap_done();
}
