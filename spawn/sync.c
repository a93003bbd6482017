/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "sync.h"
#include "testhook.h"

void sync_point(SyncPoint n) {
        test_stop_at((int) n);
}
