"""Section 9 of docs/benchmarks.md: scale through the unit in the systemd test host (checks/bench/scale-unit.sh).

Kept apart from report.py (one concern per file): load() reads scale-unit.tsv, target() gives the row for the
targets table, section() writes the section, finding() the note on what limits N.
"""
import os

COLS = ("n", "started", "active", "leased", "ready_s", "lease_s", "memavail0_kb", "memavail1_kb", "teardown_s",
        "left", "cores", "inotify_per_ct", "inotify_max", "pid_max", "failed_why")


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
                  "inotify_max", "pid_max"):
            row[k] = int(row[k]) if row[k].strip().lstrip("-").isdigit() else None
        for k in ("ready_s", "lease_s", "teardown_s"):
            try:
                row[k] = float(row[k])
            except ValueError:
                row[k] = None
        row["failed_why"] = row["failed_why"].strip()
        rows.append(row)
    return {"rows": rows, "meta": meta}


def one_boot(d):
    """Ready and leased, one container alone: the unit of the target."""
    one = [x for x in d["rows"] if x["n"] == 1 and x["leased"] == 1]
    return one[0]["lease_s"] if one else None


def _budget(d, row):
    b = one_boot(d)
    return b * row["n"] / (row["cores"] or 1) if b is not None else None


def _all_ok(row):
    return row["leased"] == row["n"] and row["left"].split(":")[0] == "0"


def target(d):
    rows = [x for x in d["rows"] if x["n"] > 1]
    if not rows:
        return {"target": "scale (systemd test host, through the unit): N containers with veth + networkd ready "
                          "and leased within (N × one boot) ÷ cores", "measured": "n/a (not run)", "met": None}
    parts, met = [], True
    for x in rows:
        b = _budget(d, x)
        ok = _all_ok(x) and b is not None and x["lease_s"] is not None and x["lease_s"] <= b
        met = met and ok
        parts.append("%d: %s of %d leased in %s (budget %s)" % (
            x["n"], x["leased"], x["n"], "%.2f s" % x["lease_s"] if x["lease_s"] is not None else "n/a",
            "%.2f s" % b if b is not None else "n/a"))
    return {"target": "scale (systemd test host, through the unit): N containers with veth + networkd ready and "
                      "leased within (N × one boot) ÷ cores, nothing left",
            "measured": "one boot %s; %s" % ("%.2f s" % one_boot(d) if one_boot(d) else "n/a", "; ".join(parts)),
            "met": met}


def section(d, w, na):
    w("## 9. Scale through the unit, in the systemd test host")
    w("")
    w("`checks/bench/scale-unit.sh`: the systemd test host (`checks/system/`, Debian with systemd, networkd, "
      "resolved and machined, booted by our launcher) gets `make install`; then N containers, each "
      "`/etc/nixos-nspawn/NAME.conf` with `-D <the test host's own image> -U --network-veth` (networkd and "
      "resolved inside too), are started by one `systemctl start nixos-nspawn@NAME…` (Type=notify: it returns when "
      "every container's systemd said READY=1). *Ready* = until that returns; *leased* = until every container "
      "has an IPv4 address on `host0` from the host end's DHCP server (networkd on both ends); host memory per "
      "container = drop of `MemAvailable` from before the start to 2 s after the last lease, ÷ N (the test host "
      "shares the kernel, so this is the machine's; other work moves it, small N is noisy); teardown = one "
      "`systemctl stop` of all; *left* = `ve-` links, host units, locks, cgroups, registrations and launcher "
      "processes of these machines still there 3 s after. The budget is the target: (N × one boot) ÷ cores, one "
      "boot being the N = 1 row's *leased*.")
    w("")
    if not d["rows"]:
        w(na("scale-unit"))
        w("")
        return
    w("| Containers | Ready (all active) | Leased (all) | Budget | | Host memory per container | Teardown (all) "
      "| Active / leased | Left |")
    w("|---:|---:|---:|---:|---|---:|---:|---:|---|")
    for x in d["rows"]:
        b = _budget(d, x)
        mem = ((x["memavail0_kb"] - x["memavail1_kb"]) / x["n"] / 1024
               if x["memavail0_kb"] is not None and x["memavail1_kb"] is not None else None)
        ok = None if x["n"] == 1 or b is None else (_all_ok(x) and x["lease_s"] is not None and x["lease_s"] <= b)
        w("| %d | %s | %s | %s | %s | %s | %s | %s / %s | %s |" % (
            x["n"], "%.2f s" % x["ready_s"] if x["ready_s"] is not None else "n/a",
            "%.2f s" % x["lease_s"] if x["lease_s"] is not None else "n/a",
            "%.2f s" % b if b is not None and x["n"] > 1 else "(one boot)",
            "" if ok is None else ("**met**" if ok else "**missed**"),
            "%.1f MiB" % mem if mem is not None else "n/a",
            "%.2f s" % x["teardown_s"] if x["teardown_s"] is not None else "n/a",
            x["active"], x["leased"], x["left"] or "0"))
    w("")
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
            "module sets 8192 (`nixos/host.nix`), and this run did the same. Nothing else limited N here: the UID "
            "pool has 28664 ranges of 64K, a veth needs no bridge port (a zone's bridge takes at most 1024), "
            "`pid_max` in the test host is %s. The budget assumes %s cores' worth of boots overlapping "
            "perfectly." % (
                per, default,
                ("%d (kernel default) or %d (this host)" % (128 // per, int(default) // per)
                 if per and default.isdigit() else "n/a"),
                rows[0]["pid_max"], cores))
    return text
