"""Small-cell protection for the bulletins below national level.

The rule, as the bulletins' footnote states it:

* a count of 1–4 children is not printed: it is shown as "<5" (*primary* suppression);
* further cells are hidden (*complementary* suppression) so that no hidden count can be
  worked out from the totals printed on the same page — row totals, column totals and
  totals printed in another table of the page. A hidden count of 5 or more is shown as
  "x"; a hidden zero is shown as "<5" (it is fewer than five);
* so a reader knows "<5" is 0–4 and "x" is 5 or more, and nothing else about them;
* other zeros are printed (a zero identifies nobody); national tables print exact figures.

Why Python and not dbt SQL: complementary suppression is a search — hide a cell, check
what a reader can now deduce, hide another, until no small count can be deduced — a
fixpoint over graph searches that SQL (even recursive CTEs) expresses badly. It runs
between two dbt stages, as the Dagster asset ``marts/bulletin_protected_cells``
(orchestration/reporting/protected_cells.py), whose table dbt reads as a source, so every
printed figure is still a row of a mart. This module is pure Python (no I/O), unit tested on its own
(tests/test_suppression.py, against an independent attacker that solves integer
programs over the printed tables).

How it works. A page's tables are additive: every row adds up to its row total, every
column to its column total. Such a system is a *circulation* in a network: rows and
columns are nodes, each printed cell an arc carrying its count, the margins the arcs
that close the loops. A reader knows the printed numbers exactly and the bounds of each
symbol. By flow theory, the values a reader can give a hidden cell form an interval, and
how far the cell can move up (down) is exactly the maximum flow from its head to its
tail (tail to head) in the *residual graph*: hidden arcs only, each with the room its
bounds leave. An augmenting path there is an explicit table, consistent with everything
printed, in which the cell has another value. A small count (1–4) is protected when its
interval spans at least three values (a reader cannot narrow "<5" to "this or the next
one"); any other hidden figure when it cannot be worked out exactly. Exact, and cheap:
a few breadth-first searches per hidden cell.

Protecting a cell that is not protected yet: take the cheapest path that lets it move one
step further when printed cells may be hidden too — zeros (then shown "<5") before counts of 5 or more
("x"). The cost depends on *where* a cell is (fewest cells; columns that usually hold
small counts — deceased, being tracked, not found — before the large ones; totals
last), not on its value, so the choice says nothing about values beyond the symbols.
Hiding only adds room, so a cell once protected stays protected: the loop ends.

Pages that print the same figures (the national table of provinces and each provincial
bulletin print the same province row) are protected top-down: the national table first;
a provincial page then keeps the province row's pattern, protects its own small cells,
and checks that every hidden figure of the province row stays hidden given the page
too. When it cannot, the caller hides one more figure of the province row nationally
and starts again (orchestration/reporting/protection.py).

Not covered (stated in the README): combining *many* pages of one date beyond the
shared province row (e.g. the national page with every provincial page at once), and
bulletins of different dates against each other.
"""

from __future__ import annotations

import heapq
import math
from collections import deque
from contextlib import contextmanager
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

SMALL_MAX = 4  # counts 1..SMALL_MAX are printed "<5"
LOW_SYMBOL, HIDDEN_SYMBOL = "<5", "x"
PUBLISHED, SMALL, COMPLEMENTARY = "published", "small", "complementary"
TOTAL = "total"  # the key of a total row or column

# Cost of hiding one more cell: the number of cells first (a count of 5 or more, which
# loses more, weighs more than a zero); tie-breaks by position only.
_ZERO_COST = 1_000
_COUNT_COST = 1_300
_TOTAL_PENALTY = 100


def is_small(value: int) -> bool:
    return 1 <= value <= SMALL_MAX


def symbol(status: str, value: int) -> str | None:
    """What the bulletin prints for a hidden cell; None when the count is printed."""
    if status == PUBLISHED:
        return None
    return LOW_SYMBOL if value <= SMALL_MAX else HIDDEN_SYMBOL


