// A confirmation / form dialog on the native <dialog> element. The action
// runs inside the dialog: a refusal from the server is shown there, in the
// user's language, and the dialog stays open to correct the input.
import { css, html, LitElement, nothing, type TemplateResult } from "lit";
import type { Api, CardRead, PersonHit } from "../api.js";
import { errorMessage } from "../api.js";
import type { Translate } from "../i18n/index.js";
import { sharedStyles } from "./styles.js";
import "./person-picker.js";
import "./card-reader.js";

export type FieldValue = string | boolean | number | undefined;
export type Values = Record<string, FieldValue>;

export interface Field {
  name: string;
  label: string;
  type?: "text" | "number" | "select" | "checkbox" | "datetime" | "textarea" | "tel" | "password" | "person";
  options?: { value: string; label: string }[];
  required?: boolean;
  value?: string | boolean;
  min?: number;
  step?: string;
  hint?: string;
  search?: (query: string) => Promise<PersonHit[]>;
  /** A text field that a card read at a door's reader can fill ("Read from reader"). */
  reader?: Api;
}

export interface FormOptions {
  title: string;
  message?: TemplateResult | string;
  fields?: Field[];
  confirm: string;
  danger?: boolean;
  /** Only the confirm button (a message to acknowledge). */
  noCancel?: boolean;
  /** Shown with a spinner while the action runs (a long one, e.g. pairing). */
  progress?: string;
  /** The action; its error keeps the dialog open and is shown in it. */
  submit: (values: Values) => Promise<unknown>;
}

