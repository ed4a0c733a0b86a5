// Typed wrappers of the community_access/* websocket commands (issue 12).
// Every call sends the community's entry_id and the user's language, so the
// server answers errors in that language.
import type { HomeAssistant } from "./types.js";

export type Role = "admin" | "guard" | "resident";

export interface Community {
  entry_id: string;
  title: string;
  roles: Role[];
  units: string[];
}

/** A door alarm (no person is part of one). */
export interface DoorAlarm {
  alarm_id: number;
  door_id: string;
  door: string | null;
  kind: "forced_open" | "held_open" | "tamper" | "power_failure";
  started_at: string;
  ended_at: string | null;
  acknowledged_at: string | null;
  acknowledged_by: string | null;
  note: string | null;
  active: boolean;
}

/** What gate/alarms_subscribe pushes. */
export interface DoorAlarmEvent {
  event: string;
  alarm: DoorAlarm;
}

export interface Page<T> {
  total: number;
  items: T[];
}

export interface PageQuery {
  offset?: number;
  limit?: number;
}

export interface Today {
  granted_today: number;
  denied_today: number;
  on_site: number;
  pending: number;
  overdue: number;
  open_violations: number;
  suspended: number;
  devices_offline: number;
  lock_sync_problems: number;
}

export interface HouseholdItem {
  household_id: number;
  unit: string;
  people: number;
  active_cards: number;
  card_quota: number | null;
  moved_out: boolean;
  occupancy: number | null;
}

export interface PersonDetail {
  person_id: number;
  name: string;
  role: string;
  status: string;
  valid_from: string | null;
  valid_until: string | null;
  id_number_masked: string | null;
  phone_masked: string | null;
  zones: string[];
}

export interface CredentialItem {
  credential_id: number;
  person_id: number;
  kind: string;
  masked: string | null;
  status: string;
  valid_from?: string | null;
  valid_until: string | null;
  deposit?: number | null;
  replaces?: number | null;
}

export interface StatementEntry {
  at: string;
  kind: string;
  amount: number;
  credential_id: number | null;
  note: string | null;
  by: string | null;
}

export interface Statement {
  entries: StatementEntry[];
  balance: number;
  deposits_held: number;
}

export interface HouseholdDetail {
  household: HouseholdItem;
  people: PersonDetail[];
  credentials: CredentialItem[];
  links: { notify_services: string[]; users: { id: string; name: string }[] };
  statement: Statement;
}

export interface MoveOutPreview {
  refunds: { credential_id: number; masked: string | null; deposit: number }[];
  kept: { credential_id: number; masked: string | null; deposit?: number }[];
  people: number;
}

export interface Visit {
  visit_id: number;
  visitor_name: string;
  unit: string;
  status: string;
  pass_kind: string | null;
  window_start: string | null;
  window_end: string | null;
  valid_until: string | null;
  registered_at: string | null;
  on_site_since: string | null;
}

/** A visit with its pass: the PIN or QR payload, shown once. */
export interface VisitPass extends Visit {
  code?: string | null;
}

/** A goods pass (放行条) as the gate and My home see it; never its code but once. */
export interface GoodsPass {
  goods_pass_id: number;
  unit: string | null;
  items: string[];
  large_or_valuable: boolean;
  person_id: number | null;
  person: string | null;
  issued_by: string | null;
  issued_at: string | null;
  valid_from: string | null;
  valid_until: string | null;
  note: string | null;
  used: boolean;
  used_at: string | null;
  used_door_id: string | null;
  used_door: string | null;
}

/** A new goods pass: its code and QR payload, shown once. */
export interface IssuedGoodsPass extends GoodsPass {
  code: string;
  qr: string;
}

export type GoodsStatus = "valid" | "invalid" | "used" | "not_yet_valid" | "expired";

/** A code checked at the gate: the pass's fields when one was found. */
export type GoodsCheckResult = { valid: boolean; status: GoodsStatus; door_id: string } & Partial<GoodsPass>;

export interface GoodsInspection {
  goods_check_id: number;
  at: string;
  door_id: string | null;
  goods_pass_id: number | null;
}

