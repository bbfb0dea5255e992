"""Every version of a plan file: its git history (renames followed), the index, the working tree, and what Segue saw."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Literal, Protocol

VersionKind = Literal["commit", "index", "working", "seen"]

MAX_BYTES = 1024 * 1024  # larger files are not plans; diffing them would stall the viewer
_BINARY_PROBE = 8000  # git's own heuristic: a NUL byte in the first 8000 bytes means binary


class SeenVersion(Protocol):
    """What callers pass for versions Segue saw earlier (from saves or the file watcher)."""

    text: str
    seen_at: datetime
    source: str


@dataclass(frozen=True)
class Version:
    """One version of a file. `ref` is the commit sha, ":path" for the index, the path, or the source."""

    label: str
    kind: VersionKind
    text: str
    when: datetime | None
    ref: str | None


class PlanVersionsError(Exception):
    """A reason some versions of a file cannot be read; str() is one sentence for the user."""


class NotAGitRepository(PlanVersionsError):
    pass


class NotCommitted(PlanVersionsError):
    pass


class FileDeleted(PlanVersionsError):
    pass


class BinaryFile(PlanVersionsError):
    pass


class FileTooLarge(PlanVersionsError):
    pass


@dataclass(frozen=True)
class PlanVersions:
    """All versions found, oldest first, and why any source had none to give."""

    path: Path
    versions: tuple[Version, ...]
    problems: tuple[PlanVersionsError, ...] = field(default=())

    def default_pair(self) -> tuple[Version, Version] | None:
        """What changed since the last checkpoint, as (older, working tree); None if fewer than two.

        The checkpoint is the last commit, else the last version Segue saved or sent (what the
        user or the execution pane last had). Without git the newest watched version is the
        working tree itself, so a checkpoint equal to the working tree gives way to the newest
        version that differs. A deleted file compares its two newest versions.
        """
        commits = [v for v in self.versions if v.kind == "commit"]
        working = [v for v in self.versions if v.kind == "working"]
        if commits and working:
            return commits[-1], working[-1]
        if not working:
            return (self.versions[-2], self.versions[-1]) if len(self.versions) >= 2 else None
        current = working[-1]
        earlier = [v for v in self.versions if v is not current and v.kind != "working"]
        if not earlier:
            return None
        checkpoints = [v for v in earlier if v.kind == "seen" and v.ref in ("saved", "sent")]
        base = checkpoints[-1] if checkpoints else earlier[-1]
        if base.text == current.text:
            base = next((v for v in reversed(earlier) if v.text != current.text), base)
        return base, current

    def explanation(self) -> str:
        """One sentence saying why there is nothing to compare (when default_pair() is None)."""
        name = self.path.name
        if self.problems:
            reason = str(self.problems[0])
        else:
            reason = f"{name} has only one version so far."
        return f"{reason} There is nothing to compare yet: commit the file or save it again from Segue."


def _decode(data: bytes, name: str) -> str:
    if len(data) > MAX_BYTES:
        raise FileTooLarge(f"{name} is larger than 1 MB ({len(data) // 1024} KB), too large to compare.")
    if b"\0" in data[:_BINARY_PROBE]:
        raise BinaryFile(f"{name} is a binary file, so there is no text to compare.")
    return data.decode("utf-8", errors="replace")


def working_version(path: Path) -> Version:
    """The file as it is on disk now."""
    path = Path(path)
    if not path.exists():
        raise FileDeleted(f"{path.name} no longer exists in the working tree.")
    from core.regular_files import NotRegularFile, open_regular

    try:
        # Never a plain read: a plan that is a FIFO would block the diff viewer forever.
        with open_regular(path) as handle:
            st = os.fstat(handle.fileno())
            if st.st_size > MAX_BYTES:
                raise FileTooLarge(f"{path.name} is larger than 1 MB ({st.st_size // 1024} KB), too large to compare.")
            data = handle.read(MAX_BYTES + 1)
    except NotRegularFile as error:
        raise PlanVersionsError(f"{error}, so there is no text to compare.") from None
    text = _decode(data, path.name)
    when = datetime.fromtimestamp(st.st_mtime, tz=timezone.utc)
    return Version("working tree", "working", text, when, str(path))


def _inside_git_work_tree(directory: Path) -> bool:
    # Importing gitpython costs ~80 ms; a directory with no .git above it needs no import to know.
    if os.environ.get("GIT_DIR"):
        return True
    directory = Path(directory).resolve()
    return any((parent / ".git").exists() for parent in (directory, *directory.parents))


def _open_repo(path: Path, project_dir: Path):
    """The git repository holding `path` and the path relative to its work tree (posix)."""
    if not _inside_git_work_tree(project_dir):
        raise NotAGitRepository(f"{Path(project_dir).name or project_dir} is not in a git repository.")
    import git  # heavy (see above): only when there is a repository to read

    try:
        repo = git.Repo(project_dir, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise NotAGitRepository(f"{Path(project_dir).name or project_dir} is not in a git repository.") from None
    if repo.bare or repo.working_tree_dir is None:
        repo.close()
        raise NotAGitRepository(f"{project_dir} is a bare git repository without a work tree.")
    root = Path(repo.working_tree_dir).resolve()
    try:
        relative = Path(path).resolve().relative_to(root).as_posix()
    except ValueError:
        repo.close()
        raise NotAGitRepository(f"{Path(path).name} is outside the git repository at {root}.") from None
    return repo, relative


def _blob(repo, spec: str, name: str) -> tuple[str, str] | None:
    """(blob sha, text) of an object like "sha:path" or ":path", or None if it does not exist."""
    try:
        sha, kind, size = repo.git.get_object_header(spec)
    except ValueError:  # cat-file says "missing"
        return None
    sha = sha.decode() if isinstance(sha, bytes) else sha
    if size > MAX_BYTES:
        raise FileTooLarge(f"{name} is larger than 1 MB ({size // 1024} KB) in git, too large to compare.")
    _, _, _, data = repo.git.get_object_data(spec)
    return sha, _decode(data, name)


_FIELD = "\x1f"
_RECORD = "\x1e"


def commit_versions(path: Path, project_dir: Path) -> list[Version]:
    """Every commit that changed the file, oldest first, following renames (`git log --follow`)."""
    path = Path(path)
    repo, relative = _open_repo(path, project_dir)
    with repo:
        import git

        try:
            # The commit's own file name comes with --name-status, so `sha:path` finds the
            # text at the name the file had then, before any rename.
            log = repo.git(c="core.quotepath=off").log(
                "--follow",
                "--name-status",
                f"--format={_RECORD}%H{_FIELD}%cI{_FIELD}%an{_FIELD}%s",
                "--",
                relative,
            )
        except git.GitCommandError:  # e.g. a repository without any commit yet
            log = ""
        versions: list[Version] = []
        for record in log.split(_RECORD)[1:]:
            header, _, changes = record.partition("\n")
            sha, committed, author, subject = header.split(_FIELD, 3)
            status_line = next((line for line in changes.splitlines() if line.strip()), "")
            status, *names = status_line.split("\t")
            if status.startswith("D") or not names:
                continue  # the file did not exist after this commit
            blob = _blob(repo, f"{sha}:{names[-1]}", path.name)
            if blob is None:
                continue
            label = f"{sha[:7]} {subject}".strip()
            when = datetime.fromisoformat(committed)
            versions.append(Version(label, "commit", blob[1], when, sha))
        if not versions:
            raise NotCommitted(f"{path.name} has not been committed to git yet.")
        versions.reverse()
        return versions


def index_version(path: Path, project_dir: Path) -> Version | None:
    """The staged text (`git show :path`) when it differs from the last commit; else None."""
    path = Path(path)
    repo, relative = _open_repo(path, project_dir)
    with repo:
        staged = _blob(repo, f":{relative}", path.name)
        if staged is None:
            return None
        committed = _blob(repo, f"HEAD:{relative}", path.name) if repo.head.is_valid() else None
        if committed is not None and committed[0] == staged[0]:
            return None
        return Version("index (staged)", "index", staged[1], None, f":{relative}")


def seen_versions(seen: Iterable[SeenVersion]) -> list[Version]:
    """Versions Segue recorded, oldest first, repeats of the same text dropped."""
    versions: list[Version] = []
    texts: set[str] = set()
    # Numbered as recorded (v1 is the first), the numbers the context line shows.
    for number, item in enumerate(sorted(seen, key=lambda item: item.seen_at), start=1):
        if item.text in texts:
            continue
        texts.add(item.text)
        versions.append(Version(f"v{number} {item.source} by Segue", "seen", item.text, item.seen_at, item.source))
    return versions


def load_versions(path: Path, project_dir: Path, seen: Iterable[SeenVersion] = ()) -> PlanVersions:
    """Every version available, oldest first: commits and seen versions by time, then index, then working tree.

    Raises BinaryFile or FileTooLarge (nothing can be compared); other problems are kept in
    `problems` so the versions that do exist can still be compared.
    """
    path = Path(path)
    problems: list[PlanVersionsError] = []
    timed: list[Version] = []
    staged: Version | None = None
    working: Version | None = None
    try:
        timed.extend(commit_versions(path, project_dir))
    except (NotAGitRepository, NotCommitted) as problem:
        problems.append(problem)
    if not any(isinstance(p, NotAGitRepository) for p in problems):
        staged = index_version(path, project_dir)
    try:
        working = working_version(path)
    except FileDeleted as problem:
        problems.insert(0, problem)  # the most surprising news goes first
    # Commits keep git's order (committer dates can go backwards after a rebase); each seen
    # version goes before the first commit made after it.
    for version in seen_versions(seen):
        position = next((n for n, v in enumerate(timed) if v.when is not None and v.when > version.when), len(timed))
        timed.insert(position, version)
    versions = timed + [v for v in (staged, working) if v is not None]
    return PlanVersions(path, tuple(versions), tuple(problems))
