"""Deterministic Markdown replies shaped to the task: plans for planning prompts, code for execution."""

from __future__ import annotations

import hashlib
import random
import re
from dataclasses import dataclass

from core.simulator import implementations, topics
from core.simulator.tokens import CHARS_PER_TOKEN, count

DEFAULT_RANGE = (320, 680)  # output tokens of an ordinary reply
THINKING_RANGE = (110, 240)

_PLAN_CUES = (
    r"plan|planning|design|architect\w*|should (?:we|i)|trade-?offs?|strateg\w*|investigat\w*|"
    r"evaluat\w*|compare|roadmap|propos\w*|approach|how (?:should|would|could|do) (?:we|i)|think through"
)
_EXEC_CUES = (
    r"implement\w*|write|add|fix|fixes|test|tests|refactor\w*|build|create|update|rename|remove|port|"
    r"migrate|code|make|change"
)
_CUE = re.compile(rf"\b(?:(?P<plan>{_PLAN_CUES})|(?P<exec>{_EXEC_CUES}))\b", re.I)
# A system prompt that casts the model as the planner (not one that merely mentions a plan).
_PLANNER_SYSTEM = re.compile(
    r"\byou (?:are|act as) (?:the |a |an )?(?:planning model|planner|architect)|\byou plan\b|\bwrite (?:the|a) plan\b", re.I
)
_FILE_HEADING = re.compile(r"^#{1,3}\s+([\w./-]+\.md)\b", re.M)
_PLAN_FILE = re.compile(r"\b[\w-]*_PLAN\.md\b|\bCLAUDE\.md\b")
_WORD = re.compile(r"[A-Za-z0-9][\w'.-]*[A-Za-z0-9]|[A-Za-z0-9]|[,;:!?()]|\.(?=\s|$)")

_STOP = frozenset(
    """a an the our my your their its this that these those to for of in on with and or but how we i you it is are
    be been should would could can will do does did please me us some any about into from by as at via using which
    what when where why let's lets need needs want wants so then just also new existing current let make sure
    there here them they it's i'd i'm we'll we're whether if than more most very really all each""".split()
)
_BREAK = frozenset(
    "for with in on to using that so because from by via which when where while without before after according per following".split()
)
_ORDINALS = frozenset("step steps phase part item section stage first second third next".split())
_CUE_WORDS = frozenset(
    """plan planning design designing architect architecture should trade-off trade-offs tradeoffs strategy investigate
    evaluate compare roadmap propose approach think through implement write add fix fixes test tests refactor build
    create update rename remove port migrate code make change out up""".split()
)


@dataclass(frozen=True)
class Reply:
    kind: str  # "plan" | "exec" | "answer"
    thinking: str
    text: str


# -- reading the prompt -------------------------------------------------------------------------


def task_kind(prompt: str, system: str) -> str:
    if _PLANNER_SYSTEM.search(system):
        return "plan"
    match = _CUE.search(prompt)
    if match is None:
        return "answer"
    return "plan" if match.group("plan") else "exec"


def context_files(system: str) -> list[str]:
    """File names the system text carries as headings ("# CLAUDE.md") or names (AUTH_PLAN.md)."""
    names: list[str] = []
    for name in [*_FILE_HEADING.findall(system), *_PLAN_FILE.findall(system)]:
        name = name.rsplit("/", 1)[-1]
        if name not in names:
            names.append(name)
    names.sort(key=lambda name: (name != "CLAUDE.md",))  # project rules first, then plans
    return names


def _words(prompt: str) -> list[str]:
    return _WORD.findall(prompt)


def _is_content(word: str) -> bool:
    lowered = word.lower()
    return (
        word[0].isalnum()
        and not word.isdigit()
        and lowered not in _STOP
        and lowered not in _CUE_WORDS
        and lowered not in _ORDINALS
        and not lowered.endswith(".md")
    )


