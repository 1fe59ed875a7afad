// Preact hook: the shop's settings from the backend (the admin page's Settings), fetched once per render
// tree; null until they arrive or when they cannot be read, so nothing that depends on them shows.
import {useEffect, useState} from 'preact/hooks';
import {fetchShopSettings} from './api.js';

export function useShopSettings(api) {
  const [settings, setSettings] = useState(null);
  useEffect(() => {
    let live = true;
    fetchShopSettings(api)
      .then((value) => live && setSettings(value))
      .catch(() => live && setSettings(null));
    return () => {
      live = false;
    };
  }, []);
  return settings;
}
