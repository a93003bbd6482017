/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <link.h>
#include <malloc.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "trim.h"

/* Read-only segments of the program and its libraries (code, constants) are clean file pages: dropping them from
 * our page tables (MADV_DONTNEED) costs nothing now, the page cache keeps them, and the few the monitor's loop
 * runs fault back in (minor faults). Set-up touched most of libc and of the launcher (option parsing, mounts,
 * netlink, the seccomp program), the loop touches a few pages of each. Only segments without write permission:
 * a written private page (data, GOT, RELRO) has no other copy and MADV_DONTNEED would reset it to the file's. Each
 * range is shrunk to whole pages inside the segment, so a page shared with a writable neighbour is left alone. */
static int drop_readonly_segments(struct dl_phdr_info *info, size_t size, void *userdata) {
        uintptr_t page = (uintptr_t) userdata;

        for (size_t i = 0; i < info->dlpi_phnum; i++) {
                const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
                uintptr_t start, end;

                if (ph->p_type != PT_LOAD || (ph->p_flags & PF_W))
                        continue;
                start = (info->dlpi_addr + ph->p_vaddr + page - 1) & ~(page - 1);
                end = (info->dlpi_addr + ph->p_vaddr + ph->p_memsz) & ~(page - 1);
                if (end > start)
                        (void) madvise((void *) start, end - start, MADV_DONTNEED);
        }
        return 0;
}

void trim_after_setup(void) {
        /* the heap's free pages (closure list, settings text, netlink buffers freed by now) */
        (void) malloc_trim(0);
        (void) dl_iterate_phdr(drop_readonly_segments, (void *) (uintptr_t) sysconf(_SC_PAGESIZE));
}