def topic_words(prompt: str) -> list[str]:
    """The noun phrase the prompt is about: after its first cue, up to a preposition (at most 4 words)."""
    words = _words(prompt)
    match = _CUE.search(prompt)
    start = 0
    if match is not None:
        start = len(_words(prompt[: match.end()]))
    phrase: list[str] = []
    for word in words[start:]:
        lowered = word.lower()
        if not word[0].isalnum() or lowered in _BREAK:
            if phrase:
                break
            continue
        if _is_content(word):
            phrase.append(word)
            if len(phrase) == 4:
                break
        elif phrase and lowered in _STOP:
            break
    if not phrase:
        phrase = [word for word in words if _is_content(word)][:3]
    return phrase or ["project"]


def keywords(prompt: str) -> list[str]:
    seen: list[str] = []
    for word in _words(prompt):
        if _is_content(word) and len(word) > 2 and word.lower() not in (w.lower() for w in seen):
            seen.append(word)
    return seen[:8] or ["project"]


def _title(words: list[str]) -> str:
    return " ".join(word if not word.islower() else word.capitalize() for word in words)


def _task_phrase(prompt: str) -> tuple[str, str]:
    """('implement', 'the login form') from "Implement the login form, following ..."."""
    match = _CUE.search(prompt)
    verb = match.group(0).lower() if match and match.group("exec") else "implement"
    rest = prompt[match.end() :] if match else prompt
    rest = re.split(r"\n|[.;:!?](?=\s|$)|, | following | according to | as described", rest, maxsplit=1)[0]
    words = rest.split()[:12]
    phrase = " ".join(words).strip(" ,") or "the change"
    if verb in ("fixes", "tests"):
        verb = verb[:-2] if verb == "fixes" else "test"
    return verb, phrase


def _ident(words: list[str]) -> str:
    parts = [re.sub(r"\W", "", word).lower() for word in words]
    name = "_".join(part for part in parts if part)[:32].strip("_") or "feature"
    return name if not name[0].isdigit() else f"f_{name}"


def ident_for(prompt: str) -> str:
    """The identifier a code reply to `prompt` is named after (Claude Code's acted-out file name)."""
    return _ident(topic_words(prompt))


def _class_name(words: list[str]) -> str:
    return "".join(part.capitalize() for part in _ident(words).split("_")) or "Feature"


# -- domain packs: what a plan says about a topic ------------------------------------------------

