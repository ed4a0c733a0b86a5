"""Permission reviews (门禁权限管理规范 3.1–3.3) and the expiry sweep.

A review lists credentials unused for a number of days and those expiring
soon; unused ones can be revoked automatically. "Last used" is the newest
granted access record (kept for the retention period), or the credential's
creation if it never opened a door since.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from .community import Community
from .models import Credential, CredentialStatus

LAST_REVIEW_KEY = "last_permission_review"


@dataclass(frozen=True, slots=True)
class ReviewItem:
    """One credential a reviewer should look at."""

    credential: Credential
    finding: str  # "unused" or "expiring"
    last_used: datetime | None


class PermissionReview:
    """Reviews on a :class:`Community`."""

    def __init__(self, community: Community) -> None:
        """Work on one community."""
        self.community = community

    async def _last_used(self) -> dict[int, datetime]:
        last: dict[int, datetime] = await self.community.run(
            self.community.db.last_granted
        )
        return last

    async def review(
        self,
        now: datetime,
        *,
        unused_days: int,
        expiring_days: int,
        mark_done: bool = True,
    ) -> list[ReviewItem]:
        """Active credentials unused for ``unused_days`` or expiring within ``expiring_days``."""
        last_used = await self._last_used()
        unused_before = now - timedelta(days=unused_days)
        expiring_before = now + timedelta(days=expiring_days)
        items = []
        for credential in sorted(
            self.community.index.credentials.values(), key=lambda c: c.id
        ):
            if credential.status is not CredentialStatus.ACTIVE:
                continue
            used = last_used.get(credential.id)
            if (used or credential.created_at or now) < unused_before:
                items.append(ReviewItem(credential, "unused", used))
            elif (
                credential.valid_until is not None
                and credential.valid_until <= expiring_before
            ):
                items.append(ReviewItem(credential, "expiring", used))
        if mark_done:
            await self.community.run(
                self.community.db.set_setting, LAST_REVIEW_KEY, now.isoformat()
            )
        return items

    async def last_review(self) -> datetime | None:
        """When the last review was made (None: never)."""
        value: str | None = await self.community.run(
            self.community.db.setting, LAST_REVIEW_KEY
        )
        return None if value is None else datetime.fromisoformat(value)

    async def review_due(self, now: datetime) -> bool:
        """Whether the configured review interval has passed."""
        interval = self.community.settings.review_interval_days
        if interval <= 0:
            return False
        last = await self.last_review()
        if last is None:
            # Count from the oldest credential: a new community is not overdue.
            created = [
                c.created_at
                for c in self.community.index.credentials.values()
                if c.created_at
            ]
            if not created:
                return False
            last = min(created)
        return now - last >= timedelta(days=interval)

    async def revoke_unused(self, now: datetime) -> list[Credential]:
        """Cancel credentials unused longer than the configured number of days."""
        days = self.community.settings.revoke_unused_days
        if days <= 0:
            return []
        items = await self.review(
            now, unused_days=days, expiring_days=0, mark_done=False
        )
        revoked = []
        for item in items:
            if item.finding != "unused":
                continue
            credential = await self.community.retire_if_active(
                item.credential.id, CredentialStatus.CANCELLED
            )
            if credential is not None:
                revoked.append(credential)
        return revoked


async def expire_due(community: Community, now: datetime) -> list[Credential]:
    """Mark active credentials past their end as expired (decisions already deny them)."""
    due = [c.id for c in community.index.credentials_ending_by(now)]
    expired: list[Credential] = []
    # A transaction per 500 (a restart may find hundreds due): the lock is
    # let go between them, for the writes waiting meanwhile.
    for start in range(0, len(due), 500):
        expired += await community.retire_all_if_active(
            due[start : start + 500], CredentialStatus.EXPIRED
        )
    return expired
