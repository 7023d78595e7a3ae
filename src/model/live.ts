/** What the console's live feed carries (GET /api/live): plain types (layer `model`). */

/** A blocked DNS query. */
export interface LiveBlock {
  ts: number;
  client: string;
  unit: string | null;
  name: string;
  category: string | null;
  reason: string | null;
}

export interface LiveStats {
  ts: number;
  queries: number;
  blocked: number;
  qps: number;
}
