#!/usr/bin/env python3
"""Fuzz: every libFuzzer target of the build, for a long time each.

    python3 results/fuzz/run.py [--seconds 600] [--build-dir build-fuzz] [--cpu N]

The targets are the ctest tests labelled "fuzz" in the fuzz build (one per
vqos_fuzz_target() of tests/fuzz/CMakeLists.txt), so a new target is run
without a change here. If the build directory has no CMakeCache.txt it is
configured with clang and -DVQOS_FUZZ=ON (ASan, UBSan and libFuzzer's
coverage in every library the targets link; the project's default build
type); the targets are then built, one job at a time.

Each target runs SECONDS, one after the other, pinned to one CPU (taskset)
so the other CPU of the machine stays free, with CI's flags (ctest's
command: -seed, -max_len, -rss_limit_mb, LSAN_OPTIONS) and a longer
-max_total_time, -print_final_stats=1 and -timeout (an input slower than
UNIT_TIMEOUT seconds is a hang). UBSan reports stop the run
(UBSAN_OPTIONS=halt_on_error=1), so they are crashes with an artifact. Each
starts from a copy of its seed corpus in the run directory,
results/fuzz/run-<UTC time>/<target>/ (ignored by git), which also holds
its log and what libFuzzer writes: crash-*, leak-*, timeout-*, oom-*.

Writes results/fuzz/fuzz.csv (one row per target: executions, exec/s,
coverage, corpus, peak RSS, the artifacts of each kind, and when libFuzzer
stopped looking for leaks, if it did) and prints the same table. Exits 1
if a target crashed, leaked, hung, ran out of memory or ended with a
non-zero status, naming the artifact and the command that replays it; 2 if
the fuzz build cannot be made or read.
"""
import argparse
import fcntl
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import vqosexp  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = vqosexp.ROOT
HEADER = ["target", "seconds", "executions", "exec_per_s", "cov", "ft", "corpus", "rss_mb",
          "crashes", "leaks", "timeouts", "ooms", "leak_check_off_at", "exit_code", "date",
          "commit"]
# what libFuzzer prints when it stops looking for leaks: after 1000 inputs that
# allocated more than they freed without a leak LSan reports (suppressed ones)
LEAK_CHECK_OFF = "INFO: libFuzzer disabled leak detection after every mutation"
# libFuzzer's artifact prefixes and the CSV column that counts each
ARTIFACTS = {"crash-": "crashes", "leak-": "leaks", "timeout-": "timeouts", "oom-": "ooms"}


def fail(msg):
    print(f"fuzz: {msg}", file=sys.stderr)
    sys.exit(2)


def build(build_dir, jobs):
    """Configure @build_dir if it is not, build every fuzz target in it and
    return them: [{name, exe, cwd, env, seeds, flags}]."""
    if not os.path.exists(os.path.join(build_dir, "CMakeCache.txt")):
        subprocess.run([os.path.join(ROOT, "scripts", "deps.sh")], check=True)
        print(f"configuring {build_dir}")
        subprocess.run(["cmake", "-S", ROOT, "-B", build_dir, "-DCMAKE_C_COMPILER=clang",
                        "-DVQOS_FUZZ=ON", "-DVQOS_WERROR=OFF"], check=True,
                       stdout=subprocess.DEVNULL)
    targets = discover(build_dir)
    print(f"building {' '.join(t['name'] for t in targets)} in {build_dir}")
    subprocess.run(["cmake", "--build", build_dir, "-j", str(jobs), "--target"] +
                   [t["name"] for t in targets], check=True, stdout=subprocess.DEVNULL)
    return targets


def discover(build_dir):
    """The fuzz targets of @build_dir, read from ctest's tests labelled "fuzz".
    Their command is tests/fuzz/CMakeLists.txt's: env VAR=... sh -c "... cp
    SEEDS/* CORPUS/ && ./NAME -flag=value ... CORPUS"."""
    r = subprocess.run(["ctest", "--test-dir", build_dir, "-L", "fuzz",
                        "--show-only=json-v1"], capture_output=True, text=True)
    if r.returncode != 0:
        fail(f"ctest cannot list the tests of {build_dir}: {r.stderr.strip()}")
    targets = []
    for t in json.loads(r.stdout).get("tests", []):
        name, cmd = t["name"], t.get("command", [])
        props = {p["name"]: p["value"] for p in t.get("properties", [])}
        try:
            sh = cmd.index("sh")
            env = dict(a.split("=", 1) for a in cmd[1:sh] if "=" in a)
            words = shlex.split(cmd[sh + 2])
            seeds = next(w[:-2] for i, w in enumerate(words)
                         if w.endswith("/*") and words[i - 1] == "cp")
            at = words.index("./" + name)
        except (ValueError, StopIteration, IndexError):
            fail(f"test {name}: cannot read the seed corpus and flags from its "
                 f"command (tests/fuzz/CMakeLists.txt changed?): {cmd}")
        flags = {}
        for w in words[at + 1:]:
            m = re.fullmatch(r"-(\w+)=(.*)", w)
            if m:
                flags[m.group(1)] = m.group(2)
        cwd = props.get("WORKING_DIRECTORY", build_dir)
        targets.append({"name": name, "exe": os.path.join(cwd, name), "cwd": cwd,
                        "env": env, "seeds": seeds, "flags": flags})
    if not targets:
        fail(f"no fuzz targets in {build_dir} (configured with clang and -DVQOS_FUZZ=ON?)")
    return targets


