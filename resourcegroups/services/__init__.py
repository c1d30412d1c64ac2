"""State changes for resource groups. UI, API, tasks and commands all call these."""

from .groups import group_ensure, membership_add, membership_end

__all__ = ["group_ensure", "membership_add", "membership_end"]
