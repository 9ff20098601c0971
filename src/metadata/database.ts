/**
 * metadata/database — the SQLite file (better-sqlite3, WAL, synchronous=FULL)
 * that holds every record berth must not lose: image names, layers,
 * containers, volumes. Each mutation runs in one transaction, so after `kill -9` a
 * record is either fully there or not at all. Migrations are numbered and
 * applied in order at open.
 *
 * May import: lib, errdefs.
 */
import Database from 'better-sqlite3';

export type Db = Database.Database;

const MIGRATIONS: string[] = [
  // 1: initial schema
  `CREATE TABLE images (
     id TEXT PRIMARY KEY,           -- sha256:<hex> of the config blob
     config TEXT NOT NULL,          -- the config JSON exactly as stored in content
     created_at TEXT NOT NULL,      -- when berth registered it (RFC 3339)
     size INTEGER NOT NULL DEFAULT 0
   );
   CREATE TABLE image_refs (
     ref TEXT PRIMARY KEY,          -- canonical: docker.io/library/busybox:latest
     image_id TEXT NOT NULL REFERENCES images(id)
   );
   CREATE INDEX image_refs_by_image ON image_refs(image_id);
   CREATE TABLE layers (
     chain_id TEXT PRIMARY KEY,
     diff_id TEXT NOT NULL,
     parent TEXT,                   -- chain id of the layer below, NULL for the base
     size INTEGER NOT NULL,         -- bytes of the unpacked content
     blob TEXT                      -- content digest of the layer tar as imported, if kept
   );
   CREATE TABLE containers (
     id TEXT PRIMARY KEY,
     name TEXT NOT NULL UNIQUE,
     image_id TEXT NOT NULL,
     doc TEXT NOT NULL              -- ContainerRecord JSON
   );
   CREATE INDEX containers_by_image ON containers(image_id);`,
  // 2: distribution — which registry blob (compressed layer) holds which diff ID,
  // and where it was last seen, so pushes skip, mount or reuse instead of recompressing
  `CREATE TABLE layer_blobs (
     diff_id TEXT NOT NULL,         -- sha256 of the uncompressed layer tar
     digest TEXT NOT NULL,          -- sha256 of the blob as a registry serves it
     media_type TEXT NOT NULL,
     size INTEGER NOT NULL,
     source TEXT,                   -- canonical repository it was pulled from / pushed to
     PRIMARY KEY (diff_id, digest)
   );`,
  // 3: volumes (engine/volumes owns the doc: driver, labels, options, created)
  `CREATE TABLE volumes (
     name TEXT PRIMARY KEY,
     driver TEXT NOT NULL,
     doc TEXT NOT NULL              -- VolumeRecord JSON
   );`,
  // 4: networks (engine/networks.ts owns the doc)
  `CREATE TABLE networks (
     id TEXT PRIMARY KEY,
     name TEXT NOT NULL UNIQUE,
     doc TEXT NOT NULL              -- NetworkRecord JSON
   );`,
  // 5: image parents (builds and commits) and the build cache (step key → image)
  `CREATE TABLE image_parents (
     id TEXT PRIMARY KEY,           -- image ID
     parent TEXT NOT NULL           -- the image it was built or committed on
   );
   CREATE INDEX image_parents_by_parent ON image_parents(parent);
   CREATE TABLE build_cache (
     key TEXT PRIMARY KEY,          -- sha256 of parent ID + expanded step (+ content hash)
     image_id TEXT NOT NULL,
     created_at TEXT NOT NULL
   );
   CREATE INDEX build_cache_by_image ON build_cache(image_id);`,
];

/** The schema version a fully migrated database has (`PRAGMA user_version`). */
export const SCHEMA_VERSION = MIGRATIONS.length;

export function openDatabase(path: string): Db {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  const version = db.pragma('user_version', { simple: true }) as number;
  for (let v = version; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
  return db;
}
