"""What deduplicated usage records add up to: per model, day, session, project, 5-hour block, and all-Opus."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone, tzinfo
from decimal import Decimal

from core.claude_usage.costing import exact_cost, linear_prices
from core.claude_usage.transcript_lines import UsageRecord
from core.models import ALIASES

BLOCK_HOURS = 5
GROUPINGS = ("day", "session", "model", "project")


class Totals:
    """Token sums and exact Decimal costs for a set of records (each record priced on its own)."""

    __slots__ = (
        "input_tokens",
        "output_tokens",
        "cache_creation_input_tokens",
        "cache_read_input_tokens",
        "cache_creation_1h_input_tokens",
        "messages",
        "priced_messages",
        "unpriced_models",
        "_linear",
        "_exact",
        "_opus_model",
        "_opus_linear",
        "_opus_exact",
        "_opus_known",
        "first_timestamp",
        "last_timestamp",
    )

    def __init__(self, opus_model: str = ALIASES["opus"]) -> None:
        self.input_tokens = 0
        self.output_tokens = 0
        self.cache_creation_input_tokens = 0
        self.cache_read_input_tokens = 0
        self.cache_creation_1h_input_tokens = 0
        self.messages = 0
        self.priced_messages = 0
        self.unpriced_models: set[str] = set()
        # Token sums per model for records inside the model's linear price tier; summing
        # tokens first and multiplying once is exactly the per-record Decimal sum.
        self._linear: dict[str, list[int]] = {}
        self._exact = Decimal(0)
        self._opus_model = opus_model
        self._opus_linear = [0, 0, 0, 0, 0]
        self._opus_exact = Decimal(0)
        self._opus_known = linear_prices(opus_model) is not None
        self.first_timestamp: float | None = None
        self.last_timestamp: float | None = None

    def add(self, record: UsageRecord) -> None:
        _, _, timestamp, model, inp, out, write, read = record[:8]
        long = record.cache_creation_1h_input_tokens
        self.input_tokens += inp
        self.output_tokens += out
        self.cache_creation_input_tokens += write
        self.cache_read_input_tokens += read
        self.cache_creation_1h_input_tokens += long
        self.messages += 1
        if self.first_timestamp is None or timestamp < self.first_timestamp:
            self.first_timestamp = timestamp
        if self.last_timestamp is None or timestamp > self.last_timestamp:
            self.last_timestamp = timestamp
        total_input = inp + write + read
        prices = linear_prices(model)
        if prices is None:
            self.unpriced_models.add(model)
        else:
            self.priced_messages += 1
            if prices.covers(total_input):
                sums = self._linear.get(model)
                if sums is None:
                    sums = self._linear[model] = [0, 0, 0, 0, 0]
                sums[0] += inp
                sums[1] += out
                sums[2] += write
                sums[3] += read
                sums[4] += long
            else:
                self._exact += exact_cost(model, inp, out, write, read, long) or Decimal(0)
        if self._opus_known:
            opus = linear_prices(self._opus_model)
            if opus.covers(total_input):
                sums = self._opus_linear
                sums[0] += inp
                sums[1] += out
                sums[2] += write
                sums[3] += read
                sums[4] += long
            else:
                self._opus_exact += exact_cost(self._opus_model, inp, out, write, read, long) or Decimal(0)

    @property
    def total_tokens(self) -> int:
        return self.input_tokens + self.output_tokens + self.cache_creation_input_tokens + self.cache_read_input_tokens

    @property
    def cost(self) -> Decimal | None:
        """Dollars for the priced records; None when none of them could be priced."""
        if self.messages and not self.priced_messages:
            return None
        total = self._exact
        for model, sums in self._linear.items():
            total += linear_prices(model).cost(*sums)
        return total

    @property
    def all_opus_cost(self) -> Decimal | None:
        """The same token counts, each request priced at the Opus model's rates."""
        if not self._opus_known:
            return None
        return linear_prices(self._opus_model).cost(*self._opus_linear) + self._opus_exact

    @property
    def savings(self) -> Decimal | None:
        """All-Opus minus actual; None when some model has no price (the difference would lie)."""
        opus, actual = self.all_opus_cost, self.cost
        if opus is None or actual is None or self.unpriced_models:
            return None
        return opus - actual


