"""What the advisor sees in a prompt: a handful of named, explainable features.

Each feature is a number (mostly 0 or 1, a few small counts) measured by a vocabulary class
or by the prompt's shape (question form, first-word verb, code-like targets, length). The
classes describe kinds of talk ("weighing a choice", "unknown cause", "restructuring"), not
the wording of any one example, so phrasings the matrix never lists still land somewhere.
"""

from __future__ import annotations

import re

# A long prompt is mostly pasted material (code, logs); the ask sits at its start or its end.
# Reading only those keeps the advisor under a millisecond whatever is pasted.
HEAD_CHARS = 500
TAIL_CHARS = 250


def _words(*patterns: str) -> re.Pattern[str]:
    """One regex matching any pattern as whole words (stems end in \\w*) in lower-cased text.

    Case-sensitive on purpose: the text is lower-cased once, and IGNORECASE makes these
    alternations three to four times slower.
    """
    return re.compile(r"\b(?:" + "|".join(patterns) + r")\b")


# --- vocabulary classes -------------------------------------------------------------------
# Weighing options: the seed's "requires weighing trade-offs".
TRADEOFF = _words(
    r"trade-?offs?", r"pros and cons", r"downsides?", r"upsides?", r"drawbacks?", r"implications?",
    r"justify\w*", r"weigh\w*", r"consider\w*", r"alternatives?", r"options?", r"worth",
    r"risks?", r"cost of", r"benefits?", r"pitfalls?", r"without (?:breaking|blowing|losing|hurting)",
    r"prioriti[sz]\w*", r"strateg\w+", r"approach\w*",
)
CHOICE = _words(
    r"should (?:we|i|it|this|the)", r"which", r"vs\.?", r"versus", r"compare\w*", r"comparison",
    r"choose", r"choosing", r"pick", r"decide\w*", r"between", r"better", r"best (?:way|approach|option)",
    r"right (?:way|approach|model|choice|tool)", r"or (?:keep|stay|stick|use|go)", r"is it (?:worth|better|wise)",
    r"either", r"whether",
)
# "X or Y?" inside a question is a choice even without choice words.
OR_QUESTION = re.compile(r"\b\w+ or \w+[^.?!]*\?")
QUESTION_START = _words(
    r"what\w*", r"why", r"how", r"which", r"should", r"is", r"are", r"can", r"could", r"would",
    r"do", r"does", r"did", r"where", r"when", r"who", r"will",
)
WHY = _words(r"why", r"how come", r"what (?:could|might|would) (?:cause|explain|be)", r"root cause")
INVESTIGATE = _words(
    r"investigat\w*", r"diagnos\w*", r"figure out", r"narrow (?:it|this|that)? ?down", r"root cause",
    r"track (?:it |this )?down", r"find out", r"where (?:should|do|can) (?:we|i) (?:look|start)",
    r"what (?:could|might|changed)", r"going on", r"debug\w*", r"pinpoint", r"hunt\w*", r"bisect\w*",
    r"explain why", r"help me (?:find|understand)",
)
UNCERTAINTY = _words(
    r"sometimes", r"occasional\w*", r"intermittent\w*", r"random\w*", r"flak\w+", r"sporadic\w*",
    r"(?:can'?t|cannot|couldn'?t|unable to) reproduce", r"no idea", r"not sure", r"unsure", r"somehow",
    r"myster\w+", r"silently", r"unexplained", r"unclear", r"no obvious", r"weird\w*", r"strange\w*",
    r"only (?:on|in|when|for|after|under|if)", r"some (?:users|customers|orders|queries|requests|clients|tenants)",
    r"subset", r"under (?:load|pressure)", r"every (?:few|now and then|so often)", r"over (?:days|time|hours)",
    r"slowly", r"unpredictabl\w*", r"non-?deterministic\w*", r"rarely", r"once in a while",
)
SYMPTOM = _words(
    r"crash\w*", r"leak\w*", r"oom\w*", r"memory", r"latency", r"spikes?", r"slow\w*", r"stale",
    r"corrupt\w*", r"drops?", r"dropped", r"hang\w*", r"hung", r"stall\w*", r"cpu", r"freez\w*",
    r"(?:charged|sent|processed|run|billed) twice", r"duplicat\w*", r"wrong results?", r"expire\w*",
    r"times? out", r"segfault\w*", r"panic\w*", r"regress\w*", r"degrad\w*", r"fewer", r"missing data",
)
CONCURRENCY = _words(
    r"race\w*", r"deadlock\w*", r"livelock\w*", r"concurren\w*", r"parallel\w*", r"thread\w*",
    r"locks?", r"locking", r"locked", r"mutex\w*", r"semaphore\w*", r"goroutines?", r"channels?",
    r"atomic\w*", r"at the same (?:time|moment|instant)", r"at once", r"simultaneous\w*", r"contention",
    r"out of order", r"interleav\w*", r"synchroni[sz]\w*", r"(?:two|multiple|several) "
    r"(?:workers|pods|threads|processes|requests|users|instances|consumers|replicas|clients)",
    r"before the (?:previous|other|first) \w+", r"memory model", r"happens-before", r"reentran\w*",
)
BUG = _words(
    r"bugs?", r"fix\w*", r"broken", r"wrong", r"incorrect\w*", r"errors?", r"exceptions?", r"\w+error",
    r"null", r"none", r"nil", r"undefined", r"typos?", r"misspel\w*", r"off-by-one", r"fails?", r"failing",
    r"doesn'?t work", r"not working", r"skips?", r"overlaps?", r"stays? disabled", r"twice",
)
KNOWN_CAUSE = _words(
    r"because", r"since (?:we|it|the)", r"the cause is", r"caused by", r"instead of", r"should be",
    r"is wrong", r"are wrong", r"forgot\w*", r"never (?:reset|set|called|cleared|closed)",
    r"isn'?t (?:set|called|reset)", r"is missing", r"on line \d+", r"line \d+", r"change \S+ to",
    r"from \S+ to \S+", r"off-by-one", r"typo", r"misspel\w*", r"remove the", r"default it to",
    r"(?:it|this) (?:should|must) (?:be|return|use)",
)
MECHANICAL = _words(
    r"renam\w*", r"typos?", r"misspel\w*", r"spelling", r"bump\w*", r"reformat\w*", r"format (?:the|this|with|all)",
    r"lint\w*", r"unused", r"dead code", r"sort (?:the )?imports", r"whitespace", r"indent\w*",
    r"gitignore", r"\.gitignore", r"patch (?:release|version)", r"one-?line", r"one-?liner",
    r"(?:this|the) (?:snippet|string|constant|literal)", r"convert this", r"copy\w* (?:the|this)",
)
PLAN_REF = re.compile(
    r"\b\w+_plan\.md\b|\bplans/\S+|\b(?:the|our|this|that) (?:plan|spec|design doc|checklist)\b"
    r"|\baccording to\b|\bper the\b|\bas (?:described|specified|agreed|planned|outlined)\b"
    r"|\b(?:we|you) (?:agreed|planned|decided)\b|\bapproved\b|\b(?:step|phase|milestone) \d+\b"
    r"|\bplanning pane\b|\bunchecked\b|\bfollowing (?:the )?\S+\.md\b|\bspec above\b",
)
TESTS = _words(
    r"tests?", r"tested", r"testing", r"unit tests?", r"coverage", r"pytest", r"jest", r"vitest", r"mocha",
    r"junit", r"fixtures?", r"test cases?", r"regression tests?", r"hypothesis", r"property-based",
    r"asserts?", r"mocks?", r"snapshot tests?", r"e2e", r"end-to-end",
)
DOCS = _words(
    r"docs?", r"documentation", r"document", r"documents", r"readme\w*", r"docstrings?", r"comments?",
    r"changelog", r"guides?", r"tutorials?", r"release notes", r"faq", r"wiki", r"instructions",
    r"explain(?:ing)? (?:in|how|what)", r"openapi", r"swagger", r"reference", r"how-?to", r"manual",
    r"jsdoc", r"javadoc", r"man page", r"onboarding", r"write-?up",
)
STYLE = _words(
    r"css", r"scss", r"sass", r"styl\w*", r"colou?rs?", r"padding", r"margins?", r"flexbox", r"flex",
    r"grid", r"cent(?:er|re)", r"aligns?", r"aligned", r"fonts?", r"dark mode", r"light mode",
    r"responsive", r"on (?:mobile|desktop|phones?|tablets?|small screens)", r"navbar", r"buttons?", r"layout", r"shadows?",
    r"corners?", r"rounded", r"animat\w*", r"fade\w*", r"overflows?", r"wrap", r"sticky", r"footer",
    r"header", r"modal", r"hover", r"stylesheet", r"tailwind", r"\d+px", r"rem", r"vertically",
    r"horizontally", r"icons?", r"spacing", r"borders?", r"opacity", r"z-index", r"theme",
    r"#[0-9a-f]{3,6}",
)
SYSDESIGN = _words(
    r"scal\w*", r"shard\w*", r"replica\w*", r"replicat\w*", r"databases?", r"queues?", r"kafka", r"rabbitmq",
    r"sqs", r"microservices?", r"monolith", r"consistency", r"availability", r"high-availability",
    r"failover", r"throughput", r"storage", r"caching", r"cache", r"rate limit\w*", r"load balanc\w*",
    r"regions?", r"data cent(?:re|er)s?", r"distributed", r"event sourcing", r"cqrs", r"postgres\w*",
    r"mysql", r"dynamo\w*", r"redis", r"cassandra", r"mongo\w*", r"per second", r"billions?", r"millions?",
    r"latency budget", r"gateway", r"infrastructure", r"partition\w*", r"nosql", r"sla", r"multi-region",
    r"tenants?", r"message bus", r"pub/?sub", r"cdn", r"schema", r"data model",
)
FEATURE_ARCH = _words(
    r"architect\w*", r"design\w*", r"plan (?:how|for|out|the)", r"a plan", r"propos\w*", r"sketch\w*",
    r"outline\w*", r"structur\w*", r"components?", r"fit into", r"how would (?:you|we)",
    r"which pieces", r"come up with", r"think through", r"features?", r"add support", r"support for",
    r"integrat\w*", r"extensib\w*", r"plugins?", r"system for", r"mechanism", r"model (?:for|of)",
)
REFACTOR = _words(
    r"refactor\w*", r"restructur\w*", r"reorgani[sz]\w*", r"migrat\w*", r"split\w*", r"extract\w*",
    r"untangl\w*", r"decoupl\w*", r"rework\w*", r"monolithic", r"god (?:object|class)", r"apart",
    r"modulari[sz]\w*", r"circular (?:imports?|dependenc\w*)", r"consolidat\w*", r"port\w* (?:to|from)",
    r"to typescript", r"incrementally", r"rewrit\w*", r"overhaul\w*",
    r"separate (?:packages|modules|services)", r"no longer depends?", r"legacy",
    r"move (?:all|every|the whole|everything)",
)
IMPLEMENT = _words(
    r"implement\w*", r"build", r"code (?:the|phase|step|it|up)", r"write the code", r"wire (?:up|in)",
    r"hook (?:up|in)", r"create", r"execute", r"go ahead", r"carry out", r"next (?:step|item)",
)
SCOPE_WIDE = re.compile(
    r"\b(?:everywhere|throughout|codebase|code base|project-wide|repo-wide|globally|wholesale)\b"
    r"|\b(?:whole|entire) (?:\w+ )?(?:codebase|project|repo\w*|app\w*|system|backend|frontend|stack)\b"
    r"|\ball (?:the )?(?:modules|files|services|packages|controllers|layers|endpoints|call ?sites|places|components)\b"
    r"|\bacross (?:the |all |every |our )?\w+"
    r"|\bevery (?:layer|module|file|service|package|call ?site)\b"
    r"|\b(?:scattered|used in \w+ places|in \w+ places)\b",
)
# Verbs of doing (as opposed to thinking verbs like design, compare, investigate).
DOING_VERBS = frozenset(
    """fix add write change make rename update create implement move remove delete set use replace center
    centre bump convert increase decrease style round document build wire cover correct swap put push
    generate turn format upgrade downgrade execute follow hook return reset run lint sort clean drop apply
    insert append align give list show print translate copy paste install enable disable hide expose
    return log wrap pin raise lower shorten trim""".split()
)
LEADING_POLITENESS = re.compile(
    r"^(?:(?:please|now|ok(?:ay)?|so|then|also|next),?\s+|(?:can|could|would) you\s+|go ahead and\s+)+",
)
# Code-like targets: call sites, snake_case, camelCase/CamelCase, file names, line numbers,
# colours, quoted names, flags. Each alternative anchors on its distinctive part (the "()", the
# extension, the inner capital) because only presence counts and greedy word runs backtrack.
CODE_TARGET = re.compile(
    r"\w\(\)|\b[a-z]+_[a-z0-9]|[a-z][A-Z]"
    r"|\w\.(?:py|js|ts|tsx|jsx|md|yml|yaml|toml|json|css|scss|html|go|rs|java|rb|sql|sh|cfg|ini)\b"
    r"|\bline \d|#[0-9a-fA-F]{3,6}\b|'[^'\s]{2,}'|`[^`]+`|--[a-z]"
)

