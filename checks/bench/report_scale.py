"""Section 9 of docs/benchmarks.md: scale through the unit in the systemd test host (checks/bench/scale-unit.sh).

Kept apart from report.py (one concern per file): load() reads scale-unit.tsv, target() gives the row for the
targets table, section() writes the section, finding() the note on what limits N.
"""
import os

COLS = ("n", "started", "active", "leased", "ready_s", "lease_s", "memavail0_kb", "memavail1_kb", "teardown_s",
        "left", "cores", "inotify_per_ct", "inotify_max", "pid_max", "failed_why", "cpu_ms", "idle_ms", "watches_per_ct", "watches_max", "cpu_wait_ms",
        "cpu_settled_ms", "settled_s", "networkd_fds", "networkd_nofile", "lease_verified")
# the cgroups of cpu_ms and idle_ms, in their order (scale-unit.sh's $cgs)
CPU_CGS = ("the units (machine.slice: launchers, monitors, containers)", "networkd", "machined", "journald",
           "PID 1", "the whole test host")


def load(r):
    rows, meta = [], {}
    path = os.path.join(r, "scale-unit.tsv")
    if not os.path.exists(path):
        return {"rows": rows, "meta": meta}
    for line in open(path):
        line = line.rstrip("\n")
        if line.startswith("#"):
            k, _, v = line[1:].partition(" ")
            meta[k] = v
            continue
        f = line.split("\t")
        if len(f) < len(COLS) - 1:
            continue
        row = dict(zip(COLS, f + [""] * (len(COLS) - len(f))))
        for k in ("n", "started", "active", "leased", "memavail0_kb", "memavail1_kb", "cores", "inotify_per_ct",
                  "inotify_max", "pid_max", "watches_per_ct", "watches_max", "networkd_fds", "networkd_nofile",
                  "lease_verified"):
            row[k] = int(row[k]) if row[k].strip().lstrip("-").isdigit() else None
        for k in ("ready_s", "lease_s", "teardown_s", "cpu_wait_ms", "settled_s"):
            try:
                row[k] = float(row[k])
            except ValueError:
                row[k] = None
        row["failed_why"] = row["failed_why"].strip()
        for k in ("cpu_ms", "idle_ms", "cpu_settled_ms"):
            try:
                row[k] = [float(v) for v in row[k].split(",")] if row[k].strip() else None
            except ValueError:
                row[k] = None
        row["cpu_s"] = _net_cpu_s(row)
        row["cpu_settled_s"] = _net_cpu_s(row, "cpu_settled_ms", "settled_s")
        rows.append(row)
    return {"rows": rows, "meta": meta}


def _net_cpu_s(row, key="cpu_ms", span="lease_s"):
    """CPU seconds of the whole test host from the start to the last lease (or to settled), its background rate
    subtracted."""
    c, i = row.get(key), row.get("idle_ms")
    if not c or row.get(span) is None:
        return None
    idle = i[-1] / 2.0 if i else 0.0  # ms of background per second (measured over 2 s)
    return max(c[-1] - idle * row[span], 0.0) / 1e3


