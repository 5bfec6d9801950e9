"""``generate``: build a scenario's world, write every delivery, then the truth."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from .exports import event_quirks, write_tracking
from .landing import Landing
from .lists import ListFacts, write_lists
from .progress import Progress
from .scenarios import SCENARIOS, ScenarioError, Streams
from .truth import LOADED, Truth, compute_truth, write_truth

SOURCES = ("obec_dmc", "eef", "ops", "ovec", "msdhs", "tracking")
DEFAULT_SPAN_DAYS = 256


@dataclass(frozen=True)
class GenerationSummary:
    out_dir: Path
    scenario: str
    seed: int
    start: date
    end: date
    cohort_size: int
    files: dict[str, int]  # source → files written
    rows: dict[str, int]  # source → data rows written (lists: rows, tracking: lines)
    events: int  # distinct events recorded (junk included)
    truth_dates: tuple[date, ...]
    rejected_files: int
    quarantined_rows: int
    quirks: int

    def __str__(self) -> str:
        return "\n".join(self.lines())

    def lines(self) -> list[str]:
        """Human-readable lines for a CLI to print."""
        out = [
            f"scenario {self.scenario} (seed {self.seed}), {self.start} .. {self.end}, written to {self.out_dir}",
            f"cohort: {self.cohort_size:,} children; events: {self.events:,}",
        ]
        out += [f"  {source:<9} {self.files[source]:>3} files {self.rows[source]:>10,} rows" for source in SOURCES]
        out.append(
            f"rejected or duplicate files: {self.rejected_files}; quarantined rows: {self.quarantined_rows:,}; quirks: {self.quirks:,}"
        )
        out.append("truth dates: " + ", ".join(d.isoformat() for d in self.truth_dates))
        return out


# --- the whole run --------------------------------------------------------------------


def _check_out_dir(out_dir: Path) -> None:
    for name in (*SOURCES, "_truth"):
        folder = out_dir / name
        if folder.exists() and any(folder.iterdir()):
            raise FileExistsError(f"{folder} is not empty: generate into a new or empty folder")


def _check_consistency(truth: Truth, lists: ListFacts, junk_events: Counter[str], built: int) -> None:
    """The truth, derived by the rules, must agree with what each row and event was built to be."""
    intended = Counter(lists.rules_broken)
    intended["duplicate_in_file"] = lists.intended_duplicates
    intended.update(junk_events)
    got = Counter(reason for source, name, row, reason in truth.quarantine)
    if got != intended:
        raise ScenarioError(f"quarantine differs from construction: {dict(got)} vs {dict(intended)}")
    # A mistyped ID that still passes its check digit cannot be told from a real one: by
    # the rules it counts as a child apart (docs/business-rules.md §3).
    counted_apart = {identity for _, _, _, child, delivery, identity in truth.list_rows
                     if delivery == "typo_valid" and identity != child}
    if len(truth.children) != built + len(counted_apart):
        raise ScenarioError(f"cohort of {len(truth.children)}, built {built} "
                            f"(+{len(counted_apart)} mistyped IDs passing their check digit)")


def generate(
    out_dir: Path,
    *,
    children: int = 10_000,
    seed: int = 1,
    start: date = date(2022, 1, 17),
    end: date | None = None,
    scenario: str = "national",
    progress: Progress = Progress(),
) -> GenerationSummary:
    """Write a synthetic landing folder (``<out>/<source>/``) and its truth (``<out>/_truth/``).

    Same arguments, same bytes. ``children`` is ignored by ``seed003``, whose cohort and
    dates are fixed by the seed document. ``progress`` hears of each step (silent by default).
    """
    if scenario not in SCENARIOS:
        raise ScenarioError(f"unknown scenario {scenario!r}; choose from {sorted(SCENARIOS)}")
    end = end or start + timedelta(days=DEFAULT_SPAN_DAYS)
    if end < start:
        raise ScenarioError("end is before start")
    out_dir = Path(out_dir)
    _check_out_dir(out_dir)
    streams = Streams(seed)
    with progress.step(f"world ({scenario})") as step:
        plan = SCENARIOS[scenario](streams, children, start, end)
        step.describe(f"world: {len(plan.world.children):,} children, {len(plan.events):,} events")
    landing = Landing(out_dir)
    lists = write_lists(streams.rng("lists"), plan, landing, start, progress)
    events, export_names = write_tracking(streams.rng("tracking"), plan, landing, start, end, progress)
    built, report_dates, check = len(plan.world.children), plan.report_dates, plan.check
    # The world (every child, listing and its details) is not needed by the truth: free it
    # before the truth's own tables are built. The events stay, the truth reads them.
    del plan
    with progress.step("truth: rules"):
        quirks = lists.quirks + event_quirks(events, export_names)
        truth = compute_truth(landing.files, lists.rows, events, export_names, report_dates, quirks)
        # The truth has taken what it needs of the facts and events: free them before its
        # tables are written (keeping only the counts the checks and summary need).
        junk_events = Counter(e.junk for e in events if e.junk)
        event_count = len(events)
        del events, quirks
        lists.rows, lists.quirks = [], []
        _check_consistency(truth, lists, junk_events, built)
        if check:
            check(truth)
    with progress.step("truth: files"):
        write_truth(truth, out_dir / "_truth")
    return _summary(out_dir, scenario, seed, start, end, landing, truth, event_count)


def _summary(out_dir: Path, scenario: str, seed: int, start: date, end: date, landing: Landing, truth: Truth, events: int) -> GenerationSummary:
    files = Counter(f.source for f in landing.files)
    rows = Counter()
    for f in landing.files:
        rows[f.source] += f.data_rows
    return GenerationSummary(
        out_dir=out_dir,
        scenario=scenario,
        seed=seed,
        start=start,
        end=end,
        cohort_size=len(truth.children),
        files={s: files.get(s, 0) for s in SOURCES},
        rows={s: rows.get(s, 0) for s in SOURCES},
        events=events,
        truth_dates=tuple(truth.report_dates),
        rejected_files=sum(1 for f in landing.files if f.expected_status != LOADED),
        quarantined_rows=len(truth.quarantine),
        quirks=len(truth.quirks),
    )
