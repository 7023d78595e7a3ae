/** i18next set-up: English and Chinese, the choice kept in localStorage. */
import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import { en } from './en.ts';
import { zh } from './zh.ts';

export type Lang = 'en' | 'zh';
const KEY = 'mw.lang';

export function storedLang(): Lang | null {
  const v = localStorage.getItem(KEY);
  return v === 'en' || v === 'zh' ? v : null;
}

export function setLang(lang: Lang, persist = true): void {
  if (persist) localStorage.setItem(KEY, lang);
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  void i18n.changeLanguage(lang);
}

export function initI18n(): void {
  const lng: Lang = storedLang() ?? (navigator.language.toLowerCase().startsWith('zh') ? 'zh' : 'en');
  document.documentElement.lang = lng === 'zh' ? 'zh-CN' : 'en';
  void i18n.use(initReactI18next).init({
    resources: { en: { translation: en }, zh: { translation: zh } },
    lng,
    fallbackLng: 'en',
    interpolation: { escapeValue: false },
    returnNull: false,
  });
}

export default i18n;
