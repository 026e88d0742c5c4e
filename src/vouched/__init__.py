"""vouched: hold AI-assisted code to the bar of the risk tier it touches, and prove who vouched for it."""

from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["__version__"]
