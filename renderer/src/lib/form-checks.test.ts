import { describe, expect, it } from 'vitest';
import { folderProblem, urlProblem } from './form-checks';

describe('urlProblem', () => {
  it('accepts http and https URLs', () => {
    for (const text of ['http://localhost:3000/hook', 'https://example.test/a?b=1', ' http://127.0.0.1:1/x ']) {
      expect(urlProblem('Target URL', text), text).toBeNull();
    }
  });

  it('offers http:// for a bare host', () => {
    expect(urlProblem('Target URL', 'localhost:3000/x')).toBe('Target URL "localhost:3000/x" is invalid: it does not start with http:// or https://; use http://localhost:3000/x for a local server.');
    expect(urlProblem('Target URL', '127.0.0.1:8080')).toBe('Target URL "127.0.0.1:8080" is invalid: it does not start with http:// or https://; use http://127.0.0.1:8080 for a local server.');
  });

  it('names another scheme', () => {
    expect(urlProblem('Target URL', 'ftp://127.0.0.1/x')).toBe('Target URL "ftp://127.0.0.1/x" is invalid: the scheme must be http or https, not ftp.');
  });

  it('names text that is no URL', () => {
    expect(urlProblem('Target URL', 'not a url')).toBe('Target URL "not a url" is invalid: it is not a valid URL; use an absolute URL such as http://localhost:3000/webhooks.');
    expect(urlProblem('Send to (base URL)', 'http://')).toBe('Send to (base URL) "http://" is invalid: it is not a valid URL; use an absolute URL such as http://localhost:3000/webhooks.');
    expect(urlProblem('Target URL', ' ')).toBe('Target URL is empty. Enter a URL such as http://localhost:3000/webhooks.');
  });

  it('masks a password and names the port', () => {
    const problem = urlProblem('Target URL', 'http://user:made-up-pw@127.0.0.1:99999/');
    expect(problem).toBe('Target URL "http://user:***@127.0.0.1:99999/" is invalid: the port 99999 is out of range; use a port from 1 to 65535.');
  });

  it('rejects what the core rejects', () => {
    expect(urlProblem('Target URL', 'http:///x')).toContain('the host is missing');
    expect(urlProblem('Target URL', 'http://127.0.0.1:0/x')).toContain('port 0 cannot receive requests');
  });
});

describe('folderProblem', () => {
  it('accepts absolute paths', () => {
    for (const text of ['/tmp/fixtures', 'C:\\fixtures', 'D:/fixtures', '\\\\server\\share']) expect(folderProblem('Folder', text), text).toBeNull();
  });

  it('names a relative path', () => {
    expect(folderProblem('Folder', 'fixtures')).toBe('Folder "fixtures" is not an absolute path. Enter the full path, such as /home/me/project/test/fixtures.');
  });

  it('names a path from the home folder', () => {
    expect(folderProblem('Folder', '~/fixtures')).toBe('Folder "~/fixtures" starts with ~, which only a shell expands. Enter the full path, such as /home/me/project/test/fixtures.');
  });
});
