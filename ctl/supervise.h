/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "runner.h"

/* Without systemd: a detached supervisor of our own (supervise.c). */
extern const Runner supervisor_runner;
