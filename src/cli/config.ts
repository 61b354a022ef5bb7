// `xqueue config save|printvalue|show`: the settings of config-keys.ts, as Tutor's
// `config` commands handle its own. Values are validated before anything is written.
import { Command } from 'commander';
import { dataDirFrom, explainConfig, loadRawConfig, parseConfig, saveConfigValues, type RawConfig } from '../config.js';
import { KEYS, isConfigKey, type ConfigKey } from '../config-keys.js';
import { ConfigError } from '../errors.js';
import { table } from './table.js';

/** The known key closest to a mistyped one, when it is only a typo or two away. */
function closestKey(key: string): string | undefined {
  const distance = (a: string, b: string) => {
    let row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      const next = [i];
      for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      row = next;
    }
    return row[b.length]!;
  };
  const [best] = Object.keys(KEYS)
    .map((k) => [k, distance(key.toUpperCase(), k)] as const)
    .sort((x, y) => x[1] - y[1]);
  return best && best[1] <= 2 ? best[0] : undefined;
}

const unknownKey = (key: string) => {
  const hint = closestKey(key);
  return new ConfigError(key, `a known key (see 'xqueue config show')${hint ? `; did you mean ${hint}?` : ''}`);
};

/** `KEY=VALUE`, split at the first `=`. */
function parseSetting(text: string, previous: Record<string, string> = {}): Record<string, string> {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new ConfigError(text, 'KEY=VALUE after --set');
  const key = text.slice(0, eq).trim();
  if (!isConfigKey(key)) throw unknownKey(key);
  return { ...previous, [key]: text.slice(eq + 1) };
}

/** Secrets never reach the screen, nor do passwords inside URLs. */
export function shown(value: string, secret: boolean): string {
  if (value === '') return '(empty)';
  if (secret) return '****';
  return value.replace(/(\/\/[^:/@\s]+:)[^@\s]+@/g, '$1****@');
}

function save(values: Record<string, string>): void {
  const { entries, file } = explainConfig();
  const raw = Object.fromEntries(entries.map((e) => [e.key, e.value])) as Record<ConfigKey, string>;
  // Validate the config as it will be read after the save; only a fault in what is being
  // set stops it, so a bad value elsewhere can still be fixed one key at a time.
  let warning: string | undefined;
  try {
    parseConfig({ ...raw, ...values } as RawConfig, dataDirFrom());
  } catch (err) {
    if (!(err instanceof ConfigError) || err.key in values) throw err;
    warning = `note: the configuration is still invalid: ${err.message}`;
  }
  saveConfigValues(dataDirFrom(), values);
  console.log(`saved to ${file}: ${Object.keys(values).join(', ')}`);
  for (const e of entries)
    if (e.key in values && e.source === 'env')
      console.error(`note: ${e.key} is also set in the environment, which takes precedence over config.yml`);
  if (warning) console.error(warning);
}

function show(): void {
  const { dataDir, file, entries } = explainConfig();
  process.stdout.write(`data dir: ${dataDir}\nconfig file: ${file}\n\n`);
  process.stdout.write(table(['KEY', 'VALUE', 'SOURCE'], entries.map((e) => [e.key, shown(e.value, e.spec.secret === true), e.source])));
  try {
    parseConfig(Object.fromEntries(entries.map((e) => [e.key, e.value])) as RawConfig, dataDir);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(`xqueue: invalid configuration: ${err.message}`);
    process.exitCode = 1;
  }
}

export function configCommand(): Command {
  const config = new Command('config').description('read and change settings (config.yml in the data dir)');
  config
    .command('save')
    .description('write settings to config.yml, after checking them')
    .requiredOption('--set <KEY=VALUE>', 'a setting to write (repeatable)', parseSetting)
    .action((opts: { set: Record<string, string> }) => save(opts.set));
  config
    .command('printvalue')
    .description('print the value of one setting, secrets included')
    .argument('<KEY>')
    .action((key: string) => {
      if (!isConfigKey(key)) throw unknownKey(key);
      console.log(loadRawConfig()[key]);
    });
  config.command('show').description('list every setting, its value (secrets masked) and where it comes from').action(show);
  return config;
}
