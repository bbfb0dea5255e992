"""A plan file name proposed from the topic of a prompt or plan: "Plan an authentication system" -> AUTH_PLAN.md."""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path

FALLBACK_TOPIC = "NEW"
MAX_WORDS = 3
MAX_TOPIC_CHARS = 30

# Words that say what kind of request it is, not what it is about.
FILLER = frozenset(
    """
    a an the our my your their its it this that these those some any something things stuff them
    i we you me us let lets let's please can could would should will shall must may might
    how what why when where which who do does did is are be being was were have has had
    want wanted need needs like help plan plans planning planned design designing draft
    write build building implement implementing create add adding make set setup up
    new simple basic proper full complete good better robust scalable secure
    system systems feature features service services module modules app application apps
    project code codebase support layer implementation architecture approach strategy
    proposal overview spec specification document doc outline roadmap
    """.split()
)
# A topic ends where the request turns to context: "authentication *for* our app".
STOPS = frozenset("for with using in on to from into at by of via so that because and or but".split())
ABBREVIATIONS = {
    "authentication": "AUTH",
    "authenticate": "AUTH",
    "authorization": "AUTHZ",
    "authorisation": "AUTHZ",
    "database": "DB",
    "databases": "DB",
    "configuration": "CONFIG",
    "internationalization": "I18N",
    "internationalisation": "I18N",
    "localization": "L10N",
    "localisation": "L10N",
    "infrastructure": "INFRA",
    "documentation": "DOCS",
    "repository": "REPO",
    "kubernetes": "K8S",
    "performance": "PERF",
}

_HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t#]*$")
_WORD = re.compile(r"[A-Za-z0-9]+(?:['-][A-Za-z0-9]+)*")


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def topic_line(text: str) -> str:
    """The line that names the topic: the first level-1 heading, else a heading mentioning a plan,
    else the first sentence of the first non-empty line."""
    lines = text.splitlines()
    headings = [(len(m.group(1)), m.group(2)) for m in (_HEADING.match(line.strip()) for line in lines) if m]
    for level, title in headings:
        if level == 1:
            return title
    for _level, title in headings:
        if re.search(r"\bplan\b", title, re.IGNORECASE):
            return title
    for line in lines:
        stripped = line.strip().lstrip(">*-+ ").strip()
        if stripped:
            return re.split(r"(?<=[.?!])\s", stripped, maxsplit=1)[0]
    return ""


def topic_words(line: str) -> list[str]:
    """The few words of `line` that say what it is about, upper-cased (abbreviated where usual)."""
    words: list[str] = []
    started = False
    for raw in _WORD.findall(_ascii(line)):
        lower = raw.lower().replace("'", "")
        if lower in STOPS and started:
            break
        if lower in FILLER or lower in STOPS:
            continue
        started = True
        words.append(ABBREVIATIONS.get(lower, lower.replace("-", "_").upper()))
        if len(words) == MAX_WORDS:
            break
    while words and len("_".join(words)) > MAX_TOPIC_CHARS:
        words.pop()
    return words


def unique_plan_name(name: str, project_dir: Path) -> str:
    """`name` if free, else NAME_2_PLAN.md, NAME_3_PLAN.md... (the numbers go before _PLAN so the
    name still matches the *_PLAN.md pattern)."""
    project_dir = Path(project_dir)
    if not os.path.lexists(project_dir / name):
        return name
    path = Path(name)
    stem, suffix = path.stem, path.suffix
    head, plan_tail = (stem[: -len("_PLAN")], "_PLAN") if stem.endswith("_PLAN") else (stem, "")
    for number in range(2, 10_000):
        candidate = str(path.with_name(f"{head}_{number}{plan_tail}{suffix}"))
        if not os.path.lexists(project_dir / candidate):
            return candidate
    raise FileExistsError(f"no free plan file name like {name}")


def propose_plan_name(text: str, project_dir: Path) -> str:
    """An upper snake case *_PLAN.md name for the topic of `text`, unique in `project_dir`."""
    words = topic_words(topic_line(text)) or [FALLBACK_TOPIC]
    return unique_plan_name(f"{'_'.join(words)}_PLAN.md", project_dir)
