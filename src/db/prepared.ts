// Hot queries, built once. A query is written with Kysely's builder as usual, but with
// named placeholders where the values go; it is compiled the first time it runs on a
// database (per dialect adapter, since the SQL differs between SQLite and MySQL) and
// from then on only its parameter list is filled in. Building and compiling Kysely's
// tree cost about a fifth of the server's time per request before this.
import type { Compilable, CompiledQuery, DialectAdapter, Kysely, QueryResult, RootOperationNode } from 'kysely';
import type { Capabilities } from './capabilities.js';
import type { Database } from './schema.js';

/** Stands for the value of parameter `name` while the query is built. */
class Placeholder {
  constructor(readonly name: string) {}
}

/** A database handle or a transaction on it. */
export type Handle = Kysely<Database>;

/**
 * Starts the SQL of a write run with `later`. MySQL connections hold such a statement and
 * send it with the transaction's next one (mysql-pipeline.ts); elsewhere it is a comment.
 */
export const LATER_MARK = '/* later */ ';

interface Template {
  readonly sql: string;
  readonly laterSql: string;
  readonly query: RootOperationNode;
  readonly queryId: CompiledQuery['queryId'];
  /** For each position: the parameter's name, or undefined for a constant of the query. */
  readonly names: readonly (string | undefined)[];
  readonly constants: readonly unknown[];
}

type Build<P, Q> = (db: Handle, params: P, caps: Capabilities) => Q;

/** Given to a query that was run without capabilities: reading one is a programming error. */
const NO_CAPS = new Proxy({} as Capabilities, {
  get: (_target, name) => {
    throw new Error(`prepared query: reads capability ${String(name)}; pass the capabilities when running it`);
  },
});

/**
 * Compiles `build` with placeholders for every property of `params` it reads. A
 * placeholder must be used as a value only (compared, inserted, set, limited by);
 * computing with it at build time would bake a wrong constant into the SQL.
 */
function compileTemplate<P extends object>(db: Handle, caps: Capabilities | undefined, build: Build<P, Compilable<unknown>>): Template {
  const used = new Set<string>();
  const params = new Proxy({} as P, {
    get: (_target, name) => {
      if (typeof name !== 'string') throw new TypeError('prepared query: parameter names are strings');
      used.add(name);
      return new Placeholder(name);
    },
  });
  const compiled = build(db, params, caps ?? NO_CAPS).compile();
  const names = compiled.parameters.map((v) => (v instanceof Placeholder ? v.name : undefined));
  const missing = [...used].filter((n) => !names.includes(n));
  if (missing.length > 0) throw new Error(`prepared query: parameter(s) ${missing.join(', ')} did not become bound values in: ${compiled.sql}`);
  return {
    sql: compiled.sql,
    laterSql: LATER_MARK + compiled.sql,
    query: compiled.query,
    queryId: compiled.queryId,
    names,
    constants: compiled.parameters.map((v) => (v instanceof Placeholder ? undefined : v)),
  };
}

class Prepared<P extends object> {
  // The adapter is shared by a Kysely instance and every transaction on it, and stands for
  // its dialect; a database's capabilities are fixed, so they need not be part of the key.
  // A handle's plugins (withSchema, camelCase…) do not rewrite the cached SQL: we use none.
  private readonly templates = new WeakMap<DialectAdapter, Template>();

  constructor(private readonly build: Build<P, Compilable<unknown>>) {}

  protected run(db: Handle, params: P, caps: Capabilities | undefined, later = false): Promise<QueryResult<unknown>> {
    const adapter = db.getExecutor().adapter;
    let t = this.templates.get(adapter);
    if (!t) this.templates.set(adapter, (t = compileTemplate(db, caps, this.build)));
    const { names, constants } = t;
    const parameters = new Array<unknown>(names.length);
    for (let i = 0; i < names.length; i++) {
      const name = names[i];
      parameters[i] = name === undefined ? constants[i] : (params as Record<string, unknown>)[name];
    }
    return db.executeQuery({ sql: later ? t.laterSql : t.sql, query: t.query, queryId: t.queryId, parameters });
  }
}

/** A SELECT built once; returns its rows. */
export class PreparedSelect<P extends object, R> extends Prepared<P> {
  async rows(db: Handle, params: P, caps?: Capabilities): Promise<R[]> {
    return (await this.run(db, params, caps)).rows as R[];
  }
  async first(db: Handle, params: P, caps?: Capabilities): Promise<R | undefined> {
    return (await this.run(db, params, caps)).rows[0] as R | undefined;
  }
}

export interface WriteResult {
  /** Rows inserted, updated or deleted (MySQL: matched, as Kysely's numUpdatedRows). */
  readonly affected: number;
  readonly insertId: number | undefined;
}

/** An INSERT, UPDATE or DELETE built once. */
export class PreparedWrite<P extends object> extends Prepared<P> {
  async write(db: Handle, params: P, caps?: Capabilities): Promise<WriteResult> {
    const r = await this.run(db, params, caps);
    return { affected: Number(r.numAffectedRows ?? 0), insertId: r.insertId === undefined ? undefined : Number(r.insertId) };
  }

  /**
   * Runs the write for its effect only: in a MySQL transaction it may travel with the next
   * statement, and so fail there. Use it where nothing reads the outcome.
   */
  async later(db: Handle, params: P, caps?: Capabilities): Promise<void> {
    await this.run(db, params, caps, true);
  }
}

/**
 * Declares a hot SELECT: `build` uses `params.x` wherever the value x goes. A query that
 * reads `caps` (row locks, upsert syntax) must be run with the database's capabilities.
 */
export function preparedSelect<P extends object, R>(build: (db: Handle, params: P, caps: Capabilities) => Compilable<R>): PreparedSelect<P, R> {
  return new PreparedSelect<P, R>(build);
}

/** Declares a hot INSERT, UPDATE or DELETE. */
export function preparedWrite<P extends object>(build: (db: Handle, params: P, caps: Capabilities) => Compilable<unknown>): PreparedWrite<P> {
  return new PreparedWrite<P>(build);
}
