/**
 * Pages whose text tries to become markup or a workflow command: a title with HTML and table pipes, and a console
 * message with every way out of a log line. Shared by the Action's page-text tests, in-process and bundled.
 */
import type { TestContext } from 'node:test';
import { html, type Site, siteFor } from './site.ts';

export const HOSTILE_TITLE = '<img src=x onerror=alert(1)> | a | b |';

/** A console message that tries every way out of a log line: commands old and new, line breaks, escapes. */
export const HOSTILE_CONSOLE = [
  'boom',
  '::error::pwned',
  '  ::warning file=x.yml,line=1::pwned',
  '::set-output name=result::pass',
  '::stop-commands::pwned-token',
  '%0A::error::pwned',
  'tail ##[error]pwned',
  '##[set-output name=result;]pass',
].join('\n');

/** Two fixtures that fail on those pages: one on its title, one on its console error. */
export const HOSTILE_FIXTURES = `fixtures:
  - id: hostile-title
    title: A page whose title is markup
    url: /title
    expect:
      timeout: 3s
      title: Welcome

  - id: hostile-console
    title: A page that logs commands to the console
    url: /console
    expect:
      visible: ["h1"]
`;

export function hostileSite(t: TestContext): Promise<Site> {
  return siteFor(t, {
    '/title': html('<h1>Hi</h1>', HOSTILE_TITLE.replace(/</g, '&lt;')),
    '/console': html(
      `<h1>Console</h1><script>console.error(${JSON.stringify(HOSTILE_CONSOLE)});</script>`,
      HOSTILE_TITLE.replace(/</g, '&lt;'),
    ),
  });
}
