import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import vm from 'node:vm';
import { AccountIndex, importAuthorizationDetails } from '../../../src/analysis/account/index.js';
import { csvField, renderCsv, renderHtml, renderJson, reviewAccount, type AccessReview } from '../../../src/analysis/review/index.js';

const NOW = new Date('2026-01-15T12:00:00Z');
const A = 'arn:aws:iam::111122223333';
const EVIL_ROLE = '<script>alert(1)</script>';
const FORMULA_ROLE = '=HYPERLINK("http://evil.example","a,b")';

/** The small fixture plus two roles whose names an attacker chose (the import does not validate names). */
function hostileAccount(): unknown {
  const doc = JSON.parse(readFileSync(new URL('../../fixtures/analysis/small-account.json', import.meta.url), 'utf8')) as { RoleDetailList: unknown[] };
  for (const [i, name] of [EVIL_ROLE, FORMULA_ROLE].entries()) {
    doc.RoleDetailList.push({
      Path: '/',
      RoleName: name,
      RoleId: `AROAEVIL${i}`,
      Arn: `${A}:role/${name}`,
      AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `${A}:user/dave` }, Action: 'sts:AssumeRole' }] },
      InstanceProfileList: [],
      RolePolicyList: [{ PolicyName: `p"${i}</script>`, PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::app-data/*', Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } }] } }],
      AttachedManagedPolicies: [],
      Tags: [{ Key: 'owner', Value: '"><img src=x onerror=alert(2)>' }],
    });
  }
  return doc;
}

const review: AccessReview = (() => {
  const { model } = importAuthorizationDetails(hostileAccount());
  return reviewAccount(new AccountIndex(model), { now: NOW });
})();

describe('JSON', () => {
  test('the streamed JSON parses back to the review', () => {
    const text = [...renderJson(review, 7)].join('');
    assert.deepEqual(JSON.parse(text), JSON.parse(JSON.stringify(review)));
    assert.equal((JSON.parse(text) as AccessReview).schema, 'gatehouse.access-review/v1');
    assert.ok(text.endsWith('}\n'));
  });
});

describe('CSV', () => {
  test('fields: RFC 4180 quoting, formula cells neutralized', () => {
    assert.equal(csvField('arn:aws:s3:::b'), 'arn:aws:s3:::b');
    assert.equal(csvField('a,b'), '"a,b"');
    assert.equal(csvField('say "hi"'), '"say ""hi"""');
    assert.equal(csvField('two\nlines'), '"two\nlines"');
    for (const lead of ['=', '+', '-', '@', '\t', '\r']) assert.ok(csvField(`${lead}1+1`).replace(/^"/, '').startsWith(`'${lead}`), JSON.stringify(lead));
    assert.equal(csvField('=SUM(A1,A2)'), `"'=SUM(A1,A2)"`);
    assert.equal(csvField(42), '42');
  });

  test('one line per row, CRLF, header first; hostile names stay inert text', () => {
    const text = [...renderCsv(review, 5)].join('');
    const lines = text.split('\r\n');
    assert.equal(lines[0], 'principal,principal_kind,resource,resource_kind,resource_type,service,capability,access,action_count,actions,via');
    assert.equal(lines.at(-1), '');
    assert.equal(lines.length - 2, review.rows.length);
    assert.ok(lines.includes('arn:aws:iam::111122223333:user/dev/bob,user,arn:aws:s3:::app-data,named,s3:bucket,s3,read-data,allowed,2,s3:GetObject s3:ListBucket,arn:aws:iam::111122223333:group/developers#read-app-data[0]'));
    // The formula role's ARN does not start with `=`, but its inline policy id is quoted: no cell starts a formula.
    const formulaRow = lines.find((l) => l.startsWith(`"${A}:role/=HYPERLINK(""http://evil.example"",""a,b"")"`));
    assert.ok(formulaRow, 'the ARN with quotes and a comma is one quoted field');
    for (const line of lines) assert.ok(!/(^|,)[=+\-@]/.test(line), line);
  });
});

// ------------------------------------------------------------------- a small DOM for the report script

class FakeElement {
  children: FakeElement[] = [];
  className = '';
  value = '';
  type = '';
  placeholder = '';
  id = '';
  title = '';
  disabled = false;
  colSpan = 1;
  private text = '';
  private readonly attrs = new Map<string, string>();
  readonly listeners = new Map<string, () => void>();
  constructor(readonly tagName: string) {}
  appendChild(child: FakeElement): FakeElement {
    this.children.push(child);
    return child;
  }
  set textContent(v: string) {
    this.text = String(v);
    this.children = [];
  }
  get textContent(): string {
    return this.text + this.children.map((c) => c.textContent).join('');
  }
  setAttribute(k: string, v: string): void {
    this.attrs.set(k, String(v));
  }
  getAttribute(k: string): string | null {
    return this.attrs.get(k) ?? null;
  }
  addEventListener(type: string, fn: () => void): void {
    this.listeners.set(type, fn);
  }
  scrollIntoView(): void {}
  all(tag: string): FakeElement[] {
    return this.children.flatMap((c) => [...(c.tagName === tag ? [c] : []), ...c.all(tag)]);
  }
}

function runReport(html: string) {
  const data = /<script type="application\/json" id="review-data">([\s\S]*?)<\/script>/.exec(html)?.[1];
  const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
  assert.ok(data && scripts.length === 1);
  const hosts = new Map(['rows-table', 'principals-table', 'findings-table', 'resources-table'].map((id) => [id, new FakeElement('div')]));
  const document = {
    getElementById: (id: string) => (id === 'review-data' ? { textContent: data } : (hosts.get(id) ?? new FakeElement('section'))),
    createElement: (tag: string) => new FakeElement(tag),
  };
  vm.runInNewContext(scripts[0], { document, JSON, Math, String, Array, setTimeout: (f: () => void) => (f(), 0), clearTimeout: () => undefined });
  const table = (id: string) => {
    const host = hosts.get(id) as FakeElement;
    const body = host.all('tbody')[0];
    return {
      host,
      rows: () => body.children.map((tr) => tr.children.map((td) => td.textContent)),
      info: () => host.all('span').find((s) => s.textContent.includes(' of '))?.textContent ?? '',
      filter: (key: string, value: string) => {
        const input = [...host.all('input'), ...host.all('select')].find((e) => e.getAttribute('data-filter') === key);
        assert.ok(input, `filter ${key}`);
        input.value = value;
        input.listeners.get('input')?.();
      },
      sort: (label: string) => host.all('button').find((b) => b.textContent === label)?.listeners.get('click')?.(),
    };
  };
  return table;
}

describe('HTML', () => {
  const html = [...renderHtml(review)].join('');

  test('self-contained: no external assets, a CSP that forbids fetching', () => {
    assert.match(html, /^<!doctype html>/);
    assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">/);
    assert.ok(!/<(link|img|iframe)\b/i.test(html), 'no linked resources');
    assert.ok(!/\ssrc=/i.test(html.replace(/<script type="application\/json"[\s\S]*?<\/script>/, '')), 'no src attributes');
    assert.ok(!/https?:\/\/(?!www\.w3\.org\/2000\/svg)/.test(html.replace(/<script type="application\/json"[\s\S]*?<\/script>/, '')), 'no URLs besides the SVG namespace');
  });

  test('account data is escaped: a role named <script> cannot run', () => {
    assert.equal(html.split('<script').length - 1, 2, 'only the data block and the report script');
    assert.ok(!html.includes('<script>alert'));
    assert.ok(!html.includes('<img src=x'));
    assert.ok(html.includes('\\u003cscript\\u003ealert(1)\\u003c/script\\u003e'), 'the name travels escaped in the data block');
    // The escalation picture names dave's path through the hostile role with escaped text.
    assert.ok(!/<text[^>]*>[^<]*<script/.test(html));
  });

  test('filter controls: principal and resource text, capability and access selects; sortable columns', () => {
    for (const id of ['rows-table', 'principals-table', 'findings-table', 'resources-table']) assert.ok(html.includes(`<div id="${id}"></div>`), id);
    const table = runReport(html)('rows-table');
    const selects = table.host.all('select');
    const capability = selects.find((s) => s.getAttribute('data-filter') === 'capability');
    assert.deepEqual(capability?.children.map((o) => o.textContent), ['all', 'administer-resource', 'read-config', 'read-data', 'write-data', 'delete-data', 'use-resource']);
    const access = selects.find((s) => s.getAttribute('data-filter') === 'access');
    assert.deepEqual(access?.children.map((o) => o.textContent), ['all', 'allowed', 'conditional']);
    assert.ok(table.host.all('input').some((i) => i.getAttribute('data-filter') === 'principal'));
    assert.ok(table.host.all('input').some((i) => i.getAttribute('data-filter') === 'resource'));
    assert.ok(table.host.all('th').every((th) => th.children[0]?.tagName === 'button'), 'every header sorts');
  });

  test('the script builds paged tables that filter and sort', () => {
    const table = runReport(html);
    const rows = table('rows-table');
    assert.equal(rows.rows().length, 50, 'first page');
    assert.equal(rows.info(), `1–50 of ${review.rows.length} (${review.rows.length} in all)`);
    rows.filter('principal', 'dev/bob');
    rows.filter('capability', 'read-data');
    const bob = rows.rows();
    assert.ok(bob.length > 0 && bob.every((r) => r[0] === `${A}:user/dev/bob` && r[4] === 'read-data'));
    assert.ok(bob.some((r) => r[1] === 'arn:aws:s3:::app-data'));
    rows.filter('principal', EVIL_ROLE);
    rows.filter('capability', '');
    const evil = rows.rows();
    assert.ok(evil.length > 0 && evil.every((r) => r[0] === `${A}:role/${EVIL_ROLE}`), 'the hostile name is shown as text');
    rows.filter('principal', '');
    rows.filter('access', 'conditional');
    const conditional = rows.rows();
    assert.ok(conditional.length > 0 && conditional.every((r) => r[5] === 'conditional'));

    const principals = table('principals-table');
    principals.sort('Rows');
    principals.sort('Rows');
    const counts = principals.rows().map((r) => Number(r[4]));
    assert.deepEqual(counts, [...counts].sort((a, b) => b - a), 'descending after two clicks');
    assert.equal(principals.rows()[0][3], 'admin', 'an administrator has the most rows');
    principals.filter('status', 'admin');
    assert.deepEqual(principals.rows().map((r) => r[0]).sort(), ['AdminRole', 'LambdaExec', 'alice']);

    const findings = table('findings-table');
    findings.filter('id', 'PE-PATH');
    assert.ok(findings.rows().some((r) => r[2] === `${A}:user/dave`));
  });

  test('the escalation picture is embedded as inline SVG', () => {
    assert.match(html, /<section id="escalation"><h2>Privilege escalation<\/h2><div class="picture"><svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.match(html, /<title>dave → DeployRole: sts-001<\/title>/);
  });
});
