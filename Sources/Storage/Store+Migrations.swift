import GRDB

extension Store {
    /// The schema's history. Append new migrations; never edit a registered one, since databases in
    /// the field have already run it.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.create(table: "root") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("path", .text).notNull().unique()
                t.column("include", .text).notNull()  // JSON array of globs
                t.column("exclude", .text).notNull()  // JSON array of globs
                t.column("useDefaultExcludes", .boolean).notNull()
                t.column("addedAt", .datetime).notNull()
            }

            try db.create(table: "document") { t in
                t.autoIncrementedPrimaryKey("id")
                t.belongsTo("root", onDelete: .cascade).notNull()
                t.column("path", .text).notNull().unique()
                t.column("device", .integer).notNull()
                t.column("inode", .integer).notNull()
                t.column("size", .integer).notNull()
                t.column("mtimeNanoseconds", .integer).notNull()
                t.column("contentHash", .text)
                t.column("status", .text).notNull()
                    .check(sql: "status IN ('indexed', 'failed', 'skipped')")
                t.column("reason", .text)
                t.column("encoding", .text)
                t.column("kind", .text)
                t.column("chunkCount", .integer).notNull()
                t.column("indexedAt", .datetime).notNull()
            }
            // Finds a renamed file by its identity.
            try db.create(index: "document_on_device_inode", on: "document", columns: ["device", "inode"])

            try db.create(table: "chunk") { t in
                t.autoIncrementedPrimaryKey("id")
                // Not indexed on its own: the unique index below starts with documentId.
                t.belongsTo("document", onDelete: .cascade, indexed: false).notNull()
                t.column("ordinal", .integer).notNull().check(sql: "ordinal >= 0")
                t.column("text", .text).notNull()
                t.column("section", .text)
                t.column("byteStart", .integer).notNull().check(sql: "byteStart >= 0")
                t.column("byteEnd", .integer).notNull()
                t.column("lineStart", .integer).notNull()
                t.column("lineEnd", .integer).notNull()
                t.column("page", .integer)
                t.check(sql: "byteEnd >= byteStart AND lineEnd >= lineStart")
            }
            // Unique: an ordinal names one chunk of its document. Also serves cascading deletes
            // and chunks(documentId:).
            try db.create(
                index: "chunk_on_documentId_ordinal", on: "chunk",
                columns: ["documentId", "ordinal"], unique: true)

            // External content: the text lives once, in `chunk`; the FTS table holds only the
            // index, kept in step by the triggers below (also on cascading deletes).
            try db.execute(sql: """
                CREATE VIRTUAL TABLE chunk_fts USING fts5(
                    text, section,
                    content = 'chunk', content_rowid = 'id',
                    tokenize = 'porter unicode61 remove_diacritics 2'
                );
                CREATE TRIGGER chunk_after_insert AFTER INSERT ON chunk BEGIN
                    INSERT INTO chunk_fts(rowid, text, section) VALUES (new.id, new.text, new.section);
                END;
                CREATE TRIGGER chunk_after_delete AFTER DELETE ON chunk BEGIN
                    INSERT INTO chunk_fts(chunk_fts, rowid, text, section)
                        VALUES ('delete', old.id, old.text, old.section);
                END;
                CREATE TRIGGER chunk_after_update AFTER UPDATE ON chunk BEGIN
                    INSERT INTO chunk_fts(chunk_fts, rowid, text, section)
                        VALUES ('delete', old.id, old.text, old.section);
                    INSERT INTO chunk_fts(rowid, text, section) VALUES (new.id, new.text, new.section);
                END;
                """)
        }

        migrator.registerMigration("v2-embeddings") { db in
            // One row per encoder whose vectors are (or were being) stored; `isActive` marks the one
            // search uses. A new encoder's vectors are filled in beside the old ones and the switch
            // happens in one transaction when the set is complete.
            try db.create(table: "embedding_model") { t in
                t.primaryKey("fingerprint", .text)
                t.column("name", .text).notNull()
                t.column("dimension", .integer).notNull().check(sql: "dimension > 0")
                t.column("isActive", .boolean).notNull().defaults(to: false)
                t.column("createdAt", .datetime).notNull()
            }
            // Vectors as little-endian Float32 blobs of `dimension` values. Keyed by model first so
            // loading or counting one model's vectors is a range scan.
            try db.execute(sql: """
                CREATE TABLE embedding (
                    fingerprint TEXT NOT NULL REFERENCES embedding_model(fingerprint) ON DELETE CASCADE,
                    chunkId INTEGER NOT NULL REFERENCES chunk(id) ON DELETE CASCADE,
                    vector BLOB NOT NULL,
                    PRIMARY KEY (fingerprint, chunkId)
                ) WITHOUT ROWID;
                CREATE INDEX embedding_on_chunkId ON embedding(chunkId);
                -- Chunks deleted since the in-memory vector matrix last looked: it drains this table
                -- to drop their rows without reloading everything.
                CREATE TABLE chunk_tombstone (chunkId INTEGER PRIMARY KEY);
                CREATE TRIGGER chunk_after_delete_tombstone AFTER DELETE ON chunk BEGIN
                    INSERT OR IGNORE INTO chunk_tombstone(chunkId) VALUES (old.id);
                END;
                """)
        }
        migrator.registerMigration("v3-extraction") { db in
            // Documents read by the sandboxed extractors (PDF, Office, HTML, e-mail, …). `problems` is a
            // JSON array of sentences; `crashCount` counts consecutive times this content (same hash)
            // killed the extractor: at 2 the document is quarantined until it changes.
            try db.alter(table: "document") { t in
                t.add(column: "format", .text)
                t.add(column: "extractor", .text)
                t.add(column: "pageCount", .integer)
                t.add(column: "problems", .text)
                t.add(column: "crashCount", .integer).notNull().defaults(to: 0)
            }
            // `page` (v1) is the first page; `pageEnd` the last when the chunk spans pages; `part` a
            // sheet, chapter or message path; `ocr` marks text recognised from an image.
            try db.alter(table: "chunk") { t in
                t.add(column: "pageEnd", .integer)
                t.add(column: "part", .text)
                t.add(column: "ocr", .boolean).notNull().defaults(to: false)
            }
        }
        migrator.registerMigration("v4-extracted-with") { db in
            // The fingerprint of the extractors that read a document (their build and settings), so
            // a document they could not read is not read again until it or they change.
            try db.alter(table: "document") { t in
                t.add(column: "extractedWith", .text)
            }
        }
        migrator.registerMigration("v5-ocr") { db in
            // OCR runs after the cheap documents of a pass: `ocrPendingPages` marks a document whose
            // scanned pages wait for it (resumed after a restart), `ocrPages` one whose content OCR
            // has read (not read again until the content changes).
            try db.alter(table: "document") { t in
                t.add(column: "ocrPendingPages", .integer)
                t.add(column: "ocrPages", .integer)
            }
        }
        return migrator
    }
}
