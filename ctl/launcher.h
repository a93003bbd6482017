/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The launcher binary: $NIXOS_NSPAWN, else nixos-nspawn next to us, else from PATH. */
const char *launcher_binary(void);
