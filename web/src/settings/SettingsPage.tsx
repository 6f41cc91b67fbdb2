/**
 * Personal settings (lazy chunk): the account (display name, e-mail, password), storage quota,
 * language, appearance (theme, dyslexia-friendly font) and Devices & sessions (signed-in browsers,
 * app passwords).
 */
import { useEffect, useState } from 'preact/hooks';
import type { SessionUser } from '../api';
import {
  browserLanguage, chooseLanguage, chosenLanguage, currentLanguage, LANGUAGE_NAMES, LANGUAGES, t, type Language, type MessageKey,
} from '../i18n';
import { chooseDyslexiaFont, chooseTheme, currentTheme, dyslexiaFont, THEMES, type Theme } from '../theme';
import { FieldForm, PasswordForm } from './AccountForms';
import { AppPasswords } from './AppPasswords';
import { Sessions } from './Sessions';
import { ownDetails, unlimited, type QuotaInfo } from './ocs';
import { failureText, formatBytes } from './ui';

export function SettingsPage({ user, onUserChange }: { user: SessionUser; onUserChange: (patch: Partial<SessionUser>) => void }) {
  const [theme, setTheme] = useState<Theme>(currentTheme);
  const [font, setFont] = useState(dyslexiaFont);
  const [language, setLanguage] = useState<Language | ''>(() => chosenLanguage() ?? '');
  useEffect(() => { document.title = `${t('settings.title')} - ${t('app.name')}`; }, [currentLanguage()]);

  return (
    <div class="page settings">
      <h1>{t('settings.title')}</h1>
      <section aria-labelledby="account-heading">
        <h2 id="account-heading">{t('settings.account')}</h2>
        <dl class="account">
          <dt>{t('settings.login')}</dt><dd>{user.id}</dd>
        </dl>
        <p class="hint">{user.email ? t('settings.login.hint', { id: user.id, email: user.email }) : t('settings.login.hintNoEmail', { id: user.id })}</p>
        <FieldForm user={user} field="displayname" onSaved={(displayName) => onUserChange({ displayName: displayName || user.id })} />
        <FieldForm user={user} field="email" onSaved={(email) => onUserChange({ email: email || null })} />
      </section>
      <section aria-labelledby="password-heading">
        <h2 id="password-heading">{t('settings.password')}</h2>
        <PasswordForm user={user} />
      </section>
      <section aria-labelledby="quota-heading">
        <h2 id="quota-heading">{t('settings.quota')}</h2>
        <QuotaBar />
      </section>
      <section aria-labelledby="language-heading">
        <h2 id="language-heading">{t('settings.language')}</h2>
        <label for="language" class="visually-hidden">{t('settings.language')}</label>
        <select id="language" value={language} aria-describedby="language-hint" onChange={(e) => {
          const value = (e.currentTarget as HTMLSelectElement).value as Language | '';
          setLanguage(value);
          chooseLanguage(value === '' ? null : value);
        }}>
          <option value="">{t('settings.language.browser', { language: LANGUAGE_NAMES[browserLanguage()] })}</option>
          {LANGUAGES.map((l) => <option key={l} value={l} lang={l}>{LANGUAGE_NAMES[l]}</option>)}
        </select>
        <p id="language-hint" class="hint">{t('settings.language.hint')}</p>
      </section>
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
          <input type="checkbox" checked={font} aria-describedby="font-hint" onChange={(e) => {
            const on = (e.currentTarget as HTMLInputElement).checked;
            chooseDyslexiaFont(on);
            setFont(on);
          }} />
          {t('settings.font')}
        </label>
        <p id="font-hint" class="hint">
          {t('settings.font.hint')} <a href="/fonts/OpenDyslexic-LICENSE.txt">{t('settings.font.licence')}</a>
        </p>
      </section>
      <section aria-labelledby="devices-heading">
        <h2 id="devices-heading">{t('settings.devices')}</h2>
        <Sessions />
        <h3>{t('settings.appPasswords')}</h3>
        <AppPasswords user={user} />
      </section>
    </div>
  );
}

/** "You are using X of Y (Z %)" with a meter, or the used space and "unlimited". */
function QuotaBar() {
  const [quota, setQuota] = useState<QuotaInfo | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    ownDetails().then((d) => setQuota(d.quota), (err) => setError(failureText(err)));
  }, []);
  if (error) return <p class="error" role="alert">{t('settings.failed', { message: error })}</p>;
  if (!quota) return <p role="status">{t('loading')}</p>;
  if (unlimited(quota)) return <p class="quota-text" id="quota-text">{t('settings.quota.unlimited', { used: formatBytes(quota.used) })}</p>;
  const percent = new Intl.NumberFormat(currentLanguage(), { maximumFractionDigits: 1 }).format(quota.relative);
  return (
    <div class="quota">
      <meter id="quota-meter" min={0} max={quota.total} value={Math.min(quota.used, quota.total)} low={quota.total * 0.8}
        high={quota.total * 0.95} optimum={0} aria-labelledby="quota-heading" aria-describedby="quota-text" />
      <p class="quota-text" id="quota-text">
        {t('settings.quota.used', { used: formatBytes(quota.used), total: formatBytes(quota.total), percent })}
      </p>
    </div>
  );
}