@dataclass
class Breakdown:
    """Totals per model and overall for one slice of records."""

    opus_model: str = ALIASES["opus"]
    models: dict[str, Totals] = field(default_factory=dict)
    totals: Totals = None  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if self.totals is None:
            self.totals = Totals(self.opus_model)

    def add(self, record: UsageRecord) -> None:
        model_totals = self.models.get(record.model)
        if model_totals is None:
            model_totals = self.models[record.model] = Totals(self.opus_model)
        model_totals.add(record)
        self.totals.add(record)


@dataclass
class UsageReport:
    """A whole report: the overall breakdown, optional groups, and the lines skipped as malformed."""

    overall: Breakdown
    groups: dict[str, Breakdown]
    by: str | None
    skipped_lines: int
    skipped_reasons: dict[str, int] = field(default_factory=dict)  # reason -> count (see transcript_lines)


def local_day(timestamp: float, tz: tzinfo | None = None) -> date:
    """The calendar day of a timestamp in `tz` (None: the machine's local time zone)."""
    moment = datetime.fromtimestamp(timestamp, tz or timezone.utc)
    return (moment if tz is not None else moment.astimezone()).date()


def _day_key(tz: tzinfo | None) -> Callable[[UsageRecord], str]:
    cache: dict[int, str] = {}

    def key(record: UsageRecord) -> str:
        # Every UTC offset in use is a multiple of 15 minutes, so a local day never
        # changes inside a 15-minute UTC bucket: one conversion per bucket.
        bucket = int(record.timestamp // 900)
        day = cache.get(bucket)
        if day is None:
            day = cache[bucket] = local_day(bucket * 900, tz).isoformat()
        return day

    return key


def build_report(
    records: Iterable[UsageRecord],
    *,
    by: str | None = None,
    since: date | None = None,
    until: date | None = None,
    tz: tzinfo | None = None,
    opus_model: str = ALIASES["opus"],
    skipped_lines: int = 0,
    skipped_reasons: dict[str, int] | None = None,
) -> UsageReport:
    """Totals for records whose local day is within [since, until], grouped `by` if given."""
    if by is not None and by not in GROUPINGS:
        raise ValueError(f"cannot group by {by!r}")
    overall = Breakdown(opus_model)
    groups: dict[str, Breakdown] = {}
    day_of = _day_key(tz)
    since_text = since.isoformat() if since else None
    until_text = until.isoformat() if until else None
    group_key: Callable[[UsageRecord], str] | None = {
        None: None,
        "day": day_of,
        "session": lambda record: record.session_id,
        "model": lambda record: record.model,
        "project": lambda record: record.project,
    }[by]
    for record in records:
        if since_text or until_text:
            day = day_of(record)
            if (since_text and day < since_text) or (until_text and day > until_text):
                continue
        overall.add(record)
        if group_key is not None:
            key = group_key(record)
            group = groups.get(key)
            if group is None:
                group = groups[key] = Breakdown(opus_model)
            group.add(record)
    return UsageReport(overall, dict(sorted(groups.items())), by, skipped_lines, dict(skipped_reasons or {}))


# -- JSON ------------------------------------------------------------------------------------


def _money(value: Decimal | None) -> float | None:
    return None if value is None else float(round(value, 6))


def totals_json(totals: Totals) -> dict:
    return {
        "input_tokens": totals.input_tokens,
        "output_tokens": totals.output_tokens,
        "cache_creation_input_tokens": totals.cache_creation_input_tokens,
        "cache_read_input_tokens": totals.cache_read_input_tokens,
        "cache_creation_1h_input_tokens": totals.cache_creation_1h_input_tokens,
        "messages": totals.messages,
        "cost_usd": _money(totals.cost),
    }


def breakdown_json(breakdown: Breakdown) -> dict:
    return {
        "models": {model: totals_json(t) for model, t in sorted(breakdown.models.items())},
        "totals": totals_json(breakdown.totals),
        "all_opus_cost_usd": _money(breakdown.totals.all_opus_cost),
        "savings_usd": _money(breakdown.totals.savings),
    }


def report_json(report: UsageReport) -> dict:
    """DESIGN.md's `segue usage --json` shape, plus `unpriced_models` and, with --by, `groups`."""
    payload = breakdown_json(report.overall)
    payload["skipped_lines"] = report.skipped_lines
    payload["skipped_reasons"] = dict(sorted(report.skipped_reasons.items()))
    payload["unpriced_models"] = sorted(report.overall.totals.unpriced_models)
    if report.by is not None:
        payload["by"] = report.by
        payload["groups"] = [{"key": key, **breakdown_json(group)} for key, group in report.groups.items()]
    return payload


# -- 5-hour blocks -------------------------------------------------------------------------


@dataclass
class Block:
    """A Claude Code usage window: starts on the hour of its first message and lasts five hours."""

    start: datetime
    end: datetime
    usage: Breakdown
    first: datetime
    last: datetime

    def is_active(self, now: datetime) -> bool:
        return self.start <= now < self.end and now - self.last < timedelta(hours=BLOCK_HOURS)

    def burn_rate(self, now: datetime) -> Decimal | None:
        """Dollars per hour since the block's first message (at least one minute, to stay sane)."""
        cost = self.usage.totals.cost
        if cost is None:
            return None
        elapsed = max((min(now, self.end) - self.first).total_seconds(), 60.0)
        return cost * Decimal(3600) / Decimal(repr(elapsed))

    def projected_cost(self, now: datetime) -> Decimal | None:
        """The spend at the block's end if the burn rate holds."""
        cost, rate = self.usage.totals.cost, self.burn_rate(now)
        if cost is None or rate is None:
            return None
        remaining = max((self.end - now).total_seconds(), 0.0)
        return cost + rate * Decimal(repr(remaining)) / Decimal(3600)


def session_blocks(records: Iterable[UsageRecord], opus_model: str = ALIASES["opus"]) -> list[Block]:
    """Records cut into 5-hour blocks the way ccusage's blocks report cuts them."""
    window = BLOCK_HOURS * 3600
    blocks: list[Block] = []
    current: Block | None = None
    last_ts = 0.0
    start_ts = 0.0
    for record in sorted(records, key=lambda r: r.timestamp):
        ts = record.timestamp
        if current is None or ts - start_ts >= window or ts - last_ts >= window:
            start_ts = ts - ts % 3600  # floored to the hour in UTC
            moment = datetime.fromtimestamp(ts, timezone.utc)
            current = Block(
                datetime.fromtimestamp(start_ts, timezone.utc),
                datetime.fromtimestamp(start_ts + window, timezone.utc),
                Breakdown(opus_model),
                moment,
                moment,
            )
            blocks.append(current)
        current.usage.add(record)
        current.last = datetime.fromtimestamp(ts, timezone.utc)
        last_ts = ts
    return blocks


# -- the usage screen's numbers --------------------------------------------------------------


@dataclass
class Dashboard:
    """Everything the usage screen shows, computed in one pass-friendly place."""

    now: datetime
    today: Breakdown
    month: Breakdown
    overall: Breakdown
    block: Block | None  # the active 5-hour block, if any
    projects: list[tuple[str, Breakdown]]  # (display name, usage) by cost, largest first
    skipped_lines: int
    files: int


def dashboard(
    records: Iterable[UsageRecord],
    *,
    now: datetime | None = None,
    tz: tzinfo | None = None,
    opus_model: str = ALIASES["opus"],
    project_names: dict[str, str] | None = None,
    skipped_lines: int = 0,
    files: int = 0,
) -> Dashboard:
    records = list(records)
    now = now or datetime.now(timezone.utc)
    local_now = now.astimezone(tz) if tz is not None else now.astimezone()
    today_text = local_now.date().isoformat()
    month_text = today_text[:7]
    day_of = _day_key(tz)
    today, month, overall = Breakdown(opus_model), Breakdown(opus_model), Breakdown(opus_model)
    projects: dict[str, Breakdown] = {}
    for record in records:
        overall.add(record)
        day = day_of(record)
        if day[:7] == month_text:
            month.add(record)
            if day == today_text:
                today.add(record)
        project = projects.get(record.project)
        if project is None:
            project = projects[record.project] = Breakdown(opus_model)
        project.add(record)
    blocks = session_blocks(records, opus_model)
    active = blocks[-1] if blocks and blocks[-1].is_active(now) else None
    names = project_names or {}
    ranked = sorted(projects.items(), key=lambda item: (-(item[1].totals.cost or 0), item[0]))
    return Dashboard(
        now,
        today,
        month,
        overall,
        active,
        [(names.get(key) or key or "(no project)", usage) for key, usage in ranked],
        skipped_lines,
        files,
    )
