// Re-renders a component when any of Shopify's subscribable values change.
// A few lines in place of @preact/signals (about 3 KB gzipped), which keeps the
// checkout bundle within its 10 KB budget; `.value` stays the source of truth.
import {useEffect, useReducer} from 'preact/hooks';

/** @param {...({subscribe?: (fn: (v: any) => void) => () => void} | undefined)} signals */
export function useSubscribe(...signals) {
  const [, bump] = useReducer((n) => n + 1, 0);
  useEffect(() => {
    const stops = signals.filter((s) => s && typeof s.subscribe === 'function').map((s) => s.subscribe(() => bump(1)));
    return () => stops.forEach((stop) => typeof stop === 'function' && stop());
  }, signals);
}