_PACKS: dict[str, dict[str, list[str]]] = {
    "auth": {
        "keys": ["auth", "authentication", "login", "password", "session", "oauth", "jwt", "token", "sso", "signup", "user", "users", "account"],
        "goals": [
            "Users sign in with email and password; sessions survive restarts and expire after 14 days of inactivity.",
            "Passwords never leave the server in clear text and are never logged.",
            "Adding OAuth providers later needs no schema change.",
            "Every authentication decision is auditable.",
        ],
        "architecture": [
            "`AuthService`: registration, login, logout and password reset behind one interface.",
            "`PasswordHasher`: Argon2id (64 MB memory, 3 iterations, parallelism 4) with a rehash-on-login upgrade path.",
            "`SessionStore`: opaque 256-bit session ids in a server-side table, sent as `HttpOnly`, `Secure`, `SameSite=Lax` cookies.",
            "`RateLimiter`: per-account and per-IP login throttling with exponential back-off.",
        ],
        "security": [
            "Argon2id for password hashing; compare hashes in constant time.",
            "Rotate the session id on login and on privilege change to stop session fixation.",
            "CSRF tokens on every state-changing form; `SameSite` cookies are defence in depth, not the defence.",
            "Reset tokens are single-use, expire in 30 minutes and are stored hashed.",
            "Uniform error messages on login so accounts cannot be enumerated.",
        ],
    },
    "data": {
        "keys": ["database", "schema", "migration", "migrations", "sql", "postgres", "sqlite", "table", "tables", "storage", "orm", "model", "models", "data"],
        "goals": [
            "A schema that expresses the invariants in constraints, not only in code.",
            "Migrations that run forwards without downtime and can be rolled back.",
            "Queries on the hot paths stay under 10 ms at the expected volume.",
        ],
        "architecture": [
            "A repository layer owns every query; services never build SQL.",
            "Versioned migrations, one concern each, applied at start-up in a transaction.",
            "Indexes named after the query they serve, reviewed with `EXPLAIN` on production-sized data.",
            "Soft deletes only where the product needs an undo; hard deletes elsewhere.",
        ],
        "security": [
            "Parameterised queries everywhere; no string formatting of SQL.",
            "The application role has no DDL rights; migrations run under a separate role.",
            "Personal data columns are listed so retention and export can be automated.",
        ],
    },
    "api": {
        "keys": ["api", "endpoint", "endpoints", "rest", "graphql", "http", "service", "webhook", "webhooks", "server", "client", "grpc"],
        "goals": [
            "Predictable, versioned endpoints with one error format.",
            "Idempotent writes so clients can retry safely.",
            "Documented with an OpenAPI schema generated from the code.",
        ],
        "architecture": [
            "Thin handlers that validate input and call one service function each.",
            "A shared error type mapped to problem+json responses.",
            "Pagination by opaque cursor, never by offset, for lists that grow.",
            "Idempotency keys stored for 24 hours on every POST.",
        ],
        "security": [
            "Authenticate every request; authorise per resource, not per route.",
            "Validate and bound every input (sizes, counts, string lengths).",
            "Rate-limit per token and return `retry-after` on 429.",
        ],
    },
    "performance": {
        "keys": ["cache", "caching", "redis", "performance", "latency", "slow", "fast", "speed", "throughput", "scale", "scaling", "queue"],
        "goals": [
            "Cut p95 latency of the slow path by at least half.",
            "Keep results correct under concurrent writes: no stale reads after a user's own write.",
            "Make the gain measurable with a benchmark checked into the repository.",
        ],
        "architecture": [
            "Measure first: a profile of the slow path decides what to change.",
            "A read-through cache with explicit invalidation on writes, keyed by version.",
            "Background work moves to a queue with retries and a dead-letter list.",
            "Timeouts and budgets on every outbound call.",
        ],
        "security": [
            "Never cache responses that depend on the user without the user in the key.",
            "Cap cache entry sizes so one request cannot evict everything.",
            "Queue payloads carry ids, not secrets.",
        ],
    },
    "ui": {
        "keys": ["ui", "frontend", "page", "screen", "component", "components", "tui", "form", "dashboard", "view", "layout", "button", "theme"],
        "goals": [
            "The common task takes one screen and no more than three actions.",
            "Keyboard reachable throughout, with visible focus.",
            "Loading, empty and error states designed, not left to chance.",
        ],
        "architecture": [
            "Small components that receive data and emit messages; no component reaches into another.",
            "State that can be derived is derived, not stored twice.",
            "Styles come from theme variables so light and dark themes stay consistent.",
            "Snapshot tests pin the look; interaction tests drive the real widgets.",
        ],
        "security": [
            "Escape everything rendered from user input.",
            "Never put secrets in client-side state or logs.",
            "Confirm destructive actions and make them undoable where possible.",
        ],
    },
}
_GENERIC = {
    "goals": [
        "Deliver {topic} in small, reviewable steps that each leave the project working.",
        "Keep the public interface of {topic} small and documented.",
        "Cover the behaviour of {topic} with tests before refactoring around it.",
        "Make failures of {topic} visible: one clear message, never a silent fallback.",
    ],
    "architecture": [
        "A `{cls}` module in `core/` holds the logic of {topic}; the UI only renders what it returns.",
        "Configuration for {topic} lives in the settings file with safe defaults.",
        "Side effects (files, network) sit behind one small interface so tests can use real temporary resources.",
        "Errors are typed and converted to a user-facing sentence at the edge.",
    ],
    "security": [
        "Validate every input to {topic} at the boundary; trust nothing from files or the network.",
        "Secrets come from the environment only and are never written to disk or logs.",
        "Write files atomically so a crash never leaves {topic} half-updated.",
    ],
}
_STEPS = [
    "Write down the current behaviour of {topic} as tests, including the failure cases.",
    "Introduce the `{cls}` interface with one implementation and wire it in behind a flag.",
    "Move the existing callers of {topic} to the new interface, one module per commit.",
    "Add validation and the error messages users will see.",
    "Add the migration or settings change {topic} needs, with a rollback path.",
    "Measure: a benchmark for the hot path of {topic}, compared with the old code.",
    "Remove the flag and the old path once the tests and the benchmark agree.",
    "Document {topic} in the README and note the decisions in the changelog.",
]
_RISKS = [
    "**Scope creep**: {topic} touches several modules; keeping steps small limits the blast radius.",
    "**Simplicity vs. flexibility**: one implementation now, an interface only where a second is certain.",
    "**Performance vs. clarity**: optimise {topic} only where the benchmark shows a cost.",
    "**Migration risk**: existing data must keep working; test the upgrade on a copy first.",
    "**Consistency**: two sources of truth for {topic} would drift; derive instead of storing twice.",
]
_QUESTIONS = [
    "Which part of {topic} matters most to users if we must cut scope?",
    "Do we need backwards compatibility for the current {topic} format, and for how long?",
    "Who owns {topic} once it ships: which team reviews changes to it?",
    "Is there a deadline that would justify a smaller first version of {topic}?",
]
_DETAIL_SENTENCES = [
    "The {part} keeps its state in one place and exposes it read-only, so callers cannot drift apart.",
    "Every public function of the {part} has a test that fails if its contract changes.",
    "Errors in the {part} carry enough context to be fixed without a debugger.",
    "The {part} is configured with explicit arguments rather than globals, which keeps tests independent.",
    "We log the {part}'s decisions at debug level and never log user data.",
    "Where the {part} talks to the outside world it has a timeout and a bounded retry.",
    "The {part} stays small: anything that grows past one screen of code becomes its own module.",
]
_THOUGHTS = [
    "The user wants {task}. Let me work out what actually matters before writing anything.",
    "The core of this is {topic}; the rest follows from how that is structured.",
    "There is a trade-off between doing {topic} quickly and doing it in a way that is easy to change later.",
    "I should respect the project's conventions ({files}) rather than invent new ones.",
    "What are the failure modes? Bad input, partial writes and concurrent access are the usual ones.",
    "Security first: nothing secret should be logged, and every input needs a bound.",
    "Testing: the behaviour should be pinned by tests that would fail if it broke.",
    "I'll keep the steps small enough that each can be reviewed on its own.",
    "Let me check whether the goals of {topic} pull in different directions; if so I'll say which wins and why.",
    "A simpler design that is obviously correct beats a clever one here.",
    "I'll structure the answer so it can be followed top to bottom without jumping around.",
]


