"""Where approvals come from: one interface, one module per source."""

from vouched.gate.approvals.forge import GitHubReviews
from vouched.gate.approvals.interface import Approval, ApprovalSource

__all__ = ["Approval", "ApprovalSource", "GitHubReviews"]
