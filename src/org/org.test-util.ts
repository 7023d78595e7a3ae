/** A realistic organisation for tests: a city education centre, 3 districts, 8 schools. */
import type { Unit } from '../model/org.ts';

const u = (id: string, name: string, parentId: string | null, kind: string, rest: Partial<Unit> = {}): Unit => ({
  id, name, parentId, kind, cidrs: [], site: '', egress: [], contacts: [], ...rest,
});

export const CITY: Unit[] = [
  u('edu-centre', '市教育信息中心', null, 'centre', {
    cidrs: ['10.0.0.0/8', '2001:db8::/32'],
    egress: ['203.0.113.0/28'],
    contacts: [{ name: '王工', email: 'noc@edu.example.cn', phone: '+86 10 5555 0100', role: '网络管理员' }],
  }),
  u('d-east', '东城区教育局', 'edu-centre', 'district', { cidrs: ['10.1.0.0/16'] }),
  u('d-west', '西城区教育局', 'edu-centre', 'district', { cidrs: ['10.2.0.0/16'] }),
  u('d-north', '北区教育局, 分局', 'edu-centre', 'district', { cidrs: ['10.3.0.0/16', '2001:db8:3::/48'] }),
  u('s-east-1', '东城第一中学', 'd-east', 'school', { cidrs: ['10.1.1.0/24'], site: 'east-1', egress: ['198.51.100.10'] }),
  u('s-east-2', '东城实验小学', 'd-east', 'school', {
    cidrs: ['192.168.1.0/24'], site: 'east-2', egress: ['198.51.100.11'],
    contacts: [{ name: '李老师', email: 'li@e2.example.cn' }, { name: 'Zhang "IT" Wei', phone: '139 0000 0000' }],
  }),
  u('s-west-1', '西城第二中学', 'd-west', 'school', { cidrs: ['10.2.1.0/24'] }),
  u('s-west-2', '西城外国语学校', 'd-west', 'school', { cidrs: ['192.168.1.0/24'], site: 'west-2', egress: ['198.51.100.12/31'] }),
  u('s-west-3', '西城职业技术学校', 'd-west', 'school', { cidrs: ['10.2.3.0/24', '10.2.4.0/23'] }),
  u('s-north-7', '北区第七中学', 'd-north', 'school', { cidrs: ['10.3.7.0/24', '2001:db8:3:7::/64'] }),
  u('lab-north-7', '北区第七中学 计算机实验室', 's-north-7', 'department', { cidrs: ['10.3.7.128/25'] }),
  u('s-north-8', '北区第八小学', 'd-north', 'school', { cidrs: ['10.3.8.0/24'], contacts: [{ name: '陈校长', role: '校长' }] }),
  u('s-north-9', '北区特殊教育学校', 'd-north', 'school'),
];
