import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { setLang } from '../i18n/index.ts';

/** zh/en switch; the choice is kept in localStorage. */
export function LangSwitch(): ReactNode {
  const { i18n } = useTranslation();
  const zh = i18n.language === 'zh';
  return (
    <button type="button" className="lang-switch" data-testid="lang-switch" data-lang={zh ? 'zh' : 'en'} onClick={() => setLang(zh ? 'en' : 'zh')} title={zh ? 'English' : '中文'}>
      {zh ? 'EN' : '中文'}
    </button>
  );
}
