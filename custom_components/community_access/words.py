"""Words for the keys and values the logbook shows, in English and Chinese.

Every key an event carries (a reason, a violation, a penalty, a credential
kind, a suspicion, a lock programming event) reads here as words in the
user's language; times read as local time and money as yuan.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.util import dt as dt_util

#: (English, Chinese) words of a key.
type Words = Mapping[str, tuple[str, str]]

#: Why an access was decided as it was (every ``Reason``).
REASONS: Words = {
    "granted": ("granted", "通过"),
    "unknown_door": ("unknown door", "未知门"),
    "unknown_credential": ("credential not registered", "未登记的凭证"),
    "lost": ("card reported lost", "已挂失"),
    "returned": ("card returned", "已退卡"),
    "cancelled": ("credential cancelled", "已注销"),
    "expired": ("credential expired", "已过期"),
    "not_yet_valid": ("not valid yet", "尚未生效"),
    "suspended": ("access suspended", "已暂停出入"),
    "moved_out": ("moved out", "已迁出"),
    "zone_not_allowed": ("no access to this area", "无权进入该区域"),
    "outside_time_window": ("outside the allowed hours", "不在允许时段"),
    "remote_open": ("opened remotely", "远程开门"),
    "guard_verified": ("let in after a guard's check", "保安核实后放行"),
    "restricted": (
        "access restricted to the gates and own building",
        "限制使用:仅可通行大门和本楼",
    ),
    "anti_passback": ("came in again without going out", "未出先进(防反潜回)"),
    "keypad_locked": ("keypad locked after wrong PINs", "密码错误过多,键盘已锁定"),
    "pass_used": ("single-entry pass already used", "单次通行证已使用"),
    "face_alone": (
        "a face cannot be the only credential",
        "人脸不能作为唯一凭证",
    ),
    "escape_route": ("let out by an escape route", "经疏散通道放行"),
    "emergency_release": ("released for an emergency", "紧急疏散放行"),
    "lockdown": ("refused during a lockdown", "封闭管理期间拒绝"),
    "maintenance": ("decided by a maintenance window", "设备维护期间"),
    "not_accompanied": ("not accompanied by the staff member", "无工作人员陪同"),
    "patrol": ("patrol recorded", "巡查打卡"),
}

#: Kinds of violations (``ViolationKind``).
VIOLATIONS: Words = {
    "using_anothers_card": ("using another person's card", "冒用他人门禁卡"),
    "lending_card": ("lending a card", "出借门禁卡"),
    "tampering": ("tampering with access equipment", "破坏门禁设施"),
    "tailgating": ("tailgating", "尾随进入"),
    "other": ("other", "其他"),
}

#: Kinds of penalties (``PenaltyKind``); a fine says its amount (see :func:`penalty`).
PENALTIES: Words = {
    "warning": ("a warning", "警告"),
    "restriction": ("restricted access", "限制使用"),
    "suspension": ("access suspended", "暂停出入"),
    "public_notice": ("a public notice", "公告批评"),
    "report": ("a report to the authorities", "报告有关部门"),
    "fine": ("a fine", "罚款"),
}

#: Kinds of credentials (``CredentialKind``).
CREDENTIALS: Words = {
    "card": ("card", "门禁卡"),
    "pin": ("PIN", "密码"),
    "fingerprint": ("fingerprint", "指纹"),
    "face": ("face", "人脸"),
    "phone_tag": ("phone tag", "手机门禁标签"),
    "plate": ("number plate", "车牌"),
}

#: What the misuse detector suspects (``Finding.type``).
SUSPICIONS: Words = {
    "anti_passback": ("came in again without going out", "未出先进(防反潜回)"),
    "impossible_travel": (
        "the same credential at two places too quickly",
        "同一凭证短时间内出现在两处",
    ),
    "card_face_mismatch": (
        "a card used right after someone else's face",
        "刷卡人与人脸识别结果不符",
    ),
}

#: Programming done at a lock's own keypad (``zha_lock.PROGRAMMING_EVENTS``; Zigbee2MQTT's are mapped to these).
LOCK_PROGRAMMING: Words = {
    "unknown": ("a change", "一项更改"),
    "master_code_changed": ("the master code was changed", "修改了管理密码"),
    "pin_added": ("a PIN was added", "添加了密码"),
    "pin_deleted": ("a PIN was deleted", "删除了密码"),
    "pin_changed": ("a PIN was changed", "修改了密码"),
    "rfid_added": ("a card was added", "添加了门禁卡"),
    "rfid_deleted": ("a card was deleted", "删除了门禁卡"),
}


def is_chinese(language: str) -> bool:
    """Tell whether the language is Chinese (``zh``, ``zh-Hans``...)."""
    return language.lower().startswith("zh")


def word(table: Words, key: Any, language: str) -> str:
    """Return the words of ``key`` in the language; an unknown key with spaces."""
    text = str(key or "")
    words = table.get(text)
    if words is None:
        return text.replace("_", " ")
    return words[1] if is_chinese(language) else words[0]


def yuan(amount: Any) -> str:
    """``200.0`` → ``200``; ``12.5`` → ``12.50`` (no currency word)."""
    try:
        value = float(amount)
    except (TypeError, ValueError):
        return str(amount or "")
    return f"{value:.0f}" if value == int(value) else f"{value:.2f}"


def penalty(kind: Any, amount: Any, language: str) -> str:
    """Return a penalty in words; a fine with its amount in yuan."""
    if str(kind) == "fine" and amount:
        money = yuan(amount)
        return f"罚款 {money} 元" if is_chinese(language) else f"a fine of {money} yuan"
    return word(PENALTIES, kind, language)


def local_time(value: Any) -> str:
    """Return an ISO time as local ``2026-12-05 17:37``; anything else as given."""
    if not value:
        return ""
    parsed = dt_util.parse_datetime(str(value))
    if parsed is None:
        return str(value)
    return dt_util.as_local(parsed).strftime("%Y-%m-%d %H:%M")


#: Where a penalty of the ladder comes from, cited by name and article.
REGULATIONS: Words = {
    "penalty_ladder": (
        "Residential Community Access Control Regulations, Article 19",
        "《住宅小区门禁管理规定》第十九条",
    ),
}


#: Where the repair of a fault stands (``FaultStatus``).
FAULT_STATUSES: Words = {
    "reported": ("reported", "已报修"),
    "dispatched": ("repairer dispatched", "已派维修人员"),
    "in_repair": ("being repaired", "维修中"),
    "fixed": ("fixed", "已修复"),
    "cannot_fix": ("cannot be fixed for now", "暂时无法修复"),
}

#: Why a fault was opened (``FaultCause``).
FAULT_CAUSES: Words = {
    "lock_unavailable": ("lock unavailable", "门锁离线"),
    "line_offline": ("line offline", "通讯线路离线"),
    "reader_offline": ("reader offline", "读卡器离线"),
    "tamper": ("tamper alarm", "防拆报警"),
    "lock_sync_failed": ("codes could not be written to the lock", "门锁密码同步失败"),
    "inspection": ("found faulty at an inspection", "巡检发现故障"),
    "reported": ("reported", "人工报修"),
}

#: What a door does during a maintenance window (``MaintenanceMode``).
MAINTENANCE_MODES: Words = {
    "open": ("held open", "保持开启"),
    "guard_only": ("cards paused, guards let residents in", "暂停刷卡,由保安核实放行"),
    "normal": ("works as usual", "正常使用"),
}