export class CaFormDialog extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      dialog {
        border: none;
        border-radius: var(--ha-dialog-border-radius, var(--ha-card-border-radius, 12px));
        background: var(--card-background-color, #fff);
        color: var(--primary-text-color);
        padding: 24px;
        width: min(520px, calc(100vw - 32px));
        max-height: calc(100vh - 32px);
        box-sizing: border-box;
      }
      dialog::backdrop {
        background: rgba(0, 0, 0, 0.4);
      }
      h2 {
        margin: 0 0 16px;
        font-size: 20px;
        font-weight: 500;
      }
      .fields {
        display: flex;
        flex-direction: column;
        gap: 12px;
        margin: 12px 0;
      }
      .code {
        font-size: 32px;
        letter-spacing: 4px;
        text-align: center;
        margin: 16px 0;
        font-family: var(--ha-font-family-code, monospace);
        user-select: all;
      }
      .progress {
        display: flex;
        align-items: center;
        gap: 8px;
        margin-top: 12px;
      }
      .spinner {
        width: 18px;
        height: 18px;
        border: 2px solid var(--divider-color, #ccc);
        border-top-color: var(--primary-color, #03a9f4);
        border-radius: 50%;
        animation: spin 0.8s linear infinite;
      }
      @keyframes spin {
        to {
          transform: rotate(360deg);
        }
      }
      .actions {
        display: flex;
        justify-content: flex-end;
        gap: 8px;
        margin-top: 16px;
      }
    `,
  ];

  static override properties = {
    opts: { attribute: false },
    t: { attribute: false },
    problem: { state: true },
    working: { state: true },
  };

  opts!: FormOptions;
  t!: Translate;
  problem = "";
  working = false;
  values: Values = {};
  resolve?: (done: boolean) => void;

  override firstUpdated(): void {
    for (const f of this.opts.fields ?? []) {
      if (f.value !== undefined) this.values[f.name] = f.value;
      else if (f.type === "checkbox") this.values[f.name] = false;
      else if (f.type === "select" && f.options?.length) this.values[f.name] = f.options[0].value;
    }
    const dialog = this.renderRoot.querySelector("dialog");
    dialog?.showModal();
    (this.renderRoot.querySelector("input, select, textarea, ca-person-picker") as HTMLElement | null)?.focus();
  }

  private close(done: boolean): void {
    this.renderRoot.querySelector("dialog")?.close();
    this.resolve?.(done);
    this.remove();
  }

  private async onSubmit(e: Event): Promise<void> {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    if (!form.reportValidity()) return;
    for (const f of this.opts.fields ?? []) {
      if (f.required && f.type === "person" && !this.values[f.name]) {
        this.problem = this.t("dialog.pick_person");
        return;
      }
    }
    this.working = true;
    this.problem = "";
    try {
      await this.opts.submit({ ...this.values });
      this.close(true);
    } catch (err) {
      this.problem = errorMessage(err);
    } finally {
      this.working = false;
    }
  }

  private set(name: string, value: FieldValue): void {
    this.values[name] = value;
  }

  private renderField(f: Field): TemplateResult {
    const v = this.values[f.name] ?? f.value;
    const text = (e: Event) => this.set(f.name, (e.target as HTMLInputElement).value);
    const hint = f.hint ? html`<span class="muted">${f.hint}</span>` : nothing;
    switch (f.type) {
      case "checkbox":
        return html`<label class="check"
          ><input
            type="checkbox"
            .checked=${Boolean(v)}
            @change=${(e: Event) => this.set(f.name, (e.target as HTMLInputElement).checked)}
          />${f.label}</label
        >`;
      case "select":
        return html`<label class="field"
          >${f.label}
          <select @change=${text} ?required=${f.required}>
            ${(f.options ?? []).map(
              (o) => html`<option value=${o.value} ?selected=${o.value === v}>${o.label}</option>`,
            )}
          </select>
          ${hint}</label
        >`;
      case "textarea":
        return html`<label class="field"
          >${f.label}<textarea rows="3" .value=${String(v ?? "")} @input=${text}></textarea>${hint}</label
        >`;
      case "person":
        return html`<ca-person-picker
          .t=${this.t}
          .search=${f.search}
          label=${f.label}
          @value-changed=${(e: CustomEvent<{ value: PersonHit | null }>) =>
            this.set(f.name, e.detail.value?.person_id)}
        ></ca-person-picker>`;
      default: {
        const type = f.type === "datetime" ? "datetime-local" : (f.type ?? "text");
        const reader = f.reader
          ? html`<ca-card-reader
              .api=${f.reader}
              .t=${this.t}
              @card-read=${(e: CustomEvent<CardRead>) => {
                this.set(f.name, e.detail.card_number);
                this.requestUpdate();
              }}
            ></ca-card-reader>`
          : nothing;
        return html`<label class="field"
          >${f.label}
          <input
            type=${type}
            .value=${String(v ?? "")}
            ?required=${f.required}
            min=${f.min ?? nothing}
            step=${f.step ?? nothing}
            autocomplete="off"
            @input=${text}
          />${hint}</label
        >${reader}`;
      }
    }
  }

  override render() {
    const o = this.opts;
    return html`<dialog @cancel=${(e: Event) => {
      e.preventDefault();
      if (!this.working) this.close(false);
    }}>
      <form @submit=${this.onSubmit}>
        <h2>${o.title}</h2>
        ${o.message ? html`<div>${o.message}</div>` : nothing}
        ${o.fields?.length ? html`<div class="fields">${o.fields.map((f) => this.renderField(f))}</div>` : nothing}
        ${this.working && o.progress
          ? html`<div class="progress" role="status"><span class="spinner"></span>${o.progress}</div>`
          : nothing}
        ${this.problem ? html`<div class="banner" role="alert">${this.problem}</div>` : nothing}
        <div class="actions">
          ${o.noCancel
            ? nothing
            : html`<button type="button" ?disabled=${this.working} @click=${() => this.close(false)}>
                ${this.t("common.cancel")}
              </button>`}
          <button type="submit" class=${o.danger ? "primary danger" : "primary"} ?disabled=${this.working}>
            ${o.confirm}
          </button>
        </div>
      </form>
    </dialog>`;
  }
}

if (!customElements.get("ca-form-dialog")) customElements.define("ca-form-dialog", CaFormDialog);

/** Show a one-time code (a visitor's pass) until the user acknowledges it. */
export function showCode(t: Translate, title: string, message: string, code: string): Promise<boolean> {
  return openForm(t, {
    title,
    message: html`<p>${message}</p>
      <div class="code">${code}</div>
      <p class="muted">${t("code.once")}</p>`,
    confirm: t("code.done"),
    noCancel: true,
    submit: async () => undefined,
  });
}

/** Open a dialog; resolves true once its action succeeded, false if cancelled. */
export function openForm(t: Translate, opts: FormOptions): Promise<boolean> {
  return new Promise((resolve) => {
    const dialog = document.createElement("ca-form-dialog") as CaFormDialog;
    dialog.t = t;
    dialog.opts = opts;
    dialog.resolve = resolve;
    document.body.appendChild(dialog);
  });
}
