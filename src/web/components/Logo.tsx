import type { ReactNode } from 'react';

/** A shield with a pickaxe: drawn here, so no font has to carry the glyph. */
export function Logo(): ReactNode {
  return (
    <svg className="logo" viewBox="0 0 28 28" aria-hidden="true">
      <rect width="28" height="28" rx="6" fill="#b91c1c" />
      <path d="M14 4 L22 7 V13 C22 18 18.5 21.5 14 24 C9.5 21.5 6 18 6 13 V7 Z" fill="none" stroke="#fff" strokeWidth="1.8" strokeLinejoin="round" />
      <path d="M10 11.5 Q14 8.5 18 11.5 M14 10 V18.5" fill="none" stroke="#fff" strokeWidth="1.8" strokeLinecap="round" />
    </svg>
  );
}