@dataclass
class Arc:
    """One printed figure: a count carried from node ``tail`` to node ``head``."""

    key: Hashable
    tail: Hashable
    head: Hashable
    value: int
    status: str = PUBLISHED
    inherited: bool = False  # pattern decided on another page: never changed here
    penalty: int = 0  # position-based preference among candidates (lower first)
    floor: int = 0  # what the page's layout alone tells: a row printed only when it has children

    @property
    def hidden(self) -> bool:
        return self.status != PUBLISHED

    def bounds(self) -> tuple[float, float]:
        """What a reader of the page knows about the value."""
        if not self.hidden:
            return self.value, self.value
        if self.value <= SMALL_MAX:
            return self.floor, SMALL_MAX
        return max(SMALL_MAX + 1, self.floor), math.inf


class Unprotectable(Exception):
    """No set of further hidden cells protects this cell."""

    def __init__(self, key: Hashable) -> None:
        super().__init__(f"cell {key!r} cannot be protected")
        self.key = key


@dataclass
class Network:
    """The additive structure of a page: arcs between row and column nodes."""

    arcs: dict[Hashable, Arc] = field(default_factory=dict)
    _graphs: dict = field(default_factory=dict, repr=False, compare=False)  # see _graph

    def add(self, key: Hashable, tail: Hashable, head: Hashable, value: int, *, status: str | None = None,
            penalty: int = 0, floor: int = 0) -> Arc:
        """A cell; ``status`` given means its pattern was decided elsewhere (inherited);
        ``floor``: the least a reader knows it to be without seeing it."""
        if key in self.arcs:
            raise ValueError(f"duplicate cell {key!r}")
        if not 0 <= floor <= value:
            raise ValueError(f"count in {key!r} below what the page shows it to be at least ({floor})")
        arc = Arc(key, tail, head, int(value), status or PUBLISHED, inherited=status is not None, penalty=penalty,
                  floor=floor)
        self.arcs[key] = arc
        self._graphs = {}  # built again with this arc when next asked
        return arc

    def hide(self, key: Hashable, status: str) -> None:
        """Hide a printed cell (``status``: small or complementary), in the residual graphs
        too: hidden, a cell keeps the room its symbol gives it, now at no cost."""
        arc = self.arcs[key]
        if arc.hidden:
            arc.status = status
            return
        arc.status = status
        low, high = arc.bounds()
        for graph in self._graphs.values():
            graph.make_free(arc.tail, arc.head, key, high - arc.value, arc.value - low)

    def _graph(self, candidates: bool) -> _Residual:
        """The residual graph of every arc (see _residual), built once and kept up to
        date by ``hide``: ``interval`` and ``protect`` ask thousands of questions of it;
        each question leaves its own arcs out (``_Residual.trial``). Statuses are set
        through ``hide`` once a graph is built."""
        if candidates not in self._graphs:
            self._graphs[candidates] = self._residual(candidates)
        return self._graphs[candidates]

    def _residual(self, candidates: bool) -> _Residual:
        """The residual graph: every hidden arc usable up by what its upper bound leaves
        and down by what its lower bound leaves, at no cost; with ``candidates``, printed
        cells that may be hidden (not inherited) too, at a cost and with the bounds their
        symbol would have: a zero ("<5") up to 4, a count of 5 or more ("x") up without
        limit and down to 5."""
        residual = _Residual()
        for arc in self.arcs.values():
            if arc.status != PUBLISHED:  # arc.hidden, inlined: this loop is the hot path
                low, high = arc.bounds()
                residual.add(arc.tail, arc.head, arc.key, high - arc.value, arc.value - low, 0)
            elif candidates and not arc.inherited:
                if arc.value == 0:
                    residual.add(arc.tail, arc.head, arc.key, SMALL_MAX, 0, _ZERO_COST + arc.penalty)
                elif arc.value > SMALL_MAX:
                    residual.add(arc.tail, arc.head, arc.key, math.inf, arc.value - max(SMALL_MAX + 1, arc.floor),
                                 _COUNT_COST + arc.penalty)
        return residual

    def interval(self, key: Hashable, cap: int = 2, frozen: frozenset = frozenset()) -> tuple[int, int]:
        """How far the hidden cell can move down and up in tables consistent with
        everything printed, the ``frozen`` figures kept as they are (each counted up to
        ``cap``). By flow theory this is exact: the most a cell can move up is the maximum
        flow from its head back to its tail in the residual graph (down: from its tail to
        its head), within its own bounds."""
        arc = self.arcs[key]
        low, high = arc.bounds()
        residual, left_out = self._graph(candidates=False), [key, *frozen]
        up = residual.trial_flow(arc.head, arc.tail, min(cap, high - arc.value), left_out)
        down = residual.trial_flow(arc.tail, arc.head, min(cap, arc.value - low), left_out)
        return int(down), int(up)

    def protect(self, key: Hashable, width: int, frozen: frozenset = frozenset()) -> list[Hashable]:
        """Hide the cheapest further cells until a reader must allow ``key`` at least
        ``width`` + 1 values (``frozen`` figures kept as they are); returns their keys.
        Each round pushes what the hidden cells already allow, then finds the cheapest
        path that lets the cell move one step further (up or down) through printed cells,
        and hides those. Raises Unprotectable when no printed cell can help."""
        arc = self.arcs[key]
        low, high = arc.bounds()
        hidden: list[Hashable] = []
        while sum(self.interval(key, width, frozen)) < width:
            best = None
            residual = self._graph(candidates=True)
            for start, goal, room in ((arc.head, arc.tail, high - arc.value), (arc.tail, arc.head, arc.value - low)):
                if room <= 0:
                    continue
                with residual.trial([key, *frozen]):
                    if residual.max_flow(start, goal, min(room, width)) >= min(room, width):
                        continue  # this side has all it can use already
                    found = residual.cheapest_path(start, goal)
                if found is not None and (best is None or found[0] < best[0]):
                    best = found
            if best is None or not best[1]:
                raise Unprotectable(key)
            for hidden_key in best[1]:
                self.hide(hidden_key, COMPLEMENTARY)
            hidden += best[1]
        return hidden

    def secure(self, requirements: Iterable[Requirement]) -> None:
        """Hide further cells until every requirement holds. One pass is enough: hiding
        only widens what a reader must allow, so a requirement once met stays met while
        the later ones are met.

        A requirement that cannot be met is relaxed step by step — first the frozen
        figures may move, then three values become two — because what makes it
        impossible is printed exactly on purpose (a national total of 1 leaves a
        province's "<5" only 0 or 1). Unprotectable when not even "not worked out
        exactly" can be had."""
        for requirement in list(requirements):
            if self.holds(requirement):
                continue
            for relaxed in requirement.relaxations():
                try:
                    self.protect(relaxed.key, relaxed.width, relaxed.frozen)
                except Unprotectable:
                    continue
                break
            else:
                raise Unprotectable(requirement.key)

    def holds(self, requirement: Requirement) -> bool:
        return sum(self.interval(requirement.key, requirement.width, requirement.frozen)) >= requirement.width