FEATURE_NAMES: tuple[str, ...] = (
    "tradeoff", "choice", "question", "why", "investigate", "uncertainty", "symptom", "concurrency",
    "bug", "known_cause", "mechanical", "plan_ref", "tests", "docs", "style", "sysdesign",
    "feature_arch", "refactor", "implement", "scope_wide", "imperative", "concrete_target", "length",
)


def _hits(pattern: re.Pattern[str], text: str, cap: int = 2) -> float:
    """How many distinct places match, capped: a second cue adds evidence, a tenth adds none."""
    count = 0
    for _ in pattern.finditer(text):
        count += 1
        if count >= cap:
            break
    return float(count)


def extract(prompt: str) -> dict[str, float]:
    """The feature vector of one prompt (every name in FEATURE_NAMES, 0.0 when absent)."""
    text = prompt.strip()
    if len(text) > HEAD_CHARS + TAIL_CHARS:
        text = f"{text[:HEAD_CHARS]}\n{text[-TAIL_CHARS:]}"
    lowered = text.lower()
    words = lowered.split()
    head = LEADING_POLITENESS.sub("", lowered)
    first = head.split(maxsplit=1)[0].strip(",.:;!") if head else ""
    is_question = text.endswith("?") or bool(QUESTION_START.match(head)) or "?" in text
    choice = _hits(CHOICE, lowered)
    if is_question and OR_QUESTION.search(lowered):
        choice = min(2.0, choice + 1.0)
    return {
        "tradeoff": _hits(TRADEOFF, lowered),
        "choice": choice,
        "question": 1.0 if is_question else 0.0,
        "why": _hits(WHY, lowered, cap=1),
        "investigate": _hits(INVESTIGATE, lowered),
        "uncertainty": _hits(UNCERTAINTY, lowered),
        "symptom": _hits(SYMPTOM, lowered),
        "concurrency": _hits(CONCURRENCY, lowered),
        "bug": _hits(BUG, lowered),
        "known_cause": _hits(KNOWN_CAUSE, lowered),
        "mechanical": _hits(MECHANICAL, lowered, cap=1),
        "plan_ref": _hits(PLAN_REF, lowered),
        "tests": _hits(TESTS, lowered),
        "docs": _hits(DOCS, lowered),
        "style": _hits(STYLE, lowered, cap=3),
        "sysdesign": _hits(SYSDESIGN, lowered, cap=3),
        "feature_arch": _hits(FEATURE_ARCH, lowered),
        "refactor": _hits(REFACTOR, lowered),
        "implement": _hits(IMPLEMENT, lowered, cap=1),
        "scope_wide": _hits(SCOPE_WIDE, lowered, cap=1),
        "imperative": 1.0 if first in DOING_VERBS and not is_question else 0.0,
        "concrete_target": _hits(CODE_TARGET, text),
        # 0 for a one-liner, 1 from about forty words: long open prompts tend to be discussions.
        "length": min(1.0, max(0.0, (len(words) - 8) / 32)),
    }
