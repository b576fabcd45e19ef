// The pii stage: what it replaces and with what, what it must leave alone, and that hostile or broken text
// comes back without hanging or throwing (speed is measured in bench/pii.ts, not here).
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import { pii } from '../../stages/pii/pii.js';
import { collect, fromArray } from '../../src/core/iterables.js';
import { Counters } from '../../src/core/stats.js';
import { silentLogger } from '../../src/core/log.js';
import type { Doc } from '../../src/core/doc.js';
import { detectPii } from '../../src/pii/scrub.js';
import { ipIsPublic } from '../../src/pii/ip.js';
import { scoreCases, spanMatches, type PiiCase } from '../../src/pii/eval.js';

const cases: PiiCase[] = JSON.parse(fs.readFileSync('tests/fixtures/pii/pii_cases.json', 'utf8'));

async function run(texts: string[], options: Record<string, unknown> = {}) {
  const stats = new Counters();
  const docs: Doc[] = texts.map((text, i) => ({ id: String(i), text, meta: {} }));
  const out = await collect(
    pii.create(pii.options.parse(options)).run(fromArray(docs), {
      rank: 0, worldSize: 1, stats, log: silentLogger, signal: new AbortController().signal, runDir: '/tmp', stage: 'pii',
      drop: () => {
        throw new Error('the pii stage never drops');
      },
      recordError: () => {},
    }),
  );
  return { out, stats: stats.toJSON() };
}

describe('pii-dev cases (DataTrove, Presidio, detect-secrets tests)', () => {
  const positives = cases.filter((c) => c.expect.length > 0);
  const negatives = cases.filter((c) => c.expect.length === 0);

  it('holds 144 cases, 56 of them negatives', () => {
    expect(cases).toHaveLength(144);
    expect(negatives).toHaveLength(56);
  });

  it.each(positives.map((c) => [c.id, c] as const))('%s: every item found with its type and span, nothing else', (_id, c) => {
    const found = detectPii(c.text);
    for (const item of c.expect) expect(found.some((f) => spanMatches(f, item)), `${item.type} ${item.value}`).toBe(true);
    expect(found).toHaveLength(c.expect.length);
  });

  it.each(negatives.map((c) => [c.id, c] as const))('%s: a negative is left alone', (_id, c) => {
    expect(detectPii(c.text).map((f) => c.text.slice(f.start, f.end))).toEqual([]);
  });

  it('scores precision 1 and recall 1 per type, none left out of scope', () => {
    const s = scoreCases(cases);
    expect(s.missed).toEqual([]);
    expect(s.false_positives).toEqual([]);
    expect(s.overall.tp).toBe(98);
  });

  it('publicIpsOnly keeps exactly the addresses the set labels non-public', async () => {
    const ips = cases.flatMap((c) => c.expect.filter((e) => e.type === 'ipv4' || e.type === 'ipv6'));
    expect(ips.length).toBeGreaterThan(20);
    for (const ip of ips) expect(ipIsPublic(ip.type as 'ipv4' | 'ipv6', ip.value), ip.value).toBe(ip.public);
    const { out } = await run(['server 163.36.107.25 (internal 10.0.0.1), v6 2001:db8::1 and 2400:c401::5054:ff:fe1b:b031'], { publicIpsOnly: true });
    expect(out[0]!.text).toBe('server <IP_ADDRESS> (internal 10.0.0.1), v6 2001:db8::1 and <IP_ADDRESS>');
  });
});

