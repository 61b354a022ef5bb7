// Every difference between the databases we run on, as data. Code asks the table;
// it never tests which database it is talking to.

export interface Capabilities {
  readonly dialect: 'sqlite' | 'mysql';
  /** Column type for bodies that may hold megabytes (SQLite TEXT is unbounded; MySQL TEXT is 64 KiB). */
  readonly longText: string;
  /** Appended to CREATE TABLE: engine and a binary utf8mb4 collation, so names compare exactly and emoji store. */
  readonly tableOptions: string;
  /** SELECT … FOR UPDATE holds the rows it read until commit. */
  readonly rowLocks: boolean;
  /** Lock the claim candidate so concurrent claimers skip it (MySQL 8, MariaDB ≥ 10.6). */
  readonly skipLocked: boolean;
  /** How the id sequence is raised past imported ids: SQLite's sqlite_sequence row, or InnoDB's AUTO_INCREMENT. */
  readonly idCounter: 'sqlite_sequence' | 'auto_increment';
  /** Concurrent transactions share one commit (one writer, a costly fsync per commit). */
  readonly groupCommit: boolean;
  /** How an insert that may collide becomes an update. */
  readonly upsert: 'on-conflict' | 'on-duplicate-key';
  /**
   * Concurrent claims, and concurrent results, share a transaction and set-based statements
   * (db/combiner.ts). It pays where each statement is a round trip and CPU in another process
   * (MySQL); SQLite's statements are cheap calls and its group commit already shares commits.
   */
  readonly combineRequests: boolean;
  /** One UPDATE may change rows of two joined tables (MySQL's UPDATE … JOIN), so it needs no transaction around it. */
  readonly updateJoins: boolean;
  /**
   * An updated row's old index entries stay, marked deleted, until a background purge
   * (InnoDB). A read from the head of an index range walks them, so claims start from a
   * floor (queue/claim-floor.ts) instead.
   */
  readonly staleIndexEntries: boolean;
  /** Counter rows per queue: writers pick one at random so they do not queue on one row lock. */
  readonly counterSlots: number;
  /**
   * Kysely takes no lock of its own around migrations (it does on MySQL): one write
   * transaction around them keeps a second process starting at once from running them too.
   */
  readonly migrateInWriteTransaction: boolean;
  /** SQL for the id the connection's last insert made. */
  readonly lastInsertId: string;
  /** An index name belongs to its table (DROP INDEX … ON t), not to the schema. */
  readonly indexNamesPerTable: boolean;
  /** Error codes after which a transaction is simply run again. */
  readonly retryableErrors: readonly string[];
}

export const CAPABILITIES = {
  sqlite: {
    dialect: 'sqlite',
    longText: 'text',
    tableOptions: '',
    rowLocks: false,
    skipLocked: false,
    idCounter: 'sqlite_sequence',
    counterSlots: 1,
    upsert: 'on-conflict',
    groupCommit: true,
    combineRequests: false,
    updateJoins: false,
    staleIndexEntries: false,
    indexNamesPerTable: false,
    lastInsertId: 'last_insert_rowid()',
    migrateInWriteTransaction: true,
    retryableErrors: ['SQLITE_BUSY'],
  },
  mysql: {
    dialect: 'mysql',
    longText: 'longtext',
    tableOptions: 'ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin',
    rowLocks: true,
    skipLocked: true,
    idCounter: 'auto_increment',
    counterSlots: 8,
    upsert: 'on-duplicate-key',
    groupCommit: false,
    combineRequests: true,
    updateJoins: true,
    staleIndexEntries: true,
    indexNamesPerTable: true,
    lastInsertId: 'last_insert_id()',
    migrateInWriteTransaction: false,
    retryableErrors: ['ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT'],
  },
} as const satisfies Record<string, Capabilities>;
