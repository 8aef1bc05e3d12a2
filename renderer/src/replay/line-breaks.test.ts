import { describe, expect, it } from 'vitest';
import { countLineBreaks, lineBreakNote, preferredLineBreak, restoreLineBreaks } from './line-breaks';

/** What a browser's text area returns for a text: every CRLF and lone CR becomes LF. */
const textAreaValue = (text: string): string => text.replace(/\r\n|\r/g, '\n');

describe('restoreLineBreaks', () => {
  it('keeps CRLF after an edit and undo', () => {
    const original = 'a\r\nb\r\nc';
    expect(restoreLineBreaks(original, textAreaValue(original))).toBe(original);
  });

  it('keeps multipart CRLF when a value changes', () => {
    const original = '--XYZ\r\nContent-Disposition: form-data; name="a"\r\n\r\nhello\r\n--XYZ--\r\n';
    const edited = textAreaValue(original).replace('hello', 'HELLO');
    expect(restoreLineBreaks(original, edited)).toBe('--XYZ\r\nContent-Disposition: form-data; name="a"\r\n\r\nHELLO\r\n--XYZ--\r\n');
  });

  it('gives added lines the only break kind', () => {
    expect(restoreLineBreaks('a\r\nb', 'a\nnew\nb\nlast')).toBe('a\r\nnew\r\nb\r\nlast');
  });

  it('gives a line added at the end a break', () => {
    expect(restoreLineBreaks('one\r\ntwo', 'one\ntwo\nthree')).toBe('one\r\ntwo\r\nthree');
  });

  it('drops the break of a removed last line', () => {
    expect(restoreLineBreaks('a\r\nb\r\nc', 'a\nb')).toBe('a\r\nb');
  });

  it('keeps each break of a mixed body', () => {
    const original = 'one\r\ntwo\nthree\r\nfour\r\n';
    expect(restoreLineBreaks(original, 'one\nTWO\nthree\nfour\n')).toBe('one\r\nTWO\nthree\r\nfour\r\n');
  });

  it('gives new lines of a mixed body the most used break', () => {
    const original = 'one\r\ntwo\nthree\r\nfour\r\n';
    expect(restoreLineBreaks(original, 'one\ntwo\nthree\nfour\nfive\n')).toBe('one\r\ntwo\nthree\r\nfour\r\nfive\r\n');
    expect(restoreLineBreaks('a\nb\nc\r\nd', 'a\nb\nnew\nc\nd')).toBe('a\nb\nnew\nc\r\nd');
  });

  it('keeps lone CR breaks', () => {
    expect(restoreLineBreaks('a\rb', 'a\nb\nc')).toBe('a\rb\rc');
  });

  it('leaves LF bodies as edited', () => {
    expect(restoreLineBreaks('a\nb\n', 'a\nB\nc\n')).toBe('a\nB\nc\n');
  });

  it('uses LF for a body that had no break', () => {
    expect(restoreLineBreaks('{"a":1}', '{\n"a":2\n}')).toBe('{\n"a":2\n}');
  });

  it('reads CRLF in the edited text as a break', () => {
    expect(restoreLineBreaks('a\r\nb', 'a\r\nb\nc')).toBe('a\r\nb\r\nc');
  });
});

describe('preferredLineBreak', () => {
  it('picks the most used break', () => {
    expect(preferredLineBreak({ crlf: 1, lf: 3, cr: 0 })).toBe('\n');
    expect(preferredLineBreak({ crlf: 0, lf: 1, cr: 2 })).toBe('\r');
  });

  it('prefers CRLF on a tie', () => {
    expect(preferredLineBreak({ crlf: 2, lf: 2, cr: 0 })).toBe('\r\n');
  });
});

describe('lineBreakNote', () => {
  it('says CRLF is kept', () => {
    expect(lineBreakNote(countLineBreaks('a\r\nb\r\n'))).toBe('Line breaks are sent as CRLF, as received.');
  });

  it('says CR is kept', () => {
    expect(lineBreakNote(countLineBreaks('a\rb'))).toBe('Line breaks are sent as CR, as received.');
  });

  it('states the rule for mixed breaks', () => {
    expect(lineBreakNote(countLineBreaks('one\r\ntwo\nthree\r\n'))).toBe(
      'The body mixes line breaks (2 CRLF, 1 LF). Each line is sent with the line break it was received with, and new lines with CRLF.',
    );
  });

  it('has no note for LF or no breaks', () => {
    expect(lineBreakNote(countLineBreaks('a\nb\n'))).toBeNull();
    expect(lineBreakNote(countLineBreaks('{"a":1}'))).toBeNull();
  });
});