def _median(v):
    v = sorted(v)
    if not v:
        return None
    return v[len(v) // 2] if len(v) % 2 else (v[len(v) // 2 - 1] + v[len(v) // 2]) / 2


def _ones(d):
    return [x for x in d["rows"] if x["n"] == 1 and x["leased"] == 1]


def boot_cpu(d, key="cpu_settled_s"):
    """CPU of one boot (container and host side), seconds: the median of the N = 1 runs (some at the start, one after
    each larger N, so they span the same stretch of the machine's time), from the start to 5 s after
    its lease, when the boot's work after the lease is done too (key="cpu_s": to the lease only). At N, the
    containers leased early do that work inside the time to the last lease."""
    v = [x[key] if x.get(key) is not None else x["cpu_s"] for x in _ones(d)]
    return _median([c for c in v if c is not None])


def efficiency(d, row, key="cpu_settled_s"):
    """(N × CPU of one boot ÷ cores) ÷ wall time to all leased: 1.0 = the cores did nothing but boots."""
    c = boot_cpu(d, key)
    if c is None or not row["lease_s"]:
        return None
    return row["n"] * c / (row["cores"] or 1) / row["lease_s"]


def one_boot(d):
    """Leased, one container alone (median of the N = 1 runs): the unit of the target."""
    return _median([x["lease_s"] for x in _ones(d) if x["lease_s"] is not None])


def _budget(d, row):
    b = one_boot(d)
    return b * row["n"] / (row["cores"] or 1) if b is not None else None


def _all_ok(row):
    # a row from before lease_verified was reported has None there: its leases count as they were timed
    verified = row["lease_verified"] in (None, row["n"])
    return row["leased"] == row["n"] and verified and row["left"].split(":")[0] == "0"


def target(d):
    name = ("scale (systemd test host, through the unit, veth + networkd): efficiency = (N × CPU of one boot ÷ "
            "cores) ÷ wall time to all leased ≥ 0.9 at N = 100 and N = 200, all leased, nothing left")
    rows = [x for x in d["rows"] if x["n"] in (100, 200)]
    if not rows:
        return {"target": name, "measured": "n/a (not run)", "met": None}
    parts, met = [], True
    for n in (100, 200):
        x = [r for r in rows if r["n"] == n]
        if not x:
            parts.append("%d: not run" % n)
            met = False
            continue
        x = x[0]
        e = efficiency(d, x)
        ok = _all_ok(x) and e is not None and e >= 0.9
        met = met and ok
        e0 = efficiency(d, x, "cpu_s")
        parts.append("%d: %s of %d leased in %s (%s verified), efficiency %s (%s with one boot's CPU to its lease "
                     "only), left %s" % (
            n, x["leased"], n, "%.2f s" % x["lease_s"] if x["lease_s"] is not None else "n/a",
            "n/a" if x["lease_verified"] is None else x["lease_verified"],
            "%.2f" % e if e is not None else "n/a", "%.2f" % e0 if e0 is not None else "n/a", x["left"] or "0"))
    c, c0 = boot_cpu(d), boot_cpu(d, "cpu_s")
    return {"target": name,
            "measured": "one boot (median of %d): %s wall to the lease, %s CPU to settled (%s to the lease; cgroups of "
                        "the test host, background subtracted); %s" % (
                len(_ones(d)), "%.2f s" % one_boot(d) if one_boot(d) else "n/a",
                "%.3f s" % c if c is not None else "n/a", "%.3f s" % c0 if c0 is not None else "n/a",
                "; ".join(parts)),
            "met": met}


def section(d, w, na):
    w("## 9. Scale through the unit, in the systemd test host")
    w("")
    w("`checks/bench/scale-unit.sh`: the systemd test host (`checks/system/`, Debian with systemd, networkd, "
      "resolved and machined, booted by our launcher) gets `make install`; then N containers, each "
      "`/etc/nixos-nspawn/NAME.conf` with `-D <the test host's own image> -U --network-veth` (networkd and "
      "resolved inside too), are started by one `systemctl start nixos-nspawn@NAME…` (Type=notify: it returns when "
      "every container's systemd said READY=1). *Ready* = until that returns; *leased* = until every container "
      "has an IPv4 address on `host0` from the host end's DHCP server (networkd on both ends; after the timing, "
      "*verified* = how many of these addresses the host end's networkd lists as offered by its DHCP server); "
      "host memory per "
      "container = drop of `MemAvailable` from before the start to 2 s after the last lease, ÷ N (the test host "
      "shares the kernel, so this is the machine's; other work moves it, small N is noisy); teardown = one "
      "`systemctl stop` of all; *left* = `ve-` links, host units, locks, cgroups, registrations and launcher "
      "processes of these machines still there 3 s after. *CPU* = `usage_usec` of the test host's cgroup "
      "namespace root (every process of the test host: launchers, monitors, containers, networkd, machined, "
      "journald, PID 1), from the start to the last lease, the host's background rate over 2 s before subtracted. "
      "*Cores busy* = that CPU ÷ *leased*; *waiting for a CPU* = the test host's `cpu.pressure` (*some*: at "
      "least one of its tasks runnable but not running) over the same span ÷ *leased*: high when the boots are "
      "short of CPU (each other, or the machine's other work), low when they wait on something else. "
      "*CPU per container, settled* = the same CPU from the start to 5 s after the last lease, ÷ N: a boot's work "
      "does not end at its lease (the end of the boot after `READY=1`, mDNS probes and announcements, router "
      "advertisements), and at N the containers leased early do it inside the time to the last lease. "
      "*Efficiency* = (N × CPU of one boot ÷ cores) ÷ *leased*, the CPU of one boot being the median *CPU per "
      "container, settled* of the N = 1 runs (each is a row: three at the start and one after each larger N, so that "
      "they span the same stretch of the machine's time as the large runs): 1.0 when the cores do nothing but the "
      "boots, each as cheap as one alone; the target is ≥ 0.9 at 100 and 200. (Counting one boot's CPU only to "
      "its lease would call the early containers' after-lease work at N a growth of each boot's CPU; counting it "
      "to settled credits the last containers' after-lease work, which falls outside the time to the last lease: "
      "a bias of at most that work, a few ms per container leased in the last 5 s. The targets line gives both.) "
      "What stands between it and 1.0 is the "
      "sum of three: each boot costing more CPU at N than alone (*CPU per container, settled* against the N = 1 "
      "rows; the breakdown below says which part grows), cores left idle (*cores busy* below the cores), and the "
      "machine's other work taking them (*waiting for a CPU* while cores are not busy with the test host).")
    w("")
    if not d["rows"]:
        w(na("scale-unit"))
        w("")
        return
    w("| Containers | Ready (all active) | Leased (all) | CPU to all leased | CPU per container, settled | Cores busy | "
      "Waiting for a CPU | Efficiency | | Host memory per container | Teardown (all) | Active / leased / verified | "
      "Left |")
    w("|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---|")
    for x in d["rows"]:
        e = efficiency(d, x)
        mem = ((x["memavail0_kb"] - x["memavail1_kb"]) / x["n"] / 1024
               if x["memavail0_kb"] is not None and x["memavail1_kb"] is not None else None)
        ok = None if x["n"] not in (100, 200) else (_all_ok(x) and e is not None and e >= 0.9)
        busy = x["cpu_s"] / x["lease_s"] if x["cpu_s"] is not None and x["lease_s"] else None
        wait = x["cpu_wait_ms"] / 1e3 / x["lease_s"] if x["cpu_wait_ms"] is not None and x["lease_s"] else None
        w("| %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s / %s / %s | %s |" % (
            x["n"], "%.2f s" % x["ready_s"] if x["ready_s"] is not None else "n/a",
            "%.2f s" % x["lease_s"] if x["lease_s"] is not None else "n/a",
            "%.2f s" % x["cpu_s"] if x["cpu_s"] is not None else "n/a",
            "%.0f ms" % (1e3 * x["cpu_settled_s"] / x["n"]) if x.get("cpu_settled_s") is not None else "n/a",
            "%.2f of %d" % (busy, x["cores"] or 0) if busy is not None else "n/a",
            "%.0f%% of the time" % (100 * wait) if wait is not None else "n/a",
            "%.2f" % e if e is not None else "n/a",
            "" if ok is None else ("**met**" if ok else "**missed**"),
            "%.1f MiB" % mem if mem is not None else "n/a",
            "%.2f s" % x["teardown_s"] if x["teardown_s"] is not None else "n/a",
            x["active"], x["leased"], "n/a" if x["lease_verified"] is None else x["lease_verified"], x["left"] or "0"))
    w("")
    one = [x for x in _ones(d) if x.get("cpu_settled_ms") or x["cpu_ms"]]
    key = lambda x: x.get("cpu_settled_ms") or x["cpu_ms"]  # noqa: E731 (settled where measured)
    if one:
        one.sort(key=lambda x: key(x)[-1])
        c = key(one[len(one) // 2])
        def ms_of(v, n=1):  # a counter that went down: the daemon restarted (a new cgroup), not negative CPU
            return "%.0f" % (v / n) if v >= 0 else "n/a (restarted during the run)"
        w("Where one boot's CPU goes (the median N = 1 run, start to settled, ms by cgroup `cpu.stat`): " + "; ".join(
            "%s %s" % (name, ms_of(v)) for name, v in zip(CPU_CGS, c)) + ". Per container at each larger N (start to 5 s after the last lease): " +
            " — ".join("N = %d: " % big["n"] + "; ".join("%s %s" % (name, ms_of(v, big["n"]))
                                                         for name, v in zip(CPU_CGS, key(big)))
                       for big in d["rows"] if big["n"] > 1 and key(big)) + ".")
    w("")
    u = d["meta"].get("unit_cgroups_ms_1")
    if u:
        cg = dict(kv.split("=", 1) for kv in u.split() if "=" in kv)
        try:
            tot, pay, sup = float(cg[""]), float(cg["/payload"]), float(cg.get("/supervisor", 0))
            w("One container's unit, N = 1, by its cgroups (ms from the start to the lease): %.0f in all; the "
              "container's own processes (`payload/`) %.0f, of them its PID 1 %s and its services %s; the monitor "
              "(`supervisor/`) %.0f; the unit's own cgroup (the launcher before it made those) %.0f.%s" % (
                  tot, pay, cg.get("/payload/init.scope", "?"), cg.get("/payload/system.slice", "?"), sup,
                  tot - pay - sup,
                  " The boot's CPU is the container's systemd and services (%.0f%%), not ours: a cheaper launcher "
                  "cannot move the efficiency much." % (100 * pay / tot) if tot and pay / tot > 0.9 else ""))
            w("")
        except (KeyError, ValueError):
            pass
    why = [x for x in d["rows"] if x["failed_why"]]
    for x in why:
        w("With %d containers, a start failed: %s" % (x["n"], x["failed_why"].replace("|", "\\|")))
        w("")
    w(finding(d))
    w("")


def finding(d):
    rows = d["rows"]
    if not rows:
        return ""
    per = max((x["inotify_per_ct"] or 0) for x in rows)
    default = d["meta"].get("inotify_host_default", "?")
    cores = rows[0]["cores"]
    text = ("**Host limits for N:** each container holds %d inotify instances, all charged to host root against "
            "`fs.inotify.max_user_instances` (this host's default: %s; the kernel's: 128), so a default host "
            "stops at about %s containers (the next ones' systemd fails with *Too many open files*); the NixOS "
            "module sets 8192 (`nixos/host.nix`), and this run did the same. Nothing else but networkd's open files (below) limited N here: the UID "
            "pool has 28664 ranges of 64K, a veth needs no bridge port (a zone's bridge takes at most 1024), "
            "`pid_max` in the test host is %s. Efficiency counts %s cores' worth of boots overlapping "
            "perfectly." % (
                per, default,
                ("%d (kernel default) or %d (this host)" % (128 // per, int(default) // per)
                 if per and default.isdigit() else "n/a"),
                rows[0]["pid_max"], cores))
    fds = sorted((x["n"], x["networkd_fds"], x.get("networkd_nofile")) for x in rows
                 if x.get("networkd_fds") is not None)
    if len(fds) >= 2 and fds[-1][0] > fds[0][0]:
        (n0, f0, _), (n1, f1, lim) = fds[0], fds[-1]
        per = (f1 - f0) / float(n1 - n0)
        text += (" networkd holds %.1f open files per container (%d with %d up, %d with %d), all sockets of the host "
                 "ends (DHCP server, LLDP, IPv4 link-local, router advertisements), against its soft RLIMIT_NOFILE "
                 "(%s in this run): at the default of 1024, which networkd does not raise itself, it fails the links "
                 "of containers past about %s (*Could not start DHCPv4 server instance: Too many open files*; those "
                 "never get a lease). The NixOS module gives it `LimitNOFILE=65536:524288` (`nixos/host.nix`), the "
                 "test host the same (`checks/system/testhost/`); another host needs that drop-in for "
                 "`systemd-networkd.service`." % (
                     per, f1, n1, f0, n0, lim if lim is not None else "?",
                     "%d" % ((1024 - f0) / per) if per > 0 else "n/a"))
    w = max((x.get("watches_per_ct") or 0) for x in rows)
    wmax = rows[-1].get("watches_max")
    if w:
        text += (" Inotify watches: %d per container, charged to host root as well against "
                 "`fs.inotify.max_user_watches` (%s here; the kernel sizes its default by memory, about 1%% of it "
                 "at 1 KiB a watch, from 8192 up): room for %s containers here and %d at the kernel's smallest "
                 "default, so neither the module nor this run changes it (a host whose containers hold many more "
                 "watches would need to)." % (
                     w, wmax if wmax is not None else "?", (wmax // w) if wmax else "?", 8192 // w))
    return text