export interface Penalty {
  penalty_id: number;
  kind: string;
  person_id: number | null;
  person_name?: string | null;
  unit?: string | null;
  start: string;
  end: string | null;
  deadline: string | null;
  amount: number | null;
  violation_id: number | null;
  lifted_at: string | null;
}

/** A row of the watch list: the name given when barring, never the ID number. */
export interface WatchEntry {
  watch_id: number;
  name: string | null;
  reason: string | null;
  added_at: string;
  by: string | null;
}

/** A public notice (公告批评): the name in full for the office, masked for residents. */
export interface PublicNotice {
  penalty_id: number;
  person_name: string | null;
  unit: string | null;
  reason: string | null;
  note: string | null;
  start: string;
  end: string | null;
  lifted_at: string | null;
  regulation: string;
}

export interface Violation {
  violation_id: number;
  at: string;
  kind: string;
  person_id: number | null;
  person_name?: string | null;
  unit?: string | null;
  note: string | null;
  status: string;
  penalties?: Penalty[];
}

/** A commendation (表扬) the office recorded, with the person named. */
export interface Commendation {
  commendation_id: number;
  at: string;
  person_id: number | null;
  person_name?: string | null;
  unit?: string | null;
  note: string | null;
  recorded_by: string | null;
}

export interface PersonHit {
  person_id: number;
  name: string;
  unit: string | null;
  role: string;
}

export interface AccessItem {
  record_id: number;
  at: string;
  door_id: string;
  door: string;
  granted: boolean;
  reason: string;
  reason_text: string;
  kind: string | null;
  person_id: number | null;
  person_name: string | null;
  unit: string | null;
  source: string | null;
}

export interface AccessFilter {
  person_id?: number;
  unit?: string;
  door_id?: string;
  granted?: boolean;
  reason?: string;
  start?: string;
  end?: string;
}

export interface Device {
  door_id: string;
  name: string;
  zone: string;
  direction: string;
  escape_route: boolean;
  lock_entity: string | null;
  lock_state: string | null;
  reader_entities: string[];
  line: string | null;
  online: boolean | null;
  lock_codes: { state: string; problems: number | string[] } | null;
}

/** A card read at a door's reader for the card desk (office/capture_card). */
export interface CardRead {
  card_number: string;
  masked: string;
  known: boolean;
  holder?: { person_id: number; name: string | null; unit: string | null; status: string };
}

export interface OsdpReaderItem {
  reader_id: string;
  name: string;
  address: number;
  door_id: string;
  door: string | null;
  online: boolean;
  secure: boolean;
  paired: boolean;
  key: "own" | "none";
  alarm: string | null;
  identity: { vendor: string; model: number; version: number; serial: string; firmware: string } | null;
}

export interface OsdpLine {
  line_id: string;
  title: string;
  port: string;
  connected: boolean;
  readers: OsdpReaderItem[];
}

export interface OsdpPairResult {
  line_id: string;
  reader_id: string;
  reader: OsdpReaderItem;
  identity: NonNullable<OsdpReaderItem["identity"]>;
  secure_channel: boolean;
}

export interface CsvFile {
  filename: string;
  csv: string;
}

export interface ImportResult {
  rows: number;
  households: number;
  people: number;
  cards: number;
  errors: { line: number | null; column: string; key?: string; reason: string }[];
  written: boolean;
}

export interface GateOverview {
  pending: Visit[];
  on_site: Visit[];
  overdue: Visit[];
  expected_today: Visit[];
  recent: AccessItem[];
}

export interface HomeOverview {
  unit: string;
  people: { person_id: number; name: string; role: string; status: string }[];
  credentials: CredentialItem[];
  pending: Visit[];
  upcoming: Visit[];
  statement: Statement;
  /** The newest public notice in force, as published (name masked). */
  notice: PublicNotice | null;
}

export interface VisitEvent {
  visit?: Visit;
  record?: AccessItem;
}

/** The error the server sends: a key and a message in the user's language. */
export interface WsError {
  code: string;
  message: string;
}

export function errorMessage(err: unknown): string {
  if (err && typeof err === "object" && "message" in err) {
    const msg = (err as WsError).message;
    if (typeof msg === "string" && msg) return msg;
  }
  if (err && typeof err === "object" && "code" in err) {
    return String((err as WsError).code);
  }
  return String(err);
}

