/**
 * What to upload from a file input (with webkitdirectory, files carry their relative path) or from a
 * drop (DataTransferItem.webkitGetAsEntry walks dropped folders): the files with their paths relative
 * to the target folder, and the folders to create first (an empty dropped folder is one too).
 */
import type { UploadSource } from './upload';

export interface UploadPlan { files: UploadSource[]; folders: string[] }

/** Files from an <input type=file> (webkitRelativePath set for a folder upload). */
export function fromFileList(list: File[]): UploadPlan {
  const files = list.map((file) => ({ file, relativePath: file.webkitRelativePath || file.name }));
  const folders = new Set<string>();
  for (const s of files) {
    const parts = s.relativePath.split('/');
    for (let i = 1; i < parts.length; i++) folders.add(parts.slice(0, i).join('/'));
  }
  return { files, folders: [...folders] };
}

/**
 * Files and folders of a drop. The entries are taken synchronously: the DataTransfer is emptied
 * once the drop handler returns. Items without an entry (some platforms) are plain files.
 */
export function fromDrop(dt: DataTransfer): Promise<UploadPlan> {
  const roots: FileSystemEntry[] = [];
  const loose: UploadSource[] = [];
  for (const item of Array.from(dt.items)) {
    if (item.kind !== 'file') continue;
    const entry = item.webkitGetAsEntry?.() ?? null;
    if (entry) roots.push(entry);
    else {
      const file = item.getAsFile();
      if (file) loose.push({ file, relativePath: file.name });
    }
  }
  return walk(roots).then(({ files, folders }) => ({ files: [...loose, ...files], folders }));
}

/** The files and folders below dropped entries (folders read to the end: readEntries answers in batches). */
async function walk(roots: FileSystemEntry[]): Promise<{ files: UploadSource[]; folders: string[] }> {
  const files: UploadSource[] = [];
  const folders: string[] = [];
  const visit = async (entry: FileSystemEntry, prefix: string): Promise<void> => {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isFile) {
      const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
      files.push({ file, relativePath: rel });
    } else if (entry.isDirectory) {
      folders.push(rel);
      const reader = (entry as FileSystemDirectoryEntry).createReader();
      for (;;) {
        const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
        if (batch.length === 0) break;
        for (const child of batch) await visit(child, rel);
      }
    }
  };
  for (const root of roots) await visit(root, '');
  return { files, folders };
}

