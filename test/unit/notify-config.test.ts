import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BosunError, formatIssue, ManifestError } from '../../src/errors.ts';
import { DEFAULT_EVENTS, loadNotifyConfig, parseNotifyConfig } from '../../src/server/notify/config.ts';
import { loadNotifyConfig as loadForServe } from '../../src/server/notify/open.ts';

const FILES: Record<string, string> = {
  '/etc/bosun/hook-secret': 'hook-key\n',
  '/etc/bosun/forge-token': 'forge-token\n',
  '/etc/bosun/slack-url': 'https://hooks.slack.test/services/T0/B0/XYZ\n',
  '/etc/bosun/empty': '\n',
};
const read = (f: string) => {
  const text = FILES[f];
  if (text === undefined) throw Object.assign(new Error(`ENOENT: ${f}`), { code: 'ENOENT' });
  return text;
};

function refused(text: string): string[] {
  try {
    parseNotifyConfig('notify.yaml', text, read);
  } catch (err) {
    assert.ok(err instanceof ManifestError, String(err));
    assert.equal(err.code, 'E_CONFIG');
    return err.issues.map(formatIssue);
  }
  assert.fail('expected the notify config to be refused');
}

describe('notify config file', () => {
  it('reads targets and the commit status, secrets from their files, defaults filled in', () => {
    const c = parseNotifyConfig(
      'notify.yaml',
      [
        'dashboardUrl: https://bosun.example.com/',
        'retry: { attempts: 3, initialDelay: 500ms, timeout: 2s }',
        'targets:',
        '  - { name: ops, type: webhook, url: "https://ops.test/hook", secretFile: /etc/bosun/hook-secret }',
        '  - name: team',
        '    type: slack',
        '    urlFile: /etc/bosun/slack-url',
        '    events: [release.failed, release.rolled-back]',
        '    projects: [shop]',
        'commitStatus: { provider: forgejo, tokenFile: /etc/bosun/forge-token, apiUrl: "https://git.test/api/v1/" }',
        '',
      ].join('\n'),
      read,
    );
    assert.deepEqual(c.retry, { attempts: 3, initialDelayMs: 500, timeoutMs: 2000 });
    assert.equal(c.queueSize, 100);
    assert.equal(c.dashboardUrl, 'https://bosun.example.com/');
    const [ops, team] = c.targets;
    assert.equal(ops!.secret, 'hook-key');
    assert.deepEqual([...ops!.events], DEFAULT_EVENTS);
    assert.equal(ops!.projects, undefined);
    assert.equal(team!.url, 'https://hooks.slack.test/services/T0/B0/XYZ');
    assert.deepEqual([...team!.events], ['release.failed', 'release.rolled-back']);
    assert.deepEqual([...team!.projects!], ['shop']);
    assert.deepEqual(c.commitStatus, { provider: 'gitea', token: 'forge-token', apiUrl: 'https://git.test/api/v1' });
  });

  it('points at unknown keys, bad values and a target without a URL, every problem at once', () => {
    assert.deepEqual(
      refused(
        [
          'targets:',
          '  - name: ops',
          '    type: email',
          '    url: https://ops.test/hook',
          '    event: [release.failed]',
          '  - name: chat',
          '    type: slack',
          'retry: { initialDelay: soon }',
          '',
        ].join('\n'),
      ),
      [
        'notify.yaml:3:11 targets[0].type: must be one of webhook, slack, discord',
        'notify.yaml:5:5 targets[0].event: is not a notify config key',
        'notify.yaml:8:24 retry.initialDelay: must be a duration like 500ms, 2s, 1m30s or 1h',
      ],
    );
    assert.deepEqual(
      refused(
        'targets:\n  - name: chat\n    type: slack\n  - { name: x, type: discord, url: "https://d.test/", urlFile: /etc/bosun/slack-url }\n',
      ),
      [
        'notify.yaml:2:5 targets[0]: needs exactly one of url and urlFile',
        'notify.yaml:4:5 targets[1]: needs exactly one of url and urlFile',
      ],
    );
  });

  it('refuses an unknown event, duplicate names, unreadable and empty secret files, a secret on a chat target', () => {
    assert.deepEqual(
      refused(
        ['targets:', '  - { name: a, type: webhook, url: "http://x.test/", events: [release.done] }', ''].join('\n'),
      ),
      [
        'notify.yaml:2:63 targets[0].events[0]: must be one of release.started, release.succeeded, release.failed, release.rolled-back, drift.repaired, stack.pinned, stack.resumed, leader.changed',
      ],
    );
    assert.deepEqual(
      refused(
        [
          'targets:',
          '  - { name: a, type: webhook, url: "http://x.test/", secretFile: /etc/bosun/missing }',
          '  - { name: a, type: discord, url: "http://y.test/", secretFile: /etc/bosun/hook-secret }',
          'commitStatus:',
          '  provider: github',
          '  tokenFile: /etc/bosun/empty',
          '',
        ].join('\n'),
      ),
      [
        'notify.yaml:2:66 targets[0].secretFile: cannot read /etc/bosun/missing: ENOENT',
        'notify.yaml:3:13 targets[1].name: another target is named "a"',
        'notify.yaml:3:66 targets[1].secretFile: only a webhook target signs its deliveries (this one is discord)',
        'notify.yaml:6:14 commitStatus.tokenFile: /etc/bosun/empty is empty',
      ],
    );
  });

  it('reports broken YAML at its place', () => {
    const issues = refused('targets:\n  - { name: a, type: webhook\n');
    assert.equal(issues.length, 1, issues.join('\n'));
    assert.match(issues[0]!, /^notify\.yaml:3:1 /);
  });

  it('no file means no notifications; an unreadable one is refused in one line', () => {
    assert.equal(loadNotifyConfig(undefined), undefined);
    assert.equal(loadNotifyConfig(''), undefined);
    assert.throws(
      () => loadNotifyConfig('/nonexistent/notify.yaml'),
      (e: unknown) => e instanceof BosunError && e.code === 'E_CONFIG' && /notify config \/nonexistent/.test(e.message),
    );
  });

  it('serve refuses a commit status whose repo it cannot tell from --repo', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'notify-config-'));
    try {
      writeFileSync(path.join(dir, 'token'), 't0k3n\n');
      const file = path.join(dir, 'notify.yaml');
      writeFileSync(file, `commitStatus: { provider: github, tokenFile: ${dir}/token }\n`);
      assert.equal(loadForServe(file, 'https://github.com/acme/shop.git')?.commitStatus?.token, 't0k3n');
      assert.throws(
        () => loadForServe(file, '/srv/repos/shop'),
        (e: unknown) => e instanceof BosunError && /set commitStatus\.repo and commitStatus\.apiUrl/.test(e.message),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