@dataclass(frozen=True)
class Requirement:
    """A hidden figure a reader must not pin down: the interval they must allow it spans
    at least ``width`` (2 for a small count of the page — three values —, 1 otherwise),
    even if they knew the ``frozen`` figures exactly."""

    key: Hashable
    width: int
    frozen: frozenset = frozenset()

    def relaxations(self) -> list[Requirement]:
        """This requirement, then weaker ones, strongest first."""
        steps = [self, Requirement(self.key, self.width), Requirement(self.key, 1, self.frozen),
                 Requirement(self.key, 1)]
        return list(dict.fromkeys(steps))


class _Residual:
    """A residual graph with capacities: each arc usable forward (up) and backward (down)
    by the room its bounds leave; candidate arcs carry a cost (hiding them).

    The searches below are the hot loops of the whole protection (hundreds of thousands
    a national run), so the graph is kept in flat lists: nodes are numbered as they are
    added, and an arc's two edges are numbered 2i (forward) and 2i + 1 (backward), so an
    edge's reverse is ``index ^ 1``. Edges leave a node in the order they were added:
    the searches meet them, and break ties, in that order."""

    def __init__(self) -> None:
        self.numbers: dict[Hashable, int] = {}  # node -> its number
        self.out: list[list[int]] = []  # node number -> the edges leaving it
        self.tail: list[int] = []  # per edge: the node it leaves
        self.head: list[int] = []  # per edge: the node it reaches
        self.room: list[float] = []  # per edge: the capacity left
        self.cost: list[int] = []  # per edge: the cost of using it (0: free)
        self.key: list[Hashable] = []  # per edge: its arc's key
        self.forward: dict[Hashable, int] = {}  # arc key -> index of its forward edge
        self._pushed: list[list[int]] | None = None  # augmenting paths of the current trial

    def _number(self, node: Hashable) -> int:
        number = self.numbers.get(node)
        if number is None:
            number = self.numbers[node] = len(self.out)
            self.out.append([])
        return number

    def add(self, tail: Hashable, head: Hashable, key: Hashable, up: float, down: float, cost: int) -> None:
        start, end = self._number(tail), self._number(head)
        forward = len(self.room)
        self.tail += (start, end)
        self.head += (end, start)
        self.room += (up, down)
        self.cost += (cost, cost)
        self.key += (key, key)
        self.out[start].append(forward)
        self.out[end].append(forward + 1)
        self.forward[key] = forward

    def make_free(self, tail: Hashable, head: Hashable, key: Hashable, up: float, down: float) -> None:
        """The arc ``key`` becomes usable at no cost (a candidate once hidden keeps its room)."""
        forward = self.forward.get(key)
        if forward is None:
            self.add(tail, head, key, up, down, 0)
            return
        self.cost[forward] = self.cost[forward + 1] = 0

    def max_flow(self, start: Hashable, goal: Hashable, limit: float, free_only: bool = True,
                 shortest: bool = True) -> float:
        """Augment unit by unit (the limits are tiny) along paths of free edges, shortest
        ones unless ``shortest`` is False (then any: the flow's value is the same, only
        what is left in the capacities differs); the pushed flow stays in the capacities
        (so a later search sees what is left; inside ``trial``, until it ends)."""
        first, last = self.numbers.get(start), self.numbers.get(goal)
        if first is None or last is None or first == last:  # no path joins them
            return 0
        search = self._path if shortest else self._any_path
        room = self.room
        flow = 0
        while flow < limit:
            path = search(first, last, free_only)
            if path is None:
                break
            for index in path:
                room[index] -= 1
                room[index ^ 1] += 1
            if self._pushed is not None:
                self._pushed.append(path)
            flow += 1
        return flow

    def trial_flow(self, start: Hashable, goal: Hashable, limit: float, left_out: Iterable[Hashable]) -> float:
        """The maximum flow without the ``left_out`` arcs, leaving the graph as it was."""
        with self.trial(left_out):
            return self.max_flow(start, goal, limit, shortest=False)

    @contextmanager
    def trial(self, left_out: Iterable[Hashable]):
        """Inside: the graph without the ``left_out`` arcs, flow pushed at will; after:
        the graph as it was (one graph serves many questions)."""
        room = self.room
        closed = []
        for key in left_out:
            forward = self.forward.get(key)
            if forward is not None:
                for index in (forward, forward + 1):
                    closed.append((index, room[index]))
                    room[index] = 0
        self._pushed = []
        try:
            yield self
        finally:
            for path in self._pushed:
                for index in path:
                    room[index] += 1
                    room[index ^ 1] -= 1
            self._pushed = None
            for index, capacity in reversed(closed):
                room[index] = capacity

    def _path(self, start: int, goal: int, free_only: bool) -> list[int] | None:
        """Breadth-first: the edges of a shortest path with room left, or None."""
        out, head, room, cost, tail = self.out, self.head, self.room, self.cost, self.tail
        reached = [-1] * len(out)  # node -> the edge reaching it (-2: the start)
        reached[start] = -2
        queue = deque((start,))
        while queue:
            for index in out[queue.popleft()]:
                following = head[index]
                if room[index] <= 0 or reached[following] != -1 or (free_only and cost[index]):
                    continue
                reached[following] = index
                if following == goal:
                    path, at = [], goal
                    while at != start:
                        path.append(reached[at])
                        at = tail[reached[at]]
                    return path
                queue.append(following)
        return None

    def _any_path(self, start: int, goal: int, free_only: bool) -> list[int] | None:
        """The edges of a path with room left, or None: breadth-first from both ends at
        once, always growing the smaller frontier. A cell's row node has a handful of
        edges where its column node has one per school, so meeting in the middle visits
        a fraction of what a search from one end does."""
        before = [-1] * len(self.out)  # node -> edge reaching it from start (-2: the start)
        after = [-1] * len(self.out)  # node -> edge leaving it towards goal (-2: the goal)
        before[start] = after[goal] = -2
        ahead, behind = [start], [goal]
        while ahead and behind:
            if len(ahead) <= len(behind):
                ahead, middle = self._grow(ahead, before, after, True, free_only)
            else:
                behind, middle = self._grow(behind, after, before, False, free_only)
            if middle is not None:
                return self._joined(before, after, middle)
        return None

    def _grow(self, frontier: list[int], seen: list[int], other: list[int], forward: bool,
              free_only: bool) -> tuple[list[int], int | None]:
        """One breadth-first step from ``frontier``, along edges with room (``forward``) or
        back against them; records each new node's edge in ``seen``. Returns the next
        frontier and the node where the two searches meet (None while they have not)."""
        out, room, cost = self.out, self.room, self.cost
        ends = self.head if forward else self.tail
        flip = 0 if forward else 1  # back: the twin edge runs from the neighbour to this node
        grown = []
        for node in frontier:
            for index in out[node]:
                index ^= flip
                neighbour = ends[index]
                if room[index] <= 0 or seen[neighbour] != -1 or (free_only and cost[index]):
                    continue
                seen[neighbour] = index
                if other[neighbour] != -1:
                    return grown, neighbour
                grown.append(neighbour)
        return grown, None

    def _joined(self, before: list[int], after: list[int], middle: int) -> list[int]:
        """The edges from start to ``middle`` (by ``before``), then on to goal (by ``after``)."""
        path, at = [], middle
        while before[at] >= 0:
            path.append(before[at])
            at = self.tail[before[at]]
        path.reverse()
        at = middle
        while after[at] >= 0:
            path.append(after[at])
            at = self.head[after[at]]
        return path

    def cheapest_path(self, start: Hashable, goal: Hashable) -> tuple[float, list] | None:
        """Dijkstra over edges with room left: (cost, keys of the cells to hide) or None."""
        if start == goal:
            return 0, []
        first, last = self.numbers.get(start), self.numbers.get(goal)
        if first is None or last is None:
            return None
        out, head, room, cost_of, tail = self.out, self.head, self.room, self.cost, self.tail
        push, pop, inf = heapq.heappush, heapq.heappop, math.inf
        best = [inf] * len(out)
        best[first] = 0
        previous = [-1] * len(out)
        queue = [(0, 0, first)]
        counter = 0
        while queue:
            cost, _, node = pop(queue)
            if node == last:
                keys, at = [], last
                while at != first:
                    index = previous[at]
                    if cost_of[index]:
                        keys.append(self.key[index])
                    at = tail[index]
                return cost, sorted(set(keys), key=repr)
            if cost > best[node]:
                continue
            for index in out[node]:
                if room[index] <= 0:
                    continue
                following, total = head[index], cost + cost_of[index]
                if total < best[following]:
                    best[following] = total
                    previous[following] = index
                    counter += 1  # ties go to the edge met first: deterministic
                    push(queue, (total, counter, following))
        return None


