#!/usr/bin/python3
"""Summarize a bench/compare.sh run: per-configuration medians, the ratios the issue asks for,
and whether each target is met.

  python3 bench/summarize.py bench/build/compare-<stamp>.jsonl                # print
  python3 bench/summarize.py RUN.jsonl --results bench/RESULTS.md --command "..."  # write block

Every input line is {"tag": "occam:2" | "pytorch:T2" | "kernel:fma_peak" | ..., "rep": k,
"result": <the JSON line of the program>}. Figures are medians over reps [min-max].
"""
import argparse
import datetime
import json
import os
import platform
import re
import statistics
import subprocess
import sys

BEGIN = "<!-- compare.sh: begin (written by bench/summarize.py; edit outside the markers) -->"
END = "<!-- compare.sh: end -->"


def load(path):
    runs = {}
    for line in open(path):
        line = line.strip()
        if line:
            d = json.loads(line)
            runs.setdefault(d["tag"], []).append(d)
    return runs


def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def spread(xs, fmt="{:,.0f}"):
    xs = [x for x in xs if x is not None]
    if not xs:
        return "–"
    m = statistics.median(xs)
    if len(xs) == 1:
        return fmt.format(m)
    return f"{fmt.format(m)} ({fmt.format(min(xs))}–{fmt.format(max(xs))})"


def field(runs, tag, model, key):
    return [r["result"].get(key) for r in runs.get(tag, []) if r["result"].get("model") == model]


def acc_last(runs, tag, model):
    out = []
    for r in runs.get(tag, []):
        if r["result"].get("model") == model:
            accs = [a for a in r["result"].get("test_acc_by_epoch") or [] if a is not None]
            out.append(accs[-1] if accs else None)
    return out


def phases(runs, tag, model):
    ps = [r["result"].get("phase_ms_per_step") or {} for r in runs.get(tag, [])
          if r["result"].get("model") == model]
    if not ps:
        return "–"
    return " / ".join(f"{med([p.get(k) for p in ps]):.2f}" if med([p.get(k) for p in ps]) is not None
                      else "–" for k in ("data", "forward", "backward", "optimizer"))


def kernel_rate(runs, prog, want):
    """Median over reps of the isolated library rate: the TOTAL row at 2 threads."""
    rates = []
    for r in runs.get(f"kernel:{prog}", []):
        d = r["result"]
        if all(d.get(k) == v for k, v in want.items()):
            rates.append(d.get("gflops") or d.get("gflops_median") or d.get("median"))
    return med(rates)


def machine():
    cpu = "?"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        fam = subprocess.run(["sh", "-c", "grep -m1 '^cpu family' /proc/cpuinfo | cut -d: -f2;"
                              "grep -m1 '^model\\s' /proc/cpuinfo | cut -d: -f2; nproc"],
                             capture_output=True, text=True).stdout.split()
        cpu += f" (family {fam[0]}, model {fam[1]}), {fam[2]} vCPUs"
    except Exception:  # noqa: BLE001 - best effort
        pass
    return f"{cpu}; {platform.platform()}"


def campaign_time(path):
    """'start – end UTC' of a compare.sh run: the stamp in its file name, and the file's mtime."""
    end = datetime.datetime.utcfromtimestamp(os.path.getmtime(path))
    m = re.search(r"(\d{8}T\d{6})Z", os.path.basename(path))
    if not m:
        return f"{end:%Y-%m-%d %H:%M} UTC"
    start = datetime.datetime.strptime(m.group(1), "%Y%m%dT%H%M%S")
    return f"{start:%Y-%m-%d %H:%M}–{end:%H:%M} UTC"