def build_type(build_dir):
    """CMAKE_BUILD_TYPE of @build_dir; the project's default when it is unset."""
    with open(os.path.join(build_dir, "CMakeCache.txt")) as f:
        m = re.search(r"^CMAKE_BUILD_TYPE:\w+=(.*)$", f.read(), re.M)
    return (m.group(1).strip() if m else "") or "RelWithDebInfo"


def commit():
    """HEAD's commit, with "-dirty" when tracked files differ from it."""
    def git(*a):
        return subprocess.run(["git", "-C", ROOT] + list(a), capture_output=True,
                              text=True).stdout.strip()
    c = git("rev-parse", "HEAD") or "unknown"
    return c + ("-dirty" if git("status", "--porcelain", "--untracked-files=no") else "")


def parse(log):
    """Figures from libFuzzer's output: the final stats, else the last status line."""
    out = {}
    for key, col in (("number_of_executed_units", "executions"),
                     ("average_exec_per_sec", "exec_per_s"), ("peak_rss_mb", "rss_mb")):
        v = re.findall(rf"^stat::{key}:\s+(\d+)", log, re.M)
        out[col] = int(v[-1]) if v else ""
    status = re.findall(r"^#(\d+)\s+\w+\s+cov: (\d+) ft: (\d+) corp: (\d+)/\S+"
                        r"(?:.*?exec/s: (\d+))?(?:.*?rss: (\d+)Mb)?", log, re.M)
    if status:
        n, cov, ft, corp, eps, rss = status[-1]
        out.update(cov=int(cov), ft=int(ft), corpus=int(corp))
        if out["executions"] == "":  # killed before it printed its stats
            out["executions"] = int(n)
            out["exec_per_s"] = int(eps) if eps else ""
            out["rss_mb"] = int(rss) if rss else ""
    else:
        out.update(cov="", ft="", corpus="")
    # the executions of the last status line before it: leaks of later inputs go unseen
    off = log.find(LEAK_CHECK_OFF)
    before = re.findall(r"^#(\d+)\s", log[:off], re.M) if off >= 0 else []
    out["leak_check_off_at"] = int(before[-1]) if before else (0 if off >= 0 else "")
    return out


def run(t, seconds, cpu, rundir, args):
    """Fuzz target @t for @seconds from a copy of its seeds. Returns its CSV row
    (a dict but the commit), the artifacts it wrote, the command that replays
    one (the artifact's path to be added) and the log's path."""
    d = os.path.join(rundir, t["name"])
    corpus = os.path.join(d, "corpus")
    shutil.copytree(t["seeds"], corpus)
    flags = dict(t["flags"])
    flags.setdefault("seed", "1")
    flags.setdefault("rss_limit_mb", "4096")
    if args.seed is not None:
        flags["seed"] = str(args.seed)
    if args.rss_limit_mb is not None:
        flags["rss_limit_mb"] = str(args.rss_limit_mb)
    flags.update(max_total_time=str(seconds), print_final_stats="1",
                 timeout=str(args.unit_timeout), artifact_prefix=d + "/")
    env = dict(t["env"])
    env.setdefault("UBSAN_OPTIONS", "halt_on_error=1:print_stacktrace=1")
    argv = ["taskset", "-c", str(cpu), t["exe"]] + [f"-{k}={v}" for k, v in flags.items()]
    argv.append(corpus)
    date = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    log_path = os.path.join(d, "fuzz.log")
    t0 = time.monotonic()
    with open(log_path, "w") as log:
        log.write("$ " + shlex.join([f"{k}={v}" for k, v in env.items()] + argv) + "\n")
        log.flush()
        p = subprocess.Popen(argv, cwd=t["cwd"], env={**os.environ, **env},
                             stdout=log, stderr=subprocess.STDOUT)
        try:
            # libFuzzer stops itself; this only guards against a run that does not
            rc = p.wait(timeout=seconds + args.unit_timeout + 300)
        except subprocess.TimeoutExpired:
            p.kill()
            rc = f"killed:{p.wait()}"
    took = time.monotonic() - t0
    with open(log_path, errors="replace") as f:
        text = f.read()
    row = {"target": t["name"], "seconds": round(took), **parse(text)}
    found = sorted(os.path.join(d, f) for f in os.listdir(d)
                   if any(f.startswith(pre) for pre in ARTIFACTS))
    for prefix, col in ARTIFACTS.items():
        row[col] = sum(os.path.basename(a).startswith(prefix) for a in found)
    row.update(exit_code=rc, date=date)
    replay = shlex.join(["cd", t["cwd"]]) + " && " + shlex.join(
        ["env"] + [f"{k}={v}" for k, v in env.items()] + [t["exe"]])
    return row, found, replay, log_path