const P = "community_access/";

export async function listCommunities(hass: HomeAssistant): Promise<Community[]> {
  // Not a community command: no entry_id, and its schema takes nothing else.
  const res = await hass.callWS<{ communities: Community[] }>({ type: `${P}panels` });
  return res.communities;
}

type Params = Record<string, unknown>;

function clean(params: object): Params {
  const out: Params = {};
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== "") out[k] = v;
  }
  return out;
}

/** The commands of one community, for one user. */
export class Api {
  constructor(
    public hass: HomeAssistant,
    readonly entryId: string,
  ) {}

  call<T>(command: string, params: object = {}): Promise<T> {
    return this.hass.callWS<T>({
      ...clean(params),
      type: P + command,
      entry_id: this.entryId,
      language: this.hass.language,
    });
  }

  /** Subscribe; `onEvent` gets each pushed change. Returns the unsubscriber. */
  subscribe<E>(
    command: string,
    params: object,
    onEvent: (event: E) => void,
  ): Promise<() => Promise<void>> {
    return this.hass.connection.subscribeMessage<E>(onEvent, {
      ...clean(params),
      type: P + command,
      entry_id: this.entryId,
      language: this.hass.language,
    });
  }

  // --- office ---
  today = () => this.call<Today>("office/today");
  households = (q: { search?: string; include_moved_out?: boolean } & PageQuery) =>
    this.call<Page<HouseholdItem>>("office/households", q);
  household = (unit: string) => this.call<HouseholdDetail>("office/household", { unit });
  addHousehold = (unit: string, card_quota?: number) =>
    this.call<HouseholdItem>("office/add_household", { unit, card_quota });
  addPerson = (p: Params) => this.call<PersonDetail>("office/add_person", p);
  updatePerson = (p: Params) => this.call<PersonDetail>("office/update_person", p);
  setPersonStatus = (person_id: number, status: "active" | "suspended") =>
    this.call<PersonDetail>("office/set_person_status", { person_id, status });
  issueCard = (p: Params) => this.call<CredentialItem>("office/issue_card", p);
  reportCardLost = (credential_id: number) =>
    this.call<CredentialItem>("office/report_card_lost", { credential_id });
  reissueCard = (credential_id: number, card_number: string, fee?: number) =>
    this.call<CredentialItem>("office/reissue_card", { credential_id, card_number, fee });
  returnCard = (credential_id: number, damaged: boolean) =>
    this.call<CredentialItem>("office/return_card", { credential_id, damaged });
  addCredential = (p: Params) => this.call<CredentialItem>("office/add_credential", p);
  revokeCredential = (credential_id: number) =>
    this.call<CredentialItem>("office/revoke_credential", { credential_id });
  moveOutPreview = (unit: string) =>
    this.call<MoveOutPreview>("office/move_out_preview", { unit });
  moveOut = (unit: string, returned_card_ids: number[]) =>
    this.call<HouseholdItem>("office/move_out", { unit, returned_card_ids });
  visits = (q: { status?: string[] } & PageQuery) =>
    this.call<Page<Visit>>("office/visits", q);
  approveVisit = (visit_id: number) => this.call<Visit>("office/approve_visit", { visit_id });
  denyVisit = (visit_id: number) => this.call<Visit>("office/deny_visit", { visit_id });
  officePreregister = (p: Params) => this.call<VisitPass>("office/preregister_visitor", p);
  watchlist = (q: PageQuery) => this.call<Page<WatchEntry>>("office/watchlist", q);
  barVisitor = (p: Params) => this.call<WatchEntry>("office/bar_visitor", p);
  unbarVisitor = (watch_id: number) => this.call<WatchEntry>("office/unbar_visitor", { watch_id });
  notices = (q: { active_only?: boolean } & PageQuery) =>
    this.call<Page<PublicNotice>>("office/notices", q);
  violations = (q: { open_only?: boolean } & PageQuery) =>
    this.call<Page<Violation>>("office/violations", q);
  recordViolation = (p: Params) => this.call<Violation>("office/record_violation", p);
  penalties = (q: { active_only?: boolean } & PageQuery) =>
    this.call<Page<Penalty>>("office/penalties", q);
  applyPenalty = (p: Params) => this.call<Penalty>("office/apply_penalty", p);
  liftPenalty = (penalty_id: number) =>
    this.call<Penalty>("office/lift_penalty", { penalty_id });
  commendations = (q: PageQuery) => this.call<Page<Commendation>>("office/commendations", q);
  recordCommendation = (p: Params) => this.call<Commendation>("office/record_commendation", p);
  peopleSearch = (query: string, limit = 20) =>
    this.call<PersonHit[]>("office/people_search", { query, limit });
  accessLog = (f: AccessFilter & PageQuery) =>
    this.call<Page<AccessItem>>("office/access_log", { ...f });
  accessLogCsv = (f: AccessFilter, full_names: boolean) =>
    this.call<CsvFile>("office/access_log_csv", { ...f, full_names });
  devices = () => this.call<Device[]>("office/devices");
  openDoor = (door_id: string) => this.call<unknown>("office/open_door", { door_id });
  resyncLock = (door_id: string) => this.call<unknown>("office/resync_lock", { door_id });
  /** Wait for the next card at the door: one event, the card or a timeout. */
  captureCard = (door_id: string, onEvent: (event: CardRead | { timeout: true }) => void) =>
    this.subscribe<CardRead | { timeout: true }>("office/capture_card", { door_id }, onEvent);
  osdpLines = () => this.call<OsdpLine[]>("office/osdp_lines");
  osdpPair = (p: { line: string; address: number; door_id: string; name?: string }) =>
    this.call<OsdpPairResult>("office/osdp_pair", p);
  /** ``csvBase64``: the file's bytes in base64 (UTF-8 or GB18030). */
  importCsv = (csvBase64: string, dry_run: boolean) =>
    this.call<ImportResult>("office/import_csv", { csv_base64: csvBase64, dry_run });
  exportCsv = () => this.call<CsvFile>("office/export_csv");
  csvTemplate = () => this.call<CsvFile>("office/csv_template");

