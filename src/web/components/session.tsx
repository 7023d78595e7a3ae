/** The logged-in user and what they may do, for every page. */
import { createContext, useContext } from 'react';
import type { Me, Permission } from '../types.ts';

export interface Session {
  me: Me;
  can: (p: Permission) => boolean;
  logout: () => void;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside SessionContext');
  return s;
}