# -- tables -------------------------------------------------------------------------------


@dataclass
class Table:
    """Counts by row and column (missing cells are zeros), with a total per row, a total
    per column and a grand total — as a bulletin prints them."""

    rows: list[Hashable]
    columns: list[Hashable]
    counts: dict[tuple[Hashable, Hashable], int]
    # What a reader knows of a row's total from the layout alone: ``floors`` — the row is
    # printed only when it has at least that many children (a page exists only for a
    # province with children; "unknown district" only when there is one); ``known`` —
    # rows whose total the reader can tell anyway (a province without a page has none):
    # printed, never hidden.
    floors: dict[Hashable, int] = field(default_factory=dict)
    known: frozenset = frozenset()

    def value(self, row: Hashable, column: Hashable) -> int:
        if row == TOTAL and column == TOTAL:
            return sum(self.counts.get((r, c), 0) for r in self.rows for c in self.columns)
        if column == TOTAL:
            return sum(self.counts.get((row, c), 0) for c in self.columns)
        if row == TOTAL:
            return sum(self.counts.get((r, column), 0) for r in self.rows)
        return self.counts.get((row, column), 0)


@dataclass
class Withheld:
    """A table that could not be protected and is not printed."""

    reason: str


Pattern = dict[tuple[Hashable, Hashable], str]  # (row, column) -> published | small | complementary


