/**
 * Organisation units: plain types, no logic (see ARCHITECTURE.md, layer `model`).
 * Every event lands on a unit (centre, district, school, agency, department…); `src/org/`
 * validates a list of these into a tree and maps addresses to units.
 */

export interface UnitContact {
  name: string;
  email?: string;
  phone?: string;
  /** What the contact does for the unit (network admin, principal, …). */
  role?: string;
}

export interface Unit {
  /** Stable slug: lower-case letters, digits, `-`, `_`, `.`; never reused for another unit. */
  id: string;
  /** Display name, any script (UTF-8). */
  name: string;
  /** The enclosing unit, or null for a root. */
  parentId: string | null;
  /** Free word for the level: centre, district, school, agency, department, … */
  kind?: string;
  /** Internal networks: IPv4/IPv6 CIDRs or single addresses. */
  cidrs: string[];
  /**
   * Site key. Internal CIDRs may overlap between sites (every school has 192.168.1.0/24);
   * the site a sensor reports from disambiguates. '' is the default site.
   */
  site: string;
  /** Public NAT/egress addresses or CIDRs; unique across all sites. */
  egress: string[];
  contacts: UnitContact[];
}
