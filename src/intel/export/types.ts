/** Export formats and options: plain types, shared by the exporters and their front door. */

export const EXPORT_FORMATS = ['rpz', 'hosts', 'domains', 'stix'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ExportOptions {
  /** RPZ zone origin. Default 'rpz.minewarden'. */
  zoneName?: string;
  /** Address the hosts format points blocked names at. Default 0.0.0.0. */
  sinkhole?: string;
  /** Epoch seconds: the generation time (SOA serial, STIX timestamps) and the expiry cut-off. */
  now?: number;
}

/** Options after validation, with defaults filled in. */
export interface ResolvedExportOptions {
  zoneName: string;
  sinkhole: string;
  now: number;
}
