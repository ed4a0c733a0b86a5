// Shared look: Home Assistant's theme variables on plain elements, so the
// panels follow the light and dark themes without HA's internal elements.
import { css } from "lit";

export const sharedStyles = css`
  :host {
    display: block;
    color: var(--primary-text-color);
    font-family: var(--ha-font-family-body, var(--paper-font-body1_-_font-family, Roboto, "Noto Sans SC", sans-serif));
    font-size: 14px;
  }
  .card {
    background: var(--card-background-color, var(--ha-card-background, #fff));
    border-radius: var(--ha-card-border-radius, 12px);
    border: var(--ha-card-border-width, 1px) solid var(--ha-card-border-color, var(--divider-color, #e0e0e0));
    box-shadow: var(--ha-card-box-shadow, none);
    padding: 16px;
    margin: 0 0 16px;
  }
  .card h2,
  .card h3 {
    margin: 0 0 12px;
    font-size: 18px;
    font-weight: 500;
  }
  .card h3 {
    font-size: 16px;
  }
  .row {
    display: flex;
    flex-wrap: wrap;
    gap: 8px;
    align-items: center;
  }
  .spacer {
    flex: 1;
  }
  .muted {
    color: var(--secondary-text-color);
  }
  .error {
    color: var(--error-color, #db4437);
  }
  .ok {
    color: var(--success-color, #43a047);
  }
  .banner {
    border-left: 4px solid var(--error-color, #db4437);
    background: var(--secondary-background-color, rgba(0, 0, 0, 0.04));
    padding: 8px 12px;
    margin: 0 0 12px;
    border-radius: 4px;
  }
  .banner.info {
    border-left-color: var(--primary-color);
  }
  button {
    font: inherit;
    cursor: pointer;
    border-radius: 4px;
    padding: 6px 12px;
    min-height: 36px;
    border: 1px solid var(--primary-color);
    background: transparent;
    color: var(--primary-color);
  }
  button.primary {
    background: var(--primary-color);
    color: var(--text-primary-color, #fff);
  }
  button.danger {
    border-color: var(--error-color, #db4437);
    color: var(--error-color, #db4437);
  }
  button.primary.danger {
    background: var(--error-color, #db4437);
    color: var(--text-primary-color, #fff);
  }
  button.link {
    border: none;
    padding: 0;
    min-height: 0;
    text-decoration: underline;
    background: none;
  }
  button:disabled {
    opacity: 0.5;
    cursor: default;
  }
  input,
  select,
  textarea {
    font: inherit;
    color: var(--primary-text-color);
    background: var(--input-fill-color, var(--card-background-color, transparent));
    border: 1px solid var(--input-idle-line-color, var(--divider-color, #ccc));
    border-radius: 4px;
    padding: 6px 8px;
    min-height: 36px;
    box-sizing: border-box;
  }
  input[type="checkbox"] {
    min-height: 0;
    accent-color: var(--primary-color);
  }
  input:focus,
  select:focus,
  textarea:focus {
    outline: 2px solid var(--primary-color);
    outline-offset: -1px;
  }
  label.field {
    display: flex;
    flex-direction: column;
    gap: 4px;
    font-size: 12px;
    color: var(--secondary-text-color);
  }
  label.check {
    display: inline-flex;
    gap: 6px;
    align-items: center;
  }
  table {
    width: 100%;
    border-collapse: collapse;
  }
  th,
  td {
    text-align: start;
    padding: 8px;
    border-bottom: 1px solid var(--divider-color, #e0e0e0);
    vertical-align: top;
  }
  th {
    color: var(--secondary-text-color);
    font-weight: 500;
    font-size: 12px;
  }
  tr.clickable {
    cursor: pointer;
  }
  tr.clickable:hover {
    background: var(--secondary-background-color, rgba(0, 0, 0, 0.04));
  }
  .stacked tr {
    display: block;
    border-bottom: 1px solid var(--divider-color, #e0e0e0);
    padding: 8px 0;
  }
  .stacked thead {
    display: none;
  }
  .stacked td {
    display: flex;
    gap: 8px;
    border: none;
    padding: 2px 8px;
  }
  .stacked td::before {
    content: attr(data-label);
    color: var(--secondary-text-color);
    min-width: 40%;
    flex-shrink: 0;
  }
  .chip {
    display: inline-block;
    padding: 2px 8px;
    border-radius: 10px;
    font-size: 12px;
    background: var(--secondary-background-color, rgba(0, 0, 0, 0.06));
  }
  .chip.good {
    color: var(--success-color, #43a047);
  }
  .chip.bad {
    color: var(--error-color, #db4437);
  }
  .chip.warn {
    color: var(--warning-color, #ffa600);
  }
  .tabs {
    display: flex;
    gap: 4px;
    overflow-x: auto;
    border-bottom: 1px solid var(--divider-color, #e0e0e0);
    margin-bottom: 16px;
  }
  .tabs button {
    border: none;
    border-radius: 0;
    border-bottom: 2px solid transparent;
    color: var(--secondary-text-color);
    white-space: nowrap;
  }
  .tabs button[aria-selected="true"] {
    color: var(--primary-color);
    border-bottom-color: var(--primary-color);
  }
  .grid {
    display: grid;
    grid-template-columns: repeat(auto-fill, minmax(160px, 1fr));
    gap: 12px;
  }
  .stat {
    text-align: start;
    display: flex;
    flex-direction: column;
    gap: 4px;
    padding: 12px;
    border: 1px solid var(--divider-color, #e0e0e0);
    border-radius: var(--ha-card-border-radius, 12px);
    color: var(--primary-text-color);
    background: var(--card-background-color, #fff);
  }
  .stat .n {
    font-size: 28px;
    color: var(--primary-color);
  }
  .stat.alert .n {
    color: var(--error-color, #db4437);
  }
  .form {
    display: grid;
    grid-template-columns: repeat(auto-fill, minmax(200px, 1fr));
    gap: 12px;
    align-items: end;
  }
`;
