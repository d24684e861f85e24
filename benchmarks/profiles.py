"""Where the time goes in the benchmark tasks that miss their target: one cProfile run each.

    .venv/bin/python benchmarks/profiles.py report trends      # print the profiles
    make bench                                                # profiles every missed target into README.md

Each task runs once in a fresh process (the same task function ``run.py`` times, on the same
store) under cProfile. The profile is summarised two ways:

- by library: the time spent in each library's own code (cProfile's tottime, summed over the
  functions of that package). DuckDB's share is the wall time of the queries Ibis runs, which
  use every core while Python waits, so it is a wall-clock share, not CPU. A statement geomon
  hands DuckDB itself (``con.execute``, as the ingest does) counts as its caller's own time.
- by step: geomon's functions with the largest cumulative time (a step includes the steps
  it calls, so the rows overlap; comprehensions and lambdas are left out), which names the
  parts of geomon where the time goes.

cProfile adds its own overhead to every Python call (often 20-40 % here), so the total is
larger than the task's median in the results table; the shares are what to read. cProfile sees
only the thread that runs it, so the report's second thread (:func:`geomon.analyses.context.beside`)
is switched off while profiling: every job runs in the profiled thread, one after the other.
"""

from __future__ import annotations

import cProfile
import json
import pstats
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

START, END = "<!-- profiles:start -->", "<!-- profiles:end -->"
#: Library of a function, by a part of its file path (first match wins); the rest is "other Python".
LIBRARIES = [("DuckDB (queries, wall)", ("/duckdb/", "duckdb.")), ("Ibis (building, compiling)", ("/ibis/",)),
             ("sqlglot (SQL generation)", ("/sqlglot/",)), ("pandas", ("/pandas/",)), ("NumPy", ("/numpy/",)),
             ("pyarrow", ("/pyarrow/", "pyarrow.")), ("XlsxWriter", ("/xlsxwriter/",)),
             ("Jinja2 / Altair / Vega", ("/jinja2/", "/altair/", "/vl_convert", "/jsonschema/")),
             ("geomon (with the DuckDB statements it runs itself, as at ingest)", ("/geomon/",)), ("Python standard library", ("/lib/python3",)),
             ("Python built-ins (also waiting for threads or a child process)", ("~:",))]
#: geomon steps listed per task.
TOP_STEPS = 12


#: Built-ins that load modules: their time is "importing modules", whichever library they load.
IMPORTING = ("builtins.exec", "_imp.create_dynamic", "_imp.exec_dynamic", "marshal.loads", "_io.open_code")


def _library(path: str, name: str) -> str:
    if name == "<module>" or path.startswith("<frozen") or any(b in name for b in IMPORTING):
        return "importing modules"
    where = f"{path}:{name}"
    return next((lib for lib, marks in LIBRARIES if any(m in where for m in marks)), "other Python")


def summarise(stats: pstats.Stats) -> dict:
    """{"total": s, "libraries": {library: tottime s}, "steps": [(geomon function, cumulative s)]}."""
    libs: dict[str, float] = {}
    steps = []
    for (path, line, name), (_, _, tottime, cumtime, _) in stats.stats.items():  # type: ignore[attr-defined]
        lib = _library(path, name)
        libs[lib] = libs.get(lib, 0.0) + tottime
        if "/geomon/" in path and "/benchmarks/" not in path and not name.startswith("<"):
            module = path.split("/geomon/", 1)[1].removesuffix(".py").removesuffix("/__init__").replace("/", ".")
            steps.append((f"{module}.{name}", cumtime))
    steps.sort(key=lambda s: -s[1])
    return {"total": stats.total_tt, "libraries": dict(sorted(libs.items(), key=lambda kv: -kv[1])),  # type: ignore[attr-defined]
            "steps": steps[:TOP_STEPS]}


def profile_here(name: str) -> dict:
    """Run task ``name`` once in this process under cProfile and summarise it. As in the timing,
    opening the store's context is left out: the profile restarts once the context is open."""
    import tasks

    prof = cProfile.Profile()
    opened = tasks._context

    def context_then_profile():
        prof.disable()
        ctx = opened()
        prof.clear()
        prof.enable()
        return ctx

    tasks._context = context_then_profile
    from geomon.analyses.context import Context

    Context.worker = lambda self: None  # a worker thread's calls would be missing from the profile
    with tempfile.TemporaryDirectory() as tmp:
        prof.enable()
        tasks.TASKS[name][0](Path(tmp) / f"{name}.json")
        prof.disable()
    return summarise(pstats.Stats(prof))


def profile(name: str) -> dict:
    """The profile of task ``name`` from a fresh process (see :func:`profile_here`)."""
    out = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--json", name],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def markdown(name: str, what: str, p: dict) -> str:
    total = p["total"]
    libs = ", ".join(f"{lib} {s:.2f} s ({s / total:.0%})" for lib, s in p["libraries"].items() if s >= 0.005)
    steps = "\n".join(f"| `{step}` | {s:.2f} |" for step, s in p["steps"])
    return (f"**{name}** ({what}): {total:.2f} s under cProfile. By library (own time): {libs}.\n\n"
            f"| geomon step (includes the steps it calls) | cumulative s |\n|---|---:|\n{steps}\n")


def section(missed: list[tuple[str, str]]) -> str:
    """The README section: a profile of every (task, description) in ``missed``."""
    intro = ("Profiles of the tasks that missed their target in the run above (`benchmarks/profiles.py`, one "
             "run each in a fresh process under cProfile, which inflates Python-heavy steps; the report's "
             "second thread switched off, as cProfile sees one thread):")
    parts = [START, intro, ""]
    for name, what in missed:
        print(f"profiling {name} ...", flush=True)
        parts.append(markdown(name, what, profile(name)))
    if not missed:
        parts.append("Every target was met.\n")
    parts.append(END)
    return "\n".join(parts)


def update_readme(readme: Path, text: str) -> None:
    """Put ``text`` (with its markers) in place of the profiles section of ``readme`` (or append it)."""
    body = readme.read_text(encoding="utf-8")
    if START in body and END in body:
        head, rest = body.split(START, 1)
        body = head + text + rest.split(END, 1)[1]
    else:
        body = body.rstrip("\n") + "\n\n" + text + "\n"
    readme.write_text(body, encoding="utf-8")


def main(argv: list[str]) -> int:
    import tasks

    if argv[:1] == ["--json"]:  # worker: one task, its summary as one JSON line
        print(json.dumps(profile_here(argv[1])))
        return 0
    unknown = [n for n in argv if n not in tasks.TASKS]
    if unknown or not argv:
        print(f"give task names: {', '.join(tasks.TASKS)}" + (f" (unknown: {', '.join(unknown)})" if unknown else ""),
              file=sys.stderr)
        return 2
    for name in argv:
        print(markdown(name, tasks.TASKS[name][1], profile(name)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
