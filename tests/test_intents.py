"""Assist: how many visitors are here, and approving a visitor by voice."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, MockUser

from custom_components.community_access.const import DOMAIN
from custom_components.community_access.core.models import Visit, VisitStatus
from custom_components.community_access.core.visitors import VisitorDesk
from custom_components.community_access.intent import (
    INTENT_APPROVE_VISITOR,
    INTENT_VISITOR_COUNT,
    spoken_unit,
)
from homeassistant.core import Context, HomeAssistant
from homeassistant.helpers import intent
from homeassistant.setup import async_setup_component

from .helpers import ID_NUMBER, call, present

UNIT = "3-2-501"


@pytest.fixture
async def assist(hass: HomeAssistant, setup_entry: MockConfigEntry) -> MockConfigEntry:
    """The test community with Assist set up after it (as on a real start)."""
    assert await async_setup_component(hass, "homeassistant", {})
    assert await async_setup_component(hass, "intent", {})
    await hass.async_block_till_done()
    return setup_entry


def desk_of(entry: MockConfigEntry) -> VisitorDesk:
    """The visitor desk of the test community."""
    return VisitorDesk(entry.runtime_data.community)


async def pending_visit(
    hass: HomeAssistant, entry: MockConfigEntry, unit: str = UNIT, name: str = "王小明"
) -> Visit:
    """A visitor registered at the gate, waiting for the host."""
    if entry.runtime_data.community.index.household_by_unit(unit) is None:
        await call(hass, "add_household", {"unit": unit})
    return await desk_of(entry).register(
        unit=unit, name=name, id_number=ID_NUMBER, phone="13800138000"
    )


async def on_site_visit(hass: HomeAssistant, entry: MockConfigEntry) -> Visit:
    """A visitor whose PIN pass opened the main gate."""
    desk = desk_of(entry)
    visit = await pending_visit(hass, entry, name="李四")
    result = await desk.approve(visit.id)
    assert result.code is not None
    assert (await present(hass, "Main gate", result.code, kind="pin"))["granted"]
    assert desk.visits[visit.id].status is VisitStatus.ON_SITE
    return desk.visits[visit.id]


async def handle(
    hass: HomeAssistant,
    intent_type: str,
    user_id: str | None,
    slots: dict[str, Any] | None = None,
    language: str = "en",
) -> intent.IntentResponse:
    """Handle an intent as the default conversation agent would."""
    return await intent.async_handle(
        hass,
        "conversation",
        intent_type,
        {k: {"value": v} for k, v in (slots or {}).items()},
        context=Context(user_id=user_id),
        language=language,
    )


def speech(response: intent.IntentResponse) -> str:
    """The spoken text of a response."""
    return str(response.speech["plain"]["speech"])


@pytest.mark.parametrize(
    ("spoken", "unit"),
    [
        ("3-2-501", "3-2-501"),
        ("3 2 501", "3-2-501"),
        ("3栋2单元501", "3-2-501"),
        ("building 3 unit 2 room 501.", "3-2-501"),
        ("12-a-1203", "12-A-1203"),
        ("the red house", "the red house"),
    ],
)
def test_spoken_unit(spoken: str, unit: str) -> None:
    assert spoken_unit(spoken) == unit


async def test_intents_registered_by_the_intent_integration(
    hass: HomeAssistant, assist: MockConfigEntry
) -> None:
    registered = {h.intent_type for h in intent.async_get(hass)}
    assert {INTENT_VISITOR_COUNT, INTENT_APPROVE_VISITOR} <= registered


async def test_visitor_count(
    hass: HomeAssistant, assist: MockConfigEntry, hass_read_only_user: MockUser
) -> None:
    response = await handle(hass, INTENT_VISITOR_COUNT, hass_read_only_user.id)
    assert speech(response) == "0 visitors are on site in the community."

    await on_site_visit(hass, assist)
    await pending_visit(hass, assist)
    response = await handle(hass, INTENT_VISITOR_COUNT, None)
    assert response.response_type is intent.IntentResponseType.QUERY_ANSWER
    assert response.speech_slots == {"on_site": 1, "pending": 1}
    assert speech(response) == (
        "1 visitor is on site in the community, and 1 waiting for approval."
    )
    response = await handle(hass, INTENT_VISITOR_COUNT, None, language="zh-Hans")
    assert speech(response) == "小区里现在有 1 位访客,另有 1 位在等待业主同意。"


async def test_admin_approves_the_oldest_pending_visit(
    hass: HomeAssistant, assist: MockConfigEntry, hass_admin_user: MockUser
) -> None:
    first = await pending_visit(hass, assist)
    second = await pending_visit(hass, assist, name="李四")
    response = await handle(
        hass, INTENT_APPROVE_VISITOR, hass_admin_user.id, {"unit": "3 2 501"}
    )
    assert response.response_type is intent.IntentResponseType.ACTION_DONE
    assert speech(response).startswith(f"Approved 王**, visiting {UNIT}, until ")
    visits = desk_of(assist).visits
    assert visits[first.id].status is VisitStatus.APPROVED
    assert visits[first.id].decided_by == hass_admin_user.id
    assert visits[second.id].status is VisitStatus.PENDING


async def test_not_linked_user_is_refused(
    hass: HomeAssistant, assist: MockConfigEntry, hass_read_only_user: MockUser
) -> None:
    visit = await pending_visit(hass, assist)
    response = await handle(
        hass, INTENT_APPROVE_VISITOR, hass_read_only_user.id, {"unit": UNIT}
    )
    assert response.response_type is intent.IntentResponseType.ERROR
    assert speech(response) == f"Sorry, you may not approve visitors for {UNIT}."
    assert desk_of(assist).visits[visit.id].status is VisitStatus.PENDING


async def test_speaker_without_user_is_refused(
    hass: HomeAssistant, assist: MockConfigEntry
) -> None:
    """A voice satellite has no user: it may not let anyone in."""
    visit = await pending_visit(hass, assist)
    response = await handle(hass, INTENT_APPROVE_VISITOR, None, {"unit": UNIT})
    assert response.response_type is intent.IntentResponseType.ERROR
    assert desk_of(assist).visits[visit.id].status is VisitStatus.PENDING


async def test_linked_user_approves_own_household_only(
    hass: HomeAssistant, assist: MockConfigEntry, hass_read_only_user: MockUser
) -> None:
    visit = await pending_visit(hass, assist)
    other = await pending_visit(hass, assist, unit="1-1-101")
    await desk_of(assist).link_household(
        UNIT, notify_services=[], user_ids=[hass_read_only_user.id]
    )
    response = await handle(
        hass, INTENT_APPROVE_VISITOR, hass_read_only_user.id, {"unit": "1-1-101"}
    )
    assert response.response_type is intent.IntentResponseType.ERROR
    response = await handle(
        hass, INTENT_APPROVE_VISITOR, hass_read_only_user.id, {"unit": UNIT}
    )
    assert response.response_type is intent.IntentResponseType.ACTION_DONE
    visits = desk_of(assist).visits
    assert visits[visit.id].status is VisitStatus.APPROVED
    assert visits[other.id].status is VisitStatus.PENDING


async def test_nothing_waiting(
    hass: HomeAssistant, assist: MockConfigEntry, hass_admin_user: MockUser
) -> None:
    await call(hass, "add_household", {"unit": UNIT})
    for unit in (UNIT, "9-9-999", "nowhere"):
        response = await handle(
            hass, INTENT_APPROVE_VISITOR, hass_admin_user.id, {"unit": unit}
        )
        assert response.response_type is intent.IntentResponseType.ERROR
        assert speech(response) == f"No visitor is waiting for {unit}."
    response = await handle(
        hass,
        INTENT_APPROVE_VISITOR,
        hass_admin_user.id,
        {"unit": UNIT},
        language="zh-Hans",
    )
    assert speech(response) == f"没有等待 {UNIT} 同意的访客。"


# ---- through the default conversation agent and the installed sentences
@pytest.fixture
async def conversation(hass: HomeAssistant, assist: MockConfigEntry) -> MockConfigEntry:
    """The default conversation agent (needs hassil and home-assistant-intents)."""
    pytest.importorskip("hassil")
    pytest.importorskip("home_assistant_intents")
    assert await async_setup_component(hass, "conversation", {})
    await hass.async_block_till_done()
    return assist


async def converse(
    hass: HomeAssistant, text: str, user_id: str | None, language: str = "en"
) -> Any:
    """Say something to Assist; return the intent response."""
    from homeassistant.components.conversation import async_converse  # noqa: PLC0415

    result = await async_converse(
        hass, text, None, Context(user_id=user_id), language=language
    )
    return result.response


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("how many visitors are in the community", "en"),
        ("How many visitors are there on site?", "en"),
        ("number of visitors in the community", "en"),
        ("小区里有多少访客", "zh-Hans"),
        ("现在有多少位访客在小区里?", "zh-CN"),
    ],
)
async def test_voice_visitor_count(
    hass: HomeAssistant,
    conversation: MockConfigEntry,
    hass_admin_user: MockUser,
    text: str,
    language: str,
) -> None:
    await on_site_visit(hass, conversation)
    await pending_visit(hass, conversation)
    await pending_visit(hass, conversation, name="张三")
    response = await converse(hass, text, hass_admin_user.id, language)
    assert response.intent is not None
    assert response.intent.intent_type == INTENT_VISITOR_COUNT
    if language == "en":
        assert speech(response) == (
            "1 visitor is on site in the community, and 2 waiting for approval."
        )
    else:
        assert speech(response) == "小区里现在有 1 位访客,另有 2 位在等待业主同意。"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("approve the visitor for 3-2-501", "en"),
        ("let in the visitor for unit 3 2 501", "en"),
        ("同意3-2-501的访客", "zh-Hans"),
        ("批准 3-2-501 的访客", "zh-Hans"),
    ],
)
async def test_voice_approval_by_admin(
    hass: HomeAssistant,
    conversation: MockConfigEntry,
    hass_admin_user: MockUser,
    text: str,
    language: str,
) -> None:
    visit = await pending_visit(hass, conversation)
    response = await converse(hass, text, hass_admin_user.id, language)
    assert response.intent.intent_type == INTENT_APPROVE_VISITOR
    assert response.response_type is intent.IntentResponseType.ACTION_DONE
    assert desk_of(conversation).visits[visit.id].status is VisitStatus.APPROVED


async def test_voice_approval_refused_then_allowed_once_linked(
    hass: HomeAssistant, conversation: MockConfigEntry, hass_read_only_user: MockUser
) -> None:
    visit = await pending_visit(hass, conversation)
    response = await converse(
        hass, "approve the visitor for 3-2-501", hass_read_only_user.id
    )
    assert response.response_type is intent.IntentResponseType.ERROR
    assert speech(response) == f"Sorry, you may not approve visitors for {UNIT}."
    assert desk_of(conversation).visits[visit.id].status is VisitStatus.PENDING

    await desk_of(conversation).link_household(
        UNIT, notify_services=[], user_ids=[hass_read_only_user.id]
    )
    response = await converse(
        hass, "approve the visitor for 3-2-501", hass_read_only_user.id
    )
    assert response.response_type is intent.IntentResponseType.ACTION_DONE
    assert desk_of(conversation).visits[visit.id].status is VisitStatus.APPROVED


async def test_sentences_read_after_late_install(
    hass: HomeAssistant, config_entry: MockConfigEntry, hass_admin_user: MockUser
) -> None:
    """Assist already running when the sentences are first installed."""
    pytest.importorskip("hassil")
    # The reload reads configuration.yaml, as on a real installation.
    (Path(hass.config.config_dir) / "configuration.yaml").write_text("")
    assert await async_setup_component(hass, "homeassistant", {})
    assert await async_setup_component(hass, "conversation", {})
    await hass.async_block_till_done()
    before = await converse(hass, "how many visitors are in the community", None)
    assert before.intent is None or before.intent.intent_type != INTENT_VISITOR_COUNT

    await hass.config.async_set_time_zone("Asia/Shanghai")
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    after = await converse(hass, "how many visitors are in the community", None)
    assert after.intent.intent_type == INTENT_VISITOR_COUNT
    assert DOMAIN in {
        e.domain for e in hass.config_entries.async_loaded_entries(DOMAIN)
    }


async def test_former_occupant_may_not_approve_by_voice(
    hass: HomeAssistant, assist: MockConfigEntry, hass_read_only_user: MockUser
) -> None:
    """Issue 11: after moving out, a once-linked user answers for the unit no more."""
    await call(hass, "add_household", {"unit": UNIT})
    await desk_of(assist).link_household(
        UNIT, notify_services=[], user_ids=[hass_read_only_user.id]
    )
    await call(hass, "move_out", {"unit": UNIT})
    await call(hass, "add_household", {"unit": UNIT})
    visit = await pending_visit(hass, assist)
    response = await handle(
        hass, INTENT_APPROVE_VISITOR, hass_read_only_user.id, {"unit": UNIT}
    )
    assert response.response_type is intent.IntentResponseType.ERROR
    assert speech(response) == f"Sorry, you may not approve visitors for {UNIT}."
    assert desk_of(assist).visits[visit.id].status is VisitStatus.PENDING


# ---- natural phrasings: which reach our intents (with the right unit) and which not
COUNT_PHRASES = [
    ("how many guests are in the community", "en"),
    ("how many visitors are there", "en"),
    ("How many visitors are there right now?", "en"),
    ("how many guests do we have", "en"),
    ("how many visitors are on site", "en"),
    ("how many visitors are in the estate today", "en"),
    ("how many people are visiting the community", "en"),
    ("are there any visitors", "en"),
    ("are there visitors in the community", "en"),
    ("count the visitors", "en"),
    ("visitor count", "en"),
    ("how many visitors are waiting", "en"),
    ("小区有几个访客", "zh-Hans"),
    ("小区里有多少访客", "zh-Hans"),
    ("现在有几位访客?", "zh-Hans"),
    ("有多少访客", "zh-Hans"),
    ("访客有几个", "zh-Hans"),
    ("小区里现在有多少客人", "zh-Hans"),
    ("现在小区里有几个访客", "zh-Hans"),
    ("来了几个访客", "zh-Hans"),
    ("有访客吗", "zh-Hans"),
    ("访客数量", "zh-CN"),
]

APPROVE_PHRASES = [
    ("let the visitor for 3-2-501 in", "en"),
    ("let in the visitor for 3-2-501", "en"),
    ("Let the guest for unit 3 2 501 in.", "en"),
    ("approve the guest at 3-2-501", "en"),
    ("approve the visitor for 3-2-501", "en"),
    ("admit the visitor for building 3 unit 2 room 501", "en"),
    ("allow the visitor for 3-2-501 in", "en"),
    ("let 3-2-501's visitor in", "en"),
    ("approve 3-2-501's guest", "en"),
    ("approve the 3-2-501 visitor", "en"),
    ("open the gate for the visitor of 3-2-501", "en"),
    ("同意3-2-501的访客", "zh-Hans"),
    ("让3-2-501的访客进来", "zh-Hans"),
    ("放3-2-501的访客进来", "zh-Hans"),
    ("给3栋2单元501的访客开门", "zh-Hans"),
    ("批准3-2-501的访客进入", "zh-Hans"),
    ("3-2-501的访客可以进来", "zh-Hans"),
    ("同意一下3-2-501的客人", "zh-CN"),
]

NOT_OURS = [
    ("what's the weather like", "en"),
    ("what is the weather in Beijing", "en"),
    ("let the dog in", "en"),
    ("how many lights are on", "en"),
    ("turn on the kitchen light", "en"),
    ("what time is it", "en"),
    ("今天天气怎么样", "zh-Hans"),
    ("北京天气怎么样", "zh-Hans"),
    ("打开客厅的灯", "zh-Hans"),
    ("小区有几栋楼", "zh-Hans"),
    ("现在几点", "zh-Hans"),
]


@pytest.mark.parametrize(("text", "language"), COUNT_PHRASES)
async def test_phrasings_reach_visitor_count(
    hass: HomeAssistant,
    conversation: MockConfigEntry,
    hass_admin_user: MockUser,
    text: str,
    language: str,
) -> None:
    await on_site_visit(hass, conversation)
    response = await converse(hass, text, hass_admin_user.id, language)
    assert response.intent is not None, text
    assert response.intent.intent_type == INTENT_VISITOR_COUNT
    assert response.speech_slots == {"on_site": 1, "pending": 0}


@pytest.mark.parametrize(("text", "language"), APPROVE_PHRASES)
async def test_phrasings_reach_approval_with_the_unit(
    hass: HomeAssistant,
    conversation: MockConfigEntry,
    hass_admin_user: MockUser,
    text: str,
    language: str,
) -> None:
    visit = await pending_visit(hass, conversation)
    response = await converse(hass, text, hass_admin_user.id, language)
    assert response.intent is not None, text
    assert response.intent.intent_type == INTENT_APPROVE_VISITOR
    assert response.response_type is intent.IntentResponseType.ACTION_DONE, speech(
        response
    )
    assert response.speech_slots["unit"] == UNIT
    assert desk_of(conversation).visits[visit.id].status is VisitStatus.APPROVED


@pytest.mark.parametrize(("text", "language"), NOT_OURS)
async def test_other_phrasings_do_not_reach_our_intents(
    hass: HomeAssistant,
    conversation: MockConfigEntry,
    hass_admin_user: MockUser,
    text: str,
    language: str,
) -> None:
    visit = await pending_visit(hass, conversation)
    response = await converse(hass, text, hass_admin_user.id, language)
    ours = {INTENT_VISITOR_COUNT, INTENT_APPROVE_VISITOR}
    assert response.intent is None or response.intent.intent_type not in ours
    assert desk_of(conversation).visits[visit.id].status is VisitStatus.PENDING
