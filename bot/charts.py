"""Charts a secretary can forward: the statistics of `/thongke` and the year grid of `/nhipsinhhoat`.

Pure: plain data in (the dataclasses below), PNG bytes out. matplotlib is imported on the first render only
(start-up and every other reply do not pay for it), with the Agg backend and the DejaVu Sans it ships, which
covers Vietnamese. The OO API (no pyplot, no global figure state) and one lock: callers render in a worker
thread (asyncio.to_thread), and matplotlib's font cache is not safe to share between threads drawing at once.
1100 px wide, white, a 64-colour PNG of a few tens of KB: readable on a phone, light to send.
"""

from __future__ import annotations

import io
import textwrap
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from bot.formats import ROMAN, percent

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

WIDTH_IN, DPI = 11.0, 100  # 1100 px wide
FONT = "DejaVu Sans"
_lock = threading.Lock()

# -- the data -----------------------------------------------------------------------------------

HELD, MISSING, OPEN, FUTURE = "held", "missing", "open", "future"


@dataclass(frozen=True)
class Period:
    """A month (regular meeting) or a quarter (thematic meeting) of the year grid."""

    status: str  # held | missing (past, none logged) | open (the current one, none logged yet) | future
    held_on: date | None = None
    topic: str | None = None
    late: bool = False  # open, and the day by which the regular meeting should be held has passed


@dataclass(frozen=True)
class YearGrid:
    year: int
    months: tuple[Period, ...]  # 12
    quarters: tuple[Period, ...]  # 4
    current_month: int | None = None  # when the year is this year
    current_quarter: int | None = None
    late_after: int = 20  # the day of the month after which a missing regular meeting is late

    @staticmethod
    def _count(periods: Sequence[Period]) -> tuple[int, int]:
        held = sum(1 for p in periods if p.status == HELD)
        due = sum(1 for p in periods if p.status != FUTURE)
        return held, due

    @property
    def months_held(self) -> tuple[int, int]:
        """(months with their regular meeting, months due so far)."""
        return self._count(self.months)

    @property
    def quarters_held(self) -> tuple[int, int]:
        return self._count(self.quarters)

    @property
    def empty(self) -> bool:
        """No meeting logged in the year: nothing to draw."""
        return all(p.status != HELD for p in (*self.months, *self.quarters))


@dataclass(frozen=True)
class MeetingBar:
    """One meeting's attendance: present out of those who had to attend (exempt members left out)."""

    held_on: date
    kind: str  # thuong_ky | chuyen_de
    present: int
    required: int


@dataclass(frozen=True)
class TaskCounts:
    """The tasks given at the meetings of a span, by how they went."""

    on_time: int = 0
    late: int = 0
    done_unknown: int = 0  # marked done before the tracker recorded when
    overdue: int = 0
    running: int = 0

    @property
    def total(self) -> int:
        return self.on_time + self.late + self.done_unknown + self.overdue + self.running

    def rows(self) -> list[tuple[str, int]]:
        """(label, count) in the order of the text of /thongke; 'không rõ ngày' only when there are some."""
        rows = [("Hoàn thành đúng hạn", self.on_time), ("Hoàn thành trễ hạn", self.late)]
        if self.done_unknown:
            rows.append(("Hoàn thành (không rõ ngày)", self.done_unknown))
        return rows + [("Quá hạn chưa hoàn thành", self.overdue), ("Đang thực hiện, chưa đến hạn", self.running)]


@dataclass(frozen=True)
class Statistics:
    start: date
    end: date
    meetings: tuple[MeetingBar, ...] = ()
    tasks: TaskCounts = field(default_factory=TaskCounts)
    target: float | None = None  # the attendance rate a meeting should reach, drawn as a line

    @property
    def attendance(self) -> tuple[int, int]:
        """(present, required) over all meetings: the 'Tỷ lệ dự sinh hoạt chung' of the text."""
        return sum(m.present for m in self.meetings), sum(m.required for m in self.meetings)

    @property
    def empty(self) -> bool:
        return not self.meetings


