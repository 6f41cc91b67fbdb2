/** "Skip to main content": the first stop of the Tab order, moving the focus to the page's <main id="main" tabIndex={-1}>. */
import { t } from '../i18n';

export function SkipLink() {
  return (
    <a class="skip-link" href="#main" onClick={(e) => {
      // The hash would add a history entry and, in the router, look like a navigation.
      e.preventDefault();
      document.getElementById('main')?.focus();
    }}>{t('skip.main')}</a>
  );
}
