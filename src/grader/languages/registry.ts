import { existsSync } from 'node:fs';
import { c, cpp } from './c-family.js';
import { java } from './java.js';
import { javascript } from './javascript.js';
import type { Language } from './language.js';
import { python } from './python.js';

export type Languages = ReadonlyMap<string, Language>;

/** Every language whose tools exist on this host, keyed by each alias. */
export function defaultLanguages(all: readonly Language[] = [python(), javascript(), c(), cpp(), java()]): Languages {
  const map = new Map<string, Language>();
  for (const lang of all) {
    if (!lang.tools.every((t) => existsSync(t))) continue;
    for (const alias of lang.aliases) map.set(alias, lang);
  }
  return map;
}

export function findLanguage(languages: Languages, name: string): Language | undefined {
  return languages.get(name.trim().toLowerCase());
}
