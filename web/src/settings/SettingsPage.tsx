/** Personal settings (lazy chunk): appearance (theme, dyslexia-friendly font) and the account's names. */
import { useEffect, useState } from 'preact/hooks';
import type { SessionUser } from '../api';
import { t, type MessageKey } from '../i18n';
import { chooseDyslexiaFont, chooseTheme, currentTheme, dyslexiaFont, THEMES, type Theme } from '../theme';

export function SettingsPage({ user }: { user: SessionUser }) {
  const [theme, setTheme] = useState<Theme>(currentTheme);
  const [font, setFont] = useState(dyslexiaFont);
  useEffect(() => { document.title = `${t('settings.title')} - ${t('app.name')}`; }, []);

  return (
    <div class="page settings">
      <h1>{t('settings.title')}</h1>
      <section aria-labelledby="appearance-heading">
        <h2 id="appearance-heading">{t('settings.appearance')}</h2>
        <fieldset>
          <legend>{t('settings.theme')}</legend>
          {THEMES.map((value) => (
            <label key={value} class="choice">
              <input type="radio" name="theme" value={value} checked={theme === value}
                onChange={() => { chooseTheme(value); setTheme(value); }} />
              {t(`settings.theme.${value}` as MessageKey)}
            </label>
          ))}
        </fieldset>
        <label class="choice">
          <input type="checkbox" checked={font} onChange={(e) => {
            const on = (e.currentTarget as HTMLInputElement).checked;
            chooseDyslexiaFont(on);
            setFont(on);
          }} />
          {t('settings.font')}
        </label>
      </section>
      <section aria-labelledby="account-heading">
        <h2 id="account-heading">{t('settings.account')}</h2>
        <dl class="account">
          <dt>{t('settings.login')}</dt><dd>{user.id}</dd>
          <dt>{t('settings.displayName')}</dt><dd>{user.displayName}</dd>
          <dt>{t('settings.email')}</dt><dd>{user.email ?? t('settings.none')}</dd>
        </dl>
      </section>
    </div>
  );
}
