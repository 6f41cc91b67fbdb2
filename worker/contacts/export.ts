import type { AddressbookRow, ContactsService } from './service';
import { attachment } from '../http/attachment';

// `?export` on an address book (SabreDAV's VCFExportPlugin, as Nextcloud serves it): every card of
// the book one after another, each exactly as stored (3.0 and 4.0 may mix, as in Nextcloud).
// Streamed a page of rows at a time, so a book of any size never sits whole in memory.

/** Rows read per page while streaming (cards may carry inline photos of up to 1 MB). */
const PAGE = 50;

/** The file name Nextcloud gives an export: the address book's name and the day. */
function fileName(book: AddressbookRow, now: number): string {
  return `${book.displayname || book.uri}-${new Date(now).toISOString().slice(0, 10)}.vcf`;
}

/** A stored card ends its last line; the next card must start on a line of its own. */
function terminated(data: string): string {
  return /\r?\n$/.test(data) ? data : data + '\r\n';
}

/** The whole address book as one text/vcard download, streamed from D1 page by page. */
export function exportAddressbook(service: ContactsService, book: AddressbookRow, now: number, head = false): Response {
  const headers = {
    'Content-Type': 'text/vcard; charset=utf-8',
    'Content-Disposition': attachment(fileName(book, now)),
    'Cache-Control': 'no-store',
  };
  if (head) return new Response(null, { status: 200, headers });
  const encoder = new TextEncoder();
  let afterId = 0;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const rows = await service.cardsAfter(book, afterId, PAGE);
      if (rows.length > 0) {
        afterId = rows[rows.length - 1].id;
        controller.enqueue(encoder.encode(rows.map((r) => terminated(r.data)).join('')));
      }
      if (rows.length < PAGE) controller.close();
    },
  });
  return new Response(body, { status: 200, headers });
}
