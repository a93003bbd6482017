/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Test-only, as the launcher's NIXOS_NSPAWN_TEST_STOP_AT (spawn/testhook.h): NIXOS_NSPAWNCTL_TEST_STOP_AT=NAME
 * makes nixos-nspawnctl stop itself (SIGSTOP) at the point called NAME, so a test can SIGKILL it between two steps
 * of a multi-step change and check that the next command finishes it. Harmless to ship for the same reasons: only
 * root runs nixos-nspawnctl usefully and can stop or kill it at any moment anyway; nothing else changes.
 *
 * The points: profile-migrate-1 .. profile-migrate-4 (profile.c); live-namespace (the point's namespace bound,
 * the host's point still mounted), live-layer (a layer built, not attached), live-beneath (the new layer below the
 * old one, not yet detached), live-drop (a switch's second swap: the layer writable in the point's namespace,
 * nothing removed yet) in live.c. */
void test_stop_point(const char *name);
