/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Called once by the monitor when the container runs and set-up is over: gives the kernel back what set-up used
 * and the monitor will not, so the process that stays for the container's life holds only what it touches. */
void trim_after_setup(void);
/* The monitor calls it once it has been idle this long, after READY=1 or before (a short-lived container exits
 * first). */
#define TRIM_READY_IDLE_MS 100
#define TRIM_IDLE_MS 1000