# -- rendering ------------------------------------------------------------------------------------

COLOURS = {HELD: "#2e7d32", MISSING: "#c62828", OPEN: "#f9a825", FUTURE: "#e6e6e6"}
INK = {HELD: "white", MISSING: "white", OPEN: "#212121", FUTURE: "#616161"}
KIND_COLOURS = {"thuong_ky": "#1f5fa8", "chuyen_de": "#e07b00"}
KIND_NAMES = {"thuong_ky": "Thường kỳ", "chuyen_de": "Chuyên đề"}
TASK_COLOURS = ["#2e7d32", "#f9a825", "#7cb342", "#c62828", "#1f5fa8"]


def _figure(height_in: float) -> Figure:
    from matplotlib.figure import Figure

    return Figure(figsize=(WIDTH_IN, height_in), dpi=DPI, facecolor="white")


def _png(fig: Figure) -> bytes:
    """The drawn figure as a PNG of at most 64 colours (flat colours and anti-aliased text: a third of the
    bytes of the RGBA file matplotlib writes, and faster to encode)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image  # a dependency of matplotlib

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    width, height = canvas.get_width_height()
    image = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1).convert("RGB")
    buf = io.BytesIO()
    image.quantize(colors=64, method=Image.Quantize.FASTOCTREE).save(buf, format="PNG")
    return buf.getvalue()


def _render(build: Any, *args: Any) -> bytes:
    import matplotlib

    with _lock, matplotlib.rc_context({"font.family": "sans-serif", "font.sans-serif": [FONT],
                                       "axes.unicode_minus": False, "svg.fonttype": "none"}):
        return _png(build(*args))


def _short(day: date) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year}"


def _fit(text: str, size: float, room: int) -> float:
    """The font size at which `text` fits the width: `size` for up to `room` characters, smaller beyond."""
    return size if len(text) <= room else max(9.0, size * room / len(text))


def _title(fig: Figure, title: str, subtitle: str) -> None:
    fig.text(0.5, 1 - 0.32 / fig.get_figheight(), title, ha="center", va="center", fontsize=_fit(title, 18, 62),
             fontweight="bold", color="#1a1a1a")
    fig.text(0.5, 1 - 0.66 / fig.get_figheight(), subtitle, ha="center", va="center",
             fontsize=_fit(subtitle, 13, 105), color="#424242")


KEEP_TOGETHER = ("Hồ Chí Minh",)  # names a line must not split (no-break spaces: textwrap breaks at ASCII ones)


def _clip(text: str, width: int, lines: int) -> str:
    for name in KEEP_TOGETHER:
        text = text.replace(name, name.replace(" ", "\u00a0"))
    return "\n".join(textwrap.wrap(text, width, max_lines=lines, placeholder="…"))


# -- the year grid --------------------------------------------------------------------------------

def rhythm_figure(unit: str, grid: YearGrid) -> Figure:
    """The figure of `rhythm_png` (the tests read its texts)."""
    from matplotlib.patches import Patch, Rectangle

    fig = _figure(5.0)
    held, due = grid.months_held
    q_held, q_due = grid.quarters_held
    _title(fig, f"Nhịp sinh hoạt chi bộ năm {grid.year}", unit)
    fig.text(0.5, 1 - 0.98 / fig.get_figheight(),
             f"Thường kỳ: {held}/{due} tháng đã sinh hoạt  ·  Chuyên đề: {q_held}/{q_due} quý đã sinh hoạt",
             ha="center", va="center", fontsize=12, color="#424242")
    ax = fig.add_axes((0.0, 0.13, 1.0, 0.64))
    ax.set_xlim(-1.7, 12.05)
    ax.set_ylim(-0.05, 2.45)
    ax.axis("off")
    ax.text(-0.1, 1.5, "Thường kỳ\n(hằng tháng)", ha="right", va="center", fontsize=11.5, fontweight="bold")
    ax.text(-0.1, 0.5, "Chuyên đề\n(hằng quý)", ha="right", va="center", fontsize=11.5, fontweight="bold")

    def cell(x: float, y: float, w: float, period: Period, head: str, current: bool) -> None:
        ax.add_patch(Rectangle((x + 0.04, y + 0.04), w - 0.08, 0.92, facecolor=COLOURS[period.status],
                               edgecolor="#111111" if current else "white", linewidth=3.5 if current else 1))
        ink = INK[period.status]
        wide = w >= 2
        if wide:
            ax.text(x + w / 2, y + 0.78, head, ha="center", va="center", fontsize=13, fontweight="bold", color=ink)
        else:  # a month: 'Tháng' small, its number large
            ax.text(x + w / 2, y + 0.84, "Tháng", ha="center", va="center", fontsize=9.5, color=ink)
            ax.text(x + w / 2, y + 0.62, head, ha="center", va="center", fontsize=16, fontweight="bold", color=ink)
        if period.status == HELD and period.held_on is not None:
            body = f"Ngày {_short(period.held_on)}" if wide else f"{period.held_on.day:02d}/{period.held_on.month:02d}"
            if wide and period.topic:
                body += "\n" + _clip(f"“{period.topic}”", 34, 2)
        elif period.status == MISSING:
            body = "Không có biên bản" if wide else "Không có"
        elif period.status == OPEN:
            body = "Chưa có"
        else:
            body = "Chưa đến"
        ax.text(x + w / 2, y + (0.4 if wide else 0.27), body, ha="center", va="center",
                fontsize=9.5 if "\n" in body else 10 if not wide else 11, color=ink, linespacing=1.25)

    for m, period in enumerate(grid.months, 1):
        current = m == grid.current_month
        cell(m - 1, 1, 1, period, str(m), current)
        if current:
            mark = "▼ Tháng này" + (f" (đã qua ngày {grid.late_after})" if period.late else "")
            align = "left" if m <= 2 else "right" if m >= 11 else "center"
            at = {"left": m - 0.96, "right": m - 0.04, "center": m - 0.5}[align]
            ax.text(at, 2.12, mark, ha=align, va="center", fontsize=10.5, fontweight="bold")
    for q, period in enumerate(grid.quarters, 1):
        cell(3 * (q - 1), 0, 3, period, f"Quý {ROMAN[q - 1]}", q == grid.current_quarter)

    legend = [Patch(facecolor=COLOURS[HELD], label="Đã sinh hoạt"),
              Patch(facecolor=COLOURS[MISSING], label="Không có biên bản"),
              Patch(facecolor=COLOURS[OPEN], label="Kỳ hiện tại, chưa có"),
              Patch(facecolor=COLOURS[FUTURE], label="Chưa đến")]
    fig.legend(handles=legend, loc="lower center", ncol=4, frameon=False, fontsize=11,
               bbox_to_anchor=(0.5, 0.01))
    return fig


def rhythm_png(unit: str, grid: YearGrid) -> bytes:
    """The year at a glance: each month's regular meeting, each quarter's thematic one, this month marked."""
    return _render(rhythm_figure, unit, grid)


# -- the statistics ---------------------------------------------------------------------------------

def _attendance(ax: Axes, stats: Statistics) -> None:
    bars = stats.meetings
    n = len(bars)
    years = {b.held_on.year for b in bars}
    labels = [f"{b.held_on.day:02d}/{b.held_on.month:02d}" + (f"\n{b.held_on.year}" if len(years) > 1 else "")
              for b in bars]
    rates = [100 * b.present / b.required if b.required else 0.0 for b in bars]
    xs = list(range(n))
    ax.bar(xs, rates, width=0.62, color=[KIND_COLOURS.get(b.kind, "#1f5fa8") for b in bars])
    size = 11 if n <= 12 else 9.5 if n <= 20 else 8
    if n <= 31:
        for x, b, rate in zip(xs, bars, rates, strict=True):
            ax.text(x, rate + 2, f"{percent(b.present, b.required)}\n{b.present}/{b.required}", ha="center",
                    va="bottom", fontsize=size, linespacing=1.15, zorder=3,
                    bbox={"facecolor": "white", "edgecolor": "none", "pad": 1.0})
    ax.set_xticks(xs, labels, fontsize=size if n > 12 else 11)
    pad = max(0, 6 - n) / 2  # a few meetings: bars of the usual width, centred
    ax.set_xlim(-0.7 - pad, n - 0.3 + pad)
    ax.set_ylim(0, 122)
    ax.set_yticks([0, 20, 40, 60, 80, 100])
    ax.set_ylabel("Tỷ lệ đảng viên có mặt (%)", fontsize=11.5)
    ax.set_xlabel("Ngày sinh hoạt", fontsize=11.5)
    present, required = stats.attendance
    ax.set_title(f"Đảng viên dự từng buổi sinh hoạt — tỷ lệ chung {percent(present, required)} "
                 f"({present}/{required} lượt)", fontsize=13.5, fontweight="bold", loc="left", pad=30)
    from matplotlib.artist import Artist
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles: list[Artist] = []
    for kind in ("thuong_ky", "chuyen_de"):
        if any(b.kind == kind for b in bars):
            handles.append(Patch(facecolor=KIND_COLOURS[kind], label=f"Sinh hoạt {KIND_NAMES[kind].lower()}"))
    if stats.target is not None:
        ax.axhline(stats.target, color="#c62828", linestyle="--", linewidth=1.2)
        handles.append(Line2D([], [], color="#c62828", linestyle="--", label=f"Mức cần đạt {stats.target:.0f}%"))
    ax.legend(handles=handles, loc="lower left", ncol=len(handles), fontsize=10.5, frameon=False,
              bbox_to_anchor=(0.0, 1.0), borderaxespad=0.2, handlelength=1.6)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(axis="y", labelsize=10.5)


def _tasks(ax: Axes, tasks: TaskCounts) -> None:
    rows = tasks.rows()
    ys = list(range(len(rows)))[::-1]
    counts = [count for _, count in rows]
    colours = TASK_COLOURS if len(rows) == 5 else TASK_COLOURS[:2] + TASK_COLOURS[3:]
    ax.barh(ys, counts, height=0.6, color=colours)
    ax.set_yticks(ys, [label for label, _ in rows], fontsize=11.5)
    top = max(counts) or 1
    ax.set_xlim(0, top * 1.15 + 0.5)
    for y, count in zip(ys, counts, strict=True):
        ax.text(count + top * 0.015 + 0.05, y, str(count), va="center", fontsize=12, fontweight="bold")
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("Số việc", fontsize=11.5)
    ax.set_title(f"Việc chi bộ giao tại các buổi sinh hoạt: {tasks.total} việc", fontsize=13.5,
                 fontweight="bold", loc="left", pad=10)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(axis="x", labelsize=10.5)


def statistics_figure(unit: str, stats: Statistics) -> Figure:
    """The figure of `statistics_png` (the tests read its texts)."""
    with_tasks = stats.tasks.total > 0
    fig = _figure(9.0 if with_tasks else 5.6)
    regular = sum(1 for m in stats.meetings if m.kind == "thuong_ky")
    _title(fig, f"Thống kê sinh hoạt — {unit}",
           f"Từ {_short(stats.start)} đến {_short(stats.end)}: {len(stats.meetings)} buổi sinh hoạt "
           f"(thường kỳ {regular}, chuyên đề {len(stats.meetings) - regular})")
    height = fig.get_figheight()
    if with_tasks:
        top = fig.add_axes((0.08, 0.47, 0.89, 0.53 - 1.5 / height))
        bottom = fig.add_axes((0.29, 0.07, 0.64, 0.27))
        _tasks(bottom, stats.tasks)
    else:
        top = fig.add_axes((0.08, 0.13, 0.89, 0.87 - 1.5 / height))
    _attendance(top, stats)
    return fig


def statistics_png(unit: str, stats: Statistics) -> bytes:
    """Attendance per meeting, and the tasks given at the meetings on time, late, overdue."""
    return _render(statistics_figure, unit, stats)
