"""Repair issues: problems an admin can act on."""

from __future__ import annotations

import contextlib
from typing import Any

import voluptuous as vol

from homeassistant import data_entry_flow
from homeassistant.components.repairs import ConfirmRepairFlow, RepairsFlow
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import entity_registry as er, issue_registry as ir, selector

from .const import DOMAIN
from .core.errors import CommunityError
from .core.lock_sync import DuplicateSlot
from .lock_codes import LockCodes
from .runtime import CommunityConfigEntry, CommunityRuntime
from .services_locks import async_resolve_unmanaged


def door_lock_issue_id(door_id: str) -> str:
    """Issue id of a door whose bound lock is gone."""
    return f"door_lock_missing_{door_id}"


@callback
def async_check_door_locks(hass: HomeAssistant, entry: CommunityConfigEntry) -> None:
    """Raise a repair issue for each door bound to a lock that does not exist."""
    registry = er.async_get(hass)
    for operator in entry.runtime_data.doors.values():
        lock = operator.config.lock_entity_id
        issue_id = door_lock_issue_id(operator.id)
        if (
            lock is None
            or hass.states.get(lock) is not None
            or registry.async_get(lock)
        ):
            ir.async_delete_issue(hass, DOMAIN, issue_id)
            continue
        ir.async_create_issue(
            hass,
            DOMAIN,
            issue_id,
            is_fixable=False,
            severity=ir.IssueSeverity.ERROR,
            translation_key="door_lock_missing",
            translation_placeholders={"door": operator.config.door.name, "lock": lock},
        )


class UnmanagedLockCodesFlow(RepairsFlow):
    """Adopt or clear, one by one, the codes on a lock that nobody manages."""

    def __init__(self, entry_id: str, door_id: str) -> None:
        """Remember which door's lock the issue is about."""
        self.entry_id = entry_id
        self.door_id = door_id

    def _codes(self) -> LockCodes | None:
        entry = self.hass.config_entries.async_get_entry(self.entry_id)
        if entry is None or entry.state is not ConfigEntryState.LOADED:
            return None
        runtime: CommunityRuntime = entry.runtime_data
        return runtime.lock_codes.get(self.door_id)

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> data_entry_flow.FlowResult:
        """Start with the first choice."""
        return await self.async_step_resolve()

    async def async_step_resolve(
        self, user_input: dict[str, Any] | None = None
    ) -> data_entry_flow.FlowResult:
        """Choose a slot, adopt (for a person) or clear it."""
        codes = self._codes()
        if codes is None:
            return self.async_abort(reason="not_loaded")
        errors: dict[str, str] = {}
        if user_input is not None:
            person_id = user_input.get("person_id")
            try:
                await async_resolve_unmanaged(
                    codes,
                    int(user_input["slot"]) - 1,
                    user_input["action"],
                    int(person_id) if person_id else None,
                )
            except CommunityError as err:
                errors["base"] = (
                    err.key if err.key in _UNMANAGED_ERRORS else "resolve_failed"
                )
            except ServiceValidationError:
                errors["base"] = "lock_not_found"
        slots = codes.unmanaged_slots()
        if not slots:
            return self.async_create_entry(data={})
        schema = vol.Schema(
            {
                vol.Required("slot"): selector.SelectSelector(
                    selector.SelectSelectorConfig(
                        options=[
                            selector.SelectOptionDict(
                                value=str(uid + 1), label=f"{uid + 1} ({kind})"
                            )
                            for uid, kind in slots
                        ]
                    )
                ),
                vol.Required("action", default="clear"): selector.SelectSelector(
                    selector.SelectSelectorConfig(
                        options=["adopt", "clear"],
                        translation_key="unmanaged_action",
                    )
                ),
                vol.Optional("person_id"): selector.NumberSelector(
                    selector.NumberSelectorConfig(
                        min=1, step=1, mode=selector.NumberSelectorMode.BOX
                    )
                ),
            }
        )
        return self.async_show_form(
            step_id="resolve",
            data_schema=schema,
            errors=errors,
            description_placeholders={
                "door": codes.door_name,
                "lock": codes.entity_id,
                "count": str(len(slots)),
            },
        )


