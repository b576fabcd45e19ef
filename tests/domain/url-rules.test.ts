import { describe, expect, it } from 'vitest';
import { DOMAIN_LABELS, UrlClassifier, UrlRuleSchema, defaultRules, domainOfUrl, urlParts } from '../../src/domain/url-rules.js';

describe('built-in URL rules', () => {
  const cases: Record<string, string[]> = {
    encyclopedia: [
      'https://en.wikipedia.org/wiki/Tokenization_(lexical_analysis)',
      'https://en.m.wikipedia.org/wiki/Byte_pair_encoding',
      'https://de.wiktionary.org/wiki/Haus',
      'https://www.britannica.com/science/photosynthesis',
      'https://starwars.fandom.com/wiki/Luke_Skywalker',
      'https://plato.stanford.edu/entries/logic-classical/',
      'https://wiki.archlinux.org/title/Systemd',
      'https://www.mediawiki-site.example/wiki/Main_Page',
    ],
    code: [
      'https://github.com/huggingface/datatrove/blob/main/src/datatrove/pipeline/filters/gopher_quality_filter.py',
      'https://gist.github.com/someone/abc123',
      'https://gitlab.com/gitlab-org/gitlab/-/issues/1',
      'https://bitbucket.org/atlassian/python-bitbucket',
      'https://sourceforge.net/projects/sevenzip/',
      'https://www.npmjs.com/package/zod',
      'https://pypi.org/project/datatrove/',
      'https://crates.io/crates/serde',
      'https://docs.rs/tokio/latest/tokio/',
      'https://requests.readthedocs.io/en/latest/',
      'https://developer.mozilla.org/en-US/docs/Web/JavaScript',
      'https://example-product.com/docs/getting-started',
      'https://aws.amazon.com/s3/',
    ],
    qa: [
      'https://stackoverflow.com/questions/11227809/why-is-processing-a-sorted-array-faster',
      'https://math.stackexchange.com/questions/1/what-is-a-group',
      'https://unix.stackexchange.com/q/12345',
      'https://superuser.com/questions/1/how-do-i',
      'https://askubuntu.com/questions/2/',
      'https://www.quora.com/What-is-the-best-way-to-learn',
      'https://answers.yahoo.com/question/index?qid=1',
      'https://answers.microsoft.com/en-us/windows/forum/all/x/y',
    ],
    news: [
      'https://www.nytimes.com/2024/05/01/technology/ai.html',
      'https://www.bbc.co.uk/news/world-1',
      'https://www.theguardian.com/world/2024/may/01/story',
      'https://apnews.com/article/abc',
      'https://news.google.com/topstories',
      'https://news.sky.com/story/x',
      'https://www.localpaper.example/news/2019/07/council-meeting',
    ],
    forum: [
      'https://www.reddit.com/r/MachineLearning/comments/abc/title/',
      'https://old.reddit.com/r/AskHistorians/',
      'https://news.ycombinator.com/item?id=1',
      'https://forum.example.org/t/how-to-install/1234',
      'https://www.somesite.com/forums/showthread.php?t=99',
      'https://www.phpbb-site.net/viewtopic.php?f=2&t=3',
      'https://boards.example.com/b/general',
      'https://discourse.example.io/t/slug/77',
      'https://hobby.example/t/topic-slug/4321',
      'https://www.city-data.com/forum/texas/1.html',
    ],
    academic: [
      'https://arxiv.org/abs/2306.01116',
      'https://www.cs.cmu.edu/~user/paper.html',
      'https://web.mit.edu/course/',
      'https://www.ox.ac.uk/research',
      'https://www.u-tokyo.ac.jp/en/',
      'https://www.unimelb.edu.au/study',
      'https://doi.org/10.1145/3442188.3445922',
      'https://pubmed.ncbi.nlm.nih.gov/123456/',
      'https://www.ncbi.nlm.nih.gov/pmc/articles/PMC1/',
      'https://www.semanticscholar.org/paper/abc',
      'https://www.researchgate.net/publication/1_x',
    ],
    shopping: [
      'https://www.amazon.com/dp/B08N5WRWNW',
      'https://www.amazon.co.uk/Some-Book/dp/0123',
      'https://www.amazon.de/gp/product/B0',
      'https://www.ebay.com/itm/1234',
      'https://www.etsy.com/listing/1/handmade',
      'https://www.aliexpress.com/item/100.html',
      'https://shop.example.com/',
      'https://acme-tools.example/products/hammer-xl',
      'https://acme-tools.example/cart',
      'https://store.example.org/item/42',
    ],
    blog: [
      'https://someone.blogspot.com/2019/07/post.html',
      'https://someone.blogspot.co.uk/2019/07/post.html',
      'https://someone.wordpress.com/2020/01/01/hello/',
      'https://medium.com/@someone/a-story-123',
      'https://writer.substack.com/p/essay',
      'https://artist.tumblr.com/post/1',
      'https://blog.mozilla.org/en/',
      'https://www.company.example/blog/launch',
    ],
    government: [
      'https://www.nasa.gov/missions/',
      'https://www.cdc.gov/flu/',
      'https://www.gov.uk/browse/tax',
      'https://www.gov.br/saude/',
      'https://www.service-public.gouv.fr/',
      'https://www.canada.ca/en.html',
      'https://ec.europa.eu/info/',
      'https://www.mhlw.go.jp/english/',
      'https://www.army.mil/',
    ],
    social: [
      'https://twitter.com/someone/status/1',
      'https://x.com/someone',
      'https://www.facebook.com/page',
      'https://www.instagram.com/p/abc/',
      'https://www.linkedin.com/in/someone',
      'https://www.youtube.com/watch?v=dQw4w9WgXcQ',
    ],
    reference: ['https://www.merriam-webster.com/dictionary/token', 'https://dictionary.cambridge.org/dictionary/english/data', 'https://www.wikihow.com/Tie-a-Tie'],
  };
  for (const [label, urls] of Object.entries(cases)) {
    it(`labels real ${label} URLs`, () => {
      expect(urls.map((u) => [u, domainOfUrl(u)])).toEqual(urls.map((u) => [u, label]));
    });
  }

  it('matches hosts on label boundaries, never as a substring of the URL', () => {
    for (const u of [
      'https://notwikipedia.com.evil/wiki-like',
      'https://evilwikipedia.com/',
      'https://wikipedia.org.evil.example/',
      'https://example.com/?u=https://en.wikipedia.org/wiki/X',
      'https://example.com/github.com/x',
      'https://mygithub.com/',
      'https://stackoverflow.com.phish.example/',
      'https://www.example.com/',
      'https://nyc.example.com/products-and-services-overview',
      'https://newsletter.example.com/',
    ]) expect([u, domainOfUrl(u)]).toEqual([u, 'other']);
  });

  it('host letters are folded, ports, users, trailing dots and fragments ignored', () => {
    expect(domainOfUrl('HTTPS://EN.WIKIPEDIA.ORG/wiki/X')).toBe('encyclopedia');
    expect(domainOfUrl('https://user:pw@github.com:443/a/b#readme')).toBe('code');
    expect(domainOfUrl('https://en.wikipedia.org./wiki/X')).toBe('encyclopedia');
    expect(domainOfUrl('en.wikipedia.org/wiki/X')).toBe('encyclopedia');
    expect(domainOfUrl('//arxiv.org/abs/1')).toBe('academic');
  });

  it('IP hosts get no host label (path rules still apply), malformed URLs are other without throwing', () => {
    expect(domainOfUrl('http://192.168.0.1/')).toBe('other');
    expect(domainOfUrl('http://10.0.0.1/forum/index.php')).toBe('forum');
    expect(domainOfUrl('http://[2001:db8::1]/wiki/Main_Page')).toBe('encyclopedia');
    expect(urlParts('http://127.0.0.1:8080/x')).toMatchObject({ host: '', ip: true });
    for (const bad of ['', '   ', 'not a url', 'http://', 'http://exa mple.com/', 'mailto:someone@wikipedia.org', 'javascript:alert(1)', '::::', 'http://%zz/', 'https://github.com/%E0%A4%A', '\u0000\ud800', undefined]) {
      expect(() => domainOfUrl(bad)).not.toThrow();
      expect(domainOfUrl(bad)).toBe(bad === 'https://github.com/%E0%A4%A' ? 'code' : 'other');
    }
  });

  it('every built-in rule is valid and gives a documented label', () => {
    const rules = defaultRules();
    expect(rules.length).toBeGreaterThan(20);
    for (const r of rules) expect(DOMAIN_LABELS).toContain(r.label);
  });
});