def _penalties(columns: Sequence[Hashable], preference: Sequence[Hashable] | None) -> dict[Hashable, int]:
    """Candidates in earlier-preferred columns are hidden first (by default the last
    column first: the statuses' order puts the usually small counts last)."""
    ordered = list(preference or reversed(columns))
    return {column: ordered.index(column) if column in ordered else len(ordered) for column in columns}


def _add_rows(network: Network, name: str, table: Table, penalties: Mapping[Hashable, int], *,
              row_in, cell_from_row: bool, column_node) -> None:
    """Rows of a table: each row's total arc and its cells. ``cell_from_row``: cells flow
    from the row to the column (else from the column to the row)."""
    for row in table.rows:
        row_node = (name, "row", row)
        tail, head = row_in(row_node)
        network.add((name, row, TOTAL), tail, head, table.value(row, TOTAL), penalty=_TOTAL_PENALTY,
                    floor=table.floors.get(row, 0), status=PUBLISHED if row in table.known else None)
        for column in table.columns:
            ends = (row_node, column_node(column)) if cell_from_row else (column_node(column), row_node)
            network.add((name, row, column), *ends, table.value(row, column), penalty=penalties[column])


def _mark_small(network: Network) -> list[Hashable]:
    small = []
    for arc in network.arcs.values():
        if not arc.inherited and is_small(arc.value):
            network.hide(arc.key, SMALL)
            small.append(arc.key)
    return small


