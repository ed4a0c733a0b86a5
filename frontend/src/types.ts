// The part of Home Assistant's `hass` object the panels use.

export interface HassMessage {
  type: string;
  [key: string]: unknown;
}

export interface HassConnection {
  addEventListener?(event: "ready" | "disconnected", listener: () => void): void;
  removeEventListener?(event: "ready" | "disconnected", listener: () => void): void;
  subscribeMessage<T>(
    callback: (event: T) => void,
    message: HassMessage,
  ): Promise<() => Promise<void>>;
}

export interface HomeAssistant {
  language: string;
  locale?: { language: string };
  config: { time_zone: string };
  user?: { id: string; name: string; is_admin: boolean };
  connection: HassConnection;
  callWS<T>(message: HassMessage): Promise<T>;
}

export interface PanelInfo {
  config?: { view?: string } | null;
  title?: string | null;
  url_path?: string;
}

export interface Route {
  prefix: string;
  path: string;
}

export type View = "office" | "gate" | "home";
