/** Every word a report prints, in English and Chinese, from one dictionary (text and PDF alike). */
import { MinewardenError } from '../core/errors.ts';
import type { Change } from './types.ts';

export type Lang = 'en' | 'zh';
export const LANGS: readonly Lang[] = ['en', 'zh'];

const EN = {
  dailyTitle: 'Daily patrol',
  monthlyTitle: 'Monthly summary',
  product: 'Minewarden',
  date: 'Date',
  month: 'Month',
  timeZone: 'Time zone',
  scope: 'Scope',
  allUnits: 'all units',
  generated: 'Generated',
  today: 'Today',
  yesterday: 'Yesterday',
  queries: 'DNS queries',
  blocked: 'Blocked',
  opened: 'Incidents opened',
  newHosts: 'Newly infected hosts',
  affectedUnits: 'Affected units',
  miningCases: 'Mining cases',
  miningResolved: 'resolved',
  poolBlocks: 'Pool connections blocked',
  threatEvents: 'Threat events',
  campaigns: 'Campaigns',
  resolved: 'Resolved',
  changes: 'Changes since yesterday',
  changesMonth: 'Compared with the previous month',
  up: 'up',
  down: 'down',
  same: 'unchanged',
  from: 'from',
  to: 'to',
  openIncidents: 'Open incidents',
  openedToday: 'Opened today',
  closedToday: 'Resolved or false positive today',
  none: 'none',
  id: 'ID',
  severity: 'Severity',
  unit: 'Unit',
  host: 'Host',
  stage: 'Stage',
  age: 'Age',
  title: 'Title',
  state: 'State',
  hosts: 'Hosts',
  open: 'Open',
  maxSeverity: 'Max severity',
  unitsOpen: 'Units with open incidents',
  topBlocked: 'Top blocked names',
  topCategories: 'Top blocked categories',
  name: 'Name',
  category: 'Category',
  count: 'Count',
  health: 'Sensor and feed health',
  kind: 'Kind',
  events: 'Events',
  errors: 'Errors',
  lastEvent: 'Last event',
  status: 'Status',
  detail: 'Detail',
  never: 'never',
  perDay: 'Per day',
  day: 'Day',
  incidents: 'Incidents',
  perUnit: 'Per unit',
  cases: 'Cases',
  infectedHosts: 'Infected hosts',
  topInfected: 'Top infected units',
  detectors: 'Detectors that fired',
  detector: 'Detector',
  alerts: 'Alerts',
  previousMonth: 'Previous month',
  thisMonth: 'This month',
  poolBlocksDetail: 'DNS blocks in mining categories plus sinkhole connections',
  cjkMissing: 'A CJK font is needed to print this report in Chinese (Debian: fonts-noto-cjk); shown in English.',
  page: 'Page',
} as const;

export type LabelKey = keyof typeof EN;
export type Labels = Record<LabelKey, string>;

const ZH: Labels = {
  dailyTitle: '每日巡检',
  monthlyTitle: '月度报告',
  product: 'Minewarden',
  date: '日期',
  month: '月份',
  timeZone: '时区',
  scope: '范围',
  allUnits: '全部单位',
  generated: '生成时间',
  today: '今日',
  yesterday: '昨日',
  queries: 'DNS 查询',
  blocked: '已拦截',
  opened: '新增事件',
  newHosts: '新感染主机',
  affectedUnits: '受影响单位',
  miningCases: '挖矿案例',
  miningResolved: '已处置',
  poolBlocks: '拦截矿池连接',
  threatEvents: '威胁事件',
  campaigns: '团伙攻击',
  resolved: '已处置',
  changes: '与昨日相比',
  changesMonth: '与上月相比',
  up: '上升',
  down: '下降',
  same: '持平',
  from: '由',
  to: '至',
  openIncidents: '未关闭事件',
  openedToday: '今日新增',
  closedToday: '今日处置或误报',
  none: '无',
  id: '编号',
  severity: '级别',
  unit: '单位',
  host: '主机',
  stage: '阶段',
  age: '持续',
  title: '标题',
  state: '状态',
  hosts: '主机数',
  open: '未关闭',
  maxSeverity: '最高级别',
  unitsOpen: '有未关闭事件的单位',
  topBlocked: '拦截最多的域名',
  topCategories: '拦截最多的类别',
  name: '名称',
  category: '类别',
  count: '次数',
  health: '传感器与情报源状态',
  kind: '类型',
  events: '事件数',
  errors: '错误',
  lastEvent: '最近事件',
  status: '状态',
  detail: '说明',
  never: '从未',
  perDay: '每日',
  day: '日期',
  incidents: '事件',
  perUnit: '各单位',
  cases: '案例',
  infectedHosts: '感染主机',
  topInfected: '感染最多的单位',
  detectors: '触发的检测器',
  detector: '检测器',
  alerts: '告警',
  previousMonth: '上月',
  thisMonth: '本月',
  poolBlocksDetail: '挖矿类别的 DNS 拦截加上天坑连接',
  cjkMissing: '需要中文字体 (Debian: fonts-noto-cjk) 才能输出中文报告。',
  page: '页',
};

export function labels(lang: Lang): Labels {
  return lang === 'zh' ? ZH : EN;
}

export function parseLang(v: string): Lang {
  if ((LANGS as readonly string[]).includes(v)) return v as Lang;
  throw new MinewardenError('MW_ERR_BAD_INPUT', `unknown language "${v}" (en or zh)`);
}

const fmt = (n: number): string => n.toLocaleString('en-US');

/** "Blocked up 12 (from 30 to 42)" — one change as a sentence. */
export function changeSentence(c: Change, L: Labels): string {
  const what = L[c.metric === 'resolved' ? 'resolved' : c.metric];
  if (c.direction === 'same') return `${what}: ${L.same} (${fmt(c.current)})`;
  return `${what}: ${L[c.direction]} ${fmt(Math.abs(c.delta))} (${L.from} ${fmt(c.previous)} ${L.to} ${fmt(c.current)})`;
}

export function formatNumber(n: number): string {
  return fmt(n);
}

/** An age as people say it: 45m, 5h, 3d. */
export function formatAge(ms: number): string {
  const m = Math.floor(ms / 60_000);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  return h < 48 ? `${h}h` : `${Math.floor(h / 24)}d`;
}