describe('pipeline rules', () => {
  it('come first, so they override the built-in ones, and may add labels', () => {
    const c = UrlClassifier.withRules([
      { label: 'recipes', hosts: ['allrecipes.com'] },
      { label: 'news', hosts: ['reddit.com'], paths: ['^/r/worldnews'] },
      { label: 'legal', paths: ['^/terms', 'privacy-policy'] },
    ]);
    expect(c.classify('https://www.allrecipes.com/recipe/1').label).toBe('recipes');
    expect(c.classify('https://www.reddit.com/r/worldnews/comments/x').label).toBe('news');
    expect(c.classify('https://www.reddit.com/r/AskHistorians/').label).toBe('forum');
    expect(c.classify('https://shop.example/terms').label).toBe('legal');
    expect(c.classify('https://example.org/legal/privacy-policy').label).toBe('legal');
    expect(UrlClassifier.withRules([{ label: 'code', hosts: ['example.org'] }], false).classify('https://en.wikipedia.org/').label).toBe('other');
  });

  it('wildcards: * is one label, ** any number, ? one character', () => {
    const c = new UrlClassifier([
      { label: 'a', hosts: ['*.fandom.com'] },
      { label: 'b', hosts: ['**.*.ac.??'] },
      { label: 'c', hosts: ['news.**'] },
    ]);
    expect(c.classify('https://x.fandom.com/').label).toBe('a');
    expect(c.classify('https://fandom.com/').label).toBe('other');
    expect(c.classify('https://a.b.fandom.com/').label).toBe('other');
    expect(c.classify('https://www.cs.ox.ac.uk/').label).toBe('b');
    expect(c.classify('https://ac.uk/').label).toBe('other');
    expect(c.classify('https://ox.ac.com/').label).toBe('other');
    expect(c.classify('https://news.bbc.co.uk/').label).toBe('c');
    expect(c.classify('https://thenews.bbc.co.uk/').label).toBe('other');
  });

  it('a malformed rule names its field', () => {
    const r = UrlRuleSchema.safeParse({ label: 'x', hosts: ['https://example.com/'] });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.path).toEqual(['hosts', 0]);
    expect(r.error!.issues[0]!.message).toMatch(/not a host pattern/);
    expect(UrlRuleSchema.safeParse({ label: 'x' }).error!.issues[0]!.message).toMatch(/hosts, paths or both/);
    expect(UrlRuleSchema.safeParse({ label: 'Bad Label', hosts: ['a.com'] }).error!.issues[0]!.path).toEqual(['label']);
    expect(UrlRuleSchema.safeParse({ label: 'x', host: ['a.com'] }).error!.issues[0]!.code).toBe('unrecognized_keys');
  });
});
