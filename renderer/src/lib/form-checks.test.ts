import { describe, expect, it } from 'vitest';
import { folderProblem, urlProblem } from './form-checks';

describe('urlProblem', () => {
  it('accepts http and https URLs', () => {
    for (const text of ['http://localhost:3000/hook', 'https://example.test/a?b=1', ' http://127.0.0.1:1/x ']) {
      expect(urlProblem('Target URL', text), text).toBeNull();
    }
  });

  it('offers http:// for a bare host', () => {
    expect(urlProblem('Target URL', 'localhost:3000/x')).toBe('Target URL "localhost:3000/x" does not start with http:// or https://. Enter http://localhost:3000/x for a local server.');
    expect(urlProblem('Target URL', '127.0.0.1:8080')).toBe('Target URL "127.0.0.1:8080" does not start with http:// or https://. Enter http://127.0.0.1:8080 for a local server.');
  });

  it('names another scheme', () => {
    expect(urlProblem('Target URL', 'ftp://127.0.0.1/x')).toBe('Target URL "ftp://127.0.0.1/x" uses ftp, but only http and https are sent to. Enter a URL such as http://localhost:3000/webhooks.');
  });

  it('names text that is no URL', () => {
    expect(urlProblem('Target URL', 'not a url')).toBe('Target URL "not a url" is not a valid URL. Enter one such as http://localhost:3000/webhooks.');
    expect(urlProblem('Send to (base URL)', 'http://')).toBe('Send to (base URL) "http://" is not a valid URL. Enter one such as http://localhost:3000/webhooks.');
    expect(urlProblem('Target URL', ' ')).toBe('Target URL is empty. Enter a URL such as http://localhost:3000/webhooks.');
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