def _pattern(network: Network, name: str) -> Pattern:
    return {(key[1], key[2]): arc.status for key, arc in network.arcs.items() if key[0] == name}


def protect_with_published_column_totals(table: Table, preference: Sequence[Hashable] | None = None,
                                         forced: Iterable[tuple[Hashable, Hashable]] = ()) -> Pattern:
    """A table whose column totals and grand total are printed exactly (national figures,
    printed elsewhere on the page): protect its cells and row totals. ``forced`` cells
    (row, column) are hidden too (a provincial page needs them hidden) and must not be
    worked out either. Used for the national table of provinces."""
    network = Network()
    _add_rows(network, "t", table, _penalties(table.columns, preference),
              row_in=lambda node: ("source", node), cell_from_row=True, column_node=lambda c: ("col", c))
    for column in table.columns:
        network.add(("t", TOTAL, column), ("col", column), "sink", table.value(TOTAL, column), status=PUBLISHED)
    network.add(("t", TOTAL, TOTAL), "sink", "source", table.value(TOTAL, TOTAL), status=PUBLISHED)
    requirements = [Requirement(key, 2) for key in _mark_small(network)]
    for row, column in forced:  # hidden, and not to be worked out either
        arc = network.arcs[("t", row, column)]
        if not arc.hidden:
            network.hide(arc.key, COMPLEMENTARY)
            requirements.append(Requirement(arc.key, 1))
    network.secure(requirements)
    return _pattern(network, "t")


