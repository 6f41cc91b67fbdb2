/**
 * A readable name for a browser session's User-Agent ("Firefox on Windows"): the few browsers and
 * systems people recognise, checked in an order that respects how agents impersonate each other
 * (Edge and Chrome claim Safari, Android claims Linux, iOS claims macOS). Anything else shows the
 * raw agent, shortened.
 */
import { t } from '../i18n';

const BROWSERS: [RegExp, string][] = [
  [/\bEdg(e|A|iOS)?\//, 'Edge'],
  [/\b(Firefox|FxiOS)\//, 'Firefox'],
  [/\bChromium\//, 'Chromium'],
  [/\b(HeadlessChrome|Chrome|CriOS)\//, 'Chrome'],
  [/\bVersion\/[\d.]+.*\bSafari\//, 'Safari'],
];

const SYSTEMS: [RegExp, string][] = [
  [/\bWindows\b/, 'Windows'],
  [/\b(iPhone|iPad|iPod)\b/, 'iOS'],
  [/\bAndroid\b/, 'Android'],
  [/\bCrOS\b/, 'ChromeOS'],
  [/\b(Macintosh|Mac OS X)\b/, 'macOS'],
  [/\bLinux\b/, 'Linux'],
];

const MAX_RAW = 60;

function first(list: [RegExp, string][], agent: string): string | null {
  return list.find(([re]) => re.test(agent))?.[1] ?? null;
}

export function describeAgent(agent: string | null): string {
  if (!agent?.trim()) return t('settings.sessions.unknown');
  const browser = first(BROWSERS, agent);
  const os = first(SYSTEMS, agent);
  if (browser) return os ? t('settings.sessions.on', { browser, os }) : browser;
  const raw = agent.trim();
  return raw.length > MAX_RAW ? `${raw.slice(0, MAX_RAW - 1)}…` : raw;
}