describe('pii stage', () => {
  it('replaces each kind with its typed placeholder, counts per document in meta.pii and per type in stats', async () => {
    const text =
      'Contact Jane at jane.doe@example.org or +1 415 555 0132; server 163.36.107.25 (internal 10.0.0.1).\n' +
      'Card 4012 8888 8888 1881, SSN 078-05-1123, IBAN DE89 3704 0044 0532 0130 00, token 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.';
    const { out, stats } = await run([text, 'Nothing personal here, version 1.2.3.4.']);
    expect(out[0]!.text).toBe(
      'Contact Jane at <EMAIL> or <PHONE>; server <IP_ADDRESS> (internal <IP_ADDRESS>).\n' +
        'Card <CREDIT_CARD>, SSN <US_SSN>, IBAN <IBAN>, token <SECRET>.',
    );
    expect(out[0]!.meta.pii).toEqual({ email: 1, phone: 1, ipv4: 2, credit_card: 1, us_ssn: 1, iban: 1, secret: 1 });
    expect(out[1]!.text).toBe('Nothing personal here, version 1.2.3.4.');
    expect(out[1]!.meta.pii).toBeUndefined();
    expect(stats).toMatchObject({ changed: 1, docs_with_pii: 1, 'found.email': 1, 'found.ipv4': 2, 'found.secret': 1, 'secret_kind.github_token': 1 });
  });

  it('scrubs only the types asked for, with the placeholders given', async () => {
    const { out } = await run(['mail a.b@example.com or call (415) 555-0132'], { types: ['email'], replacements: { email: '[email]' } });
    expect(out[0]!.text).toBe('mail [email] or call (415) 555-0132');
    expect(out[0]!.meta.pii).toEqual({ email: 1 });
    expect(() => pii.options.parse({ types: ['postcode'] })).toThrow();
    expect(() => pii.options.parse({ annotate: true })).toThrow();
  });

  it('an SSN stays an SSN when only phones are scrubbed', async () => {
    const { out } = await run(['SSN 078-05-1123, phone 020 7123 4567'], { types: ['phone'] });
    expect(out[0]!.text).toBe('SSN 078-05-1123, phone <PHONE>');
  });

  it('national phone formats', () => {
    const phones = [
      'Call (415) 555-0132 or 415.555.0132 or 1-800-873-2730',
      'London 020 7123 4567, mobile 07700 900123, +44 (0)20 7123 4567',
      'Berlin 030 1234567, Fax 030/1234568, Handy 0151 12345678, +49 30 1234567, 0049 30 1234569',
      'Paris 01 42 68 53 00 ou 06.12.34.56.78, +33 6 12 34 56 78',
      'Mumbai 022-2345 6789, +91 98765 43210, mobile 98765 43210',
      'Tokyo 03-1234-5678, 090-1234-5678; Tel Aviv 09-7625400; 电话13812345678',
    ];
    const found = phones.map((t) => detectPii(t).map((m) => `${m.type}:${t.slice(m.start, m.end)}`));
    expect(found).toEqual([
      ['phone:(415) 555-0132', 'phone:415.555.0132', 'phone:1-800-873-2730'],
      ['phone:020 7123 4567', 'phone:07700 900123', 'phone:+44 (0)20 7123 4567'],
      ['phone:030 1234567', 'phone:030/1234568', 'phone:0151 12345678', 'phone:+49 30 1234567', 'phone:0049 30 1234569'],
      ['phone:01 42 68 53 00', 'phone:06.12.34.56.78', 'phone:+33 6 12 34 56 78'],
      ['phone:022-2345 6789', 'phone:+91 98765 43210', 'phone:98765 43210'],
      ['phone:03-1234-5678', 'phone:090-1234-5678', 'phone:09-7625400', 'phone:13812345678'],
    ]);
  });

  it('never touches versions, dates, ISBNs, prices, colours, order numbers, timestamps, coordinates', async () => {
    const clean = [
      'Release 1.2.3.4, version 10.0.0.1, v1.2.3.4, 1.2.3.4.5, OID 1.3.6.1.4.1.311, section 2.1.4.3, § 4.2.1.1',
      'Dates 2024-01-02, 12/31/2023, 31.12.2023, 2023/10/05, 01.02.2024 at 14:30:00',
      'ISBN 978-3-16-148410-0, ISBN 0-306-40615-2, 9780306406157, ISSN 0317-8471',
      'Price $1,234.56, €1.234,56, 1 234 567 €, £12,345,678.90, 12 345 678 visitors',
      'Colours #ff00aa, #112233, rgb(255, 0, 170)',
      'Order #212-555-0199, order 223-456-7890, invoice no. 0301234567, tracking 1Z999AA10123456784',
      'Timestamps 1700000000, 1700000000000, 2024-01-02T10:20:30Z, 12:34:56.789',
      'Coordinates 48.8566, 2.3522; 40.7128,-74.0060; 51.5074 N 0.1278 W',
      'Code std::vector, MyClass::toString, a::b, MAC aa:bb:cc:dd:ee:ff, ratio 1:2:3:4',
      'Assets logo@2x.png, jquery@3.6.0, @user, user@localhost, facebook.com/pages/p/388213067901331',
      'Secrets? password = "hunter2", token: your_api_key_goes_here, key=xxxxxxxxxxxxxxxxxxxxxxxx',
    ];
    const { out, stats } = await run(clean);
    expect(out.map((d) => d.text)).toEqual(clean);
    expect(stats.changed).toBeUndefined();
  });

  it('scrubs a whole private key block and labelled high-entropy values', async () => {
    const key = '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\nQyNTUxOQAAACDx\n-----END OPENSSH PRIVATE KEY-----';
    const { out, stats } = await run([`key:\n${key}\nend`, 'api_key=AbC123dEf456GhI789jKl012MnO345&x=1', "SECRET_KEY='k3J9sL0pQ2wE8rT5yU1iO4aS7dF6gH'"]);
    expect(out.map((d) => d.text)).toEqual(['key:\n<SECRET>\nend', 'api_key=<SECRET>&x=1', "SECRET_KEY='<SECRET>'"]);
    expect(stats).toMatchObject({ 'secret_kind.private_key': 1, 'secret_kind.api_key': 2 });
  });

  it('returns on hostile input: 50,000 @, digits and dots, 1 MB of a@, and other repeats', async () => {
    const hostile = ['@'.repeat(50_000), '7'.repeat(50_000), '.'.repeat(50_000), 'a@'.repeat(500_000), ':'.repeat(50_000), '12 '.repeat(100_000), 'eyJ'.repeat(100_000)];
    const { out } = await run(hostile);
    expect(out.map((d) => d.text === hostile[Number(d.id)])).toEqual(hostile.map(() => true));
    const ips = '1.1.1.1 '.repeat(20_000);
    const { out: scrubbed } = await run([ips]);
    expect(scrubbed[0]!.text).toBe('<IP_ADDRESS> '.repeat(20_000));
    expect(scrubbed[0]!.meta.pii).toEqual({ ipv4: 20_000 });
  });

  it('handles empty text, emoji and lone surrogates without throwing', async () => {
    const texts = ['', '😀🎉👍🏽', '\ud800 broken \udfff', '\ud83d mail x@example.com \ude00', 'email\ud800@example.com'];
    const { out } = await run(texts);
    expect(out.map((d) => d.text)).toEqual(['', '😀🎉👍🏽', '\ud800 broken \udfff', '\ud83d mail <EMAIL> \ude00', 'email\ud800@example.com']);
  });
});
