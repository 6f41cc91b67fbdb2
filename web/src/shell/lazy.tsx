/**
 * Lazy-loaded apps: each app is its own chunk (dynamic import), fetched the first time it is shown,
 * so the shell stays small.
 */
import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { t } from '../i18n';

/** A component that renders `load()`'s component once its chunk has arrived. */
export function lazyApp<P extends object>(load: () => Promise<ComponentType<P>>): ComponentType<P> {
  let loaded: ComponentType<P> | null = null;
  return function LazyApp(props: P) {
    const [Component, setComponent] = useState<ComponentType<P> | null>(() => loaded);
    useEffect(() => {
      if (Component) return;
      let live = true;
      load().then((c) => {
        loaded = c;
        if (live) setComponent(() => c);
      });
      return () => { live = false; };
    }, []);
    if (!Component) return <p class="loading" role="status">{t('loading')}</p>;
    return <Component {...props} />;
  };
}
