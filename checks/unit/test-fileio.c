/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "tap.h"

/* open_regular() refuses what is not a regular file without opening it: a FIFO with no writer would block a plain
 * open() forever, so these checks hang (and the runner's deadline fails them) if the refusal ever goes. */
int main(void) {
        char dir[] = "/tmp/test-fileio-XXXXXX", path[64];
        char *text = NULL;
        int fd = -1;

        if (!mkdtemp(dir)) {
                printf("1..0 # SKIP no temporary directory\n");
                return 0;
        }
        snprintf(path, sizeof path, "%s/fifo", dir);
        ok(mkfifo(path, 0600) == 0, "a FIFO is made");
        alarm(10); /* a hang is a failure, not a stuck test run */
        is_int(open_regular(path, &fd), -EBADFD, "open_regular refuses a FIFO, without blocking");
        is_int(read_full_file(path, &text, NULL), -EBADFD, "read_full_file refuses a FIFO, without blocking");
        is_str(file_type_name(path), "a FIFO", "and names it");
        unlink(path);

        is_int(open_regular(dir, &fd), -EISDIR, "open_regular refuses a directory");
        is_int(open_regular("/dev/null", &fd), -EBADFD, "open_regular refuses a device");
        is_str(file_type_name("/dev/null"), "a character device", "and names it");

        snprintf(path, sizeof path, "%s/file", dir);
        fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
        ok(fd >= 0 && write(fd, "abc", 3) == 3, "a regular file is made");
        close(fd);
        fd = -1;
        is_int(read_full_file(path, &text, NULL), 0, "read_full_file reads a regular file");
        is_str(text, "abc", "all of it");
        free(text);
        snprintf(path, sizeof path, "%s/link", dir);
        ok(symlink("file", path) == 0 && open_regular(path, &fd) == 0 && fd >= 0, "a symlink to one is followed");
        if (fd >= 0)
                close(fd);
        unlink(path);
        snprintf(path, sizeof path, "%s/file", dir);
        unlink(path);
        rmdir(dir);
        return tap_done();
}
