"""What npm dependency specs mean, without npm: where a spec fetches from, and whether it pins."""

from __future__ import annotations

import re

from vouched.deps.manifests.model import Source
from vouched.deps.manifests.versions import parse_semver

__all__ = ["npm_spec"]

_GIT_PREFIXES = ("git+", "git:", "github:", "gitlab:", "bitbucket:", "gist:")
_PATH_PREFIXES = ("file:", "link:", "portal:", "workspace:", "./", "../", "/", "~/", ".")
_SHORTHAND = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+(#.*)?$")


def npm_spec(name: str, spec: str) -> tuple[str, Source, str | None]:
    """``(package name, source, exact version or None)`` for a dependency ``name`` declared as ``spec``.

    An alias ``npm:other@range`` fetches ``other``, so that is the name given back.
    """
    text = spec.strip()
    if text.startswith("npm:"):
        target = text[4:]
        at = target.find("@", 1)  # "@scope/pkg@1.0": the version's @ comes after the first character
        real, version = (target, "") if at < 0 else (target[:at], target[at + 1 :])
        return real or name, "registry", _exact(version)
    lowered = text.lower()
    if lowered.startswith(_GIT_PREFIXES):
        return name, "vcs", None
    if lowered.startswith(("http://", "https://")):
        return name, "url", None
    if lowered.startswith(_PATH_PREFIXES):
        return name, "path", None
    if _SHORTHAND.match(text):  # user/repo on GitHub
        return name, "vcs", None
    return name, "registry", _exact(text)


def _exact(spec: str) -> str | None:
    text = spec.strip()
    if text.startswith("="):
        text = text[1:].strip()
    if text.startswith("v"):
        text = text[1:]
    return text if parse_semver(text) is not None else None


def registry_of(resolved: str, name: str) -> str | None:
    """The registry a tarball URL ``<registry>/<name>/-/<file>.tgz`` comes from."""
    at = resolved.find(f"/{name}/-/")
    return resolved[:at] if at > 0 else None


def tarball_source(resolved: str) -> Source:
    """Where a lockfile's ``resolved`` URL fetches from."""
    lowered = resolved.lower()
    if lowered.startswith(_GIT_PREFIXES) or lowered.startswith("ssh:"):
        return "vcs"
    if lowered.startswith("file:"):
        return "path"
    if lowered.startswith(("http://", "https://")):
        # a registry serves tarballs as <registry>/<name>/-/<name>-<version>.tgz
        return "registry" if "/-/" in resolved and lowered.split("?", 1)[0].endswith(".tgz") else "url"
    return "path"
