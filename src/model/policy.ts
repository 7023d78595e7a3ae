/**
 * DNS policies issued centrally: plain types (layer `model`). A policy document applies to the
 * whole network, to one unit (and every unit below it), or to a named group of units. Every
 * change is a new version; a rollback is a new version with an old document.
 */

export type CategoryAction = 'block' | 'monitor' | 'allow';
export type BlockAction = 'nxdomain' | 'nodata' | 'refused' | 'sinkhole';

/** `global`, `unit:<unit id>` or `group:<group name>`. */
export type PolicyScope = string;

export interface PolicyDocument {
  /** Indicator category → what a match does (e.g. `mining-pool: block`, `adware: monitor`). */
  categories: Record<string, CategoryAction>;
  /** Action for categories not listed; unset: inherit. */
  defaultAction?: CategoryAction;
  /** Names (and every name under them) never blocked. */
  allow: string[];
  /** Names (and every name under them) always blocked. */
  deny: string[];
  /** How a block is answered for these clients; unset: inherit (finally `dns.block.action`). */
  blockAction?: BlockAction;
}

export interface PolicyVersion {
  scope: PolicyScope;
  version: number;
  document: PolicyDocument;
  /** Who made this version, when, and why. */
  author: string;
  createdAt: number;
  comment: string;
  /** Set when this version was made by rolling back to an older one. */
  rolledBackFrom: number | null;
}

export interface PolicyGroup {
  name: string;
  description: string;
  units: string[];
  updatedAt: number;
}

/** A running gateway, as it last reported itself. */
export interface GatewayStatus {
  id: string;
  hostname: string;
  startedAt: number;
  lastSeenAt: number;
  /** The policy revision it has applied. */
  policyRevision: number;
  appliedAt: number | null;
}

/** Where a setting came from: a scope, and its stored version (null: the config file). */
export type Origin = {
  scope: PolicyScope;
  version: number | null;
};

/**
 * The merged policy one unit's clients get, each setting with the scope it came from. (A type
 * alias, not an interface: it is sent as a JSON body, which route schemas type as a record.)
 */
export type EffectivePolicy = {
  unit: string;
  /** The scopes consulted, nearest first (those with nothing set included). */
  scopes: PolicyScope[];
  categories: Record<string, { action: CategoryAction; from: Origin }>;
  /** For categories not listed; `from` null: the built-in default (block). */
  defaultAction: { action: CategoryAction; from: Origin | null };
  allow: Array<{ name: string; from: Origin }>;
  deny: Array<{ name: string; from: Origin }>;
  /** Null: the gateway's `dns.block.action`. */
  blockAction: { action: BlockAction; from: Origin } | null;
};