class DuplicateLockCodeFlow(RepairsFlow):
    """A slot the lock refused: another of its users has the same code.

    When the read-back knows the other code (an unmanaged slot), clear it or
    adopt it (the unmanaged-code resolution); otherwise, once the other code
    is removed at the lock, retry. The description says the resident can
    also be given another PIN.
    """

    def __init__(self, entry_id: str, door_id: str, user_id: int) -> None:
        """Remember the door and the slot the issue is about."""
        self.entry_id = entry_id
        self.door_id = door_id
        self.user_id = user_id

    def _codes(self) -> LockCodes | None:
        entry = self.hass.config_entries.async_get_entry(self.entry_id)
        if entry is None or entry.state is not ConfigEntryState.LOADED:
            return None
        runtime: CommunityRuntime = entry.runtime_data
        return runtime.lock_codes.get(self.door_id)

    def _slot(self, codes: LockCodes) -> DuplicateSlot | None:
        if codes.syncer is None:
            return None
        return next(
            (s for s in codes.syncer.duplicates() if s.user_id == self.user_id), None
        )

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> data_entry_flow.FlowResult:
        """Offer what fits: clear / adopt the other code, or a retry."""
        codes = self._codes()
        if codes is None:
            return self.async_abort(reason="not_loaded")
        slot = self._slot(codes)
        if slot is None:
            return self.async_create_entry(data={})  # resolved meanwhile
        if slot.conflict_unmanaged:
            return await self.async_step_resolve()
        return await self.async_step_retry()

    async def async_step_resolve(
        self, user_input: dict[str, Any] | None = None
    ) -> data_entry_flow.FlowResult:
        """Clear or adopt the other (unmanaged) code, or retry."""
        codes = self._codes()
        if codes is None:
            return self.async_abort(reason="not_loaded")
        slot = self._slot(codes)
        if slot is None:
            return self.async_create_entry(data={})
        errors: dict[str, str] = {}
        if user_input is not None:
            action = user_input["action"]
            try:
                if action == "retry" or slot.conflict_user_id is None:
                    await codes.async_retry_duplicate(self.user_id)
                else:
                    await async_resolve_unmanaged(
                        codes,
                        slot.conflict_user_id,
                        "clear" if action == "clear_other" else "adopt",
                        None,
                    )
            except CommunityError as err:
                errors["base"] = (
                    err.key
                    if err.key in _UNMANAGED_ERRORS | {"lock_slot_not_duplicate"}
                    else "resolve_failed"
                )
            except ServiceValidationError:
                errors["base"] = "lock_not_found"
            else:
                return self.async_create_entry(data={})
        return self.async_show_form(
            step_id="resolve",
            data_schema=vol.Schema(
                {
                    vol.Required("action", default="clear_other"): (
                        selector.SelectSelector(
                            selector.SelectSelectorConfig(
                                options=["clear_other", "adopt_other", "retry"],
                                translation_key="duplicate_action",
                            )
                        )
                    )
                }
            ),
            errors=errors,
            description_placeholders=self._placeholders(codes, slot),
        )

    async def async_step_retry(
        self, user_input: dict[str, Any] | None = None
    ) -> data_entry_flow.FlowResult:
        """Retry once the other code (not known here) is gone."""
        codes = self._codes()
        if codes is None:
            return self.async_abort(reason="not_loaded")
        slot = self._slot(codes)
        if slot is None:
            return self.async_create_entry(data={})
        if user_input is not None:
            with contextlib.suppress(CommunityError):  # resolved meanwhile
                await codes.async_retry_duplicate(self.user_id)
            return self.async_create_entry(data={})
        return self.async_show_form(
            step_id="retry",
            data_schema=vol.Schema({}),
            description_placeholders=self._placeholders(codes, slot),
        )

    @staticmethod
    def _placeholders(codes: LockCodes, slot: DuplicateSlot) -> dict[str, str]:
        other = slot.conflict_user_id
        return {
            "door": codes.door_name,
            "lock": codes.entity_id,
            "slot": str(slot.user_id + 1),
            "other_slot": "?" if other is None else str(other + 1),
            "person": codes.holder_name(slot.credential_id),
        }


#: Refusals of the reconciler shown as they are; others as ``resolve_failed``.
_UNMANAGED_ERRORS = {
    "lock_code_not_known",
    "lock_code_write_only",
    "lock_slot_empty",
    "lock_slot_not_unmanaged",
}


async def async_create_fix_flow(
    hass: HomeAssistant, issue_id: str, data: dict[str, str | int | float | None] | None
) -> RepairsFlow:
    """Return the fix flow of a fixable issue."""
    if issue_id.startswith("lock_codes_unmanaged_") and data is not None:
        return UnmanagedLockCodesFlow(str(data["entry_id"]), str(data["door_id"]))
    if issue_id.startswith("lock_codes_duplicate_") and data is not None:
        return DuplicateLockCodeFlow(
            str(data["entry_id"]), str(data["door_id"]), int(data["user_id"] or 0)
        )
    return ConfirmRepairFlow()
