// The extraction chain (src/extract/extract.ts): which step produced the text and why a later one ran.
import { describe, expect, it } from 'vitest';
import { DEFAULT_EXTRACT_OPTIONS, extractHtml, tagStats } from '../../src/extract/extract.js';

const prose = 'The committee met on Tuesday to review the proposal, and after a long discussion it agreed to fund the project for two more years.';

describe('extractHtml', () => {
  it('takes the fast extractor when it finds enough text', () => {
    const r = extractHtml(`<html><body><article><p>${prose}</p><p>${prose}</p></article></body></html>`);
    expect(r).toMatchObject({ extractor: 'fast_content' });
    expect(r.fallbackReason).toBeUndefined();
  });

  it('reads hidden elements in a second pass when the visible page is empty (streamed React, content locks)', () => {
    const r = extractHtml(`<html><body><div id="app"></div><div style="display:none"><article><p>${prose}</p><p>${prose}</p></article></div></body></html>`);
    expect(r.text).toContain('The committee met');
    expect(r.fallbackReason).toBe('hidden_revealed');
  });

  it('gives nothing for a page that is all furniture, without running the fallbacks on it', () => {
    const shell = `<html><body><header><a href="/">Shop</a> <a href="/men">Men</a> <a href="/women">Women</a></header><div id="root"></div>
      <footer><p>Help Center, Returns and refunds, Shipping, Track my order, Gift cards, Careers, Press, Investors, Accessibility</p>
      <p>Sign up for our newsletter to hear about new arrivals and sales first.</p></footer></body></html>`;
    const r = extractHtml(shell);
    expect(r).toMatchObject({ text: '', extractor: 'fast_furniture', fallbackReason: 'fast_empty+furniture_only' });
  });

  it('skips Readability, with a reason, where it would not fit the time budget or the element cap', () => {
    const cells = '<div><span></span></div>'.repeat(3000);
    const html = `<html><body><p>Too short.</p>${cells}</body></html>`;
    expect(tagStats(html, 400).elements).toBeGreaterThan(6000);
    const capped = extractHtml(html);
    expect(capped.fallbackReason).toBe('fast_too_short+readability_skipped_too_many_elements');
    const noTime = extractHtml(html, { ...DEFAULT_EXTRACT_OPTIONS, maxReadabilityElements: 1e9, timeoutMs: 500 });
    expect(noTime.fallbackReason).toBe('fast_too_short+readability_skipped_no_time');
    const tooLarge = extractHtml(html, { ...DEFAULT_EXTRACT_OPTIONS, maxReadabilityChars: 1000 });
    expect(tooLarge.fallbackReason).toBe('fast_too_short+readability_skipped_too_large');
  });
});

describe('tagStats', () => {
  it('counts elements and nesting depth, void and self-closed tags not nesting', () => {
    expect(tagStats('<div><p>a<br>b<img src=x></p><span/></div>', 100)).toEqual({ depth: 2, elements: 5 });
    expect(tagStats('<div>'.repeat(50), 10).depth).toBe(11);
  });
});
