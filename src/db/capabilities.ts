// Every difference between the databases we run on, as data. Code asks the table;
// it never tests which database it is talking to.

export interface Capabilities {
  readonly dialect: 'sqlite' | 'mysql';
  /** Column type for bodies that may hold megabytes (SQLite TEXT is unbounded; MySQL TEXT is 64 KiB). */
  readonly longText: string;
  /** SELECT … FOR UPDATE holds the rows it read until commit. */
  readonly rowLocks: boolean;
  /** Lock the claim candidate so concurrent claimers skip it (MySQL 8, MariaDB ≥ 10.6). */
  readonly skipLocked: boolean;
  /** The whole transaction is serialised by a write lock taken at BEGIN (SQLite BEGIN IMMEDIATE). */
  readonly serialisedWrites: boolean;
}

export const CAPABILITIES = {
  sqlite: { dialect: 'sqlite', longText: 'text', rowLocks: false, skipLocked: false, serialisedWrites: true },
  mysql: { dialect: 'mysql', longText: 'longtext', rowLocks: true, skipLocked: true, serialisedWrites: false },
} as const satisfies Record<string, Capabilities>;
