/** The path of the current folder as links (Home › a › b); the last one is the current page. Rows dropped on a crumb move (or, with Ctrl or Alt held, copy) there. */
import { t } from '../i18n';
import { onLinkClick } from '../router';
import { dropTarget, type DropInto } from './FileTable';
import { folderUrl } from './urls';

export function Breadcrumbs({ path, onDropInto }: { path: string; onDropInto?: DropInto }) {
  const segments = path.split('/').filter(Boolean);
  const crumbs = [{ label: t('files.home'), path: '/' }, ...segments.map((name, i) => ({
    label: name, path: `/${segments.slice(0, i + 1).join('/')}`,
  }))];
  return (
    <nav class="breadcrumbs" aria-label={t('files.breadcrumb')}>
      <ol>
        {crumbs.map((crumb, i) => (
          <li key={crumb.path}>
            <a href={folderUrl(crumb.path)} onClick={onLinkClick} {...(onDropInto ? dropTarget(crumb.path, onDropInto) : {})}
              aria-current={i === crumbs.length - 1 ? 'page' : undefined}>{crumb.label}</a>
          </li>
        ))}
      </ol>
    </nav>
  );
}
