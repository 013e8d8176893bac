import { useEffect, useState } from 'react';
import { get, onLogEvent } from './api';

/** Fetches `path`; refetches when the log grows (SSE) if `live`. */
export function useApi<T>(path: string | null, live = false, filter?: (ev: { type: string; round: number | null }) => boolean): { data: T | null; error: string | null } {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!path) return;
    let stop = false;
    const load = () => get<T>(path).then((d) => !stop && setData(d), (e: Error) => !stop && setError(e.message));
    void load();
    let close: (() => void) | undefined;
    if (live) {
      void get<{ seq: number }>('/v1/state').then((s) => {
        if (stop) return;
        close = onLogEvent(s.seq, (ev) => {
          if (!filter || filter(ev)) void load();
        });
      });
    }
    return () => {
      stop = true;
      close?.();
    };
  }, [path, live]);
  return { data, error };
}

export function useHashRoute(): string[] {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const on = () => setHash(location.hash);
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
}
