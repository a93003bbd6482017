/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Prints the launcher's API mount table (spawn/mount-table.c) as a start with these options applies it, one row a
 * line, in the order the rows are mounted: checks/integration/32-api-mounts.sh compares it with the
 * /proc/self/mountinfo of a container started with the same options, so the table itself says what to expect.
 *   api-mounts [--private-network] [--private-users=no]
 * Line: WHERE<TAB>KIND<TAB>WHAT<TAB>TYPE<TAB>FLAGS<TAB>OPTIONS, WHERE absolute, "-" for what a row has not; FLAGS
 * "ro" or "rw", then nosuid, nodev, noexec, strictatime as the mount gets them, or "inherit" for a bind that keeps
 * its source mount's flags; OPTIONS a file system's options as the table has them. */
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>

#include "mount-table.h"
#include "settings.h"

static const char *flags_string(const ApiMountRow *r, char *buf, size_t size) {
        if (r->inherits_flags)
                return "inherit";
        snprintf(buf, size, "%s%s%s%s%s", r->flags & MS_RDONLY ? "ro" : "rw", r->flags & MS_NOSUID ? ",nosuid" : "",
                 r->flags & MS_NODEV ? ",nodev" : "", r->flags & MS_NOEXEC ? ",noexec" : "",
                 r->flags & MS_STRICTATIME ? ",strictatime" : "");
        return buf;
}

int main(int argc, char **argv) {
        Settings s;
        MountPlan p = { .settings = &s, .userns = true };
        ApiMountRow row;
        char flags[64];

        settings_init(&s);
        for (int i = 1; i < argc; i++)
                if (strcmp(argv[i], "--private-network") == 0)
                        s.private_network = true;
                else if (strcmp(argv[i], "--private-users=no") == 0)
                        p.userns = false;
                else {
                        fprintf(stderr, "api-mounts: unknown argument '%s'\n", argv[i]);
                        return 2;
                }
        p.tmp_by = mount_tmp_phase(&s);
        for (size_t i = 0; mount_api_row(i, &p, &row); i++)
                if (row.wanted)
                        printf("/%s\t%s\t%s\t%s\t%s\t%s\n", row.where, row.kind, row.what ?: "-", row.type ?: "-",
                               flags_string(&row, flags, sizeof flags), row.options ?: "-");
        settings_done(&s);
        return 0;
}
