// Reads the JSON-with-comments files .NET tooling writes (launchSettings.json, appsettings.json):
// `//` and `/* */` comments and trailing commas are allowed there, so strip them first.
import { readFileSync } from 'node:fs';
import { DotnetError } from './errors.ts';

export function stripJsonComments(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 2;
    } else {
      out += c;
      i++;
    }
  }
  // Trailing commas before } or ] (outside strings: strings were copied verbatim above, and a
  // string cannot contain a raw `,` followed only by whitespace and a closing bracket... it can,
  // so do this pass string-aware as well).
  let res = '';
  i = 0;
  while (i < out.length) {
    const c = out[i];
    if (c === '"') {
      let j = i + 1;
      while (j < out.length && out[j] !== '"') j += out[j] === '\\' ? 2 : 1;
      res += out.slice(i, j + 1);
      i = j + 1;
    } else if (c === ',') {
      let j = i + 1;
      while (j < out.length && /\s/.test(out[j])) j++;
      if (out[j] !== '}' && out[j] !== ']') res += c;
      i++;
    } else {
      res += c;
      i++;
    }
  }
  return res;
}

/** Parsed file, or undefined when it does not exist. */
export function readJsonFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new DotnetError('DOTNET_FILE_UNREADABLE', `cannot read ${path}: ${(err as Error).message}`);
  }
  try {
    return JSON.parse(stripJsonComments(text.replace(/^\uFEFF/, '')));
  } catch (err) {
    throw new DotnetError('DOTNET_INVALID_JSON', `${path} is not valid JSON: ${(err as Error).message}`);
  }
}
