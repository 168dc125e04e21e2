"""The review tests use the shared review fixtures."""

from tests.review.fixtures import approver, browser, provider, second_approver, staff, submitted

__all__ = ["approver", "browser", "provider", "second_approver", "staff", "submitted"]