  // --- gate desk ---
  gateOverview = () => this.call<GateOverview>("gate/overview");
  registerVisitor = (p: Params) => this.call<Visit>("gate/register_visitor", p);
  checkIn = (p: { code?: string; name?: string; phone?: string; card_number?: string }) =>
    this.call<VisitPass>("gate/check_in", p);
  checkOut = (visit_id: number, card_returned: boolean) =>
    this.call<Visit>("gate/check_out", { visit_id, card_returned });
  guardVerifiedEntry = (door_id: string, person_id: number, note?: string) =>
    this.call<AccessItem>("gate/guard_verified_entry", { door_id, person_id, note });
  gatePeopleSearch = (query: string) =>
    this.call<PersonHit[]>("gate/people_search", { query });
  gateAlarms = () => this.call<DoorAlarm[]>("gate/alarms");
  acknowledgeAlarm = (alarm_id: number, note?: string) =>
    this.call<DoorAlarm>("gate/acknowledge_alarm", { alarm_id, note });
  verifyGoodsPass = (code: string, door_id: string) =>
    this.call<GoodsCheckResult>("gate/verify_goods_pass", { code, door_id });
  inspectGoods = (p: { note: string; door_id?: string; goods_pass_id?: number; unit?: string }) =>
    this.call<GoodsInspection>("gate/inspect_goods", p);

  // --- my home ---
  homeOverview = (unit: string) => this.call<HomeOverview>("home/overview", { unit });
  homeAccess = (unit: string, q: { days?: number } & PageQuery) =>
    this.call<Page<AccessItem>>("home/access", { unit, ...q });
  homeApprove = (unit: string, visit_id: number) =>
    this.call<Visit>("home/approve_visit", { unit, visit_id });
  homeDeny = (unit: string, visit_id: number) =>
    this.call<Visit>("home/deny_visit", { unit, visit_id });
  preregister = (p: Params) => this.call<VisitPass>("home/preregister_visitor", p);
  homeNotices = (unit: string) => this.call<Page<PublicNotice>>("home/notices", { unit });
  homeReportLost = (unit: string, credential_id: number) =>
    this.call<CredentialItem>("home/report_card_lost", { unit, credential_id });
  issueGoodsPass = (p: Params) => this.call<IssuedGoodsPass>("home/issue_goods_pass", p);
}