def summarize(runs, command, when):
    lines = []
    models = [m for m in ("mlp", "cnn") if field(runs, "occam:2", m, "model")]
    impls = sorted({t for t in runs if not t.startswith("kernel:")},
                   key=lambda t: (t.split(":")[0] != "occam", t))
    loads = sorted(r.get("load", "") for rs in runs.values() for r in rs if r.get("load"))
    reps = max((r["rep"] for rs in runs.values() for r in rs), default=0)
    fma2 = kernel_rate(runs, "fma_peak", {"figure": "fma_avx512_16chains_gflops", "threads": 2})
    fma1 = kernel_rate(runs, "fma_peak", {"figure": "fma_avx512_16chains_gflops", "threads": 1})
    lines += [f"Command: `{command}`  ",
              f"Date: {when}; {reps} interleaved reps; "
              f"figures are the median (min–max) over reps.  ",
              f"Machine: {machine()}.  "]
    if fma1 and fma2:
        lines.append(f"Measured AVX-512 FMA peak during the run: {fma1:.0f} GFLOP/s on 1 thread, "
                     f"{fma2:.0f} on 2 (`fma_peak`).  ")
    if loads:
        lines.append(f"Load average (1/5/15 min) seen at the start of each run: {loads[0]} … {loads[-1]}.")
    lines.append("")

    targets = []
    for model in models:
        lines += [f"### {model.upper()}", "",
                  "| impl:config | train samples/s | infer samples/s | test acc | peak RSS MB "
                  "| phases ms (data/fwd/bwd/opt) | GEMM / conv ms per step (GFLOP/s) |",
                  "|---|---|---|---|---|---|---|"]
        for tag in impls:
            sps = field(runs, tag, model, "train_sps_steady_median")
            if not [s for s in sps if s]:
                continue
            kms = [r["result"].get("kernel_ms_per_step") for r in runs.get(tag, [])
                   if r["result"].get("model") == model and r["result"].get("kernel_ms_per_step")]
            kgf = [r["result"].get("kernel_gflops_in_step") for r in runs.get(tag, [])
                   if r["result"].get("model") == model and r["result"].get("kernel_gflops_in_step")]
            kcol = "–"
            if kms:
                part = "gemm" if model == "mlp" else "conv"
                kcol = (f"{med([k[part] for k in kms]):.2f} ({med([k[part] for k in kgf]) or 0:.0f})"
                        f" {part}")
            lines.append(
                f"| {tag} | {spread(sps)} | {spread(field(runs, tag, model, 'infer_sps_median'))} "
                f"| {spread(acc_last(runs, tag, model), '{:.4f}')} "
                f"| {spread(field(runs, tag, model, 'peak_rss_mb_self'))} | {phases(runs, tag, model)} "
                f"| {kcol} |")
        lines.append("")

        def best(prefix):
            cands = [(med(field(runs, t, model, "train_sps_steady_median")), t) for t in runs
                     if t.startswith(prefix + ":")]
            cands = [c for c in cands if c[0]]
            return max(cands) if cands else (None, None)

        occ2 = med(field(runs, "occam:2", model, "train_sps_steady_median"))
        occ1 = med(field(runs, "occam:1", model, "train_sps_steady_median"))
        noreg = med(field(runs, "occam:2:no-l2", model, "train_sps_steady_median"))
        bt, bt_tag = best("pytorch")
        bl, bl_tag = best("libtorch")
        t1 = max([s for s in (med(field(runs, f"pytorch:{c}", model, "train_sps_steady_median"))
                              for c in ("D1", "T1")) if s] or [None]) \
            if any(field(runs, f"pytorch:{c}", model, "train_sps_steady_median") for c in ("D1", "T1")) else None
        want = 3.0 if model == "mlp" else 2.0
        if occ2 and bt:
            targets.append((f"{model.upper()}: Occam 2 threads vs best PyTorch ({bt_tag}, {bt:,.0f}/s)",
                            f"≥ {want:.1f}× (issue: MLP 3×, both ≥ 2×)", f"{occ2 / bt:.2f}×", occ2 / bt >= want))
        if occ2 and bl:
            targets.append((f"{model.upper()}: Occam 2 threads vs best LibTorch ({bl_tag}, {bl:,.0f}/s)",
                            "(for reference)", f"{occ2 / bl:.2f}×", None))
        if occ1 and t1:
            targets.append((f"{model.upper()}: Occam 1 thread vs PyTorch 1 thread (best of D1/T1)",
                            "> 1×", f"{occ1 / t1:.2f}×", occ1 > t1))
        oi = med(field(runs, "occam:2", model, "infer_sps_median"))
        ti = max([med(field(runs, t, model, "infer_sps_median")) or 0 for t in runs
                  if t.startswith("pytorch:")] or [0])
        if oi and ti:
            targets.append((f"{model.upper()}: inference, Occam 2 threads vs best PyTorch config",
                            "≥ 2.0×", f"{oi / ti:.2f}×", oi / ti >= 2.0))
        orss = med(field(runs, "occam:2", model, "peak_rss_mb_self"))
        trss = [med(field(runs, t, model, "peak_rss_mb_self")) for t in runs if t.startswith("pytorch:")]
        trss = [x for x in trss if x]
        if orss and trss:
            targets.append((f"{model.upper()}: peak RSS, Occam vs the smallest PyTorch config",
                            "≤ 1×", f"{orss:.0f} MB vs {min(trss):.0f} MB", orss <= min(trss)))
        if occ2 and noreg:
            cost = 1 - occ2 / noreg
            targets.append((f"{model.upper()}: cost of the L2 terms (1 − with/without)", "≤ 3 %",
                            f"{100 * cost:.1f} %", cost <= 0.03))
        kgf = [r["result"].get("kernel_gflops_in_step") for r in runs.get("occam:2", [])
               if r["result"].get("model") == model and r["result"].get("kernel_gflops_in_step")]
        if model == "mlp":
            iso = kernel_rate(runs, "dnnl_matmul_bench", {"group": "mlp", "gemm": "TOTAL", "threads": 2})
            part = "gemm"
        else:
            iso = kernel_rate(runs, "dnnl_conv_bench", {"layout": "any", "conv": "TOTAL", "threads": 2})
            part = "conv"
        ins = med([k.get(part) for k in kgf]) if kgf else None
        if iso and ins:
            targets.append((f"{model.upper()}: {part.upper()} part of a step vs oneDNN alone on those shapes "
                            f"({iso:.0f} GFLOP/s)", "≥ 70 %", f"{ins:.0f} GFLOP/s = {100 * ins / iso:.0f} %",
                            ins / iso >= 0.7))
        oa = med(acc_last(runs, "occam:2", model))
        ta = med([a for t in runs if t.startswith("pytorch:") for a in acc_last(runs, t, model)])
        if oa is not None and ta is not None:
            targets.append((f"{model.upper()}: test accuracy, Occam vs PyTorch (all configs)",
                            "equal within noise (±0.01)", f"{oa:.4f} vs {ta:.4f}", abs(oa - ta) <= 0.01))

    lines += ["### Targets", "", "| target | wanted | measured | met |", "|---|---|---|---|"]
    for name, wanted, got, ok in targets:
        lines.append(f"| {name} | {wanted} | {got} | {'–' if ok is None else ('yes' if ok else '**no**')} |")
    lines.append("")
    return "\n".join(lines)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("jsonl")
    p.add_argument("--results", help="rewrite the marked block of this file")
    p.add_argument("--command", default="bash bench/compare.sh")
    a = p.parse_args()
    text = summarize(load(a.jsonl), a.command, campaign_time(a.jsonl))
    if not a.results:
        print(text)
        return
    try:
        old = open(a.results).read()
    except FileNotFoundError:
        old = ""
    block = f"{BEGIN}\n{text}\n{END}"
    if BEGIN in old and END in old:
        new = old[:old.index(BEGIN)] + block + old[old.index(END) + len(END):]
    else:
        new = old + ("\n" if old else "") + block + "\n"
    open(a.results, "w").write(new)
    print(text)
    print(f"summarize.py: wrote {a.results}", file=sys.stderr)


if __name__ == "__main__":
    main()
