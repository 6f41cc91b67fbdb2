import { describe, expect, it } from 'vitest';
import { BadInput } from '../../../worker/errors';
import { assemble, compareNatural } from '../../../worker/files/uploads/order';

const chunk = (name: string, size: number) => ({ name, segments: JSON.stringify([[`blobs/${name}`, size]]), size });

describe('chunk order (Nextcloud assembles in strnatcmp order)', () => {
  it('numbers compare as numbers whatever their padding', () => {
    expect(['10', '9', '00000002', '1', '0003'].sort(compareNatural)).toEqual(['1', '00000002', '0003', '9', '10']);
  });

  it('byte-range names (`start-end`, chunking v1 docs) sort by their start', () => {
    expect(['10-19', '0-9', '100-109', '20-99'].sort(compareNatural)).toEqual(['0-9', '10-19', '20-99', '100-109']);
  });
});

describe('assemble: segments of a complete upload, refusals for an incomplete one', () => {
  it('1-based and 0-based indexes are complete', () => {
    expect(assemble([chunk('00002', 5), chunk('00001', 3)], 8)).toEqual({ segments: [['blobs/00001', 3], ['blobs/00002', 5]], size: 8 });
    expect(assemble([chunk('00000001', 2), chunk('00000000', 2)], null).size).toBe(4);
  });

  it('byte-offset names (ownCloud-style 16-digit offsets) are complete when each starts where the previous ended', () => {
    expect(assemble([chunk('0000000000000000', 10), chunk('0000000000000010', 4)], 14).segments.length).toBe(2);
  });

  it('a gap, a missing first chunk, or a wrong total is refused', () => {
    expect(() => assemble([chunk('1', 1), chunk('3', 1)], null)).toThrow(BadInput);
    expect(() => assemble([chunk('2', 1), chunk('3', 1)], null)).toThrow(/first chunk is 2/);
    expect(() => assemble([chunk('1', 1), chunk('2', 1)], 3)).toThrow(/do not sum up to 3 but to 2 bytes/);
  });

  it('a chunk stored as several segments contributes all of them, in order', () => {
    const split = { name: '1', segments: JSON.stringify([['blobs/1a', 8], ['blobs/1b', 2]]), size: 10 };
    expect(assemble([chunk('2', 4), split], 14).segments).toEqual([['blobs/1a', 8], ['blobs/1b', 2], ['blobs/2', 4]]);
  });

  it('empty chunks add no segment; no chunks at all make an empty file', () => {
    expect(assemble([{ name: '1', segments: '[]', size: 0 }, chunk('2', 4)], 4).segments).toEqual([['blobs/2', 4]]);
    expect(assemble([], 0)).toEqual({ segments: [], size: 0 });
  });
});