def _pack(words: list[str]) -> dict[str, list[str]] | None:
    lowered = {word.lower() for word in words}
    best, hits = None, 0
    for pack in _PACKS.values():
        score = len(lowered & set(pack["keys"]))
        if score > hits:
            best, hits = pack, score
    return best


# -- composing ----------------------------------------------------------------------------------


class _Writer:
    """Builds a reply from sections; sections can be extended deterministically to any length."""

    def __init__(self, rng: random.Random, fill: dict[str, str]) -> None:
        self.rng = rng
        self.fill = fill
        self.parts: list[str] = []
        self.chars = 0

    def f(self, template: str) -> str:
        return template.format(**self.fill)

    def add(self, text: str) -> None:
        self.parts.append(text)
        self.chars += len(text)

    def pick(self, pool: list[str], low: int, high: int) -> list[str]:
        return self.rng.sample(pool, k=min(len(pool), self.rng.randint(low, high)))

    @property
    def tokens(self) -> int:
        return -(-self.chars // CHARS_PER_TOKEN)

    def text(self) -> str:
        return "".join(self.parts)


def _plan(writer: _Writer, pack: dict[str, list[str]] | None, family: str) -> None:
    f, rng = writer.f, writer.rng
    writer.add(f"# {writer.fill['Topic']} Plan\n\n")
    writer.add(
        f("This plan covers {topic}: what we want, how it fits together, and the order to build it in.\n\n")
    )
    more = 1 if family == "opus" else 0
    sections = [
        ("Goals", "goals", 2, 3 + more),
        ("Architecture", "architecture", 2, 3 + more),
        ("Security Considerations", "security", 2, 3),
    ]
    for heading, key, low, high in sections:
        pool = [f(item) for item in _GENERIC[key]]
        if pack is not None:
            pool = pack[key] + pool[:1]
        writer.add(f"## {heading}\n\n" + "".join(f"- {item}\n" for item in writer.pick(pool, low, high)) + "\n")
    steps = writer.pick([f(step) for step in _STEPS], 4, 5 + more)
    writer.add("## Implementation Steps\n\n" + "".join(f"{n}. {step}\n" for n, step in enumerate(steps, 1)) + "\n")
    writer.add("## Risks & Trade-offs\n\n" + "".join(f"- {f(r)}\n" for r in writer.pick(_RISKS, 2, 3)) + "\n")
    writer.add("## Open Questions\n\n" + "".join(f"- {f(q)}\n" for q in writer.pick(_QUESTIONS, 2, 3)))
    del rng


def _plan_extension(writer: _Writer, n: int) -> None:
    words = writer.fill["word_list"]
    part = words[n % len(words)]
    sentences = writer.pick([s.format(part=part) for s in _DETAIL_SENTENCES], 3, 5)
    bullets = writer.pick([writer.f(step) for step in _STEPS], 2, 3)
    writer.add(
        f"\n\n## Detailed Design, Part {n}: {part.capitalize()}\n\n"
        + " ".join(sentences)
        + "\n\n"
        + "".join(f"- {bullet}\n" for bullet in bullets).rstrip("\n")
    )


_CODE_MODULE = '''```python
"""{Topic}: the core logic, kept free of I/O so it is easy to test."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class {cls}:
    name: str
    enabled: bool = True
    entries: list[str] = field(default_factory=list)

    def add(self, entry: str) -> None:
        entry = entry.strip()
        if not entry:
            raise ValueError("a {topic} entry must not be empty")
        if entry not in self.entries:
            self.entries.append(entry)

    def summary(self) -> str:
        state = "on" if self.enabled else "off"
        return f"{{self.name}} ({{state}}): {{len(self.entries)}} entries"
```'''
_CODE_SERVICE = '''```python
from pathlib import Path

from .{ident} import {cls}


def load_{ident}(path: Path) -> {cls}:
    """Read {topic} from `path`; a missing file gives an empty, enabled {cls}."""
    item = {cls}(name=path.stem)
    if not path.exists():
        return item
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            item.add(line)
    return item
```'''
_CODE_TESTS = '''```python
import pytest

from .{ident} import {cls}


def test_add_keeps_entries_unique():
    item = {cls}(name="demo")
    item.add("first")
    item.add("first ")
    assert item.entries == ["first"]


def test_empty_entries_are_refused():
    with pytest.raises(ValueError):
        {cls}(name="demo").add("   ")
```'''
_CODE_EXTRA = '''```python
def {ident}_{suffix}(items: list[str], limit: int = {limit}) -> list[str]:
    """The first `limit` {topic} items, trimmed and without duplicates, in their original order."""
    seen: set[str] = set()
    out: list[str] = []
    for raw in items:
        item = raw.strip()
        if item and item not in seen:
            seen.add(item)
            out.append(item)
        if len(out) == limit:
            break
    return out
```'''
_SUFFIXES = ["normalised", "window", "preview", "batch", "selection", "digest", "head"]


def _exec(writer: _Writer, verb: str, phrase: str, files: list[str]) -> None:
    f = writer.f
    following = f" following {' and '.join(files)}" if files else ""
    writer.add(f"I'll {verb} {phrase}{following}. The change is split into a small core module, a loader and tests.\n\n")
    writer.add(f("## 1. The core `{cls}`\n\nThe logic of {topic} lives in one dataclass with no I/O:\n\n") + f(_CODE_MODULE) + "\n\n")
    writer.add(f("## 2. Loading it\n\nCallers get a ready `{cls}` from a file; a missing file is not an error:\n\n") + f(_CODE_SERVICE) + "\n\n")
    writer.add(f("## 3. Tests\n\nThese pin the behaviour and fail if it regresses:\n\n") + f(_CODE_TESTS) + "\n\n")
    summary = [
        f("`{cls}` holds {topic} with validation at the boundary."),
        f("`load_{ident}()` reads it from disk and tolerates a missing file."),
        "Tests cover de-duplication and the refusal of empty entries.",
    ]
    if files:
        summary.append(f"Follows the conventions in {', '.join(files)}.")
    writer.add("## Summary\n\n" + "".join(f"- {item}\n" for item in summary).rstrip("\n"))


def _exec_extension(writer: _Writer, n: int) -> None:
    suffix = _SUFFIXES[n % len(_SUFFIXES)]
    code = _CODE_EXTRA.format(limit=writer.rng.choice([10, 20, 50, 100]), suffix=suffix, **writer.fill)
    writer.add(
        f"\n\n## Follow-up {n}: `{writer.fill['ident']}_{suffix}`\n\n"
        + writer.f("A helper the callers of {topic} need, kept pure so it is trivial to test:\n\n")
        + code
    )


def _answer(writer: _Writer) -> None:
    f = writer.f
    writer.add(f("## {Topic}\n\n") + f("Here is a short answer about {topic}, then the details that matter.\n\n"))
    sentences = writer.pick([s.format(part=writer.fill["topic"]) for s in _DETAIL_SENTENCES], 3, 5)
    writer.add("### Key points\n\n" + "".join(f"- {s}\n" for s in sentences) + "\n")
    writer.add("### In practice\n\n" + " ".join(writer.pick([f(r) for r in _RISKS], 2, 3)))


# -- replies that fit the task: trivial fixes, topic plans, implementations that keep decisions ----

_TRIVIAL = re.compile(
    r"\b(?:typos?|spelling|misspel\w*|grammar|broken link|trailing (?:white)?spaces?|whitespace)\b", re.I
)
_TRIVIAL_FILE = re.compile(r"\b[\w./-]+\.(?:md|rst|txt|py|toml|cfg|json|ya?ml|js|ts|html)\b")
_TYPOS = [
    ("Install the dependancies with `pip install -e .`", "Install the dependencies with `pip install -e .`"),
    ("Run the test suite before you submit a pull reqeust.", "Run the test suite before you submit a pull request."),
    ("The server recieves events over a single connection.", "The server receives events over a single connection."),
    ("Set the enviroment variable `APP_ENV` to `production`.", "Set the environment variable `APP_ENV` to `production`."),
    ("See the seperate guide for deployment.", "See the separate guide for deployment."),
]
_IMPLEMENTING = re.compile(r"\b(?:implement\w*|build|add|create|write|code)\b", re.I)


_FIXING = re.compile(r"^\W*(?:please\s+)?(?:fix|correct|remove|tidy)\b", re.I)


def is_trivial(prompt: str) -> bool:
    """A one-line fix ("Fix the typo in README.md"): a diff answers it in either pane, no plan needed."""
    return bool(_FIXING.search(prompt) and _TRIVIAL.search(prompt)) and len(prompt.split()) <= 25


def _trivial(writer: _Writer, prompt: str) -> None:
    """A typo fix: what changed, as a one-line diff. No plan, no sections."""
    match = _TRIVIAL_FILE.search(prompt)
    name = match.group(0) if match else "README.md"
    before, after = writer.rng.choice(_TYPOS)
    line = writer.rng.randint(8, 60)
    wrong, right = next((a, b) for a, b in zip(before.split(), after.split()) if a != b)
    wrong, right = wrong.strip(".,"), right.strip(".,")
    writer.add(
        f"Fixed the typo in `{name}` (line {line}): \"{wrong}\" → \"{right}\".\n\n"
        f"```diff\n--- a/{name}\n+++ b/{name}\n@@ -{line} +{line} @@\n-{before}\n+{after}\n```\n\n"
        "Nothing else changed."
    )


def _options(prompt: str, topic: topics.Topic) -> list[str]:
    named = topics.named_options(prompt)
    return named if len(named) >= 2 else list(topic.options)


def _topic_plan(writer: _Writer, topic: topics.Topic, prompt: str, family: str) -> None:
    """A plan that weighs the options the prompt names, picks one with reasons, and phases the work."""
    options = _options(prompt, topic)
    framework = topics.framework_named(prompt)
    more = 1 if family == "opus" else 0
    writer.add(f"# {writer.fill['Topic']} Plan\n\n")
    weighed = ", ".join(options[:-1]) + f" and {options[-1]}" if len(options) > 1 else options[0]
    writer.add(f"We weigh {weighed}, pick one with reasons, and build it in phases that each ship.\n\n")
    writer.add("## Goals\n\n" + "".join(f"- {goal}\n" for goal in topic.goals) + "\n")
    writer.add("## Options\n\n")
    for option in options:
        pro, con = topics.TRADE_OFFS[option]
        writer.add(f"### {option[0].upper() + option[1:]}\n\n- **For:** {pro}.\n- **Against:** {con}.\n\n")
    writer.add(f"## Decisions\n\n**Recommendation: {topic.pick}.**\n\n")
    writer.add("Why: " + " ".join(topic.reasons[: 2 + more]) + "\n\n")
    decisions = list(topic.decisions)
    if framework:
        decisions.append(f"Build it inside the existing {framework} app, behind one module with its own tests.")
    writer.add("Decided:\n\n" + "".join(f"- {decision}\n" for decision in decisions) + "\n")
    writer.add(
        "## Implementation Steps\n\n"
        + "".join(f"{n}. Phase {n}: {step}\n" for n, step in enumerate(topic.phases, 1))
        + "\n"
    )
    writer.add("## Risks & Trade-offs\n\n" + "".join(f"- {risk}\n" for risk in topic.risks) + "\n")
    writer.add("## Open Questions\n\n" + "".join(f"- {question}\n" for question in topic.questions))


def _topic_exec(writer: _Writer, name: str, context: implementations.Context, verb: str, phrase: str, files: list[str], drift: bool) -> None:
    intro, sections, summary = implementations.implement(name, context, drift)
    following = f" following {' and '.join(files)}" if files else ""
    writer.add(f"I'll {verb} {phrase}{following}. {intro}\n\n")
    for n, (path, code) in enumerate(sections, 1):
        writer.add(f"## {n}. {path}\n\n{code}\n\n")
    writer.add("## Summary\n\n" + "".join(f"- {item}\n" for item in summary).rstrip("\n"))


def _decisions_kept(writer: _Writer, context: implementations.Context, drift: bool) -> None:
    """Generic implementations name the decisions they keep (and, on [[sim:drift]], break one)."""
    lines = [decision for decision in context.decisions if decision.chosen or decision.quantities][:4]
    sentence = implementations.drift_sentence(context) if drift else None
    if sentence:
        writer.add(f"\n\n## Decisions\n\n{sentence}")
    elif lines:
        writer.add("\n\n## Decisions kept\n\n" + "".join(f"- {decision.text}\n" for decision in lines).rstrip("\n"))


_DRIFT_REVIEWER = re.compile(r"\byou are a drift reviewer\b", re.I)


def _review_verdicts(prompt: str) -> str:
    """Segue's drift second opinion (core.drift.second_opinion): each finding confirmed, one line each."""
    numbers = re.findall(r"^(\d+)\. Decision \(([^)]*)\)", prompt, re.M)
    return "\n".join(f"{n}: DRIFT - the reply adopts what {where} rules out." for n, where in numbers) or "No findings."


def _trim(text: str, tokens: int) -> str:
    """Cut `text` to about `tokens` tokens at a word boundary, closing an open code fence."""
    limit = tokens * CHARS_PER_TOKEN
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = max(cut.rfind(" "), cut.rfind("\n"))
    if space > limit * 0.9:
        cut = cut[:space]
    cut = cut.rstrip()
    if cut.count("```") % 2:
        cut = cut[: max(0, limit - 4)].rstrip() + "\n```"
    return cut


def _thinking(rng: random.Random, fill: dict[str, str]) -> str:
    target = rng.randint(*THINKING_RANGE)
    pool = [t.format(**fill) for t in _THOUGHTS]
    rng.shuffle(pool)
    out: list[str] = []
    index = 0
    while count(" ".join(out)) < target:
        out.append(pool[index % len(pool)])
        index += 1
    return " ".join(out)


def compose(prompt: str, system: str, family: str, seed: int, *, tokens: int | None = None, drift: bool = False) -> Reply:
    """The reply to `prompt` (markers already stripped): same inputs, same reply, always.

    `tokens` asks for reply text of about that many tokens (thinking, when enabled, comes on
    top), reached by repeating detail sections, so even 40k tokens take milliseconds. The text
    never depends on whether thinking is enabled: a prefilled retry (sent without thinking)
    must continue exactly the text the first attempt streamed. `drift` ([[sim:drift]]) makes
    an execution reply contradict one decision of its system context.
    """
    if _DRIFT_REVIEWER.search(system):
        return Reply("answer", "", _review_verdicts(prompt))
    kind = task_kind(prompt, system)
    files = context_files(system)
    words = topic_words(prompt)
    key_words = keywords(prompt)
    verb, phrase = _task_phrase(prompt)
    digest = hashlib.sha256(f"{seed}\x00{family}\x00{kind}\x00{prompt}\x00{','.join(files)}".encode("utf-8", "surrogatepass"))
    rng = random.Random(digest.digest())
    fill = {
        "topic": " ".join(words).lower() if all(w.islower() or w.istitle() for w in words) else " ".join(words),
        "Topic": _title(words),
        "words": ", ".join(key_words[:4]),
        "word_list": key_words,  # type: ignore[dict-item]
        "cls": _class_name(words),
        "ident": _ident(words),
        "task": f"{verb} {phrase}" if kind == "exec" else " ".join(words),
        "files": " and ".join(files) if files else "as the existing code shows them",
    }
    thinking = _thinking(random.Random(digest.digest() + b"thinking"), fill)
    writer = _Writer(rng, fill)
    pack = _pack(key_words)
    topic = topics.topic_of(prompt)
    fitted = True  # the reply has its natural length: no detail sections to reach the default range
    if is_trivial(prompt):
        _trivial(writer, prompt)
        extend = _exec_extension
    elif kind == "plan" and topic is not None:
        _topic_plan(writer, topic, prompt, family)
        extend = _plan_extension
    elif kind == "exec":
        context = implementations.read_context(system)
        name = implementations.implementation_topic(topic if _IMPLEMENTING.search(prompt) else None, context, prompt)
        if name is not None and (_IMPLEMENTING.search(prompt) or drift):
            _topic_exec(writer, name, context, verb, phrase, files, drift)
        else:
            _exec(writer, verb, phrase, files)
            _decisions_kept(writer, context, drift)
            fitted = False
        extend = _exec_extension
    elif kind == "plan":
        _plan(writer, pack, family)
        extend = _plan_extension
        fitted = False
    else:
        _answer(writer)
        extend = _plan_extension
        fitted = False
    if tokens is None and fitted:
        return Reply(kind, thinking, writer.text())
    if tokens is None:
        # Whole sections only: stop before a section that would overshoot the range.
        target = rng.randint(*DEFAULT_RANGE)
        n = 1
        while writer.tokens < target:
            before = (len(writer.parts), writer.chars)
            extend(writer, n)
            n += 1
            if writer.tokens > DEFAULT_RANGE[1] + 20:
                del writer.parts[before[0] :]
                writer.chars = before[1]
                break
        return Reply(kind, thinking, writer.text())
    n = 1
    while writer.tokens < tokens:
        extend(writer, n)
        n += 1
    return Reply(kind, thinking, _trim(writer.text(), tokens))


def exec_files(prompt: str) -> list[tuple[str, str]]:
    """The files an execution reply writes when it can use the text editor: (path, text)."""
    words = topic_words(prompt)
    fill = {
        "topic": " ".join(words).lower() if all(w.islower() or w.istitle() for w in words) else " ".join(words),
        "Topic": _title(words),
        "cls": _class_name(words),
        "ident": _ident(words),
    }

    def code(template: str) -> str:
        body = template.format(**fill)
        return body.removeprefix("```python\n").removesuffix("```").rstrip("\n") + "\n"

    ident = fill["ident"]
    return [
        (f"src/{ident}.py", code(_CODE_MODULE)),
        (f"tests/test_{ident}.py", code(_CODE_TESTS).replace(f"from .{ident} import", f"from src.{ident} import")),
    ]
