import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import { decodeHtml } from '../../src/io/charset.js';

describe('decodeHtml', () => {
  it('Shift-JIS with no charset anywhere is detected', () => {
    const bytes = fs.readFileSync('tests/fixtures/charset/hukumusume.shift_jis.html');
    const d = decodeHtml(bytes, 'text/html');
    expect(d.charset).toBe('shift_jis');
    expect(d.source).toBe('detected');
    expect(d.text).toContain('欲張りなイヌ');
  });

  it('windows-1251 Russian with no charset anywhere is detected', () => {
    const bytes = fs.readFileSync('tests/fixtures/charset/munvnukovo.windows-1251.html');
    const d = decodeHtml(bytes, undefined);
    expect(d.charset).toBe('windows-1251');
    const firstLine = fs.readFileSync('tests/fixtures/charset/munvnukovo.expected.txt', 'utf8').split('\n')[0]!;
    expect(d.text).toContain(firstLine.slice(0, 40));
  });

  it('the HTTP header wins over the meta tag, a BOM over both', () => {
    const page = Buffer.from('<meta charset="windows-1251"><p>caf\u00e9</p>', 'utf8');
    expect(decodeHtml(page, 'text/html; charset=UTF-8')).toMatchObject({ charset: 'utf-8', source: 'http' });
    expect(decodeHtml(page, 'text/html')).toMatchObject({ charset: 'windows-1251', source: 'meta' });
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), page]);
    expect(decodeHtml(bom, 'text/html; charset=iso-8859-2')).toMatchObject({ charset: 'utf-8', source: 'bom', text: expect.stringContaining('café') });
  });

  it('an unknown charset label falls through to detection', () => {
    const d = decodeHtml(Buffer.from('<p>plain ascii</p>'), 'text/html; charset=x-made-up');
    expect(d).toMatchObject({ charset: 'utf-8', source: 'detected', text: '<p>plain ascii</p>' });
  });
});