def table(rows):
    cols = HEADER[:-2]
    lines = ["| " + " | ".join(cols) + " |", "|---|" + "---:|" * (len(cols) - 1)]
    lines += ["| " + " | ".join(str(r[c]) for c in cols) + " |" for r in rows]
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=int, default=600, help="per target (default 600)")
    ap.add_argument("--build-dir", default=os.path.join(ROOT, "build-fuzz"),
                    help="the fuzz build, configured here if it is not (default build-fuzz/)")
    ap.add_argument("--cpu", type=int, default=(os.cpu_count() or 1) - 1,
                    help="the one CPU the fuzzers run on (default the last)")
    ap.add_argument("--jobs", type=int, default=1, help="build jobs (default 1)")
    ap.add_argument("--seed", type=int, help="libFuzzer's -seed (default CI's, 1)")
    ap.add_argument("--rss-limit-mb", type=int, help="libFuzzer's -rss_limit_mb (default CI's)")
    ap.add_argument("--unit-timeout", type=int, default=25,
                    help="seconds one input may take before it counts as a hang (default 25)")
    ap.add_argument("--csv", default=os.path.join(HERE, "fuzz.csv"),
                    help="where the table goes (default results/fuzz/fuzz.csv)")
    args = ap.parse_args()
    if args.cpu not in os.sched_getaffinity(0):
        fail(f"CPU {args.cpu} is not one this process may run on")
    build_dir = os.path.abspath(args.build_dir)
    try:
        targets = build(build_dir, args.jobs)
    except subprocess.CalledProcessError as e:
        fail(f"building the fuzz targets failed: {shlex.join(e.cmd)}")
    rundir = os.path.join(HERE, "run-" + time.strftime("%Y%m%d-%H%M%S", time.gmtime()))
    os.makedirs(rundir)
    head = commit()
    print(f"{len(targets)} targets, {args.seconds} s each, on CPU {args.cpu}; "
          f"{build_type(build_dir)} build {build_dir}; commit {head}; "
          f"{vqosexp.machine()}; load average {os.getloadavg()[0]:.2f}; "
          f"logs, corpora and artifacts in {rundir}")
    rows, bad = [], []
    for t in targets:
        print(f"{t['name']}: {args.seconds} s from {os.path.relpath(t['seeds'], ROOT)}",
              flush=True)
        # a fuzzer keeps a CPU busy: not while someone measures on this machine
        with open(vqosexp.MEASURE_LOCK, "w") as lk:
            try:
                fcntl.flock(lk, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                print(f"  waiting for {vqosexp.MEASURE_LOCK} (a measurement runs)", flush=True)
                fcntl.flock(lk, fcntl.LOCK_EX)
            row, found, replay, log = run(t, args.seconds, args.cpu, rundir, args)
        row["commit"] = head
        rows.append(row)
        print(f"  {row['executions']} executions, {row['exec_per_s']} exec/s, "
              f"cov {row['cov']}, ft {row['ft']}, corpus {row['corpus']}, "
              f"{row['rss_mb']} MB; exit {row['exit_code']}", flush=True)
        if row["leak_check_off_at"] != "":
            print(f"  libFuzzer stopped checking for leaks after about "
                  f"{row['leak_check_off_at']} executions (1000 inputs freed less than they "
                  f"allocated without a reported leak)", flush=True)
        if found or row["exit_code"] != 0:
            bad.append((t["name"], row, found, replay, log))
    vqosexp.write_csv(args.csv, HEADER, [[r[c] for c in HEADER] for r in rows])
    print()
    print(table(rows))
    print(f"\n{args.csv}; logs, corpora and artifacts in {rundir}")
    for name, row, found, replay, log in bad:
        print(f"\nFAILED {name}: exit {row['exit_code']}, log {log}", file=sys.stderr)
        for a in found:
            print(f"  {a}\n  reproduce: {replay} {shlex.quote(a)}", file=sys.stderr)
        if not found:
            print("  no artifact written: see the end of the log", file=sys.stderr)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
