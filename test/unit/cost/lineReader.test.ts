import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { countLines, readLines, type LineRange } from '../../../src/core/cost/lineReader';
import { tempDir } from './helpers';

describe('chunked line reader', () => {
  let dir: string;
  let remove: () => void;
  beforeEach(() => ({ dir, remove } = tempDir()));
  afterEach(() => remove());

  function write(text: string | Buffer): string {
    const file = path.join(dir, 'lines.txt');
    writeFileSync(file, text);
    return file;
  }

  async function read(file: string, range: Partial<LineRange> & { chunkBytes: number }) {
    const lines: string[] = [];
    const result = await readLines(file, { start: 0, end: Infinity, ...range }, (line) => lines.push(line));
    return { lines, ...result, rest: result.rest.toString('utf8') };
  }

  const text = 'alpha\nmodèle-é\n\n模型 🚀\nlast without newline';

  it('passes on whole lines at any chunk size, characters split between reads decoded whole', async () => {
    const file = write(text);
    for (const chunkBytes of [1, 2, 3, 5, 7, 64, 1024 * 1024]) {
      const result = await read(file, { chunkBytes });
      assert.deepEqual(result.lines, ['alpha', 'modèle-é', '', '模型 🚀'], `chunk ${chunkBytes}`);
      assert.equal(result.rest, 'last without newline');
      assert.equal(result.linesEnd, Buffer.byteLength(text) - Buffer.byteLength('last without newline'));
      assert.equal(result.firstLineStart, 0);
    }
  });

  it('reads a line longer than a chunk, and stops at the end of the range', async () => {
    const long = 'x'.repeat(5000);
    const file = write(`${long}\nshort\nafter\n`);
    const result = await read(file, { chunkBytes: 16, end: long.length + 1 + 'short\n'.length });
    assert.deepEqual(result.lines, [long, 'short']);
    assert.equal(result.rest, '');
  });

  it('resumes where the last complete line ended', async () => {
    const file = write('one\ntwo\nthr');
    const first = await read(file, { chunkBytes: 4 });
    assert.deepEqual([first.lines, first.rest], [['one', 'two'], 'thr']);
    writeFileSync(file, 'one\ntwo\nthree\nfour\n');
    const next = await read(file, { chunkBytes: 4, start: first.linesEnd, end: 19 });
    assert.deepEqual([next.lines, next.rest, next.linesEnd], [['three', 'four'], '', 19]);
  });

  it('drops a line cut by a start that falls inside it', async () => {
    const file = write('first line\nsecond\nthird\n');
    for (const chunkBytes of [1, 3, 64]) {
      const cut = await read(file, { chunkBytes, start: 3, startsMidLine: true });
      assert.deepEqual(cut.lines, ['second', 'third'], `chunk ${chunkBytes}`);
      assert.equal(cut.firstLineStart, 'first line\n'.length);
      const atZero = await read(file, { chunkBytes, start: 0, startsMidLine: true });
      assert.deepEqual(atZero.lines, ['first line', 'second', 'third'], 'at the start of the file no line is cut');
    }
    const inLastLine = await read(write('first\nsecond line without end'), { chunkBytes: 4, start: 9, startsMidLine: true });
    assert.deepEqual([inLastLine.lines, inLastLine.rest], [[], ''], 'no line starts in the range');
  });

  it('counts the lines that end before an offset', async () => {
    const file = write('a\nbb\n\nccc\ndd');
    assert.equal(await countLines(file, 0, 3), 0);
    assert.equal(await countLines(file, 2, 3), 1);
    assert.equal(await countLines(file, 6, 1), 3);
    assert.equal(await countLines(file, Infinity, 3), 4);
  });
});