def protect_free_table(table: Table, preference: Sequence[Hashable] | None = None) -> Pattern:
    """A table whose totals are its own (nothing printed elsewhere fixes them): every
    figure, totals included, is subject to the rule. Used for the provincial summary."""
    network = Network()
    penalties = _penalties(table.columns, preference)
    _add_rows(network, "t", table, penalties,
              row_in=lambda node: ("source", node), cell_from_row=True, column_node=lambda c: ("col", c))
    for column in table.columns:
        network.add(("t", TOTAL, column), ("col", column), "sink", table.value(TOTAL, column),
                    penalty=_TOTAL_PENALTY)
    network.add(("t", TOTAL, TOTAL), "sink", "source", table.value(TOTAL, TOTAL), penalty=_TOTAL_PENALTY)
    network.secure(Requirement(key, 2) for key in _mark_small(network))
    return _pattern(network, "t")


def protect_area_tables(tables: Mapping[str, Table], totals: Mapping[Hashable, str],
                        preference: Sequence[Hashable] | None = None) -> dict[str, Pattern]:
    """One or two tables of a provincial page (districts; schools) that break down the
    same province row, whose pattern (``totals``: column -> status, and TOTAL -> status
    of the province's total) was decided on the national page and is kept.

    Every small cell of the tables is protected, and every hidden figure of the province
    row stays hidden given these tables too. Raises ``Unprotectable`` when that cannot be
    done without hiding more of the province row (see ``row_figure_to_hide``)."""
    names = list(tables)
    if not 1 <= len(names) <= 2:
        raise ValueError("one or two tables share a province row")
    first = tables[names[0]]
    columns = first.columns
    penalties = _penalties(columns, preference)
    network = Network()
    # The first table's rows feed the province row's columns and the second table's rows
    # draw from them: a column's total is the flow through it, between the two.
    _add_rows(network, names[0], first, penalties,
              row_in=lambda node: ("source", node), cell_from_row=True, column_node=lambda c: ("in", c))
    if len(names) == 2:
        _add_rows(network, names[1], tables[names[1]], penalties,
                  row_in=lambda node: (node, "sink"), cell_from_row=False, column_node=lambda c: ("out", c))
    for column in columns:
        network.add(("province", TOTAL, column), ("in", column), ("out", column) if len(names) == 2 else "sink",
                    first.value(TOTAL, column), status=totals[column])
    # the page exists: the province has children
    network.add(("province", TOTAL, TOTAL), "sink", "source", first.value(TOTAL, TOTAL), status=totals[TOTAL],
                floor=min(1, first.value(TOTAL, TOTAL)))
    # The page's small counts are protected with the province row kept as it is: then
    # nothing printed on the national page (which may pin parts of that row down) can
    # narrow them. The province row's hidden figures, protected on the national page,
    # must not be pinned down by this page either.
    inherited = frozenset(key for key, arc in network.arcs.items() if arc.inherited)
    requirements = [Requirement(key, 2, inherited) for key in _mark_small(network)]
    requirements += [Requirement(key, 1) for key in sorted(inherited, key=repr) if network.arcs[key].hidden]
    network.secure(requirements)
    return {name: _pattern(network, name) for name in names}


def protect_area_tables_or_none(tables: Mapping[str, Table], totals: Mapping[Hashable, str]) -> dict | None:
    """protect_area_tables, or None when the page cannot be protected under ``totals``.
    (Here, not in protection.py, so that the worker processes a date's pages are shared
    out to import this module alone, not pandas: half a second a pass.)"""
    try:
        return protect_area_tables(tables, totals)
    except Unprotectable:
        return None


def row_figure_to_hide(tables: Mapping[str, Table], totals: Mapping[Hashable, str],
                       preference: Sequence[Hashable] | None = None) -> Hashable | None:
    """The province row's figure which, hidden too, lets the page be protected: the first
    in the order of preference (the province's total last) that works; None if none does."""
    first = next(iter(tables.values()))
    penalties = _penalties(first.columns, preference)
    candidates = sorted((c for c in first.columns if totals[c] == PUBLISHED), key=lambda c: penalties[c])
    if totals[TOTAL] == PUBLISHED:
        candidates.append(TOTAL)
    for column in candidates:
        try:
            protect_area_tables(tables, {**totals, column: COMPLEMENTARY}, preference)
        except Unprotectable:
            continue
        return column
    return None


def withhold(tables: Iterable[str], reason: str) -> dict[str, Withheld]:
    return {name: Withheld(reason) for name in tables}
