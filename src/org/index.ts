/**
 * Front door of organisation units: the tree, address → unit resolution, CSV/YAML import and
 * export. Other capabilities use only what is named here.
 */
export { UnitTree, checkUnits, describeProblem, type UnitField, type UnitProblem } from './tree.ts';
export { AddressResolver, type Resolved } from './resolve.ts';
export { importUnitsCsv, exportUnitsCsv, CSV_COLUMNS, type ImportError } from './io.ts';
export { importUnitsYaml, exportUnitsYaml } from './io-yaml.ts';
export { parseCidr, parseIPv4, parseIPv6, v4Mask, maskV6, type Cidr } from './cidr.ts';
export { OrgService, type ReplaceSummary, type UnitMatch } from './service.ts';
